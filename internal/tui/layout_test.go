package tui

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// Pieces random texts are made of. safePieces avoid tabs and two-cell
// characters; widePieces add them.
var (
	safePieces = []string{
		"a", "b", "word", "longerword", "x", " ", " ", " ", "  ", ".", ",", "\n", "\n\n", "\r\n", "\r",
		"\x1b", "\x1b[2J", "\x00", "\x07", "\x7f", "\u009b", "\u202e", "\u200e", "\u200d",
		"ع", "سلام", "القافلة", "e\u0301", "a\u0308\u0301", "\u0301", "Ş", "é",
	}
	widePieces = append(append([]string(nil), safePieces...),
		"\t", "\t\t", "世", "界", "北京の記者", "😀", "👨‍👩‍👧", "👍🏽", "🇸🇾", "ａ", "한국어",
	)
)

func randomText(r *rand.Rand, pieces []string, n int) string {
	var b strings.Builder
	for range n {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

// clusters walks one line as renderText does, from column 0, and returns
// each cluster's start offset and column, and the line's width.
func clusters(text string, l layout, line int) (offs, cols []int, width int) {
	col := 0
	off := l.starts[line]
	for off < l.ends[line] {
		c := clusterAt(text, off, col)
		offs = append(offs, off)
		cols = append(cols, col)
		col += c.width
		off = c.end
	}
	return offs, cols, col
}

// checkLayout checks what every layout must satisfy, whatever the text:
// the lines and line breaks partition the text, lines end on cluster
// boundaries, and lineOf, colOf and offAt agree with each other.
func checkLayout(t *testing.T, text string, width int, l layout) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("wrap(%q, %d): %s", text, width, fmt.Sprintf(format, args...))
	}
	n := len(l.starts)
	if n == 0 || len(l.ends) != n {
		fail("%d starts, %d ends", n, len(l.ends))
	}
	if l.starts[0] != 0 || l.ends[n-1] != len(text) {
		fail("lines cover %d..%d of %d bytes", l.starts[0], l.ends[n-1], len(text))
	}
	for i := range n {
		if l.starts[i] > l.ends[i] {
			fail("line %d starts at %d after its end %d", i, l.starts[i], l.ends[i])
		}
		if i+1 < n {
			gap := text[l.ends[i]:l.starts[i+1]]
			switch gap {
			case "":
				if l.starts[i] == l.ends[i] {
					fail("line %d is an empty soft-wrapped line", i)
				}
			case "\n", "\r\n":
			default:
				fail("between line %d and %d lies %q, not a line break", i, i+1, gap)
			}
		}
		offs, cols, _ := clusters(text, l, i)
		// The cluster walk must land exactly on the line's end.
		end := l.starts[i]
		if len(offs) > 0 {
			last := offs[len(offs)-1]
			end = clusterAt(text, last, cols[len(cols)-1]).end
		}
		if end != l.ends[i] {
			fail("line %d ends at %d, inside the cluster ending at %d", i, l.ends[i], end)
		}
		for k, off := range offs {
			if got := l.lineOf(off); got != i {
				fail("lineOf(%d) = %d, want %d", off, got, i)
			}
			if got := l.colOf(text, off); got != cols[k] {
				fail("colOf(%d) = %d, want %d", off, got, cols[k])
			}
			c := clusterAt(text, off, cols[k])
			for cell := cols[k]; cell < cols[k]+c.width; cell++ {
				if got := l.offAt(text, i, cell); got != off {
					fail("offAt(line %d, col %d) = %d, want %d (the cluster drawn there)", i, cell, got, off)
				}
			}
			// Every byte of a cluster is on its line.
			for b := off; b < c.end; b++ {
				if got := l.lineOf(b); got != i {
					fail("lineOf(%d) = %d, want %d", b, got, i)
				}
			}
		}
		if got := l.offAt(text, i, 1<<20); got != l.ends[i] {
			fail("offAt past the end of line %d = %d, want its end %d", i, got, l.ends[i])
		}
		// The line break belongs to the line it ends.
		if i+1 < n {
			for b := l.ends[i]; b < l.starts[i+1]; b++ {
				if got := l.lineOf(b); got != i {
					fail("lineOf(%d) (line break) = %d, want %d", b, got, i)
				}
			}
		}
	}
}

// checkWidth fails if a line is wider than width, unless it is one
// cluster that is wider on its own.
func checkWidth(t *testing.T, text string, width int, l layout) {
	t.Helper()
	for i := range l.starts {
		offs, _, w := clusters(text, l, i)
		if w > width && len(offs) > 1 {
			t.Fatalf("wrap(%q, %d): line %d %q is %d cells wide", text, width, i, text[l.starts[i]:l.ends[i]], w)
		}
	}
}

