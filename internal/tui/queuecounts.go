package tui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// The queue shows, per article, how much the annotator recorded in it:
// mentions, claims and incidents ("12 2 1"). Summaries do not carry them,
// so they are read off the update loop for the articles of the page the
// annotator touched, once each, and kept up to date from the screen's own
// saves.

// itemCounts are one annotation's mentions, claims and incidents.
type itemCounts [3]int

func countsOf(a *model.Annotation) itemCounts {
	return itemCounts{len(a.Entities), len(a.Claims), len(a.Incidents)}
}

// String shows the counts for a queue row.
func (c itemCounts) String() string { return fmt.Sprintf("%3d %2d %2d", c[0], c[1], c[2]) }

// itemCountsMsg brings the counts read for some articles.
type itemCountsMsg struct {
	counts map[string]itemCounts
	err    error
}

// itemCountsCmd reads the counts of the queue's articles the annotator
// touched that are not known yet (none in review mode, whose rows count
// items to decide).
func (m *Model) itemCountsCmd() tea.Cmd {
	if m.opts.Review != nil {
		return nil
	}
	if m.itemCounts == nil {
		m.itemCounts = map[string]itemCounts{}
	}
	var ids []string
	for _, s := range m.visibleQueue() {
		if _, known := m.itemCounts[s.ID]; !known && m.status(s) != model.StatusTodo {
			ids = append(ids, s.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	st, who := m.opts.Store, m.owner()
	return func() tea.Msg {
		out := map[string]itemCounts{}
		for _, id := range ids {
			a, err := st.Annotation(id, who)
			if err != nil {
				return itemCountsMsg{counts: out, err: err}
			}
			out[id] = countsOf(&a)
		}
		return itemCountsMsg{counts: out}
	}
}

func (m *Model) onItemCounts(msg itemCountsMsg) {
	for id, c := range msg.counts {
		m.itemCounts[id] = c
	}
	if msg.err != nil {
		m.log.Error("queue counts", "err", msg.err)
	}
}

// rowCounts is the counts column of a queue row: blank for an article not
// touched or not read yet.
func (m *Model) rowCounts(s store.ArticleSummary) string {
	if c, ok := m.itemCounts[s.ID]; ok && m.status(s) != model.StatusTodo {
		return c.String()
	}
	return fmt.Sprintf("%9s", "")
}
