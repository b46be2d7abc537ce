package agree

import (
	"math"
	"testing"
)

// krippendorff2004 is the unitizing example of Krippendorff, Content
// Analysis (2nd ed., 2004, p. 254): a continuum from 150 to 450, shifted
// here to start at 0; labels c and k.
func krippendorff2004() []UnitizingDoc {
	at := func(begin, length int, label string) Span { return Span{begin - 150, begin - 150 + length, label} }
	return []UnitizingDoc{{Length: 300, Annotators: [][]Span{
		{at(225, 70, "c"), at(370, 30, "c"), at(180, 60, "k"), at(300, 50, "k")},
		{at(220, 80, "c"), at(355, 20, "c"), at(400, 20, "c"), at(180, 60, "k"), at(300, 50, "k")},
	}}}
}

func TestUnitizingKrippendorff2004(t *testing.T) {
	c := UnitizingAlpha(krippendorff2004(), "c")
	if math.Abs(c.Observed-0.0144) > 0.00005 || math.Abs(c.Expected-0.0532) > 0.00005 {
		t.Errorf("c: D_o=%.5f D_e=%.5f, want .0144 .0532", c.Observed, c.Expected)
	}
	near(t, "alpha_u c", c, 0.7286, 0.00005)
	if c.N != 5 {
		t.Errorf("c: n=%d units, want 5", c.N)
	}
	k := UnitizingAlpha(krippendorff2004(), "k")
	near(t, "alpha_u k", k, 1, 1e-12)
}

// krippendorff1995 is the example of Krippendorff (1995, p. 57): two
// annotators, a continuum of 24, four labels, stretched by a factor.
func krippendorff1995(stretch int) []UnitizingDoc {
	var a, b []Span
	add := func(begin, length, who int, label string) {
		s := Span{begin * stretch, (begin + length) * stretch, label}
		if who == 0 {
			a = append(a, s)
		} else {
			b = append(b, s)
		}
	}
	add(2, 8, 0, "A")
	add(14, 6, 0, "A")
	add(4, 4, 1, "A")
	add(15, 2, 1, "A")
	add(0, 18, 0, "B")
	for _, u := range [][2]int{{0, 2}, {2, 1}, {3, 1}, {4, 1}, {5, 1}, {6, 3}, {9, 1}} {
		add(u[0], u[1], 1, "B")
	}
	for _, u := range [][2]int{{2, 6}, {10, 2}, {14, 4}, {20, 2}} {
		add(u[0], u[1], 0, "C")
	}
	for _, u := range [][2]int{{0, 2}, {4, 4}, {10, 4}, {16, 2}, {20, 2}} {
		add(u[0], u[1], 1, "C")
	}
	for _, u := range [][2]int{{0, 2}, {2, 8}, {10, 4}, {14, 6}, {20, 4}} {
		add(u[0], u[1], 0, "D")
	}
	for _, u := range [][2]int{{0, 4}, {4, 4}, {8, 7}, {15, 2}, {17, 7}} {
		add(u[0], u[1], 1, "D")
	}
	return []UnitizingDoc{{Length: 24 * stretch, Annotators: [][]Span{a, b}}}
}

func TestUnitizingKrippendorff1995(t *testing.T) {
	// The paper's observed disagreements, on the continuum of 24.
	for label, want := range map[string]float64{"A": 0.03125, "B": 2.26736, "C": 0.02777, "D": 0.38715} {
		got := UnitizingAlpha(krippendorff1995(1), label)
		if math.Abs(got.Observed-want) > 0.00001 {
			t.Errorf("D_o %s = %.5f, want %.5f", label, got.Observed, want)
		}
	}
	// The paper's alphas; its D_e has a known slip (see UnitizingAlpha), and
	// its values are those of a near-continuous scale, so they are checked
	// on a fine grid and to two decimals.
	for label, want := range map[string]float64{"A": 0.553, "B": -0.926, "C": 0.679, "D": 0.066} {
		near(t, "alpha_u 1995 "+label, UnitizingAlpha(krippendorff1995(50000), label), want, 0.02)
	}
}

func TestUnitizingEdgeCases(t *testing.T) {
	doc := func(a, b []Span) []UnitizingDoc {
		return []UnitizingDoc{{Length: 100, Annotators: [][]Span{a, b}}}
	}
	some := []Span{{10, 20, "ORG"}, {40, 45, "ORG"}}
	for _, tc := range []struct {
		name    string
		docs    []UnitizingDoc
		defined bool
		check   func(float64) bool
	}{
		{"all agree", doc(some, some), true, func(v float64) bool { return v == 1 }},
		{"one marks nothing", doc(some, nil), true, func(v float64) bool { return v < 0 }},
		{"other marks nothing", doc(nil, some), true, func(v float64) bool { return v < 0 }},
		{"nobody marks anything", doc(nil, nil), false, nil},
		{"other label only", doc([]Span{{0, 5, "PER"}}, nil), false, nil},
		{"single annotator", []UnitizingDoc{{Length: 100, Annotators: [][]Span{some}}}, false, nil},
	} {
		r := UnitizingAlpha(tc.docs, "ORG")
		if r.Defined() != tc.defined || (tc.defined && !tc.check(r.Value)) || (!tc.defined && r.Reason == "") {
			t.Errorf("%s: alpha_u = %v (%s)", tc.name, r.Value, r.Reason)
		}
	}
	// No document at all says so: it does not count the annotators, whom
	// documents carry (it said "needs two or more annotators").
	for _, docs := range [][]UnitizingDoc{nil, {{Length: 0, Annotators: [][]Span{some, some}}}} {
		if r := UnitizingAlpha(docs, "ORG"); r.Defined() || r.Reason != "no document to compare" {
			t.Errorf("documents %v: alpha_u = %v (%s), want null: no document to compare", docs, r.Value, r.Reason)
		}
	}
	if r := UnitizingAlphaPerDocument(nil, "ORG"); r.Defined() || r.Reason != "no document to compare" {
		t.Errorf("no documents: per-document alpha_u = %v (%s), want null: no document to compare", r.Value, r.Reason)
	}
}

func TestUnitizingDocumentsPooled(t *testing.T) {
	one := krippendorff2004()[0]
	pooled := UnitizingAlpha([]UnitizingDoc{one, one}, "c")
	// Two copies have the same D_o; D_e changes only through N and L, so the
	// pooled value stays close to, but is not, the single-document one.
	if !pooled.Defined() || math.Abs(pooled.Value-0.7286) > 0.05 || pooled.N != 10 || pooled.Units != 2 {
		t.Errorf("pooled = %+v", pooled)
	}
	mean := UnitizingAlphaPerDocument([]UnitizingDoc{one, one}, "c")
	near(t, "per-document mean", mean, 0.7286, 0.00005)
}
