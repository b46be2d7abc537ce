package model

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Annotators are named on purpose: a name is a person (or a machine) whose
// work is compared with others', so two names that a reader cannot tell
// apart must never be two annotators. This file is the one place that says
// when two names are the same to a reader (AnnotatorKey) and which names
// may be given at all (CheckAnnotatorName); the commands, the screen and
// the stores ask it.

// InvisibleRune reports a character that shows as nothing: format
// characters (zero-width space U+200B, joiners U+200C/U+200D, word joiner
// U+2060, byte order mark U+FEFF, soft hyphen, the bidirectional marks),
// variation selectors and the other default-ignorable code points (Hangul
// fillers, the combining grapheme joiner). Two names that differ only by
// one look the same.
func InvisibleRune(r rune) bool {
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r) ||
		unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r)
}

// AnnotatorKey is what a reader sees of an annotator's name: invisible
// characters dropped, compatibility-normalised (NFKC: "é" however it is
// composed, a no-break space as a space, full-width letters as letters),
// case-folded (NFKC again after folding, as Unicode's NFKC_Casefold),
// white space trimmed and each run of it one space. Two names with the
// same key are one name to a reader.
func AnnotatorKey(name string) string {
	for _, st := range nameSteps {
		name = st.do(name)
	}
	return name
}

// ErrAnnotatorNameBlank: the name is empty or only white space.
var ErrAnnotatorNameBlank = errors.New("annotator name is blank")

// AnnotatorNameError says why a name cannot be an annotator's.
type AnnotatorNameError struct{ Err error }

func (e *AnnotatorNameError) Error() string { return e.Err.Error() }
func (e *AnnotatorNameError) Unwrap() error { return e.Err }

// CheckAnnotatorName refuses (with an *AnnotatorNameError) a name that
// cannot be an annotator's: blank, holding a control character
// (CheckName), starting or ending with white space, or holding an
// invisible character anywhere. Such a name looks like another, or like
// nothing, wherever it is shown.
func CheckAnnotatorName(name string) error {
	if err := checkAnnotatorName(name); err != nil {
		return &AnnotatorNameError{err}
	}
	return nil
}

func checkAnnotatorName(name string) error {
	if strings.TrimSpace(name) == "" {
		return ErrAnnotatorNameBlank
	}
	if err := CheckName("annotator name", name); err != nil {
		return err
	}
	if r, _ := utf8.DecodeRuneInString(name); unicode.IsSpace(r) {
		return fmt.Errorf("annotator name %q starts with white space: give the name without it", name)
	}
	if r, _ := utf8.DecodeLastRuneInString(name); unicode.IsSpace(r) {
		return fmt.Errorf("annotator name %q ends with white space: give the name without it", name)
	}
	for i, r := range name {
		if InvisibleRune(r) {
			return fmt.Errorf("annotator name %q holds the invisible character %U at byte %d: give the name without it", name, r, i)
		}
	}
	return nil
}

// SimilarNameError says that a name is another annotator's but for
// differences a reader cannot see or would not mean.
type SimilarNameError struct {
	// Name is the name given; Existing the annotator it looks like.
	Name, Existing string
	// How lists the differences: "case", "white space", "invisible
	// characters", "Unicode normalization".
	How []string
}

func (e *SimilarNameError) Error() string {
	return fmt.Sprintf("annotator %q differs from the existing annotator %q only by %s", e.Name, e.Existing, strings.Join(e.How, " and "))
}

// SimilarAnnotator returns a *SimilarNameError when name is not one of
// existing but has the same AnnotatorKey as one of them (or as gold, which
// always exists: review writes there), nil otherwise. A name that is
// exactly one of existing is that annotator.
func SimilarAnnotator(name string, existing []string) error {
	if slices.Contains(existing, name) || name == GoldAnnotator {
		return nil
	}
	key := AnnotatorKey(name)
	for _, other := range append([]string{GoldAnnotator}, existing...) {
		if other != name && AnnotatorKey(other) == key {
			return &SimilarNameError{Name: name, Existing: other, How: nameDifferences(name, other)}
		}
	}
	return nil
}

