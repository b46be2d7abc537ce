package tui

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/termtext"
)

// The Claims, Sources and Incidents tabs: lists to move through, open an
// item's form from, create and delete.

// quit leaves, unless typed drafts would be lost: then it asks once more,
// and the same key again (q or ctrl+c) quits.
func (m *Model) quit(key string) tea.Cmd {
	n := 0
	for _, d := range m.drafts {
		if strings.TrimSpace(d) != "" {
			n++
		}
	}
	if n > 0 && !m.quitArmed {
		m.quitArmed, m.quitKey = true, key
		m.fail(fmt.Errorf("press %s again to quit: %d typed %s not confirmed (enter saves one)", key, n, plural(n, "value is", "values are")))
		return nil
	}
	return tea.Quit
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (m *Model) listLen() int {
	switch m.sideTab {
	case tabClaims:
		return len(m.ann.Claims)
	case tabSources:
		return len(m.sources())
	case tabIncidents:
		return len(m.ann.Incidents)
	}
	return 0
}

// listKey handles keys of the list tabs; used is false for keys it leaves
// to the side pane (tab switching, focus).
func (m *Model) listKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	t := m.list(m.sideTab)
	n := m.listLen()
	act, used := t.Update(msg, n)
	if !used {
		return nil, false
	}
	return m.doList(act, n), true
}

// list is a list tab's component (Claims, Sources or Incidents).
func (m *Model) list(tab int) *listTab {
	if m.lists[tab] == nil {
		m.lists[tab] = &listTab{keys: m.keys.List}
	}
	return m.lists[tab]
}

// doList carries out what a key on a list tab asked.
func (m *Model) doList(act listAction, n int) tea.Cmd {
	switch a := act.(type) {
	case actListMoved:
		m.followList()
	case actListOpen:
		if a.i >= n {
			if m.sideTab == tabIncidents {
				return m.newIncident()
			}
			return nil
		}
		switch m.sideTab {
		case tabClaims:
			m.openForm(formClaim, m.ann.Claims[a.i].ID)
		case tabSources:
			m.openForm(formSource, m.sources()[a.i].name)
		case tabIncidents:
			m.openForm(formIncident, m.ann.Incidents[a.i].ID)
		}
	case actListAccept:
		if m.sideTab == tabSources {
			return m.acceptOfferedGrade(m.sources()[a.i])
		}
	case actListNew:
		if m.sideTab == tabIncidents {
			return m.newIncident()
		}
		if m.sideTab == tabClaims {
			m.setMessage("select the claim's words in the article, then press " + keyOf(m.keys.Article.Claim))
		}
	case actListDelete:
		switch m.sideTab {
		case tabClaims:
			return m.deleteClaim(m.ann.Claims[a.i].ID)
		case tabIncidents:
			inc := m.ann.Incidents[a.i]
			if !m.armDelete("incident "+inc.ID, fmt.Sprintf("incident %s and its %d fields", inc.ID, len(inc.Fields))) {
				return nil
			}
			return m.deleteIncident(inc.ID)
		case tabSources:
			return m.deleteGrade(m.sources()[a.i].name)
		}
	}
	return nil
}

// followList shows the current claim's spans in the article.
func (m *Model) followList() {
	m.highlights = nil
	cur := m.list(m.sideTab).cursor
	switch m.sideTab {
	case tabClaims:
		if cur < len(m.ann.Claims) {
			m.highlights = m.claimRanges(m.ann.Claims[cur])
		}
	case tabSources:
		srcs := m.sources()
		if cur < len(srcs) {
			for _, c := range m.ann.Claims {
				if strings.EqualFold(m.claimantName(c), srcs[cur].name) {
					m.highlights = append(m.highlights, m.claimRanges(c)...)
				}
			}
		}
	case tabIncidents:
		if cur < len(m.ann.Incidents) {
			ev := m.ann.Incidents[cur].Evidence
			fields := make([]string, 0, len(ev))
			for f := range ev {
				fields = append(fields, f)
			}
			sort.Strings(fields) // the same evidence comes first every time
			for _, f := range fields {
				m.highlights = append(m.highlights, m.refRanges(ev[f])...)
			}
		}
	}
	if len(m.highlights) > 0 {
		m.selectRange(m.highlights[0])
	}
}

