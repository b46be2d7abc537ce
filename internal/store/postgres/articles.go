package postgres

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// listBatch is how many summaries one read of Articles covers, and
// exportBatch how many articles one read of Each: a listing holds little
// memory, and the callback may write between batches.
const (
	listBatch   = 1024
	exportBatch = 256
)

// articleMeta is the article as stored in meta: everything but its text.
func articleMeta(a model.Article) ([]byte, error) {
	a.Text = ""
	return json.Marshal(a)
}

// decodeArticle reads an article from its meta and text, checking the
// text against the id: a text changed in the database is damage, not an
// article to show.
func decodeArticle(id string, meta, text []byte) (model.Article, error) {
	var a model.Article
	if err := json.Unmarshal(meta, &a); err != nil {
		return a, fmt.Errorf("article %s is damaged (its metadata: %v): run `annotate check`", id, err)
	}
	a.ID, a.Text = id, string(text)
	if model.ArticleID(a.Text) != id {
		return a, fmt.Errorf("article %s is damaged: its text does not match its id (changed in the database?): run `annotate check`", id)
	}
	return a, nil
}

// insertArticle adds a after every article stored (added false when its
// text is already there).
func insertArticle(tx pgx.Tx, a model.Article) (bool, error) {
	if a.ID == "" {
		a.ID = model.ArticleID(a.Text)
	}
	if a.ID != model.ArticleID(a.Text) {
		return false, fmt.Errorf("article %s: the id is not its text's (%s): an article's id is the hash of its text", a.ID, model.ArticleID(a.Text))
	}
	meta, err := articleMeta(a)
	if err != nil {
		return false, err
	}
	tag, err := tx.Exec(bg, `INSERT INTO articles (id, title, source, length, meta, text) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (id) DO NOTHING`, a.ID, a.Title, a.Source, utf8.RuneCountInString(a.Text), meta, []byte(a.Text))
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() == 1, nil
}

