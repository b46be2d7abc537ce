package agree

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
)

// Alignment of one article's annotations across annotators, before any
// coefficient is computed: which incident of one annotator is which
// incident of another, which claims are the same claim, which source
// grades grade the same source. Items that are not aligned are not
// compared field by field; they count as "only some annotated".
//
// The method, for incidents and claims alike:
//
//  1. Where every annotator who has items of the kind has exactly one,
//     those items are aligned with each other whatever their fields.
//  2. Otherwise every pair of items of two different annotators that is
//     compatible gets a score; pairs are taken best score first (ties by
//     annotator, then by the items' content: a claim's position in the
//     text, then its claimant and attributes; an incident's fields; never
//     by the order items are stored in) and joined
//     into groups, one item per annotator in a group at most. This is
//     one-to-one by best score for two annotators and a greedy clustering
//     for more (meltt matches events across data sets the same way:
//     compatibility windows first, then the best match).
//
// Incidents are compatible when their event types are the same or fall
// in the same group of the schema's choices (ACLED's event type over its
// sub-event types), their start dates lie within DateWindow days of each
// other (widened by the coarser date's precision: a week, a month, a
// year), and their locations name the same entity (by canonical name,
// model.NameKey) or one contains the other (the annotation says one
// entity is part_of the other). A criterion whose field either incident
// leaves empty is not held against the pair. The score adds 2 for the
// same event type (1 for the same group), up to 1 for the closeness of
// the dates and 1 for the same location.
//
// Claims are compatible when their content ranges overlap; the score is
// the overlap of the content (shared bytes over bytes covered by either,
// Jaccard) plus 1 when the claimant is the same entity (by canonical
// name). So a claim both annotators marked over the same words, but gave
// to different claimants, is aligned and its claimant scored as a
// disagreement.
//
// Source grades are aligned by the graded source: the canonical name of
// the graded entity, else the source's name as written (model.NameKey).
//
// Entities themselves are compared as mention clusters (LinkF1), and
// wherever an entity is a value (a claimant, an incident's location,
// perpetrators, targets, claimed by) it is compared by its canonical name,
// never by a mention or entity id, which annotators number on their own.

// DefaultDateWindow is how many days apart two incidents' dates may be and
// still be the same incident.
const DefaultDateWindow = 3

// AlignOptions tunes the alignment.
type AlignOptions struct {
	// DateWindow in days: 0 is the same day; negative, dates are not a
	// criterion. DefaultAlignOptions sets DefaultDateWindow.
	DateWindow int
	// EventTypeField, DateField and LocationField name the incident fields
	// the alignment uses ("event_type", "date", "location" when empty).
	EventTypeField, DateField, LocationField string
}

// DefaultAlignOptions are the options annotate agree uses by default.
func DefaultAlignOptions() AlignOptions { return AlignOptions{DateWindow: DefaultDateWindow} }

func (o AlignOptions) withDefaults() AlignOptions {
	o.EventTypeField = cmp.Or(o.EventTypeField, "event_type")
	o.DateField = cmp.Or(o.DateField, "date")
	o.LocationField = cmp.Or(o.LocationField, "location")
	return o
}

// Group is one aligned item: Group[c] is the index of annotator c's item
// in its annotation (Incidents, Claims or Sources), -1 when annotator c
// has none in the group.
type Group []int

// Coders is the number of annotators with an item in the group.
func (g Group) Coders() int {
	n := 0
	for _, i := range g {
		if i >= 0 {
			n++
		}
	}
	return n
}

// SourceGroup is one graded source and the grade each annotator gave it.
type SourceGroup struct {
	// Key is the source's canonical name, model.NameKey-folded.
	Key string
	Group
}

// Alignment is the aligned items of one article.
type Alignment struct {
	Incidents []Group
	Claims    []Group
	Sources   []SourceGroup
}

// Align aligns one article's annotations (text is the article's text);
// anns[c] is annotator c's
// (nil when c did not annotate the article). The schema gives the event
// type groups. See the package's alignment notes above for the method.
func Align(text string, anns []*model.Annotation, schema *model.Schema, opts AlignOptions) Alignment {
	opts = opts.withDefaults()
	return Alignment{
		Incidents: alignIncidents(text, anns, schema, opts),
		Claims:    alignClaims(text, anns),
		Sources:   alignSources(text, anns),
	}
}

// EntityName is the canonical name (model.NameKey) of the entity the span
// with this id mentions, else of the entity with this id, else the span's
// own text; "" when the id names nothing.
func EntityName(a *model.Annotation, text, id string) string {
	if s, ok := a.Span(id); ok {
		if e, ok := a.Referent(s.Entity); ok {
			return model.NameKey(e.Name)
		}
		if model.CheckRange(text, s.Start, s.End) == nil {
			return model.NameKey(text[s.Start:s.End])
		}
		return ""
	}
	if e, ok := a.Referent(id); ok {
		return model.NameKey(e.Name)
	}
	return ""
}

