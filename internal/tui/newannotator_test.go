package tui

import (
	"strings"
	"testing"
)

func newAnnotatorScreen(t *testing.T, opts ...func(*Options)) (*harness, *fakeStore) {
	t.Helper()
	st := newFakeStore(article("Raid on Velmo", "Harrow Front fighters entered Velmo on Monday."),
		article("Trucks", "Two trucks burned outside Tolle."))
	h := newHarness(t, st, 100, 24, append([]func(*Options){func(o *Options) {
		o.Annotator = "Alicee"
		o.NewAnnotatorAmong = []string{"alice", "bob"}
	}}, opts...)...)
	return h, st
}

// TestNewAnnotatorAsksFirst: a name new to a database that has others
// is asked about before the screen starts; other keys do nothing; enter
// starts.
func TestNewAnnotatorAsksFirst(t *testing.T) {
	h, _ := newAnnotatorScreen(t)
	want := "new annotator “Alicee”: enter starts, esc quits"
	if s := h.screen(); !strings.Contains(s, want) || !strings.Contains(s, "alice, bob") {
		t.Fatalf("the screen does not ask first:\n%s", s)
	}
	// Keys that would work on the queue do nothing while it asks.
	h.keys("j enter")
	if h.quit || h.m.gate != nil {
		t.Fatalf("enter did not start (quit %v)", h.quit)
	}
	if s := h.screen(); strings.Contains(s, want) || !strings.Contains(s, "Raid on Velmo") {
		t.Errorf("after enter the queue is not shown:\n%s", s)
	}
	if h.m.qt.cursor != 0 {
		t.Errorf("a key pressed while asking moved the queue's cursor to %d", h.m.qt.cursor)
	}
}

// TestNewAnnotatorQuits: esc (and q, ctrl+c) quit before anything is
// written; keys before it change nothing.
func TestNewAnnotatorQuits(t *testing.T) {
	for _, k := range []string{"esc", "q", "ctrl+c"} {
		h, st := newAnnotatorScreen(t)
		h.keys("D w a " + k)
		if !h.quit {
			t.Errorf("%s did not quit", k)
		}
		if n := len(st.anns); n != 0 {
			t.Errorf("%s: %d annotations written before quitting", k, n)
		}
	}
}

// TestNewAnnotatorNotAsked: a known annotator (no NewAnnotatorAmong), and
// the reviewer in review mode, start at once.
func TestNewAnnotatorNotAsked(t *testing.T) {
	st := newFakeStore(article("Raid on Velmo", "Harrow Front fighters entered Velmo on Monday."))
	h := newHarness(t, st, 100, 24)
	if strings.Contains(h.screen(), "new annotator") || h.m.gate != nil {
		t.Errorf("a known annotator was asked:\n%s", h.screen())
	}
	r, _ := newAnnotatorScreen(t, func(o *Options) { o.Review = &ReviewOptions{} })
	if r.m.gate != nil {
		t.Error("the reviewer was asked")
	}
}
