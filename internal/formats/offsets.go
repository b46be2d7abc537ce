package formats

import (
	"fmt"
	"unicode/utf8"

	"github.com/clipperhouse/uax29/v2/graphemes"

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
// refuses any range that does not come back to the same text. It is the only
// way an export computes an offset.
type exporter struct {
	text  string
	index *model.RuneIndex
}

func newExporter(text string) *exporter {
	return &exporter{text: text, index: model.NewRuneIndex(text)}
}

// span converts a span, cue or content range. Besides the offset
// contract it holds the rule for span edges (model.CheckSpanRange): a
// span of an old database that starts or ends with white space, or is
// nothing else, is refused, never written.
func (x *exporter) span(r model.Range) (ExportSpan, error) {
	if err := model.CheckRange(x.text, r.Start, r.End); err != nil {
		return ExportSpan{}, err
	}
	if err := model.CheckSpanRange(x.text, r.Start, r.End); err != nil {
		return ExportSpan{}, fmt.Errorf("%q: %w: an export never writes such a span; fix it on the screen (annotate check lists them all)", x.text[r.Start:r.End], err)
	}
	return x.offsets(r)
}

// offsets converts any stretch of text (a token, a fragment of a brat
// span split at a line break) without the rule for span edges.
func (x *exporter) offsets(r model.Range) (ExportSpan, error) {
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

// Unit is what the offsets in a peer file count.
type Unit string

// The units peer tools have written offsets in.
const (
	// CodePoints: Unicode code points, as Python counts (Prodigy, spaCy,
	// brat, annotate's own exports).
	CodePoints Unit = "codepoints"
	// UTF16: UTF-16 code units, as JavaScript counts (the web front ends
	// of doccano and of older Label Studio releases): a character outside
	// the Basic Multilingual Plane counts 2.
	UTF16 Unit = "utf16"
	// Graphemes: user-perceived characters (Unicode grapheme clusters),
	// what doccano counts with "Count grapheme clusters as one character".
	Graphemes Unit = "graphemes"
	// NewlineAsOne: code points of the text read with universal newlines,
	// as brat's server reads a .txt file: a CRLF counts 1.
	NewlineAsOne Unit = "newline-as-one"
)

// ParseUnit reads the --offsets flag; "" means the format's own default.
func ParseUnit(s string) (Unit, error) {
	switch s {
	case "":
		return "", nil
	case "codepoints", "code-points", "characters":
		return CodePoints, nil
	case "utf16", "utf-16":
		return UTF16, nil
	case "graphemes":
		return Graphemes, nil
	}
	return "", fmt.Errorf("unknown offset unit %q: use codepoints, utf16 or graphemes", s)
}

// importer converts offsets from a file back to byte ranges and checks them
// against the text the file gives for the span. It is the only way an import
// computes an offset.
type importer struct {
	text  string
	index *model.RuneIndex
	// trimmed notes each range span trimmed, for Annotated.Trimmed.
	trimmed []string
}

func newImporter(text string) *importer {
	return &importer{text: text, index: model.NewRuneIndex(text)}
}

// rng converts code point offsets; want, when not empty, must equal the
// selected text.
func (im *importer) rng(start, end int, want string) (model.Range, error) {
	return im.rangeIn(CodePoints, start, end, want)
}

// rangeIn converts offsets counted in unit u; want, when not empty, must
// equal the selected text.
func (im *importer) rangeIn(u Unit, start, end int, want string) (model.Range, error) {
	bs, err := im.bytes(u, start)
	if err != nil {
		return model.Range{}, err
	}
	be, err := im.bytes(u, end)
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

// span holds a span, cue or content range read from a file to the rule
// for span edges (model.TrimBlank): white space at an edge is trimmed and
// noted (what names the range: "spans[3] (ORG)"); a range of nothing but
// white space is an error, so the record is refused like any other bad
// span.
func (im *importer) span(r model.Range, what string) (model.Range, error) {
	t, ok := model.TrimBlank(im.text, r)
	if !ok {
		return r, fmt.Errorf("%q is only white space: not a span", im.text[r.Start:r.End])
	}
	if t != r {
		im.trimmed = append(im.trimmed, fmt.Sprintf("%s %q trimmed of white space to %q", what, im.text[r.Start:r.End], im.text[t.Start:t.End]))
	}
	return t, nil
}

// bytes converts one offset in unit u to a byte offset.
func (im *importer) bytes(u Unit, off int) (int, error) {
	switch u {
	case UTF16:
		if off < 0 {
			return 0, fmt.Errorf("offset %d is negative", off)
		}
		return model.BytesFromUTF16(im.text, off)
	case NewlineAsOne:
		return im.newlineAsOne(off)
	case Graphemes:
		return im.grapheme(off)
	}
	return im.index.Bytes(off)
}

// grapheme converts an offset counted in grapheme clusters.
func (im *importer) grapheme(off int) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("offset %d is negative", off)
	}
	n := 0
	it := graphemes.FromString(im.text)
	for n < off && it.Next() {
		n++
	}
	if n < off {
		return 0, fmt.Errorf("offset %d is past the end of the text (%d characters)", off, n)
	}
	if off == 0 {
		return 0, nil
	}
	return it.End(), nil
}

// newlineAsOne converts an offset that counts a CRLF as one character.
func (im *importer) newlineAsOne(off int) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("offset %d is negative", off)
	}
	n := 0
	for i := 0; i < len(im.text); {
		if n == off {
			return i, nil
		}
		if im.text[i] == '\r' && i+1 < len(im.text) && im.text[i+1] == '\n' {
			i += 2
		} else {
			_, size := utf8.DecodeRuneInString(im.text[i:])
			i += size
		}
		n++
	}
	if n == off {
		return len(im.text), nil
	}
	return 0, fmt.Errorf("offset %d is past the end of the text", off)
}

// rangeAuto converts offsets whose unit is not known, for a span that
// carries its text: code points first, then UTF-16 units (what JavaScript
// front ends have written). It fails with the code point error when neither
// selects the text.
func (im *importer) rangeAuto(start, end int, want string) (model.Range, error) {
	r, err := im.rng(start, end, want)
	if err == nil || want == "" {
		return r, err
	}
	if r16, err16 := im.rangeIn(UTF16, start, end, want); err16 == nil {
		return r16, nil
	}
	return r, err
}
