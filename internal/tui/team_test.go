package tui

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// fakeAssigner hands out the ids given, in order, and records renewals.
type fakeAssigner struct {
	mu       sync.Mutex
	next     []string
	renewErr error
	renewed  []string
	asked    int
}

func (f *fakeAssigner) Assign(annotator string, k int, ttl time.Duration) (string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked++
	if len(f.next) == 0 {
		return "", false, nil
	}
	id := f.next[0]
	f.next = f.next[1:]
	return id, true, nil
}

func (f *fakeAssigner) Renew(articleID, annotator string, k int, ttl time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.renewed = append(f.renewed, articleID)
	return f.renewErr
}

func (f *fakeAssigner) Release(string, string) error         { return nil }
func (f *fakeAssigner) Claims(func(store.Claim) error) error { return nil }

func closedEvents() <-chan store.Event {
	ch := make(chan store.Event)
	close(ch)
	return ch
}

// TestQueueFollowsOtherSessions: another session (bob) marks an article
// done; the change arrives on Updates and alice's queue shows it without
// her reloading.
func TestQueueFollowsOtherSessions(t *testing.T) {
	a1 := article("Raqqa report", "ISIS fighters attacked Raqqa.")
	a2 := article("Hasakah report", "The SDF held Hasakah.")
	st := newFakeStore(a1, a2)
	h := newHarness(t, st, 120, 30, func(o *Options) { o.Updates = closedEvents() })
	if strings.Contains(h.screen(), "bob") {
		t.Fatal("bob shown before he did anything")
	}
	b := model.NewAnnotation(a2.ID, "bob", "conflict-incidents")
	b.Status = model.StatusDone
	if _, err := st.Save(b, "mark done"); err != nil {
		t.Fatal(err)
	}
	h.send(storeChangedMsg{ev: store.Event{ArticleID: a2.ID, Annotator: "bob", Status: model.StatusDone, Rev: 1}, ok: true})
	screen := h.screen()
	if !strings.Contains(screen, "bob●") {
		t.Errorf("alice's queue does not show bob's done article:\n%s", screen)
	}
}

// TestOverlapHandsOutArticles: with overlap the screen opens on the
// article assigned, marks it in the queue, renews the claim on a save, and
// D goes to the next one assigned; when none is left it says why.
func TestOverlapHandsOutArticles(t *testing.T) {
	a1 := article("Raqqa report", "ISIS fighters attacked Raqqa.")
	a2 := article("Hasakah report", "The SDF held Hasakah.")
	st := newFakeStore(a1, a2)
	as := &fakeAssigner{next: []string{a2.ID, a1.ID}}
	h := newHarness(t, st, 120, 30, func(o *Options) {
		o.Overlap = &OverlapOptions{Assigner: as, K: 2, TTL: time.Nanosecond}
	})
	if h.m.doc == nil || h.m.doc.article.ID != a2.ID {
		t.Fatalf("the screen did not open the assigned article (message %q):\n%s", h.m.message, h.screen())
	}
	h.keys("w 1") // tag a word: a save, which renews the claim
	if len(as.renewed) == 0 || as.renewed[0] != a2.ID {
		t.Errorf("renewals %v, want the open article's", as.renewed)
	}
	h.keys("D")
	if h.m.doc == nil || h.m.doc.article.ID != a1.ID {
		t.Fatalf("D did not open the next article assigned (message %q)", h.m.message)
	}
	h.keys("q")
	if row := lineWith(h.screen(), "Raqqa report"); !strings.HasPrefix(row, "▶") {
		t.Errorf("the assigned article is not marked in the queue: %q", row)
	}
	h.keys("enter")
	h.keys("D")
	if h.m.screen != screenQueue || !strings.Contains(h.m.message, "nothing assigned to you") {
		t.Errorf("with nothing left: screen %v, message %q", h.m.screen, h.m.message)
	}
}

// TestOverlapLapsedClaim: a renewal refused (the claim lapsed and others
// took the place) is said in words, and the work stays saved.
func TestOverlapLapsedClaim(t *testing.T) {
	a1 := article("Raqqa report", "ISIS fighters attacked Raqqa.")
	st := newFakeStore(a1)
	as := &fakeAssigner{next: []string{a1.ID}, renewErr: store.ErrNotFound}
	h := newHarness(t, st, 120, 30, func(o *Options) {
		o.Overlap = &OverlapOptions{Assigner: as, K: 2, TTL: time.Nanosecond}
	})
	h.keys("w 1")
	if !strings.Contains(h.m.message, "already has its 2 annotators") {
		t.Errorf("message %q, want the lapsed claim explained", h.m.message)
	}
	if got := h.stored(); len(got.Entities) != 1 {
		t.Errorf("the tag was not kept: %+v", got.Entities)
	}
}

func lineWith(screen, s string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}
