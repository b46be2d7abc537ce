package model

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// mentionsText holds repeated names: ISIS three times (once in other
// case), the SDF under two names, and Raqqa as a place and as a name.
const mentionsText = "ISIS attacked. The SDF said ISIS lost; Syrian Democratic Forces held Raqqa. isis fled Raqqa."

// entityGroups describes an annotation's entities as "name LABEL: span
// ids", in order.
func entityGroups(a *Annotation) []string {
	var out []string
	for _, e := range a.Referents {
		var ids []string
		for _, s := range a.MentionsOf(e.ID) {
			ids = append(ids, s.ID)
		}
		out = append(out, e.Name+" "+e.Label+": "+strings.Join(ids, ","))
	}
	return out
}

// mention is the span of the n-th occurrence (1-based) of sub in
// mentionsText.
func mention(t *testing.T, id, sub string, n int, label string) Span {
	t.Helper()
	from := 0
	for ; n > 1; n-- {
		i := strings.Index(mentionsText[from:], sub)
		if i < 0 {
			t.Fatalf("%q occurs fewer times than asked", sub)
		}
		from += i + len(sub)
	}
	i := strings.Index(mentionsText[from:], sub)
	if i < 0 {
		t.Fatalf("%q is not in the text", sub)
	}
	return Span{ID: id, Start: from + i, End: from + i + len(sub), Label: label}
}

func TestGroupMentions(t *testing.T) {
	tests := []struct {
		name string
		// build fills an annotation, spans without entities being the
		// ones to group.
		build      func(t *testing.T, a *Annotation)
		want       []string
		wantJoined []string
	}{
		{"a new mention starts its own entity", func(t *testing.T, a *Annotation) {
			a.Entities = []Span{mention(t, "e1", "ISIS", 1, "ORG")}
		}, []string{"ISIS ORG: e1"}, nil},
		{"identical text and label join", func(t *testing.T, a *Annotation) {
			a.Entities = []Span{mention(t, "e1", "ISIS", 1, "ORG"), mention(t, "e2", "SDF", 1, "ORG"), mention(t, "e3", "ISIS", 2, "ORG")}
		}, []string{"ISIS ORG: e1,e3", "SDF ORG: e2"}, []string{"e3"}},
		{"names compare case folded", func(t *testing.T, a *Annotation) {
			a.Entities = []Span{mention(t, "e1", "ISIS", 1, "ORG"), mention(t, "e2", "isis", 1, "ORG")}
		}, []string{"ISIS ORG: e1,e2"}, []string{"e2"}},
		{"another label does not join", func(t *testing.T, a *Annotation) {
			a.Entities = []Span{mention(t, "e1", "Raqqa", 1, "GPE"), mention(t, "e2", "Raqqa", 2, "ORG")}
		}, []string{"Raqqa GPE: e1", "Raqqa ORG: e2"}, nil},
		{"a mention joins the entity with that alias", func(t *testing.T, a *Annotation) {
			a.Entities = []Span{mention(t, "e1", "Syrian Democratic Forces", 1, "ORG"), mention(t, "e2", "SDF", 1, "ORG")}
			a.Entities[0].Entity = "n7"
			a.Referents = []Entity{{ID: "n7", Name: "Syrian Democratic Forces", Label: "ORG", Aliases: []string{"SDF"}}}
		}, []string{"Syrian Democratic Forces ORG: e1,e2"}, []string{"e2"}},
		{"an alias of another label does not join", func(t *testing.T, a *Annotation) {
			a.Entities = []Span{mention(t, "e1", "Syrian Democratic Forces", 1, "ORG"), mention(t, "e2", "SDF", 1, "NORP")}
			a.Entities[0].Entity = "n7"
			a.Referents = []Entity{{ID: "n7", Name: "Syrian Democratic Forces", Label: "ORG", Aliases: []string{"SDF"}}}
		}, []string{"Syrian Democratic Forces ORG: e1", "SDF NORP: e2"}, nil},
		{"a mention keeps the entity it has", func(t *testing.T, a *Annotation) {
			a.Entities = []Span{mention(t, "e1", "ISIS", 1, "ORG"), mention(t, "e2", "ISIS", 2, "ORG")}
			a.Entities[0].Entity, a.Entities[1].Entity = "n1", "n2"
			a.Referents = []Entity{{ID: "n1", Name: "ISIS", Label: "ORG"}, {ID: "n2", Name: "ISIS", Label: "ORG"}}
		}, []string{"ISIS ORG: e1", "ISIS ORG: e2"}, nil},
		{"a mention of an unknown entity gets one", func(t *testing.T, a *Annotation) {
			a.Entities = []Span{mention(t, "e1", "ISIS", 1, "ORG")}
			a.Entities[0].Entity = "n40"
		}, []string{"ISIS ORG: e1"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewAnnotation("a1", "alice", "conflict-incidents")
			a.NextID = 10
			tt.build(t, &a)
			joined := GroupMentions(&a, mentionsText)
			if got := entityGroups(&a); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("entities %q, want %q", got, tt.want)
			}
			if !reflect.DeepEqual(joined, tt.wantJoined) {
				t.Errorf("joined %q, want %q", joined, tt.wantJoined)
			}
			if errs := Validate(&a, mentionsText, DefaultSchema()); len(errs) > 0 {
				t.Errorf("grouped annotation is not valid: %v", errs)
			}
			for _, e := range a.Referents {
				if e.ID == "n40" {
					t.Errorf("an entity kept the unknown id n40: %+v", e)
				}
			}
		})
	}
}

