package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// The queue is a component like the side tabs: it owns the page of
// articles it shows, where it stands (filter, cursor, page offset), the
// search's results, and its keys (QueueKeys). A key becomes an action the
// root carries out: reading another page, opening an article, searching,
// quitting.

// queueTab is the queue's state.
type queueTab struct {
	keys QueueKeys
	// page is the store's page of summaries at offset (total match the
	// filter; counts are the annotator's statuses over every article).
	page   []store.ArticleSummary
	err    error
	ready  bool
	offset int
	total  int
	counts map[model.Status]int
	// keep: the next page keeps the cursor (a move, not a reload).
	keep   bool
	filter int // 0: all; then 1+index into model.Statuses
	cursor int
	search string
	// results are the search's matches (nil: no search active).
	results    []store.ArticleSummary
	resultsGen int
	searchGen  int
	// searchStop stops the search under way.
	searchStop func()
}

// queueAction is what a key on the queue asks the root to do.
type queueAction interface{ queueAction() }

type (
	// actQueueLoad: read the page at the tab's offset (and filter).
	actQueueLoad struct{}
	// actQueueOpen: open the article.
	actQueueOpen struct{ id string }
	// actQueueSearch: open the search prompt.
	actQueueSearch struct{}
	// actQueueReload: read the page again, saying so.
	actQueueReload struct{}
	// actQueueClearSearch: the search was dropped.
	actQueueClearSearch struct{}
	// actQueueQuit: leave.
	actQueueQuit struct{ key string }
)

func (actQueueLoad) queueAction()        {}
func (actQueueOpen) queueAction()        {}
func (actQueueSearch) queueAction()      {}
func (actQueueReload) queueAction()      {}
func (actQueueClearSearch) queueAction() {}
func (actQueueQuit) queueAction()        {}

// Update handles a key on the queue: visible are the rows shown (the page
// filtered, or the search's results), paged whether they are a page of the
// store's listing (moving past an end reads the next page).
func (t *queueTab) Update(kp tea.KeyPressMsg, visible []store.ArticleSummary, paged bool) (queueAction, bool) {
	k := t.keys
	switch {
	case key.Matches(kp, k.Quit):
		if t.results != nil || t.search != "" {
			t.results, t.search = nil, ""
			return actQueueClearSearch{}, true
		}
		return actQueueQuit{kp.String()}, true
	case key.Matches(kp, k.Down):
		if t.cursor+1 >= len(visible) && paged && t.offset+len(t.page) < t.total {
			// Past the page: the next one, keeping this article in view.
			shift := len(t.page) / 2
			t.offset += shift
			t.cursor = t.cursor - shift + 1
			t.keep = true
			return actQueueLoad{}, true
		}
		t.cursor = min(t.cursor+1, max(0, len(visible)-1))
	case key.Matches(kp, k.Up):
		if t.cursor == 0 && paged && t.offset > 0 {
			shift := min(t.offset, queuePage/2)
			t.offset -= shift
			t.cursor = shift - 1
			t.keep = true
			return actQueueLoad{}, true
		}
		t.cursor = max(t.cursor-1, 0)
	case key.Matches(kp, k.Top):
		t.cursor = 0
		if paged && t.offset > 0 {
			t.offset = 0
			t.keep = true
			return actQueueLoad{}, true
		}
	case key.Matches(kp, k.Bottom):
		if paged && t.offset+len(t.page) < t.total {
			t.offset = max(0, t.total-queuePage)
			t.cursor = t.total - t.offset - 1
			t.keep = true
			return actQueueLoad{}, true
		}
		t.cursor = max(0, len(visible)-1)
	case key.Matches(kp, k.Filter):
		t.filter = (t.filter + 1) % (len(model.Statuses) + 1)
		t.cursor, t.offset = 0, 0
		return actQueueLoad{}, true
	case key.Matches(kp, k.PrevFilter):
		t.filter = (t.filter + len(model.Statuses)) % (len(model.Statuses) + 1)
		t.cursor, t.offset = 0, 0
		return actQueueLoad{}, true
	case key.Matches(kp, k.Search):
		return actQueueSearch{}, true
	case key.Matches(kp, k.Reload):
		return actQueueReload{}, true
	case key.Matches(kp, k.Open):
		if t.cursor < len(visible) {
			return actQueueOpen{visible[t.cursor].ID}, true
		}
	default:
		return nil, false
	}
	return nil, true
}

// window is the rows [first, last) of n shown in h lines: the ones around
// the cursor.
func (t *queueTab) window(n, h int) (first, last int) {
	if t.cursor >= h {
		first = t.cursor - h + 1
	}
	return first, min(n, first+max(0, h))
}

// drawRow draws row i's text, marked when it is the cursor's.
func (t *queueTab) drawRow(i int, row string, st Styles, w int) string {
	if i == t.cursor {
		return st.RowActive.Render(fit(row, w))
	}
	return st.Row.Render(fit(row, w))
}
