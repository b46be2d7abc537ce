package formats

import (
	"bufio"
	"fmt"
	"io"
	"sort"

	"github.com/annotate-tool/annotate/internal/model"
)

// CoNLLWriter writes the CoNLL/BIO form: a -DOCSTART- line opening each
// annotation, then one token per line with its tag (tab separated: "ISIS
// B-ORG"), a blank line after each sentence. Tokens and sentences are those
// of Tokenize. BIO holds one layer of spans: where spans overlap, the
// longer one (the earlier, when equally long) is written and the other
// counted in Dropped.
type CoNLLWriter struct {
	w       *bufio.Writer
	Dropped int
}

// NewCoNLLWriter writes to w.
func NewCoNLLWriter(w io.Writer) *CoNLLWriter {
	return &CoNLLWriter{w: bufio.NewWriterSize(w, 256*1024)}
}

// Write writes one annotation of an article.
func (cw *CoNLLWriter) Write(art model.Article, a model.Annotation) error {
	spans := cw.layer(a.Entities)
	tokens := model.Tokenize(art.Text, spanCuts(spans))
	tags := make([]string, len(tokens))
	for i := range tags {
		tags[i] = "O"
	}
	for _, s := range spans {
		first, last, ok := tokenIndex(tokens, s.Range())
		if !ok {
			cw.Dropped++
			continue
		}
		tags[first] = "B-" + s.Label
		for i := first + 1; i <= last; i++ {
			tags[i] = "I-" + s.Label
		}
	}
	// CoNLL writes no offsets: the tokens' text is all it needs.
	starts := model.SentenceStarts(art.Text, tokens, spans)
	fmt.Fprint(cw.w, "-DOCSTART-\tO\n\n")
	for k, start := range starts {
		end := len(tokens)
		if k+1 < len(starts) {
			end = starts[k+1]
		}
		for i := start; i < end; i++ {
			fmt.Fprintf(cw.w, "%s\t%s\n", art.Text[tokens[i].Start:tokens[i].End], tags[i])
		}
		if _, err := cw.w.WriteString("\n"); err != nil {
			return err
		}
	}
	return nil
}

// layer picks the spans BIO can hold: no two overlapping.
func (cw *CoNLLWriter) layer(entities []model.Span) []model.Span {
	spans := append([]model.Span(nil), entities...)
	sort.SliceStable(spans, func(i, j int) bool {
		li, lj := spans[i].End-spans[i].Start, spans[j].End-spans[j].Start
		if li != lj {
			return li > lj
		}
		if spans[i].Start != spans[j].Start {
			return spans[i].Start < spans[j].Start
		}
		return spans[i].Label < spans[j].Label
	})
	var kept []model.Span
	for _, s := range spans {
		overlaps := false
		for _, k := range kept {
			if s.Start < k.End && k.Start < s.End {
				overlaps = true
				break
			}
		}
		if overlaps {
			cw.Dropped++
			continue
		}
		kept = append(kept, s)
	}
	return sortedSpans(kept)
}

// Flush flushes buffered lines.
func (cw *CoNLLWriter) Flush() error { return cw.w.Flush() }
