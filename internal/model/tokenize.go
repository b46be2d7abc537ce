package model

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/clipperhouse/uax29/v2/graphemes"
)

// The tokenizer of the token-level exports (spacy --tokens, conll), of the
// screen's word motions and of suggestions. It follows spaCy's English
// tokenizer (spaCy 3.8: spacy/tokenizer.pyx, spacy/lang/punctuation.py,
// spacy/lang/en/punctuation.py and the exceptions in
// spacy/lang/tokenizer_exceptions.py and spacy/lang/en/tokenizer_exceptions.py),
// so that token_start and token_end in an export are the tokens spaCy makes
// of the same text. In full:
//
//  1. The text is cut at white space and control characters, which are
//     never tokens. Each stretch between them is a chunk.
//  2. A chunk that is an exception stays whole: abbreviations ("Mr.", "Dr.",
//     "Gen.", "e.g.", "a.m.", "Ph.D.", "D.C.", month and US state
//     abbreviations, single letters "a." to "z."), "and/or", "w/o", "C++"
//     and a few words with apostrophes ("o'clock", "'cause"), each also with
//     a typographic apostrophe.
//  3. Otherwise prefixes and suffixes are split off, one of each at a time,
//     until none is left or what remains is an exception. Prefixes: opening
//     punctuation, quotes and brackets, currency signs, "§ % = — –", "+" not
//     before a digit, a run of two or more periods, symbols (emoji).
//     Suffixes: closing punctuation, quotes, "'s" and "’s", "—" "–",
//     symbols, a run of two or more periods, a currency sign or a unit
//     ("km", "%") after a digit, and a final period when it follows a
//     digit, a lower-case letter, punctuation, or two capital letters. So
//     "Syria." and "NATO." lose their period, and "U.S." keeps it: a period
//     after a single capital is part of an abbreviation.
//  4. What remains is split at infixes: a hyphen or dash ("-", "--", "—",
//     "~") between a letter or digit and a letter ("ISIS-held" and
//     "well-known" are three tokens each); "+ - * ^" between digits
//     ("2016-02-03"); a period between a lower-case and a capital letter
//     ("Tuesday.Mr"); a comma between letters; ": < > = /" between a letter
//     or digit and a letter; an ellipsis; a symbol. A hyphen after a period
//     is not an infix, so "U.S.-backed" stays one token, as in spaCy. A web
//     address (scheme or "www", host, path) is not split.
//  5. Adjacent pieces of one chunk that together spell an exception are one
//     token ("Tuesday.Mr." gives "Tuesday", ".", "Mr.").
//  6. A token is cut where a span starts or ends inside it, so every span
//     covers whole tokens (a span that stops inside a word, which the screen
//     allows, still has exact token_start and token_end).
//
// Where it differs from spaCy, on purpose: a split never falls inside a
// grapheme cluster (an emoji with its skin tone or ZWJ sequence, a flag, a
// letter with combining marks is one unit, and a letter followed by
// combining marks counts as that letter); letters and cases are Unicode's
// (spaCy lists scripts); contractions stay whole ("don't", where spaCy gives
// "do" "n't"; "5p.m.", where spaCy gives "5" "p.m."); emoticons (":)",
// "8)") are not exceptions; the web-address rule leaves out spaCy's numeric
// IP addresses.