// nameSteps are the steps of AnnotatorKey, each with the difference it
// removes, in the order AnnotatorKey takes them.
var nameSteps = []struct {
	how string
	do  func(string) string
}{
	{"invisible characters", func(s string) string {
		return strings.Map(func(r rune) rune {
			if InvisibleRune(r) {
				return -1
			}
			return r
		}, s)
	}},
	{"Unicode normalization", norm.NFKC.String},
	{"case", func(s string) string { return norm.NFKC.String(cases.Fold().String(s)) }},
	{"white space", func(s string) string { return strings.Join(strings.Fields(s), " ") }},
}

// nameDifferences says how two names with one key differ: each step of
// the key without which they would still differ.
func nameDifferences(a, b string) []string {
	keyWithout := func(s string, skip int) string {
		for i, st := range nameSteps {
			if i != skip {
				s = st.do(s)
			}
		}
		return s
	}
	var how []string
	for i, st := range nameSteps {
		if keyWithout(a, i) != keyWithout(b, i) {
			how = append(how, st.how)
		}
	}
	if len(how) == 0 {
		// Two steps each remove the difference (a full-width capital
		// against its ASCII small letter): say the first.
		how = append(how, nameSteps[1].how)
	}
	return how
}

// RenameAnnotatorIn returns a with every mention of the annotator old made
// new: its own annotator, the review decisions of a gold annotation (whose
// versions were taken, by which reviewer, what each annotator had), and a
// review with its comments and replies. changed is false (and a returned
// as it is) when a mentions old nowhere. a itself is never changed: the
// result is a clone.
func RenameAnnotatorIn(a Annotation, old, new string) (renamed Annotation, changed bool) {
	if !mentionsAnnotator(a, old) {
		return a, false
	}
	b := a.Clone()
	swap := func(s *string) {
		if *s == old {
			*s = new
		}
	}
	swap(&b.Annotator)
	for i := range b.Decisions {
		d := &b.Decisions[i]
		swap(&d.By)
		for j := range d.From {
			swap(&d.From[j])
		}
		if v, ok := d.Seen[old]; ok {
			delete(d.Seen, old)
			d.Seen[new] = v
		}
	}
	if b.Review != nil {
		swap(&b.Review.By)
		renameInComments(b.Review.Comments, swap)
	}
	return b, true
}

func renameInComments(cs []Comment, swap func(*string)) {
	for i := range cs {
		swap(&cs[i].By)
		renameInComments(cs[i].Replies, swap)
	}
}

// mentionsAnnotator reports whether RenameAnnotatorIn would change a.
func mentionsAnnotator(a Annotation, name string) bool {
	if a.Annotator == name {
		return true
	}
	for _, d := range a.Decisions {
		if _, ok := d.Seen[name]; ok || d.By == name || slices.Contains(d.From, name) {
			return true
		}
	}
	if a.Review != nil {
		if a.Review.By == name {
			return true
		}
		var in func([]Comment) bool
		in = func(cs []Comment) bool {
			for _, c := range cs {
				if c.By == name || in(c.Replies) {
					return true
				}
			}
			return false
		}
		return in(a.Review.Comments)
	}
	return false
}

// RenameAnnotatorInRegistry renames an annotator wherever a registry
// entry names them: who made it, its makers, pending aliases they
// proposed, and their grades. It reports whether anything changed.
func RenameAnnotatorInRegistry(e *RegistryEntry, old, new string) bool {
	changed := false
	swap := func(s *string) {
		if *s == old {
			*s, changed = new, true
		}
	}
	swap(&e.By)
	swap(&e.UpdatedBy)
	for i := range e.Makers {
		swap(&e.Makers[i])
	}
	for i := range e.PendingAliases {
		swap(&e.PendingAliases[i].By)
	}
	if g, ok := e.Grades[old]; ok {
		if _, taken := e.Grades[new]; !taken {
			swap(&g.By)
			e.Grades[new] = g
		}
		delete(e.Grades, old)
		changed = true
	}
	for k, g := range e.Grades {
		if g.By == old {
			g.By = new
			e.Grades[k] = g
			changed = true
		}
	}
	return changed
}
