package bolt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// Damaged files are opened in a child process (this test binary run again
// with childDBEnv set): reading a damaged memory-mapped file can kill a
// process with a fault no recover() sees, and the parent must survive to
// report it.
const (
	childDBEnv  = "ANNOTATE_BOLT_TEST_CHILD_DB"
	childOpEnv  = "ANNOTATE_BOLT_TEST_CHILD_OP"
	childCutEnv = "ANNOTATE_BOLT_TEST_CHILD_CUT"
)

func TestMain(m *testing.M) {
	if path := os.Getenv(childDBEnv); path != "" {
		os.Exit(childMain(path, os.Getenv(childOpEnv)))
	}
	os.Exit(m.Run())
}

// childResult is what the child reports on stdout, as one JSON line.
type childResult struct {
	OpenErr  string   `json:"open_err,omitempty"`
	CheckErr string   `json:"check_err,omitempty"`
	Problems []string `json:"problems,omitempty"`
	ReadErr  string   `json:"read_err,omitempty"`
	WriteErr string   `json:"write_err,omitempty"`
}

// childMain opens the database and then runs op: "open" stops there,
// "check" runs Check, "read" lists and streams every article, "write" adds
// an article and saves an annotation. When childCutEnv holds a size, the
// file is cut to it between Open and op, as a failed restore or a sync tool
// could do under a running screen. A Go panic escaping the store ends the
// child with status 2.
func childMain(path, op string) int {
	var res childResult
	db, err := Open(path, Options{LockTimeout: time.Second})
	if cut := os.Getenv(childCutEnv); cut != "" && err == nil {
		var size int64
		if _, err := fmt.Sscan(cut, &size); err != nil {
			return 4
		}
		if err := os.Truncate(path, size); err != nil {
			return 4
		}
	}
	switch {
	case err != nil:
		res.OpenErr = err.Error()
	case op == "check":
		problems, err := db.Check()
		res.Problems = problems
		if err != nil {
			res.CheckErr = err.Error()
		}
	case op == "write":
		_, err := db.AddArticles([]model.Article{{Text: "written after damage"}})
		if err == nil {
			_, err = db.Save(model.NewAnnotation(model.ArticleID("written after damage"), "alice", ""), "write")
		}
		if err != nil {
			res.WriteErr = err.Error()
		}
	case op == "read":
		err := db.Articles(func(s store.ArticleSummary) error {
			_, err := db.Article(s.ID)
			return err
		})
		if err == nil {
			err = db.Each(store.Filter{All: true}, func(store.Record) error { return nil })
		}
		if err != nil {
			res.ReadErr = err.Error()
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		return 3
	}
	return 0
}

// inChild runs op on the database at path in a child process and fails the
// test if the child dies instead of returning.
func inChild(t *testing.T, path, op string, env ...string) childResult {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childDBEnv+"="+path, childOpEnv+"="+op)
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := stderr.String()
		if len(msg) > 1500 {
			msg = msg[:1500] + "..."
		}
		t.Fatalf("%s of %s crashed the process (%v):\n%s", op, filepath.Base(path), err, msg)
	}
	var res childResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("child output %q: %v", stdout.String(), err)
	}
	return res
}

// buildRealDB makes a database with enough articles and annotations to
// span many pages, and returns its path.
func buildRealDB(t *testing.T) string {
	t.Helper()
	db, path := newDB(t)
	rng := rand.New(rand.NewPCG(3, 4))
	var texts []string
	for i := range 300 {
		texts = append(texts, fmt.Sprintf("article %d\r\n", i)+randomWords(rng, 2000))
	}
	ids := addTexts(t, db, texts...)
	var anns []model.Annotation
	for _, id := range ids[:100] {
		anns = append(anns, fullAnnotation(id, "alice", "some text"))
	}
	seedAnnotations(t, db, anns)
	if problems, err := db.Check(); err != nil || len(problems) > 0 {
		t.Fatalf("test setup: fresh database fails Check: %v %v", problems, err)
	}
	return path
}

func randomWords(rng *rand.Rand, n int) string {
	words := []string{"ISIS", "SDF", "Raqqa", "killed", "claimed", "سالم", "😀", "the", "and", "near", "中文"}
	var sb strings.Builder
	for sb.Len() < n {
		sb.WriteString(words[rng.IntN(len(words))])
		sb.WriteByte(' ')
	}
	return sb.String()
}

func copyFile(t *testing.T, from, to string) []byte {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return data
}

// TestOpenGarbage: a file that is not a bbolt database at all is refused
// with a message, never a crash.
func TestOpenGarbage(t *testing.T) {
	tests := []struct {
		name string
		data func() []byte
	}{
		{"random 64 KiB", func() []byte {
			rng := rand.New(rand.NewPCG(1, 2))
			b := make([]byte, 64<<10)
			for i := range b {
				b[i] = byte(rng.Uint32())
			}
			return b
		}},
		{"text file", func() []byte { return []byte(strings.Repeat("ISIS claimed the attack.\n", 3000)) }},
		{"one byte", func() []byte { return []byte{0} }},
		{"zeros", func() []byte { return make([]byte, 64<<10) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "garbage.db")
			if err := os.WriteFile(path, tt.data(), 0o600); err != nil {
				t.Fatal(err)
			}
			res := inChild(t, path, "open")
			if res.OpenErr == "" {
				t.Fatalf("Open accepted %s", tt.name)
			}
			if !strings.Contains(res.OpenErr, path) {
				t.Errorf("error %q does not name the file", res.OpenErr)
			}
		})
	}
}

