package formats

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/annotate-tool/annotate/internal/model"
)

// Annotated is one annotator's annotation of one article, read from a file
// another tool (or another annotate) wrote. Its offsets are already bytes,
// like every annotation inside annotate.
type Annotated struct {
	Article model.Article
	// Annotation is nil when the record brings only the text: a Prodigy
	// answer of reject or ignore, a doccano line without labels, a Label
	// Studio task nobody annotated.
	Annotation *model.Annotation
	// Annotator is the name the record gives (Label Studio's
	// completed_by, Prodigy's _annotator_id); "" when it names none.
	Annotator string
	// Rejected marks a record its tool's annotator rejected or ignored.
	Rejected bool
	// Blank marks a record whose text is only white space: nothing to
	// annotate, so it is skipped (and counted), not an error in the file.
	// Article and Annotation are then empty.
	Blank bool
	// Trimmed describes each span, cue or content range the file gave
	// with white space at an edge, which the import trimmed
	// (model.TrimBlank), one line each.
	Trimmed []string
	Where   string
	// Review is set on the gold record of a Prodigy review record (see
	// readReview): the versions the reviewer chose from, so that the
	// caller can record which of them each item of gold came from.
	Review *ReviewSource
}

// ReviewSource is what a reviewed result was made from: each session's
// version (a session may come more than once, a version nil when the
// session rejected or ignored the text), who reviewed it ("" when the
// file does not say) and when (the zero time when it does not say).
type ReviewSource struct {
	Versions []SessionVersion
	By       string
	At       time.Time
}

// SessionVersion is one annotation session's version of a reviewed text.
type SessionVersion struct {
	Session    string
	Annotation *model.Annotation
}

// ImportOptions say how to read an annotated file.
type ImportOptions struct {
	// Offsets overrides the unit a format's offsets are read in (doccano
	// and Label Studio have shipped more than one).
	Offsets Unit
	// LabelMap renames entity labels; a label renamed to "" is dropped.
	LabelMap map[string]string
	// Schema gives the names of labels and incident fields, for the
	// formats that carry annotate's own structures (brat).
	Schema *model.Schema
}

// label applies the label map; keep is false for a label mapped to "".
func (o ImportOptions) label(l string) (string, bool) {
	if to, ok := o.LabelMap[l]; ok {
		return to, to != ""
	}
	return l, true
}

// ParseLabelMap reads a --label-map file: a JSON object {"FROM": "TO"}, or
// lines "FROM=TO" (also "FROM<TAB>TO"), with # comments. Mapping a label to
// "" drops its spans.
func ParseLabelMap(path string, data []byte) (map[string]string, error) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		m := map[string]string{}
		if err := json.Unmarshal(t, &m); err != nil {
			return nil, fmt.Errorf("%s: a JSON label map is an object of strings, {\"FROM\": \"TO\"}: %v", path, err)
		}
		return m, nil
	}
	m := map[string]string{}
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		from, to, ok := strings.Cut(line, "=")
		if !ok {
			from, to, ok = strings.Cut(line, "\t")
		}
		if !ok || strings.TrimSpace(from) == "" {
			return nil, fmt.Errorf("%s:%d: write FROM=TO (or a JSON object)", path, i+1)
		}
		m[strings.TrimSpace(from)] = strings.TrimSpace(to)
	}
	return m, nil
}

// newAnnotated starts an annotation of text by a peer file's annotator:
// finished work, so status done unless the file says otherwise.
func newAnnotated(text string) *model.Annotation {
	a := model.NewAnnotation(model.ArticleID(text), "", "")
	a.Status = model.StatusDone
	return &a
}

// addSpan adds an entity span unless the same extent and label is already
// there, and returns the span's ID either way.
func addSpan(a *model.Annotation, r model.Range, label string) string {
	for _, s := range a.Entities {
		if s.Start == r.Start && s.End == r.End && s.Label == label {
			return s.ID
		}
	}
	id := a.NewID("e")
	a.Entities = append(a.Entities, model.Span{ID: id, Start: r.Start, End: r.End, Label: label})
	return id
}

