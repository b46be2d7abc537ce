package bolt

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// How annotations and their changes are stored (layout 6), so that a
// change costs what it changes:
//
//	annotations        article 0 annotator -> the annotation's record (JSON: the
//	                   annotation, its long lists replaced by chunk references)
//	annotation_chunks  article 0 annotator 0 chunk -> JSON array of list items
//	history            article 0 annotator 0 seq -> one change (JSON: who, when,
//	                   what, the difference it made, now and then the whole state before)
//	history_log        seq -> article 0 annotator: every change in order
//	undo               article 0 annotator 0 ('u'|'r') seq -> (empty): the stacks
//
// A list of more than inlineItems items (spans, entities, claims, ...) is
// cut into chunks at items whose key hashes to a boundary, so inserting,
// changing or deleting an item rewrites one chunk of about 16 items, not
// the list. A change is recorded as, per list, one splice (where, the
// items removed, the items inserted) and the scalar fields it changed,
// before and after: undo applies it backwards, History forwards. Every
// change whose state before is not the state the previous change left (a
// new annotation, one written by an older layout) and every change once
// the differences since the last one add up to snapshotFactor times the
// annotation's size holds the whole state before as well, so rebuilding
// any state reads at most that many bytes of differences.
var (
	bucketChunks     = []byte("annotation_chunks")
	bucketHistoryLog = []byte("history_log")
)

const (
	// inlineItems is the longest list kept inside the annotation's record.
	inlineItems = 64
	// chunkMask cuts a chunk after an item whose key hash has these bits
	// set (one item in 16), and maxChunk items at most: small enough that
	// the chunk a tag rewrites fits a page.
	chunkMask = 15
	maxChunk  = 48
	// snapshotFactor: a change records the whole state before when the
	// differences recorded since the last such state reach this many
	// times the annotation's size.
	snapshotFactor = 4
	// cachedAnnotations is how many annotations a DB remembers as last
	// read or written, to compare a save with.
	cachedAnnotations = 16
)

// chunkRef names one chunk of a list: its id, how many items it holds and
// its size in bytes.
type chunkRef struct {
	ID uint64 `json:"id"`
	N  int    `json:"n"`
	B  int    `json:"b"`
}

// chunkList is stored as a base64 string of uvarints (id, items, bytes
// per chunk): a 2,000-item list's references decode in microseconds.
type chunkList []chunkRef

// MarshalJSON writes the list as its compact string.
func (l chunkList) MarshalJSON() ([]byte, error) {
	buf := make([]byte, 0, len(l)*6)
	for _, r := range l {
		buf = binary.AppendUvarint(buf, r.ID)
		buf = binary.AppendUvarint(buf, uint64(r.N))
		buf = binary.AppendUvarint(buf, uint64(r.B))
	}
	return json.Marshal(base64.RawStdEncoding.EncodeToString(buf))
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (l *chunkList) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	buf, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return fmt.Errorf("chunk list: %w", err)
	}
	*l = nil
	for len(buf) > 0 {
		var f [3]uint64
		for i := range f {
			n, k := binary.Uvarint(buf)
			if k <= 0 {
				return errors.New("chunk list is damaged")
			}
			f[i], buf = n, buf[k:]
		}
		*l = append(*l, chunkRef{ID: f[0], N: int(f[1]), B: int(f[2])})
	}
	return nil
}

// annotationRecord is an annotation as stored: the annotation (its lists
// that are chunked left empty), where the chunks are, and what the store
// needs to record the next change.
type annotationRecord struct {
	model.Annotation
	Chunks map[string]chunkList `json:"chunks,omitempty"`
	// Stamp is new at every write: a remembered state with the same stamp
	// is the stored one.
	Stamp uint64 `json:"stamp"`
	// Hist is the change that wrote this state (0 when none did).
	Hist uint64 `json:"hist,omitempty"`
	// Since is the bytes of differences recorded since the chain's last
	// whole state; Size the annotation's size as stored.
	Since     int    `json:"since,omitempty"`
	Size      int    `json:"size,omitempty"`
	NextChunk uint64 `json:"next_chunk,omitempty"`
}

