package bolt

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/annotate-tool/annotate/internal/model"
)

// An import the size of a large corpus: 10,000 articles of about 2 KB,
// added 2,000 at a time as the import command batches them.
const (
	benchArticles = 10000
	benchTextSize = 2000
	benchBatch    = 2000
)

// benchCorpus returns the articles, and the exact keys and values
// AddArticles writes for them, so the bare bbolt loop stores the same bytes.
func benchCorpus(b *testing.B) (arts []model.Article, keys, values [][]byte, size int64) {
	b.Helper()
	rng := rand.New(rand.NewPCG(10, 20))
	for i := range benchArticles {
		a := newArticle(fmt.Sprintf("article %d\n", i) + randomWords(rng, benchTextSize))
		a.ID = model.ArticleID(a.Text)
		v, err := encodeArticle(a, uint64(i+1))
		if err != nil {
			b.Fatal(err)
		}
		arts = append(arts, a)
		keys = append(keys, []byte(a.ID))
		values = append(values, v)
		size += int64(len(a.Text))
	}
	return arts, keys, values, size
}

// BenchmarkAddArticles imports the corpus into a new database through the
// store (a file open per transaction, a duplicate check and a sequence per
// article).
func BenchmarkAddArticles(b *testing.B) {
	arts, _, _, size := benchCorpus(b)
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), fmt.Sprintf("bench%d.db", i))
		db, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for start := 0; start < len(arts); start += benchBatch {
			added, err := db.AddArticles(arts[start:min(start+benchBatch, len(arts))])
			if err != nil {
				b.Fatal(err)
			}
			if !added[0] {
				b.Fatal("article not added")
			}
		}
	}
}

// BenchmarkBareBolt puts the same keys and values in the same batches with
// bbolt alone, the floor AddArticles can approach.
func BenchmarkBareBolt(b *testing.B) {
	_, keys, values, size := benchCorpus(b)
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), fmt.Sprintf("bare%d.db", i))
		b.StartTimer()
		bdb, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
		if err != nil {
			b.Fatal(err)
		}
		for start := 0; start < len(keys); start += benchBatch {
			end := min(start+benchBatch, len(keys))
			err := bdb.Update(func(tx *bolt.Tx) error {
				bk, err := tx.CreateBucketIfNotExists(bucketArticles)
				if err != nil {
					return err
				}
				for j := start; j < end; j++ {
					if err := bk.Put(keys[j], values[j]); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		if err := bdb.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
