package storetest

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

var registryTests = []test{
	{"Save", testSaveRegistry},
	{"Order", testRegistryOrder},
	{"Merge", testMergeRegistry},
	{"Provenance", testRegistryProvenance},
	{"StaleCopy", testRegistryStaleCopy},
	{"Change", testChangeRegistry},
	{"Confirm", testConfirmRegistry},
}

var schemaTests = []test{
	{"RoundTrip", testSchemaRoundTrip},
}

func mustRegister(t *testing.T, s store.Store, e model.RegistryEntry, who string) model.RegistryEntry {
	t.Helper()
	saved, err := s.SaveRegistry(e, who, "")
	if err != nil {
		t.Fatalf("SaveRegistry(%+v): %v", e, err)
	}
	return saved
}

func registryList(t *testing.T, s store.Store) []model.RegistryEntry {
	t.Helper()
	var out []model.RegistryEntry
	if err := s.Registry(func(e model.RegistryEntry) error { out = append(out, e); return nil }); err != nil {
		t.Fatalf("Registry: %v", err)
	}
	return out
}

func registryChanges(t *testing.T, s store.Store) []store.RegistryChange {
	t.Helper()
	var out []store.RegistryChange
	if err := s.RegistryHistory(func(c store.RegistryChange) error { out = append(out, c); return nil }); err != nil {
		t.Fatalf("RegistryHistory: %v", err)
	}
	return out
}

func testSaveRegistry(t *testing.T, open Opener) {
	s := open(t)
	isis := mustRegister(t, s, model.RegistryEntry{Name: "  Islamic State ", Label: "ORG",
		Aliases: []string{"ISIS", "isis", "Islamic  State", ""}, ExternalIDs: []string{"wikidata:Q2429253", "wikidata:Q2429253"}}, "alice")
	if isis.ID != "r1" || isis.Name != "Islamic State" || isis.UpdatedBy != "alice" || isis.UpdatedAt.IsZero() {
		t.Errorf("added %+v; want r1 named \"Islamic State\" by alice, with a time", isis)
	}
	if !reflect.DeepEqual(isis.Aliases, []string{"ISIS"}) || !reflect.DeepEqual(isis.ExternalIDs, []string{"wikidata:Q2429253"}) {
		t.Errorf("aliases %q, external ids %q: want repeats (by NameKey) and the name itself dropped", isis.Aliases, isis.ExternalIDs)
	}
	raqqa := mustRegister(t, s, model.RegistryEntry{Name: "Raqqa", Label: "GPE"}, "bob")
	raqqaLoc := mustRegister(t, s, model.RegistryEntry{Name: "raqqa", Label: "LOC"}, "bob")
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
			before := registryList(t, s)
			_, err := s.SaveRegistry(tt.e, "alice", "")
			if !errors.Is(err, store.ErrRegistryEntry) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("SaveRegistry = %v; want ErrRegistryEntry saying %q", err, tt.want)
			}
			if after := registryList(t, s); !reflect.DeepEqual(before, after) {
				t.Errorf("a refused save changed the registry: %+v", after)
			}
		})
	}
	if _, err := s.SaveRegistry(model.RegistryEntry{ID: "r99", Name: "Nowhere", Label: "GPE"}, "alice", ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("changing a missing entry: %v, want ErrNotFound", err)
	}
	// Refused adds use up no id: ids are handed out one after the other.
	if sdf := mustRegister(t, s, model.RegistryEntry{Name: "SDF", Label: "ORG"}, "alice"); sdf.ID != "r4" {
		t.Errorf("the entry after refused ones is %s, want r4", sdf.ID)
	}
	changed := raqqa
	changed.Aliases = []string{"Ar-Raqqah"}
	if _, err := s.SaveRegistry(changed, "carol", "alias"); err != nil {
		t.Fatal(err)
	}
	hist := registryChanges(t, s)
	if len(hist) != 5 {
		t.Fatalf("%d registry changes, want 5 (four adds, one change): %+v", len(hist), hist)
	}
	for i, c := range hist[:4] {
		if c.Action != "add" || c.Before != nil || c.Seq != uint64(i+1) || c.Time.IsZero() {
			t.Errorf("change %d = %+v; want an add without a state before, numbered %d", i, c, i+1)
		}
	}
	last := hist[4]
	if last.Who != "carol" || last.Action != "alias" || last.Entry != "r2" || last.Before == nil || last.Before.Aliases != nil || last.Seq <= hist[3].Seq || last.Time.IsZero() {
		t.Errorf("last change = %+v; want carol's alias of r2 with the state before", last)
	}
	if !reflect.DeepEqual(*last.Before, raqqa) {
		t.Errorf("state before = %+v, want %+v", *last.Before, raqqa)
	}
	mustCheck(t, s)
}

