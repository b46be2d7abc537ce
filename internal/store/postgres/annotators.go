package postgres

import (
	"encoding/json"

	"github.com/jackc/pgx/v5"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// Annotators (store.Roster). The tables that name an annotator are
// annotations (its key and its body's "annotator"), history (its column and
// the state before, which names the annotation's annotator), undo_stack and
// claims. A rename inserts the annotations under the new name, points the
// history and the stacks at them (their foreign keys need the new rows
// first), and deletes the old rows.

var _ store.Roster = (*DB)(nil)

// annotators reads every annotator's counts by status (the
// annotations_by_annotator index holds them).
func annotators(tx pgx.Tx) ([]store.AnnotatorSummary, error) {
	rows, err := tx.Query(bg, `SELECT annotator, status, count(*) FROM annotations GROUP BY annotator, status ORDER BY annotator, status`)
	if err != nil {
		return nil, err
	}
	var out []store.AnnotatorSummary
	var who, status string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&who, &status, &n}, func() error {
		if len(out) == 0 || out[len(out)-1].Name != who {
			out = append(out, store.AnnotatorSummary{Name: who, Statuses: map[model.Status]int{}})
		}
		s := &out[len(out)-1]
		s.Statuses[model.Status(status)] += n
		s.Annotations += n
		return nil
	})
	return out, err
}

// Annotators lists the annotators with their counts (store.Roster).
func (db *DB) Annotators() ([]store.AnnotatorSummary, error) {
	var out []store.AnnotatorSummary
	err := db.read(func(tx pgx.Tx) error {
		var err error
		out, err = annotators(tx)
		return err
	})
	return out, err
}

// lockAnnotators makes renames and removals one at a time, so two of them
// never both pass CheckRename against the names as they were.
const lockAnnotators = 0x616e6e6f74617471 // "annotatq"

// RenameAnnotator moves old's rows to new (store.Roster) in one
// transaction, then records the rename in each annotation it changed.
func (db *DB) RenameAnnotator(old, new string) error {
	return db.write(func(tx pgx.Tx) error {
		if _, err := tx.Exec(bg, `SELECT pg_advisory_xact_lock($1)`, int64(lockAnnotators)); err != nil {
			return err
		}
		all, err := annotators(tx)
		if err != nil {
			return err
		}
		if err := store.CheckRename(old, new, store.Names(all)); err != nil {
			return err
		}
		steps := []string{
			`INSERT INTO annotations (article_id, annotator, rev, status, updated_at, body)
				SELECT article_id, $2, rev, status, updated_at, jsonb_set(body, '{annotator}', to_jsonb($2::text))
				FROM annotations WHERE annotator = $1`,
			// The states a change records are the annotation's, so they
			// name it by its new name: undo restores them under the
			// annotator they name.
			`UPDATE history SET annotator = $2,
				before = CASE WHEN before->>'annotator' = $1 THEN jsonb_set(before, '{annotator}', to_jsonb($2::text)) ELSE before END
				WHERE annotator = $1`,
			`UPDATE undo_stack SET annotator = $2 WHERE annotator = $1`,
			`UPDATE claims SET annotator = $2 WHERE annotator = $1`,
		}
		for _, s := range steps {
			if _, err := tx.Exec(bg, s, old, new); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(bg, `DELETE FROM annotations WHERE annotator = $1`, old); err != nil {
			return err
		}
		// The rename's own change, in each renamed annotation and in every
		// other annotation that names old (review decisions, a review), in
		// import order: not on the undo stack (a rename is undone by
		// renaming back).
		rows, err := tx.Query(bg, `SELECT n.article_id, n.annotator, n.rev, n.body FROM annotations n JOIN articles a ON a.id = n.article_id
			WHERE n.annotator = $1 OR n.body ? 'decisions' OR n.body ? 'review' ORDER BY a.seq, n.annotator FOR UPDATE OF n`, new)
		if err != nil {
			return err
		}
		type row struct {
			id, who string
			rev     int
			body    []byte
		}
		var found []row
		var r row
		if _, err := pgx.ForEachRow(rows, []any{&r.id, &r.who, &r.rev, &r.body}, func() error {
			found = append(found, row{r.id, r.who, r.rev, append([]byte(nil), r.body...)})
			return nil
		}); err != nil {
			return err
		}
		now, action := db.now(), store.RenameAction(old, new)
		for _, r := range found {
			prev, err := decodeAnnotation(r.id, r.who, r.body)
			if err != nil {
				return err
			}
			next, changed := model.RenameAnnotatorIn(prev, old, new)
			if !changed && r.who != new {
				continue
			}
			before, err := json.Marshal(prev)
			if err != nil {
				return err
			}
			if _, _, err := put(tx, next, r.rev, before, action, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// RemoveAnnotator deletes name's rows (store.Roster) in one transaction.
func (db *DB) RemoveAnnotator(name string) (int, error) {
	var removed int
	err := db.write(func(tx pgx.Tx) error {
		if _, err := tx.Exec(bg, `SELECT pg_advisory_xact_lock($1)`, int64(lockAnnotators)); err != nil {
			return err
		}
		all, err := annotators(tx)
		if err != nil {
			return err
		}
		if err := store.CheckRemove(name, store.Names(all)); err != nil {
			return err
		}
		for _, s := range []string{
			`DELETE FROM undo_stack WHERE annotator = $1`,
			`DELETE FROM history WHERE annotator = $1`,
			`DELETE FROM claims WHERE annotator = $1`,
		} {
			if _, err := tx.Exec(bg, s, name); err != nil {
				return err
			}
		}
		tag, err := tx.Exec(bg, `DELETE FROM annotations WHERE annotator = $1`, name)
		removed = int(tag.RowsAffected())
		return err
	})
	return removed, err
}
