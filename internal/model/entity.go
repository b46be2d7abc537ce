package model

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Entity is what mentions refer to: one group, person, place or thing,
// however often and by whatever name an article mentions it. Every span of
// an annotation (a mention) belongs to exactly one of its entities; a new
// mention starts an entity of its own until it is joined to another.
//
// The spans keep the JSON name "entities" (what peer tools call them);
// entities are stored and exported as "referents", what the mentions refer
// to.
type Entity struct {
	ID string `json:"id"` // "n3": unique within the annotation
	// Name is the canonical name ("Syrian Democratic Forces").
	Name  string `json:"name"`
	Label string `json:"label"`
	// Aliases are other names it goes by ("SDF").
	Aliases []string `json:"aliases,omitempty"`
	// ExternalIDs name it elsewhere, each "scheme:id": "wikidata:Q1325475",
	// "acled:Islamic State (Syria)".
	ExternalIDs []string `json:"external_ids,omitempty"`
	// Registry is the id of the database's registry entry this entity is
	// linked to ("" when not linked).
	Registry     string        `json:"registry,omitempty"`
	Affiliations []Affiliation `json:"affiliations,omitempty"`
	// LabelNote says why the entity's label differs from a mention's;
	// without one every mention has the entity's label.
	LabelNote string `json:"label_note,omitempty"`
}

// Affiliation ties an entity to another one of the same annotation: Nisreen
// Abdullah is spokesperson of the SDF.
type Affiliation struct {
	Entity string `json:"entity"`
	Role   string `json:"role"`
}

// AffiliationRoles are the roles an affiliation may have.
var AffiliationRoles = []string{"spokesperson", "member", "commander", "leader", "part_of"}

// RegistryEntry is an entity the database knows across articles, shared by
// every annotator: what suggestions are made from and what an article's
// entity links to.
type RegistryEntry struct {
	ID          string   `json:"id"` // "r12"
	Name        string   `json:"name"`
	Label       string   `json:"label"`
	Aliases     []string `json:"aliases,omitempty"`
	ExternalIDs []string `json:"external_ids,omitempty"`
	// Grade is the source grade last given to an entity linked to this
	// entry, so a later article can offer it.
	Grade     *RegistryGrade `json:"grade,omitempty"`
	UpdatedAt time.Time      `json:"updated_at"`
	UpdatedBy string         `json:"updated_by,omitempty"`
}

// RegistryGrade is a source grade kept with a registry entry: who gave it,
// in which article.
type RegistryGrade struct {
	Reliability string `json:"reliability"`
	Rationale   string `json:"rationale,omitempty"`
	By          string `json:"by,omitempty"`
	ArticleID   string `json:"article,omitempty"`
}

// Names returns the canonical name and the aliases.
func (e RegistryEntry) Names() []string { return append([]string{e.Name}, e.Aliases...) }

// Names returns the entity's canonical name and its aliases.
func (e Entity) Names() []string { return append([]string{e.Name}, e.Aliases...) }

// NameKey is how names are compared: case folded, white space collapsed.
// "the SDF" and "The  SDF" are one name; "SDF" and "S.D.F." are not.
func NameKey(s string) string {
	return strings.ToLower(strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " "))
}

// HasName reports whether name is the entity's name or one of its aliases.
func (e Entity) HasName(name string) bool {
	k := NameKey(name)
	for _, n := range e.Names() {
		if NameKey(n) == k {
			return true
		}
	}
	return false
}

// Referent returns the entity with the given ID.
func (a *Annotation) Referent(id string) (Entity, bool) {
	if i := a.referentIndex(id); i >= 0 {
		return a.Referents[i], true
	}
	return Entity{}, false
}

func (a *Annotation) referentIndex(id string) int {
	for i, e := range a.Referents {
		if e.ID == id {
			return i
		}
	}
	return -1
}

// MentionsOf returns the spans of an entity, in the order stored.
func (a *Annotation) MentionsOf(entityID string) []Span {
	var out []Span
	for _, s := range a.Entities {
		if s.Entity == entityID {
			out = append(out, s)
		}
	}
	return out
}

// EntityOfSpan returns the entity a span is a mention of.
func (a *Annotation) EntityOfSpan(spanID string) (Entity, bool) {
	s, ok := a.Span(spanID)
	if !ok {
		return Entity{}, false
	}
	return a.Referent(s.Entity)
}

// GroupMentions gives every span without a (known) entity one: the entity
// of the annotation with that label whose name or alias is the mention's
// text, else that of an identical mention (same text and label), else a new
// entity named by the text. It then drops entities left without mentions.
// It is how a new mention joins its entity and how annotations made before
// entities existed (and peer imports) get theirs. It reports the spans it
// joined to an entity that already existed.
func GroupMentions(a *Annotation, text string) (joined []string) {
	for i := range a.Entities {
		s := &a.Entities[i]
		if _, ok := a.Referent(s.Entity); ok && s.Entity != "" {
			continue
		}
		words := spanWords(text, *s)
		found := ""
		for _, e := range a.Referents {
			if e.Label == s.Label && e.HasName(words) {
				found = e.ID
				break
			}
		}
		if found == "" {
			id := a.NewID("n")
			a.Referents = append(a.Referents, Entity{ID: id, Name: words, Label: s.Label})
			found = id
		} else {
			joined = append(joined, s.ID)
		}
		s.Entity = found
	}
	PruneReferents(a)
	return joined
}

