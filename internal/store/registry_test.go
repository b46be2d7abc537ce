package store

import (
	"reflect"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

// The registry's rules are held to by both stores through the contract
// suite (store/storetest); these are the pure parts no store's test sees
// on its own.

func TestRegistryIDs(t *testing.T) {
	tests := []struct {
		a, b string
		less bool
	}{
		{"r2", "r10", true},
		{"r10", "r2", false},
		{"r2", "r2", false},
		{"r9", "x1", true}, // not a number: as strings
		{"rx", "r1", false},
	}
	for _, tt := range tests {
		if got := RegistryIDLess(tt.a, tt.b); got != tt.less {
			t.Errorf("RegistryIDLess(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.less)
		}
	}
	for _, n := range []uint64{1, 12, 1<<64 - 1} {
		if got, ok := RegistryIDNumber(RegistryID(n)); !ok || got != n {
			t.Errorf("RegistryIDNumber(RegistryID(%d)) = %d, %v", n, got, ok)
		}
	}
	for _, id := range []string{"", "r", "rx", "r-1", "r18446744073709551616"} {
		if n, ok := RegistryIDNumber(id); ok {
			t.Errorf("RegistryIDNumber(%q) = %d, want none", id, n)
		}
	}
}

// TestMergeRegistryEntriesLeavesBoth: the merged entry shares no slice
// with the two it comes from, so a store changing it changes neither.
func TestMergeRegistryEntriesLeavesBoth(t *testing.T) {
	into := model.RegistryEntry{ID: "r1", Name: "SDF", Label: "ORG", Aliases: make([]string, 1, 8), ExternalIDs: make([]string, 1, 8)}
	into.Aliases[0], into.ExternalIDs[0] = "QSD", "acled:SDF"
	from := model.RegistryEntry{ID: "r2", Name: "Syrian Democratic Forces", Label: "ORG", Aliases: []string{"sdf", "YPG-led"},
		ExternalIDs: []string{"wikidata:Q20736264"}, Grades: map[string]model.RegistryGrade{"bob": {Reliability: "C"}}}
	wantInto := into
	wantInto.Aliases, wantInto.ExternalIDs = []string{"QSD"}, []string{"acled:SDF"}
	wantFrom := from
	wantFrom.Aliases, wantFrom.ExternalIDs = []string{"sdf", "YPG-led"}, []string{"wikidata:Q20736264"}
	merged := MergeRegistryEntries(into, from)
	if want := []string{"QSD", "Syrian Democratic Forces", "YPG-led"}; !reflect.DeepEqual(merged.Aliases, want) {
		t.Errorf("aliases %q, want %q", merged.Aliases, want)
	}
	if want := []string{"acled:SDF", "wikidata:Q20736264"}; !reflect.DeepEqual(merged.ExternalIDs, want) {
		t.Errorf("external ids %q, want %q", merged.ExternalIDs, want)
	}
	merged.Aliases[0], merged.ExternalIDs[0] = "changed", "changed"
	merged.SetGrade("bob", model.RegistryGrade{Reliability: "F"})
	merged.Grades["carol"] = model.RegistryGrade{Reliability: "A"}
	if !reflect.DeepEqual(into, wantInto) || !reflect.DeepEqual(from, wantFrom) || from.Grades["bob"].Reliability != "C" || len(from.Grades) != 1 {
		t.Errorf("merging changed an entry merged: %+v, %+v", into, from)
	}
}

// TestMergeRegistryEntriesProvenance: a merge keeps what each entry's
// makers, proposers and graders had, and is everyone's when either entry
// was.
func TestMergeRegistryEntriesProvenance(t *testing.T) {
	alices := model.NewRegistryEntry(model.Entity{Name: "Islamic State", Label: "ORG", Aliases: []string{"IS"}}, model.OriginTagging, "alice")
	alices.SetGrade("alice", model.RegistryGrade{Reliability: "E"})
	bobs := model.NewRegistryEntry(model.Entity{Name: "ISIS", Label: "ORG", Aliases: []string{"IS", "Daesh"}}, model.OriginLinking, "bob")
	bobs.SetGrade("alice", model.RegistryGrade{Reliability: "A"})
	bobs.SetGrade("bob", model.RegistryGrade{Reliability: "D"})
	merged := MergeRegistryEntries(alices, bobs)
	if merged.Curated() || merged.Origin != model.OriginTagging || !reflect.DeepEqual(merged.Makers, []string{"alice", "bob"}) {
		t.Errorf("two annotators' entries merged: %+v; want alice's and bob's still, not everyone's", merged)
	}
	wantPending := []model.RegistryAlias{{Name: "IS", By: "alice"}, {Name: "IS", By: "bob"}, {Name: "Daesh", By: "bob"}}
	if !reflect.DeepEqual(merged.PendingAliases, wantPending) {
		t.Errorf("pending aliases %+v, want %+v", merged.PendingAliases, wantPending)
	}
	if merged.Grades["alice"].Reliability != "E" || merged.Grades["bob"].Reliability != "D" {
		t.Errorf("grades %+v; want alice's own E kept and bob's D", merged.Grades)
	}
	added := model.RegistryEntry{Name: "Daesh", Label: "ORG", Origin: model.OriginAdded, By: "carol"}
	if m := MergeRegistryEntries(alices, added); !m.Curated() || m.Origin != model.OriginAdded || m.By != "carol" {
		t.Errorf("merged with an entry added on purpose: %+v; want everyone's, as carol added it", m)
	}
	if m := MergeRegistryEntries(added, alices); !m.Curated() || m.Origin != model.OriginAdded || m.By != "carol" {
		t.Errorf("an entry added on purpose with alice's merged in: %+v; want it still everyone's", m)
	}
}
