package model

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Figure is one number a claim reports: what it counts, the number as
// stated, how the claimant qualified it, and the bounds that implies.
type Figure struct {
	Counts    string `json:"counts"`          // a code of the schema's figure_counts (killed, wounded, ...)
	Value     *int   `json:"value,omitempty"` // the number stated; nil for a word such as "dozens"
	Qualifier string `json:"qualifier"`       // exact, at_least, more_than, at_most, fewer_than, about, approximate
	Low       *int   `json:"low,omitempty"`   // the smallest number the figure allows; nil when open
	High      *int   `json:"high,omitempty"`  // the largest; nil when open
	Text      string `json:"text,omitempty"`  // as written: "more than 10,000", "dozens"
}

// The qualifiers of a figure: how the claimant qualified the number. Each
// fixes the bounds a figure of value N has (nil is an open bound):
//
//	exact        N                low N,   high N
//	at_least     at least N       low N,   high open
//	more_than    more than N      low N+1, high open
//	at_most      at most N        low open, high N
//	fewer_than   fewer than N     low open, high N-1
//	about        about N          low and high open (or set by hand around N)
//	approximate  a word, no N     low and high from ApproximateWords
//
// An open low is not 0: the claimant gave no lower bound at all.
const (
	QualifierExact       = "exact"
	QualifierAtLeast     = "at_least"
	QualifierMoreThan    = "more_than"
	QualifierAtMost      = "at_most"
	QualifierFewerThan   = "fewer_than"
	QualifierAbout       = "about"
	QualifierApproximate = "approximate"
)

// Qualifiers lists every qualifier, the exact one first.
var Qualifiers = []string{QualifierExact, QualifierAtLeast, QualifierMoreThan, QualifierAtMost, QualifierFewerThan, QualifierAbout, QualifierApproximate}

// qualifierPhrases are the words before a number that ParseFigure reads as a
// qualifier, longest first so "no fewer than" wins over "fewer than".
// "nearly" and "almost" say the number was not reached, or just: at most N.
var qualifierPhrases = []struct{ phrase, qualifier string }{
	{"no fewer than", QualifierAtLeast},
	{"no less than", QualifierAtLeast},
	{"no more than", QualifierAtMost},
	{"approximately", QualifierAbout},
	{"as many as", QualifierAtMost},
	{"more than", QualifierMoreThan},
	{"fewer than", QualifierFewerThan},
	{"less than", QualifierFewerThan},
	{"at least", QualifierAtLeast},
	{"at most", QualifierAtMost},
	{"roughly", QualifierAbout},
	{"nearly", QualifierAtMost},
	{"almost", QualifierAtMost},
	{"around", QualifierAbout},
	{"up to", QualifierAtMost},
	{"about", QualifierAbout},
	{"under", QualifierFewerThan},
	{"over", QualifierMoreThan},
	{"some", QualifierAbout},
}

// canonicalPhrase is how Describe spells each qualifier before a number.
var canonicalPhrase = map[string]string{
	QualifierExact: "", QualifierAtLeast: "at least", QualifierMoreThan: "more than",
	QualifierAtMost: "at most", QualifierFewerThan: "fewer than", QualifierAbout: "about",
}

// ApproximateWord is a word reports use instead of a number, with the
// bounds annotate reads into it. Low follows ACLED's conservative coding
// ("several" 3, "dozens" 12, "hundreds" 100); High is the largest number
// the word can stand for before the next word would be used.
type ApproximateWord struct {
	Word      string
	Low, High int
}

// ApproximateWords is the table ParseFigure reads words with:
//
//	a few              2 - 9
//	several            3 - 9
//	dozens            12 - 99
//	scores            20 - 199
//	hundreds         100 - 999
//	thousands      1,000 - 9,999
//	tens of thousands  10,000 - 99,999
//
// "a dozen" is not in it: it is about 12.
var ApproximateWords = []ApproximateWord{
	{"a few", 2, 9},
	{"several", 3, 9},
	{"dozens", 12, 99},
	{"scores", 20, 199},
	{"hundreds", 100, 999},
	{"thousands", 1000, 9999},
	{"tens of thousands", 10000, 99999},
}

