package bolt

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
)

// garbleFreelist overwrites the whole page the newest meta page names as
// the freelist (header included) with bytes bbolt cannot read as one.
func garbleFreelist(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// bbolt's meta page: a 16-byte page header, then magic u32, version
	// u32, page size u32, flags u32, root bucket (16), freelist u64, pgid
	// u64, txid u64.
	pageSize := int(binary.LittleEndian.Uint32(data[16+8:]))
	meta := func(p int) (freelist, txid uint64) {
		m := data[p*pageSize+16:]
		return binary.LittleEndian.Uint64(m[32:]), binary.LittleEndian.Uint64(m[48:])
	}
	freelist, tx0 := meta(0)
	if fl1, tx1 := meta(1); tx1 > tx0 {
		freelist = fl1
	}
	off := int(freelist) * pageSize
	if freelist < 2 || off+pageSize > len(data) {
		t.Fatalf("test setup: the meta page names freelist page %d in a file of %d pages", freelist, len(data)/pageSize)
	}
	for i := off; i < off+pageSize; i++ {
		data[i] = 0xA5
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// wantDamaged fails unless err is one line naming the file and pointing at
// check and backups.
func wantDamaged(t *testing.T, what string, err error, path string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error on a garbled freelist", what)
	}
	if errors.Is(err, ErrInUse) {
		t.Fatalf("%s: %v (the file was left locked)", what, err)
	}
	msg := err.Error()
	for _, want := range []string{path, "damaged", "annotate check", "backup"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%s: error %q does not say %q", what, msg, want)
		}
	}
	if strings.Contains(msg, "\n") || strings.Contains(msg, "goroutine") {
		t.Errorf("%s: error is not one line: %q", what, msg)
	}
}

// TestGarbledFreelist: bbolt panics inside Open on a garbled freelist (a
// writable open reads it). Open, reads and writes must each return one
// error naming the file, never panic, and never leave the file locked.
func TestGarbledFreelist(t *testing.T) {
	t.Run("current layout", func(t *testing.T) {
		db, path := newDB(t)
		ids := addTexts(t, db, "An article\nabout the freelist.\n")
		garbleFreelist(t, path)

		// Open and reads only read the file, which never touches the
		// freelist: they may succeed, or fail naming the file.
		db, err := Open(path, Options{LockTimeout: time.Second})
		if err != nil {
			wantDamaged(t, "Open", err, path)
			return
		}
		if a, err := db.Article(ids[0]); err != nil {
			wantDamaged(t, "Article", err, path)
		} else if !strings.Contains(a.Text, "freelist") {
			t.Errorf("Article read back %q", a.Text)
		}
		// Writes open the file writable: bbolt panics reading the freelist.
		for i := range 2 {
			_, err := db.AddArticles([]model.Article{{Title: "New", Text: "A new article.\n"}})
			wantDamaged(t, "AddArticles "+string(rune('1'+i)), err, path)
		}
		if _, err := db.Save(fullAnnotation(ids[0], "alice", "An article\nabout the freelist.\n"), "tag"); err != nil {
			wantDamaged(t, "Save", err, path)
		} else {
			t.Error("Save succeeded on a garbled freelist")
		}
	})
	t.Run("older layout (Open migrates)", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "annotate.db")
		buildLayoutAt(t, path, CurrentVersion-1, []string{"An older article.\n"}, nil, nil, nil)
		garbleFreelist(t, path)
		for i := range 2 {
			_, err := Open(path, Options{LockTimeout: time.Second})
			wantDamaged(t, "Open "+string(rune('1'+i)), err, path)
		}
	})
}
