package formats

import (
	"sort"

	"github.com/annotate-tool/annotate/internal/model"
)

// spanCuts lists the boundaries of the spans, for Tokenize.
func spanCuts(spans []model.Span) []int {
	cuts := make([]int, 0, 2*len(spans))
	for _, s := range spans {
		cuts = append(cuts, s.Start, s.End)
	}
	return cuts
}

// tokenIndex returns the first and last (inclusive) of the tokens a span
// covers, and false when it covers none (a span of white space only).
func tokenIndex(tokens []model.Range, r model.Range) (first, last int, ok bool) {
	first = sort.Search(len(tokens), func(i int) bool { return tokens[i].Start >= r.Start })
	last = sort.Search(len(tokens), func(i int) bool { return tokens[i].End > r.End }) - 1
	return first, last, first < len(tokens) && last >= 0 && first <= last
}
