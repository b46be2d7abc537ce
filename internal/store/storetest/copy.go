package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

var copierTests = []test{
	{"CopyAll", testCopyAll},
	{"RefusesNonEmpty", testCopyRefusesNonEmpty},
	{"ReadsInBatches", testCopyReadsInBatches},
}

func copier(t *testing.T, s store.Store) store.CopyStore {
	t.Helper()
	c, ok := s.(store.CopyStore)
	if !ok {
		t.Skipf("%T does not implement store.Copier", s)
	}
	return c
}

// Populate fills s with some of everything a copy must keep: articles of
// hard texts, several annotators' annotations with changes undone and
// redone (both stacks full), gold, registry entries, a merge that relinks
// annotations, a changed entry, and a schema.
func Populate(t testing.TB, s store.Store) {
	t.Helper()
	ids := addTexts(t, s, append(hardTexts, numbered(30, "copied article %d about Raqqa")...)...)
	reg := func(e model.RegistryEntry) model.RegistryEntry {
		t.Helper()
		saved, err := s.SaveRegistry(e, "alice", "")
		if err != nil {
			t.Fatalf("SaveRegistry: %v", err)
		}
		return saved
	}
	sdf := reg(model.RegistryEntry{Name: "SDF", Label: "ORG", ExternalIDs: []string{"acled:SDF"}})
	full := reg(model.RegistryEntry{Name: "Syrian Democratic Forces", Label: "ORG", Aliases: []string{"QSD"},
		Origin: model.OriginTagging, By: "bob", Makers: []string{"bob"}, PendingAliases: []model.RegistryAlias{{Name: "the Forces", By: "bob"}},
		Grades: map[string]model.RegistryGrade{"bob": {Reliability: "C", By: "bob", ArticleID: "a1", At: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}}})
	raqqa := reg(model.RegistryEntry{Name: "Raqqa", Label: "GPE"})
	for i, id := range ids[:len(hardTexts)] {
		for _, who := range []string{"alice", "bob"} {
			a := fullAnnotation(id, who, hardTexts[i])
			a.Referents[0].Registry = full.ID
			if who == "bob" {
				a.Review.State = model.ReviewAccepted
			}
			a = mustSave(t, s, a, "fill "+who)
			for j := range 3 {
				a.Notes = fmt.Sprintf("note %d of %s", j, who)
				a.Status = model.Statuses[(i+j)%len(model.Statuses)]
				a = mustSave(t, s, a, fmt.Sprint("edit ", j))
			}
		}
		if i%2 == 0 {
			if _, _, err := s.Undo(id, "alice"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.Undo(id, "alice"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.Redo(id, "alice"); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, id := range ids[len(hardTexts):] {
		if i%3 == 0 {
			continue // some articles nobody touched
		}
		a := linked(id, []string{"carol", "dora"}[i%2], fmt.Sprintf("copied article %d about Raqqa", i), raqqa.ID)
		a.Status = model.StatusDone
		mustSave(t, s, a, "tag")
	}
	if _, err := s.MergeRegistry(sdf.ID, full.ID, "carol"); err != nil {
		t.Fatal(err)
	}
	r := raqqa
	r.Aliases = []string{"Ar-Raqqah"}
	if _, err := s.SaveRegistry(r, "bob", "alias"); err != nil {
		t.Fatal(err)
	}
	g := model.NewAnnotation(ids[0], model.GoldAnnotator, "conflict-incidents")
	g.Status = model.StatusDone
	g.Decisions = []model.Decision{{Item: "span 0-4", Kind: model.DecisionTaken, From: []string{"alice"}, By: "rev", At: Start}}
	mustSave(t, s, g, "review")
	sch := model.DefaultSchema()
	sch.Name = "copied-schema"
	if err := s.SetSchema(sch); err != nil {
		t.Fatal(err)
	}
}

// SameContents fails t where b does not hold what a holds: the articles
// in import order with every field, every annotation as stored with its
// history (numbers, times, actions, states before) and stacks, the
// registry with its history, the schema; and undo and redo in b do what
// they do in a (which changes both).
func SameContents(t testing.TB, a, b store.CopyStore) {
	t.Helper()
	var artsA, artsB []model.Article
	collect := func(s store.CopyStore, into *[]model.Article) {
		if err := s.CopyArticles(func(x model.Article) error {
			x.ImportedAt = x.ImportedAt.UTC()
			*into = append(*into, x)
			return nil
		}); err != nil {
			t.Fatalf("CopyArticles: %v", err)
		}
	}
	collect(a, &artsA)
	collect(b, &artsB)
	if !reflect.DeepEqual(artsA, artsB) {
		t.Errorf("articles differ: %d and %d", len(artsA), len(artsB))
		for i := range min(len(artsA), len(artsB)) {
			if !reflect.DeepEqual(artsA[i], artsB[i]) {
				t.Errorf("article %d:\n%+v\n%+v", i, artsA[i], artsB[i])
				break
			}
		}
	}
	sumsA, sumsB := summaries(t, a), summaries(t, b)
	for i := range sumsA {
		sumsA[i].Seq, sumsA[i].ImportedAt = 0, sumsA[i].ImportedAt.UTC()
	}
	for i := range sumsB {
		sumsB[i].Seq, sumsB[i].ImportedAt = 0, sumsB[i].ImportedAt.UTC()
	}
	if !reflect.DeepEqual(sumsA, sumsB) {
		t.Errorf("listings differ")
	}
	var annsA, annsB []store.AnnotationCopy
	for _, x := range []struct {
		s    store.CopyStore
		into *[]store.AnnotationCopy
	}{{a, &annsA}, {b, &annsB}} {
		if err := x.s.CopyAnnotations(func(c store.AnnotationCopy) error {
			for i := range c.History {
				c.History[i].Time = c.History[i].Time.UTC()
				before := *c.History[i].Before
				c.History[i].Before = &before
			}
			*x.into = append(*x.into, c)
			return nil
		}); err != nil {
			t.Fatalf("CopyAnnotations: %v", err)
		}
	}
	if len(annsA) != len(annsB) {
		t.Errorf("%d annotations, and %d", len(annsA), len(annsB))
	}
	for i := range min(len(annsA), len(annsB)) {
		if !reflect.DeepEqual(annsA[i], annsB[i]) {
			x, y := annsA[i], annsB[i]
			t.Errorf("annotation of %s by %s differs (rev %d and %d, %d and %d changes, stacks %v %v and %v %v)",
				x.Annotation.ArticleID, x.Annotation.Annotator, x.Annotation.Rev, y.Annotation.Rev, len(x.History), len(y.History), x.Undo, x.Redo, y.Undo, y.Redo)
			for j := range min(len(x.History), len(y.History)) {
				if !reflect.DeepEqual(x.History[j], y.History[j]) {
					t.Errorf("change %d:\n%+v\n%+v", j, x.History[j], y.History[j])
					break
				}
			}
		}
	}
	regA, errA := a.CopyRegistry()
	regB, errB := b.CopyRegistry()
	if errA != nil || errB != nil {
		t.Fatalf("CopyRegistry: %v, %v", errA, errB)
	}
	for _, r := range []*store.RegistryCopy{&regA, &regB} {
		for i := range r.History {
			r.History[i].Time = r.History[i].Time.UTC()
		}
	}
	if !reflect.DeepEqual(regA, regB) {
		t.Errorf("registries differ:\n%+v\n%+v", regA, regB)
	}
	schA, errA := a.Schema()
	schB, errB := b.Schema()
	if errA != nil || errB != nil || !reflect.DeepEqual(schA, schB) {
		t.Errorf("schemas differ (%v, %v)", errA, errB)
	}
	var histA, histB []string
	for _, x := range []struct {
		s    store.CopyStore
		into *[]string
	}{{a, &histA}, {b, &histB}} {
		_ = x.s.History("", "", func(e store.HistoryEntry) error {
			*x.into = append(*x.into, fmt.Sprint(e.Seq, e.ArticleID, e.Annotator, e.Action))
			return nil
		})
	}
	if strings.Join(histA, "\n") != strings.Join(histB, "\n") || len(histA) == 0 {
		t.Errorf("the whole history differs: %d and %d changes", len(histA), len(histB))
	}
	// Undo and redo go on where they were (a few annotations suffice).
	for _, c := range annsA[:min(len(annsA), 8)] {
		for _, step := range []string{"undo", "undo", "redo"} {
			run := func(s store.Store) (model.Annotation, string, error) {
				if step == "undo" {
					return s.Undo(c.Annotation.ArticleID, c.Annotation.Annotator)
				}
				return s.Redo(c.Annotation.ArticleID, c.Annotation.Annotator)
			}
			x, actX, errX := run(a)
			y, actY, errY := run(b)
			x.UpdatedAt, y.UpdatedAt = time.Time{}, time.Time{} // each store's clock
			if errClass(errX) != errClass(errY) || actX != actY || (errX == nil && !reflect.DeepEqual(x, y)) {
				t.Errorf("%s of %s by %s: %q %v in one, %q %v in the other", step, c.Annotation.ArticleID, c.Annotation.Annotator, actX, errX, actY, errY)
			}
		}
	}
}

// errClass names the store error err is, for comparing two stores'.
func errClass(err error) string {
	for _, e := range []error{store.ErrNothingToUndo, store.ErrNothingToRedo, store.ErrConflict, store.ErrNotFound} {
		if errors.Is(err, e) {
			return e.Error()
		}
	}
	return fmt.Sprint(err)
}

// testCopyAll: a copy into an empty store of the same kind holds all the
// source holds, passes Check, and numbers new changes and entries after
// the copied ones.
func testCopyAll(t *testing.T, open Opener) {
	src := copier(t, open(t))
	dst := copier(t, open(t))
	Populate(t, src)
	n, err := store.CopyAll(src, dst, false)
	if err != nil {
		t.Fatal(err)
	}
	if n.Articles != len(hardTexts)+30 || n.Annotations == 0 || n.History <= n.Annotations || n.Registry != 2 || n.RegistryHistory != 5 || !n.Schema {
		t.Errorf("copied %+v", n)
	}
	mustCheck(t, dst)
	SameContents(t, src, dst)
	var lastSeq uint64
	_ = src.History("", "", func(e store.HistoryEntry) error { lastSeq = max(lastSeq, e.Seq); return nil })
	id := model.ArticleID(hardTexts[0])
	a := mustAnnotation(t, dst, id, "carol")
	a.Notes = "after the copy"
	mustSave(t, dst, a, "new")
	_ = dst.History(id, "carol", func(e store.HistoryEntry) error {
		if e.Seq <= lastSeq {
			t.Errorf("a change after the copy is numbered %d, not after the copied %d", e.Seq, lastSeq)
		}
		return nil
	})
	if e, err := dst.SaveRegistry(model.RegistryEntry{Name: "Hasakah", Label: "GPE"}, "alice", ""); err != nil || e.ID != "r4" {
		t.Errorf("entry added after the copy: %s, %v; want r4 (r2 was merged away)", e.ID, err)
	}
	mustCheck(t, dst)
}

func testCopyRefusesNonEmpty(t *testing.T, open Opener) {
	src := copier(t, open(t))
	dst := copier(t, open(t))
	Populate(t, src)
	addTexts(t, dst, "already here")
	if empty, err := dst.Empty(); err != nil || empty {
		t.Fatalf("Empty() of a store with an article: %v, %v", empty, err)
	}
	if _, err := store.CopyAll(src, dst, false); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("copy into a store holding an article: %v, want a refusal saying it is not empty", err)
	}
	if list := summaries(t, dst); len(list) != 1 {
		t.Errorf("the refused copy wrote %d articles", len(list)-1)
	}
	if empty, err := copier(t, open(t)).Empty(); err != nil || !empty {
		t.Errorf("Empty() of a new store: %v, %v", empty, err)
	}
}

// testCopyReadsInBatches: more articles and annotations than any store's
// copy reads in one batch come whole, once each, in order (articles by
// import, annotations by article id, then annotator); a failing callback
// stops the read.
func testCopyReadsInBatches(t *testing.T, open Opener) {
	s := copier(t, open(t))
	const n = 600
	texts := numbered(n, "batch-copied article %d")
	var ids []string
	for i := 0; i < n; i += 200 {
		ids = append(ids, addTexts(t, s, texts[i:i+200]...)...)
	}
	var changes []store.Change
	var keys []string
	for i, id := range ids {
		for _, who := range []string{"alice", "bob"}[:1+i%2] {
			changes = append(changes, store.Change{Annotation: model.NewAnnotation(id, who, ""), Action: "seed"})
			keys = append(keys, id+" "+who)
		}
	}
	saveAll(t, s, changes)
	slices.Sort(keys)
	var got []string
	if err := s.CopyArticles(func(a model.Article) error { got = append(got, a.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, ids) {
		t.Errorf("CopyArticles gave %d articles, want %d in import order", len(got), len(ids))
	}
	got = nil
	if err := s.CopyAnnotations(func(c store.AnnotationCopy) error {
		got = append(got, c.Annotation.ArticleID+" "+c.Annotation.Annotator)
		if len(c.History) != 1 || c.History[0].Action != "seed" {
			t.Errorf("annotation of %s by %s comes with history %+v", c.Annotation.ArticleID, c.Annotation.Annotator, c.History)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, keys) {
		t.Errorf("CopyAnnotations gave %d annotations, want %d by article, then annotator", len(got), len(keys))
	}
	stop := errors.New("stop")
	count := 0
	if err := s.CopyAnnotations(func(store.AnnotationCopy) error {
		if count++; count == 400 {
			return stop
		}
		return nil
	}); !errors.Is(err, stop) || count != 400 {
		t.Errorf("CopyAnnotations with a failing callback: %v after %d, want stop after 400", err, count)
	}
}
