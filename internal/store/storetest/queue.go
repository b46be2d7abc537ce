package storetest

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

var queueTests = []test{
	{"PageAndCounts", testPageAndCounts},
	{"NextToWork", testNextToWork},
	{"PageMatchesListing", testPageMatchesListing},
	{"ArticlesStreamsInBatches", testArticlesStreamsInBatches},
	{"ReviewsInSummaries", testReviewsInSummaries},
}

func pageIDs(p store.Page) []string {
	var out []string
	for _, s := range p.Items {
		out = append(out, s.ID)
	}
	return out
}

// testPageAndCounts: pages of a small queue whose answers are written out.
func testPageAndCounts(t *testing.T, open Opener) {
	s := open(t)
	ids := addTexts(t, s, numbered(6, "queued article %d")...)
	setStatus(t, s, ids[1], "alice", model.StatusDone)
	setStatus(t, s, ids[2], "alice", model.StatusInProgress)
	setStatus(t, s, ids[4], "alice", model.StatusDone)
	setStatus(t, s, ids[5], "alice", model.StatusTodo) // touched, still todo
	setStatus(t, s, ids[0], "bob", model.StatusSkipped)
	tests := []struct {
		q          store.Query
		want       []string
		total      int
		wantCounts map[model.Status]int
	}{
		{store.Query{Annotator: "alice"}, ids, 6, map[model.Status]int{model.StatusTodo: 3, model.StatusDone: 2, model.StatusInProgress: 1}},
		{store.Query{Annotator: "alice", Offset: 2, Limit: 3}, ids[2:5], 6, nil},
		{store.Query{Annotator: "alice", Offset: -4, Limit: 1}, ids[:1], 6, nil},
		{store.Query{Annotator: "alice", Offset: 9, Limit: 3}, nil, 6, nil},
		{store.Query{Annotator: "alice", Status: model.StatusDone}, []string{ids[1], ids[4]}, 2, nil},
		{store.Query{Annotator: "alice", Status: model.StatusDone, Offset: 1}, []string{ids[4]}, 2, nil},
		{store.Query{Annotator: "alice", Status: model.StatusTodo}, []string{ids[0], ids[3], ids[5]}, 3, nil},
		{store.Query{Annotator: "alice", Status: model.StatusTodo, Offset: 1, Limit: 1}, []string{ids[3]}, 3, nil},
		{store.Query{Annotator: "alice", Status: model.StatusSkipped}, nil, 0, nil},
		{store.Query{Annotator: "bob", Status: model.StatusSkipped}, ids[:1], 1, map[model.Status]int{model.StatusTodo: 5, model.StatusSkipped: 1}},
		{store.Query{Annotator: "nobody"}, ids, 6, map[model.Status]int{model.StatusTodo: 6}},
	}
	for _, tt := range tests {
		p, err := s.Page(tt.q)
		if err != nil {
			t.Fatalf("Page(%+v): %v", tt.q, err)
		}
		if got := pageIDs(p); !reflect.DeepEqual(got, tt.want) || p.Total != tt.total {
			t.Errorf("Page(%+v) = %v total %d, want %v total %d", tt.q, got, p.Total, tt.want, tt.total)
		}
		if tt.wantCounts != nil && !reflect.DeepEqual(p.Counts, tt.wantCounts) {
			t.Errorf("Page(%+v).Counts = %v, want %v", tt.q, p.Counts, tt.wantCounts)
		}
		for _, it := range p.Items {
			if it.ID == ids[1] && it.Statuses["alice"] != model.StatusDone {
				t.Errorf("Page(%+v): item %s statuses %v", tt.q, it.ID, it.Statuses)
			}
		}
	}
	// Every article done: no todo count at all.
	empty := open(t)
	one := addTexts(t, empty, "the only article")
	setStatus(t, empty, one[0], "alice", model.StatusDone)
	if p, err := empty.Page(store.Query{Annotator: "alice"}); err != nil || !reflect.DeepEqual(p.Counts, map[model.Status]int{model.StatusDone: 1}) {
		t.Errorf("counts with everything done = %v, %v; want done 1 only", p.Counts, err)
	}
}

// testNextToWork: in progress first (after the given article, wrapping
// round), then todo; never the given article; none when all is finished.
func testNextToWork(t *testing.T, open Opener) {
	s := open(t)
	ids := addTexts(t, s, numbered(6, "next article %d")...)
	next := func(after string) string {
		id, ok, err := s.NextToWork("alice", after)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return "none"
		}
		return id
	}
	check := func(after, want string) {
		t.Helper()
		if got := next(after); got != want {
			t.Errorf("NextToWork(after %s) = %s, want %s", after, got, want)
		}
	}
	check("", ids[0])
	check(ids[0], ids[1])
	check(ids[5], ids[0])
	check("no such article", ids[0])
	setStatus(t, s, ids[1], "alice", model.StatusDone)
	setStatus(t, s, ids[3], "alice", model.StatusInProgress)
	setStatus(t, s, ids[4], "alice", model.StatusInProgress)
	check("", ids[3])
	check(ids[3], ids[4])
	check(ids[4], ids[3])
	check(ids[5], ids[3])
	setStatus(t, s, ids[3], "alice", model.StatusDone)
	check(ids[4], ids[5]) // the only one in progress is the given one: the next todo
	for _, i := range []int{0, 2, 4, 5} {
		setStatus(t, s, ids[i], "alice", model.StatusSkipped)
	}
	check("", "none")
	if id, ok, err := s.NextToWork("bob", ids[5]); err != nil || !ok || id != ids[0] {
		t.Errorf("bob's NextToWork = %s %v %v, want %s: alice's statuses are hers", id, ok, err, ids[0])
	}
}

