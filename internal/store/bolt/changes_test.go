package bolt

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// spansOf lists an annotation's spans and entities as comparable text.
func spansOf(a model.Annotation) string {
	return fmt.Sprint(a.Entities, a.Referents, a.Notes, a.Status, a.NextID)
}

// TestChangesRoundTrip: random edits of a long annotation (inserts,
// deletes and relabels anywhere in lists long enough to be chunked, notes
// and status) read back exactly through another handle after each save;
// History gives every state before; undo walks back through every state
// and redo forward again.
func TestChangesRoundTrip(t *testing.T) {
	db, path := newDB(t)
	id := addTexts(t, db, "a long article to edit")[0]
	other := openAt(t, path)
	rng := rand.New(rand.NewPCG(21, 22))
	a := mustAnnotation(t, db, id, "alice")
	var states []string // states[i]: before save i
	const saves = 260
	for i := 0; i < saves; i++ {
		states = append(states, spansOf(a))
		next := a.Clone()
		switch op := rng.IntN(6); {
		case op <= 3 || len(next.Entities) < 5: // insert a mention and its entity
			at := rng.IntN(len(next.Entities) + 1)
			e, n := next.NewID("e"), next.NewID("n")
			next.Entities = append(next.Entities[:at], append([]model.Span{{ID: e, Start: i, End: i + 1, Label: "ORG", Entity: n}}, next.Entities[at:]...)...)
			next.Referents = append(next.Referents, model.Entity{ID: n, Name: "entity " + n, Label: "ORG"})
		case op == 3:
			at := rng.IntN(len(next.Entities))
			next.Entities = append(next.Entities[:at], next.Entities[at+1:]...)
		case op == 4:
			at := rng.IntN(len(next.Entities))
			next.Entities[at].Label = "GPE"
			next.Referents[rng.IntN(len(next.Referents))].Aliases = []string{fmt.Sprint("alias ", i)}
		default:
			next.Notes = fmt.Sprint("note ", i)
			next.Status = model.Statuses[rng.IntN(len(model.Statuses))]
		}
		a = mustSave(t, db, next, fmt.Sprint("edit ", i))
		if got := mustAnnotation(t, other, id, "alice"); !reflect.DeepEqual(got, a) {
			t.Fatalf("save %d: another handle reads\n%+v\nwant\n%+v", i, got, a)
		}
	}
	if len(a.Entities) <= inlineItems {
		t.Fatalf("test setup: %d spans, too few to be chunked", len(a.Entities))
	}
	final := spansOf(a)
	i := 0
	err := db.History(id, "alice", func(e store.HistoryEntry) error {
		if got := spansOf(*e.Before); got != states[i] {
			t.Errorf("history entry %d: state before differs", i)
		}
		i++
		return nil
	})
	if err != nil || i != saves {
		t.Fatalf("history: %d entries, %v", i, err)
	}
	for i := saves - 1; i >= 0; i-- {
		got, _, err := other.Undo(id, "alice")
		if err != nil {
			t.Fatalf("undo %d: %v", i, err)
		}
		if spansOf(got) != states[i] {
			t.Fatalf("undo to before save %d: wrong state", i)
		}
	}
	for i := 1; i <= saves; i++ {
		got, _, err := db.Redo(id, "alice")
		if err != nil {
			t.Fatalf("redo %d: %v", i, err)
		}
		want := final
		if i < saves {
			want = states[i]
		}
		if spansOf(got) != want {
			t.Fatalf("redo %d: wrong state", i)
		}
	}
	if problems, err := db.Check(); err != nil || len(problems) > 0 {
		t.Errorf("Check: %v, %v", problems, err)
	}
}

