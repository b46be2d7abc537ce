package bolt

import (
	"errors"
	"reflect"
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

func registryChanges(t *testing.T, db *DB) []store.RegistryChange {
	t.Helper()
	var out []store.RegistryChange
	if err := db.RegistryHistory(func(c store.RegistryChange) error { out = append(out, c); return nil }); err != nil {
		t.Fatalf("RegistryHistory: %v", err)
	}
	return out
}

func TestSaveRegistry(t *testing.T) {
	db, _ := newDB(t)
	isis := mustRegister(t, db, model.RegistryEntry{Name: "  Islamic State ", Label: "ORG",
		Aliases: []string{"ISIS", "isis", "Islamic  State", ""}, ExternalIDs: []string{"wikidata:Q2429253", "wikidata:Q2429253"}}, "alice")
	if isis.ID != "r1" || isis.Name != "Islamic State" || isis.UpdatedBy != "alice" || isis.UpdatedAt.IsZero() {
		t.Errorf("added %+v; want r1 named \"Islamic State\" by alice, with a time", isis)
	}
	if !reflect.DeepEqual(isis.Aliases, []string{"ISIS"}) || !reflect.DeepEqual(isis.ExternalIDs, []string{"wikidata:Q2429253"}) {
		t.Errorf("aliases %q, external ids %q: want repeats (by NameKey) and the name itself dropped", isis.Aliases, isis.ExternalIDs)
	}
	raqqa := mustRegister(t, db, model.RegistryEntry{Name: "Raqqa", Label: "GPE"}, "bob")
	// The same name with another label is another entity (the province,
	// the city).
	raqqaLoc := mustRegister(t, db, model.RegistryEntry{Name: "raqqa", Label: "LOC"}, "bob")
	if raqqa.ID != "r2" || raqqaLoc.ID != "r3" {
		t.Errorf("ids %s, %s; want r2, r3", raqqa.ID, raqqaLoc.ID)
	}

	refused := []struct {
		name string
		e    model.RegistryEntry
		want string
	}{
		{"empty name", model.RegistryEntry{Name: "  ", Label: "ORG"}, "needs a name"},
		{"no label", model.RegistryEntry{Name: "SDF"}, "needs a label"},
		{"control character", model.RegistryEntry{Name: "SDF\x1b[31m", Label: "ORG"}, "control character"},
		{"another entry's name and label", model.RegistryEntry{Name: "islamic state", Label: "ORG"}, `the registry already has ORG "Islamic State" as r1`},
		{"a change to another entry's name", model.RegistryEntry{ID: "r3", Name: "RAQQA", Label: "GPE"}, `already has GPE "Raqqa" as r2`},
		{"another entry's alias as a name", model.RegistryEntry{Name: "isis", Label: "ORG"}, `already has ORG "Islamic State" as r1 ("ISIS" is its alias)`},
		{"bad external id", model.RegistryEntry{Name: "SDF", Label: "ORG", ExternalIDs: []string{"Q123"}}, "not scheme:id"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			before := registryList(t, db)
			_, err := db.SaveRegistry(tt.e, "alice", "")
			if err == nil || !errors.Is(err, ErrRegistryEntry) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("SaveRegistry = %v; want ErrRegistryEntry saying %q", err, tt.want)
			}
			if after := registryList(t, db); !reflect.DeepEqual(before, after) {
				t.Errorf("a refused save changed the registry: %+v", after)
			}
		})
	}
	if _, err := db.SaveRegistry(model.RegistryEntry{ID: "r99", Name: "Nowhere", Label: "GPE"}, "alice", ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("changing a missing entry: %v, want ErrNotFound", err)
	}

	// A change keeps the state before in the registry's history.
	changed := raqqa
	changed.Aliases = []string{"Ar-Raqqah"}
	if _, err := db.SaveRegistry(changed, "carol", "alias"); err != nil {
		t.Fatal(err)
	}
	hist := registryChanges(t, db)
	if len(hist) != 4 {
		t.Fatalf("%d registry changes, want 4 (three adds, one change): %+v", len(hist), hist)
	}
	for i, c := range hist[:3] {
		if c.Action != "add" || c.Before != nil || c.Seq != uint64(i+1) {
			t.Errorf("change %d = %+v; want an add without a state before", i, c)
		}
	}
	last := hist[3]
	if last.Who != "carol" || last.Action != "alias" || last.Entry != "r2" || last.Before == nil || last.Before.Aliases != nil || last.Time.IsZero() {
		t.Errorf("last change = %+v; want carol's alias of r2 with the state before", last)
	}
	if problems, err := db.Check(); err != nil || len(problems) > 0 {
		t.Errorf("Check: %v, %v", problems, err)
	}
}

