package bolt

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// The figures of issue 11, as Go benchmarks. The corpus is generated from
// a fixed seed: news-like articles of about 2 KB. Its size is
// $ANNOTATE_BENCH_ARTICLES (default 10,000, so `-benchtime=1x` in CI stays
// short); the figures are at 100,000 and 300,000:
//
//	ANNOTATE_BENCH_ARTICLES=100000 go test ./internal/store/bolt -run '^$' -bench 'FirstPage'
//
// Corpus files are built once per size and layout under the system's
// temporary folder (annotate-bench-*.db) and reused by later runs.

// benchN is the corpus size of the startup benchmarks.
func benchN(b *testing.B) int {
	if s := os.Getenv("ANNOTATE_BENCH_ARTICLES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("ANNOTATE_BENCH_ARTICLES=%q is not a positive number", s)
		}
		return n
	}
	return 10000
}

var newsWords = strings.Fields(`the a of in and to said on was were at by for with from
officials police forces army group fighters militants attack attacked killed wounded
injured civilians village town city province district border checkpoint convoy market
explosion blast gunmen rebels government ministry spokesman statement claimed denied
reported according local residents witnesses sources security operation clashes
shelling airstrike drone vehicle weapons rifles mortar rockets near north south east
west capital region Monday Tuesday Wednesday Thursday Friday Saturday Sunday morning
night hospital dead bodies people least more than two three four five dozens hundreds`)

// newsArticle is a seeded news-like article of about size bytes.
func newsArticle(rng *rand.Rand, i, size int) model.Article {
	var sb strings.Builder
	fmt.Fprintf(&sb, "Report %d: clashes near %s\n\n", i, newsWords[rng.IntN(len(newsWords))])
	for sb.Len() < size {
		n := 8 + rng.IntN(18)
		for w := 0; w < n; w++ {
			word := newsWords[rng.IntN(len(newsWords))]
			if w == 0 {
				word = strings.ToUpper(word[:1]) + word[1:]
			}
			sb.WriteString(word)
			if w < n-1 {
				sb.WriteByte(' ')
			}
		}
		sb.WriteString(". ")
		if rng.IntN(6) == 0 {
			sb.WriteString("\n\n")
		}
	}
	text := sb.String()
	return model.Article{
		Text: text, Title: model.TitleFromText(text), Source: "wire " + strconv.Itoa(rng.IntN(20)),
		URL: "https://news.example/" + strconv.Itoa(i), ImportedFrom: "bench.jsonl:" + strconv.Itoa(i+1),
		ImportedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), ImportedBy: "bench",
	}
}

var corpusMu sync.Mutex

