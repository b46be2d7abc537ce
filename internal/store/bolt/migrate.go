package bolt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// migration moves the file's layout from version-1 to version. Migrations run
// in order, all in one transaction, so a file is never left half migrated.
type migration struct {
	version uint64
	name    string
	apply   func(tx *txn) error
}

// migrations is the ordered list of layout changes. Append only: a released
// migration is never edited.
var migrations = []migration{
	{1, "create the article, annotation, history and meta buckets", func(tx *txn) error {
		for _, name := range [][]byte{bucketMeta, bucketArticles, bucketAnnotations, bucketHistory} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	}},
	{2, "add the status index and the undo stacks", func(tx *txn) error {
		status, err := tx.CreateBucketIfNotExists(bucketStatus)
		if err != nil {
			return err
		}
		if _, err := tx.CreateBucketIfNotExists(bucketUndo); err != nil {
			return err
		}
		// Build the status index from the annotations already stored.
		return tx.Bucket(bucketAnnotations).ForEach(func(k, v []byte) error {
			var a model.Annotation
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("annotation %q: %w", k, err)
			}
			if a.Status == "" {
				a.Status = model.StatusTodo
			}
			return putJSON(status, k, statusRecord{Status: a.Status, UpdatedAt: a.UpdatedAt})
		})
	}},
	{3, "claims carry a list of figures with qualifiers", func(tx *txn) error {
		// Whole annotations are kept in two places: the annotations bucket
		// and, as the state before each change, the history entries that
		// undo and redo restore (the undo stacks hold only their numbers).
		anns := tx.Bucket(bucketAnnotations)
		if err := rewrite(anns, func(k, v []byte) ([]byte, error) {
			out, err := migrateClaimFigures(v)
			if err != nil {
				return nil, fmt.Errorf("annotation %s: %w", strings.ReplaceAll(string(k), "\x00", " by "), err)
			}
			return out, nil
		}); err != nil {
			return err
		}
		return rewrite(tx.Bucket(bucketHistory), func(k, v []byte) ([]byte, error) {
			var entry map[string]json.RawMessage
			if err := json.Unmarshal(v, &entry); err != nil {
				return nil, fmt.Errorf("history entry %d: %w", binary.BigEndian.Uint64(k), err)
			}
			before, ok := entry["before"]
			if !ok || string(before) == "null" {
				return nil, nil
			}
			out, err := migrateClaimFigures(before)
			if err != nil || out == nil {
				if err != nil {
					err = fmt.Errorf("history entry %d: %w", binary.BigEndian.Uint64(k), err)
				}
				return nil, err
			}
			entry["before"] = out
			return json.Marshal(entry)
		})
	}},
	{4, "entities: the registry, and every mention given its entity", func(tx *txn) error {
		for _, name := range [][]byte{bucketRegistry, bucketRegistryHistory} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		texts := articleTexts{b: tx.Bucket(bucketArticles)}
		// The states history keeps for undo first: the changes added below
		// hold states already given their entities.
		if err := rewrite(tx.Bucket(bucketHistory), func(k, v []byte) ([]byte, error) {
			var entry map[string]json.RawMessage
			if err := json.Unmarshal(v, &entry); err != nil {
				return nil, fmt.Errorf("history entry %d: %w", binary.BigEndian.Uint64(k), err)
			}
			raw, ok := entry["before"]
			if !ok || string(raw) == "null" {
				return nil, nil
			}
			var before model.Annotation
			if err := json.Unmarshal(raw, &before); err != nil {
				return nil, fmt.Errorf("history entry %d: %w", binary.BigEndian.Uint64(k), err)
			}
			text, found, err := texts.get(before.ArticleID)
			if err != nil {
				return nil, fmt.Errorf("history entry %d: %w", binary.BigEndian.Uint64(k), err)
			}
			if !giveEntities(&before, text, found) {
				return nil, nil
			}
			out, err := json.Marshal(before)
			if err != nil {
				return nil, err
			}
			entry["before"] = out
			return json.Marshal(entry)
		}); err != nil {
			return err
		}
		// Then each annotation: every mention becomes one of its own
		// entity, and that state is kept in history; grouping identical
		// mentions is then one change the annotator can undo.
		type pending struct {
			key []byte
			ann model.Annotation
		}
		var todo []pending
		err := tx.Bucket(bucketAnnotations).ForEach(func(k, v []byte) error {
			var a model.Annotation
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("annotation %s: %w", strings.ReplaceAll(string(k), "\x00", " by "), err)
			}
			todo = append(todo, pending{append([]byte(nil), k...), a})
			return nil
		})
		if err != nil {
			return err
		}
		now := migrationNow().UTC()
		for _, p := range todo {
			text, found, err := texts.get(p.ann.ArticleID)
			if err != nil {
				return fmt.Errorf("annotation %s: %w", strings.ReplaceAll(string(p.key), "\x00", " by "), err)
			}
			own := p.ann.Clone()
			if !giveEntities(&own, text, false) {
				continue // nothing to give: no mentions, or all have their entity
			}
			grouped := own.Clone()
			if !found || !groupIdentical(&grouped, text) {
				if err := putJSON(tx.Bucket(bucketAnnotations), p.key, own); err != nil {
					return err
				}
				continue
			}
			if err := layout4SaveChange(tx, own, grouped, groupAction, now); err != nil {
				return err
			}
		}
		return nil
	}},
	{5, "the queue: article summaries, statuses by annotator and counters", func(tx *txn) error {
		err := buildQueue(tx, func(v []byte) (model.Status, error) {
			var a struct {
				Status model.Status `json:"status"`
			}
			if err := json.Unmarshal(v, &a); err != nil {
				return "", err
			}
			if a.Status == "" {
				a.Status = model.StatusTodo
			}
			return a.Status, nil
		})
		if err != nil {
			return err
		}
		// The queue's statuses replace the status index of layout 2.
		return tx.DeleteBucket(bucketStatus)
	}},
	{6, "annotations in chunks, changes recorded as differences by annotation, undo stacks as keys", migrateChanges},
	{7, "every record sealed with a checksum (seal.go); claims for overlap (assign.go)", func(tx *txn) error {
		if _, err := tx.CreateBucketIfNotExists(bucketClaims); err != nil {
			return err
		}
		return sealAll(tx)
	}},
	// Layout 8 writes a review state after the status in article_status
	// ("done", NUL, "returned"): a layout 7 build would read that as a
	// status it does not know and drop the review on its next save, so
	// it must refuse the file. Layout 7 files hold no review (no build
	// of that layout wrote one): nothing to rewrite.
	{8, "review states in the queue's status records (one coder, one reviewer)", func(tx *txn) error { return nil }},
}

