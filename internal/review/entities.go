package review

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/annotate-tool/annotate/internal/model"
)

// component is one entity across versions: the entities of every version
// (gold's too) that share a mention extent, joined.
type component struct {
	where model.Range
	// ents are each version's entities in the component, in the order
	// the annotation keeps them.
	ents map[string][]string
	// shared are the mention extents every annotator with an entity in
	// the component marked: grouping is compared over them, so a mention
	// one annotator missed (a mention item of its own) is not also a
	// grouping difference.
	shared   []model.Range
	isShared map[model.Range]bool
	// extents are all its mentions' extents, in any version.
	extents map[model.Range]bool
}

// FieldRegistry is the part of an entity item that is its registry link
// (a decision on it confirms the entry taken: the screen's part).
const FieldRegistry = "registry link"

// The parts of an entity decided one by one.
const (
	fieldGrouping     = "grouping"
	fieldName         = "name"
	fieldAliases      = "aliases"
	fieldExternalIDs  = "external ids"
	fieldRegistry     = FieldRegistry
	fieldAffiliations = "affiliations"
)

// buildComponents joins the versions' entities that share a mention extent.
func (s *Set) buildComponents() {
	type node struct{ who, ent string }
	parent := map[node]node{}
	var find func(n node) node
	find = func(n node) node {
		p, ok := parent[n]
		if !ok || p == n {
			parent[n] = n
			return n
		}
		r := find(p)
		parent[n] = r
		return r
	}
	byExtent := map[model.Range]node{}
	first := map[node]model.Range{}
	for i, who := range s.all {
		for _, sp := range s.anns[i].Entities {
			if sp.Entity == "" {
				continue
			}
			n := node{who, sp.Entity}
			find(n)
			if r, ok := first[n]; !ok || sp.Start < r.Start || sp.Start == r.Start && sp.End > r.End {
				first[n] = sp.Range()
			}
			if m, ok := byExtent[sp.Range()]; ok {
				parent[find(n)] = find(m)
			} else {
				byExtent[sp.Range()] = n
			}
		}
	}
	comps := map[node]*component{}
	for i, who := range s.all {
		for _, e := range s.anns[i].Referents {
			n := node{who, e.ID}
			if _, ok := first[n]; !ok {
				continue
			}
			root := find(n)
			c := comps[root]
			if c == nil {
				c = &component{where: first[n], ents: map[string][]string{}, extents: map[model.Range]bool{}}
				comps[root] = c
				s.components = append(s.components, c)
			}
			if r := first[n]; r.Start < c.where.Start || r.Start == c.where.Start && r.End > c.where.End {
				c.where = r
			}
			c.ents[who] = append(c.ents[who], e.ID)
			for _, m := range s.mentionsOf(who, e.ID) {
				c.extents[m.Range()] = true
			}
		}
	}
	sort.SliceStable(s.components, func(i, j int) bool { return s.components[i].where.Start < s.components[j].where.Start })
	for _, c := range s.components {
		counts := map[model.Range]int{}
		havers := 0
		for _, who := range s.Annotators {
			if len(c.ents[who]) == 0 {
				continue
			}
			havers++
			seen := map[model.Range]bool{}
			for _, id := range c.ents[who] {
				for _, m := range s.mentionsOf(who, id) {
					if !seen[m.Range()] {
						seen[m.Range()] = true
						counts[m.Range()]++
					}
				}
			}
		}
		c.isShared = map[model.Range]bool{}
		for r, n := range counts {
			if n == havers {
				c.shared = append(c.shared, r)
				c.isShared[r] = true
			}
		}
		sort.Slice(c.shared, func(i, j int) bool {
			return c.shared[i].Start < c.shared[j].Start || c.shared[i].Start == c.shared[j].Start && c.shared[i].End < c.shared[j].End
		})
	}
}

// annotation is who's version (gold's for goldKey).
func (s *Set) annotation(who string) *model.Annotation {
	if who == goldKey {
		return s.anns[len(s.anns)-1]
	}
	return s.Versions[who]
}

// main is who's entity in the component with the most mentions.
func (s *Set) main(c *component, who string) (model.Entity, bool) {
	a := s.annotation(who)
	best, n := model.Entity{}, -1
	for _, id := range c.ents[who] {
		if k := len(s.mentionsOf(who, id)); k > n {
			if e, ok := a.Referent(id); ok {
				best, n = e, k
			}
		}
	}
	return best, n >= 0
}

