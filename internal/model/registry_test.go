package model

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"
)

// registryOf returns entries for the offering tests: one curated from
// before origins (Raqqa), one added on purpose with a pending alias of
// alice's (ISIS), alice's own from her tagging (SDF), bob's and alice's
// from their linking (Hasakah), a date from before the label flag.
func registryOf() []RegistryEntry {
	return []RegistryEntry{
		{ID: "r1", Name: "Raqqa", Label: "GPE"},
		{ID: "r2", Name: "ISIS", Label: "ORG", Aliases: []string{"Islamic State"}, Origin: OriginAdded, By: "carol",
			PendingAliases: []RegistryAlias{{Name: "militant group", By: "alice"}, {Name: "Daesh", By: "bob"}}},
		{ID: "r3", Name: "SDF", Label: "ORG", Origin: OriginTagging, By: "alice", Makers: []string{"alice"},
			PendingAliases: []RegistryAlias{{Name: "Syrian Democratic Forces", By: "alice"}}},
		{ID: "r4", Name: "Hasakah", Label: "GPE", Origin: OriginLinking, By: "bob", Makers: []string{"bob", "alice"}},
		{ID: "r5", Name: "July 27, 2017", Label: "TIME"},
	}
}

// names lists each entry as "id name|alias|...".
func names(entries []RegistryEntry) []string {
	var out []string
	for _, e := range entries {
		s := e.ID
		for _, n := range e.Names() {
			s += " " + n + "|"
		}
		out = append(out, s)
	}
	return out
}

func TestRegistryFor(t *testing.T) {
	schema := DefaultSchema()
	shared := DefaultSchema()
	shared.Registry = &RegistrySettings{Shared: true}
	tests := []struct {
		who    string
		schema *Schema
		want   []string
	}{
		{"carol", schema, []string{"r1 Raqqa|", "r2 ISIS| Islamic State|"}},
		{"alice", schema, []string{"r1 Raqqa|", "r2 ISIS| Islamic State| militant group|", "r3 SDF| Syrian Democratic Forces|", "r4 Hasakah|"}},
		{"bob", schema, []string{"r1 Raqqa|", "r2 ISIS| Islamic State| Daesh|", "r4 Hasakah|"}},
		{GoldAnnotator, schema, []string{"r1 Raqqa|", "r2 ISIS| Islamic State| militant group| Daesh|", "r3 SDF| Syrian Democratic Forces|", "r4 Hasakah|"}},
		{"carol", shared, []string{"r1 Raqqa|", "r2 ISIS| Islamic State| militant group| Daesh|", "r3 SDF| Syrian Democratic Forces|", "r4 Hasakah|"}},
	}
	for _, tt := range tests {
		all := registryOf()
		got := RegistryFor(all, tt.schema, tt.who)
		if !slices.Equal(names(got), tt.want) {
			t.Errorf("RegistryFor(%s, shared %v) = %q, want %q", tt.who, tt.schema.RegistryShared(), names(got), tt.want)
		}
		for _, e := range got {
			if e.PendingAliases != nil {
				t.Errorf("%s sees %s with pending aliases %+v", tt.who, e.ID, e.PendingAliases)
			}
		}
		if !reflect.DeepEqual(all, registryOf()) {
			t.Errorf("RegistryFor(%s) changed the entries it read", tt.who)
		}
	}
}

func TestOfferedTo(t *testing.T) {
	for _, tt := range []struct {
		e      RegistryEntry
		who    string
		shared bool
		want   bool
	}{
		{RegistryEntry{}, "bob", false, true}, // from before origins: curated
		{RegistryEntry{Origin: OriginAdded}, "bob", false, true},
		{RegistryEntry{Origin: OriginConfirmed}, "bob", false, true},
		{RegistryEntry{Origin: OriginTagging, Makers: []string{"alice"}}, "alice", false, true},
		{RegistryEntry{Origin: OriginTagging, Makers: []string{"alice"}}, "bob", false, false},
		{RegistryEntry{Origin: OriginLinking, Makers: []string{"alice"}}, "bob", false, false},
		{RegistryEntry{Origin: OriginLinking, Makers: []string{"alice"}}, "bob", true, true},
		{RegistryEntry{Origin: OriginLinking, Makers: []string{"alice"}}, GoldAnnotator, false, true},
	} {
		if got := tt.e.OfferedTo(tt.who, tt.shared); got != tt.want {
			t.Errorf("%+v.OfferedTo(%s, %v) = %v, want %v", tt.e, tt.who, tt.shared, got, tt.want)
		}
	}
}

