package bolt

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/store/storetest"
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
	at := time.Date(2024, 2, 29, 23, 0, 0, 0, time.UTC)
	a.Review = &model.Review{State: model.ReviewReturned, By: "carol", At: at,
		Seen: map[string]string{"span 0-4": "d41d8c"},
		Comments: []model.Comment{{Item: "span 0-4", Text: "a group, not a place", By: "carol", At: at,
			Replies: []model.Comment{{Item: "span 0-4", Text: "relabelled", By: annotator, At: at.Add(time.Minute)}}}}}
	return a
}

// TestUndoRedoSurvivesReopening: the undo and redo stacks are in the
// file, so a new handle on it (the next session) steps on through them
// (storetest.UndoScript, whose other scripts the contract runs).
func TestUndoRedoSurvivesReopening(t *testing.T) {
	db, path := newDB(t)
	storetest.UndoScript(t, db, []storetest.UndoStep{
		{Op: "save one", WantNotes: "one"},
		{Op: "save two", WantNotes: "two"},
		{Op: "save three", WantNotes: "three"},
		{Op: "undo", WantNotes: "two", WantAction: "save three"},
		{Op: "reopen", WantNotes: "two"},
		{Op: "undo", WantNotes: "one", WantAction: "save two"},
		{Op: "reopen", WantNotes: "one"},
		{Op: "redo", WantNotes: "two", WantAction: "save two"},
		{Op: "redo", WantNotes: "three", WantAction: "save three"},
		{Op: "reopen", WantNotes: "three"},
		{Op: "redo", WantNotes: "three", WantErr: store.ErrNothingToRedo},
	}, func() store.Store { return openAt(t, path) })
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

// TestEachLetsOthersWrite: Each holds the file only per batch, so
// another handle on it (another screen) can save in between.
func TestEachLetsOthersWrite(t *testing.T) {
	db, path := newDB(t)
	storetest.EachLetsOthersWrite(t, db, openAt(t, path))
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

// TestSchemaSurvivesReopening: the schema is in the file (the contract
// checks it through one handle).
func TestSchemaSurvivesReopening(t *testing.T) {
	db, path := newDB(t)
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
