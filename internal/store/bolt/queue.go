package bolt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// The queue's buckets (layout 5): what opening the screen and `list` read,
// kept up to date by every write so that a page of the queue reads only
// its own items, whatever the corpus's size.
//
//	summaries       seq -> summary (id, title, source, length, import time; binary)
//	article_seqs    article id -> seq
//	article_status  seq annotator -> status [0 review state]
//	queue           annotator 0 status 0 seq -> (empty): each annotator's articles by status
//	counts          annotator 0 status -> uint64: how many articles have it
//
// seq is the article's place in import order (8 bytes, big-endian, so
// keys sort in import order). The number of articles is keyArticleCount in
// the meta bucket. An article an annotator never touched has no status
// record and counts as todo: todo's count is the articles less the others.
// A status record holds the review state of the annotation after its
// status and a zero byte when it has one (store.ReviewState), so a record
// written before reviews reads as none.
var (
	bucketSummaries     = []byte("summaries")
	bucketArticleSeqs   = []byte("article_seqs")
	bucketArticleStatus = []byte("article_status")
	bucketQueue         = []byte("queue")
	bucketCounts        = []byte("counts")

	keyArticleCount = []byte("article_count")
)

// queueBuckets are the buckets above, for the migration and Check.
var queueBuckets = [][]byte{bucketSummaries, bucketArticleSeqs, bucketArticleStatus, bucketQueue, bucketCounts}

// listBatch is how many summaries one read transaction of Articles covers,
// so a listing holds little memory and lets writers in between.
const listBatch = 1024

// encodeSummary lays a summary out as uvarint-prefixed id, title and
// source, uvarint length, then the import time (time.MarshalBinary).
func encodeSummary(a model.Article, length int) ([]byte, error) {
	when, err := a.ImportedAt.MarshalBinary()
	if err != nil {
		return nil, err
	}
	buf := make([]byte, 0, 3*binary.MaxVarintLen32+len(a.ID)+len(a.Title)+len(a.Source)+binary.MaxVarintLen64+len(when))
	for _, s := range []string{a.ID, a.Title, a.Source} {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	buf = binary.AppendUvarint(buf, uint64(length))
	return append(buf, when...), nil
}

var errSummaryDamaged = errors.New("summary record is damaged")

// decodeSummary reads a summary record (copying out of bbolt's memory).
func decodeSummary(seq uint64, v []byte) (store.ArticleSummary, error) {
	s := store.ArticleSummary{Seq: seq}
	var fields [3]string
	for i := range fields {
		n, k := binary.Uvarint(v)
		if k <= 0 || uint64(len(v)-k) < n {
			return s, errSummaryDamaged
		}
		fields[i] = string(v[k : k+int(n)])
		v = v[k+int(n):]
	}
	s.ID, s.Title, s.Source = fields[0], fields[1], fields[2]
	length, k := binary.Uvarint(v)
	if k <= 0 {
		return s, errSummaryDamaged
	}
	s.Length = int(length)
	if err := s.ImportedAt.UnmarshalBinary(v[k:]); err != nil {
		return s, errSummaryDamaged
	}
	return s, nil
}

// summaryID reads only the article id of a summary record.
func summaryID(v []byte) (string, error) {
	n, k := binary.Uvarint(v)
	if k <= 0 || uint64(len(v)-k) < n {
		return "", errSummaryDamaged
	}
	return string(v[k : k+int(n)]), nil
}

// insertArticle stores a new article (one not yet present) with its
// summary, under the next seq.
func insertArticle(tx *txn, a model.Article) error {
	arts := tx.Bucket(bucketArticles)
	seq, err := arts.NextSequence()
	if err != nil {
		return err
	}
	v, err := encodeArticle(a, seq)
	if err != nil {
		return err
	}
	if err := arts.Put([]byte(a.ID), v); err != nil {
		return err
	}
	return indexArticle(tx, a, seq, textLength(a.Text))
}

// indexArticle adds an article's summary and seq, and counts it.
func indexArticle(tx *txn, a model.Article, seq uint64, length int) error {
	sum, err := encodeSummary(a, length)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bucketSummaries).Put(u64(seq), sum); err != nil {
		return err
	}
	if err := tx.Bucket(bucketArticleSeqs).Put([]byte(a.ID), u64(seq)); err != nil {
		return err
	}
	return addCount(tx.Bucket(bucketMeta), keyArticleCount, 1)
}

// addCount adds delta to the counter at key.
func addCount(b *bucketS, key []byte, delta int64) error {
	var n uint64
	if v := b.Get(key); len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	}
	n = uint64(int64(n) + delta)
	if n == 0 {
		return b.Delete(key)
	}
	return b.Put(key, u64(n))
}

func countKey(annotator string, st model.Status) []byte {
	return []byte(annotator + "\x00" + string(st))
}

