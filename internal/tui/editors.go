package tui

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"github.com/annotate-tool/annotate/internal/model"
)

// This file builds the claim, source and incident forms from the schema,
// shows their values, and turns a confirmed row into a saved change.

func codesToOptions(codes []string) []option {
	out := make([]option, len(codes))
	for i, c := range codes {
		out[i] = option{value: c, display: c}
	}
	return out
}

func gradeOptions(codes []model.Code) []option {
	out := make([]option, len(codes))
	for i, c := range codes {
		out[i] = option{value: c.Code, display: c.Code + " " + c.Label}
	}
	return out
}

// spanText returns a span's text.
func (m *Model) spanText(s model.Span) string { return m.doc.text[s.Start:s.End] }

// sameEntity reports whether two span ids are mentions of one entity.
func (m *Model) sameEntity(a *model.Annotation, x, y string) bool {
	sx, okx := a.Span(x)
	sy, oky := a.Span(y)
	return okx && oky && sx.Entity != "" && sx.Entity == sy.Entity
}

// mentionContext places a range for a reader: its line on the screen and
// the words around it ("l.3 …attack near ‹Raqqa›, though an…").
func (m *Model) mentionContext(r model.Range) string {
	d := m.doc
	i := d.tokenAt(r.Start)
	j := tokenAtOrAfter(d.tokens, max(r.End-1, r.Start))
	from := d.tokens[max(0, i-3)].Start
	to := d.tokens[min(len(d.tokens)-1, j+3)].End
	if i == 0 || from >= r.Start {
		from = r.Start
	}
	if to <= r.End {
		to = r.End
	}
	// White space runs become one space; the text's own spacing stays.
	words := func(s string) string { return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ") }
	spaced := func(s string, edge func(string) (rune, int)) bool {
		c, _ := edge(s)
		return s != "" && unicode.IsSpace(c)
	}
	before, after := words(d.text[from:r.Start]), words(d.text[r.End:to])
	if before != "" {
		if spaced(d.text[from:r.Start], utf8.DecodeLastRuneInString) {
			before += " "
		}
		before = "…" + before
	}
	if after != "" {
		if spaced(d.text[r.End:to], utf8.DecodeRuneInString) {
			after = " " + after
		}
		after += "…"
	}
	return fmt.Sprintf("l.%d %s‹%s›%s", d.lineNumber(r.Start), before, words(d.text[r.Start:r.End]), after)
}

// spanOptions offers the entities with one of labels (any label when
// none), one row each: named by the entity, with its mention count, its
// value the first of its mentions in order and shown with that one's
// context.
func (m *Model) spanOptions(labels []string, order func([]model.Span)) []option {
	var spans []model.Span
	for _, s := range m.spans {
		if len(labels) == 0 || slices.Contains(labels, s.Label) {
			spans = append(spans, s)
		}
	}
	if order != nil {
		order(spans)
	}
	count := map[string]int{}
	for _, s := range spans {
		count[s.Entity]++
	}
	var out []option
	seen := map[string]bool{}
	for _, s := range spans {
		if seen[s.Entity] {
			continue
		}
		seen[s.Entity] = true
		name := m.spanText(s)
		if e, ok := m.ann.Referent(s.Entity); ok {
			name = e.Name
			if len(e.Aliases) > 0 {
				name += " (" + strings.Join(e.Aliases, ", ") + ")"
			}
		}
		n := ""
		if count[s.Entity] > 1 {
			n = fmt.Sprintf(" ×%d", count[s.Entity])
		}
		out = append(out, option{value: s.ID, display: fmt.Sprintf("%s  %s%s · %s", name, s.Label, n, m.mentionContext(s.Range())),
			match: name + " " + s.Label})
	}
	return out
}

// claimOptions offers the claims other than except.
func (m *Model) claimOptions(except string) []option {
	var out []option
	for _, c := range m.ann.Claims {
		if c.ID != except {
			out = append(out, option{value: c.ID, display: m.claimSummary(c)})
		}
	}
	return out
}

// claimantName is who makes the claim, as text: the name of the entity
// the claimant mentions, or the name typed for an unnamed speaker.
func (m *Model) claimantName(c model.Claim) string {
	if e, ok := m.ann.EntityOfSpan(c.Claimant.SpanID); ok {
		return e.Name
	}
	if s, ok := m.ann.Span(c.Claimant.SpanID); ok {
		return m.spanText(s)
	}
	return c.Claimant.Name
}

func (m *Model) claimContent(c model.Claim) string {
	var parts []string
	for _, r := range c.Content {
		if model.CheckRange(m.doc.text, r.Start, r.End) == nil {
			parts = append(parts, m.doc.text[r.Start:r.End])
		}
	}
	return strings.Join(parts, " … ")
}

func (m *Model) claimSummary(c model.Claim) string {
	who := m.claimantName(c)
	if who == "" {
		who = "?"
	}
	return fmt.Sprintf("%s %s: %s", c.ID, who, quote(m.claimContent(c)))
}

// sourceGrade returns the grade recorded for a source name: one given to
// that name, or to the entity that has it as a name or alias.
func (m *Model) sourceGrade(name string) (model.SourceGrade, bool) {
	for _, g := range m.ann.Sources {
		if strings.EqualFold(g.Source, name) {
			return g, true
		}
		if e, ok := m.ann.Referent(g.Entity); ok && g.Entity != "" && e.HasName(name) {
			return g, true
		}
	}
	return model.SourceGrade{}, false
}

// affiliatedGrades describes the grades of the entities a claimant's
// entity is affiliated to: a spokeswoman's claim shows her organisation's.
func (m *Model) affiliatedGrades(c model.Claim) string {
	e, ok := m.ann.EntityOfSpan(c.Claimant.SpanID)
	if !ok {
		return ""
	}
	return m.affiliationGrades(e)
}

// affiliationGrades describes the grades of the entities e is affiliated
// to ("spokesperson of SDF [B]"): the Claims and Sources tabs both show
// them.
func (m *Model) affiliationGrades(e model.Entity) string {
	var parts []string
	for _, f := range e.Affiliations {
		to, ok := m.ann.Referent(f.Entity)
		if !ok {
			continue
		}
		grade := "–"
		if g, ok := m.sourceGrade(to.Name); ok && g.Reliability != "" {
			grade = g.Reliability
		}
		parts = append(parts, fmt.Sprintf("%s of %s [%s]", f.Role, to.Name, grade))
	}
	return strings.Join(parts, ", ")
}

// offeredGrade is the grade the registry remembers for a source's entity
// that this annotator may take, given in an earlier article
// (model.RegistryEntry.OfferedGrade: their own or gold's, never this
// article's), when this article has none yet.
func (m *Model) offeredGrade(src sourceEntry) (*model.RegistryGrade, bool) {
	if _, graded := m.sourceGrade(src.name); graded {
		return nil, false
	}
	e, ok := m.ann.Referent(src.entity)
	if !ok || e.Registry == "" {
		return nil, false
	}
	for _, r := range m.registry {
		if r.ID != e.Registry {
			continue
		}
		if g, ok := r.OfferedGrade(m.owner(), m.ann.ArticleID, m.opts.Schema.RegistryShared()); ok {
			return &g, true
		}
	}
	return nil, false
}

// sourceEntry is one row of the Sources tab.
type sourceEntry struct {
	name   string
	spanID string
	entity string
	role   string // "claimant", "outlet", "graded" or "entity"
}

// sources lists every speaker (claimant) and the outlet, plus any other
// source already graded.
func (m *Model) sources() []sourceEntry {
	var out []sourceEntry
	seen := map[string]bool{}
	add := func(name, span, role string) {
		key := strings.ToLower(strings.TrimSpace(name))
		if key == "" || seen[key] {
			return
		}
		seen[key] = true
		entity := ""
		if e, ok := m.ann.EntityOfSpan(span); ok {
			entity = e.ID
			for _, n := range e.Names() { // one row per entity, whatever name
				seen[strings.ToLower(strings.TrimSpace(n))] = true
			}
		}
		out = append(out, sourceEntry{name: strings.TrimSpace(name), spanID: span, entity: entity, role: role})
	}
	if m.doc != nil && m.doc.article.Source != "" {
		add(m.doc.article.Source, "", "outlet")
	}
	for _, c := range m.ann.Claims {
		add(m.claimantName(c), c.Claimant.SpanID, "claimant")
	}
	for _, g := range m.ann.Sources {
		span := g.SpanID
		if ms := m.ann.MentionsOf(g.Entity); g.Entity != "" && len(ms) > 0 {
			span = ms[0].ID
		}
		add(g.Source, span, "graded")
	}
	// Named groups and people can be graded before they speak: one row
	// per entity.
	for _, e := range m.entityOrder() {
		if e.Label == "ORG" || e.Label == "PER" || e.Label == "NORP" {
			if ms := m.mentionsInOrder(e.ID); len(ms) > 0 {
				add(e.Name, ms[0].ID, "entity")
			}
		}
	}
	return out
}

// Building forms.

// figureCounts is what a claim's figures may count.
func (m *Model) figureCounts() []string { return m.opts.Schema.FigureCounts() }

// claimRows builds a claim's form: two rows per figure it reports (the
// figure as written, and what it counts) and a New figure row, so a claim
// holds as many figures as its words do.
func (m *Model) claimRows(id string) []formRow {
	v := m.opts.Schema.Claims
	stances := append([]option{{value: "", display: "none"}}, codesToOptions(v.Stances)...)
	counts := m.figureCounts()
	var figures []formRow
	c, _ := m.ann.Claim(id)
	for i := range c.Figures {
		n := strconv.Itoa(i + 1)
		figures = append(figures,
			formRow{key: "figure." + n, title: "Figure " + n, kind: rowText},
			formRow{key: "figure." + n + ".counts", title: "Figure " + n + " counts", kind: rowChoice, options: codesToOptions(counts)})
	}
	figures = append(figures, formRow{key: "figure.new", title: "New figure", kind: rowText})
	return append([]formRow{
		{key: "claimant", title: "Claimant", kind: rowClaimant},
		{key: "content", title: "Content", kind: rowSpan},
		{key: "cue", title: "Cue", kind: rowSpan},
		{key: "type", title: "Type", kind: rowChoice, options: codesToOptions(v.Types)},
		{key: "polarity", title: "Polarity", kind: rowChoice, options: codesToOptions(v.Polarities)},
		{key: "certainty", title: "Certainty", kind: rowChoice, options: codesToOptions(v.Certainties)},
	}, append(figures, []formRow{
		{key: "stance", title: "Stance", kind: rowChoice, options: stances},
		{key: "stance_claim", title: "Toward claim", kind: rowChoice},
		{key: "self_interested", title: "Self-interested", kind: rowChoice, options: codesToOptions([]string{"yes", "no"})},
		{key: "credibility", title: "Credibility", kind: rowChoice, options: gradeOptions(m.opts.Schema.CredibilityGrades)},
	}...)...)
}

// figureRow tells which figure a row of a claim form is about: its index
// and whether it is the counts row; ok is false for other rows and for
// New figure (index -1).
func figureRow(key string) (i int, counts, ok bool) {
	rest, found := strings.CutPrefix(key, "figure.")
	if !found {
		return 0, false, false
	}
	if rest == "new" {
		return -1, false, true
	}
	rest, counts = strings.CutSuffix(rest, ".counts")
	n, err := strconv.Atoi(rest)
	if err != nil || n < 1 {
		return 0, false, false
	}
	return n - 1, counts, true
}

func (m *Model) sourceRows() []formRow {
	return []formRow{
		{key: "reliability", title: "Reliability", kind: rowChoice, options: gradeOptions(m.opts.Schema.SourceGrades)},
		{key: "rationale", title: "Rationale", kind: rowText},
	}
}

func (m *Model) incidentRows() []formRow {
	var rows []formRow
	for _, f := range m.opts.Schema.Fields {
		title := f.Title()
		switch f.Type {
		case model.FieldCount:
			for _, part := range []string{"low", "best", "high"} {
				rows = append(rows, formRow{key: f.Name + "." + part, field: f.Name, title: title + " " + part, kind: rowNumber})
			}
		case model.FieldDate:
			rows = append(rows,
				formRow{key: f.Name + ".start", field: f.Name, title: title, kind: rowDate},
				formRow{key: f.Name + ".end", field: f.Name, title: title + " end", kind: rowDate},
				formRow{key: f.Name + ".precision", field: f.Name, title: title + " precision", kind: rowChoice, options: codesToOptions(model.DatePrecisions)})
		case model.FieldChoice, model.FieldMultiChoice:
			var opts []option
			for _, c := range f.Choices {
				d := c.Code
				switch {
				case strings.HasPrefix(strings.ToLower(c.Label), strings.ToLower(c.Code)):
					d = c.Label // "exact place", not "exact exact place"
				case c.Label != "":
					d = c.Code + " " + c.Label
				}
				opts = append(opts, option{value: c.Code, display: d, group: c.Group})
			}
			kind := rowChoice
			if f.Type == model.FieldMultiChoice {
				kind = rowMulti
			}
			rows = append(rows, formRow{key: f.Name, field: f.Name, title: title, kind: kind, options: opts})
		case model.FieldEntity:
			rows = append(rows, formRow{key: f.Name, field: f.Name, title: title, kind: rowEntity, multiple: f.Multiple})
		case model.FieldNumber:
			rows = append(rows, formRow{key: f.Name, field: f.Name, title: title, kind: rowNumber})
		default:
			rows = append(rows, formRow{key: f.Name, field: f.Name, title: title, kind: rowText})
		}
	}
	return rows
}

// refreshOptions fills the rows whose choices depend on the annotation
// (spans, other claims).
func (m *Model) refreshOptions(f *form) {
	for i := range f.rows {
		r := &f.rows[i]
		switch {
		case r.kind == rowClaimant:
			// The speaker is usually named just before what is claimed:
			// offer the nearest mentions first.
			var nearest func([]model.Span)
			if c, ok := m.ann.Claim(f.itemID); ok && len(c.Content) > 0 {
				at := c.Content[0].Start
				dist := func(s model.Span) int {
					if s.End <= at {
						return at - s.End
					}
					return 2 * (s.Start - at) // after the content: less likely
				}
				nearest = func(spans []model.Span) {
					sort.SliceStable(spans, func(i, j int) bool { return dist(spans[i]) < dist(spans[j]) })
				}
			}
			r.options = m.spanOptions(nil, nearest)
		case r.kind == rowEntity:
			fld, _ := m.opts.Schema.Field(r.field)
			r.options = m.spanOptions(fld.Labels, nil)
		case r.key == "stance_claim" && f.kind == formClaim:
			r.options = m.claimOptions(f.itemID)
		}
	}
}

func (m *Model) openForm(kind formKind, item string) {
	f := &form{kind: kind, itemID: item}
	switch kind {
	case formClaim:
		f.rows = m.claimRows(item)
	case formSource:
		f.rows = m.sourceRows()
	case formIncident:
		f.rows = m.incidentRows()
	}
	// A form opens on its first field, reopened or new.
	m.refreshOptions(f)
	m.form = f
	m.focus = focusSide
	m.toFormRow(f, f.cursor)
}

func (m *Model) formTitle(f *form) string {
	switch f.kind {
	case formClaim:
		if c, ok := m.ann.Claim(f.itemID); ok {
			return "Claim " + m.claimSummary(c)
		}
	case formSource:
		return "Source " + f.itemID
	case formIncident:
		return "Incident " + f.itemID + "  (ctrl+e evidence · ctrl+f count from a figure claim)"
	}
	return f.itemID
}

func (m *Model) incident(id string) (int, bool) {
	for i, inc := range m.ann.Incidents {
		if inc.ID == id {
			return i, true
		}
	}
	return 0, false
}

func (m *Model) claimIndex(id string) (int, bool) {
	for i, c := range m.ann.Claims {
		if c.ID == id {
			return i, true
		}
	}
	return 0, false
}

func intText(p *int) string {
	if p == nil {
		return "?"
	}
	return strconv.Itoa(*p)
}

// rowCodes returns a row's stored value as the codes its choices hold
// (span ids for entity rows, the claim id for Toward claim), or for rows
// without choices the value as text; nil when the row is empty.
func (m *Model) rowCodes(f *form, r *formRow) []string {
	one := func(s string) []string {
		if s == "" {
			return nil
		}
		return []string{s}
	}
	switch f.kind {
	case formClaim:
		c, ok := m.ann.Claim(f.itemID)
		if !ok {
			return nil
		}
		if i, counts, ok := figureRow(r.key); ok && counts && i < len(c.Figures) {
			return one(c.Figures[i].Counts)
		}
		switch r.key {
		case "claimant":
			return one(c.Claimant.SpanID + c.Claimant.Name)
		case "type":
			return one(c.Type)
		case "polarity":
			return one(c.Polarity)
		case "certainty":
			return one(c.Certainty)
		case "stance":
			if c.Stance != nil {
				return one(c.Stance.Kind)
			}
		case "stance_claim":
			if c.Stance != nil {
				return one(c.Stance.ClaimID)
			}
		case "self_interested":
			if c.SelfInterested {
				return one("yes")
			}
			return one("no")
		case "credibility":
			return one(c.Credibility)
		}
	case formSource:
		g, ok := m.sourceGrade(f.itemID)
		if !ok {
			return nil
		}
		if r.key == "reliability" {
			return one(g.Reliability)
		}
		return one(g.Rationale)
	case formIncident:
		i, ok := m.incident(f.itemID)
		if !ok {
			return nil
		}
		v := m.ann.Incidents[i].Fields[r.field]
		if r.kind == rowChoice && strings.HasSuffix(r.key, ".precision") {
			if v.Date != nil {
				return one(v.Date.Precision)
			}
			return nil
		}
		if len(v.List) > 0 {
			return v.List
		}
		if r.kind == rowChoice {
			return one(v.Text)
		}
	}
	return one(m.rowValue(f, r))
}

// rowValue shows a row's current (saved) value.
func (m *Model) rowValue(f *form, r *formRow) string {
	switch f.kind {
	case formClaim:
		c, ok := m.ann.Claim(f.itemID)
		if !ok {
			return ""
		}
		if i, counts, ok := figureRow(r.key); ok {
			switch {
			case i < 0 || i >= len(c.Figures):
				return ""
			case counts:
				return c.Figures[i].Counts
			}
			f := c.Figures[i]
			f.Counts = ""
			return f.Describe()
		}
		switch r.key {
		case "claimant":
			name := m.claimantName(c)
			if e, ok := m.ann.EntityOfSpan(c.Claimant.SpanID); ok {
				return e.Name + " (" + e.Label + ")"
			}
			if name != "" {
				return name + " (named, not tagged)"
			}
		case "content":
			return m.claimContent(c)
		case "cue":
			if c.Cue != nil && model.CheckRange(m.doc.text, c.Cue.Start, c.Cue.End) == nil {
				return m.doc.text[c.Cue.Start:c.Cue.End]
			}
		case "type":
			return c.Type
		case "polarity":
			return c.Polarity
		case "certainty":
			return c.Certainty
		case "stance":
			if c.Stance != nil {
				return c.Stance.Kind
			}
		case "stance_claim":
			if c.Stance != nil {
				if o, ok := m.ann.Claim(c.Stance.ClaimID); ok {
					return m.claimSummary(o)
				}
				return c.Stance.ClaimID
			}
		case "self_interested":
			if c.SelfInterested {
				return "yes"
			}
			return "no"
		case "credibility":
			return m.gradeText(m.opts.Schema.CredibilityGrades, c.Credibility)
		}
	case formSource:
		g, ok := m.sourceGrade(f.itemID)
		if !ok {
			return ""
		}
		if r.key == "reliability" {
			return m.gradeText(m.opts.Schema.SourceGrades, g.Reliability)
		}
		return g.Rationale
	case formIncident:
		i, ok := m.incident(f.itemID)
		if !ok {
			return ""
		}
		v := m.ann.Incidents[i].Fields[r.field]
		return m.valueText(&m.ann, r, v)
	}
	return ""
}

func (m *Model) gradeText(codes []model.Code, code string) string {
	for _, c := range codes {
		if c.Code == code {
			return c.Code + " " + c.Label
		}
	}
	return code
}

// valueText shows one incident field value as a row displays it, naming
// spans as they are in a (which may be a change not yet saved).
func (m *Model) valueText(a *model.Annotation, r *formRow, v model.Value) string {
	part := ""
	if i := strings.LastIndexByte(r.key, '.'); i >= 0 {
		part = r.key[i+1:]
	}
	switch {
	case v.Count != nil:
		switch part {
		case "low":
			return intText(v.Count.Low)
		case "best":
			return intText(v.Count.Best)
		case "high":
			return intText(v.Count.High)
		}
	case v.Date != nil:
		switch part {
		case "start":
			return v.Date.Start
		case "end":
			return v.Date.End
		case "precision":
			return v.Date.Precision
		}
	case v.Number != nil:
		return strconv.Itoa(*v.Number)
	case len(v.List) > 0:
		var parts []string
		for _, id := range v.List {
			if _, ok := a.Span(id); ok {
				parts = append(parts, a.RefName(id, m.doc.text))
				continue
			}
			parts = append(parts, m.optionDisplay(r, id)) // a code
		}
		return strings.Join(parts, ", ")
	case v.Text != "":
		return m.optionDisplay(r, v.Text)
	}
	return ""
}

func (m *Model) optionDisplay(r *formRow, value string) string {
	for _, o := range r.options {
		if o.value == value {
			if o.group != "" {
				return o.group + " › " + o.display
			}
			return o.display
		}
	}
	return value
}

// rowEvidence lists the evidence recorded for a row's incident field.
func (m *Model) rowEvidence(f *form, r *formRow) string {
	if f.kind != formIncident || r.field == "" {
		return ""
	}
	// Show evidence once per field, on its first row.
	for i := range f.rows {
		if f.rows[i].field == r.field {
			if f.rows[i].key != r.key {
				return ""
			}
			break
		}
	}
	i, ok := m.incident(f.itemID)
	if !ok {
		return ""
	}
	var parts []string
	for _, id := range m.ann.Incidents[i].Evidence[r.field] {
		parts = append(parts, m.refText(id))
	}
	return strings.Join(parts, "; ")
}

// refText shows a span or claim id with its text.
func (m *Model) refText(id string) string {
	if s, ok := m.ann.Span(id); ok {
		return quote(m.spanText(s)) + " " + id
	}
	if c, ok := m.ann.Claim(id); ok {
		return m.claimSummary(c)
	}
	return id
}

// showRowEvidence highlights in the article the evidence of the current
// incident row, or the spans of the claim being edited.
func (m *Model) showRowEvidence() {
	m.highlights = nil
	f := m.form
	if f == nil {
		return
	}
	switch f.kind {
	case formClaim:
		// Only highlight: the article's selection is what the Cue and
		// Content rows take, so moving between rows must not change it.
		if c, ok := m.ann.Claim(f.itemID); ok {
			m.highlights = m.claimRanges(c)
		}
		return
	case formIncident:
		i, ok := m.incident(f.itemID)
		if !ok {
			return
		}
		r := f.row()
		ids := append([]string(nil), m.ann.Incidents[i].Evidence[r.field]...)
		ids = append(ids, m.ann.Incidents[i].Fields[r.field].List...)
		m.highlights = m.refRanges(ids)
	}
	if len(m.highlights) > 0 {
		m.selectRange(m.highlights[0])
	}
}

// refRanges returns the text ranges of spans and claims named by id.
func (m *Model) refRanges(ids []string) []model.Range {
	var out []model.Range
	for _, id := range ids {
		if s, ok := m.ann.Span(id); ok {
			out = append(out, s.Range())
		} else if c, ok := m.ann.Claim(id); ok {
			out = append(out, m.claimRanges(c)...)
		}
	}
	return out
}

func (m *Model) claimRanges(c model.Claim) []model.Range {
	var out []model.Range
	out = append(out, c.Content...)
	if c.Cue != nil {
		out = append(out, *c.Cue)
	}
	if s, ok := m.ann.Span(c.Claimant.SpanID); ok {
		out = append(out, s.Range())
	}
	return out
}

// Confirming rows.

// confirmRow applies the draft (or the highlighted choice) of a row. A valid
// value is saved; an invalid one stays as a draft with its error.
func (m *Model) confirmRow(f *form, r *formRow, draft string, choice *option) tea.Cmd {
	dk := m.draftKeyFor(f, r)
	next := m.ann.Clone()
	action, err := m.applyRow(&next, f, r, draft, choice, false)
	var pending errStanceNeedsClaim
	if errors.As(err, &pending) {
		// Keep the stance's kind as this row's draft and ask for the claim.
		m.drafts[dk] = pending.kind
		delete(m.draftErrs, dk)
		m.toFormRow(f, min(f.cursor+1, len(f.rows)-1))
		m.setMessage("now pick the claim it " + pending.kind + " in Toward claim")
		return nil
	}
	if err != nil {
		if draft == "" {
			m.drafts[dk] = " "
		}
		m.draftErrs[dk] = err.Error()
		m.fail(fmt.Errorf("not saved: %w", err))
		return nil
	}
	if action == "" {
		return nil
	}
	// Saved, enter moves on to the next field, whatever the field: one
	// rule. Another value for a list, or evidence (ctrl+e), is a
	// shift+tab back.
	m.afterSave = func(m *Model) tea.Cmd {
		var remember tea.Cmd
		if f.kind == formSource {
			remember = m.rememberGrade(f.itemID)
		}
		delete(m.drafts, dk)
		delete(m.draftErrs, dk)
		if m.form != nil {
			m.refreshOptions(m.form)
			if m.form == f {
				m.toFormRow(f, min(f.cursor+1, len(f.rows)-1))
			}
		}
		return remember
	}
	return m.commit(next, action)
}

// errStanceNeedsClaim: a stance was chosen before the claim it is toward.
type errStanceNeedsClaim struct{ kind string }

func (e errStanceNeedsClaim) Error() string { return "pick the claim in Toward claim" }

// clearRow removes a row's value (the last one, for lists).
func (m *Model) clearRow(f *form, r *formRow) tea.Cmd {
	next := m.ann.Clone()
	action, err := m.applyRow(&next, f, r, "", nil, true)
	if err != nil {
		m.fail(err)
		return nil
	}
	if action == "" {
		return nil
	}
	m.afterSave = func(m *Model) tea.Cmd {
		if m.form != nil {
			m.refreshOptions(m.form)
		}
		return nil
	}
	return m.commit(next, action)
}

// parseCount reads a count part: empty or "?" is unknown.
func parseCount(s string) (*int, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "?" {
		return nil, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not a whole number (use ? for unknown)", s)
	}
	if n < 0 {
		return nil, fmt.Errorf("%d is negative", n)
	}
	return &n, nil
}

// applyRow changes next according to a confirmed row and returns the
// action's description ("" when nothing changes).
func (m *Model) applyRow(next *model.Annotation, f *form, r *formRow, draft string, choice *option, clear bool) (string, error) {
	draft = strings.TrimSpace(draft)
	switch f.kind {
	case formClaim:
		return m.applyClaimRow(next, f.itemID, r, draft, choice, clear)
	case formSource:
		return m.applySourceRow(next, f.itemID, r, draft, choice, clear)
	case formIncident:
		return m.applyIncidentRow(next, f.itemID, r, draft, choice, clear)
	}
	return "", nil
}

// pick resolves a choice row's input: the highlighted match, or nothing.
func pick(r *formRow, draft string, choice *option) (string, error) {
	if choice != nil {
		return choice.value, nil
	}
	if draft == "" {
		return "", nil
	}
	return "", fmt.Errorf("%q is not in the list", draft)
}

func (m *Model) applyClaimRow(next *model.Annotation, id string, r *formRow, draft string, choice *option, clear bool) (string, error) {
	i, ok := -1, false
	for j := range next.Claims {
		if next.Claims[j].ID == id {
			i, ok = j, true
		}
	}
	if !ok {
		return "", fmt.Errorf("claim %s is gone", id)
	}
	c := &next.Claims[i]
	what := "claim " + id + " " + r.key
	if fi, counts, ok := figureRow(r.key); ok {
		return m.applyFigureRow(c, fi, counts, r, draft, choice, clear)
	}
	if clear {
		switch r.key {
		case "claimant":
			c.Claimant = model.Claimant{}
		case "cue":
			c.Cue = nil
		case "type":
			c.Type = ""
		case "polarity":
			c.Polarity = ""
		case "certainty":
			c.Certainty = ""
		case "stance", "stance_claim":
			c.Stance = nil
		case "self_interested":
			c.SelfInterested = false
		case "credibility":
			c.Credibility = ""
		default:
			return "", nil
		}
		return "clear " + what, nil
	}
	switch r.kind {
	case rowSpan:
		sel, trimmed, err := m.markable()
		if err != nil {
			return "", fmt.Errorf("select the text in the article first (ctrl+o), then press enter here: %v", err)
		}
		if r.key == "cue" {
			c.Cue = &sel
		} else {
			c.Content = []model.Range{sel}
		}
		return fmt.Sprintf("set %s to %s%s", what, quote(m.doc.text[sel.Start:sel.End]), trimNote(trimmed)), nil
	case rowClaimant:
		if choice != nil {
			c.Claimant = model.Claimant{SpanID: choice.value}
			// Named as people name it (the entity), not as the picker's
			// row shows it with its context.
			return fmt.Sprintf("set %s to %s", what, quote(m.ann.RefName(choice.value, m.doc.text))), nil
		}
		if draft == "" {
			return "", nil
		}
		c.Claimant = model.Claimant{Name: draft}
		return fmt.Sprintf("set %s to %s", what, quote(draft)), nil
	}
	v, err := pick(r, draft, choice)
	if err != nil || (v == "" && choice == nil) {
		return "", err
	}
	switch r.key {
	case "type":
		c.Type = v
	case "polarity":
		c.Polarity = v
	case "certainty":
		c.Certainty = v
	case "stance":
		switch {
		case v == "":
			c.Stance = nil
		case c.Stance != nil:
			c.Stance.Kind = v
		default:
			// A stance is toward another claim: with just one, that one;
			// with several, the kind waits as a draft for Toward claim.
			var others []string
			for _, o := range next.Claims {
				if o.ID != c.ID {
					others = append(others, o.ID)
				}
			}
			switch len(others) {
			case 0:
				return "", fmt.Errorf("there is no other claim to take a stance toward")
			case 1:
				c.Stance = &model.Stance{Kind: v, ClaimID: others[0]}
			default:
				return "", errStanceNeedsClaim{kind: v}
			}
		}
	case "stance_claim":
		if c.Stance == nil {
			kind := "disputes"
			if d := m.drafts[draftKey(formClaim, id, "stance")]; slices.Contains(m.opts.Schema.Claims.Stances, d) {
				kind = d
				delete(m.drafts, draftKey(formClaim, id, "stance"))
			} else if len(m.opts.Schema.Claims.Stances) > 0 && !slices.Contains(m.opts.Schema.Claims.Stances, kind) {
				kind = m.opts.Schema.Claims.Stances[0]
			}
			c.Stance = &model.Stance{Kind: kind}
		}
		c.Stance.ClaimID = v
	case "self_interested":
		c.SelfInterested = v == "yes"
	case "credibility":
		c.Credibility = v
	}
	return fmt.Sprintf("set %s to %s", what, v), nil
}

// applyFigureRow changes figure i of a claim (i < 0: a new one) from its
// row: the figure as written ("more than 10,000 killed", "dozens"), read by
// model.ParseFigure, or what it counts.
func (m *Model) applyFigureRow(c *model.Claim, i int, counts bool, r *formRow, draft string, choice *option, clear bool) (string, error) {
	what := "claim " + c.ID + " " + strings.ToLower(r.title)
	if i >= len(c.Figures) {
		return "", fmt.Errorf("claim %s has no figure %d", c.ID, i+1)
	}
	switch {
	case clear && i >= 0 && !counts:
		c.Figures = slices.Delete(c.Figures, i, i+1)
		return "remove " + what, nil
	case clear:
		return "", nil
	case counts:
		v, err := pick(r, draft, choice)
		if err != nil || v == "" {
			return "", err
		}
		c.Figures[i].Counts = v
		return fmt.Sprintf("set %s to %s", what, v), nil
	case draft == "":
		return "", nil
	}
	f, err := model.ParseFigure(draft, m.figureCounts())
	if err != nil {
		return "", err
	}
	if f.Counts == "" {
		// Not said: what this figure counted before, else killed.
		f.Counts = "killed"
		if i >= 0 && c.Figures[i].Counts != "" {
			f.Counts = c.Figures[i].Counts
		}
	}
	if i < 0 {
		c.Figures = append(c.Figures, f)
		return fmt.Sprintf("claim %s: add figure %s", c.ID, f.Describe()), nil
	}
	c.Figures[i] = f
	return fmt.Sprintf("set %s to %s", what, f.Describe()), nil
}

func (m *Model) applySourceRow(next *model.Annotation, name string, r *formRow, draft string, choice *option, clear bool) (string, error) {
	i := -1
	for j := range next.Sources {
		if strings.EqualFold(next.Sources[j].Source, name) {
			i = j
		}
	}
	if i < 0 {
		g := model.SourceGrade{Source: name}
		for _, s := range m.sources() {
			if s.name == name {
				g.SpanID, g.Entity = s.spanID, s.entity
			}
		}
		next.Sources = append(next.Sources, g)
		i = len(next.Sources) - 1
	}
	g := &next.Sources[i]
	if r.key == "rationale" {
		if clear {
			g.Rationale = ""
			return "clear rationale of " + name, nil
		}
		if draft == "" {
			return "", nil
		}
		g.Rationale = draft
		return fmt.Sprintf("set rationale of %s", name), nil
	}
	if clear {
		g.Reliability = ""
		return "clear grade of " + name, nil
	}
	v, err := pick(r, draft, choice)
	if err != nil || v == "" {
		return "", err
	}
	g.Reliability = v
	return fmt.Sprintf("grade source %s %s", name, v), nil
}

func (m *Model) applyIncidentRow(next *model.Annotation, id string, r *formRow, draft string, choice *option, clear bool) (string, error) {
	i := -1
	for j := range next.Incidents {
		if next.Incidents[j].ID == id {
			i = j
		}
	}
	if i < 0 {
		return "", fmt.Errorf("incident %s is gone", id)
	}
	inc := &next.Incidents[i]
	if inc.Fields == nil {
		inc.Fields = map[string]model.Value{}
	}
	fld, _ := m.opts.Schema.Field(r.field)
	v := inc.Fields[r.field]
	part := ""
	if k := strings.LastIndexByte(r.key, '.'); k >= 0 {
		part = r.key[k+1:]
	}
	what := fmt.Sprintf("incident %s %s", id, r.key)
	if clear && v.IsZero() {
		return "", nil // nothing to clear
	}
	switch r.kind {
	case rowNumber:
		n, err := parseCount(draft)
		if err != nil {
			return "", err
		}
		if clear {
			n = nil
		} else if draft == "" {
			return "", nil
		}
		if fld.Type == model.FieldCount {
			c := model.Count{}
			if v.Count != nil {
				c = *v.Count
			}
			if clear && map[string]*int{"low": c.Low, "best": c.Best, "high": c.High}[part] == nil {
				return "", nil // this estimate is already unknown
			}
			if v, err = model.SetCountPart(v, part, n); err != nil {
				return "", err
			}
		} else {
			v = model.Value{Number: n}
		}
	case rowDate:
		val := draft
		if clear {
			val = ""
		} else if draft == "" {
			return "", nil
		}
		var err error
		if v, err = model.SetDatePart(v, part, val); err != nil {
			return "", err
		}
	case rowChoice:
		if part == "precision" {
			p := ""
			if !clear {
				var err error
				if p, err = pick(r, draft, choice); err != nil || p == "" {
					return "", err
				}
			}
			var err error
			if v, err = model.SetDatePrecision(v, p); err != nil {
				return "", err
			}
			break
		}
		if clear {
			v = model.Value{}
			break
		}
		p, err := pick(r, draft, choice)
		if err != nil || p == "" {
			return "", err
		}
		v = model.Value{Text: p}
	case rowMulti, rowEntity:
		list := append([]string(nil), v.List...)
		if clear {
			if len(list) == 0 {
				return "", nil
			}
			list = list[:len(list)-1]
		} else {
			p, err := pick(r, draft, choice)
			if err != nil || p == "" {
				return "", err
			}
			// A list names each entity once: picking an entity it holds
			// (by any of its mentions) takes it out again.
			list = model.ToggleListItem(list, p, func(a, b string) bool { return m.sameEntity(next, a, b) }, r.kind == rowEntity && !r.multiple)
		}
		v = model.Value{List: list}
	default:
		if clear {
			v = model.Value{}
		} else if draft == "" {
			return "", nil
		} else {
			v = model.Value{Text: draft}
		}
	}
	if err := model.ValidateValue(fld, v, next); err != nil {
		return "", err
	}
	// A value cleared takes its evidence with it (model.SetField).
	if dropped := model.SetField(inc, r.field, v); len(dropped) > 0 {
		return fmt.Sprintf("clear %s and its evidence (%s)", what, strings.Join(dropped, ", ")), nil
	}
	if v.IsZero() {
		return "clear " + what, nil
	}
	return fmt.Sprintf("set %s to %s", what, m.valueText(next, r, v)), nil
}

// Pickers for evidence and figures reuse the prompt.

func (m *Model) openEvidencePicker(field string) {
	p := &prompt{kind: promptEvidence, title: "evidence for " + field + ": a span or a claim", field: field, ids: map[string]string{}, match: map[string]string{}}
	// Evidence is a particular mention: every one is listed, with its
	// place, those whose label fits the field first (TIME for a date,
	// GPE/LOC/FAC for a location), and for a count the claims with figures.
	fits := m.fieldLabels(field)
	fld, _ := m.opts.Schema.Field(field)
	spans := append([]model.Span(nil), m.spans...)
	sort.SliceStable(spans, func(i, j int) bool {
		return slices.Contains(fits, spans[i].Label) && !slices.Contains(fits, spans[j].Label)
	})
	claims := append([]model.Claim(nil), m.ann.Claims...)
	if fld.Type == model.FieldCount {
		sort.SliceStable(claims, func(i, j int) bool { return claimHasFigure(claims[i]) && !claimHasFigure(claims[j]) })
		p.choices = append(p.choices, m.claimChoices(p, claims)...)
	}
	for _, s := range spans {
		d := fmt.Sprintf("%s %s · %s · %s", m.spanText(s), s.Label, m.mentionContext(s.Range()), s.ID)
		p.choices = append(p.choices, d)
		p.ids[d] = s.ID
		p.match[d] = m.spanText(s) + " " + s.Label + " " + s.ID // not the words around it
	}
	if fld.Type != model.FieldCount {
		p.choices = append(p.choices, m.claimChoices(p, claims)...)
	}
	p.filter()
	m.prompt = p
}

// figureOthers is the figure picker's entry that lists, on request, the
// figures counting something else than the row.
const figureOthers = "figure:others"

// figureKey is ctrl+f on a form row: fill it from a claim's figure, on the
// incident fields that take figures (model.Schema.TakesFigures).
func (m *Model) figureKey(f *form, r *formRow) {
	if f.kind != formIncident || !m.opts.Schema.TakesFigures(r.field) {
		var takes []string
		for _, fld := range m.opts.Schema.Fields {
			if m.opts.Schema.TakesFigures(fld.Name) {
				takes = append(takes, fld.Name)
			}
		}
		m.setMessage("ctrl+f fills a count from a claim's figure: go to an incident row that counts (" + strings.Join(takes, ", ") + ")")
		return
	}
	m.openFigurePicker(f, r, f.figureAsked == r.key)
}

// openFigurePicker offers the claims' figures for a row: those that count
// what the row's field counts (killed for Killed, kidnapped for
// Kidnapped), and an entry that lists the others on request; with all,
// every figure, those counting something else marked. When none fits it
// opens nothing and says so: ctrl+f again asks for the others.
func (m *Model) openFigurePicker(f *form, r *formRow, all bool) {
	code, _ := m.opts.Schema.FieldCounts(r.field)
	what := code
	if what == "" {
		what = r.field
	}
	p := &prompt{kind: promptFigure, field: r.key, ids: map[string]string{}, match: map[string]string{}}
	var fitting, others []string
	var otherCounts []string
	for _, c := range m.ann.Claims {
		for i, fig := range c.Figures {
			d := fmt.Sprintf("%s · %s", fig.Describe(), m.claimSummary(c))
			shown := d
			if code == "" || !fig.CountsAs(code) {
				shown = "(not " + what + ") " + d
				others = append(others, shown)
				if !slices.Contains(otherCounts, fig.Counts) {
					otherCounts = append(otherCounts, fig.Counts)
				}
			} else {
				fitting = append(fitting, shown)
			}
			p.ids[shown] = figureRef(c.ID, i)
			p.match[shown] = d
		}
	}
	switch {
	case len(fitting)+len(others) == 0:
		m.setMessage("no claim has a figure yet: give a claim a figure in its New figure row first")
		return
	case all:
		p.title = "fill " + r.title + " from a claim's figure; those marked (not " + what + ") count something else"
		p.choices = append(fitting, others...)
	case len(fitting) == 0:
		f.figureAsked = r.key
		m.setMessage(fmt.Sprintf("no figure counts %s (%d count %s): ctrl+f again lists them, marked",
			what, len(others), strings.Join(otherCounts, ", ")))
		return
	default:
		p.title = "fill " + r.title + " from a claim's figure counting " + what
		p.choices = fitting
		if n := len(others); n > 0 {
			d := fmt.Sprintf("+ list the %d counting something else (%s)", n, strings.Join(otherCounts, ", "))
			p.ids[d] = figureOthers
			p.choices = append(p.choices, d)
		}
	}
	p.filter()
	m.prompt = p
}

// claimChoices adds claims to a picker.
func (m *Model) claimChoices(p *prompt, claims []model.Claim) []string {
	var out []string
	for _, c := range claims {
		d := m.claimSummary(c)
		out = append(out, d)
		p.ids[d] = c.ID
	}
	return out
}

// fieldLabels are the span labels that suit an incident field's evidence:
// an entity field's own, TIME for a date, COUNT for a count or number.
func (m *Model) fieldLabels(field string) []string {
	f, _ := m.opts.Schema.Field(field)
	switch f.Type {
	case model.FieldEntity:
		return f.Labels
	case model.FieldDate:
		return []string{"TIME"}
	case model.FieldCount, model.FieldNumber:
		return []string{"COUNT"}
	}
	return nil
}

// addEvidence records a span or claim as evidence for an incident field.
func (m *Model) addEvidence(field, id string) tea.Cmd {
	f := m.form
	if f == nil || f.kind != formIncident {
		return nil
	}
	next := m.ann.Clone()
	for i := range next.Incidents {
		inc := &next.Incidents[i]
		if inc.ID != f.itemID {
			continue
		}
		if inc.Evidence == nil {
			inc.Evidence = map[string][]string{}
		}
		if slices.Contains(inc.Evidence[field], id) {
			m.setMessage(m.refText(id) + " is already evidence for " + field)
			return nil
		}
		inc.Evidence[field] = append(inc.Evidence[field], id)
		m.afterSave = func(m *Model) tea.Cmd { m.showRowEvidence(); return nil }
		return m.commit(next, fmt.Sprintf("evidence for incident %s %s: %s", inc.ID, field, id))
	}
	return nil
}

// figureRef names figure i of a claim, for the figure picker.
func figureRef(claimID string, i int) string { return claimID + "#" + strconv.Itoa(i) }

// fillFromFigure sets a count from one figure of a claim, with the claim as
// evidence. Which estimate it fills follows the figure: a number stated
// plainly or with "about" goes to the row the cursor is on (low, best or
// high: the annotator's call, such as a disputed claim as the high); "at
// least", "more than" and a word such as "dozens" set the low; "at most"
// and "fewer than" the high (model.Figure.CountBounds). A number field
// (Kidnapped) takes the one number model.Figure.Number gives. A figure
// that counts something else than the field is taken only from the list
// of others, and the message says what it counts.
func (m *Model) fillFromFigure(rowKey, ref string) tea.Cmd {
	f := m.form
	if f == nil {
		return nil
	}
	var row *formRow
	for j := range f.rows {
		if f.rows[j].key == rowKey {
			row = &f.rows[j]
		}
	}
	if row == nil {
		return nil
	}
	if ref == figureOthers {
		m.openFigurePicker(f, row, true)
		return nil
	}
	claimID, idx, _ := strings.Cut(ref, "#")
	i, _ := strconv.Atoi(idx)
	c, ok := m.ann.Claim(claimID)
	if !ok || i < 0 || i >= len(c.Figures) {
		return nil
	}
	fig := c.Figures[i]
	field := row.field
	fld, _ := m.opts.Schema.Field(field)
	var n *int
	r := row
	note := ""
	if fld.Type == model.FieldCount {
		_, part, _ := strings.Cut(rowKey, ".")
		low, best, high := fig.CountBounds()
		target := part
		n = best
		switch {
		case low != nil:
			n, target = low, "low"
		case high != nil:
			n, target = high, "high"
		}
		r = nil
		for j := range f.rows {
			if f.rows[j].key == field+"."+target {
				r = &f.rows[j]
			}
		}
	} else {
		var bound string
		n, bound = fig.Number()
		if bound != "" && bound != "best" {
			note = ", its " + bound
		}
	}
	if n == nil {
		m.fail(fmt.Errorf("the figure %s gives no number to fill %s with", fig.Describe(), field))
		return nil
	}
	if r == nil {
		return nil
	}
	if code, _ := m.opts.Schema.FieldCounts(field); code == "" || !fig.CountsAs(code) {
		what := code
		if what == "" {
			what = field
		}
		note += fmt.Sprintf("; it counts %s, not %s", orDash(fig.Counts), what)
	}
	next := m.ann.Clone()
	action, err := m.applyIncidentRow(&next, f.itemID, r, strconv.Itoa(*n), nil, false)
	if err != nil {
		dk := m.draftKeyFor(f, r)
		m.drafts[dk] = strconv.Itoa(*n)
		m.draftErrs[dk] = err.Error()
		m.fail(fmt.Errorf("not saved: %w", err))
		return nil
	}
	for j := range next.Incidents {
		if next.Incidents[j].ID == f.itemID {
			inc := &next.Incidents[j]
			if inc.Evidence == nil {
				inc.Evidence = map[string][]string{}
			}
			if !slices.Contains(inc.Evidence[r.field], claimID) {
				inc.Evidence[r.field] = append(inc.Evidence[r.field], claimID)
			}
		}
	}
	m.afterSave = func(m *Model) tea.Cmd { m.showRowEvidence(); return nil }
	return m.commit(next, fmt.Sprintf("%s from claim %s (%s%s)", action, claimID, fig.Describe(), note))
}

// sortedIncidentSummary shows an incident in the list.
func (m *Model) incidentSummary(inc model.Incident) string {
	parts := []string{inc.ID}
	if v := inc.Fields["event_type"]; v.Text != "" {
		parts = append(parts, v.Text)
	} else {
		parts = append(parts, "(no event type)")
	}
	if v := inc.Fields["date"]; v.Date != nil {
		parts = append(parts, v.Date.Start)
	}
	if v := inc.Fields["location"]; len(v.List) > 0 {
		if s, ok := m.ann.Span(v.List[0]); ok {
			parts = append(parts, m.spanText(s))
		}
	}
	if v := inc.Fields["killed"]; v.Count != nil {
		parts = append(parts, fmt.Sprintf("killed %s/%s/%s", intText(v.Count.Low), intText(v.Count.Best), intText(v.Count.High)))
	}
	n := 0
	for _, ids := range inc.Evidence {
		n += len(ids)
	}
	if n > 0 {
		parts = append(parts, fmt.Sprintf("%d evidence", n))
	}
	return strings.Join(parts, " · ")
}

// claimHasFigure reports whether a claim reports a number.
func claimHasFigure(c model.Claim) bool { return len(c.Figures) > 0 }
