package cli_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/annotate-tool/annotate/internal/cli"
	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/store/bolt"
)

// The import half of the crash test (issue 12, part 11): `annotate import`
// of a few thousand articles, SIGKILLed at random moments, again and again
// on one database. After each kill `check` passes, the article count never
// goes down and is what whole batches give (a batch is one transaction);
// after the kills a full run completes and every distinct text is stored
// exactly once.
const (
	// importKills is how many kills the test aims at, importRuns bounds
	// the imports started (some end before their kill), importRoundKills
	// the kills on one database.
	importKills      = 24
	importMinKills   = 20
	importRuns       = 60
	importRoundKills = 6
	// importBudget only stops a run gone wrong: the counts above end it
	// (in about 20 s on an idle machine; twice that or more on a loaded
	// one, where a 30 s budget once cut it short of its kills).
	importBudget    = 3 * time.Minute
	crashTextFiles  = 4200
	crashJSONLFiles = 3
	crashJSONLLines = 400
	// Every crashDupEvery-th record repeats an earlier text, so "no
	// duplicates" has something to refuse.
	crashDupEvery = 9
)

// crashCorpus writes the folder the import reads: .txt files (one article
// each) then .jsonl files, named so the import's sorted walk reads them in
// the order written. It returns the texts in that order.
func crashCorpus(t *testing.T, dir string, rng *rand.Rand) []string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	words := strings.Fields("the council said fighters attacked a checkpoint near the river on Tuesday " +
		"killing three and wounding several others while residents fled toward the market district")
	text := func(n int) string {
		var b strings.Builder
		fmt.Fprintf(&b, "Report %d from the north", n)
		b.WriteString("\n\n")
		for range 30 + rng.IntN(40) {
			b.WriteString(words[rng.IntN(len(words))])
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "(ref %d).", n)
		return b.String()
	}
	var texts []string
	for i := range crashTextFiles {
		// A .txt file's text is its content, a JSONL record's its text
		// field: repeats stay within one kind, so a repeat is the same
		// text whatever the reader does with a file's end.
		s := text(i)
		if i > 0 && i%crashDupEvery == 0 {
			s = texts[rng.IntN(len(texts))]
		}
		texts = append(texts, s)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("a%05d.txt", i)), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	nText := len(texts)
	for f := range crashJSONLFiles {
		var b bytes.Buffer
		for range crashJSONLLines {
			s := text(len(texts))
			if len(texts) > nText && len(texts)%crashDupEvery == 0 {
				s = texts[nText+rng.IntN(len(texts)-nText)]
			}
			texts = append(texts, s)
			line, err := json.Marshal(map[string]string{"text": s, "title": "jsonl " + strconv.Itoa(len(texts))})
			if err != nil {
				t.Fatal(err)
			}
			b.Write(line)
			b.WriteByte('\n')
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("b%02d.jsonl", f)), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return texts
}

// batchCounts are the article counts a killed first import can leave:
// the distinct texts of the first k whole batches, for every k, and of all.
func batchCounts(texts []string, batch int) []int {
	counts := []int{0}
	seen := map[string]bool{}
	for i, s := range texts {
		seen[s] = true
		if (i+1)%batch == 0 || i == len(texts)-1 {
			counts = append(counts, len(seen))
		}
	}
	return counts
}

