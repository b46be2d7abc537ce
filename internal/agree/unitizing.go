package agree

import (
	"math"
	"slices"
	"sort"
)

// UnitizingDoc is one document (a continuum of Length positions, code
// points 0..Length-1) with each annotator's spans: Annotators[i] are the
// spans of annotator i. An annotator who marked nothing has an empty list
// and still counts as an annotator.
type UnitizingDoc struct {
	Length     int
	Annotators [][]Span
}

// segment is a stretch of the continuum: a unit of the label or a gap.
type segment struct{ start, end int }

func (s segment) length() int { return s.end - s.start }

// UnitizingAlpha is Krippendorff's unitizing alpha for one label, _u alpha_k
// (Krippendorff 1995, "On the reliability of unitizing contiguous data";
// in the form of Content Analysis, 2nd ed., 2004, ch. 12), over character
// positions. Each annotator's spans of the label, clipped to the document
// and merged where they overlap, are the units; the stretches between them
// are gaps. With m annotators, L the total length and N the units of all
// annotators:
//
//	alpha = 1 - D_o / D_e
//	D_o = sum_i sum_{j != i} sum_g sum_h delta^2(s_ig, s_jh) / (m (m-1) L^2)
//	delta^2 = (b_g - b_h)^2 + (e_g - e_h)^2   for two overlapping units,
//	          l_g^2                            for a unit inside a gap of the other,
//	          0                                otherwise
//	D_e = 2/L * sum_units [ (N-1)/3 (2l^3 - 3l^2 + l) + l^2 sum_{gaps h, l_h >= l} (l_h - l + 1) ]
//	      / ( mL (mL - 1) - sum_units l (l - 1) )
//
// (b, e: start and end; l: length; the gap sum runs over every annotator's
// gaps.) This reproduces the book's worked example (alpha_c .7286, D_o
// .0144, D_e .0532) and the 1995 paper's D_o values; the 1995 paper's D_e
// has an error that the 2004 form corrects.
//
// Several documents are one continuum whose gaps end at document
// boundaries (a unit cannot straddle two documents), so the result is
// pooled over documents; UnitizingAlphaPerDocument gives the mean of
// per-document values instead. N (Result.N) is the number of units; Units
// is the number of documents.
//
// Edge cases: NaN when there is no document (or none has a length), when
// fewer than two annotators, when nobody marked the label (nothing to
// agree on), or when D_e is 0. When one annotator marked
// nothing and another marked something, that is disagreement, not
// agreement: alpha is below 1 (often negative), never the 1.0 some tools
// return (dkpro #2). When all annotators mark the same units, D_o = 0 and
// alpha is 1.
func UnitizingAlpha(docs []UnitizingDoc, label string) Result {
	m, length := 0, 0
	for _, d := range docs {
		m = max(m, len(d.Annotators))
		length += max(0, d.Length)
	}
	if length == 0 {
		// The documents carry the annotators: without one, their number
		// is unknown, not too small.
		return undefined("no document to compare")
	}
	if m < 2 {
		return undefined("needs two or more annotators")
	}
	var (
		totalLength int
		units       []int // lengths of all units
		gaps        []int // lengths of all gaps
		observed    float64
	)
	for _, d := range docs {
		if d.Length <= 0 {
			continue
		}
		totalLength += d.Length
		unitSets := make([][]segment, m)
		gapSets := make([][]segment, m)
		for i := range m {
			var spans []Span
			if i < len(d.Annotators) {
				spans = d.Annotators[i]
			}
			unitSets[i] = unitsOf(spans, label, d.Length)
			gapSets[i] = gapsOf(unitSets[i], d.Length)
			for _, u := range unitSets[i] {
				units = append(units, u.length())
			}
			for _, g := range gapSets[i] {
				gaps = append(gaps, g.length())
			}
		}
		for i := range m {
			for j := i + 1; j < m; j++ {
				observed += 2 * pairDisagreement(unitSets[i], unitSets[j], gapSets[j])
				observed += 2 * pairDisagreement(unitSets[j], nil, gapSets[i])
			}
		}
	}
	if len(units) == 0 {
		r := undefined("nobody marked this label: nothing to agree on")
		r.Units = len(docs)
		return r
	}
	L, mf, n := float64(totalLength), float64(m), float64(len(units))
	do := observed / (mf * (mf - 1) * L * L)

	// sum over gaps with length >= l of (length - l + 1), by prefix sums.
	slices.Sort(gaps)
	suffix := make([]float64, len(gaps)+1)
	for k := len(gaps) - 1; k >= 0; k-- {
		suffix[k] = suffix[k+1] + float64(gaps[k])
	}
	num, lessen := 0.0, 0.0
	for _, l := range units {
		lf := float64(l)
		k := sort.SearchInts(gaps, l)
		fit := suffix[k] - float64(len(gaps)-k)*(lf-1)
		num += (n-1)/3*(2*lf*lf*lf-3*lf*lf+lf) + lf*lf*fit
		lessen += lf * (lf - 1)
	}
	de := 2 / L * num / (mf*L*(mf*L-1) - lessen)
	r := Result{N: len(units), Units: len(docs), Observed: do, Expected: de}
	if de <= 0 {
		r.Value = math.NaN()
		r.Reason = "no expected disagreement (D_e = 0): alpha is undefined"
		return r
	}
	r.Value = 1 - do/de
	return r
}