// TestOpenTruncated: a database cut short (a full disk, a copy
// interrupted) gives an error from Open, or from Check, never a crash.
func TestOpenTruncated(t *testing.T) {
	real := buildRealDB(t)
	// bbolt grows files ahead of use: cut relative to the pages in use.
	used, page := usedSize(t, real)
	// When the meta pages survive, bbolt trusts them and would read pages
	// past the end of the file and of its memory map: such a read faults
	// (SIGBUS or SIGSEGV, which no recover catches) or returns whatever
	// memory lies there, so Open must refuse the file before any read.
	tests := []struct {
		name string
		size int
	}{
		{"100 bytes", 100},
		{"one page", page},
		{"meta pages only", 2 * page},
		{"half", used / 2 / page * page},
		{"half and a bit", used/2 + 123},
		{"all but the last page in use", used - page},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "truncated.db")
			data := copyFile(t, real, path)
			if err := os.WriteFile(path, data[:tt.size], 0o600); err != nil {
				t.Fatal(err)
			}
			// Open must refuse the file whatever comes next; the child
			// must not crash on the way.
			for _, op := range []string{"check", "read", "write"} {
				t.Run(op, func(t *testing.T) {
					res := inChild(t, path, op)
					t.Logf("%s: %+v", op, res)
					if res.OpenErr == "" {
						t.Errorf("Open accepted a database truncated to %d of the %d bytes its pages use", tt.size, used)
					}
				})
			}
		})
	}
}

// TestFileCutWhileOpen: the store opens the file for each transaction, so
// a file cut short after Open (a failed restore, a sync tool) must be
// refused by the next read, write or check, not crash the screen.
func TestFileCutWhileOpen(t *testing.T) {
	real := buildRealDB(t)
	used, page := usedSize(t, real)
	bugs := map[string]string{}
	for _, op := range []string{"read", "write", "check"} {
		t.Run(op, func(t *testing.T) {
			if bug := bugs[op]; bug != "" {
				t.Skip("BUG: " + bug)
			}
			path := filepath.Join(t.TempDir(), "cut.db")
			copyFile(t, real, path)
			res := inChild(t, path, op, fmt.Sprintf("%s=%d", childCutEnv, used-page))
			t.Logf("%s: %+v", op, res)
			if res.OpenErr != "" {
				t.Fatalf("Open failed before the file was cut: %s", res.OpenErr)
			}
			if res.ReadErr == "" && res.WriteErr == "" && res.CheckErr == "" && len(res.Problems) == 0 {
				t.Errorf("%s on a file cut to %d of %d bytes reported nothing wrong", op, used-page, used)
			}
		})
	}
}

// usedSize returns the bytes of the file bbolt uses (its high-water mark)
// and the page size.
func usedSize(t *testing.T, path string) (int, int) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var used int64
	_ = b.View(func(tx *bolt.Tx) error { used = tx.Size(); return nil })
	return int(used), b.Info().PageSize
}

// Page layout of bbolt files (go.etcd.io/bbolt/internal/common/page.go): a
// 16-byte header {id uint64, flags uint16, count uint16, overflow uint32};
// branch pages then hold count elements {pos, ksize uint32, pgid uint64}.
const (
	pageHeaderSize = 16
	branchFlag     = 0x01
	leafFlag       = 0x02
)

// articlePages returns the root page of the articles bucket and one of its
// leaf pages, found by walking down the middle of the branch pages.
func articlePages(t *testing.T, path string, data []byte) (root, leaf uint64, pageSize int) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	pageSize = b.Info().PageSize
	err = b.View(func(tx *bolt.Tx) error {
		root = uint64(tx.Bucket(bucketArticles).Root())
		return nil
	})
	b.Close()
	if err != nil {
		t.Fatal(err)
	}
	flags := func(id uint64) uint16 { return binary.LittleEndian.Uint16(data[int(id)*pageSize+8:]) }
	if flags(root)&branchFlag == 0 {
		t.Fatalf("test setup: articles root page %d has flags %#x, want a branch page (add more articles)", root, flags(root))
	}
	leaf = root
	for depth := 0; flags(leaf)&branchFlag != 0; depth++ {
		if depth > 10 {
			t.Fatalf("test setup: no leaf below page %d", root)
		}
		p := data[int(leaf)*pageSize:]
		count := int(binary.LittleEndian.Uint16(p[10:]))
		elem := p[pageHeaderSize+(count/2)*16:]
		leaf = binary.LittleEndian.Uint64(elem[8:])
	}
	if flags(leaf)&leafFlag == 0 {
		t.Fatalf("test setup: page %d has flags %#x, want a leaf page", leaf, flags(leaf))
	}
	return root, leaf, pageSize
}

