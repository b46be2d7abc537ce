package postgres

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// historyBatch is how many changes one read of History covers.
const historyBatch = 256

func decodeAnnotation(articleID, annotator string, body []byte) (model.Annotation, error) {
	var a model.Annotation
	if err := json.Unmarshal(body, &a); err != nil {
		return a, fmt.Errorf("annotation of %s by %s is damaged: %v: run `annotate check`", articleID, annotator, err)
	}
	return a, nil
}

// Annotation returns the stored annotation, or a new empty one.
func (db *DB) Annotation(articleID, annotator string) (model.Annotation, error) {
	var a model.Annotation
	err := db.read(func(tx pgx.Tx) error {
		found, _, body, err := stored(tx, articleID, annotator)
		switch {
		case err != nil:
			return err
		case !found:
			return fmt.Errorf("article %s: %w", articleID, store.ErrNotFound)
		case body == nil:
			a = model.NewAnnotation(articleID, annotator, "")
			return nil
		}
		a, err = decodeAnnotation(articleID, annotator, body)
		return err
	})
	return a, err
}

// stored reads, in one round trip, whether the article exists and the
// annotation's revision and body (0 and nil when there is none).
func stored(tx pgx.Tx, articleID, annotator string) (found bool, rev int, body []byte, err error) {
	var r *int
	err = tx.QueryRow(bg, `SELECT a.id IS NOT NULL, n.rev, n.body FROM (SELECT 1) one
		LEFT JOIN articles a ON a.id = $1
		LEFT JOIN annotations n ON n.article_id = $1 AND n.annotator = $2`, articleID, annotator).Scan(&found, &r, &body)
	if r != nil {
		rev = *r
	}
	return found, rev, body, err
}

// newBefore is the state before an annotation's first change: empty,
// with the schema the change names (what bbolt records too).
func newBefore(a model.Annotation) ([]byte, error) {
	return json.Marshal(model.NewAnnotation(a.ArticleID, a.Annotator, a.Schema))
}

// put writes next as the revision after rev (0: there is none yet) and
// records the change with the state before. The write is version-checked:
// an UPDATE of the row at rev, or an INSERT where none is, so a row
// another process changed in between is never overwritten (ErrConflict).
// It returns the stored annotation and the change's number.
func put(tx pgx.Tx, next model.Annotation, rev int, before []byte, action string, now time.Time) (model.Annotation, int64, error) {
	next.Rev = rev + 1
	next.UpdatedAt = now
	if next.Status == "" {
		next.Status = model.StatusTodo
	}
	body, err := json.Marshal(next)
	if err != nil {
		return next, 0, err
	}
	var sql string
	if rev == 0 {
		sql = `INSERT INTO annotations (article_id, annotator, rev, status, updated_at, body, review) VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (article_id, annotator) DO NOTHING`
	} else {
		sql = `UPDATE annotations SET rev = $3, status = $4, updated_at = $5, body = $6, review = $7
			WHERE article_id = $1 AND annotator = $2 AND rev = $3 - 1`
	}
	tag, err := tx.Exec(bg, sql, next.ArticleID, next.Annotator, next.Rev, string(next.Status), now, body, store.ReviewState(&next))
	if err != nil {
		return next, 0, err
	}
	if tag.RowsAffected() != 1 {
		return next, 0, fmt.Errorf("annotation of %s by %s: %w", next.ArticleID, next.Annotator, store.ErrConflict)
	}
	var seq int64
	err = tx.QueryRow(bg, `INSERT INTO history (article_id, annotator, at, action, before) VALUES ($1, $2, $3, $4, $5) RETURNING seq`,
		next.ArticleID, next.Annotator, now, action, before).Scan(&seq)
	return next, seq, err
}

// saveIn stores a (read at a.Rev) as a change its annotator can undo: on
// the undo stack, with the redo stack cleared.
func (db *DB) saveIn(tx pgx.Tx, a model.Annotation, action string, now time.Time) (model.Annotation, error) {
	if a.ArticleID == "" || a.Annotator == "" {
		return a, errors.New("an annotation needs its article and annotator")
	}
	found, rev, before, err := stored(tx, a.ArticleID, a.Annotator)
	switch {
	case err != nil:
		return a, err
	case !found:
		return a, fmt.Errorf("article %s: %w", a.ArticleID, store.ErrNotFound)
	case rev != a.Rev:
		return a, fmt.Errorf("annotation of %s by %s: %w", a.ArticleID, a.Annotator, store.ErrConflict)
	case before == nil:
		if before, err = newBefore(a); err != nil {
			return a, err
		}
	}
	saved, seq, err := put(tx, a, rev, before, action, now)
	if err != nil {
		return saved, err
	}
	if _, err := tx.Exec(bg, `INSERT INTO undo_stack (article_id, annotator, stack, seq) VALUES ($1, $2, 'u', $3)`, a.ArticleID, a.Annotator, seq); err != nil {
		return saved, err
	}
	_, err = tx.Exec(bg, `DELETE FROM undo_stack WHERE article_id = $1 AND annotator = $2 AND stack = 'r'`, a.ArticleID, a.Annotator)
	return saved, err
}

