package agree

import (
	"math"
	"math/rand/v2"
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
