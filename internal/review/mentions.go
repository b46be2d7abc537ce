package review

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/annotate-tool/annotate/internal/model"
)

// mentionItems clusters the spans of every version (gold's too) by
// overlap: one item per stretch.
func (s *Set) mentionItems() []*Item {
	type tagged struct {
		model.Span
		who string
	}
	var all []tagged
	for i, who := range s.all {
		for _, sp := range s.anns[i].Entities {
			all = append(all, tagged{sp, who})
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].Start != all[j].Start {
			return all[i].Start < all[j].Start
		}
		return all[i].End > all[j].End
	})
	var items []*Item
	for i := 0; i < len(all); {
		r := all[i].Range()
		j := i + 1
		for j < len(all) && all[j].Start < r.End {
			r.End = max(r.End, all[j].End)
			j++
		}
		cluster := all[i:j]
		it := &Item{Key: s.rangeKey("span", r), Kind: KindMention, Where: r, Multi: true,
			Versions: map[string]string{}, Digest: map[string]string{},
			Title: quote(words(s.Text, r))}
		spans := map[string][]model.Span{}
		for _, sp := range cluster {
			spans[sp.who] = append(spans[sp.who], sp.Span)
		}
		for _, who := range s.all {
			var parts []string
			for _, sp := range spans[who] {
				// Where it starts and ends (code points) as well as its words:
				// a boundary that differs is a difference, however long the
				// mention.
				parts = append(parts, fmt.Sprintf("%s %d-%d “%s”", sp.Label, s.runes.Runes(sp.Start), s.runes.Runes(sp.End), words(s.Text, sp.Range())))
			}
			sort.Strings(parts)
			it.Versions[who] = strings.Join(parts, ", ")
			it.Digest[who] = digestOf(it.Versions[who])
		}
		stretch := r
		it.apply = func(s *Set, gold *model.Annotation, from []string) error {
			// Gold's spans in the stretch become those of from: the ones
			// it already has stay (what refers to them keeps them), the
			// others go, the missing come in with their entities.
			type ext struct {
				start, end int
				label      string
			}
			want := map[ext]bool{}
			var kept []model.Span
			for _, who := range from {
				for _, sp := range spans[who] {
					want[ext{sp.Start, sp.End, sp.Label}] = true
				}
			}
			for _, who := range from {
				for _, sp := range spans[who] {
					id := s.spanFor(gold, who, sp, true)
					if g, ok := gold.Span(id); ok {
						kept = append(kept, g)
					}
				}
			}
			for _, g := range slices.Clone(gold.Entities) {
				if g.Start < stretch.End && stretch.Start < g.End && !want[ext{g.Start, g.End, g.Label}] {
					// What referred to the mention that goes refers to the
					// mention taken in its place (the most overlapping), so
					// a claimant, a grade or evidence is not lost.
					if to, ok := mostOverlapping(kept, g.Range()); ok {
						model.RepointSpan(gold, g.ID, to.ID)
					}
					model.RemoveSpan(gold, g, s.Text)
				}
			}
			return nil
		}
		items = append(items, it)
		i = j
	}
	return items
}

// ensureSpan returns gold's span with sp's extent and label, adding it
// when gold has none: it joins the gold entity that already holds another
// mention of who's entity, else a copy of who's entity (name, label,
// aliases, external ids, registry link). A decision on a mention carries
// its entity. Where the mentions of that stretch were decided already, a
// claim, grade or field brought in refers to gold's mention there (the
// most overlapping) and never adds the variant the reviewer did not take;
// "" when gold has none there.
func (s *Set) ensureSpan(gold *model.Annotation, who string, sp model.Span) string {
	return s.spanFor(gold, who, sp, false)
}

