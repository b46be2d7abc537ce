package agree

import (
	"encoding/json"
	"math"
)

// Result is one coefficient with what it was computed from.
type Result struct {
	// Value is the coefficient; NaN when undefined (see Reason).
	Value float64
	// N is the sample size the coefficient rests on. Each function says
	// what it counts: pairable values for alpha, units for the kappa family,
	// coder pairs for the exact-match rate.
	N int
	// Units is the number of units that entered the computation.
	Units int
	// Observed and Expected are the observed and chance-expected agreement
	// (kappa family, exact-match) or disagreement (alpha: D_o and D_e).
	Observed, Expected float64
	// Reason says why Value is NaN, or notes a convention that was applied
	// (for example Fleiss' kappa over unequal numbers of ratings).
	Reason string
}

// Defined reports whether the coefficient has a value.
func (r Result) Defined() bool { return !math.IsNaN(r.Value) }

// MarshalJSON writes {"value", "n", "units", "observed", "expected",
// "reason"}, with null for any NaN, since JSON has no NaN.
func (r Result) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Value    *float64 `json:"value"`
		N        int      `json:"n"`
		Units    int      `json:"units"`
		Observed *float64 `json:"observed"`
		Expected *float64 `json:"expected"`
		Reason   string   `json:"reason,omitempty"`
	}{nullable(r.Value), r.N, r.Units, nullable(r.Observed), nullable(r.Expected), r.Reason})
}

func nullable(f float64) *float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return &f
}

func undefined(reason string) Result {
	return Result{Value: math.NaN(), Observed: math.NaN(), Expected: math.NaN(), Reason: reason}
}

// chanceCorrected is (po - pe) / (1 - pe), NaN when pe is 1 (every rating in
// one category: no variation, so nothing to correct for).
func chanceCorrected(po, pe float64) float64 {
	if 1-pe <= 1e-12 {
		return math.NaN()
	}
	return (po - pe) / (1 - pe)
}
