package formats

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// csvReader reads RFC 4180 records, keeping every byte of a field as it is
// in the file. The standard library's encoding/csv turns CRLF inside a
// quoted field into LF, which would break the offset contract (article text
// is kept byte for byte).
type csvReader struct {
	r    *bufio.Reader
	line int // lines consumed so far
}

// csvError is a malformed record; the reader has skipped past it.
type csvError struct{ msg string }

func (e csvError) Error() string { return e.msg }

func newCSVReader(r io.Reader) *csvReader {
	return &csvReader{r: bufio.NewReaderSize(r, 64*1024)}
}

// read returns the next record and the line it starts on. At the end it
// returns io.EOF; a malformed record returns a csvError after skipping to
// the end of its line.
func (c *csvReader) read() ([]string, int, error) {
	start := c.line + 1
	if _, err := c.r.Peek(1); err == io.EOF {
		return nil, start, io.EOF
	}
	var fields []string
	var field strings.Builder
	for {
		b, err := c.r.ReadByte()
		if err == io.EOF {
			fields = append(fields, field.String())
			return fields, start, nil
		}
		if err != nil {
			return nil, start, err
		}
		if b == '"' && field.Len() == 0 {
			if err := c.quoted(&field); err != nil {
				return nil, start, err
			}
			// After the closing quote: a separator or the end of the record.
			next, err := c.r.ReadByte()
			switch {
			case err == io.EOF:
				fields = append(fields, field.String())
				return fields, start, nil
			case next == ',':
				fields = append(fields, field.String())
				field.Reset()
				continue
			case next == '\n':
				c.line++
				fields = append(fields, field.String())
				return fields, start, nil
			case next == '\r':
				if p, _ := c.r.Peek(1); len(p) == 1 && p[0] == '\n' {
					c.r.ReadByte()
					c.line++
					fields = append(fields, field.String())
					return fields, start, nil
				}
			}
			c.skipLine()
			return nil, start, csvError{`text after a closing quote: a quote inside a quoted field must be doubled ("")`}
		}
		switch b {
		case ',':
			fields = append(fields, field.String())
			field.Reset()
		case '\n':
			c.line++
			s := field.String()
			fields = append(fields, strings.TrimSuffix(s, "\r"))
			return fields, start, nil
		case '"':
			c.skipLine()
			return nil, start, csvError{`a quote (") in a field that does not start with one: quote the whole field and double the quote`}
		default:
			field.WriteByte(b)
		}
	}
}

// quoted reads a quoted field's content up to its closing quote.
func (c *csvReader) quoted(field *strings.Builder) error {
	opened := c.line + 1
	for {
		b, err := c.r.ReadByte()
		if err == io.EOF {
			return csvError{"a quoted field opened on line " + strconv.Itoa(opened) + " is never closed"}
		}
		if err != nil {
			return err
		}
		if b == '\n' {
			c.line++
		}
		if b != '"' {
			field.WriteByte(b)
			continue
		}
		if p, _ := c.r.Peek(1); len(p) == 1 && p[0] == '"' {
			c.r.ReadByte()
			field.WriteByte('"')
			continue
		}
		return nil
	}
}

func (c *csvReader) skipLine() {
	for {
		b, err := c.r.ReadByte()
		if err != nil {
			return
		}
		if b == '\n' {
			c.line++
			return
		}
	}
}