// numberClaims drops the claims that were merged into others (a further
// content span linked by a "continues" relation) and gives the rest IDs.
func numberClaims(a *model.Annotation, merged map[int]bool) {
	claims := a.Claims[:0]
	for i, c := range a.Claims {
		if !merged[i] {
			c.ID = a.NewID("c")
			claims = append(claims, c)
		}
	}
	a.Claims = claims
}

// addNote keeps, as a line of the annotation's notes, something the file
// records that annotate has no place for (a relation between two
// entities, a brat event of a type of its own), so nothing is silently lost.
func addNote(a *model.Annotation, line string) {
	if a.Notes != "" {
		a.Notes += "\n"
	}
	a.Notes += line
}

// nextIDAfter returns the NextID an annotation needs so that NewID never
// hands out an ID it already uses ("e12" needs at least 12).
func nextIDAfter(a *model.Annotation) int {
	n := a.NextID
	see := func(id string) {
		i := len(id)
		for i > 0 && id[i-1] >= '0' && id[i-1] <= '9' {
			i--
		}
		if v, err := strconv.Atoi(id[i:]); err == nil && v > n {
			n = v
		}
	}
	for _, s := range a.Entities {
		see(s.ID)
	}
	for _, c := range a.Claims {
		see(c.ID)
	}
	for _, inc := range a.Incidents {
		see(inc.ID)
	}
	for _, e := range a.Referents {
		see(e.ID)
	}
	return n
}

// scalarString reads an ID or a user that tools write as a number or a
// string; "" for null or anything else.
func scalarString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// articleFrom builds the article of a record from its text and metadata:
// the well-known keys (title, source, url, published, external_id) become
// the article's fields, the rest stays in Meta.
func articleFrom(text string, meta map[string]any, where string) model.Article {
	a := model.Article{Text: text, ImportedFrom: where}
	for k, v := range meta {
		s, isString := v.(string)
		switch {
		case k == "title" && isString:
			a.Title = s
		case k == "source" && isString:
			a.Source = s
		case k == "url" && isString:
			a.URL = s
		case k == "published" && isString:
			a.Published = s
		case k == "external_id" && isString:
			a.ExternalID = s
		case k == "imported_from" || (k == "id" && v == model.ArticleID(text)):
			// Where it came from before, and our own ID: both are
			// recomputed on this import.
		default:
			if a.Meta == nil {
				a.Meta = map[string]any{}
			}
			a.Meta[k] = v
		}
	}
	if a.Title == "" {
		a.Title = model.TitleFromText(text)
	}
	return a
}

// checkRecordText refuses a record text that cannot be an article. A text
// that is only white space gives an error wrapping ErrBlank, which
// readRecords turns into a Blank record: skipped, not bad.
func checkRecordText(text string) error {
	if err := CheckText([]byte(text)); err != nil {
		return fmt.Errorf(`"text" is %w`, err)
	}
	return nil
}

// readRecords runs parse on each record of a JSON file and passes what it
// reads to fn, collecting the bad records in file order. Records are
// parsed on a worker per core (see pipeline); fn sees them in file order.
func readRecords(path string, r io.Reader, parse func(raw []byte, where string) ([]Annotated, error), fn func(Annotated) error) ([]RecordError, error) {
	type parsed struct {
		where string
		recs  []Annotated
		err   error
	}
	var bad []RecordError
	type raw struct {
		data    json.RawMessage
		line    int
		lineErr error
	}
	err := pipeline(func(emit func(raw) error) error {
		// JSON validity is checked by parse's own decoding: a line is
		// scanned a second time only when it fails.
		return jsonRecordsChecked(path, r, false, func(data json.RawMessage, line int, lineErr error) error {
			return emit(raw{data, line, lineErr})
		})
	}, func(in raw) parsed {
		p := parsed{where: fmt.Sprintf("%s:%d", path, in.line), err: in.lineErr}
		if p.err != nil {
			return p
		}
		p.recs, p.err = parse(in.data, p.where)
		if p.err != nil && !json.Valid(in.data) {
			p.err = notJSONObject(in.data)
		}
		return p
	}, func(p parsed) error {
		if errors.Is(p.err, ErrBlank) {
			// Nothing to annotate (Prodigy keeps records of one space):
			// the caller counts it; it does not spoil the file.
			return fn(Annotated{Blank: true, Where: p.where})
		}
		if p.err != nil {
			bad = append(bad, RecordError{Where: p.where, Err: p.err})
			return nil
		}
		for _, rec := range p.recs {
			if err := fn(rec); err != nil {
				return err
			}
		}
		return nil
	})
	return bad, err
}

