package postgres

import (
	"context"
	"testing"

	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/store/postgres/pgtest"
	"github.com/annotate-tool/annotate/internal/store/storetest"
)

// TestContract runs the contract every store keeps (store/storetest)
// against PostgreSQL: a new schema per test (pgtest).
func TestContract(t *testing.T) {
	pgtest.Server(t)
	open := func(t *testing.T) store.Store {
		return openTest(t, pgtest.URL(t))
	}
	storetest.Run(t, open)
	storetest.RunRoster(t, open)
}

// openTest opens the database at url with the test's clock, closed when
// t ends.
func openTest(t *testing.T, url string) *DB {
	t.Helper()
	db, err := Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	db.Now = storetest.Now(t)
	t.Cleanup(func() { _ = db.Close() })
	return db
}
