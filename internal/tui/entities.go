package tui

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
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

// entityIndex is the Entities tab's view of an annotation, worked out
// once per change, not per frame: entities by first mention, and each
// one's mentions by position.
type entityIndex struct {
	order    []model.Entity
	mentions map[string][]model.Span
}

// entities returns the index of the current annotation.
func (m *Model) entities() *entityIndex {
	if m.entIndex != nil {
		return m.entIndex
	}
	ix := &entityIndex{mentions: map[string][]model.Span{}}
	first := map[string]int{}
	for _, s := range m.spans { // sorted by position
		if _, ok := first[s.Entity]; !ok {
			first[s.Entity] = s.Start
		}
		ix.mentions[s.Entity] = append(ix.mentions[s.Entity], s)
	}
	ix.order = append([]model.Entity(nil), m.ann.Referents...)
	sort.SliceStable(ix.order, func(i, j int) bool { return first[ix.order[i].ID] < first[ix.order[j].ID] })
	m.entIndex = ix
	return ix
}

// entityOrder returns the annotation's entities by their first mention in
// the text.
func (m *Model) entityOrder() []model.Entity { return m.entities().order }

// mentionsInOrder returns an entity's mentions by position.
func (m *Model) mentionsInOrder(entityID string) []model.Span { return m.entities().mentions[entityID] }

// entityRows are the rows the Entities tab shows now.
func (m *Model) entityRows() []entityRow {
	var rows []entityRow
	for _, e := range m.entityOrder() {
		rows = append(rows, entityRow{entity: e.ID})
		if m.ents.expanded[e.ID] {
			for _, s := range m.mentionsInOrder(e.ID) {
				rows = append(rows, entityRow{entity: e.ID, span: s.ID})
			}
		}
	}
	return rows
}

// entityRowAt returns the row under the Entities cursor.
func (m *Model) entityRowAt() (entityRow, bool) { return m.ents.at(m.entityRows()) }