// TestRegistryGrades: each annotator keeps their own grade; an article
// offers an annotator their own grade, else gold's, given in another
// article; a shared registry offers the last anyone gave elsewhere.
func TestRegistryGrades(t *testing.T) {
	var e RegistryEntry
	day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC) }
	e.SetGrade("alice", RegistryGrade{Reliability: "E", ArticleID: "a1", At: day(1)})
	copied := e
	e.SetGrade("bob", RegistryGrade{Reliability: "D", ArticleID: "a1", At: day(2)})
	if len(copied.Grades) != 1 {
		t.Errorf("SetGrade changed a copy of the entry: %+v", copied.Grades)
	}
	if e.Grades["alice"].Reliability != "E" || e.Grades["bob"].Reliability != "D" || e.Grades["bob"].By != "bob" {
		t.Fatalf("grades %+v: bob's D overwrote alice's E", e.Grades)
	}
	if g := e.LastGrade(); g == nil || g.Reliability != "D" {
		t.Errorf("LastGrade = %+v, want bob's D", g)
	}
	offered := func(who, article string, shared bool) string {
		g, ok := e.OfferedGrade(who, article, shared)
		if !ok {
			return ""
		}
		return g.Reliability
	}
	for _, tt := range []struct {
		who, article string
		shared       bool
		want         string
	}{
		{"alice", "a2", false, "E"},
		{"bob", "a2", false, "D"},
		{"carol", "a2", false, ""},
		{"alice", "a1", false, ""}, // given in this very article
		{"carol", "a2", true, "D"}, // shared: the last anyone gave
		{"carol", "a1", true, ""},
	} {
		if got := offered(tt.who, tt.article, tt.shared); got != tt.want {
			t.Errorf("OfferedGrade(%s, %s, shared %v) = %q, want %q", tt.who, tt.article, tt.shared, got, tt.want)
		}
	}
	e.SetGrade(GoldAnnotator, RegistryGrade{Reliability: "C", ArticleID: "a3"})
	if got := offered("carol", "a2", false); got != "C" {
		t.Errorf("carol, who graded nothing, is offered %q, want gold's C", got)
	}
	if got := offered("alice", "a2", false); got != "E" {
		t.Errorf("alice is offered %q, want her own E before gold's", got)
	}
}

// TestRegistryEntryLegacyJSON: an entry stored before grades were per
// annotator keeps its one grade as the grade of who gave it, and one
// before origins is curated.
func TestRegistryEntryLegacyJSON(t *testing.T) {
	old := `{"id":"r1","name":"SDF","label":"ORG","grade":{"reliability":"C","rationale":"party","by":"alice","article":"a1"},"updated_at":"2026-01-01T00:00:00Z","updated_by":"alice"}`
	var e RegistryEntry
	if err := json.Unmarshal([]byte(old), &e); err != nil {
		t.Fatal(err)
	}
	want := map[string]RegistryGrade{"alice": {Reliability: "C", Rationale: "party", By: "alice", ArticleID: "a1"}}
	if !reflect.DeepEqual(e.Grades, want) || !e.Curated() || e.Name != "SDF" || e.UpdatedBy != "alice" {
		t.Errorf("legacy entry read as %+v", e)
	}
	if g, ok := e.OfferedGrade("alice", "a2", false); !ok || g.Reliability != "C" {
		t.Errorf("the legacy grade is not offered to alice: %+v, %v", g, ok)
	}
	data, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var again RegistryEntry
	if err := json.Unmarshal(data, &again); err != nil || !reflect.DeepEqual(again, e) {
		t.Errorf("round trip %s: %+v, %v", data, again, err)
	}
	var raw map[string]json.RawMessage
	_ = json.Unmarshal(data, &raw)
	if _, ok := raw["grade"]; ok {
		t.Errorf("written with the old grade: %s", data)
	}
}

