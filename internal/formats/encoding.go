package formats

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Decoder returns a decoder from a legacy encoding to UTF-8, by name:
// windows-1252, iso-8859-1 (latin1), utf-16 (with a byte order mark;
// little-endian without one), and the other WHATWG names. "" and "utf-8"
// mean no conversion (nil).
func Decoder(name string) (*encoding.Decoder, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", "utf-8", "utf8":
		return nil, nil
	case "utf-16", "utf16":
		return &encoding.Decoder{Transformer: unicode.BOMOverride(unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder())}, nil
	}
	enc, err := htmlindex.Get(name)
	if err != nil {
		return nil, fmt.Errorf("unknown encoding %q: use windows-1252, iso-8859-1, utf-16 or another WHATWG name", name)
	}
	return enc.NewDecoder(), nil
}

// DecodeReader wraps r so it yields UTF-8; d nil means r is already UTF-8,
// and then a file that looks like UTF-16 fails on its first read with
// ErrUTF16, saying what to pass, instead of being read as broken UTF-8.
func DecodeReader(r io.Reader, d *encoding.Decoder) io.Reader {
	if d == nil {
		br := bufio.NewReaderSize(r, 4096)
		head, _ := br.Peek(512)
		if LooksUTF16(head) {
			return errReader{ErrUTF16}
		}
		return br
	}
	return transform.NewReader(r, d)
}

// ErrUTF16 is a file that looks like UTF-16 read without --encoding.
var ErrUTF16 = errors.New("looks like UTF-16 (a byte order mark, or a NUL byte beside every character): pass --encoding utf-16")

// LooksUTF16 reports whether the start of a file is UTF-16: a byte order
// mark, or (without one) NUL bytes in every other place, as ASCII text in
// UTF-16 has.
func LooksUTF16(head []byte) bool {
	if bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
		return true
	}
	if len(head) < 4 {
		return false
	}
	n := len(head) &^ 1
	even, odd := 0, 0
	for i := 0; i < n; i += 2 {
		if head[i] == 0 {
			even++
		}
		if head[i+1] == 0 {
			odd++
		}
	}
	pairs := n / 2
	// Most characters ASCII: one byte of each pair NUL, the other not.
	return (odd*10 >= pairs*7 && even*10 < pairs) || (even*10 >= pairs*7 && odd*10 < pairs)
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
