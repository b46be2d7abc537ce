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
				parts = append(parts, fmt.Sprintf("%s %s", sp.Label, quote(words(s.Text, sp.Range()))))
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
			for _, who := range from {
				for _, sp := range spans[who] {
					want[ext{sp.Start, sp.End, sp.Label}] = true
				}
			}
			for _, g := range slices.Clone(gold.Entities) {
				if g.Start < stretch.End && stretch.Start < g.End && !want[ext{g.Start, g.End, g.Label}] {
					model.RemoveSpan(gold, g, s.Text)
				}
			}
			for _, who := range from {
				for _, sp := range spans[who] {
					s.ensureSpan(gold, who, sp)
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
// its entity.
func (s *Set) ensureSpan(gold *model.Annotation, who string, sp model.Span) string {
	for i, g := range gold.Entities {
		if g.Start == sp.Start && g.End == sp.End && g.Label == sp.Label {
			if _, ok := gold.Referent(g.Entity); !ok || g.Entity == "" {
				gold.Entities[i].Entity = s.goldEntityOrCopy(gold, who, sp)
			}
			return g.ID
		}
	}
	ent := s.goldEntityOrCopy(gold, who, sp)
	id := gold.NewID("e")
	gold.Entities = append(gold.Entities, model.Span{ID: id, Start: sp.Start, End: sp.End, Label: sp.Label, Entity: ent})
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
