package serve

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/store/postgres"
	"github.com/annotate-tool/annotate/internal/store/postgres/pgtest"
)

// The load test (issue 13, part 6): 20 SSH sessions on loopback, each an
// annotator tagging words and marking articles done through the real
// screen for a minute, with overlap 2. Afterwards every change a session
// was told was saved is in the store, no article was finished by more
// than two annotators, and check is clean. It reports changes per second
// and the slowest save. Skipped with -short; ANNOTATE_LOAD_SECONDS sets
// the length (default 60).

// ackStore records what the store acknowledged to the sessions: every
// save that returned without error is one the screen showed as saved.
type ackStore struct {
	store.Store
	// inflight counts the writes under way: a screen's save runs in a
	// command of its own, which may still be finishing when its session
	// has ended.
	inflight sync.WaitGroup
	mu       sync.Mutex
	last     map[store.AnnotationKey]model.Annotation
	acks     map[store.AnnotationKey]int
	n        int
	slowest  time.Duration
}

func newAckStore(s store.Store) *ackStore {
	return &ackStore{Store: s, last: map[store.AnnotationKey]model.Annotation{}, acks: map[store.AnnotationKey]int{}}
}

func (a *ackStore) ack(saved model.Annotation, took time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	k := store.AnnotationKey{ArticleID: saved.ArticleID, Annotator: saved.Annotator}
	if prev, ok := a.last[k]; !ok || saved.Rev > prev.Rev {
		a.last[k] = saved.Clone()
	}
	a.acks[k]++
	a.n++
	a.slowest = max(a.slowest, took)
}

func (a *ackStore) Save(ann model.Annotation, action string) (model.Annotation, error) {
	a.inflight.Add(1)
	defer a.inflight.Done()
	start := time.Now()
	saved, err := a.Store.Save(ann, action)
	if err == nil {
		a.ack(saved, time.Since(start))
	}
	return saved, err
}

func (a *ackStore) Undo(id, who string, seen ...int) (model.Annotation, string, error) {
	a.inflight.Add(1)
	defer a.inflight.Done()
	start := time.Now()
	ann, action, err := a.Store.Undo(id, who, seen...)
	if err == nil {
		a.ack(ann, time.Since(start))
	}
	return ann, action, err
}

func (a *ackStore) Redo(id, who string, seen ...int) (model.Annotation, string, error) {
	a.inflight.Add(1)
	defer a.inflight.Done()
	start := time.Now()
	ann, action, err := a.Store.Redo(id, who, seen...)
	if err == nil {
		a.ack(ann, time.Since(start))
	}
	return ann, action, err
}

func (a *ackStore) Assign(who string, k int, ttl time.Duration) (string, bool, error) {
	return a.Store.(store.Assigner).Assign(who, k, ttl)
}

func (a *ackStore) Renew(id, who string, k int, ttl time.Duration) error {
	return a.Store.(store.Assigner).Renew(id, who, k, ttl)
}

func (a *ackStore) Release(id, who string) error { return a.Store.(store.Assigner).Release(id, who) }

func (a *ackStore) Claims(fn func(store.Claim) error) error {
	return a.Store.(store.Assigner).Claims(fn)
}

// loadBackends are the stores the load test runs on: bbolt always,
// PostgreSQL when a server is given (see loadPostgres).
var loadBackends = []struct {
	name string
	open func(t *testing.T) store.Store
}{
	{"bbolt", func(t *testing.T) store.Store { return openStore(t) }},
	{"postgres", func(t *testing.T) store.Store {
		db, err := postgres.Open(context.Background(), pgtest.URL(t)) // skips without a server
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}},
}

