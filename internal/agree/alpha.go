package agree

import (
	"math"
	"slices"
)

// Level is a level of measurement: it chooses alpha's difference function.
type Level int

// The levels of measurement Krippendorff's alpha supports here.
const (
	// Nominal: values are categories; any two different values differ by 1.
	Nominal Level = iota
	// Ordinal: values are ranks; the difference between two values grows
	// with how many pairable values lie between them (Krippendorff's
	// ordinal metric, over the observed marginals).
	Ordinal
	// Interval: the squared difference of the values.
	Interval
	// Ratio: ((c-k)/(c+k))^2; two zeros do not differ. Values must not be
	// negative.
	Ratio
)

// String names the level as the JSON report does.
func (l Level) String() string {
	switch l {
	case Nominal:
		return "nominal"
	case Ordinal:
		return "ordinal"
	case Interval:
		return "interval"
	case Ratio:
		return "ratio"
	}
	return "unknown"
}

// Alpha computes Krippendorff's alpha by the coincidence-matrix method
// (Krippendorff, "Computing Krippendorff's Alpha-Reliability", 2011):
//
//	alpha = 1 - D_o / D_e
//	D_o = 1/n * sum_u 1/(m_u - 1) * sum over ordered pairs i != j in u of delta^2(v_i, v_j)
//	D_e = 1/(n(n-1)) * sum_c sum_k n_c n_k delta^2(c, k)
//
// where m_u is the number of values unit u received. Units with fewer than
// two values are not pairable and are dropped; n (Result.N) is the number
// of pairable values, n_c the pairable values equal to c. Result.Units is
// the number of pairable units; Observed and Expected are D_o and D_e.
//
// Conventions: alpha is NaN when no unit has two values (a single coder, or
// no overlap), and NaN when D_e = 0, that is when every pairable value is
// the same: the data show no variation, so they cannot tell agreement from
// chance and Krippendorff treats alpha as undefined there (0/0). When the
// data vary across units and every unit is coded alike, D_o = 0 and alpha
// is 1. Values with a NaN X are treated as missing.
func Alpha(d Data, level Level) Result {
	// Pass 1: pairable values and their marginals.
	counts := map[float64]float64{}
	n, units := 0.0, 0
	var buf []float64
	for _, unit := range d.Units {
		vals := finite(present(unit, buf))
		buf = vals
		if len(vals) < 2 {
			continue
		}
		units++
		for _, v := range vals {
			counts[v]++
			n++
		}
	}
	if units == 0 {
		r := undefined("no unit has two or more values: nothing to compare")
		return r
	}
	distinct := make([]float64, 0, len(counts))
	for v := range counts {
		distinct = append(distinct, v)
	}
	slices.Sort(distinct)

	// The ordinal metric is the interval metric over mid-ranks of the
	// pairable values: sum_{g=c..k} n_g - (n_c+n_k)/2 = p(k) - p(c) with
	// p(x) = (number of pairable values <= x) - n_x/2.
	position := func(x float64) float64 { return x }
	if level == Ordinal {
		mid := make(map[float64]float64, len(distinct))
		cum := 0.0
		for _, v := range distinct {
			cum += counts[v]
			mid[v] = cum - counts[v]/2
		}
		position = func(x float64) float64 { return mid[x] }
	}
	delta := func(a, b float64) float64 {
		switch level {
		case Nominal:
			if a == b {
				return 0
			}
			return 1
		case Ratio:
			if a+b == 0 {
				return 0
			}
			r := (a - b) / (a + b)
			return r * r
		default:
			x := position(a) - position(b)
			return x * x
		}
	}

	// Pass 2: observed disagreement, unit by unit.
	observed := 0.0
	for _, unit := range d.Units {
		vals := finite(present(unit, buf))
		buf = vals
		if len(vals) < 2 {
			continue
		}
		s := 0.0
		for i, a := range vals {
			for j, b := range vals {
				if i != j {
					s += delta(a, b)
				}
			}
		}
		observed += s / float64(len(vals)-1)
	}

	// Expected disagreement from the marginals.
	var expected float64
	switch level {
	case Nominal:
		sq := 0.0
		for _, c := range counts {
			sq += c * c
		}
		expected = n*n - sq
	case Ordinal, Interval:
		s1, s2 := 0.0, 0.0
		for _, v := range distinct {
			p := position(v)
			s1 += counts[v] * p
			s2 += counts[v] * p * p
		}
		expected = 2 * (n*s2 - s1*s1)
	case Ratio:
		for _, a := range distinct {
			for _, b := range distinct {
				expected += counts[a] * counts[b] * delta(a, b)
			}
		}
	}
	do := observed / n
	de := expected / (n * (n - 1))
	r := Result{N: int(n), Units: units, Observed: do, Expected: de}
	if len(distinct) < 2 {
		r.Value = math.NaN()
		r.Reason = "no variation: every pairable value is the same (D_e = 0), so alpha is undefined"
		return r
	}
	r.Value = 1 - do/de
	return r
}

// finite drops NaN and infinite values in place.
func finite(vals []float64) []float64 {
	out := vals[:0]
	for _, v := range vals {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			out = append(out, v)
		}
	}
	return out
}