// pairDisagreement is sum_g sum_h delta^2 between units a and the other
// annotator's units b (unit-unit overlaps) and gaps (a unit inside a gap).
// Called with b = nil it adds only the units-inside-gaps term.
func pairDisagreement(a, b, otherGaps []segment) float64 {
	s := 0.0
	for _, u := range a {
		for _, v := range b {
			if v.start >= u.end {
				break
			}
			if v.end > u.start {
				ds, de := float64(u.start-v.start), float64(u.end-v.end)
				s += ds*ds + de*de
			}
		}
		// The gap, if any, that holds u whole.
		k := sort.Search(len(otherGaps), func(k int) bool { return otherGaps[k].end > u.start })
		if k < len(otherGaps) && otherGaps[k].start <= u.start && u.end <= otherGaps[k].end {
			l := float64(u.length())
			s += l * l
		}
	}
	return s
}

// unitsOf returns the spans of label clipped to [0, length), sorted and
// with overlapping spans merged (units of one annotator do not overlap).
// Touching spans stay two units.
func unitsOf(spans []Span, label string, length int) []segment {
	var segs []segment
	for _, s := range spans {
		if s.Label != label {
			continue
		}
		start, end := max(s.Start, 0), min(s.End, length)
		if start < end {
			segs = append(segs, segment{start, end})
		}
	}
	slices.SortFunc(segs, func(p, q segment) int {
		if p.start != q.start {
			return p.start - q.start
		}
		return p.end - q.end
	})
	merged := segs[:0]
	for _, s := range segs {
		if k := len(merged) - 1; k >= 0 && s.start < merged[k].end {
			merged[k].end = max(merged[k].end, s.end)
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

func gapsOf(units []segment, length int) []segment {
	var gaps []segment
	at := 0
	for _, u := range units {
		if u.start > at {
			gaps = append(gaps, segment{at, u.start})
		}
		at = u.end
	}
	if at < length {
		gaps = append(gaps, segment{at, length})
	}
	return gaps
}

// UnitizingAlphaPerDocument is the mean of UnitizingAlpha over documents
// taken one at a time, skipping documents where it is undefined (for
// example where nobody marked the label); N is the number averaged.
func UnitizingAlphaPerDocument(docs []UnitizingDoc, label string) Result {
	sum, n := 0.0, 0
	for _, d := range docs {
		r := UnitizingAlpha([]UnitizingDoc{d}, label)
		if r.Defined() {
			sum += r.Value
			n++
		}
	}
	if len(docs) == 0 {
		return undefined("no document to compare")
	}
	if n == 0 {
		r := undefined("undefined in every document")
		r.Units = len(docs)
		return r
	}
	return Result{Value: sum / float64(n), N: n, Units: len(docs), Observed: math.NaN(), Expected: math.NaN(),
		Reason: "mean of per-document values, not pooled"}
}