// migrateChanges is the layout 6 migration: each annotation is stored
// again as a record and chunks, each history entry (keyed by its number,
// holding the whole state before) becomes a change keyed by annotation
// recording the difference between its state before and the next one's
// (the last one's: the annotation's), with whole states as layout 6 keeps
// them, and each undo record becomes one key per stack entry. Every state
// before is kept as it was.
func migrateChanges(tx *txn) error {
	for _, name := range [][]byte{bucketChunks, bucketHistoryLog} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	hist, anns, undo := tx.Bucket(bucketHistory), tx.Bucket(bucketAnnotations), tx.Bucket(bucketUndo)
	chains := map[string][]uint64{}
	err := hist.ForEach(func(k, v []byte) error {
		if len(k) != 8 {
			return fmt.Errorf("history entry %x: not a layout 5 key", k)
		}
		var e struct {
			Annotator string `json:"annotator"`
			ArticleID string `json:"article_id"`
		}
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("history entry %d: %w", binary.BigEndian.Uint64(k), err)
		}
		key := string(annotationKey(e.ArticleID, e.Annotator))
		chains[key] = append(chains[key], binary.BigEndian.Uint64(k))
		return nil
	})
	if err != nil {
		return err
	}
	var keys [][]byte
	if err := anns.ForEach(func(k, _ []byte) error { keys = append(keys, bytes.Clone(k)); return nil }); err != nil {
		return err
	}
	for k := range chains {
		if anns.Get([]byte(k)) == nil {
			keys = append(keys, []byte(k))
		}
	}
	for _, key := range keys {
		var cur *model.Annotation
		if v := anns.Get(key); v != nil {
			var a model.Annotation
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("annotation %s: %w", keyName(key), err)
			}
			cur = &a
		}
		var last uint64
		since, size := 0, 0
		if cur != nil {
			if data, err := json.Marshal(cur); err == nil {
				size = len(data)
			}
		}
		seqs := chains[string(key)]
		slices.Sort(seqs)
		read := func(seq uint64) (store.HistoryEntry, error) {
			var e store.HistoryEntry
			if err := json.Unmarshal(hist.Get(u64(seq)), &e); err != nil {
				return e, fmt.Errorf("history entry %d: %w", seq, err)
			}
			if e.Before == nil {
				schema := ""
				if cur != nil {
					schema = cur.Schema
				}
				b := model.NewAnnotation(e.ArticleID, e.Annotator, schema)
				e.Before = &b
			}
			return e, nil
		}
		var next store.HistoryEntry
		if len(seqs) > 0 {
			if next, err = read(seqs[0]); err != nil {
				return err
			}
		}
		for i, seq := range seqs {
			e := next
			after := e.Before
			if i+1 < len(seqs) {
				if next, err = read(seqs[i+1]); err != nil {
					return err
				}
				after = next.Before
			} else if cur != nil {
				after = cur
			}
			if err := hist.Delete(u64(seq)); err != nil {
				return err
			}
			if since, err = appendChange(tx, key, seq, e, e.Before, after, last, since, size); err != nil {
				return err
			}
			last = seq
		}
		if cur != nil {
			if _, err := putAnnotation(tx, key, nil, nil, *cur, last, since); err != nil {
				return err
			}
		}
	}
	type stacks struct {
		key []byte
		s   undoStacks
	}
	var old []stacks
	err = undo.ForEach(func(k, v []byte) error {
		var s undoStacks
		if err := json.Unmarshal(v, &s); err != nil {
			return fmt.Errorf("undo record of %s: %w", keyName(k), err)
		}
		old = append(old, stacks{bytes.Clone(k), s})
		return nil
	})
	if err != nil {
		return err
	}
	for _, o := range old {
		if err := undo.Delete(o.key); err != nil {
			return err
		}
		for _, seq := range o.s.Undo {
			if err := pushUndo(tx, o.key, 'u', seq); err != nil {
				return err
			}
		}
		for _, seq := range o.s.Redo {
			if err := pushUndo(tx, o.key, 'r', seq); err != nil {
				return err
			}
		}
	}
	return nil
}

