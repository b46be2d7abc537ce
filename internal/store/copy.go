package store

import "github.com/annotate-tool/annotate/internal/model"

// AnnotationCopy is one annotation with everything recorded of it, as
// Copier reads it from one store and writes it into another.
type AnnotationCopy struct {
	// Annotation is the annotation as stored (its Rev and UpdatedAt too).
	Annotation model.Annotation
	// History is every change to the annotation, oldest first (who, when,
	// what, the state before). Seq is the source's number: numbers order
	// the changes of every annotation, and a copy keeps them.
	History []HistoryEntry
	// Undo and Redo are the annotator's stacks, bottom first, as Seqs of
	// History.
	Undo, Redo []uint64
}

// RegistryCopy is the entity registry with its history.
type RegistryCopy struct {
	Entries []model.RegistryEntry
	// History is every registry change, oldest first, with its Seq.
	History []RegistryChange
	// LastID is the number of the last entry id handed out (12 for "r12"),
	// so that a copy never hands an id out again: an entry merged away is
	// still named by the links an undo brings back.
	LastID uint64
}

// Copier is what a store offers `annotate copy`, besides Store: everything
// it holds read out whole, and written into another store of any kind as
// it was, so a copy keeps every revision, history entry (its number, time
// and state before), undo and redo stack, registry entry and registry
// change. Claims (Assigner) are not copied: they lapse within minutes.
type Copier interface {
	// CopyArticles calls fn for every article, with its text, in import
	// order.
	CopyArticles(fn func(model.Article) error) error
	// CopyAnnotations calls fn for every annotation with its history and
	// stacks, by article id, then annotator.
	CopyAnnotations(fn func(AnnotationCopy) error) error
	// CopyRegistry returns the registry, its history and its id counter.
	CopyRegistry() (RegistryCopy, error)
	// Empty reports whether the store holds nothing: no article, no
	// annotation, no registry entry or change, no schema.
	Empty() (bool, error)
	// BeginCopy starts writing a copy into the store. The store must be
	// empty, unless replace is set: then what it holds is removed first,
	// as part of the copy. Where the store can, nothing of the copy is
	// seen before Commit, and Rollback leaves the store as it was.
	BeginCopy(replace bool) (CopyWriter, error)
}

// CopyWriter writes one copy, in this order: the articles (in import
// order, over as many calls as the caller likes), the annotations, the
// registry, the schema; then Commit, or Rollback.
type CopyWriter interface {
	// WriteArticles adds articles after those written before, keeping
	// their order as the import order.
	WriteArticles(arts []model.Article) error
	// WriteAnnotations stores annotations as they were (Rev, UpdatedAt),
	// with their history under the same numbers and their stacks.
	WriteAnnotations(copies []AnnotationCopy) error
	// WriteRegistry stores the registry's entries (their ids kept), its
	// history (numbers kept) and its id counter.
	WriteRegistry(r RegistryCopy) error
	// WriteSchema stores the schema (nil: none).
	WriteSchema(s *model.Schema) error
	Commit() error
	// Rollback abandons the copy (after Commit it does nothing).
	Rollback() error
}
