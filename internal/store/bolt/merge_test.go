package bolt

import (
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

const (
	mergeShared = "ISIS fighters entered Raqqa on Monday."
	mergeOurs   = "Two trucks burned outside Tolle."
	mergeTheirs = "ISIS claimed the attack near Raqqa."
)

// tagged is an annotation of text by annotator with one span per
// (start, end, label), grouped into entities as on the screen.
func tagged(text, annotator string, spans ...[3]any) model.Annotation {
	a := model.NewAnnotation(model.ArticleID(text), annotator, "conflict-incidents")
	a.Status = model.StatusInProgress
	for _, s := range spans {
		a.Entities = append(a.Entities, model.Span{ID: a.NewID("e"), Start: s[0].(int), End: s[1].(int), Label: s[2].(string)})
	}
	model.GroupMentions(&a, text)
	return a
}

// mergePair builds ours and theirs: both hold the shared article; alice
// annotated it differently in each (twice in theirs), bob the same in
// both; carol annotated theirs' own article with a link to theirs' registry
// entry for ISIS, which ours has under another id.
func mergePair(t *testing.T) (ours, theirs *DB, theirsPath string) {
	t.Helper()
	ours, _ = newDB(t)
	theirsPath = filepath.Join(t.TempDir(), "b.db")
	theirs = openAt(t, theirsPath)
	later := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	theirs.Now = func() time.Time { later = later.Add(time.Minute); return later }

	addTexts(t, ours, mergeShared, mergeOurs)
	addTexts(t, theirs, mergeShared, mergeTheirs)
	mustRegister(t, ours, model.RegistryEntry{Name: "Islamic State", Label: "ORG", Aliases: []string{"ISIS"}}, "alice")
	mustRegister(t, theirs, model.RegistryEntry{Name: "Raqqa", Label: "GPE"}, "carol")
	isis := mustRegister(t, theirs, model.RegistryEntry{Name: "ISIS", Label: "ORG"}, "carol")

	mustSave(t, ours, tagged(mergeShared, "alice", [3]any{0, 4, "ORG"}), "tag")
	mustSave(t, ours, tagged(mergeShared, "bob", [3]any{22, 27, "GPE"}), "tag")
	first := mustSave(t, theirs, tagged(mergeShared, "alice", [3]any{0, 4, "PER"}), "tag PER")
	next := first.Clone()
	next.Entities = append(next.Entities, model.Span{ID: next.NewID("e"), Start: 22, End: 27, Label: "GPE"})
	model.GroupMentions(&next, mergeShared)
	mustSave(t, theirs, next, "tag GPE")
	mustSave(t, theirs, tagged(mergeShared, "bob", [3]any{22, 27, "GPE"}), "tag")
	carol := tagged(mergeTheirs, "carol", [3]any{0, 4, "ORG"})
	carol.Referents[0].Registry = isis.ID
	mustSave(t, theirs, carol, "tag")
	return ours, theirs, theirsPath
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(data)
}

func mergeFrom(t *testing.T, ours *DB, path string, prefer store.Prefer) store.MergeResult {
	t.Helper()
	other, err := OpenReadOnly(path, Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatalf("OpenReadOnly(%s): %v", path, err)
	}
	defer other.Close()
	res, err := ours.Merge(other, store.MergeOptions{Source: store.SourceName(path), Prefer: prefer, Who: "merger"})
	if err != nil {
		t.Fatalf("Merge: %v", err)
	}
	return res
}

func TestMergeKeepsBoth(t *testing.T) {
	ours, _, theirsPath := mergePair(t)
	sum := fileSum(t, theirsPath)
	oursAlice := mustAnnotation(t, ours, model.ArticleID(mergeShared), "alice")

	res := mergeFrom(t, ours, theirsPath, store.PreferBoth)
	if res.Articles != 2 || res.NewArticles != 1 || res.Annotations != 3 || res.NewAnnotations != 2 || res.Registry != 2 || res.NewRegistry != 1 {
		t.Errorf("result %+v: want 2 articles (1 new), 3 annotations (2 new), 2 registry entries (1 new)", res)
	}
	if len(res.Conflicts) != 1 || res.Conflicts[0].Annotator != "alice" || res.Conflicts[0].KeptAs != "alice@b" ||
		res.Conflicts[0].ArticleID != model.ArticleID(mergeShared) || res.Conflicts[0].Title == "" {
		t.Errorf("conflicts %+v: want alice's shared article kept as alice@b", res.Conflicts)
	}
	if fileSum(t, theirsPath) != sum {
		t.Error("the other database's file changed")
	}
	shared := model.ArticleID(mergeShared)
	if got := mustAnnotation(t, ours, shared, "alice"); !store.SameAnnotation(got, oursAlice) || got.Rev != oursAlice.Rev {
		t.Errorf("ours alice changed: %+v", got)
	}
	kept := mustAnnotation(t, ours, shared, "alice@b")
	if kept.Annotator != "alice@b" || len(kept.Entities) != 2 || kept.Entities[0].Label != "PER" {
		t.Errorf("alice@b = %+v, want theirs (PER, GPE)", kept)
	}
	// The incoming version's history came with it: who, when, what.
	var hist []store.HistoryEntry
	if err := ours.History(shared, "alice@b", func(h store.HistoryEntry) error { hist = append(hist, h); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(hist) < 2 || hist[0].Action != "tag PER" || hist[1].Action != "tag GPE" || hist[0].Time.Year() != 2025 || hist[1].Before.Annotator != "alice@b" {
		t.Errorf("history of alice@b: %+v; want theirs' two changes with their times", hist)
	}
	// And undo walks back through it, as it did there.
	undone, _, err := ours.Undo(shared, "alice@b")
	if err != nil || len(undone.Entities) != 1 || undone.Entities[0].Label != "PER" {
		t.Errorf("undo alice@b: %+v, %v; want theirs' first version", undone, err)
	}
	if _, _, err := ours.Redo(shared, "alice@b"); err != nil {
		t.Fatal(err)
	}
	// carol's link now names ours' entry for ISIS.
	carol := mustAnnotation(t, ours, model.ArticleID(mergeTheirs), "carol")
	if carol.Referents[0].Registry != "r1" {
		t.Errorf("carol's link %q, want r1 (ours' Islamic State, alias ISIS)", carol.Referents[0].Registry)
	}
	var names []string
	for _, e := range registryList(t, ours) {
		names = append(names, e.ID+" "+e.Name)
	}
	if strings.Join(names, ",") != "r1 Islamic State,r2 Raqqa" {
		t.Errorf("registry %v, want r1 Islamic State and the new r2 Raqqa", names)
	}
	if art, err := ours.Article(model.ArticleID(mergeTheirs)); err != nil || art.Text != mergeTheirs {
		t.Errorf("theirs' article: %+v, %v", art, err)
	}
	if problems, err := ours.Check(); err != nil || len(problems) > 0 {
		t.Errorf("check after merge: %v %v", problems, err)
	}

	// Merging again adds nothing.
	histBefore := historyLen(t, ours)
	again := mergeFrom(t, ours, theirsPath, store.PreferBoth)
	if again.NewArticles != 0 || again.NewAnnotations != 0 || len(again.Conflicts) != 0 || again.NewRegistry != 0 || again.History != 0 {
		t.Errorf("second merge %+v: want nothing new", again)
	}
	if n := historyLen(t, ours); n != histBefore {
		t.Errorf("second merge wrote %d history entries", n-histBefore)
	}
	if n := len(registryList(t, ours)); n != 2 {
		t.Errorf("registry has %d entries after merging twice, want 2", n)
	}
}

func historyLen(t *testing.T, db *DB) int {
	t.Helper()
	n := 0
	if err := db.History("", "", func(store.HistoryEntry) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMergePrefer(t *testing.T) {
	shared := model.ArticleID(mergeShared)
	t.Run("ours", func(t *testing.T) {
		ours, _, theirsPath := mergePair(t)
		before := mustAnnotation(t, ours, shared, "alice")
		res := mergeFrom(t, ours, theirsPath, store.PreferOurs)
		if len(res.Conflicts) != 1 || res.Conflicts[0].KeptAs != "" || res.NewAnnotations != 1 {
			t.Errorf("result %+v: want one conflict left out, carol new", res)
		}
		if got := mustAnnotation(t, ours, shared, "alice"); got.Rev != before.Rev {
			t.Errorf("alice changed with --prefer ours")
		}
		if got := mustAnnotation(t, ours, shared, "alice@b"); got.Rev != 0 {
			t.Errorf("alice@b stored with --prefer ours")
		}
	})
	t.Run("theirs", func(t *testing.T) {
		ours, _, theirsPath := mergePair(t)
		before := mustAnnotation(t, ours, shared, "alice")
		res := mergeFrom(t, ours, theirsPath, store.PreferTheirs)
		if len(res.Conflicts) != 1 || res.NewAnnotations != 2 {
			t.Errorf("result %+v: want one conflict saved over ours, carol new", res)
		}
		got := mustAnnotation(t, ours, shared, "alice")
		if got.Rev != before.Rev+1 || got.Entities[0].Label != "PER" {
			t.Errorf("alice = %+v, want theirs as the next revision", got)
		}
		undone, _, err := ours.Undo(shared, "alice")
		if err != nil || !store.SameAnnotation(undone, before) {
			t.Errorf("undo: %+v, %v; want ours back", undone, err)
		}
		if again := mergeFrom(t, ours, theirsPath, store.PreferTheirs); again.NewAnnotations != 1 {
			// Ours is back after the undo: theirs is brought again.
			t.Errorf("after undo: %+v", again)
		}
		if again := mergeFrom(t, ours, theirsPath, store.PreferTheirs); again.NewAnnotations != 0 || len(again.Conflicts) != 0 {
			t.Errorf("merging twice: %+v, want nothing new", again)
		}
	})
}

// TestMergeRefusesADifferentText: an article whose id is ours' but whose
// text is not is a damaged record of the other file: the merge stops,
// naming it, and ours is left as it was.
func TestMergeRefusesADifferentText(t *testing.T) {
	ours, _ := newDB(t)
	addTexts(t, ours, mergeShared)
	theirsPath := filepath.Join(t.TempDir(), "forged.db")
	theirs := openAt(t, theirsPath)
	forged := newArticle("Another text entirely.")
	forged.ID = model.ArticleID(mergeShared)
	if _, err := theirs.AddArticles([]model.Article{forged}); err == nil || !strings.Contains(err.Error(), "hash of its text") {
		t.Errorf("AddArticles of a forged id: %v, want a refusal", err)
	}
	// Written behind the store's back, sealed as a record would be.
	if err := theirs.update(func(tx *txn) error { return insertArticle(tx, forged) }); err != nil {
		t.Fatal(err)
	}
	other, err := OpenReadOnly(theirsPath, Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	_, err = ours.Merge(other, store.MergeOptions{Source: store.SourceName(theirsPath), Prefer: store.PreferBoth, Who: "merger"})
	if err == nil || !strings.Contains(err.Error(), "articles/"+forged.ID+" has a text that does not match its id") || !strings.Contains(err.Error(), "forged.db") {
		t.Errorf("Merge = %v, want the forged article named as damage of forged.db", err)
	}
	if art, _ := ours.Article(forged.ID); art.Text != mergeShared {
		t.Errorf("ours' text became %q", art.Text)
	}
}

// TestMergeAnnotatorNames: a conflicting version is kept under a name
// marked with the other file's safe base name; a second different version
// gets the next name, never the one kept before.
func TestMergeAnnotatorNames(t *testing.T) {
	for _, tt := range []struct{ path, want string }{
		{"b.db", "b"}, {"/x/y/team b.db", "team_b"}, {"../.hidden.db", "hidden"}, {"a/b@c\x1b[31m.db", "b_c_31m"},
		{"ünïcode.db", "ünïcode"}, {"@@@.db", "other"}, {"archive.tar.db", "archive.tar"},
	} {
		if got := store.SourceName(tt.path); got != tt.want {
			t.Errorf("SourceName(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
	if got := store.ConflictName("alice", "b", 2); got != "alice@b-2" {
		t.Errorf("ConflictName = %q", got)
	}
	ours, theirs, theirsPath := mergePair(t)
	mergeFrom(t, ours, theirsPath, store.PreferBoth)
	shared := model.ArticleID(mergeShared)
	cur := mustAnnotation(t, theirs, shared, "alice")
	cur.Entities = cur.Entities[:1]
	model.PruneReferents(&cur)
	mustSave(t, theirs, cur, "untag")
	res := mergeFrom(t, ours, theirsPath, store.PreferBoth)
	if len(res.Conflicts) != 1 || res.Conflicts[0].KeptAs != "alice@b-2" {
		t.Errorf("conflicts %+v, want the newer version kept as alice@b-2", res.Conflicts)
	}
	if first := mustAnnotation(t, ours, shared, "alice@b"); len(first.Entities) != 2 {
		t.Errorf("alice@b changed: %+v", first)
	}
}

func TestOpenReadOnlyRefuses(t *testing.T) {
	dir := t.TempDir()
	foreign := filepath.Join(dir, "foreign.db")
	b, err := bolt.Open(foreign, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("widgets")); return err })
	b.Close()
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte(strings.Repeat("not a database ", 500)), 0o644)
	for _, tt := range []struct{ path, want string }{
		{foreign, "not an annotate database"},
		{junk, "not an annotate database or is damaged"},
		{filepath.Join(dir, "missing.db"), "does not exist"},
	} {
		before, _ := os.ReadFile(tt.path)
		_, err := OpenReadOnly(tt.path, Options{LockTimeout: time.Second})
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.path) {
			t.Errorf("OpenReadOnly(%s): %v; want %q naming the file", tt.path, err, tt.want)
		}
		after, _ := os.ReadFile(tt.path)
		if string(before) != string(after) {
			t.Errorf("OpenReadOnly(%s) changed the file", tt.path)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); err == nil {
		t.Error("OpenReadOnly created a missing file")
	}
	// A file another process holds for writing.
	locked := filepath.Join(dir, "locked.db")
	openAt(t, locked)
	holder, err := bolt.Open(locked, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if _, err := OpenReadOnly(locked, Options{LockTimeout: 100 * time.Millisecond}); !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), locked) {
		t.Errorf("OpenReadOnly of a held file: %v, want ErrInUse naming it", err)
	}
}

// TestMergeOlderLayout: a database of an older layout is read as it would
// be upgraded, without writing to it.
func TestMergeOlderLayout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	ann := `{"article_id":"` + model.ArticleID(mergeShared) + `","annotator":"dora","schema":"conflict-incidents","status":"done","entities":[{"id":"e1","start":0,"end":4,"label":"ORG"}],"claims":[],"incidents":[],"sources":[],"rev":1,"next_id":1}`
	buildLayoutAt(t, path, 3, []string{mergeShared}, map[[2]string]string{{model.ArticleID(mergeShared), "dora"}: ann}, nil, nil)
	sum := fileSum(t, path)
	ours, _ := newDB(t)
	res := mergeFrom(t, ours, path, store.PreferBoth)
	if res.NewArticles != 1 || res.NewAnnotations != 1 {
		t.Errorf("result %+v", res)
	}
	if got := mustAnnotation(t, ours, model.ArticleID(mergeShared), "dora"); len(got.Referents) != 1 {
		t.Errorf("dora's annotation was not upgraded: %+v", got)
	}
	if fileSum(t, path) != sum {
		t.Error("merging changed the older file")
	}
	if v := storedVersionAt(t, path); v != 3 {
		t.Errorf("the older file is now layout %d", v)
	}
}

// TestMergeKeepsReviews: the review states of the annotations a merge
// brings in are in the listing, whether kept beside ours, new, or saved
// over ours (PreferTheirs).
func TestMergeKeepsReviews(t *testing.T) {
	shared, own := model.ArticleID(mergeShared), model.ArticleID(mergeTheirs)
	review := func(db *DB, id, who, state string) {
		t.Helper()
		a := mustAnnotation(t, db, id, who)
		a.Review = &model.Review{State: state, By: "dora", At: clockStart}
		mustSave(t, db, a, "review")
	}
	reviewsOf := func(db *DB) map[string]map[string]string {
		out := map[string]map[string]string{}
		for _, s := range summaries(t, db) {
			out[s.ID] = s.Reviews
		}
		return out
	}
	for _, tt := range []struct {
		prefer store.Prefer
		want   map[string]map[string]string
	}{
		{store.PreferBoth, map[string]map[string]string{shared: {"alice@b": model.ReviewAccepted}, own: {"carol": model.ReviewReturned}, model.ArticleID(mergeOurs): nil}},
		{store.PreferTheirs, map[string]map[string]string{shared: {"alice": model.ReviewAccepted}, own: {"carol": model.ReviewReturned}, model.ArticleID(mergeOurs): nil}},
	} {
		t.Run(string(tt.prefer), func(t *testing.T) {
			ours, theirs, theirsPath := mergePair(t)
			review(theirs, shared, "alice", model.ReviewAccepted)
			review(theirs, own, "carol", model.ReviewReturned)
			mergeFrom(t, ours, theirsPath, tt.prefer)
			if got := reviewsOf(ours); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("reviews after the merge: %v, want %v", got, tt.want)
			}
			if problems, err := ours.Check(); err != nil || len(problems) > 0 {
				t.Errorf("check after merge: %v %v", problems, err)
			}
		})
	}
}
