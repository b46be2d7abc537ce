package agree

import (
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestCompareSpans(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b []Span
		want SpanCounts
	}{
		{"identical", []Span{{0, 4, "ORG"}, {10, 15, "GPE"}}, []Span{{10, 15, "GPE"}, {0, 4, "ORG"}},
			SpanCounts{A: 2, B: 2, Strict: 2}},
		{"boundary", []Span{{0, 4, "ORG"}}, []Span{{0, 3, "ORG"}}, SpanCounts{A: 1, B: 1, Overlap: 1}},
		{"label", []Span{{0, 4, "ORG"}}, []Span{{0, 4, "PER"}}, SpanCounts{A: 1, B: 1, OtherLabel: 2}},
		{"boundary and label", []Span{{0, 4, "ORG"}}, []Span{{1, 6, "PER"}}, SpanCounts{A: 1, B: 1, OverlapOtherLabel: 2}},
		{"missing", []Span{{0, 4, "ORG"}, {20, 25, "WEA"}}, []Span{{0, 4, "ORG"}}, SpanCounts{A: 2, B: 1, Strict: 1, OnlyA: 1}},
		{"extra", nil, []Span{{5, 9, "TIME"}}, SpanCounts{B: 1, OnlyB: 1}},
		{"touching is not overlap", []Span{{0, 4, "ORG"}}, []Span{{4, 8, "ORG"}}, SpanCounts{A: 1, B: 1, OnlyA: 1, OnlyB: 1}},
		// Exact matches are taken first, then the largest overlap.
		{"exact before overlap", []Span{{0, 10, "ORG"}, {0, 8, "ORG"}}, []Span{{0, 8, "ORG"}, {2, 10, "ORG"}},
			SpanCounts{A: 2, B: 2, Strict: 1, Overlap: 1}},
		{"largest overlap wins", []Span{{0, 10, "ORG"}}, []Span{{0, 3, "ORG"}, {2, 10, "ORG"}},
			SpanCounts{A: 1, B: 2, Overlap: 1, OnlyB: 1}},
		// A same-label overlap is preferred to a same-span other label.
		{"label before boundaries", []Span{{0, 5, "ORG"}}, []Span{{0, 5, "PER"}, {0, 4, "ORG"}},
			SpanCounts{A: 1, B: 2, Overlap: 1, OnlyB: 1}},
		// "SDF spokeswoman" PER containing "SDF" ORG, both annotators.
		{"nested", []Span{{0, 15, "PER"}, {0, 3, "ORG"}}, []Span{{0, 3, "ORG"}, {0, 15, "PER"}},
			SpanCounts{A: 2, B: 2, Strict: 2}},
	} {
		got := CompareSpans(tc.a, tc.b).Micro.SpanCounts
		if got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
		if got.A+got.B != 2*got.Strict+2*got.Overlap+got.OtherLabel+got.OverlapOtherLabel+got.OnlyA+got.OnlyB {
			t.Errorf("%s: counts do not add up: %+v", tc.name, got)
		}
	}
}

func TestSpanScores(t *testing.T) {
	a := []Span{{0, 4, "ORG"}, {10, 14, "ORG"}, {20, 24, "GPE"}}
	b := []Span{{0, 4, "ORG"}, {10, 13, "ORG"}, {30, 34, "GPE"}, {40, 44, "GPE"}}
	r := CompareSpans(a, b)
	m := r.Micro
	if m.PrecisionStrict != 1.0/3 || m.RecallStrict != 1.0/4 || m.F1Strict != 2.0/7 ||
		m.PrecisionOverlap != 2.0/3 || m.RecallOverlap != 2.0/4 || m.F1Overlap != 4.0/7 || m.N != 7 {
		t.Errorf("micro = %+v", m)
	}
	org, gpe := r.Labels["ORG"], r.Labels["GPE"]
	if org.F1Strict != 0.5 || org.F1Overlap != 1 || gpe.F1Overlap != 0 || gpe.OnlyA != 1 || gpe.OnlyB != 2 {
		t.Errorf("per label: ORG %+v GPE %+v", org, gpe)
	}
	if none := CompareSpans(nil, nil).Micro; !math.IsNaN(none.F1Strict) || none.N != 0 {
		t.Errorf("no spans: %+v, want NaN F1 and n 0", none)
	}
}

func TestSpanDocsPooledAndMean(t *testing.T) {
	docs := []SpanDoc{
		{A: []Span{{0, 4, "ORG"}}, B: []Span{{0, 4, "ORG"}}},
		{A: []Span{{0, 4, "ORG"}, {5, 9, "ORG"}, {10, 14, "ORG"}}, B: []Span{{20, 24, "ORG"}}},
		{},
	}
	pooled := CompareSpanDocs(docs).Micro
	if pooled.F1Strict != 2.0/6 {
		t.Errorf("pooled F1 = %v, want 1/3", pooled.F1Strict)
	}
	mean := MeanPerDocument(docs)
	if mean.F1Strict != 0.5 || mean.N != 2 {
		t.Errorf("mean = %+v, want 0.5 over 2 documents", mean)
	}
}