// spanFor is ensureSpan; take is set by the decision on the mentions
// themselves, which adds what it takes whatever was decided before.
func (s *Set) spanFor(gold *model.Annotation, who string, sp model.Span, take bool) string {
	for _, g := range gold.Entities {
		if g.Start == sp.Start && g.End == sp.End && g.Label == sp.Label {
			return s.keepEntity(gold, who, sp, g.ID)
		}
	}
	if !take && s.mentionDecided(gold, sp.Range()) {
		if g, ok := mostOverlapping(gold.Entities, sp.Range()); ok {
			return g.ID
		}
		return ""
	}
	ent := s.goldEntityOrCopy(gold, who, sp)
	id := gold.NewID("e")
	gold.Entities = append(gold.Entities, model.Span{ID: id, Start: sp.Start, End: sp.End, Label: sp.Label, Entity: ent})
	return id
}

// mentionDecided reports whether a decision on the mentions of a stretch
// overlapping r stands in gold.
func (s *Set) mentionDecided(gold *model.Annotation, r model.Range) bool {
	for _, d := range gold.Decisions {
		if dr, ok := s.spanRange(d.Item); ok && dr.Start < r.End && r.Start < dr.End {
			return true
		}
	}
	return false
}

// mostOverlapping is the span of spans that shares the most text with r.
func mostOverlapping(spans []model.Span, r model.Range) (model.Span, bool) {
	best, n := model.Span{}, 0
	for _, g := range spans {
		if o := min(g.End, r.End) - max(g.Start, r.Start); o > n {
			best, n = g, o
		}
	}
	return best, n > 0
}

// keepEntity gives gold's span id an entity when it has none it knows.
func (s *Set) keepEntity(gold *model.Annotation, who string, sp model.Span, id string) string {
	for i, g := range gold.Entities {
		if g.ID != id {
			continue
		}
		if _, ok := gold.Referent(g.Entity); !ok || g.Entity == "" {
			gold.Entities[i].Entity = s.goldEntityOrCopy(gold, who, sp)
		}
	}
	return id
}

// goldEntityOrCopy is the gold entity a mention sp of who's joins (see
// ensureSpan), made when there is none.
func (s *Set) goldEntityOrCopy(gold *model.Annotation, who string, sp model.Span) string {
	if id := s.goldEntityFor(gold, who, sp.Entity, sp.Label); id != "" {
		return id
	}
	src := s.annotation(who)
	e, ok := model.Entity{}, false
	if src != nil {
		e, ok = src.Referent(sp.Entity)
	}
	if !ok || sp.Entity == "" {
		e = model.Entity{Name: words(s.Text, sp.Range()), Label: sp.Label}
	}
	n := model.Entity{ID: gold.NewID("n"), Name: e.Name, Label: e.Label, LabelNote: e.LabelNote, Registry: e.Registry,
		Aliases: slices.Clone(e.Aliases), ExternalIDs: slices.Clone(e.ExternalIDs)}
	if n.Label != sp.Label && n.LabelNote == "" {
		n.Label = sp.Label
	}
	gold.Referents = append(gold.Referents, n)
	return n.ID
}

// goldEntityFor is the gold entity that holds the most mentions at the
// extents of who's entity's mentions, with the given label (or a label
// note); "" when gold holds none of them.
func (s *Set) goldEntityFor(gold *model.Annotation, who, entityID, label string) string {
	src := s.Versions[who]
	if src == nil || entityID == "" {
		return ""
	}
	extents := map[model.Range]bool{}
	for _, m := range s.mentionsOf(who, entityID) {
		extents[m.Range()] = true
	}
	return mostMentioned(gold, extents, label)
}

// mostMentioned is the gold entity with the most mentions at the extents
// (label "" for any label), first in gold's order on a tie.
func mostMentioned(gold *model.Annotation, extents map[model.Range]bool, label string) string {
	count := map[string]int{}
	for _, g := range gold.Entities {
		if extents[g.Range()] {
			count[g.Entity]++
		}
	}
	best, n := "", 0
	for _, e := range gold.Referents {
		if count[e.ID] > n && (label == "" || e.Label == label || e.LabelNote != "") {
			best, n = e.ID, count[e.ID]
		}
	}
	return best
}
