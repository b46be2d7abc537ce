package suggest

import (
	"slices"
	"strings"
	"unicode"

	"github.com/annotate-tool/annotate/internal/model"
)

// Accept adds suggestions to a as mentions and returns the IDs of the spans
// it added (a suggestion whose extent and label a already has adds
// nothing). Each mention gets its entity:
//
//   - from the registry: the annotation's entity linked to that registry
//     entry (same label), else one of that label whose name or alias is
//     the mention's text (now linked), else a new entity with the entry's
//     name, aliases and external ids, linked to it (Entity.Registry);
//   - from a pattern with an id: the annotation's entity of that label
//     carrying that external id (the text joins its aliases, so "ISIS"
//     and "Islamic State" under one id are one entity), else the one
//     named by the text (the id joins it), else a new one;
//   - otherwise model.GroupMentions: an entity of that label named by the
//     text, or a new one.
//
// text is the article's text; reg the registry the suggestions were made
// from. The caller saves a (one change) and sets its status.
func Accept(a *model.Annotation, text string, reg []model.RegistryEntry, sugs ...Suggestion) []string {
	var added []string
	for _, s := range sugs {
		if model.CheckRange(text, s.Start, s.End) != nil ||
			slices.ContainsFunc(a.Entities, func(sp model.Span) bool {
				return sp.Start == s.Start && sp.End == s.End && sp.Label == s.Label
			}) {
			continue
		}
		sp := model.Span{ID: a.NewID("e"), Start: s.Start, End: s.End, Label: s.Label}
		words := strings.Join(strings.FieldsFunc(text[s.Start:s.End], unicode.IsSpace), " ")
		switch {
		case s.Source == SourceRegistry:
			if i := slices.IndexFunc(reg, func(e model.RegistryEntry) bool { return e.ID == s.Entity }); i >= 0 {
				sp.Entity = registryEntity(a, reg[i], s.Label, words)
				// A pattern's id found for the same text joins the entity.
				for j := range a.Referents {
					if e := &a.Referents[j]; e.ID == sp.Entity && s.ExternalID != "" && !slices.Contains(e.ExternalIDs, s.ExternalID) {
						e.ExternalIDs = append(e.ExternalIDs, s.ExternalID)
					}
				}
			}
		case s.ExternalID != "":
			sp.Entity = externalEntity(a, s.ExternalID, s.Label, words)
		}
		a.Entities = append(a.Entities, sp)
		added = append(added, sp.ID)
	}
	model.GroupMentions(a, text)
	return added
}

// externalEntity returns the ID of the annotation's entity with that
// external id and label (the mention's text joins its names), else of the
// one named by the text (the external id joins it), else of a new one.
func externalEntity(a *model.Annotation, external, label, words string) string {
	for i := range a.Referents {
		e := &a.Referents[i]
		if e.Label == label && slices.Contains(e.ExternalIDs, external) {
			if !e.HasName(words) {
				e.Aliases = append(e.Aliases, words)
			}
			return e.ID
		}
	}
	for i := range a.Referents {
		e := &a.Referents[i]
		if e.Label == label && e.HasName(words) {
			e.ExternalIDs = append(e.ExternalIDs, external)
			return e.ID
		}
	}
	e := model.Entity{ID: a.NewID("n"), Name: words, Label: label, ExternalIDs: []string{external}}
	a.Referents = append(a.Referents, e)
	return e.ID
}

// registryEntity returns the ID of the annotation's entity for a registry
// entry, linking or creating it.
func registryEntity(a *model.Annotation, entry model.RegistryEntry, label, words string) string {
	for _, e := range a.Referents {
		if e.Registry == entry.ID && e.Label == label {
			return e.ID
		}
	}
	for _, e := range a.Referents {
		if e.Registry == "" && e.Label == label && e.HasName(words) {
			model.LinkRegistry(a, e.ID, entry)
			return e.ID
		}
	}
	e := model.Entity{ID: a.NewID("n"), Name: entry.Name, Label: label, Registry: entry.ID,
		Aliases: slices.Clone(entry.Aliases), ExternalIDs: slices.Clone(entry.ExternalIDs)}
	if !e.HasName(words) {
		e.Aliases = append(e.Aliases, words)
	}
	a.Referents = append(a.Referents, e)
	return e.ID
}

// Reject records that the annotator turned s down, so Resolve leaves that
// extent and label out of the article's suggestions from now on. It
// reports whether the rejection is new.
func Reject(a *model.Annotation, s Suggestion) bool {
	r := model.Rejection{Start: s.Start, End: s.End, Label: s.Label}
	if slices.Contains(a.Rejected, r) {
		return false
	}
	a.Rejected = append(a.Rejected, r)
	return true
}
