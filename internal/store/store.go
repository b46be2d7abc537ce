// Package store persists articles and annotations. Store is the seam: the
// screen and the commands see only this interface, so a server-backed store
// for teams can be added beside the embedded bbolt one (store/bolt) without
// touching them.
package store

import (
	"errors"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
)

// Errors callers act on.
var (
	// ErrNotFound: no such article.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the annotation changed since it was read (another
	// screen saved it); reload and try again.
	ErrConflict = errors.New("the annotation was changed elsewhere; reload it")
	// ErrNothingToUndo and ErrNothingToRedo: the stacks are empty.
	ErrNothingToUndo = errors.New("nothing to undo")
	ErrNothingToRedo = errors.New("nothing to redo")
)

// ArticleSummary is what a listing shows of an article, without its text.
type ArticleSummary struct {
	ID         string
	Title      string
	Source     string
	Length     int // in code points
	Seq        uint64
	ImportedAt time.Time
	// Statuses maps annotator to status, for annotators who touched it.
	Statuses map[string]model.Status
	// Reviews maps annotator to the review state of their annotation
	// (model.ReviewReturned, model.ReviewAccepted), for the annotations
	// whose review has a state: nil when none has.
	Reviews map[string]string
}

// ReviewState is the review state an annotation's summary carries: its
// review's state, "" when it has no review.
func ReviewState(a *model.Annotation) string {
	if a.Review == nil {
		return model.ReviewNone
	}
	return a.Review.State
}

// HistoryEntry records one change: who, when, what, and the annotation as it
// was before, so a change can be undone and audited.
type HistoryEntry struct {
	Seq       uint64            `json:"seq"`
	Time      time.Time         `json:"time"`
	Annotator string            `json:"annotator"`
	ArticleID string            `json:"article_id"`
	Action    string            `json:"action"`
	Before    *model.Annotation `json:"before,omitempty"`
}

// RegistryChange records one change to the entity registry: who, when,
// what, and the entry as it was before (nil when it was added).
type RegistryChange struct {
	Seq    uint64               `json:"seq"`
	Time   time.Time            `json:"time"`
	Who    string               `json:"who"`
	Action string               `json:"action"`
	Entry  string               `json:"entry"`
	Before *model.RegistryEntry `json:"before,omitempty"`
	// Merged is, for a merge, the entry folded into Entry and removed, as
	// it was.
	Merged *model.RegistryEntry `json:"merged,omitempty"`
}

// Query selects a page of the queue.
type Query struct {
	// Annotator is whose status Status filters by and Counts counts.
	Annotator string
	// Status keeps the articles with that status for Annotator ("" all;
	// todo includes articles the annotator never touched).
	Status        model.Status
	Offset, Limit int
}

// Page is one page of the queue.
type Page struct {
	Items []ArticleSummary
	// Total is how many articles match the query (all pages).
	Total int
	// Counts are Annotator's statuses over every article.
	Counts map[model.Status]int
}

// Record is an article with the annotations a read asked for.
type Record struct {
	Article     model.Article
	Annotations []model.Annotation
}

// Filter selects annotations for Each. Empty fields match everything.
type Filter struct {
	Annotator string
	// All yields every article, with or without annotations.
	All bool
}

// AnnotationKey names one annotator's annotation of one article.
type AnnotationKey struct {
	ArticleID, Annotator string
}

// Change is one annotation to store and the action its history entry
// names ("import wire.jsonl").
type Change struct {
	Annotation model.Annotation
	Action     string
}

