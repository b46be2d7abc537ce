package tui

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store/bolt"
)

// The crash test (issue 12, part 11): a child process edits an article
// through the screen's own code path (keys into Update, the commands run and
// their messages fed back, on a real bbolt file) and reports every save the
// screen showed as saved; the parent SIGKILLs it at a random moment, then
// opens the file itself. Nothing acknowledged may be lost and the file must
// pass Check, however many times the child dies.
const (
	// crashDBVar, set in the environment, makes TestCrashScreenChild the
	// child: it edits the database at that path until it is killed.
	crashDBVar = "ANNOTATE_CRASH_TUI_DB"
	// crashSeedVar seeds the child's choice of edits.
	crashSeedVar = "ANNOTATE_CRASH_TUI_SEED"
	// crashSeedOverride, when set in the parent's environment, replaces
	// the fixed seed (to explore other schedules; a failure prints the
	// seed it used).
	crashSeedOverride = "ANNOTATE_CRASH_SEED"

	crashAnnotator = "crash"
	// crashKills is how many times the parent kills a child, and
	// crashBudget only stops a run gone wrong (the count ends it, in about
	// 15 s idle; a loaded machine takes several times that).
	crashKills    = 60
	crashMinKills = 50
	crashBudget   = 3 * time.Minute
	// childSteps and childLife bound a child that is never killed (the
	// parent died): it stops by itself.
	childSteps = 20000
	childLife  = 20 * time.Second
)

// annotationDigest is a digest of what an annotation records, the same
// whichever way the store encodes it: the JSON form with the save time left
// out and empty values (null, "", 0, [], {}) dropped, keys sorted.
func annotationDigest(a model.Annotation) string {
	a.UpdatedAt = time.Time{}
	raw, err := json.Marshal(a)
	if err != nil {
		return "unencodable: " + err.Error()
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return "undecodable: " + err.Error()
	}
	norm, _ := json.Marshal(dropEmpty(v))
	sum := sha256.Sum256(norm)
	return hex.EncodeToString(sum[:12])
}

// dropEmpty removes empty values from decoded JSON, so nil and empty
// slices (and omitempty choices) digest alike.
func dropEmpty(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			if x = dropEmpty(x); x != nil {
				out[k] = x
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		if len(v) == 0 {
			return nil
		}
		for i := range v {
			v[i] = dropEmpty(v[i])
		}
		return v
	case string:
		if v == "" {
			return nil
		}
	case float64:
		if v == 0 {
			return nil
		}
	case bool:
		if !v {
			return nil
		}
	}
	return v
}

// crashChild is the child's side: a screen on the real store, the keys it
// presses and the acknowledgements it writes.
type crashChild struct {
	h     *harness
	rng   *rand.Rand
	out   *os.File
	acked int // the last Rev written as ack
}

// press sends one key and acknowledges the save it led to, if any: the
// screen's annotation moved to a new revision and says "saved:". The ack
// is written straight to the pipe (os.File is unbuffered), so the parent
// has it before the next key is pressed.
func (c *crashChild) press(k string) {
	c.h.send(press(k))
	m := c.h.m
	if m.ann.Rev > c.acked && strings.HasPrefix(m.message, "saved:") {
		c.acked = m.ann.Rev
		fmt.Fprintf(c.out, "ack %d %s\n", m.ann.Rev, annotationDigest(m.ann))
	}
	if m.isError && (strings.Contains(m.message, "not saved") || strings.Contains(m.message, "damaged") ||
		strings.Contains(m.message, "another window")) {
		// One writer, no damage: a failed save is a finding.
		fmt.Fprintf(c.out, "error %s\n", strconv.Quote(m.message))
	}
}

func (c *crashChild) keys(seq string) {
	for _, k := range strings.Fields(seq) {
		c.press(k)
	}
}

func (c *crashChild) typeText(s string) {
	for _, r := range s {
		c.press(string(r))
	}
}

// settle brings the screen back to the article with no prompt or form,
// whatever the last edit left open.
func (c *crashChild) settle() {
	m := c.h.m
	for range 8 {
		switch {
		case m.screen == screenQueue:
			c.keys("enter")
		case m.prompt != nil, m.form != nil, m.focus != focusArticle, m.showHelp:
			c.keys("esc")
		default:
			return
		}
	}
	fmt.Fprintf(c.out, "stuck screen %d focus %d form %v prompt %v\n", m.screen, m.focus, m.form != nil, m.prompt != nil)
}

// toRow moves the open form's cursor to the row with the given key; false
// when there is no form or no such row.
func (c *crashChild) toRow(key string) bool {
	f := c.h.m.form
	if f == nil {
		return false
	}
	for range len(f.rows) + 1 {
		if c.h.m.form != f {
			return false
		}
		if f.row().key == key {
			return true
		}
		c.keys("tab")
	}
	return false
}