// spanWords is a span's text with white space collapsed, as a name.
func spanWords(text string, s Span) string {
	if CheckRange(text, s.Start, s.End) != nil {
		return ""
	}
	return strings.Join(strings.FieldsFunc(text[s.Start:s.End], unicode.IsSpace), " ")
}

// PruneReferents drops the entities no span mentions any more, with the
// affiliations and source grades that pointed at them: an entity lives as
// long as a mention of it.
func PruneReferents(a *Annotation) {
	used := map[string]bool{}
	for _, s := range a.Entities {
		used[s.Entity] = true
	}
	kept := a.Referents[:0]
	for _, e := range a.Referents {
		if used[e.ID] {
			kept = append(kept, e)
		}
	}
	a.Referents = kept
	for i := range a.Referents {
		e := &a.Referents[i]
		e.Affiliations = slices.DeleteFunc(e.Affiliations, func(f Affiliation) bool { return !used[f.Entity] })
		if len(e.Affiliations) == 0 {
			e.Affiliations = nil
		}
	}
	for i := range a.Sources {
		if a.Sources[i].Entity != "" && !used[a.Sources[i].Entity] {
			a.Sources[i].Entity = ""
		}
	}
}

// validateReferents checks the entity rules: every mention belongs to one
// entity that exists, ids are unique, affiliations point at entities of the
// annotation with a known role, and an entity's label is its mentions' or
// says why not.
func validateReferents(a *Annotation, s *Schema, add func(path, format string, args ...any)) {
	ids := map[string]bool{}
	for i, e := range a.Referents {
		path := fmt.Sprintf("referents[%s]", idOr(e.ID, i))
		switch {
		case e.ID == "":
			add(path+".id", "entity has no id")
		case ids[e.ID]:
			add(path+".id", "duplicate id")
		}
		ids[e.ID] = true
		if strings.TrimSpace(e.Name) == "" {
			add(path+".name", "an entity needs a name")
		}
		if _, ok := s.Label(e.Label); !ok {
			add(path+".label", "unknown label %q", e.Label)
		}
		for _, x := range e.ExternalIDs {
			if scheme, id, ok := strings.Cut(x, ":"); !ok || scheme == "" || id == "" {
				add(path+".external_ids", "%q is not scheme:id (wikidata:Q1325475, acled:...)", x)
			}
		}
	}
	mentions := map[string]int{}
	for i, sp := range a.Entities {
		path := fmt.Sprintf("entities[%s].entity", idOr(sp.ID, i))
		if sp.Entity == "" {
			add(path, "the mention belongs to no entity")
			continue
		}
		e, ok := a.Referent(sp.Entity)
		if !ok {
			add(path, "refers to unknown entity %q", sp.Entity)
			continue
		}
		mentions[e.ID]++
		if e.Label != sp.Label && e.LabelNote == "" {
			add(path, "the mention is %s but its entity %s is %s (relabel one, or say why in the entity's label note)", sp.Label, e.ID, e.Label)
		}
	}
	for i, e := range a.Referents {
		path := fmt.Sprintf("referents[%s]", idOr(e.ID, i))
		if mentions[e.ID] == 0 {
			add(path, "no mention refers to this entity")
		}
		for _, f := range e.Affiliations {
			if !ids[f.Entity] || f.Entity == e.ID {
				add(path+".affiliations", "refers to unknown entity %q", f.Entity)
			}
			if !slices.Contains(AffiliationRoles, f.Role) {
				add(path+".affiliations", "unknown role %q (use %s)", f.Role, strings.Join(AffiliationRoles, ", "))
			}
		}
	}
	for i, g := range a.Sources {
		if g.Entity != "" && !ids[g.Entity] {
			add(fmt.Sprintf("sources[%d].entity", i), "refers to unknown entity %q", g.Entity)
		}
	}
}

func cloneReferents(es []Entity) []Entity {
	if es == nil {
		return nil
	}
	out := make([]Entity, len(es))
	for i, e := range es {
		e.Aliases = slices.Clone(e.Aliases)
		e.ExternalIDs = slices.Clone(e.ExternalIDs)
		e.Affiliations = slices.Clone(e.Affiliations)
		out[i] = e
	}
	return out
}

// LinkRegistry links entity id of a to registry entry r: the entry's name
// becomes the canonical name (the article's becomes an alias), its aliases
// and external ids join the entity's. It reports whether the entity exists.
// The screen's links, accepted suggestions and pretagging all link this way.
func LinkRegistry(a *Annotation, id string, r RegistryEntry) bool {
	i := a.referentIndex(id)
	if i < 0 {
		return false
	}
	e := &a.Referents[i]
	old := e.Name
	e.Registry, e.Name = r.ID, r.Name
	for _, n := range append([]string{old}, r.Aliases...) {
		if strings.TrimSpace(n) != "" && !e.HasName(n) {
			e.Aliases = append(e.Aliases, n)
		}
	}
	for _, x := range r.ExternalIDs {
		if !slices.Contains(e.ExternalIDs, x) {
			e.ExternalIDs = append(e.ExternalIDs, x)
		}
	}
	return true
}

// RefName names what a span id refers to, for people: its entity's
// canonical name, else the span's words, else the id itself (a code of a
// multi-choice field). Forms, review and exports name field values so.
func (a *Annotation) RefName(id, text string) string {
	if e, ok := a.EntityOfSpan(id); ok {
		return e.Name
	}
	if s, ok := a.Span(id); ok {
		return spanWords(text, s)
	}
	return id
}
