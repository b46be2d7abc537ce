// Package termtext makes article text safe to put on a terminal. Article
// text is data, never instructions to the terminal: every control character
// (C0, DEL, C1) and every bidirectional override becomes a visible,
// one-character placeholder, so offsets stay one-to-one with what is drawn.
package termtext

import "strings"

// Placeholder returns what to draw in place of r, and whether r needs one.
// Newlines and tabs are left to the caller, which lays out lines and expands
// tabs itself.
func Placeholder(r rune) (rune, bool) {
	switch {
	case r == '\n' || r == '\t':
		return r, false
	case r < 0x20:
		// U+2400 CONTROL PICTURES: ␀ ␁ … ␛ (ESC) … ␟.
		return 0x2400 + r, true
	case r == 0x7F:
		return '␡', true
	case r >= 0x80 && r < 0xA0:
		return '�', true
	case isBidiControl(r):
		return '⇆', true
	}
	return r, false
}

// isBidiControl reports the explicit directional formatting characters that
// can reorder what the terminal shows (U+202E RIGHT-TO-LEFT OVERRIDE and its
// kin), plus the invisible marks that would otherwise go unseen.
func isBidiControl(r rune) bool {
	switch {
	case r >= 0x202A && r <= 0x202E: // LRE, RLE, PDF, LRO, RLO
		return true
	case r >= 0x2066 && r <= 0x2069: // LRI, RLI, FSI, PDI
		return true
	case r == 0x200E || r == 0x200F || r == 0x061C: // LRM, RLM, ALM
		return true
	}
	return false
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