// TestCheckDamagedPage: Check on a database with a damaged page reports
// problems or an error, and neither Check nor reading crashes.
func TestCheckDamagedPage(t *testing.T) {
	real := buildRealDB(t)
	damages := []struct {
		name  string
		apply func(page []byte)
	}{
		{"zeroed", func(p []byte) { clear(p) }},
		{"random body", func(p []byte) {
			rng := rand.New(rand.NewPCG(5, 6))
			for i := pageHeaderSize; i < len(p); i++ {
				p[i] = byte(rng.Uint32())
			}
		}},
		{"element count too large", func(p []byte) { binary.LittleEndian.PutUint16(p[10:], 0xFFFF) }},
		{"wrong page type", func(p []byte) {
			flags := binary.LittleEndian.Uint16(p[8:])
			binary.LittleEndian.PutUint16(p[8:], flags^(branchFlag|leafFlag))
		}},
		{"page id of another page", func(p []byte) { binary.LittleEndian.PutUint64(p, binary.LittleEndian.Uint64(p)+1) }},
	}
	// Cases known to crash, by subtest name.
	bugs := map[string]string{
		"leaf/element count too large/check": "Check (internal/store/bolt/bolt.go, DB.Check) crashes the process on a leaf page whose element count is too large: bbolt's Tx.Check (recursivelyCheckPageKeyOrderInternal -> verifyKeyOrder) reads keys at offsets taken from the damaged page, faults (SIGSEGV \"unexpected fault address\") in its own goroutine, and a fault is not a panic, so neither bbolt's nor run()'s recover() catches it",
	}
	for _, target := range []string{"branch", "leaf"} {
		for _, d := range damages {
			name := target + "/" + d.name
			t.Run(name, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "damaged.db")
				data := copyFile(t, real, path)
				root, leaf, pageSize := articlePages(t, path, data)
				id := root
				if target == "leaf" {
					id = leaf
				}
				d.apply(data[int(id)*pageSize : int(id+1)*pageSize])
				if err := os.WriteFile(path, data, 0o600); err != nil {
					t.Fatal(err)
				}
				t.Run("check", func(t *testing.T) {
					if bug := bugs[name+"/check"]; bug != "" {
						t.Skip("BUG: " + bug)
					}
					res := inChild(t, path, "check")
					t.Logf("check: %+v", res)
					if res.OpenErr == "" && res.CheckErr == "" && len(res.Problems) == 0 {
						t.Errorf("page %d %s: Check found nothing wrong", id, d.name)
					}
				})
				t.Run("read", func(t *testing.T) {
					if bug := bugs[name+"/read"]; bug != "" {
						t.Skip("BUG: " + bug)
					}
					// Reading may fail or, when the damage misses what is
					// read, succeed; it must not crash.
					res := inChild(t, path, "read")
					t.Logf("read: %+v", res)
				})
			})
		}
	}
}

// TestCheckFindsBadRecords: records bbolt itself finds fine but annotate
// cannot use are reported by Check.
func TestCheckFindsBadRecords(t *testing.T) {
	tests := []struct {
		name   string
		damage func(tx *txn, id string) error
		want   string
	}{
		{"text changed", func(tx *txn, id string) error {
			v, err := encodeArticle(model.Article{ID: id, Text: "another text"}, 1)
			if err != nil {
				return err
			}
			return tx.Bucket(bucketArticles).Put([]byte(id), v)
		}, "does not match its id"},
		{"text not UTF-8", func(tx *txn, id string) error {
			v, err := encodeArticle(model.Article{ID: id, Text: "bad \xff byte"}, 1)
			if err != nil {
				return err
			}
			return tx.Bucket(bucketArticles).Put([]byte(id), v)
		}, "not valid UTF-8"},
		{"record cut short", func(tx *txn, id string) error {
			return tx.Bucket(bucketArticles).Put([]byte(id), []byte{0x7f, '{'})
		}, "damaged"},
		{"metadata not JSON", func(tx *txn, id string) error {
			return tx.Bucket(bucketArticles).Put([]byte(id), append([]byte{3}, "{{{text"...))
		}, "damaged"},
		{"bucket missing", func(tx *txn, id string) error { return tx.DeleteBucket(bucketUndo) }, `bucket "undo" is missing`},
		{"old layout", func(tx *txn, id string) error { return tx.Bucket(bucketMeta).Put(keyVersion, u64(1)) }, "layout version is 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, path := newDB(t)
			id := addTexts(t, db, "an article to damage")[0]
			b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			b.Close()
			err = db.update(func(tx *txn) error { return tt.damage(tx, id) })
			if err != nil {
				t.Fatal(err)
			}
			problems, err := db.Check()
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if !strings.Contains(strings.Join(problems, "\n"), tt.want) {
				t.Errorf("problems %q do not mention %q", problems, tt.want)
			}
		})
	}
}
