package storetest

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

var undoTests = []test{
	{"Script", testUndoScript},
	{"RestoresEverything", testUndoRestoresEverything},
	{"StaleSeenRefused", testUndoStaleSeen},
	{"FirstSave", testUndoFirstSave},
}

// testUndoScript walks scripts of saves, undos and redos (UndoScript).
func testUndoScript(t *testing.T, open Opener) {
	tests := []struct {
		name  string
		steps []UndoStep
	}{
		{"nothing to undo or redo on a new annotation", []UndoStep{
			{Op: "undo", WantErr: store.ErrNothingToUndo},
			{Op: "redo", WantErr: store.ErrNothingToRedo},
		}},
		{"undo steps back one by one", []UndoStep{
			{Op: "save one", WantNotes: "one"},
			{Op: "save two", WantNotes: "two"},
			{Op: "save three", WantNotes: "three"},
			{Op: "undo", WantNotes: "two", WantAction: "save three"},
			{Op: "undo", WantNotes: "one", WantAction: "save two"},
			{Op: "undo", WantNotes: "", WantAction: "save one"},
			{Op: "undo", WantNotes: "", WantErr: store.ErrNothingToUndo},
		}},
		{"redo re-applies in order", []UndoStep{
			{Op: "save one", WantNotes: "one"},
			{Op: "save two", WantNotes: "two"},
			{Op: "undo", WantNotes: "one", WantAction: "save two"},
			{Op: "undo", WantNotes: "", WantAction: "save one"},
			{Op: "redo", WantNotes: "one", WantAction: "save one"},
			{Op: "redo", WantNotes: "two", WantAction: "save two"},
			{Op: "redo", WantNotes: "two", WantErr: store.ErrNothingToRedo},
			{Op: "undo", WantNotes: "one", WantAction: "save two"},
		}},
		{"a new save clears redo", []UndoStep{
			{Op: "save one", WantNotes: "one"},
			{Op: "save two", WantNotes: "two"},
			{Op: "undo", WantNotes: "one", WantAction: "save two"},
			{Op: "save other", WantNotes: "other"},
			{Op: "redo", WantNotes: "other", WantErr: store.ErrNothingToRedo},
			{Op: "undo", WantNotes: "one", WantAction: "save other"},
			{Op: "undo", WantNotes: "", WantAction: "save one"},
		}},
		{"undo of a redo of an undo", []UndoStep{
			{Op: "save one", WantNotes: "one"},
			{Op: "undo", WantNotes: "", WantAction: "save one"},
			{Op: "redo", WantNotes: "one", WantAction: "save one"},
			{Op: "undo", WantNotes: "", WantAction: "save one"},
			{Op: "redo", WantNotes: "one", WantAction: "save one"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			UndoScript(t, open(t), tt.steps, nil)
		})
	}
}

// UndoStep is one step of an undo script: Op is "save <notes>" (alice
// saves her annotation with those notes), "undo", "redo" or "reopen";
// after it the stored notes are WantNotes, an undo or redo reports
// WantAction, and the step fails with WantErr (nil: succeeds).
type UndoStep struct {
	Op         string
	WantNotes  string
	WantAction string
	WantErr    error
}

// UndoScript adds an article to s and walks steps on alice's annotation
// of it, checking after each the notes, the action reported, the error
// and the revision: every change, undo and redo included, is a new
// revision; a refused step or a reopening moves none. reopen, for a
// script with "reopen" steps, opens the same database again (a backend's
// own test does it: a new handle on the file, a new connection) and
// returns the new store, which the steps after it use.
func UndoScript(t *testing.T, s store.Store, steps []UndoStep, reopen func() store.Store) {
	t.Helper()
	id := addTexts(t, s, "undo test")[0]
	lastRev := 0
	for i, st := range steps {
		var got model.Annotation
		var action string
		var err error
		switch {
		case strings.HasPrefix(st.Op, "save "):
			a := mustAnnotation(t, s, id, "alice")
			a.Notes = strings.TrimPrefix(st.Op, "save ")
			got, err = s.Save(a, st.Op)
		case st.Op == "undo":
			got, action, err = s.Undo(id, "alice")
		case st.Op == "redo":
			got, action, err = s.Redo(id, "alice")
		case st.Op == "reopen" && reopen != nil:
			s = reopen()
		default:
			t.Fatalf("bad op %q", st.Op)
		}
		if st.WantErr != nil {
			if !errors.Is(err, st.WantErr) {
				t.Fatalf("step %d %s: error = %v, want %v", i, st.Op, err, st.WantErr)
			}
		} else if err != nil {
			t.Fatalf("step %d %s: %v", i, st.Op, err)
		}
		if st.Op == "undo" || st.Op == "redo" {
			if action != st.WantAction {
				t.Errorf("step %d %s: action = %q, want %q", i, st.Op, action, st.WantAction)
			}
			if err == nil && got.Notes != st.WantNotes {
				t.Errorf("step %d %s: returned notes %q, want %q", i, st.Op, got.Notes, st.WantNotes)
			}
		}
		stored := mustAnnotation(t, s, id, "alice")
		if stored.Notes != st.WantNotes {
			t.Errorf("step %d %s: stored notes %q, want %q", i, st.Op, stored.Notes, st.WantNotes)
		}
		switch {
		case err == nil && st.Op != "reopen":
			if stored.Rev != lastRev+1 {
				t.Errorf("step %d %s: Rev = %d, want %d", i, st.Op, stored.Rev, lastRev+1)
			}
			if got.Rev != stored.Rev {
				t.Errorf("step %d %s: returned Rev %d, stored %d", i, st.Op, got.Rev, stored.Rev)
			}
		case stored.Rev != lastRev:
			t.Errorf("step %d %s: a refused step or a reopening moved Rev from %d to %d", i, st.Op, lastRev, stored.Rev)
		}
		lastRev = stored.Rev
	}
}

// testUndoRestoresEverything: undo brings back the whole annotation, and
// the queue's status with it.
func testUndoRestoresEverything(t *testing.T, open Opener) {
	s := open(t)
	id := addTexts(t, s, hardTexts[1])[0]
	before := mustSave(t, s, fullAnnotation(id, "alice", hardTexts[1]), "fill")
	changed := before.Clone()
	changed.Entities = nil
	changed.Incidents[0].Fields["weapons"] = model.Value{List: []string{"13"}}
	changed.Status = model.StatusDone
	changed.Review.State, changed.Review.Seen = model.ReviewAccepted, nil
	changed.Review.Comments[0].Replies = nil
	mustSave(t, s, changed, "change")
	restored, _, err := s.Undo(id, "alice")
	if err != nil {
		t.Fatal(err)
	}
	want := before.Clone()
	want.Rev, want.UpdatedAt = restored.Rev, restored.UpdatedAt
	if !reflect.DeepEqual(restored, want) {
		t.Errorf("undo restored\n%+v\nwant\n%+v", restored, want)
	}
	if got := mustAnnotation(t, s, id, "alice"); !reflect.DeepEqual(got, restored) {
		t.Errorf("stored after undo\n%+v\nwant what undo returned\n%+v", got, restored)
	}
	if !restored.UpdatedAt.After(before.UpdatedAt) {
		t.Errorf("undo's UpdatedAt %v is not after the save's %v", restored.UpdatedAt, before.UpdatedAt)
	}
	if got := summaries(t, s)[0].Statuses["alice"]; got != model.StatusInProgress {
		t.Errorf("status after undo = %q, want in_progress", got)
	}
	p, err := s.Page(store.Query{Annotator: "alice", Status: model.StatusDone})
	if err != nil || p.Total != 0 {
		t.Errorf("done page after undo: %+v %v; want none", p, err)
	}
}

// testUndoStaleSeen: windows A and B of one annotator; A saves, B (which
// never saw it) undoes or redoes: refused with ErrConflict, nothing
// undone; from the current revision it goes through.
func testUndoStaleSeen(t *testing.T, open Opener) {
	s := open(t)
	text := "ISIS fighters entered Velmo."
	id := addTexts(t, s, text)[0]
	a := model.NewAnnotation(id, "alice", "conflict-incidents")
	a.Entities = []model.Span{{ID: "e1", Start: 0, End: 4, Label: "ORG"}}
	model.GroupMentions(&a, text)
	first := mustSave(t, s, a, "tag ISIS")
	stale := first.Rev // window B read this
	next := first.Clone()
	next.Entities = append(next.Entities, model.Span{ID: "e9", Start: 22, End: 27, Label: "GPE"})
	model.GroupMentions(&next, text)
	second := mustSave(t, s, next, "tag Velmo") // window A
	if _, _, err := s.Undo(id, "alice", stale); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("undo from the stale window: %v, want ErrConflict", err)
	}
	if got := mustAnnotation(t, s, id, "alice"); len(got.Entities) != 2 || got.Rev != second.Rev {
		t.Fatalf("after the refused undo: %d spans rev %d, want A's two at rev %d", len(got.Entities), got.Rev, second.Rev)
	}
	undone, action, err := s.Undo(id, "alice", second.Rev)
	if err != nil || action != "tag Velmo" || len(undone.Entities) != 1 {
		t.Fatalf("undo from the current copy: %d spans, %q, %v", len(undone.Entities), action, err)
	}
	// The refused undo popped nothing: one more undo reaches the start.
	if got, action, err := s.Undo(id, "alice", undone.Rev); err != nil || action != "tag ISIS" || len(got.Entities) != 0 {
		t.Fatalf("second undo: %d spans, %q, %v", len(got.Entities), action, err)
	}
	cur := mustAnnotation(t, s, id, "alice")
	if _, _, err := s.Redo(id, "alice", cur.Rev-1); !errors.Is(err, store.ErrConflict) {
		t.Errorf("redo from a stale window: %v, want ErrConflict", err)
	}
	if got, action, err := s.Redo(id, "alice", cur.Rev); err != nil || action != "tag ISIS" || len(got.Entities) != 1 {
		t.Errorf("redo from the current copy: %d spans, %q, %v", len(got.Entities), action, err)
	}
	// Nothing to undo is said before a stale revision is.
	if _, _, err := s.Undo(id, "bob", 7); !errors.Is(err, store.ErrNothingToUndo) {
		t.Errorf("bob's undo with a made-up revision: %v, want ErrNothingToUndo", err)
	}
}

// testUndoFirstSave: undoing an annotation's first change brings back the
// empty annotation (still stored, at a new revision).
func testUndoFirstSave(t *testing.T, open Opener) {
	s := open(t)
	id := addTexts(t, s, "first save")[0]
	a := model.NewAnnotation(id, "alice", "conflict-incidents")
	a.Notes, a.Status = "noted", model.StatusDone
	mustSave(t, s, a, "note")
	got, action, err := s.Undo(id, "alice")
	if err != nil || action != "note" {
		t.Fatalf("Undo: %q, %v", action, err)
	}
	want := model.NewAnnotation(id, "alice", "conflict-incidents")
	want.Rev, want.UpdatedAt = 2, got.UpdatedAt
	if !reflect.DeepEqual(got, want) {
		t.Errorf("undo of the first save = %+v, want %+v", got, want)
	}
	if sum := summaries(t, s)[0]; sum.Statuses["alice"] != model.StatusTodo {
		t.Errorf("status after undo %v, want todo", sum.Statuses)
	}
}
