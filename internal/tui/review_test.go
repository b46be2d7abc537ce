package tui

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/review"
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

// reviewHarness opens the review screen as rita on the first article.
func reviewHarness(t *testing.T, st *fakeStore, w, h int, annotators ...string) *harness {
	t.Helper()
	hs := newHarness(t, st, w, h, func(o *Options) {
		o.Annotator = "rita"
		o.Review = &ReviewOptions{Annotators: annotators}
	})
	hs.keys("enter")
	if hs.m.sideTab != tabReview || hs.m.rv == nil || hs.m.rv.set == nil {
		t.Fatalf("review mode did not open the Review tab (message %q)", hs.m.message)
	}
	return hs
}

// TestReviewAdjudicates: the walk-through by keys. A accepts the
// agreements; each difference is taken with 1 or 2; the gold annotation
// holds the choices with their provenance, is valid, and keeps what both
// had beyond the spans (the claim's claimant entity, the incident); the
// annotators' own annotations are not touched; u undoes, D marks done.
func TestReviewAdjudicates(t *testing.T) {
	st, alice, bob := reviewStore(t)
	h := reviewHarness(t, st, 200, 60)
	states := map[string]review.State{}
	for _, it := range h.m.rv.set.Items {
		states[it.Title] = it.State
	}
	want := map[string]review.State{"“ISIS fighters”": review.Disagree, "“Raqqa”": review.Disagree, "“Tuesday”": review.Some, "“SDF”": review.Agree,
		"claim “12 were killed” credibility": review.Disagree, "incident 1 (Armed clash): Killed": review.Disagree}
	for title, s := range want {
		if got, ok := states[title]; !ok || got != s {
			t.Errorf("item %s: state %v (present %v), want %v; items %v", title, got, ok, s, states)
		}
	}
	if it, _ := h.m.rv.current(); it.Title != "“ISIS fighters”" {
		t.Fatalf("first item to decide: %q", it.Title)
	}
	// Each item says where it is; the current mention shows the words
	// around it (they used to read “ISIS” again and again, nowhere).
	if s := h.screen(); !strings.Contains(s, "≠ l.1 “ISIS fighters”") || !strings.Contains(s, "…ISIS fighters attacked Raqqa") {
		t.Errorf("the items do not say where they are:\n%s", s)
	}
	h.keys("A")
	// Then every item still to decide: bob's for the claim's credibility
	// and the ISIS fighters stretch, alice's for the rest.
	for round := 0; h.m.rv.set.Open() > 0; round++ {
		if round > 20 {
			t.Fatalf("items never settle")
		}
		it, _ := h.m.rv.current()
		if !it.Undecided() {
			h.keys("]")
			continue
		}
		if strings.HasSuffix(it.Title, "credibility") || it.Title == "“ISIS fighters”" {
			h.keys("2")
		} else {
			h.keys("1")
		}
	}
	gold, ok := st.stored(alice.ArticleID, model.GoldAnnotator)
	if !ok {
		t.Fatal("no gold annotation saved")
	}
	if got, want := spanSet(reviewText, gold.Entities), []string{"GPE Raqqa@23", "ORG ISIS@0", "ORG SDF@45", "PER ISIS fighters@0", "TIME Tuesday@32"}; !reflect.DeepEqual(got, want) {
		t.Errorf("gold spans %q, want %q", got, want)
	}
	if len(gold.Claims) != 1 || gold.Claims[0].Credibility != "3" {
		t.Errorf("gold claims %+v, want one with bob's credibility 3", gold.Claims)
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
	killedKey := "incident " + gold.Incidents[0].ID + " killed"
	if kinds[killedKey] != "taken alice by rita" {
		t.Errorf("decisions %v: want %s taken from alice by rita", kinds, killedKey)
	}
	if a, _ := st.stored(alice.ArticleID, "alice"); !reflect.DeepEqual(a, alice) {
		t.Errorf("alice's annotation changed")
	}
	if b, _ := st.stored(bob.ArticleID, "bob"); !reflect.DeepEqual(b, bob) {
		t.Errorf("bob's annotation changed")
	}
	before := len(gold.Decisions)
	h.keys("u")
	if g, _ := st.stored(alice.ArticleID, model.GoldAnnotator); len(g.Decisions) != before-1 {
		t.Errorf("after u: %d decisions, want %d", len(g.Decisions), before-1)
	}
	h.keys("2")
	h.keys("D")
	if g, _ := st.stored(alice.ArticleID, model.GoldAnnotator); g.Status != model.StatusDone {
		t.Errorf("after D: gold status %q, want done", g.Status)
	}
	// After bob changes his killed count, only that item is new, and the
	// earlier decisions stand.
	bob2 := bob.Clone()
	n := 11
	bob2.Incidents[0].Fields["killed"] = model.Value{Count: &model.Count{Best: &n}}
	if _, err := st.Save(bob2, "change killed"); err != nil {
		t.Fatal(err)
	}
	h2 := reviewHarness(t, st, 200, 60)
	var open []string
	for _, it := range h2.m.rv.set.Items {
		if it.Undecided() {
			open = append(open, it.Title)
		}
	}
	if !reflect.DeepEqual(open, []string{"incident 1 (Armed clash): Killed"}) {
		t.Errorf("after bob's change, to decide: %q, want only the killed count", open)
	}
	if s := h2.screen(); !strings.Contains(s, "! incident 1 (Armed clash): Killed") {
		t.Errorf("the changed item is not marked:\n%s", s)
	}
}

// TestReviewBothOnOneValue: b on a field that holds one value says so and
// saves nothing (it used to say "both" and keep alice's only).
func TestReviewBothOnOneValue(t *testing.T) {
	st, alice, _ := reviewStore(t)
	h := reviewHarness(t, st, 200, 60)
	for i, it := range h.m.rv.set.Items {
		if strings.HasSuffix(it.Title, "Killed") {
			h.m.rv.cursor = i
		}
	}
	h.keys("b")
	if _, saved := st.stored(alice.ArticleID, model.GoldAnnotator); saved {
		t.Fatalf("b on the killed count saved gold")
	}
	if !h.m.isError || !strings.Contains(h.m.message, "holds one value") {
		t.Errorf("message %q", h.m.message)
	}
}

// TestReviewHelpListsItsKeys: ? on the review screen lists the review
// keys, from the tab's key map, and the hint line shows them.
func TestReviewHelpListsItsKeys(t *testing.T) {
	st, _, _ := reviewStore(t)
	h := reviewHarness(t, st, 160, 50)
	if s := h.screen(); !strings.Contains(s, "1-9 take k's") {
		t.Errorf("the hint line lacks the review keys:\n%s", s)
	}
	h.keys("?")
	s := h.screen()
	for _, col := range h.m.keys.Review.FullHelp() {
		for _, b := range col {
			if want := b.Help().Key + " " + b.Help().Desc; !strings.Contains(s, want) {
				t.Errorf("? does not list %q:\n%s", want, s)
			}
		}
	}
}

// TestReviewQueue: review lists the articles with two versions or more,
// with what is left to decide, kept up to date after D; A A accepts every
// article's agreements.
func TestReviewQueue(t *testing.T) {
	st, alice, bob := reviewStore(t)
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
	set := review.Build(reviewText, model.DefaultSchema(), []string{"alice", "bob"}, map[string]*model.Annotation{"alice": &alice, "bob": &bob}, nil)
	c := h.m.reviewCounts[alice.ArticleID]
	if c[0] != set.Open() || c[1] != len(set.Items) || c[0] == 0 {
		t.Errorf("counts %v, want %d of %d items to decide", c, set.Open(), len(set.Items))
	}
	if want := fmt.Sprintf("≠ %2d/%d", set.Open(), len(set.Items)); !strings.Contains(h.screen(), want) {
		t.Errorf("the queue does not show %q:\n%s", want, h.screen())
	}
	agreed := len(set.Agreed())
	h.keys("A")
	if _, saved := st.stored(alice.ArticleID, model.GoldAnnotator); saved {
		t.Fatal("one A saved already: it should ask first")
	}
	h.keys("A")
	gold, saved := st.stored(alice.ArticleID, model.GoldAnnotator)
	if !saved || len(gold.Decisions) != agreed {
		t.Fatalf("after A A: gold %v with %d decisions, want the %d agreements", saved, len(gold.Decisions), agreed)
	}
	// Open it, decide everything, D: the queue's count follows.
	h.keys("enter")
	for round := 0; h.m.rv.set.Open() > 0 && round < 30; round++ {
		if it, _ := h.m.rv.current(); !it.Undecided() {
			h.keys("]")
			continue
		}
		h.keys("1")
	}
	h.keys("D")
	if c := h.m.reviewCounts[alice.ArticleID]; c[0] != 0 {
		t.Errorf("after deciding everything and D the queue still counts %v to decide", c)
	}
}

// TestOneCoderReview: one annotator's finished article is reviewed in
// place: gold starts as her version; R returns it with a comment (her
// status back to in progress, marked returned); she fixes it and marks it
// done; D accepts it.
func TestOneCoderReview(t *testing.T) {
	st, alice, _ := reviewStore(t)
	h := reviewHarness(t, st, 160, 50, "alice")
	gold, ok := st.stored(alice.ArticleID, model.GoldAnnotator)
	if !ok || len(gold.Entities) != len(alice.Entities) || len(gold.Claims) != 1 || len(gold.Incidents) != 1 {
		t.Fatalf("gold did not start as alice's version: %+v", gold)
	}
	if h.m.rv.set.Open() != 0 {
		t.Errorf("%d items open on a fresh single review", h.m.rv.set.Open())
	}
	// R with no comment is refused; with one, it returns the article.
	h.keys("R")
	h.send(press("enter"))
	if !h.m.isError || !strings.Contains(h.m.message, "needs a comment") {
		t.Errorf("an empty return: message %q", h.m.message)
	}
	h.send(tea.PasteMsg{Content: "Tuesday is not the date\nof the attack"})
	h.send(press("enter"))
	a, _ := st.stored(alice.ArticleID, "alice")
	if a.Review == nil || a.Review.State != model.ReviewReturned || a.Review.By != "rita" || a.Status != model.StatusInProgress {
		t.Fatalf("after R: alice's review %+v, status %s", a.Review, a.Status)
	}
	if len(a.Review.Seen) == 0 {
		t.Errorf("the return keeps no record of the version returned")
	}
	if len(a.Review.Comments) != 1 || a.Review.Comments[0].Text != "Tuesday is not the date of the attack" || a.Review.Comments[0].Item == "" {
		t.Fatalf("the return's comment: %+v", a.Review.Comments)
	}
	if acts := st.actions(alice.ArticleID); !strings.Contains(strings.Join(acts, "|"), "review: returned by rita") {
		t.Errorf("history: %q", acts)
	}
	// She drops Tuesday and marks it done again.
	fixed := a.Clone()
	for _, s := range fixed.Entities {
		if reviewText[s.Start:s.End] == "Tuesday" {
			model.RemoveSpan(&fixed, s, reviewText)
		}
	}
	fixed.Status = model.StatusDone
	if _, err := st.Save(fixed, "mark done"); err != nil {
		t.Fatal(err)
	}
	h2 := reviewHarness(t, st, 160, 50, "alice")
	var changed []string
	for _, it := range h2.m.rv.set.Items {
		if it.State == review.Changed {
			changed = append(changed, it.Title)
		}
	}
	if !reflect.DeepEqual(changed, []string{"“Tuesday”"}) {
		t.Errorf("what changed since the return: %q, want Tuesday", changed)
	}
	if !strings.Contains(h2.screen(), "✎1") {
		t.Errorf("the comment is not shown beside its item:\n%s", h2.screen())
	}
	h2.keys("1") // take her new version: no Tuesday
	h2.keys("D")
	a, _ = st.stored(alice.ArticleID, "alice")
	if a.Review == nil || a.Review.State != model.ReviewAccepted || len(a.Review.Comments) != 1 {
		t.Errorf("after D: alice's review %+v", a.Review)
	}
	if s := h2.screen(); !strings.Contains(s, "✓ accepted · Raqqa") {
		t.Errorf("the reviewer's queue does not mark the accepted article:\n%s", s)
	}
	g, _ := st.stored(alice.ArticleID, model.GoldAnnotator)
	if g.Status != model.StatusDone || strings.Contains(strings.Join(spanSet(reviewText, g.Entities), " "), "Tuesday") {
		t.Errorf("gold after accept: %s %q", g.Status, spanSet(reviewText, g.Entities))
	}
}

// TestReturnedArticleShowsComments: alice opens the article her reviewer
// returned: the message says so, the Review tab lists the comment beside
// where its item is, and m answers it (a reply kept with the comment).
func TestReturnedArticleShowsComments(t *testing.T) {
	st, alice, _ := reviewStore(t)
	r := rangeOf(t, reviewText, "Tuesday", 0)
	returned := alice.Clone()
	returned.Status = model.StatusInProgress
	returned.Review = &model.Review{State: model.ReviewReturned, By: "rita", Comments: []model.Comment{
		{Item: "span 32-39", Title: "“Tuesday”", Where: &r, Text: "not the date of the attack", By: "rita"}}}
	if _, err := st.Save(returned, "review: returned by rita"); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, st, 160, 50, func(o *Options) { o.Annotator = "alice" })
	if s := h.screen(); !strings.Contains(s, "↩ returned · Raqqa") {
		t.Errorf("her queue does not mark the returned article:\n%s", s)
	}
	h.open(alice.ArticleID)
	if !strings.Contains(h.m.message, "returned by rita with 1 comments") {
		t.Errorf("opening a returned article says %q", h.m.message)
	}
	h.keys("tab")
	for i := 0; h.m.sideTab != tabReview; i++ {
		if i > 5 {
			t.Fatalf("l never reaches the Review tab (%d tabs)", h.m.tabCount())
		}
		h.keys("l")
	}
	s := h.screen()
	if !strings.Contains(s, "✎ l.1 “Tuesday”") || !strings.Contains(s, "rita: not the date of the attack") {
		t.Errorf("the Review tab does not show the comment:\n%s", s)
	}
	if s := h.screen(); !strings.Contains(s, "m answer") {
		t.Errorf("the hint line does not show the comment keys:\n%s", s)
	}
	h.keys("enter")
	if got, _ := h.sel(); got != r {
		t.Errorf("enter on the comment selects %v, want Tuesday %v", got, r)
	}
	h.keys("m")
	h.send(tea.PasteMsg{Content: "it is the day of the statement"})
	h.send(press("enter"))
	a, _ := st.stored(alice.ArticleID, "alice")
	if a.Review == nil || len(a.Review.Comments) != 1 || len(a.Review.Comments[0].Replies) != 1 ||
		a.Review.Comments[0].Replies[0].Text != "it is the day of the statement" || a.Review.Comments[0].Replies[0].By != "alice" {
		t.Errorf("the answer was not kept: %+v", a.Review)
	}
	h.keys("D")
	if a, _ := st.stored(alice.ArticleID, "alice"); a.Status != model.StatusDone || a.Review.State != model.ReviewReturned {
		t.Errorf("D from her Review tab: status %s, review %q; want done, still returned until accepted", a.Status, a.Review.State)
	}
}

