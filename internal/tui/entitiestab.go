package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// The Entities tab is a component like the list tabs (listtab.go): it owns
// its cursor, which entities show their mentions, and its keys (SideKeys);
// the root gives it the rows (an entity, then its mentions when expanded)
// and carries out what a key asks.

// entAction is what a key on the Entities tab asks the root to do.
type entAction interface{ entAction() }

type (
	// actEntMoved: the cursor moved (the article shows the row's mention).
	actEntMoved struct{}
	// actEntJump, actEntDelete, actEntRelabel act on a row.
	actEntJump    struct{ row entityRow }
	actEntDelete  struct{ row entityRow }
	actEntRelabel struct{ row entityRow }
)

func (actEntMoved) entAction()   {}
func (actEntJump) entAction()    {}
func (actEntDelete) entAction()  {}
func (actEntRelabel) entAction() {}

// entitiesTab is the Entities tab's state.
type entitiesTab struct {
	keys   SideKeys
	cursor int
	// expanded entities show their mentions; gen counts the changes (the
	// tab's drawing is kept until something it shows changes).
	expanded map[string]bool
	gen      int
}

func newEntitiesTab(keys SideKeys) *entitiesTab {
	return &entitiesTab{keys: keys, expanded: map[string]bool{}}
}

// at is the row under the cursor.
func (t *entitiesTab) at(rows []entityRow) (entityRow, bool) {
	if t.cursor < len(rows) {
		return rows[t.cursor], true
	}
	return entityRow{}, false
}

// clamp keeps the cursor on a row.
func (t *entitiesTab) clamp(n int) { t.cursor = min(t.cursor, max(0, n-1)) }

// Update handles a key for the tab. rows gives the rows as they are now
// (expanding changes them). It reports whether the key was the tab's.
func (t *entitiesTab) Update(kp tea.KeyPressMsg, rows func() []entityRow) (entAction, bool) {
	k := t.keys
	now := rows()
	row, ok := t.at(now)
	switch {
	case key.Matches(kp, k.Down):
		t.cursor = min(t.cursor+1, max(0, len(now)-1))
		return actEntMoved{}, true
	case key.Matches(kp, k.Up):
		t.cursor = max(t.cursor-1, 0)
		return actEntMoved{}, true
	case key.Matches(kp, k.Expand):
		if ok {
			t.expanded[row.entity] = !t.expanded[row.entity]
			t.gen++
			// Stay on the entity's row.
			for i, r := range rows() {
				if r.entity == row.entity && r.span == "" {
					t.cursor = i
				}
			}
		}
		return nil, true
	case key.Matches(kp, k.Jump):
		if ok {
			return actEntJump{row}, true
		}
		return nil, true
	case key.Matches(kp, k.Delete):
		if ok {
			return actEntDelete{row}, true
		}
		return nil, true
	case key.Matches(kp, k.Relabel):
		if ok {
			return actEntRelabel{row}, true
		}
		return nil, true
	}
	return nil, false
}

// View draws n rows in w columns and h lines: the window that shows the
// cursor, each row drawn by draw (plain and styled; only the rows in view
// are drawn, whatever the article's size), the cursor's row marked when the
// tab has the focus.
func (t *entitiesTab) View(n int, draw func(i int) (plain, styled string), st Styles, w, h int, active bool) []string {
	first := 0
	if t.cursor >= h {
		first = t.cursor - h + 1
	}
	var lines []string
	for i := first; i < n && i < first+h; i++ {
		plain, styled := draw(i)
		if i == t.cursor && active {
			styled = st.RowActive.Render(fit(plain, w))
		}
		lines = append(lines, styled)
	}
	return lines
}
