package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// RunRoster runs the store.Roster contract (listing, renaming and removing
// annotators) against the stores open gives; a backend's contract test
// calls it beside Run.
func RunRoster(t *testing.T, open func(t *testing.T) store.Store) {
	for _, tt := range rosterTests {
		t.Run("Roster/"+tt.name, func(t *testing.T) {
			clockOf(t)
			tt.run(t, open)
		})
	}
}

var rosterTests = []test{
	{"Annotators", testAnnotatorsListed},
	{"RenameMovesEverything", testRenameMovesEverything},
	{"RenameRefuses", testRenameRefuses},
	{"RenameBack", testRenameBack},
	{"Remove", testRemoveAnnotator},
}

func roster(t *testing.T, s store.Store) store.Roster {
	t.Helper()
	r, ok := s.(store.Roster)
	if !ok {
		t.Skipf("%T does not implement store.Roster: the Roster contract is skipped", s)
	}
	return r
}

func mustAnnotators(t testing.TB, r store.Roster) []store.AnnotatorSummary {
	t.Helper()
	all, err := r.Annotators()
	if err != nil {
		t.Fatalf("Annotators: %v", err)
	}
	return all
}

// rosterScene is the database the rename and remove tests start from:
// three articles; alice has the first in progress (a long annotation, its
// lists kept in chunks by bbolt, with an undo and a redo step), the second
// done, and holds a claim on the first when the store hands out articles;
// bob has the first done; gold took alice's version of a mention (its
// decision names her) and was reviewed by her.
type rosterScene struct {
	ids  []string
	text string
	// alice's annotation of the first article as stored.
	alice model.Annotation
}

func newRosterScene(t *testing.T, s store.Store) rosterScene {
	t.Helper()
	var words []string
	for i := range 80 {
		words = append(words, fmt.Sprintf("word%02d", i))
	}
	text := strings.Join(words, " ")
	ids := addTexts(t, s, text, "second article", "third article")
	a := mustAnnotation(t, s, ids[0], "alice")
	a.Status = model.StatusInProgress
	for i := range words {
		start := i * 7
		a.Entities = append(a.Entities, model.Span{ID: a.NewID("e"), Start: start, End: start + 6, Label: "ORG"})
	}
	a = mustSave(t, s, a, "tag 80")
	a.Notes = "first"
	a = mustSave(t, s, a, "note first")
	a.Notes = "second"
	a = mustSave(t, s, a, "note second")
	if _, _, err := s.Undo(ids[0], "alice"); err != nil {
		t.Fatal(err)
	}
	a = mustAnnotation(t, s, ids[0], "alice")
	setStatus(t, s, ids[1], "alice", model.StatusDone)
	setStatus(t, s, ids[0], "bob", model.StatusDone)
	g := model.NewAnnotation(ids[0], model.GoldAnnotator, "conflict-incidents")
	g.Entities = []model.Span{{ID: "e1", Start: 0, End: 6, Label: "ORG"}}
	g.Decisions = []model.Decision{{Item: "span 0-6", Kind: model.DecisionTaken, From: []string{"alice"}, Gold: []string{"e1"}, By: "carol",
		At: Start, Seen: map[string]string{"alice": "x", "bob": ""}}}
	mustSave(t, s, g, "review")
	if as, ok := s.(store.Assigner); ok {
		if id, ok, err := as.Assign("alice", 3, time.Hour); err != nil || !ok || id != ids[0] {
			t.Fatalf("Assign(alice) = %s, %v, %v; want the article she has in progress", id, ok, err)
		}
	}
	return rosterScene{ids: ids, text: text, alice: a}
}

type historyRow struct{ who, article, action string }

func historyRows(t testing.TB, s store.Store, article, who string) []historyRow {
	t.Helper()
	var rows []historyRow
	if err := s.History(article, who, func(e store.HistoryEntry) error {
		if e.Before != nil && e.Before.Annotator != e.Annotator {
			t.Errorf("history entry %d of %s: the state before names %q", e.Seq, e.Annotator, e.Before.Annotator)
		}
		rows = append(rows, historyRow{e.Annotator, e.ArticleID, e.Action})
		return nil
	}); err != nil {
		t.Fatalf("History(%s, %s): %v", article, who, err)
	}
	return rows
}

