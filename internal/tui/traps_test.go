package tui

import (
	"reflect"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

// The traps a day of real annotation showed (issue 8), one test each.

// TestEnterOnFilledFieldChangesNothing: a form opens on the stored value,
// and enter on a field the annotator has not changed saves nothing. Before
// the fix, enter took the first choice of the list: a source graded E
// became A, credibility 4 became 1, certainty probable became certain,
// self-interested no became yes, an event type was replaced and a targets
// list gained a second entry.
func TestEnterOnFilledFieldChangesNothing(t *testing.T) {
	h, _ := buildRaqqa(t)
	h.keys("q enter") // back to the queue and into the article again
	before := h.stored()
	saves := len(h.st.history)
	unchanged := func(what string) {
		t.Helper()
		if n := len(h.st.history); n != saves {
			t.Errorf("%s: %d saves, want none (message %q)", what, n-saves, h.m.message)
			saves = n
		}
		if got := h.stored(); !reflect.DeepEqual(got, before) {
			t.Errorf("%s changed the annotation:\n%+v\nwant\n%+v", what, got, before)
			before = got
		}
	}

	// Sources: enter on "E ISIS" opens its form, enter again keeps E.
	h.keys("tab")
	h.toTab(tabSources)
	h.toSource("ISIS")
	h.keys("enter")
	if got := h.highlighted(); got != "E" {
		t.Errorf("the ISIS grade form highlights %q, want the stored E", got)
	}
	h.keys("enter enter")
	unchanged("enter, enter on a graded source")
	h.toRow("reliability")
	h.typeText("E")
	h.keys("enter")
	unchanged("typing the grade it has, E, and enter")
	h.keys("esc")

	// Claims: credibility, certainty, self-interested and type.
	h.toTab(tabClaims)
	h.keys("enter")
	c1 := claimWith(t, raqqaText, h.stored(), raqqaClaim)
	if h.m.form == nil || h.m.form.itemID != c1.ID {
		t.Fatalf("enter on the first claim opened %+v", h.m.form)
	}
	for _, row := range []string{"credibility", "type", "polarity", "self_interested", "certainty", "claimant", "figure"} {
		h.toRow(row)
		h.keys("enter")
		unchanged("enter on the claim's " + row)
	}
	h.keys("esc")

	// Incidents: the event type and the perpetrators (an entity list).
	h.toTab(tabIncidents)
	h.keys("enter")
	for _, row := range []string{"event_type", "perpetrators", "location", "killed.high", "status"} {
		h.toRow(row)
		h.keys("enter")
		unchanged("enter on the incident's " + row)
	}

	// Moving to another choice and confirming still changes the value.
	h.toRow("event_type")
	if got := h.highlighted(); got != "Armed clash" {
		t.Errorf("the event type row highlights %q, want the stored Armed clash", got)
	}
	h.keys("down enter")
	var inc model.Incident
	if a := h.stored(); len(a.Incidents) == 1 {
		inc = a.Incidents[0]
	}
	if got := inc.Fields["event_type"].Text; got == "Armed clash" || got == "" {
		t.Errorf("down, enter on the event type left %q, want the next choice", got)
	}
}