// TestMigrateChangesFromLayout5: a layout 5 history (each entry keyed by
// its number, holding the whole state before; the undo stack one JSON
// record) becomes differences by annotation: every state before is kept,
// undo and redo step through them, and the history takes far less room.
func TestMigrateChangesFromLayout5(t *testing.T) {
	path := filepath.Join(t.TempDir(), "layout5.db")
	text := "an article edited 150 times before layout 6"
	id := model.ArticleID(text)
	states := []model.Annotation{model.NewAnnotation(id, "alice", "conflict-incidents")}
	for i := 1; i <= 150; i++ {
		s := states[i-1].Clone()
		e, n := s.NewID("e"), s.NewID("n")
		s.Entities = append(s.Entities, model.Span{ID: e, Start: 0, End: 2, Label: "ORG", Entity: n})
		s.Referents = append(s.Referents, model.Entity{ID: n, Name: "an", Label: "ORG"})
		s.Rev, s.Status = i, model.StatusInProgress
		s.UpdatedAt = clockStart.Add(time.Duration(i) * time.Second)
		states = append(states, s)
	}
	var oldBytes int
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = b.Update(func(btx *bolt.Tx) error {
		tx := &txn{Tx: btx} // an old layout: values as they are
		if err := migrateTo(tx, 5); err != nil {
			return err
		}
		art := newArticle(text)
		art.ID = id
		if err := insertArticle(tx, art); err != nil {
			return err
		}
		key := annotationKey(id, "alice")
		if err := putJSON(tx.Bucket(bucketAnnotations), key, states[150]); err != nil {
			return err
		}
		if err := setStatus(tx, id, "alice", queueState{}, queueState{Status: model.StatusInProgress}); err != nil {
			return err
		}
		hist := tx.Bucket(bucketHistory)
		var stacks undoStacks
		for i := 1; i <= 150; i++ {
			seq, _ := hist.NextSequence()
			before := states[i-1]
			data, _ := json.Marshal(store.HistoryEntry{Seq: seq, Time: states[i].UpdatedAt, Annotator: "alice", ArticleID: id, Action: fmt.Sprint("tag ", i), Before: &before})
			oldBytes += len(data)
			if err := hist.Put(u64(seq), data); err != nil {
				return err
			}
			stacks.Undo = append(stacks.Undo, seq)
		}
		return putJSON(tx.Bucket(bucketUndo), key, stacks)
	})
	b.Close()
	if err != nil {
		t.Fatal(err)
	}

	db := openAt(t, path)
	if v := storedVersionAt(t, path); v != CurrentVersion {
		t.Fatalf("layout %d after Open, want %d", v, CurrentVersion)
	}
	if got := mustAnnotation(t, db, id, "alice"); !reflect.DeepEqual(got, states[150]) {
		t.Errorf("migrated annotation differs:\n%+v\nwant\n%+v", got, states[150])
	}
	n := 0
	err = db.History(id, "alice", func(e store.HistoryEntry) error {
		if !reflect.DeepEqual(*e.Before, states[n]) || e.Action != fmt.Sprint("tag ", n+1) {
			t.Errorf("history entry %d: %q, state before differs", n, e.Action)
		}
		n++
		return nil
	})
	if err != nil || n != 150 {
		t.Fatalf("history: %d entries, %v", n, err)
	}
	for i := 149; i >= 140; i-- {
		got, _, err := db.Undo(id, "alice")
		if err != nil || spansOf(got) != spansOf(states[i]) {
			t.Fatalf("undo to state %d: %v", i, err)
		}
	}
	if got, _, err := db.Redo(id, "alice"); err != nil || spansOf(got) != spansOf(states[141]) {
		t.Fatalf("redo: %v", err)
	}
	var newBytes int
	_ = db.view(func(tx *txn) error {
		return tx.Bucket(bucketHistory).ForEach(func(k, v []byte) error { newBytes += len(k) + len(v); return nil })
	})
	if newBytes*3 > oldBytes {
		t.Errorf("history takes %d bytes after the migration, %d before: want a third or less", newBytes, oldBytes)
	}
	if problems, err := db.Check(); err != nil || len(problems) > 0 {
		t.Errorf("Check: %v, %v", problems, err)
	}
}