func summaryOf(all []store.AnnotatorSummary, name string) (store.AnnotatorSummary, bool) {
	for _, s := range all {
		if s.Name == name {
			return s, true
		}
	}
	return store.AnnotatorSummary{}, false
}

// testAnnotatorsListed: every annotator with an annotation, by name, with
// how many annotations and how many of each status.
func testAnnotatorsListed(t *testing.T, open Opener) {
	s := open(t)
	r := roster(t, s)
	if all := mustAnnotators(t, r); len(all) != 0 {
		t.Fatalf("an empty store lists %+v", all)
	}
	ids := addTexts(t, s, "one", "two", "three")
	setStatus(t, s, ids[0], "bob", model.StatusDone)
	setStatus(t, s, ids[1], "bob", model.StatusDone)
	setStatus(t, s, ids[2], "bob", model.StatusSkipped)
	setStatus(t, s, ids[0], "alice", model.StatusInProgress)
	mustSave(t, s, mustAnnotation(t, s, ids[1], "alice"), "open")
	setStatus(t, s, ids[0], model.GoldAnnotator, model.StatusDone)
	want := []store.AnnotatorSummary{
		{Name: "alice", Annotations: 2, Statuses: map[model.Status]int{model.StatusInProgress: 1, model.StatusTodo: 1}},
		{Name: "bob", Annotations: 3, Statuses: map[model.Status]int{model.StatusDone: 2, model.StatusSkipped: 1}},
		{Name: model.GoldAnnotator, Annotations: 1, Statuses: map[model.Status]int{model.StatusDone: 1}},
	}
	if got := mustAnnotators(t, r); !reflect.DeepEqual(got, want) {
		t.Errorf("Annotators:\n%+v\nwant\n%+v", got, want)
	}
}