// historyRecord is one stored change.
type historyRecord struct {
	Seq       uint64    `json:"seq"`
	Time      time.Time `json:"time"`
	Annotator string    `json:"annotator"`
	ArticleID string    `json:"article_id"`
	Action    string    `json:"action"`
	// Before is the whole state before, when recorded (see above).
	Before *model.Annotation `json:"before,omitempty"`
	// Cont: the state before is the state the chain's previous change
	// left.
	Cont  bool  `json:"cont,omitempty"`
	Delta delta `json:"delta"`
}

// scalars are an annotation's fields other than its lists; a nil field did
// not change.
type scalars struct {
	ArticleID *string       `json:"article_id,omitempty"`
	Annotator *string       `json:"annotator,omitempty"`
	Schema    *string       `json:"schema,omitempty"`
	Status    *model.Status `json:"status,omitempty"`
	Notes     *string       `json:"notes,omitempty"`
	UpdatedAt *time.Time    `json:"updated_at,omitempty"`
	Rev       *int          `json:"rev,omitempty"`
	NextID    *int          `json:"next_id,omitempty"`
	// Review is set when the review changed; what it holds may be nil
	// (no review), which is not the same as an empty one.
	Review *reviewValue `json:"review,omitempty"`
}

// reviewValue is an annotation's review as a change records it: the
// whole review, nil for none.
type reviewValue struct {
	Review *model.Review `json:"r"`
}

// splice replaces Del, at At, by Ins; WasNil and NowNil keep a nil list
// apart from an empty one.
type splice[T any] struct {
	At     int  `json:"at"`
	Del    []T  `json:"del,omitempty"`
	Ins    []T  `json:"ins,omitempty"`
	WasNil bool `json:"was_nil,omitempty"`
	NowNil bool `json:"now_nil,omitempty"`
}

// delta is the difference one change made.
type delta struct {
	Was       *scalars                   `json:"was,omitempty"`
	Now       *scalars                   `json:"now,omitempty"`
	Entities  *splice[model.Span]        `json:"entities,omitempty"`
	Referents *splice[model.Entity]      `json:"referents,omitempty"`
	Claims    *splice[model.Claim]       `json:"claims,omitempty"`
	Incidents *splice[model.Incident]    `json:"incidents,omitempty"`
	Sources   *splice[model.SourceGrade] `json:"sources,omitempty"`
	Rejected  *splice[model.Rejection]   `json:"rejected,omitempty"`
	Decisions *splice[model.Decision]    `json:"decisions,omitempty"`
}

// list describes one of an annotation's lists to the generic code.
type list[T any] struct {
	name  string
	field func(*model.Annotation) *[]T
	key   func(*T) string
	eq    func(*T, *T) bool
	splc  func(*delta) **splice[T]
}

func plainEqual[T comparable](a, b *T) bool { return *a == *b }
func deepEqual[T any](a, b *T) bool         { return reflect.DeepEqual(*a, *b) }