func testRegistryOrder(t *testing.T, open Opener) {
	s := open(t)
	for _, e := range [][2]string{{"Zaid", "PER"}, {"amaq", "PER"}, {"Raqqa", "GPE"}, {"Amaq", "ORG"}, {"b", "ORG"}, {"c", "ORG"},
		{"d", "ORG"}, {"e", "ORG"}, {"f", "ORG"}, {"raqqa", "LOC"}, {"AMAQ", "NORP"}} {
		mustRegister(t, s, model.RegistryEntry{Name: e[0], Label: e[1]}, "alice")
	}
	var got []string
	for _, e := range registryList(t, s) {
		got = append(got, e.ID+" "+e.Name)
	}
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

func testMergeRegistry(t *testing.T, open Opener) {
	s := open(t)
	text := "SDF Raqqa"
	ids := addTexts(t, s, text, "SDF Raqqa again")
	sdf := mustRegister(t, s, model.RegistryEntry{Name: "SDF", Label: "ORG", ExternalIDs: []string{"acled:SDF"}}, "alice")
	full := mustRegister(t, s, model.RegistryEntry{Name: "Syrian Democratic Forces", Label: "ORG", Aliases: []string{"QSD", "sdf"},
		ExternalIDs: []string{"wikidata:Q20736264", "acled:sdf"}, Grades: map[string]model.RegistryGrade{"bob": {Reliability: "C", By: "bob"}}}, "bob")
	other := mustRegister(t, s, model.RegistryEntry{Name: "Raqqa", Label: "GPE"}, "bob")
	aliceA := mustSave(t, s, linked(ids[0], "alice", text, full.ID), "tag")
	bobA := mustSave(t, s, linked(ids[0], "bob", text, full.ID), "tag")
	untouched := mustSave(t, s, linked(ids[1], "alice", "SDF Raqqa again", other.ID), "tag")

	got, err := s.MergeRegistry(sdf.ID, full.ID, "carol")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != sdf.ID || got.Name != "SDF" || !reflect.DeepEqual(got.Aliases, []string{"Syrian Democratic Forces", "QSD"}) {
		t.Errorf("merged entry %+v; want r1 SDF with aliases Syrian Democratic Forces, QSD", got)
	}
	if !reflect.DeepEqual(got.ExternalIDs, []string{"acled:SDF", "wikidata:Q20736264"}) {
		t.Errorf("external ids %q; want acled:SDF once (by NameKey) and the wikidata id", got.ExternalIDs)
	}
	if got.Grades["bob"].Reliability != "C" || got.UpdatedBy != "carol" {
		t.Errorf("grades %+v, by %q: want bob's grade of the entry merged in (r1 had none), by carol", got.Grades, got.UpdatedBy)
	}
	list := registryList(t, s)
	if len(list) != 2 || list[0].ID != other.ID || list[1].ID != sdf.ID || !reflect.DeepEqual(list[1], got) {
		t.Errorf("registry after the merge: %+v; want Raqqa and the merged SDF only", list)
	}
	for _, who := range []string{"alice", "bob"} {
		a := mustAnnotation(t, s, ids[0], who)
		if a.Referents[0].Registry != sdf.ID || a.Referents[1].Registry != "" {
			t.Errorf("%s's entities link to %q, %q; want %s and none", who, a.Referents[0].Registry, a.Referents[1].Registry, sdf.ID)
		}
		var actions []string
		_ = s.History(ids[0], who, func(h store.HistoryEntry) error { actions = append(actions, h.Action); return nil })
		if len(actions) != 2 || actions[1] != `registry: merge r2 "Syrian Democratic Forces" into r1 "SDF"` {
			t.Errorf("%s's history %q; want the tag, then the merge", who, actions)
		}
	}
	if a := mustAnnotation(t, s, ids[1], "alice"); a.Rev != untouched.Rev || a.Referents[0].Registry != other.ID {
		t.Errorf("an annotation not linked to r2 was changed: %+v", a)
	}
	hist := registryChanges(t, s)
	last := hist[len(hist)-1]
	if len(hist) != 4 || last.Who != "carol" || last.Entry != sdf.ID || last.Before == nil || last.Before.Aliases != nil ||
		last.Merged == nil || last.Merged.Name != "Syrian Democratic Forces" || last.Action != `merge r2 "Syrian Democratic Forces" into r1 "SDF"` {
		t.Errorf("registry history %+v; want one merge entry with both states before", hist)
	}
	mustCheck(t, s)

	// Each relinking is the annotator's own change: undo brings back the
	// link to the entry merged away, which Check accepts.
	back, _, err := s.Undo(ids[0], "alice")
	if err != nil || back.Referents[0].Registry != full.ID || back.Rev != aliceA.Rev+2 {
		t.Fatalf("undo of the relinking: %+v, %v; want the link to %s", back.Referents, err, full.ID)
	}
	mustCheck(t, s)
	if a := mustAnnotation(t, s, ids[0], "bob"); a.Rev != bobA.Rev+1 {
		t.Errorf("bob's annotation rev %d, want %d", a.Rev, bobA.Rev+1)
	}
	// The id merged away is never handed out again.
	if e := mustRegister(t, s, model.RegistryEntry{Name: "Hasakah", Label: "GPE"}, "dora"); e.ID != "r4" {
		t.Errorf("next entry %s, want r4", e.ID)
	}
	for _, tt := range []struct{ into, from, want string }{
		{sdf.ID, sdf.ID, "into itself"},
		{sdf.ID, full.ID, "not found"},
		{"r9", sdf.ID, "not found"},
	} {
		before := registryList(t, s)
		_, err := s.MergeRegistry(tt.into, tt.from, "carol")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("MergeRegistry(%s, %s) = %v; want %q", tt.into, tt.from, err, tt.want)
		}
		if refused := errors.Is(err, store.ErrRegistryEntry); refused != (tt.into == tt.from) {
			t.Errorf("MergeRegistry(%s, %s) = %v: ErrRegistryEntry %v, want it for a merge into itself only", tt.into, tt.from, err, refused)
		}
		if after := registryList(t, s); !reflect.DeepEqual(before, after) {
			t.Errorf("a refused merge changed the registry")
		}
	}
}

