package formats

import (
	"fmt"

	"github.com/annotate-tool/annotate/internal/model"
)

// ExportSpan is a stretch of text as every export writes it: code point
// offsets, end exclusive, with the text itself (the offset contract).
type ExportSpan struct {
	Start int    `json:"start"`
	End   int    `json:"end"`
	Text  string `json:"text"`
}

// exporter converts one article's byte ranges to code point offsets and
// refuses any range that does not come back to the same text.
type exporter struct {
	text  string
	index *model.RuneIndex
}

func newExporter(text string) *exporter {
	return &exporter{text: text, index: model.NewRuneIndex(text)}
}

func (x *exporter) span(r model.Range) (ExportSpan, error) {
	if err := model.CheckRange(x.text, r.Start, r.End); err != nil {
		return ExportSpan{}, err
	}
	start, end := x.index.Runes(r.Start), x.index.Runes(r.End)
	// Convert back and compare: an export never writes a span whose
	// code point offsets do not select exactly the span's text.
	bs, err1 := x.index.Bytes(start)
	be, err2 := x.index.Bytes(end)
	if err1 != nil || err2 != nil || bs != r.Start || be != r.End {
		return ExportSpan{}, fmt.Errorf("span %d-%d does not map to code points exactly", r.Start, r.End)
	}
	return ExportSpan{Start: start, End: end, Text: x.text[r.Start:r.End]}, nil
}

// importer converts code point offsets from a file back to byte ranges and
// checks them against the text the file gives for the span.
type importer struct {
	text  string
	index *model.RuneIndex
}

func newImporter(text string) *importer {
	return &importer{text: text, index: model.NewRuneIndex(text)}
}

// rng converts code point offsets; want, when not empty, must equal the
// selected text.
func (im *importer) rng(start, end int, want string) (model.Range, error) {
	bs, err := im.index.Bytes(start)
	if err != nil {
		return model.Range{}, err
	}
	be, err := im.index.Bytes(end)
	if err != nil {
		return model.Range{}, err
	}
	if err := model.CheckRange(im.text, bs, be); err != nil {
		return model.Range{}, err
	}
	if want != "" && im.text[bs:be] != want {
		return model.Range{}, fmt.Errorf("span %d-%d is %q in the text but the file says %q", start, end, im.text[bs:be], want)
	}
	return model.Range{Start: bs, End: be}, nil
}
