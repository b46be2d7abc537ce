package termtext

import (
	"github.com/annotate-tool/annotate/internal/model"
	"strings"
	"testing"
)

func TestLineRemovesEveryControl(t *testing.T) {
	cases := map[string]string{
		"plain":                    "plain",
		"clear\x1b[2Jscreen":       "clear␛[2Jscreen",
		"osc52\x1b]52;c;aGk=\x07":  "osc52␛]52;c;aGk=␇",
		"c1\u009b31m":              "c1�31m",
		"rtl\u202Eevil":            "rtl⇆evil",
		"tab\there\nnewline":       "tab here newline",
		"del\x7f":                  "del␡",
		"cr\rreturn":               "cr␍return",
		"ok: Şahin سالم 😀 e\u0301": "ok: Şahin سالم 😀 e\u0301",
	}
	for in, want := range cases {
		got := Line(in)
		if got != want {
			t.Errorf("Line(%q) = %q, want %q", in, got, want)
		}
		for _, r := range got {
			if model.UnsafeRune(r) {
				t.Errorf("Line(%q) still has control %U", in, r)
			}
		}
	}
}

func TestPlaceholderIsOneRune(t *testing.T) {
	for r := rune(0); r < 0x3000; r++ {
		p, changed := Placeholder(r)
		if changed && strings.ContainsRune("\n\t", p) {
			t.Fatalf("%U maps to a layout character", r)
		}
		if changed && (p < 0x20 || (p >= 0x7f && p < 0xa0)) {
			t.Fatalf("%U maps to control %U", r, p)
		}
	}
}
