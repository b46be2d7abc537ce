package postgres

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/store/bolt"
	"github.com/annotate-tool/annotate/internal/store/postgres/pgtest"
	"github.com/annotate-tool/annotate/internal/store/storetest"
)

func openBolt(t *testing.T, path string) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(path, bolt.Options{LockTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	db.Now = storetest.Now(t)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// TestCopyAcrossBackends: bbolt to PostgreSQL to bbolt keeps everything:
// each copy holds what its source holds (storetest.SameContents, which
// also undoes and redoes in both).
func TestCopyAcrossBackends(t *testing.T) {
	u := pgtest.URL(t)
	dir := t.TempDir()
	first := openBolt(t, filepath.Join(dir, "first.db"))
	storetest.Populate(t, first)
	pg := openTest(t, u)
	if _, err := store.CopyAll(first, pg, false); err != nil {
		t.Fatal(err)
	}
	if problems, err := pg.Check(); err != nil || len(problems) > 0 {
		t.Errorf("Check of the PostgreSQL copy: %q %v", problems, err)
	}
	storetest.SameContents(t, first, pg) // undoes and redoes in both alike
	again := openBolt(t, filepath.Join(dir, "again.db"))
	if _, err := store.CopyAll(pg, again, false); err != nil {
		t.Fatal(err)
	}
	if problems, err := again.Check(); err != nil || len(problems) > 0 {
		t.Errorf("Check of the bbolt copy: %q %v", problems, err)
	}
	storetest.SameContents(t, pg, again)
}

// TestCopyReplaceAndRollback: a copy replacing a database's contents
// leaves only the copy; a copy that fails leaves the database as it was.
func TestCopyReplaceAndRollback(t *testing.T) {
	src := openTest(t, pgtest.URL(t))
	storetest.Populate(t, src)
	dst := openTest(t, pgtest.URL(t))
	old := model.Article{Text: "an article the copy replaces", Title: "old"}
	if _, err := dst.AddArticles([]model.Article{old}); err != nil {
		t.Fatal(err)
	}
	if _, err := dst.SaveRegistry(model.RegistryEntry{Name: "Old", Label: "ORG"}, "x", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := store.CopyAll(src, dst, true); err != nil {
		t.Fatal(err)
	}
	if _, err := dst.Article(model.ArticleID(old.Text)); err == nil {
		t.Error("the replaced article is still there")
	}
	storetest.SameContents(t, src, dst)

	// A copy failing half way: an annotation of an article not copied.
	target := openTest(t, pgtest.URL(t))
	if _, err := target.AddArticles([]model.Article{old}); err != nil {
		t.Fatal(err)
	}
	w, err := target.BeginCopy(true)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteArticles([]model.Article{{Text: "copied", Title: "copied"}}); err != nil {
		t.Fatal(err)
	}
	bad := store.AnnotationCopy{Annotation: model.NewAnnotation(model.ArticleID("never copied"), "alice", "")}
	bad.Annotation.Rev = 1
	if err := w.WriteAnnotations([]store.AnnotationCopy{bad}); err == nil {
		t.Fatal("an annotation of no article was written")
	}
	if err := w.Rollback(); err != nil {
		t.Fatal(err)
	}
	if _, err := target.Article(model.ArticleID(old.Text)); err != nil {
		t.Errorf("after a failed copy the old article is gone: %v", err)
	}
	if _, err := target.Article(model.ArticleID("copied")); err == nil {
		t.Error("a failed copy left an article behind")
	}
}
