package tui

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/termtext"
)

// The Entities tab lists entities, not mentions: one row per entity with
// its label, mention count and first context, expandable (o) to a row per
// mention. enter on an entity steps through its mentions in the article.

// entityRow is one row of the Entities tab: an entity, or (span set) one
// of its mentions shown under it.
type entityRow struct {
	entity string
	span   string
}

// entityOrder returns the annotation's entities by their first mention in
// the text.
func (m *Model) entityOrder() []model.Entity {
	first := map[string]int{}
	for _, s := range m.spans { // sorted by position
		if _, ok := first[s.Entity]; !ok {
			first[s.Entity] = s.Start
		}
	}
	out := append([]model.Entity(nil), m.ann.Referents...)
	sort.SliceStable(out, func(i, j int) bool { return first[out[i].ID] < first[out[j].ID] })
	return out
}

// mentionsInOrder returns an entity's mentions by position.
func (m *Model) mentionsInOrder(entityID string) []model.Span {
	var out []model.Span
	for _, s := range m.spans {
		if s.Entity == entityID {
			out = append(out, s)
		}
	}
	return out
}

// entityRows are the rows the Entities tab shows now.
func (m *Model) entityRows() []entityRow {
	var rows []entityRow
	for _, e := range m.entityOrder() {
		rows = append(rows, entityRow{entity: e.ID})
		if m.expanded[e.ID] {
			for _, s := range m.mentionsInOrder(e.ID) {
				rows = append(rows, entityRow{entity: e.ID, span: s.ID})
			}
		}
	}
	return rows
}

// entityRowAt returns the row under the Entities cursor.
func (m *Model) entityRowAt() (entityRow, bool) {
	rows := m.entityRows()
	if m.sideCursor < len(rows) {
		return rows[m.sideCursor], true
	}
	return entityRow{}, false
}

// entitiesKey handles a key on the Entities tab's list.
func (m *Model) entitiesKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys.Side
	rows := m.entityRows()
	row, ok := m.entityRowAt()
	switch {
	case key.Matches(msg, k.Down):
		m.sideCursor = min(m.sideCursor+1, max(0, len(rows)-1))
		m.followSideCursor()
	case key.Matches(msg, k.Up):
		m.sideCursor = max(m.sideCursor-1, 0)
		m.followSideCursor()
	case key.Matches(msg, k.Expand):
		if ok {
			m.expanded[row.entity] = !m.expanded[row.entity]
			// Stay on the entity's row.
			for i, r := range m.entityRows() {
				if r.entity == row.entity && r.span == "" {
					m.sideCursor = i
				}
			}
		}
	case key.Matches(msg, k.Jump):
		if !ok {
			return nil
		}
		if row.span != "" {
			if s, found := m.ann.Span(row.span); found {
				m.selectRange(s.Range())
			}
			m.focus = focusArticle
			return nil
		}
		// Step to the entity's next mention after the selection.
		ms := m.mentionsInOrder(row.entity)
		if len(ms) == 0 {
			return nil
		}
		next, n := ms[0], 1
		for i, s := range ms {
			if s.Start > m.head.Start {
				next, n = s, i+1
				break
			}
		}
		m.selectRange(next.Range())
		m.highlights = rangesOf(ms)
		e, _ := m.ann.Referent(row.entity)
		m.setMessage(fmt.Sprintf("%s: mention %d of %d (enter: next · tab: to the article)", quote(e.Name), n, len(ms)))
	case key.Matches(msg, k.Delete):
		if !ok {
			return nil
		}
		if row.span != "" {
			return m.deleteSpan(row.span)
		}
		return m.deleteEntity(row.entity)
	case key.Matches(msg, k.Relabel):
		if !ok {
			return nil
		}
		title := "new label for every mention of "
		e, _ := m.ann.Referent(row.entity)
		if row.span != "" {
			s, _ := m.ann.Span(row.span)
			title = "new label for " + quote(m.spanText(s))
		} else {
			title += quote(e.Name)
		}
		m.prompt = newLabelPrompt(promptRelabel, m.opts.Schema, title)
		m.prompt.spanID = row.span
		m.prompt.entityID = row.entity
	}
	return nil
}

