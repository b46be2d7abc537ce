// Package bolt is the embedded Store: one bbolt file on the annotator's disk.
//
// Locking design: bbolt locks the whole file while it is open (exclusively
// for a writer). To let a screen stay open while `list`, `export` and a
// second annotator's screen use the same file, this store opens the file for
// each transaction and closes it straight after, so the lock is held for
// milliseconds. Long reads (export) are cut into batches, each in its own
// transaction. A process-wide mutex serialises this process's own opens,
// since two opens of one file in one process would lock each other out.
//
// Opening is cheap as long as transactions write little (a short freelist
// to read back): the queue (queue.go) and the annotations, changes and
// undo stacks (changes.go) are laid out so that a change writes what it
// changes, and a save compares with the annotation this DB last read or
// wrote instead of decoding the stored one. README.md ("The database
// file") has the measurements behind this choice.
package bolt

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// Bucket names.
var (
	bucketMeta        = []byte("meta")
	bucketArticles    = []byte("articles")
	bucketAnnotations = []byte("annotations")
	bucketHistory     = []byte("history")
	bucketStatus      = []byte("status")
	bucketUndo        = []byte("undo")

	keyVersion = []byte("version")
	keySchema  = []byte("schema")
)

// DefaultLockTimeout is how long an operation waits for another process to
// release the file before saying the database is in use.
const DefaultLockTimeout = 5 * time.Second

// exportBatch is how many articles one read transaction of Each covers.
const exportBatch = 256

// DB is a Store on one bbolt file.
type DB struct {
	path        string
	lockTimeout time.Duration
	mu          sync.Mutex
	// Now is the clock, replaceable in tests.
	Now func() time.Time
	// MigrationBackup is the copy Open made of the file before upgrading
	// its layout ("" when no upgrade ran).
	MigrationBackup string
	// readOnly: every write is refused (another database opened to merge
	// from, OpenReadOnly).
	readOnly bool
	// cache holds the annotations last read or written (see remember),
	// guarded by mu.
	cache map[string]cachedAnnotation
	// shown is the path messages name when it is not path (a snapshot
	// read in place of an older file); snapshot is that copy, removed by
	// Close.
	shown, snapshot string
}

var _ store.Store = (*DB)(nil)

// ErrInUse reports that another process held the file for longer than the
// lock timeout.
var ErrInUse = errors.New("database is in use")

// Options tune Open.
type Options struct {
	// LockTimeout bounds the wait for the file lock (default 5s).
	LockTimeout time.Duration
}

// Open opens (creating if needed) the database at path, migrating it to the
// current layout, and refusing one written by a newer annotate.
func Open(path string, opts Options) (*DB, error) {
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = DefaultLockTimeout
	}
	db := &DB{path: path, lockTimeout: opts.LockTimeout, Now: time.Now}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create the database folder: %w", err)
	}
	if fi, err := os.Stat(path); err == nil {
		if fi.Mode().IsRegular() && fi.Size() == 0 {
			// Perhaps a database whose copy failed: never write over it.
			return nil, fmt.Errorf("database %s is an empty file (damaged, or never written): delete it to start a new database there, or restore it from a backup", path)
		}
		if fi.IsDir() {
			return nil, fmt.Errorf("database %s is a folder, not a file: pass a file path with --db", path)
		}
		if !fi.Mode().IsRegular() {
			// A FIFO or a device would block bbolt's open forever.
			return nil, fmt.Errorf("database %s is %s, not a regular file: pass a database file with --db", path, store.FileKind(fi.Mode()))
		}
		// An existing file: read its version without taking the write lock.
		var version uint64
		err := db.view(func(tx *txn) error {
			version = storedVersion(tx)
			return nil
		})
		if err != nil {
			return nil, err
		}
		if version > CurrentVersion {
			return nil, fmt.Errorf("database %s was written by a newer annotate (layout %d; this one reads up to %d): upgrade annotate", path, version, CurrentVersion)
		}
		if version == CurrentVersion {
			return db, nil
		}
		if version > 0 {
			// An upgrade rewrites the file: a copy of it as it was comes
			// first, beside it, and is named (MigrationBackup).
			stamp := fmt.Sprintf("%s.layout%d-%s", path, version, db.Now().UTC().Format("20060102T150405"))
			bak := stamp + ".bak"
			for i := 2; fileExists(bak); i++ { // an earlier try, the same second
				bak = fmt.Sprintf("%s-%d.bak", stamp, i)
			}
			if err := db.Backup(bak); err != nil {
				return nil, fmt.Errorf("database %s needs an upgrade (layout %d to %d), but its backup failed, so it is left as it is: %w", path, version, CurrentVersion, err)
			}
			db.MigrationBackup = bak
		}
	}
	if err := db.update(migrate); err != nil {
		if errors.Is(err, errForeign) {
			return nil, fmt.Errorf("database %s is not an annotate database (a bbolt file with other data, left untouched): pass another --db path, or move that file away", db.name())
		}
		return nil, err
	}
	return db, nil
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

