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
		ExternalIDs: []string{"wikidata:Q20736264"}, Grade: &model.RegistryGrade{Reliability: "C"}}
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
	merged.Aliases[0], merged.ExternalIDs[0], merged.Grade.Reliability = "changed", "changed", "F"
	if !reflect.DeepEqual(into, wantInto) || !reflect.DeepEqual(from, wantFrom) || from.Grade.Reliability != "C" {
		t.Errorf("merging changed an entry merged: %+v, %+v", into, from)
	}
}
