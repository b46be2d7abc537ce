package bolt

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

func markDone(t *testing.T, db *DB, id, who string) {
	t.Helper()
	a := mustAnnotation(t, db, id, who)
	a.Status = model.StatusDone
	mustSave(t, db, a, "mark done")
}

// TestAssignOverlap: with overlap 2 and three annotators each taking the
// next article and finishing it, every article ends done by exactly two,
// and no one is handed an article they finished.
func TestAssignOverlap(t *testing.T) {
	db, _ := newDB(t)
	var texts []string
	for i := range 7 {
		texts = append(texts, fmt.Sprintf("Report %d from Raqqa.", i))
	}
	ids := addTexts(t, db, texts...)
	done := map[string]map[string]bool{}
	for round := 0; round < 20; round++ {
		progress := false
		for _, who := range []string{"alice", "bob", "carol"} {
			id, ok, err := db.Assign(who, 2, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
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
			markDone(t, db, id, who)
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
	// Finished articles hold their places by status: no claim is left.
	var claims []store.Claim
	if err := db.Claims(func(c store.Claim) error { claims = append(claims, c); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(claims) != 0 {
		t.Errorf("claims left on finished articles: %+v", claims)
	}
}

// TestAssignKeepsAndExpiresClaims: an annotator asking again gets the
// article they hold; a claim not renewed lapses and its place is offered
// to someone else; a renewal after the place was taken is refused.
func TestAssignKeepsAndExpiresClaims(t *testing.T) {
	db, _ := newDB(t)
	ids := addTexts(t, db, "First report.", "Second report.")
	now := clockStart
	db.Now = func() time.Time { return now }
	a1, _, _ := db.Assign("alice", 1, 10*time.Minute)
	if a1 != ids[0] {
		t.Fatalf("alice got %s, want the first article", a1)
	}
	if again, _, _ := db.Assign("alice", 1, 10*time.Minute); again != a1 {
		t.Errorf("alice asking again got %s, want her claim %s", again, a1)
	}
	if b1, _, _ := db.Assign("bob", 1, 10*time.Minute); b1 != ids[1] {
		t.Errorf("bob got %s, want the second article (the first is alice's)", b1)
	}
	if _, ok, _ := db.Assign("carol", 1, 10*time.Minute); ok {
		t.Error("carol got an article though both are held")
	}
	now = now.Add(11 * time.Minute) // alice and bob walked away
	if c, ok, _ := db.Assign("carol", 1, 10*time.Minute); !ok || c != ids[0] {
		t.Errorf("after the claims lapsed carol got %q, %v; want %s", c, ok, ids[0])
	}
	if err := db.Renew(ids[0], "alice", 1, 10*time.Minute); err == nil {
		t.Error("alice renewed a place carol has taken")
	}
	if err := db.Renew(ids[1], "bob", 1, 10*time.Minute); err != nil {
		t.Errorf("bob re-taking his free place: %v", err)
	}
	var claims []store.Claim
	if err := db.Claims(func(c store.Claim) error { claims = append(claims, c); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(claims) != 2 {
		t.Errorf("claims %+v, want carol's and bob's", claims)
	}
	if err := db.Release(ids[1], "bob"); err != nil {
		t.Fatal(err)
	}
	if d, ok, _ := db.Assign("dora", 1, time.Minute); !ok || d != ids[1] {
		t.Errorf("after bob released, dora got %q, %v", d, ok)
	}
	if p, err := db.Check(); err != nil || len(p) > 0 {
		t.Errorf("check: %v %v", p, err)
	}
}

// TestAssignConcurrent: annotators asking at once through their own
// handles on the file never put a third holder on an article (k=2).
func TestAssignConcurrent(t *testing.T) {
	db, path := newDB(t)
	var texts []string
	for i := range 12 {
		texts = append(texts, fmt.Sprintf("Concurrent report %d.", i))
	}
	addTexts(t, db, texts...)
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := map[string][]string{}
	for _, who := range []string{"a1", "a2", "a3", "a4", "a5"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := openAt(t, path)
			for range 12 {
				id, ok, err := h.Assign(who, 2, time.Hour)
				if err != nil {
					t.Error(err)
					return
				}
				if !ok {
					return
				}
				mu.Lock()
				got[id] = append(got[id], who)
				mu.Unlock()
				a, err := h.Annotation(id, who)
				if err != nil {
					t.Error(err)
					return
				}
				a.Status = model.StatusDone
				if _, err := h.Save(a, "mark done"); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for id, whos := range got {
		if len(whos) > 2 {
			t.Errorf("article %s handed to %v, over the overlap of 2", id, whos)
		}
	}
	if len(got) != 12 {
		t.Errorf("%d articles handed out, want all 12", len(got))
	}
}
