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
// left out. A span of an old database that is only white space (which the
// rule for span edges forbids) covers no token and is left out too; one
// with white space at an edge is tagged on the tokens inside it. Each is
// named, never dropped silently.
type CoNLLWriter struct {
	w *bufio.Writer
	// Dropped counts the spans left out.
	Dropped int
	// LeftOut names each span left out, one line each: article,
	// annotator, span, label, text and why.
	LeftOut []string
	// Trimmed names each span tagged without the white space at its edge.
	Trimmed []string
}

// NewCoNLLWriter writes to w.
func NewCoNLLWriter(w io.Writer) *CoNLLWriter {
	return &CoNLLWriter{w: bufio.NewWriterSize(w, 256*1024)}
}

// Write writes one annotation of an article.
func (cw *CoNLLWriter) Write(art model.Article, a model.Annotation) error {
	where := fmt.Sprintf("article %s, %s: ", art.ID, a.Annotator)
	name := func(s model.Span) string {
		text := ""
		if model.CheckRange(art.Text, s.Start, s.End) == nil {
			text = art.Text[s.Start:s.End]
		}
		return fmt.Sprintf("span %s %s %q", s.ID, s.Label, text)
	}
	leave := func(s model.Span, why string) {
		cw.Dropped++
		cw.LeftOut = append(cw.LeftOut, where+name(s)+" left out: "+why)
	}
	var blank []model.Span
	entities := make([]model.Span, 0, len(a.Entities))
	for _, s := range a.Entities {
		t, ok := model.TrimBlank(art.Text, s.Range())
		switch {
		case !ok:
			blank = append(blank, s)
			continue
		case t != s.Range():
			cw.Trimmed = append(cw.Trimmed, where+name(s)+" tagged without the white space at its edge")
		}
		entities = append(entities, s)
	}
	for _, s := range sortedSpans(blank) {
		leave(s, "blank (only white space)")
	}
	spans := cw.layer(entities, name, leave)
	tokens := model.Tokenize(art.Text, spanCuts(spans))
	tags := make([]string, len(tokens))
	for i := range tags {
		tags[i] = "O"
	}
	for _, s := range spans {
		first, last, ok := tokenIndex(tokens, s.Range())
		if !ok {
			leave(s, "it covers no token")
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

// layer picks the spans BIO can hold: no two overlapping. leave is told
// of each span left out, with the span it overlaps.
func (cw *CoNLLWriter) layer(entities []model.Span, name func(model.Span) string, leave func(model.Span, string)) []model.Span {
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
		var over *model.Span
		for i, k := range kept {
			if s.Start < k.End && k.Start < s.End {
				over = &kept[i]
				break
			}
		}
		if over != nil {
			leave(s, "overlaps "+name(*over)+" (BIO holds one layer; the longer span is kept)")
			continue
		}
		kept = append(kept, s)
	}
	return sortedSpans(kept)
}

// Flush flushes buffered lines.
func (cw *CoNLLWriter) Flush() error { return cw.w.Flush() }

func init() {
	registerExport(ExportFormat{
		Name:   "conll",
		Help:   "a token per line with its BIO tag, a blank line after each sentence (one layer of spans)",
		Counts: "records",
		New: func(c ExportConfig) (Exporter, error) {
			cw := NewCoNLLWriter(c.Out)
			return exportPerAnnotation{write: cw.Write, close: func() error {
				// Every span left out is named, with why: BIO holds one
				// layer, and a span of white space only covers no token.
				for _, l := range cw.LeftOut {
					c.warn(l)
				}
				for _, l := range cw.Trimmed {
					c.warn(l)
				}
				switch {
				case cw.Dropped == 1:
					c.warn("1 span left out")
				case cw.Dropped > 1:
					c.warn(fmt.Sprintf("%d spans left out", cw.Dropped))
				}
				return cw.Flush()
			}}, nil
		},
	})
}
