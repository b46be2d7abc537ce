package agree

import (
	"math"
	"testing"
)

// The tables below are the published reliability data of each worked
// example, typed in from the sources named; the expected values are the
// published coefficients.

// krippendorff2011 is the 4 coders x 12 units example with missing values
// of Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011),
// one row per coder; 0 is missing.
var krippendorff2011 = [][]int{
	{1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0},
	{1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 3},
	{0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 0},
	{1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0},
}

func coderRows(rows [][]int) Data {
	coders := make([][]Value, len(rows))
	for c, row := range rows {
		coders[c] = make([]Value, len(row))
		for u, v := range row {
			if v != 0 {
				coders[c][u] = Num(float64(v))
			}
		}
	}
	return FromCoderRows(coders)
}

func near(t *testing.T, name string, got Result, want, tol float64) {
	t.Helper()
	if math.IsNaN(got.Value) || math.Abs(got.Value-want) > tol {
		t.Errorf("%s = %.4f (n=%d, %s), want %.4f", name, got.Value, got.N, got.Reason, want)
	}
}

func TestAlphaKrippendorff2011(t *testing.T) {
	d := coderRows(krippendorff2011)
	for _, tc := range []struct {
		level Level
		want  float64
	}{{Nominal, 0.743}, {Ordinal, 0.815}, {Interval, 0.849}, {Ratio, 0.797}} {
		got := Alpha(d, tc.level)
		near(t, "alpha "+tc.level.String(), got, tc.want, 0.0005)
		// Unit 12 has one value, so 11 units and 40 pairable values remain.
		if got.N != 40 || got.Units != 11 {
			t.Errorf("alpha %v: n=%d units=%d, want 40 and 11", tc.level, got.N, got.Units)
		}
	}
}

// cohen1960 holds Cohen's (1960) two tables: p. 37 (N = 100, po .29, pc .35)
// and p. 45 (N = 200, po .70, pc .41, kappa .492).
var cohen1960 = [][][]int{
	{{25, 12, 3}, {13, 2, 15}, {12, 16, 2}},
	{{88, 14, 18}, {10, 40, 10}, {2, 6, 12}},
}

func TestCohen1960(t *testing.T) {
	first := CohenKappa(FromTable(cohen1960[0]))
	if math.Abs(first.Observed-0.29) > 1e-9 || math.Abs(first.Expected-0.35) > 1e-9 || first.N != 100 {
		t.Errorf("Cohen p.37: po=%.4f pe=%.4f n=%d, want .29 .35 100", first.Observed, first.Expected, first.N)
	}
	near(t, "kappa Cohen p.37", first, (0.29-0.35)/(1-0.35), 1e-9)
	second := CohenKappa(FromTable(cohen1960[1]))
	near(t, "kappa Cohen p.45", second, 0.492, 0.0005)
	if math.Abs(second.Observed-0.70) > 1e-9 || math.Abs(second.Expected-0.41) > 1e-9 || second.N != 200 {
		t.Errorf("Cohen p.45: po=%.4f pe=%.4f n=%d, want .70 .41 200", second.Observed, second.Expected, second.N)
	}
}

// fleiss1971 is Fleiss' (1971) Table 1: 30 patients, 6 psychiatrists each,
// counts per category (depression, personality disorder, schizophrenia,
// neurosis, other).
var fleiss1971 = [][]int{
	{0, 0, 0, 6, 0}, {0, 3, 0, 0, 3}, {0, 1, 4, 0, 1}, {0, 0, 0, 0, 6}, {0, 3, 0, 3, 0},
	{2, 0, 4, 0, 0}, {0, 0, 4, 0, 2}, {2, 0, 3, 1, 0}, {2, 0, 0, 4, 0}, {0, 0, 0, 0, 6},
	{1, 0, 0, 5, 0}, {1, 1, 0, 4, 0}, {0, 3, 3, 0, 0}, {1, 0, 0, 5, 0}, {0, 2, 0, 3, 1},
	{0, 0, 5, 0, 1}, {3, 0, 0, 1, 2}, {5, 1, 0, 0, 0}, {0, 2, 0, 4, 0}, {1, 0, 2, 0, 3},
	{0, 0, 0, 0, 6}, {0, 1, 0, 5, 0}, {0, 2, 0, 1, 3}, {2, 0, 0, 4, 0}, {1, 0, 0, 4, 1},
	{0, 5, 0, 1, 0}, {4, 0, 0, 0, 2}, {0, 2, 0, 4, 0}, {1, 0, 5, 0, 0}, {0, 0, 0, 0, 6},
}

