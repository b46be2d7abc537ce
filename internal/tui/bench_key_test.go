package tui

import "testing"

// BenchmarkCursorKey: one w key through Update on the long article
// (200,000 characters, 2,000 spans), without drawing: what a key costs
// before its frame (scripts/bench reports it).
func BenchmarkCursorKey(b *testing.B) {
	h := longHarness(b, 200_000, 2000, 160, 50)
	w := press("w")
	last := h.m.doc.tokens[len(h.m.doc.tokens)-1]
	mid := h.m.doc.tokens[len(h.m.doc.tokens)/2]
	b.ReportAllocs()
	for b.Loop() {
		if h.m.head == last {
			h.m.selectRange(mid)
		}
		h.m.Update(w)
	}
}
