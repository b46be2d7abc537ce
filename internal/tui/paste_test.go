package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// TestPasteIntoQueueSearch: a bracketed paste into the queue's search
// finds the article (pastes used to be dropped).
func TestPasteIntoQueueSearch(t *testing.T) {
	st := newFakeStore(article("Raqqa attack", raqqaText), article("Other", "Nothing happened in the desert today."))
	h := newHarness(t, st, 160, 50)
	h.keys("/")
	h.send(tea.PasteMsg{Content: "Raqqa"})
	if got := h.m.prompt.value(); got != "Raqqa" {
		t.Fatalf("the search holds %q after the paste", got)
	}
	if len(h.m.qt.results) != 1 || h.m.qt.results[0].Title != "Raqqa attack" {
		t.Fatalf("the pasted search found %v", h.m.qt.results)
	}
	h.keys("enter enter")
	if h.m.doc == nil || !strings.Contains(h.screen(), "Raqqa") {
		t.Errorf("the article found by the paste did not open:\n%s", h.screen())
	}
}

// TestPasteAtTheCursor: a paste goes where the cursor is, and its lines
// are joined with spaces in a prompt, saying so.
func TestPasteAtTheCursor(t *testing.T) {
	h := openRaqqa(t)
	h.keys("/")
	h.typeText("ab")
	h.keys("left")
	h.send(tea.PasteMsg{Content: "X\nY"})
	if got := h.m.prompt.value(); got != "aX Yb" {
		t.Errorf("after a paste at the cursor the find prompt holds %q, want %q", got, "aX Yb")
	}
	if !strings.Contains(h.m.message, "joined") {
		t.Errorf("joining the lines was not said: %q", h.m.message)
	}
}

// TestPasteIntoFormFields: a paste into an incident's notes keeps its
// lines and is saved by enter; into a one-line text field its lines are
// joined (said); into a number field a paste of lines is refused whole.
func TestPasteIntoFormFields(t *testing.T) {
	h := openIncident(t)
	h.toRow("notes")
	h.send(tea.PasteMsg{Content: "Reported by two outlets.\nFigures disputed."})
	h.keys("enter")
	inc := h.stored().Incidents[0]
	if got := inc.Fields["notes"].Text; got != "Reported by two outlets.\nFigures disputed." {
		t.Errorf("notes after a paste and enter: %q", got)
	}
	h.toRow("location_text")
	h.send(tea.PasteMsg{Content: "Raqqa,\nSyria"})
	h.keys("enter")
	if got := h.stored().Incidents[0].Fields["location_text"].Text; got != "Raqqa, Syria" {
		t.Errorf("location as written after a paste of two lines: %q", got)
	}
	rev := h.stored().Rev
	h.toRow("kidnapped")
	h.send(tea.PasteMsg{Content: "12\n13"})
	if !h.m.isError || !strings.Contains(h.m.message, "nothing pasted") {
		t.Errorf("a paste of lines into a number: message %q", h.m.message)
	}
	h.keys("enter")
	if h.stored().Rev != rev {
		t.Errorf("a refused paste was saved")
	}
}

// TestFormFieldIsATextInput: a form field's draft is edited at a cursor
// (← then typing inserts; ctrl+w deletes a word), as a text input edits,
// and a paste lands at the cursor.
func TestFormFieldIsATextInput(t *testing.T) {
	h := openIncident(t)
	h.toRow("location_text")
	h.typeText("Raqa Syria")
	for range len(" Syria") {
		h.keys("left")
	}
	h.keys("left")
	h.typeText("q")
	dk := h.m.draftKeyFor(h.m.form, h.m.form.row())
	if got := h.m.drafts[dk]; got != "Raqqa Syria" {
		t.Fatalf("after ← and typing: draft %q, want %q", got, "Raqqa Syria")
	}
	if s := h.screen(); !strings.Contains(s, "Raqq▏a Syria") {
		t.Errorf("the cursor is not drawn where it is:\n%s", s)
	}
	h.send(tea.PasteMsg{Content: "X"})
	if got := h.m.drafts[dk]; got != "RaqqXa Syria" {
		t.Fatalf("a paste in the middle: draft %q, want it at the cursor", got)
	}
	h.keys("backspace end")
	h.send(tea.PasteMsg{Content: ", Deir ez-Zor"})
	h.keys("ctrl+w")
	if got := h.m.drafts[dk]; got != "Raqqa Syria, Deir " {
		t.Errorf("after a paste and ctrl+w: draft %q", got)
	}
	h.keys("enter")
	if got := h.stored().Incidents[0].Fields["location_text"].Text; got != "Raqqa Syria, Deir" {
		t.Errorf("saved %q", got)
	}
}