func testSchemaRoundTrip(t *testing.T, open Opener) {
	s := open(t)
	if got, err := s.Schema(); err != nil || got != nil {
		t.Fatalf("Schema() of a new store = %v, %v; want nil, nil", got, err)
	}
	want := model.DefaultSchema()
	if err := s.SetSchema(want); err != nil {
		t.Fatal(err)
	}
	got, err := s.Schema()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stored schema differs from the one set:\n%+v\nwant\n%+v", got, want)
	}
	// A second schema replaces the first.
	other := model.DefaultSchema()
	other.Name = "another"
	slices.Reverse(other.Labels)
	if err := s.SetSchema(other); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Schema(); err != nil || !reflect.DeepEqual(got, other) {
		t.Errorf("after a second SetSchema: %+v, %v; want the second", got, err)
	}
}

// testRegistryProvenance: who made an entry and how, its pending aliases,
// makers and per-annotator grades are stored as given.
func testRegistryProvenance(t *testing.T, open Opener) {
	s := open(t)
	e := model.RegistryEntry{Name: "Islamic State", Label: "ORG", Origin: model.OriginTagging, By: "alice", Makers: []string{"alice", "bob", "alice"},
		PendingAliases: []model.RegistryAlias{{Name: "militant group", By: "alice"}, {Name: " militant  group", By: "alice"}, {Name: "ISIS", By: "bob"}, {Name: "islamic state", By: "bob"}},
		Grades:         map[string]model.RegistryGrade{"alice": {Reliability: "E", By: "alice", ArticleID: "a1", At: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)}, "bob": {Reliability: "D", By: "bob"}}}
	saved := mustRegister(t, s, e, "alice")
	want := e
	want.ID, want.UpdatedAt, want.UpdatedBy = saved.ID, saved.UpdatedAt, "alice"
	want.Makers = []string{"alice", "bob"}
	// A repeat of the same proposer's and the entry's own name go.
	want.PendingAliases = []model.RegistryAlias{{Name: "militant group", By: "alice"}, {Name: "ISIS", By: "bob"}}
	if !reflect.DeepEqual(saved, want) {
		t.Errorf("saved\n%+v\nwant\n%+v", saved, want)
	}
	if got := registryList(t, s); len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Errorf("read back\n%+v\nwant\n%+v", got, want)
	}
	for _, bad := range []model.RegistryEntry{
		{Name: "SDF", Label: "ORG", Origin: "rumour"},
		{Name: "SDF", Label: "ORG", Origin: model.OriginLinking},
		{Name: "SDF", Label: "ORG", PendingAliases: []model.RegistryAlias{{Name: "the\x1bForces", By: "bob"}}},
	} {
		if _, err := s.SaveRegistry(bad, "alice", ""); !errors.Is(err, store.ErrRegistryEntry) {
			t.Errorf("SaveRegistry(%+v) = %v, want ErrRegistryEntry", bad, err)
		}
	}
	mustCheck(t, s)
}