// testPageMatchesListing: after random saves that move articles between
// statuses, and an undo, the queue is what a full listing gives
// (QueueMatchesListing).
func testPageMatchesListing(t *testing.T, open Opener) {
	s := open(t)
	ids := addTexts(t, s, numbered(40, "queue article %d")...)
	MixStatuses(t, s, ids)
	QueueMatchesListing(t, s, ids)
	mustCheck(t, s)
}

// queueAnnotators are whose statuses MixStatuses sets; QueueMatchesListing
// asks for two of them and for someone who never worked.
var queueAnnotators = []string{"alice", "bob", "alicia"}

// MixStatuses makes 120 saves, each setting a random status (or none) and
// review (none, or one in any state) for one of alice, bob and alicia on
// one of the articles ids, always the same ones, then undoes alice's
// last change of the first article.
func MixStatuses(t testing.TB, s store.Store, ids []string) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 8))
	all := append([]model.Status{""}, model.Statuses...)
	for range 120 {
		id := ids[rng.IntN(len(ids))]
		who := queueAnnotators[rng.IntN(len(queueAnnotators))]
		a := mustAnnotation(t, s, id, who)
		a.Status = all[rng.IntN(len(all))]
		a.Review = nil
		if k := rng.IntN(len(model.ReviewStates) + 1); k < len(model.ReviewStates) {
			a.Review = &model.Review{State: model.ReviewStates[k], By: "carol", At: Start}
		}
		mustSave(t, s, a, "status")
	}
	if _, _, err := s.Undo(ids[0], "alice"); err != nil && err != store.ErrNothingToUndo {
		t.Fatal(err)
	}
}

// QueueMatchesListing checks that every page of s (each status, offsets
// across the ends, no limit) and every NextToWork answer (after each of
// ids, all the store's articles) are what a full listing gives
// (store.PageFromSummaries, store.NextFromSummaries), for alice, bob and
// an annotator who never worked.
func QueueMatchesListing(t testing.TB, s store.Store, ids []string) {
	t.Helper()
	all := append([]model.Status{""}, model.Statuses...)
	for _, who := range []string{"alice", "bob", "nobody"} {
		for _, st := range all {
			for _, page := range [][2]int{{0, 0}, {0, 10}, {5, 10}, {35, 10}, {len(ids) - 1, 5}, {100, 10}} {
				q := store.Query{Annotator: who, Status: st, Offset: page[0], Limit: page[1]}
				got, err := s.Page(q)
				if err != nil {
					t.Fatal(err)
				}
				want, err := store.PageFromSummaries(s.Articles, q)
				if err != nil {
					t.Fatal(err)
				}
				if len(got.Items) == 0 && len(want.Items) == 0 {
					got.Items, want.Items = nil, nil
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("Page(%+v) =\n%+v\nwant\n%+v", q, got, want)
				}
			}
		}
		for _, after := range append([]string{"", "no such article"}, ids...) {
			gotID, gotOK, err := s.NextToWork(who, after)
			if err != nil {
				t.Fatal(err)
			}
			wantID, wantOK, err := store.NextFromSummaries(s.Articles, who, after)
			if err != nil {
				t.Fatal(err)
			}
			if gotID != wantID || gotOK != wantOK {
				t.Errorf("NextToWork(%s, %s) = %s %v, want %s %v", who, after, gotID, gotOK, wantID, wantOK)
			}
		}
	}
}

// testArticlesStreamsInBatches: a listing longer than any store's read
// batch comes in import order, once each, numbered 1, 2, 3... with its
// statuses; a failing callback stops it.
func testArticlesStreamsInBatches(t *testing.T, open Opener) {
	s := open(t)
	const n = 2100
	texts := numbered(n, "listed %d")
	var ids []string
	for i := 0; i < n; i += 700 {
		ids = append(ids, addTexts(t, s, texts[i:min(i+700, n)]...)...)
	}
	setStatus(t, s, ids[1500], "alice", model.StatusDone)
	list := summaries(t, s)
	if len(list) != n {
		t.Fatalf("listed %d, want %d", len(list), n)
	}
	for i, sum := range list {
		if sum.ID != ids[i] || sum.Seq != uint64(i+1) {
			t.Fatalf("listing[%d] = %s seq %d, want %s seq %d", i, sum.ID, sum.Seq, ids[i], i+1)
		}
	}
	if got := list[1500].Statuses; !reflect.DeepEqual(got, map[string]model.Status{"alice": model.StatusDone}) {
		t.Errorf("statuses = %v", got)
	}
	stop := fmt.Errorf("stop")
	count := 0
	if err := s.Articles(func(store.ArticleSummary) error {
		count++
		if count == 1100 {
			return stop
		}
		return nil
	}); err != stop || count != 1100 {
		t.Errorf("Articles with a failing callback: %v after %d, want stop after 1100", err, count)
	}
}