// testRenameMovesEverything: after renaming alice to alicia, everything
// alice had is alicia's (annotations, queue and counts, history, undo and
// redo, claims, gold's decisions naming her), alice has nothing, each
// renamed annotation records the rename, and Check passes.
func testRenameMovesEverything(t *testing.T, open Opener) {
	s := open(t)
	r := roster(t, s)
	sc := newRosterScene(t, s)
	ids := sc.ids
	histBefore := historyRows(t, s, "", "alice")
	if err := r.RenameAnnotator("alice", "alicia"); err != nil {
		t.Fatalf("RenameAnnotator: %v", err)
	}
	mustCheck(t, s)

	all := mustAnnotators(t, r)
	if _, ok := summaryOf(all, "alice"); ok {
		t.Errorf("alice is still listed: %+v", all)
	}
	got, ok := summaryOf(all, "alicia")
	want := store.AnnotatorSummary{Name: "alicia", Annotations: 2, Statuses: map[model.Status]int{model.StatusInProgress: 1, model.StatusDone: 1}}
	if !ok || !reflect.DeepEqual(got, want) {
		t.Errorf("alicia listed as %+v, want %+v", got, want)
	}

	// The annotation, under its new name, one revision on.
	a := mustAnnotation(t, s, ids[0], "alicia")
	wantA := sc.alice
	wantA.Annotator = "alicia"
	wantA.Rev++
	wantA.UpdatedAt = a.UpdatedAt
	if !reflect.DeepEqual(a, wantA) {
		t.Errorf("alicia's annotation:\n%+v\nwant alice's renamed:\n%+v", a, wantA)
	}
	if old := mustAnnotation(t, s, ids[0], "alice"); old.Rev != 0 || len(old.Entities) != 0 {
		t.Errorf("alice still has an annotation: rev %d, %d spans", old.Rev, len(old.Entities))
	}

	// The queue and its counts.
	p, err := s.Page(store.Query{Annotator: "alicia", Status: model.StatusDone})
	if err != nil {
		t.Fatal(err)
	}
	if ids := pageIDs(p); !slices.Equal(ids, []string{sc.ids[1]}) || p.Counts[model.StatusInProgress] != 1 || p.Counts[model.StatusTodo] != 1 {
		t.Errorf("alicia's done page %v, counts %v; want the second article, one in progress, one todo", ids, p.Counts)
	}
	if p, err := s.Page(store.Query{Annotator: "alice"}); err != nil || p.Counts[model.StatusTodo] != 3 {
		t.Errorf("alice's counts %v (%v), want every article todo", p.Counts, err)
	}
	if id, ok, err := s.NextToWork("alicia", ""); err != nil || !ok || id != ids[0] {
		t.Errorf("NextToWork(alicia) = %s, %v, %v; want the article in progress", id, ok, err)
	}
	for _, sum := range summaries(t, s) {
		if _, ok := sum.Statuses["alice"]; ok {
			t.Errorf("article %s still lists alice's status: %v", sum.ID, sum.Statuses)
		}
	}
	if sum := summaries(t, s)[0]; sum.Statuses["alicia"] != model.StatusInProgress {
		t.Errorf("the first article lists %v, want alicia in progress", sum.Statuses)
	}

	// The history: the old entries under the new name, then the rename.
	action := store.RenameAction("alice", "alicia")
	var wantHist []historyRow
	for _, h := range histBefore {
		wantHist = append(wantHist, historyRow{"alicia", h.article, h.action})
	}
	wantHist = append(wantHist, historyRow{"alicia", ids[0], action}, historyRow{"alicia", ids[1], action})
	if got := historyRows(t, s, "", "alicia"); !reflect.DeepEqual(got, wantHist) {
		t.Errorf("alicia's history:\n%v\nwant\n%v", got, wantHist)
	}
	if got := historyRows(t, s, ids[0], "alice"); len(got) != 0 {
		t.Errorf("alice's history is not empty: %v", got)
	}
	if got := historyRows(t, s, "", "alice"); len(got) != 0 {
		t.Errorf("alice's history everywhere is not empty: %v", got)
	}

	// Undo and redo go on from where alice left them.
	redone, what, err := s.Redo(ids[0], "alicia")
	if err != nil || what != "note second" || redone.Notes != "second" || redone.Annotator != "alicia" {
		t.Fatalf("Redo(alicia) = %q by %q, %q, %v; want alice's undone note back", redone.Notes, redone.Annotator, what, err)
	}
	for _, step := range []string{"note second", "note first", "tag 80"} {
		undone, what, err := s.Undo(ids[0], "alicia")
		if err != nil || what != step || undone.Annotator != "alicia" {
			t.Fatalf("Undo(alicia) = %q by %q, %v; want %q undone", what, undone.Annotator, err, step)
		}
	}
	if a := mustAnnotation(t, s, ids[0], "alicia"); len(a.Entities) != 0 || a.Annotator != "alicia" {
		t.Errorf("after undoing everything alicia has %d spans (as %q), want none", len(a.Entities), a.Annotator)
	}
	if _, _, err := s.Undo(ids[0], "alicia"); !errors.Is(err, store.ErrNothingToUndo) {
		t.Errorf("undoing the rename itself: %v, want nothing to undo", err)
	}
	if old := mustAnnotation(t, s, ids[0], "alice"); old.Rev != 0 {
		t.Errorf("undo wrote alice's annotation again (rev %d)", old.Rev)
	}

	// Gold's decision names alicia now, in one more change of gold.
	g := mustAnnotation(t, s, ids[0], model.GoldAnnotator)
	if d := g.Decisions[0]; !slices.Equal(d.From, []string{"alicia"}) || d.Seen["alicia"] != "x" || d.Seen["bob"] != "" || len(d.Seen) != 2 {
		t.Errorf("gold's decision %+v, want it to name alicia", d)
	}
	if h := historyRows(t, s, ids[0], model.GoldAnnotator); len(h) != 2 || h[1].action != action {
		t.Errorf("gold's history %v, want the review and the rename", h)
	}
	// bob's annotation never named alice: unchanged.
	if h := historyRows(t, s, "", "bob"); len(h) != 1 {
		t.Errorf("bob's history %v, want one change", h)
	}

	// Claims.
	if as, ok := s.(store.Assigner); ok {
		if got := claimsOf(t, as); !slices.Equal(got, []string{ids[0] + " alicia"}) {
			t.Errorf("claims %v, want alicia's", got)
		}
		if id, ok, err := as.Assign("alicia", 3, time.Hour); err != nil || !ok || id != ids[0] {
			t.Errorf("Assign(alicia) = %s, %v, %v; want the article she holds", id, ok, err)
		}
	}

	// alicia works on.
	a = mustAnnotation(t, s, ids[1], "alicia")
	a.Notes = "after"
	mustSave(t, s, a, "note after")
	mustCheck(t, s)
}

