package tui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/annotate-tool/annotate/internal/model"
)

// hostileTitle and hostileText carry what a scraped article can hold and a
// terminal must never receive: a clear-screen sequence, an OSC 52 clipboard
// write ended by BEL, a C1 CSI, a right-to-left override, plus tabs, CRLF
// and a lone carriage return.
const (
	hostileTitle = "Evil\x1b[2J title \x1b]52;c;aGk=\x07 \u009b31m \u202egnp.exe\ttab"
	hostileText  = "Officials\x1b[2J said\x1b]52;c;aGk=\x07 the \u009b31m convoy\u202e was hit.\r\n" +
		"Column\tone\ttwo\r\nback\rspace and \x7f delete.\n\nA clean last line."
)

// sgr matches the styling sequences lipgloss writes; anything else that
// starts with ESC in a frame did not come from the styles.
var sgr = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// checkSafe fails if a rendered frame holds a control character other than
// the newlines between rows and lipgloss's own SGR sequences, or a
// bidirectional override.
func checkSafe(t *testing.T, where, frame string) {
	t.Helper()
	rest := sgr.ReplaceAllString(frame, "")
	for _, bad := range []string{"\x1b", "\x07", "\u009b", "\u202e", "\r", "\t", "\x7f"} {
		if i := strings.Index(rest, bad); i >= 0 {
			t.Errorf("%s: frame holds %q at byte %d: …%q…", where, bad, i, rest[max(0, i-20):min(len(rest), i+20)])
		}
	}
	plain := ansi.Strip(frame)
	for _, r := range plain {
		if r != '\n' && (r < 0x20 || (r >= 0x7f && r < 0xa0)) {
			t.Errorf("%s: stripped frame holds control %U", where, r)
		}
	}
}

func TestHostileTextIsInert(t *testing.T) {
	for _, noColor := range []bool{false, true} {
		for _, size := range [][2]int{{80, 24}, {200, 60}} {
			t.Run(fmt.Sprintf("%dx%d nocolor=%v", size[0], size[1], noColor), func(t *testing.T) {
				st := newFakeStore(article(hostileTitle, hostileText))
				m := New(Options{Store: st, Schema: model.DefaultSchema(), Annotator: "alice\x1b[31m", Location: "evil\x1b]0;x\x07.db", NoColor: noColor})
				h := &harness{t: t, m: m, st: st}
				h.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
				h.run(m.Init())
				frames := map[string]string{"queue": m.Render()}
				h.keys("enter")
				frames["article"] = m.Render()
				plain := ansi.Strip(frames["article"])
				for _, want := range []string{"␛[2J", "␛]52;c;aGk=␇", "⇆", "�31m", "␍", "␡"} {
					if !strings.Contains(plain, want) {
						t.Errorf("article screen lacks the placeholder %q:\n%s", want, plain)
					}
				}
				if !strings.Contains(plain, "Column  one     two") {
					t.Errorf("tabs are not expanded to stops of 8:\n%s", plain)
				}
				h.keys("v w w w 1") // "Officials␛[2J said"...
				frames["status and span"] = m.Render()
				h.keys("tab")
				frames["spans pane"] = m.Render()
				h.keys("tab t")
				frames["picker"] = m.Render()
				h.keys("esc / \x1b x enter")
				frames["find"] = m.Render()
				h.keys("?")
				frames["help"] = m.Render()
				h.keys("esc q")
				frames["queue after"] = m.Render()
				for name, f := range frames {
					checkSafe(t, name, f)
				}
				if !strings.Contains(ansi.Strip(frames["queue"]), "Evil␛[2J title") {
					t.Errorf("the queue does not show the title with placeholders:\n%s", ansi.Strip(frames["queue"]))
				}
				if !strings.Contains(ansi.Strip(frames["spans pane"]), "Officials␛[2J") {
					t.Errorf("the spans pane does not show the span with placeholders:\n%s", ansi.Strip(frames["spans pane"]))
				}
			})
		}
	}
}

// mixedText holds what makes cell widths hard: CJK (2 cells), emoji with
// and without joiners and modifiers, Arabic, combining marks, a lone
// combining mark after a line break, zero-width joiners, tabs, controls.
var mixedText = strings.Join([]string{
	"北京の記者によると、武装勢力が検問所を攻撃した。死者は12人。",
	"Reporters 😀 said 👨‍👩‍👧 families fled; 👍🏽 aid arrived at the 🇸🇾 border.",
	"قال مسؤولون إن القافلة تعرضت لهجوم قرب الجسر القديم يوم الثلاثاء",
	"Café Şahin e\u0301 n\u0303 a\u0308\u0301 \u0301lone mark, ZWJ a\u200db, tab\tstop\t\tdouble.",
	"한국어 기사: 공격으로 12명이 사망했다고 관리들이 말했다.",
	strings.Repeat("全角文字の長い行", 30),
	strings.Repeat("word ", 40) + strings.Repeat("😀", 50),
	"\x1b[31mred\x1b[0m and \u202eevil\u202c",
}, "\n")

func checkFrame(t *testing.T, where, frame string, width, height int) {
	t.Helper()
	lines := strings.Split(frame, "\n")
	if len(lines) != height {
		t.Errorf("%s: %d lines, want %d", where, len(lines), height)
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w != width {
			t.Errorf("%s: line %d is %d cells wide, want %d: %q", where, i, w, width, ansi.Strip(l))
		}
	}
	checkSafe(t, where, frame)
}

