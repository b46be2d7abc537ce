// Package suggest finds the spans an annotator is likely to tag before they
// tag them: every whole-word occurrence of a name the entity registry knows,
// every match of the team's spaCy EntityRuler patterns, and the predictions
// of a model served over Label Studio's ML backend API. A suggestion is not
// an annotation: it is shown, accepted (Accept) or rejected
// (model.Annotation.Rejected), and only an accepted one is saved, exported
// or counted.
//
// Everything here is a pure function of its inputs except Client, which
// talks to a server only when the user names one.
package suggest

import (
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/annotate-tool/annotate/internal/model"
)

// Where a suggestion comes from, in the order overlapping suggestions of
// equal length are preferred: the registry (what the team already named),
// the patterns (what it wrote down), a model (what a machine guessed).
const (
	SourceRegistry = "registry"
	SourcePatterns = "patterns"
	SourceModel    = "model"
)

// Suggestion is a span not yet tagged.
type Suggestion struct {
	// Start and End are UTF-8 byte offsets into the article's text, like
	// every offset inside annotate.
	Start, End int
	Label      string
	Text       string
	// Entity is the registry entry's id ("r12") for a registry
	// suggestion, the pattern's id as written for a pattern, "" for a
	// model's.
	Entity string
	Source string
	// ExternalID is the "scheme:id" the mention's entity gets: the
	// registry entry's first external id, or the pattern's id.
	ExternalID string
	// Score is 1 for the registry and patterns (an exact match) and the
	// model's own score for a prediction (0 when it gives none).
	Score float64
}

// Range returns the suggestion's extent.
func (s Suggestion) Range() model.Range { return model.Range{Start: s.Start, End: s.End} }

// Suggest returns the suggestions for an article's text from the registry
// and the patterns, given what the annotator already has (a may be nil).
// See FromRegistry and FromPatterns for what matches, and Resolve for what
// is left out and how overlaps are settled.
func Suggest(text string, reg []model.RegistryEntry, pats []Pattern, a *model.Annotation) []Suggestion {
	tx := newTokenized(text)
	return Resolve(text, a, tx.registry(reg), tx.patterns(pats))
}

// FromRegistry returns every whole-word occurrence in text of a registry
// entry's name or alias, with the entry's label. Names are compared as
// model.NameKey compares them: case folded (strings.ToLower on each word)
// and any run of white space equal to any other, so "the SDF" finds "The
// SDF" and "the\nSDF". Unresolved: overlaps are kept.
func FromRegistry(text string, reg []model.RegistryEntry) []Suggestion {
	return newTokenized(text).registry(reg)
}

// FromPatterns returns every whole-word match of the patterns in text.
// Unresolved: overlaps are kept.
func FromPatterns(text string, pats []Pattern) []Suggestion {
	return newTokenized(text).patterns(pats)
}

// Resolve merges suggestions from any sources into the list to show or
// write:
//
//   - a suggestion is left out when a span of a (the annotator's) has the
//     same label and overlaps it (that mention is already tagged), when a
//     span of any label has exactly its extent (the annotator decided what
//     that text is), and when a.Rejected holds its extent and label;
//   - the same extent and label found by several sources is one
//     suggestion, from the first of registry, patterns, model (an
//     external id missing there is taken from the others);
//   - of overlapping suggestions the longest is kept, then the earliest,
//     then the registry's before the patterns' before a model's (spaCy's
//     filter_spans rule), so accepting them all never nests two;
//   - the result is sorted by position.
func Resolve(text string, a *model.Annotation, found ...[]Suggestion) []Suggestion {
	type key struct {
		start, end int
		label      string
	}
	merged := map[key]int{}
	var all []Suggestion
	for _, list := range found {
		for _, s := range list {
			if model.CheckRange(text, s.Start, s.End) != nil || excluded(a, s) {
				continue
			}
			if s.Text == "" {
				s.Text = text[s.Start:s.End]
			}
			k := key{s.Start, s.End, s.Label}
			if i, ok := merged[k]; ok {
				prev := &all[i]
				if priority(s.Source) < priority(prev.Source) {
					s.ExternalID = cmpOr(s.ExternalID, prev.ExternalID)
					*prev = s
				} else {
					prev.ExternalID = cmpOr(prev.ExternalID, s.ExternalID)
				}
				continue
			}
			merged[k] = len(all)
			all = append(all, s)
		}
	}
	order := make([]int, len(all))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := all[order[i]], all[order[j]]
		if la, lb := a.End-a.Start, b.End-b.Start; la != lb {
			return la > lb
		}
		if a.Start != b.Start {
			return a.Start < b.Start
		}
		return priority(a.Source) < priority(b.Source)
	})
	// kept never overlaps itself, so ordered by start it is ordered by end
	// too, and one binary search finds whether s overlaps any of it.
	var kept []Suggestion
	for _, i := range order {
		s := all[i]
		j := sort.Search(len(kept), func(j int) bool { return kept[j].Start >= s.End })
		if j > 0 && kept[j-1].End > s.Start {
			continue
		}
		kept = slices.Insert(kept, j, s)
	}
	return kept
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func priority(source string) int {
	switch source {
	case SourceRegistry:
		return 0
	case SourcePatterns:
		return 1
	}
	return 2
}