// testRenameRefuses: a rename to a name taken, to a name that looks like
// another's, to or from gold, of nobody, or to a bad name is refused, and
// nothing changes.
func testRenameRefuses(t *testing.T, open Opener) {
	s := open(t)
	r := roster(t, s)
	sc := newRosterScene(t, s)
	before := mustAnnotators(t, r)
	hist := historyRows(t, s, "", "")
	cases := []struct {
		old, new string
		check    func(error) bool
	}{
		{"alice", "bob", func(err error) bool { return errors.Is(err, store.ErrAnnotatorExists) }},
		{"alice", "Bob", func(err error) bool { var e *model.SimilarNameError; return errors.As(err, &e) && e.Existing == "bob" }},
		{"alice", "b\u200bob", func(err error) bool { return err != nil }},
		{"alice", "alice ", func(err error) bool { return err != nil }},
		{"alice", "", func(err error) bool { return errors.Is(err, model.ErrAnnotatorNameBlank) }},
		{"alice", "alice", func(err error) bool { return err != nil }},
		{"alice", model.GoldAnnotator, func(err error) bool { return errors.Is(err, store.ErrGold) }},
		{"alice", "Gold", func(err error) bool {
			var e *model.SimilarNameError
			return errors.As(err, &e) && e.Existing == model.GoldAnnotator
		}},
		{model.GoldAnnotator, "silver", func(err error) bool { return errors.Is(err, store.ErrGold) }},
		{"Alice", "alicia", func(err error) bool {
			var e *store.NoAnnotatorError
			return errors.As(err, &e) && e.Name == "Alice" && e.Similar == "alice"
		}},
		{"dave", "david", func(err error) bool { var e *store.NoAnnotatorError; return errors.As(err, &e) && e.Similar == "" }},
	}
	for _, c := range cases {
		if err := r.RenameAnnotator(c.old, c.new); !c.check(err) {
			t.Errorf("RenameAnnotator(%q, %q) = %v, want it refused", c.old, c.new, err)
		}
	}
	if got := mustAnnotators(t, r); !reflect.DeepEqual(got, before) {
		t.Errorf("after refused renames:\n%+v\nwant\n%+v", got, before)
	}
	if got := historyRows(t, s, "", ""); !reflect.DeepEqual(got, hist) {
		t.Errorf("refused renames changed the history:\n%v\nwant\n%v", got, hist)
	}
	if a := mustAnnotation(t, s, sc.ids[0], "alice"); !reflect.DeepEqual(a, sc.alice) {
		t.Error("refused renames changed alice's annotation")
	}
	mustCheck(t, s)
	// Mending a name's case is a rename like any other.
	if err := r.RenameAnnotator("bob", "Bob"); err != nil {
		t.Errorf("RenameAnnotator(bob, Bob): %v, want the case mended", err)
	}
	mustCheck(t, s)
}

