package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

var eachTests = []test{
	{"Filters", testEachFilters},
	{"Batches", testEachBatches},
	{"LetsOthersWrite", testEachLetsOthersWrite},
}

// eachIDs runs Each and returns the article IDs yielded and, per article,
// the annotators of its annotations in the order given; it fails on a
// repeated article or an annotation of another article.
func eachIDs(t *testing.T, s store.Store, f store.Filter) ([]string, map[string][]string) {
	t.Helper()
	var ids []string
	who := map[string][]string{}
	err := s.Each(f, func(r store.Record) error {
		id := r.Article.ID
		if slices.Contains(ids, id) {
			t.Errorf("article %s yielded twice", id)
		}
		if model.ArticleID(r.Article.Text) != id || r.Article.Title == "" {
			t.Errorf("article %s yielded without its text or title", id)
		}
		ids = append(ids, id)
		for _, a := range r.Annotations {
			if a.ArticleID != id {
				t.Errorf("article %s yielded with an annotation of %s", id, a.ArticleID)
			}
			who[id] = append(who[id], a.Annotator)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Each(%+v): %v", f, err)
	}
	return ids, who
}

func testEachFilters(t *testing.T, open Opener) {
	s := open(t)
	ids := addTexts(t, s, "a one", "a two", "a three", "a four", "a five")
	for _, x := range []struct {
		article   int
		annotator string
	}{{0, "alice"}, {2, "bob"}, {2, "alice"}, {3, "bob"}, {3, "alicia"}, {3, "Zed"}, {3, "ålice"}} {
		a := mustAnnotation(t, s, ids[x.article], x.annotator)
		a.Notes = x.annotator
		mustSave(t, s, a, "note")
	}
	sorted := slices.Sorted(slices.Values(ids))
	pick := func(idx ...int) []string {
		var out []string
		for _, i := range idx {
			out = append(out, ids[i])
		}
		slices.Sort(out)
		return out
	}
	// Annotators come by name as bytes: "Zed" before "alice", "ålice" last.
	tests := []struct {
		name     string
		filter   store.Filter
		wantIDs  []string
		wantWhom map[string][]string
	}{
		{"alice", store.Filter{Annotator: "alice"}, pick(0, 2),
			map[string][]string{ids[0]: {"alice"}, ids[2]: {"alice"}}},
		{"bob", store.Filter{Annotator: "bob"}, pick(2, 3),
			map[string][]string{ids[2]: {"bob"}, ids[3]: {"bob"}}},
		{"a name that is a prefix of another", store.Filter{Annotator: "alic"}, nil, map[string][]string{}},
		{"everyone", store.Filter{}, pick(0, 2, 3),
			map[string][]string{ids[0]: {"alice"}, ids[2]: {"alice", "bob"}, ids[3]: {"Zed", "alicia", "bob", "ålice"}}},
		{"all articles", store.Filter{All: true}, sorted,
			map[string][]string{ids[0]: {"alice"}, ids[2]: {"alice", "bob"}, ids[3]: {"Zed", "alicia", "bob", "ålice"}}},
		{"all articles, alice's annotations", store.Filter{All: true, Annotator: "alice"}, sorted,
			map[string][]string{ids[0]: {"alice"}, ids[2]: {"alice"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, whom := eachIDs(t, s, tt.filter)
			if !slices.Equal(got, tt.wantIDs) {
				t.Errorf("articles = %v, want %v", got, tt.wantIDs)
			}
			if !reflect.DeepEqual(whom, tt.wantWhom) {
				t.Errorf("annotators = %v, want %v", whom, tt.wantWhom)
			}
		})
	}
	// Each yields the annotations as stored.
	_ = s.Each(store.Filter{Annotator: "bob"}, func(r store.Record) error {
		if got := mustAnnotation(t, s, r.Article.ID, "bob"); !reflect.DeepEqual(r.Annotations[0], got) {
			t.Errorf("Each gave\n%+v\nAnnotation gives\n%+v", r.Annotations[0], got)
		}
		return nil
	})
}

// testEachBatches: around and beyond any store's batch size, every
// article is yielded exactly once and in ID order, with and without a
// filter.
func testEachBatches(t *testing.T, open Opener) {
	for _, n := range []int{0, 1, 255, 256, 257, 512, 600} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			s := open(t)
			var ids []string
			if n > 0 {
				ids = addTexts(t, s, numbered(n, "batched article %d")...)
			}
			var changes []store.Change
			var alice, bob []string
			for i, id := range ids {
				if i%3 != 0 {
					changes = append(changes, store.Change{Annotation: model.NewAnnotation(id, "alice", ""), Action: "seed"})
					alice = append(alice, id)
				}
				if i%5 == 0 {
					changes = append(changes, store.Change{Annotation: model.NewAnnotation(id, "bob", ""), Action: "seed"})
					bob = append(bob, id)
				}
			}
			saveAll(t, s, changes)
			slices.Sort(ids)
			slices.Sort(alice)
			slices.Sort(bob)
			either := slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(alice), bob...))))
			for _, c := range []struct {
				filter store.Filter
				want   []string
			}{
				{store.Filter{All: true}, ids},
				{store.Filter{Annotator: "alice"}, alice},
				{store.Filter{Annotator: "bob"}, bob},
				{store.Filter{}, either},
				{store.Filter{Annotator: "nobody"}, nil},
			} {
				got, _ := eachIDs(t, s, c.filter)
				if len(got) != len(c.want) || (len(got) > 0 && !slices.Equal(got, c.want)) {
					t.Errorf("Each(%+v) yielded %d articles, want %d in ID order", c.filter, len(got), len(c.want))
				}
			}
		})
	}
}

// saveAll stores changes through SaveMany when the store has it (one
// transaction per few hundred), else one Save at a time.
func saveAll(t testing.TB, s store.Store, changes []store.Change) {
	t.Helper()
	b, ok := s.(store.Batcher)
	for i := 0; i < len(changes); i += 200 {
		part := changes[i:min(i+200, len(changes))]
		if ok {
			if _, err := b.SaveMany(part); err != nil {
				t.Fatalf("SaveMany: %v", err)
			}
			continue
		}
		for _, c := range part {
			mustSave(t, s, c.Annotation, c.Action)
		}
	}
}

// testEachLetsOthersWrite: the callback can save in between batches
// (EachLetsOthersWrite, through the store Each reads).
func testEachLetsOthersWrite(t *testing.T, open Opener) {
	s := open(t)
	EachLetsOthersWrite(t, s, s)
}

// EachLetsOthersWrite adds 600 articles to s and checks that Each's
// callback can save through other in between batches (s holds nothing
// locked across them: other may be s, or another handle on the same
// database, as another screen's), and that a failing callback stops Each.
func EachLetsOthersWrite(t *testing.T, s, other store.Store) {
	t.Helper()
	addTexts(t, s, numbered(600, "article %d")...)
	n := 0
	err := s.Each(store.Filter{All: true}, func(r store.Record) error {
		n++
		if n%200 == 0 {
			a := mustAnnotation(t, other, r.Article.ID, "bob")
			a.Notes = "saved during an export"
			mustSave(t, other, a, "note")
		}
		return nil
	})
	if err != nil || n != 600 {
		t.Errorf("Each: %v after %d articles, want 600", err, n)
	}
	stop := errors.New("stop")
	n = 0
	err = s.Each(store.Filter{All: true}, func(store.Record) error {
		n++
		if n == 300 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 300 {
		t.Errorf("Each with a failing callback: %v after %d articles, want stop after 300", err, n)
	}
}
