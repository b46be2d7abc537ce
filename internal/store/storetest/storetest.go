// Package storetest is the contract every store.Store keeps: one suite of
// tests that each backend (store/bolt, store/postgres) runs against itself
// from its own contract_test.go, so the screen, the commands and the
// server see one behaviour whichever database is behind them.
//
// A backend's test calls Run with a function opening a fresh, empty store
// for a test, whose clock is Now(t):
//
//	storetest.Run(t, func(t *testing.T) store.Store {
//		db := open a new database for t
//		db.Now = storetest.Now(t)
//		t.Cleanup(func() { db.Close() })
//		return db
//	})
//
// The Batcher and Assigner parts run when the store offers them and are
// skipped, saying so, when it does not.
//
// A backend's own tests, of what only it can do (reopen a file, open a
// second handle, merge another file), use the suite's checks rather than
// copies of them: UndoScript (with "reopen" steps), EachLetsOthersWrite,
// MixStatuses and QueueMatchesListing, Populate and SameContents.
package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// Start is the first time a test clock gives.
var Start = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is a test's clock: each reading moves it step on (a second, so
// every change has its own time), unless a test stopped it.
type clock struct {
	mu   sync.Mutex
	at   time.Time
	step time.Duration
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = c.at.Add(c.step)
	return c.at
}

// set stops the clock at t (step 0) or lets it run on from t.
func (c *clock) set(t time.Time, step time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at, c.step = t, step
}

var (
	clocksMu sync.Mutex
	clocks   = map[testing.TB]*clock{}
)

func clockOf(t testing.TB) *clock {
	clocksMu.Lock()
	defer clocksMu.Unlock()
	c, ok := clocks[t]
	if !ok {
		c = &clock{at: Start, step: time.Second}
		clocks[t] = c
		t.Cleanup(func() {
			clocksMu.Lock()
			delete(clocks, t)
			clocksMu.Unlock()
		})
	}
	return c
}

// Now returns the clock the store opened for test t must use (its Now
// field): it starts at Start and moves a second on at each reading, and
// the suite stops or moves it where a test needs (claims lapsing).
func Now(t testing.TB) func() time.Time { return clockOf(t).now }

// Opener opens a fresh, empty store for t, using Now(t) as its clock.
type Opener func(t *testing.T) store.Store

// Run runs the whole contract against the stores open gives: one fresh
// store per subtest.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	groups := []struct {
		name  string
		tests []test
	}{
		{"Articles", articleTests},
		{"Annotations", annotationTests},
		{"Undo", undoTests},
		{"Queue", queueTests},
		{"Each", eachTests},
		{"Registry", registryTests},
		{"Schema", schemaTests},
		{"Batcher", batcherTests},
		{"Assigner", assignerTests},
		{"Copier", copierTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tt := range g.tests {
				t.Run(tt.name, func(t *testing.T) {
					clockOf(t) // before open, which reads it
					tt.run(t, open)
				})
			}
		})
	}
}

// test is one test of the contract.
type test struct {
	name string
	run  func(t *testing.T, open Opener)
}

// hardTexts are article texts a store must keep byte for byte.
var hardTexts = []string{
	"ISIS claimed 53 SDF fighters were killed near Raqqa.\r\nThe SDF denied it.\r\n",
	"Family 👩\u200d👩\u200d👧 fled; flag 🇸🇾; emoji 😀 at the end 😀",
	"سالم الراوي said the attack on Hasakah was repelled.",
	"Cafe\u0301 and café are different bytes.\n\tIndented line\n",
	"中文報道: 叙利亚 東部\n",
	"  leading and trailing spaces  \n\n",
	"line one\rold Mac line end\r",
}

func newArticle(text string) model.Article {
	return model.Article{
		Text:         text,
		Title:        model.TitleFromText(text),
		Source:       "test",
		URL:          "https://example.org/" + model.ArticleID(text),
		ImportedFrom: "test.jsonl",
		ImportedAt:   Start,
		ImportedBy:   "tester",
		Meta:         map[string]any{"section": "north", "page": 3.0},
	}
}

// addTexts adds one article per text and returns their IDs.
func addTexts(t testing.TB, s store.Store, texts ...string) []string {
	t.Helper()
	arts := make([]model.Article, len(texts))
	ids := make([]string, len(texts))
	for i, text := range texts {
		arts[i] = newArticle(text)
		ids[i] = model.ArticleID(text)
	}
	added, err := s.AddArticles(arts)
	if err != nil {
		t.Fatalf("AddArticles: %v", err)
	}
	for i, ok := range added {
		if !ok {
			t.Fatalf("AddArticles did not add article %d (%q)", i, texts[i])
		}
	}
	return ids
}

// numbered returns n distinct texts.
func numbered(n int, format string) []string {
	texts := make([]string, n)
	for i := range texts {
		texts[i] = fmt.Sprintf(format, i)
	}
	return texts
}

