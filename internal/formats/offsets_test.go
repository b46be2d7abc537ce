package formats

import (
	"strings"
	"testing"
)

// TestUnits converts the same span from each unit a peer tool counts in.
func TestUnits(t *testing.T) {
	text := "👩🏽‍⚕️ e\u0301 \r\nVelmo 🇸🇾 Kessa"
	tests := []struct {
		unit       Unit
		start, end int
		want       string
	}{
		// "Velmo": after the medic emoji (5 code points, 7 UTF-16 units, 1
		// grapheme), a space, é (2 code points), a space and a CRLF (2 code
		// points, 1 grapheme).
		{CodePoints, 11, 16, "Velmo"},
		{UTF16, 13, 18, "Velmo"},
		{Graphemes, 5, 10, "Velmo"},
		{NewlineAsOne, 10, 15, "Velmo"},
		// "Kessa": after the flag (2 code points, 4 UTF-16 units, 1 grapheme).
		{CodePoints, 20, 25, "Kessa"},
		{UTF16, 24, 29, "Kessa"},
		{Graphemes, 13, 18, "Kessa"},
		{NewlineAsOne, 19, 24, "Kessa"},
	}
	im := newImporter(text)
	for _, tt := range tests {
		r, err := im.rangeIn(tt.unit, tt.start, tt.end, tt.want)
		if err != nil {
			t.Errorf("%s %d-%d: %v", tt.unit, tt.start, tt.end, err)
			continue
		}
		if got := text[r.Start:r.End]; got != tt.want {
			t.Errorf("%s %d-%d: %q, want %q", tt.unit, tt.start, tt.end, got, tt.want)
		}
	}
	for _, tt := range []struct {
		unit       Unit
		start, end int
		text, want string
	}{
		{UTF16, 1, 3, "", "inside a character"}, // between the surrogates of 👩
		{CodePoints, 20, 99, "", "past the end"},
		{Graphemes, -1, 2, "", "negative"},
		{CodePoints, 11, 16, "Kessa", `is "Velmo" in the text but the file says "Kessa"`},
	} {
		if _, err := im.rangeIn(tt.unit, tt.start, tt.end, tt.text); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s %d-%d: %v, want an error saying %q", tt.unit, tt.start, tt.end, err, tt.want)
		}
	}
	// Auto-detection for spans that carry their text (Label Studio).
	if r, err := im.rangeAuto(24, 29, "Kessa"); err != nil || text[r.Start:r.End] != "Kessa" {
		t.Errorf("auto: UTF-16 24-29 gave %v %v, want Kessa", r, err)
	}
}