// notJSONObject says why a line of JSONL is not JSON.
func notJSONObject(raw []byte) error {
	var v any
	return fmt.Errorf("not a JSON object: %v", json.Unmarshal(raw, &v))
}

// jsonRecords calls fn with each record of a JSON file, whatever its shape:
// one object per line (JSONL), a JSON array of objects, or one object
// (possibly spread over several lines). line is where the record starts.
// A line of JSONL that is not JSON comes to fn with lineErr set; an array
// or object that breaks off is an error for the whole file.
func jsonRecords(path string, r io.Reader, fn func(raw json.RawMessage, line int, lineErr error) error) error {
	return jsonRecordsChecked(path, r, true, fn)
}

// jsonRecordsChecked is jsonRecords; with check false, a line of JSONL
// comes to fn without its JSON checked (the caller's decoding checks it).
func jsonRecordsChecked(path string, r io.Reader, check bool, fn func(raw json.RawMessage, line int, lineErr error) error) error {
	lc := &lineCounter{r: &utf8Reader{r: r}}
	br := bufio.NewReaderSize(lc, 64*1024)
	var consumed int64
	if p, _ := br.Peek(3); bytes.Equal(p, []byte("\uFEFF")) {
		br.Discard(3)
		consumed = 3
	}
	// The first byte that is not white space tells the shape.
	var first byte
	for {
		b, err := br.ReadByte()
		if err == io.EOF && consumed > 0 {
			return fmt.Errorf("%s: blank: only white space, there are no records in it", path)
		}
		if err == io.EOF {
			return fmt.Errorf("%s: empty: there are no records in it", path)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if b != ' ' && b != '\t' && b != '\r' && b != '\n' {
			first = b
			br.UnreadByte()
			break
		}
		consumed++
	}
	switch first {
	case '[':
		return jsonStream(path, br, lc, consumed, true, fn)
	case '{':
	default:
		return fmt.Errorf("%s:%d: not JSON: a record file holds JSON objects, one per line or in an array", path, lc.lineAt(consumed))
	}
	// One object per line, unless the first line is not a whole object:
	// then the file is one object spread over lines.
	startLine := lc.lineAt(consumed)
	firstLine, err := br.ReadBytes('\n')
	if err != nil && err != io.EOF {
		return fmt.Errorf("%s: %w", path, err)
	}
	if !json.Valid(bytes.TrimSpace(firstLine)) {
		rest := io.MultiReader(bytes.NewReader(firstLine), br)
		return jsonStream(path, rest, lc, consumed, false, fn)
	}
	lc.quiet = true // lines are counted here from now on
	line := startLine
	for raw := firstLine; ; line++ {
		raw = bytes.TrimSpace(raw)
		if len(raw) > 0 {
			var lineErr error
			if check && !json.Valid(raw) {
				lineErr = notJSONObject(raw)
			}
			if err := fn(json.RawMessage(raw), line, lineErr); err != nil {
				return err
			}
		}
		if err == io.EOF {
			break
		}
		raw, err = br.ReadBytes('\n')
		if err != nil && err != io.EOF {
			return fmt.Errorf("%s: %w", path, err)
		}
		if err == io.EOF && len(raw) == 0 {
			break
		}
	}
	return nil
}

// jsonStream reads JSON values one after another; an array's elements are
// records each, and the first array is read element by element so that a
// large file never sits in memory whole. base is how many bytes of the file
// came before r.
func jsonStream(path string, r io.Reader, lc *lineCounter, base int64, array bool, fn func(json.RawMessage, int, error) error) error {
	dec := json.NewDecoder(r)
	fail := func(err error) error {
		var enc notUTF8
		if errors.As(err, &enc) {
			return fmt.Errorf("%s: %w", path, enc)
		}
		var syn *json.SyntaxError
		off := base + dec.InputOffset()
		if errors.As(err, &syn) {
			off = base + syn.Offset
		}
		if err == io.ErrUnexpectedEOF {
			return fmt.Errorf("%s:%d: the JSON breaks off before its end", path, lc.lineAt(lc.read-1))
		}
		return fmt.Errorf("%s:%d: not valid JSON: %v", path, lc.lineAt(off), err)
	}
	next := func() (json.RawMessage, int, error) {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, 0, err
		}
		return raw, lc.lineAt(base + dec.InputOffset() - int64(len(raw))), nil
	}
	if array {
		if _, err := dec.Token(); err != nil {
			return fail(err)
		}
		for dec.More() {
			raw, line, err := next()
			if err != nil {
				return fail(err)
			}
			if err := fn(raw, line, nil); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return fail(err)
		}
	}
	for {
		raw, line, err := next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fail(err)
		}
		switch raw[0] {
		case '{':
			if err := fn(raw, line, nil); err != nil {
				return err
			}
		case '[':
			var elems []json.RawMessage
			if err := json.Unmarshal(raw, &elems); err != nil {
				return fail(err)
			}
			for _, e := range elems {
				if err := fn(e, line, nil); err != nil {
					return err
				}
			}
		default:
			return fmt.Errorf("%s:%d: expected JSON objects, found %s", path, line, raw)
		}
	}
}

