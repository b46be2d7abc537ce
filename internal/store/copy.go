package store

import (
	"fmt"

	"github.com/annotate-tool/annotate/internal/model"
)

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

// CopyStore is a store annotate copy reads from or writes to.
type CopyStore interface {
	Store
	Copier
}

// CopyCounts says what a copy brought over.
type CopyCounts struct {
	Articles, Annotations, History, Registry, RegistryHistory int
	// Schema is whether a schema was stored with the source.
	Schema bool
}

// How many articles, and annotations, one write of CopyAll carries.
const (
	copyArticles    = 500
	copyAnnotations = 100
)

// CopyAll copies everything src holds into dst: the articles in import
// order, every annotation with its history and stacks, the registry with
// its history and the schema (see Copier). dst must be empty unless
// replace is set. It commits only when everything is written; on an error
// it rolls back what the destination can.
func CopyAll(src, dst CopyStore, replace bool) (CopyCounts, error) {
	var n CopyCounts
	w, err := dst.BeginCopy(replace)
	if err != nil {
		return n, err
	}
	done := false
	defer func() {
		if !done {
			_ = w.Rollback()
		}
	}()
	var arts []model.Article
	flushArticles := func() error {
		if len(arts) == 0 {
			return nil
		}
		err := w.WriteArticles(arts)
		n.Articles += len(arts)
		arts = arts[:0]
		return err
	}
	err = src.CopyArticles(func(a model.Article) error {
		arts = append(arts, a)
		if len(arts) >= copyArticles {
			return flushArticles()
		}
		return nil
	})
	if err == nil {
		err = flushArticles()
	}
	if err != nil {
		return n, fmt.Errorf("copy the articles: %w", err)
	}
	var anns []AnnotationCopy
	flushAnnotations := func() error {
		if len(anns) == 0 {
			return nil
		}
		err := w.WriteAnnotations(anns)
		n.Annotations += len(anns)
		for _, c := range anns {
			n.History += len(c.History)
		}
		anns = anns[:0]
		return err
	}
	err = src.CopyAnnotations(func(c AnnotationCopy) error {
		anns = append(anns, c)
		if len(anns) >= copyAnnotations {
			return flushAnnotations()
		}
		return nil
	})
	if err == nil {
		err = flushAnnotations()
	}
	if err != nil {
		return n, fmt.Errorf("copy the annotations: %w", err)
	}
	reg, err := src.CopyRegistry()
	if err == nil {
		err = w.WriteRegistry(reg)
	}
	if err != nil {
		return n, fmt.Errorf("copy the registry: %w", err)
	}
	n.Registry, n.RegistryHistory = len(reg.Entries), len(reg.History)
	schema, err := src.Schema()
	if err == nil {
		err = w.WriteSchema(schema)
	}
	if err != nil {
		return n, fmt.Errorf("copy the schema: %w", err)
	}
	n.Schema = schema != nil
	done = true
	return n, w.Commit()
}
