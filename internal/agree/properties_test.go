package agree

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func randomData(rng *rand.Rand, units, coders, categories int, missing float64) Data {
	rows := make([][]Value, units)
	for u := range rows {
		rows[u] = make([]Value, coders)
		truth := rng.IntN(categories)
		for c := range rows[u] {
			if rng.Float64() < missing {
				continue
			}
			v := truth
			if rng.Float64() < 0.3 {
				v = rng.IntN(categories)
			}
			rows[u][c] = Num(float64(v))
		}
	}
	return Data{Units: rows, Categories: numberedCategories(categories)}
}

type coefficient struct {
	name string
	f    func(Data) Result
}

var coefficients = []coefficient{
	{"alpha nominal", func(d Data) Result { return Alpha(d, Nominal) }},
	{"alpha ordinal", func(d Data) Result { return Alpha(d, Ordinal) }},
	{"alpha interval", func(d Data) Result { return Alpha(d, Interval) }},
	{"alpha ratio", func(d Data) Result { return Alpha(d, Ratio) }},
	{"fleiss", FleissKappa},
	{"ac1", GwetAC1},
	{"exact", ExactMatch},
}

func same(a, b float64) bool {
	return (math.IsNaN(a) && math.IsNaN(b)) || math.Abs(a-b) < 1e-9
}

func TestPermutationInvariance(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for trial := range 50 {
		d := randomData(rng, 3+rng.IntN(40), 2+rng.IntN(4), 2+rng.IntN(5), 0.2)
		// Permute units, and coders within the same permutation for every unit.
		coders := rng.Perm(d.Coders())
		p := Data{Categories: d.Categories}
		for _, u := range rng.Perm(len(d.Units)) {
			row := make([]Value, len(coders))
			for c, from := range coders {
				row[c] = d.Units[u][from]
			}
			p.Units = append(p.Units, row)
		}
		for _, c := range coefficients {
			x, y := c.f(d), c.f(p)
			if !same(x.Value, y.Value) || x.N != y.N {
				t.Errorf("trial %d %s: %v (n %d) becomes %v (n %d) when permuted", trial, c.name, x.Value, x.N, y.Value, y.N)
			}
		}
		if d.Coders() >= 2 {
			two := d.Pair(0, 1)
			swapped := d.Pair(1, 0)
			for _, f := range []func(Data) Result{CohenKappa, ScottPi} {
				if x, y := f(two), f(swapped); !same(x.Value, y.Value) {
					t.Errorf("trial %d: two-coder coefficient not symmetric: %v %v", trial, x.Value, y.Value)
				}
			}
		}
	}
}

func TestPerfectAgreement(t *testing.T) {
	codes := [][]string{{"a", "a", "a"}, {"b", "b", ""}, {"c", "c", "c"}, {"a", "", "a"}}
	d := FromCodes(codes, nil)
	for _, c := range coefficients {
		if r := c.f(d); r.Value != 1 {
			t.Errorf("%s = %v (%s), want 1", c.name, r.Value, r.Reason)
		}
	}
	two := FromCodes([][]string{{"a", "a"}, {"b", "b"}, {"a", "a"}}, nil)
	for name, f := range map[string]func(Data) Result{"kappa": CohenKappa, "pi": ScottPi} {
		if r := f(two); r.Value != 1 {
			t.Errorf("%s = %v, want 1", name, r.Value)
		}
	}
}

func TestFleissIsScottForTwoCoders(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for range 20 {
		d := randomData(rng, 30, 2, 4, 0)
		if f, s := FleissKappa(d), ScottPi(d); !same(f.Value, s.Value) {
			t.Fatalf("Fleiss %v != Scott %v on complete two-coder data", f.Value, s.Value)
		}
	}
}

