package tui

import (
	"sort"
	"strings"
)

// lineNumber is the article's own line (1-based) where a byte offset lies:
// what lists and messages say ("l.12"), the same at any width (a wrapped
// display line is not).
func (d *document) lineNumber(off int) int {
	if d.newlines == nil {
		d.newlines = []int{}
		for i := strings.IndexByte(d.text, '\n'); i >= 0; {
			d.newlines = append(d.newlines, i)
			j := strings.IndexByte(d.text[i+1:], '\n')
			if j < 0 {
				break
			}
			i += j + 1
		}
	}
	return sort.SearchInts(d.newlines, off) + 1
}
