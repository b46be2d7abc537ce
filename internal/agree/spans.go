package agree

import (
	"cmp"
	"math"
	"slices"
)

// Span is one annotated span: code-point offsets, Start inclusive, End
// exclusive (the offset contract), and its label.
type Span struct {
	Start, End int
	Label      string
}

// SpanCounts are the outcomes of aligning annotator A's spans with B's.
// Strict and Overlap count aligned pairs (which share their label);
// OtherLabel and OverlapOtherLabel count spans, one under each span's own
// label, since the two spans of such a pair have different labels. So for
// every label and for the micro sums:
//
//	A + B = 2*Strict + 2*Overlap + OtherLabel + OverlapOtherLabel + OnlyA + OnlyB
type SpanCounts struct {
	A, B int // spans of each annotator
	// Strict: same boundaries and label.
	Strict int
	// Overlap: overlapping, same label, other boundaries (aligned one to
	// one by largest overlap after the strict matches).
	Overlap int
	// OtherLabel: spans aligned with a span of the same boundaries and
	// another label ("same span, other label").
	OtherLabel int
	// OverlapOtherLabel: spans aligned with an overlapping span of other
	// boundaries and another label.
	OverlapOtherLabel int
	// OnlyA, OnlyB: spans the other annotator has nothing overlapping for
	// (after the alignment above).
	OnlyA, OnlyB int
}

func (c *SpanCounts) add(o SpanCounts) {
	c.A += o.A
	c.B += o.B
	c.Strict += o.Strict
	c.Overlap += o.Overlap
	c.OtherLabel += o.OtherLabel
	c.OverlapOtherLabel += o.OverlapOtherLabel
	c.OnlyA += o.OnlyA
	c.OnlyB += o.OnlyB
}

// SpanScores are the counts with their precision, recall and F1, strict
// and overlap. Precision counts against A's spans and recall against B's
// (score an annotator against gold by passing gold as B); F1 is symmetric:
// 2M / (|A| + |B|), Hripcsak and Rothschild's positive specific agreement.
// Strict M is Strict; overlap M is Strict + Overlap. A score is NaN when its
// denominator is 0 (no spans). N is |A| + |B|, the spans the F1 rests on.
type SpanScores struct {
	SpanCounts
	PrecisionStrict, RecallStrict, F1Strict    float64
	PrecisionOverlap, RecallOverlap, F1Overlap float64
	N                                          int
}

// ratio is a/b, NaN when b is 0: a score with nothing to count against.
func ratio(a, b int) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

func score(c SpanCounts) SpanScores {
	overlap := c.Strict + c.Overlap
	return SpanScores{
		SpanCounts:       c,
		PrecisionStrict:  ratio(c.Strict, c.A),
		RecallStrict:     ratio(c.Strict, c.B),
		F1Strict:         ratio(2*c.Strict, c.A+c.B),
		PrecisionOverlap: ratio(overlap, c.A),
		RecallOverlap:    ratio(overlap, c.B),
		F1Overlap:        ratio(2*overlap, c.A+c.B),
		N:                c.A + c.B,
	}
}

// SpanReport is the agreement of two annotators' spans, per label and
// micro-averaged (counts summed over labels, then scored).
type SpanReport struct {
	Labels    map[string]SpanScores
	Micro     SpanScores
	Documents int
}

// SpanDoc is one document's spans from two annotators.
type SpanDoc struct {
	ID   string
	A, B []Span
}

// CompareSpans aligns one document's spans of A and B and scores them.
//
// Alignment, each step one-to-one over spans not yet aligned:
//  1. same boundaries and label (strict);
//  2. overlapping with the same label, largest overlap first (overlap);
//  3. same boundaries, other label;
//  4. overlapping with another label, largest overlap first;
//  5. the rest are only A or only B.
//
// Ties in overlap go to the earlier span of A, then of B, by start, end
// and label (never by the order spans are stored in), so the result does
// not depend on input order. Two spans overlap when they share at
// least one position; empty spans overlap nothing.
func CompareSpans(a, b []Span) SpanReport {
	per := map[string]*SpanCounts{}
	compareInto(a, b, per)
	return report(per, 1)
}

// CompareSpanDocs scores many documents pooled: each document is aligned on
// its own, and the counts are summed over documents before scoring, so a
// long document weighs more than a short one. For the mean of per-document
// F1 use MeanPerDocument.
func CompareSpanDocs(docs []SpanDoc) SpanReport {
	per := map[string]*SpanCounts{}
	for _, d := range docs {
		compareInto(d.A, d.B, per)
	}
	return report(per, len(docs))
}

// DocumentMean is a mean of per-document F1 scores.
type DocumentMean struct {
	F1Strict, F1Overlap float64
	// N is the number of documents averaged: those where either annotator
	// has a span (F1 is undefined on a document nobody annotated).
	N int
}

