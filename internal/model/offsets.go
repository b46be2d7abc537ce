package model

import (
	"fmt"
	"sort"
	"unicode"
	"unicode/utf8"
)

// Offsets inside annotate are UTF-8 byte offsets into Article.Text: Go
// strings are indexed by byte, so the screen and the store never convert.
// Every exported offset is a Unicode code point offset, end exclusive (the
// offset contract in README.md). RuneIndex is the one place that converts.

// checkpointEvery is the spacing, in bytes, of the rune-count checkpoints a
// RuneIndex keeps. 256 bytes keeps the index at 1/64 of the text's size
// while bounding each conversion to a short scan.
const checkpointEvery = 256

// RuneIndex converts between byte and code point offsets of one text in
// O(1) amortised time with a small table of checkpoints.
type RuneIndex struct {
	text  string
	ascii bool
	// counts[k] is the number of code points in text[:k*checkpointEvery].
	counts []int
}

// NewRuneIndex builds the index for text. The text must be valid UTF-8.
func NewRuneIndex(text string) *RuneIndex {
	ri := &RuneIndex{text: text, ascii: true}
	for i := 0; i < len(text); i++ {
		if text[i] >= utf8.RuneSelf {
			ri.ascii = false
			break
		}
	}
	if ri.ascii {
		return ri
	}
	ri.counts = make([]int, len(text)/checkpointEvery+1)
	n := 0
	for i := 0; i < len(text); i++ {
		if i%checkpointEvery == 0 {
			ri.counts[i/checkpointEvery] = n
		}
		// A code point starts at every byte that is not a continuation
		// byte (10xxxxxx); counting those is independent of where a
		// checkpoint falls inside a character.
		if text[i]&0xC0 != 0x80 {
			n++
		}
	}
	// A text whose length is a multiple of the spacing has one more
	// checkpoint, at its very end.
	if len(text)%checkpointEvery == 0 {
		ri.counts[len(text)/checkpointEvery] = n
	}
	return ri
}

// Len returns the text's length in code points.
func (ri *RuneIndex) Len() int { return ri.Runes(len(ri.text)) }

// Runes returns the code point offset of byte offset b.
func (ri *RuneIndex) Runes(b int) int {
	if ri.ascii {
		return b
	}
	k := b / checkpointEvery
	if k >= len(ri.counts) {
		k = len(ri.counts) - 1
	}
	n := ri.counts[k]
	for i := k * checkpointEvery; i < b; i++ {
		if ri.text[i]&0xC0 != 0x80 {
			n++
		}
	}
	return n
}

// Bytes returns the byte offset of code point offset r, or an error when r
// is outside the text.
func (ri *RuneIndex) Bytes(r int) (int, error) {
	if r < 0 {
		return 0, fmt.Errorf("offset %d is negative", r)
	}
	if ri.ascii {
		if r > len(ri.text) {
			return 0, fmt.Errorf("offset %d is past the end of the text (%d characters)", r, len(ri.text))
		}
		return r, nil
	}
	// The last checkpoint whose count is <= r.
	k := sort.Search(len(ri.counts), func(i int) bool { return ri.counts[i] > r }) - 1
	if k < 0 {
		k = 0
	}
	n := ri.counts[k]
	i := k * checkpointEvery
	// Step back to a character start: a checkpoint can fall inside one.
	for i > 0 && i < len(ri.text) && ri.text[i]&0xC0 == 0x80 {
		i--
	}
	if i < k*checkpointEvery {
		// We stepped back into a character counted before the checkpoint.
		n--
	}
	for n < r {
		if i >= len(ri.text) {
			return 0, fmt.Errorf("offset %d is past the end of the text (%d characters)", r, ri.Len())
		}
		_, size := utf8.DecodeRuneInString(ri.text[i:])
		i += size
		n++
	}
	return i, nil
}

