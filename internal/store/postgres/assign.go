package postgres

import (
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// Claims for overlap (store.Assigner), the semantics of store/assign.go.
//
// Concurrency: whoever writes a claim on an article holds that article's
// row lock until it commits. Assign picks its article with SELECT … FOR
// UPDATE SKIP LOCKED, so annotators asking at once each take a different
// article instead of queueing on one, and then counts the article's
// holders again in a statement of its own (which sees every claim
// committed before), starting over if the place was filled meanwhile.
// When every candidate is locked by someone else just then, it looks
// again (locks last one short transaction), so "nothing left" is said
// only when no article has a free place.

// assignTries bounds how often Assign starts again because the article it
// picked was filled by someone else while it waited.
const assignTries = 64

// errFull ends an Assign transaction whose article was filled meanwhile.
var errFull = errors.New("the article was taken meanwhile")

// finished is the SQL test of a status that counts towards the overlap
// for good.
const finished = `('done', 'skipped')`

// othersOn counts the annotators other than $2 who hold a place on
// article $1 at time $3: done or skipped (gold never counts), or a claim
// not lapsed.
const othersOn = `SELECT count(*) FROM (
	SELECT annotator FROM annotations WHERE article_id = $1 AND annotator <> $2 AND annotator <> '` + model.GoldAnnotator + `' AND status IN ` + finished + `
	UNION
	SELECT annotator FROM claims WHERE article_id = $1 AND annotator <> $2 AND expires > $3) h`

// candidate picks annotator $1's next article at time $2 under overlap
// $3: not finished by them, fewer than $3 others holding it, those others
// have started (or the annotator has) first, then import order.
const candidate = `WITH holders AS (
		SELECT article_id, annotator FROM annotations WHERE annotator <> $1 AND annotator <> '` + model.GoldAnnotator + `' AND status IN ` + finished + `
		UNION
		SELECT article_id, annotator FROM claims WHERE annotator <> $1 AND expires > $2
	), held AS (SELECT article_id, count(*) AS others FROM holders GROUP BY article_id)
	SELECT a.id FROM articles a
	LEFT JOIN held h ON h.article_id = a.id
	LEFT JOIN annotations m ON m.article_id = a.id AND m.annotator = $1
	WHERE coalesce(m.status, 'todo') NOT IN ` + finished + ` AND coalesce(h.others, 0) < $3
	ORDER BY (coalesce(h.others, 0) > 0 OR coalesce(m.status, '') = 'in_progress') DESC, a.seq
	LIMIT 1`

// Assign picks the annotator's next article under overlap k and claims
// it (store.Assigner).
func (db *DB) Assign(annotator string, k int, ttl time.Duration) (string, bool, error) {
	if k < 1 {
		return "", false, fmt.Errorf("overlap must be at least 1, got %d", k)
	}
	for range assignTries {
		var id string
		var ok bool
		err := db.write(func(tx pgx.Tx) error {
			id, ok = "", false
			now := db.now()
			// Finished articles hold the annotator's place by status: their
			// claims go (as on bbolt).
			if _, err := tx.Exec(bg, `DELETE FROM claims c USING annotations m
				WHERE c.annotator = $1 AND m.article_id = c.article_id AND m.annotator = c.annotator AND m.status IN `+finished, annotator); err != nil {
				return err
			}
			// The annotator's own live claim, on an article they have not
			// finished: renewed.
			err := tx.QueryRow(bg, `SELECT c.article_id FROM claims c JOIN articles a ON a.id = c.article_id
				LEFT JOIN annotations m ON m.article_id = c.article_id AND m.annotator = c.annotator
				WHERE c.annotator = $1 AND c.expires > $2 AND coalesce(m.status, 'todo') NOT IN `+finished+`
				ORDER BY a.seq LIMIT 1`, annotator, now).Scan(&id)
			if err == nil {
				tag, err := tx.Exec(bg, `UPDATE claims SET expires = $3 WHERE article_id = $1 AND annotator = $2 AND expires > $4`, id, annotator, now.Add(ttl), now)
				if err != nil || tag.RowsAffected() == 1 {
					ok = err == nil
					return err
				}
				// Lapsed as we looked, and taken: pick another.
			} else if !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			err = tx.QueryRow(bg, candidate+" FOR UPDATE OF a SKIP LOCKED", annotator, now, k).Scan(&id)
			if errors.Is(err, pgx.ErrNoRows) {
				// None unlocked: is one there, locked by another Assign?
				err = tx.QueryRow(bg, candidate, annotator, now, k).Scan(&id)
				if errors.Is(err, pgx.ErrNoRows) {
					id = ""
					return nil
				}
				if err == nil {
					return errFull
				}
			}
			if err != nil {
				return err
			}
			var others int
			if err := tx.QueryRow(bg, othersOn, id, annotator, now).Scan(&others); err != nil {
				return err
			}
			if others >= k {
				return errFull
			}
			if err := claim(tx, id, annotator, now, now.Add(ttl), now); err != nil {
				return err
			}
			ok = true
			return nil
		})
		if errors.Is(err, errFull) {
			time.Sleep(time.Millisecond) // the holder commits in a moment
			continue
		}
		if err != nil {
			return "", false, err
		}
		return id, ok, nil
	}
	return "", false, fmt.Errorf("database %s: no free article after %d tries, others kept taking them: try again", db.name, assignTries)
}

// claim writes the annotator's claim, under the article's row lock, and
// removes the article's lapsed claims.
func claim(tx pgx.Tx, articleID, annotator string, since, expires, now time.Time) error {
	if _, err := tx.Exec(bg, `DELETE FROM claims WHERE article_id = $1 AND expires <= $2 AND annotator <> $3`, articleID, now, annotator); err != nil {
		return err
	}
	_, err := tx.Exec(bg, `INSERT INTO claims (article_id, annotator, since, expires) VALUES ($1, $2, $3, $4)
		ON CONFLICT (article_id, annotator) DO UPDATE SET since = excluded.since, expires = excluded.expires`, articleID, annotator, since, expires)
	return err
}

// Renew extends the annotator's claim, or takes the place again when it
// lapsed and is still free (store.Assigner).
func (db *DB) Renew(articleID, annotator string, k int, ttl time.Duration) error {
	return db.write(func(tx pgx.Tx) error {
		now := db.now()
		tag, err := tx.Exec(bg, `SELECT 1 FROM articles WHERE id = $1 FOR UPDATE`, articleID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("article %s: %w", articleID, store.ErrNotFound)
		}
		since := now
		var expires time.Time
		err = tx.QueryRow(bg, `SELECT since, expires FROM claims WHERE article_id = $1 AND annotator = $2`, articleID, annotator).Scan(&since, &expires)
		switch {
		case err == nil && expires.After(now):
			return claim(tx, articleID, annotator, since, now.Add(ttl), now)
		case err != nil && !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		var others int
		if err := tx.QueryRow(bg, othersOn, articleID, annotator, now).Scan(&others); err != nil {
			return err
		}
		if others >= k {
			return fmt.Errorf("article %s is now with %d other annotators: %w", articleID, others, store.ErrNotFound)
		}
		return claim(tx, articleID, annotator, since, now.Add(ttl), now)
	})
}

// Release drops the annotator's claim on the article (store.Assigner).
func (db *DB) Release(articleID, annotator string) error {
	_, err := db.pool.Exec(bg, `DELETE FROM claims WHERE article_id = $1 AND annotator = $2`, articleID, annotator)
	return db.describe(err)
}

// Claims lists the claims not lapsed, by article (import order) then time
// (store.Assigner).
func (db *DB) Claims(fn func(store.Claim) error) error {
	var list []store.Claim
	err := db.read(func(tx pgx.Tx) error {
		rows, err := tx.Query(bg, `SELECT c.article_id, c.annotator, c.since, c.expires FROM claims c JOIN articles a ON a.id = c.article_id
			WHERE c.expires > $1 ORDER BY a.seq, c.since, c.annotator`, db.now())
		if err != nil {
			return err
		}
		list, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Claim, error) {
			var c store.Claim
			err := row.Scan(&c.ArticleID, &c.Annotator, &c.Since, &c.Expires)
			c.Since, c.Expires = c.Since.UTC(), c.Expires.UTC()
			return c, err
		})
		return err
	})
	if err != nil {
		return err
	}
	for _, c := range list {
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}
