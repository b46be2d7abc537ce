package tui

import (
	"strings"
	"testing"
)

// TestDeleteEntityAsksAndUndoes: x on an entity with several mentions asks
// (it used to delete all of them at once); another key keeps it; x x
// deletes; u in the side pane brings it back, U takes it away again.
func TestDeleteEntityAsksAndUndoes(t *testing.T) {
	h := newHarness(t, newFakeStore(article("SDF report", sdfText)), 200, 60)
	h.keys("enter")
	h.findText("ISIS")
	h.keys("1 a a")
	if n := len(h.stored().Entities); n != 3 {
		t.Fatalf("a a tagged %d mentions", n)
	}
	h.keys("tab")
	h.toTab(tabEntities)
	h.keys("x")
	if n := len(h.stored().Entities); n != 3 || !strings.Contains(h.m.message, "x again deletes “ISIS” and its 3 mentions") {
		t.Fatalf("one x: %d mentions left, message %q", n, h.m.message)
	}
	h.keys("j")
	h.keys("x")
	if n := len(h.stored().Entities); n != 3 {
		t.Fatalf("x, another key, x deleted: %d left", n)
	}
	h.keys("x")
	if n := len(h.stored().Entities); n != 0 {
		t.Fatalf("x x left %d mentions", n)
	}
	h.keys("u")
	if n := len(h.stored().Entities); n != 3 || h.m.focus != focusSide {
		t.Errorf("u in the side pane: %d mentions back (focus %v)", n, h.m.focus)
	}
	h.keys("U")
	if n := len(h.stored().Entities); n != 0 {
		t.Errorf("U in the side pane: %d mentions", n)
	}
}

// TestDeleteIncidentAsks: x on an incident asks first.
func TestDeleteIncidentAsks(t *testing.T) {
	h := openIncident(t)
	h.fill("killed.best", "4")
	h.keys("esc")
	h.keys("x")
	if len(h.stored().Incidents) != 1 || !strings.Contains(h.m.message, "x again deletes incident") {
		t.Fatalf("one x on an incident: %d incidents, message %q", len(h.stored().Incidents), h.m.message)
	}
	h.keys("x")
	if len(h.stored().Incidents) != 0 {
		t.Fatalf("x x kept the incident")
	}
	h.keys("u")
	if len(h.stored().Incidents) != 1 {
		t.Errorf("u in the side pane did not bring the incident back")
	}
}

// TestListLinesAreTheArticles: the Entities tab names where a mention is
// by the article's own line, the same at any width (it used to give the
// wrapped display line, which changed with the window).
func TestListLinesAreTheArticles(t *testing.T) {
	text := "First line with ISIS in it.\nSecond line: a long one that wraps at a narrow width, " +
		"with many words before the name of Raqqa appears near its end."
	for _, w := range []int{200, 80} {
		h := newHarness(t, newFakeStore(article("Lines", text)), w, 30)
		h.keys("enter")
		h.findText("Raqqa")
		h.keys("4 tab")
		if s := h.screen(); !strings.Contains(s, "l.2 ") {
			t.Errorf("at %d columns the Raqqa row does not say l.2:\n%s", w, s)
		}
	}
}