// numberWords are the English number words ParseFigure reads.
var numberWords = map[string]int{
	"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
	"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
	"fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
}

// maxFigure bounds a figure's number: larger ones are typing mistakes, and
// the bound keeps N+1 from overflowing.
const maxFigure = 1_000_000_000_000

var (
	plainDigits  = regexp.MustCompile(`^[0-9]+$`)
	commaGrouped = regexp.MustCompile(`^[0-9]{1,3}(,[0-9]{3})+$`)
	spaceGrouped = regexp.MustCompile(`^[0-9]{1,3}( [0-9]{3})+$`)
	dotGrouped   = regexp.MustCompile(`^[0-9]{1,3}(\.[0-9]{3})+$`)
	decimal      = regexp.MustCompile(`^[0-9]*[.,][0-9]+$`)
)

const figureHint = "write a number such as 10,000, optionally with more than, at least, about …, or a word such as dozens"

// ParseFigure reads a figure as a report writes it: "53", "10,000",
// "more than 10,000 killed", "nearly 90", "dozens", "two vehicles
// destroyed".
//
//   - Digits may be grouped in threes by commas ("10,000") or spaces
//     ("10 000", also no-break and thin spaces). "10.000" is refused as
//     ambiguous: it is ten thousand in much of Europe but ten in English,
//     and a wrong guess changes the figure a thousandfold. Decimals are
//     refused: a figure is a whole number.
//   - A qualifier phrase may come first: more than, over (more_than); at
//     least, no fewer than, no less than (at_least); at most, up to, no
//     more than, as many as, nearly, almost (at_most); fewer than, less
//     than, under (fewer_than); about, around, approximately, some,
//     roughly (about). Without one the figure is exact.
//   - The number may be an English word up to twenty ("two"), "a dozen"
//     (about 12), or one of ApproximateWords ("dozens"), which has no
//     number and takes no qualifier.
//   - It may end with what it counts, when that is one of counts
//     ("more than 10,000 killed" counts "killed"); matching ignores case.
//
// The Text of the result is the figure as written without what it counts,
// white space collapsed. An error is one sentence saying what to write.
func ParseFigure(s string, counts []string) (Figure, error) {
	words := strings.Fields(strings.Map(func(r rune) rune {
		switch r {
		case '\u00a0', '\u202f', '\u2009', '\u2007':
			return ' '
		}
		return r
	}, s))
	written := strings.Join(words, " ")
	if len(words) == 0 {
		return Figure{}, errors.New("the figure is empty: " + figureHint)
	}
	notFigure := func() error {
		return fmt.Errorf("“%s” is not a figure: %s", written, figureHint)
	}
	var f Figure
	// What it counts, at the end; the longest code that matches wins.
	best := 0
	for _, c := range counts {
		cw := strings.Fields(strings.ReplaceAll(c, "_", " "))
		if len(cw) == 0 || len(cw) >= len(words) || len(cw) <= best {
			continue
		}
		if wordsEqual(words[len(words)-len(cw):], cw) {
			f.Counts, best = c, len(cw)
		}
	}
	words = words[:len(words)-best]
	f.Text = strings.Join(words, " ")

	f.Qualifier = QualifierExact
	qualified := ""
	for _, q := range qualifierPhrases {
		qw := strings.Fields(q.phrase)
		if len(qw) < len(words) && wordsEqual(words[:len(qw)], qw) {
			f.Qualifier, qualified = q.qualifier, strings.Join(words[:len(qw)], " ")
			words = words[len(qw):]
			break
		}
	}
	number := strings.ToLower(strings.Join(words, " "))

	for _, w := range ApproximateWords {
		if number == w.Word {
			if qualified != "" {
				return Figure{}, fmt.Errorf("“%s” is not a figure: “%s” already says how many it allows, so write it alone or write a number after “%s”", written, w.Word, qualified)
			}
			f.Qualifier = QualifierApproximate
			f.Low, f.High = intPtr(w.Low), intPtr(w.High)
			return f, nil
		}
	}
	n, err := readNumber(number, written)
	if err != nil {
		if err == errNotNumber {
			// Name the words that are neither a number nor what it counts.
			for i := len(words) - 1; i > 0 && !scaleWord(words[i]); i-- {
				if _, err := readNumber(strings.ToLower(strings.Join(words[:i], " ")), written); err == nil && len(counts) > 0 {
					return Figure{}, fmt.Errorf("“%s” is not a figure: %s (“%s” is not one of what figures count: %s)",
						written, figureHint, strings.Join(words[i:], " "), strings.Join(counts, ", "))
				}
			}
			return Figure{}, notFigure()
		}
		return Figure{}, err
	}
	if number == "a dozen" || number == "dozen" {
		if qualified == "" {
			f.Qualifier = QualifierAbout
		}
	}
	g, err := QualifiedFigure(f.Qualifier, n, f.Counts)
	if err != nil {
		return Figure{}, fmt.Errorf("“%s” is not a figure: %v", written, err)
	}
	g.Text = f.Text
	return g, nil
}

