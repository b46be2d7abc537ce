// Package postgres is the Store for teams: one PostgreSQL database that
// every annotator's screen, command and server writes to at once.
//
// It keeps what store/bolt keeps, with the same behaviour and errors, laid
// out for PostgreSQL rather than copied from bbolt's buckets: a table per
// kind of record, revisions checked by the UPDATE that writes them, the
// queue answered by indexes instead of maintained counters, and each
// change one transaction that PostgreSQL's row locks keep apart from
// every other process's.
//
//	articles          id (the text's hash), seq (import order), title, source,
//	                  length, meta (the article without its text, JSONB), text (bytea)
//	annotations       (article_id, annotator), rev, status, updated_at, body (JSONB),
//	                  review (the review's state, "" for none)
//	history           seq, article_id, annotator, at, action, before (JSONB)
//	undo_stack        (article_id, annotator, stack 'u'|'r', seq): the stacks
//	registry          id ("r12"), label, name, entry (JSONB)
//	registry_counter  one row: the number of the last entry id handed out
//	registry_history  seq, at, who, action, entry, before, merged (JSONB)
//	stored_schema     one row: the schema (JSONB)
//	claims            (article_id, annotator), since, expires
//	schema_version    one row per migration applied (migrate.go)
//
// Texts are bytea, so they come back byte for byte whatever they hold.
// Identifiers and annotator names use the "C" collation, so listings order
// by bytes as bbolt's keys do. Times are kept to the microsecond,
// PostgreSQL's resolution: the store's clock is cut to it, and times copied
// in from a bbolt file lose what is finer (the times inside annotations,
// which are JSON, keep every digit).
package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/annotate-tool/annotate/internal/store"
)

// DB is a Store on one PostgreSQL database.
type DB struct {
	pool *pgxpool.Pool
	name string
	// Now is the clock, replaceable in tests.
	Now func() time.Time
}

var (
	_ store.Store    = (*DB)(nil)
	_ store.Batcher  = (*DB)(nil)
	_ store.Assigner = (*DB)(nil)
	_ store.Copier   = (*DB)(nil)
)

// IsURL reports whether s names a PostgreSQL database (postgres:// or
// postgresql://) rather than a bbolt file.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Open connects to the database at url (postgres://user@host/db, or a
// key=value connection string such as "host=/run/postgresql dbname=x"),
// creates annotate's tables or migrates them to this annotate's version
// (one transaction), and refuses a database written by a newer annotate.
func Open(ctx context.Context, url string) (*DB, error) {
	name := Redact(url)
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database %s: %s: check the URL (postgres://USER@HOST/DATABASE)", name, plainError(err))
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		// Without one an unreachable host waits for the system's TCP
		// timeout, minutes; connect_timeout in the URL overrides this.
		cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("database %s: %s", name, plainError(err))
	}
	db := &DB{pool: pool, name: name, Now: time.Now}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("database %s: cannot connect (%s): check the URL and that the server is running", name, plainError(err))
	}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// Name is the database's address as messages give it: the URL without
// its password.
func (db *DB) Name() string { return db.name }

// Close releases the connections.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Redact returns a connection string without its password, for messages.
func Redact(conn string) string {
	if IsURL(conn) {
		if u, err := url.Parse(conn); err == nil {
			if _, has := u.User.Password(); has {
				u.User = url.UserPassword(u.User.Username(), "xxxxx")
			}
			q := u.Query()
			if q.Has("password") {
				q.Set("password", "xxxxx")
				u.RawQuery = q.Encode()
			}
			return u.String()
		}
		return "postgres://…"
	}
	var out []string
	for _, f := range strings.Fields(conn) {
		if k, _, ok := strings.Cut(f, "="); ok && strings.EqualFold(strings.TrimSpace(k), "password") {
			f = k + "=xxxxx"
		}
		out = append(out, f)
	}
	return strings.Join(out, " ")
}

// plainError is what a pgx error says, on one line, without the Go
// package's prefix.
func plainError(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Message
	}
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}

// now is the clock cut to PostgreSQL's resolution (microseconds), in UTC,
// so every time the store hands out is what it reads back.
func (db *DB) now() time.Time { return db.Now().UTC().Truncate(time.Microsecond) }

// bg is the context of the Store's methods, which take none.
var bg = context.Background()

// retries is how often a transaction PostgreSQL aborted to break a
// deadlock (or a serialization failure) is run again before giving up.
const retries = 8

// write runs fn in one read-write transaction, again when PostgreSQL
// aborted it to break a deadlock. fn must set its results afresh on every
// run.
func (db *DB) write(fn func(tx pgx.Tx) error) error {
	return db.run(pgx.TxOptions{}, fn)
}

// read runs fn in one read-only transaction that sees one snapshot.
func (db *DB) read(fn func(tx pgx.Tx) error) error {
	return db.run(pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

func (db *DB) run(opts pgx.TxOptions, fn func(tx pgx.Tx) error) error {
	var err error
	for range retries {
		err = pgx.BeginTxFunc(bg, db.pool, opts, fn)
		if !retryable(err) {
			break
		}
	}
	return db.describe(err)
}

func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

// describe turns PostgreSQL's errors into one line saying what and what
// to do; the store's own errors (ErrConflict, ...) pass as they are.
func (db *DB) describe(err error) error {
	var pe *pgconn.PgError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &pe) && (pe.Code == "22P05" || (pe.Code == "22021" && strings.Contains(pe.Message, "0x00"))):
		// jsonb and text hold no NUL character (bytea texts do).
		return fmt.Errorf("database %s cannot store a NUL character (U+0000) in a title, name, note or other field (%s): remove it", db.name, pe.Message)
	case errors.As(err, &pe):
		return fmt.Errorf("database %s: %s", db.name, pe.Message)
	case pgconn.SafeToRetry(err) || pgconn.Timeout(err):
		return fmt.Errorf("database %s: %s: check that the server is running", db.name, plainError(err))
	}
	return err
}
