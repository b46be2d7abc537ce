package bolt

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/annotate-tool/annotate/internal/model"
)

// migration moves the file's layout from version-1 to version. Migrations run
// in order, all in one transaction, so a file is never left half migrated.
type migration struct {
	version uint64
	name    string
	apply   func(tx *bolt.Tx) error
}

// migrations is the ordered list of layout changes. Append only: a released
// migration is never edited.
var migrations = []migration{
	{1, "create the article, annotation, history and meta buckets", func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketMeta, bucketArticles, bucketAnnotations, bucketHistory} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	}},
	{2, "add the status index and the undo stacks", func(tx *bolt.Tx) error {
		status, err := tx.CreateBucketIfNotExists(bucketStatus)
		if err != nil {
			return err
		}
		if _, err := tx.CreateBucketIfNotExists(bucketUndo); err != nil {
			return err
		}
		// Build the status index from the annotations already stored.
		return tx.Bucket(bucketAnnotations).ForEach(func(k, v []byte) error {
			var a model.Annotation
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("annotation %q: %w", k, err)
			}
			if a.Status == "" {
				a.Status = model.StatusTodo
			}
			return putJSON(status, k, statusRecord{Status: a.Status, UpdatedAt: a.UpdatedAt})
		})
	}},
}

// CurrentVersion is the layout this build writes.
var CurrentVersion = migrations[len(migrations)-1].version

func storedVersion(tx *bolt.Tx) uint64 {
	b := tx.Bucket(bucketMeta)
	if b == nil {
		return 0
	}
	v := b.Get(keyVersion)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

func migrate(tx *bolt.Tx) error {
	return migrateTo(tx, CurrentVersion)
}

// migrateTo applies the migrations above the stored version up to target.
func migrateTo(tx *bolt.Tx, target uint64) error {
	have := storedVersion(tx)
	if have > CurrentVersion {
		return fmt.Errorf("database was written by a newer annotate (layout %d; this one reads up to %d): upgrade annotate", have, CurrentVersion)
	}
	if have == 0 && tx.Bucket(bucketMeta) == nil && hasForeignBuckets(tx) {
		return fmt.Errorf("this bbolt file was not made by annotate: pass another --db path")
	}
	for _, m := range migrations {
		if m.version <= have || m.version > target {
			continue
		}
		if err := m.apply(tx); err != nil {
			return fmt.Errorf("migrate to layout %d (%s): %w", m.version, m.name, err)
		}
		if err := tx.Bucket(bucketMeta).Put(keyVersion, u64(m.version)); err != nil {
			return err
		}
	}
	return nil
}

func hasForeignBuckets(tx *bolt.Tx) bool {
	foreign := false
	_ = tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		foreign = true
		return nil
	})
	return foreign
}