// excluded reports whether the annotation already has s, or rejected it.
func excluded(a *model.Annotation, s Suggestion) bool {
	if a == nil {
		return false
	}
	for _, sp := range a.Entities {
		if sp.Start == s.Start && sp.End == s.End {
			return true
		}
		if sp.Label == s.Label && sp.Start < s.End && s.Start < sp.End {
			return true
		}
	}
	for _, r := range a.Rejected {
		if r.Start == s.Start && r.End == s.End && r.Label == s.Label {
			return true
		}
	}
	return false
}

// gap is what may stand between two tokens of a match.
type gap int

const (
	gapAny   gap = iota // a token pattern: tokens follow each other, whatever the white space
	gapNone             // nothing: "al-Qaeda", "ISIS's"
	gapSpace            // white space, any amount
)

// tokenMatcher matches one token.
type tokenMatcher struct {
	attr  string // "ORTH", "LOWER", or "" for any token
	value string // lower case for LOWER
	gap   gap    // before this token; ignored on the first
}

func newMatcher(attr, value string, g gap) tokenMatcher {
	if attr == "LOWER" {
		value = strings.ToLower(value)
	}
	return tokenMatcher{attr: attr, value: value, gap: g}
}

// sequence is what one name or pattern matches: consecutive tokens.
type sequence []tokenMatcher

// tokenized is a text cut into the tokens every match is made of
// (model.Tokenize: the words of the screen and of the exports), so every
// match starts and ends on a word boundary.
type tokenized struct {
	text   string
	tokens []model.Range
	lower  []string
	// at lists the tokens by their lower case form, so a name is only
	// tried where its first word is.
	at map[string][]int
}

func newTokenized(text string) *tokenized {
	tx := &tokenized{text: text, tokens: model.Tokenize(text, nil)}
	tx.lower = make([]string, len(tx.tokens))
	tx.at = map[string][]int{}
	for i, t := range tx.tokens {
		tx.lower[i] = strings.ToLower(text[t.Start:t.End])
		tx.at[tx.lower[i]] = append(tx.at[tx.lower[i]], i)
	}
	return tx
}

// match calls fn with the byte range of every occurrence of seq that is
// not inside a hyphenated word.
func (tx *tokenized) match(seq sequence, fn func(start, end int)) {
	if len(seq) == 0 {
		return
	}
	try := func(i int) {
		if i+len(seq) > len(tx.tokens) || !tx.matchAt(seq, i) {
			return
		}
		start, end := tx.tokens[i].Start, tx.tokens[i+len(seq)-1].End
		if !model.InsideHyphenatedWord(tx.text, start, end) {
			fn(start, end)
		}
	}
	if seq[0].attr != "" {
		for _, i := range tx.at[strings.ToLower(seq[0].value)] {
			try(i)
		}
		return
	}
	for i := range tx.tokens {
		try(i)
	}
}

func (tx *tokenized) matchAt(seq sequence, i int) bool {
	for j, m := range seq {
		k := i + j
		tok := tx.tokens[k]
		switch m.attr {
		case "ORTH":
			if tx.text[tok.Start:tok.End] != m.value {
				return false
			}
		case "LOWER":
			if tx.lower[k] != m.value {
				return false
			}
		}
		if j == 0 {
			continue
		}
		between := tx.text[tx.tokens[k-1].End:tok.Start]
		switch m.gap {
		case gapNone:
			if between != "" {
				return false
			}
		case gapSpace:
			if between == "" || strings.TrimFunc(between, unicode.IsSpace) != "" {
				return false
			}
		}
	}
	return true
}

func (tx *tokenized) registry(reg []model.RegistryEntry) []Suggestion {
	var out []Suggestion
	for _, e := range reg {
		ext := ""
		if len(e.ExternalIDs) > 0 {
			ext = e.ExternalIDs[0]
		}
		seen := map[string]bool{}
		for _, name := range e.Names() {
			k := model.NameKey(name)
			if k == "" || seen[k] {
				continue
			}
			seen[k] = true
			tx.match(phraseSequence(name, true), func(start, end int) {
				out = append(out, Suggestion{Start: start, End: end, Label: e.Label, Text: tx.text[start:end],
					Entity: e.ID, Source: SourceRegistry, ExternalID: ext, Score: 1})
			})
		}
	}
	return out
}

func (tx *tokenized) patterns(pats []Pattern) []Suggestion {
	var out []Suggestion
	for _, p := range pats {
		seq := p.seq
		if seq == nil {
			// A Pattern built by hand rather than read.
			if p.Phrase != "" {
				seq = phraseSequence(p.Phrase, false)
			}
			for _, t := range p.Tokens {
				seq = append(seq, newMatcher(t.Attr, t.Value, gapAny))
			}
		}
		tx.match(seq, func(start, end int) {
			out = append(out, Suggestion{Start: start, End: end, Label: p.Label, Text: tx.text[start:end],
				Entity: p.ID, Source: SourcePatterns, ExternalID: p.ExternalID, Score: 1})
		})
	}
	return out
}