// TestGroupMentionsPrunes: an entity whose mentions are gone is dropped,
// and with it the affiliations and source grades that pointed at it.
func TestGroupMentionsPrunes(t *testing.T) {
	a := NewAnnotation("a1", "alice", "conflict-incidents")
	a.Entities = []Span{mention(t, "e1", "SDF", 1, "ORG"), mention(t, "e2", "ISIS", 1, "ORG")}
	GroupMentions(&a, mentionsText)
	sdf, isis := a.Entities[0].Entity, a.Entities[1].Entity
	// A spokesperson of the SDF, and grades of both.
	spokes := mention(t, "e3", "Syrian Democratic Forces", 1, "PER")
	a.Entities = append(a.Entities, spokes)
	GroupMentions(&a, mentionsText)
	per := a.Entities[2].Entity
	a.Referents[a.referentIndex(per)].Affiliations = []Affiliation{{Entity: sdf, Role: "spokesperson"}, {Entity: isis, Role: "member"}}
	a.Sources = []SourceGrade{{Source: "SDF", Entity: sdf, Reliability: "C"}, {Source: "ISIS", SpanID: "e2", Entity: isis, Reliability: "E"}}

	// The SDF's one mention is deleted.
	a.Entities = a.Entities[1:]
	GroupMentions(&a, mentionsText)
	if _, ok := a.Referent(sdf); ok {
		t.Errorf("entity %s without mentions was kept: %+v", sdf, a.Referents)
	}
	p, _ := a.Referent(per)
	if want := []Affiliation{{Entity: isis, Role: "member"}}; !reflect.DeepEqual(p.Affiliations, want) {
		t.Errorf("affiliations %+v, want only the one to ISIS", p.Affiliations)
	}
	if a.Sources[0].Entity != "" || a.Sources[1].Entity != isis {
		t.Errorf("grades point at %q and %q; want none (its entity is gone) and %s", a.Sources[0].Entity, a.Sources[1].Entity, isis)
	}
	if errs := Validate(&a, mentionsText, DefaultSchema()); len(errs) > 0 {
		t.Errorf("pruned annotation is not valid: %v", errs)
	}

	// The last affiliation goes with ISIS: none is left, not an empty list.
	a.Entities = a.Entities[1:]
	GroupMentions(&a, mentionsText)
	if p, _ := a.Referent(per); p.Affiliations != nil || len(a.Referents) != 1 {
		t.Errorf("after ISIS went: entities %+v", a.Referents)
	}
}

func TestNameKey(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		same bool
	}{
		{"the SDF", "The  SDF", true},
		{"SDF", " sdf\t", true},
		{"SDF", "S.D.F.", false},
		{"Raqqa", "Ar-Raqqa", false},
	} {
		if got := NameKey(tt.a) == NameKey(tt.b); got != tt.same {
			t.Errorf("NameKey(%q) == NameKey(%q) is %v, want %v", tt.a, tt.b, got, tt.same)
		}
	}
}

// TestMergeEntities: folding one entity into another moves its mentions,
// names (as aliases), external ids and affiliations; what pointed at it
// points at the other; no entity ends up
// affiliated to itself.
func TestMergeEntities(t *testing.T) {
	a := Annotation{
		Entities: []Span{{ID: "e1", Start: 0, End: 3, Label: "ORG", Entity: "n1"}, {ID: "e2", Start: 10, End: 34, Label: "ORG", Entity: "n2"},
			{ID: "e3", Start: 40, End: 45, Label: "PER", Entity: "n3"}},
		Referents: []Entity{
			{ID: "n1", Name: "SDF", Label: "ORG", ExternalIDs: []string{"wikidata:Q1"}, Affiliations: []Affiliation{{Entity: "n2", Role: "part_of"}}},
			{ID: "n2", Name: "Syrian Democratic Forces", Label: "ORG", Aliases: []string{"SDF"}},
			{ID: "n3", Name: "Leyla", Label: "PER", Affiliations: []Affiliation{{Entity: "n1", Role: "spokesperson"}}},
		},
		Sources: []SourceGrade{{Source: "SDF", Entity: "n1", Reliability: "B"}},
	}
	got := MergeEntities(&a, "n2", "n1")
	if got.ID != "n2" || got.Name != "Syrian Democratic Forces" || !slices.Equal(got.ExternalIDs, []string{"wikidata:Q1"}) || len(got.Affiliations) != 0 {
		t.Errorf("merged entity %+v", got)
	}
	if len(a.Referents) != 2 || a.Entities[0].Entity != "n2" {
		t.Errorf("after the merge: referents %+v, mentions %+v", a.Referents, a.Entities)
	}
	if a.Referents[1].Affiliations[0].Entity != "n2" || a.Sources[0].Entity != "n2" {
		t.Errorf("what pointed at the merged entity: %+v, %+v", a.Referents[1].Affiliations, a.Sources)
	}
}
