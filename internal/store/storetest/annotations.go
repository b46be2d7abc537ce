package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

var annotationTests = []test{
	{"SaveRoundTrip", testSaveRoundTrip},
	{"SaveRefuses", testSaveRefuses},
	{"ConcurrentSavesOneWins", testConcurrentSavesOneWins},
	{"ConcurrentAnnotators", testConcurrentAnnotators},
	{"AnnotatorsAreIndependent", testAnnotatorsAreIndependent},
	{"History", testHistory},
	{"HistoryBatches", testHistoryBatches},
	{"Gold", testGold},
	{"Check", testCheckClean},
}

func testSaveRoundTrip(t *testing.T, open Opener) {
	s := open(t)
	ids := addTexts(t, s, hardTexts...)
	fresh := mustAnnotation(t, s, ids[0], "alice")
	if want := model.NewAnnotation(ids[0], "alice", ""); !reflect.DeepEqual(fresh, want) {
		t.Errorf("annotation before any save = %+v, want %+v", fresh, want)
	}
	for i, id := range ids {
		a := fullAnnotation(id, "alice", hardTexts[i])
		saved := mustSave(t, s, a, "fill")
		if saved.Rev != 1 {
			t.Errorf("saved Rev = %d, want 1", saved.Rev)
		}
		if saved.UpdatedAt.IsZero() || saved.UpdatedAt.Location() != time.UTC {
			t.Errorf("saved UpdatedAt = %v, want a UTC time", saved.UpdatedAt)
		}
		got := mustAnnotation(t, s, id, "alice")
		if !reflect.DeepEqual(got, saved) {
			t.Errorf("read back:\n got %+v\nwant %+v", got, saved)
		}
		a.Rev, a.UpdatedAt = saved.Rev, saved.UpdatedAt
		if !reflect.DeepEqual(got, a) {
			t.Errorf("stored annotation differs from what was saved:\n got %+v\nwant %+v", got, a)
		}
		// The next save moves the revision and the time on.
		got.Notes = "again"
		again := mustSave(t, s, got, "again")
		if again.Rev != 2 || !again.UpdatedAt.After(saved.UpdatedAt) {
			t.Errorf("second save rev %d at %v, want rev 2 after %v", again.Rev, again.UpdatedAt, saved.UpdatedAt)
		}
	}
	// A save with no status stores todo.
	b := mustAnnotation(t, s, ids[1], "bob")
	b.Status = ""
	if got := mustSave(t, s, b, "x"); got.Status != model.StatusTodo {
		t.Errorf("status = %q, want todo", got.Status)
	}
	if got := mustAnnotation(t, s, ids[1], "bob"); got.Status != model.StatusTodo {
		t.Errorf("stored status = %q, want todo", got.Status)
	}
}

func testSaveRefuses(t *testing.T, open Opener) {
	s := open(t)
	ids := addTexts(t, s, "one", "two")
	a := mustSave(t, s, model.NewAnnotation(ids[0], "alice", ""), "first")
	a = mustSave(t, s, a, "second") // Rev 2
	tests := []struct {
		name    string
		a       model.Annotation
		wantErr error
		wantMsg string
	}{
		{"stale revision", func() model.Annotation { b := a; b.Rev = 1; return b }(), store.ErrConflict, ""},
		{"revision from the future", func() model.Annotation { b := a; b.Rev = 7; return b }(), store.ErrConflict, ""},
		{"new annotation where one exists", model.NewAnnotation(ids[0], "alice", ""), store.ErrConflict, ""},
		{"rev 1 for a first save", func() model.Annotation { b := model.NewAnnotation(ids[1], "alice", ""); b.Rev = 1; return b }(), store.ErrConflict, ""},
		{"unknown article", model.NewAnnotation("ffffffffffffffff", "alice", ""), store.ErrNotFound, ""},
		{"no annotator", model.NewAnnotation(ids[0], "", ""), nil, "annotator"},
		{"no article", model.NewAnnotation("", "alice", ""), nil, "article"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Save(tt.a, "refused")
			switch {
			case err == nil:
				t.Fatal("Save succeeded, want an error")
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("error = %v, want %v", err, tt.wantErr)
			case tt.wantMsg != "" && !strings.Contains(err.Error(), tt.wantMsg):
				t.Errorf("error = %v, want it to mention %q", err, tt.wantMsg)
			}
		})
	}
	if got := mustAnnotation(t, s, ids[0], "alice"); got.Rev != 2 {
		t.Errorf("after refused saves Rev = %d, want 2", got.Rev)
	}
	if got := mustAnnotation(t, s, ids[1], "alice"); got.Rev != 0 {
		t.Errorf("refused first save was stored: %+v", got)
	}
	if _, err := s.Annotation("ffffffffffffffff", "alice"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Annotation(unknown article) error = %v, want ErrNotFound", err)
	}
	var n int
	_ = s.History(ids[0], "alice", func(store.HistoryEntry) error { n++; return nil })
	if n != 2 {
		t.Errorf("%d history entries, want 2: a refused save records nothing", n)
	}
}