func rangesOf(spans []model.Span) []model.Range {
	out := make([]model.Range, len(spans))
	for i, s := range spans {
		out[i] = s.Range()
	}
	return out
}

// deleteEntity deletes every mention of an entity, as one change.
func (m *Model) deleteEntity(id string) tea.Cmd {
	e, ok := m.ann.Referent(id)
	if !ok {
		return nil
	}
	next := m.ann.Clone()
	n := 0
	for _, s := range m.ann.MentionsOf(id) {
		removeSpan(&next, s, m.doc.text)
		n++
	}
	return m.commit(next, fmt.Sprintf("delete %s %s and its %d %s", e.Label, quote(e.Name), n, plural(n, "mention", "mentions")))
}

// relabelEntity gives an entity and all its mentions a new label.
func (m *Model) relabelEntity(id, label string) tea.Cmd {
	e, ok := m.ann.Referent(id)
	if !ok || e.Label == label {
		return nil
	}
	next := m.ann.Clone()
	for i := range next.Entities {
		if next.Entities[i].Entity == id {
			next.Entities[i].Label = label
		}
	}
	for i := range next.Referents {
		if next.Referents[i].ID == id {
			next.Referents[i].Label = label
		}
	}
	for _, s := range next.MentionsOf(id) {
		if err := m.labelFits(&next, s.ID); err != nil {
			m.fail(err)
			return nil
		}
	}
	m.lastLabel = label
	return m.commit(next, fmt.Sprintf("relabel %s %s → %s (%d mentions)", quote(e.Name), e.Label, label, len(next.MentionsOf(id))))
}

// renderEntities draws the Entities tab.
func (m *Model) renderEntities(w, h int) []string {
	var lines []string
	if len(m.spans) == 0 {
		lines = append(lines, m.styles.Subtle.Render("No entities yet."), "",
			m.styles.Subtle.Render("Move with w/b, j/k, extend with v,"),
			m.styles.Subtle.Render("then press a label key:"))
		for _, l := range m.opts.Schema.Labels {
			lines = append(lines, fmt.Sprintf(" %s %s", m.styles.HelpKey.Render(l.Key), m.styles.Chip(l.Name).Render(l.Name)))
		}
		return lines
	}
	rows := m.entityRows()
	first := 0
	if m.sideCursor >= h {
		first = m.sideCursor - h + 1
	}
	for i := first; i < len(rows) && i < first+h; i++ {
		r := rows[i]
		e, _ := m.ann.Referent(r.entity)
		var plain, styled string
		if r.span == "" {
			ms := m.mentionsInOrder(e.ID)
			mark := "▸"
			if m.expanded[e.ID] {
				mark = "▾"
			}
			name := termtext.Line(e.Name)
			extra := ""
			if len(e.Aliases) > 0 {
				extra += " aka " + termtext.Line(strings.Join(e.Aliases, ", "))
			}
			if e.Registry != "" {
				extra += " [" + termtext.Line(e.Registry) + "]"
			}
			where := ""
			if len(ms) > 0 {
				where = "  " + termtext.Line(m.mentionContext(ms[0].Range()))
			}
			count := fmt.Sprintf(" ×%d", len(ms))
			plain = fmt.Sprintf("%s %-5s %s%s%s%s", mark, e.Label, name, count, extra, where)
			styled = mark + " " + m.styles.Chip(e.Label).Render(fmt.Sprintf("%-5s", e.Label)) + " " + name + count +
				m.styles.Accent.Render(extra) + m.styles.Subtle.Render(where)
		} else {
			s, _ := m.ann.Span(r.span)
			where := termtext.Line(m.mentionContext(s.Range()))
			plain = "      " + where
			styled = "      " + m.styles.Subtle.Render(where)
		}
		if i == m.sideCursor && m.focus == focusSide {
			styled = m.styles.RowActive.Render(fit(plain, w))
		}
		lines = append(lines, styled)
	}
	return lines
}
