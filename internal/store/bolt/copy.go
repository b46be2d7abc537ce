package bolt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// Copying a whole database in and out (store.Copier, for annotate copy).
// Reading goes in batches of short read transactions like Each; writing
// goes into a new, empty file (the command line writes one beside the
// destination and renames it into place), each call one transaction.

var _ store.Copier = (*DB)(nil)

// copyBatch is how many annotations, with their history, one read
// transaction of CopyAnnotations covers.
const copyBatch = 128

// CopyArticles calls fn for every article with its text, in import order
// (store.Copier).
func (db *DB) CopyArticles(fn func(model.Article) error) error {
	return store.Batches(exportBatch, func(after uint64) (batch []model.Article, last uint64, err error) {
		err = db.view(func(tx *txn) error {
			sums, err := bucket(tx, bucketSummaries)
			if err != nil {
				return err
			}
			arts, err := bucket(tx, bucketArticles)
			if err != nil {
				return err
			}
			c := sums.Cursor()
			for k, v := c.Seek(u64(after + 1)); k != nil && len(batch) < exportBatch; k, v = c.Next() {
				last = binary.BigEndian.Uint64(k)
				id, err := summaryID(v)
				if err != nil {
					return fmt.Errorf("article number %d: %w: run `annotate check`", last, err)
				}
				a, err := tx.article([]byte(id), arts.Get([]byte(id)))
				if err != nil {
					return fmt.Errorf("article %s: %w", id, err)
				}
				batch = append(batch, a)
			}
			return nil
		})
		return batch, last, err
	}, fn)
}

// CopyAnnotations calls fn for every annotation with every state before
// each of its changes and its stacks, by article then annotator
// (store.Copier).
func (db *DB) CopyAnnotations(fn func(store.AnnotationCopy) error) error {
	return store.Batches(copyBatch, func(after []byte) (batch []store.AnnotationCopy, last []byte, err error) {
		err = db.view(func(tx *txn) error {
			anns, err := bucket(tx, bucketAnnotations)
			if err != nil {
				return err
			}
			hist, err := bucket(tx, bucketHistory)
			if err != nil {
				return err
			}
			c := anns.Cursor()
			k, v := c.First()
			if after != nil {
				if k, v = c.Seek(after); k != nil && bytes.Equal(k, after) {
					k, v = c.Next()
				}
			}
			for ; k != nil && len(batch) < copyBatch; k, v = c.Next() {
				last = bytes.Clone(k)
				rec, err := decodeRecord(k, v)
				if err != nil {
					return err
				}
				a, err := loadAnnotation(tx, k, rec)
				if err != nil {
					return err
				}
				cp := store.AnnotationCopy{Annotation: a}
				w := historyWalker{states: map[string]walkState{}}
				prefix := chainPrefix(k)
				hc := hist.Cursor()
				for hk, _ := hc.Seek(prefix); hk != nil && bytes.HasPrefix(hk, prefix); hk, _ = hc.Next() {
					if len(hk) != len(prefix)+8 {
						return fmt.Errorf("history entry %x is damaged", hk)
					}
					e, err := w.entry(tx, last, binary.BigEndian.Uint64(hk[len(prefix):]))
					if err != nil {
						return err
					}
					cp.History = append(cp.History, e)
				}
				cp.Undo, cp.Redo = stack(tx, last, 'u'), stack(tx, last, 'r')
				batch = append(batch, cp)
			}
			return nil
		})
		return batch, last, err
	}, fn)
}

// CopyRegistry returns the registry (by id), its history and its id
// counter (store.Copier).
func (db *DB) CopyRegistry() (store.RegistryCopy, error) {
	var r store.RegistryCopy
	err := db.view(func(tx *txn) error {
		var err error
		if r.Entries, err = allRegistry(tx); err != nil {
			return err
		}
		sort.SliceStable(r.Entries, func(i, j int) bool { return store.RegistryIDLess(r.Entries[i].ID, r.Entries[j].ID) })
		r.LastID = tx.Bucket(bucketRegistry).Sequence()
		return nil
	})
	if err != nil {
		return r, err
	}
	err = db.RegistryHistory(func(c store.RegistryChange) error {
		r.History = append(r.History, c)
		return nil
	})
	return r, err
}

// Empty reports whether the file holds no article, annotation, registry
// entry or change, or schema (store.Copier).
func (db *DB) Empty() (bool, error) {
	empty := true
	err := db.view(func(tx *txn) error {
		for _, name := range [][]byte{bucketArticles, bucketAnnotations, bucketRegistry, bucketRegistryHistory} {
			b, err := bucket(tx, name)
			if err != nil {
				return err
			}
			if k, _ := b.Cursor().First(); k != nil {
				empty = false
			}
		}
		if tx.Bucket(bucketMeta).Get(keySchema) != nil {
			empty = false
		}
		return nil
	})
	return empty && err == nil, err
}

// BeginCopy starts writing a copy into this database, which must be
// empty: a bbolt copy goes into a new file, and replacing an old one is
// renaming the new file over it (store.Copier). Each write is its own
// transaction.
func (db *DB) BeginCopy(replace bool) (store.CopyWriter, error) {
	empty, err := db.Empty()
	if err != nil {
		return nil, err
	}
	if !empty {
		if replace {
			return nil, fmt.Errorf("database %s is not empty: a copy into a bbolt file is written as a new file, then renamed over the old one", db.name())
		}
		return nil, fmt.Errorf("database %s is not empty: copy into a new file", db.name())
	}
	return &copyWriter{db: db}, nil
}

