package bolt

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// TestPageMatchesListing: every page (each status, offsets across the
// ends, no limit) and every NextToWork answer from the maintained queue
// are what a full listing gives (store.PageFromSummaries and
// store.NextFromSummaries), after saves that move articles between
// statuses, an undo and a merge's new articles.
func TestPageMatchesListing(t *testing.T) {
	db, _ := newDB(t)
	var texts []string
	for i := range 40 {
		texts = append(texts, fmt.Sprintf("queue article %d", i))
	}
	ids := addTexts(t, db, texts...)
	rng := rand.New(rand.NewPCG(7, 8))
	all := append([]model.Status{""}, model.Statuses...)
	for range 120 {
		id := ids[rng.IntN(len(ids))]
		who := []string{"alice", "bob", "alicia"}[rng.IntN(3)]
		a := mustAnnotation(t, db, id, who)
		a.Status = all[rng.IntN(len(all))]
		mustSave(t, db, a, "status")
	}
	if _, _, err := db.Undo(ids[0], "alice"); err != nil && err != store.ErrNothingToUndo {
		t.Fatal(err)
	}
	other, _ := newDB(t)
	otherIDs := addTexts(t, other, "merged article one", "merged article two")
	a := mustAnnotation(t, other, otherIDs[1], "alice")
	a.Status = model.StatusDone
	mustSave(t, other, a, "done there")
	if _, err := db.Merge(other, store.MergeOptions{Source: "other"}); err != nil {
		t.Fatal(err)
	}
	ids = append(ids, otherIDs...)

	for _, who := range []string{"alice", "bob", "nobody"} {
		for _, st := range all {
			for _, page := range [][2]int{{0, 0}, {0, 10}, {5, 10}, {35, 10}, {41, 5}, {100, 10}} {
				q := store.Query{Annotator: who, Status: st, Offset: page[0], Limit: page[1]}
				got, err := db.Page(q)
				if err != nil {
					t.Fatal(err)
				}
				want, err := store.PageFromSummaries(db.Articles, q)
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
			gotID, gotOK, err := db.NextToWork(who, after)
			if err != nil {
				t.Fatal(err)
			}
			wantID, wantOK, err := store.NextFromSummaries(db.Articles, who, after)
			if err != nil {
				t.Fatal(err)
			}
			if gotID != wantID || gotOK != wantOK {
				t.Errorf("NextToWork(%s, %s) = %s %v, want %s %v", who, after, gotID, gotOK, wantID, wantOK)
			}
		}
	}
	if problems, err := db.Check(); err != nil || len(problems) > 0 {
		t.Errorf("Check: %v, %v", problems, err)
	}
}

// TestArticlesStreamsInBatches: a listing longer than one read batch
// comes in import order, once each, with its statuses.
func TestArticlesStreamsInBatches(t *testing.T) {
	db, _ := newDB(t)
	var texts []string
	for i := range listBatch + 3 {
		texts = append(texts, fmt.Sprintf("listed %d", i))
	}
	ids := addTexts(t, db, texts...)
	a := mustAnnotation(t, db, ids[listBatch+1], "alice")
	a.Status = model.StatusDone
	mustSave(t, db, a, "done")
	list := summaries(t, db)
	if len(list) != len(ids) {
		t.Fatalf("listed %d, want %d", len(list), len(ids))
	}
	for i, s := range list {
		if s.ID != ids[i] || s.Seq != uint64(i+1) {
			t.Fatalf("listing[%d] = %s seq %d, want %s seq %d", i, s.ID, s.Seq, ids[i], i+1)
		}
	}
	if got := list[listBatch+1].Statuses; !reflect.DeepEqual(got, map[string]model.Status{"alice": model.StatusDone}) {
		t.Errorf("statuses = %v", got)
	}
}

// TestMigrateQueueFromLayout4: the queue of a layout 4 database is built
// from its articles and annotations, and the old status index goes.
func TestMigrateQueueFromLayout4(t *testing.T) {
	path := filepath.Join(t.TempDir(), "layout4.db")
	texts := []string{"four one", "four two", "four three"}
	id := func(i int) string { return model.ArticleID(texts[i]) }
	ann := func(i int, who, status string) string {
		return `{"article_id":"` + id(i) + `","annotator":"` + who + `","status":"` + status + `","rev":1}`
	}
	buildLayoutAt(t, path, 4, texts, map[[2]string]string{
		{id(0), "alice"}: ann(0, "alice", "done"),
		{id(2), "alice"}: ann(2, "alice", "in_progress"),
		{id(2), "bob"}:   ann(2, "bob", ""),
	}, nil, nil)
	db := openAt(t, path)
	p, err := db.Page(store.Query{Annotator: "alice", Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	wantCounts := map[model.Status]int{model.StatusDone: 1, model.StatusInProgress: 1, model.StatusTodo: 1}
	if p.Total != 3 || len(p.Items) != 2 || p.Items[0].ID != id(0) || !reflect.DeepEqual(p.Counts, wantCounts) {
		t.Errorf("page after the migration = %+v", p)
	}
	if got := p.Items[0].Title; got != "four one" {
		t.Errorf("title = %q", got)
	}
	if next, ok, err := db.NextToWork("alice", ""); err != nil || !ok || next != id(2) {
		t.Errorf("NextToWork = %s %v %v, want the one in progress", next, ok, err)
	}
	if got := summaries(t, db)[2].Statuses; !reflect.DeepEqual(got, map[string]model.Status{"alice": model.StatusInProgress, "bob": model.StatusTodo}) {
		t.Errorf("statuses of the third = %v", got)
	}
	for _, name := range buckets(t, path) {
		if name == "status" {
			t.Errorf("the old status index is still there")
		}
	}
	if problems, err := db.Check(); err != nil || len(problems) > 0 {
		t.Errorf("Check: %v, %v", problems, err)
	}
}