func TestWrapExamples(t *testing.T) {
	tests := []struct {
		text  string
		width int
		want  []string // the lines
	}{
		{"", 10, []string{""}},
		{"one two three", 20, []string{"one two three"}},
		{"one two three", 8, []string{"one two ", "three"}},
		{"one two three", 7, []string{"one ", "two ", "three"}},
		{"abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"a\nb\r\nc", 10, []string{"a", "b", "c"}},
		{"a\n\nb\n", 10, []string{"a", "", "b", ""}},
		{"世界世界世界", 5, []string{"世界", "世界", "世界"}},
		{"😀 😀 😀", 4, []string{"😀 ", "😀 ", "😀"}},
		{"\tx", 10, []string{"\tx"}},
		{"e\u0301e\u0301e\u0301", 2, []string{"e\u0301e\u0301", "e\u0301"}},
		{"\x1b[2J", 2, []string{"\x1b[", "2J"}},
	}
	for _, tt := range tests {
		l := wrap(tt.text, tt.width)
		var got []string
		for i := range l.starts {
			got = append(got, tt.text[l.starts[i]:l.ends[i]])
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("wrap(%q, %d) = %q, want %q", tt.text, tt.width, got, tt.want)
		}
		checkLayout(t, tt.text, tt.width, l)
		checkWidth(t, tt.text, tt.width, l)
	}
}

// TestWrapProperties: random texts of every kind, at many widths.
func TestWrapProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 400 {
		text := randomText(r, widePieces, r.IntN(120))
		width := 1 + r.IntN(30)
		if i%4 == 0 {
			width = 40 + r.IntN(100)
		}
		checkLayout(t, text, width, wrap(text, width))
	}
}

// TestWrapFitsWidth: without tabs and two-cell characters, no line is
// wider than the pane.
func TestWrapFitsWidth(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 400 {
		text := randomText(r, safePieces, r.IntN(150))
		width := 1 + r.IntN(30)
		if i%4 == 0 {
			width = 40 + r.IntN(100)
		}
		checkWidth(t, text, width, wrap(text, width))
	}
}

func TestWrapFitsWidthWide(t *testing.T) {
	t.Run("known cases", func(t *testing.T) {
		for _, tt := range []struct {
			text  string
			width int
		}{
			{" XXXXXXXXX世", 10},         // line "XXXXXXXXX世": 11 cells
			{" a中中中中中", 10},             // line "a中中中中中": 11 cells
			{"abcdefghi j\tklmnop", 12}, // line "j\tklmnop": 14 cells
		} {
			checkWidth(t, tt.text, tt.width, wrap(tt.text, tt.width))
		}
	})
	t.Run("random", func(t *testing.T) {
		r := rand.New(rand.NewPCG(5, 6))
		for range 2000 {
			text := randomText(r, widePieces, r.IntN(150))
			width := 2 + r.IntN(40)
			checkWidth(t, text, width, wrap(text, width))
		}
	})
}

// TestWrapOverflowOnScreen shows the same bug in a frame: a paragraph
// indented by one space, a word and CJK text loses its last character
// behind "…".
func TestWrapOverflowOnScreen(t *testing.T) {
	text := " " + strings.Repeat("x", 75) + "世界 more"
	h := newHarness(t, newFakeStore(article("indent", text)), 80, 24)
	h.keys("enter")
	if s := h.screen(); !strings.Contains(s, "世") {
		t.Errorf("the character after the cut is not drawn:\n%s", s)
	}
}

// TestClusterWidthsMatchAnsi: a line of clusters is as wide on screen as
// clusterAt says, so wrapping and drawing agree with the frame's measure.
func TestClusterWidthsMatchAnsi(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for range 300 {
		text := randomText(r, widePieces, r.IntN(60))
		l := wrap(text, 1<<20)
		for i := range l.starts {
			var b strings.Builder
			col := 0
			for off := l.starts[i]; off < l.ends[i]; {
				c := clusterAt(text, off, col)
				b.WriteString(c.show)
				col += c.width
				off = c.end
			}
			if got := ansi.StringWidth(b.String()); got != col {
				t.Fatalf("line %q draws as %q: %d cells by ansi, %d by clusterAt", text[l.starts[i]:l.ends[i]], b.String(), got, col)
			}
		}
	}
}