var (
	listEntities = list[model.Span]{"entities", func(a *model.Annotation) *[]model.Span { return &a.Entities },
		func(s *model.Span) string { return s.ID }, plainEqual[model.Span], func(d *delta) **splice[model.Span] { return &d.Entities }}
	listReferents = list[model.Entity]{"referents", func(a *model.Annotation) *[]model.Entity { return &a.Referents },
		func(e *model.Entity) string { return e.ID }, entityEqual, func(d *delta) **splice[model.Entity] { return &d.Referents }}
	listClaims = list[model.Claim]{"claims", func(a *model.Annotation) *[]model.Claim { return &a.Claims },
		func(c *model.Claim) string { return c.ID }, claimEqual, func(d *delta) **splice[model.Claim] { return &d.Claims }}
	listIncidents = list[model.Incident]{"incidents", func(a *model.Annotation) *[]model.Incident { return &a.Incidents },
		func(i *model.Incident) string { return i.ID }, deepEqual[model.Incident], func(d *delta) **splice[model.Incident] { return &d.Incidents }}
	listSources = list[model.SourceGrade]{"sources", func(a *model.Annotation) *[]model.SourceGrade { return &a.Sources },
		func(g *model.SourceGrade) string { return g.Source + "\x00" + g.SpanID + "\x00" + g.Entity }, plainEqual[model.SourceGrade],
		func(d *delta) **splice[model.SourceGrade] { return &d.Sources }}
	listRejected = list[model.Rejection]{"rejected", func(a *model.Annotation) *[]model.Rejection { return &a.Rejected },
		func(r *model.Rejection) string { return fmt.Sprint(r.Start, r.End, r.Label) }, plainEqual[model.Rejection],
		func(d *delta) **splice[model.Rejection] { return &d.Rejected }}
	listDecisions = list[model.Decision]{"decisions", func(a *model.Annotation) *[]model.Decision { return &a.Decisions },
		func(d *model.Decision) string { return d.Item + "\x00" + d.Kind }, deepEqual[model.Decision],
		func(d *delta) **splice[model.Decision] { return &d.Decisions }}
)

// entityEqual compares entities without reflection: an annotation may
// hold thousands.
func entityEqual(a, b *model.Entity) bool {
	return a.ID == b.ID && a.Name == b.Name && a.Label == b.Label && a.Registry == b.Registry && a.LabelNote == b.LabelNote &&
		slices.Equal(a.Aliases, b.Aliases) && slices.Equal(a.ExternalIDs, b.ExternalIDs) && slices.Equal(a.Affiliations, b.Affiliations) &&
		(a.Aliases == nil) == (b.Aliases == nil) && (a.ExternalIDs == nil) == (b.ExternalIDs == nil) && (a.Affiliations == nil) == (b.Affiliations == nil)
}

// claimEqual compares claims without reflection.
func claimEqual(a, b *model.Claim) bool {
	if a.ID != b.ID || a.Claimant != b.Claimant || a.Type != b.Type || a.Polarity != b.Polarity || a.Certainty != b.Certainty ||
		a.SelfInterested != b.SelfInterested || a.Credibility != b.Credibility || !ptrEqual(a.Cue, b.Cue) || !ptrEqual(a.Stance, b.Stance) ||
		!slices.Equal(a.Content, b.Content) || (a.Content == nil) != (b.Content == nil) || len(a.Figures) != len(b.Figures) || (a.Figures == nil) != (b.Figures == nil) {
		return false
	}
	for i := range a.Figures {
		f, g := &a.Figures[i], &b.Figures[i]
		if f.Counts != g.Counts || f.Qualifier != g.Qualifier || f.Text != g.Text || !ptrEqual(f.Value, g.Value) || !ptrEqual(f.Low, g.Low) || !ptrEqual(f.High, g.High) {
			return false
		}
	}
	return true
}

func ptrEqual[T comparable](a, b *T) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// lists lets code walk every list of an annotation without knowing its
// item type.
type anyList interface {
	listName() string
	diff(d *delta, a, b *model.Annotation)
	apply(d *delta, a *model.Annotation, forward bool) error
	store(w *recordWriter, next *model.Annotation) error
	load(r *recordReader, a *model.Annotation) error
	trimInline(a *model.Annotation)
}

var lists = []anyList{listEntities, listReferents, listClaims, listIncidents, listSources, listRejected, listDecisions}

func (l list[T]) listName() string { return l.name }

