package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/annotate-tool/annotate/internal/model"
)

// motionText wraps at 80 columns (a 76-cell text pane) as:
//
//	0 The Northern Alliance said on Monday that 12 fighters were killed near
//	1 Raqqa. Officials denied it.
//	2 It blamed the group’s cell.
//	3
//	4 Raqqa residents reported shelling. The council met.
const motionText = "The Northern Alliance said on Monday that 12 fighters were killed near Raqqa. Officials denied it.\n" +
	"It blamed the group’s cell.\n\n" +
	"Raqqa residents reported shelling. The council met."

// openMotion opens motionText at 80x24 with the first word selected.
func openMotion(t *testing.T) *harness {
	t.Helper()
	st := newFakeStore(article("Motions", motionText))
	h := newHarness(t, st, 80, 24)
	h.keys("enter")
	if h.m.doc == nil {
		t.Fatalf("enter on the queue did not open the article; screen:\n%s", h.screen())
	}
	return h
}

func TestMotionsMoveSelection(t *testing.T) {
	// at names the expected selection: the n-th occurrence of a string.
	type at struct {
		sub string
		n   int
	}
	tests := []struct {
		name string
		keys string
		want at
	}{
		{"start on the first word", "", at{"The", 0}},
		{"w next word", "w", at{"Northern", 0}},
		{"w twice", "w w", at{"Alliance", 0}},
		{"right is w", "right right", at{"Alliance", 0}},
		{"w passes over punctuation", "w w w w w w w w w w w w w", at{"Officials", 0}},
		{"w stops before a possessive", ") ) w w w", at{"group", 0}},
		{"w selects the possessive on its own", ") ) w w w w", at{"’s", 0}},
		{"w at the end stays", "G w", at{".", 4}},
		{"b previous word", "w w b", at{"Northern", 0}},
		{"left is b", "w w left", at{"Northern", 0}},
		{"b at the start stays", "b", at{"The", 0}},
		{"l next character", "l", at{" ", 0}},
		{"l l", "l l", at{"N", 0}},
		{"h previous character", "w h", at{" ", 0}},
		{"h at the start stays", "h", at{"The", 0}},
		{"j line down, same column", "j", at{"Raqqa", 0}},
		{"down is j", "down down", at{"It", 0}},
		{"j onto an empty line goes on to the next word", "j j j", at{"Raqqa", 1}},
		{"k line up", "j j k", at{"Raqqa", 0}},
		{"up is k", "j j up", at{"Raqqa", 0}},
		{"k onto an empty line stops on the word before", "G k", at{".", 2}},
		{"k at the top stays", "k", at{"The", 0}},
		{"j keeps the column", "w w w j", at{"denied", 0}},
		{") next sentence", ")", at{"Officials", 0}},
		{") across a line break", ") )", at{"It", 0}},
		{") ) ) across a paragraph", ") ) )", at{"Raqqa", 1}},
		{"( start of this sentence", "w w (", at{"The", 0}},
		{"( previous sentence", ") ) (", at{"Officials", 0}},
		{"} next paragraph", "}", at{"Raqqa", 1}},
		{"} at the last paragraph stays", "} }", at{"Raqqa", 1}},
		{"{ previous paragraph", "} w {", at{"Raqqa", 1}},
		{"{ {", "} w { {", at{"The", 0}},
		{"G last token", "G", at{".", 4}},
		{"end is G", "end", at{".", 4}},
		{"g first token", "G g", at{"The", 0}},
		{"home is g", "G home", at{"The", 0}},
		{"] without spans stays", "]", at{"The", 0}},
		{"[ without spans stays", "w [", at{"Northern", 0}},
		{"/ finds case-insensitively", "/ r a q q a enter", at{"Raqqa", 0}},
		{"n finds the next match", "/ r a q q a enter n", at{"Raqqa", 1}},
		{"n wraps round", "/ r a q q a enter n n", at{"Raqqa", 0}},
		{"N finds the previous match, wrapping", "/ r a q q a enter N", at{"Raqqa", 1}},
		{"esc cancels a search", "/ r a q esc", at{"The", 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := openMotion(t)
			h.keys(tt.keys)
			want := rangeOf(t, motionText, tt.want.sub, tt.want.n)
			got, text := h.sel()
			if got != want || text != tt.want.sub {
				t.Errorf("after %q: selection %v %q, want %v %q", tt.keys, got, text, want, tt.want.sub)
			}
			if h.m.extend {
				t.Errorf("after %q: extending, want a plain selection", tt.keys)
			}
			if h.m.prompt != nil {
				t.Errorf("after %q: a prompt is still open", tt.keys)
			}
		})
	}
}

