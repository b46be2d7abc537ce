package bolt

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// Annotators (store.Roster). Every bucket that names an annotator does so
// in its keys, so renaming one moves keys (each record sealed again under
// its new key, seal.go), and removing one deletes them:
//
//	annotations        article 0 annotator                (changes.go)
//	annotation_chunks  article 0 annotator 0 chunk
//	history            article 0 annotator 0 seq          (each entry also names its annotator)
//	history_log        seq -> article 0 annotator         (the value)
//	undo               article 0 annotator 0 ('u'|'r') seq
//	article_status     seq annotator                      (queue.go)
//	queue              annotator 0 status 0 seq
//	counts             annotator 0 status
//	claims             seq annotator                      (assign.go; the claim names its annotator)
//
// The annotator's articles are found from its queue index (their seqs, by
// status) and the summaries (their ids), so neither reads the other
// annotators' records, except a rename, which reads the annotations that
// hold the old name somewhere (gold's review decisions, reviews).

var _ store.Roster = (*DB)(nil)

// annotatorNames reads the annotators from the counters: every
// annotation counts once under its annotator and status.
func annotatorNames(tx *txn) []store.AnnotatorSummary {
	var out []store.AnnotatorSummary
	_ = tx.Bucket(bucketCounts).ForEach(func(k, v []byte) error {
		who, st, ok := bytes.Cut(k, []byte{0})
		if !ok || len(v) != 8 {
			return nil
		}
		n := int(binary.BigEndian.Uint64(v))
		if len(out) == 0 || out[len(out)-1].Name != string(who) {
			out = append(out, store.AnnotatorSummary{Name: string(who), Statuses: map[model.Status]int{}})
		}
		s := &out[len(out)-1]
		s.Statuses[model.Status(st)] += n
		s.Annotations += n
		return nil
	})
	return out
}

// Annotators lists the annotators with their counts (store.Roster), from
// the queue's counters alone.
func (db *DB) Annotators() ([]store.AnnotatorSummary, error) {
	var out []store.AnnotatorSummary
	err := db.view(func(tx *txn) error {
		if _, err := bucket(tx, bucketCounts); err != nil {
			return err
		}
		out = annotatorNames(tx)
		return nil
	})
	return out, err
}

// annotatorArticle is one of an annotator's annotations, found from the
// queue index.
type annotatorArticle struct {
	seq    uint64
	id     string
	status model.Status
}

// articlesOf lists the annotator's annotations from the queue index.
func articlesOf(tx *txn, annotator string) ([]annotatorArticle, error) {
	prefix := []byte(annotator + "\x00")
	var out []annotatorArticle
	c := tx.Bucket(bucketQueue).Cursor()
	sums := tx.Bucket(bucketSummaries)
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		rest := k[len(prefix):]
		if len(rest) < 9 || rest[len(rest)-9] != 0 {
			return nil, fmt.Errorf("queue record %s is damaged: run `annotate check`", recordName(string(bucketQueue), k))
		}
		seq := binary.BigEndian.Uint64(rest[len(rest)-8:])
		v := sums.Get(u64(seq))
		if v == nil {
			return nil, fmt.Errorf("article number %d has no summary: run `annotate check`", seq)
		}
		id, err := summaryID(v)
		if err != nil {
			return nil, fmt.Errorf("article number %d: %w: run `annotate check`", seq, err)
		}
		out = append(out, annotatorArticle{seq: seq, id: id, status: model.Status(rest[:len(rest)-9])})
	}
	return out, nil
}

// moveKeys moves every record of bucket b whose key starts with from to
// the same key starting with to (to nil: deletes them), passing each
// payload through rewrite when given.
func moveKeys(b *bucketS, from, to []byte, rewrite func(k, v []byte) ([]byte, error)) error {
	type kv struct{ k, v []byte }
	var found []kv
	c := b.Cursor()
	for k, v := c.Seek(from); k != nil && bytes.HasPrefix(k, from); k, v = c.Next() {
		found = append(found, kv{bytes.Clone(k), bytes.Clone(v)})
	}
	for _, r := range found {
		if err := b.Delete(r.k); err != nil {
			return err
		}
		if to == nil {
			continue
		}
		v := r.v
		if rewrite != nil {
			var err error
			if v, err = rewrite(r.k, v); err != nil {
				return err
			}
		}
		if err := b.Put(append(bytes.Clone(to), r.k[len(from):]...), v); err != nil {
			return err
		}
	}
	return nil
}