var errNotNumber = errors.New("not a number")

// scaleWord reports whether w starts like "thousand" in "ten thousand": the
// words after a number are then part of a number ParseFigure cannot read,
// not what it counts.
func scaleWord(w string) bool {
	w = strings.ToLower(w)
	for _, p := range []string{"hundred", "thousand", "million", "billion", "lakh", "crore"} {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}

// readNumber reads the number part of a figure, in lower case.
func readNumber(s, written string) (int, error) {
	if n, ok := numberWords[s]; ok {
		return n, nil
	}
	if s == "a dozen" || s == "dozen" {
		return 12, nil
	}
	switch {
	case plainDigits.MatchString(s), commaGrouped.MatchString(s), spaceGrouped.MatchString(s):
		digits := strings.NewReplacer(",", "", " ", "").Replace(s)
		n, err := strconv.Atoi(digits)
		if err != nil || n > maxFigure {
			return 0, fmt.Errorf("“%s” is too large to be a count: write at most %s", written, group(maxFigure))
		}
		return n, nil
	case dotGrouped.MatchString(s):
		return 0, fmt.Errorf("“%s” is ambiguous, ten thousand in some countries and ten in others: write %s or %s", written,
			group(mustAtoi(strings.ReplaceAll(s, ".", ""))), s[:strings.IndexByte(s, '.')])
	case decimal.MatchString(s):
		return 0, fmt.Errorf("“%s” is not a figure: a figure is a whole number, such as 10,000", written)
	}
	return 0, errNotNumber
}

func mustAtoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func wordsEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !strings.EqualFold(a[i], b[i]) {
			return false
		}
	}
	return true
}

func intPtr(n int) *int { return &n }

// QualifiedFigure returns the figure "qualifier value" counting counts, with
// the bounds the qualifier implies (see the table at QualifierExact). The
// approximate qualifier has no value and is refused here: use ParseFigure.
func QualifiedFigure(qualifier string, value int, counts string) (Figure, error) {
	if value < 0 {
		return Figure{}, fmt.Errorf("a figure cannot be negative (%d)", value)
	}
	f := Figure{Counts: counts, Value: intPtr(value), Qualifier: qualifier}
	switch qualifier {
	case QualifierExact:
		f.Low, f.High = intPtr(value), intPtr(value)
	case QualifierAtLeast:
		f.Low = intPtr(value)
	case QualifierMoreThan:
		f.Low = intPtr(value + 1)
	case QualifierAtMost:
		f.High = intPtr(value)
	case QualifierFewerThan:
		if value == 0 {
			return Figure{}, errors.New("nothing is fewer than 0")
		}
		f.High = intPtr(value - 1)
	case QualifierAbout:
	default:
		return Figure{}, fmt.Errorf("unknown qualifier %q (use %s)", qualifier, strings.Join(Qualifiers[:len(Qualifiers)-1], ", "))
	}
	return f, nil
}