// newClaim creates a claim whose content is the selection and opens its form
// at the claimant.
func (m *Model) newClaim() tea.Cmd {
	sel, trimmed, err := m.markable()
	if err != nil {
		m.fail(fmt.Errorf("no claim made: select the claim's words first: %v", err))
		return nil
	}
	next := m.ann.Clone()
	id := next.NewID("c")
	c := model.Claim{ID: id, Content: []model.Range{sel}, Polarity: "asserts"}
	next.Claims = append(next.Claims, c)
	m.extend, m.head = false, sel
	m.dropDrafts(formClaim, id) // an id freed by an undo can come back
	m.afterSave = func(m *Model) tea.Cmd {
		m.sideTab = tabClaims
		m.list(tabClaims).cursor = len(m.ann.Claims) - 1
		m.openForm(formClaim, id)
		return nil
	}
	return m.commit(next, fmt.Sprintf("claim %s %s%s", id, quote(m.doc.text[sel.Start:sel.End]), trimNote(trimmed)))
}

func (m *Model) newIncident() tea.Cmd {
	next := m.ann.Clone()
	id := next.NewID("i")
	next.Incidents = append(next.Incidents, model.Incident{ID: id, Fields: map[string]model.Value{}, Evidence: map[string][]string{}})
	m.dropDrafts(formIncident, id)
	m.afterSave = func(m *Model) tea.Cmd {
		m.sideTab = tabIncidents
		m.list(tabIncidents).cursor = len(m.ann.Incidents) - 1
		m.openForm(formIncident, id)
		return nil
	}
	return m.commit(next, "new incident "+id)
}

// dropDrafts forgets the drafts typed into an item's form.
func (m *Model) dropDrafts(kind formKind, id string) {
	prefix := draftKey(kind, id, "")
	for k := range m.drafts {
		if strings.HasPrefix(k, prefix) {
			delete(m.drafts, k)
			delete(m.draftErrs, k)
		}
	}
}

func (m *Model) deleteClaim(id string) tea.Cmd {
	m.dropDrafts(formClaim, id)
	next := m.ann.Clone()
	var kept []model.Claim
	for _, c := range next.Claims {
		if c.ID == id {
			continue
		}
		if c.Stance != nil && c.Stance.ClaimID == id {
			c.Stance = nil
		}
		kept = append(kept, c)
	}
	next.Claims = kept
	for _, inc := range next.Incidents {
		for f, ids := range inc.Evidence {
			inc.Evidence[f] = model.RemoveID(ids, id)
		}
	}
	return m.commit(next, "delete claim "+id)
}

func (m *Model) deleteIncident(id string) tea.Cmd {
	m.dropDrafts(formIncident, id)
	next := m.ann.Clone()
	var kept []model.Incident
	for _, inc := range next.Incidents {
		if inc.ID != id {
			kept = append(kept, inc)
		}
	}
	next.Incidents = kept
	return m.commit(next, "delete incident "+id)
}

func (m *Model) deleteGrade(name string) tea.Cmd {
	next := m.ann.Clone()
	var kept []model.SourceGrade
	found := false
	for _, g := range next.Sources {
		if strings.EqualFold(g.Source, name) {
			found = true
			continue
		}
		kept = append(kept, g)
	}
	if !found {
		return nil
	}
	next.Sources = kept
	return m.commit(next, "delete grade of "+name)
}

