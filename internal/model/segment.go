package model

import (
	"sort"
	"unicode"
	"unicode/utf8"

	"github.com/clipperhouse/uax29/v2/sentences"
)

// Sentences are Unicode sentence segments (UAX #29), except that a
// sentence never ends inside a span. Tokens are Tokenize's (tokenize.go).

// SentenceStarts returns the index of the first token of each sentence
// (Unicode sentence segments), never starting a sentence inside one of the
// spans. The screen's sentence motions use it too.
func SentenceStarts(text string, tokens []Range, spans []Span) []int {
	inside := func(off int) bool {
		for _, s := range spans {
			if s.Start < off && off < s.End {
				return true
			}
		}
		return false
	}
	var out []int
	it := sentences.FromString(text)
	for it.Next() {
		i := sort.Search(len(tokens), func(i int) bool { return tokens[i].Start >= it.Start() })
		if i >= len(tokens) || tokens[i].Start >= it.End() {
			continue // a sentence of white space only
		}
		if len(out) > 0 && (out[len(out)-1] == i || inside(tokens[i].Start)) {
			continue
		}
		out = append(out, i)
	}
	if len(out) == 0 && len(tokens) > 0 {
		out = append(out, 0)
	}
	if len(out) > 0 {
		out[0] = 0
	}
	return out
}

// InsideHyphenatedWord reports whether the stretch [start, end) of text is
// part of a larger word joined to it by a hyphen ("anti-ISIS",
// "ISIS-held"): a letter or digit, a hyphen, then the stretch, or the
// stretch, a hyphen, then a letter or digit. Such an occurrence is not a
// mention on its own and is never suggested: the rule of the screen's tag
// all (`a`) and of suggestions.
func InsideHyphenatedWord(text string, start, end int) bool {
	isHyphen := func(c rune) bool { return c == '-' || c == '\u2010' || c == '\u2011' }
	isWord := func(c rune) bool { return unicode.IsLetter(c) || unicode.IsDigit(c) }
	if start > 0 {
		c, n := utf8.DecodeLastRuneInString(text[:start])
		if isHyphen(c) {
			if b, _ := utf8.DecodeLastRuneInString(text[:start-n]); isWord(b) {
				return true
			}
		}
	}
	if end < len(text) {
		c, n := utf8.DecodeRuneInString(text[end:])
		if isHyphen(c) {
			if a, _ := utf8.DecodeRuneInString(text[end+n:]); isWord(a) {
				return true
			}
		}
	}
	return false
}