// testRenameBack: a rename and its reverse leave the annotation as it
// was, with two more changes in its history.
func testRenameBack(t *testing.T, open Opener) {
	s := open(t)
	r := roster(t, s)
	sc := newRosterScene(t, s)
	for _, step := range [][2]string{{"alice", "alicia"}, {"alicia", "alice"}} {
		if err := r.RenameAnnotator(step[0], step[1]); err != nil {
			t.Fatalf("RenameAnnotator(%s, %s): %v", step[0], step[1], err)
		}
	}
	a := mustAnnotation(t, s, sc.ids[0], "alice")
	want := sc.alice
	want.Rev += 2
	want.UpdatedAt = a.UpdatedAt
	if !reflect.DeepEqual(a, want) {
		t.Errorf("after renaming there and back:\n%+v\nwant\n%+v", a, want)
	}
	h := historyRows(t, s, sc.ids[0], "alice")
	if n := len(h); n < 2 || h[n-2].action != store.RenameAction("alice", "alicia") || h[n-1].action != store.RenameAction("alicia", "alice") {
		t.Errorf("history %v, want both renames last", h)
	}
	mustCheck(t, s)
}

// testRemoveAnnotator: removing an annotator deletes its annotations,
// history, stacks and claims and nothing of anyone else's.
func testRemoveAnnotator(t *testing.T, open Opener) {
	s := open(t)
	r := roster(t, s)
	sc := newRosterScene(t, s)
	bobHist := historyRows(t, s, "", "bob")
	gold := mustAnnotation(t, s, sc.ids[0], model.GoldAnnotator)
	n, err := r.RemoveAnnotator("alice")
	if err != nil || n != 2 {
		t.Fatalf("RemoveAnnotator(alice) = %d, %v; want 2 annotations removed", n, err)
	}
	mustCheck(t, s)
	if _, ok := summaryOf(mustAnnotators(t, r), "alice"); ok {
		t.Error("alice is still listed")
	}
	if a := mustAnnotation(t, s, sc.ids[0], "alice"); a.Rev != 0 || len(a.Entities) != 0 {
		t.Errorf("alice's annotation is still there (rev %d)", a.Rev)
	}
	if h := historyRows(t, s, "", "alice"); len(h) != 0 {
		t.Errorf("alice's history is still there: %v", h)
	}
	if _, _, err := s.Undo(sc.ids[0], "alice"); !errors.Is(err, store.ErrNothingToUndo) {
		t.Errorf("Undo(alice) after the removal: %v, want nothing to undo", err)
	}
	if p, err := s.Page(store.Query{Annotator: "alice"}); err != nil || p.Counts[model.StatusTodo] != 3 || len(p.Counts) != 1 {
		t.Errorf("alice's counts %v (%v), want every article todo", p.Counts, err)
	}
	if got := historyRows(t, s, "", "bob"); !reflect.DeepEqual(got, bobHist) {
		t.Errorf("bob's history changed: %v, want %v", got, bobHist)
	}
	if g := mustAnnotation(t, s, sc.ids[0], model.GoldAnnotator); !reflect.DeepEqual(g, gold) {
		t.Error("gold changed")
	}
	if as, ok := s.(store.Assigner); ok {
		if got := claimsOf(t, as); len(got) != 0 {
			t.Errorf("claims %v, want alice's gone", got)
		}
	}
	// alice may start again from nothing.
	setStatus(t, s, sc.ids[2], "alice", model.StatusDone)
	mustCheck(t, s)

	if _, err := r.RemoveAnnotator(model.GoldAnnotator); !errors.Is(err, store.ErrGold) {
		t.Errorf("RemoveAnnotator(gold) = %v, want ErrGold", err)
	}
	var no *store.NoAnnotatorError
	if _, err := r.RemoveAnnotator("Bob"); !errors.As(err, &no) || no.Similar != "bob" {
		t.Errorf("RemoveAnnotator(Bob) = %v, want no such annotator, like bob", err)
	}
	if _, ok := summaryOf(mustAnnotators(t, r), "bob"); !ok {
		t.Error("a refused removal removed bob")
	}
}
