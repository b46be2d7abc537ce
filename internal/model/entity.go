package model

import (
	"encoding/json"
	"fmt"
	"maps"
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
	// "acled:Islamic State (Syria)"; an id written without a scheme is
	// kept under BareScheme ("kb:Q42", see ExternalIDOf).
	ExternalIDs []string `json:"external_ids,omitempty"`
	// Registry is the id of the database's registry entry this entity is
	// linked to ("" when not linked).
	Registry     string        `json:"registry,omitempty"`
	Affiliations []Affiliation `json:"affiliations,omitempty"`
	// LabelNote says why the entity's label differs from a mention's;
	// without one every mention has the entity's label.
	LabelNote string `json:"label_note,omitempty"`
}

// BareScheme is the scheme an external id is kept under when the tool that
// wrote it gave it none: a spaCy kb_id "Q42" or an EntityRuler pattern's id
// "isis" is kept as "kb:Q42", "kb:isis", and written back to such a tool
// as it was ("Q42"), since entity linking trains on the knowledge base's
// own ids.
const BareScheme = "kb"

// ExternalIDOf is the external id that keeps an id another tool wrote: the
// id itself when it reads scheme:id ("wikidata:Q42"), else the id under
// BareScheme ("kb:Q42"). An id written under BareScheme itself ("kb:x")
// gets a second one ("kb:kb:x"), so that WrittenID gives back every id
// exactly as written.
func ExternalIDOf(written string) string {
	if isSchemeID(written) && !strings.HasPrefix(written, BareScheme+":") {
		return written
	}
	return BareScheme + ":" + written
}

// WrittenID is an external id as a tool that takes ids with or without a
// scheme writes it: without BareScheme ("kb:Q42" is "Q42"), any other as
// it is ("wikidata:Q42").
func WrittenID(external string) string {
	return strings.TrimPrefix(external, BareScheme+":")
}

// isSchemeID reports whether x reads scheme:id: something, a colon and
// something after it.
func isSchemeID(x string) bool {
	scheme, id, ok := strings.Cut(x, ":")
	return ok && scheme != "" && id != ""
}

// Affiliation ties an entity to another one of the same annotation: Nisreen
// Abdullah is spokesperson of the SDF.
type Affiliation struct {
	Entity string `json:"entity"`
	Role   string `json:"role"`
}

// AffiliationRoles are the roles an affiliation may have.
var AffiliationRoles = []string{"spokesperson", "member", "commander", "leader", "part_of"}

// RegistryEntry is an entity the database knows across articles: what
// suggestions are made from and what an article's entity links to.
//
// Who it is suggested to depends on how it entered (Origin): an entry an
// annotator's own tagging or linking made is that annotator's (and of the
// others whose own work came to it, Makers) until a reviewer confirms it
// or someone adds it on purpose; every other entry is everyone's. Names an
// annotator's linking taught an entry wait in PendingAliases, each the
// proposer's, until confirmed. Grades are kept per annotator. OfferedTo,
// RegistryFor and OfferedGrade say what each annotator is offered.
type RegistryEntry struct {
	ID          string   `json:"id"` // "r12"
	Name        string   `json:"name"`
	Label       string   `json:"label"`
	Aliases     []string `json:"aliases,omitempty"`
	ExternalIDs []string `json:"external_ids,omitempty"`
	// Origin says how the entry entered the registry (OriginTagging,
	// OriginLinking, OriginAdded, OriginConfirmed); "" for an entry made
	// before origins were kept, which counts as curated, so nothing an
	// existing team relied on stops being suggested.
	Origin string `json:"origin,omitempty"`
	// By is who made it so: the annotator whose tagging or linking made
	// it, who added it, or who confirmed it.
	By string `json:"by,omitempty"`
	// Makers are the annotators whose own tagging or linking made the
	// entry or came to it (By first); before it is curated it is
	// suggested to them alone.
	Makers []string `json:"makers,omitempty"`
	// PendingAliases are names an annotator's linking taught the entry:
	// each is suggested to its proposer only, until confirmed.
	PendingAliases []RegistryAlias `json:"pending_aliases,omitempty"`
	// Grades are the source grades given to entities linked to this
	// entry, the last one per annotator (gold's too), so a later article
	// can offer each annotator their own.
	Grades    map[string]RegistryGrade `json:"grades,omitempty"`
	UpdatedAt time.Time                `json:"updated_at"`
	UpdatedBy string                   `json:"updated_by,omitempty"`
}

