package bolt

import (
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

func mustRegister(t *testing.T, db *DB, e model.RegistryEntry, who string) model.RegistryEntry {
	t.Helper()
	saved, err := db.SaveRegistry(e, who, "")
	if err != nil {
		t.Fatalf("SaveRegistry(%+v): %v", e, err)
	}
	return saved
}

func registryList(t *testing.T, db *DB) []model.RegistryEntry {
	t.Helper()
	var out []model.RegistryEntry
	if err := db.Registry(func(e model.RegistryEntry) error { out = append(out, e); return nil }); err != nil {
		t.Fatalf("Registry: %v", err)
	}
	return out
}

// linked returns an annotation of text by annotator whose first mention's
// entity links to the registry entry.
func linked(articleID, annotator, text, registry string) model.Annotation {
	a := model.NewAnnotation(articleID, annotator, "conflict-incidents")
	a.Entities = []model.Span{{ID: a.NewID("e"), Start: 0, End: 3, Label: "ORG"}, {ID: a.NewID("e"), Start: 4, End: 9, Label: "GPE"}}
	model.GroupMentions(&a, text)
	a.Referents[0].Registry = registry
	return a
}

// TestCheckFindsRegistryProblems: registry records and links that bbolt
// finds fine but annotate cannot use are reported.
func TestCheckFindsRegistryProblems(t *testing.T) {
	tests := []struct {
		name   string
		damage func(tx *txn, id string) error
		want   string
	}{
		{"entry not JSON", func(tx *txn, id string) error {
			return tx.Bucket(bucketRegistry).Put([]byte("r1"), []byte("{"))
		}, "registry entry r1 is damaged"},
		{"entry without a name", func(tx *txn, id string) error {
			return putJSON(tx.Bucket(bucketRegistry), []byte("r1"), model.RegistryEntry{ID: "r1", Label: "ORG"})
		}, "registry entry r1: an entry needs a name"},
		{"entry under another key", func(tx *txn, id string) error {
			return putJSON(tx.Bucket(bucketRegistry), []byte("r7"), model.RegistryEntry{ID: "r1", Name: "SDF", Label: "ORG"})
		}, `registry entry r7 holds id "r1"`},
		{"two entries of one name", func(tx *txn, id string) error {
			return putJSON(tx.Bucket(bucketRegistry), []byte("r2"), model.RegistryEntry{ID: "r2", Name: "isis", Label: "ORG"})
		}, "registry entries r1 and r2 are both ORG"},
		{"history not JSON", func(tx *txn, id string) error {
			return tx.Bucket(bucketRegistryHistory).Put(u64(9), []byte("nope"))
		}, "registry history entry"},
		{"link to no entry", func(tx *txn, id string) error {
			a := linked(id, "alice", "ISIS in Raqqa", "r5")
			return putJSON(tx.Bucket(bucketAnnotations), annotationKey(id, "alice"), a)
		}, `links to registry entry "r5", which does not exist`},
		{"undo naming a missing change", func(tx *txn, id string) error {
			return putJSON(tx.Bucket(bucketUndo), annotationKey(id, "alice"), undoStacks{Undo: []uint64{42}})
		}, "names history entry 42, which is missing"},
		{"registry bucket missing", func(tx *txn, id string) error { return tx.DeleteBucket(bucketRegistry) }, `bucket "registry" is missing`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, path := newDB(t)
			id := addTexts(t, db, "ISIS in Raqqa")[0]
			mustRegister(t, db, model.RegistryEntry{Name: "ISIS", Label: "ORG"}, "alice")
			if problems, err := db.Check(); err != nil || len(problems) > 0 {
				t.Fatalf("test setup: Check = %v, %v", problems, err)
			}
			b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			b.Close()
			err = db.update(func(tx *txn) error { return tt.damage(tx, id) })
			if err != nil {
				t.Fatal(err)
			}
			problems, err := db.Check()
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if !strings.Contains(strings.Join(problems, "\n"), tt.want) {
				t.Errorf("problems %q do not mention %q", problems, tt.want)
			}
		})
	}
}

// TestRegistryFromBeforeOrigins: an entry stored before entries recorded
// how they entered and grades were per annotator (no origin, one
// "grade") reads as curated, so it is still suggested to everyone, with
// its grade kept as that of who gave it; check passes, and a grade given
// now joins it rather than replacing it.
func TestRegistryFromBeforeOrigins(t *testing.T) {
	db, _ := newDB(t)
	old := []byte(`{"id":"r1","name":"SDF","label":"ORG","aliases":["QSD"],"grade":{"reliability":"C","by":"alice","article":"a1"},"updated_at":"2025-01-01T00:00:00Z","updated_by":"alice"}`)
	if err := db.update(func(tx *txn) error { return tx.Bucket(bucketRegistry).Put([]byte("r1"), old) }); err != nil {
		t.Fatal(err)
	}
	list := registryList(t, db)
	if len(list) != 1 || !list[0].Curated() || list[0].Grades["alice"].Reliability != "C" || !list[0].OfferedTo("bob", false) {
		t.Fatalf("the old entry reads as %+v", list)
	}
	if problems, err := db.Check(); err != nil || len(problems) > 0 {
		t.Errorf("Check = %v, %v", problems, err)
	}
	got, _, err := store.ChangeRegistry(db, "r1", "bob", "grade SDF D", func(e *model.RegistryEntry) bool {
		e.SetGrade("bob", model.RegistryGrade{Reliability: "D", ArticleID: "a2"})
		return true
	})
	if err != nil || got.Grades["alice"].Reliability != "C" || got.Grades["bob"].Reliability != "D" {
		t.Errorf("bob's grade on the old entry: %+v, %v; want alice's C kept beside it", got.Grades, err)
	}
}