// TestJToShorterLine: j from a column past the end of the next line should
// land on that line (on its last word), as k does going up.
func TestJToShorterLine(t *testing.T) {
	h := openMotion(t)
	h.keys("w w w w w w w w w w") // "killed", column 59 of line 0
	if _, text := h.sel(); text != "killed" {
		t.Fatalf("setup: selected %q, want killed", text)
	}
	h.keys("j") // line 1 is "Raqqa. Officials denied it." (27 cells)
	got, text := h.sel()
	if line := h.m.lay.lineOf(got.Start); line != 1 {
		t.Errorf("j from column 59 of line 0 selected %q on line %d, want the last word of line 1 (%q)", text, line, ".")
	}
}

func TestExtendSelection(t *testing.T) {
	tests := []struct {
		name   string
		keys   string
		want   string // the selected text, found at its first occurrence
		extend bool
		bug    string
	}{
		{"v alone selects the word", "v", "The", true, ""},
		{"v w w extends forward", "v w w", "The Northern Alliance", true, ""},
		{"v w w b shrinks back", "v w w b", "The Northern", true, ""},
		{"v from a later word", "w w v w w", "Alliance said on", true, ""},
		{"o swaps ends, then b grows the start", "w w v w w o b", "Northern Alliance said on", true, ""},
		{"o o swaps back, w grows the end", "w w v w w o o w", "Alliance said on Monday", true, ""},
		{"o without v starts extending", "w o", "Northern", true, ""},
		{"l nudges the end by a character", "w v l", "Northern ", true, ""},
		{"l l", "w v l l", "Northern A", true, ""},
		{"h nudges the start by a character", "w v h", " Northern", true, ""},
		{"v j extends down a line", "v j", motionText[:strings.Index(motionText, "Raqqa")+len("Raqqa")], true, ""},
		{"esc collapses to the extended range", "v w w esc", "The Northern Alliance", false, ""},
		{"v again collapses too", "v w v", "The Northern", false, ""},
		{"w after collapsing moves on from its end", "v w w esc w", "said", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := openMotion(t)
			h.keys(tt.keys)
			want := rangeOf(t, motionText, tt.want, 0)
			got, text := h.sel()
			if got != want || text != tt.want {
				t.Errorf("after %q: selection %v %q, want %v %q", tt.keys, got, text, want, tt.want)
			}
			if h.m.extend != tt.extend {
				t.Errorf("after %q: extend = %v, want %v", tt.keys, h.m.extend, tt.extend)
			}
			status := h.screen()
			if tt.extend && !strings.Contains(status, "extending sel") {
				t.Errorf("after %q: status line does not say extending:\n%s", tt.keys, status)
			}
		})
	}
}

func TestSpanMotions(t *testing.T) {
	st := newFakeStore(article("Motions", motionText))
	id := model.ArticleID(motionText)
	ann := model.NewAnnotation(id, "alice", "conflict-incidents")
	for _, s := range []struct {
		sub   string
		n     int
		label string
	}{{"Northern Alliance", 0, "ORG"}, {"Raqqa", 0, "GPE"}, {"Raqqa", 1, "GPE"}, {"Monday", 0, "TIME"}} {
		r := rangeOf(t, motionText, s.sub, s.n)
		ann.Entities = append(ann.Entities, model.Span{ID: ann.NewID("e"), Start: r.Start, End: r.End, Label: s.label})
	}
	if _, err := st.Save(ann, "seed"); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, st, 80, 24)
	h.keys("enter")
	steps := []struct {
		key  string
		want string
		n    int
	}{
		{"]", "Northern Alliance", 0},
		{"]", "Monday", 0},
		{"]", "Raqqa", 0},
		{"]", "Raqqa", 1},
		{"]", "Raqqa", 1}, // no span after: stays
		{"[", "Raqqa", 0},
		{"[", "Monday", 0},
		{"[", "Northern Alliance", 0},
		{"[", "Northern Alliance", 0},
	}
	for i, s := range steps {
		h.keys(s.key)
		want := rangeOf(t, motionText, s.want, s.n)
		if got, text := h.sel(); got != want {
			t.Errorf("step %d (%s): selection %v %q, want %v %q", i, s.key, got, text, want, s.want)
		}
	}
	if !strings.Contains(h.m.message, "no span before") {
		t.Errorf("message after [ at the first span = %q, want it to say there is none", h.m.message)
	}
	if !strings.Contains(h.screen(), "on ORG e1") {
		t.Errorf("status line does not name the span under the cursor:\n%s", h.screen())
	}
}

