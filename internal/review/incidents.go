package review

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/annotate-tool/annotate/internal/agree"
	"github.com/annotate-tool/annotate/internal/model"
)

// gradeItems makes one item per graded source, aligned as agree aligns
// them.
func (s *Set) gradeItems(groups []agree.SourceGroup) []*Item {
	var items []*Item
	for _, sg := range groups {
		grades := map[string]model.SourceGrade{}
		it := &Item{Key: "grade " + sg.Key, Kind: KindGrade, Versions: map[string]string{}, Digest: map[string]string{}}
		havers := 0
		for k, who := range s.all {
			if sg.Group[k] < 0 {
				it.Digest[who] = ""
				continue
			}
			a := s.annotation(who)
			g := a.Sources[sg.Group[k]]
			grades[who] = g
			v := codeText(s.Schema.SourceGrades, g.Reliability)
			if g.Rationale != "" {
				v += " · " + strings.Join(strings.Fields(g.Rationale), " ")
			}
			it.Versions[who], it.Digest[who] = v, digestOf(v)
			if who != goldKey {
				havers++
				if it.Title == "" {
					it.Title = "grade of " + gradeSource(a, g, s.Text)
				}
				if sp, ok := a.Span(g.SpanID); ok && it.Where.End == 0 {
					it.Where = sp.Range()
				}
			}
		}
		if havers == 0 {
			continue
		}
		key := sg.Key
		it.apply = func(s *Set, gold *model.Annotation, from []string) error {
			gold.Sources = slices.DeleteFunc(gold.Sources, func(g model.SourceGrade) bool {
				return agree.SourceKey(gold, s.Text, g) == key
			})
			if len(from) == 0 {
				return nil
			}
			who := from[0]
			g := grades[who]
			n := model.SourceGrade{Source: g.Source, Reliability: g.Reliability, Rationale: g.Rationale}
			src := s.Versions[who]
			if sp, ok := src.Span(g.SpanID); ok {
				n.SpanID = s.ensureSpan(gold, who, sp)
			}
			if e, ok := src.Referent(g.Entity); ok && g.Entity != "" {
				n.Entity = s.goldEntityFor(gold, who, e.ID, e.Label)
				if n.Entity == "" {
					// Not in gold yet: its first mention brings it.
					if ms := s.mentionsOf(who, e.ID); len(ms) > 0 {
						s.ensureSpan(gold, who, ms[0])
						n.Entity = s.goldEntityFor(gold, who, e.ID, e.Label)
					}
				}
			}
			if n.SpanID != "" && n.Entity == "" {
				if e, ok := gold.EntityOfSpan(n.SpanID); ok {
					n.Entity = e.ID
				}
			}
			gold.Sources = append(gold.Sources, n)
			return nil
		}
		items = append(items, it)
	}
	return items
}

// gradeSource names a graded source for people.
func gradeSource(a *model.Annotation, g model.SourceGrade, text string) string {
	if e, ok := a.Referent(g.Entity); ok && g.Entity != "" {
		return e.Name
	}
	if g.SpanID != "" {
		return a.RefName(g.SpanID, text)
	}
	return g.Source
}

// incidentOf is who's incident in an aligned group.
func (s *Set) incidentOf(g agree.Group, who string) (model.Incident, bool) {
	k := slices.Index(s.all, who)
	if k < 0 || g[k] < 0 {
		return model.Incident{}, false
	}
	return s.annotation(who).Incidents[g[k]], true
}

