package suggest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/annotate-tool/annotate/internal/model"
)

// Pattern is one line of a spaCy EntityRuler patterns file (JSONL), the
// format Prodigy users already keep their terminology in:
//
//	{"label": "ORG", "pattern": "ISIS", "id": "wikidata:Q2429253"}
//	{"label": "ORG", "pattern": [{"lower": "islamic"}, {"lower": "state"}]}
//
// A phrase pattern (a string) matches the same words, case-sensitively, as
// spaCy's EntityRuler does with its default phrase_matcher_attr (ORTH): the
// file gives the same matches here as in the team's spaCy pipeline, and
// "Isis" (a name) is not "ISIS". Write a token pattern with "lower" for a
// match in any case.
type Pattern struct {
	Label string
	// Phrase is the text of a phrase pattern ("" for a token pattern).
	Phrase string
	// Tokens are the token specs of a token pattern (nil for a phrase).
	Tokens []TokenSpec
	// ID is the pattern's id as written ("" without one).
	ID string
	// ExternalID is what the id becomes on the entity: the id itself when
	// it reads scheme:id ("wikidata:Q2429253"), else the id kept under
	// model.BareScheme ("kb:Q2429253"), which a spaCy export writes back
	// as the pattern wrote it (model.ExternalIDOf).
	ExternalID string
	// Where names the file and line ("patterns.jsonl:3").
	Where string

	seq sequence
}

// TokenSpec is one token of a token pattern: the token's text (Attr
// "ORTH") or its lower case form ("LOWER") equals Value; an empty Attr
// (the pattern {}) matches any one token, as in spaCy.
type TokenSpec struct {
	Attr  string
	Value string
}

// patternLine is a line as written; pattern is a string or a list.
type patternLine struct {
	Label   *string         `json:"label"`
	Pattern json.RawMessage `json:"pattern"`
	ID      json.RawMessage `json:"id"`
}

// ReadPatterns reads an EntityRuler patterns file. Blank lines are
// skipped. A line that is not JSON, lacks a label or pattern, or uses what
// annotate does not match on (attributes other than ORTH, TEXT and LOWER,
// operators such as "OP", values other than strings) is refused: the error
// names every such line as name:line with what to do, and no pattern is
// returned, so a file is used whole or not at all.
func ReadPatterns(r io.Reader, name string) ([]Pattern, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	var out []Pattern
	var bad []string
	line := 0
	for sc.Scan() {
		line++
		raw := bytes.TrimSpace(sc.Bytes())
		if line == 1 {
			raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
		}
		if len(raw) == 0 {
			continue
		}
		where := fmt.Sprintf("%s:%d", name, line)
		p, err := parsePattern(raw)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%s: %v", where, err))
			continue
		}
		p.Where = where
		out = append(out, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read patterns %s: %w", name, err)
	}
	if len(bad) > 0 {
		return nil, &PatternError{Lines: bad}
	}
	return out, nil
}

// PatternError lists the broken lines of a patterns file.
type PatternError struct {
	Lines []string
}

func (e *PatternError) Error() string {
	s := "patterns refused: " + strings.Join(e.Lines, "; ")
	return s + " (fix the lines named, or remove them; the rest of the file is not used until then)"
}

