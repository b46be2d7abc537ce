package agree

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// TestCrossCheck compares against values computed by NLTK and scikit-learn
// (testdata/crosscheck.py). It runs only when AGREE_CROSSCHECK names the
// script's output, so the suite never needs Python.
func TestCrossCheck(t *testing.T) {
	path := os.Getenv("AGREE_CROSSCHECK")
	if path == "" {
		t.Skip("AGREE_CROSSCHECK not set")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name          string
		Units         [][]*float64
		AlphaNominal  *float64 `json:"alpha_nominal"`
		AlphaInterval *float64 `json:"alpha_interval"`
		Pi, Kappa     *float64
		SklearnKappa  *float64 `json:"sklearn_kappa"`
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, c := range cases {
		d := FromNumbers(c.Units)
		cmp := func(what string, got Result, want *float64) {
			if want == nil {
				return
			}
			checked++
			if math.Abs(got.Value-*want) > 1e-9 {
				t.Errorf("%s %s: ours %.6f, reference %.6f", c.Name, what, got.Value, *want)
			}
		}
		cmp("alpha nominal", Alpha(d, Nominal), c.AlphaNominal)
		cmp("alpha interval", Alpha(d, Interval), c.AlphaInterval)
		if len(c.Units[0]) == 2 {
			cmp("pi", ScottPi(d), c.Pi)
		} else {
			cmp("fleiss (NLTK multi-pi)", FleissKappa(d), c.Pi)
		}
		cmp("kappa (NLTK)", CohenKappa(d), c.Kappa)
		cmp("kappa (sklearn)", CohenKappa(d), c.SklearnKappa)
	}
	t.Logf("%d values compared over %d cases", checked, len(cases))
}