// incidentItems makes, per aligned incident, an item for whether it is
// there and, where two annotators or more have it, one per field: its
// value with its evidence.
func (s *Set) incidentItems() []*Item {
	var items []*Item
	for gi, g := range s.incidents {
		var havers []string
		for _, who := range s.Annotators {
			if _, ok := s.incidentOf(g, who); ok {
				havers = append(havers, who)
			}
		}
		if len(havers) == 0 {
			continue
		}
		anchor := s.incidentHaverAnchor(gi)
		if inc, ok := s.incidentOf(g, goldKey); ok {
			anchor = "incident " + inc.ID
		}
		first, _ := s.incidentOf(g, havers[0])
		title := "incident " + strconv.Itoa(gi+1)
		if v := first.Fields["event_type"]; v.Text != "" {
			title += " (" + s.valueText(s.Versions[havers[0]], "event_type", v) + ")"
		}
		exist := &Item{Key: anchor, Kind: KindIncident, Title: title, group: gi,
			Versions: map[string]string{}, Digest: map[string]string{}, Show: map[string]string{}}
		for _, who := range s.all {
			if inc, ok := s.incidentOf(g, who); ok {
				exist.Versions[who] = "present"
				exist.Show[who] = s.incidentSummary(s.annotation(who), inc)
			}
			exist.Digest[who] = digestOf(exist.Versions[who])
		}
		group := gi
		exist.apply = func(s *Set, gold *model.Annotation, from []string) error {
			if len(from) == 0 {
				if id := s.goldIncident(gold, group); id != "" {
					gold.Incidents = slices.DeleteFunc(gold.Incidents, func(i model.Incident) bool { return i.ID == id })
				}
				return nil
			}
			s.ensureIncident(gold, group, from[0])
			return nil
		}
		items = append(items, exist)
		if len(havers) < 2 && !s.single {
			continue
		}
		for _, f := range s.incidentFields(g) {
			it := &Item{Key: anchor + " " + f, Kind: KindIncident, Field: f, Title: title + ": " + s.fieldTitle(f), group: gi,
				Versions: map[string]string{}, Digest: map[string]string{}, Multi: s.multiField(f)}
			for _, who := range s.all {
				if inc, ok := s.incidentOf(g, who); ok {
					it.Versions[who] = s.fieldVersion(s.annotation(who), inc, f)
				}
				it.Digest[who] = digestOf(it.Versions[who])
			}
			field := f
			it.apply = func(s *Set, gold *model.Annotation, from []string) error {
				if len(from) == 0 && s.goldIncident(gold, group) == "" {
					return nil // none of an incident gold does not have
				}
				if err := s.checkMax(group, field, from); err != nil {
					return err
				}
				who := havers[0]
				if len(from) > 0 {
					who = from[0]
				}
				id := s.ensureIncident(gold, group, who)
				s.setIncidentField(gold, id, group, field, from)
				return nil
			}
			items = append(items, it)
		}
	}
	return items
}

// incidentFields are the fields any version of the group fills, in the
// schema's order (fields the schema does not know last, by name).
func (s *Set) incidentFields(g agree.Group) []string {
	have := map[string]bool{}
	for _, who := range s.all {
		if inc, ok := s.incidentOf(g, who); ok {
			for f, v := range inc.Fields {
				if !v.IsZero() || len(inc.Evidence[f]) > 0 {
					have[f] = true
				}
			}
		}
	}
	var out []string
	for _, f := range s.Schema.Fields {
		if have[f.Name] {
			out = append(out, f.Name)
			delete(have, f.Name)
		}
	}
	return append(out, sortedKeys(have)...)
}

func (s *Set) fieldTitle(name string) string {
	if f, ok := s.Schema.Field(name); ok {
		return f.Title()
	}
	return name
}

// multiField: a field that holds several values (several codes, several
// entities), so several versions can be taken together.
func (s *Set) multiField(name string) bool {
	f, ok := s.Schema.Field(name)
	return ok && (f.Type == model.FieldMultiChoice || f.Type == model.FieldEntity && f.Multiple)
}