// testReviewsInSummaries: the listing and the queue's pages carry each
// annotator's review state (only states that are set), in step with
// Save, Undo, Redo and SaveMany; a status change leaves it as it is.
func testReviewsInSummaries(t *testing.T, open Opener) {
	s := open(t)
	ids := addTexts(t, s, numbered(3, "reviewed article %d")...)
	review := func(id, who string, st model.Status, r *model.Review) model.Annotation {
		t.Helper()
		a := mustAnnotation(t, s, id, who)
		a.Status, a.Review = st, r
		return mustSave(t, s, a, "review")
	}
	returned := &model.Review{State: model.ReviewReturned, By: "carol", At: Start,
		Comments: []model.Comment{{Item: "span 0-8", Text: "not a place", By: "carol", At: Start}}}
	accepted := &model.Review{State: model.ReviewAccepted, By: "carol", At: Start.Add(time.Hour)}
	type reviews map[string]string
	check := func(step string, want map[int]reviews) {
		t.Helper()
		list := summaries(t, s)
		p, err := s.Page(store.Query{Annotator: "alice"})
		if err != nil {
			t.Fatalf("%s: Page: %v", step, err)
		}
		for i, id := range ids {
			var w map[string]string = want[i]
			if got := list[i].Reviews; !reflect.DeepEqual(got, w) {
				t.Errorf("%s: listing of article %d: reviews %v, want %v", step, i, got, w)
			}
			if got := p.Items[i].Reviews; p.Items[i].ID != id || !reflect.DeepEqual(got, w) {
				t.Errorf("%s: page item %d (%s): reviews %v, want %v", step, i, p.Items[i].ID, got, w)
			}
		}
	}
	check("before any review", nil)
	review(ids[0], "alice", model.StatusInProgress, returned)
	check("returned", map[int]reviews{0: {"alice": model.ReviewReturned}})
	// A review without a state (comments only) is not listed.
	review(ids[0], "bob", model.StatusDone, &model.Review{Comments: returned.Comments})
	check("bob's comments", map[int]reviews{0: {"alice": model.ReviewReturned}})
	review(ids[0], "alice", model.StatusDone, accepted)
	check("accepted", map[int]reviews{0: {"alice": model.ReviewAccepted}})
	if _, _, err := s.Undo(ids[0], "alice"); err != nil {
		t.Fatal(err)
	}
	check("undo", map[int]reviews{0: {"alice": model.ReviewReturned}})
	if _, _, err := s.Redo(ids[0], "alice"); err != nil {
		t.Fatal(err)
	}
	check("redo", map[int]reviews{0: {"alice": model.ReviewAccepted}})
	review(ids[0], "alice", model.StatusDone, nil)
	check("review removed", nil)
	if _, _, err := s.Undo(ids[0], "alice"); err != nil {
		t.Fatal(err)
	}
	check("removal undone", map[int]reviews{0: {"alice": model.ReviewAccepted}})
	// A status change alone keeps the review state.
	setStatus(t, s, ids[0], "alice", model.StatusInProgress)
	check("status changed", map[int]reviews{0: {"alice": model.ReviewAccepted}})
	b, ok := s.(store.Batcher)
	if !ok {
		mustCheck(t, s)
		return
	}
	anns, err := b.Annotations([]store.AnnotationKey{{ArticleID: ids[1], Annotator: "alice"}, {ArticleID: ids[2], Annotator: "bob"}})
	if err != nil {
		t.Fatal(err)
	}
	first, second := anns[0].Clone(), anns[1].Clone()
	first.Review, second.Review = returned.Clone(), accepted.Clone()
	again := first.Clone()
	again.Rev, again.Review = first.Rev+1, accepted.Clone()
	if _, err := b.SaveMany([]store.Change{{Annotation: first, Action: "return"}, {Annotation: second, Action: "accept"}, {Annotation: again, Action: "accept"}}); err != nil {
		t.Fatal(err)
	}
	check("SaveMany", map[int]reviews{0: {"alice": model.ReviewAccepted}, 1: {"alice": model.ReviewAccepted}, 2: {"bob": model.ReviewAccepted}})
	if _, _, err := s.Undo(ids[1], "alice"); err != nil {
		t.Fatal(err)
	}
	check("undo of a SaveMany change", map[int]reviews{0: {"alice": model.ReviewAccepted}, 1: {"alice": model.ReviewReturned}, 2: {"bob": model.ReviewAccepted}})
	mustCheck(t, s)
}