// benchCorpusDB returns the path of a database of n generated articles in
// which alice has worked on some: every 10th done, every 25th in progress,
// every 40th skipped. It is built once and kept.
func benchCorpusDB(b *testing.B, n int) string {
	b.Helper()
	corpusMu.Lock()
	defer corpusMu.Unlock()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("annotate-bench-%d-layout%d.db", n, CurrentVersion))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	tmp := path + ".building"
	os.Remove(tmp)
	db, err := Open(tmp, Options{})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(11, uint64(n)))
	var ids []string
	for start := 0; start < n; start += 2000 {
		var arts []model.Article
		for i := start; i < min(start+2000, n); i++ {
			a := newsArticle(rng, i, 2000)
			a.ID = model.ArticleID(a.Text)
			ids = append(ids, a.ID)
			arts = append(arts, a)
		}
		if _, err := db.AddArticles(arts); err != nil {
			b.Fatal(err)
		}
	}
	var anns []model.Annotation
	for i, id := range ids {
		st := model.Status("")
		switch {
		case i%10 == 0:
			st = model.StatusDone
		case i%25 == 0:
			st = model.StatusInProgress
		case i%40 == 0:
			st = model.StatusSkipped
		}
		if st == "" {
			continue
		}
		a := model.NewAnnotation(id, "alice", "")
		a.Status = st
		anns = append(anns, a)
	}
	for start := 0; start < len(anns); start += 2000 {
		batch := anns[start:min(start+2000, len(anns))]
		if err := db.update(func(tx *txn) error {
			for _, a := range batch {
				if _, err := db.saveIn(tx, model.Annotation{}, false, a, "bench"); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkFirstPage is opening the queue: Open, then the first page of
// 50 summaries with alice's status counts over every article.
func BenchmarkFirstPage(b *testing.B) {
	for _, status := range []model.Status{"", model.StatusDone} {
		name := "all"
		if status != "" {
			name = string(status)
		}
		b.Run(fmt.Sprintf("%s/%d", name, benchN(b)), func(b *testing.B) {
			path := benchCorpusDB(b, benchN(b))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				db, err := Open(path, Options{})
				if err != nil {
					b.Fatal(err)
				}
				p, err := db.Page(store.Query{Annotator: "alice", Status: status, Limit: 50})
				if err != nil {
					b.Fatal(err)
				}
				if len(p.Items) != 50 || p.Counts[model.StatusDone] == 0 {
					b.Fatalf("page of %d items, counts %v", len(p.Items), p.Counts)
				}
			}
		})
	}
}

// BenchmarkListAll is `list`: every summary, streamed.
func BenchmarkListAll(b *testing.B) {
	path := benchCorpusDB(b, benchN(b))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		db, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		if err := db.Articles(func(store.ArticleSummary) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		if n != benchN(b) {
			b.Fatalf("listed %d", n)
		}
	}
}

// bigAnnotation is an annotation of a 200,000-character article with
// spans spans, each a mention of an entity of its own.
func bigAnnotation(articleID string, spans int) model.Annotation {
	a := model.NewAnnotation(articleID, "alice", "conflict-incidents")
	a.Status = model.StatusInProgress
	labels := []string{"ORG", "PER", "GPE", "LOC", "WEA"}
	for i := 0; i < spans; i++ {
		id := a.NewID("e")
		n := a.NewID("n")
		a.Entities = append(a.Entities, model.Span{ID: id, Start: i * 100, End: i*100 + 7, Label: labels[i%len(labels)], Entity: n})
		a.Referents = append(a.Referents, model.Entity{ID: n, Name: "Name of entity " + n, Label: labels[i%len(labels)]})
	}
	for i := 0; i < spans/20; i++ {
		a.Claims = append(a.Claims, model.Claim{ID: a.NewID("c"), Claimant: model.Claimant{SpanID: a.Entities[i*20].ID},
			Content: []model.Range{{Start: i*2000 + 10, End: i*2000 + 90}}, Type: "casualties", Credibility: "3"})
	}
	return a
}

// tagOne adds one span (and its entity) as the screen's tag key does on
// even i, and takes the last one away again on odd i, so the annotation
// keeps its size over any number of ops.
func tagOne(a model.Annotation, i int) model.Annotation {
	next := a
	if i%2 == 1 {
		next.Entities = a.Entities[: len(a.Entities)-1 : len(a.Entities)-1]
		next.Referents = a.Referents[: len(a.Referents)-1 : len(a.Referents)-1]
		return next
	}
	next.Entities = append(a.Entities[:len(a.Entities):len(a.Entities)], model.Span{})
	next.Referents = append(a.Referents[:len(a.Referents):len(a.Referents)], model.Entity{})
	id, n := next.NewID("e"), next.NewID("n")
	start := (i*37)%199000 + 50
	next.Entities[len(next.Entities)-1] = model.Span{ID: id, Start: start, End: start + 5, Label: "ORG", Entity: n}
	next.Referents[len(next.Referents)-1] = model.Entity{ID: n, Name: "tagged " + n, Label: "ORG"}
	return next
}

// saveBench opens a fresh database with one article and alice's annotation
// of spans spans, ready to tag.
func saveBench(b *testing.B, spans int) (*DB, model.Annotation) {
	b.Helper()
	path := filepath.Join(b.TempDir(), "save.db")
	db, err := Open(path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	art := newsArticle(rng, 0, 200000)
	art.ID = model.ArticleID(art.Text)
	if _, err := db.AddArticles([]model.Article{art}); err != nil {
		b.Fatal(err)
	}
	a, err := db.Save(bigAnnotation(art.ID, spans), "fill")
	if err != nil {
		b.Fatal(err)
	}
	a, err = db.Annotation(art.ID, "alice") // as the screen holds it
	if err != nil {
		b.Fatal(err)
	}
	return db, a
}

// BenchmarkSaveTag is tagging one span (and untagging it on the next op),
// durably, on a small annotation (10 spans) and on a large one (2,000
// spans), each op followed by the floor it is measured against: a bare
// fsync'd bbolt Update, on a file kept open, of one record of a change's
// size (bareRecord bytes) into a bucket of 1,000, on the same disk. It
// reports both and their ratio, measured in one run.
func BenchmarkSaveTag(b *testing.B) {
	for _, spans := range []int{10, 2000} {
		b.Run(fmt.Sprintf("spans=%d", spans), func(b *testing.B) {
			db, a := saveBench(b, spans)
			bare := bareDB(b, bareRecord)
			value := []byte(strings.Repeat("x", bareRecord))
			var saving, floor time.Duration
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				next := tagOne(a, i) // the screen's work, not the store's
				t0 := time.Now()
				var err error
				if a, err = db.Save(next, "tag"); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if err := bare.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte("b")).Put(u64(uint64(i%1000)), value) }); err != nil {
					b.Fatal(err)
				}
				saving += t1.Sub(t0)
				floor += time.Since(t1)
			}
			b.ReportMetric(float64(saving.Microseconds())/float64(b.N), "save-µs")
			b.ReportMetric(float64(floor.Microseconds())/float64(b.N), "bare-µs")
			b.ReportMetric(float64(saving)/float64(floor), "ratio")
		})
	}
}

