package bolt

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strconv"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// Every record is sealed: from layout 7 on, each stored value is its
// payload followed by a CRC-32C (Castagnoli) of the bucket's name, the key
// and the payload, four bytes big-endian. bbolt checks its meta pages only;
// the seal is what finds a flipped bit in a record, a record moved to
// another key, or one cut short. Keys whose value was empty (the index
// buckets) store just the four bytes, so a damaged key is found as well.
//
// The seal is applied and verified in one place: the transaction handed to
// every function of this package (txn) wraps bbolt's buckets and cursors, so
// a Get, a cursor step or a ForEach returns the payload and never a damaged
// value. A damaged record reads as missing and is noted in the transaction;
// run then fails the whole transaction with its name (a write is rolled
// back), so a command never acts on what it could not read.

// sealVersion is the first layout whose records are sealed.
const sealVersion = 7

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

const sealSize = 4

func sealSum(bucket, key, payload []byte) uint32 {
	h := crc32.Update(0, castagnoli, bucket)
	h = crc32.Update(h, castagnoli, []byte{0})
	h = crc32.Update(h, castagnoli, key)
	h = crc32.Update(h, castagnoli, []byte{0})
	return crc32.Update(h, castagnoli, payload)
}

// seal returns payload with its seal appended.
func seal(bucket, key, payload []byte) []byte {
	out := make([]byte, len(payload), len(payload)+sealSize)
	copy(out, payload)
	return binary.BigEndian.AppendUint32(out, sealSum(bucket, key, payload))
}

// unseal returns the payload of a sealed value, or false when the value
// fails its seal. The payload is never nil for a present value.
func unseal(bucket, key, v []byte) ([]byte, bool) {
	if len(v) < sealSize {
		return nil, false
	}
	p := v[:len(v)-sealSize]
	return p, binary.BigEndian.Uint32(v[len(p):]) == sealSum(bucket, key, p)
}

// DamagedRecord is a record that failed its seal (or, for an article, whose
// text no longer hashes to its id).
type DamagedRecord struct {
	Bucket string
	Key    []byte
	Why    string // "fails its checksum" unless said otherwise
}

func (d *DamagedRecord) Error() string {
	why := d.Why
	if why == "" {
		why = "fails its checksum"
	}
	return fmt.Sprintf("record %s %s", recordName(d.Bucket, d.Key), why)
}

// recordName says which record a key is, in words a user can match to the
// data: article ids and annotation keys as text, sequence numbers as
// numbers, anything else quoted with its unprintable bytes escaped.
func recordName(bucket string, key []byte) string {
	seq := func(b []byte) uint64 { return binary.BigEndian.Uint64(b) }
	n := len(key)
	switch bucket {
	case string(bucketSummaries), string(bucketHistoryLog), string(bucketRegistryHistory):
		if n == 8 {
			return fmt.Sprintf("%s/%d", bucket, seq(key))
		}
	case string(bucketHistory), string(bucketChunks):
		if n > 9 && key[n-9] == 0 {
			return fmt.Sprintf("%s/%s #%d", bucket, printableKey(key[:n-9]), seq(key[n-8:]))
		}
	case string(bucketUndo):
		if n > 10 && key[n-10] == 0 {
			return fmt.Sprintf("%s/%s %c#%d", bucket, printableKey(key[:n-10]), key[n-9], seq(key[n-8:]))
		}
	case string(bucketQueue):
		if n > 9 && key[n-9] == 0 {
			return fmt.Sprintf("%s/%s #%d", bucket, printableKey(key[:n-9]), seq(key[n-8:]))
		}
	case string(bucketArticleStatus), string(bucketClaims):
		if n > 8 {
			return fmt.Sprintf("%s/#%d %s", bucket, seq(key[:8]), printableKey(key[8:]))
		}
	}
	return bucket + "/" + printableKey(key)
}

