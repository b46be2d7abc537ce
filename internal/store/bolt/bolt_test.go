package bolt

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// clockStart is the first time the test clock gives; each call adds a
// second, so every save has its own UpdatedAt.
var clockStart = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

// newDB opens a fresh database in a temporary folder.
func newDB(t testing.TB) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "annotate.db")
	return openAt(t, path), path
}

// openAt opens the database at path with a short lock timeout and a test
// clock.
func openAt(t testing.TB, path string) *DB {
	t.Helper()
	db, err := Open(path, Options{LockTimeout: 2 * time.Second})
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	var mu sync.Mutex
	tick := clockStart
	db.Now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		tick = tick.Add(time.Second)
		return tick
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
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
		ImportedAt:   clockStart,
		ImportedBy:   "tester",
	}
}

// addTexts adds one article per text and returns their IDs.
func addTexts(t testing.TB, db *DB, texts ...string) []string {
	t.Helper()
	arts := make([]model.Article, len(texts))
	ids := make([]string, len(texts))
	for i, text := range texts {
		arts[i] = newArticle(text)
		ids[i] = model.ArticleID(text)
	}
	added, err := db.AddArticles(arts)
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

func mustSave(t testing.TB, db *DB, a model.Annotation, action string) model.Annotation {
	t.Helper()
	saved, err := db.Save(a, action)
	if err != nil {
		t.Fatalf("Save(%s by %s, rev %d, %q): %v", a.ArticleID, a.Annotator, a.Rev, action, err)
	}
	return saved
}

func mustAnnotation(t testing.TB, db *DB, articleID, annotator string) model.Annotation {
	t.Helper()
	a, err := db.Annotation(articleID, annotator)
	if err != nil {
		t.Fatalf("Annotation(%s, %s): %v", articleID, annotator, err)
	}
	return a
}

func summaries(t testing.TB, db *DB) []store.ArticleSummary {
	t.Helper()
	var list []store.ArticleSummary
	if err := db.Articles(func(s store.ArticleSummary) error {
		list = append(list, s)
		return nil
	}); err != nil {
		t.Fatalf("Articles: %v", err)
	}
	return list
}

func TestAddArticlesDedupes(t *testing.T) {
	a, b, c := "first article", "second article 😀", "third article\r\n"
	tests := []struct {
		name    string
		batches [][]string
		added   [][]bool
		order   []string // texts in the listing
	}{
		{"one batch", [][]string{{a, b, c}}, [][]bool{{true, true, true}}, []string{a, b, c}},
		{"same text twice in one batch", [][]string{{a, a, b}}, [][]bool{{true, false, true}}, []string{a, b}},
		{"same text in a later batch", [][]string{{a, b}, {b, c, a}}, [][]bool{{true, true}, {false, true, false}}, []string{a, b, c}},
		{"only duplicates", [][]string{{c}, {c}, {c}}, [][]bool{{true}, {false}, {false}}, []string{c}},
		{"empty batch", [][]string{{}, {b}}, [][]bool{{}, {true}}, []string{b}},
		{"CRLF and LF are different texts", [][]string{{"x\r\n", "x\n"}}, [][]bool{{true, true}}, []string{"x\r\n", "x\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := newDB(t)
			for i, batch := range tt.batches {
				arts := make([]model.Article, len(batch))
				for j, text := range batch {
					arts[j] = newArticle(text)
					arts[j].Title = fmt.Sprintf("batch %d item %d", i, j) // a new title does not make a new article
				}
				added, err := db.AddArticles(arts)
				if err != nil {
					t.Fatalf("batch %d: %v", i, err)
				}
				if !slices.Equal(added, tt.added[i]) {
					t.Errorf("batch %d: added = %v, want %v", i, added, tt.added[i])
				}
			}
			var got []string
			for _, s := range summaries(t, db) {
				got = append(got, s.ID)
			}
			var want []string
			for _, text := range tt.order {
				want = append(want, model.ArticleID(text))
			}
			if !slices.Equal(got, want) {
				t.Errorf("listing = %v, want %v", got, want)
			}
		})
	}
}

// TestArticlesImportOrder: the listing follows import order, not ID order,
// and carries each annotator's status.
func TestArticlesImportOrder(t *testing.T) {
	db, _ := newDB(t)
	var texts []string
	for i := range 20 {
		texts = append(texts, fmt.Sprintf("article %d: %s", i, hardTexts[i%len(hardTexts)]))
	}
	// Import in two calls, so order spans transactions.
	ids := append(addTexts(t, db, texts[:12]...), addTexts(t, db, texts[12:]...)...)
	if slices.IsSorted(ids) {
		t.Fatal("test setup: import order equals ID order, so the test cannot tell them apart")
	}

	a := mustAnnotation(t, db, ids[3], "alice")
	a.Status = model.StatusDone
	mustSave(t, db, a, "done")
	b := mustAnnotation(t, db, ids[3], "bob")
	b.Status = model.StatusInProgress
	mustSave(t, db, b, "start")
	c := mustAnnotation(t, db, ids[17], "bob")
	c.Notes = "no status set"
	mustSave(t, db, c, "note")

	list := summaries(t, db)
	if len(list) != len(ids) {
		t.Fatalf("listed %d articles, want %d", len(list), len(ids))
	}
	for i, s := range list {
		if s.ID != ids[i] {
			t.Errorf("listing[%d] = %s, want %s (import order)", i, s.ID, ids[i])
		}
		if i > 0 && s.Seq <= list[i-1].Seq {
			t.Errorf("listing[%d].Seq = %d, not above %d", i, s.Seq, list[i-1].Seq)
		}
		if want := utf8.RuneCountInString(texts[i]); s.Length != want {
			t.Errorf("listing[%d].Length = %d, want %d code points", i, s.Length, want)
		}
		if want := model.TitleFromText(texts[i]); s.Title != want {
			t.Errorf("listing[%d].Title = %q, want %q", i, s.Title, want)
		}
		var want map[string]model.Status
		switch i {
		case 3:
			want = map[string]model.Status{"alice": model.StatusDone, "bob": model.StatusInProgress}
		case 17:
			want = map[string]model.Status{"bob": model.StatusTodo}
		}
		if len(s.Statuses) != len(want) || (len(want) > 0 && !reflect.DeepEqual(s.Statuses, want)) {
			t.Errorf("listing[%d].Statuses = %v, want %v", i, s.Statuses, want)
		}
	}
}

// TestArticleTextByteForByte: the store never normalises a text.
func TestArticleTextByteForByte(t *testing.T) {
	db, _ := newDB(t)
	texts := append([]string{"", "\x00 NUL inside", strings.Repeat("long 😀 text ", 5000)}, hardTexts...)
	ids := addTexts(t, db, texts...)
	for i, text := range texts {
		t.Run(fmt.Sprintf("%d", i), func(t *testing.T) {
			got, err := db.Article(ids[i])
			if err != nil {
				t.Fatal(err)
			}
			if got.Text != text {
				t.Errorf("text = %q, want %q", trunc(got.Text), trunc(text))
			}
			want := newArticle(text)
			want.ID = ids[i]
			if !got.ImportedAt.Equal(want.ImportedAt) {
				t.Errorf("ImportedAt = %v, want %v", got.ImportedAt, want.ImportedAt)
			}
			got.ImportedAt = want.ImportedAt
			if !reflect.DeepEqual(got, want) {
				t.Errorf("article = %+v, want %+v", got, want)
			}
		})
	}
	if _, err := db.Article("0000000000000000"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Article(unknown) error = %v, want ErrNotFound", err)
	}
}

func trunc(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// fullAnnotation fills every layer of an annotation of text.
func fullAnnotation(articleID, annotator, text string) model.Annotation {
	a := model.NewAnnotation(articleID, annotator, "conflict-incidents")
	a.Status = model.StatusInProgress
	n := len(text)
	best := 53
	a.Entities = []model.Span{{ID: a.NewID("e"), Start: 0, End: min(4, n), Label: "ORG"}}
	a.Claims = []model.Claim{{
		ID:       a.NewID("c"),
		Claimant: model.Claimant{SpanID: "e1"},
		Cue:      &model.Range{Start: 0, End: 1},
		Content:  []model.Range{{Start: 0, End: n}},
		Type:     "casualties",
		Figures: []model.Figure{model.ExactFigure(53, "killed"),
			{Counts: "wounded", Qualifier: model.QualifierApproximate, Low: &best, Text: "dozens"}},
		Stance:      &model.Stance{Kind: "supports", ClaimID: "c2"},
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
	a.Sources = []model.SourceGrade{{Source: "ISIS", SpanID: "e1", Reliability: "D"}}
	a.Notes = "CRLF\r\nnotes"
	// Every mention belongs to an entity (the model's rule), so the round
	// trips below carry entities too.
	model.GroupMentions(&a, text)
	a.Referents[0].Aliases = []string{"Islamic State"}
	a.Referents[0].ExternalIDs = []string{"wikidata:Q2429253"}
	return a
}

func TestSaveRoundTrip(t *testing.T) {
	db, _ := newDB(t)
	ids := addTexts(t, db, hardTexts...)

	fresh := mustAnnotation(t, db, ids[0], "alice")
	if want := model.NewAnnotation(ids[0], "alice", ""); !reflect.DeepEqual(fresh, want) {
		t.Errorf("annotation before any save = %+v, want %+v", fresh, want)
	}

	for i, id := range ids {
		a := fullAnnotation(id, "alice", hardTexts[i])
		saved := mustSave(t, db, a, "fill")
		if saved.Rev != 1 {
			t.Errorf("saved Rev = %d, want 1", saved.Rev)
		}
		if saved.UpdatedAt.IsZero() || saved.UpdatedAt.Location() != time.UTC {
			t.Errorf("saved UpdatedAt = %v, want a UTC time", saved.UpdatedAt)
		}
		got := mustAnnotation(t, db, id, "alice")
		if !reflect.DeepEqual(got, saved) {
			t.Errorf("read back:\n got %+v\nwant %+v", got, saved)
		}
		a.Rev, a.UpdatedAt = saved.Rev, saved.UpdatedAt
		if !reflect.DeepEqual(got, a) {
			t.Errorf("stored annotation differs from what was saved:\n got %+v\nwant %+v", got, a)
		}
	}

	// A save with no status stores todo.
	b := mustAnnotation(t, db, ids[1], "bob")
	b.Status = ""
	if got := mustSave(t, db, b, "x"); got.Status != model.StatusTodo {
		t.Errorf("status = %q, want todo", got.Status)
	}
}

func TestSaveRefuses(t *testing.T) {
	db, _ := newDB(t)
	ids := addTexts(t, db, "one", "two")
	a := mustSave(t, db, model.NewAnnotation(ids[0], "alice", ""), "first")
	a = mustSave(t, db, a, "second") // Rev 2

	tests := []struct {
		name    string
		a       model.Annotation
		wantErr error  // checked with errors.Is when set
		wantMsg string // checked with strings.Contains when set
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
			_, err := db.Save(tt.a, "refused")
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
	// Nothing refused was stored.
	if got := mustAnnotation(t, db, ids[0], "alice"); got.Rev != 2 {
		t.Errorf("after refused saves Rev = %d, want 2", got.Rev)
	}
	if got := mustAnnotation(t, db, ids[1], "alice"); got.Rev != 0 {
		t.Errorf("refused first save was stored: %+v", got)
	}
	if _, err := db.Annotation("ffffffffffffffff", "alice"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Annotation(unknown article) error = %v, want ErrNotFound", err)
	}
}

// TestAnnotatorsAreIndependent: one annotator's saves, undos and conflicts
// never touch another's annotation of the same article.
func TestAnnotatorsAreIndependent(t *testing.T) {
	db, _ := newDB(t)
	id := addTexts(t, db, hardTexts[0])[0]

	alice := fullAnnotation(id, "alice", hardTexts[0])
	alice = mustSave(t, db, alice, "alice fills")
	bob := mustAnnotation(t, db, id, "bob")
	if bob.Rev != 0 || !bob.IsEmpty() {
		t.Fatalf("bob sees %+v before saving anything", bob)
	}
	bob.Notes = "bob's note"
	bob = mustSave(t, db, bob, "bob notes")
	bob.Notes = "bob's second note"
	bob = mustSave(t, db, bob, "bob notes again")
	if _, _, err := db.Undo(id, "bob"); err != nil {
		t.Fatal(err)
	}

	if got := mustAnnotation(t, db, id, "alice"); !reflect.DeepEqual(got, alice) {
		t.Errorf("alice's annotation changed by bob's work:\n got %+v\nwant %+v", got, alice)
	}
	if got := mustAnnotation(t, db, id, "bob"); got.Notes != "bob's note" || got.Rev != 3 {
		t.Errorf("bob's annotation = notes %q rev %d, want \"bob's note\" rev 3", got.Notes, got.Rev)
	}
	if _, _, err := db.Undo(id, "carol"); !errors.Is(err, store.ErrNothingToUndo) {
		t.Errorf("carol's undo error = %v, want ErrNothingToUndo", err)
	}
}

// TestUndoRedo walks a script of saves, undos and redos and checks the
// annotation's notes, the action reported and the error after each step.
func TestUndoRedo(t *testing.T) {
	type step struct {
		op         string // "save <notes>", "undo", "redo" or "reopen"
		wantNotes  string
		wantAction string
		wantErr    error
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"nothing to undo or redo on a new annotation", []step{
			{op: "undo", wantErr: store.ErrNothingToUndo},
			{op: "redo", wantErr: store.ErrNothingToRedo},
		}},
		{"undo steps back one by one", []step{
			{op: "save one", wantNotes: "one"},
			{op: "save two", wantNotes: "two"},
			{op: "save three", wantNotes: "three"},
			{op: "undo", wantNotes: "two", wantAction: "save three"},
			{op: "undo", wantNotes: "one", wantAction: "save two"},
			{op: "undo", wantNotes: "", wantAction: "save one"},
			{op: "undo", wantNotes: "", wantErr: store.ErrNothingToUndo},
		}},
		{"redo re-applies in order", []step{
			{op: "save one", wantNotes: "one"},
			{op: "save two", wantNotes: "two"},
			{op: "undo", wantNotes: "one", wantAction: "save two"},
			{op: "undo", wantNotes: "", wantAction: "save one"},
			{op: "redo", wantNotes: "one", wantAction: "save one"},
			{op: "redo", wantNotes: "two", wantAction: "save two"},
			{op: "redo", wantNotes: "two", wantErr: store.ErrNothingToRedo},
			{op: "undo", wantNotes: "one", wantAction: "save two"},
		}},
		{"a new save clears redo", []step{
			{op: "save one", wantNotes: "one"},
			{op: "save two", wantNotes: "two"},
			{op: "undo", wantNotes: "one", wantAction: "save two"},
			{op: "save other", wantNotes: "other"},
			{op: "redo", wantNotes: "other", wantErr: store.ErrNothingToRedo},
			{op: "undo", wantNotes: "one", wantAction: "save other"},
			{op: "undo", wantNotes: "", wantAction: "save one"},
		}},
		{"undo and redo survive reopening", []step{
			{op: "save one", wantNotes: "one"},
			{op: "save two", wantNotes: "two"},
			{op: "save three", wantNotes: "three"},
			{op: "undo", wantNotes: "two", wantAction: "save three"},
			{op: "reopen", wantNotes: "two"},
			{op: "undo", wantNotes: "one", wantAction: "save two"},
			{op: "reopen", wantNotes: "one"},
			{op: "redo", wantNotes: "two", wantAction: "save two"},
			{op: "redo", wantNotes: "three", wantAction: "save three"},
			{op: "reopen", wantNotes: "three"},
			{op: "redo", wantNotes: "three", wantErr: store.ErrNothingToRedo},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, path := newDB(t)
			id := addTexts(t, db, "undo test")[0]
			lastRev := 0
			for i, s := range tt.steps {
				var got model.Annotation
				var action string
				var err error
				switch {
				case strings.HasPrefix(s.op, "save "):
					a := mustAnnotation(t, db, id, "alice")
					a.Notes = strings.TrimPrefix(s.op, "save ")
					got, err = db.Save(a, s.op)
				case s.op == "undo":
					got, action, err = db.Undo(id, "alice")
				case s.op == "redo":
					got, action, err = db.Redo(id, "alice")
				case s.op == "reopen":
					db = openAt(t, path)
				default:
					t.Fatalf("bad op %q", s.op)
				}
				if s.wantErr != nil {
					if !errors.Is(err, s.wantErr) {
						t.Fatalf("step %d %s: error = %v, want %v", i, s.op, err, s.wantErr)
					}
				} else if err != nil {
					t.Fatalf("step %d %s: %v", i, s.op, err)
				}
				if s.op == "undo" || s.op == "redo" {
					if action != s.wantAction {
						t.Errorf("step %d %s: action = %q, want %q", i, s.op, action, s.wantAction)
					}
					if err == nil && got.Notes != s.wantNotes {
						t.Errorf("step %d %s: returned notes %q, want %q", i, s.op, got.Notes, s.wantNotes)
					}
				}
				stored := mustAnnotation(t, db, id, "alice")
				if stored.Notes != s.wantNotes {
					t.Errorf("step %d %s: stored notes %q, want %q", i, s.op, stored.Notes, s.wantNotes)
				}
				// Every change, undo and redo included, is a new revision,
				// so a screen holding an older one gets ErrConflict.
				if err == nil && s.op != "reopen" {
					if stored.Rev != lastRev+1 {
						t.Errorf("step %d %s: Rev = %d, want %d", i, s.op, stored.Rev, lastRev+1)
					}
					if got.Rev != stored.Rev {
						t.Errorf("step %d %s: returned Rev %d, stored %d", i, s.op, got.Rev, stored.Rev)
					}
				}
				if stored.Rev < lastRev {
					t.Errorf("step %d %s: Rev went back from %d to %d", i, s.op, lastRev, stored.Rev)
				}
				lastRev = stored.Rev
			}
		})
	}
}

// TestUndoRestoresEverything: undo brings back the whole annotation, not
// only the field the test looks at.
func TestUndoRestoresEverything(t *testing.T) {
	db, _ := newDB(t)
	id := addTexts(t, db, hardTexts[1])[0]
	before := mustSave(t, db, fullAnnotation(id, "alice", hardTexts[1]), "fill")
	changed := before.Clone()
	changed.Entities = nil
	changed.Incidents[0].Fields["weapons"] = model.Value{List: []string{"13"}}
	changed.Status = model.StatusDone
	mustSave(t, db, changed, "change")

	restored, _, err := db.Undo(id, "alice")
	if err != nil {
		t.Fatal(err)
	}
	// Rev and UpdatedAt move on; everything else is as before.
	want := before.Clone()
	want.Rev, want.UpdatedAt = restored.Rev, restored.UpdatedAt
	if !reflect.DeepEqual(restored, want) {
		t.Errorf("undo restored\n%+v\nwant\n%+v", restored, want)
	}
	if got := summaries(t, db)[0].Statuses["alice"]; got != model.StatusInProgress {
		t.Errorf("status index after undo = %q, want in_progress", got)
	}
}

func TestHistory(t *testing.T) {
	db, _ := newDB(t)
	ids := addTexts(t, db, "first", "second")
	a := mustAnnotation(t, db, ids[0], "alice")
	a.Notes = "one"
	a = mustSave(t, db, a, "add note")
	b := mustAnnotation(t, db, ids[0], "bob")
	b.Status = model.StatusDone
	mustSave(t, db, b, "mark done")
	a.Notes = "two"
	mustSave(t, db, a, "edit note")
	if _, _, err := db.Undo(ids[0], "alice"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.Redo(ids[0], "alice"); err != nil {
		t.Fatal(err)
	}
	c := mustAnnotation(t, db, ids[1], "alice")
	mustSave(t, db, c, "open")

	type row struct {
		annotator, article, action, beforeNotes string
	}
	tests := []struct {
		name               string
		article, annotator string
		want               []row
	}{
		{"alice on the first article", ids[0], "alice", []row{
			{"alice", ids[0], "add note", ""},
			{"alice", ids[0], "edit note", "one"},
			{"alice", ids[0], "undo: edit note", "two"},
			{"alice", ids[0], "redo: edit note", "one"},
		}},
		{"everyone on the first article", ids[0], "", []row{
			{"alice", ids[0], "add note", ""},
			{"bob", ids[0], "mark done", ""},
			{"alice", ids[0], "edit note", "one"},
			{"alice", ids[0], "undo: edit note", "two"},
			{"alice", ids[0], "redo: edit note", "one"},
		}},
		{"alice everywhere", "", "alice", []row{
			{"alice", ids[0], "add note", ""},
			{"alice", ids[0], "edit note", "one"},
			{"alice", ids[0], "undo: edit note", "two"},
			{"alice", ids[0], "redo: edit note", "one"},
			{"alice", ids[1], "open", ""},
		}},
		{"nobody", ids[1], "bob", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []row
			var last store.HistoryEntry
			err := db.History(tt.article, tt.annotator, func(e store.HistoryEntry) error {
				if e.Before == nil {
					t.Errorf("entry %d (%s) has no Before", e.Seq, e.Action)
					return nil
				}
				if e.Seq <= last.Seq || e.Time.Before(last.Time) {
					t.Errorf("entry %d at %v follows %d at %v: not oldest first", e.Seq, e.Time, last.Seq, last.Time)
				}
				last = e
				got = append(got, row{e.Annotator, e.ArticleID, e.Action, e.Before.Notes})
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

	stop := errors.New("stop")
	n := 0
	err := db.History("", "", func(store.HistoryEntry) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("History with a failing callback: err %v after %d calls, want stop after 1", err, n)
	}
}

// seedAnnotations writes annotations straight through the store's own write
// path in one transaction, so tests of Each over hundreds of articles do
// not pay for hundreds of file opens.
func seedAnnotations(t testing.TB, db *DB, anns []model.Annotation) {
	t.Helper()
	err := db.update(func(tx *txn) error {
		for _, a := range anns {
			if _, _, err := db.write(tx, model.Annotation{}, false, a, "seed"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("seed annotations: %v", err)
	}
}

// eachIDs runs Each and returns the article IDs yielded and, per article,
// the annotators of its annotations; it fails on a repeated article or an
// annotation of another article.
func eachIDs(t *testing.T, db *DB, f store.Filter) ([]string, map[string][]string) {
	t.Helper()
	var ids []string
	who := map[string][]string{}
	err := db.Each(f, func(r store.Record) error {
		id := r.Article.ID
		if _, dup := who[id]; dup || slices.Contains(ids, id) {
			t.Errorf("article %s yielded twice", id)
		}
		if r.Article.Text == "" || model.ArticleID(r.Article.Text) != id {
			t.Errorf("article %s yielded without its text", id)
		}
		ids = append(ids, id)
		for _, a := range r.Annotations {
			if a.ArticleID != id {
				t.Errorf("article %s yielded with an annotation of %s", id, a.ArticleID)
			}
			who[id] = append(who[id], a.Annotator)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Each(%+v): %v", f, err)
	}
	return ids, who
}

func TestEachFilters(t *testing.T) {
	db, _ := newDB(t)
	ids := addTexts(t, db, "a one", "a two", "a three", "a four", "a five")
	for _, x := range []struct {
		article   int
		annotator string
	}{{0, "alice"}, {2, "alice"}, {2, "bob"}, {3, "bob"}, {3, "alicia"}} {
		a := mustAnnotation(t, db, ids[x.article], x.annotator)
		a.Notes = x.annotator
		mustSave(t, db, a, "note")
	}
	sorted := slices.Sorted(slices.Values(ids))
	pick := func(idx ...int) []string {
		var out []string
		for _, i := range idx {
			out = append(out, ids[i])
		}
		slices.Sort(out)
		return out
	}
	tests := []struct {
		name     string
		filter   store.Filter
		wantIDs  []string
		wantWhom map[string][]string
	}{
		{"alice", store.Filter{Annotator: "alice"}, pick(0, 2),
			map[string][]string{ids[0]: {"alice"}, ids[2]: {"alice"}}},
		{"bob", store.Filter{Annotator: "bob"}, pick(2, 3),
			map[string][]string{ids[2]: {"bob"}, ids[3]: {"bob"}}},
		{"a name that is a prefix of another", store.Filter{Annotator: "alic"}, nil, map[string][]string{}},
		{"everyone", store.Filter{}, pick(0, 2, 3),
			map[string][]string{ids[0]: {"alice"}, ids[2]: {"alice", "bob"}, ids[3]: {"alicia", "bob"}}},
		{"all articles", store.Filter{All: true}, sorted,
			map[string][]string{ids[0]: {"alice"}, ids[2]: {"alice", "bob"}, ids[3]: {"alicia", "bob"}}},
		{"all articles, alice's annotations", store.Filter{All: true, Annotator: "alice"}, sorted,
			map[string][]string{ids[0]: {"alice"}, ids[2]: {"alice"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, whom := eachIDs(t, db, tt.filter)
			if !slices.Equal(got, tt.wantIDs) {
				t.Errorf("articles = %v, want %v", got, tt.wantIDs)
			}
			if !reflect.DeepEqual(whom, tt.wantWhom) {
				t.Errorf("annotators = %v, want %v", whom, tt.wantWhom)
			}
		})
	}
}

// TestEachBatches: around and beyond the batch size, every article is
// yielded exactly once and in ID order, with and without a filter.
func TestEachBatches(t *testing.T) {
	for _, n := range []int{0, 1, exportBatch - 1, exportBatch, exportBatch + 1, 2 * exportBatch, 600} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			db, _ := newDB(t)
			texts := make([]string, n)
			for i := range texts {
				texts[i] = fmt.Sprintf("article %d %s", i, hardTexts[i%len(hardTexts)])
			}
			var ids []string
			if n > 0 {
				ids = addTexts(t, db, texts...)
			}
			// alice annotates two thirds of the articles (more than a batch
			// when n is large), bob every fifth.
			var anns []model.Annotation
			alice, bob := []string{}, []string{}
			for i, id := range ids {
				if i%3 != 0 {
					anns = append(anns, model.NewAnnotation(id, "alice", ""))
					alice = append(alice, id)
				}
				if i%5 == 0 {
					anns = append(anns, model.NewAnnotation(id, "bob", ""))
					bob = append(bob, id)
				}
			}
			seedAnnotations(t, db, anns)
			sort.Strings(ids)
			sort.Strings(alice)
			sort.Strings(bob)
			either := slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(alice), bob...))))

			for _, c := range []struct {
				filter store.Filter
				want   []string
			}{
				{store.Filter{All: true}, ids},
				{store.Filter{Annotator: "alice"}, alice},
				{store.Filter{Annotator: "bob"}, bob},
				{store.Filter{}, either},
				{store.Filter{Annotator: "nobody"}, []string{}},
			} {
				got, _ := eachIDs(t, db, c.filter)
				if len(got) != len(c.want) || (len(got) > 0 && !slices.Equal(got, c.want)) {
					t.Errorf("Each(%+v) yielded %d articles, want %d in ID order", c.filter, len(got), len(c.want))
				}
			}
		})
	}
}

// TestEachLetsOthersWrite: Each holds the file only per batch, so the
// callback (or another screen) can save in between.
func TestEachLetsOthersWrite(t *testing.T) {
	db, path := newDB(t)
	texts := make([]string, 600)
	for i := range texts {
		texts[i] = fmt.Sprintf("article %d", i)
	}
	addTexts(t, db, texts...)
	other := openAt(t, path)
	n := 0
	err := db.Each(store.Filter{All: true}, func(r store.Record) error {
		n++
		if n%200 == 0 {
			a := mustAnnotation(t, other, r.Article.ID, "bob")
			a.Notes = "saved during an export"
			mustSave(t, other, a, "note")
		}
		return nil
	})
	if err != nil || n != 600 {
		t.Errorf("Each: %v after %d articles, want 600", err, n)
	}

	stop := errors.New("stop")
	n = 0
	err = db.Each(store.Filter{All: true}, func(store.Record) error {
		n++
		if n == 300 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 300 {
		t.Errorf("Each with a failing callback: %v after %d articles, want stop after 300", err, n)
	}
}

// TestTwoHandles: two DBs on one file, like two screens in two processes,
// see each other's writes and refuse each other's stale saves.
func TestTwoHandles(t *testing.T) {
	db1, path := newDB(t)
	db2 := openAt(t, path)

	ids := addTexts(t, db1, "shared article")
	if added, err := db2.AddArticles([]model.Article{newArticle("shared article")}); err != nil || added[0] {
		t.Fatalf("second handle re-added an article: %v %v", added, err)
	}
	if _, err := db2.Article(ids[0]); err != nil {
		t.Fatalf("second handle does not see the first's article: %v", err)
	}

	a1 := mustAnnotation(t, db1, ids[0], "alice") // screen 1 reads
	a2 := mustAnnotation(t, db2, ids[0], "alice") // screen 2 reads the same
	a1.Notes = "from screen 1"
	a1 = mustSave(t, db1, a1, "screen 1")
	a2.Notes = "from screen 2"
	if _, err := db2.Save(a2, "screen 2"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("stale save through the second handle: %v, want ErrConflict", err)
	}
	a2 = mustAnnotation(t, db2, ids[0], "alice")
	if a2.Notes != "from screen 1" || a2.Rev != a1.Rev {
		t.Errorf("second handle reads %q rev %d, want screen 1's rev %d", a2.Notes, a2.Rev, a1.Rev)
	}
	a2.Notes = "from screen 2"
	mustSave(t, db2, a2, "screen 2")
	// Undo through the other handle: the stacks are in the file.
	if got, _, err := db1.Undo(ids[0], "alice"); err != nil || got.Notes != "from screen 1" {
		t.Errorf("undo through the first handle: %q, %v", got.Notes, err)
	}
}

// TestTwoHandlesConcurrent: two handles writing at the same time wait for
// each other's short transactions instead of failing.
func TestTwoHandlesConcurrent(t *testing.T) {
	db1, path := newDB(t)
	db2 := openAt(t, path)
	ids := addTexts(t, db1, "busy article")
	const saves = 15
	var wg sync.WaitGroup
	errs := make(chan error, 2*saves)
	for _, h := range []struct {
		db        *DB
		annotator string
	}{{db1, "alice"}, {db2, "bob"}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range saves {
				a, err := h.db.Annotation(ids[0], h.annotator)
				if err != nil {
					errs <- err
					return
				}
				a.Notes = fmt.Sprint(i)
				if _, err := h.db.Save(a, "note"); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent save: %v", err)
	}
	for _, who := range []string{"alice", "bob"} {
		if a := mustAnnotation(t, db1, ids[0], who); a.Rev != saves {
			t.Errorf("%s's Rev = %d, want %d", who, a.Rev, saves)
		}
	}
}

// TestLocking: while another program holds the file, operations wait for
// the lock timeout and then say the database is in use.
func TestLocking(t *testing.T) {
	tests := []struct {
		name     string
		readOnly bool // how the other program holds the file
		op       string
		inUse    bool
	}{
		{"open while a writer holds it", false, "open", true},
		{"save while a writer holds it", false, "save", true},
		{"read while a writer holds it", false, "read", true},
		{"list while a writer holds it", false, "list", true},
		{"save while a reader holds it", true, "save", true},
		{"read while a reader holds it", true, "read", false},
		{"open while a reader holds it", true, "open", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "annotate.db")
			db, err := Open(path, Options{LockTimeout: 300 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			id := addTexts(t, db, "locked article")[0]

			holder, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: tt.readOnly})
			if err != nil {
				t.Fatal(err)
			}
			defer holder.Close()

			switch tt.op {
			case "open":
				_, err = Open(path, Options{LockTimeout: 300 * time.Millisecond})
			case "save":
				_, err = db.Save(model.NewAnnotation(id, "alice", ""), "save")
			case "read":
				_, err = db.Annotation(id, "alice")
			case "list":
				err = db.Articles(func(store.ArticleSummary) error { return nil })
			}
			if tt.inUse {
				if !errors.Is(err, ErrInUse) {
					t.Fatalf("error = %v, want ErrInUse", err)
				}
				if !strings.Contains(err.Error(), path) {
					t.Errorf("error %q does not name the file", err)
				}
			} else if err != nil {
				t.Fatalf("error = %v, want none", err)
			}

			// Once the other program lets go, the same handle works.
			if err := holder.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Save(model.NewAnnotation(id, "carol", ""), "after"); err != nil {
				t.Errorf("save after the lock was released: %v", err)
			}
		})
	}
}

func TestSchemaStored(t *testing.T) {
	db, path := newDB(t)
	if s, err := db.Schema(); err != nil || s != nil {
		t.Fatalf("Schema() of a new database = %v, %v; want nil, nil", s, err)
	}
	want := model.DefaultSchema()
	if err := db.SetSchema(want); err != nil {
		t.Fatal(err)
	}
	got, err := openAt(t, path).Schema()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stored schema differs from the one set")
	}
}

func TestOpenPaths(t *testing.T) {
	dir := t.TempDir()
	// Open makes the missing folders.
	nested := filepath.Join(dir, "a", "b", "annotate.db")
	if _, err := Open(nested, Options{}); err != nil {
		t.Errorf("Open(%s): %v", nested, err)
	}
	// A folder is not a database.
	if _, err := Open(dir, Options{}); err == nil || !strings.Contains(err.Error(), "folder") {
		t.Errorf("Open(a folder) error = %v, want one saying it is a folder", err)
	}
	// Opening twice is harmless and keeps the layout.
	db := openAt(t, nested)
	if db.Path() != nested {
		t.Errorf("Path() = %s, want %s", db.Path(), nested)
	}
	if v := storedVersionAt(t, nested); v != CurrentVersion {
		t.Errorf("stored version %d, want %d", v, CurrentVersion)
	}
}

// storedVersionAt reads the layout version with bbolt directly.
func storedVersionAt(t testing.TB, path string) uint64 {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var v uint64
	if err := b.View(func(tx *bolt.Tx) error { var err error; v, err = rawVersion(tx); return err }); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestUndoFromAStaleCopyIsRefused: windows A and B of one annotator; A
// tags, B (which never saw it) undoes. The undo used to go through, taking
// away A's saved tag without a word (issue 12, defect 1).
func TestUndoFromAStaleCopyIsRefused(t *testing.T) {
	db, _ := newDB(t)
	text := "ISIS fighters entered Velmo."
	id := addTexts(t, db, text)[0]
	a := model.NewAnnotation(id, "alice", "conflict-incidents")
	a.Entities = []model.Span{{ID: "e1", Start: 0, End: 4, Label: "ORG"}}
	model.GroupMentions(&a, text)
	first, err := db.Save(a, "tag ISIS")
	if err != nil {
		t.Fatal(err)
	}
	b := first.Clone() // window B read this
	next := first.Clone()
	next.Entities = append(next.Entities, model.Span{ID: "e9", Start: 22, End: 27, Label: "GPE"})
	model.GroupMentions(&next, text)
	if _, err := db.Save(next, "tag Velmo"); err != nil { // window A
		t.Fatal(err)
	}
	if _, _, err := db.Undo(id, "alice", b.Rev); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("undo from the stale window: %v, want ErrConflict", err)
	}
	got, err := db.Annotation(id, "alice")
	if err != nil || len(got.Entities) != 2 {
		t.Fatalf("after the refused undo: %d spans (%v), want A's two", len(got.Entities), err)
	}
	if _, _, err := db.Undo(id, "alice", got.Rev); err != nil {
		t.Errorf("undo from the current copy: %v", err)
	}
}
