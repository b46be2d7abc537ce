package bolt

import (
	"errors"
	"reflect"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// TestSaveMany: changes saved in one transaction are what Saves one at a
// time give: new revisions, history entries, undoable one by one, a
// change following another of the same annotation.
func TestSaveMany(t *testing.T) {
	db, _ := newDB(t)
	ids := addTexts(t, db, "ISIS claimed the attack on Raqqa.", "The SDF denied it.")
	keys := []store.AnnotationKey{{ArticleID: ids[0], Annotator: "ana"}, {ArticleID: ids[1], Annotator: "ana"}, {ArticleID: ids[0], Annotator: "bo"}}
	cur, err := db.Annotations(keys)
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range cur {
		if a.Rev != 0 || a.ArticleID != keys[i].ArticleID || a.Annotator != keys[i].Annotator || !a.IsEmpty() {
			t.Fatalf("Annotations()[%d] = %+v, want an empty one of %v", i, a, keys[i])
		}
	}
	first := cur[0]
	first.Entities = []model.Span{{ID: first.NewID("e"), Start: 0, End: 4, Label: "ORG"}}
	second := cur[1]
	second.Status = model.StatusDone
	bo := cur[2]
	bo.Notes = "checked"
	// The same annotation again, at the revision the first change gives.
	again := first.Clone()
	again.Rev = 1
	again.Entities = append(again.Entities, model.Span{ID: again.NewID("e"), Start: 28, End: 33, Label: "GPE"})
	saved, err := db.SaveMany([]store.Change{{Annotation: first, Action: "import a"}, {Annotation: second, Action: "import b"}, {Annotation: bo, Action: "import c"}, {Annotation: again, Action: "import d"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(saved) != 4 || saved[0].Rev != 1 || saved[3].Rev != 2 || saved[1].Rev != 1 {
		t.Fatalf("revisions %d %d %d, want 1 1 2", saved[0].Rev, saved[1].Rev, saved[3].Rev)
	}
	got := mustAnnotation(t, db, ids[0], "ana")
	if !reflect.DeepEqual(got.Entities, again.Entities) || got.Rev != 2 {
		t.Errorf("stored %+v (rev %d), want the second change's spans", got.Entities, got.Rev)
	}
	if got := mustAnnotation(t, db, ids[1], "ana"); got.Status != model.StatusDone {
		t.Errorf("status %s, want done", got.Status)
	}
	var actions []string
	if err := db.History(ids[0], "ana", func(e store.HistoryEntry) error {
		actions = append(actions, e.Action)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(actions, []string{"import a", "import d"}) {
		t.Errorf("history %q, want the two changes", actions)
	}
	undone, action, err := db.Undo(ids[0], "ana")
	if err != nil || action != "import d" || len(undone.Entities) != 1 {
		t.Errorf("Undo = %d spans, %q, %v; want the first change back", len(undone.Entities), action, err)
	}
}

// TestSaveManyAllOrNothing: a stale revision or a missing article fails
// the batch and stores none of it.
func TestSaveManyAllOrNothing(t *testing.T) {
	db, _ := newDB(t)
	ids := addTexts(t, db, "One text.", "Another text.")
	a := mustAnnotation(t, db, ids[0], "ana")
	a.Notes = "first"
	a = mustSave(t, db, a, "screen")
	fresh := mustAnnotation(t, db, ids[1], "ana")
	fresh.Notes = "would be saved"
	stale := a
	stale.Rev = 0
	stale.Notes = "stale"
	missing := model.NewAnnotation("0000000000000000", "ana", "")
	missing.Notes = "no article"
	for _, c := range []struct {
		name string
		bad  model.Annotation
		want error
	}{{"stale", stale, store.ErrConflict}, {"missing article", missing, store.ErrNotFound}} {
		_, err := db.SaveMany([]store.Change{{Annotation: fresh, Action: "import"}, {Annotation: c.bad, Action: "import"}})
		if !errors.Is(err, c.want) {
			t.Errorf("%s: SaveMany err = %v, want %v", c.name, err, c.want)
		}
		if got := mustAnnotation(t, db, ids[1], "ana"); got.Rev != 0 || got.Notes != "" {
			t.Errorf("%s: the batch's good change was stored (rev %d, %q)", c.name, got.Rev, got.Notes)
		}
		if got := mustAnnotation(t, db, ids[0], "ana"); got.Rev != 1 || got.Notes != "first" {
			t.Errorf("%s: the stored annotation changed (rev %d, %q)", c.name, got.Rev, got.Notes)
		}
	}
	if _, err := db.Annotations([]store.AnnotationKey{{ArticleID: "0000000000000000", Annotator: "ana"}}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Annotations of a missing article: %v, want ErrNotFound", err)
	}
}
