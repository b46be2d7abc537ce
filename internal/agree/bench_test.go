package agree

import (
	"math/rand/v2"
	"testing"
)

// corpus builds n documents of about 3,000 characters with two annotators
// who mostly agree: 20 spans each, some shifted, relabelled or dropped.
func corpus(n int) ([]SpanDoc, []UnitizingDoc, Data) {
	rng := rand.New(rand.NewPCG(42, 42))
	labels := []string{"ORG", "PER", "GPE", "WEA", "COUNT"}
	spans := make([]SpanDoc, n)
	units := make([]UnitizingDoc, n)
	field := Data{Units: make([][]Value, n), Categories: labels}
	for d := range n {
		var a, b []Span
		at := 0
		for range 20 {
			at += 20 + rng.IntN(120)
			s := Span{at, at + 3 + rng.IntN(15), labels[rng.IntN(len(labels))]}
			a = append(a, s)
			switch r := rng.Float64(); {
			case r < 0.1:
			case r < 0.2:
				s.End++
				b = append(b, s)
			case r < 0.25:
				s.Label = labels[rng.IntN(len(labels))]
				b = append(b, s)
			default:
				b = append(b, s)
			}
		}
		spans[d] = SpanDoc{A: a, B: b}
		units[d] = UnitizingDoc{Length: at + 50, Annotators: [][]Span{a, b}}
		v := float64(rng.IntN(len(labels)))
		w := v
		if rng.Float64() < 0.2 {
			w = float64(rng.IntN(len(labels)))
		}
		field.Units[d] = []Value{Num(v), Num(w)}
	}
	return spans, units, field
}

// BenchmarkSpans10000 is span agreement over 10,000 documents x 2
// annotators.
func BenchmarkSpans10000(b *testing.B) {
	spans, _, _ := corpus(10000)
	for b.Loop() {
		CompareSpanDocs(spans)
	}
}

// BenchmarkUnitizingAlpha10000 is alpha_u for every label over 10,000
// documents.
func BenchmarkUnitizingAlpha10000(b *testing.B) {
	_, units, _ := corpus(10000)
	for b.Loop() {
		for _, label := range []string{"ORG", "PER", "GPE", "WEA", "COUNT"} {
			UnitizingAlpha(units, label)
		}
	}
}

// BenchmarkFields10000 is every coefficient of one field over 10,000
// articles.
func BenchmarkFields10000(b *testing.B) {
	_, _, field := corpus(10000)
	for b.Loop() {
		Alpha(field, Nominal)
		Alpha(field, Ordinal)
		CohenKappa(field)
		ScottPi(field)
		FleissKappa(field)
		GwetAC1(field)
		ExactMatch(field)
	}
}

// BenchmarkAll10000 is the whole report of a 10,000-article study: spans,
// alpha_u per label and one field; the target is well under a second.
func BenchmarkAll10000(b *testing.B) {
	spans, units, field := corpus(10000)
	for b.Loop() {
		CompareSpanDocs(spans)
		for _, label := range []string{"ORG", "PER", "GPE", "WEA", "COUNT"} {
			UnitizingAlpha(units, label)
		}
		Alpha(field, Nominal)
		FleissKappa(field)
		GwetAC1(field)
	}
}