// renderList draws the Claims, Sources or Incidents tab: the rows the
// annotation makes, drawn by the tab's component.
func (m *Model) renderList(w, h int) []string {
	var rows []listRow
	under := func(st func(...string) string, text string) string { return st("   " + termtext.Line(text)) }
	switch m.sideTab {
	case tabClaims:
		if len(m.ann.Claims) == 0 {
			return []string{m.styles.Subtle.Render("No claims yet."), "",
				m.styles.Subtle.Render("Select what is claimed in the article"),
				m.styles.Subtle.Render("(v to extend), then press c.")}
		}
		for _, c := range m.ann.Claims {
			parts := []string{c.ID, orDash(m.claimantName(c))}
			if g, ok := m.sourceGrade(m.claimantName(c)); ok && g.Reliability != "" {
				parts[1] += " [" + g.Reliability + "]"
			}
			if aff := m.affiliatedGrades(c); aff != "" {
				parts[1] += " (" + aff + ")"
			}
			if c.Type != "" {
				parts = append(parts, c.Type)
			}
			for _, f := range c.Figures {
				parts = append(parts, f.Describe())
			}
			if c.Credibility != "" {
				parts = append(parts, "cred "+c.Credibility)
			}
			if c.Stance != nil && c.Stance.ClaimID != "" {
				parts = append(parts, c.Stance.Kind+" "+c.Stance.ClaimID)
			}
			rows = append(rows, listRow{text: strings.Join(parts, " · "), under: []string{under(m.styles.Subtle.Render, quote(m.claimContent(c)))}})
		}
	case tabSources:
		srcs := m.sources()
		if len(srcs) == 0 {
			return []string{m.styles.Subtle.Render("No sources yet: claimants of claims"), m.styles.Subtle.Render("and the article's outlet appear here.")}
		}
		for _, s := range srcs {
			g, _ := m.sourceGrade(s.name)
			grade := "–"
			if g.Reliability != "" {
				grade = g.Reliability
			}
			r := listRow{text: fmt.Sprintf("%s  %s  (%s)", grade, s.name, s.role)}
			if e, ok := m.ann.Referent(s.entity); ok && s.entity != "" {
				// A person speaks for an organisation: its grade shows here
				// as it does on their claims.
				if aff := m.affiliationGrades(e); aff != "" {
					r.under = append(r.under, under(m.styles.Subtle.Render, aff))
				}
			}
			if g.Rationale != "" {
				r.under = append(r.under, under(m.styles.Subtle.Render, g.Rationale))
			}
			if og, ok := m.offeredGrade(s); ok {
				r.under = append(r.under, under(m.styles.Accent.Render, fmt.Sprintf("graded %s in an earlier article (%s): y takes it", og.Reliability, orDash(og.Rationale))))
			}
			rows = append(rows, r)
		}
	case tabIncidents:
		if len(m.ann.Incidents) == 0 {
			return []string{m.styles.Subtle.Render("No incidents yet: press n for a new form.")}
		}
		for _, inc := range m.ann.Incidents {
			rows = append(rows, listRow{text: m.incidentSummary(inc)})
		}
	}
	return m.list(m.sideTab).View(rows, m.styles, w, h, m.focus == focusSide)
}

// acceptOfferedGrade grades a source as the registry remembers it was
// graded in an earlier article, rationale and all.
func (m *Model) acceptOfferedGrade(src sourceEntry) tea.Cmd {
	og, ok := m.offeredGrade(src)
	if !ok {
		m.setMessage("no earlier grade to take for " + quote(src.name))
		return nil
	}
	next := m.ann.Clone()
	next.Sources = append(next.Sources, model.SourceGrade{Source: src.name, SpanID: src.spanID, Entity: src.entity,
		Reliability: og.Reliability, Rationale: og.Rationale})
	return m.commit(next, fmt.Sprintf("grade source %s %s (as in an earlier article)", src.name, og.Reliability))
}

// rememberGrade keeps a source's grade with its entity's registry entry,
// as this annotator's (the entry keeps one per annotator), so their next
// article can offer it. It runs after the grade is saved, and changes the
// entry as stored (store.ChangeRegistry), never another annotator's grade.
func (m *Model) rememberGrade(name string) tea.Cmd {
	g, ok := m.sourceGrade(name)
	e, linked := m.ann.Referent(g.Entity)
	if !ok || !linked || e.Registry == "" || g.Reliability == "" {
		return nil
	}
	found := slices.ContainsFunc(m.registry, func(r model.RegistryEntry) bool { return r.ID == e.Registry })
	if !found {
		return nil
	}
	st, who, article := m.opts.Store, m.owner(), m.ann.ArticleID
	return func() tea.Msg {
		grade := model.RegistryGrade{Reliability: g.Reliability, Rationale: g.Rationale, ArticleID: article, At: time.Now().UTC()}
		saved, _, err := store.ChangeRegistry(st, e.Registry, who, fmt.Sprintf("grade %s %s", e.Name, g.Reliability), func(r *model.RegistryEntry) bool {
			r.SetGrade(who, grade)
			return true
		})
		return registryGradeMsg{entry: saved, err: err}
	}
}

// registryGradeMsg: a grade was kept with a registry entry.
type registryGradeMsg struct {
	entry model.RegistryEntry
	err   error
}