// diff records in d the splice that turns a's list into b's: what lies
// between their common beginning and common end.
func (l list[T]) diff(d *delta, a, b *model.Annotation) {
	x, y := *l.field(a), *l.field(b)
	if (x == nil) == (y == nil) && len(x) == len(y) {
		same := true
		for i := range x {
			if !l.eq(&x[i], &y[i]) {
				same = false
				break
			}
		}
		if same {
			return
		}
	}
	pre := 0
	for pre < len(x) && pre < len(y) && l.eq(&x[pre], &y[pre]) {
		pre++
	}
	suf := 0
	for suf < len(x)-pre && suf < len(y)-pre && l.eq(&x[len(x)-1-suf], &y[len(y)-1-suf]) {
		suf++
	}
	*l.splc(d) = &splice[T]{At: pre, Del: x[pre : len(x)-suf], Ins: y[pre : len(y)-suf], WasNil: x == nil, NowNil: y == nil}
}

// apply applies d's splice to a's list, forwards (before to after) or
// backwards. The list is always a new slice: states share no arrays that
// a later step changes.
func (l list[T]) apply(d *delta, a *model.Annotation, forward bool) error {
	s := *l.splc(d)
	if s == nil {
		return nil
	}
	del, ins, isNil := s.Del, s.Ins, s.NowNil
	if !forward {
		del, ins, isNil = s.Ins, s.Del, s.WasNil
	}
	x := *l.field(a)
	if s.At < 0 || s.At+len(del) > len(x) {
		return fmt.Errorf("%s: a change at item %d does not fit the %d items", l.name, s.At, len(x))
	}
	out := make([]T, 0, len(x)-len(del)+len(ins))
	out = append(append(append(out, x[:s.At]...), ins...), x[s.At+len(del):]...)
	if len(out) == 0 && isNil {
		out = nil
	}
	*l.field(a) = out
	return nil
}

// bounds cuts a long list into chunks: the end of each.
func (l list[T]) bounds(x []T) []int {
	var ends []int
	start := 0
	for i := range x {
		if fnv32a(l.key(&x[i]))&chunkMask == chunkMask || i+1-start >= maxChunk {
			ends = append(ends, i+1)
			start = i + 1
		}
	}
	if start < len(x) {
		ends = append(ends, len(x))
	}
	return ends
}