// testRegistryStaleCopy: a change saved from a copy read before another
// change is refused (ErrConflict) and changes nothing, so bob's screen
// cannot undo alice's grade by saving the entry it read earlier.
func testRegistryStaleCopy(t *testing.T, open Opener) {
	s := open(t)
	sdf := mustRegister(t, s, model.RegistryEntry{Name: "SDF", Label: "ORG"}, "carol")
	alices, bobs := sdf, sdf // two screens read the entry
	alices.SetGrade("alice", model.RegistryGrade{Reliability: "E"})
	if _, err := s.SaveRegistry(alices, "alice", "grade"); err != nil {
		t.Fatal(err)
	}
	before := registryList(t, s)
	bobs.SetGrade("bob", model.RegistryGrade{Reliability: "D"})
	if _, err := s.SaveRegistry(bobs, "bob", "grade"); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a change to a stale copy: %v, want ErrConflict", err)
	}
	if after := registryList(t, s); !reflect.DeepEqual(before, after) {
		t.Errorf("a refused change changed the registry: %+v", after)
	}
	// An entry built whole (no UpdatedAt) is written as given.
	if _, err := s.SaveRegistry(model.RegistryEntry{ID: sdf.ID, Name: "SDF", Label: "ORG", Aliases: []string{"QSD"}}, "carol", "alias"); err != nil {
		t.Errorf("a change without UpdatedAt: %v", err)
	}
}

// raceStore runs another change just before its first SaveRegistry, as a
// second screen saving between a read and a write would.
type raceStore struct {
	store.Store
	first func()
}

