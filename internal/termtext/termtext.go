// Package termtext makes article text safe to put on a terminal. Article
// text is data, never instructions to the terminal: every control character
// (C0, DEL, C1) and every bidirectional override becomes a visible,
// one-character placeholder, so offsets stay one-to-one with what is drawn.
package termtext

import (
	"io"
	"strings"
	"unicode/utf8"

	"github.com/annotate-tool/annotate/internal/model"
)

// Placeholder returns what to draw in place of r, and whether r needs one
// (model.UnsafeRune is the rule). Newlines and tabs are left to the caller,
// which lays out lines and expands tabs itself.
func Placeholder(r rune) (rune, bool) {
	if !model.UnsafeRune(r) {
		return r, false
	}
	switch {
	case r < 0x20:
		// U+2400 CONTROL PICTURES: ␀ ␁ … ␛ (ESC) … ␟.
		return 0x2400 + r, true
	case r == 0x7F:
		return '␡', true
	case r >= 0x80 && r < 0xA0:
		return '�', true
	}
	return '⇆', true // a bidirectional control
}

// NeedsEscape reports whether s contains anything Placeholder would replace
// (newlines and tabs aside).
func NeedsEscape(s string) bool {
	for _, r := range s {
		if _, ok := Placeholder(r); ok {
			return true
		}
	}
	return false
}

// Line makes s safe to print as one line: controls become placeholders,
// and newlines and tabs become spaces.
func Line(s string) string {
	if !NeedsEscape(s) && !strings.ContainsAny(s, "\n\t") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r == '\n' || r == '\t' {
			b.WriteByte(' ')
			continue
		}
		p, _ := Placeholder(r)
		b.WriteRune(p)
	}
	return b.String()
}

// Writer returns a writer that passes text on with every character
// model.UnsafeRune names (and every byte that is not UTF-8) drawn as its
// placeholder, keeping newlines, tabs and carriage returns (a progress
// line's). The command line's messages go through it, so a file name or a
// label holding an escape sequence reaches the terminal as text.
func Writer(w io.Writer) io.Writer { return safeWriter{w} }

type safeWriter struct{ w io.Writer }

func (s safeWriter) Write(p []byte) (int, error) {
	clean := true
	for _, c := range p {
		if c < 0x20 && c != '\n' && c != '\t' && c != '\r' || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s.w.Write(p)
	}
	written := len(p)
	var b strings.Builder
	for len(p) > 0 {
		r, n := utf8.DecodeRune(p)
		switch {
		case r == utf8.RuneError && n <= 1:
			b.WriteRune('�')
		case r == '\r' || r == '\n' || r == '\t':
			b.WriteRune(r)
		default:
			ph, _ := Placeholder(r)
			b.WriteRune(ph)
		}
		p = p[n:]
	}
	if _, err := io.WriteString(s.w, b.String()); err != nil {
		return 0, err
	}
	return written, nil
}