// UTF16 returns the UTF-16 code unit offset of byte offset b, the unit
// JavaScript tools (doccano, Label Studio) count in.
func UTF16(text string, b int) int {
	n := 0
	for _, r := range text[:b] {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// BytesFromUTF16 converts a UTF-16 code unit offset to a byte offset. It
// fails when u falls inside a surrogate pair or past the end.
func BytesFromUTF16(text string, u int) (int, error) {
	n := 0
	for i, r := range text {
		if n == u {
			return i, nil
		}
		if n > u {
			return 0, fmt.Errorf("UTF-16 offset %d falls inside a character", u)
		}
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	if n == u {
		return len(text), nil
	}
	return 0, fmt.Errorf("UTF-16 offset %d is past the end of the text", u)
}

// CheckRange reports whether [start, end) in bytes is a non-empty range of
// text that begins and ends on character boundaries.
func CheckRange(text string, start, end int) error {
	switch {
	case start < 0 || end > len(text):
		return fmt.Errorf("range %d-%d is outside the text (%d bytes)", start, end, len(text))
	case start >= end:
		return fmt.Errorf("range %d-%d is empty", start, end)
	case !utf8.RuneStart(text[start]):
		return fmt.Errorf("start %d is inside a character", start)
	case end < len(text) && !utf8.RuneStart(text[end]):
		return fmt.Errorf("end %d is inside a character", end)
	}
	return nil
}

// TrimBlank returns r without the white space (Unicode White_Space: spaces,
// tabs, line ends, no-break and ideographic spaces) at either end, and false
// when nothing but white space is left. A span never starts or ends with
// white space: the screen trims a selection with it before tagging, importers
// trim what other tools wrote, and Validate reports what is left.
func TrimBlank(text string, r Range) (Range, bool) {
	if r.Start < 0 || r.End > len(text) || r.Start >= r.End {
		return r, false
	}
	for r.Start < r.End {
		c, n := utf8.DecodeRuneInString(text[r.Start:r.End])
		if !unicode.IsSpace(c) {
			break
		}
		r.Start += n
	}
	for r.End > r.Start {
		c, n := utf8.DecodeLastRuneInString(text[r.Start:r.End])
		if !unicode.IsSpace(c) {
			break
		}
		r.End -= n
	}
	return r, r.Start < r.End
}

// checkBlankEdges reports a span that starts or ends with white space or is
// nothing else, after CheckRange has passed.
func checkBlankEdges(text string, start, end int) error {
	t, ok := TrimBlank(text, Range{start, end})
	switch {
	case !ok:
		return fmt.Errorf("range %d-%d is only white space", start, end)
	case t.Start != start || t.End != end:
		return fmt.Errorf("range %d-%d starts or ends with white space (trimmed it is %d-%d)", start, end, t.Start, t.End)
	}
	return nil
}

// UnsafeRune reports the characters that must never reach a terminal as
// they are: C0 controls (but newline and tab, which callers lay out), DEL,
// C1 controls, the explicit bidirectional formatting characters that can
// reorder what is shown (U+202A-U+202E, U+2066-U+2069) and the invisible
// direction marks (LRM, RLM, ALM). internal/termtext draws them as
// placeholders; names annotate keeps (labels, annotators, codes) may not
// hold them at all (CheckName).
func UnsafeRune(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20, r == 0x7F, r >= 0x80 && r < 0xA0:
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x200E || r == 0x200F || r == 0x061C:
		return true
	}
	return false
}

// CheckName refuses a name (a label, an annotator, a code, a field name)
// that holds a control character, a line break or a bidirectional control:
// such a name would reach the terminal, a file name or a peer tool as an
// instruction, not text. what says what the name is, for the message.
func CheckName(what, name string) error {
	for i, r := range name {
		if UnsafeRune(r) || r == '\n' || r == '\t' || r == 0x2028 || r == 0x2029 {
			return fmt.Errorf("%s %q holds the control character %U at byte %d: use letters, digits, spaces and punctuation only", what, name, r, i)
		}
	}
	return nil
}