// toWord is a motion to a random word of the article from the top.
func (c *crashChild) toWord() string {
	return "g" + strings.Repeat(" w", c.rng.IntN(30))
}

// toSpan is a motion to a random span (or none) from the top.
func (c *crashChild) toSpan() string {
	return "g" + strings.Repeat(" ]", 1+c.rng.IntN(4))
}

var crashLabelKeys = []string{"1", "2", "3", "4", "5", "6"}

// edit makes one random edit the way an annotator would: tag a word or a
// phrase, relabel by key or with the picker, delete, add a claim (with a
// claimant, and sometimes a type), undo, redo.
func (c *crashChild) edit() {
	label := crashLabelKeys[c.rng.IntN(len(crashLabelKeys))]
	n := c.rng.IntN(20)
	// Keep the annotation about the size of a real one (a few spans and
	// claims): the history keeps every state, and the checks after each
	// kill read all of it.
	a := c.h.m.ann
	if len(a.Entities) > 8 && n < 8 {
		n = 11 + n%2
	}
	if len(a.Claims) > 2 && n >= 13 && n < 15 {
		n = 15
	}
	switch {
	case n < 6: // tag a word
		c.keys(c.toWord() + " " + label)
	case n < 8: // tag a phrase
		c.keys(c.toWord() + " v" + strings.Repeat(" w", 1+c.rng.IntN(3)) + " " + label)
	case n < 10: // relabel a span by its key
		c.keys(c.toSpan() + " " + label)
	case n < 11: // relabel with the picker
		c.keys(c.toSpan() + " r")
		c.typeText([]string{"ORG", "PER", "GPE", "LOC"}[c.rng.IntN(4)])
		c.keys("enter")
	case n < 13: // delete a span
		c.keys(c.toSpan() + " x")
	case n < 14: // a claim on "53 members of the SDF were killed"
		c.keys("g /")
		c.typeText("53")
		c.keys("enter v w w w w w w c")
		if c.h.m.form != nil {
			c.typeText([]string{"ISIS", "SDF", "a witness"}[c.rng.IntN(3)])
			c.keys("enter")
			if c.rng.IntN(2) == 0 && c.toRow("type") {
				c.typeText([]string{"cas", "den", "resp"}[c.rng.IntN(3)])
				c.keys("enter")
			}
		}
	case n < 16: // delete the first claim, from the Claims tab
		c.keys("tab")
		for range len(tabNames) {
			if c.h.m.sideTab == tabClaims {
				c.keys("x")
				break
			}
			c.keys("l")
		}
	case n < 18:
		c.keys("u")
	default:
		c.keys("U")
	}
	c.settle()
}

// TestCrashScreenChild is the child of TestCrashScreenKilled; run alone it
// skips.
func TestCrashScreenChild(t *testing.T) {
	path := os.Getenv(crashDBVar)
	if path == "" {
		t.Skip("the crash test's child: runs only when TestCrashScreenKilled starts it")
	}
	seed, _ := strconv.ParseUint(os.Getenv(crashSeedVar), 10, 64)
	db, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		fmt.Printf("error %s\n", strconv.Quote("open: "+err.Error()))
		t.Fatal(err)
	}
	m := New(Options{Store: db, Schema: model.DefaultSchema(), Annotator: crashAnnotator, Location: path})
	h := &harness{t: t, m: m}
	h.send(tea.WindowSizeMsg{Width: 200, Height: 60})
	h.run(m.Init())
	c := &crashChild{h: h, rng: rand.New(rand.NewPCG(seed, 12)), out: os.Stdout, acked: -1}
	c.keys("enter")
	if m.doc == nil {
		t.Fatalf("the article did not open: %q", m.message)
	}
	// The revision the screen opened at is not an ack of this child's, but
	// it was acknowledged by an earlier one or never; start above it.
	c.acked = m.ann.Rev
	fmt.Fprintf(c.out, "ready %d\n", m.ann.Rev)
	deadline := time.Now().Add(childLife)
	for i := 0; i < childSteps && time.Now().Before(deadline); i++ {
		c.edit()
	}
}

// crashAck is one acknowledged save.
type crashAck struct {
	rev    int
	digest string
}

