package model

import (
	"reflect"
	"testing"
)

// TestSetFieldEvidenceGoesWithValue: clearing a value left its evidence
// attached ("Killed low — ⟵ c67 …"); now the evidence goes with it.
func TestSetFieldEvidenceGoesWithValue(t *testing.T) {
	n := 53
	inc := Incident{ID: "i1",
		Fields:   map[string]Value{"killed": {Count: &Count{High: &n}}, "notes": {Text: "x"}},
		Evidence: map[string][]string{"killed": {"c1"}, "notes": {"c2"}}}
	if got := SetField(&inc, "notes", Value{Text: "y"}); got != nil {
		t.Errorf("setting a value dropped evidence %q", got)
	}
	if got := SetField(&inc, "killed", Value{}); !reflect.DeepEqual(got, []string{"c1"}) {
		t.Errorf("clearing killed dropped %q, want its evidence c1", got)
	}
	if _, ok := inc.Fields["killed"]; ok {
		t.Error("the cleared field is still there")
	}
	if ev, ok := inc.Evidence["killed"]; ok {
		t.Errorf("the cleared field keeps its evidence %q", ev)
	}
	if !reflect.DeepEqual(inc.Evidence["notes"], []string{"c2"}) || inc.Fields["notes"].Text != "y" {
		t.Errorf("another field changed: %+v", inc)
	}
	var empty Incident
	SetField(&empty, "notes", Value{Text: "z"})
	if empty.Fields["notes"].Text != "z" {
		t.Errorf("SetField on an incident without fields: %+v", empty)
	}
}

// TestRemoveSpanEmptyingAField: deleting the only span of a location takes
// the location, and its evidence, with it.
func TestRemoveSpanEmptyingAField(t *testing.T) {
	text := "Fighters entered Raqqa."
	s := Span{ID: "s1", Start: 17, End: 22, Label: "GPE"}
	a := Annotation{Entities: []Span{s}, Incidents: []Incident{{ID: "i1",
		Fields:   map[string]Value{"location": {List: []string{"s1"}}},
		Evidence: map[string][]string{"location": {"s1", "c1"}}}}}
	RemoveSpan(&a, s, text)
	inc := a.Incidents[0]
	if v, ok := inc.Fields["location"]; ok {
		t.Errorf("the location is left as %+v", v)
	}
	if ev, ok := inc.Evidence["location"]; ok {
		t.Errorf("the emptied location keeps evidence %q", ev)
	}
}
