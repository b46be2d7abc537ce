package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/annotate-tool/annotate/internal/termtext"
)

// The Claims, Sources and Incidents tabs are components, shaped like the
// Review tab (reviewtab.go): each owns its cursor, its keys (ListKeys, a
// help.KeyMap) and how its rows are drawn; the root hands it the rows the
// annotation makes and carries out what a key asks (listAction) as a save
// or a form.

// listAction is what a key on a list tab asks the root to do.
type listAction interface{ listAction() }

type (
	// actListMoved: the cursor moved (the article shows the item).
	actListMoved struct{}
	// actListOpen: open item i's form (i == the row count: none).
	actListOpen struct{ i int }
	// actListNew: a new item.
	actListNew struct{}
	// actListDelete and actListAccept act on item i.
	actListDelete struct{ i int }
	actListAccept struct{ i int }
)

func (actListMoved) listAction()  {}
func (actListOpen) listAction()   {}
func (actListNew) listAction()    {}
func (actListDelete) listAction() {}
func (actListAccept) listAction() {}

// listRow is one item of a list tab: its line, and lines under it (the
// claim's words, a grade's rationale), already styled.
type listRow struct {
	text  string
	under []string
}

// listTab is one list tab's state.
type listTab struct {
	keys   ListKeys
	cursor int
}

// Update handles a key for the tab, whose list has n items. It reports
// whether the key was the tab's.
func (t *listTab) Update(kp tea.KeyPressMsg, n int) (listAction, bool) {
	k := t.keys
	switch {
	case key.Matches(kp, k.Down):
		t.cursor = min(t.cursor+1, max(0, n-1))
		return actListMoved{}, true
	case key.Matches(kp, k.Up):
		t.cursor = max(t.cursor-1, 0)
		return actListMoved{}, true
	case key.Matches(kp, k.Open):
		return actListOpen{min(t.cursor, n)}, true
	case key.Matches(kp, k.Accept):
		if t.cursor < n {
			return actListAccept{t.cursor}, true
		}
		return nil, true
	case key.Matches(kp, k.New):
		return actListNew{}, true
	case key.Matches(kp, k.Delete):
		if t.cursor < n {
			return actListDelete{t.cursor}, true
		}
		return nil, true
	}
	return nil, false
}

// clamp keeps the cursor on an item of a list of n.
func (t *listTab) clamp(n int) {
	t.cursor = min(t.cursor, max(0, n-1))
}

// View draws the rows in w columns and h lines, the cursor's row marked
// when the tab has the focus. A long row wraps (up to three lines) rather
// than being cut: a claim's credibility and stance are at its end.
func (t *listTab) View(rows []listRow, st Styles, w, h int, active bool) []string {
	var lines []string
	cursorLine := 0
	for i, r := range rows {
		if i == t.cursor {
			cursorLine = len(lines)
		}
		wrapped := strings.Split(ansi.Wrap(termtext.Line(r.text), max(1, w), ""), "\n")
		if len(wrapped) > 3 {
			wrapped = append(wrapped[:2], fit(wrapped[2]+" "+wrapped[3], w))
		}
		for _, l := range wrapped {
			if i == t.cursor && active {
				l = st.RowActive.Render(fit(ansi.Strip(l), w))
			}
			lines = append(lines, l)
		}
		lines = append(lines, r.under...)
	}
	// Keep the cursor in view (rows take several lines).
	if len(lines) > h {
		lines = lines[max(0, min(len(lines)-h, cursorLine-h/3)):]
	}
	return lines
}
