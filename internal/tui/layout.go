package tui

import (
	"sort"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/annotate-tool/annotate/internal/termtext"
)

const tabWidth = 8

// cluster is one grapheme as drawn: where it ends, what to draw, and how
// many cells it takes at the column it starts in.
type cluster struct {
	end     int
	show    string
	width   int
	newline bool
}

// clusterAt reads the grapheme starting at off. Control characters and
// bidirectional overrides become one-cell placeholders (termtext), tabs
// expand to the next tab stop, and a newline (LF or CRLF) ends the line.
func clusterAt(text string, off, col int) cluster {
	b := text[off]
	if b < utf8.RuneSelf {
		switch {
		case b == '\n':
			return cluster{end: off + 1, newline: true}
		case b == '\r' && off+1 < len(text) && text[off+1] == '\n':
			return cluster{end: off + 2, newline: true}
		case b == '\t':
			w := tabWidth - col%tabWidth
			return cluster{end: off + 1, show: spaces(w), width: w}
		case b < 0x20 || b == 0x7f:
			p, _ := termtext.Placeholder(rune(b))
			return cluster{end: off + 1, show: string(p), width: 1}
		}
		// ASCII followed by ASCII is a grapheme of its own: the fast path
		// that keeps wrapping a long article cheap.
		if off+1 >= len(text) || text[off+1] < utf8.RuneSelf {
			return cluster{end: off + 1, show: text[off : off+1], width: 1}
		}
	}
	r, size := utf8.DecodeRuneInString(text[off:])
	if p, ok := termtext.Placeholder(r); ok {
		return cluster{end: off + size, show: string(p), width: 1}
	}
	g, w := ansi.FirstGraphemeCluster(text[off:], ansi.GraphemeWidth)
	if len(g) == 0 {
		g = text[off : off+size]
	}
	show := g
	// A cluster can carry controls after its first rune (a combining mark
	// cannot make ESC safe): draw those as placeholders too.
	if termtext.NeedsEscape(g) {
		show = termtext.Line(g)
		w = ansi.StringWidth(show)
	}
	if w == 0 {
		// A lone combining mark or zero-width character: give it a cell
		// so the cursor can sit on it.
		show = " " + show
		w = 1
	}
	return cluster{end: off + len(g), show: show, width: w}
}

var spaceCache = "                                                                "

func spaces(n int) string {
	if n <= len(spaceCache) {
		return spaceCache[:n]
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = ' '
	}
	return string(b)
}

// layout is the article wrapped to a width: the byte range of each visual
// line. It is computed on resize only; drawing reads just the visible lines.
type layout struct {
	width  int
	starts []int
	ends   []int // exclusive, without the line break
}

// wrap breaks text into lines of at most width cells, at the last space
// where possible, and at every line break.
func wrap(text string, width int) layout {
	if width < 1 {
		width = 1
	}
	l := layout{width: width}
	lineStart, col := 0, 0
	breakAt := -1
	for off := 0; off < len(text); {
		c := clusterAt(text, off, col)
		if c.newline {
			l.starts = append(l.starts, lineStart)
			l.ends = append(l.ends, off)
			lineStart, col, breakAt = c.end, 0, -1
			off = c.end
			continue
		}
		if col+c.width > width && col > 0 {
			end := off
			if breakAt > lineStart {
				end = breakAt
			}
			l.starts = append(l.starts, lineStart)
			l.ends = append(l.ends, end)
			lineStart, breakAt = end, -1
			// Measure what moved to the new line at its new columns (a tab's
			// width depends on where it starts), then the cluster itself.
			col = 0
			for i := end; i < off; {
				cc := clusterAt(text, i, col)
				col += cc.width
				i = cc.end
			}
			c = clusterAt(text, off, col)
			if col+c.width > width && col > 0 {
				// Still too wide (a wide character after a long word):
				// break right before it.
				l.starts = append(l.starts, lineStart)
				l.ends = append(l.ends, off)
				lineStart, col = off, 0
				c = clusterAt(text, off, col)
			}
		}
		col += c.width
		if text[off] == ' ' || text[off] == '\t' {
			breakAt = c.end
		}
		off = c.end
	}
	l.starts = append(l.starts, lineStart)
	l.ends = append(l.ends, len(text))
	return l
}

// lineOf returns the visual line holding byte offset off.
func (l *layout) lineOf(off int) int {
	i := sort.Search(len(l.starts), func(i int) bool { return l.starts[i] > off }) - 1
	if i < 0 {
		return 0
	}
	return i
}

// colOf returns the cell column of off within its line.
func (l *layout) colOf(text string, off int) int {
	line := l.lineOf(off)
	col := 0
	for i := l.starts[line]; i < off && i < l.ends[line]; {
		c := clusterAt(text, i, col)
		col += c.width
		i = c.end
	}
	return col
}

// offAt returns the byte offset drawn at cell column col of line, or the
// line's end when col is past it.
func (l *layout) offAt(text string, line, col int) int {
	if line < 0 {
		line = 0
	}
	if line >= len(l.starts) {
		line = len(l.starts) - 1
	}
	x := 0
	for i := l.starts[line]; i < l.ends[line]; {
		c := clusterAt(text, i, x)
		if col < x+c.width {
			return i
		}
		x += c.width
		i = c.end
	}
	return l.ends[line]
}
