package samples

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSamplesAreUsable(t *testing.T) {
	all := All()
	if len(all) < 6 || len(all) > 10 {
		t.Fatalf("want 6-10 samples, have %d", len(all))
	}
	var long, arabic, accented, crlf bool
	for _, s := range all {
		if !utf8.ValidString(s.Text) {
			t.Errorf("%s is not valid UTF-8", s.Name)
		}
		if strings.ContainsAny(s.Text, "\x00\x1b") {
			t.Errorf("%s has control characters", s.Name)
		}
		long = long || utf8.RuneCountInString(s.Text) > 20000
		crlf = crlf || strings.Contains(s.Text, "\r\n")
		for _, r := range s.Text {
			arabic = arabic || (r >= 0x0600 && r <= 0x06FF)
			accented = accented || strings.ContainsRune("éèáíñóúçş", r)
		}
	}
	for what, ok := range map[string]bool{"an article over 20,000 characters": long, "Arabic script": arabic, "accented Latin": accented, "CRLF line ends": crlf} {
		if !ok {
			t.Errorf("no sample has %s", what)
		}
	}
}