// TestCrashScreenKilled: SIGKILL a screen mid-edit, again and again, on the
// same database; after each kill Check reports nothing and the stored
// annotation is at least the last one acknowledged (the same, when its Rev
// is).
func TestCrashScreenKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test kills child processes for several seconds; skipped with -short")
	}
	if os.Getenv(crashDBVar) != "" {
		t.Skip("inside the child")
	}
	seed := uint64(20240612)
	if s := os.Getenv(crashSeedOverride); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("%s=%q: %v", crashSeedOverride, s, err)
		}
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	path := filepath.Join(t.TempDir(), "crash.db")
	art := article("Raqqa attack", raqqaText)
	db, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddArticles([]model.Article{art}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	var (
		last               = crashAck{rev: 0}
		kills, acks        int
		acked, beyond, own int
		started            = time.Now()
	)
	for i := 0; i < crashKills && time.Since(started) < crashBudget; i++ {
		delay := 3*time.Millisecond + time.Duration(rng.Int64N(int64(297*time.Millisecond)))
		got, out, exitedAlone := runCrashChild(t, path, seed+uint64(i)+1, delay)
		if exitedAlone {
			own++
			t.Errorf("kill %d (seed %d): the child exited before the kill:\n%s", i, seed, out)
		}
		kills++
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, "error ") || strings.HasPrefix(line, "stuck ") {
				t.Errorf("kill %d (seed %d): the child reported %s", i, seed, line)
			}
		}
		for _, a := range got {
			if a.rev <= last.rev {
				t.Errorf("kill %d: ack of Rev %d after Rev %d was acknowledged", i, a.rev, last.rev)
			}
			last = a
		}
		acks += len(got)
		if len(got) > 0 {
			acked++
		}

		db, err := bolt.Open(path, bolt.Options{LockTimeout: 5 * time.Second})
		if err != nil {
			t.Fatalf("kill %d (seed %d): open after the kill: %v", i, seed, err)
		}
		problems, err := db.Check()
		if err != nil || len(problems) > 0 {
			t.Errorf("kill %d (seed %d): check after the kill: %v %q", i, seed, err, problems)
		}
		stored, err := db.Annotation(art.ID, crashAnnotator)
		db.Close()
		if err != nil {
			t.Fatalf("kill %d (seed %d): read after the kill: %v", i, seed, err)
		}
		switch {
		case stored.Rev < last.rev:
			t.Errorf("kill %d (seed %d): stored Rev %d, but Rev %d was acknowledged as saved: an acknowledged save was lost", i, seed, stored.Rev, last.rev)
		case stored.Rev == last.rev && last.digest != "" && annotationDigest(stored) != last.digest:
			t.Errorf("kill %d (seed %d): stored Rev %d is not what was acknowledged (digest %s, acknowledged %s)", i, seed, stored.Rev, annotationDigest(stored), last.digest)
		case stored.Rev > last.rev:
			// Saved but killed before the ack reached us: allowed, and it
			// is what the next child starts from.
			beyond++
			last = crashAck{rev: stored.Rev, digest: annotationDigest(stored)}
		}
		if t.Failed() {
			break
		}
	}
	if !t.Failed() && kills < crashMinKills {
		t.Errorf("only %d kills in %v (want at least %d)", kills, crashBudget, crashMinKills)
	}
	if !t.Failed() && acked < kills/2 {
		t.Errorf("only %d of %d children acknowledged a save before the kill: the kills land too early to test anything", acked, kills)
	}
	t.Logf("seed %d: %d kills in %v, %d acknowledged saves checked (%d children acknowledged at least one; %d kills fell between a save and its ack), final Rev %d",
		seed, kills, time.Since(started).Round(time.Millisecond), acks, acked, beyond, last.rev)
}

// runCrashChild starts the child on the database, kills it with SIGKILL
// after delay, and returns the acks it wrote, its whole output, and whether
// it ended by itself before the kill.
func runCrashChild(t *testing.T, path string, seed uint64, delay time.Duration) (acks []crashAck, output string, exitedAlone bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashScreenChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDBVar+"="+path, crashSeedVar+"="+strconv.FormatUint(seed, 10))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var (
		mu  sync.Mutex
		all strings.Builder
	)
	read := make(chan struct{})
	go func() {
		defer close(read)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			mu.Lock()
			all.WriteString(line + "\n")
			if f := strings.Fields(line); len(f) == 3 && f[0] == "ack" {
				rev, err := strconv.Atoi(f[1])
				if err == nil {
					acks = append(acks, crashAck{rev: rev, digest: f[2]})
				}
			}
			mu.Unlock()
		}
	}()
	done := make(chan error, 1)
	go func() {
		<-read // Wait closes the pipe: read it to the end first
		done <- cmd.Wait()
	}()
	select {
	case <-time.After(delay):
		_ = cmd.Process.Kill() // SIGKILL
		<-done
	case <-done:
		exitedAlone = true
	}
	mu.Lock()
	defer mu.Unlock()
	return acks, all.String() + stderr.String(), exitedAlone
}
