package storetest

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

var assignerTests = []test{
	{"Overlap", testAssignOverlap},
	{"Preferences", testAssignPreferences},
	{"ClaimsLapseAndRenew", testAssignClaimsLapse},
	{"Concurrent", testAssignConcurrent},
}

func assigner(t *testing.T, s store.Store) store.Assigner {
	t.Helper()
	a, ok := s.(store.Assigner)
	if !ok {
		t.Skipf("%T does not implement store.Assigner yet: the Assigner contract is skipped", s)
	}
	return a
}

func mustAssign(t *testing.T, a store.Assigner, who string, k int, ttl time.Duration) (string, bool) {
	t.Helper()
	id, ok, err := a.Assign(who, k, ttl)
	if err != nil {
		t.Fatalf("Assign(%s, %d): %v", who, k, err)
	}
	return id, ok
}

func claimsOf(t *testing.T, a store.Assigner) []string {
	t.Helper()
	var out []string
	if err := a.Claims(func(c store.Claim) error {
		out = append(out, c.ArticleID+" "+c.Annotator)
		if !c.Expires.After(c.Since) {
			t.Errorf("claim %+v expires before it began", c)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// testAssignOverlap: with overlap 2 and three annotators each taking the
// next article and finishing it, every article ends done by exactly two,
// no one is handed an article they finished, and then there is none.
func testAssignOverlap(t *testing.T, open Opener) {
	s := open(t)
	as := assigner(t, s)
	ids := addTexts(t, s, numbered(7, "Report %d from Raqqa.")...)
	done := map[string]map[string]bool{}
	for round := 0; round < 20; round++ {
		progress := false
		for _, who := range []string{"alice", "bob", "carol"} {
			id, ok := mustAssign(t, as, who, 2, time.Hour)
			if !ok {
				continue
			}
			if done[id][who] {
				t.Fatalf("%s was handed %s again", who, id)
			}
			if done[id] == nil {
				done[id] = map[string]bool{}
			}
			done[id][who] = true
			setStatus(t, s, id, who, model.StatusDone)
			progress = true
		}
		if !progress {
			break
		}
	}
	for _, id := range ids {
		if len(done[id]) != 2 {
			t.Errorf("article %s done by %v, want exactly two", id, done[id])
		}
	}
	// Each has asked again since finishing: a finished article holds its
	// place by status, and no claim is left on one.
	if left := claimsOf(t, as); len(left) != 0 {
		t.Errorf("claims left on finished articles: %v", left)
	}
	if _, _, err := as.Assign("alice", 0, time.Hour); err == nil {
		t.Error("Assign with overlap 0 succeeded, want an error")
	}
	mustCheck(t, s)
}

// testAssignPreferences: an annotator asking again gets the article they
// hold; then articles others have started (or they themselves) come
// before fresh ones; done and skipped count towards the overlap for good,
// gold never does.
func testAssignPreferences(t *testing.T, open Opener) {
	s := open(t)
	as := assigner(t, s)
	ids := addTexts(t, s, numbered(6, "Preferred report %d.")...)
	first, _ := mustAssign(t, as, "alice", 2, time.Hour)
	if first != ids[0] {
		t.Fatalf("alice got %s, want the first article", first)
	}
	if again, _ := mustAssign(t, as, "alice", 2, time.Hour); again != first {
		t.Errorf("alice asking again got %s, want her claim %s", again, first)
	}
	// bob: alice has started the first (her claim), so he joins her there.
	if b, _ := mustAssign(t, as, "bob", 2, time.Hour); b != ids[0] {
		t.Errorf("bob got %s, want %s, which alice started", b, ids[0])
	}
	// The first is full (k=2): carol is offered an article dora has
	// finished (started by others) before fresh ones.
	setStatus(t, s, ids[3], "dora", model.StatusSkipped)
	if c, _ := mustAssign(t, as, "carol", 2, time.Hour); c != ids[3] {
		t.Errorf("carol got %s, want %s (dora skipped it: started)", c, ids[3])
	}
	// Erin has one in progress of her own: it counts as started, before
	// the fresh ones ahead of it (ids[3] is full now: dora and carol).
	setStatus(t, s, ids[5], "erin", model.StatusInProgress)
	if e, _ := mustAssign(t, as, "erin", 2, time.Hour); e != ids[5] {
		t.Errorf("erin got %s, want %s, her own in progress", e, ids[5])
	}
	// Gold's done does not count: with overlap 1, gold's article is free.
	setStatus(t, s, ids[1], model.GoldAnnotator, model.StatusDone)
	if f, _ := mustAssign(t, as, "fred", 1, time.Hour); f != ids[1] {
		t.Errorf("fred (overlap 1) got %s, want %s: gold holds no place", f, ids[1])
	}
	// With overlap 1: ids[0] held by alice and bob, ids[1] by fred, ids[3]
	// finished by dora (and erin), ids[5] held by erin: gina gets ids[2].
	if g, _ := mustAssign(t, as, "gina", 1, time.Hour); g != ids[2] {
		t.Errorf("gina (overlap 1) got %s, want %s", g, ids[2])
	}
	// alice finishes hers: she is never handed it again.
	setStatus(t, s, ids[0], "alice", model.StatusDone)
	if a, _ := mustAssign(t, as, "alice", 2, time.Hour); a == ids[0] {
		t.Errorf("alice was handed %s, which she finished", a)
	}
	mustCheck(t, s)
}

// testAssignClaimsLapse: a claim not renewed lapses and its place is
// offered to someone else; a renewal after the place was taken is
// refused, one while it is free takes it again; Release frees it.
func testAssignClaimsLapse(t *testing.T, open Opener) {
	clock := clockOf(t)
	s := open(t)
	as := assigner(t, s)
	ids := addTexts(t, s, "First report.", "Second report.")
	clock.set(Start, 0) // stopped
	ttl := 10 * time.Minute
	if a1, _ := mustAssign(t, as, "alice", 1, ttl); a1 != ids[0] {
		t.Fatalf("alice got %s, want the first article", a1)
	}
	if b1, _ := mustAssign(t, as, "bob", 1, ttl); b1 != ids[1] {
		t.Errorf("bob got %s, want the second article (the first is alice's)", b1)
	}
	if _, ok := mustAssign(t, as, "carol", 1, ttl); ok {
		t.Error("carol got an article though both are held")
	}
	clock.set(Start.Add(9*time.Minute), 0)
	if err := as.Renew(ids[0], "alice", 1, ttl); err != nil { // alice works on
		t.Fatalf("alice renewing her live claim: %v", err)
	}
	clock.set(Start.Add(11*time.Minute), 0) // bob walked away; alice renewed at 9
	if c, ok := mustAssign(t, as, "carol", 1, ttl); !ok || c != ids[1] {
		t.Errorf("after bob's claim lapsed carol got %q, %v; want %s", c, ok, ids[1])
	}
	if err := as.Renew(ids[1], "bob", 1, ttl); err == nil {
		t.Error("bob renewed a place carol has taken")
	} else if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("bob's renewal: %v, want ErrNotFound", err)
	}
	clock.set(Start.Add(30*time.Minute), 0) // everyone walked away
	if err := as.Renew(ids[0], "alice", 1, ttl); err != nil {
		t.Errorf("alice re-taking her free place: %v", err)
	}
	if got, want := claimsOf(t, as), []string{ids[0] + " alice"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("claims %q, want %q (carol's lapsed)", got, want)
	}
	if err := as.Release(ids[0], "alice"); err != nil {
		t.Fatal(err)
	}
	if err := as.Release(ids[0], "nobody"); err != nil {
		t.Errorf("releasing no claim: %v", err)
	}
	if got := claimsOf(t, as); len(got) != 0 {
		t.Errorf("claims after the release: %q", got)
	}
	if d, ok := mustAssign(t, as, "dora", 1, ttl); !ok || d != ids[0] {
		t.Errorf("after alice released, dora got %q, %v", d, ok)
	}
	if err := as.Renew("0000000000000000", "dora", 1, ttl); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("renewing a claim on no article: %v, want ErrNotFound", err)
	}
	// Claims come by article (import order), then time.
	clock.set(Start.Add(31*time.Minute), 0)
	mustAssign(t, as, "erin", 2, ttl)
	if got, want := claimsOf(t, as), []string{ids[0] + " dora", ids[0] + " erin"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("claims %q, want %q", got, want)
	}
	mustCheck(t, s)
}

// testAssignConcurrent: annotators asking at once, each finishing what
// they are handed, never put a third holder on an article (k=2), are
// never handed an article they finished, and between them finish every
// article twice.
func testAssignConcurrent(t *testing.T, open Opener) {
	s := open(t)
	as := assigner(t, s)
	const articles, k = 12, 2
	ids := addTexts(t, s, numbered(articles, "Concurrent report %d.")...)
	var mu sync.Mutex
	handed := map[string]map[string]int{} // article -> annotator -> times
	var wg sync.WaitGroup
	annotators := []string{"a1", "a2", "a3", "a4", "a5", "a6"}
	for _, who := range annotators {
		wg.Add(1)
		go func() {
			defer wg.Done()
			finished := map[string]bool{}
			for range 3 * articles {
				id, ok, err := as.Assign(who, k, time.Hour)
				if err != nil {
					t.Errorf("%s: Assign: %v", who, err)
					return
				}
				if !ok {
					return
				}
				if finished[id] {
					t.Errorf("%s was handed %s, which they finished", who, id)
					return
				}
				mu.Lock()
				if handed[id] == nil {
					handed[id] = map[string]int{}
				}
				handed[id][who]++
				mu.Unlock()
				a, err := s.Annotation(id, who)
				if err == nil {
					a.Status = model.StatusDone
					_, err = s.Save(a, "mark done")
				}
				if err != nil {
					t.Errorf("%s: finishing %s: %v", who, id, err)
					return
				}
				finished[id] = true
			}
			t.Errorf("%s was still handed articles after %d", who, 3*articles)
		}()
	}
	wg.Wait()
	for _, id := range ids {
		var whos []string
		for w := range handed[id] {
			whos = append(whos, w)
		}
		sort.Strings(whos)
		if len(whos) != k {
			t.Errorf("article %s handed to %v, want exactly %d annotators", id, whos, k)
		}
	}
	// Every annotator done or holding: the statuses agree.
	done := 0
	for _, sum := range summaries(t, s) {
		for _, st := range sum.Statuses {
			if st == model.StatusDone {
				done++
			}
		}
	}
	if done != articles*k {
		t.Errorf("%d articles done in all, want %d", done, articles*k)
	}
	mustCheck(t, s)
}
