package formats

import (
	"slices"
	"strings"

	"github.com/annotate-tool/annotate/internal/model"
)

// SameEntityRelation is the relation type by which Label Studio and
// doccano exports say two mentions are of one entity: from the entity's
// first mention to each other one.
const SameEntityRelation = "same_entity"

// fileEntities gathers what a file says about entities, mention by mention
// (a brat T line, a Label Studio region, a doccano entity, each known by
// its key in the file): equivalences that make mentions one entity (brat's
// * lines, the same_entity relations of Label Studio and doccano),
// normalisations that give it external ids or a registry link (brat's N
// lines), and annotate's brat notes (other canonical name, aliases, a label
// of its own). Each mention named by any of these is a mention of an
// entity the file defines; the other mentions are grouped as every import
// groups them (model.GroupMentions). Relations typed with an affiliation
// role then tie the entities of the mentions they link.
type fileEntities struct {
	spans  map[string][]string // mention key -> the spans it imported as
	parent map[string]string   // union-find over span IDs
	order  []string            // T IDs in the order they became explicit
	seen   map[string]bool
	name   map[string]string   // T ID -> "entity:" note
	label  map[string]string   // T ID -> "entity label:" note
	lnote  map[string]string   // T ID -> "label note:" note
	alias  map[string][]string // T ID -> aliases
	refs   map[string][]string // T ID -> external ids, registry link
	affs   [][3]string         // from T, to T, role
}

func newFileEntities() *fileEntities {
	return &fileEntities{spans: map[string][]string{}, parent: map[string]string{}, seen: map[string]bool{},
		name: map[string]string{}, label: map[string]string{}, lnote: map[string]string{}, alias: map[string][]string{}, refs: map[string][]string{}}
}

func (b *fileEntities) find(id string) string {
	for b.parent[id] != "" && b.parent[id] != id {
		id = b.parent[id]
	}
	return id
}

func (b *fileEntities) union(x, y string) {
	if rx, ry := b.find(x), b.find(y); rx != ry {
		b.parent[ry] = rx
	}
}

// explicit marks a T line as a mention of an entity the file defines;
// false when it is not an entity span.
func (b *fileEntities) explicit(t string) bool {
	spans := b.spans[t]
	if len(spans) == 0 {
		return false
	}
	if !b.seen[t] {
		b.seen[t] = true
		b.order = append(b.order, t)
		for _, id := range spans[1:] {
			b.union(spans[0], id)
		}
	}
	return true
}

// equiv joins the T lines of an equivalence; false (the line is kept as a
// note) when it names anything but entity spans.
func (b *fileEntities) equiv(ts []string) bool {
	for _, t := range ts {
		if b.spans[t] == nil {
			return false
		}
	}
	for _, t := range ts {
		b.explicit(t)
		b.union(b.spans[ts[0]][0], b.spans[t][0])
	}
	return len(ts) > 0
}

// reference reads a normalisation "DB:ID" as an external id (a registry
// link for annotate's own DB); false when it is not DB:ID.
func (b *fileEntities) reference(t, ref string) bool {
	if scheme, id, ok := strings.Cut(ref, ":"); !ok || scheme == "" || strings.TrimSpace(id) == "" {
		return false
	}
	b.explicit(t)
	b.refs[t] = append(b.refs[t], ref)
	return true
}

// affiliate keeps an affiliation between the entities of two mentions,
// set once every mention has its entity (affiliations).
func (b *fileEntities) affiliate(from, to, role string) {
	b.affs = append(b.affs, [3]string{from, to, role})
}

// affiliations ties the entities of the mentions each affiliation relation
// links, once the mentions have their entities.
func (b *fileEntities) affiliations(a *model.Annotation) {
	for _, f := range b.affs {
		from, _ := a.EntityOfSpan(b.spans[f[0]][0])
		to, _ := a.EntityOfSpan(b.spans[f[1]][0])
		i := slices.IndexFunc(a.Referents, func(e model.Entity) bool { return e.ID == from.ID })
		aff := model.Affiliation{Entity: to.ID, Role: f[2]}
		if i >= 0 && to.ID != "" && from.ID != to.ID && !slices.Contains(a.Referents[i].Affiliations, aff) {
			a.Referents[i].Affiliations = append(a.Referents[i].Affiliations, aff)
		}
	}
}

// note reads annotate's entity notes on a mention; false for any other.
func (b *fileEntities) note(t, note string) bool {
	switch {
	case strings.HasPrefix(note, bratEntityNote):
		b.name[t] = strings.TrimPrefix(note, bratEntityNote)
	case strings.HasPrefix(note, bratAliasNote):
		b.alias[t] = append(b.alias[t], strings.TrimPrefix(note, bratAliasNote))
	case strings.HasPrefix(note, bratEntityLabelNote):
		b.label[t] = strings.TrimPrefix(note, bratEntityLabelNote)
	case strings.HasPrefix(note, bratLabelNoteNote):
		b.lnote[t] = strings.TrimPrefix(note, bratLabelNoteNote)
	default:
		return false
	}
	b.explicit(t)
	return true
}

