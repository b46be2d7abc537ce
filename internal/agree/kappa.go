package agree

import (
	"fmt"
	"math"
)

// Pair returns the data of coders a and b only, in that order: the input
// of the two-coder coefficients when a study has more coders.
func (d Data) Pair(a, b int) Data {
	units := make([][]Value, len(d.Units))
	for u, unit := range d.Units {
		row := []Value{Missing, Missing}
		if a < len(unit) {
			row[0] = unit[a]
		}
		if b < len(unit) {
			row[1] = unit[b]
		}
		units[u] = row
	}
	return Data{Units: units, Categories: d.Categories, CoderCount: 2}
}

// twoCoder is the cross-classification of the units both coders coded.
type twoCoder struct {
	n      int                 // units both coded
	agree  int                 // units coded alike
	first  map[float64]float64 // first coder's marginal counts
	second map[float64]float64 // second coder's marginal counts
}

func crossClassify(d Data) (twoCoder, string) {
	if c := d.Coders(); c != 2 {
		return twoCoder{}, fmt.Sprintf("needs exactly two coders, the data have %d", c)
	}
	t := twoCoder{first: map[float64]float64{}, second: map[float64]float64{}}
	for _, unit := range d.Units {
		if len(unit) < 2 || !unit[0].OK || !unit[1].OK || !isFinite(unit[0].X) || !isFinite(unit[1].X) {
			continue
		}
		t.n++
		if unit[0].X == unit[1].X {
			t.agree++
		}
		t.first[unit[0].X]++
		t.second[unit[1].X]++
	}
	if t.n == 0 {
		return t, "no unit was coded by both coders"
	}
	return t, ""
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// CohenKappa is Cohen's (1960) kappa for exactly two coders over the units
// both coded (units one coder left out are dropped): po is the share of
// those units coded alike, pe = sum_k pA(k) pB(k) from each coder's own
// marginals. N is the number of units both coded. NaN when pe = 1 (both
// coders used one and the same category throughout).
func CohenKappa(d Data) Result {
	t, why := crossClassify(d)
	if why != "" {
		return undefined(why)
	}
	n := float64(t.n)
	pe := 0.0
	for k, a := range t.first {
		pe += (a / n) * (t.second[k] / n)
	}
	return twoCoderResult(t, pe)
}

// ScottPi is Scott's (1955) pi for exactly two coders over the units both
// coded: as kappa, but chance agreement uses the coders' pooled marginals,
// pe = sum_k ((pA(k) + pB(k)) / 2)^2. N is the number of units both coded.
// On complete data it equals Fleiss' kappa with two coders.
func ScottPi(d Data) Result {
	t, why := crossClassify(d)
	if why != "" {
		return undefined(why)
	}
	n := float64(t.n)
	pe := 0.0
	for _, k := range unionKeys(t.first, t.second) {
		p := (t.first[k] + t.second[k]) / (2 * n)
		pe += p * p
	}
	return twoCoderResult(t, pe)
}

func twoCoderResult(t twoCoder, pe float64) Result {
	po := float64(t.agree) / float64(t.n)
	r := Result{N: t.n, Units: t.n, Observed: po, Expected: pe, Value: chanceCorrected(po, pe)}
	if !r.Defined() {
		r.Reason = "no variation: both coders used a single category, so chance agreement is 1"
	}
	return r
}

func unionKeys(a, b map[float64]float64) []float64 {
	keys := make([]float64, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	return keys
}

// multiRater is the per-category distribution of ratings in each unit.
type multiRater struct {
	pa       float64             // mean pairwise agreement over units with >= 2 ratings
	pi       map[float64]float64 // mean share of each category over units with >= 1 rating
	paired   int                 // units with >= 2 ratings
	rated    int                 // units with >= 1 rating
	unequal  bool                // units differ in their number of ratings
	observed int                 // distinct categories observed
}

func distribute(d Data) multiRater {
	m := multiRater{pi: map[float64]float64{}}
	var buf []float64
	counts := map[float64]float64{}
	size := -1
	for _, unit := range d.Units {
		vals := finite(present(unit, buf))
		buf = vals
		r := float64(len(vals))
		if r == 0 {
			continue
		}
		if size >= 0 && size != len(vals) {
			m.unequal = true
		}
		size = len(vals)
		clear(counts)
		for _, v := range vals {
			counts[v]++
		}
		m.rated++
		for k, c := range counts {
			m.pi[k] += c / r
		}
		if r >= 2 {
			m.paired++
			s := 0.0
			for _, c := range counts {
				s += c * (c - 1)
			}
			m.pa += s / (r * (r - 1))
		}
	}
	for k := range m.pi {
		m.pi[k] /= float64(m.rated)
	}
	if m.paired > 0 {
		m.pa /= float64(m.paired)
	}
	m.observed = len(m.pi)
	return m
}

const unequalNote = "units have unequal numbers of ratings: Gwet's generalisation is used (agreement over units with two or more ratings, category shares over units with one or more; irrCAC fleiss.kappa.raw)"

// FleissKappa is Fleiss' (1971) kappa for any number of coders, which need
// not be the same coders on every unit:
//
//	po = mean over units of sum_k r_uk (r_uk - 1) / (r_u (r_u - 1))
//	pi_k = mean over units of r_uk / r_u;  pe = sum_k pi_k^2
//
// Fleiss defined it for the same number of ratings r on every unit. When
// units have different numbers of ratings (missing values), po is averaged
// over the units with two or more ratings and pi_k over the units with one
// or more: Gwet's generalisation (Handbook of Inter-Rater Reliability; R
// irrCAC fleiss.kappa.raw), which reduces to Fleiss' formula when every
// unit has r ratings; Reason then says so. N is the number of units with
// two or more ratings.
func FleissKappa(d Data) Result {
	m := distribute(d)
	if m.paired == 0 {
		return undefined("no unit has two or more ratings: nothing to compare")
	}
	pe := 0.0
	for _, p := range m.pi {
		pe += p * p
	}
	r := Result{N: m.paired, Units: m.paired, Observed: m.pa, Expected: pe, Value: chanceCorrected(m.pa, pe)}
	switch {
	case !r.Defined():
		r.Reason = "no variation: every rating is in one category, so chance agreement is 1"
	case m.unequal:
		r.Reason = unequalNote
	}
	return r
}

// GwetAC1 is Gwet's (2008) AC1 for any number of coders, with missing
// values allowed:
//
//	pa as in FleissKappa;  pe = 1/(q-1) * sum_k pi_k (1 - pi_k)
//
// q is the number of categories the coders could use: the length of
// d.Categories, or the number of categories observed if that is larger.
// AC1 stays near the observed agreement when one category dominates, where
// kappa and pi are pulled down. N is the number of units with two or more
// ratings. NaN when q < 2.
func GwetAC1(d Data) Result {
	m := distribute(d)
	if m.paired == 0 {
		return undefined("no unit has two or more ratings: nothing to compare")
	}
	q := max(len(d.Categories), m.observed)
	if q < 2 {
		r := undefined("only one category: AC1's chance term 1/(q-1) is undefined")
		r.N, r.Units, r.Observed = m.paired, m.paired, m.pa
		return r
	}
	pe := 0.0
	for _, p := range m.pi {
		pe += p * (1 - p)
	}
	pe /= float64(q - 1)
	r := Result{N: m.paired, Units: m.paired, Observed: m.pa, Expected: pe, Value: chanceCorrected(m.pa, pe)}
	if m.unequal {
		r.Reason = unequalNote
	}
	return r
}

// ExactMatch is the share of coder pairs that gave a unit the same value,
// pooled over all pairs of values within units (a unit with r values has
// r(r-1)/2 pairs). With two coders it is the share of the units both coded
// on which they agree. N is the number of pairs compared; Expected is NaN.
// No chance correction: use it beside alpha for counts, where "exactly the
// same number" is what a reader asks.
func ExactMatch(d Data) Result {
	pairs, same, units := 0, 0, 0
	var buf []float64
	for _, unit := range d.Units {
		vals := finite(present(unit, buf))
		buf = vals
		if len(vals) < 2 {
			continue
		}
		units++
		for i := range vals {
			for j := i + 1; j < len(vals); j++ {
				pairs++
				if vals[i] == vals[j] {
					same++
				}
			}
		}
	}
	if pairs == 0 {
		return undefined("no unit has two or more values: nothing to compare")
	}
	rate := float64(same) / float64(pairs)
	return Result{Value: rate, N: pairs, Units: units, Observed: rate, Expected: math.NaN()}
}