// testConcurrentSavesOneWins: screens holding the same revision save at
// once; exactly one save is stored, every other is ErrConflict, and no
// write is lost or doubled, round after round (the first save of an
// annotation included).
func testConcurrentSavesOneWins(t *testing.T, open Opener) {
	s := open(t)
	id := addTexts(t, s, "one annotation, many screens")[0]
	const screens, rounds = 8, 8
	for round := range rounds {
		held := mustAnnotation(t, s, id, "alice")
		var wg sync.WaitGroup
		var mu sync.Mutex
		var won []string
		conflicts := 0
		start := make(chan struct{}) // every screen saves at once
		for i := range screens {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				a := held.Clone()
				a.Notes = fmt.Sprintf("round %d screen %d", round, i)
				_, err := s.Save(a, a.Notes)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					won = append(won, a.Notes)
				case errors.Is(err, store.ErrConflict):
					conflicts++
				default:
					t.Errorf("round %d screen %d: %v", round, i, err)
				}
			}()
		}
		close(start)
		wg.Wait()
		if len(won) != 1 || conflicts != screens-1 {
			t.Fatalf("round %d: %d saves won (%q), %d conflicts; want exactly one winner", round, len(won), won, conflicts)
		}
		got := mustAnnotation(t, s, id, "alice")
		if got.Rev != held.Rev+1 || got.Notes != won[0] {
			t.Errorf("round %d: stored rev %d %q, want rev %d %q", round, got.Rev, got.Notes, held.Rev+1, won[0])
		}
	}
	var actions []string
	if err := s.History(id, "alice", func(e store.HistoryEntry) error { actions = append(actions, e.Action); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(actions) != rounds {
		t.Errorf("history %q: want one change per round", actions)
	}
}

// testConcurrentAnnotators: annotators saving the same article at the
// same time wait for each other instead of failing.
func testConcurrentAnnotators(t *testing.T, open Opener) {
	s := open(t)
	id := addTexts(t, s, "busy article")[0]
	const saves = 15
	who := []string{"alice", "bob", "carol"}
	var wg sync.WaitGroup
	for _, w := range who {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range saves {
				a, err := s.Annotation(id, w)
				if err == nil {
					a.Notes = fmt.Sprint(i)
					_, err = s.Save(a, "note")
				}
				if err != nil {
					t.Errorf("%s save %d: %v", w, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, w := range who {
		if a := mustAnnotation(t, s, id, w); a.Rev != saves || a.Notes != fmt.Sprint(saves-1) {
			t.Errorf("%s's rev %d notes %q, want %d, %q", w, a.Rev, a.Notes, saves, fmt.Sprint(saves-1))
		}
	}
}

// testAnnotatorsAreIndependent: one annotator's saves, undos and
// conflicts never touch another's annotation of the same article.
func testAnnotatorsAreIndependent(t *testing.T, open Opener) {
	s := open(t)
	id := addTexts(t, s, hardTexts[0])[0]
	alice := mustSave(t, s, fullAnnotation(id, "alice", hardTexts[0]), "alice fills")
	bob := mustAnnotation(t, s, id, "bob")
	if bob.Rev != 0 || !bob.IsEmpty() {
		t.Fatalf("bob sees %+v before saving anything", bob)
	}
	bob.Notes = "bob's note"
	bob = mustSave(t, s, bob, "bob notes")
	bob.Notes = "bob's second note"
	mustSave(t, s, bob, "bob notes again")
	if _, _, err := s.Undo(id, "bob"); err != nil {
		t.Fatal(err)
	}
	if got := mustAnnotation(t, s, id, "alice"); !reflect.DeepEqual(got, alice) {
		t.Errorf("alice's annotation changed by bob's work:\n got %+v\nwant %+v", got, alice)
	}
	if got := mustAnnotation(t, s, id, "bob"); got.Notes != "bob's note" || got.Rev != 3 {
		t.Errorf("bob's annotation = notes %q rev %d, want \"bob's note\" rev 3", got.Notes, got.Rev)
	}
	if _, _, err := s.Undo(id, "carol"); !errors.Is(err, store.ErrNothingToUndo) {
		t.Errorf("carol's undo error = %v, want ErrNothingToUndo", err)
	}
}

func testHistory(t *testing.T, open Opener) {
	s := open(t)
	ids := addTexts(t, s, "first", "second")
	a := mustAnnotation(t, s, ids[0], "alice")
	a.Notes = "one"
	a = mustSave(t, s, a, "add note")
	b := mustAnnotation(t, s, ids[0], "bob")
	b.Status = model.StatusDone
	mustSave(t, s, b, "mark done")
	a.Notes = "two"
	mustSave(t, s, a, "edit note")
	if _, _, err := s.Undo(ids[0], "alice"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Redo(ids[0], "alice"); err != nil {
		t.Fatal(err)
	}
	c := mustAnnotation(t, s, ids[1], "alice")
	c.Schema = "conflict-incidents"
	mustSave(t, s, c, "open")

	type row struct {
		annotator, article, action, beforeNotes string
		beforeRev                               int
	}
	tests := []struct {
		name               string
		article, annotator string
		want               []row
	}{
		{"alice on the first article", ids[0], "alice", []row{
			{"alice", ids[0], "add note", "", 0},
			{"alice", ids[0], "edit note", "one", 1},
			{"alice", ids[0], "undo: edit note", "two", 2},
			{"alice", ids[0], "redo: edit note", "one", 3},
		}},
		{"everyone on the first article", ids[0], "", []row{
			{"alice", ids[0], "add note", "", 0},
			{"bob", ids[0], "mark done", "", 0},
			{"alice", ids[0], "edit note", "one", 1},
			{"alice", ids[0], "undo: edit note", "two", 2},
			{"alice", ids[0], "redo: edit note", "one", 3},
		}},
		{"alice everywhere", "", "alice", []row{
			{"alice", ids[0], "add note", "", 0},
			{"alice", ids[0], "edit note", "one", 1},
			{"alice", ids[0], "undo: edit note", "two", 2},
			{"alice", ids[0], "redo: edit note", "one", 3},
			{"alice", ids[1], "open", "", 0},
		}},
		{"everyone everywhere", "", "", []row{
			{"alice", ids[0], "add note", "", 0},
			{"bob", ids[0], "mark done", "", 0},
			{"alice", ids[0], "edit note", "one", 1},
			{"alice", ids[0], "undo: edit note", "two", 2},
			{"alice", ids[0], "redo: edit note", "one", 3},
			{"alice", ids[1], "open", "", 0},
		}},
		{"nobody", ids[1], "bob", nil},
		{"an annotator whose name another's begins with", "", "ali", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []row
			var last store.HistoryEntry
			err := s.History(tt.article, tt.annotator, func(e store.HistoryEntry) error {
				if e.Before == nil {
					t.Errorf("entry %d (%s) has no Before", e.Seq, e.Action)
					return nil
				}
				if e.Seq <= last.Seq || e.Time.Before(last.Time) || e.Time.IsZero() {
					t.Errorf("entry %d at %v follows %d at %v: not oldest first", e.Seq, e.Time, last.Seq, last.Time)
				}
				if e.Before.ArticleID != e.ArticleID || e.Before.Annotator != e.Annotator {
					t.Errorf("entry %d: state before is %s by %s", e.Seq, e.Before.ArticleID, e.Before.Annotator)
				}
				last = e
				got = append(got, row{e.Annotator, e.ArticleID, e.Action, e.Before.Notes, e.Before.Rev})
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("history =\n%v\nwant\n%v", got, tt.want)
			}
		})
	}
	// The state before a first change is the empty annotation, with the
	// schema the change names.
	_ = s.History(ids[1], "alice", func(e store.HistoryEntry) error {
		if want := model.NewAnnotation(ids[1], "alice", "conflict-incidents"); !reflect.DeepEqual(*e.Before, want) {
			t.Errorf("state before the first change = %+v, want %+v", *e.Before, want)
		}
		return nil
	})
	stop := errors.New("stop")
	n := 0
	if err := s.History("", "", func(store.HistoryEntry) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Errorf("History with a failing callback: err %v after %d calls, want stop after 1", err, n)
	}
}

// testHistoryBatches: a history longer than any store's read batch comes
// whole and in order, for one article and for all.
func testHistoryBatches(t *testing.T, open Opener) {
	s := open(t)
	ids := addTexts(t, s, "first", "second")
	const saves = 300
	cur := []model.Annotation{mustAnnotation(t, s, ids[0], "alice"), mustAnnotation(t, s, ids[1], "alice")}
	for i := range saves {
		a := &cur[i%2]
		a.Notes = fmt.Sprint(i)
		*a = mustSave(t, s, *a, fmt.Sprint("save ", i))
	}
	for _, tt := range []struct {
		article string
		want    []int
	}{{"", nil}, {ids[0], nil}, {ids[1], nil}} {
		for i := range saves {
			if tt.article == "" || tt.article == ids[i%2] {
				tt.want = append(tt.want, i)
			}
		}
		var got []int
		var last uint64
		if err := s.History(tt.article, "alice", func(e store.HistoryEntry) error {
			var n int
			if _, err := fmt.Sscanf(e.Action, "save %d", &n); err != nil || e.Seq <= last {
				t.Errorf("entry %d %q after %d", e.Seq, e.Action, last)
			}
			last = e.Seq
			got = append(got, n)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("History(%q) gave %d changes, want %d in order", tt.article, len(got), len(tt.want))
		}
	}
}

// testGold: the adjudicated annotation is the annotator "gold"'s, stored,
// listed and undone like anyone's.
func testGold(t *testing.T, open Opener) {
	s := open(t)
	ids := addTexts(t, s, "ISIS claimed the attack.", "The SDF denied it.")
	setStatus(t, s, ids[0], "alice", model.StatusDone)
	g := model.NewAnnotation(ids[0], model.GoldAnnotator, "conflict-incidents")
	g.Status = model.StatusDone
	g.Entities = []model.Span{{ID: "e1", Start: 0, End: 4, Label: "ORG"}}
	g.Decisions = []model.Decision{{Item: "span 0-4", Kind: model.DecisionAccepted, From: []string{"alice"}, Gold: []string{"e1"}, By: "rev", At: Start, Seen: map[string]string{"alice": "e1"}}}
	saved := mustSave(t, s, g, "review: accept")
	if got := mustAnnotation(t, s, ids[0], model.GoldAnnotator); !reflect.DeepEqual(got, saved) {
		t.Errorf("gold read back\n%+v\nwant\n%+v", got, saved)
	}
	var gold []string
	if err := s.Each(store.Filter{Annotator: model.GoldAnnotator}, func(r store.Record) error {
		for _, a := range r.Annotations {
			gold = append(gold, r.Article.ID+" "+a.Annotator+" "+fmt.Sprint(len(a.Decisions)))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := []string{ids[0] + " gold 1"}; !slices.Equal(gold, want) {
		t.Errorf("Each(gold) = %q, want %q", gold, want)
	}
	p, err := s.Page(store.Query{Annotator: model.GoldAnnotator})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[model.Status]int{model.StatusDone: 1, model.StatusTodo: 1}; !reflect.DeepEqual(p.Counts, want) {
		t.Errorf("gold's counts %v, want %v", p.Counts, want)
	}
	if _, _, err := s.Undo(ids[0], model.GoldAnnotator); err != nil {
		t.Fatal(err)
	}
	if got := mustAnnotation(t, s, ids[0], model.GoldAnnotator); len(got.Decisions) != 0 || got.Rev != 2 {
		t.Errorf("gold after undo: %d decisions, rev %d; want none, rev 2", len(got.Decisions), got.Rev)
	}
}

// testCheckClean: a database worked on through the store alone has no
// problems.
func testCheckClean(t *testing.T, open Opener) {
	s := open(t)
	mustCheck(t, s)
	ids := addTexts(t, s, hardTexts...)
	for i, id := range ids {
		mustSave(t, s, fullAnnotation(id, "alice", hardTexts[i]), "fill")
	}
	if _, _, err := s.Undo(ids[0], "alice"); err != nil {
		t.Fatal(err)
	}
	mustCheck(t, s)
}