// TestReadmeReviewKeysMatchTheKeyMap: the review key table of
// docs/review.md (README's once) lists every binding of the Review tab's
// key map, and nothing the map lacks.
func TestReadmeReviewKeysMatchTheKeyMap(t *testing.T) {
	data, err := os.ReadFile("../../docs/review.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	a := strings.Index(s, "\n## Review: adjudicating into gold\n")
	if a < 0 {
		t.Fatal("docs/review.md has no section ## Review: adjudicating into gold")
	}
	section := s[a+1:]
	if b := strings.Index(section[3:], "\n## "); b >= 0 {
		section = section[:b+3]
	}
	// Every key named in the table's first column.
	named := map[string]bool{}
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cell := strings.Split(line, "|")[1]
		for _, part := range strings.Split(cell, "`") {
			if p := strings.TrimSpace(part); p != "" && p != "/" && p != "," && p != "…" {
				named[p] = true
			}
		}
	}
	bound := map[string]bool{}
	keys := DefaultReviewKeys()
	for _, col := range keys.FullHelp() {
		for _, b := range col {
			for _, k := range b.Keys() {
				bound[k] = true
				if k >= "2" && k <= "8" {
					continue // the table writes 1…9
				}
				if !named[k] {
					t.Errorf("docs/review.md's review table lacks %q (%s)", k, b.Help().Desc)
				}
			}
		}
	}
	for k := range named {
		if !bound[k] && k != "tab" && k != "A` `A" && k != "A" {
			t.Errorf("docs/review.md's review table names %q, which the Review tab does not bind", k)
		}
	}
}

// TestReviewConfirmsRegistryLinks: the entry alice's linking made is hers
// until a reviewer takes a link to it: then it is everyone's.
func TestReviewConfirmsRegistryLinks(t *testing.T) {
	st, alice, bob := reviewStore(t)
	e, err := st.SaveRegistry(model.RegistryEntry{Name: "SDF", Label: "ORG", Origin: model.OriginLinking, By: "alice", Makers: []string{"alice"}}, "alice", "link")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []model.Annotation{alice, bob} {
		next := v.Clone()
		for i := range next.Referents {
			if next.Referents[i].Name == "SDF" {
				next.Referents[i].Registry = e.ID
			}
		}
		if _, err := st.Save(next, "link"); err != nil {
			t.Fatal(err)
		}
	}
	h := reviewHarness(t, st, 200, 60)
	h.keys("A")
	var got model.RegistryEntry
	_ = st.Registry(func(r model.RegistryEntry) error {
		if r.ID == e.ID {
			got = r
		}
		return nil
	})
	if got.Origin != model.OriginConfirmed || got.By != "rita" {
		t.Errorf("after A took the link, the entry is %q by %q; want confirmed by rita (message %q)", got.Origin, got.By, h.m.message)
	}
}