// reviewStates are the reviews TestChangesKeepReview saves one after the
// other: none, returned with a comment and its reply, accepted, an empty
// review (set, but no state yet: kept apart from none), none again.
func reviewStates() []*model.Review {
	at := clockStart.Add(time.Hour)
	returned := &model.Review{State: model.ReviewReturned, By: "carol", At: at,
		Seen: map[string]string{"span 0-4": "d1", "claim 5-12": "d2"},
		Comments: []model.Comment{{Item: "span 0-4", Text: "ISIS is an ORG here", By: "carol", At: at,
			Replies: []model.Comment{{Item: "span 0-4", Text: "fixed", By: "alice", At: at.Add(time.Minute)}}}}}
	accepted := returned.Clone()
	accepted.State, accepted.At, accepted.Seen = model.ReviewAccepted, at.Add(time.Hour), nil
	return []*model.Review{nil, returned, accepted, {}, nil}
}

// TestChangesKeepReview: a change to an annotation's review (its state,
// reviewer, time, what was seen and the comments) is recorded like any
// other field, a review set apart from none: History gives every state
// before, undo walks back through them and redo forward, also through
// another handle on the file.
func TestChangesKeepReview(t *testing.T) {
	db, path := newDB(t)
	id := addTexts(t, db, "ISIS claimed the attack on Raqqa.")[0]
	reviews := reviewStates()
	var states []model.Annotation // states[i]: stored after save i
	a := mustAnnotation(t, db, id, "alice")
	for i, r := range reviews {
		next := a.Clone()
		next.Review = r.Clone()
		next.Notes = fmt.Sprint("note ", i)
		a = mustSave(t, db, next, fmt.Sprint("review ", i))
		states = append(states, mustAnnotation(t, db, id, "alice"))
		if !reflect.DeepEqual(states[i].Review, r) {
			t.Fatalf("save %d: review read back as %+v, want %+v", i, states[i].Review, r)
		}
	}
	i := 0
	err := db.History(id, "alice", func(e store.HistoryEntry) error {
		if i > 0 && !reflect.DeepEqual(e.Before.Review, reviews[i-1]) {
			t.Errorf("history entry %d: review before %+v, want %+v", i, e.Before.Review, reviews[i-1])
		}
		i++
		return nil
	})
	if err != nil || i != len(reviews) {
		t.Fatalf("history: %d entries, %v", i, err)
	}
	other := openAt(t, path)
	for i := len(reviews) - 2; i >= 0; i-- {
		got, _, err := other.Undo(id, "alice")
		if err != nil {
			t.Fatalf("undo to after save %d: %v", i, err)
		}
		if !reflect.DeepEqual(got.Review, reviews[i]) || got.Notes != states[i].Notes {
			t.Fatalf("undo to after save %d: review %+v, want %+v", i, got.Review, reviews[i])
		}
		if stored := mustAnnotation(t, db, id, "alice"); !reflect.DeepEqual(stored.Review, reviews[i]) {
			t.Fatalf("undo to after save %d: stored review %+v, want %+v", i, stored.Review, reviews[i])
		}
	}
	for i := 1; i < len(reviews); i++ {
		got, _, err := db.Redo(id, "alice")
		if err != nil {
			t.Fatalf("redo of save %d: %v", i, err)
		}
		if !reflect.DeepEqual(got.Review, reviews[i]) {
			t.Fatalf("redo of save %d: review %+v, want %+v", i, got.Review, reviews[i])
		}
	}
	// The undo and redo are changes too: their states before come back.
	var befores []*model.Review
	if err := other.History(id, "alice", func(e store.HistoryEntry) error {
		befores = append(befores, e.Before.Review)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	n := len(reviews)
	want := append([]*model.Review{nil}, reviews[:n-1]...) // the saves
	want = append(want, reverse(reviews[1:])...)           // the undos
	want = append(want, reviews[:n-1]...)                  // the redos
	if len(befores) != len(want) {
		t.Fatalf("%d history entries, want %d", len(befores), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(befores[i], want[i]) {
			t.Errorf("history entry %d: review before %+v, want %+v", i, befores[i], want[i])
		}
	}
	if problems, err := db.Check(); err != nil || len(problems) > 0 {
		t.Errorf("Check: %v, %v", problems, err)
	}
}

func reverse[T any](s []T) []T {
	out := make([]T, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}