// fnv32a is the FNV-1a hash of s.
func fnv32a(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// store writes next's list: inline when short, else in chunks, reusing
// every chunk of the previous state (w.prev) that holds the same items.
func (l list[T]) store(w *recordWriter, next *model.Annotation) error {
	x := *l.field(next)
	if len(x) <= inlineItems {
		return nil
	}
	// The previous chunks, by their first item's key.
	type old struct {
		ref   chunkRef
		start int
	}
	prevByKey := map[string][]old{}
	if w.prev != nil && w.prevRec != nil {
		px := *l.field(w.prev)
		at := 0
		for _, r := range w.prevRec.Chunks[l.name] {
			if at+r.N > len(px) {
				break
			}
			k := l.key(&px[at])
			prevByKey[k] = append(prevByKey[k], old{r, at})
			at += r.N
		}
	}
	var refs []chunkRef
	start := 0
	for _, end := range l.bounds(x) {
		part := x[start:end]
		reused := false
		if w.prev != nil {
			px := *l.field(w.prev)
			for _, o := range prevByKey[l.key(&part[0])] {
				if o.ref.N != len(part) || w.kept[o.ref.ID] {
					continue
				}
				same := true
				for i := range part {
					if !l.eq(&px[o.start+i], &part[i]) {
						same = false
						break
					}
				}
				if same {
					refs = append(refs, o.ref)
					w.kept[o.ref.ID] = true
					w.rec.Size += o.ref.B
					reused = true
					break
				}
			}
		}
		if !reused {
			data, err := json.Marshal(part)
			if err != nil {
				return err
			}
			w.rec.NextChunk++
			ref := chunkRef{ID: w.rec.NextChunk, N: len(part), B: len(data)}
			if err := w.chunks.Put(chunkKey(w.key, ref.ID), data); err != nil {
				return err
			}
			refs = append(refs, ref)
			w.kept[ref.ID] = true
			w.rec.Size += len(data)
		}
		start = end
	}
	if w.rec.Chunks == nil {
		w.rec.Chunks = map[string]chunkList{}
	}
	w.rec.Chunks[l.name] = refs
	return nil
}

// trimInline empties a chunked list in the record written inline.
func (l list[T]) trimInline(a *model.Annotation) {
	if len(*l.field(a)) > inlineItems {
		*l.field(a) = nil
	}
}

// load reads a chunked list back.
func (l list[T]) load(r *recordReader, a *model.Annotation) error {
	refs, ok := r.rec.Chunks[l.name]
	if !ok {
		return nil
	}
	var out []T
	for _, ref := range refs {
		v := r.chunks.Get(chunkKey(r.key, ref.ID))
		if v == nil {
			return fmt.Errorf("%s: chunk %d is missing", l.name, ref.ID)
		}
		var part []T
		if err := json.Unmarshal(v, &part); err != nil {
			return fmt.Errorf("%s: chunk %d: %w", l.name, ref.ID, err)
		}
		if len(part) != ref.N {
			return fmt.Errorf("%s: chunk %d holds %d items, not %d", l.name, ref.ID, len(part), ref.N)
		}
		out = append(out, part...)
	}
	*l.field(a) = out
	return nil
}

func chunkKey(annKey []byte, id uint64) []byte {
	k := make([]byte, 0, len(annKey)+9)
	k = append(append(k, annKey...), 0)
	return append(k, u64(id)...)
}

// recordWriter carries what store needs while writing one record.
type recordWriter struct {
	key     []byte
	chunks  *bucketS
	prev    *model.Annotation
	prevRec *annotationRecord
	rec     *annotationRecord
	kept    map[uint64]bool
}

type recordReader struct {
	key    []byte
	chunks *bucketS
	rec    *annotationRecord
}

// readRecord reads an annotation's record (not its chunks).
func readRecord(tx *txn, key []byte) (*annotationRecord, error) {
	b, err := bucket(tx, bucketAnnotations)
	if err != nil {
		return nil, err
	}
	v := b.Get(key)
	if v == nil {
		return nil, nil
	}
	return decodeRecord(key, v)
}

func decodeRecord(key, v []byte) (*annotationRecord, error) {
	var rec annotationRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return nil, fmt.Errorf("annotation of %s is damaged: %w", keyName(key), err)
	}
	return &rec, nil
}

// keyName shows an annotation key as "ARTICLE by ANNOTATOR".
func keyName(key []byte) string {
	return string(bytes.Replace(key, []byte{0}, []byte(" by "), 1))
}

// loadAnnotation returns the whole annotation a record stands for.
func loadAnnotation(tx *txn, key []byte, rec *annotationRecord) (model.Annotation, error) {
	a := rec.Annotation
	if len(rec.Chunks) == 0 {
		return a, nil
	}
	chunks, err := bucket(tx, bucketChunks)
	if err != nil {
		return a, err
	}
	r := &recordReader{key: key, chunks: chunks, rec: rec}
	for _, l := range lists {
		if err := l.load(r, &a); err != nil {
			return a, fmt.Errorf("annotation of %s is damaged: %w", keyName(key), err)
		}
	}
	return a, nil
}