// entitiesKey hands a key to the Entities tab and carries out what it asks.
func (m *Model) entitiesKey(msg tea.KeyPressMsg) tea.Cmd {
	act, used := m.ents.Update(msg, m.entityRows)
	if !used {
		return nil
	}
	switch a := act.(type) {
	case actEntMoved:
		m.followSideCursor()
	case actEntJump:
		row := a.row
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
		m.setMessage(fmt.Sprintf("%s: mention %d of %d (%s: next · %s: to the article)", quote(e.Name), n, len(ms), keyOf(m.keys.Side.Jump), keyOf(m.keys.Side.FocusArticle)))
	case actEntDelete:
		row := a.row
		if row.span != "" {
			return m.deleteSpan(row.span)
		}
		e, _ := m.ann.Referent(row.entity)
		if n := len(m.ann.MentionsOf(row.entity)); n > 1 &&
			!m.armDelete("entity "+row.entity, fmt.Sprintf("%s and its %d mentions", quote(e.Name), n)) {
			return nil
		}
		return m.deleteEntity(row.entity)
	case actEntRelabel:
		row := a.row
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
		model.RemoveSpan(&next, s, m.doc.text)
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

// entitiesView is what the Entities tab's drawing depends on: when it is
// the same as the last frame's, the lines are too.
type entitiesView struct {
	ix         *entityIndex
	cursor     int
	focused    bool
	w, h       int
	expandGen  int
	layWidth   int
	styleDark  bool
	styleNoCol bool
	// suggestions is how many suggestions are open (the empty tab says).
	suggestions int
}

// renderEntities draws the Entities tab, reusing the last frame's lines
// when nothing they show has changed (a cursor key in the article).
func (m *Model) renderEntities(w, h int) []string {
	v := entitiesView{ix: m.entities(), cursor: m.ents.cursor, focused: m.focus == focusSide, w: w, h: h,
		expandGen: m.ents.gen, layWidth: m.lay.width, styleDark: m.styles.Dark, styleNoCol: m.styles.NoColor,
		suggestions: len(m.liveSuggestions())}
	if m.entCache != nil && m.entCacheKey == v {
		return m.entCache
	}
	lines := m.drawEntities(w, h)
	m.entCache, m.entCacheKey = lines, v
	return lines
}

// drawEntities lays the Entities tab out.
func (m *Model) drawEntities(w, h int) []string {
	var lines []string
	if len(m.spans) == 0 {
		lines = append(lines, m.styles.Subtle.Render("No entities yet."), "")
		if n := len(m.liveSuggestions()); n > 0 {
			lines = append(lines, m.styles.Accent.Render(fmt.Sprintf("%d %s in the article (dim, dashed):", n, plural(n, "suggestion", "suggestions"))),
				m.styles.Subtle.Render(m.suggestionKeys()), "")
		}
		lines = append(lines, m.styles.Subtle.Render("Move with w/b, j/k, extend with v,"),
			m.styles.Subtle.Render("then press a label key:"))
		for _, l := range m.opts.Schema.Labels {
			lines = append(lines, fmt.Sprintf(" %s %s", m.styles.HelpKey.Render(termtext.Line(l.Key)), m.styles.Chip(l.Name).Render(termtext.Line(l.Name))))
		}
		return lines
	}
	rows := m.entityRows()
	return m.ents.View(len(rows), func(i int) (plain, styled string) {
		r := rows[i]
		e, _ := m.ann.Referent(r.entity)
		if r.span == "" {
			ms := m.mentionsInOrder(e.ID)
			mark := "▸"
			if m.ents.expanded[e.ID] {
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
			for _, f := range e.Affiliations {
				if to, ok := m.ann.Referent(f.Entity); ok {
					extra += " · " + termtext.Line(f.Role+" of "+to.Name)
				}
			}
			for _, g := range m.ann.Sources {
				if g.Entity == e.ID && g.Reliability != "" {
					extra += " · graded " + termtext.Line(g.Reliability)
				}
			}
			where := ""
			if len(ms) > 0 {
				where = "  " + termtext.Line(m.mentionContext(ms[0].Range()))
			}
			count := fmt.Sprintf(" ×%d", len(ms))
			label := termtext.Line(e.Label)
			plain = fmt.Sprintf("%s %-5s %s%s%s%s", mark, label, name, count, extra, where)
			styled = mark + " " + m.styles.Chip(e.Label).Render(fmt.Sprintf("%-5s", label)) + " " + name + count +
				m.styles.Accent.Render(extra) + m.styles.Subtle.Render(where)
		} else {
			s, _ := m.ann.Span(r.span)
			where := termtext.Line(m.mentionContext(s.Range()))
			plain = "      " + where
			styled = "      " + m.styles.Subtle.Render(where)
		}
		return plain, styled
	}, m.styles, w, h, m.focus == focusSide)
}

// The selection's entity: E splits a mention off, e links it to another
// entity of the article or to the registry, p sets an affiliation.

// selectedMention returns the mention the selection designates.
func (m *Model) selectedMention() (model.Span, bool) {
	s, ok := m.spanUnderCursor()
	if !ok {
		m.setMessage("no mention under the cursor: tag one first")
	}
	return s, ok
}

// splitMention makes the mention under the cursor an entity of its own.
func (m *Model) splitMention() tea.Cmd {
	s, ok := m.selectedMention()
	if !ok {
		return nil
	}
	if len(m.ann.MentionsOf(s.Entity)) < 2 {
		m.setMessage(quote(m.spanText(s)) + " is already the only mention of its entity")
		return nil
	}
	next := m.ann.Clone()
	id := next.NewID("n")
	next.Referents = append(next.Referents, model.Entity{ID: id, Name: spanName(m.doc.text, s), Label: s.Label})
	for i := range next.Entities {
		if next.Entities[i].ID == s.ID {
			next.Entities[i].Entity = id
		}
	}
	return m.commit(next, fmt.Sprintf("split %s off into an entity of its own", quote(m.spanText(s))))
}

// spanName is a mention's text as a name: white space collapsed.
func spanName(text string, s model.Span) string {
	return strings.Join(strings.Fields(text[s.Start:s.End]), " ")
}

// openLinkPrompt offers the article's other entities of the mention's
// label (and then any label) and the registry's entries, for e.
func (m *Model) openLinkPrompt() {
	s, ok := m.selectedMention()
	if !ok {
		return
	}
	own, _ := m.ann.Referent(s.Entity)
	p := &prompt{kind: promptLink, title: "link " + quote(own.Name) + " to an entity (type to filter)", ids: map[string]string{}, entityID: own.ID}
	var same, other []string
	for _, e := range m.entityOrder() {
		if e.ID == own.ID {
			continue
		}
		d := fmt.Sprintf("%s  %s ×%d · in this article", e.Name, e.Label, len(m.ann.MentionsOf(e.ID)))
		if len(e.Aliases) > 0 {
			d += " · aka " + strings.Join(e.Aliases, ", ")
		}
		p.ids[d] = "entity:" + e.ID
		if e.Label == own.Label {
			same = append(same, d)
		} else {
			other = append(other, d)
		}
	}
	var reg []string
	for _, r := range m.offeredRegistry() {
		if r.ID == own.Registry {
			continue
		}
		d := fmt.Sprintf("%s  %s · registry %s", r.Name, r.Label, r.ID)
		if len(r.Aliases) > 0 {
			d += " · aka " + strings.Join(r.Aliases, ", ")
		}
		if !r.Curated() {
			d += " · " + r.Origin + ", not confirmed"
		}
		p.ids[d] = "registry:" + r.ID
		reg = append(reg, d)
	}
	p.choices = append(append(same, reg...), other...)
	if own.Registry == "" && m.opts.Schema.KeepsInRegistry(own.Label) {
		whose := "yours until a reviewer confirms it"
		if m.opts.Schema.RegistryShared() {
			whose = "shared by every annotator"
		}
		d := fmt.Sprintf("+ add %s to the registry (%s)", quote(own.Name), whose)
		p.ids[d] = "new-registry:"
		p.choices = append(p.choices, d)
	}
	p.filter()
	m.prompt = p
}

// link applies the choice of the link prompt: merge the entity into
// another of the article (its names become aliases), or link it to a
// registry entry (a new one for "+ add").
func (m *Model) link(entityID, choice string) tea.Cmd {
	kind, id, _ := strings.Cut(choice, ":")
	own, ok := m.ann.Referent(entityID)
	if !ok {
		return nil
	}
	switch kind {
	case "entity":
		next := m.ann.Clone()
		into := model.MergeEntities(&next, id, entityID)
		// The registry entry it is linked to learns the names.
		m.afterSave = func(m *Model) tea.Cmd { return m.syncRegistry(into.ID) }
		return m.commit(next, fmt.Sprintf("%s is %s: one entity of %d mentions", quote(own.Name), quote(into.Name), len(next.MentionsOf(into.ID))))
	case "registry":
		for _, r := range m.offeredRegistry() {
			if r.ID == id {
				next := m.ann.Clone()
				model.LinkRegistry(&next, entityID, r)
				return m.commit(next, fmt.Sprintf("%s linked to the registry's %s (%s)", quote(own.Name), quote(r.Name), r.ID))
			}
		}
	case "new-registry":
		return m.addToRegistry(entityID, model.OriginLinking)
	}
	return nil
}

// offeredRegistry is the registry as the screen's annotator is offered it
// (model.RegistryFor): suggestions, accepting them and the link prompt
// read it, so another annotator's own entries, pending aliases and
// labels the schema keeps out are never offered.
func (m *Model) offeredRegistry() []model.RegistryEntry {
	return model.RegistryFor(m.registry, m.opts.Schema, m.owner())
}

// addToRegistry stores an entity in the registry, as the annotator's own
// tagging or linking made it (origin), and links it there: two writes,
// the registry's first, so the link never points at nothing. In review,
// where gold is written, the reviewer's entry is confirmed as it is made.
// When another annotator's own entry already goes by the entity's name,
// the annotator came to that entry too: it becomes theirs as well
// (model.AddMaker) rather than a second entry of one actor.
func (m *Model) addToRegistry(entityID, origin string) tea.Cmd {
	e, ok := m.ann.Referent(entityID)
	if !ok {
		return nil
	}
	st, who := m.opts.Store, m.owner()
	entry := model.NewRegistryEntry(e, origin, who)
	if who == model.GoldAnnotator {
		// A reviewer's entry, made in gold, is confirmed as it is made.
		model.ConfirmRegistry(&entry, m.opts.Annotator)
	}
	if other, name := store.RegistryNameTaken(m.registry, entry); name != "" && !other.OfferedTo(who, m.opts.Schema.RegistryShared()) {
		m.saving = true
		return func() tea.Msg {
			saved, _, err := store.ChangeRegistry(st, other.ID, who, fmt.Sprintf("%s came to %s too", who, other.Name), func(r *model.RegistryEntry) bool {
				return r.AddMaker(who)
			})
			return registrySavedMsg{entry: saved, entity: entityID, err: err}
		}
	}
	m.saving = true
	return func() tea.Msg {
		saved, err := st.SaveRegistry(entry, who, fmt.Sprintf("add %s (%s by %s)", e.Name, origin, who))
		return registrySavedMsg{entry: saved, entity: entityID, err: err}
	}
}

// registrySavedMsg: a registry entry was stored for an entity to link to.
type registrySavedMsg struct {
	entry  model.RegistryEntry
	entity string
	err    error
}

func (m *Model) onRegistrySaved(msg registrySavedMsg) tea.Cmd {
	m.saving = false
	if msg.err != nil {
		m.fail(fmt.Errorf("not added to the registry: %w", msg.err))
		return m.replayPending()
	}
	m.keepRegistryEntry(msg.entry)
	next := m.ann.Clone()
	seen := msg.entry.SeenBy(m.owner(), m.opts.Schema.RegistryShared())
	if model.LinkRegistry(&next, msg.entity, seen) {
		return m.commit(next, fmt.Sprintf("%s added to the registry as %s and linked", quote(msg.entry.Name), msg.entry.ID))
	}
	return m.replayPending()
}

// keepRegistryEntry puts an entry as stored into the screen's copy of the
// registry, replacing the one of its id.
func (m *Model) keepRegistryEntry(e model.RegistryEntry) {
	for i := range m.registry {
		if m.registry[i].ID == e.ID {
			m.registry[i] = e
			return
		}
	}
	m.registry = append(m.registry, e)
}

// openAffiliationPrompt asks what the selection's entity is affiliated to,
// then (promptRole) in what role.
func (m *Model) openAffiliationPrompt() {
	s, ok := m.selectedMention()
	if !ok {
		return
	}
	own, _ := m.ann.Referent(s.Entity)
	p := &prompt{kind: promptAffiliate, title: quote(own.Name) + " is affiliated to… (type to filter)", ids: map[string]string{}, entityID: own.ID}
	for _, e := range m.entityOrder() {
		if e.ID == own.ID {
			continue
		}
		d := fmt.Sprintf("%s  %s ×%d", e.Name, e.Label, len(m.ann.MentionsOf(e.ID)))
		p.ids[d] = e.ID
		p.choices = append(p.choices, d)
	}
	if len(p.choices) == 0 {
		m.setMessage("no other entity to be affiliated to: tag it first")
		return
	}
	p.filter()
	m.prompt = p
}

// openRolePrompt asks for the role of an affiliation.
func (m *Model) openRolePrompt(entityID, target string) {
	own, _ := m.ann.Referent(entityID)
	to, _ := m.ann.Referent(target)
	p := &prompt{kind: promptRole, title: quote(own.Name) + " is … of " + quote(to.Name), entityID: entityID, field: target}
	p.choices = append(p.choices, model.AffiliationRoles...)
	p.filter()
	m.prompt = p
}

// affiliate records that entity is role of target.
func (m *Model) affiliate(entityID, target, role string) tea.Cmd {
	own, ok1 := m.ann.Referent(entityID)
	to, ok2 := m.ann.Referent(target)
	if !ok1 || !ok2 {
		return nil
	}
	f := model.Affiliation{Entity: target, Role: role}
	if slices.Contains(own.Affiliations, f) {
		m.setMessage(fmt.Sprintf("%s is already %s of %s", quote(own.Name), role, quote(to.Name)))
		return nil
	}
	next := m.ann.Clone()
	for i := range next.Referents {
		if next.Referents[i].ID == entityID {
			next.Referents[i].Affiliations = append(next.Referents[i].Affiliations, f)
		}
	}
	return m.commit(next, fmt.Sprintf("%s is %s of %s", quote(own.Name), role, quote(to.Name)))
}

// register links the entity of a mention to the registry entry of that
// label and name the annotator is offered, adding one as their tagging's
// when there is none. Nothing to do when it is linked already, or when the
// schema keeps its label out of the registry (dates, numbers).
func (m *Model) register(spanID string) tea.Cmd {
	e, ok := m.ann.EntityOfSpan(spanID)
	if !ok || e.Registry != "" || !m.opts.Schema.KeepsInRegistry(e.Label) {
		return nil
	}
	for _, r := range m.offeredRegistry() {
		if r.Label != e.Label {
			continue
		}
		for _, n := range r.Names() {
			if e.HasName(n) {
				next := m.ann.Clone()
				model.LinkRegistry(&next, e.ID, r)
				return m.commit(next, fmt.Sprintf("%s linked to the registry's %s (%s)", quote(e.Name), quote(r.Name), r.ID))
			}
		}
	}
	return m.addToRegistry(e.ID, model.OriginTagging)
}

// syncRegistry teaches the registry entry an entity is linked to the
// entity's names (model.LearnNames): they wait as the annotator's pending
// aliases until confirmed, and only an entry that is the annotator's alone
// takes the entity's canonical name. It runs after a merge in the article
// made one entity of two. The change is applied to the entry as stored
// (store.ChangeRegistry), so it never undoes another annotator's.
func (m *Model) syncRegistry(entityID string) tea.Cmd {
	e, ok := m.ann.Referent(entityID)
	if !ok || e.Registry == "" {
		return nil
	}
	for _, r := range m.registry {
		if r.ID != e.Registry {
			continue
		}
		if probe := r; !probe.LearnNames(e, m.owner()) {
			return nil
		}
		st, who := m.opts.Store, m.owner()
		return func() tea.Msg {
			saved, _, err := store.ChangeRegistry(st, e.Registry, who, fmt.Sprintf("%s calls %s %s", who, e.Name, strings.Join(e.Aliases, ", ")), func(r *model.RegistryEntry) bool {
				return r.LearnNames(e, who)
			})
			return registryGradeMsg{entry: saved, err: err}
		}
	}
	return nil
}

func containsName(names []string, n string) bool {
	for _, x := range names {
		if model.NameKey(x) == model.NameKey(n) {
			return true
		}
	}
	return false
}
