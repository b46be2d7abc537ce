package formats

import (
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

// DecodeReader wraps r so it yields UTF-8; d nil means r is already UTF-8.
func DecodeReader(r io.Reader, d *encoding.Decoder) io.Reader {
	if d == nil {
		return r
	}
	return transform.NewReader(r, d)
}
