package storetest

import (
	"errors"
	"reflect"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

var batcherTests = []test{
	{"SaveMany", testSaveMany},
	{"SaveManyAllOrNothing", testSaveManyAllOrNothing},
}

func batcher(t *testing.T, s store.Store) store.Batcher {
	t.Helper()
	b, ok := s.(store.Batcher)
	if !ok {
		t.Skipf("%T does not implement store.Batcher", s)
	}
	return b
}

// testSaveMany: changes saved in one transaction are what Saves one at a
// time give: new revisions, history entries, undoable one by one, a
// change following another of the same annotation.
func testSaveMany(t *testing.T, open Opener) {
	s := open(t)
	b := batcher(t, s)
	ids := addTexts(t, s, "ISIS claimed the attack on Raqqa.", "The SDF denied it.")
	keys := []store.AnnotationKey{{ArticleID: ids[0], Annotator: "ana"}, {ArticleID: ids[1], Annotator: "ana"}, {ArticleID: ids[0], Annotator: "bo"}}
	cur, err := b.Annotations(keys)
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range cur {
		if want := model.NewAnnotation(keys[i].ArticleID, keys[i].Annotator, ""); !reflect.DeepEqual(a, want) {
			t.Fatalf("Annotations()[%d] = %+v, want an empty one of %v", i, a, keys[i])
		}
	}
	first := cur[0]
	first.Entities = []model.Span{{ID: first.NewID("e"), Start: 0, End: 4, Label: "ORG"}}
	second := cur[1]
	second.Status = model.StatusDone
	bo := cur[2]
	bo.Notes = "checked"
	again := first.Clone()
	again.Rev = 1
	again.Entities = append(again.Entities, model.Span{ID: again.NewID("e"), Start: 28, End: 33, Label: "GPE"})
	saved, err := b.SaveMany([]store.Change{{Annotation: first, Action: "import a"}, {Annotation: second, Action: "import b"}, {Annotation: bo, Action: "import c"}, {Annotation: again, Action: "import d"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(saved) != 4 || saved[0].Rev != 1 || saved[3].Rev != 2 || saved[1].Rev != 1 || saved[2].Rev != 1 {
		t.Fatalf("revisions of %d saved, want 1 1 1 2", len(saved))
	}
	got, err := b.Annotations([]store.AnnotationKey{keys[0], keys[1], keys[2], keys[0]})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got[0], saved[3]) || !reflect.DeepEqual(got[1], saved[1]) || !reflect.DeepEqual(got[2], saved[2]) || !reflect.DeepEqual(got[3], saved[3]) {
		t.Errorf("Annotations after SaveMany differ from what it returned:\n%+v\n%+v", got, saved)
	}
	if !reflect.DeepEqual(got[0].Entities, again.Entities) || got[0].Rev != 2 {
		t.Errorf("stored %+v (rev %d), want the second change's spans", got[0].Entities, got[0].Rev)
	}
	if got[0].Status != model.StatusTodo || got[1].Status != model.StatusDone {
		t.Errorf("statuses %s %s, want todo done", got[0].Status, got[1].Status)
	}
	var actions []string
	if err := s.History(ids[0], "ana", func(e store.HistoryEntry) error { actions = append(actions, e.Action); return nil }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(actions, []string{"import a", "import d"}) {
		t.Errorf("history %q, want the two changes", actions)
	}
	undone, action, err := s.Undo(ids[0], "ana")
	if err != nil || action != "import d" || len(undone.Entities) != 1 {
		t.Errorf("Undo = %d spans, %q, %v; want the first change back", len(undone.Entities), action, err)
	}
	if empty, err := b.SaveMany(nil); err != nil || len(empty) != 0 {
		t.Errorf("SaveMany(nil) = %v, %v", empty, err)
	}
}

// testSaveManyAllOrNothing: a stale revision or a missing article fails
// the batch and stores none of it.
func testSaveManyAllOrNothing(t *testing.T, open Opener) {
	s := open(t)
	b := batcher(t, s)
	ids := addTexts(t, s, "One text.", "Another text.")
	a := mustAnnotation(t, s, ids[0], "ana")
	a.Notes = "first"
	a = mustSave(t, s, a, "screen")
	fresh := mustAnnotation(t, s, ids[1], "ana")
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
		_, err := b.SaveMany([]store.Change{{Annotation: fresh, Action: "import"}, {Annotation: c.bad, Action: "import"}})
		if !errors.Is(err, c.want) {
			t.Errorf("%s: SaveMany err = %v, want %v", c.name, err, c.want)
		}
		if got := mustAnnotation(t, s, ids[1], "ana"); got.Rev != 0 || got.Notes != "" {
			t.Errorf("%s: the batch's good change was stored (rev %d, %q)", c.name, got.Rev, got.Notes)
		}
		if got := mustAnnotation(t, s, ids[0], "ana"); got.Rev != 1 || got.Notes != "first" {
			t.Errorf("%s: the stored annotation changed (rev %d, %q)", c.name, got.Rev, got.Notes)
		}
	}
	n := 0
	_ = s.History("", "", func(store.HistoryEntry) error { n++; return nil })
	if n != 1 {
		t.Errorf("%d history entries, want 1: a failed batch records nothing", n)
	}
	if _, err := b.Annotations([]store.AnnotationKey{{ArticleID: "0000000000000000", Annotator: "ana"}}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Annotations of a missing article: %v, want ErrNotFound", err)
	}
}