// Close has nothing to release (the file is open only inside
// transactions), except the snapshot OpenReadOnly may have made.
func (db *DB) Close() error {
	if db.snapshot != "" {
		err := os.Remove(db.snapshot)
		db.snapshot = ""
		return err
	}
	return nil
}

// name is the file messages name.
func (db *DB) name() string {
	if db.shown != "" {
		return db.shown
	}
	return db.path
}

// pathHint says where the path came from, for messages: --db, or a file
// named on the command line (read-only).
func (db *DB) pathHint() string {
	if db.readOnly {
		return "the file name"
	}
	return "the --db path"
}

func (db *DB) open(readOnly bool, file **os.File) (*bolt.DB, error) {
	if readOnly {
		if _, err := os.Stat(db.path); err != nil {
			return nil, fmt.Errorf("open database %s: %w", db.path, err)
		}
	}
	// A file cut short (a failed copy, a full disk) still opens, but
	// reading past its end kills the process with SIGBUS, which no recover
	// can catch, and a writable open reads the freelist at once. So check
	// the size the meta page claims against the file's before bbolt opens it.
	if err := db.checkSize(); err != nil {
		return nil, err
	}
	// bbolt panics on some damage (a garbled freelist, read by every
	// writable open or transaction) and a bbolt.DB that panicked may not
	// close. Keep hold of the file it opened and locked, so run can close
	// it after a panic and the file is not left locked for the rest of
	// this process.
	opts := &bolt.Options{Timeout: db.lockTimeout, ReadOnly: readOnly, OpenFile: func(name string, flag int, perm os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag, perm)
		*file = f
		return f, err
	}}
	b, err := bolt.Open(db.path, 0o600, opts)
	if err != nil {
		return nil, db.describe(err)
	}
	return b, nil
}

// checkSize reads the two meta pages and refuses a file shorter than the
// page count the valid one records.
func (db *DB) checkSize() error {
	f, err := os.Open(db.path)
	if err != nil {
		return nil // a new file, or bbolt will say what is wrong
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return nil
	}
	want, ok := metaSize(f)
	if ok && fi.Size() < want {
		return fmt.Errorf("%w: database %s is cut short (%d bytes of %d): restore it from a backup", ErrDamaged, db.name(), fi.Size(), want)
	}
	return nil
}

// metaSize returns the file size a bbolt file's newest valid meta page
// implies (high-water page id times page size). bbolt's layout: a page
// header of 16 bytes, then the meta: magic u32, version u32, page size u32,
// flags u32, root bucket (16), freelist u64, pgid u64, txid u64, checksum u64.
func metaSize(f *os.File) (int64, bool) {
	var best int64
	var bestTx uint64
	found := false
	for _, off := range []int64{0, -1} {
		buf := make([]byte, 16+64)
		at := off
		if off < 0 {
			// The second meta page sits one page in; its size is in the first.
			var first [16 + 12]byte
			if _, err := f.ReadAt(first[:], 0); err != nil {
				continue
			}
			at = int64(binary.LittleEndian.Uint32(first[16+8:]))
			if at < 512 || at > 1<<16 {
				continue
			}
		}
		if _, err := f.ReadAt(buf, at); err != nil {
			continue
		}
		meta := buf[16:]
		if binary.LittleEndian.Uint32(meta[0:]) != 0xED0CDAED {
			continue
		}
		pageSize := int64(binary.LittleEndian.Uint32(meta[8:]))
		pgid := int64(binary.LittleEndian.Uint64(meta[40:]))
		txid := binary.LittleEndian.Uint64(meta[48:])
		if pageSize <= 0 || pgid <= 0 {
			continue
		}
		if !found || txid > bestTx {
			best, bestTx, found = pgid*pageSize, txid, true
		}
	}
	return best, found
}

// describe turns bbolt's errors into one line saying what and what to do.
func (db *DB) describe(err error) error {
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("%w: %s is held by another process (waited %s): close the other annotate screen or command using it, or try again", ErrInUse, db.name(), db.lockTimeout)
	case errors.Is(err, os.ErrPermission):
		if db.readOnly {
			return fmt.Errorf("database %s: permission denied: check the file's permissions", db.name())
		}
		return fmt.Errorf("database %s: permission denied: check the file's permissions or pass another --db", db.name())
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("database %s does not exist: check %s", db.name(), db.pathHint())
	case errors.Is(err, ErrDamaged):
		return err
	default:
		// Everything else bbolt says on opening (invalid, version
		// mismatch, checksum, file size too small, ...) means the file
		// is not a bbolt file or is damaged.
		return fmt.Errorf("database %s is not an annotate database or is damaged (%s): check %s, or restore it from a backup", db.name(), termtextSafe(err.Error()), db.pathHint())
	}
}