// storedArticles counts the stored articles and their distinct texts.
func storedArticles(t *testing.T, path string) (count, distinct int) {
	t.Helper()
	db, err := bolt.Open(path, bolt.Options{LockTimeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("open after the kill: %v", err)
	}
	defer db.Close()
	texts := map[string]bool{}
	err = db.Each(store.Filter{All: true}, func(r store.Record) error {
		count++
		texts[r.Article.Text] = true
		if r.Article.ID != model.ArticleID(r.Article.Text) {
			t.Errorf("article %s is stored under an id that is not its text's", r.Article.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("read after the kill: %v", err)
	}
	return count, len(texts)
}

// startImport runs `annotate import dir` as a child process (the test
// binary, through TestMain).
func startImport(t *testing.T, h *harness, dir string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	raw, err := json.Marshal([]string{"import", dir})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = []string{childArgsVar + "=" + string(raw), "PATH=" + os.Getenv("PATH"), "TMPDIR=" + h.dir}
	for k, v := range h.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out
}

func TestCrashImportKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test kills child processes for several seconds; skipped with -short")
	}
	seed := uint64(20240613)
	if s := os.Getenv("ANNOTATE_CRASH_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("ANNOTATE_CRASH_SEED=%q: %v", s, err)
		}
	}
	rng := rand.New(rand.NewPCG(seed, 2))
	h := newHarness(t)
	dir := filepath.Join(h.dir, "in", "articles")
	texts := crashCorpus(t, dir, rng)
	allowed := batchCounts(texts, cli.BatchArticlesForTest)
	want := allowed[len(allowed)-1]
	if len(allowed) < 4 {
		t.Fatalf("the corpus fills only %d batches: too few to stop between them", len(allowed)-1)
	}

	// How long a whole import takes here, on a database of its own: the
	// kills are spread over that time.
	ref := newHarness(t)
	began := time.Now()
	cmd, out := startImport(t, ref, dir)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("reference import: %v\n%s", err, out)
	}
	full := time.Since(began)

	// Rounds, each on a new database: kill the import at a random moment
	// until it has stored everything (or a few times), then run it whole.
	started := time.Now()
	var kills, completed, rounds, runs int
	var seen [][]int
	for runs < importRuns && kills < importKills && time.Since(started) < importBudget {
		rounds++
		h := newHarness(t)
		var prev int
		var counts []int
		for k := 0; k < importRoundKills && prev < want && runs < importRuns; k++ {
			runs++
			delay := 2*time.Millisecond + time.Duration(rng.Int64N(int64(full)*9/10))
			cmd, out := startImport(t, h, dir)
			timer := time.AfterFunc(delay, func() { _ = cmd.Process.Kill() }) // SIGKILL
			err := cmd.Wait()
			if timer.Stop() {
				completed++
				if err != nil {
					t.Errorf("round %d: the import ended by itself with %v:\n%s", rounds, err, out)
				}
			} else {
				kills++
			}
			if crashed(out.String()) {
				t.Errorf("round %d: the import crashed:\n%s", rounds, out)
			}
			if res := h.run("check"); res.code != 0 {
				t.Errorf("round %d (seed %d, killed after %v): check exit %d\n%s%s", rounds, seed, delay, res.code, res.stdout, res.stderr)
			}
			count, distinct := storedArticles(t, h.dbPath())
			switch {
			case count < prev:
				t.Errorf("round %d (seed %d): %d articles stored, %d before the kill", rounds, seed, count, prev)
			case !slices.Contains(allowed, count):
				t.Errorf("round %d (seed %d): %d articles stored: not whole batches (whole batches give %v)", rounds, seed, count, allowed)
			case distinct != count:
				t.Errorf("round %d (seed %d): %d articles but %d distinct texts", rounds, seed, count, distinct)
			}
			prev = count
			counts = append(counts, count)
		}
		seen = append(seen, counts)
		if t.Failed() {
			break
		}
		// The rerun completes, and every distinct text is there once.
		res := h.mustRun("import", dir)
		count, distinct := storedArticles(t, h.dbPath())
		if count != want || distinct != want {
			t.Errorf("round %d: after the full run %d articles, %d distinct texts, want %d (the corpus's distinct texts)\n%s", rounds, count, distinct, want, res.stderr)
		}
		if res := h.run("check"); res.code != 0 {
			t.Errorf("round %d: check after the full run: exit %d\n%s%s", rounds, res.code, res.stdout, res.stderr)
		}
	}
	if !t.Failed() && kills < importMinKills {
		t.Errorf("only %d imports killed in %v (%d ended first; want at least %d kills)", kills, importBudget, completed, importMinKills)
	}
	t.Logf("seed %d: %d records, %d distinct, batches of %d; a whole import takes %v; %d imports killed, %d ended first, %d rounds, in %v; counts after each run, by round: %v",
		seed, len(texts), want, cli.BatchArticlesForTest, full.Round(time.Millisecond), kills, completed, rounds,
		time.Since(started).Round(time.Millisecond), seen)
}
