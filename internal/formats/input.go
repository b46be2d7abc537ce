// Package formats reads and writes the files annotate exchanges with people
// and other tools: plain articles (text, JSONL, CSV) and other tools'
// annotated data (Prodigy/spaCy, doccano, Label Studio, brat, annotate's own
// native format) on the way in; the native, training (spaCy, doccano, Label
// Studio, brat, CoNLL) and incident table formats on the way out. One file
// per format; every reader and writer streams. Offsets are converted in one
// place, offsets.go.
package formats

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/annotate-tool/annotate/internal/model"
)

// RecordError is one bad record: where it is (file:line) and what is wrong.
type RecordError struct {
	Where string
	Err   error
}

func (e RecordError) Error() string { return e.Where + ": " + e.Err.Error() }

// Record is one article read from an input file. Blank marks a record
// whose text is only white space: it is skipped and counted, not an error
// in the file, and Article is empty.
type Record struct {
	Article model.Article
	Where   string
	Blank   bool
}

// ErrBlank is the error of a text that is only white space (it is not
// empty: it holds characters, none of them text to annotate).
var ErrBlank = errors.New("blank: only white space, no text to annotate")

// maxLine bounds one JSONL line (one article): 256 MiB.
const maxLine = 256 << 20

// CheckText refuses text that cannot be an article: empty, blank (only
// white space: ErrBlank), binary (a NUL byte) or not UTF-8. The error says
// where and what to do.
func CheckText(text []byte) error {
	if len(text) == 0 {
		return errors.New("empty: there is no text to annotate")
	}
	if LooksUTF16(text[:min(len(text), 512)]) {
		return ErrUTF16
	}
	if i := bytes.IndexByte(text, 0); i >= 0 {
		line := bytes.Count(text[:i], []byte{'\n'}) + 1
		return fmt.Errorf("looks binary (NUL byte on line %d): import text files only", line)
	}
	if !utf8.Valid(text) {
		i := invalidUTF8At(text)
		line := bytes.Count(text[:i], []byte{'\n'}) + 1
		return fmt.Errorf("not valid UTF-8 (line %d, byte %d): convert the file to UTF-8 or pass --encoding (windows-1252, iso-8859-1, utf-16)", line, i)
	}
	if IsBlank(string(text)) {
		return ErrBlank
	}
	return nil
}

// IsBlank reports whether a text is only white space, by the rule spans
// follow (model.TrimBlank): nothing is left when it is trimmed.
func IsBlank(text string) bool {
	_, ok := model.TrimBlank(text, model.Range{Start: 0, End: len(text)})
	return !ok
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// ReadText reads one article from a .txt or .md file: the whole content is
// the text, kept byte for byte; the first non-empty line is the title.
func ReadText(path string, data []byte) (Record, error) {
	if err := CheckText(data); err != nil {
		return Record{}, RecordError{Where: path, Err: err}
	}
	text := string(data)
	return Record{Article: model.Article{Text: text, Title: model.TitleFromText(text), ImportedFrom: path}, Where: path}, nil
}

// jsonArticle is one line of an article JSONL file.
type jsonArticle struct {
	Text      *string         `json:"text"`
	ID        json.RawMessage `json:"id"`
	Title     string          `json:"title"`
	URL       string          `json:"url"`
	Source    string          `json:"source"`
	Published string          `json:"published"`
	Meta      map[string]any  `json:"meta"`
}

// ReadJSONL reads articles, one JSON object per line. Each good record goes
// to fn; each bad line is returned as a RecordError naming its line. An
// error from fn or from reading stops the scan and is returned as err.
func ReadJSONL(path string, r io.Reader, fn func(Record) error) (bad []RecordError, err error) {
	type line struct {
		raw []byte
		n   int
	}
	type parsed struct {
		where string
		rec   model.Article
		err   error
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), maxLine)
	n, records, size := 0, 0, 0
	// Lines are parsed on a worker per core (see pipeline); fn sees them
	// in file order.
	err = pipeline(func(emit func(line) error) error {
		for sc.Scan() {
			n++
			raw := sc.Bytes()
			if n == 1 {
				raw = bytes.TrimPrefix(raw, []byte("\uFEFF"))
			}
			size += len(raw)
			raw = bytes.TrimSpace(raw)
			if len(raw) == 0 {
				continue
			}
			records++
			if err := emit(line{bytes.Clone(raw), n}); err != nil {
				return err
			}
		}
		return nil
	}, func(l line) parsed {
		p := parsed{where: fmt.Sprintf("%s:%d", path, l.n)}
		p.rec, p.err = parseJSONArticle(l.raw)
		return p
	}, func(p parsed) error {
		if errors.Is(p.err, ErrBlank) {
			return fn(Record{Where: p.where, Blank: true})
		}
		if p.err != nil {
			bad = append(bad, RecordError{Where: p.where, Err: p.err})
			return nil
		}
		p.rec.ImportedFrom = p.where
		return fn(Record{Article: p.rec, Where: p.where})
	})
	if err != nil {
		return bad, err
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return bad, fmt.Errorf("%s:%d: line longer than %d MiB", path, n+1, maxLine>>20)
		}
		return bad, fmt.Errorf("%s: %w", path, err)
	}
	if records == 0 && size > 0 {
		return bad, fmt.Errorf("%s: blank: only white space, there are no articles in it", path)
	}
	if records == 0 {
		return bad, fmt.Errorf("%s: empty: there are no articles in it", path)
	}
	return bad, nil
}

