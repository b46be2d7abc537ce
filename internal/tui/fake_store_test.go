package tui

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// fakeStore is an in-memory store.Store with the semantics of store/bolt
// that the screen relies on: Save refuses a stale Rev with ErrConflict and
// records a history entry holding the state before; Undo and Redo pop one
// stack, restore the state recorded before that change and push the new
// entry onto the other; Articles lists in insertion order; Each in ID order.
// Values are copied through JSON on the way in and out, as the real store
// does, so the screen can never alias what is stored.
type fakeStore struct {
	mu       sync.Mutex
	seq      uint64
	order    []string // article IDs in insertion order
	articles map[string]model.Article
	anns     map[annKey]model.Annotation
	history  []store.HistoryEntry
	stacks   map[annKey]*fakeStacks
	schema   *model.Schema
	now      func() time.Time

	// failSave, when set, is returned by the next Save instead of saving.
	failSave error

	registry    []model.RegistryEntry
	registrySeq int
	regHistory  []store.RegistryChange
}

type annKey struct{ article, annotator string }

type fakeStacks struct{ undo, redo []uint64 }

var _ store.Store = (*fakeStore)(nil)

func newFakeStore(arts ...model.Article) *fakeStore {
	s := &fakeStore{
		articles: map[string]model.Article{},
		anns:     map[annKey]model.Annotation{},
		stacks:   map[annKey]*fakeStacks{},
		now:      func() time.Time { return time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC) },
	}
	if _, err := s.AddArticles(arts); err != nil {
		panic(err)
	}
	return s
}

// copyJSON deep-copies v the way the real store does: through its JSON.
func copyJSON[T any](v T) T {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out T
	if err := json.Unmarshal(data, &out); err != nil {
		panic(err)
	}
	return out
}

func (s *fakeStore) AddArticles(arts []model.Article) ([]bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	added := make([]bool, len(arts))
	for i, a := range arts {
		if a.ID == "" {
			a.ID = model.ArticleID(a.Text)
		}
		if _, ok := s.articles[a.ID]; ok {
			continue
		}
		s.articles[a.ID] = copyJSON(a)
		s.order = append(s.order, a.ID)
		added[i] = true
	}
	return added, nil
}

func (s *fakeStore) Article(id string) (model.Article, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.articles[id]
	if !ok {
		return model.Article{}, fmt.Errorf("article %s: %w", id, store.ErrNotFound)
	}
	return copyJSON(a), nil
}

func (s *fakeStore) Articles(fn func(store.ArticleSummary) error) error {
	s.mu.Lock()
	var list []store.ArticleSummary
	for i, id := range s.order {
		a := s.articles[id]
		sum := store.ArticleSummary{ID: id, Title: a.Title, Source: a.Source,
			Length: utf8.RuneCountInString(a.Text), Seq: uint64(i + 1), ImportedAt: a.ImportedAt}
		for k, ann := range s.anns {
			if k.article == id {
				if sum.Statuses == nil {
					sum.Statuses = map[string]model.Status{}
				}
				sum.Statuses[k.annotator] = ann.Status
				if r := store.ReviewState(&ann); r != "" {
					if sum.Reviews == nil {
						sum.Reviews = map[string]string{}
					}
					sum.Reviews[k.annotator] = r
				}
			}
		}
		list = append(list, sum)
	}
	s.mu.Unlock()
	for _, sum := range list {
		if err := fn(sum); err != nil {
			return err
		}
	}
	return nil
}

func (s *fakeStore) Annotation(articleID, annotator string) (model.Annotation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.articles[articleID]; !ok {
		return model.Annotation{}, fmt.Errorf("article %s: %w", articleID, store.ErrNotFound)
	}
	if a, ok := s.anns[annKey{articleID, annotator}]; ok {
		return copyJSON(a), nil
	}
	return model.NewAnnotation(articleID, annotator, ""), nil
}