func queueKey(annotator string, st model.Status, seq uint64) []byte {
	k := make([]byte, 0, len(annotator)+len(st)+10)
	k = append(k, annotator...)
	k = append(k, 0)
	k = append(k, st...)
	k = append(k, 0)
	return append(k, u64(seq)...)
}

func statusKey(seq uint64, annotator string) []byte {
	return append(u64(seq), annotator...)
}

// articleSeq returns an article's seq (false when it is not stored).
func articleSeq(tx *txn, id string) (uint64, bool) {
	v := tx.Bucket(bucketArticleSeqs).Get([]byte(id))
	if len(v) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(v), true
}

// queueState is what the queue keeps of one annotator's annotation of
// one article: its status and its review state.
type queueState struct {
	Status model.Status
	Review string
}

// queueStateOf is a stored annotation's queue state (an annotation saved
// without a status is todo).
func queueStateOf(a *model.Annotation) queueState {
	st := a.Status
	if st == "" {
		st = model.StatusTodo
	}
	return queueState{st, store.ReviewState(a)}
}

// encodeStatus lays a status record out: the status, then a zero byte
// and the review state when there is one.
func encodeStatus(s queueState) []byte {
	if s.Review == "" {
		return []byte(s.Status)
	}
	return []byte(string(s.Status) + "\x00" + s.Review)
}

// decodeStatus reads a status record ("" for none).
func decodeStatus(v []byte) queueState {
	st, review, _ := bytes.Cut(v, []byte{0})
	return queueState{model.Status(st), string(review)}
}

// setStatus moves an annotator's article from queue state old (zero when
// the annotator had no annotation of it) to next in the queue's buckets.
func setStatus(tx *txn, articleID, annotator string, old, next queueState) error {
	if old == next {
		return nil
	}
	seq, ok := articleSeq(tx, articleID)
	if !ok {
		return fmt.Errorf("article %s has no summary: run `annotate check`", articleID)
	}
	if old.Status != next.Status {
		q, counts := tx.Bucket(bucketQueue), tx.Bucket(bucketCounts)
		if old.Status != "" {
			if err := q.Delete(queueKey(annotator, old.Status, seq)); err != nil {
				return err
			}
			if err := addCount(counts, countKey(annotator, old.Status), -1); err != nil {
				return err
			}
		}
		if err := q.Put(queueKey(annotator, next.Status, seq), nil); err != nil {
			return err
		}
		if err := addCount(counts, countKey(annotator, next.Status), 1); err != nil {
			return err
		}
	}
	return tx.Bucket(bucketArticleStatus).Put(statusKey(seq, annotator), encodeStatus(next))
}

// statuses reads every annotator's status of the article at seq, and the
// review states that are set (nil maps when there are none).
func statuses(c *cursorS, seq uint64) (map[string]model.Status, map[string]string) {
	var out map[string]model.Status
	var reviews map[string]string
	prefix := u64(seq)
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if out == nil {
			out = map[string]model.Status{}
		}
		s := decodeStatus(v)
		out[string(k[8:])] = s.Status
		if s.Review != "" {
			if reviews == nil {
				reviews = map[string]string{}
			}
			reviews[string(k[8:])] = s.Review
		}
	}
	return out, reviews
}

// Articles lists every article in import order with each annotator's
// status, reading listBatch summaries per transaction.
func (db *DB) Articles(fn func(store.ArticleSummary) error) error {
	return store.Batches(listBatch, func(after uint64) (batch []store.ArticleSummary, last uint64, err error) {
		err = db.view(func(tx *txn) error {
			sums, err := bucket(tx, bucketSummaries)
			if err != nil {
				return err
			}
			st := tx.Bucket(bucketArticleStatus).Cursor()
			c := sums.Cursor()
			for k, v := c.Seek(u64(after + 1)); k != nil && len(batch) < listBatch; k, v = c.Next() {
				s, err := decodeSummary(binary.BigEndian.Uint64(k), v)
				if err != nil {
					return fmt.Errorf("article number %d: %w: run `annotate check`", binary.BigEndian.Uint64(k), err)
				}
				s.Statuses, s.Reviews = statuses(st, s.Seq)
				batch, last = append(batch, s), s.Seq
			}
			return nil
		})
		return batch, last, err
	}, fn)
}

// counts returns the annotator's status counts (todo from the article
// count), only the statuses some article has.
func counts(tx *txn, annotator string) (map[model.Status]int, int) {
	out := map[model.Status]int{}
	total := 0
	if v := tx.Bucket(bucketMeta).Get(keyArticleCount); len(v) == 8 {
		total = int(binary.BigEndian.Uint64(v))
	}
	prefix := []byte(annotator + "\x00")
	c := tx.Bucket(bucketCounts).Cursor()
	todo := total
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		st := model.Status(k[len(prefix):])
		if len(v) != 8 || st == model.StatusTodo {
			continue
		}
		n := int(binary.BigEndian.Uint64(v))
		out[st] = n
		todo -= n
	}
	if todo > 0 {
		out[model.StatusTodo] = todo
	}
	return out, total
}