// ClaimantName is who makes the claim, by canonical name: the entity of
// the claimant span, else the free-text name.
func ClaimantName(a *model.Annotation, text string, c model.Claim) string {
	if c.Claimant.SpanID != "" {
		if n := EntityName(a, text, c.Claimant.SpanID); n != "" {
			return n
		}
	}
	return model.NameKey(c.Claimant.Name)
}

// SourceKey is the source a grade grades, by canonical name.
func SourceKey(a *model.Annotation, text string, g model.SourceGrade) string {
	if g.Entity != "" {
		if e, ok := a.Referent(g.Entity); ok {
			return model.NameKey(e.Name)
		}
	}
	if g.SpanID != "" {
		if n := EntityName(a, text, g.SpanID); n != "" {
			return n
		}
	}
	return model.NameKey(g.Source)
}

// EntityNames is the sorted, distinct canonical names of the entities an
// entity field's ids refer to.
func EntityNames(a *model.Annotation, text string, ids []string) []string {
	var names []string
	for _, id := range ids {
		if n := EntityName(a, text, id); n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// pairScore is a candidate alignment of item i of coder ci with item j of
// coder cj.
type pairScore struct {
	ci, i, cj, j int
	score        float64
}

// exactlyOne reports whether every coder with items has exactly one, and
// returns that group.
func exactlyOne(counts []int) (Group, bool) {
	g := make(Group, len(counts))
	any := false
	for c, n := range counts {
		switch n {
		case 0:
			g[c] = -1
		case 1:
			g[c] = 0
			any = true
		default:
			return nil, false
		}
	}
	return g, any
}

// itemRanks orders each coder's items by a key of their content:
// rank[c][i] is item i's place among coder c's items, by key and then by
// index (which only separates items whose keys are equal, and such items
// are interchangeable for what is compared).
func itemRanks(anns []*model.Annotation, n func(*model.Annotation) int, key func(a *model.Annotation, i int) string) [][]int {
	rank := make([][]int, len(anns))
	for c, a := range anns {
		if a == nil {
			continue
		}
		keys := make([]string, n(a))
		order := make([]int, len(keys))
		for i := range keys {
			keys[i], order[i] = key(a, i), i
		}
		slices.SortFunc(order, func(x, y int) int { return cmp.Or(strings.Compare(keys[x], keys[y]), cmp.Compare(x, y)) })
		rank[c] = make([]int, len(keys))
		for place, i := range order {
			rank[c][i] = place
		}
	}
	return rank
}

// cluster joins candidate pairs best first into groups holding at most one
// item per coder, and adds every item left over as a group of its own.
// Ties in score go by coder and then by rank (itemRanks), so the groups do
// not depend on the order items are stored in.
func cluster(counts []int, rank [][]int, cands []pairScore) []Group {
	if g, ok := exactlyOne(counts); ok {
		return []Group{g}
	}
	slices.SortFunc(cands, func(p, q pairScore) int {
		return cmp.Or(cmp.Compare(q.score, p.score), cmp.Compare(p.ci, q.ci), cmp.Compare(rank[p.ci][p.i], rank[q.ci][q.i]),
			cmp.Compare(p.cj, q.cj), cmp.Compare(rank[p.cj][p.j], rank[q.cj][q.j]))
	})
	// groupOf[c][i] is the group item i of coder c is in, -1 if none.
	groupOf := make([][]int, len(counts))
	for c, n := range counts {
		groupOf[c] = make([]int, n)
		for i := range groupOf[c] {
			groupOf[c][i] = -1
		}
	}
	var groups []Group
	newGroup := func() int {
		g := make(Group, len(counts))
		for c := range g {
			g[c] = -1
		}
		groups = append(groups, g)
		return len(groups) - 1
	}
	for _, p := range cands {
		gi, gj := groupOf[p.ci][p.i], groupOf[p.cj][p.j]
		switch {
		case gi < 0 && gj < 0:
			k := newGroup()
			groups[k][p.ci], groups[k][p.cj] = p.i, p.j
			groupOf[p.ci][p.i], groupOf[p.cj][p.j] = k, k
		case gi >= 0 && gj < 0:
			if groups[gi][p.cj] < 0 {
				groups[gi][p.cj] = p.j
				groupOf[p.cj][p.j] = gi
			}
		case gi < 0 && gj >= 0:
			if groups[gj][p.ci] < 0 {
				groups[gj][p.ci] = p.i
				groupOf[p.ci][p.i] = gj
			}
		case gi != gj:
			// Two groups join when no coder has an item in both.
			a, b := groups[gi], groups[gj]
			disjoint := true
			for c := range a {
				if a[c] >= 0 && b[c] >= 0 {
					disjoint = false
				}
			}
			if disjoint {
				for c := range a {
					if b[c] >= 0 {
						a[c] = b[c]
						groupOf[c][b[c]] = gi
						b[c] = -1
					}
				}
			}
		}
	}
	groups = slices.DeleteFunc(groups, func(g Group) bool { return g.Coders() == 0 })
	for c, n := range counts {
		byRank := make([]int, n)
		for i := range n {
			byRank[rank[c][i]] = i
		}
		for _, i := range byRank {
			if groupOf[c][i] < 0 {
				k := newGroup()
				groups[k][c] = i
			}
		}
	}
	return groups
}

func itemCounts(anns []*model.Annotation, n func(*model.Annotation) int) []int {
	counts := make([]int, len(anns))
	for c, a := range anns {
		if a != nil {
			counts[c] = n(a)
		}
	}
	return counts
}

// incidentKey is what the alignment reads of an incident.
type incidentKey struct {
	eventType, group string
	date             time.Time
	dateSlack        int // days the precision widens the window by
	hasDate          bool
	locations        []string // canonical names of the location entities
	containers       []string // names of the entities those are part_of
}

func incidentKeys(text string, a *model.Annotation, schema *model.Schema, opts AlignOptions) []incidentKey {
	keys := make([]incidentKey, len(a.Incidents))
	field, _ := schema.Field(opts.EventTypeField)
	for k, inc := range a.Incidents {
		key := &keys[k]
		if v, ok := inc.Fields[opts.EventTypeField]; ok && v.Text != "" {
			key.eventType = v.Text
			if c, ok := field.Choice(v.Text); ok {
				key.group = c.Group
			}
		}
		if v, ok := inc.Fields[opts.DateField]; ok && v.Date != nil {
			if t, ok := parseDate(v.Date.Start); ok {
				key.date, key.hasDate = t, true
				key.dateSlack = precisionDays(v.Date.Precision)
			}
		}
		if v, ok := inc.Fields[opts.LocationField]; ok {
			key.locations = EntityNames(a, text, v.List)
			for _, id := range v.List {
				s, ok := a.Span(id)
				if !ok {
					continue
				}
				e, ok := a.Referent(s.Entity)
				if !ok {
					continue
				}
				for _, f := range e.Affiliations {
					if f.Role == "part_of" {
						if p, ok := a.Referent(f.Entity); ok {
							key.containers = append(key.containers, model.NameKey(p.Name))
						}
					}
				}
			}
		}
	}
	return keys
}

func parseDate(s string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func precisionDays(p string) int {
	switch p {
	case "week":
		return 7
	case "month":
		return 31
	case "year":
		return 366
	}
	return 0
}

func intersects(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// incidentScore is the score of aligning two incidents, and false when
// they are not compatible.
func incidentScore(x, y incidentKey, opts AlignOptions) (float64, bool) {
	score := 0.0
	if x.eventType != "" && y.eventType != "" {
		switch {
		case x.eventType == y.eventType:
			score += 2
		case x.group != "" && x.group == y.group:
			score++
		default:
			return 0, false
		}
	}
	if x.hasDate && y.hasDate && opts.DateWindow >= 0 {
		days := int(x.date.Sub(y.date).Hours() / 24)
		if days < 0 {
			days = -days
		}
		window := opts.DateWindow + max(x.dateSlack, y.dateSlack)
		if days > window {
			return 0, false
		}
		score += 1 - float64(days)/float64(window+1)
	}
	if len(x.locations) > 0 && len(y.locations) > 0 {
		switch {
		case intersects(x.locations, y.locations):
			score++
		case intersects(x.locations, y.containers) || intersects(x.containers, y.locations):
			score += 0.5
		default:
			return 0, false
		}
	}
	return score, true
}

func alignIncidents(text string, anns []*model.Annotation, schema *model.Schema, opts AlignOptions) []Group {
	counts := itemCounts(anns, func(a *model.Annotation) int { return len(a.Incidents) })
	if g, ok := exactlyOne(counts); ok {
		return []Group{g}
	}
	keys := make([][]incidentKey, len(anns))
	for c, a := range anns {
		if a != nil {
			keys[c] = incidentKeys(text, a, schema, opts)
		}
	}
	var cands []pairScore
	for ci := range anns {
		for cj := ci + 1; cj < len(anns); cj++ {
			for i, x := range keys[ci] {
				for j, y := range keys[cj] {
					if s, ok := incidentScore(x, y, opts); ok {
						cands = append(cands, pairScore{ci, i, cj, j, s})
					}
				}
			}
		}
	}
	rank := itemRanks(anns, func(a *model.Annotation) int { return len(a.Incidents) }, func(a *model.Annotation, i int) string {
		return incidentSortKey(text, a, a.Incidents[i], schema)
	})
	return cluster(counts, rank, cands)
}

// incidentSortKey is an incident's fields in a canonical form (field names
// sorted, entity fields by canonical names, multichoice codes sorted): the
// order of incidents whose alignment scores tie.
func incidentSortKey(text string, a *model.Annotation, inc model.Incident, schema *model.Schema) string {
	names := slices.Sorted(maps.Keys(inc.Fields))
	var b strings.Builder
	for _, name := range names {
		v := inc.Fields[name]
		if v.IsZero() {
			continue
		}
		list := slices.Clone(v.List)
		if f, ok := schema.Field(name); ok && f.Type == model.FieldEntity {
			list = EntityNames(a, text, v.List)
		}
		slices.Sort(list)
		v.List = list
		out, _ := json.Marshal(v)
		fmt.Fprintf(&b, "%q:%s\x00", name, out)
	}
	return b.String()
}

// claimSortKey is a claim's position in the text (its content ranges in
// order, then its cue), then its claimant by canonical name and its
// attributes: the order of claims whose alignment scores tie.
func claimSortKey(text string, a *model.Annotation, c model.Claim) string {
	content := slices.Clone(c.Content)
	slices.SortFunc(content, func(x, y model.Range) int { return cmp.Or(cmp.Compare(x.Start, y.Start), cmp.Compare(x.End, y.End)) })
	var b strings.Builder
	for _, r := range content {
		fmt.Fprintf(&b, "%012d %012d ", r.Start, r.End)
	}
	b.WriteString("\x00")
	if c.Cue != nil {
		fmt.Fprintf(&b, "%012d %012d", c.Cue.Start, c.Cue.End)
	}
	stance := ""
	if c.Stance != nil {
		stance = c.Stance.Kind
	}
	figures, _ := json.Marshal(c.Figures)
	fmt.Fprintf(&b, "\x00%q %q %q %q %q %q %s", ClaimantName(a, text, c), c.Type, c.Polarity, c.Certainty, stance, c.Credibility, figures)
	return b.String()
}

func alignClaims(text string, anns []*model.Annotation) []Group {
	counts := itemCounts(anns, func(a *model.Annotation) int { return len(a.Claims) })
	if g, ok := exactlyOne(counts); ok {
		return []Group{g}
	}
	claimants := make([][]string, len(anns))
	for c, a := range anns {
		if a == nil {
			continue
		}
		claimants[c] = make([]string, len(a.Claims))
		for i, cl := range a.Claims {
			claimants[c][i] = ClaimantName(a, text, cl)
		}
	}
	var cands []pairScore
	for ci := range anns {
		for cj := ci + 1; cj < len(anns); cj++ {
			if anns[ci] == nil || anns[cj] == nil {
				continue
			}
			for i, x := range anns[ci].Claims {
				for j, y := range anns[cj].Claims {
					o := contentJaccard(x.Content, y.Content)
					if o <= 0 {
						continue
					}
					if claimants[ci][i] != "" && claimants[ci][i] == claimants[cj][j] {
						o++
					}
					cands = append(cands, pairScore{ci, i, cj, j, o})
				}
			}
		}
	}
	rank := itemRanks(anns, func(a *model.Annotation) int { return len(a.Claims) }, func(a *model.Annotation, i int) string {
		return claimSortKey(text, a, a.Claims[i])
	})
	return cluster(counts, rank, cands)
}

// contentJaccard is the bytes two sets of ranges share over the bytes
// either covers; ranges of one claim are assumed not to overlap each
// other.
func contentJaccard(a, b []model.Range) float64 {
	shared, lenA, lenB := 0, 0, 0
	for _, x := range a {
		lenA += max(0, x.End-x.Start)
		for _, y := range b {
			shared += max(0, min(x.End, y.End)-max(x.Start, y.Start))
		}
	}
	for _, y := range b {
		lenB += max(0, y.End-y.Start)
	}
	union := lenA + lenB - shared
	if union <= 0 || shared <= 0 {
		return 0
	}
	return float64(shared) / float64(union)
}

func alignSources(text string, anns []*model.Annotation) []SourceGroup {
	index := map[string]int{}
	var groups []SourceGroup
	for c, a := range anns {
		if a == nil {
			continue
		}
		for i, g := range a.Sources {
			key := SourceKey(a, text, g)
			if strings.TrimSpace(key) == "" {
				continue
			}
			k, ok := index[key]
			if !ok {
				k = len(groups)
				index[key] = k
				grp := make(Group, len(anns))
				for x := range grp {
					grp[x] = -1
				}
				groups = append(groups, SourceGroup{Key: key, Group: grp})
			}
			// A second grade of the same source by one annotator: the
			// first stands.
			if groups[k].Group[c] < 0 {
				groups[k].Group[c] = i
			}
		}
	}
	return groups
}