// ExactFigure is the figure "value counts", stated without qualification.
func ExactFigure(value int, counts string) Figure {
	f, _ := QualifiedFigure(QualifierExact, max(value, 0), counts)
	return f
}

// CheckFigure reports whether a figure is consistent: a known qualifier, no
// negative number, low not above high, and the bounds its qualifier
// implies. What it counts is checked against the schema by Validate.
func CheckFigure(f Figure) error {
	for _, p := range []struct {
		name string
		v    *int
	}{{"value", f.Value}, {"low", f.Low}, {"high", f.High}} {
		if p.v != nil && *p.v < 0 {
			return fmt.Errorf("%s %d is negative", p.name, *p.v)
		}
	}
	if f.Low != nil && f.High != nil && *f.Low > *f.High {
		return fmt.Errorf("low %d is above high %d", *f.Low, *f.High)
	}
	if f.Qualifier == QualifierApproximate {
		if f.Value != nil {
			return fmt.Errorf("an approximate figure is a word such as dozens and has no number (%d): use about for a number", *f.Value)
		}
		if f.Low == nil {
			return errors.New("an approximate figure needs the smallest number it allows (low)")
		}
		return nil
	}
	if !contains(Qualifiers, f.Qualifier) {
		return fmt.Errorf("unknown qualifier %q (use %s)", f.Qualifier, strings.Join(Qualifiers, ", "))
	}
	if f.Value == nil {
		return fmt.Errorf("a %s figure needs its number", f.Qualifier)
	}
	v := *f.Value
	name := strings.ReplaceAll(f.Qualifier, "_", " ") + " " + strconv.Itoa(v)
	if f.Qualifier == QualifierAbout {
		if (f.Low != nil && *f.Low > v) || (f.High != nil && *f.High < v) {
			return fmt.Errorf("%s has bounds %s that leave %d out", name, boundsText(f.Low, f.High), v)
		}
		return nil
	}
	want, err := QualifiedFigure(f.Qualifier, v, f.Counts)
	if err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	if !sameInt(f.Low, want.Low) || !sameInt(f.High, want.High) {
		return fmt.Errorf("%s allows %s, not %s", name, boundsText(want.Low, want.High), boundsText(f.Low, f.High))
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sameInt(a, b *int) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

func boundsText(low, high *int) string {
	p := func(n *int) string {
		if n == nil {
			return "open"
		}
		return strconv.Itoa(*n)
	}
	return "low " + p(low) + ", high " + p(high)
}

// group writes n with its digits grouped in threes by commas: 10,000.
func group(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + group(-n)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// canonical is the figure in annotate's own words, without what it counts.
func (f Figure) canonical() string {
	if f.Qualifier == QualifierApproximate || f.Value == nil {
		r := "approximately"
		switch {
		case f.Low != nil && f.High != nil:
			return r + " " + group(*f.Low) + "–" + group(*f.High)
		case f.Low != nil:
			return r + " ≥" + group(*f.Low)
		case f.High != nil:
			return r + " ≤" + group(*f.High)
		}
		return r
	}
	return strings.TrimSpace(canonicalPhrase[f.Qualifier] + " " + group(*f.Value))
}

// reading is the bounds or number a figure's text stands for: "≥12", "2",
// "about 12".
func (f Figure) reading() string {
	switch {
	case f.Qualifier == QualifierExact && f.Value != nil:
		return group(*f.Value)
	case f.Qualifier == QualifierAbout && f.Value != nil:
		return "about " + group(*f.Value)
	case f.Low != nil:
		return "≥" + group(*f.Low)
	case f.High != nil:
		return "≤" + group(*f.High)
	}
	return f.canonical()
}

// Describe returns the figure in a short human form, for lists and exports:
// "more than 10,000 killed", "dozens (≥12) wounded", "nearly 90 (≤90)".
// The text as written comes first; when it is not annotate's own wording,
// the number or bound it was read as follows in brackets.
func (f Figure) Describe() string {
	s := f.canonical()
	if f.Text != "" && !strings.EqualFold(f.Text, s) {
		s = f.Text + " (" + f.reading() + ")"
	}
	if f.Counts != "" {
		s += " " + f.Counts
	}
	return s
}

// CountBounds maps the figure onto an incident count's low, best and high
// estimates: what filling a count from this one figure records. A number
// stated plainly or with "about" is the best estimate; "at least" and
// "more than" give the low estimate (the smallest number allowed), "at
// most" and "fewer than" the high; a word such as "dozens" gives its
// conservative low only, since the word's upper end is annotate's reading,
// not a number anyone reported. The others stay nil (unknown). The
// pointers are fresh: the caller may keep them.
func (f Figure) CountBounds() (low, best, high *int) {
	cp := func(p *int) *int {
		if p == nil {
			return nil
		}
		return intPtr(*p)
	}
	switch f.Qualifier {
	case QualifierExact, QualifierAbout:
		return nil, cp(f.Value), nil
	case QualifierAtLeast, QualifierMoreThan, QualifierApproximate:
		return cp(f.Low), nil, nil
	case QualifierAtMost, QualifierFewerThan:
		return nil, nil, cp(f.High)
	}
	return nil, nil, nil
}

// sameCount reports whether two names of what a figure counts are the same:
// case aside, and "_" read as a space ("vehicles_destroyed" is "vehicles
// destroyed"), so a field name can be written either way.
func sameCount(a, b string) bool {
	norm := func(s string) string { return strings.Join(strings.Fields(strings.ReplaceAll(s, "_", " ")), " ") }
	return a != "" && strings.EqualFold(norm(a), norm(b))
}

// CountsAs reports whether the figure counts code (case aside, "_" as a
// space): whether "53 killed" fits a field that counts the killed.
func (f Figure) CountsAs(code string) bool { return sameCount(f.Counts, code) }

// FigureCounts is what a claim's figures may count: the schema's
// figure_counts, or killed, wounded, kidnapped and other when it lists none.
func (s *Schema) FigureCounts() []string {
	if s != nil && len(s.Claims.FigureCounts) > 0 {
		return s.Claims.FigureCounts
	}
	return []string{"killed", "wounded", "kidnapped", "other"}
}

// FieldCounts returns what an incident field counts, as a code of
// FigureCounts: a count or number field whose name is one of them (case
// aside, "_" as a space), such as killed (a count) and kidnapped (a
// number) in the default schema. Such a field is filled from the figures
// that count the same (Figure.CountsAs); ok is false for any other field.
func (s *Schema) FieldCounts(field string) (code string, ok bool) {
	f, found := s.Field(field)
	if !found || (f.Type != FieldCount && f.Type != FieldNumber) {
		return "", false
	}
	for _, c := range s.FigureCounts() {
		if sameCount(c, f.Name) {
			return c, true
		}
	}
	return "", false
}

// TakesFigures reports whether an incident field can be filled from a
// claim's figure: every count field (low, best, high), and a number field
// that counts one of FigureCounts (FieldCounts).
func (s *Schema) TakesFigures(field string) bool {
	f, found := s.Field(field)
	if !found {
		return false
	}
	_, counts := s.FieldCounts(field)
	return f.Type == FieldCount || counts
}

// Number is the one number a single-number field (kidnapped in the default
// schema) records from the figure, and which of its bounds that is: the
// best estimate when there is one (a number stated plainly or with
// "about"), else the low ("at least", "more than", a word such as
// "dozens": the conservative reading), else the high ("at most", "fewer
// than"). It is CountBounds narrowed to one number; nil when the figure
// gives none. The pointer is fresh.
func (f Figure) Number() (n *int, bound string) {
	low, best, high := f.CountBounds()
	switch {
	case best != nil:
		return best, "best"
	case low != nil:
		return low, "low"
	case high != nil:
		return high, "high"
	}
	return nil, ""
}