func TestFrameSizeWithWideText(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 60}, {100, 30}, {40, 12}} {
		w, ht := size[0], size[1]
		t.Run(fmt.Sprintf("%dx%d", w, ht), func(t *testing.T) {
			st := newFakeStore(
				article("北京 😀 عنوان "+strings.Repeat("長", 80), mixedText),
				article("second", "plain text"),
			)
			h := newHarness(t, st, w, ht)
			checkFrame(t, "queue", h.m.Render(), w, ht)
			h.keys("enter")
			checkFrame(t, "article", h.m.Render(), w, ht)
			// Tag wide things so spans, the selection and the head are drawn
			// over them, then walk the whole text.
			h.keys("v w w 1 j j v w 2 j j 3 j 4 G b 5")
			for i := 0; i < 40; i++ {
				h.keys("w")
				if i%5 == 0 {
					h.keys("j v l l l")
				}
				checkFrame(t, fmt.Sprintf("article after %d motions", i), h.m.Render(), w, ht)
				if t.Failed() {
					return
				}
			}
			h.keys("esc g")
			for i := 0; i < 12; i++ {
				h.keys("j")
				checkFrame(t, fmt.Sprintf("after %d j", i+1), h.m.Render(), w, ht)
			}
			h.keys("tab")
			checkFrame(t, "spans pane", h.m.Render(), w, ht)
			h.keys("j j tab t")
			checkFrame(t, "picker", h.m.Render(), w, ht)
			h.keys("esc ?")
			checkFrame(t, "help", h.m.Render(), w, ht)
			h.keys("esc")
		})
	}
}

// TestRenderEveryWindow scrolls the mixed text one line at a time so every
// wrapped line is drawn at the top of the pane once.
func TestRenderEveryWindow(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		st := newFakeStore(article("mixed", mixedText))
		h := newHarness(t, st, size[0], size[1])
		h.keys("enter")
		for top := range len(h.m.lay.starts) {
			h.m.top = top
			h.m.clampTop()
			checkFrame(t, fmt.Sprintf("%dx%d top %d", size[0], size[1], top), h.m.Render(), size[0], size[1])
		}
	}
}

// TestSmallWindows: the frame keeps its size in a small terminal.
func TestSmallWindows(t *testing.T) {
	text := "Reporters said the convoy was hit near the bridge; قال مسؤولون إن القافلة تعرضت لهجوم. Café e\u0301 done."
	for _, size := range [][2]int{{14, 6}, {20, 6}, {30, 8}, {99, 10}} {
		st := newFakeStore(article("small", text))
		h := newHarness(t, st, size[0], size[1])
		where := fmt.Sprintf("%dx%d", size[0], size[1])
		checkFrame(t, where+" queue", h.m.Render(), size[0], size[1])
		h.keys("enter w w v j 1")
		checkFrame(t, where+" article", h.m.Render(), size[0], size[1])
		h.keys("tab")
		checkFrame(t, where+" spans pane", h.m.Render(), size[0], size[1])
	}
}

// TestFitWideText: fit cuts or pads to exactly w cells, also when the cut
// falls inside a two-cell character.
func TestFitWideText(t *testing.T) {
	tests := []struct {
		s   string
		w   int
		bug bool
	}{
		{"plain", 10, false},
		{"plain text that is too long", 10, false},
		{"\x1b[1mbold text that is too long\x1b[0m", 10, false},
		{"北京の記者", 10, false},
		{"北京の記者", 11, false},
		{"北京の記者によると", 10, true}, // "北京の記" is 8 cells, with "…" 9: one short
		{"x北京の記者によると", 10, false},
		{"😀😀😀😀😀😀", 7, false},
		{"😀😀😀😀😀😀", 8, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.s, tt.w), func(t *testing.T) {
			if tt.bug {
			}
			if got := ansi.StringWidth(fit(tt.s, tt.w)); got != tt.w {
				t.Errorf("fit(%q, %d) is %d cells wide: %q", tt.s, tt.w, got, fit(tt.s, tt.w))
			}
		})
	}
}

// TestStatusLineWithWideText: the same bug seen on the screen: the status
// line quoting a CJK selection is one cell short in a narrow window.
func TestStatusLineWithWideText(t *testing.T) {
	for _, size := range [][2]int{{20, 6}, {30, 8}} {
		h := newHarness(t, newFakeStore(article("mixed", mixedText)), size[0], size[1])
		h.keys("enter w w v j")
		checkFrame(t, fmt.Sprintf("%dx%d", size[0], size[1]), h.m.Render(), size[0], size[1])
	}
}

// TestTinyWindows: Render promises exactly height lines of width cells,
// even below the smallest usable size.
func TestTinyWindows(t *testing.T) {
	for _, size := range [][2]int{{12, 4}, {13, 5}, {60, 3}} {
		st := newFakeStore(article("mixed", mixedText))
		h := newHarness(t, st, size[0], size[1])
		where := fmt.Sprintf("%dx%d", size[0], size[1])
		checkFrame(t, where+" queue", h.m.Render(), size[0], size[1])
		h.keys("enter w w")
		checkFrame(t, where+" article", h.m.Render(), size[0], size[1])
	}
}