func (s *fakeStore) Each(f store.Filter, fn func(store.Record) error) error {
	s.mu.Lock()
	ids := append([]string(nil), s.order...)
	sort.Strings(ids)
	var recs []store.Record
	for _, id := range ids {
		var rec store.Record
		var who []string
		for k := range s.anns {
			if k.article == id && (f.Annotator == "" || k.annotator == f.Annotator) {
				who = append(who, k.annotator)
			}
		}
		sort.Strings(who)
		for _, w := range who {
			rec.Annotations = append(rec.Annotations, copyJSON(s.anns[annKey{id, w}]))
		}
		if len(rec.Annotations) == 0 && !f.All {
			continue
		}
		rec.Article = copyJSON(s.articles[id])
		recs = append(recs, rec)
	}
	s.mu.Unlock()
	for _, r := range recs {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// write stores next, appends a history entry with the state before, and
// returns the stored annotation and the entry's sequence number. The caller
// holds the lock.
func (s *fakeStore) write(prev model.Annotation, existed bool, next model.Annotation, action string) (model.Annotation, uint64) {
	next = copyJSON(next)
	next.Rev = prev.Rev + 1
	next.UpdatedAt = s.now().UTC()
	if next.Status == "" {
		next.Status = model.StatusTodo
	}
	s.anns[annKey{next.ArticleID, next.Annotator}] = next
	s.seq++
	entry := store.HistoryEntry{Seq: s.seq, Time: next.UpdatedAt, Annotator: next.Annotator, ArticleID: next.ArticleID, Action: action}
	if existed {
		p := copyJSON(prev)
		entry.Before = &p
	} else {
		empty := model.NewAnnotation(next.ArticleID, next.Annotator, next.Schema)
		entry.Before = &empty
	}
	s.history = append(s.history, entry)
	return copyJSON(next), s.seq
}

func (s *fakeStore) Save(a model.Annotation, action string) (model.Annotation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.failSave; err != nil {
		s.failSave = nil
		return a, err
	}
	if a.ArticleID == "" || a.Annotator == "" {
		return a, errors.New("an annotation needs its article and annotator")
	}
	if _, ok := s.articles[a.ArticleID]; !ok {
		return a, fmt.Errorf("article %s: %w", a.ArticleID, store.ErrNotFound)
	}
	k := annKey{a.ArticleID, a.Annotator}
	prev, existed := s.anns[k]
	if prev.Rev != a.Rev {
		return a, store.ErrConflict
	}
	saved, seq := s.write(prev, existed, a, action)
	st := s.stack(k)
	st.undo = append(st.undo, seq)
	st.redo = nil
	return saved, nil
}

func (s *fakeStore) stack(k annKey) *fakeStacks {
	st, ok := s.stacks[k]
	if !ok {
		st = &fakeStacks{}
		s.stacks[k] = st
	}
	return st
}

func (s *fakeStore) step(articleID, annotator string, undo bool) (model.Annotation, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := annKey{articleID, annotator}
	st := s.stack(k)
	from, to, verb := &st.undo, &st.redo, "undo"
	if !undo {
		from, to, verb = &st.redo, &st.undo, "redo"
	}
	if len(*from) == 0 {
		if undo {
			return model.Annotation{}, "", store.ErrNothingToUndo
		}
		return model.Annotation{}, "", store.ErrNothingToRedo
	}
	seq := (*from)[len(*from)-1]
	*from = (*from)[:len(*from)-1]
	entry := s.history[seq-1]
	cur, existed := s.anns[k]
	target := model.NewAnnotation(articleID, annotator, cur.Schema)
	if entry.Before != nil {
		target = *entry.Before
	}
	action := entry.Action
	for _, prefix := range []string{"undo: ", "redo: "} {
		if len(action) > len(prefix) && action[:len(prefix)] == prefix {
			action = action[len(prefix):]
		}
	}
	restored, newSeq := s.write(cur, existed, target, verb+": "+action)
	*to = append(*to, newSeq)
	return restored, action, nil
}

func (s *fakeStore) Undo(articleID, annotator string, seen ...int) (model.Annotation, string, error) {
	if err := s.checkSeen(articleID, annotator, seen); err != nil {
		return model.Annotation{}, "", err
	}
	return s.step(articleID, annotator, true)
}

func (s *fakeStore) Redo(articleID, annotator string, seen ...int) (model.Annotation, string, error) {
	if err := s.checkSeen(articleID, annotator, seen); err != nil {
		return model.Annotation{}, "", err
	}
	return s.step(articleID, annotator, false)
}

// checkSeen refuses an undo from a stale copy, as the real store does.
func (s *fakeStore) checkSeen(articleID, annotator string, seen []int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.anns[annKey{articleID, annotator}]; len(seen) > 0 && ok && a.Rev != seen[0] {
		return store.ErrConflict
	}
	return nil
}

func (s *fakeStore) History(articleID, annotator string, fn func(store.HistoryEntry) error) error {
	s.mu.Lock()
	var entries []store.HistoryEntry
	for _, e := range s.history {
		if (articleID == "" || e.ArticleID == articleID) && (annotator == "" || e.Annotator == annotator) {
			entries = append(entries, copyJSON(e))
		}
	}
	s.mu.Unlock()
	for _, e := range entries {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

func (s *fakeStore) Schema() (*model.Schema, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.schema, nil
}

func (s *fakeStore) SetSchema(sc *model.Schema) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.schema = sc
	return nil
}

func (s *fakeStore) Registry(fn func(model.RegistryEntry) error) error {
	s.mu.Lock()
	entries := copyJSON(s.registry)
	s.mu.Unlock()
	sort.SliceStable(entries, func(i, j int) bool { return model.NameKey(entries[i].Name) < model.NameKey(entries[j].Name) })
	for _, e := range entries {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

func (s *fakeStore) SaveRegistry(e model.RegistryEntry, who, action string) (model.RegistryEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.Name == "" {
		return e, errors.New("a registry entry needs a name")
	}
	read := e
	// Each change gets its own time, so a stale copy is told apart.
	e.UpdatedAt, e.UpdatedBy = s.now().Add(time.Duration(len(s.regHistory)+1)), who
	change := store.RegistryChange{Seq: uint64(len(s.regHistory) + 1), Time: s.now(), Who: who, Action: action}
	if e.ID == "" {
		s.registrySeq++
		e.ID = fmt.Sprintf("r%d", s.registrySeq)
		s.registry = append(s.registry, copyJSON(e))
	} else {
		found := false
		for i := range s.registry {
			if s.registry[i].ID == e.ID {
				if err := store.CheckRegistryFresh(s.registry[i], read); err != nil {
					return model.RegistryEntry{}, err
				}
				before := copyJSON(s.registry[i])
				change.Before = &before
				s.registry[i] = copyJSON(e)
				found = true
			}
		}
		if !found {
			return e, fmt.Errorf("registry entry %s: %w", e.ID, store.ErrNotFound)
		}
	}
	change.Entry = e.ID
	s.regHistory = append(s.regHistory, change)
	return e, nil
}

func (s *fakeStore) MergeRegistry(into, from, who string) (model.RegistryEntry, error) {
	return model.RegistryEntry{}, errors.New("the screen does not merge registry entries")
}

func (s *fakeStore) RegistryHistory(fn func(store.RegistryChange) error) error {
	s.mu.Lock()
	h := copyJSON(s.regHistory)
	s.mu.Unlock()
	for _, c := range h {
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

func (s *fakeStore) Check() ([]string, error) { return nil, nil }
func (s *fakeStore) Close() error             { return nil }

// stored returns the stored annotation of an article by an annotator.
func (s *fakeStore) stored(articleID, annotator string) (model.Annotation, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.anns[annKey{articleID, annotator}]
	return copyJSON(a), ok
}

// actions returns the history's actions for an article, oldest first.
func (s *fakeStore) actions(articleID string) []string {
	var out []string
	_ = s.History(articleID, "", func(e store.HistoryEntry) error {
		out = append(out, e.Action)
		return nil
	})
	return out
}

func (s *fakeStore) Page(q store.Query) (store.Page, error) {
	return store.PageFromSummaries(s.Articles, q)
}

func (s *fakeStore) NextToWork(annotator, after string) (string, bool, error) {
	return store.NextFromSummaries(s.Articles, annotator, after)
}
