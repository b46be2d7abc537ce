package tui

import (
	"reflect"
	"strings"
	"testing"
)

func TestUndoRedo(t *testing.T) {
	h := openTag(t)
	id := h.m.doc.article.ID
	h.keys("1 w 2") // Raqqa ORG, council PER
	both := []string{"ORG Raqqa@0", "PER council@6"}
	if got := spanSet(tagText, h.stored().Entities); !reflect.DeepEqual(got, both) {
		t.Fatalf("setup: %q, want %q", got, both)
	}
	steps := []struct {
		keys string
		want []string
		msg  string
	}{
		{"u", []string{"ORG Raqqa@0"}, "saved: undo: tag “council” PER"},
		{"ctrl+r", both, "saved: redo: tag “council” PER"},
		{"u", []string{"ORG Raqqa@0"}, "undo"},
		{"U", both, "redo"},
		{"U", both, "nothing to redo"},
		{"u u", nil, "saved: undo: tag “Raqqa” ORG"},
		{"u", nil, "nothing to undo"},
		{"ctrl+r", []string{"ORG Raqqa@0"}, "redo"},
	}
	for _, s := range steps {
		h.keys(s.keys)
		if got := spanSet(tagText, h.stored().Entities); !reflect.DeepEqual(got, s.want) {
			t.Errorf("after %s: stored %q, want %q", s.keys, got, s.want)
		}
		if got := spanSet(tagText, h.m.ann.Entities); !reflect.DeepEqual(got, s.want) {
			t.Errorf("after %s: screen shows %q, want %q", s.keys, got, s.want)
		}
		if !strings.Contains(h.m.message, s.msg) {
			t.Errorf("after %s: message %q, want it to contain %q", s.keys, h.m.message, s.msg)
		}
		if h.m.ann.Rev != h.stored().Rev {
			t.Errorf("after %s: screen Rev %d, stored %d", s.keys, h.m.ann.Rev, h.stored().Rev)
		}
	}
	// A new change after an undo clears the redo stack.
	h.keys("w w 3 u U")  // "in" NORP, undone and redone
	h.keys("u 4 ctrl+r") // undone again, then "in" GPE: nothing left to redo
	if !strings.Contains(h.m.message, "nothing to redo") {
		t.Errorf("redo after a new change: message %q, want nothing to redo", h.m.message)
	}
	// Undo history lives in the store: a new screen on the same store (a
	// restart) undoes the last change made by the old one.
	before := spanSet(tagText, h.stored().Entities)
	h2 := newHarness(t, h.st, 80, 24)
	h2.open(id)
	if got := spanSet(tagText, h2.m.ann.Entities); !reflect.DeepEqual(got, before) {
		t.Fatalf("after the restart the screen shows %q, want %q", got, before)
	}
	h2.keys("u")
	if got, want := spanSet(tagText, h2.stored().Entities), []string{"ORG Raqqa@0"}; !reflect.DeepEqual(got, want) {
		t.Errorf("undo after the restart: %q, want %q", got, want)
	}
	if !strings.Contains(h2.m.message, "undo: tag “in” GPE") {
		t.Errorf("undo after the restart: message %q", h2.m.message)
	}
}

// TestUndoInAStaleWindow: two windows of alice on one article; A tags, B
// (which never saw the tag) presses u. B must be told to reload, and A's
// tag stay (issue 12, defect 1: the undo went through).
func TestUndoInAStaleWindow(t *testing.T) {
	st := newFakeStore(article("t", "ISIS fighters entered Velmo."))
	a := newHarness(t, st, 120, 30)
	b := newHarness(t, st, 120, 30)
	a.keys("enter 1")
	b.keys("enter")
	a.keys("w w w 4")
	b.keys("u")
	if got := len(a.stored().Entities); got != 2 {
		t.Errorf("after the stale window's u: %d spans stored, want A's two", got)
	}
	if !b.m.isError || !strings.Contains(b.m.message, "reloaded") {
		t.Errorf("the stale window says %q, want to reload", b.m.message)
	}
}