// entityItems makes the items of each entity held by two annotators or
// more (an entity only one has comes with its mentions), and the
// affiliations of any entity.
func (s *Set) entityItems() []*Item {
	s.buildComponents()
	var items []*Item
	for _, c := range s.components {
		havers := 0
		for _, who := range s.Annotators {
			if len(c.ents[who]) > 0 {
				havers++
			}
		}
		if havers == 0 {
			continue
		}
		base := s.rangeKey("entity", s.keyRange(c))
		name := ""
		for _, who := range s.all {
			if e, ok := s.main(c, who); ok {
				name = e.Name
				break
			}
		}
		fields := []string{fieldAffiliations}
		if havers >= 2 || s.single {
			fields = []string{fieldGrouping, fieldName, fieldAliases, fieldExternalIDs, fieldRegistry, fieldAffiliations}
		}
		for _, f := range fields {
			it := &Item{Key: base + " " + f, Kind: KindEntity, Field: f, Where: c.where,
				Title:    fmt.Sprintf("entity %s %s", quote(name), f),
				Versions: map[string]string{}, Digest: map[string]string{},
				Multi:    f == fieldAliases || f == fieldExternalIDs || f == fieldAffiliations,
				Required: f == fieldName || f == fieldGrouping}
			any := false
			for _, who := range s.all {
				v := s.entityVersion(c, who, f)
				it.Versions[who], it.Digest[who] = v, digestOf(v)
				any = any || v != "" && who != goldKey
			}
			if f == fieldGrouping && len(c.shared) < 2 {
				continue // one shared mention: nothing to group
			}
			if !any {
				continue
			}
			it.comp = c
			comp, field := c, f
			it.apply = func(s *Set, gold *model.Annotation, from []string) error {
				return s.applyEntity(gold, comp, field, from)
			}
			items = append(items, it)
		}
	}
	return items
}

// entityVersion is who's version of one part of the component's entity.
func (s *Set) entityVersion(c *component, who, field string) string {
	if len(c.ents[who]) == 0 {
		return ""
	}
	a := s.annotation(who)
	if field == fieldGrouping {
		var groups []string
		for _, id := range c.ents[who] {
			var ms []string
			for _, m := range s.mentionsOf(who, id) {
				if c.isShared[m.Range()] {
					ms = append(ms, fmt.Sprintf("%s@%d", quote(words(s.Text, m.Range())), s.runes.Runes(m.Start)))
				}
			}
			if len(ms) > 0 {
				groups = append(groups, "{"+strings.Join(ms, " ")+"}")
			}
		}
		sort.Strings(groups)
		return strings.Join(groups, " ")
	}
	e, ok := s.main(c, who)
	if !ok {
		return ""
	}
	switch field {
	case fieldName:
		return e.Name
	case fieldAliases:
		return sortedJoin(e.Aliases)
	case fieldExternalIDs:
		return sortedJoin(e.ExternalIDs)
	case fieldRegistry:
		return e.Registry
	case fieldAffiliations:
		var parts []string
		for _, f := range e.Affiliations {
			if t, ok := a.Referent(f.Entity); ok {
				parts = append(parts, f.Role+" of "+t.Name)
			}
		}
		return sortedJoin(parts)
	}
	return ""
}

func sortedJoin(xs []string) string {
	xs = slices.Clone(xs)
	sort.Strings(xs)
	return strings.Join(xs, ", ")
}

// goldOf is gold's entity for the component: the one holding the most of
// its mentions.
func (s *Set) goldOf(gold *model.Annotation, c *component) int {
	id := mostMentioned(gold, c.extents, "")
	for i, e := range gold.Referents {
		if e.ID == id {
			return i
		}
	}
	return -1
}

// applyEntity makes gold's entity take from's version of one part.
func (s *Set) applyEntity(gold *model.Annotation, c *component, field string, from []string) error {
	if field == fieldGrouping {
		if len(from) > 0 {
			s.regroup(gold, c, from[0])
		}
		return nil
	}
	i := s.goldOf(gold, c)
	if i < 0 {
		// No mention of it in gold yet: the decision is kept, and applied
		// when a mention comes in (reapplyEntityDecisions).
		return nil
	}
	e := &gold.Referents[i]
	mains := []model.Entity{}
	for _, who := range from {
		if m, ok := s.main(c, who); ok {
			mains = append(mains, m)
		}
	}
	switch field {
	case fieldName:
		if len(mains) > 0 {
			old := e.Name
			e.Name = mains[0].Name
			e.Aliases = slices.DeleteFunc(e.Aliases, func(a string) bool { return model.NameKey(a) == model.NameKey(e.Name) })
			if old != e.Name && strings.TrimSpace(old) != "" && !e.HasName(old) && slices.ContainsFunc(mains[0].Aliases, func(a string) bool { return model.NameKey(a) == model.NameKey(old) }) {
				e.Aliases = append(e.Aliases, old)
			}
		}
	case fieldAliases:
		e.Aliases = nil
		for _, m := range mains {
			for _, a := range m.Aliases {
				if !e.HasName(a) {
					e.Aliases = append(e.Aliases, a)
				}
			}
		}
	case fieldExternalIDs:
		e.ExternalIDs = nil
		for _, m := range mains {
			for _, x := range m.ExternalIDs {
				if !slices.Contains(e.ExternalIDs, x) {
					e.ExternalIDs = append(e.ExternalIDs, x)
				}
			}
		}
	case fieldRegistry:
		e.Registry = ""
		if len(mains) > 0 {
			e.Registry = mains[0].Registry
		}
	case fieldAffiliations:
		var affs []model.Affiliation
		for k, who := range from {
			if k >= len(mains) {
				break
			}
			src := s.Versions[who]
			for _, f := range mains[k].Affiliations {
				t, ok := src.Referent(f.Entity)
				if !ok {
					continue
				}
				target := s.goldEntityFor(gold, who, t.ID, t.Label)
				if target == "" || target == e.ID {
					continue
				}
				a := model.Affiliation{Entity: target, Role: f.Role}
				if !slices.Contains(affs, a) {
					affs = append(affs, a)
				}
			}
		}
		gold.Referents[i].Affiliations = affs
	}
	return nil
}