// How a registry entry entered the registry (RegistryEntry.Origin).
const (
	// OriginTagging: an annotator's tag-all made it.
	OriginTagging = "tagging"
	// OriginLinking: an annotator linked an entity of an article to the
	// registry as a new entry.
	OriginLinking = "linking"
	// OriginAdded: someone added it on purpose (annotate entities add).
	OriginAdded = "added"
	// OriginConfirmed: a reviewer confirmed what an annotator's tagging or
	// linking made.
	OriginConfirmed = "confirmed"
)

// RegistryOrigins are the origins an entry may have ("" aside).
var RegistryOrigins = []string{OriginTagging, OriginLinking, OriginAdded, OriginConfirmed}

// RegistryAlias is a name an annotator's linking proposed for an entry.
type RegistryAlias struct {
	Name string `json:"name"`
	By   string `json:"by"`
}

// RegistryGrade is a source grade kept with a registry entry: who gave it,
// in which article, when.
type RegistryGrade struct {
	Reliability string    `json:"reliability"`
	Rationale   string    `json:"rationale,omitempty"`
	By          string    `json:"by,omitempty"`
	ArticleID   string    `json:"article,omitempty"`
	At          time.Time `json:"at,omitzero"`
}

// UnmarshalJSON reads an entry, also as databases kept it before grades
// were per annotator: the one "grade" becomes the grade of the annotator
// who gave it (its "by").
func (e *RegistryEntry) UnmarshalJSON(data []byte) error {
	type plain RegistryEntry
	var v struct {
		plain
		Grade *RegistryGrade `json:"grade"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*e = RegistryEntry(v.plain)
	if v.Grade != nil && len(e.Grades) == 0 {
		e.Grades = map[string]RegistryGrade{v.Grade.By: *v.Grade}
	}
	return nil
}

// Curated reports whether the entry is everyone's: added on purpose,
// confirmed, or from before origins were kept.
func (e RegistryEntry) Curated() bool {
	return e.Origin != OriginTagging && e.Origin != OriginLinking
}

// OfferedTo reports whether the entry is suggested to annotator: a curated
// entry to everyone, another to its makers, every entry to gold (the
// reviewer sees every version anyway) and to everyone when the registry is
// shared.
func (e RegistryEntry) OfferedTo(annotator string, shared bool) bool {
	return shared || e.Curated() || annotator == GoldAnnotator || slices.Contains(e.Makers, annotator)
}

// SeenBy is the entry as annotator is offered it: its aliases with the
// pending ones annotator proposed (every pending one when shared, or for
// gold), nothing pending left.
func (e RegistryEntry) SeenBy(annotator string, shared bool) RegistryEntry {
	seen := e
	seen.Aliases = slices.Clone(e.Aliases)
	for _, p := range e.PendingAliases {
		if (shared || annotator == GoldAnnotator || p.By == annotator) && !seen.HasName(p.Name) {
			seen.Aliases = append(seen.Aliases, p.Name)
		}
	}
	seen.PendingAliases = nil
	return seen
}

// HasName reports whether name is the entry's name or one of its
// (confirmed) aliases, compared by NameKey.
func (e RegistryEntry) HasName(name string) bool {
	k := NameKey(name)
	for _, n := range e.Names() {
		if NameKey(n) == k {
			return true
		}
	}
	return false
}

// RegistryFor returns the entries of all suggested to annotator under
// schema s, as they see them (SeenBy): entries offered to them
// (OfferedTo, with the schema's shared setting) whose label the schema
// keeps in the registry. Suggestions, pretagging and the screen's link
// prompt all read the registry through it.
func RegistryFor(all []RegistryEntry, s *Schema, annotator string) []RegistryEntry {
	shared := s.RegistryShared()
	var out []RegistryEntry
	for _, e := range all {
		if s.KeepsInRegistry(e.Label) && e.OfferedTo(annotator, shared) {
			out = append(out, e.SeenBy(annotator, shared))
		}
	}
	return out
}

// NewRegistryEntry is the entry an annotator's own tagging or linking
// (origin) makes of an article's entity: its name, label and external ids,
// its other names pending as the annotator's proposals, the annotator its
// one maker.
func NewRegistryEntry(e Entity, origin, annotator string) RegistryEntry {
	r := RegistryEntry{Name: e.Name, Label: e.Label, ExternalIDs: slices.Clone(e.ExternalIDs),
		Origin: origin, By: annotator, Makers: []string{annotator}}
	r.LearnNames(e, annotator)
	return r
}

// AddMaker records that annotator's own work came to the entry too (their
// tag-all found it by name), so it is suggested to them as to its other
// makers. It reports whether anything changed: a curated entry needs no
// makers.
func (e *RegistryEntry) AddMaker(annotator string) bool {
	if e.Curated() || slices.Contains(e.Makers, annotator) {
		return false
	}
	e.Makers = append(slices.Clone(e.Makers), annotator)
	return true
}

// LearnNames teaches the entry the names of an article's entity linked to
// it, as annotator's linking made them: an entry that is annotator's alone
// (made by their work, no other maker) takes the entity's canonical name
// (its own becoming a pending alias); otherwise, and for the other names,
// each name the entry does not know becomes a pending alias proposed by
// annotator. Gold's names are a reviewer's: aliases at once. It reports
// whether anything changed.
func (e *RegistryEntry) LearnNames(ent Entity, annotator string) bool {
	// A copy of an entry shares its slices: change only new ones.
	e.Aliases, e.PendingAliases = slices.Clone(e.Aliases), slices.Clone(e.PendingAliases)
	if annotator == GoldAnnotator {
		changed := false
		for _, n := range ent.Names() {
			if strings.TrimSpace(n) != "" && !e.HasName(n) {
				e.AddAlias(n)
				changed = true
			}
		}
		return changed
	}
	changed := false
	if !e.Curated() && slices.Equal(e.Makers, []string{annotator}) && strings.TrimSpace(ent.Name) != "" && e.Name != ent.Name {
		old := e.Name
		e.Name = ent.Name
		e.Aliases = slices.DeleteFunc(e.Aliases, func(a string) bool { return NameKey(a) == NameKey(ent.Name) })
		e.PendingAliases = slices.DeleteFunc(e.PendingAliases, func(p RegistryAlias) bool { return NameKey(p.Name) == NameKey(ent.Name) })
		e.proposeAlias(old, annotator)
		changed = true
	}
	for _, n := range ent.Names() {
		if e.proposeAlias(n, annotator) {
			changed = true
		}
	}
	return changed
}

// proposeAlias adds name as annotator's pending alias unless the entry
// already goes by it or annotator already proposed it.
func (e *RegistryEntry) proposeAlias(name, annotator string) bool {
	name = strings.TrimSpace(name)
	if name == "" || e.HasName(name) || slices.ContainsFunc(e.PendingAliases, func(p RegistryAlias) bool {
		return p.By == annotator && NameKey(p.Name) == NameKey(name)
	}) {
		return false
	}
	e.PendingAliases = append(e.PendingAliases, RegistryAlias{Name: name, By: annotator})
	return true
}

// AddAlias gives the entry an alias on purpose (annotate entities alias,
// or add): everyone's at once, and no longer pending for anyone.
func (e *RegistryEntry) AddAlias(name string) {
	e.Aliases, e.PendingAliases = slices.Clone(e.Aliases), slices.Clone(e.PendingAliases)
	name = strings.TrimSpace(name)
	e.PendingAliases = slices.DeleteFunc(e.PendingAliases, func(p RegistryAlias) bool { return NameKey(p.Name) == NameKey(name) })
	if len(e.PendingAliases) == 0 {
		e.PendingAliases = nil
	}
	if name != "" && !e.HasName(name) {
		e.Aliases = append(e.Aliases, name)
	}
}

// Curate makes an entry someone's annotator work made everyone's, as who
// did it on purpose (OriginAdded: entities add of its name). Its pending
// aliases stay their proposers' (ConfirmRegistry confirms those). It
// reports whether the entry was not curated before.
func (e *RegistryEntry) Curate(origin, who string) bool {
	if e.Curated() {
		return false
	}
	e.Origin, e.By = origin, who
	return true
}

// ConfirmRegistry is a reviewer's confirmation of an entry: what an
// annotator's tagging or linking made becomes everyone's (OriginConfirmed,
// by the reviewer), and every pending alias becomes an alias. It reports
// whether anything changed: confirming a curated entry with nothing
// pending does nothing. The review screen and annotate entities confirm
// both confirm this way (store.ConfirmRegistry stores it).
func ConfirmRegistry(e *RegistryEntry, reviewer string) bool {
	changed := e.Curate(OriginConfirmed, reviewer)
	e.Aliases = slices.Clone(e.Aliases)
	for _, p := range e.PendingAliases {
		if !e.HasName(p.Name) {
			e.Aliases = append(e.Aliases, p.Name)
		}
		changed = true
	}
	e.PendingAliases = nil
	return changed
}

// SetGrade keeps annotator's grade of the entry, replacing only their own
// earlier one.
func (e *RegistryEntry) SetGrade(annotator string, g RegistryGrade) {
	if e.Grades == nil {
		e.Grades = map[string]RegistryGrade{}
	} else {
		e.Grades = maps.Clone(e.Grades)
	}
	g.By = annotator
	e.Grades[annotator] = g
}

// OfferedGrade is the grade an article (articleID) may offer annotator for
// a source linked to this entry, as "graded in an earlier article": their
// own grade, else gold's, given in another article. With a shared registry
// the last grade anyone gave in another article is offered when neither
// is. Nothing else is: another annotator's grade, or one given in this
// very article, is not an earlier article's.
func (e RegistryEntry) OfferedGrade(annotator, articleID string, shared bool) (RegistryGrade, bool) {
	usable := func(g RegistryGrade) bool { return g.Reliability != "" && g.ArticleID != articleID }
	for _, who := range []string{annotator, GoldAnnotator} {
		if g, ok := e.Grades[who]; ok && usable(g) {
			return g, true
		}
	}
	if !shared {
		return RegistryGrade{}, false
	}
	var best RegistryGrade
	found := false
	for _, who := range slices.Sorted(maps.Keys(e.Grades)) {
		if g := e.Grades[who]; usable(g) && (!found || g.At.After(best.At)) {
			best, found = g, true
		}
	}
	return best, found
}

// LastGrade is the grade last given to the entry, by anyone (nil when
// none): the one a grade without a time (kept before grades had one)
// counts as oldest.
func (e RegistryEntry) LastGrade() *RegistryGrade {
	var last *RegistryGrade
	for _, who := range slices.Sorted(maps.Keys(e.Grades)) {
		if g := e.Grades[who]; last == nil || g.At.After(last.At) {
			last = &g
		}
	}
	return last
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
			if !isSchemeID(x) {
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

// MergeEntities folds entity from into entity into: from's mentions, names
// (as aliases), external ids and affiliations move over; grades and
// affiliations pointing at from point at into; a mention of another label
// takes the entity's (unless the entity says why its label differs). It
// returns the result. The screen's link (e) and review both join entities
// so.
func MergeEntities(a *Annotation, into, from string) Entity {
	fi, ii := -1, -1
	for i, e := range a.Referents {
		switch e.ID {
		case from:
			fi = i
		case into:
			ii = i
		}
	}
	if fi < 0 || ii < 0 {
		return Entity{}
	}
	src, dst := a.Referents[fi], &a.Referents[ii]
	for _, n := range src.Names() {
		dst.addName(n)
	}
	for _, x := range src.ExternalIDs {
		if !slices.Contains(dst.ExternalIDs, x) {
			dst.ExternalIDs = append(dst.ExternalIDs, x)
		}
	}
	if dst.Registry == "" {
		dst.Registry = src.Registry
	}
	dst.Affiliations = append(dst.Affiliations, src.Affiliations...)
	for i := range a.Entities {
		if a.Entities[i].Entity == from {
			a.Entities[i].Entity = into
			if a.Entities[i].Label != dst.Label && dst.LabelNote == "" {
				a.Entities[i].Label = dst.Label
			}
		}
	}
	for i := range a.Referents {
		for j := range a.Referents[i].Affiliations {
			if a.Referents[i].Affiliations[j].Entity == from {
				a.Referents[i].Affiliations[j].Entity = into
			}
		}
	}
	for i := range a.Sources {
		if a.Sources[i].Entity == from {
			a.Sources[i].Entity = into
		}
	}
	merged := *dst
	a.Referents = append(a.Referents[:fi], a.Referents[fi+1:]...)
	// An entity is not affiliated to itself, nor twice the same way.
	for i := range a.Referents {
		if a.Referents[i].ID != into {
			continue
		}
		var keep []Affiliation
		for _, f := range a.Referents[i].Affiliations {
			if f.Entity != into && !slices.Contains(keep, f) {
				keep = append(keep, f)
			}
		}
		a.Referents[i].Affiliations = keep
		merged = a.Referents[i]
	}
	return merged
}

// addName adds n to an entity's aliases unless it already has that name.
func (e *Entity) addName(n string) {
	if strings.TrimSpace(n) != "" && !e.HasName(n) {
		e.Aliases = append(e.Aliases, n)
	}
}
