package bolt

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// sealFixture builds a database with a record in every bucket: articles,
// annotations by two annotators and gold (with decisions), one large
// enough to be kept in chunks, history, undo and redo entries, statuses,
// the queue's indexes and counters, a registry entry with its history,
// and a schema.
func sealFixture(t *testing.T) (path string, ids []string) {
	t.Helper()
	db, path := newDB(t)
	big := strings.Repeat("ISIS fighters attacked a checkpoint near Raqqa. ", 4200)
	ids = addTexts(t, db, "ISIS claimed 53 killed; the SDF said this was exaggerated.", "A second report from Hasakah.", big)
	if err := db.SetSchema(model.DefaultSchema()); err != nil {
		t.Fatal(err)
	}
	r := mustRegister(t, db, model.RegistryEntry{Name: "ISIS", Label: "ORG"}, "alice")
	for _, who := range []string{"alice", "bob"} {
		a := model.NewAnnotation(ids[0], who, "conflict-incidents")
		a.Status = model.StatusInProgress
		a.Entities = []model.Span{{ID: "e1", Start: 0, End: 4, Label: "ORG", Entity: "n1"}}
		a.Referents = []model.Entity{{ID: "n1", Name: "ISIS", Label: "ORG", Registry: r.ID}}
		a = mustSave(t, db, a, "tag “ISIS” ORG")
		a.Entities = append(a.Entities, model.Span{ID: "e2", Start: 35, End: 38, Label: "ORG", Entity: "n2"})
		a.Referents = append(a.Referents, model.Entity{ID: "n2", Name: "SDF", Label: "ORG"})
		a = mustSave(t, db, a, "tag “SDF” ORG")
		a.Status = model.StatusDone
		mustSave(t, db, a, "mark done")
	}
	if _, _, err := db.Undo(ids[0], "bob"); err != nil { // leaves a redo entry
		t.Fatal(err)
	}
	gold := mustAnnotation(t, db, ids[0], "alice")
	gold.Annotator, gold.Rev = model.GoldAnnotator, 0
	gold.Decisions = []model.Decision{{Item: "span 0-4", Kind: "span", From: []string{"alice", "bob"}, By: "carol", At: clockStart}}
	mustSave(t, db, gold, "adjudicate")
	b := bigAnnotation(ids[2], 400)
	b.Annotator = "alice"
	mustSave(t, db, b, "pretag")
	if _, ok, err := db.Assign("carol", 2, time.Hour); err != nil || !ok {
		t.Fatalf("Assign: %v %v", ok, err)
	}
	return path, ids
}

// readAll runs every read a command makes and returns what each gave:
// its output as JSON, or its error.
type readResult struct {
	out string
	err error
}

func readAll(t *testing.T, path string, ids []string) map[string]readResult {
	t.Helper()
	db, err := Open(path, Options{LockTimeout: 2 * time.Second})
	if err != nil {
		return map[string]readResult{"open": {err: err}}
	}
	defer db.Close()
	res := map[string]readResult{}
	record := func(name string, v any, err error) {
		out, _ := json.Marshal(v)
		res[name] = readResult{string(out), err}
	}
	for _, id := range ids {
		a, err := db.Article(id)
		record("article "+id, a, err)
		for _, who := range []string{"alice", "bob", model.GoldAnnotator} {
			an, err := db.Annotation(id, who)
			record("annotation "+id+" "+who, an, err)
			var hist []store.HistoryEntry
			err = db.History(id, who, func(h store.HistoryEntry) error { hist = append(hist, h); return nil })
			record("history "+id+" "+who, hist, err)
		}
	}
	for _, id := range ids {
		var all []store.HistoryEntry
		err = db.History(id, "", func(h store.HistoryEntry) error { all = append(all, h); return nil })
		record("history "+id, all, err)
	}
	var global []store.HistoryEntry
	err = db.History("", "", func(h store.HistoryEntry) error { global = append(global, h); return nil })
	record("history of all", global, err)
	var recs []store.Record
	err = db.Each(store.Filter{All: true}, func(r store.Record) error { recs = append(recs, r); return nil })
	record("each", recs, err)
	var sums []store.ArticleSummary
	err = db.Articles(func(s store.ArticleSummary) error { sums = append(sums, s); return nil })
	record("articles", sums, err)
	for _, who := range []string{"alice", "bob", model.GoldAnnotator} {
		for _, st := range []model.Status{"", model.StatusDone, model.StatusTodo} {
			p, err := db.Page(store.Query{Annotator: who, Status: st, Limit: 50})
			record(fmt.Sprintf("page %s %s", who, st), p, err)
		}
		id, ok, err := db.NextToWork(who, "")
		record("next "+who, []any{id, ok}, err)
	}
	var reg []model.RegistryEntry
	err = db.Registry(func(e model.RegistryEntry) error { reg = append(reg, e); return nil })
	record("registry", reg, err)
	var regh []store.RegistryChange
	err = db.RegistryHistory(func(c store.RegistryChange) error { regh = append(regh, c); return nil })
	record("registry history", regh, err)
	s, err := db.Schema()
	record("schema", s, err)
	var claims []store.Claim
	err = db.Claims(func(c store.Claim) error { claims = append(claims, c); return nil })
	record("claims", claims, err)
	return res
}