// putAnnotation stores next as the annotation at key, prev (with its
// record prevRec) being what is stored now (both nil when nothing is),
// and removes the chunks it no longer uses.
func putAnnotation(tx *txn, key []byte, prevRec *annotationRecord, prev *model.Annotation, next model.Annotation, hist uint64, since int) (*annotationRecord, error) {
	chunks, err := bucket(tx, bucketChunks)
	if err != nil {
		return nil, err
	}
	rec := &annotationRecord{Annotation: next, Stamp: rand.Uint64() | 1, Hist: hist, Since: since}
	if prevRec != nil {
		rec.NextChunk = prevRec.NextChunk
	}
	w := &recordWriter{key: key, chunks: chunks, prev: prev, prevRec: prevRec, rec: rec, kept: map[uint64]bool{}}
	for _, l := range lists {
		if err := l.store(w, &next); err != nil {
			return nil, err
		}
		l.trimInline(&rec.Annotation)
	}
	if prevRec != nil {
		for _, refs := range prevRec.Chunks {
			for _, r := range refs {
				if !w.kept[r.ID] {
					if err := chunks.Delete(chunkKey(key, r.ID)); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	rec.Size += len(data)
	rec.Annotation = next
	return rec, tx.Bucket(bucketAnnotations).Put(key, data)
}

// diffAnnotations is the difference from a to b.
func diffAnnotations(a, b *model.Annotation) delta {
	var d delta
	for _, l := range lists {
		l.diff(&d, a, b)
	}
	var was, now scalars
	changed := false
	str := func(x, y string, w, n **string) {
		if x != y {
			*w, *n, changed = &x, &y, true
		}
	}
	str(a.ArticleID, b.ArticleID, &was.ArticleID, &now.ArticleID)
	str(a.Annotator, b.Annotator, &was.Annotator, &now.Annotator)
	str(a.Schema, b.Schema, &was.Schema, &now.Schema)
	str(a.Notes, b.Notes, &was.Notes, &now.Notes)
	if a.Status != b.Status {
		x, y := a.Status, b.Status
		was.Status, now.Status, changed = &x, &y, true
	}
	if !a.UpdatedAt.Equal(b.UpdatedAt) || a.UpdatedAt.Location() != b.UpdatedAt.Location() {
		x, y := a.UpdatedAt, b.UpdatedAt
		was.UpdatedAt, now.UpdatedAt, changed = &x, &y, true
	}
	if a.Rev != b.Rev {
		x, y := a.Rev, b.Rev
		was.Rev, now.Rev, changed = &x, &y, true
	}
	if a.NextID != b.NextID {
		x, y := a.NextID, b.NextID
		was.NextID, now.NextID, changed = &x, &y, true
	}
	if !reflect.DeepEqual(a.Review, b.Review) {
		was.Review, now.Review, changed = &reviewValue{a.Review.Clone()}, &reviewValue{b.Review.Clone()}, true
	}
	if changed {
		d.Was, d.Now = &was, &now
	}
	return d
}

// applyDelta turns state into the state after d (forward) or before it.
func applyDelta(state model.Annotation, d *delta, forward bool) (model.Annotation, error) {
	for _, l := range lists {
		if err := l.apply(d, &state, forward); err != nil {
			return state, err
		}
	}
	// These lists are left out of the JSON when empty: a state read
	// back has nil there.
	if len(state.Referents) == 0 {
		state.Referents = nil
	}
	if len(state.Rejected) == 0 {
		state.Rejected = nil
	}
	if len(state.Decisions) == 0 {
		state.Decisions = nil
	}
	s := d.Now
	if !forward {
		s = d.Was
	}
	if s != nil {
		setStr := func(p *string, v *string) {
			if v != nil {
				*p = *v
			}
		}
		setStr(&state.ArticleID, s.ArticleID)
		setStr(&state.Annotator, s.Annotator)
		setStr(&state.Schema, s.Schema)
		setStr(&state.Notes, s.Notes)
		if s.Status != nil {
			state.Status = *s.Status
		}
		if s.UpdatedAt != nil {
			state.UpdatedAt = *s.UpdatedAt
		}
		if s.Rev != nil {
			state.Rev = *s.Rev
		}
		if s.NextID != nil {
			state.NextID = *s.NextID
		}
		if s.Review != nil {
			state.Review = s.Review.Review.Clone()
		}
	}
	return state, nil
}

func historyKey(annKey []byte, seq uint64) []byte {
	k := make([]byte, 0, len(annKey)+9)
	k = append(append(k, annKey...), 0)
	return append(k, u64(seq)...)
}

// chainPrefix is the prefix of an annotation's history keys (and of its
// chunk keys and undo keys in their buckets).
func chainPrefix(annKey []byte) []byte {
	return append(bytes.Clone(annKey), 0)
}

// appendChange records one change of the annotation at annKey from before
// to after under seq. last is the seq of the change that left before
// (0 when none did: a new annotation, or one written without history) and
// since, size the differences recorded since the last whole state and
// the annotation's size. It returns the new since.
func appendChange(tx *txn, annKey []byte, seq uint64, meta store.HistoryEntry, before, after *model.Annotation, last uint64, since, size int) (int, error) {
	hist := tx.Bucket(bucketHistory)
	rec := historyRecord{Seq: seq, Time: meta.Time, Annotator: meta.Annotator, ArticleID: meta.ArticleID, Action: meta.Action,
		Delta: diffAnnotations(before, after)}
	rec.Cont = last != 0 && hist.Get(historyKey(annKey, last)) != nil
	data, err := json.Marshal(rec)
	if err != nil {
		return 0, err
	}
	if !rec.Cont || since+len(data) > snapshotFactor*max(size, 512) {
		b := *before
		rec.Before = &b
		if data, err = json.Marshal(rec); err != nil {
			return 0, err
		}
		since = 0
	} else {
		since += len(data)
	}
	if err := hist.Put(historyKey(annKey, seq), data); err != nil {
		return 0, err
	}
	return since, tx.Bucket(bucketHistoryLog).Put(u64(seq), annKey)
}

func decodeHistory(k, v []byte) (historyRecord, error) {
	var h historyRecord
	if err := json.Unmarshal(v, &h); err != nil {
		return h, fmt.Errorf("history entry %x is damaged: %w", k, err)
	}
	return h, nil
}

// stateBefore rebuilds the state before change seq of the annotation at
// annKey. cur and rec are the annotation as stored: when the changes
// from seq to the one that wrote cur follow each other, it walks back
// from cur; otherwise forward from the last whole state at or before seq.
func stateBefore(tx *txn, annKey []byte, seq uint64, cur *model.Annotation, rec *annotationRecord) (model.Annotation, error) {
	c := tx.Bucket(bucketHistory).Cursor()
	prefix := chainPrefix(annKey)
	if cur != nil && rec != nil && rec.Hist >= seq {
		state := *cur
		ok := true
		k, v := c.Seek(historyKey(annKey, rec.Hist))
		if k == nil || !bytes.Equal(k, historyKey(annKey, rec.Hist)) {
			ok = false
		}
		for ok && k != nil && bytes.HasPrefix(k, prefix) {
			h, err := decodeHistory(k, v)
			if err != nil {
				return state, err
			}
			if h.Before != nil {
				state = *h.Before
			} else if state, err = applyDelta(state, &h.Delta, false); err != nil {
				return state, fmt.Errorf("history entry %d: %w", h.Seq, err)
			}
			if h.Seq == seq {
				return state, nil
			}
			if !h.Cont {
				break
			}
			k, v = c.Prev()
		}
	}
	return forwardBefore(tx, annKey, seq)
}

// forwardBefore rebuilds the state before change seq from the last whole
// state at or before it.
func forwardBefore(tx *txn, annKey []byte, seq uint64) (model.Annotation, error) {
	c := tx.Bucket(bucketHistory).Cursor()
	prefix := chainPrefix(annKey)
	k, v := c.Seek(historyKey(annKey, seq))
	if k == nil || !bytes.Equal(k, historyKey(annKey, seq)) {
		return model.Annotation{}, fmt.Errorf("history entry %d of %s is missing", seq, keyName(annKey))
	}
	var path []historyRecord
	for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
		h, err := decodeHistory(k, v)
		if err != nil {
			return model.Annotation{}, err
		}
		path = append(path, h)
		if h.Before != nil {
			break
		}
	}
	last := path[len(path)-1]
	if last.Before == nil {
		return model.Annotation{}, fmt.Errorf("history of %s is damaged: no whole state before change %d", keyName(annKey), seq)
	}
	state := *last.Before
	for i := len(path) - 1; i > 0; i-- {
		var err error
		if state, err = applyDelta(state, &path[i].Delta, true); err != nil {
			return state, fmt.Errorf("history entry %d: %w", path[i].Seq, err)
		}
	}
	return state, nil
}

// cachedAnnotation is an annotation as this DB last read or wrote it.
type cachedAnnotation struct {
	stamp uint64
	state model.Annotation
}

// remember keeps a state of the annotation at key, sharing its lists: an
// annotation read or saved is never changed in place (changes are made
// to a Clone, the model's rule, which the screen's own unchanged-check
// relies on too).
func (db *DB) remember(key []byte, stamp uint64, a model.Annotation) {
	if db == nil {
		return
	}
	if db.cache == nil {
		db.cache = map[string]cachedAnnotation{}
	}
	if _, ok := db.cache[string(key)]; !ok && len(db.cache) >= cachedAnnotations {
		for k := range db.cache {
			delete(db.cache, k)
			break
		}
	}
	db.cache[string(key)] = cachedAnnotation{stamp, a}
}

// recall returns the remembered state when it is the stored one.
func (db *DB) recall(key []byte, rec *annotationRecord) (model.Annotation, bool) {
	if db == nil || rec == nil {
		return model.Annotation{}, false
	}
	c, ok := db.cache[string(key)]
	if !ok || c.stamp != rec.Stamp {
		return model.Annotation{}, false
	}
	return c.state, true
}

// undoKey is an entry of an undo ('u') or redo ('r') stack.
func undoKey(annKey []byte, stack byte, seq uint64) []byte {
	k := make([]byte, 0, len(annKey)+10)
	k = append(append(k, annKey...), 0, stack)
	return append(k, u64(seq)...)
}

// pushUndo puts seq on top of a stack (seqs only grow: the top is the
// last key).
func pushUndo(tx *txn, annKey []byte, stack byte, seq uint64) error {
	return tx.Bucket(bucketUndo).Put(undoKey(annKey, stack, seq), nil)
}

// popUndo takes the top of a stack (0 when it is empty).
func popUndo(tx *txn, annKey []byte, stack byte) (uint64, error) {
	prefix := undoKey(annKey, stack, 0)
	prefix = prefix[:len(prefix)-8]
	c := tx.Bucket(bucketUndo).Cursor()
	k, _ := c.Seek(append(bytes.Clone(prefix), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	if k == nil || !bytes.HasPrefix(k, prefix) || len(k) != len(prefix)+8 {
		return 0, nil
	}
	seq := binary.BigEndian.Uint64(k[len(prefix):])
	return seq, c.Delete()
}

// clearUndo empties a stack.
func clearUndo(tx *txn, annKey []byte, stack byte) error {
	prefix := undoKey(annKey, stack, 0)
	prefix = prefix[:len(prefix)-8]
	c := tx.Bucket(bucketUndo).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
		if err := c.Delete(); err != nil {
			return err
		}
	}
	return nil
}

// stack lists a stack's seqs, bottom first.
func stack(tx *txn, annKey []byte, which byte) []uint64 {
	prefix := undoKey(annKey, which, 0)
	prefix = prefix[:len(prefix)-8]
	var out []uint64
	c := tx.Bucket(bucketUndo).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) == len(prefix)+8 {
			out = append(out, binary.BigEndian.Uint64(k[len(prefix):]))
		}
	}
	return out
}