// Batcher is what a store offers bulk writers (imports) besides Store:
// many annotations read, or saved, in one transaction, so that 100,000
// imported records cost a few hundred transactions, not 100,000 durable
// ones. A store without it is written to one Save at a time.
type Batcher interface {
	// Annotations returns the annotations keys name, in their order: the
	// stored one, or an empty one (Rev 0) where there is none yet. An
	// article that is not there is ErrNotFound.
	Annotations(keys []AnnotationKey) ([]model.Annotation, error)
	// SaveMany stores the changes in one durable transaction, each as
	// Save stores one (a new revision with its history entry, on its
	// annotator's undo stack), in order: a change may follow another of
	// the same annotation, with the Rev that one is saved at. All or
	// nothing: a stale Rev (ErrConflict) or a missing article fails the
	// whole batch and nothing of it is stored. It returns the stored
	// annotations.
	SaveMany(changes []Change) ([]model.Annotation, error)
}

// Store is annotate's persistence. Every method is one durable transaction.
type Store interface {
	// AddArticles stores articles not yet present (by ID); added[i] says
	// whether arts[i] was new.
	AddArticles(arts []model.Article) (added []bool, err error)
	// Article returns one article with its text.
	Article(id string) (model.Article, error)
	// Articles calls fn for every article, in import order.
	Articles(fn func(ArticleSummary) error) error
	// Page returns one page of the queue: the summaries of the articles
	// matching q, in import order, with how many match and the
	// annotator's status counts over every article. It reads only what it
	// returns, whatever the corpus's size.
	Page(q Query) (Page, error)
	// NextToWork returns the first article after the one with ID after (in
	// import order, wrapping round; "" for from the start) whose status for
	// annotator is in_progress, else the first todo; ok is false when
	// every article is done or skipped.
	NextToWork(annotator, after string) (id string, ok bool, err error)
	// Annotation returns an annotator's annotation of an article, or an
	// empty one (Rev 0) when there is none yet.
	Annotation(articleID, annotator string) (model.Annotation, error)
	// Each streams articles with their annotations, ordered by article ID,
	// in batches so that other processes can write in between.
	Each(f Filter, fn func(Record) error) error
	// Save stores a changed annotation. a.Rev must be the revision it was
	// read at; the stored one has Rev+1 and is returned.
	Save(a model.Annotation, action string) (model.Annotation, error)
	// Undo and Redo step through an annotator's changes to one article,
	// returning the restored annotation and the action undone or redone.
	// seen, when given, is the revision the caller holds: when the stored
	// one is another (a window that never saw the last change), nothing
	// is undone and ErrConflict is returned, as a stale Save is refused.
	Undo(articleID, annotator string, seen ...int) (model.Annotation, string, error)
	Redo(articleID, annotator string, seen ...int) (model.Annotation, string, error)
	// History calls fn for each change to the article by annotator ("" for
	// every annotator), oldest first.
	History(articleID, annotator string, fn func(HistoryEntry) error) error
	// Registry calls fn for every entry of the entity registry (the
	// entities annotators have named, shared by all of them), by name
	// (model.NameKey), then id.
	Registry(fn func(model.RegistryEntry) error) error
	// SaveRegistry stores a registry entry: a new one when e.ID is ""
	// (returned with its ID), else a change to that entry, refused with
	// ErrConflict when e was read before the stored entry last changed
	// (its UpdatedAt, when set, is not the stored one's: see
	// ChangeRegistry). who and action go to the registry's history, with
	// the time.
	SaveRegistry(e model.RegistryEntry, who, action string) (model.RegistryEntry, error)
	// MergeRegistry folds entry from into entry into: names, aliases and
	// external ids joined, every annotation's link to from moved to into
	// (each a saved change its annotator can undo), from removed; one
	// history entry.
	MergeRegistry(into, from, who string) (model.RegistryEntry, error)
	// RegistryHistory calls fn for each change to the registry, oldest
	// first.
	RegistryHistory(fn func(RegistryChange) error) error
	// Schema returns the schema stored with the database (nil if none).
	Schema() (*model.Schema, error)
	// SetSchema stores the schema future sessions use.
	SetSchema(s *model.Schema) error
	// Check verifies the storage and returns every problem found.
	Check() ([]string, error)
	// Close releases the store.
	Close() error
}