// ErrDamaged marks a file found damaged after opening: a page bbolt cannot
// read, or a record failing its checksum (seal.go).
var ErrDamaged = errors.New("damaged")

// termtextSafe keeps bytes from a damaged file out of messages.
func termtextSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == utf8.RuneError {
			return '?'
		}
		return r
	}, s)
}

// run opens the file, runs fn in one transaction and closes the file. A panic
// from a damaged page becomes an error: a stack trace is never the answer.
func (db *DB) run(writable bool, fn func(*txn) error) (err error) {
	if writable && db.readOnly {
		return fmt.Errorf("database %s is open read-only", db.name())
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	// A damaged page can send bbolt's reads outside the memory-mapped
	// file (a branch page claiming 65,535 elements sends Get's binary
	// search a megabyte past it): with this, such a fault panics in this
	// goroutine, which the recover below turns into an error, instead of
	// killing the process.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	// bbolt panics while opening too (a writable open reads the freelist
	// and panics on a garbled one), so the recover covers the open, the
	// transaction and the close.
	var file *os.File
	defer func() {
		if r := recover(); r != nil {
			err = db.damagedPanic(r)
			// bbolt's own Close may panic or wait on a lock the panic
			// left held. Closing the file is not enough to release the
			// file lock (the mapping bbolt made keeps the open file alive),
			// so unlock it first. The mapping itself stays until exit.
			if file != nil {
				releaseLock(file)
			}
		}
	}()
	b, err := db.open(!writable, &file)
	if err != nil {
		return err
	}
	// Every record read is verified (seal.go): a damaged one fails the
	// transaction with its name, and a write that met one is rolled back.
	sealed := func(tx *bolt.Tx) error {
		t, err := newTxn(tx)
		if err != nil {
			return db.damagedRecord(err)
		}
		err = fn(t)
		if derr := t.err(); derr != nil {
			return db.damagedRecord(derr)
		}
		return err
	}
	if writable {
		err = b.Update(sealed)
	} else {
		err = b.View(sealed)
	}
	if cerr := b.Close(); cerr != nil && err == nil {
		err = db.describe(cerr)
	}
	return err
}

// damagedPanic is the error a panic inside bbolt becomes: one line naming
// the file and what to do.
func (db *DB) damagedPanic(r any) error {
	return db.damaged(pageProblem(fmt.Sprint(r)))
}

// pageProblem says in our words what bbolt found wrong with the file's
// pages (its own text is a panic's: "panic: assertion failed: Page
// expected to be: 0, but self identifies as 90"), keeping its detail.
func pageProblem(said string) string {
	detail := termtextSafe(said)
	for _, prefix := range []string{"panic: ", "assertion failed: "} {
		detail = strings.TrimPrefix(detail, prefix)
	}
	return "a page of the file is damaged (bbolt found: " + detail + ")"
}

// damagedRecord is the error a damaged record becomes: which file, which
// record, and what to do.
func (db *DB) damagedRecord(err error) error {
	return fmt.Errorf("database %s is damaged: %w: %s", db.name(), err, damageAdvice)
}

// damaged is the error for damage bbolt found (a panic, its own check):
// what it said, and what to do.
func (db *DB) damaged(what string) error {
	return markedDamaged{fmt.Sprintf("database %s is damaged (%s): %s", db.name(), what, damageAdvice)}
}

// markedDamaged is a message that errors.Is finds ErrDamaged in.
type markedDamaged struct{ msg string }

func (e markedDamaged) Error() string { return e.msg }
func (e markedDamaged) Unwrap() error { return ErrDamaged }

// damageAdvice is what every message about a damaged file says to do.
const damageAdvice = "run `annotate check` to list the damage, and restore the file from a backup (see `annotate backup`)"

func (db *DB) view(fn func(*txn) error) error   { return db.run(false, fn) }
func (db *DB) update(fn func(*txn) error) error { return db.run(true, fn) }

// bucket returns a top-level bucket, or an error naming it when the file
// lacks it (a damaged or foreign database).
func bucket(tx *txn, name []byte) (*bucketS, error) {
	b := tx.Bucket(name)
	if b == nil {
		return nil, fmt.Errorf("database has no %q bucket: it is not an annotate database or is damaged", name)
	}
	return b, nil
}

func u64(n uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return b[:]
}

func annotationKey(articleID, annotator string) []byte {
	return []byte(articleID + "\x00" + annotator)
}

// articleMeta is everything stored about an article except its text.
type articleMeta struct {
	model.Article
	Seq    uint64 `json:"seq"`
	Length int    `json:"length"`
}

// encodeArticle lays an article out as uvarint(len(meta)) meta text, so a
// listing can read the metadata without touching the text.
func encodeArticle(a model.Article, seq uint64) ([]byte, error) {
	text := a.Text
	a.Text = ""
	meta, err := json.Marshal(articleMeta{Article: a, Seq: seq, Length: utf8.RuneCountInString(text)})
	if err != nil {
		return nil, err
	}
	buf := make([]byte, 0, binary.MaxVarintLen64+len(meta)+len(text))
	buf = binary.AppendUvarint(buf, uint64(len(meta)))
	buf = append(buf, meta...)
	buf = append(buf, text...)
	return buf, nil
}

func decodeArticleMeta(v []byte) (articleMeta, []byte, error) {
	n, k := binary.Uvarint(v)
	if k <= 0 || uint64(len(v)-k) < n {
		return articleMeta{}, nil, errors.New("article record is damaged")
	}
	var m articleMeta
	if err := json.Unmarshal(v[k:k+int(n)], &m); err != nil {
		return articleMeta{}, nil, fmt.Errorf("article record is damaged: %w", err)
	}
	return m, v[k+int(n):], nil
}

func decodeArticle(v []byte) (model.Article, error) {
	m, text, err := decodeArticleMeta(v)
	if err != nil {
		return model.Article{}, err
	}
	a := m.Article
	a.Text = string(text) // copies: bbolt's bytes die with the transaction
	return a, nil
}

// AddArticles stores the articles whose text is not yet in the database.
func (db *DB) AddArticles(arts []model.Article) ([]bool, error) {
	added := make([]bool, len(arts))
	err := db.update(func(tx *txn) error {
		b, err := bucket(tx, bucketArticles)
		if err != nil {
			return err
		}
		for i := range arts {
			a := arts[i]
			if a.ID == "" {
				a.ID = model.ArticleID(a.Text)
			}
			if a.ID != model.ArticleID(a.Text) {
				return fmt.Errorf("article %s: the id is not its text's (%s): an article's id is the hash of its text", termtextSafe(a.ID), model.ArticleID(a.Text))
			}
			if b.Get([]byte(a.ID)) != nil {
				continue
			}
			if err := insertArticle(tx, a); err != nil {
				return err
			}
			added[i] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return added, nil
}

// Article returns one article.
func (db *DB) Article(id string) (model.Article, error) {
	var a model.Article
	err := db.view(func(tx *txn) error {
		b, err := bucket(tx, bucketArticles)
		if err != nil {
			return err
		}
		v := b.Get([]byte(id))
		if v == nil {
			return fmt.Errorf("article %s: %w", id, store.ErrNotFound)
		}
		a, err = tx.article([]byte(id), v)
		return err
	})
	return a, err
}

// article decodes an article record and checks its text against its id
// (the id is the text's hash; SHA-256 runs at over a gigabyte a second, so
// even a 200,000-character text costs a fraction of a millisecond). A text
// that no longer matches is a damaged record, not an article to show.
func (tx *txn) article(k, v []byte) (model.Article, error) {
	if v == nil {
		return model.Article{}, fmt.Errorf("article %s: %w", k, store.ErrNotFound)
	}
	a, err := decodeArticle(v)
	if err == nil && (a.ID != string(k) || model.ArticleID(a.Text) != a.ID) {
		tx.noteDamage(&DamagedRecord{Bucket: string(bucketArticles), Key: k, Why: "has a text that does not match its id (the text was changed or damaged)"})
		err = ErrDamaged
	}
	return a, err
}

// statusRecord is an entry of the status index of layouts 2 to 4 (their
// migrations write it; layout 5 replaced it by the queue's buckets).
type statusRecord struct {
	Status    model.Status `json:"status"`
	UpdatedAt time.Time    `json:"updated_at"`
}

// getAnnotation reads an annotation (found false when there is none).
func getAnnotation(tx *txn, articleID, annotator string) (model.Annotation, bool, error) {
	a, rec, err := readAnnotation(tx, annotationKey(articleID, annotator), nil)
	return a, rec != nil, err
}

// readAnnotation reads the annotation at key and its record (nil when
// there is none), from db's memory when it holds the stored state.
func readAnnotation(tx *txn, key []byte, db *DB) (model.Annotation, *annotationRecord, error) {
	rec, err := readRecord(tx, key)
	if err != nil || rec == nil {
		return model.Annotation{}, nil, err
	}
	a, err := db.annotationOf(tx, key, rec)
	return a, rec, err
}

// annotationOf is the annotation rec stands for.
func (db *DB) annotationOf(tx *txn, key []byte, rec *annotationRecord) (model.Annotation, error) {
	if a, ok := db.recall(key, rec); ok {
		return a, nil
	}
	a, err := loadAnnotation(tx, key, rec)
	if err != nil {
		return a, err
	}
	db.remember(key, rec.Stamp, a)
	return a, nil
}

// Annotation returns the stored annotation, or a new empty one.
func (db *DB) Annotation(articleID, annotator string) (model.Annotation, error) {
	var a model.Annotation
	err := db.view(func(tx *txn) error {
		if tx.Bucket(bucketArticles).Get([]byte(articleID)) == nil {
			return fmt.Errorf("article %s: %w", articleID, store.ErrNotFound)
		}
		key := annotationKey(articleID, annotator)
		rec, err := readRecord(tx, key)
		if err != nil {
			return err
		}
		if rec == nil {
			a = model.NewAnnotation(articleID, annotator, "")
			return nil
		}
		a, err = db.annotationOf(tx, key, rec)
		return err
	})
	return a, err
}

// Each streams articles with their annotations in batches of exportBatch
// articles, each batch in its own short read transaction.
func (db *DB) Each(f store.Filter, fn func(store.Record) error) error {
	var after []byte
	for {
		var batch []store.Record
		var last []byte
		err := db.view(func(tx *txn) error {
			arts, err := bucket(tx, bucketArticles)
			if err != nil {
				return err
			}
			anns, err := bucket(tx, bucketAnnotations)
			if err != nil {
				return err
			}
			c := arts.Cursor()
			var k, v []byte
			if after == nil {
				k, v = c.First()
			} else {
				k, v = c.Seek(after)
				if k != nil && bytes.Equal(k, after) {
					k, v = c.Next()
				}
			}
			ac := anns.Cursor()
			for ; k != nil && len(batch) < exportBatch; k, v = c.Next() {
				last = append([]byte(nil), k...)
				var rec store.Record
				prefix := append(append([]byte(nil), k...), 0)
				for ak, av := ac.Seek(prefix); ak != nil && bytes.HasPrefix(ak, prefix); ak, av = ac.Next() {
					if f.Annotator != "" && string(ak[len(prefix):]) != f.Annotator {
						continue
					}
					r, err := decodeRecord(ak, av)
					if err != nil {
						return err
					}
					a, err := loadAnnotation(tx, ak, r)
					if err != nil {
						return err
					}
					rec.Annotations = append(rec.Annotations, a)
				}
				if len(rec.Annotations) == 0 && !f.All {
					continue
				}
				rec.Article, err = tx.article(k, v)
				if err != nil {
					return fmt.Errorf("article %s: %w", k, err)
				}
				batch = append(batch, rec)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, r := range batch {
			if err := fn(r); err != nil {
				return err
			}
		}
		if last == nil || bytes.Equal(last, after) {
			return nil
		}
		after = last
	}
}

func putJSON(b *bucketS, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}

// write stores next as the annotation (prev being what is stored, when
// existed), records the change in the history and keeps the queue in
// step. It returns the new history sequence number.
func (db *DB) write(tx *txn, prev model.Annotation, existed bool, next model.Annotation, action string) (model.Annotation, uint64, error) {
	var rec *annotationRecord
	if existed {
		var err error
		if rec, err = readRecord(tx, annotationKey(next.ArticleID, next.Annotator)); err != nil {
			return next, 0, err
		}
	}
	return db.writeAnnotation(tx, rec, prev, next, action, db.Now().UTC())
}

// writeAnnotation is write given the stored record (nil when there is
// none) and the time of the change.
func (db *DB) writeAnnotation(tx *txn, prevRec *annotationRecord, prev model.Annotation, next model.Annotation, action string, now time.Time) (model.Annotation, uint64, error) {
	next.Rev = prev.Rev + 1
	next.UpdatedAt = now
	if next.Status == "" {
		next.Status = model.StatusTodo
	}
	key := annotationKey(next.ArticleID, next.Annotator)
	seq, err := tx.Bucket(bucketHistory).NextSequence()
	if err != nil {
		return next, 0, err
	}
	before, prevp := prev, &prev
	var last uint64
	var since, size int
	var old queueState
	if prevRec != nil {
		last, since, size = prevRec.Hist, prevRec.Since, prevRec.Size
		old = queueStateOf(&prev)
	} else {
		before, prevp = model.NewAnnotation(next.ArticleID, next.Annotator, next.Schema), nil
	}
	entry := store.HistoryEntry{Time: now, Annotator: next.Annotator, ArticleID: next.ArticleID, Action: action}
	if since, err = appendChange(tx, key, seq, entry, &before, &next, last, since, size); err != nil {
		return next, 0, err
	}
	rec, err := putAnnotation(tx, key, prevRec, prevp, next, seq, since)
	if err != nil {
		return next, 0, err
	}
	if err := setStatus(tx, next.ArticleID, next.Annotator, old, queueStateOf(&next)); err != nil {
		return next, 0, err
	}
	db.remember(key, rec.Stamp, next)
	return next, seq, nil
}

// Save stores a changed annotation as one durable transaction.
func (db *DB) Save(a model.Annotation, action string) (model.Annotation, error) {
	if a.ArticleID == "" || a.Annotator == "" {
		return a, errors.New("an annotation needs its article and annotator")
	}
	var saved model.Annotation
	err := db.update(func(tx *txn) error {
		if tx.Bucket(bucketArticles).Get([]byte(a.ArticleID)) == nil {
			return fmt.Errorf("article %s: %w", a.ArticleID, store.ErrNotFound)
		}
		key := annotationKey(a.ArticleID, a.Annotator)
		rec, err := readRecord(tx, key)
		if err != nil {
			return err
		}
		if (rec == nil && a.Rev != 0) || (rec != nil && rec.Rev != a.Rev) {
			return store.ErrConflict
		}
		var prev model.Annotation
		if rec != nil {
			if prev, err = db.annotationOf(tx, key, rec); err != nil {
				return err
			}
		}
		saved, err = db.saveChange(tx, rec, prev, a, action)
		return err
	})
	return saved, err
}

// saveIn writes next over prev inside tx as a change the annotator can
// undo: it goes on the undo stack and clears the redo stack.
func (db *DB) saveIn(tx *txn, prev model.Annotation, existed bool, next model.Annotation, action string) (model.Annotation, error) {
	var rec *annotationRecord
	if existed {
		var err error
		if rec, err = readRecord(tx, annotationKey(next.ArticleID, next.Annotator)); err != nil {
			return next, err
		}
	}
	return db.saveChange(tx, rec, prev, next, action)
}

func (db *DB) saveChange(tx *txn, prevRec *annotationRecord, prev, next model.Annotation, action string) (model.Annotation, error) {
	saved, seq, err := db.writeAnnotation(tx, prevRec, prev, next, action, db.Now().UTC())
	if err != nil {
		return saved, err
	}
	key := annotationKey(next.ArticleID, next.Annotator)
	if err := pushUndo(tx, key, 'u', seq); err != nil {
		return saved, err
	}
	return saved, clearUndo(tx, key, 'r')
}

// step pops one stack, restores the state recorded before that change, and
// pushes the new history entry onto the other stack.
func (db *DB) step(articleID, annotator string, undo bool, seen []int) (model.Annotation, string, error) {
	var restored model.Annotation
	var action string
	err := db.update(func(tx *txn) error {
		key := annotationKey(articleID, annotator)
		from, to, verb := byte('u'), byte('r'), "undo"
		if !undo {
			from, to, verb = 'r', 'u', "redo"
		}
		seq, err := popUndo(tx, key, from)
		if err != nil {
			return err
		}
		if seq == 0 {
			if undo {
				return store.ErrNothingToUndo
			}
			return store.ErrNothingToRedo
		}
		v := tx.Bucket(bucketHistory).Get(historyKey(key, seq))
		if v == nil {
			return fmt.Errorf("history entry %d is missing", seq)
		}
		entry, err := decodeHistory(historyKey(key, seq), v)
		if err != nil {
			return err
		}
		cur, rec, err := readAnnotation(tx, key, nil)
		if err != nil {
			return err
		}
		if len(seen) > 0 && cur.Rev != seen[0] {
			// The caller's copy is stale: another window saved since. An
			// undo is a save like any other (nothing popped: the
			// transaction is rolled back).
			return fmt.Errorf("annotation of %s by %s: %w", articleID, annotator, store.ErrConflict)
		}
		var curp *model.Annotation
		if rec != nil {
			curp = &cur
		}
		target, err := stateBefore(tx, key, seq, curp, rec)
		if err != nil {
			return err
		}
		action = entry.Action
		for _, prefix := range []string{"undo: ", "redo: "} {
			if len(action) > len(prefix) && action[:len(prefix)] == prefix {
				action = action[len(prefix):]
			}
		}
		var newSeq uint64
		restored, newSeq, err = db.writeAnnotation(tx, rec, cur, target, verb+": "+action, db.Now().UTC())
		if err != nil {
			return err
		}
		return pushUndo(tx, key, to, newSeq)
	})
	return restored, action, err
}

// Undo restores the annotation as it was before the last change (see
// store.Store: seen is the revision the caller holds).
func (db *DB) Undo(articleID, annotator string, seen ...int) (model.Annotation, string, error) {
	return db.step(articleID, annotator, true, seen)
}

// Redo re-applies the last undone change.
func (db *DB) Redo(articleID, annotator string, seen ...int) (model.Annotation, string, error) {
	return db.step(articleID, annotator, false, seen)
}

// historyBatch is how many changes one read transaction of History
// covers.
const historyBatch = 256

// History calls fn for each recorded change, oldest first. One article's
// changes are a range of the history's keys; every article's come from
// the log. The state before each change is rebuilt from the chain's
// whole states and differences as the walk goes (Before shares memory
// with the states that follow: do not change it).
func (db *DB) History(articleID, annotator string, fn func(store.HistoryEntry) error) error {
	type ref struct {
		seq uint64
		key []byte
	}
	var refs []ref // one article's changes, in order
	if articleID != "" {
		prefix := []byte(articleID + "\x00")
		if annotator != "" {
			prefix = chainPrefix(annotationKey(articleID, annotator))
		}
		err := db.view(func(tx *txn) error {
			b, err := bucket(tx, bucketHistory)
			if err != nil {
				return err
			}
			c := b.Cursor()
			for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
				if len(k) < len(prefix)+8 || k[len(k)-9] != 0 {
					return fmt.Errorf("history entry %x is damaged", k)
				}
				refs = append(refs, ref{binary.BigEndian.Uint64(k[len(k)-8:]), bytes.Clone(k[:len(k)-9])})
			}
			return nil
		})
		if err != nil {
			return err
		}
		slices.SortFunc(refs, func(a, b ref) int { return cmp.Compare(a.seq, b.seq) })
	}
	w := historyWalker{states: map[string]walkState{}}
	var after uint64
	for done := 0; ; {
		var batch []store.HistoryEntry
		err := db.view(func(tx *txn) error {
			if _, err := bucket(tx, bucketHistoryLog); err != nil {
				return err
			}
			next := func() (ref, bool) {
				if articleID != "" {
					if done >= len(refs) {
						return ref{}, false
					}
					done++
					return refs[done-1], true
				}
				c := tx.Bucket(bucketHistoryLog).Cursor()
				for k, v := c.Seek(u64(after + 1)); k != nil; k, v = c.Next() {
					after = binary.BigEndian.Uint64(k)
					if _, who, _ := bytes.Cut(v, []byte{0}); annotator == "" || string(who) == annotator {
						return ref{after, bytes.Clone(v)}, true
					}
				}
				return ref{}, false
			}
			for len(batch) < historyBatch {
				r, ok := next()
				if !ok {
					break
				}
				e, err := w.entry(tx, r.key, r.seq)
				if err != nil {
					return err
				}
				batch = append(batch, e)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, e := range batch {
			if err := fn(e); err != nil {
				return err
			}
		}
		if len(batch) < historyBatch {
			return nil
		}
	}
}

// historyWalker rebuilds the states before changes visited in order,
// keeping the state after the last change of each chain it saw.
type historyWalker struct {
	states map[string]walkState
}

type walkState struct {
	seq   uint64
	after model.Annotation
}

// walkedChains bounds the chains a walker remembers.
const walkedChains = 64

func (w *historyWalker) entry(tx *txn, key []byte, seq uint64) (store.HistoryEntry, error) {
	hk := historyKey(key, seq)
	v := tx.Bucket(bucketHistory).Get(hk)
	if v == nil {
		return store.HistoryEntry{}, fmt.Errorf("history entry %d of %s is missing", seq, keyName(key))
	}
	h, err := decodeHistory(hk, v)
	if err != nil {
		return store.HistoryEntry{}, err
	}
	var before model.Annotation
	st, known := w.states[string(key)]
	switch {
	case h.Before != nil:
		before = *h.Before
	case known && h.Cont && st.seq < seq:
		before = st.after
	default:
		if before, err = forwardBefore(tx, key, seq); err != nil {
			return store.HistoryEntry{}, err
		}
	}
	after, err := applyDelta(before, &h.Delta, true)
	if err != nil {
		return store.HistoryEntry{}, fmt.Errorf("history entry %d of %s: %w", seq, keyName(key), err)
	}
	if !known && len(w.states) >= walkedChains {
		for k := range w.states {
			delete(w.states, k)
			break
		}
	}
	w.states[string(key)] = walkState{seq, after}
	b := before
	return store.HistoryEntry{Seq: h.Seq, Time: h.Time, Annotator: h.Annotator, ArticleID: h.ArticleID, Action: h.Action, Before: &b}, nil
}

// Schema returns the stored schema, or nil when none was stored.
func (db *DB) Schema() (*model.Schema, error) {
	var s *model.Schema
	err := db.view(func(tx *txn) error {
		v := tx.Bucket(bucketMeta).Get(keySchema)
		if v == nil {
			return nil
		}
		var err error
		s, err = model.ParseSchema(v, db.path+" (stored schema)")
		return err
	})
	return s, err
}

// SetSchema stores the schema for later sessions.
func (db *DB) SetSchema(s *model.Schema) error {
	return db.update(func(tx *txn) error {
		data, err := json.MarshalIndent(s, "", "  ")
		if err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keySchema, data)
	})
}

// Check runs bbolt's consistency check and verifies every record decodes.
func (db *DB) Check() ([]string, error) {
	var problems []string
	err := db.view(func(tx *txn) error {
		for err := range tx.Check() {
			problems = append(problems, pageProblem(err.Error()))
		}
		if v := storedVersion(tx); v != CurrentVersion {
			problems = append(problems, fmt.Sprintf("layout version is %d, expected %d", v, CurrentVersion))
		}
		for _, name := range append([][]byte{bucketMeta, bucketArticles, bucketAnnotations, bucketChunks, bucketHistory, bucketHistoryLog, bucketUndo, bucketRegistry, bucketRegistryHistory, bucketClaims}, queueBuckets...) {
			if tx.Bucket(name) == nil {
				problems = append(problems, fmt.Sprintf("bucket %q is missing", name))
			}
		}
		if len(problems) > 0 {
			return nil
		}
		// Every record's seal first, in every bucket; the checks below
		// then see the records that pass it, and what they find damaged
		// besides (an article's text against its id) is listed after.
		sealed := verifySeals(tx)
		for _, d := range sealed {
			problems = append(problems, d.Error())
		}
		defer func() {
			for _, d := range tx.damage {
				if !slices.ContainsFunc(sealed, func(e *DamagedRecord) bool { return e.Bucket == d.Bucket && string(e.Key) == string(d.Key) }) {
					problems = append(problems, d.Error())
				}
			}
			tx.damage = nil // reported here, not the transaction's failure
		}()
		_ = tx.Bucket(bucketArticles).ForEach(func(k, v []byte) error {
			m, text, err := decodeArticleMeta(v)
			switch {
			case err != nil:
				problems = append(problems, fmt.Sprintf("article %s: %v", k, err))
			case !utf8.Valid(text):
				problems = append(problems, fmt.Sprintf("article %s: text is not valid UTF-8", k))
			case model.ArticleID(string(text)) != string(k) || m.ID != string(k):
				problems = append(problems, fmt.Sprintf("article %s: text does not match its id", k))
			}
			return nil
		})
		problems = append(problems, checkRecords(tx)...)
		problems = append(problems, checkQueue(tx)...)
		problems = append(problems, checkRegistry(tx)...)
		problems = append(problems, checkClaims(tx)...)
		return nil
	})
	return problems, err
}

// checkRecords reports annotations, history entries and undo stacks that
// do not decode, and log and undo entries naming changes that are not
// there (undo would fail on them).
func checkRecords(tx *txn) []string {
	var problems []string
	status := tx.Bucket(bucketArticleStatus)
	_ = tx.Bucket(bucketAnnotations).ForEach(func(k, v []byte) error {
		rec, err := decodeRecord(k, v)
		if err == nil {
			_, err = loadAnnotation(tx, k, rec)
		}
		if err != nil {
			problems = append(problems, err.Error())
			return nil
		}
		// The queue's record of the annotation says what it says (an
		// annotation of no article is reported by the queue's check).
		id, annotator, _ := bytes.Cut(k, []byte{0})
		seq, ok := articleSeq(tx, string(id))
		if !ok {
			return nil
		}
		sk := statusKey(seq, string(annotator))
		v = status.Get(sk)
		want, got := queueStateOf(&rec.Annotation), decodeStatus(v)
		switch {
		case v == nil && slices.ContainsFunc(tx.damage, func(d *DamagedRecord) bool { return string(d.Key) == string(sk) }):
			// A damaged record: named as such.
		case v == nil:
			problems = append(problems, fmt.Sprintf("the queue has no status record of %s (its annotation is %q)", termtextSafe(keyName(k)), want.Status))
		case got != want:
			problems = append(problems, fmt.Sprintf("the queue's status record of %s says %q, review %q; the annotation %q, review %q",
				termtextSafe(keyName(k)), got.Status, got.Review, want.Status, want.Review))
		}
		return nil
	})
	hist := tx.Bucket(bucketHistory)
	_ = hist.ForEach(func(k, v []byte) error {
		if _, err := decodeHistory(k, v); err != nil {
			problems = append(problems, err.Error())
		}
		return nil
	})
	_ = tx.Bucket(bucketHistoryLog).ForEach(func(k, v []byte) error {
		if len(k) != 8 || hist.Get(historyKey(v, binary.BigEndian.Uint64(k))) == nil {
			problems = append(problems, fmt.Sprintf("history log entry %x names a change of %s that is missing", k, keyName(v)))
		}
		return nil
	})
	_ = tx.Bucket(bucketUndo).ForEach(func(k, v []byte) error {
		var annKey []byte
		var seqs []uint64
		if n := len(k); n > 10 && k[n-10] == 0 && (k[n-9] == 'u' || k[n-9] == 'r') && bytes.Count(k[:n-10], []byte{0}) == 1 {
			annKey = k[:n-10]
			seqs = []uint64{binary.BigEndian.Uint64(k[n-8:])}
		} else {
			// A stack as one record (layouts 2 to 5 wrote them so).
			annKey = k
			var s undoStacks
			if err := json.Unmarshal(v, &s); err != nil {
				problems = append(problems, fmt.Sprintf("undo record of %s is damaged: %v", keyName(k), err))
				return nil
			}
			seqs = append(append(seqs, s.Undo...), s.Redo...)
		}
		for _, seq := range seqs {
			if hist.Get(historyKey(annKey, seq)) == nil {
				problems = append(problems, fmt.Sprintf("undo record of %s names history entry %d, which is missing", keyName(annKey), seq))
			}
		}
		return nil
	})
	return problems
}

func fileExists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