// regroup makes gold's grouping of the component's shared mentions who's:
// the mentions of each of who's entities are one gold entity.
func (s *Set) regroup(gold *model.Annotation, c *component, who string) {
	src := s.Versions[who]
	used := map[string]bool{}
	for _, id := range c.ents[who] {
		e, ok := src.Referent(id)
		if !ok {
			continue
		}
		extents := map[model.Range]bool{}
		for _, m := range s.mentionsOf(who, id) {
			if c.isShared[m.Range()] {
				extents[m.Range()] = true
			}
		}
		target := mostMentioned(gold, extents, e.Label)
		if target == "" || used[target] {
			n := model.Entity{ID: gold.NewID("n"), Name: e.Name, Label: e.Label, LabelNote: e.LabelNote, Registry: e.Registry,
				Aliases: slices.Clone(e.Aliases), ExternalIDs: slices.Clone(e.ExternalIDs)}
			gold.Referents = append(gold.Referents, n)
			target = n.ID
		}
		used[target] = true
		t, _ := gold.Referent(target)
		for i, g := range gold.Entities {
			if extents[g.Range()] && (g.Label == t.Label || t.LabelNote != "") {
				gold.Entities[i].Entity = target
			}
		}
	}
	model.PruneReferents(gold)
}

// reapplyEntityDecisions applies again the decisions on entities whose
// gold entity did not exist when they were made (a name taken before any
// mention): once a mention brings the entity, it gets what was decided.
// Only the entities with a mention in the stretch are looked at, so an
// edit the reviewer made in place elsewhere stays.
func (s *Set) reapplyEntityDecisions(gold *model.Annotation, stretch model.Range) {
	decided := map[string]model.Decision{}
	for _, d := range gold.Decisions {
		decided[d.Item] = d
	}
	for _, it := range s.Items {
		// Affiliations are applied again whatever the stretch: the entity
		// an affiliation points at may be the one the mention brought.
		if it.Kind != KindEntity || it.Field == fieldGrouping || !it.comp.touches(stretch) && it.Field != fieldAffiliations {
			continue
		}
		if d, ok := decided[it.Key]; ok {
			_ = it.apply(s, gold, d.From)
		}
	}
}

// touches reports whether one of the component's mentions lies in the
// stretch.
func (c *component) touches(r model.Range) bool {
	for m := range c.extents {
		if m.Start < r.End && r.Start < m.End {
			return true
		}
	}
	return false
}

// mentionsOf is who's mentions of an entity, from an index built once per
// set (an annotation's MentionsOf walks every span).
func (s *Set) mentionsOf(who, entityID string) []model.Span {
	if s.mentions == nil {
		s.mentions = map[string]map[string][]model.Span{}
		for i, w := range s.all {
			idx := map[string][]model.Span{}
			for _, sp := range s.anns[i].Entities {
				idx[sp.Entity] = append(idx[sp.Entity], sp)
			}
			s.mentions[w] = idx
		}
	}
	return s.mentions[who][entityID]
}

// keyRange is the mention an entity's items are named by: the first of
// gold's entity when gold has it (stable whoever is compared later), else
// the first mention every annotator with it shares, else its first.
func (s *Set) keyRange(c *component) model.Range {
	first := func(rs []model.Range) (model.Range, bool) {
		best, ok := model.Range{}, false
		for _, r := range rs {
			if !ok || r.Start < best.Start || r.Start == best.Start && r.End > best.End {
				best, ok = r, true
			}
		}
		return best, ok
	}
	var golds []model.Range
	for _, id := range c.ents[goldKey] {
		for _, m := range s.mentionsOf(goldKey, id) {
			golds = append(golds, m.Range())
		}
	}
	if r, ok := first(golds); ok {
		return r
	}
	if r, ok := first(c.shared); ok {
		return r
	}
	return c.where
}