func parseJSONArticle(raw []byte) (model.Article, error) {
	if !utf8.Valid(raw) {
		return model.Article{}, errors.New("not valid UTF-8: convert the file to UTF-8")
	}
	var j jsonArticle
	if err := json.Unmarshal(raw, &j); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) {
			return model.Article{}, fmt.Errorf("field %q must be %s, not %s", typ.Field, typ.Type, typ.Value)
		}
		return model.Article{}, fmt.Errorf("not a JSON object: %v", err)
	}
	if j.Text == nil {
		return model.Article{}, errors.New(`no "text" field: each line needs {"text": "..."}`)
	}
	if err := CheckText([]byte(*j.Text)); err != nil {
		return model.Article{}, fmt.Errorf(`"text" is %w`, err)
	}
	a := model.Article{Text: *j.Text, Title: j.Title, URL: j.URL, Source: j.Source, Published: j.Published, Meta: j.Meta}
	if len(j.ID) > 0 && string(j.ID) != "null" {
		var s string
		if json.Unmarshal(j.ID, &s) == nil {
			a.ExternalID = s
		} else {
			a.ExternalID = string(j.ID)
		}
	}
	if a.Title == "" {
		a.Title = model.TitleFromText(a.Text)
	}
	return a, nil
}

// CSVOptions name the columns of an article CSV.
type CSVOptions struct {
	TextColumn  string
	TitleColumn string
}

// ReadCSV reads articles from a CSV file (RFC 4180) with a header row.
// Columns other than text and title are kept in the article's meta. Field
// text is kept byte for byte: a CRLF inside a quoted field stays CRLF.
func ReadCSV(path string, r io.Reader, opts CSVOptions, fn func(Record) error) (bad []RecordError, err error) {
	if opts.TextColumn == "" {
		opts.TextColumn = "text"
	}
	cr := newCSVReader(r)
	header, _, err := cr.read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty: there is no header row", path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s:1: header row: %v", path, err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\uFEFF")
	}
	textCol, titleCol := -1, -1
	for i, h := range header {
		switch strings.TrimSpace(h) {
		case opts.TextColumn:
			textCol = i
		case opts.TitleColumn:
			if opts.TitleColumn != "" {
				titleCol = i
			}
		}
	}
	if textCol < 0 {
		return nil, fmt.Errorf("%s:1: no column %q (columns: %s): name the text column with --text-column", path, opts.TextColumn, strings.Join(header, ", "))
	}
	if opts.TitleColumn != "" && titleCol < 0 {
		return nil, fmt.Errorf("%s:1: no column %q (columns: %s): fix --title-column", path, opts.TitleColumn, strings.Join(header, ", "))
	}
	rows := 0
	for {
		row, line, err := cr.read()
		if err == io.EOF {
			break
		}
		where := fmt.Sprintf("%s:%d", path, line)
		if err != nil {
			var perr csvError
			if errors.As(err, &perr) {
				bad = append(bad, RecordError{Where: where, Err: perr})
				continue
			}
			return bad, fmt.Errorf("%s: %w", path, err)
		}
		if len(row) == 1 && row[0] == "" {
			continue // a blank line
		}
		rows++
		if textCol >= len(row) {
			bad = append(bad, RecordError{Where: where, Err: fmt.Errorf("row has no %q column (it has %d fields)", opts.TextColumn, len(row))})
			continue
		}
		text := row[textCol]
		if err := CheckText([]byte(text)); errors.Is(err, ErrBlank) {
			if err := fn(Record{Where: where, Blank: true}); err != nil {
				return bad, err
			}
			continue
		} else if err != nil {
			bad = append(bad, RecordError{Where: where, Err: fmt.Errorf("%q is %v", opts.TextColumn, err)})
			continue
		}
		a := model.Article{Text: text, ImportedFrom: where}
		if titleCol >= 0 && titleCol < len(row) {
			a.Title = strings.TrimSpace(row[titleCol])
		}
		if a.Title == "" {
			a.Title = model.TitleFromText(text)
		}
		for i, h := range header {
			if i == textCol || i == titleCol || i >= len(row) || row[i] == "" {
				continue
			}
			if a.Meta == nil {
				a.Meta = map[string]any{}
			}
			a.Meta[h] = row[i]
		}
		if err := fn(Record{Article: a, Where: where}); err != nil {
			return bad, err
		}
	}
	if rows == 0 && len(bad) == 0 {
		return nil, fmt.Errorf("%s: empty: there are no rows under the header", path)
	}
	return bad, nil
}