// MeanPerDocument averages the micro F1 of each document over documents
// (INCEpTION's convention); it is not the pooled figure of CompareSpanDocs.
func MeanPerDocument(docs []SpanDoc) DocumentMean {
	var m DocumentMean
	for _, d := range docs {
		s := CompareSpans(d.A, d.B).Micro
		if s.N == 0 {
			continue
		}
		m.F1Strict += s.F1Strict
		m.F1Overlap += s.F1Overlap
		m.N++
	}
	if m.N == 0 {
		return DocumentMean{F1Strict: math.NaN(), F1Overlap: math.NaN()}
	}
	m.F1Strict /= float64(m.N)
	m.F1Overlap /= float64(m.N)
	return m
}

// Disagreements is the number of spans of a document not aligned strictly:
// the order in which a reviewer should see documents.
func (s SpanScores) Disagreements() int {
	return s.A + s.B - 2*s.Strict
}

func report(per map[string]*SpanCounts, docs int) SpanReport {
	r := SpanReport{Labels: make(map[string]SpanScores, len(per)), Documents: docs}
	var micro SpanCounts
	for label, c := range per {
		r.Labels[label] = score(*c)
		micro.add(*c)
	}
	r.Micro = score(micro)
	return r
}

type candidate struct {
	i, j, overlap int
}

func compareInto(a, b []Span, per map[string]*SpanCounts) {
	counts := func(label string) *SpanCounts {
		c := per[label]
		if c == nil {
			c = &SpanCounts{}
			per[label] = c
		}
		return c
	}
	for _, s := range a {
		counts(s.Label).A++
	}
	for _, s := range b {
		counts(s.Label).B++
	}
	usedA := make([]bool, len(a))
	usedB := make([]bool, len(b))

	// Step 1 and 3: same boundaries, by sorting both sides.
	orderA := sortedIndex(a)
	orderB := sortedIndex(b)
	sameBoundaries := func(sameLabel bool) {
		i, j := 0, 0
		for i < len(orderA) && j < len(orderB) {
			x, y := a[orderA[i]], b[orderB[j]]
			if usedA[orderA[i]] {
				i++
				continue
			}
			if usedB[orderB[j]] {
				j++
				continue
			}
			c := cmp.Or(cmp.Compare(x.Start, y.Start), cmp.Compare(x.End, y.End))
			if c == 0 && sameLabel {
				c = cmp.Compare(x.Label, y.Label)
			}
			switch {
			case c < 0:
				i++
			case c > 0:
				j++
			default:
				usedA[orderA[i]], usedB[orderB[j]] = true, true
				if sameLabel {
					counts(x.Label).Strict++
				} else if x.Label != y.Label {
					counts(x.Label).OtherLabel++
					counts(y.Label).OtherLabel++
				}
				i++
				j++
			}
		}
	}
	sameBoundaries(true)

	// Candidates for steps 2 and 4: overlapping pairs not yet aligned,
	// found by a sweep over B sorted by start.
	var cands []candidate
	for _, i := range orderA {
		if usedA[i] {
			continue
		}
		x := a[i]
		for _, j := range orderB {
			y := b[j]
			if y.Start >= x.End {
				break
			}
			if usedB[j] || y.End <= x.Start {
				continue
			}
			if o := min(x.End, y.End) - max(x.Start, y.Start); o > 0 {
				cands = append(cands, candidate{i, j, o})
			}
		}
	}
	// Ties in overlap go by position and label (A's span first, then
	// B's), never by the order the spans are stored in: the ranks in
	// orderA and orderB sort by start, end and label, and only spans equal
	// in all three (which are interchangeable) fall back to storage order.
	rankA, rankB := ranks(orderA), ranks(orderB)
	slices.SortFunc(cands, func(p, q candidate) int {
		return cmp.Or(cmp.Compare(q.overlap, p.overlap), cmp.Compare(rankA[p.i], rankA[q.i]), cmp.Compare(rankB[p.j], rankB[q.j]))
	})
	greedy := func(sameLabel bool) {
		for _, c := range cands {
			if usedA[c.i] || usedB[c.j] || (a[c.i].Label == b[c.j].Label) != sameLabel {
				continue
			}
			usedA[c.i], usedB[c.j] = true, true
			if sameLabel {
				counts(a[c.i].Label).Overlap++
			} else {
				counts(a[c.i].Label).OverlapOtherLabel++
				counts(b[c.j].Label).OverlapOtherLabel++
			}
		}
	}
	greedy(true)
	// Same boundaries with other labels take precedence over mere overlap.
	sameBoundaries(false)
	greedy(false)

	for i, used := range usedA {
		if !used {
			counts(a[i].Label).OnlyA++
		}
	}
	for j, used := range usedB {
		if !used {
			counts(b[j].Label).OnlyB++
		}
	}
}

// ranks inverts a sorted index: ranks(order)[i] is span i's place in order.
func ranks(order []int) []int {
	r := make([]int, len(order))
	for place, i := range order {
		r[i] = place
	}
	return r
}

// sortedIndex is the spans' indexes sorted by start, end and label (then
// index, which only separates identical spans).
func sortedIndex(spans []Span) []int {
	idx := make([]int, len(spans))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(p, q int) int {
		x, y := spans[p], spans[q]
		return cmp.Or(cmp.Compare(x.Start, y.Start), cmp.Compare(x.End, y.End), cmp.Compare(x.Label, y.Label), cmp.Compare(p, q))
	})
	return idx
}
