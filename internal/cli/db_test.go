package cli_test

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"
)

// randomBytes returns n bytes from a fixed seed, so a failure reproduces.
func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 0x616e6e6f74617465))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// TestDamagedDatabase runs annotate in a child process: a damaged file can
// crash the process outright (SIGBUS), and that must fail one test, not the
// suite.
func TestDamagedDatabase(t *testing.T) {
	healthy := func(t *testing.T) []byte {
		h := newHarness(t)
		h.mustRun("import", corpusDir)
		data, err := os.ReadFile(h.dbPath())
		if err != nil {
			t.Fatal(err)
		}
		if len(data) < 32<<10 {
			t.Fatalf("healthy database is only %d bytes; the cuts below assume at least 32 KiB", len(data))
		}
		return data
	}
	tests := []struct {
		name    string
		content func(t *testing.T) []byte
	}{
		{name: "random bytes, 64 KiB", content: func(*testing.T) []byte { return randomBytes(64<<10, 1) }},
		{name: "random bytes, 100", content: func(*testing.T) []byte { return randomBytes(100, 2) }},
		{name: "text file given as database", content: func(*testing.T) []byte { return []byte("This is a note, not a database.\n") }},
		{name: "bbolt file cut to 100 bytes", content: func(t *testing.T) []byte { return healthy(t)[:100] }},
		{
			name: "bbolt file cut inside the second meta page", content: func(t *testing.T) []byte { return healthy(t)[:4096+100] },
		},
		{name: "bbolt file cut after its two meta pages", content: func(t *testing.T) []byte { return healthy(t)[:8192] }},
		{name: "bbolt file cut in half", content: func(t *testing.T) []byte { d := healthy(t); return d[:len(d)/2] }},
		{
			name: "empty file", content: func(*testing.T) []byte { return nil },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			content := tt.content(t)
			for _, cmd := range []string{"list", "check"} {
				h := newHarness(t)
				if err := os.MkdirAll(filepath.Dir(h.dbPath()), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(h.dbPath(), content, 0o600); err != nil {
					t.Fatal(err)
				}
				res := h.runChild(cmd)
				if crashed(res.stderr) {
					t.Fatalf("annotate %s crashed:\n%s", cmd, head(res.stderr, 12))
				}
				if res.code == 0 {
					t.Errorf("annotate %s: exit 0, want non-zero\nstdout: %s", cmd, res.stdout)
				}
				errLines := lines(res.stderr)
				if len(errLines) != 1 {
					t.Errorf("annotate %s: %d lines on stderr, want 1:\n%s", cmd, len(errLines), res.stderr)
				}
				if !strings.Contains(res.stderr, h.dbPath()) || !strings.Contains(res.stderr, "damaged") {
					t.Errorf("annotate %s: stderr %q does not say that %s is damaged", cmd, res.stderr, h.dbPath())
				}
				if after, err := os.ReadFile(h.dbPath()); err != nil || string(after) != string(content) {
					t.Errorf("annotate %s changed the damaged file (err %v)", cmd, err)
				}
			}
		})
	}
}

func TestCheckHealthyDatabase(t *testing.T) {
	tests := []struct {
		name    string
		imports []string
	}{
		{"new database", nil},
		{"database with the corpus", []string{corpusDir}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if tt.imports != nil {
				h.mustRun(append([]string{"import"}, tt.imports...)...)
			}
			res := h.mustRun("check")
			if want := h.dbPath() + ": ok (0 annotations checked)\n"; res.stdout != want {
				t.Errorf("stdout %q, want %q", res.stdout, want)
			}
			if res.stderr != "" {
				t.Errorf("stderr %q, want nothing", res.stderr)
			}
		})
	}
}

// TestImportWhileDatabaseInUse holds the file open for writing, as another
// annotate process would, and waits out the default lock timeout (5s):
// cli.Main offers no way to shorten it.
func TestImportWhileDatabaseInUse(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the 5s lock timeout")
	}
	t.Parallel()
	h := newHarness(t)
	h.mustRun("import", filepath.Join(corpusDir, "harbour.txt"))
	before := h.mustRun("list", "--json").stdout

	holder, err := bbolt.Open(h.dbPath(), 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	res := h.run("import", corpusDir)
	if err := holder.Close(); err != nil {
		t.Fatal(err)
	}

	if res.code == 0 {
		t.Errorf("exit 0 while the database is held, want non-zero\nstdout: %s", res.stdout)
	}
	if errLines := lines(res.stderr); len(errLines) != 1 || !strings.Contains(res.stderr, "in use") || !strings.Contains(res.stderr, h.dbPath()) {
		t.Errorf("stderr %q, want one line saying %s is in use", res.stderr, h.dbPath())
	}
	if after := h.mustRun("list", "--json").stdout; after != before {
		t.Errorf("list --json changed by a refused import:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	// Once the other program lets go, the same import works.
	if res := h.mustRun("import", corpusDir); res.stdout != summary(corpusArticles-1, 1, 0, 0, corpusFiles) {
		t.Errorf("import after release: stdout %q", res.stdout)
	}
}

// head returns the first n lines of s.
func head(s string, n int) string {
	ls := strings.SplitAfter(s, "\n")
	if len(ls) > n {
		ls = append(ls[:n], "…\n")
	}
	return strings.Join(ls, "")
}