// RenameAnnotator moves old's records to new (store.Roster), in one write
// transaction, then records the rename in each annotation it changed.
func (db *DB) RenameAnnotator(old, new string) error {
	return db.update(func(tx *txn) error {
		for _, name := range [][]byte{bucketCounts, bucketQueue, bucketSummaries, bucketAnnotations, bucketChunks, bucketHistory, bucketHistoryLog, bucketUndo, bucketArticleStatus, bucketClaims} {
			if _, err := bucket(tx, name); err != nil {
				return err
			}
		}
		if err := store.CheckRename(old, new, store.Names(annotatorNames(tx))); err != nil {
			return err
		}
		arts, err := articlesOf(tx, old)
		if err != nil {
			return err
		}
		swap := func(s *string) {
			if s != nil && *s == old {
				*s = new
			}
		}
		for _, a := range arts {
			from, to := annotationKey(a.id, old), annotationKey(a.id, new)
			anns := tx.Bucket(bucketAnnotations)
			rec, err := readRecord(tx, from)
			if err != nil {
				return err
			}
			if rec == nil {
				return fmt.Errorf("the queue lists an annotation of %s by %s that is not stored: run `annotate check`", a.id, old)
			}
			rec.Annotator = new
			rec.Stamp = rand.Uint64() | 1
			data, err := json.Marshal(rec)
			if err != nil {
				return err
			}
			if err := anns.Delete(from); err != nil {
				return err
			}
			if err := anns.Put(to, data); err != nil {
				return err
			}
			if err := moveKeys(tx.Bucket(bucketChunks), chainPrefix(from), chainPrefix(to), nil); err != nil {
				return err
			}
			var seqs []uint64
			err = moveKeys(tx.Bucket(bucketHistory), chainPrefix(from), chainPrefix(to), func(k, v []byte) ([]byte, error) {
				h, err := decodeHistory(k, v)
				if err != nil {
					return nil, err
				}
				seqs = append(seqs, h.Seq)
				// The states a change records are the annotation's, so
				// they name it by its new name: undo restores them under
				// the annotator they name.
				swap(&h.Annotator)
				if h.Before != nil {
					swap(&h.Before.Annotator)
				}
				if h.Delta.Was != nil {
					swap(h.Delta.Was.Annotator)
					swap(h.Delta.Now.Annotator)
				}
				return json.Marshal(h)
			})
			if err != nil {
				return err
			}
			for _, seq := range seqs {
				if err := tx.Bucket(bucketHistoryLog).Put(u64(seq), to); err != nil {
					return err
				}
			}
			if err := moveKeys(tx.Bucket(bucketUndo), chainPrefix(from), chainPrefix(to), nil); err != nil {
				return err
			}
			st := tx.Bucket(bucketArticleStatus)
			if err := st.Delete(statusKey(a.seq, old)); err != nil {
				return err
			}
			if err := st.Put(statusKey(a.seq, new), []byte(a.status)); err != nil {
				return err
			}
			q := tx.Bucket(bucketQueue)
			if err := q.Delete(queueKey(old, a.status, a.seq)); err != nil {
				return err
			}
			if err := q.Put(queueKey(new, a.status, a.seq), nil); err != nil {
				return err
			}
		}
		if err := moveKeys(tx.Bucket(bucketCounts), []byte(old+"\x00"), []byte(new+"\x00"), nil); err != nil {
			return err
		}
		if err := renameClaims(tx, old, new); err != nil {
			return err
		}
		return db.recordRename(tx, old, new, arts)
	})
}

// renameClaims moves old's claims to new.
func renameClaims(tx *txn, old, new string) error {
	var claims []store.Claim
	var seqs []uint64
	b := tx.Bucket(bucketClaims)
	err := b.ForEach(func(k, v []byte) error {
		if len(k) < 8 || string(k[8:]) != old {
			return nil
		}
		c, err := decodeClaim(k, v)
		if err != nil {
			return err
		}
		claims, seqs = append(claims, c), append(seqs, binary.BigEndian.Uint64(k[:8]))
		return nil
	})
	if err != nil {
		return err
	}
	for i, c := range claims {
		if err := b.Delete(claimKey(seqs[i], old)); err != nil {
			return err
		}
		c.Annotator = new
		if err := putClaim(tx, seqs[i], c); err != nil {
			return err
		}
	}
	return nil
}