// valueText shows a value: codes with their labels, entities by canonical
// name, counts as low/best/high.
func (s *Set) valueText(a *model.Annotation, field string, v model.Value) string {
	f, _ := s.Schema.Field(field)
	switch {
	case v.Count != nil:
		return fmt.Sprintf("%s/%s/%s", intText(v.Count.Low), intText(v.Count.Best), intText(v.Count.High))
	case v.Date != nil:
		return strings.TrimSpace(v.Date.Start + " " + v.Date.End + " " + v.Date.Precision)
	case v.Number != nil:
		return strconv.Itoa(*v.Number)
	case len(v.List) > 0:
		var parts []string
		for _, id := range v.List {
			if f.Type == model.FieldMultiChoice {
				parts = append(parts, codeText(f.Choices, id))
			} else {
				parts = append(parts, a.RefName(id, s.Text))
			}
		}
		sort.Strings(parts)
		return strings.Join(parts, ", ")
	case f.Type == model.FieldChoice:
		return codeText(f.Choices, v.Text)
	}
	return strings.Join(strings.Fields(v.Text), " ")
}

func intText(p *int) string {
	if p == nil {
		return "?"
	}
	return strconv.Itoa(*p)
}

// fieldVersion is a field's value with its evidence.
func (s *Set) fieldVersion(a *model.Annotation, inc model.Incident, field string) string {
	v := ""
	if x, ok := inc.Fields[field]; ok && !x.IsZero() {
		v = s.valueText(a, field, x)
	}
	var ev []string
	for _, id := range inc.Evidence[field] {
		if c, ok := a.Claim(id); ok {
			ev = append(ev, "claim "+quote(s.contentWords(c)))
		} else if sp, ok := a.Span(id); ok {
			ev = append(ev, quote(words(s.Text, sp.Range())))
		}
	}
	sort.Strings(ev)
	if len(ev) > 0 {
		v += " ⟵ " + strings.Join(ev, ", ")
	}
	return v
}

// incidentSummary shows an incident on one line: its event type, date and
// place.
func (s *Set) incidentSummary(a *model.Annotation, inc model.Incident) string {
	var parts []string
	for _, f := range []string{"event_type", "date", "location"} {
		if v, ok := inc.Fields[f]; ok && !v.IsZero() {
			parts = append(parts, s.valueText(a, f, v))
		}
	}
	if len(parts) == 0 {
		return fmt.Sprintf("%d fields", len(inc.Fields))
	}
	return strings.Join(parts, " · ")
}

// goldIncident is gold's incident of an aligned group now ("" for none).
func (s *Set) goldIncident(gold *model.Annotation, gi int) string {
	has := func(id string) bool {
		return slices.ContainsFunc(gold.Incidents, func(i model.Incident) bool { return i.ID == id })
	}
	if id := s.made[fmt.Sprint("incident ", gi)]; id != "" && has(id) {
		return id
	}
	if inc, ok := s.incidentOf(s.incidents[gi], goldKey); ok && has(inc.ID) {
		return inc.ID
	}
	return ""
}

// ensureIncident returns gold's incident of an aligned group, copying
// who's whole (values and evidence) when gold has none.
func (s *Set) ensureIncident(gold *model.Annotation, gi int, who string) string {
	if id := s.goldIncident(gold, gi); id != "" {
		return id
	}
	src, ok := s.incidentOf(s.incidents[gi], who)
	if !ok {
		return ""
	}
	id := gold.NewID("i")
	gold.Incidents = append(gold.Incidents, model.Incident{ID: id, Fields: map[string]model.Value{}, Evidence: map[string][]string{}})
	s.made[fmt.Sprint("incident ", gi)] = id
	for f := range src.Fields {
		s.setIncidentField(gold, id, gi, f, []string{who})
	}
	for f := range src.Evidence {
		if _, done := src.Fields[f]; !done {
			s.setIncidentField(gold, id, gi, f, []string{who})
		}
	}
	return id
}

