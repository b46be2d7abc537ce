package tui

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

func TestResizeKeepsState(t *testing.T) {
	var b strings.Builder
	for i := range 60 {
		fmt.Fprintf(&b, "Paragraph %d: the council in Raqqa met the Northern Alliance and reported %d fighters near the bridge.\n\n", i, i*3)
	}
	text := b.String()
	h := newHarness(t, newFakeStore(article("Long", text), article("Other", "other text")), 80, 24)
	h.keys("enter")
	id := h.m.doc.article.ID
	// Move to the middle, tag, and leave an extended selection.
	for range 30 {
		h.keys("}")
	}
	h.keys("w v w 1 w w v w w")
	sel, selText := h.sel()
	ann := h.m.ann
	if len(ann.Entities) != 1 || !h.m.extend || selText == "" {
		t.Fatalf("setup: spans %v, extend %v, selection %q", ann.Entities, h.m.extend, selText)
	}
	for _, size := range [][2]int{{200, 60}, {80, 24}, {120, 40}, {81, 25}, {80, 24}} {
		where := fmt.Sprintf("%dx%d", size[0], size[1])
		h.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		if h.m.doc == nil || h.m.doc.article.ID != id || h.m.screen != screenArticle {
			t.Fatalf("%s: the open article changed", where)
		}
		if got, gotText := h.sel(); got != sel || gotText != selText || !h.m.extend {
			t.Errorf("%s: selection %v %q (extend %v), want %v %q extending", where, got, gotText, h.m.extend, sel, selText)
		}
		if !reflect.DeepEqual(h.m.ann, ann) {
			t.Errorf("%s: annotation changed: %+v", where, h.m.ann)
		}
		w, pageH, _ := h.m.paneSizes()
		if h.m.lay.width != w {
			t.Errorf("%s: layout for width %d, pane is %d", where, h.m.lay.width, w)
		}
		if line := h.m.lay.lineOf(h.m.head.Start); line < h.m.top || line >= h.m.top+pageH {
			t.Errorf("%s: head on line %d, off screen (%d..%d)", where, line, h.m.top, h.m.top+pageH-1)
		}
		checkFrame(t, where, h.m.Render(), size[0], size[1])
		if !strings.Contains(h.screen(), selText[:min(len(selText), 10)]) {
			t.Errorf("%s: the selection is not on screen", where)
		}
	}
	// A resize with the picker open keeps it open.
	h.keys("t")
	h.send(tea.WindowSizeMsg{Width: 200, Height: 60})
	if h.m.prompt == nil || h.m.prompt.kind != promptLabel {
		t.Errorf("the picker closed on resize")
	}
	checkFrame(t, "picker at 200x60", h.m.Render(), 200, 60)
	// And on the queue.
	h.keys("esc q")
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	if h.m.screen != screenQueue {
		t.Fatalf("not on the queue")
	}
	checkFrame(t, "queue at 80x24", h.m.Render(), 80, 24)
}