// TestEveryDamagedRecordIsNamed: one bit flipped in any stored record, of
// any bucket. Every read either gives what it gave before (it did not read
// that record) or fails naming the record; none gives other data without
// an error. Check lists the record, Verify (run before an import or a
// merge writes) refuses, and a write that meets it changes nothing.
func TestEveryDamagedRecordIsNamed(t *testing.T) {
	path, ids := sealFixture(t)
	want := readAll(t, path, ids)
	for name, r := range want {
		if r.err != nil {
			t.Fatalf("undamaged: %s: %v", name, r.err)
		}
	}
	type rec struct {
		bucket string
		key    []byte
		size   int
	}
	var recs []rec
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_ = b.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, bk *bolt.Bucket) error {
			return bk.ForEach(func(k, v []byte) error {
				recs = append(recs, rec{string(name), append([]byte(nil), k...), len(v)})
				return nil
			})
		})
	})
	b.Close()
	buckets := map[string]int{}
	for _, r := range recs {
		buckets[r.bucket]++
	}
	for _, name := range []string{"meta", "articles", "annotations", "annotation_chunks", "history", "history_log", "undo", "status", "registry", "registry_history", "summaries", "article_seqs", "article_status", "queue", "counts", "claims"} {
		if buckets[name] == 0 && name != "status" {
			t.Errorf("fixture has no record in bucket %q (has %v)", name, buckets)
		}
	}
	rng := rand.New(rand.NewPCG(7, 12))
	dir := t.TempDir()
	for i, r := range recs {
		name := recordName(r.bucket, r.key)
		t.Run(fmt.Sprintf("%03d %s", i, strings.ReplaceAll(name, "/", "_")), func(t *testing.T) {
			damaged := filepath.Join(dir, fmt.Sprintf("d%d.db", i))
			copyFile(t, path, damaged)
			bit := rng.IntN(r.size * 8)
			flipValueBit(t, damaged, r.bucket, r.key, bit)
			got := readAll(t, damaged, ids)
			if o, ok := got["open"]; ok {
				if r.bucket == "meta" && string(r.key) == "version" && o.err != nil && strings.Contains(o.err.Error(), "meta/version") {
					return // the version itself: nothing can be read, and Open says so
				}
				t.Fatalf("Open: %v", o.err)
			}
			met := 0
			for what, w := range want {
				g := got[what]
				switch {
				case g.err == nil && g.out == w.out:
				case g.err == nil:
					t.Errorf("%s gave other data without an error:\n got %.300s\nwant %.300s", what, g.out, w.out)
				case !errors.Is(g.err, ErrDamaged) || !strings.Contains(g.err.Error(), name) || !strings.Contains(g.err.Error(), damaged):
					t.Errorf("%s: %v; want the damage named (%s in %s)", what, g.err, name, damaged)
				default:
					met++
				}
			}
			db, err := Open(damaged, Options{LockTimeout: 2 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			problems, err := db.Check()
			if err != nil || !strings.Contains(strings.Join(problems, "\n"), name) {
				t.Errorf("Check = %q, %v; want %s listed", problems, err, name)
			}
			if err := db.Verify(); err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("Verify = %v; want %s named", err, name)
			}
			// Writes, each on its own copy: one that meets the damage
			// fails naming it and changes nothing.
			for _, w := range sealWrites(ids) {
				copyFile(t, damaged, damaged+".w")
				wdb, err := Open(damaged+".w", Options{LockTimeout: 2 * time.Second})
				if err != nil {
					t.Fatal(err)
				}
				for _, fn := range w.steps {
					before := fileBytes(t, damaged+".w")
					err := fn(wdb)
					if err == nil {
						continue
					}
					switch {
					case !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), name):
						t.Errorf("%s: %v; want the damage named (%s)", w.name, err, name)
					case string(fileBytes(t, damaged+".w")) != string(before):
						t.Errorf("%s met the damage (%v) and changed the file", w.name, err)
					default:
						met++
					}
					break
				}
				wdb.Close()
			}
			if met == 0 {
				t.Errorf("no read or write met %s: the reads above miss a kind of record", name)
			}
		})
	}
}

type sealWrite struct {
	name  string
	steps []func(*DB) error
}