func TestFleiss1971(t *testing.T) {
	got := FleissKappa(FromCounts(fleiss1971))
	near(t, "Fleiss 1971", got, 0.430, 0.0005)
	if got.N != 30 || got.Reason != "" {
		t.Errorf("Fleiss 1971: n=%d reason=%q, want 30 and no note", got.N, got.Reason)
	}
}

// zwick1988 holds Zwick's (1988, p. 376) three tables over categories
// A-D, with published pi and kappa.
var zwick1988 = []struct {
	table     [][]int
	pi, kappa float64
}{
	{[][]int{{20, 0, 0, 5}, {0, 10, 15, 0}, {0, 15, 10, 0}, {5, 0, 0, 20}}, 0.467, 0.467},
	{[][]int{{20, 10, 10, 0}, {10, 10, 0, 0}, {10, 0, 10, 0}, {0, 0, 0, 20}}, 0.444, 0.444},
	{[][]int{{20, 5, 5, 10}, {0, 10, 5, 5}, {0, 5, 10, 5}, {0, 0, 0, 20}}, 0.460, 0.474},
}

func TestZwick1988(t *testing.T) {
	for i, tc := range zwick1988 {
		d := FromTable(tc.table)
		// Table 3's pi is 0.4595 exactly ((.60-.26)/.74); the source prints
		// .460, so the tables are checked to within a unit of the third
		// decimal.
		near(t, "Zwick pi", ScottPi(d), tc.pi, 0.001)
		near(t, "Zwick kappa", CohenKappa(d), tc.kappa, 0.001)
		if po := ExactMatch(d); math.Abs(po.Value-0.6) > 1e-9 {
			t.Errorf("Zwick table %d: po = %.4f, want .600", i+1, po.Value)
		}
	}
}

// gwet2008 is the two-category example illustrating Gwet (2008): 8 units
// both coders call y, 1 both call n, 1 split; AC1 0.8658 where pi is 0.6078.
var gwet2008 = [][]int{{8, 1}, {0, 1}}

func TestGwet2008(t *testing.T) {
	d := FromTable(gwet2008)
	ac1 := GwetAC1(d)
	near(t, "AC1", ac1, 0.8658, 0.00005)
	if math.Abs(ac1.Expected-0.255) > 1e-9 {
		t.Errorf("AC1 pe = %.4f, want .255", ac1.Expected)
	}
	near(t, "pi", ScottPi(d), 0.6078, 0.00005)
}

// warrens2010 is the 8-rater example of Warrens (2010, p. 284), from
// O'Malley et al. (2006): each row repeats a pattern of eight ratings.
var warrens2010 = []struct {
	times   int
	ratings string
}{
	{14, "NNNNNNNN"}, {1, "NNNANNNN"}, {1, "NNNNNNNA"}, {10, "AAAAAAAA"},
	{2, "AANAAAAN"}, {1, "AANANAAN"}, {1, "AANANANN"},
}

func TestWarrens2010(t *testing.T) {
	var units [][]string
	for _, row := range warrens2010 {
		for range row.times {
			unit := make([]string, len(row.ratings))
			for i, r := range row.ratings {
				unit[i] = string(r)
			}
			units = append(units, unit)
		}
	}
	got := FleissKappa(FromCodes(units, nil))
	// Exactly 0.832350 (po .917857, pe .510035): .8324 as printed.
	near(t, "Fleiss Warrens 2010", got, 0.8324, 0.0001)
	if got.N != 30 {
		t.Errorf("n = %d, want 30", got.N)
	}
}
