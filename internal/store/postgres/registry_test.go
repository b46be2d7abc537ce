package postgres

import (
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/store/postgres/pgtest"
)

// TestRegistryFromBeforeOrigins: an entry stored before entries recorded
// how they entered and grades were per annotator (no origin, one
// "grade") reads as curated, with its grade kept as that of who gave it;
// check passes, and a grade given now joins it.
func TestRegistryFromBeforeOrigins(t *testing.T) {
	u := pgtest.URL(t)
	db := openTest(t, u)
	exec(t, u, `INSERT INTO registry (id, label, name, entry) VALUES ('r1', 'ORG', 'SDF', $1)`,
		`{"id":"r1","name":"SDF","label":"ORG","grade":{"reliability":"C","by":"alice","article":"a1"},"updated_at":"2025-01-01T00:00:00Z","updated_by":"alice"}`)
	exec(t, u, `UPDATE registry_counter SET last_id = 1`)
	e, err := store.RegistryEntryByID(db, "r1")
	if err != nil || !e.Curated() || e.Grades["alice"].Reliability != "C" || !e.OfferedTo("bob", false) {
		t.Fatalf("the old entry reads as %+v, %v", e, err)
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