func (r *raceStore) SaveRegistry(e model.RegistryEntry, who, action string) (model.RegistryEntry, error) {
	if f := r.first; f != nil {
		r.first = nil
		f()
	}
	return r.Store.SaveRegistry(e, who, action)
}

// testChangeRegistry: ChangeRegistry applies a change to the entry as
// stored, again when another came in between, so both stay.
func testChangeRegistry(t *testing.T, open Opener) {
	s := open(t)
	sdf := mustRegister(t, s, model.RegistryEntry{Name: "SDF", Label: "ORG"}, "carol")
	grade := func(who, code string) func(*model.RegistryEntry) bool {
		return func(e *model.RegistryEntry) bool {
			e.SetGrade(who, model.RegistryGrade{Reliability: code, ArticleID: "a1"})
			return true
		}
	}
	race := &raceStore{Store: s, first: func() {
		if _, _, err := store.ChangeRegistry(s, sdf.ID, "alice", "grade SDF E", grade("alice", "E")); err != nil {
			t.Fatal(err)
		}
	}}
	got, changed, err := store.ChangeRegistry(race, sdf.ID, "bob", "grade SDF D", grade("bob", "D"))
	if err != nil || !changed {
		t.Fatalf("ChangeRegistry: %v, %v", changed, err)
	}
	if got.Grades["alice"].Reliability != "E" || got.Grades["bob"].Reliability != "D" || got.Grades["bob"].By != "bob" {
		t.Errorf("grades %+v; want alice's E and bob's D", got.Grades)
	}
	if list := registryList(t, s); !reflect.DeepEqual(list, []model.RegistryEntry{got}) {
		t.Errorf("stored %+v, want %+v", list, got)
	}
	if _, changed, err := store.ChangeRegistry(s, sdf.ID, "bob", "nothing", func(*model.RegistryEntry) bool { return false }); changed || err != nil {
		t.Errorf("a change that changes nothing: %v, %v", changed, err)
	}
	if n := len(registryChanges(t, s)); n != 3 {
		t.Errorf("%d registry changes, want 3 (the add, two grades)", n)
	}
	if _, _, err := store.ChangeRegistry(s, "r99", "bob", "grade", grade("bob", "D")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a missing entry: %v, want ErrNotFound", err)
	}
}

// testConfirmRegistry: a reviewer's confirmation makes an annotator's
// entry, and the aliases pending on it, everyone's.
func testConfirmRegistry(t *testing.T, open Opener) {
	s := open(t)
	is := mustRegister(t, s, model.NewRegistryEntry(model.Entity{Name: "Islamic State", Label: "ORG", Aliases: []string{"militant group"}}, model.OriginTagging, "alice"), "alice")
	if is.Curated() || !reflect.DeepEqual(is.PendingAliases, []model.RegistryAlias{{Name: "militant group", By: "alice"}}) {
		t.Fatalf("alice's entry %+v: want hers, the alias pending", is)
	}
	got, changed, err := store.ConfirmRegistry(s, is.ID, "carol")
	if err != nil || !changed {
		t.Fatalf("ConfirmRegistry: %v, %v", changed, err)
	}
	if got.Origin != model.OriginConfirmed || got.By != "carol" || !reflect.DeepEqual(got.Aliases, []string{"militant group"}) || got.PendingAliases != nil {
		t.Errorf("confirmed %+v; want confirmed by carol, the alias everyone's", got)
	}
	if _, changed, err := store.ConfirmRegistry(s, is.ID, "carol"); changed || err != nil {
		t.Errorf("confirming again: %v, %v; want nothing to confirm", changed, err)
	}
	hist := registryChanges(t, s)
	if last := hist[len(hist)-1]; len(hist) != 2 || last.Action != "confirm" || last.Who != "carol" || last.Before == nil || last.Before.Origin != model.OriginTagging {
		t.Errorf("registry history %+v; want the add and carol's confirmation with the state before", hist)
	}
}