// Tokenize returns the tokens of text as byte ranges, cut at every offset
// in cuts that falls inside a token.
func Tokenize(text string, cuts []int) []Range {
	out := make([]Range, 0, len(text)/5)
	cuts = append([]int(nil), cuts...)
	sort.Ints(cuts)
	emit := func(start, end int) {
		// Cut at span boundaries strictly inside the token.
		i := sort.SearchInts(cuts, start+1)
		for ; i < len(cuts) && cuts[i] < end; i++ {
			if cuts[i] > start {
				out = append(out, Range{Start: start, End: cuts[i]})
				start = cuts[i]
			}
		}
		out = append(out, Range{Start: start, End: end})
	}
	var pieces []Range
	chunk := func(start, end int) {
		pieces = splitChunk(text[start:end], pieces[:0], tokenExceptions)
		for _, p := range pieces {
			emit(start+p.Start, start+p.End)
		}
	}
	start := -1
	for i, r := range text {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			if start >= 0 {
				chunk(start, i)
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		chunk(start, len(text))
	}
	return out
}

// chunkSplitter holds one chunk (text without white space) while it is
// split.
type chunkSplitter struct {
	s string
	// cluster[i] is false where byte i is inside a grapheme cluster; nil
	// when every rune boundary is a cluster boundary (plain ASCII).
	cluster []bool
}

// splitChunk appends the tokens of one chunk to out, as byte ranges of s,
// keeping the exceptions in exc whole.
func splitChunk(s string, out []Range, exc map[string]bool) []Range {
	if isException(exc, s) {
		return append(out, Range{Start: 0, End: len(s)})
	}
	c := chunkSplitter{s: s}
	if !isASCII(s) {
		c.cluster = make([]bool, len(s)+1)
		it := graphemes.FromString(s)
		for it.Next() {
			c.cluster[it.Start()] = true
		}
		c.cluster[len(s)] = true
	}
	first := len(out)
	lo, hi := 0, len(s)
	var suffixes []Range
	for last := -1; lo < hi && hi-lo != last; {
		if isException(exc, s[lo:hi]) {
			break
		}
		last = hi - lo
		pre := c.prefix(lo, hi)
		if pre > 0 && lo+pre < hi && isException(exc, s[lo+pre:hi]) {
			out = append(out, Range{Start: lo, End: lo + pre})
			lo += pre
			break
		}
		suf := c.suffix(lo+pre, hi)
		if suf > 0 && hi-suf > lo && isException(exc, s[lo:hi-suf]) {
			suffixes = append(suffixes, Range{Start: hi - suf, End: hi})
			hi -= suf
			break
		}
		switch {
		case pre > 0 && suf > 0 && pre+suf <= hi-lo:
			out = append(out, Range{Start: lo, End: lo + pre})
			suffixes = append(suffixes, Range{Start: hi - suf, End: hi})
			lo, hi = lo+pre, hi-suf
		case pre > 0:
			out = append(out, Range{Start: lo, End: lo + pre})
			lo += pre
		case suf > 0:
			suffixes = append(suffixes, Range{Start: hi - suf, End: hi})
			hi -= suf
		}
		if lo < hi && isException(exc, s[lo:hi]) {
			break
		}
	}
	if lo < hi {
		out = c.infixes(lo, hi, out)
	}
	for i := len(suffixes) - 1; i >= 0; i-- {
		out = append(out, suffixes[i])
	}
	if exc == nil {
		return out
	}
	return joinExceptions(s, out, first)
}

// prefix returns the length in bytes of the prefix of s[lo:hi] to split
// off, or 0. The first rule that matches wins, in spaCy's order.
func (c *chunkSplitter) prefix(lo, hi int) int {
	s := c.s[lo:hi]
	r, n := utf8.DecodeRuneInString(s)
	var end int
	switch {
	case strings.ContainsRune("§%=—–", r):
		end = n
	case r == '+':
		if next, _ := utf8.DecodeRuneInString(s[n:]); !isDigit(next) {
			end = n
		}
	case isPunct(r):
		end = n
	case r == '.':
		if dots := leadingDots(s); dots >= 2 {
			end = dots
		}
	case isQuote(r):
		end = n
	case isCurrency(r):
		end = n
	case strings.HasPrefix(s, "US$") || strings.HasPrefix(s, "C$") || strings.HasPrefix(s, "A$"):
		end = strings.IndexByte(s, '$') + 1
	case isIcon(r):
		end = c.clusterEnd(lo+n) - lo
	}
	if end == 0 {
		return 0
	}
	return c.clusterEnd(lo+end) - lo
}

// suffix returns the length in bytes of the suffix of s[lo:hi] to split
// off, or 0. Every rule is anchored at the end, so the earliest-starting
// match, which spaCy takes, is the longest; a rule looks behind only as far
// as lo, as spaCy searches the chunk with its prefix removed.
func (c *chunkSplitter) suffix(lo, hi int) int {
	s := c.s[lo:hi]
	if s == "" {
		return 0
	}
	r, n := utf8.DecodeLastRuneInString(s)
	best := 0
	take := func(length int) {
		if length > best {
			best = length
		}
	}
	// before returns the rune before the last k bytes of s, skipping
	// combining marks, or -1.
	before := func(k int) rune { return baseBefore(s, len(s)-k) }
	if isPunct(r) || isQuote(r) || r == '—' || r == '–' {
		take(n)
	}
	if strings.HasSuffix(s, "……") {
		take(len("……"))
	}
	if dots := trailingDots(s); dots >= 2 {
		take(dots)
	}
	if start := c.clusterDown(lo, hi-1); start < hi {
		if first, _ := utf8.DecodeRuneInString(c.s[start:hi]); isIcon(first) {
			take(hi - start)
		}
	}
	for _, p := range []string{"'s", "'S", "’s", "’S"} {
		if strings.HasSuffix(s, p) {
			take(len(p))
		}
	}
	if r == '+' && isDigit(before(1)) {
		take(1)
	}
	if r == '.' && strings.ContainsRune("FfCcKk", before(1)) && baseBefore(s, len(s)-2) == '°' {
		take(1)
	}
	if tail := s[max(0, len(s)-longestUnit-utf8.UTFMax):]; strings.IndexAny(tail, "0123456789") >= 0 {
		for _, cur := range currencies {
			if strings.HasSuffix(s, cur) && isDigit(before(len(cur))) {
				take(len(cur))
			}
		}
		for _, unit := range units {
			if strings.HasSuffix(s, unit) && isDigit(before(len(unit))) {
				take(len(unit))
			}
		}
	}
	if r == '.' {
		b, at := baseBeforeAt(s, len(s)-1)
		switch {
		case isDigit(b) || isLower(b) || strings.ContainsRune("%²-+|", b) || isPunct(b) || isQuote(b):
			take(1)
		case isUpper(b) && isUpper(baseBefore(s, at)):
			take(1)
		}
	}
	if best == 0 {
		return 0
	}
	return hi - c.clusterDown(lo, hi-best) // whole clusters only
}

// infixes splits s[lo:hi] at its infixes and appends the pieces to out.
func (c *chunkSplitter) infixes(lo, hi int, out []Range) []Range {
	s := c.s[lo:hi]
	if mayBeWebAddress(s) && webAddress.MatchString(s) {
		return append(out, Range{Start: lo, End: hi})
	}
	start := 0
	for i := 0; i < len(s); {
		end := c.infixAt(s, lo, i)
		if end == 0 {
			_, n := utf8.DecodeRuneInString(s[i:])
			i += n
			continue
		}
		if i > 0 { // an infix at the very start splits nothing
			if i > start {
				out = append(out, Range{Start: lo + start, End: lo + i})
			}
			out = append(out, Range{Start: lo + i, End: lo + end})
			start = end
		}
		i = end
	}
	if start < len(s) {
		out = append(out, Range{Start: lo + start, End: hi})
	}
	return out
}

// infixAt returns the end (in s) of an infix starting at s[i:], or 0. The
// rules are tried in spaCy's order; one that would cut a grapheme cluster
// does not match.
func (c *chunkSplitter) infixAt(s string, lo, i int) int {
	r, n := utf8.DecodeRuneInString(s[i:])
	if r < utf8.RuneSelf && !asciiInfix[r] || unicode.IsLetter(r) || !c.isCluster(lo+i) {
		return 0 // most runes: no infix starts here
	}
	prev := baseBefore(s, i)
	next := func(k int) rune { // the rune k bytes on from i
		if i+k >= len(s) {
			return -1
		}
		nr, _ := utf8.DecodeRuneInString(s[i+k:])
		return nr
	}
	end := 0
	switch {
	case r == '.' && next(1) == '.':
		end = i + leadingDots(s[i:])
	case r == '…':
		end = i + n
	case isIcon(r):
		end = c.clusterEnd(lo+i+n) - lo
	case strings.ContainsRune("+-*^", r) && isDigit(prev) && (isDigit(next(n)) || next(n) == '-'):
		end = i + n
	case r == '.' && (isLower(prev) || isQuote(prev)) && (isUpper(next(n)) || isQuote(next(n))):
		end = i + n
	case r == ',' && unicode.IsLetter(prev) && unicode.IsLetter(next(n)):
		end = i + n
	case (unicode.IsLetter(prev) || isDigit(prev)) && strings.ContainsRune("-–—~", r):
		for _, h := range hyphens {
			if strings.HasPrefix(s[i:], h) && unicode.IsLetter(next(len(h))) {
				end = i + len(h)
				break
			}
		}
		if end == 0 {
			return 0
		}
	case (unicode.IsLetter(prev) || isDigit(prev)) && strings.ContainsRune(":<>=/", r) && unicode.IsLetter(next(n)):
		end = i + n
	default:
		return 0
	}
	if !c.isCluster(lo + end) {
		return 0
	}
	return end
}

// joinExceptions joins adjacent tokens of one chunk (out[first:]) that
// are the pieces the affix rules alone make of an exception, as spaCy's
// special-case matcher does after splitting: "Tuesday.Mr." splits into
// "Tuesday" "." "Mr" "." and "Mr" "." is the exception "Mr.". Longer
// matches win, then later ones; a match touching one already taken is
// dropped.
func joinExceptions(s string, out []Range, first int) []Range {
	toks := out[first:]
	if len(toks) < 2 {
		return out
	}
	type match struct{ at, n int }
	var found []match
	for n := min(maxExceptionPieces, len(toks)); n >= 2; n-- {
		for at := len(toks) - n; at >= 0; at-- {
			start, end := toks[at].Start, toks[at+n-1].End
			if end-start > longestException {
				continue
			}
			ends, ok := exceptionPieces[s[start:end]]
			if !ok || len(ends) != n {
				continue
			}
			same := true
			for k, end := range ends {
				same = same && toks[at+k].End-toks[at].Start == end
			}
			if same {
				found = append(found, match{at, n})
			}
		}
	}
	if len(found) == 0 {
		return out
	}
	seen := make([]bool, len(toks))
	join := make([]int, len(toks)) // pieces joined from here, 0 for none
	for _, m := range found {
		if !seen[m.at] && !seen[m.at+m.n-1] {
			join[m.at] = m.n
		}
		for k := m.at; k < m.at+m.n; k++ {
			seen[k] = true
		}
	}
	joined := toks[:0]
	for i := 0; i < len(toks); {
		if n := join[i]; n > 0 {
			joined = append(joined, Range{Start: toks[i].Start, End: toks[i+n-1].End})
			i += n
			continue
		}
		joined = append(joined, toks[i])
		i++
	}
	return out[:first+len(joined)]
}

// exceptionPieces holds, for each exception the affix rules alone would
// split, the ends of its pieces; maxExceptionPieces is the most pieces.
var (
	exceptionPieces    = map[string][]int{}
	maxExceptionPieces int
)

func init() {
	// Each exception with an apostrophe holds with a typographic one too
	// (spaCy's expand_exc).
	for _, e := range strings.Fields(exceptionList) {
		tokenExceptions[e] = true
		if strings.Contains(e, "'") {
			tokenExceptions[strings.ReplaceAll(e, "'", "’")] = true
		}
	}
	for _, c := range []byte(".'/+\")\u2014\u2019\u2018") {
		exceptionByte[c] = true
	}
	for e := range tokenExceptions {
		longestException = max(longestException, len(e))
		if !strings.ContainsAny(e, ".'/+\")\u2014\u2019\u2018") {
			panic("model: exception " + e + " has none of exceptionByte")
		}
	}
	for _, u := range append(units[:len(units):len(units)], currencies...) {
		longestUnit = max(longestUnit, len(u))
	}
	for e := range tokenExceptions {
		if pieces := splitChunk(e, nil, nil); len(pieces) > 1 {
			ends := make([]int, len(pieces))
			for i, p := range pieces {
				ends[i] = p.End
			}
			exceptionPieces[e] = ends
			maxExceptionPieces = max(maxExceptionPieces, len(pieces))
		}
	}
}

// isException reports whether s is in exc; a string longer than every
// exception is not looked up, which keeps splitting a long run of
// punctuation linear.
func isException(exc map[string]bool, s string) bool {
	if len(s) > longestException {
		return false
	}
	for i := 0; i < len(s); i++ {
		if exceptionByte[s[i]] {
			return exc[s]
		}
	}
	return false // a plain word: every exception has one of exceptionByte
}

// exceptionByte marks the bytes of the characters that every exception
// has one of (a period, an apostrophe, "/", "+", a quote, a dash).
var exceptionByte [256]bool

// longestException and longestUnit are the lengths in bytes of the longest
// exception and the longest unit or currency sign.
var longestException, longestUnit int

// tokenExceptions are the chunks kept whole (rule 2), filled by init from
// exceptionList.
var tokenExceptions = map[string]bool{}

// exceptionList is spaCy's English single-token exceptions that the affix
// rules would otherwise split, less emoticons: abbreviations, then words
// with apostrophes, then the rest.
const exceptionList = `
Adm. Bros. co. Co. Corp. D.C. Dr. e.g. E.g. E.G. Gen. Gov. i.e. I.e. I.E.
Inc. Jr. Ltd. Md. Messrs. Mo. Mont. Mr. Mrs. Ms. Ph.D. Prof. Rep. Rev. Sen.
St. vs. v.s. a.m. p.m. Mt.
Jan. Feb. Mar. Apr. Jun. Jul. Aug. Sep. Sept. Oct. Nov. Dec.
Ak. Ala. Ariz. Ark. Calif. Colo. Conn. Del. Fla. Ga. Ia. Id. Ill. Ind. Kan.
Kans. Ky. La. Mass. Mich. Minn. Miss. N.C. N.D. N.H. N.J. N.M. N.Y. Neb. Nebr.
Nev. Okla. Ore. Pa. S.C. Tenn. Va. Wash. Wis.
a. b. c. d. e. f. g. h. i. j. k. l. m. n. o. p. q. r. s. t. u. v. w. x. y. z.
ä. ö. ü.
' '' 's 'S ‘s ‘S 'd 're 'em 'll 'nuff 'bout 'cause 'Cause 'cos 'Cos 'coz 'Coz
'cuz 'Cuz ma'am Ma'am o'clock O'clock lovin' Lovin' havin' Havin' doin' Doin'
goin' Goin' nothin' Nothin' nuthin' Nuthin' ol' Ol' somethin' Somethin'
and/or w/o C++ \") —
`

// webAddress is the shape of a web address that is not split (spaCy's
// URL_MATCH, less its numeric IP addresses): an optional scheme, an
// optional user, a host whose last label is lower-case letters or letters
// of a script without case, an optional port and path.
var webAddress = regexp.MustCompile(`^(?:[\pL\pN_+\-.]{2,}://)?(?:[^\s:@]+(?::[^\s@]*)?@)?` +
	`(?:(?:[A-Za-z0-9\x{a1}-\x{ffff}][A-Za-z0-9\x{a1}-\x{ffff}_-]{0,62})?[A-Za-z0-9\x{a1}-\x{ffff}]\.)+` +
	`[\p{Ll}\p{Lo}\p{M}]{2,63}(?::\d{2,5})?(?:[/?#]\S*)?$`)

// mayBeWebAddress is a quick test before webAddress: a period followed by
// a letter that is not an ASCII capital.
func mayBeWebAddress(s string) bool {
	for i := strings.IndexByte(s, '.'); i >= 0 && i+1 < len(s); {
		if c := s[i+1]; 'a' <= c && c <= 'z' || c >= utf8.RuneSelf {
			return true
		}
		j := strings.IndexByte(s[i+1:], '.')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// asciiInfix marks the ASCII characters an infix can start with.
var asciiInfix = func() (t [utf8.RuneSelf]bool) {
	for _, c := range ".+-*^,~:<>=/" {
		t[c] = true
	}
	return t
}()

// hyphens are spaCy's hyphen infixes, tried in its order.
var hyphens = []string{"-", "–", "—", "--", "---", "——", "~"}

// currencies are spaCy's currency signs.
var currencies = strings.Fields("$ £ € ¥ ฿ US$ C$ A$ ₽ ﷼ ₴ ₠ ₡ ₢ ₣ ₤ ₥ ₦ ₧ ₨ ₩ ₪ ₫ ₭ ₮ ₯ ₰ ₱ ₲ ₳ ₵ ₶ ₷ ₸ ₹ ₺ ₻ ₼ ₾ ₿")

// units are spaCy's units split from a number before them ("5km").
var units = strings.Fields(`km km² km³ m m² m³ dm dm² dm³ cm cm² cm³ mm mm² mm³ ha µm nm
yd in ft kg g mg µg t lb oz m/s km/h kmh mph hPa Pa mbar mb MB kb KB gb GB tb TB T G M K %
км км² км³ м м² м³ дм дм² дм³ см см² см³ мм мм² мм³ нм кг г мг м/с км/ч кПа Па мбар
Кб КБ кб Мб МБ мб Гб ГБ гб Тб ТБ тбكم كم² كم³ م م² م³ سم سم² سم³ مم مم² مم³ غرام جرام جم كغ ملغ كوب اكواب`)

// punctuation and quotes are spaCy's lists of punctuation and quotes
// split off as prefixes and suffixes.
const (
	punctuation = "…,:;!?¿؟¡()[]{}<>_#*&。？！，、；：～·।،۔؛٪"
	quotes      = "'\"”“`‘´’‚,„»«「」『』（）〔〕【】《》〈〉〈〉⟦⟧"
)

var asciiPunct, asciiQuote = asciiTable(punctuation), asciiTable(quotes)

func asciiTable(chars string) (t [utf8.RuneSelf]bool) {
	for _, c := range chars {
		if c < utf8.RuneSelf {
			t[c] = true
		}
	}
	return t
}

func isPunct(r rune) bool {
	if 0 <= r && r < utf8.RuneSelf {
		return asciiPunct[r]
	}
	return strings.ContainsRune(punctuation, r)
}

func isQuote(r rune) bool {
	if 0 <= r && r < utf8.RuneSelf {
		return asciiQuote[r]
	}
	return strings.ContainsRune(quotes, r)
}

func isCurrency(r rune) bool {
	return r == '$' || strings.ContainsRune("£€¥฿₽﷼₴₠₡₢₣₤₥₦₧₨₩₪₫₭₮₯₰₱₲₳₵₶₷₸₹₺₻₼₾₿", r)
}

// isIcon: spaCy's symbols (emoji, dingbats, "°", "©"), Unicode's other
// symbols. spaCy lists them as of an older Unicode; this takes Go's.
func isIcon(r rune) bool { return unicode.Is(unicode.So, r) }

func isDigit(r rune) bool { return '0' <= r && r <= '9' }

// isLower and isUpper count a letter of a script without case as both, as
// spaCy's lower- and upper-case classes both hold such scripts.
func isLower(r rune) bool { return unicode.IsLower(r) || isUncased(r) }
func isUpper(r rune) bool { return unicode.IsUpper(r) || unicode.IsTitle(r) || isUncased(r) }
func isUncased(r rune) bool {
	return r >= 0 && unicode.IsLetter(r) && !unicode.IsLower(r) && !unicode.IsUpper(r) && !unicode.IsTitle(r)
}

// baseBefore returns the rune before byte i of s, skipping combining
// marks, or -1 at the start.
func baseBefore(s string, i int) rune {
	r, _ := baseBeforeAt(s, i)
	return r
}

// baseBeforeAt is baseBefore that also returns where the rune starts.
func baseBeforeAt(s string, i int) (rune, int) {
	for i > 0 {
		r, n := utf8.DecodeLastRuneInString(s[:i])
		i -= n
		if !unicode.In(r, unicode.Mn, unicode.Me) {
			return r, i
		}
	}
	return -1, 0
}

func leadingDots(s string) int  { return len(s) - len(strings.TrimLeft(s, ".")) }
func trailingDots(s string) int { return len(s) - len(strings.TrimRight(s, ".")) }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func (c *chunkSplitter) isCluster(i int) bool { return c.cluster == nil || c.cluster[i] }

// clusterEnd returns the first cluster boundary at or after byte i.
func (c *chunkSplitter) clusterEnd(i int) int {
	for !c.isCluster(i) {
		i++
	}
	return i
}

// clusterDown returns the last cluster boundary at or before byte i, but
// not before lo.
func (c *chunkSplitter) clusterDown(lo, i int) int {
	for i > lo && !c.isCluster(i) {
		i--
	}
	return i
}