// recordRename adds the rename's change to each of the renamed
// annotations (arts, now under new) and to every other annotation that
// names old (model.RenameAnnotatorIn). Only records whose JSON holds the
// name, or whose review decisions are kept in chunks, are read in full.
func (db *DB) recordRename(tx *txn, old, new string, arts []annotatorArticle) error {
	needle, err := json.Marshal(old)
	if err != nil {
		return err
	}
	type ref struct {
		seq uint64
		key []byte
	}
	var refs []ref
	for _, a := range arts {
		refs = append(refs, ref{a.seq, annotationKey(a.id, new)})
	}
	err = tx.Bucket(bucketAnnotations).ForEach(func(k, v []byte) error {
		id, who, _ := bytes.Cut(k, []byte{0})
		if string(who) == new {
			return nil // listed above
		}
		if bytes.Contains(v, needle) || bytes.Contains(v, []byte(`"decisions"`)) {
			seq, _ := articleSeq(tx, string(id))
			refs = append(refs, ref{seq, bytes.Clone(k)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	// In import order, as the history lists changes.
	slices.SortFunc(refs, func(a, b ref) int {
		return cmp.Or(cmp.Compare(a.seq, b.seq), bytes.Compare(a.key, b.key))
	})
	keys := make([][]byte, len(refs))
	for i, r := range refs {
		keys[i] = r.key
	}
	now := db.Now().UTC()
	action := store.RenameAction(old, new)
	for _, key := range keys {
		prev, rec, err := readAnnotation(tx, key, db)
		if err != nil {
			return err
		}
		next, changed := model.RenameAnnotatorIn(prev, old, new)
		_, who, _ := bytes.Cut(key, []byte{0})
		if !changed && string(who) != new {
			continue
		}
		if !changed {
			next = prev
		}
		// Not on the undo stack: a rename is undone by renaming back.
		if _, _, err := db.writeAnnotation(tx, rec, prev, next, action, now); err != nil {
			return err
		}
	}
	return nil
}

// RemoveAnnotator deletes name's records (store.Roster) in one write
// transaction.
func (db *DB) RemoveAnnotator(name string) (int, error) {
	var removed int
	err := db.update(func(tx *txn) error {
		for _, b := range [][]byte{bucketCounts, bucketQueue, bucketSummaries, bucketAnnotations, bucketChunks, bucketHistory, bucketHistoryLog, bucketUndo, bucketArticleStatus, bucketClaims} {
			if _, err := bucket(tx, b); err != nil {
				return err
			}
		}
		if err := store.CheckRemove(name, store.Names(annotatorNames(tx))); err != nil {
			return err
		}
		arts, err := articlesOf(tx, name)
		if err != nil {
			return err
		}
		for _, a := range arts {
			key := annotationKey(a.id, name)
			if err := tx.Bucket(bucketAnnotations).Delete(key); err != nil {
				return err
			}
			if err := moveKeys(tx.Bucket(bucketChunks), chainPrefix(key), nil, nil); err != nil {
				return err
			}
			var seqs []uint64
			c := tx.Bucket(bucketHistory).Cursor()
			prefix := chainPrefix(key)
			for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
				if len(k) == len(prefix)+8 {
					seqs = append(seqs, binary.BigEndian.Uint64(k[len(prefix):]))
				}
			}
			if err := moveKeys(tx.Bucket(bucketHistory), prefix, nil, nil); err != nil {
				return err
			}
			for _, seq := range seqs {
				if err := tx.Bucket(bucketHistoryLog).Delete(u64(seq)); err != nil {
					return err
				}
			}
			if err := moveKeys(tx.Bucket(bucketUndo), prefix, nil, nil); err != nil {
				return err
			}
			if err := tx.Bucket(bucketArticleStatus).Delete(statusKey(a.seq, name)); err != nil {
				return err
			}
			if err := tx.Bucket(bucketQueue).Delete(queueKey(name, a.status, a.seq)); err != nil {
				return err
			}
		}
		if err := moveKeys(tx.Bucket(bucketCounts), []byte(name+"\x00"), nil, nil); err != nil {
			return err
		}
		var lapsed [][]byte
		_ = tx.Bucket(bucketClaims).ForEach(func(k, _ []byte) error {
			if len(k) >= 8 && string(k[8:]) == name {
				lapsed = append(lapsed, bytes.Clone(k))
			}
			return nil
		})
		for _, k := range lapsed {
			if err := tx.Bucket(bucketClaims).Delete(k); err != nil {
				return err
			}
		}
		removed = len(arts)
		return nil
	})
	return removed, err
}