func parsePattern(raw []byte) (Pattern, error) {
	var pl patternLine
	if raw[0] != '{' {
		return Pattern{}, errors.New(`not a JSON object: write one object per line, like {"label": "ORG", "pattern": "ISIS"}`)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&pl); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.Is(err, io.ErrUnexpectedEOF):
			return Pattern{}, errors.New(`not JSON (the object is not closed): write one object per line, like {"label": "ORG", "pattern": "ISIS"}`)
		case errors.As(err, &syn):
			return Pattern{}, fmt.Errorf("not JSON (%v): write one object per line, like {\"label\": \"ORG\", \"pattern\": \"ISIS\"}", syn)
		case errors.As(err, &typ):
			return Pattern{}, fmt.Errorf("%q must be %s, not a JSON %s", typ.Field, want(typ.Field), typ.Value)
		}
		return Pattern{}, fmt.Errorf("not a JSON object (%v): write {\"label\": \"ORG\", \"pattern\": \"ISIS\"}", err)
	}
	if dec.More() {
		return Pattern{}, errors.New("more than one JSON value on the line: one pattern per line")
	}
	var p Pattern
	if pl.Label == nil || strings.TrimSpace(*pl.Label) == "" {
		return p, errors.New(`no "label": each pattern needs the label its matches get ("label": "ORG")`)
	}
	p.Label = *pl.Label
	if len(pl.Pattern) == 0 || string(pl.Pattern) == "null" {
		return p, errors.New(`no "pattern": give the words ("pattern": "ISIS") or token specs ("pattern": [{"lower": "isis"}])`)
	}
	switch pl.Pattern[0] {
	case '"':
		if err := json.Unmarshal(pl.Pattern, &p.Phrase); err != nil {
			return p, fmt.Errorf("pattern: %v", err)
		}
		p.seq = phraseSequence(p.Phrase, false)
		if len(p.seq) == 0 {
			return p, errors.New(`the pattern has no words: give the words to find ("pattern": "ISIS")`)
		}
	case '[':
		specs, err := parseTokenSpecs(pl.Pattern)
		if err != nil {
			return p, err
		}
		p.Tokens = specs
		for _, t := range specs {
			p.seq = append(p.seq, newMatcher(t.Attr, t.Value, gapAny))
		}
	default:
		return p, errors.New(`"pattern" must be a string ("ISIS") or a list of token specs ([{"lower": "isis"}])`)
	}
	if len(pl.ID) > 0 && string(pl.ID) != "null" {
		var id any
		if err := json.Unmarshal(pl.ID, &id); err != nil {
			return p, fmt.Errorf("id: %v", err)
		}
		switch v := id.(type) {
		case string:
			p.ID = v
		case float64:
			p.ID = strings.TrimSpace(string(pl.ID))
		default:
			return p, errors.New(`"id" must be a string ("wikidata:Q2429253" or "isis")`)
		}
		p.ID = strings.TrimSpace(p.ID)
		if p.ID != "" {
			p.ExternalID = model.ExternalIDOf(p.ID)
		}
	}
	return p, nil
}

func want(field string) string {
	if field == "label" {
		return "a string"
	}
	return "a string or a list"
}

// parseTokenSpecs reads [{"lower": "islamic"}, {"ORTH": "State"}]. Keys
// are accepted in any case, as spaCy upper-cases them; TEXT is ORTH.
func parseTokenSpecs(raw json.RawMessage) ([]TokenSpec, error) {
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, errors.New(`a token pattern is a list of objects, one per token: [{"lower": "islamic"}, {"lower": "state"}]`)
	}
	if len(items) == 0 {
		return nil, errors.New("the token pattern is empty: give at least one token spec")
	}
	var out []TokenSpec
	for i, item := range items {
		if item == nil {
			return nil, fmt.Errorf("token %d is null: write an object such as {\"lower\": \"isis\"}", i+1)
		}
		keys := make([]string, 0, len(item))
		for k := range item {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if strings.EqualFold(k, "OP") {
				return nil, fmt.Errorf("token %d has the operator %q, which annotate does not support: list every token the match has (write one pattern per variant)", i+1, k)
			}
		}
		if len(keys) > 1 {
			return nil, fmt.Errorf("token %d has several attributes (%s): annotate matches one attribute per token (ORTH, TEXT or LOWER)", i+1, strings.Join(keys, ", "))
		}
		if len(keys) == 0 {
			out = append(out, TokenSpec{}) // {} is any one token, as in spaCy
			continue
		}
		key := keys[0]
		attr := strings.ToUpper(key)
		switch attr {
		case "TEXT", "ORTH":
			attr = "ORTH"
		case "LOWER":
		default:
			return nil, fmt.Errorf("token %d matches on %q, which annotate does not support: use ORTH, TEXT or LOWER", i+1, key)
		}
		var v string
		if err := json.Unmarshal(item[key], &v); err != nil {
			return nil, fmt.Errorf("token %d: the value of %q must be a string (annotate does not support IN, REGEX or other operators)", i+1, key)
		}
		if v == "" {
			return nil, fmt.Errorf("token %d: the value of %q is empty", i+1, key)
		}
		out = append(out, TokenSpec{Attr: attr, Value: v})
	}
	return out, nil
}

// phraseSequence turns words (a phrase pattern or a registry name) into
// token matchers with the tokenizer of the screen and the exports
// (model.Tokenize): the gaps between its tokens must be as in the text,
// nothing where the name has nothing ("al-Qaeda") and white space, any
// amount, where it has white space. fold compares case-insensitively.
func phraseSequence(words string, fold bool) sequence {
	toks := model.Tokenize(words, nil)
	seq := make(sequence, 0, len(toks))
	attr := "ORTH"
	if fold {
		attr = "LOWER"
	}
	for i, t := range toks {
		g := gapAny
		if i > 0 {
			if toks[i-1].End == t.Start {
				g = gapNone
			} else {
				g = gapSpace
			}
		}
		seq = append(seq, newMatcher(attr, words[t.Start:t.End], g))
	}
	return seq
}