// AddArticles stores the articles whose text is not yet in the database,
// in one transaction.
func (db *DB) AddArticles(arts []model.Article) ([]bool, error) {
	var added []bool
	err := db.write(func(tx pgx.Tx) error {
		added = make([]bool, len(arts))
		for i, a := range arts {
			var err error
			if added[i], err = insertArticle(tx, a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return added, nil
}

// Article returns one article with its text.
func (db *DB) Article(id string) (model.Article, error) {
	var meta, text []byte
	err := db.pool.QueryRow(bg, `SELECT meta, text FROM articles WHERE id = $1`, id).Scan(&meta, &text)
	if errors.Is(err, pgx.ErrNoRows) {
		return model.Article{}, fmt.Errorf("article %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return model.Article{}, db.describe(err)
	}
	return decodeArticle(id, meta, text)
}

// summaryColumns are what a summary reads of an article (the import
// time from meta, where it is kept exactly).
const summaryColumns = `a.seq, a.id, a.title, a.source, a.length, a.meta->'imported_at'`

func scanSummary(rows pgx.CollectableRow) (store.ArticleSummary, error) {
	var s store.ArticleSummary
	var seq int64
	var when []byte
	if err := rows.Scan(&seq, &s.ID, &s.Title, &s.Source, &s.Length, &when); err != nil {
		return s, err
	}
	s.Seq = uint64(seq)
	if len(when) > 0 {
		if err := json.Unmarshal(when, &s.ImportedAt); err != nil {
			return s, fmt.Errorf("article %s is damaged (its import time: %v): run `annotate check`", s.ID, err)
		}
	}
	return s, nil
}

// summaries runs a query of summaryColumns and fills in every annotator's
// status and review state of each article, in the same transaction.
func summaries(tx pgx.Tx, sql string, args ...any) ([]store.ArticleSummary, error) {
	rows, err := tx.Query(bg, sql, args...)
	if err != nil {
		return nil, err
	}
	list, err := pgx.CollectRows(rows, scanSummary)
	if err != nil || len(list) == 0 {
		return list, err
	}
	ids := make([]string, len(list))
	at := make(map[string]int, len(list))
	for i, s := range list {
		ids[i] = s.ID
		at[s.ID] = i
	}
	rows, err = tx.Query(bg, `SELECT article_id, annotator, status, review FROM annotations WHERE article_id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	var id, who, st, review string
	_, err = pgx.ForEachRow(rows, []any{&id, &who, &st, &review}, func() error {
		s := &list[at[id]]
		if s.Statuses == nil {
			s.Statuses = map[string]model.Status{}
		}
		s.Statuses[who] = model.Status(st)
		if review != "" {
			if s.Reviews == nil {
				s.Reviews = map[string]string{}
			}
			s.Reviews[who] = review
		}
		return nil
	})
	return list, err
}

// Articles lists every article in import order with each annotator's
// status, listBatch summaries per read.
func (db *DB) Articles(fn func(store.ArticleSummary) error) error {
	return store.Batches(listBatch, func(after int64) (batch []store.ArticleSummary, last int64, err error) {
		err = db.read(func(tx pgx.Tx) error {
			var err error
			batch, err = summaries(tx, `SELECT `+summaryColumns+` FROM articles a WHERE a.seq > $1 ORDER BY a.seq LIMIT $2`, after, listBatch)
			return err
		})
		if len(batch) > 0 {
			last = int64(batch[len(batch)-1].Seq)
		}
		return batch, last, err
	}, fn)
}

// isTodo (with $1 the annotator) keeps the articles a whose status for
// the annotator is todo: no annotation, or one with status todo.
const isTodo = `NOT EXISTS (SELECT 1 FROM annotations n WHERE n.article_id = a.id AND n.annotator = $1 AND n.status <> 'todo')`

// Page returns a page of the queue (see store.Store), counts and items
// from one snapshot.
func (db *DB) Page(q store.Query) (store.Page, error) {
	var p store.Page
	err := db.read(func(tx pgx.Tx) error {
		p = store.Page{Counts: map[model.Status]int{}}
		var total int
		if err := tx.QueryRow(bg, `SELECT count(*) FROM articles`).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.Query(bg, `SELECT status, count(*) FROM annotations WHERE annotator = $1 AND status <> 'todo' GROUP BY status`, q.Annotator)
		if err != nil {
			return err
		}
		var st string
		var n int
		todo := total
		if _, err := pgx.ForEachRow(rows, []any{&st, &n}, func() error {
			p.Counts[model.Status(st)] = n
			todo -= n
			return nil
		}); err != nil {
			return err
		}
		if todo > 0 {
			p.Counts[model.StatusTodo] = todo
		}
		var limit any // NULL: no limit
		if q.Limit > 0 {
			limit = q.Limit
		}
		offset := max(q.Offset, 0)
		switch q.Status {
		case "":
			p.Total = total
			p.Items, err = summaries(tx, `SELECT `+summaryColumns+` FROM articles a ORDER BY a.seq OFFSET $1 LIMIT $2`, offset, limit)
		case model.StatusTodo:
			p.Total = p.Counts[model.StatusTodo]
			p.Items, err = summaries(tx, `SELECT `+summaryColumns+` FROM articles a WHERE `+isTodo+` ORDER BY a.seq OFFSET $2 LIMIT $3`, q.Annotator, offset, limit)
		default:
			p.Total = p.Counts[q.Status]
			p.Items, err = summaries(tx, `SELECT `+summaryColumns+` FROM articles a JOIN annotations n ON n.article_id = a.id
				WHERE n.annotator = $1 AND n.status = $2 ORDER BY a.seq OFFSET $3 LIMIT $4`, q.Annotator, string(q.Status), offset, limit)
		}
		return err
	})
	return p, err
}

// NextToWork returns the next article to work on (see store.Store): the
// first in progress after the given one, wrapping round, else the first
// todo the same way.
func (db *DB) NextToWork(annotator, after string) (string, bool, error) {
	var id string
	found := false
	err := db.read(func(tx pgx.Tx) error {
		found = false
		var from int64
		err := tx.QueryRow(bg, `SELECT seq FROM articles WHERE id = $1`, after).Scan(&from)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		// Each part takes one row by the seq index: after the given
		// article first, then from the start up to it.
		inProgress := `SELECT 0 AS part, a.seq, a.id FROM articles a JOIN annotations n ON n.article_id = a.id
			WHERE n.annotator = $1 AND n.status = 'in_progress' AND a.seq %s $2 ORDER BY a.seq LIMIT 1`
		todo := `SELECT 1 AS part, a.seq, a.id FROM articles a WHERE ` + isTodo + ` AND a.seq %s $2 ORDER BY a.seq LIMIT 1`
		sql := fmt.Sprintf(`SELECT id FROM ((%s) UNION ALL (%s) UNION ALL (%s) UNION ALL (%s)) c ORDER BY part, seq > $2 DESC, seq LIMIT 1`,
			fmt.Sprintf(inProgress, ">"), fmt.Sprintf(inProgress, "<"), fmt.Sprintf(todo, ">"), fmt.Sprintf(todo, "<"))
		err = tx.QueryRow(bg, sql, annotator, from).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		found = err == nil
		return err
	})
	if !found {
		id = ""
	}
	return id, found, err
}

// Each streams articles with their annotations by article id, exportBatch
// articles per read (one snapshot each), so others write in between.
func (db *DB) Each(f store.Filter, fn func(store.Record) error) error {
	after := ""
	for {
		var batch []store.Record
		err := db.read(func(tx pgx.Tx) error {
			batch = nil
			rows, err := tx.Query(bg, `SELECT a.id, a.meta, a.text FROM articles a
				WHERE a.id > $1 AND ($3 OR EXISTS (SELECT 1 FROM annotations n WHERE n.article_id = a.id AND ($2 = '' OR n.annotator = $2)))
				ORDER BY a.id LIMIT $4`, after, f.Annotator, f.All, exportBatch)
			if err != nil {
				return err
			}
			var id string
			var meta, text []byte
			if _, err := pgx.ForEachRow(rows, []any{&id, &meta, &text}, func() error {
				a, err := decodeArticle(id, meta, text)
				batch = append(batch, store.Record{Article: a})
				return err
			}); err != nil {
				return err
			}
			if len(batch) == 0 {
				return nil
			}
			ids := make([]string, len(batch))
			at := map[string]int{}
			for i, r := range batch {
				ids[i] = r.Article.ID
				at[r.Article.ID] = i
			}
			rows, err = tx.Query(bg, `SELECT article_id, annotator, body FROM annotations
				WHERE article_id = ANY($1) AND ($2 = '' OR annotator = $2) ORDER BY article_id, annotator`, ids, f.Annotator)
			if err != nil {
				return err
			}
			var who string
			var body []byte
			_, err = pgx.ForEachRow(rows, []any{&id, &who, &body}, func() error {
				a, err := decodeAnnotation(id, who, body)
				r := &batch[at[id]]
				r.Annotations = append(r.Annotations, a)
				return err
			})
			return err
		})
		if err != nil {
			return err
		}
		for _, r := range batch {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(batch) < exportBatch {
			return nil
		}
		after = batch[len(batch)-1].Article.ID
	}
}