// printableKey shows a key with NUL separators as spaces and anything else
// unprintable (or not UTF-8) as \xNN, so bytes from a damaged file never
// reach the terminal.
func printableKey(key []byte) string {
	out := make([]byte, 0, len(key))
	for len(key) > 0 {
		r, n := utf8.DecodeRune(key)
		switch {
		case key[0] == 0:
			out = append(out, ' ')
		case r == utf8.RuneError && n <= 1, r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
			for _, b := range key[:n] {
				out = append(out, `\x`...)
				out = strconv.AppendUint(out, uint64(b)>>4, 16)
				out = strconv.AppendUint(out, uint64(b)&15, 16)
			}
		case r == '\u061c' || r == '\u200e' || r == '\u200f' || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069'):
			out = fmt.Appendf(out, `\u%04x`, r)
		default:
			out = append(out, key[:n]...)
		}
		key = key[n:]
	}
	return string(out)
}

// txn is a bbolt transaction whose buckets seal what they store and verify
// what they read. Before layout 7 (while older layouts are migrated) it
// passes values through as they are.
type txn struct {
	*bolt.Tx
	sealed bool
	// damage is every record found failing its seal, in the order met.
	damage []*DamagedRecord
}

func newTxn(tx *bolt.Tx) (*txn, error) {
	v, err := rawVersion(tx)
	if err != nil {
		return nil, err
	}
	return &txn{Tx: tx, sealed: v >= sealVersion}, nil
}

// noteDamage records a damaged record once.
func (t *txn) noteDamage(d *DamagedRecord) {
	for _, e := range t.damage {
		if e.Bucket == d.Bucket && string(e.Key) == string(d.Key) {
			return
		}
	}
	d.Key = append([]byte(nil), d.Key...)
	t.damage = append(t.damage, d)
}

// err is the transaction's failure when it met damage: the first record,
// with how many more.
func (t *txn) err() error {
	if len(t.damage) == 0 {
		return nil
	}
	d := t.damage[0]
	more := ""
	if n := len(t.damage) - 1; n > 0 {
		more = fmt.Sprintf(" (and %d more)", n)
	}
	return &damageError{first: d, more: more}
}

type damageError struct {
	first *DamagedRecord
	more  string
}

func (e *damageError) Error() string { return e.first.Error() + e.more }
func (e *damageError) Unwrap() error { return ErrDamaged }

// Bucket returns the named top-level bucket, nil when the file has none.
func (t *txn) Bucket(name []byte) *bucketS {
	b := t.Tx.Bucket(name)
	if b == nil {
		return nil
	}
	return &bucketS{Bucket: b, name: name, t: t}
}

// CreateBucketIfNotExists is bbolt's, returning a sealing bucket.
func (t *txn) CreateBucketIfNotExists(name []byte) (*bucketS, error) {
	b, err := t.Tx.CreateBucketIfNotExists(name)
	if err != nil {
		return nil, err
	}
	return &bucketS{Bucket: b, name: name, t: t}, nil
}

// bucketS is a bucket that seals and verifies its values.
type bucketS struct {
	*bolt.Bucket
	name []byte
	t    *txn
}

// open returns a read value's payload; a damaged one is noted and reads
// as missing. present says the key is there (a cursor or ForEach met it):
// then even an empty value is damage, since a sealed value never is. (Get
// cannot tell an empty value from a missing key; check and verifySeals
// find such a record.)
func (b *bucketS) open(k, v []byte, present bool) []byte {
	if !b.t.sealed || (v == nil && !present) {
		return v
	}
	p, ok := unseal(b.name, k, v)
	if !ok {
		b.t.noteDamage(&DamagedRecord{Bucket: string(b.name), Key: k})
		return nil
	}
	return p
}

func (b *bucketS) Get(k []byte) []byte { return b.open(k, b.Bucket.Get(k), false) }

func (b *bucketS) Put(k, v []byte) error {
	if b.t.sealed {
		v = seal(b.name, k, v)
	}
	return b.Bucket.Put(k, v)
}

// ForEach calls fn with every key and its payload, leaving out damaged
// records (noted in the transaction).
func (b *bucketS) ForEach(fn func(k, v []byte) error) error {
	return b.Bucket.ForEach(func(k, v []byte) error {
		p := b.open(k, v, true)
		if p == nil && b.t.sealed {
			return nil
		}
		return fn(k, p)
	})
}

func (b *bucketS) Cursor() *cursorS { return &cursorS{Cursor: b.Bucket.Cursor(), b: b} }