// undoStacks are an annotator's undo and redo stacks for one article as
// layouts 2 to 5 stored them: one JSON record of history sequence numbers.
type undoStacks struct {
	Undo []uint64 `json:"undo"`
	Redo []uint64 `json:"redo"`
}

// layout4SaveChange is a change as layouts 2 to 4 record it (the whole
// annotation, its status index entry, a history entry holding the whole
// state before, the undo stack as one JSON record), for the layout 4
// migration, which runs before layout 5 changed that.
func layout4SaveChange(tx *txn, prev, next model.Annotation, action string, now time.Time) error {
	next.Rev = prev.Rev + 1
	next.UpdatedAt = now
	if next.Status == "" {
		next.Status = model.StatusTodo
	}
	key := annotationKey(next.ArticleID, next.Annotator)
	if err := putJSON(tx.Bucket(bucketAnnotations), key, next); err != nil {
		return err
	}
	if err := putJSON(tx.Bucket(bucketStatus), key, statusRecord{Status: next.Status, UpdatedAt: next.UpdatedAt}); err != nil {
		return err
	}
	hist := tx.Bucket(bucketHistory)
	seq, err := hist.NextSequence()
	if err != nil {
		return err
	}
	before := prev
	entry := store.HistoryEntry{Seq: seq, Time: now, Annotator: next.Annotator, ArticleID: next.ArticleID, Action: action, Before: &before}
	if err := putJSON(hist, u64(seq), entry); err != nil {
		return err
	}
	var stacks undoStacks
	if v := tx.Bucket(bucketUndo).Get(key); v != nil {
		if err := json.Unmarshal(v, &stacks); err != nil {
			return fmt.Errorf("undo record %q is damaged: %w", key, err)
		}
	}
	stacks.Undo = append(stacks.Undo, seq)
	stacks.Redo = nil
	return putJSON(tx.Bucket(bucketUndo), key, stacks)
}