// lineCounter remembers where the newlines are in what it has read, so a
// byte offset can be turned into a line number. Offsets are asked in
// increasing order, so it forgets the newlines behind the last one asked.
type lineCounter struct {
	r        io.Reader
	read     int64
	newlines []int64
	passed   int
	quiet    bool // stop remembering newlines
}

func (c *lineCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i := 0; i < n && !c.quiet; i++ {
		if p[i] == '\n' {
			c.newlines = append(c.newlines, c.read+int64(i))
		}
	}
	c.read += int64(n)
	return n, err
}

// lineAt returns the 1-based line of byte offset off.
func (c *lineCounter) lineAt(off int64) int {
	k := sort.Search(len(c.newlines), func(i int) bool { return c.newlines[i] >= off })
	c.passed += k
	c.newlines = c.newlines[k:]
	return c.passed + 1
}

// notUTF8 is the error of a file that is not UTF-8.
type notUTF8 struct{ line int }

func (e notUTF8) Error() string {
	return fmt.Sprintf("not valid UTF-8 (line %d): convert the file to UTF-8 or pass --encoding (windows-1252, iso-8859-1, utf-16)", e.line)
}

// utf8Reader passes bytes through and fails at the first that is not
// UTF-8, so a file in a legacy encoding is refused instead of read with
// replacement characters (which the JSON decoder would put in silently).
type utf8Reader struct {
	r     io.Reader
	carry []byte // an incomplete character at the end of the last read
	line  int
	err   error // sticky, once found
}

func (u *utf8Reader) Read(p []byte) (int, error) {
	if u.err != nil {
		return 0, u.err
	}
	n, err := u.r.Read(p)
	data := append(u.carry, p[:n]...)
	i := 0
	for i < len(data) {
		if data[i] < utf8.RuneSelf {
			if data[i] == '\n' {
				u.line++
			}
			i++
			continue
		}
		if !utf8.FullRune(data[i:]) && err == nil {
			break
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			u.err = notUTF8{line: u.line + 1}
			return 0, u.err
		}
		i += size
	}
	u.carry = append(u.carry[:0], data[i:]...)
	return n, err
}