func TestEdgeCases(t *testing.T) {
	constant := FromCodes([][]string{{"a", "a"}, {"a", "a"}, {"a", "a"}}, nil)
	single := FromCodes([][]string{{"a"}, {"b"}, {"a"}}, nil)
	noOverlap := FromCodes([][]string{{"a", ""}, {"", "b"}}, nil)
	for _, tc := range []struct {
		name string
		d    Data
		f    func(Data) Result
	}{
		{"alpha, no variation", constant, func(d Data) Result { return Alpha(d, Nominal) }},
		{"kappa, no variation", constant, CohenKappa},
		{"pi, no variation", constant, ScottPi},
		{"fleiss, no variation", constant, FleissKappa},
		{"ac1, one category", constant, GwetAC1},
		{"alpha, single coder", single, func(d Data) Result { return Alpha(d, Interval) }},
		{"fleiss, single coder", single, FleissKappa},
		{"kappa, single coder", single, CohenKappa},
		{"kappa, no unit coded by both", noOverlap, CohenKappa},
		{"exact, no pairs", noOverlap, ExactMatch},
	} {
		r := tc.f(tc.d)
		if r.Defined() || r.Reason == "" {
			t.Errorf("%s: %v (%q), want NaN with a reason", tc.name, r.Value, r.Reason)
		}
	}
	// Constant values with a second category available: AC1 is defined
	// (its chance term does not vanish), agreement is total.
	withQ := FromCodes([][]string{{"a", "a"}, {"a", "a"}}, []string{"a", "b"})
	if r := GwetAC1(withQ); r.Value != 1 {
		t.Errorf("AC1 with q=2 and one category used = %v, want 1", r.Value)
	}
	// Unknown is missing and 0 is a value.
	zero, two := 0.0, 2.0
	counts := FromNumbers([][]*float64{{&zero, nil}, {&zero, &zero}, {&two, &two}})
	if r := Alpha(counts, Ratio); r.N != 4 || r.Value != 1 {
		t.Errorf("alpha ratio with unknown = %+v, want n 4 and 1", r)
	}
	// Unequal numbers of ratings are noted.
	if r := FleissKappa(FromCodes([][]string{{"a", "a", "b"}, {"b", "b"}, {"a", "a", "a"}}, nil)); !strings.Contains(r.Reason, "unequal") {
		t.Errorf("Fleiss with missing values: reason %q", r.Reason)
	}
}

func TestOrderedCodes(t *testing.T) {
	d, err := FromOrdered([][]string{{"A", "B"}, {"C", "C"}, {"F", "E"}}, []string{"A", "B", "C", "D", "E", "F"})
	if err != nil || !Alpha(d, Ordinal).Defined() {
		t.Fatalf("ordinal codes: %v", err)
	}
	if _, err := FromOrdered([][]string{{"A", "G"}}, []string{"A", "B"}); err == nil {
		t.Error("an unknown code is not an error")
	}
}

func TestResultJSON(t *testing.T) {
	b, err := json.Marshal(Alpha(FromCodes([][]string{{"a"}}, nil), Nominal))
	if err != nil || !strings.Contains(string(b), `"value":null`) {
		t.Errorf("undefined result marshals as %s (%v)", b, err)
	}
}

// TestKappaReasonWithoutUnits: two coders who share no unit (no aligned
// item at all) are still two coders; kappa's reason says what is missing,
// not that the data have 0 coders.
func TestKappaReasonWithoutUnits(t *testing.T) {
	for _, d := range []Data{
		{CoderCount: 2},
		{Units: [][]Value{{Num(1)}, {Num(0)}}, CoderCount: 2}, // the second coder's cells absent
		FromCoderRows([][]Value{nil, nil}),
		FromTable(nil),
		randomData(rand.New(rand.NewPCG(1, 1)), 0, 3, 2, 0).Pair(0, 2),
	} {
		for name, f := range map[string]func(Data) Result{"kappa": CohenKappa, "pi": ScottPi} {
			r := f(d)
			if r.Defined() || r.Reason != "no unit was coded by both coders" {
				t.Errorf("%s of %+v: %v, reason %q, want null: no unit was coded by both coders", name, d, r.Value, r.Reason)
			}
		}
	}
}