// groupAction is the history action of the layout 4 migration's grouping.
const groupAction = "group identical mentions into entities (upgrade)"

// migrationNow is the clock of the changes a migration records; migrations
// run inside Open, before a DB's own clock can be set.
var migrationNow = time.Now

// articleTexts reads article texts for a migration, keeping the last one
// read, since history entries of one article tend to come together.
type articleTexts struct {
	b        *bucketS
	id, text string
}

func (t *articleTexts) get(id string) (string, bool, error) {
	if id == t.id && id != "" {
		return t.text, true, nil
	}
	v := t.b.Get([]byte(id))
	if v == nil {
		return "", false, nil
	}
	a, err := decodeArticle(v)
	if err != nil {
		return "", false, fmt.Errorf("article %s: %w", id, err)
	}
	t.id, t.text = id, a.Text
	return a.Text, true, nil
}

// giveEntities gives each span without a known entity an entity of its
// own, named by its text, and, when group is set, then joins mentions of
// the same text and label (model.GroupMentions). A source grade given to a
// span is given to its entity too. It reports whether anything changed.
func giveEntities(a *model.Annotation, text string, group bool) bool {
	changed := false
	for i := range a.Entities {
		s := &a.Entities[i]
		if _, ok := a.Referent(s.Entity); ok && s.Entity != "" {
			continue
		}
		id := a.NewID("n")
		a.Referents = append(a.Referents, model.Entity{ID: id, Name: mentionName(text, *s), Label: s.Label})
		s.Entity = id
		changed = true
	}
	if group && changed {
		groupIdentical(a, text)
	}
	for i := range a.Sources {
		g := &a.Sources[i]
		if g.SpanID == "" || g.Entity != "" {
			continue
		}
		if e, ok := a.EntityOfSpan(g.SpanID); ok {
			g.Entity = e.ID
			changed = true
		}
	}
	return changed
}

// groupIdentical joins the mentions of entities that hold one mention each
// into the first entity of that label whose name or alias is the mention's
// text, with model.GroupMentions, and reports whether any joined.
func groupIdentical(a *model.Annotation, text string) bool {
	count := map[string]int{}
	for _, s := range a.Entities {
		count[s.Entity]++
	}
	b := a.Clone()
	for i := range b.Entities {
		if count[b.Entities[i].Entity] == 1 {
			b.Entities[i].Entity = ""
		}
	}
	model.GroupMentions(&b, text)
	// A mention may join its own entity again: only a move is a change.
	// A source grade of an entity that was joined into another goes
	// with its mentions.
	moved := map[string]string{}
	for i, s := range a.Entities {
		if b.Entities[i].Entity != s.Entity {
			moved[s.Entity] = b.Entities[i].Entity
		}
	}
	if len(moved) == 0 {
		return false
	}
	for i := range a.Sources {
		if to, ok := moved[a.Sources[i].Entity]; ok {
			b.Sources[i].Entity = to
		}
	}
	*a = b
	return true
}

// mentionName is a mention's text with white space collapsed, as an
// entity's name; "" when the span does not fit the text.
func mentionName(text string, s model.Span) string {
	if model.CheckRange(text, s.Start, s.End) != nil {
		return ""
	}
	return strings.Join(strings.Fields(text[s.Start:s.End]), " ")
}