// any reports whether the file says anything about entities.
func (b *fileEntities) any() bool { return len(b.order) > 0 || len(b.affs) > 0 }

// finish builds the entities, groups the other mentions and ties the
// affiliations: the annotation's entities are then complete.
func (b *fileEntities) finish(a *model.Annotation, text string) {
	b.build(a, text)
	model.GroupMentions(a, text)
	b.affiliations(a)
}

// build makes one entity of each group of explicit mentions, in the order
// of their first mention: named by the file's note, else by the first
// mention's text; labelled by the note, else by the first mention's label.
// An equivalence joining mentions of several labels keeps them together
// and says so in the entity's label note.
func (b *fileEntities) build(a *model.Annotation, text string) {
	if len(b.order) == 0 {
		return
	}
	explicit := map[string]bool{}
	for _, t := range b.order {
		for _, id := range b.spans[t] {
			explicit[b.find(id)] = true
			explicit[id] = true
		}
	}
	entityOf := map[string]int{} // root span ID -> index into a.Referents
	for i := range a.Entities {
		sp := &a.Entities[i]
		if !explicit[sp.ID] {
			continue
		}
		root := b.find(sp.ID)
		k, ok := entityOf[root]
		if !ok {
			k = len(a.Referents)
			entityOf[root] = k
			a.Referents = append(a.Referents, model.Entity{ID: a.NewID("n"), Name: mentionName(text, *sp), Label: sp.Label})
		}
		sp.Entity = a.Referents[k].ID
	}
	mixed := map[int][]string{}
	for _, sp := range a.Entities {
		if k, ok := entityOf[b.find(sp.ID)]; ok && explicit[sp.ID] && !slices.Contains(mixed[k], sp.Label) {
			mixed[k] = append(mixed[k], sp.Label)
		}
	}
	of := func(t string) *model.Entity { return &a.Referents[entityOf[b.find(b.spans[t][0])]] }
	for _, t := range b.order {
		e := of(t)
		if n, ok := b.name[t]; ok && strings.TrimSpace(n) != "" {
			e.Name = n
		}
		if l, ok := b.label[t]; ok && l != "" {
			e.Label = l
		}
		if n, ok := b.lnote[t]; ok {
			e.LabelNote = n
		}
		for _, alias := range b.alias[t] {
			if strings.TrimSpace(alias) != "" && !slices.Contains(e.Aliases, alias) {
				e.Aliases = append(e.Aliases, alias)
			}
		}
		for _, ref := range b.refs[t] {
			scheme, id, _ := strings.Cut(ref, ":")
			switch {
			case scheme == RegistryScheme:
				e.Registry = id
			case !slices.Contains(e.ExternalIDs, ref):
				e.ExternalIDs = append(e.ExternalIDs, ref)
			}
		}
	}
	for k, labels := range mixed {
		if e := &a.Referents[k]; len(labels) > 1 && e.LabelNote == "" {
			e.LabelNote = "an equivalence in the file joins mentions labelled " + strings.Join(labels, ", ")
		}
	}
}

// affiliationRole reads a relation type as an affiliation role
// ("spokesperson", "Part-of"); "" when it is not one.
func affiliationRole(typ string) string {
	t := strings.ReplaceAll(strings.ToLower(typ), "-", "_")
	if slices.Contains(model.AffiliationRoles, t) {
		return t
	}
	return ""
}

// entityRelations lists the relations by which the relation forms of
// Label Studio and doccano carry entities, between the keys of the first
// mention of each (mention gives a span's key, "" when it is not
// written): same_entity from an entity's first mention to each other one,
// and each affiliation typed with its role.
func entityRelations(a model.Annotation, spans []NativeEntity, mention func(spanID string) string) [][3]string {
	first := map[string]string{}
	var out [][3]string
	for _, sp := range spans {
		key := mention(sp.ID)
		if key == "" || sp.Entity == "" {
			continue
		}
		if f, ok := first[sp.Entity]; ok {
			out = append(out, [3]string{f, key, SameEntityRelation})
		} else {
			first[sp.Entity] = key
		}
	}
	for _, e := range a.Referents {
		for _, f := range e.Affiliations {
			if from, to := first[e.ID], first[f.Entity]; from != "" && to != "" {
				out = append(out, [3]string{from, to, f.Role})
			}
		}
	}
	return out
}

// relation reads a relation between two mentions as what it says about
// entities; false when it says nothing of them.
func (b *fileEntities) relation(from, to, typ string) bool {
	if b.spans[from] == nil || b.spans[to] == nil {
		return false
	}
	switch {
	case typ == SameEntityRelation:
		return b.equiv([]string{from, to})
	case affiliationRole(typ) != "":
		b.affiliate(from, to, affiliationRole(typ))
		return true
	}
	return false
}