// statusOf is the annotator's status of the article at seq (todo when
// untouched).
func statusOf(tx *txn, seq uint64, annotator string) model.Status {
	if v := tx.Bucket(bucketArticleStatus).Get(statusKey(seq, annotator)); len(v) > 0 {
		return decodeStatus(v).Status
	}
	return model.StatusTodo
}

// Page returns a page of the queue (see store.Store): the counters give
// the counts and the total, and only the page's summaries are read. An
// offset into the whole queue is a seek; an offset into one status skips
// that many keys of its index (todo: of the summaries).
func (db *DB) Page(q store.Query) (store.Page, error) {
	var p store.Page
	err := db.view(func(tx *txn) error {
		sums, err := bucket(tx, bucketSummaries)
		if err != nil {
			return err
		}
		p = store.Page{}
		var total int
		p.Counts, total = counts(tx, q.Annotator)
		st := tx.Bucket(bucketArticleStatus).Cursor()
		full := func() bool { return q.Limit > 0 && len(p.Items) >= q.Limit }
		add := func(seq uint64, v []byte) error {
			if v == nil {
				v = sums.Get(u64(seq))
			}
			s, err := decodeSummary(seq, v)
			if err != nil {
				return fmt.Errorf("article number %d: %w: run `annotate check`", seq, err)
			}
			s.Statuses, s.Reviews = statuses(st, seq)
			p.Items = append(p.Items, s)
			return nil
		}
		offset := max(q.Offset, 0)
		switch q.Status {
		case "":
			p.Total = total
			c := sums.Cursor()
			var k, v []byte
			// Seqs are 1..N when no article was ever left out: then the
			// offset is a seek.
			if first, _ := c.First(); first != nil {
				if last, _ := c.Last(); binary.BigEndian.Uint64(first) == 1 && binary.BigEndian.Uint64(last) == uint64(total) {
					k, v = c.Seek(u64(uint64(offset) + 1))
				} else {
					k, v = c.First()
					for i := 0; i < offset && k != nil; i++ {
						k, v = c.Next()
					}
				}
			}
			for ; k != nil && !full(); k, v = c.Next() {
				if err := add(binary.BigEndian.Uint64(k), v); err != nil {
					return err
				}
			}
		case model.StatusTodo:
			p.Total = p.Counts[model.StatusTodo]
			c := sums.Cursor()
			skipped := 0
			for k, v := c.First(); k != nil && !full(); k, v = c.Next() {
				seq := binary.BigEndian.Uint64(k)
				if statusOf(tx, seq, q.Annotator) != model.StatusTodo {
					continue
				}
				if skipped < offset {
					skipped++
					continue
				}
				if err := add(seq, v); err != nil {
					return err
				}
			}
		default:
			p.Total = p.Counts[q.Status]
			prefix := queueKey(q.Annotator, q.Status, 0)
			prefix = prefix[:len(prefix)-8]
			c := tx.Bucket(bucketQueue).Cursor()
			k, _ := c.Seek(prefix)
			for i := 0; i < offset && k != nil && bytes.HasPrefix(k, prefix); i++ {
				k, _ = c.Next()
			}
			for ; k != nil && bytes.HasPrefix(k, prefix) && !full(); k, _ = c.Next() {
				if err := add(binary.BigEndian.Uint64(k[len(prefix):]), nil); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return p, err
}

// NextToWork returns the next article to work on (see store.Store): the
// first in progress after the given one (wrapping round), from the
// annotator's in-progress index, else the first todo, walking the
// summaries from there.
func (db *DB) NextToWork(annotator, after string) (string, bool, error) {
	var id string
	var found bool
	err := db.view(func(tx *txn) error {
		sums, err := bucket(tx, bucketSummaries)
		if err != nil {
			return err
		}
		from, _ := articleSeq(tx, after)
		prefix := queueKey(annotator, model.StatusInProgress, 0)
		prefix = prefix[:len(prefix)-8]
		c := tx.Bucket(bucketQueue).Cursor()
		pick := uint64(0)
		for k, _ := c.Seek(append(bytes.Clone(prefix), u64(from+1)...)); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			pick = binary.BigEndian.Uint64(k[len(prefix):])
			break
		}
		if pick == 0 {
			for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
				if seq := binary.BigEndian.Uint64(k[len(prefix):]); seq != from {
					pick = seq
				}
				break
			}
		}
		if pick == 0 {
			sc := sums.Cursor()
			// After the given article to the end, then from the start.
			for k, _ := sc.Seek(u64(from + 1)); k != nil; k, _ = sc.Next() {
				if seq := binary.BigEndian.Uint64(k); statusOf(tx, seq, annotator) == model.StatusTodo {
					pick = seq
					break
				}
			}
			for k, _ := sc.First(); pick == 0 && k != nil; k, _ = sc.Next() {
				seq := binary.BigEndian.Uint64(k)
				if seq >= from {
					break
				}
				if statusOf(tx, seq, annotator) == model.StatusTodo {
					pick = seq
				}
			}
		}
		if pick == 0 {
			return nil
		}
		v := sums.Get(u64(pick))
		if v == nil {
			return fmt.Errorf("article number %d has no summary: run `annotate check`", pick)
		}
		id, err = summaryID(v)
		found = err == nil
		return err
	})
	return id, found, err
}

// buildQueue fills the queue's buckets from the articles and the
// annotations' statuses (the layout 5 migration); annotationStatus reads
// one stored annotation's status.
func buildQueue(tx *txn, annotationStatus func(v []byte) (model.Status, error)) error {
	for _, name := range queueBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	err := tx.Bucket(bucketArticles).ForEach(func(k, v []byte) error {
		m, text, err := decodeArticleMeta(v)
		if err != nil {
			return fmt.Errorf("article %s: %w", k, err)
		}
		a := m.Article
		a.ID = string(k)
		length := m.Length
		if length == 0 && len(text) > 0 {
			length = textLength(string(text))
		}
		return indexArticle(tx, a, m.Seq, length)
	})
	if err != nil {
		return err
	}
	return tx.Bucket(bucketAnnotations).ForEach(func(k, v []byte) error {
		id, annotator, ok := bytes.Cut(k, []byte{0})
		if !ok {
			return nil
		}
		st, err := annotationStatus(v)
		if err != nil {
			return fmt.Errorf("annotation %s by %s: %w", id, annotator, err)
		}
		if _, ok := articleSeq(tx, string(id)); !ok {
			return nil // an annotation of no article: Check reports it
		}
		return setStatus(tx, string(id), string(annotator), queueState{}, queueState{Status: st})
	})
}

// checkQueue reports summaries that do not decode or do not match their
// article, and counters out of step with the statuses.
func checkQueue(tx *txn) []string {
	var problems []string
	seqs := tx.Bucket(bucketArticleSeqs)
	n := 0
	_ = tx.Bucket(bucketSummaries).ForEach(func(k, v []byte) error {
		n++
		seq := binary.BigEndian.Uint64(k)
		s, err := decodeSummary(seq, v)
		if err != nil {
			problems = append(problems, fmt.Sprintf("summary of article number %d: %v", seq, err))
			return nil
		}
		if got := seqs.Get([]byte(s.ID)); len(got) != 8 || binary.BigEndian.Uint64(got) != seq {
			problems = append(problems, fmt.Sprintf("summary of article %s: its number %d is not the article's", s.ID, seq))
		}
		return nil
	})
	if n != articleTotal(tx) {
		problems = append(problems, fmt.Sprintf("article count is %d, %d articles are listed", articleTotal(tx), n))
	}
	want := map[string]uint64{}
	_ = tx.Bucket(bucketArticleStatus).ForEach(func(k, v []byte) error {
		if len(k) < 8 {
			problems = append(problems, fmt.Sprintf("status record %x is damaged", k))
			return nil
		}
		s := decodeStatus(v)
		want[string(countKey(string(k[8:]), s.Status))]++
		if !slices.Contains(model.ReviewStates, s.Review) {
			problems = append(problems, fmt.Sprintf("status record %s has an unknown review state %q", recordName(string(bucketArticleStatus), k), s.Review))
		}
		return nil
	})
	have := map[string]uint64{}
	_ = tx.Bucket(bucketCounts).ForEach(func(k, v []byte) error {
		if len(v) == 8 {
			have[string(k)] = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	for k, w := range want {
		if have[k] != w {
			who, st, _ := bytes.Cut([]byte(k), []byte{0})
			problems = append(problems, fmt.Sprintf("status count of %s %s is %d, %d articles have it", who, st, have[k], w))
		}
	}
	for k, h := range have {
		if _, ok := want[k]; !ok {
			who, st, _ := bytes.Cut([]byte(k), []byte{0})
			problems = append(problems, fmt.Sprintf("status count of %s %s is %d, no article has it", who, st, h))
		}
	}
	return problems
}

func articleTotal(tx *txn) int {
	if v := tx.Bucket(bucketMeta).Get(keyArticleCount); len(v) == 8 {
		return int(binary.BigEndian.Uint64(v))
	}
	return 0
}

// textLength is an article's length in code points.
func textLength(text string) int { return utf8.RuneCountInString(text) }