// rewrite replaces each value of b by what fn returns for it; nil keeps the
// value as it is. Values are collected first, since a bucket must not be
// changed while ForEach walks it.
func rewrite(b *bucketS, fn func(k, v []byte) ([]byte, error)) error {
	type kv struct{ k, v []byte }
	var changed []kv
	err := b.ForEach(func(k, v []byte) error {
		out, err := fn(k, v)
		if err != nil || out == nil {
			return err
		}
		changed = append(changed, kv{append([]byte(nil), k...), out})
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range changed {
		if err := b.Put(c.k, c.v); err != nil {
			return err
		}
	}
	return nil
}

// migrateClaimFigures turns each claim's single "figure": {"value": 53,
// "counts": "killed"} in an annotation's JSON into "figures": [{"counts":
// "killed", "value": 53, "qualifier": "exact", "low": 53, "high": 53}]:
// before layout 3 a figure was always a plain whole number. Everything else
// in the record is kept as stored. It returns nil when nothing changes.
func migrateClaimFigures(annotation []byte) ([]byte, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(annotation, &doc); err != nil {
		return nil, err
	}
	raw, ok := doc["claims"]
	if !ok || string(raw) == "null" {
		return nil, nil
	}
	var claims []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &claims); err != nil {
		return nil, fmt.Errorf("claims: %w", err)
	}
	changed := false
	for i, c := range claims {
		old, ok := c["figure"]
		if !ok {
			continue
		}
		delete(c, "figure")
		changed = true
		if string(old) == "null" {
			continue
		}
		var f struct {
			Value  int    `json:"value"`
			Counts string `json:"counts"`
		}
		if err := json.Unmarshal(old, &f); err != nil {
			return nil, fmt.Errorf("claims[%d].figure %s is not a figure: %w", i, old, err)
		}
		var figures []model.Figure
		if prev, ok := c["figures"]; ok && string(prev) != "null" {
			if err := json.Unmarshal(prev, &figures); err != nil {
				return nil, fmt.Errorf("claims[%d].figures: %w", i, err)
			}
		}
		// Not ExactFigure: a negative value stays as it was, for check to
		// report, rather than being changed silently.
		v, low, high := f.Value, f.Value, f.Value
		figures = append([]model.Figure{{Counts: f.Counts, Value: &v, Qualifier: model.QualifierExact, Low: &low, High: &high}}, figures...)
		out, err := json.Marshal(figures)
		if err != nil {
			return nil, err
		}
		c["figures"] = out
	}
	if !changed {
		return nil, nil
	}
	out, err := json.Marshal(claims)
	if err != nil {
		return nil, err
	}
	doc["claims"] = out
	return json.Marshal(doc)
}

// CurrentVersion is the layout this build writes.
var CurrentVersion = migrations[len(migrations)-1].version

func storedVersion(tx *txn) uint64 {
	v, _ := rawVersion(tx.Tx) // a damaged version failed the transaction's start
	return v
}

func migrate(tx *txn) error {
	return migrateTo(tx, CurrentVersion)
}

// migrateTo applies the migrations above the stored version up to target.
func migrateTo(tx *txn, target uint64) error {
	have := storedVersion(tx)
	if have > CurrentVersion {
		return fmt.Errorf("database was written by a newer annotate (layout %d; this one reads up to %d): upgrade annotate", have, CurrentVersion)
	}
	if have == 0 && tx.Bucket(bucketMeta) == nil && hasForeignBuckets(tx) {
		return errForeign
	}
	for _, m := range migrations {
		if m.version <= have || m.version > target {
			continue
		}
		if err := m.apply(tx); err != nil {
			return fmt.Errorf("migrate to layout %d (%s): %w", m.version, m.name, err)
		}
		if err := tx.Bucket(bucketMeta).Put(keyVersion, u64(m.version)); err != nil {
			return err
		}
	}
	return nil
}

// errForeign reports a bbolt file with buckets of its own and no annotate
// layout: another program's database, never written to.
var errForeign = errors.New("this bbolt file was not made by annotate")

func hasForeignBuckets(tx *txn) bool {
	foreign := false
	_ = tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		foreign = true
		return nil
	})
	return foreign
}
