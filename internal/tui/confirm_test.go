package tui

import (
	"charm.land/bubbles/v2/key"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

// TestDeleteEntityAsksAndUndoes: x on an entity with several mentions asks
// (it used to delete all of them at once); another key keeps it; x x
// deletes; u in the side pane brings it back, U takes it away again.
func TestDeleteEntityAsksAndUndoes(t *testing.T) {
	h := newHarness(t, newFakeStore(article("SDF report", sdfText)), 200, 60)
	h.keys("enter")
	h.findText("ISIS")
	h.keys("1 a a")
	if n := len(h.stored().Entities); n != 3 {
		t.Fatalf("a a tagged %d mentions", n)
	}
	h.keys("tab")
	h.toTab(tabEntities)
	h.keys("x")
	if n := len(h.stored().Entities); n != 3 || !strings.Contains(h.m.message, "x again deletes “ISIS” and its 3 mentions") {
		t.Fatalf("one x: %d mentions left, message %q", n, h.m.message)
	}
	h.keys("j")
	h.keys("x")
	if n := len(h.stored().Entities); n != 3 {
		t.Fatalf("x, another key, x deleted: %d left", n)
	}
	h.keys("x")
	if n := len(h.stored().Entities); n != 0 {
		t.Fatalf("x x left %d mentions", n)
	}
	h.keys("u")
	if n := len(h.stored().Entities); n != 3 || h.m.focus != focusSide {
		t.Errorf("u in the side pane: %d mentions back (focus %v)", n, h.m.focus)
	}
	h.keys("U")
	if n := len(h.stored().Entities); n != 0 {
		t.Errorf("U in the side pane: %d mentions", n)
	}
}

// TestDeleteIncidentAsks: x on an incident asks first.
func TestDeleteIncidentAsks(t *testing.T) {
	h := openIncident(t)
	h.fill("killed.best", "4")
	h.keys("esc")
	h.keys("x")
	if len(h.stored().Incidents) != 1 || !strings.Contains(h.m.message, "x again deletes incident") {
		t.Fatalf("one x on an incident: %d incidents, message %q", len(h.stored().Incidents), h.m.message)
	}
	h.keys("x")
	if len(h.stored().Incidents) != 0 {
		t.Fatalf("x x kept the incident")
	}
	h.keys("u")
	if len(h.stored().Incidents) != 1 {
		t.Errorf("u in the side pane did not bring the incident back")
	}
}

// TestListLinesAreTheArticles: the Entities tab names where a mention is
// by the article's own line, the same at any width (it used to give the
// wrapped display line, which changed with the window).
func TestListLinesAreTheArticles(t *testing.T) {
	text := "First line with ISIS in it.\nSecond line: a long one that wraps at a narrow width, " +
		"with many words before the name of Raqqa appears near its end."
	for _, w := range []int{200, 80} {
		h := newHarness(t, newFakeStore(article("Lines", text)), w, 30)
		h.keys("enter")
		h.findText("Raqqa")
		h.keys("4 tab")
		if s := h.screen(); !strings.Contains(s, "l.2 ") {
			t.Errorf("at %d columns the Raqqa row does not say l.2:\n%s", w, s)
		}
	}
}

// TestEntitiesTabShowsAffiliationsAndGrades: the Entities tab says who is
// affiliated to whom and how a source is graded (it showed neither), and
// an article with no entities yet names its open suggestions.
func TestEntitiesTabShowsAffiliationsAndGrades(t *testing.T) {
	st := newFakeStore(article("SDF report", sdfText))
	h := newHarness(t, st, 200, 60)
	h.keys("enter")
	a := model.NewAnnotation(h.m.doc.article.ID, "alice", model.DefaultSchema().Name)
	add := func(word, label, name string) (string, string) {
		r := rangeOf(t, sdfText, word, 0)
		sid, eid := a.NewID("e"), a.NewID("n")
		a.Entities = append(a.Entities, model.Span{ID: sid, Start: r.Start, End: r.End, Label: label, Entity: eid})
		a.Referents = append(a.Referents, model.Entity{ID: eid, Name: name, Label: label})
		return sid, eid
	}
	_, sdf := add("Syrian Democratic Forces", "ORG", "Syrian Democratic Forces")
	_, leyla := add("Leyla Haso", "PER", "Leyla Haso")
	for i := range a.Referents {
		if a.Referents[i].ID == leyla {
			a.Referents[i].Affiliations = []model.Affiliation{{Entity: sdf, Role: "spokesperson"}}
		}
	}
	a.Sources = []model.SourceGrade{{Source: "Syrian Democratic Forces", Entity: sdf, Reliability: "B"}}
	if _, err := st.Save(a, "annotate"); err != nil {
		t.Fatal(err)
	}
	h = newHarness(t, st, 200, 60)
	h.keys("enter tab")
	s := h.screen()
	if !strings.Contains(s, "Leyla Haso ×1 · spokesperson of Syrian Democratic Forces") || !strings.Contains(s, "Syrian Democratic Forces ×1 · graded B") {
		t.Errorf("the Entities tab does not show the affiliation and the grade:\n%s", s)
	}
}

// TestNoEntitiesNamesSuggestions: "No entities yet" beside suggestions
// says they are there and how to take them.
func TestNoEntitiesNamesSuggestions(t *testing.T) {
	first := article("First", "ISIS attacked. ISIS left.")
	second := article("Second", "Later ISIS returned and ISIS said so.")
	h := newHarness(t, newFakeStore(first, second), 200, 60, func(o *Options) { o.Suggest = registrySuggester })
	h.run(h.m.loadArticle(first.ID))
	h.keys("1 a a")
	h.run(h.m.loadArticle(second.ID))
	h.keys("tab")
	if s := h.screen(); !strings.Contains(s, "No entities yet") || !strings.Contains(s, "2 suggestions in the article") {
		t.Errorf("the empty Entities tab does not name the suggestions:\n%s", s)
	}
}

// TestSourcesShowAffiliatedGrades: a spokeswoman without a grade of her
// own shows her organisation's in the Sources tab, as on her claims (it
// showed only "–").
func TestSourcesShowAffiliatedGrades(t *testing.T) {
	st := newFakeStore(article("SDF report", sdfText))
	h := newHarness(t, st, 200, 60)
	h.keys("enter")
	a := model.NewAnnotation(h.m.doc.article.ID, "alice", model.DefaultSchema().Name)
	r1, r2 := rangeOf(t, sdfText, "Syrian Democratic Forces", 0), rangeOf(t, sdfText, "Leyla Haso", 0)
	a.Entities = []model.Span{{ID: "e1", Start: r1.Start, End: r1.End, Label: "ORG", Entity: "n1"}, {ID: "e2", Start: r2.Start, End: r2.End, Label: "PER", Entity: "n2"}}
	a.Referents = []model.Entity{{ID: "n1", Name: "Syrian Democratic Forces", Label: "ORG"},
		{ID: "n2", Name: "Leyla Haso", Label: "PER", Affiliations: []model.Affiliation{{Entity: "n1", Role: "spokesperson"}}}}
	a.Sources = []model.SourceGrade{{Source: "Syrian Democratic Forces", Entity: "n1", SpanID: "e1", Reliability: "B"}}
	a.NextID = 10
	if _, err := st.Save(a, "annotate"); err != nil {
		t.Fatal(err)
	}
	h = newHarness(t, st, 200, 60)
	h.keys("enter tab")
	h.toTab(tabSources)
	if s := h.screen(); !strings.Contains(s, "–  Leyla Haso  (entity)") || !strings.Contains(s, "spokesperson of Syrian Democratic Forces [B]") {
		t.Errorf("the Sources tab does not show her organisation's grade:\n%s", s)
	}
}

// TestClaimRowsWrap: at 160 columns a claim's row with its figures,
// credibility and stance wraps instead of being cut ("… · cred 3 · di…").
func TestClaimRowsWrap(t *testing.T) {
	st := newFakeStore(article("SDF report", sdfText))
	h := newHarness(t, st, 160, 50)
	h.keys("enter")
	a := model.NewAnnotation(h.m.doc.article.ID, "alice", model.DefaultSchema().Name)
	isis, sdf := rangeOf(t, sdfText, "ISIS claimed 53 SDF fighters were killed", 0), rangeOf(t, sdfText, "the ISIS figure was false", 0)
	n := 53
	a.Claims = []model.Claim{
		{ID: "c1", Claimant: model.Claimant{Name: "the Islamic State's news agency in Raqqa province"}, Content: []model.Range{isis},
			Type: "casualties", Polarity: "asserts", Certainty: "certain", Credibility: "3",
			Figures: []model.Figure{{Counts: "killed", Value: &n, Qualifier: "exact", Low: &n, High: &n}}},
		{ID: "c2", Claimant: model.Claimant{Name: "a spokeswoman of the Syrian Democratic Forces"}, Content: []model.Range{sdf},
			Polarity: "asserts", Credibility: "2", Stance: &model.Stance{Kind: "disputes_magnitude", ClaimID: "c1"}},
	}
	a.NextID = 5
	if _, err := st.Save(a, "annotate"); err != nil {
		t.Fatal(err)
	}
	h = newHarness(t, st, 160, 50)
	h.keys("enter tab")
	h.toTab(tabClaims)
	s := h.screen()
	if !strings.Contains(s, "disputes_magnitude c1") || !strings.Contains(s, "cred 3") {
		t.Errorf("a claim row is cut:\n%s", s)
	}
}

// TestMessagesCutBetweenWords: a message too long for the status line is
// cut between words (it was cut inside one at 80 columns).
func TestMessagesCutBetweenWords(t *testing.T) {
	for _, tc := range []struct {
		s    string
		w    int
		want string
	}{
		{"saved: set incident i1 notes to Two outlets report it", 30, "saved: set incident i1 notes…"},
		{"short", 30, "short"},
		{"averyveryverylongwordwithoutspaces", 10, "averyvery…"},
	} {
		if got := cutWords(tc.s, tc.w); got != tc.want {
			t.Errorf("cutWords(%q, %d) = %q, want %q", tc.s, tc.w, got, tc.want)
		}
	}
}

// TestQueueCountsPerArticle: the queue shows, per article the annotator
// touched, her mentions, claims and incidents, kept up to date by her
// saves.
func TestQueueCountsPerArticle(t *testing.T) {
	st := newFakeStore(article("SDF report", sdfText), article("Other", "Nothing here."))
	h := newHarness(t, st, 160, 40)
	h.keys("enter")
	h.findText("ISIS")
	h.keys("1 a a")
	h.keys("q")
	s := h.screen()
	if !strings.Contains(s, "men cl in") || !strings.Contains(s, "  3  0  0  SDF report") {
		t.Errorf("the queue does not count the article's mentions:\n%s", s)
	}
	h2 := newHarness(t, st, 160, 40)
	if s := h2.screen(); !strings.Contains(s, "  3  0  0  SDF report") {
		t.Errorf("a new screen does not read the counts:\n%s", s)
	}
}

// TestHintKeepsTheWayOut: at 80 columns the hint line still names the
// key that leaves (it dropped "q quit" first).
func TestHintKeepsTheWayOut(t *testing.T) {
	h := newHarness(t, newFakeStore(article("SDF report", sdfText)), 80, 24)
	last := func() string {
		lines := strings.Split(h.screen(), "\n")
		return lines[len(lines)-1]
	}
	if l := last(); !strings.Contains(l, "q quit") {
		t.Errorf("the queue's hint at 80 columns: %q", l)
	}
	h.keys("enter")
	if l := last(); !strings.Contains(l, "q queue") {
		t.Errorf("the article's hint at 80 columns: %q", l)
	}
}

// TestMessagesNameTheKeysInForce: a message that names a key names the
// one in force after a rebinding (it said "x again" whatever x was).
func TestMessagesNameTheKeysInForce(t *testing.T) {
	km := DefaultKeyMap()
	km.Side.Delete = key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete"))
	h := newHarness(t, newFakeStore(article("SDF report", sdfText)), 200, 60, func(o *Options) { o.Keys = &km })
	h.keys("enter")
	h.findText("ISIS")
	h.keys("1 a a tab")
	h.toTab(tabEntities)
	h.keys("d")
	if !strings.Contains(h.m.message, "d again deletes “ISIS”") {
		t.Errorf("after the rebound delete: %q", h.m.message)
	}
}