// bareRecord is about what a tag records (see BenchmarkHistoryPerEdit).
const bareRecord = 600

// bareDB is a bbolt file, open, with a bucket "b" of 1,000 records.
func bareDB(b *testing.B, size int) *bolt.DB {
	bdb, err := bolt.Open(filepath.Join(b.TempDir(), "bare.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { bdb.Close() })
	value := []byte(strings.Repeat("x", size))
	if err := bdb.Update(func(tx *bolt.Tx) error {
		bk, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		for i := 0; i < 1000; i++ {
			if err := bk.Put(u64(uint64(i)), value[:min(size, 600)]); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	return bdb
}

// BenchmarkBareUpdate is the floor alone: one fsync'd Update of a record
// of a tag's size, and of a whole 2,000-span annotation (what layouts 1
// to 5 wrote per tag, twice).
func BenchmarkBareUpdate(b *testing.B) {
	for _, size := range []int{bareRecord, 112 << 10} {
		b.Run(fmt.Sprintf("bytes=%d", size), func(b *testing.B) {
			bdb := bareDB(b, size)
			value := []byte(strings.Repeat("x", size))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := bdb.Update(func(tx *bolt.Tx) error {
					return tx.Bucket([]byte("b")).Put(u64(uint64(i%1000)), value)
				}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkHistoryPerEdit tags (and untags) the 2,000-span annotation 200
// times per op and reports how much the file and the history records grow per edit.
func BenchmarkHistoryPerEdit(b *testing.B) {
	db, a := saveBench(b, 2000)
	const edits = 200
	var fileGrowth, recordGrowth int64
	for i := 0; i < b.N; i++ {
		fi0, _ := os.Stat(db.Path())
		r0 := historyBytes(b, db)
		for j := 0; j < edits; j++ {
			var err error
			if a, err = db.Save(tagOne(a, i*edits+j), "tag"); err != nil {
				b.Fatal(err)
			}
		}
		fi1, _ := os.Stat(db.Path())
		fileGrowth += fi1.Size() - fi0.Size()
		recordGrowth += historyBytes(b, db) - r0
	}
	b.ReportMetric(float64(fileGrowth)/float64(b.N*edits), "file-B/edit")
	b.ReportMetric(float64(recordGrowth)/float64(b.N*edits), "history-B/edit")
}

// historyBytes sums the keys and values of the buckets that record
// changes (history and undo, and their indexes).
func historyBytes(b *testing.B, db *DB) int64 {
	var n int64
	err := db.view(func(tx *txn) error {
		for _, name := range historyBuckets {
			bk := tx.Bucket(name)
			if bk == nil {
				continue
			}
			if err := bk.ForEach(func(k, v []byte) error { n += int64(len(k) + len(v)); return nil }); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}

var historyBuckets = [][]byte{bucketHistory, bucketHistoryLog, bucketUndo}

// BenchmarkVerify is what an import or a merge reads before writing: every
// record's checksum and bbolt's check of its pages, over the corpus.
func BenchmarkVerify(b *testing.B) {
	path := benchCorpusDB(b, benchN(b))
	db, err := Open(path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := db.Verify(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if fi, err := os.Stat(path); err == nil {
		b.ReportMetric(float64(fi.Size())/1e6, "MB-file")
	}
}

// BenchmarkAssign is handing an annotator the next article under overlap 2
// on the corpus (alice's statuses as the corpus has them): what D costs on
// a server with --overlap. It scans the queue in import order, so it grows
// with the corpus (README, Serving a team over SSH).
func BenchmarkAssign(b *testing.B) {
	path := benchCorpusDB(b, benchN(b))
	dir := b.TempDir()
	copyPath := filepath.Join(dir, "assign.db")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(copyPath, data, 0o600); err != nil {
		b.Fatal(err)
	}
	db, err := Open(copyPath, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := db.Assign(fmt.Sprintf("bench%d", i%4), 2, time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}