// Save stores a changed annotation as one transaction.
func (db *DB) Save(a model.Annotation, action string) (model.Annotation, error) {
	if a.ArticleID == "" || a.Annotator == "" {
		return a, errors.New("an annotation needs its article and annotator")
	}
	var saved model.Annotation
	err := db.write(func(tx pgx.Tx) error {
		var err error
		saved, err = db.saveIn(tx, a, action, db.now())
		return err
	})
	return saved, err
}

// Annotations returns the annotations keys name, read from one snapshot
// (see store.Batcher).
func (db *DB) Annotations(keys []store.AnnotationKey) ([]model.Annotation, error) {
	out := make([]model.Annotation, len(keys))
	err := db.read(func(tx pgx.Tx) error {
		articles := make([]string, len(keys))
		annotators := make([]string, len(keys))
		for i, k := range keys {
			articles[i], annotators[i] = k.ArticleID, k.Annotator
		}
		rows, err := tx.Query(bg, `SELECT k.i, a.id IS NOT NULL, n.body
			FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k (article, annotator, i)
			LEFT JOIN articles a ON a.id = k.article
			LEFT JOIN annotations n ON n.article_id = k.article AND n.annotator = k.annotator
			ORDER BY k.i`, articles, annotators)
		if err != nil {
			return err
		}
		var i int
		var found bool
		var body []byte
		_, err = pgx.ForEachRow(rows, []any{&i, &found, &body}, func() error {
			k := keys[i-1]
			switch {
			case !found:
				return fmt.Errorf("article %s: %w", k.ArticleID, store.ErrNotFound)
			case body == nil:
				out[i-1] = model.NewAnnotation(k.ArticleID, k.Annotator, "")
				return nil
			}
			var err error
			out[i-1], err = decodeAnnotation(k.ArticleID, k.Annotator, body)
			return err
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SaveMany stores the changes in one transaction, each as Save stores
// one; any failure stores none of them (see store.Batcher).
func (db *DB) SaveMany(changes []store.Change) ([]model.Annotation, error) {
	if len(changes) == 0 {
		return nil, nil
	}
	var saved []model.Annotation
	err := db.write(func(tx pgx.Tx) error {
		saved = make([]model.Annotation, len(changes))
		now := db.now()
		for i, c := range changes {
			var err error
			if saved[i], err = db.saveIn(tx, c.Annotation, c.Action, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return saved, nil
}

// step pops one stack, restores the state recorded before that change,
// and pushes the new change onto the other stack.
func (db *DB) step(articleID, annotator string, undo bool, seen []int) (model.Annotation, string, error) {
	from, to, verb, nothing := "u", "r", "undo", store.ErrNothingToUndo
	if !undo {
		from, to, verb, nothing = "r", "u", "redo", store.ErrNothingToRedo
	}
	var restored model.Annotation
	var action string
	err := db.write(func(tx pgx.Tx) error {
		// The row lock keeps every other save and step of this
		// annotation out until this one commits.
		var rev int
		var cur []byte
		err := tx.QueryRow(bg, `SELECT rev, body FROM annotations WHERE article_id = $1 AND annotator = $2 FOR UPDATE`, articleID, annotator).Scan(&rev, &cur)
		if errors.Is(err, pgx.ErrNoRows) {
			return nothing
		}
		if err != nil {
			return err
		}
		var seq int64
		err = tx.QueryRow(bg, `DELETE FROM undo_stack WHERE article_id = $1 AND annotator = $2 AND stack = $3
			AND seq = (SELECT max(seq) FROM undo_stack WHERE article_id = $1 AND annotator = $2 AND stack = $3)
			RETURNING seq`, articleID, annotator, from).Scan(&seq)
		if errors.Is(err, pgx.ErrNoRows) {
			return nothing
		}
		if err != nil {
			return err
		}
		if len(seen) > 0 && rev != seen[0] {
			// The caller's copy is stale: another window saved since. An
			// undo is a save like any other (the pop is rolled back).
			return fmt.Errorf("annotation of %s by %s: %w", articleID, annotator, store.ErrConflict)
		}
		var before []byte
		if err := tx.QueryRow(bg, `SELECT action, before FROM history WHERE seq = $1`, seq).Scan(&action, &before); err != nil {
			return fmt.Errorf("history entry %d of %s by %s: %w", seq, articleID, annotator, err)
		}
		target, err := decodeAnnotation(articleID, annotator, before)
		if err != nil {
			return fmt.Errorf("history entry %d: %w", seq, err)
		}
		for _, prefix := range []string{"undo: ", "redo: "} {
			if len(action) > len(prefix) {
				action = strings.TrimPrefix(action, prefix)
			}
		}
		target.ArticleID, target.Annotator = articleID, annotator
		var newSeq int64
		restored, newSeq, err = put(tx, target, rev, cur, verb+": "+action, db.now())
		if err != nil {
			return err
		}
		_, err = tx.Exec(bg, `INSERT INTO undo_stack (article_id, annotator, stack, seq) VALUES ($1, $2, $3, $4)`, articleID, annotator, to, newSeq)
		return err
	})
	return restored, action, err
}

// Undo restores the annotation as it was before the last change (see
// store.Store: seen is the revision the caller holds).
func (db *DB) Undo(articleID, annotator string, seen ...int) (model.Annotation, string, error) {
	return db.step(articleID, annotator, true, seen)
}

// Redo re-applies the last undone change.
func (db *DB) Redo(articleID, annotator string, seen ...int) (model.Annotation, string, error) {
	return db.step(articleID, annotator, false, seen)
}

// History calls fn for each recorded change, oldest first, historyBatch
// changes per read.
func (db *DB) History(articleID, annotator string, fn func(store.HistoryEntry) error) error {
	// Only the conditions asked for, so the plan uses their index.
	where, args := `WHERE seq > $1`, []any{int64(0), historyBatch}
	if articleID != "" {
		args = append(args, articleID)
		where += fmt.Sprintf(" AND article_id = $%d", len(args))
	}
	if annotator != "" {
		args = append(args, annotator)
		where += fmt.Sprintf(" AND annotator = $%d", len(args))
	}
	where += " ORDER BY seq LIMIT $2"
	return store.Batches(historyBatch, func(after int64) (batch []store.HistoryEntry, last int64, err error) {
		args[0] = after
		err = db.read(func(tx pgx.Tx) error {
			var err error
			batch, err = historyEntries(tx, where, args...)
			return err
		})
		if len(batch) > 0 {
			last = int64(batch[len(batch)-1].Seq)
		}
		return batch, last, err
	}, fn)
}

// historyEntries reads the history entries a WHERE clause (and ORDER BY)
// selects.
func historyEntries(tx pgx.Tx, where string, args ...any) ([]store.HistoryEntry, error) {
	rows, err := tx.Query(bg, `SELECT seq, at, annotator, article_id, action, before FROM history `+where, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.HistoryEntry, error) {
		var e store.HistoryEntry
		var seq int64
		var before []byte
		if err := row.Scan(&seq, &e.Time, &e.Annotator, &e.ArticleID, &e.Action, &before); err != nil {
			return e, err
		}
		e.Seq, e.Time = uint64(seq), e.Time.UTC()
		b, err := decodeAnnotation(e.ArticleID, e.Annotator, before)
		if err != nil {
			return e, fmt.Errorf("history entry %d: %w", seq, err)
		}
		e.Before = &b
		return e, nil
	})
}

// Schema returns the stored schema, or nil when none was stored.
func (db *DB) Schema() (*model.Schema, error) {
	var body []byte
	err := db.pool.QueryRow(bg, `SELECT body FROM stored_schema`).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, db.describe(err)
	}
	return model.ParseSchema(body, db.name+" (stored schema)")
}

// SetSchema stores the schema for later sessions.
func (db *DB) SetSchema(s *model.Schema) error {
	return db.write(func(tx pgx.Tx) error { return putSchema(tx, s) })
}

func putSchema(tx pgx.Tx, s *model.Schema) error {
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	_, err = tx.Exec(bg, `INSERT INTO stored_schema (body) VALUES ($1) ON CONFLICT (only_row) DO UPDATE SET body = excluded.body`, data)
	return err
}
