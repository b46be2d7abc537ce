package tui

import (
	"reflect"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

const reviewText = "ISIS fighters attacked Raqqa on Tuesday. The SDF said 12 were killed."

// versionOf builds an annotator's annotation of reviewText: spans by
// text and label, one claim with a credibility, one incident with a killed
// count.
func versionOf(t *testing.T, who string, spans [][2]string, credibility string, killed int) model.Annotation {
	t.Helper()
	a := model.NewAnnotation(model.ArticleID(reviewText), who, model.DefaultSchema().Name)
	a.Status = model.StatusDone
	for _, s := range spans {
		r := rangeOf(t, reviewText, s[0], 0)
		a.Entities = append(a.Entities, model.Span{ID: a.NewID("e"), Start: r.Start, End: r.End, Label: s[1]})
	}
	model.GroupMentions(&a, reviewText)
	content := rangeOf(t, reviewText, "12 were killed", 0)
	var sdf string
	for _, s := range a.Entities {
		if reviewText[s.Start:s.End] == "SDF" {
			sdf = s.ID
		}
	}
	a.Claims = []model.Claim{{ID: a.NewID("c"), Claimant: model.Claimant{SpanID: sdf}, Content: []model.Range{content}, Polarity: "asserts", Credibility: credibility}}
	n := killed
	a.Incidents = []model.Incident{{ID: a.NewID("i"), Fields: map[string]model.Value{
		"event_type": {Text: "Armed clash"},
		"killed":     {Count: &model.Count{Best: &n}},
	}}}
	if errs := model.Validate(&a, reviewText, model.DefaultSchema()); errs != nil {
		t.Fatalf("%s's version is not valid: %v", who, errs)
	}
	return a
}

// reviewStore holds alice's and bob's versions: ISIS ORG both; "ISIS
// fighters" vs "fighters" (a boundary difference, PER both); Raqqa GPE vs
// LOC (a label difference); Tuesday only alice's (a missing span); SDF
// both; credibility 2 vs 3; killed 12 vs 10.
func reviewStore(t *testing.T) (*fakeStore, model.Annotation, model.Annotation) {
	st := newFakeStore(article("Raqqa", reviewText))
	alice := versionOf(t, "alice", [][2]string{{"ISIS", "ORG"}, {"fighters", "PER"}, {"Raqqa", "GPE"}, {"Tuesday", "TIME"}, {"SDF", "ORG"}}, "2", 12)
	bob := versionOf(t, "bob", [][2]string{{"ISIS", "ORG"}, {"ISIS fighters", "PER"}, {"Raqqa", "LOC"}, {"SDF", "ORG"}}, "3", 10)
	for _, a := range []model.Annotation{alice, bob} {
		if _, err := st.Save(a, "annotate"); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := st.stored(alice.ArticleID, "alice")
	b, _ := st.stored(bob.ArticleID, "bob")
	return st, a, b
}

// TestReviewAdjudicates: the review issue's walk-through by keys. The
// differences are items to decide; 1/2 take a version, A accepts the
// agreements; the gold annotation holds the choices with their
// provenance; the annotators' own annotations are not touched.
func TestReviewAdjudicates(t *testing.T) {
	st, alice, bob := reviewStore(t)
	h := newHarness(t, st, 200, 60, func(o *Options) {
		o.Annotator = "rita"
		o.Review = &ReviewOptions{}
	})
	h.keys("enter")
	if h.m.sideTab != tabReview || h.m.review == nil {
		t.Fatalf("review mode opened tab %d, review %v", h.m.sideTab, h.m.review)
	}
	states := map[string]itemState{}
	for _, it := range h.m.review.items {
		states[it.title] = it.state
	}
	want := map[string]itemState{"“ISIS fighters”": stateDisagree, "“Raqqa”": stateDisagree, "“Tuesday”": stateSome, "“SDF”": stateAgree,
		"claim “12 were killed”": stateDisagree, "incident 1: event_type": stateAgree, "incident 1: killed": stateDisagree}
	for title, s := range want {
		if got, ok := states[title]; !ok || got != s {
			t.Errorf("item %s: state %v (present %v), want %v; items %v", title, got, ok, s, states)
		}
	}
	// The cursor starts on the first item to decide: ISIS fighters (the
	// ISIS mention is in the same stretch). Take bob's.
	if it, _ := h.m.currentItem(); it.title != "“ISIS fighters”" {
		t.Fatalf("first item to decide: %q", it.title)
	}
	h.keys("2") // bob's: ISIS ORG + ISIS fighters PER
	h.keys("1") // Raqqa: alice's GPE
	h.keys("1") // Tuesday: alice's
	h.keys("2") // the claim: bob's credibility 3
	h.keys("1") // killed: alice's 12
	h.keys("A") // the agreements: SDF, event type
	gold, ok := st.stored(alice.ArticleID, model.GoldAnnotator)
	if !ok {
		t.Fatal("no gold annotation saved")
	}
	if got, want := spanSet(reviewText, gold.Entities), []string{"GPE Raqqa@23", "ORG ISIS@0", "ORG SDF@45", "PER ISIS fighters@0", "TIME Tuesday@32"}; !reflect.DeepEqual(got, want) {
		t.Errorf("gold spans %q, want %q", got, want)
	}
	if len(gold.Claims) != 1 || gold.Claims[0].Credibility != "3" {
		t.Errorf("gold claims %+v, want bob's with credibility 3", gold.Claims)
	} else if e, ok := gold.EntityOfSpan(gold.Claims[0].Claimant.SpanID); !ok || e.Name != "SDF" {
		t.Errorf("gold claim's claimant %+v, want the SDF", gold.Claims[0].Claimant)
	}
	if len(gold.Incidents) != 1 || gold.Incidents[0].Fields["event_type"].Text != "Armed clash" ||
		gold.Incidents[0].Fields["killed"].Count == nil || *gold.Incidents[0].Fields["killed"].Count.Best != 12 {
		t.Errorf("gold incidents %+v, want Armed clash with killed 12", gold.Incidents)
	}
	if errs := model.Validate(&gold, reviewText, model.DefaultSchema()); errs != nil {
		t.Errorf("gold is not valid: %v", errs)
	}
	kinds := map[string]string{}
	for _, d := range gold.Decisions {
		kinds[d.Item] = d.Kind + " " + strings.Join(d.From, "+") + " by " + d.By
	}
	if len(gold.Decisions) != 7 || kinds["incident 1 killed"] != "taken alice by rita" {
		t.Errorf("decisions %v, want 7 with provenance", kinds)
	}
	// The originals are untouched.
	if a, _ := st.stored(alice.ArticleID, "alice"); !reflect.DeepEqual(a, alice) {
		t.Errorf("alice's annotation changed")
	}
	if b, _ := st.stored(bob.ArticleID, "bob"); !reflect.DeepEqual(b, bob) {
		t.Errorf("bob's annotation changed")
	}
	// u undoes the last decision; D marks gold done.
	h.keys("u")
	if g, _ := st.stored(alice.ArticleID, model.GoldAnnotator); len(g.Decisions) != 5 {
		t.Errorf("after u: %d decisions, want 5 (A undone)", len(g.Decisions))
	}
	h.keys("A D")
	if g, _ := st.stored(alice.ArticleID, model.GoldAnnotator); g.Status != model.StatusDone || len(g.Decisions) != 7 {
		t.Errorf("after A D: gold status %q with %d decisions, want done with 7", g.Status, len(g.Decisions))
	}
	gold, _ = st.stored(alice.ArticleID, model.GoldAnnotator)
	// Nothing left to decide; after bob changes his killed count, only
	// that item is new, and the earlier decisions stand.
	for _, it := range h.m.review.items {
		if it.undecided() {
			t.Errorf("still to decide after all decisions: %s", it.title)
		}
	}
	bob2 := bob.Clone()
	n := 11
	bob2.Incidents[0].Fields["killed"] = model.Value{Count: &model.Count{Best: &n}}
	if _, err := st.Save(bob2, "change killed"); err != nil {
		t.Fatal(err)
	}
	h2 := newHarness(t, st, 200, 60, func(o *Options) {
		o.Annotator = "rita"
		o.Review = &ReviewOptions{}
	})
	h2.keys("enter")
	var open []string
	for _, it := range h2.m.review.items {
		if it.undecided() {
			open = append(open, it.title)
		}
	}
	if !reflect.DeepEqual(open, []string{"incident 1: killed"}) {
		t.Errorf("after bob's change, to decide: %q, want only the killed count", open)
	}
	if s := h2.screen(); !strings.Contains(s, "! incident 1: killed") {
		t.Errorf("the changed item is not marked:\n%s", s)
	}
}

// TestReviewQueue: review lists the articles with two versions or more,
// with what is left to decide; A A accepts every article's agreements.
func TestReviewQueue(t *testing.T) {
	st, alice, _ := reviewStore(t)
	lone := article("Alone", "Only one annotator read this.")
	if _, err := st.AddArticles([]model.Article{lone}); err != nil {
		t.Fatal(err)
	}
	one := model.NewAnnotation(lone.ID, "alice", model.DefaultSchema().Name)
	one.Status = model.StatusDone
	if _, err := st.Save(one, "done"); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, st, 160, 40, func(o *Options) {
		o.Annotator = "rita"
		o.Review = &ReviewOptions{}
	})
	items := h.m.visibleQueue()
	if len(items) != 1 || items[0].ID != alice.ArticleID {
		t.Fatalf("the review queue lists %d articles, want the one with two versions", len(items))
	}
	c, ok := h.m.reviewCounts[alice.ArticleID]
	if !ok || c[0] != 5 || c[1] != 7 {
		t.Errorf("counts %v, want 5 of 7 items to decide", c)
	}
	if !strings.Contains(h.screen(), "≠  5/7") {
		t.Errorf("the queue does not show what is left:\n%s", h.screen())
	}
	h.keys("A")
	if _, saved := st.stored(alice.ArticleID, model.GoldAnnotator); saved {
		t.Fatal("one A saved already: it should ask first")
	}
	h.keys("A")
	gold, saved := st.stored(alice.ArticleID, model.GoldAnnotator)
	if !saved || len(gold.Decisions) != 2 {
		t.Fatalf("after A A: gold %v with %d decisions, want the 2 agreements", saved, len(gold.Decisions))
	}
	if !strings.Contains(h.m.message, "accepted 2 agreements in 1 articles") {
		t.Errorf("message %q", h.m.message)
	}
}