// setIncidentField sets a field of gold's incident id to the values of
// the annotators in from (several only for a field that holds several),
// with their evidence; none clears it.
func (s *Set) setIncidentField(gold *model.Annotation, id string, gi int, field string, from []string) {
	var value model.Value
	var evidence []string
	for k, who := range from {
		src, ok := s.incidentOf(s.incidents[gi], who)
		if !ok {
			continue
		}
		v, has := src.Fields[field]
		if has && (k == 0 || s.multiField(field)) {
			n := s.copyValue(gold, who, v)
			if k == 0 {
				value = n
			} else {
				for _, x := range n.List {
					if !slices.Contains(value.List, x) {
						value.List = append(value.List, x)
					}
				}
			}
		}
		if k > 0 && !s.multiField(field) {
			continue
		}
		for _, ref := range src.Evidence[field] {
			if g := s.goldRef(gold, who, ref); g != "" && !slices.Contains(evidence, g) {
				evidence = append(evidence, g)
			}
		}
	}
	i := slices.IndexFunc(gold.Incidents, func(x model.Incident) bool { return x.ID == id })
	if i < 0 {
		return
	}
	inc := &gold.Incidents[i]
	if inc.Fields == nil {
		inc.Fields = map[string]model.Value{}
	}
	if inc.Evidence == nil {
		inc.Evidence = map[string][]string{}
	}
	if value.IsZero() {
		delete(inc.Fields, field)
	} else {
		inc.Fields[field] = value
	}
	if len(evidence) == 0 {
		delete(inc.Evidence, field)
	} else {
		inc.Evidence[field] = evidence
	}
}

// copyValue copies who's value into gold: span ids become gold's spans of
// the same extent (added, with their entities, when missing).
func (s *Set) copyValue(gold *model.Annotation, who string, v model.Value) model.Value {
	n := model.Value{Text: v.Text, Number: cloneInt(v.Number)}
	if v.Count != nil {
		n.Count = &model.Count{Low: cloneInt(v.Count.Low), Best: cloneInt(v.Count.Best), High: cloneInt(v.Count.High)}
	}
	if v.Date != nil {
		d := *v.Date
		n.Date = &d
	}
	for _, id := range v.List {
		if sp, ok := s.Versions[who].Span(id); ok {
			if g := s.ensureSpan(gold, who, sp); g != "" && !slices.Contains(n.List, g) {
				n.List = append(n.List, g)
			}
		} else {
			n.List = append(n.List, id) // a code, for multi-choice fields
		}
	}
	return n
}

// goldRef is gold's counterpart of who's span or claim id: a span of the
// same extent, the claim aligned with it (both brought in when missing).
func (s *Set) goldRef(gold *model.Annotation, who, id string) string {
	src := s.Versions[who]
	if sp, ok := src.Span(id); ok {
		return s.ensureSpan(gold, who, sp)
	}
	if _, ok := src.Claim(id); ok {
		if gi := s.groupOfClaim(who, id); gi >= 0 {
			return s.ensureClaim(gold, gi, who)
		}
	}
	return ""
}

// incidentHaverAnchor names an aligned incident gold does not have by the
// first annotator who has it and her incident's id ("incident @alice:i3"),
// never by its place in the alignment, which changes as incidents are
// taken.
func (s *Set) incidentHaverAnchor(gi int) string {
	g := s.incidents[gi]
	for _, who := range s.Annotators {
		if inc, ok := s.incidentOf(g, who); ok {
			return "incident @" + who + ":" + inc.ID
		}
	}
	return fmt.Sprintf("incident #%d", gi+1)
}

// checkMax refuses taking several versions of a multi-choice field that
// would hold more values together than the schema allows.
func (s *Set) checkMax(gi int, field string, from []string) error {
	f, ok := s.Schema.Field(field)
	if !ok || f.Type != model.FieldMultiChoice || f.Max <= 0 || len(from) < 2 {
		return nil
	}
	codes := map[string]bool{}
	for _, who := range from {
		if inc, ok := s.incidentOf(s.incidents[gi], who); ok {
			for _, c := range inc.Fields[field].List {
				codes[c] = true
			}
		}
	}
	if len(codes) > f.Max {
		return fmt.Errorf("%s takes at most %d values; the versions hold %d together: take one", f.Title(), f.Max, len(codes))
	}
	return nil
}