func TestSpansSymmetric(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		a, b := randomSpans(rng, 8), randomSpans(rng, 8)
		ab, ba := CompareSpans(a, b).Micro, CompareSpans(b, a).Micro
		if ab.F1Strict != ba.F1Strict && !(math.IsNaN(ab.F1Strict) && math.IsNaN(ba.F1Strict)) {
			t.Fatalf("F1 strict not symmetric: %v %v for %v %v", ab.F1Strict, ba.F1Strict, a, b)
		}
		if ab.Strict != ba.Strict || ab.OnlyA != ba.OnlyB {
			t.Fatalf("counts not symmetric: %+v %+v", ab.SpanCounts, ba.SpanCounts)
		}
		if self := CompareSpans(a, a).Micro; len(a) > 0 && self.F1Strict != 1 {
			t.Fatalf("self agreement %v for %v", self.F1Strict, a)
		}
	}
}

func randomSpans(rng *rand.Rand, n int) []Span {
	labels := []string{"ORG", "PER", "GPE"}
	spans := make([]Span, rng.IntN(n))
	for i := range spans {
		start := rng.IntN(60)
		spans[i] = Span{start, start + 1 + rng.IntN(8), labels[rng.IntN(len(labels))]}
	}
	return spans
}

func TestLinkF1(t *testing.T) {
	isis, amaq, sdf, spokes := Span{0, 4, "ORG"}, Span{20, 24, "ORG"}, Span{40, 43, "ORG"}, Span{50, 65, "PER"}
	isis2 := Span{80, 90, "ORG"}
	a := []Entity{{isis, amaq, isis2}, {sdf}, {spokes}}
	b := []Entity{{isis, isis2}, {amaq}, {sdf, spokes}}
	s := LinkF1(a, b)
	// A's links: isis-amaq, isis-isis2, amaq-isis2; B's: isis-isis2, sdf-spokes.
	if s.LinksA != 3 || s.LinksB != 2 || s.Common != 1 || s.F1 != 2.0/5 || s.Precision != 1.0/3 || s.Recall != 0.5 {
		t.Errorf("link scores = %+v", s)
	}
	if same := LinkF1(a, a); same.F1 != 1 {
		t.Errorf("self link F1 = %v", same.F1)
	}
	if none := LinkF1([]Entity{{isis}}, []Entity{{isis}}); !math.IsNaN(none.F1) || none.N != 0 {
		t.Errorf("singletons only: %+v, want NaN", none)
	}
}

// spanCounts is a report's counts per label and micro, for comparing two
// reports whatever NaN their scores hold.
func spanCounts(r SpanReport) map[string]SpanCounts {
	m := map[string]SpanCounts{"\x00micro": r.Micro.SpanCounts}
	for label, s := range r.Labels {
		m[label] = s.SpanCounts
	}
	return m
}

// TestSpansTiesByPosition: A's "Sichuan hot pot" overlaps B's "Sichuan"
// and "hot pot" by seven characters each, and A's "pot roast" overlaps
// "hot pot" only. Which of the two A's first span takes must not depend
// on the order B's spans are stored in: it goes by position, so it takes
// "Sichuan" and "pot roast" takes "hot pot" (overlap F1 1.0 whichever
// order, where storage order gave 1.0 one way and 0.5 the other).
func TestSpansTiesByPosition(t *testing.T) {
	// "Sichuan hot pot roast"
	a := []Span{{0, 15, "FOOD"}, {12, 21, "FOOD"}}
	sichuan, hotPot := Span{0, 7, "FOOD"}, Span{8, 15, "FOOD"}
	for _, b := range [][]Span{{sichuan, hotPot}, {hotPot, sichuan}} {
		m := CompareSpans(a, b).Micro
		if m.Overlap != 2 || m.F1Overlap != 1 {
			t.Errorf("B stored as %v: %+v, overlap F1 %v, want 2 overlapping pairs and 1.0", b, m.SpanCounts, m.F1Overlap)
		}
	}
	// Where position ties too, the label decides: A's DISH "Sichuan hot
	// pot" overlaps B's FOOD and CUISINE "Sichuan" alike, and takes
	// CUISINE (before FOOD) in either order.
	a = []Span{{0, 15, "DISH"}}
	for _, b := range [][]Span{{{0, 7, "FOOD"}, {0, 7, "CUISINE"}}, {{0, 7, "CUISINE"}, {0, 7, "FOOD"}}} {
		r := CompareSpans(a, b)
		if c, f := r.Labels["CUISINE"], r.Labels["FOOD"]; c.OverlapOtherLabel != 1 || f.OnlyB != 1 {
			t.Errorf("B stored as %v: CUISINE %+v FOOD %+v, want CUISINE aligned and FOOD only B", b, c.SpanCounts, f.SpanCounts)
		}
	}
}

// TestSpansOrderInvariant: the alignment of the same spans gives the same
// counts, per label and micro, for every order they are stored in.
func TestSpansOrderInvariant(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 9))
	// Few positions and labels, so that overlaps tie often.
	random := func() []Span {
		labels := []string{"FOOD", "CUISINE", "DISH"}
		spans := make([]Span, rng.IntN(7))
		for i := range spans {
			start := 2 * rng.IntN(6)
			spans[i] = Span{start, start + 2 + 2*rng.IntN(3), labels[rng.IntN(len(labels))]}
		}
		return spans
	}
	shuffled := func(s []Span) []Span {
		s = slices.Clone(s)
		rng.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
		return s
	}
	for trial := range 2000 {
		a, b := random(), random()
		want := spanCounts(CompareSpans(a, b))
		for range 10 {
			pa, pb := shuffled(a), shuffled(b)
			if got := spanCounts(CompareSpans(pa, pb)); !maps.Equal(got, want) {
				t.Fatalf("trial %d: %v vs %v gives %v\nstored as %v vs %v it gives %v", trial, a, b, want, pa, pb, got)
			}
		}
	}
}
