package tui

import (
	"reflect"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

const sdfText = "The Syrian Democratic Forces (SDF) said ISIS attacked at dawn. ISIS claimed 53 SDF fighters were killed. " +
	"SDF spokeswoman Leyla Haso said the ISIS figure was false."

// TestEntitiesOnTheScreen is issue 9's walk-through by keys: tag-all makes
// one entity of every mention, e links "SDF" to "Syrian Democratic Forces"
// (one entity, the short name an alias), p makes the spokeswoman
// spokesperson of the SDF, pickers offer entities once, and one grade of
// the SDF shows on the spokeswoman's claim.
func TestEntitiesOnTheScreen(t *testing.T) {
	st := newFakeStore(article("SDF report", sdfText))
	h := newHarness(t, st, 200, 60)
	h.keys("enter")
	h.findText("ISIS")
	h.keys("1 a a")
	a := h.stored()
	isisEntity, _ := a.EntityOfSpan(a.Entities[0].ID)
	if n := len(a.MentionsOf(isisEntity.ID)); n != 3 || len(a.Referents) != 1 {
		t.Fatalf("a a on ISIS: %d mentions of %d entities, want 3 of one", n, len(a.Referents))
	}
	h.findText("Syrian Democratic Forces")
	h.keys("1")
	h.findText("SDF")
	h.keys("1 a a")
	// e on an SDF mention: link it to the Syrian Democratic Forces.
	h.findText("SDF")
	h.keys("e")
	h.typeText("Syrian")
	h.keys("enter")
	a = h.stored()
	sdf, ok := a.EntityOfSpan(h.spanIDOf("Syrian Democratic Forces"))
	if !ok || sdf.Name != "Syrian Democratic Forces" || !sdf.HasName("SDF") || len(a.MentionsOf(sdf.ID)) != 4 {
		t.Fatalf("after e: entity %+v with %d mentions, want Syrian Democratic Forces aka SDF with 4", sdf, len(a.MentionsOf(sdf.ID)))
	}
	// The registry entry alice's tag-all made for "SDF" learned the names:
	// it is hers alone, so it takes the canonical name; the short name
	// waits as her pending alias.
	if r := st.registry; len(r) != 2 || r[1].Name != "Syrian Democratic Forces" || len(r[1].Aliases) != 0 ||
		!reflect.DeepEqual(r[1].PendingAliases, []model.RegistryAlias{{Name: "SDF", By: "alice"}}) || r[1].Origin != model.OriginTagging || r[1].By != "alice" {
		t.Errorf("registry after e: %+v, want ISIS and Syrian Democratic Forces, SDF pending as alice's alias", r)
	}
	// p: the spokeswoman is spokesperson of the SDF.
	h.findText("Leyla Haso")
	h.keys("2 p")
	h.typeText("Syrian")
	h.keys("enter")
	h.typeText("spokes")
	h.keys("enter")
	a = h.stored()
	leyla, _ := a.EntityOfSpan(h.spanIDOf("Leyla Haso"))
	if len(leyla.Affiliations) != 1 || leyla.Affiliations[0] != (model.Affiliation{Entity: sdf.ID, Role: "spokesperson"}) {
		t.Fatalf("affiliations of Leyla Haso: %+v, want spokesperson of %s", leyla.Affiliations, sdf.ID)
	}
	// Her claim; the claimant picker offers ISIS once, with its count.
	h.findText("the ISIS figure was false")
	h.keys("c")
	var isisRows []string
	for _, o := range h.m.form.row().options {
		if strings.HasPrefix(o.display, "ISIS") {
			isisRows = append(isisRows, o.display)
		}
	}
	if len(isisRows) != 1 || !strings.Contains(isisRows[0], "×3") {
		t.Errorf("the claimant picker offers %q, want ISIS once with ×3", isisRows)
	}
	h.typeText("Leyla")
	h.keys("enter esc")
	// Grade the SDF once, in the Sources tab: the claim shows it.
	h.toTab(tabSources)
	h.toSource("Syrian Democratic Forces")
	h.keys("enter")
	h.typeText("C")
	h.keys("enter esc")
	h.toTab(tabClaims)
	if s := h.screen(); !strings.Contains(s, "Leyla Haso (spokesperson of Syrian Democratic Forces [C])") {
		t.Errorf("the spokeswoman's claim does not show the SDF's grade:\n%s", s)
	}
	if errs := model.Validate(&a, sdfText, model.DefaultSchema()); errs != nil {
		t.Errorf("not valid: %v", errs)
	}
	// E splits one mention off again.
	h.keys("tab")
	h.findText("SDF")
	h.keys("E")
	a = h.stored()
	if n := len(a.MentionsOf(sdf.ID)); n != 3 {
		t.Errorf("after E the SDF entity has %d mentions, want 3", n)
	}
}