func TestRegistryOrder(t *testing.T) {
	db, _ := newDB(t)
	// Registered as r1, r2, ... r11; one name may come with several labels.
	for _, e := range [][2]string{{"Zaid", "PER"}, {"amaq", "PER"}, {"Raqqa", "GPE"}, {"Amaq", "ORG"}, {"b", "ORG"}, {"c", "ORG"},
		{"d", "ORG"}, {"e", "ORG"}, {"f", "ORG"}, {"raqqa", "LOC"}, {"AMAQ", "NORP"}} {
		mustRegister(t, db, model.RegistryEntry{Name: e[0], Label: e[1]}, "alice")
	}
	var got []string
	for _, e := range registryList(t, db) {
		got = append(got, e.ID+" "+e.Name)
	}
	// By name case folded, then by id as a number (r11 after r4, not
	// before r2 as strings would put it).
	want := []string{"r2 amaq", "r4 Amaq", "r11 AMAQ", "r5 b", "r6 c", "r7 d", "r8 e", "r9 f", "r3 Raqqa", "r10 raqqa", "r1 Zaid"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Registry order\n got %q\nwant %q", got, want)
	}
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

func TestMergeRegistry(t *testing.T) {
	db, _ := newDB(t)
	text := "SDF Raqqa"
	ids := addTexts(t, db, text, "SDF Raqqa again")
	sdf := mustRegister(t, db, model.RegistryEntry{Name: "SDF", Label: "ORG", ExternalIDs: []string{"acled:SDF"}}, "alice")
	full := mustRegister(t, db, model.RegistryEntry{Name: "Syrian Democratic Forces", Label: "ORG", Aliases: []string{"QSD", "sdf"},
		ExternalIDs: []string{"wikidata:Q20736264", "acled:sdf"}, Grade: &model.RegistryGrade{Reliability: "C", By: "bob"}}, "bob")
	other := mustRegister(t, db, model.RegistryEntry{Name: "Raqqa", Label: "GPE"}, "bob")
	aliceA := mustSave(t, db, linked(ids[0], "alice", text, full.ID), "tag")
	bobA := mustSave(t, db, linked(ids[0], "bob", text, full.ID), "tag")
	untouched := mustSave(t, db, linked(ids[1], "alice", "SDF Raqqa again", other.ID), "tag")

	got, err := db.MergeRegistry(sdf.ID, full.ID, "carol")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != sdf.ID || got.Name != "SDF" || !reflect.DeepEqual(got.Aliases, []string{"Syrian Democratic Forces", "QSD"}) {
		t.Errorf("merged entry %+v; want r1 SDF with aliases Syrian Democratic Forces, QSD", got)
	}
	if !reflect.DeepEqual(got.ExternalIDs, []string{"acled:SDF", "wikidata:Q20736264"}) {
		t.Errorf("external ids %q; want acled:SDF once (by NameKey) and the wikidata id", got.ExternalIDs)
	}
	if got.Grade == nil || got.Grade.Reliability != "C" || got.UpdatedBy != "carol" {
		t.Errorf("grade %+v, by %q: want the grade of the entry merged in (r1 had none), by carol", got.Grade, got.UpdatedBy)
	}
	list := registryList(t, db)
	if len(list) != 2 || list[0].ID != other.ID || list[1].ID != sdf.ID {
		t.Errorf("registry after the merge: %+v; want Raqqa and SDF only", list)
	}
	for _, who := range []string{"alice", "bob"} {
		a := mustAnnotation(t, db, ids[0], who)
		if a.Referents[0].Registry != sdf.ID || a.Referents[1].Registry != "" {
			t.Errorf("%s's entities link to %q, %q; want %s and none", who, a.Referents[0].Registry, a.Referents[1].Registry, sdf.ID)
		}
		var actions []string
		_ = db.History(ids[0], who, func(h store.HistoryEntry) error { actions = append(actions, h.Action); return nil })
		if len(actions) != 2 || !strings.Contains(actions[1], `merge r2 "Syrian Democratic Forces" into r1 "SDF"`) {
			t.Errorf("%s's history %q; want the tag, then the merge", who, actions)
		}
	}
	if a := mustAnnotation(t, db, ids[1], "alice"); a.Rev != untouched.Rev || a.Referents[0].Registry != other.ID {
		t.Errorf("an annotation not linked to r2 was changed: %+v", a)
	}
	hist := registryChanges(t, db)
	last := hist[len(hist)-1]
	if len(hist) != 4 || last.Who != "carol" || last.Entry != sdf.ID || last.Before == nil || last.Before.Aliases != nil ||
		last.Merged == nil || last.Merged.Name != "Syrian Democratic Forces" {
		t.Errorf("registry history %+v; want one merge entry with both states before", hist)
	}
	if problems, err := db.Check(); err != nil || len(problems) > 0 {
		t.Errorf("Check after the merge: %v, %v", problems, err)
	}

	// Each relinking is the annotator's own change: undo brings back the
	// link to the entry merged away, which Check accepts.
	back, _, err := db.Undo(ids[0], "alice")
	if err != nil || back.Referents[0].Registry != full.ID || back.Rev != aliceA.Rev+2 {
		t.Fatalf("undo of the relinking: %+v, %v; want the link to %s", back.Referents, err, full.ID)
	}
	if problems, err := db.Check(); err != nil || len(problems) > 0 {
		t.Errorf("Check after undoing a relinking: %v, %v", problems, err)
	}
	if a := mustAnnotation(t, db, ids[0], "bob"); a.Rev != bobA.Rev+1 {
		t.Errorf("bob's annotation rev %d, want %d", a.Rev, bobA.Rev+1)
	}

	for _, tt := range []struct{ into, from, want string }{
		{sdf.ID, sdf.ID, "into itself"},
		{sdf.ID, full.ID, "not found"},
		{"r9", sdf.ID, "not found"},
	} {
		before := registryList(t, db)
		if _, err := db.MergeRegistry(tt.into, tt.from, "carol"); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("MergeRegistry(%s, %s) = %v; want %q", tt.into, tt.from, err, tt.want)
		}
		if after := registryList(t, db); !reflect.DeepEqual(before, after) {
			t.Errorf("a refused merge changed the registry")
		}
	}
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
