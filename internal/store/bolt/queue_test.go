package bolt

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/store/storetest"
)

// TestPageMatchesListingAfterMerge: the maintained queue is what a full
// listing gives (storetest.QueueMatchesListing) after saves that move
// articles between statuses, an undo and a merge's new articles (the
// contract checks it without the merge, which is bbolt's).
func TestPageMatchesListingAfterMerge(t *testing.T) {
	db, _ := newDB(t)
	var texts []string
	for i := range 40 {
		texts = append(texts, fmt.Sprintf("queue article %d", i))
	}
	ids := addTexts(t, db, texts...)
	storetest.MixStatuses(t, db, ids)
	other, _ := newDB(t)
	otherIDs := addTexts(t, other, "merged article one", "merged article two")
	a := mustAnnotation(t, other, otherIDs[1], "alice")
	a.Status = model.StatusDone
	mustSave(t, other, a, "done there")
	if _, err := db.Merge(other, store.MergeOptions{Source: "other"}); err != nil {
		t.Fatal(err)
	}
	storetest.QueueMatchesListing(t, db, append(ids, otherIDs...))
	if problems, err := db.Check(); err != nil || len(problems) > 0 {
		t.Errorf("Check: %v, %v", problems, err)
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

// TestStatusRecordsCarryReviews: a status record written before reviews
// (the status alone) reads as no review; one with a review state keeps
// it after the status, and a record without one is the status alone, as
// before. Check names a record whose review state is unknown.
func TestStatusRecordsCarryReviews(t *testing.T) {
	for _, tt := range []struct {
		stored string
		want   queueState
	}{
		{"done", queueState{model.StatusDone, ""}},
		{"in_progress", queueState{model.StatusInProgress, ""}},
		{"in_progress\x00returned", queueState{model.StatusInProgress, model.ReviewReturned}},
		{"done\x00accepted", queueState{model.StatusDone, model.ReviewAccepted}},
		{"", queueState{}},
	} {
		if got := decodeStatus([]byte(tt.stored)); got != tt.want {
			t.Errorf("decodeStatus(%q) = %+v, want %+v", tt.stored, got, tt.want)
		}
		if tt.stored != "" {
			if got := string(encodeStatus(tt.want)); got != tt.stored {
				t.Errorf("encodeStatus(%+v) = %q, want %q", tt.want, got, tt.stored)
			}
		}
	}
	db, _ := newDB(t)
	id := addTexts(t, db, "a reviewed article")[0]
	a := mustAnnotation(t, db, id, "alice")
	a.Status, a.Review = model.StatusDone, &model.Review{State: model.ReviewAccepted, By: "carol", At: clockStart}
	mustSave(t, db, a, "accept")
	err := db.update(func(tx *txn) error {
		seq, _ := articleSeq(tx, id)
		return tx.Bucket(bucketArticleStatus).Put(statusKey(seq, "alice"), []byte("done\x00approved"))
	})
	if err != nil {
		t.Fatal(err)
	}
	problems, err := db.Check()
	if err != nil || len(problems) != 2 || !strings.Contains(strings.Join(problems, "\n"), `unknown review state "approved"`) ||
		!strings.Contains(strings.Join(problems, "\n"), `of `+id+` by alice says "done", review "approved"; the annotation "done", review "accepted"`) {
		t.Errorf("Check: %q, %v; want the record named with its unknown review state, and out of step with its annotation", problems, err)
	}
	// A record without the review its annotation has (an annotation
	// written with a review by a build that did not keep it there).
	err = db.update(func(tx *txn) error {
		seq, _ := articleSeq(tx, id)
		return tx.Bucket(bucketArticleStatus).Put(statusKey(seq, "alice"), []byte("done"))
	})
	if err != nil {
		t.Fatal(err)
	}
	problems, err = db.Check()
	if err != nil || len(problems) != 1 || !strings.Contains(problems[0], `says "done", review ""; the annotation "done", review "accepted"`) {
		t.Errorf("Check: %q, %v; want the status record out of step with its annotation", problems, err)
	}
	err = db.update(func(tx *txn) error {
		seq, _ := articleSeq(tx, id)
		return tx.Bucket(bucketArticleStatus).Delete(statusKey(seq, "alice"))
	})
	if err != nil {
		t.Fatal(err)
	}
	problems, err = db.Check()
	if err != nil || !strings.Contains(strings.Join(problems, "\n"), `the queue has no status record of `+id+` by alice (its annotation is "done")`) {
		t.Errorf("Check: %q, %v; want the missing status record named", problems, err)
	}
}
