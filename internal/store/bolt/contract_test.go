package bolt

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/store/storetest"
)

// TestContract runs the contract every store keeps (store/storetest)
// against bbolt: a new file per test. Its Assigner part runs once *DB
// implements store.Assigner and says it is skipped until then.
func TestContract(t *testing.T) {
	if _, ok := any((*DB)(nil)).(store.Assigner); !ok {
		t.Log("*bolt.DB does not implement store.Assigner: the contract's Assigner tests are skipped")
	}
	open := func(t *testing.T) store.Store {
		db, err := Open(filepath.Join(t.TempDir(), "annotate.db"), Options{LockTimeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		db.Now = storetest.Now(t)
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
	storetest.Run(t, open)
	storetest.RunRoster(t, open)
}
