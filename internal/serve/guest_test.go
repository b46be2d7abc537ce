package serve

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/store/bolt"
)

func openStore(t *testing.T) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "annotate.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestGuestStoreWritesNothing: every write through a guest's store is
// refused with ErrGuest and leaves the database as it was; reads pass.
func TestGuestStoreWritesNothing(t *testing.T) {
	db := openStore(t)
	text := "Police said two men were hurt."
	art := model.Article{ID: model.ArticleID(text), Title: "Shots fired", Text: text}
	id := art.ID
	if _, err := db.AddArticles([]model.Article{art}); err != nil {
		t.Fatal(err)
	}
	saved, err := db.Save(model.Annotation{ArticleID: id, Annotator: "alice", Status: model.StatusInProgress}, "edit")
	if err != nil {
		t.Fatal(err)
	}
	reg, err := db.SaveRegistry(model.RegistryEntry{Name: "Police", Label: "ORG"}, "alice", "add")
	if err != nil {
		t.Fatal(err)
	}
	g := guestStore{db}

	writes := map[string]func() error{
		"AddArticles": func() error {
			_, err := g.AddArticles([]model.Article{{ID: model.ArticleID("x"), Text: "x"}})
			return err
		},
		"Save": func() error {
			_, err := g.Save(model.Annotation{ArticleID: id, Annotator: "guest", Status: model.StatusDone}, "edit")
			return err
		},
		"Save over another's": func() error {
			_, err := g.Save(model.Annotation{ArticleID: id, Annotator: "alice", Rev: saved.Rev, Status: model.StatusDone}, "edit")
			return err
		},
		"Undo": func() error { _, _, err := g.Undo(id, "alice"); return err },
		"Redo": func() error { _, _, err := g.Redo(id, "alice"); return err },
		"SaveRegistry": func() error {
			_, err := g.SaveRegistry(model.RegistryEntry{Name: "Mayor", Label: "PERSON"}, "guest", "add")
			return err
		},
		"MergeRegistry": func() error { _, err := g.MergeRegistry(reg.ID, reg.ID, "guest"); return err },
		"SetSchema":     func() error { return g.SetSchema(model.DefaultSchema()) },
		"Check":         func() error { _, err := g.Check(); return err },
	}
	for name, write := range writes {
		if err := write(); !errors.Is(err, ErrGuest) {
			t.Errorf("guest %s: %v, want ErrGuest", name, err)
		}
	}
	if err := g.Close(); err != nil {
		t.Errorf("guest Close: %v", err)
	}

	// Nothing changed, and the shared store is still open.
	got, err := db.Annotation(id, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, saved) {
		t.Errorf("alice's annotation changed under a guest:\n%+v\nwant\n%+v", got, saved)
	}
	n := 0
	if err := db.Articles(func(store.ArticleSummary) error { n++; return nil }); err != nil || n != 1 {
		t.Errorf("articles after guest writes: %d, %v; want 1", n, err)
	}
	var names []string
	if err := g.Registry(func(e model.RegistryEntry) error { names = append(names, e.Name); return nil }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(names, []string{"Police"}) {
		t.Errorf("registry through the guest: %v, want [Police]", names)
	}
	if a, err := g.Article(id); err != nil || a.Text != art.Text {
		t.Errorf("guest reads article: %+v, %v", a, err)
	}
	if a, err := g.Annotation(id, "alice"); err != nil || a.Rev != saved.Rev {
		t.Errorf("guest reads alice's annotation: rev %d, %v; want %d", a.Rev, err, saved.Rev)
	}
}