func sealWrites(ids []string) []sealWrite {
	// step undoes (or redoes) n times, each a transaction reading the
	// entry on top.
	step := func(undo bool, who string, n int) []func(*DB) error {
		var steps []func(*DB) error
		for range n {
			steps = append(steps, func(db *DB) error {
				var err error
				if undo {
					_, _, err = db.Undo(ids[0], who)
				} else {
					_, _, err = db.Redo(ids[0], who)
				}
				if errors.Is(err, store.ErrNothingToUndo) || errors.Is(err, store.ErrNothingToRedo) {
					return nil
				}
				return err
			})
		}
		return steps
	}
	one := func(fn func(*DB) error) []func(*DB) error { return []func(*DB) error{fn} }
	return []sealWrite{
		{"save", one(func(db *DB) error {
			a := mustAnnotationOrEmpty(db, ids[1], "alice")
			a.Status = model.StatusInProgress
			_, err := db.Save(a, "edit")
			return err
		})},
		{"undo alice", step(true, "alice", 3)},
		{"undo bob", step(true, "bob", 2)},
		{"redo bob", step(false, "bob", 1)},
		{"undo gold", step(true, model.GoldAnnotator, 1)},
		{"undo alice big", one(func(db *DB) error { _, _, err := db.Undo(ids[2], "alice"); return err })},
		{"assign", one(func(db *DB) error { _, _, err := db.Assign("dora", 2, time.Hour); return err })},
		{"add", one(func(db *DB) error { _, err := db.AddArticles([]model.Article{newArticle("A new report.")}); return err })},
	}
}

func mustAnnotationOrEmpty(db *DB, id, who string) model.Annotation {
	a, err := db.Annotation(id, who)
	if err != nil {
		return model.NewAnnotation(id, who, "conflict-incidents")
	}
	return a
}

func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// flipValueBit flips one bit of a stored value, as a damaged disk would,
// leaving bbolt's pages consistent.
func flipValueBit(t *testing.T, path, bucket string, key []byte, bit int) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	err = b.Update(func(tx *bolt.Tx) error {
		bk := tx.Bucket([]byte(bucket))
		v := append([]byte(nil), bk.Get(key)...)
		v[bit/8] ^= 1 << (bit % 8)
		return bk.Put(key, v)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSealRejectsAMovedRecord: a sound value under another key (a record
// copied over another) fails its seal, since the key is part of it.
func TestSealRejectsAMovedRecord(t *testing.T) {
	v := seal(bucketArticles, []byte("aaaa"), []byte("payload"))
	if _, ok := unseal(bucketArticles, []byte("aaaa"), v); !ok {
		t.Fatal("a sealed value fails its own seal")
	}
	if _, ok := unseal(bucketArticles, []byte("aaab"), v); ok {
		t.Error("a value moved to another key passes")
	}
	if _, ok := unseal(bucketSummaries, []byte("aaaa"), v); ok {
		t.Error("a value moved to another bucket passes")
	}
	if _, ok := unseal(bucketArticles, []byte("aaaa"), v[:len(v)-1]); ok {
		t.Error("a value cut short passes")
	}
}

// FuzzSeal: a sealed value opens to its payload, and no single flipped bit,
// no cut and no other key passes the seal.
func FuzzSeal(f *testing.F) {
	f.Add([]byte("annotations"), []byte("6ef79448e7635e93\x00alice"), []byte(`{"entities":[{"start":22,"end":27}]}`), uint(13))
	f.Add([]byte("queue"), []byte("alice\x00done\x00\x00\x00\x00\x00\x00\x00\x00\x01"), []byte{}, uint(0))
	f.Fuzz(func(t *testing.T, bucket, key, payload []byte, bit uint) {
		v := seal(bucket, key, payload)
		p, ok := unseal(bucket, key, v)
		if !ok || string(p) != string(payload) || p == nil {
			t.Fatalf("unseal(seal(%q)) = %q, %v", payload, p, ok)
		}
		bad := append([]byte(nil), v...)
		bad[bit%uint(len(bad)*8)/8] ^= 1 << (bit % 8)
		if _, ok := unseal(bucket, key, bad); ok {
			t.Fatalf("bit %d flipped in %q passes", bit%uint(len(bad)*8), v)
		}
		if _, ok := unseal(bucket, key, v[:len(v)-1]); ok && len(v) > sealSize {
			t.Fatalf("%q cut by a byte passes", v)
		}
		other := append(append([]byte(nil), key...), 'x')
		if _, ok := unseal(bucket, other, v); ok {
			t.Fatalf("%q passes under key %q", v, other)
		}
	})
}

// TestPageProblemInOurWords: what bbolt says of a garbled page (a panic's
// text) is said as a damaged page, its detail kept.
func TestPageProblemInOurWords(t *testing.T) {
	got := pageProblem("panic: assertion failed: Page expected to be: 0, but self identifies as 90")
	if got != "a page of the file is damaged (bbolt found: Page expected to be: 0, but self identifies as 90)" {
		t.Errorf("pageProblem: %q", got)
	}
	if strings.Contains(pageProblem("page 7: \x1b[2Jbad"), "\x1b") {
		t.Errorf("a control character in bbolt's text reached the message")
	}
}
