package tui

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/annotate-tool/annotate/internal/model"
)

// document is an article prepared for the screen: its word tokens, sentence
// and paragraph starts. It is built once per article (off the update loop)
// and never changes, since article text is immutable.
type document struct {
	article model.Article
	text    string
	// tokens are the words and punctuation marks, in order, as byte ranges:
	// the places a word motion stops and a selection snaps to.
	tokens []model.Range
	// sentences and paragraphs hold the byte offsets where each begins.
	sentences  []int
	paragraphs []int
	// newlines are the offsets of the text's line breaks (lineNumber),
	// found on first use.
	newlines []int
}

func newDocument(a model.Article) *document {
	d := &document{article: a, text: a.Text}
	d.tokens = tokenize(a.Text)
	d.sentences = sentenceStarts(a.Text, d.tokens)
	d.paragraphs = paragraphStarts(a.Text, d.tokens)
	return d
}

// tokenize splits text into the words and punctuation marks a word motion
// stops at: the same tokenizer the token-level exports use (UAX #29 words,
// possessive "'s" split off), so what the screen selects is what a training
// file calls a token.
func tokenize(text string) []model.Range { return model.Tokenize(text, nil) }

// sentenceStarts returns the start of the first token of each sentence,
// by the sentence rule the token-level exports use.
func sentenceStarts(text string, tokens []model.Range) []int {
	idx := model.SentenceStarts(text, tokens, nil)
	out := make([]int, len(idx))
	for i, t := range idx {
		out[i] = tokens[t].Start
	}
	return out
}

// paragraphStarts returns the first token after each blank line (and the
// first token of the text).
func paragraphStarts(text string, tokens []model.Range) []int {
	var out []int
	if len(tokens) > 0 {
		out = append(out, tokens[0].Start)
	}
	for i := 1; i < len(tokens); i++ {
		gap := text[tokens[i-1].End:tokens[i].Start]
		if strings.Count(gap, "\n") >= 2 {
			out = append(out, tokens[i].Start)
		}
	}
	return out
}

// tokenAtOrAfter returns the index of the first token that ends after off.
func tokenAtOrAfter(tokens []model.Range, off int) int {
	return sort.Search(len(tokens), func(i int) bool { return tokens[i].End > off })
}

// tokenAt returns the index of the token containing off, or of the next one
// when off is in white space (len(tokens) past the last).
func (d *document) tokenAt(off int) int { return tokenAtOrAfter(d.tokens, off) }

// wordRange returns the token range at (or after) off, for the selection.
func (d *document) wordRange(off int) model.Range {
	if len(d.tokens) == 0 {
		return model.Range{}
	}
	i := d.tokenAt(off)
	if i >= len(d.tokens) {
		i = len(d.tokens) - 1
	}
	return d.tokens[i]
}

// wordStep returns the index of the token a word motion from head goes
// to, counting from head's end either way: w the first word after head, b
// the word before head's last one. So after a find of several words w goes
// on after them and b steps back from the last, as from a single word.
// Punctuation marks (tokens without a letter or digit) are passed over
// unless stopOnMarks (while extending, so a selection can end on a full
// stop). ok is false when there is no such token.
func (d *document) wordStep(head model.Range, back, stopOnMarks bool) (int, bool) {
	stops := func(i int) bool { return stopOnMarks || d.isWord(i) }
	if !back {
		for i := d.tokenAt(head.End); i < len(d.tokens); i++ {
			if stops(i) {
				return i, true
			}
		}
		return 0, false
	}
	// From the start of the last whole token in head (head's own start
	// when it holds none, as a character or a part of a word).
	from := head.Start
	if j := sort.Search(len(d.tokens), func(j int) bool { return d.tokens[j].End > head.End }) - 1; j >= 0 && d.tokens[j].Start >= head.Start {
		from = d.tokens[j].Start
	}
	for i := sort.Search(len(d.tokens), func(i int) bool { return d.tokens[i].End > from }) - 1; i >= 0; i-- {
		if stops(i) {
			return i, true
		}
	}
	return 0, false
}

// isWord reports whether token i holds a letter or a digit: a word, not a
// punctuation mark.
func (d *document) isWord(i int) bool {
	return strings.IndexFunc(d.text[d.tokens[i].Start:d.tokens[i].End], func(r rune) bool {
		return unicode.IsLetter(r) || unicode.IsDigit(r)
	}) >= 0
}

// nextIndex returns the smallest value in starts greater than off, or the
// largest smaller than off when backward. ok is false when none exists.
func nextIndex(starts []int, off int, backward bool) (int, bool) {
	i := sort.SearchInts(starts, off)
	if backward {
		if i == 0 {
			return 0, false
		}
		return starts[i-1], true
	}
	if i < len(starts) && starts[i] == off {
		i++
	}
	if i >= len(starts) {
		return 0, false
	}
	return starts[i], true
}

// sentenceEdge returns the last word of the sentence holding head (the
// first word when backward); when head is already there, that of the next
// (previous) sentence. ok is false when there is none.
func (d *document) sentenceEdge(head model.Range, backward bool) (model.Range, bool) {
	if len(d.tokens) == 0 {
		return model.Range{}, false
	}
	if backward {
		i := sort.SearchInts(d.sentences, head.Start+1) - 1 // the sentence holding head
		if i < 0 {
			return model.Range{}, false
		}
		if d.sentences[i] == head.Start {
			if i == 0 {
				return model.Range{}, false
			}
			i--
		}
		return d.wordRange(d.sentences[i]), true
	}
	last := func(end int) model.Range { // the last token before end
		j := sort.Search(len(d.tokens), func(j int) bool { return d.tokens[j].Start >= end }) - 1
		return d.tokens[max(j, 0)]
	}
	end := len(d.text)
	if off, ok := nextIndex(d.sentences, head.Start, false); ok {
		end = off
	}
	r := last(end)
	if r.End <= head.End {
		// Already at the sentence's end: to the end of the next one.
		if end == len(d.text) {
			return model.Range{}, false
		}
		next := len(d.text)
		if off, ok := nextIndex(d.sentences, end, false); ok {
			next = off
		}
		r = last(next)
	}
	return r, true
}

// nextChar returns the offset of the next (or previous) character boundary.
func (d *document) nextChar(off int, backward bool) int {
	if backward {
		if off <= 0 {
			return 0
		}
		_, size := utf8.DecodeLastRuneInString(d.text[:off])
		return off - size
	}
	if off >= len(d.text) {
		return len(d.text)
	}
	_, size := utf8.DecodeRuneInString(d.text[off:])
	return off + size
}

// occurrences returns every range where needle occurs starting and ending on
// token boundaries (whole words), in order.
func (d *document) occurrences(needle string) []model.Range {
	if needle == "" {
		return nil
	}
	var out []model.Range
	for off := 0; ; {
		i := strings.Index(d.text[off:], needle)
		if i < 0 {
			break
		}
		r := model.Range{Start: off + i, End: off + i + len(needle)}
		if d.isTokenStart(r.Start) && d.isTokenEnd(r.End) {
			out = append(out, r)
		}
		off = r.Start + 1
		for off < len(d.text) && !utf8.RuneStart(d.text[off]) {
			off++
		}
	}
	return out
}

func (d *document) isTokenStart(off int) bool {
	i := d.tokenAt(off)
	return i < len(d.tokens) && d.tokens[i].Start == off
}

func (d *document) isTokenEnd(off int) bool {
	i := sort.Search(len(d.tokens), func(i int) bool { return d.tokens[i].End >= off })
	return i < len(d.tokens) && d.tokens[i].End == off
}
