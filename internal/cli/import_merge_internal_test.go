package cli

import (
	"slices"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

// TestMergeSpansCarriesExternalIDs: a second record of a text (an entity
// linking record per mention) brings its mentions' external ids: a new
// mention joins the entity sharing its id or brings its own, a mention
// already there gives its entity the ids it lacks, and a mention without
// ids joins by name as before.
func TestMergeSpansCarriesExternalIDs(t *testing.T) {
	text := "Adams met Lennon and Adams."
	cur := model.NewAnnotation(model.ArticleID(text), "sam", "")
	cur.Entities = []model.Span{{ID: "e1", Start: 0, End: 5, Label: "PER", Entity: "n1"}, {ID: "e2", Start: 10, End: 16, Label: "PER", Entity: "n2"}}
	cur.Referents = []model.Entity{{ID: "n1", Name: "Adams", Label: "PER", ExternalIDs: []string{"kb:Q42"}}, {ID: "n2", Name: "Lennon", Label: "PER"}}
	cur.NextID = 3
	next := model.NewAnnotation(model.ArticleID(text), "sam", "")
	next.Entities = []model.Span{
		{ID: "e1", Start: 10, End: 16, Label: "PER", Entity: "n1"}, // Lennon again, now linked
		{ID: "e2", Start: 21, End: 26, Label: "PER", Entity: "n2"}, // the second Adams, linked to Q42
	}
	next.Referents = []model.Entity{{ID: "n1", Name: "Lennon", Label: "PER", ExternalIDs: []string{"kb:Q1203"}},
		{ID: "n2", Name: "Adams", Label: "PER", ExternalIDs: []string{"kb:Q42"}, Affiliations: []model.Affiliation{{Entity: "n1", Role: "member"}}}}
	out := mergeSpans(cur, next, text)
	if errs := model.Validate(&out, text, model.DefaultSchema()); len(errs) > 0 {
		t.Fatalf("%v", errs)
	}
	if len(out.Entities) != 3 {
		t.Fatalf("spans %+v: want the two and the second Adams", out.Entities)
	}
	lennon, _ := out.EntityOfSpan("e2")
	adams, _ := out.EntityOfSpan("e1")
	second, _ := out.EntityOfSpan(out.Entities[2].ID)
	if !slices.Equal(lennon.ExternalIDs, []string{"kb:Q1203"}) {
		t.Errorf("Lennon %+v: want kb:Q1203 from the second record", lennon)
	}
	if second.ID != adams.ID || len(out.Referents) != 2 || len(adams.Affiliations) != 0 {
		t.Errorf("entities %+v: want the second Adams in the first's entity (same id), no affiliation of the other record's", out.Referents)
	}

	// A linked mention whose id no entity has brings its entity along.
	next.Referents[1].ExternalIDs = []string{"kb:Q2011"}
	out = mergeSpans(cur, next, text)
	second, _ = out.EntityOfSpan(out.Entities[2].ID)
	if second.ID == adams.ID || !slices.Equal(second.ExternalIDs, []string{"kb:Q2011"}) || second.Name != "Adams" || len(second.Affiliations) != 0 {
		t.Errorf("second Adams %+v: want an entity of its own, kb:Q2011, without the other record's affiliation", second)
	}
	if errs := model.Validate(&out, text, model.DefaultSchema()); len(errs) > 0 {
		t.Fatalf("%v", errs)
	}
}

// TestMergeSpansCarriesDecisions: a second gold record of a text (a
// Prodigy review of one span per record) brings its decisions, naming the
// merged spans; a decision on the same item replaces the earlier.
func TestMergeSpansCarriesDecisions(t *testing.T) {
	text := "Adams met Lennon."
	cur := model.NewAnnotation(model.ArticleID(text), model.GoldAnnotator, "")
	cur.Entities = []model.Span{{ID: "e1", Start: 0, End: 5, Label: "PER", Entity: "n1"}}
	cur.Referents = []model.Entity{{ID: "n1", Name: "Adams", Label: "PER"}}
	cur.Decisions = []model.Decision{{Item: "span 0-5", Kind: model.DecisionTaken, From: []string{"a"}, Gold: []string{"e1"}}}
	cur.NextID = 2
	next := model.NewAnnotation(model.ArticleID(text), model.GoldAnnotator, "")
	next.Entities = []model.Span{{ID: "e1", Start: 10, End: 16, Label: "PER", Entity: "n1"}, {ID: "e2", Start: 0, End: 5, Label: "PER", Entity: "n2"}}
	next.Referents = []model.Entity{{ID: "n1", Name: "Lennon", Label: "PER"}, {ID: "n2", Name: "Adams", Label: "PER"}}
	next.Decisions = []model.Decision{{Item: "span 10-16", Kind: model.DecisionAccepted, From: []string{"a", "b"}, Gold: []string{"e1"}},
		{Item: "span 0-5", Kind: model.DecisionAccepted, From: []string{"a", "b"}, Gold: []string{"e2"}}}
	out := mergeSpans(cur, next, text)
	lennon := out.Entities[1].ID
	want := []model.Decision{{Item: "span 10-16", Kind: model.DecisionAccepted, From: []string{"a", "b"}, Gold: []string{lennon}},
		{Item: "span 0-5", Kind: model.DecisionAccepted, From: []string{"a", "b"}, Gold: []string{"e1"}}}
	if !slices.EqualFunc(out.Decisions, want, func(a, b model.Decision) bool {
		return a.Item == b.Item && a.Kind == b.Kind && slices.Equal(a.From, b.From) && slices.Equal(a.Gold, b.Gold)
	}) {
		t.Errorf("decisions %+v, want %+v", out.Decisions, want)
	}
}
