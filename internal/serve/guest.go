package serve

import (
	"errors"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// ErrGuest is every write a read-only guest tries. The screen shows it in
// its status line.
var ErrGuest = errors.New("guests cannot change anything: ask for your key to be added to the server's authorized keys")

// guestStore is a read-only view of the shared store for a keyless guest.
// It spells out every method rather than embedding store.Store, so that a
// method added to the interface later does not pass through to the real
// store unnoticed: this file stops compiling until someone decides.
type guestStore struct{ st store.Store }

var _ store.Store = guestStore{}

func (g guestStore) AddArticles(arts []model.Article) ([]bool, error) { return nil, ErrGuest }

func (g guestStore) Article(id string) (model.Article, error) { return g.st.Article(id) }

func (g guestStore) Articles(fn func(store.ArticleSummary) error) error { return g.st.Articles(fn) }

func (g guestStore) Page(q store.Query) (store.Page, error) { return g.st.Page(q) }

func (g guestStore) NextToWork(annotator, after string) (string, bool, error) {
	return g.st.NextToWork(annotator, after)
}

func (g guestStore) Annotation(articleID, annotator string) (model.Annotation, error) {
	return g.st.Annotation(articleID, annotator)
}

func (g guestStore) Each(f store.Filter, fn func(store.Record) error) error { return g.st.Each(f, fn) }

func (g guestStore) Save(a model.Annotation, action string) (model.Annotation, error) {
	return model.Annotation{}, ErrGuest
}

func (g guestStore) Undo(articleID, annotator string, seen ...int) (model.Annotation, string, error) {
	return model.Annotation{}, "", ErrGuest
}

func (g guestStore) Redo(articleID, annotator string, seen ...int) (model.Annotation, string, error) {
	return model.Annotation{}, "", ErrGuest
}

func (g guestStore) History(articleID, annotator string, fn func(store.HistoryEntry) error) error {
	return g.st.History(articleID, annotator, fn)
}

func (g guestStore) Registry(fn func(model.RegistryEntry) error) error { return g.st.Registry(fn) }

func (g guestStore) SaveRegistry(e model.RegistryEntry, who, action string) (model.RegistryEntry, error) {
	return model.RegistryEntry{}, ErrGuest
}

func (g guestStore) MergeRegistry(into, from, who string) (model.RegistryEntry, error) {
	return model.RegistryEntry{}, ErrGuest
}

func (g guestStore) RegistryHistory(fn func(store.RegistryChange) error) error {
	return g.st.RegistryHistory(fn)
}

func (g guestStore) Schema() (*model.Schema, error) { return g.st.Schema() }

func (g guestStore) SetSchema(s *model.Schema) error { return ErrGuest }

// Check reads the whole database: not a guest's to start.
func (g guestStore) Check() ([]string, error) { return nil, ErrGuest }

// Close does nothing: the store is the server's, shared by every session.
func (g guestStore) Close() error { return nil }
