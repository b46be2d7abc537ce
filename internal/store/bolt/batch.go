package bolt

import (
	"errors"
	"fmt"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

var _ store.Batcher = (*DB)(nil)

// Annotations returns the annotations keys name, read in one transaction
// (see store.Batcher).
func (db *DB) Annotations(keys []store.AnnotationKey) ([]model.Annotation, error) {
	out := make([]model.Annotation, len(keys))
	err := db.view(func(tx *txn) error {
		arts, err := bucket(tx, bucketArticles)
		if err != nil {
			return err
		}
		for i, k := range keys {
			if arts.Get([]byte(k.ArticleID)) == nil {
				return fmt.Errorf("article %s: %w", k.ArticleID, store.ErrNotFound)
			}
			a, found, err := getAnnotation(tx, k.ArticleID, k.Annotator)
			if err != nil {
				return err
			}
			if !found {
				a = model.NewAnnotation(k.ArticleID, k.Annotator, "")
			}
			out[i] = a
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SaveMany stores the changes in one durable transaction, each as Save
// stores one; any failure stores none of them (see store.Batcher).
func (db *DB) SaveMany(changes []store.Change) ([]model.Annotation, error) {
	if len(changes) == 0 {
		return nil, nil
	}
	saved := make([]model.Annotation, len(changes))
	err := db.update(func(tx *txn) error {
		arts, err := bucket(tx, bucketArticles)
		if err != nil {
			return err
		}
		for i, c := range changes {
			a := c.Annotation
			if a.ArticleID == "" || a.Annotator == "" {
				return errors.New("an annotation needs its article and annotator")
			}
			if arts.Get([]byte(a.ArticleID)) == nil {
				return fmt.Errorf("article %s: %w", a.ArticleID, store.ErrNotFound)
			}
			prev, existed, err := getAnnotation(tx, a.ArticleID, a.Annotator)
			if err != nil {
				return err
			}
			if prev.Rev != a.Rev {
				return fmt.Errorf("annotation of %s by %s: %w", a.ArticleID, a.Annotator, store.ErrConflict)
			}
			if saved[i], err = db.saveIn(tx, prev, existed, a, c.Action); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return saved, nil
}
