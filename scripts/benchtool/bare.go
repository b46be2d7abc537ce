package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/annotate-tool/annotate/internal/model"
)

// The bare programs do an import's, an export's and a commit's work with
// bbolt alone, in the way bbolt is meant to be used (the file open for the
// whole run): the floor annotate is compared with.

const bareBatch = 2000

// barePut reads the JSONL corpus, parses every line, keys it by its
// content hash (as annotate does) and puts it in batches of 2,000, each
// one fsync'd transaction.
func barePut(jsonl, dbPath string) (time.Duration, error) {
	start := time.Now()
	f, err := os.Open(jsonl)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	db, err := bolt.Open(dbPath, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	var keys, values [][]byte
	flush := func() error {
		err := db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("articles"))
			if err != nil {
				return err
			}
			for i := range keys {
				if b.Get(keys[i]) != nil {
					continue
				}
				if err := b.Put(keys[i], values[i]); err != nil {
					return err
				}
			}
			return nil
		})
		keys, values = keys[:0], values[:0]
		return err
	}
	for sc.Scan() {
		var rec struct {
			Text  string `json:"text"`
			Title string `json:"title"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return 0, err
		}
		keys = append(keys, []byte(model.ArticleID(rec.Text)))
		values = append(values, append([]byte(nil), sc.Bytes()...))
		if len(keys) == bareBatch {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	if err := flush(); err != nil {
		return 0, err
	}
	if err := db.Close(); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// bareScan stores the lines of an export in a bbolt file (not timed), then
// times one cursor scan writing every value to out: the bytes annotate's
// export writes, read and written with nothing in between.
func bareScan(export, dbPath, out string) (time.Duration, int64, error) {
	f, err := os.Open(export)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	db, err := bolt.Open(dbPath, 0o600, &bolt.Options{Timeout: time.Second, NoSync: true})
	if err != nil {
		return 0, 0, err
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 256<<20)
	seq := uint64(0)
	for more := true; more; {
		err := db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("records"))
			if err != nil {
				return err
			}
			b.FillPercent = 1
			for n := 0; n < bareBatch; n++ {
				if !sc.Scan() {
					more = false
					return sc.Err()
				}
				seq++
				var k [8]byte
				binary.BigEndian.PutUint64(k[:], seq)
				if err := b.Put(k[:], sc.Bytes()); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, 0, err
		}
	}
	if err := db.Close(); err != nil {
		return 0, 0, err
	}
	start := time.Now()
	db, err = bolt.Open(dbPath, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		return 0, 0, err
	}
	o, err := os.Create(out)
	if err != nil {
		return 0, 0, err
	}
	w := bufio.NewWriterSize(o, 1<<20)
	var written int64
	err = db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket([]byte("records")).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			w.Write(v)
			w.WriteByte('\n')
			written += int64(len(v)) + 1
		}
		return nil
	})
	if err == nil {
		err = w.Flush()
	}
	if cerr := o.Close(); err == nil {
		err = cerr
	}
	db.Close()
	return time.Since(start), written, err
}

// bareUpdate times fsync'd Updates, each putting one record of size bytes
// under a new key (as a change appended to a history would be), with the
// file open throughout. It returns the median.
func bareUpdate(dbPath string, size, n int) (time.Duration, error) {
	db, err := bolt.Open(dbPath, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	value := make([]byte, size)
	for i := range value {
		value[i] = 'a' + byte(i%26)
	}
	times := make([]time.Duration, 0, n)
	for i := range n {
		start := time.Now()
		err := db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("changes"))
			if err != nil {
				return err
			}
			return b.Put([]byte(fmt.Sprintf("%08d", i)), value)
		})
		if err != nil {
			return 0, err
		}
		times = append(times, time.Since(start))
	}
	return median(times), nil
}