func TestPageMotionsScroll(t *testing.T) {
	var b strings.Builder
	for i := range 200 {
		b.WriteString("Line ")
		b.WriteString(strings.Repeat("x", i%7+1))
		b.WriteString(" of the long report.\n")
	}
	text := b.String()
	st := newFakeStore(article("Long", text))
	h := newHarness(t, st, 80, 24)
	h.keys("enter")
	_, pageH, _ := h.m.paneSizes()
	h.keys("ctrl+d")
	if h.m.top != pageH-2 {
		t.Errorf("ctrl+d: top = %d, want %d", h.m.top, pageH-2)
	}
	if line := h.m.lay.lineOf(h.m.head.Start); line != pageH-2 {
		t.Errorf("ctrl+d: head on line %d, want %d", line, pageH-2)
	}
	h.keys("space pgdown")
	if h.m.top != 3*(pageH-2) {
		t.Errorf("space pgdown: top = %d, want %d", h.m.top, 3*(pageH-2))
	}
	h.keys("ctrl+u")
	if h.m.top != 2*(pageH-2) {
		t.Errorf("ctrl+u: top = %d, want %d", h.m.top, 2*(pageH-2))
	}
	h.keys("G")
	if want := len(h.m.lay.starts) - pageH; h.m.top != want {
		t.Errorf("G: top = %d, want %d (the last page)", h.m.top, want)
	}
	if !strings.Contains(h.screen(), "lines 183-201 of 201") {
		t.Errorf("title bar does not show the position at the end:\n%s", h.screen())
	}
	h.keys("g")
	if h.m.top != 0 {
		t.Errorf("g: top = %d, want 0", h.m.top)
	}
	// Every motion keeps the head on screen.
	for _, k := range []string{"j", "j", "ctrl+d", "k", "G", "ctrl+u", "}", ")", "w"} {
		h.keys(k)
		line := h.m.lay.lineOf(h.m.head.Start)
		if line < h.m.top || line >= h.m.top+pageH {
			t.Errorf("after %s: head on line %d, outside the window %d..%d", k, line, h.m.top, h.m.top+pageH-1)
		}
	}
}

func TestMouseSelects(t *testing.T) {
	h := openMotion(t)
	left := tea.MouseLeft
	// The text starts at column 2 (border, padding) of row 2 (title bar,
	// border).
	steps := []struct {
		name   string
		msg    tea.Msg
		want   string
		n      int
		extend bool
	}{
		{"click a word", tea.MouseClickMsg{X: 2 + 6, Y: 2, Button: left}, "Northern", 0, false},
		{"drag to the next word", tea.MouseMotionMsg{X: 2 + 15, Y: 2, Button: left}, "Northern Alliance", 0, true},
		{"release", tea.MouseReleaseMsg{X: 2 + 15, Y: 2, Button: left}, "Northern Alliance", 0, true},
		{"motion without a button does nothing", tea.MouseMotionMsg{X: 2 + 30, Y: 2}, "Northern Alliance", 0, true},
		{"click on the next line", tea.MouseClickMsg{X: 2, Y: 3, Button: left}, "Raqqa", 0, false},
		{"click on the border does nothing", tea.MouseClickMsg{X: 0, Y: 5, Button: left}, "Raqqa", 0, false},
		{"click past the last line does nothing", tea.MouseClickMsg{X: 5, Y: 15, Button: left}, "Raqqa", 0, false},
	}
	for _, s := range steps {
		h.send(s.msg)
		want := rangeOf(t, motionText, s.want, s.n)
		if got, text := h.sel(); got != want || h.m.extend != s.extend {
			t.Errorf("%s: selection %v %q (extend %v), want %v %q (extend %v)", s.name, got, text, h.m.extend, want, s.want, s.extend)
		}
	}
}

// TestClickPastLineEnd: a click right of a line's end selects that line's
// last word.
func TestClickPastLineEnd(t *testing.T) {
	h := openMotion(t)
	h.send(tea.MouseClickMsg{X: 2 + 60, Y: 4, Button: tea.MouseLeft}) // right of "It blamed the group’s cell."
	if got, text := h.sel(); got != rangeOf(t, motionText, ".", 2) {
		t.Errorf("click right of line 2 selected %v %q on line %d, want its last token \".\"", got, text, h.m.lay.lineOf(got.Start))
	}
}

func TestMouseWheelScrolls(t *testing.T) {
	var b strings.Builder
	for range 100 {
		b.WriteString("a line of text\n")
	}
	h := newHarness(t, newFakeStore(article("Long", b.String())), 80, 24)
	h.send(tea.MouseWheelMsg{Button: tea.MouseWheelDown}) // on the queue: moves the cursor (one article: stays)
	h.keys("enter")
	h.send(tea.MouseWheelMsg{X: 10, Y: 10, Button: tea.MouseWheelDown})
	h.send(tea.MouseWheelMsg{X: 10, Y: 10, Button: tea.MouseWheelDown})
	if h.m.top != 6 {
		t.Errorf("two wheel steps down: top %d, want 6", h.m.top)
	}
	h.send(tea.MouseWheelMsg{X: 10, Y: 10, Button: tea.MouseWheelUp})
	if h.m.top != 3 {
		t.Errorf("one wheel step up: top %d, want 3", h.m.top)
	}
	// A click lands on the line drawn there, scrolled.
	h.send(tea.MouseClickMsg{X: 2, Y: 2, Button: tea.MouseLeft})
	if line := h.m.lay.lineOf(h.m.head.Start); line != 3 {
		t.Errorf("click on the first row after scrolling selected line %d, want 3", line)
	}
}