// cursorS is a cursor returning payloads. A damaged record comes back
// with its key and a nil value (and is noted), so loops keep their shape
// and the transaction fails when it ends.
type cursorS struct {
	*bolt.Cursor
	b *bucketS
}

func (c *cursorS) ret(k, v []byte) ([]byte, []byte) {
	if k == nil {
		return nil, nil
	}
	return k, c.b.open(k, v, true)
}

func (c *cursorS) First() ([]byte, []byte)        { return c.ret(c.Cursor.First()) }
func (c *cursorS) Last() ([]byte, []byte)         { return c.ret(c.Cursor.Last()) }
func (c *cursorS) Next() ([]byte, []byte)         { return c.ret(c.Cursor.Next()) }
func (c *cursorS) Prev() ([]byte, []byte)         { return c.ret(c.Cursor.Prev()) }
func (c *cursorS) Seek(s []byte) ([]byte, []byte) { return c.ret(c.Cursor.Seek(s)) }

// rawVersion reads the layout version straight from the meta bucket: eight
// bytes before layout 7, eight sealed bytes from it on (0 for a file with
// no meta bucket or no version yet). A version record that is neither is
// damage: guessing a layout would run migrations over a newer file.
func rawVersion(tx *bolt.Tx) (uint64, error) {
	b := tx.Bucket(bucketMeta)
	if b == nil {
		return 0, nil
	}
	v := b.Get(keyVersion)
	switch len(v) {
	case 0:
		if v == nil {
			return 0, nil
		}
	case 8:
		return binary.BigEndian.Uint64(v), nil
	case 8 + sealSize:
		if p, ok := unseal(bucketMeta, keyVersion, v); ok {
			return binary.BigEndian.Uint64(p), nil
		}
	}
	return 0, &damageError{first: &DamagedRecord{Bucket: string(bucketMeta), Key: keyVersion, Why: "(the layout version) is damaged"}}
}

// sealAll rewrites every value of every bucket with its seal: the
// migration to layout 7.
func sealAll(t *txn) error {
	var names [][]byte
	if err := t.Tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		names = append(names, append([]byte(nil), name...))
		return nil
	}); err != nil {
		return err
	}
	for _, name := range names {
		b := t.Tx.Bucket(name)
		type kv struct{ k, v []byte }
		var all []kv
		if err := b.ForEach(func(k, v []byte) error {
			if b.Bucket(k) != nil {
				return fmt.Errorf("bucket %q holds a nested bucket %q: not an annotate layout", name, k)
			}
			all = append(all, kv{append([]byte(nil), k...), seal(name, k, v)})
			return nil
		}); err != nil {
			return err
		}
		for _, e := range all {
			if err := b.Put(e.k, e.v); err != nil {
				return err
			}
		}
	}
	t.sealed = true
	return nil
}

// verifySeals checks the seal of every record in every bucket, returning
// the damaged ones (all of them, for check).
func verifySeals(t *txn) []*DamagedRecord {
	if !t.sealed {
		return nil
	}
	var bad []*DamagedRecord
	_ = t.Tx.ForEach(func(name []byte, b *bolt.Bucket) error {
		return b.ForEach(func(k, v []byte) error {
			if b.Bucket(k) != nil {
				bad = append(bad, &DamagedRecord{Bucket: string(name), Key: append([]byte(nil), k...), Why: "is a nested bucket, which annotate never writes"})
				return nil
			}
			if _, ok := unseal(name, k, v); !ok {
				bad = append(bad, &DamagedRecord{Bucket: string(name), Key: append([]byte(nil), k...)})
			}
			return nil
		})
	})
	return bad
}

// Verify reads every record of the file and checks its seal, and runs
// bbolt's own check of its pages: what a command about to write many
// records (an import, a merge) runs first, so that it never writes into a
// damaged file. It returns the damage as one error naming the first
// record (and how many more), nil when the file is sound.
func (db *DB) Verify() error {
	return db.view(func(tx *txn) error {
		for err := range tx.Check() {
			return db.damaged(termtextSafe(err.Error()))
		}
		tx.damage = append(tx.damage, verifySeals(tx)...)
		return nil
	})
}