// TestLearnNames: the names an annotator's linking teaches an entry wait
// as that annotator's pending aliases; an entry that is theirs alone takes
// the canonical name; gold's are aliases at once; a copy is never changed.
func TestLearnNames(t *testing.T) {
	ent := Entity{Name: "Syrian Democratic Forces", Label: "ORG", Aliases: []string{"SDF", "QSD"}}
	curated := RegistryEntry{ID: "r1", Name: "SDF", Label: "ORG", Aliases: make([]string, 0, 4), Origin: OriginAdded}
	keep := curated
	if !curated.LearnNames(ent, "alice") {
		t.Fatal("LearnNames changed nothing")
	}
	if curated.Name != "SDF" || len(curated.Aliases) != 0 ||
		!reflect.DeepEqual(curated.PendingAliases, []RegistryAlias{{"Syrian Democratic Forces", "alice"}, {"QSD", "alice"}}) {
		t.Errorf("alice's linking on a curated entry: %+v", curated)
	}
	if keep.PendingAliases != nil || len(keep.Aliases) != 0 {
		t.Errorf("the copy changed: %+v", keep)
	}
	if curated.LearnNames(ent, "alice") {
		t.Error("learning the same names again changed the entry")
	}

	own := NewRegistryEntry(Entity{Name: "SDF", Label: "ORG"}, OriginTagging, "alice")
	own.LearnNames(ent, "alice")
	if own.Name != "Syrian Democratic Forces" || !reflect.DeepEqual(own.PendingAliases, []RegistryAlias{{"SDF", "alice"}, {"QSD", "alice"}}) {
		t.Errorf("alice's own entry: %+v; want it renamed, the old name pending as hers", own)
	}
	shared := NewRegistryEntry(Entity{Name: "SDF", Label: "ORG"}, OriginTagging, "alice")
	shared.AddMaker("bob")
	shared.LearnNames(ent, "alice")
	if shared.Name != "SDF" {
		t.Errorf("an entry bob came to too was renamed by alice: %+v", shared)
	}

	gold := RegistryEntry{ID: "r1", Name: "SDF", Label: "ORG", Origin: OriginAdded, PendingAliases: []RegistryAlias{{"QSD", "bob"}}}
	gold.LearnNames(ent, GoldAnnotator)
	if !reflect.DeepEqual(gold.Aliases, []string{"Syrian Democratic Forces", "QSD"}) || gold.PendingAliases != nil {
		t.Errorf("gold's linking: %+v; want the names aliases at once", gold)
	}
}

func TestConfirmRegistry(t *testing.T) {
	e := NewRegistryEntry(Entity{Name: "ISIS", Label: "ORG", Aliases: []string{"Daesh"}, ExternalIDs: []string{"wikidata:Q2429253"}}, OriginLinking, "alice")
	if e.Curated() || !slices.Equal(e.Makers, []string{"alice"}) || e.By != "alice" || !slices.Equal(e.ExternalIDs, []string{"wikidata:Q2429253"}) {
		t.Fatalf("NewRegistryEntry = %+v", e)
	}
	if e.AddMaker("alice") || !e.AddMaker("bob") || !slices.Equal(e.Makers, []string{"alice", "bob"}) {
		t.Errorf("AddMaker: makers %q", e.Makers)
	}
	if !ConfirmRegistry(&e, "carol") || e.Origin != OriginConfirmed || e.By != "carol" || !slices.Equal(e.Aliases, []string{"Daesh"}) || e.PendingAliases != nil {
		t.Errorf("confirmed %+v", e)
	}
	if ConfirmRegistry(&e, "dora") || e.By != "carol" {
		t.Errorf("confirming twice changed %+v", e)
	}
	if e.AddMaker("erin") {
		t.Error("a curated entry took a maker")
	}
	added := NewRegistryEntry(Entity{Name: "SDF", Label: "ORG", Aliases: []string{"QSD"}}, OriginTagging, "alice")
	if !added.Curate(OriginAdded, "carol") || added.Origin != OriginAdded || len(added.PendingAliases) != 1 {
		t.Errorf("curated %+v; want added by carol, alice's alias still pending", added)
	}
	added.AddAlias("qsd")
	if !slices.Equal(added.Aliases, []string{"qsd"}) || added.PendingAliases != nil {
		t.Errorf("AddAlias of a pending name: %+v", added)
	}
}

func TestKeepsInRegistry(t *testing.T) {
	def := DefaultSchema()
	if got, want := def.RegistryLabels(), []string{"ORG", "PER", "NORP", "GPE", "LOC", "FAC"}; !slices.Equal(got, want) {
		t.Errorf("the default schema keeps %q, want %q", got, want)
	}
	// A schema written before the flag keeps the default's labels it has.
	old := &Schema{Labels: []Label{{Name: "ORG"}, {Name: "GPE"}, {Name: "COUNT"}, {Name: "PERSON"}}}
	if got, want := old.RegistryLabels(), []string{"ORG", "GPE"}; !slices.Equal(got, want) {
		t.Errorf("an unmarked schema keeps %q, want %q", got, want)
	}
	yes, no := true, false
	marked := &Schema{Labels: []Label{{Name: "ORG", Registry: &no}, {Name: "PERSON", Registry: &yes}, {Name: "GPE"}}}
	if got, want := marked.RegistryLabels(), []string{"PERSON"}; !slices.Equal(got, want) {
		t.Errorf("a marked schema keeps %q, want %q", got, want)
	}
	if def.KeepsInRegistry("NOPE") || (*Schema)(nil).KeepsInRegistry("ORG") || def.RegistryShared() {
		t.Error("an unknown label, a nil schema or the default's setting")
	}
}