type copyWriter struct{ db *DB }

func (w *copyWriter) WriteArticles(arts []model.Article) error {
	return w.db.update(func(tx *txn) error {
		for _, a := range arts {
			if a.ID == "" {
				a.ID = model.ArticleID(a.Text)
			}
			if a.ID != model.ArticleID(a.Text) {
				return fmt.Errorf("article %s: the id is not its text's (%s): an article's id is the hash of its text", termtextSafe(a.ID), model.ArticleID(a.Text))
			}
			if tx.Bucket(bucketArticles).Get([]byte(a.ID)) != nil {
				return fmt.Errorf("article %s is copied twice", a.ID)
			}
			if err := insertArticle(tx, a); err != nil {
				return err
			}
		}
		return nil
	})
}

// WriteAnnotations stores each annotation as it was, its history under
// the same numbers (recorded, as every change here is, as the difference
// between the states before one change and the next, the last one's to
// the annotation) and its stacks.
func (w *copyWriter) WriteAnnotations(copies []store.AnnotationCopy) error {
	return w.db.update(func(tx *txn) error {
		hist := tx.Bucket(bucketHistory)
		for _, c := range copies {
			a := c.Annotation
			if a.ArticleID == "" || a.Annotator == "" {
				return fmt.Errorf("an annotation needs its article and annotator")
			}
			if _, ok := articleSeq(tx, a.ArticleID); !ok {
				return fmt.Errorf("annotation of article %s by %s: %w (copy the articles first)", a.ArticleID, a.Annotator, store.ErrNotFound)
			}
			key := annotationKey(a.ArticleID, a.Annotator)
			if rec, err := readRecord(tx, key); err != nil || rec != nil {
				if err == nil {
					err = fmt.Errorf("the annotation of %s by %s is copied twice", a.ArticleID, a.Annotator)
				}
				return err
			}
			states := make([]model.Annotation, len(c.History)+1)
			for i, e := range c.History {
				states[i] = model.NewAnnotation(a.ArticleID, a.Annotator, a.Schema)
				if e.Before != nil {
					states[i] = *e.Before
				}
			}
			states[len(c.History)] = a
			size := 0
			if data, err := json.Marshal(a); err == nil {
				size = len(data)
			}
			var last uint64
			since := 0
			for i, e := range c.History {
				if e.Seq == 0 || e.Seq <= last {
					return fmt.Errorf("history of %s by %s: change %d is not numbered after the one before", a.ArticleID, a.Annotator, e.Seq)
				}
				if tx.Bucket(bucketHistoryLog).Get(u64(e.Seq)) != nil {
					return fmt.Errorf("history of %s by %s: change number %d is taken", a.ArticleID, a.Annotator, e.Seq)
				}
				meta := store.HistoryEntry{Time: e.Time, Annotator: a.Annotator, ArticleID: a.ArticleID, Action: e.Action}
				var err error
				if since, err = appendChange(tx, key, e.Seq, meta, &states[i], &states[i+1], last, since, size); err != nil {
					return err
				}
				last = e.Seq
			}
			if last > hist.Sequence() {
				if err := hist.SetSequence(last); err != nil {
					return err
				}
			}
			if _, err := putAnnotation(tx, key, nil, nil, a, last, since); err != nil {
				return err
			}
			if err := setStatus(tx, a.ArticleID, a.Annotator, queueState{}, queueStateOf(&a)); err != nil {
				return err
			}
			for _, s := range []struct {
				which byte
				seqs  []uint64
			}{{'u', c.Undo}, {'r', c.Redo}} {
				for _, seq := range s.seqs {
					if hist.Get(historyKey(key, seq)) == nil {
						return fmt.Errorf("the stacks of %s by %s name change %d, which is not among its history", a.ArticleID, a.Annotator, seq)
					}
					if err := pushUndo(tx, key, s.which, seq); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}

func (w *copyWriter) WriteRegistry(r store.RegistryCopy) error {
	return w.db.update(func(tx *txn) error {
		reg, hist := tx.Bucket(bucketRegistry), tx.Bucket(bucketRegistryHistory)
		last := r.LastID
		for _, e := range r.Entries {
			if e.ID == "" {
				return fmt.Errorf("a registry entry %q has no id", e.Name)
			}
			if err := putJSON(reg, []byte(e.ID), e); err != nil {
				return err
			}
			if n, ok := store.RegistryIDNumber(e.ID); ok && n > last {
				last = n
			}
		}
		if last > reg.Sequence() {
			if err := reg.SetSequence(last); err != nil {
				return err
			}
		}
		var lastChange uint64
		for _, c := range r.History {
			if c.Seq == 0 || c.Seq <= lastChange {
				return fmt.Errorf("registry change %d is not numbered after the one before", c.Seq)
			}
			if err := putJSON(hist, u64(c.Seq), c); err != nil {
				return err
			}
			lastChange = c.Seq
		}
		if lastChange > hist.Sequence() {
			return hist.SetSequence(lastChange)
		}
		return nil
	})
}

func (w *copyWriter) WriteSchema(s *model.Schema) error {
	if s == nil {
		return nil
	}
	return w.db.SetSchema(s)
}

// Commit has nothing left to do: every write was its own transaction.
func (w *copyWriter) Commit() error { return nil }

// Rollback cannot take back what was written (the command line removes
// the new file).
func (w *copyWriter) Rollback() error { return nil }
