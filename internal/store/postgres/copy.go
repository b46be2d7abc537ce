package postgres

import (
	"encoding/json"
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// copyBatch is how many annotations (with their history) one read of
// CopyAnnotations covers.
const copyBatch = 128

// CopyArticles calls fn for every article with its text, in import order
// (store.Copier).
func (db *DB) CopyArticles(fn func(model.Article) error) error {
	return store.Batches(exportBatch, func(after int64) (batch []model.Article, last int64, err error) {
		err = db.read(func(tx pgx.Tx) error {
			batch = nil
			rows, err := tx.Query(bg, `SELECT seq, id, meta, text FROM articles WHERE seq > $1 ORDER BY seq LIMIT $2`, after, exportBatch)
			if err != nil {
				return err
			}
			var id string
			var meta, text []byte
			_, err = pgx.ForEachRow(rows, []any{&last, &id, &meta, &text}, func() error {
				a, err := decodeArticle(id, meta, text)
				batch = append(batch, a)
				return err
			})
			return err
		})
		return batch, last, err
	}, fn)
}

// CopyAnnotations calls fn for every annotation with its history and
// stacks, by article then annotator, copyBatch annotations per read
// (store.Copier).
func (db *DB) CopyAnnotations(fn func(store.AnnotationCopy) error) error {
	return store.Batches(copyBatch, func(after store.AnnotationKey) (batch []store.AnnotationCopy, last store.AnnotationKey, err error) {
		err = db.read(func(tx pgx.Tx) error {
			batch = nil
			rows, err := tx.Query(bg, `SELECT article_id, annotator, body FROM annotations
				WHERE (article_id, annotator) > ($1, $2) ORDER BY article_id, annotator LIMIT $3`, after.ArticleID, after.Annotator, copyBatch)
			if err != nil {
				return err
			}
			var id, who string
			var body []byte
			at := map[store.AnnotationKey]int{}
			var ids, whos []string
			if _, err := pgx.ForEachRow(rows, []any{&id, &who, &body}, func() error {
				a, err := decodeAnnotation(id, who, body)
				at[store.AnnotationKey{ArticleID: id, Annotator: who}] = len(batch)
				batch = append(batch, store.AnnotationCopy{Annotation: a})
				ids, whos = append(ids, id), append(whos, who)
				return err
			}); err != nil || len(batch) == 0 {
				return err
			}
			keys := `JOIN unnest($1::text[], $2::text[]) AS k (k_article, k_annotator) ON k.k_article = h.article_id AND k.k_annotator = h.annotator`
			history, err := historyEntries(tx, `h `+keys+` ORDER BY h.seq`, ids, whos)
			if err != nil {
				return err
			}
			for _, e := range history {
				c := &batch[at[store.AnnotationKey{ArticleID: e.ArticleID, Annotator: e.Annotator}]]
				c.History = append(c.History, e)
			}
			rows, err = tx.Query(bg, `SELECT h.article_id, h.annotator, h.stack, h.seq FROM undo_stack h `+keys+` ORDER BY h.seq`, ids, whos)
			if err != nil {
				return err
			}
			var stack byte
			var seq int64
			_, err = pgx.ForEachRow(rows, []any{&id, &who, &stack, &seq}, func() error {
				c := &batch[at[store.AnnotationKey{ArticleID: id, Annotator: who}]]
				if stack == 'u' {
					c.Undo = append(c.Undo, uint64(seq))
				} else {
					c.Redo = append(c.Redo, uint64(seq))
				}
				return nil
			})
			return err
		})
		if len(batch) > 0 {
			a := batch[len(batch)-1].Annotation
			last = store.AnnotationKey{ArticleID: a.ArticleID, Annotator: a.Annotator}
		}
		return batch, last, err
	}, fn)
}

// CopyRegistry returns the registry, its history and its id counter
// (store.Copier).
func (db *DB) CopyRegistry() (store.RegistryCopy, error) {
	var r store.RegistryCopy
	err := db.read(func(tx pgx.Tx) error {
		var err error
		if r.Entries, err = allRegistry(tx); err != nil {
			return err
		}
		if r.History, err = registryChanges(tx); err != nil {
			return err
		}
		var last int64
		err = tx.QueryRow(bg, `SELECT last_id FROM registry_counter`).Scan(&last)
		r.LastID = uint64(last)
		return err
	})
	return r, err
}

// Empty reports whether the database holds no article, annotation,
// registry entry or change, or schema (store.Copier).
func (db *DB) Empty() (bool, error) {
	var empty bool
	err := db.pool.QueryRow(bg, emptySQL).Scan(&empty)
	return empty, db.describe(err)
}

const emptySQL = `SELECT NOT (EXISTS (SELECT 1 FROM articles) OR EXISTS (SELECT 1 FROM annotations) OR EXISTS (SELECT 1 FROM registry)
	OR EXISTS (SELECT 1 FROM registry_history) OR EXISTS (SELECT 1 FROM stored_schema))`

// BeginCopy starts a copy into the database as one transaction: no one
// sees any of it before Commit, and a copy that fails leaves the database
// as it was (store.Copier). Other writers wait until it ends.
func (db *DB) BeginCopy(replace bool) (store.CopyWriter, error) {
	tx, err := db.pool.Begin(bg)
	if err != nil {
		return nil, db.describe(err)
	}
	w := &copyWriter{db: db, tx: tx}
	fail := func(err error) (store.CopyWriter, error) {
		_ = tx.Rollback(bg)
		return nil, db.describe(err)
	}
	if replace {
		if _, err := tx.Exec(bg, `TRUNCATE articles, annotations, history, undo_stack, registry, registry_history, stored_schema, claims RESTART IDENTITY`); err != nil {
			return fail(err)
		}
		if _, err := tx.Exec(bg, `UPDATE registry_counter SET last_id = 0`); err != nil {
			return fail(err)
		}
		return w, nil
	}
	if _, err := tx.Exec(bg, `LOCK TABLE articles, annotations, history, undo_stack, registry, registry_history, stored_schema IN EXCLUSIVE MODE`); err != nil {
		return fail(err)
	}
	var empty bool
	if err := tx.QueryRow(bg, emptySQL).Scan(&empty); err != nil {
		return fail(err)
	}
	if !empty {
		_ = tx.Rollback(bg)
		return nil, fmt.Errorf("database %s is not empty: copy into an empty database, or replace what it holds", db.name)
	}
	return w, nil
}

// copyWriter writes one copy in one transaction, with COPY.
type copyWriter struct {
	db *DB
	tx pgx.Tx
}

func (w *copyWriter) fail(err error) error {
	return w.db.describe(err)
}

func (w *copyWriter) WriteArticles(arts []model.Article) error {
	rows := make([][]any, len(arts))
	for i, a := range arts {
		if a.ID == "" {
			a.ID = model.ArticleID(a.Text)
		}
		if a.ID != model.ArticleID(a.Text) {
			return fmt.Errorf("article %s: the id is not its text's (%s): an article's id is the hash of its text", a.ID, model.ArticleID(a.Text))
		}
		meta, err := articleMeta(a)
		if err != nil {
			return err
		}
		rows[i] = []any{a.ID, a.Title, a.Source, utf8.RuneCountInString(a.Text), meta, []byte(a.Text)}
	}
	_, err := w.tx.CopyFrom(bg, pgx.Identifier{"articles"}, []string{"id", "title", "source", "length", "meta", "text"}, pgx.CopyFromRows(rows))
	return w.fail(err)
}

func (w *copyWriter) WriteAnnotations(copies []store.AnnotationCopy) error {
	var anns, hist, stacks [][]any
	for _, c := range copies {
		a := c.Annotation
		body, err := json.Marshal(a)
		if err != nil {
			return err
		}
		anns = append(anns, []any{a.ArticleID, a.Annotator, a.Rev, string(a.Status), a.UpdatedAt, body, store.ReviewState(&a)})
		for _, e := range c.History {
			var before []byte
			if e.Before != nil {
				before, err = json.Marshal(e.Before)
			} else {
				before, err = newBefore(a)
			}
			if err != nil {
				return err
			}
			hist = append(hist, []any{int64(e.Seq), a.ArticleID, a.Annotator, e.Time, e.Action, before})
		}
		for _, s := range c.Undo {
			stacks = append(stacks, []any{a.ArticleID, a.Annotator, byte('u'), int64(s)})
		}
		for _, s := range c.Redo {
			stacks = append(stacks, []any{a.ArticleID, a.Annotator, byte('r'), int64(s)})
		}
	}
	for _, t := range []struct {
		table   string
		columns []string
		rows    [][]any
	}{
		{"annotations", []string{"article_id", "annotator", "rev", "status", "updated_at", "body", "review"}, anns},
		{"history", []string{"seq", "article_id", "annotator", "at", "action", "before"}, hist},
		{"undo_stack", []string{"article_id", "annotator", "stack", "seq"}, stacks},
	} {
		if len(t.rows) == 0 {
			continue
		}
		if _, err := w.tx.CopyFrom(bg, pgx.Identifier{t.table}, t.columns, pgx.CopyFromRows(t.rows)); err != nil {
			return w.fail(fmt.Errorf("copy %s: %w", t.table, err))
		}
	}
	return nil
}

func (w *copyWriter) WriteRegistry(r store.RegistryCopy) error {
	last := r.LastID
	for _, e := range r.Entries {
		if err := putRegistry(w.tx, e); err != nil {
			return w.fail(err)
		}
		// The counter is a bigint: a number beyond it is not counted.
		if n, ok := store.RegistryIDNumber(e.ID); ok && n <= math.MaxInt64 && n > last {
			last = n
		}
	}
	for _, c := range r.History {
		if c.Seq == 0 {
			return fmt.Errorf("registry change %q of %s has no number", c.Action, c.Entry)
		}
		if err := addRegistryChange(w.tx, c); err != nil {
			return w.fail(err)
		}
	}
	_, err := w.tx.Exec(bg, `UPDATE registry_counter SET last_id = greatest(last_id, $1)`, int64(last))
	return w.fail(err)
}

func (w *copyWriter) WriteSchema(s *model.Schema) error {
	if s == nil {
		return nil
	}
	return w.fail(putSchema(w.tx, s))
}

// Commit moves the numbering of history and registry changes past the
// numbers copied, and commits.
func (w *copyWriter) Commit() error {
	for _, table := range []string{"history", "registry_history"} {
		if _, err := w.tx.Exec(bg, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'seq'), max(seq)) FROM %s HAVING max(seq) IS NOT NULL`, table, table)); err != nil {
			_ = w.tx.Rollback(bg)
			return w.fail(err)
		}
	}
	return w.fail(w.tx.Commit(bg))
}

func (w *copyWriter) Rollback() error {
	err := w.tx.Rollback(bg)
	if err == pgx.ErrTxClosed {
		return nil
	}
	return w.fail(err)
}