func TestLoadTwentySessions(t *testing.T) {
	if testing.Short() {
		t.Skip("the load test runs 20 SSH sessions for a minute: skipped with -short")
	}
	seconds := 60
	if s := os.Getenv("ANNOTATE_LOAD_SECONDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			t.Fatalf("ANNOTATE_LOAD_SECONDS=%q is not a number of seconds", s)
		}
		seconds = n
	}
	for _, b := range loadBackends {
		t.Run(b.name, func(t *testing.T) { runLoad(t, b.open(t), time.Duration(seconds)*time.Second) })
	}
}

func runLoad(t *testing.T, base store.Store, length time.Duration) {
	const sessions, overlap, articles = 20, 2, 600
	var arts []model.Article
	for i := range articles {
		text := fmt.Sprintf("Report %d. ISIS fighters attacked a checkpoint near Raqqa on Monday; the SDF said %d were killed.", i, i%50)
		arts = append(arts, model.Article{ID: model.ArticleID(text), Title: fmt.Sprintf("Report %d", i), Text: text})
	}
	if _, err := base.AddArticles(arts); err != nil {
		t.Fatal(err)
	}
	acks := newAckStore(base)
	var names []string
	for i := range sessions {
		names = append(names, fmt.Sprintf("a%02d", i))
	}
	tm := startTeam(t, names, func(o *Options, _ *Server) {
		if o != nil {
			o.Store, o.Overlap, o.ClaimTimeout = acks, overlap, time.Minute
		}
	})
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(length)
	for _, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := tm.dial(gossh.PublicKeys(tm.keys[name]))
			if err != nil {
				t.Errorf("%s logs in: %v", name, err)
				return
			}
			term := openTerminal(t, c, 100, 30, "xterm")
			term.waitFor("annotate · " + name)
			// Tag the next word as ORG nine times, mark done (the next
			// article is handed out), again, until the minute is up.
			for i := 0; time.Now().Before(deadline); i++ {
				key := "w1"
				if i%10 == 9 {
					key = "D"
				}
				if _, err := term.stdin.Write([]byte(key)); err != nil {
					t.Errorf("%s: %v", name, err)
					return
				}
				time.Sleep(25 * time.Millisecond)
			}
			term.sess.Close()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	tm.srv.Close() // every session's screen ends
	acks.inflight.Wait()

	acks.mu.Lock()
	defer acks.mu.Unlock()
	if acks.n == 0 {
		t.Fatal("no change was saved")
	}
	for k, want := range acks.last {
		got, err := base.Annotation(k.ArticleID, k.Annotator)
		if err != nil {
			t.Fatal(err)
		}
		if got.Rev != want.Rev || !store.SameAnnotation(got, want) {
			t.Errorf("%s by %s: stored rev %d, the last acknowledged save was rev %d", k.ArticleID, k.Annotator, got.Rev, want.Rev)
		}
		n := 0
		if err := base.History(k.ArticleID, k.Annotator, func(store.HistoryEntry) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		if n < acks.acks[k] {
			t.Errorf("%s by %s: %d changes acknowledged, %d in the history", k.ArticleID, k.Annotator, acks.acks[k], n)
		}
	}
	finished, over := 0, 0
	err := base.Articles(func(s store.ArticleSummary) error {
		n := 0
		for who, st := range s.Statuses {
			if who != model.GoldAnnotator && (st == model.StatusDone || st == model.StatusSkipped) {
				n++
			}
		}
		finished += n
		if n > overlap {
			over++
			t.Errorf("article %s finished by %d annotators, over the overlap of %d: %v", s.ID, n, overlap, s.Statuses)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if problems, err := base.Check(); err != nil || len(problems) > 0 {
		t.Errorf("check: %v %v", problems, err)
	}
	if finished == 0 {
		t.Error("no article was marked done")
	}
	t.Logf("LOAD %d sessions for %v: %d changes saved (%.0f a second), slowest save %v, %d articles finished (%d over the overlap)",
		sessions, elapsed.Round(time.Second), acks.n, float64(acks.n)/elapsed.Seconds(), acks.slowest.Round(time.Microsecond), finished, over)
}
