package suggest

import (
	"slices"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

// TestAcceptRegistryTakesPatternID: the registry and a pattern find the
// same "ISIS"; the registry's suggestion wins, and the pattern's id joins
// the entity (before, it was dropped and kb_id fell back to the registry's
// own id).
func TestAcceptRegistryTakesPatternID(t *testing.T) {
	text := "ISIS said so."
	reg := []model.RegistryEntry{{ID: "r1", Name: "ISIS", Label: "ORG"}}
	pats, err := ReadPatterns(strings.NewReader(`{"label": "ORG", "pattern": "ISIS", "id": "wikidata:Q2429253"}`+"\n"), "p.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	a := model.NewAnnotation(model.ArticleID(text), "pat", "conflict-incidents")
	sugs := Suggest(text, reg, pats, &a)
	if len(sugs) != 1 || sugs[0].Source != SourceRegistry || sugs[0].ExternalID != "wikidata:Q2429253" {
		t.Fatalf("suggestions %+v, want the registry's with the pattern's id", sugs)
	}
	Accept(&a, text, reg, sugs...)
	if len(a.Referents) != 1 || a.Referents[0].Registry != "r1" || !slices.Contains(a.Referents[0].ExternalIDs, "wikidata:Q2429253") {
		t.Errorf("entity %+v, want linked to r1 with the pattern's id", a.Referents)
	}
}