func mustSave(t testing.TB, s store.Store, a model.Annotation, action string) model.Annotation {
	t.Helper()
	saved, err := s.Save(a, action)
	if err != nil {
		t.Fatalf("Save(%s by %s, rev %d, %q): %v", a.ArticleID, a.Annotator, a.Rev, action, err)
	}
	return saved
}

func mustAnnotation(t testing.TB, s store.Store, articleID, annotator string) model.Annotation {
	t.Helper()
	a, err := s.Annotation(articleID, annotator)
	if err != nil {
		t.Fatalf("Annotation(%s, %s): %v", articleID, annotator, err)
	}
	return a
}

func summaries(t testing.TB, s store.Store) []store.ArticleSummary {
	t.Helper()
	var list []store.ArticleSummary
	if err := s.Articles(func(a store.ArticleSummary) error {
		list = append(list, a)
		return nil
	}); err != nil {
		t.Fatalf("Articles: %v", err)
	}
	return list
}

func mustCheck(t testing.TB, s store.Store) {
	t.Helper()
	if problems, err := s.Check(); err != nil || len(problems) > 0 {
		t.Errorf("Check: %q, %v; want no problems", problems, err)
	}
}

// setStatus saves the annotator's annotation of the article with status st.
func setStatus(t testing.TB, s store.Store, id, who string, st model.Status) model.Annotation {
	t.Helper()
	a := mustAnnotation(t, s, id, who)
	a.Status = st
	return mustSave(t, s, a, "status "+string(st))
}

// fullAnnotation fills every layer of an annotation of text.
func fullAnnotation(articleID, annotator, text string) model.Annotation {
	a := model.NewAnnotation(articleID, annotator, "conflict-incidents")
	a.Status = model.StatusInProgress
	best := 53
	// Ranges on character boundaries without white space at their ends,
	// so an export takes them: the first word or so, and the whole text.
	word, all := trimmed(text, 0, runesEnd(text, 4)), trimmed(text, 0, len(text))
	a.Entities = []model.Span{{ID: a.NewID("e"), Start: word.Start, End: word.End, Label: "ORG"}}
	a.Claims = []model.Claim{{
		ID:       a.NewID("c"),
		Claimant: model.Claimant{SpanID: "e1"},
		Cue:      &word,
		Content:  []model.Range{all},
		Type:     "casualties",
		Figures: []model.Figure{model.ExactFigure(53, "killed"),
			{Counts: "wounded", Qualifier: model.QualifierApproximate, Low: &best, Text: "dozens"}},
		Stance:      &model.Stance{Kind: "supports", ClaimID: "c4"},
		Credibility: "3",
	}}
	a.Incidents = []model.Incident{{
		ID: a.NewID("i"),
		Fields: map[string]model.Value{
			"killed":  {Count: &model.Count{Best: &best}},
			"date":    {Date: &model.Date{Start: "2024-02-29", Precision: "day"}},
			"weapons": {List: []string{"5", "6"}},
			"notes":   {Text: "notes with 😀 and سالم"},
		},
		Evidence: map[string][]string{"killed": {"c2"}},
	}}
	// c4, the claim c2 supports.
	a.Claims = append(a.Claims, model.Claim{ID: a.NewID("c"), Claimant: model.Claimant{Name: "officials"}, Content: []model.Range{word}, Polarity: "denies"})
	a.Sources = []model.SourceGrade{{Source: "ISIS", SpanID: "e1", Reliability: "D"}}
	a.Notes = "CRLF\r\nnotes \u202e and \x1b[31m escapes"
	a.Rejected = []model.Rejection{{Start: word.Start, End: word.End, Label: "GPE"}}
	model.GroupMentions(&a, text)
	a.Referents[0].Aliases = []string{"Islamic State"}
	a.Referents[0].ExternalIDs = []string{"wikidata:Q2429253"}
	at := time.Date(2024, 2, 29, 23, 0, 0, 0, time.UTC)
	a.Review = &model.Review{State: model.ReviewReturned, By: "carol", At: at,
		Seen: map[string]string{"span 0-4": "d41d8c"},
		Comments: []model.Comment{{Item: "span 0-4", Text: "a group, not a place", By: "carol", At: at,
			Replies: []model.Comment{{Item: "span 0-4", Text: "relabelled", By: annotator, At: at.Add(time.Minute)}}}}}
	return a
}

// runesEnd is the byte offset after the first k characters of text (its
// length when it has fewer).
func runesEnd(text string, k int) int {
	for i := range text {
		if k == 0 {
			return i
		}
		k--
	}
	return len(text)
}

// trimmed is [start, end) of text without white space at its ends (the
// whole range when nothing else is left).
func trimmed(text string, start, end int) model.Range {
	if r, ok := model.TrimBlank(text, model.Range{Start: start, End: end}); ok {
		return r
	}
	return model.Range{Start: start, End: end}
}
