package postgres

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/store/postgres/pgtest"
)

// benchDB opens a new schema holding n articles of about 2 KB.
func benchDB(b *testing.B, n int) (*DB, []string) {
	b.Helper()
	db, err := Open(context.Background(), pgtest.URL(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	var ids []string
	for start := 0; start < n; start += 2000 {
		var arts []model.Article
		for i := start; i < min(start+2000, n); i++ {
			text := fmt.Sprintf("article %d\n", i) + strings.Repeat("The convoy was hit near the bridge. ", 55)
			arts = append(arts, model.Article{Text: text, Title: fmt.Sprint("article ", i)})
			ids = append(ids, model.ArticleID(text))
		}
		if _, err := db.AddArticles(arts); err != nil {
			b.Fatal(err)
		}
	}
	return db, ids
}

// BenchmarkSave: one change to an annotation of a few spans (a tag on the
// screen): read at its revision, saved, its history entry and undo entry
// written, in one transaction.
func BenchmarkSave(b *testing.B) {
	db, ids := benchDB(b, 10)
	a, err := db.Annotation(ids[0], "alice")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a.Entities = append(a.Entities[:min(len(a.Entities), 20)], model.Span{ID: a.NewID("e"), Start: 0, End: 7, Label: "ORG"})
		if a, err = db.Save(a, "tag"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSaveMany: an import's batch of 200 new annotations in one
// transaction.
func BenchmarkSaveMany(b *testing.B) {
	db, ids := benchDB(b, 200)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		changes := make([]store.Change, len(ids))
		for j, id := range ids {
			a := model.NewAnnotation(id, fmt.Sprint("importer", i), "")
			a.Entities = []model.Span{{ID: "e1", Start: 0, End: 7, Label: "ORG"}}
			changes[j] = store.Change{Annotation: a, Action: "import"}
		}
		if _, err := db.SaveMany(changes); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPage: the screen's first page of a 10,000-article queue with
// the annotator's counts.
func BenchmarkPage(b *testing.B) {
	db, ids := benchDB(b, 10000)
	for i, id := range ids[:500] {
		a := model.NewAnnotation(id, "alice", "")
		a.Status = model.Statuses[i%len(model.Statuses)]
		if _, err := db.Save(a, "status"); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := db.Page(store.Query{Annotator: "alice", Status: model.StatusTodo, Offset: 100, Limit: 50})
		if err != nil || len(p.Items) != 50 {
			b.Fatalf("%d items, %v", len(p.Items), err)
		}
	}
}

// BenchmarkAssign: handing a new annotator the next article of 10,000 under
// overlap 2 (the whole queue's holders counted).
func BenchmarkAssign(b *testing.B) {
	db, _ := benchDB(b, 10000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, ok, err := db.Assign(fmt.Sprint("annotator", i), 2, time.Hour); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}
