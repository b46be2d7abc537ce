package cli_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/store/bolt"
	"github.com/annotate-tool/annotate/internal/store/postgres"
	"github.com/annotate-tool/annotate/internal/store/postgres/pgtest"
	"github.com/annotate-tool/annotate/internal/store/storetest"
)

// populated writes a bbolt database at path holding some of everything
// (storetest.Populate), plus the test corpus imported through annotate.
func populated(t *testing.T, h *harness, path string) {
	t.Helper()
	db, err := bolt.Open(path, bolt.Options{LockTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	db.Now = storetest.Now(t)
	storetest.Populate(t, db)
	db.Close()
	h.mustRun("import", "--db", path, corpusDir)
}

// export is what `annotate export --format native --annotator '*' --all`
// writes of the database db.
func export(h *harness, db string) string {
	h.t.Helper()
	return h.mustRun("export", "--db", db, "--format", "native", "--annotator", "*", "--all").stdout
}

// TestCopyThroughPostgres: bbolt -> PostgreSQL -> bbolt gives a database
// whose native export is byte for byte the first one's (PostgreSQL's own
// too), with the same listing and history, and every copy checks.
func TestCopyThroughPostgres(t *testing.T) {
	url := pgtest.URL(t)
	h := newHarness(t)
	first := filepath.Join(h.dir, "first.db")
	populated(t, h, first)
	want := export(h, first)
	if n := strings.Count(want, "\n"); n < 40 {
		t.Fatalf("test setup: the export has %d lines", n)
	}
	res := h.mustRun("copy", first, url)
	if !strings.Contains(res.stdout, "copied "+first+" to postgres://") || !strings.Contains(res.stdout, "checked") {
		t.Errorf("copy says %q", res.stdout)
	}
	back := filepath.Join(h.dir, "sub", "back.db")
	h.mustRun("copy", url, back)
	if got := export(h, back); got != want {
		t.Errorf("bbolt -> PostgreSQL -> bbolt export differs:\n%s", firstDifference(want, got))
	}
	if got := export(h, url); got != want {
		t.Errorf("the PostgreSQL copy's export differs:\n%s", firstDifference(want, got))
	}
	for _, args := range [][]string{
		{"list", "--json", "--annotator", "alice"},
		{"history", "--everyone"},
		{"history", "--registry"},
		{"stats", "--json"},
		{"schema"},
		{"entities"},
	} {
		a := h.mustRun(append(args, "--db", first)...).stdout
		for _, db := range []string{url, back} {
			if b := h.mustRun(append(args, "--db", db)...).stdout; a != b {
				t.Errorf("annotate %s on %s differs from the original:\n%s", strings.Join(args, " "), db, firstDifference(a, b))
			}
		}
	}
	if res := h.mustRun("check", "--db", url); !strings.Contains(res.stdout, "ok (") || strings.Contains(res.stdout, "secret") {
		t.Errorf("check of the PostgreSQL copy: %q", res.stdout)
	}
	// A destination holding something is refused, then replaced.
	if res := h.run("copy", first, url); res.code != 1 || !strings.Contains(res.stderr, "--replace") {
		t.Errorf("copy into a database holding one: exit %d, %q; want a refusal naming --replace", res.code, res.stderr)
	}
	h.mustRun("copy", "--replace", back, url)
	if got := export(h, url); got != want {
		t.Errorf("after copy --replace the export differs:\n%s", firstDifference(want, got))
	}
}

// TestCopyFiles: bbolt to bbolt, refusals and the bbolt-only commands'
// messages, none of which needs a PostgreSQL server.
func TestCopyFiles(t *testing.T) {
	h := newHarness(t)
	first := filepath.Join(h.dir, "first.db")
	populated(t, h, first)
	want := export(h, first)
	second := filepath.Join(h.dir, "second.db")
	h.mustRun("copy", first, second)
	if got := export(h, second); got != want {
		t.Errorf("bbolt -> bbolt export differs:\n%s", firstDifference(want, got))
	}
	before, err := os.ReadFile(second)
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(h.dir, "other.db")
	h.mustRun("import", "--db", other, filepath.Join(corpusDir, "harbour.txt"))
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"into a database holding one", []string{"copy", other, second}, 1, "already holds a database: pass --replace"},
		{"onto itself", []string{"copy", first, first}, 2, "both the source and the destination"},
		{"one argument", []string{"copy", first}, 2, "copy takes the database to read and the one to write"},
		{"no source", []string{"copy", filepath.Join(h.dir, "none.db"), filepath.Join(h.dir, "new.db")}, 1, "does not exist"},
		{"onto a folder", []string{"copy", first, h.dir}, 1, "not a file"},
		{"backup of PostgreSQL", []string{"backup", "--db", "postgres://ann:secret@db.invalid/x", filepath.Join(h.dir, "b.db")}, 1, "backup works on a bbolt file, and --db names a PostgreSQL database (postgres://ann:xxxxx@db.invalid/x): for PostgreSQL use pg_dump"},
		{"merge into PostgreSQL", []string{"merge", "--db", "postgres://db.invalid/x", other}, 1, "merge works on a bbolt file"},
		{"merge from PostgreSQL", []string{"merge", "--db", second, "postgres://ann:secret@db.invalid/x"}, 1, "merge reads bbolt files: copy the PostgreSQL database to one first"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.t = t
			res := h.run(tt.args...)
			if res.code != tt.code || !strings.Contains(res.stderr, tt.want) || strings.Contains(res.stderr, "secret") {
				t.Errorf("annotate %q: exit %d, %q; want exit %d saying %q (and no password)", tt.args, res.code, res.stderr, tt.code, tt.want)
			}
		})
	}
	if after, err := os.ReadFile(second); err != nil || string(after) != string(before) {
		t.Errorf("a refused copy changed the destination (%v)", err)
	}
	h.t = t
	h.mustRun("copy", "--replace", other, second)
	if got, want := export(h, second), export(h, other); got != want {
		t.Errorf("after copy --replace:\n%s", firstDifference(want, got))
	}
	if entries, _ := os.ReadDir(h.dir); len(entries) > 0 {
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".annotate-copy-") {
				t.Errorf("a temporary copy %s was left behind", e.Name())
			}
		}
	}
}

// firstDifference shows the first line where two outputs differ.
func firstDifference(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return fmt.Sprintf("line %d:\n- %.400s\n+ %.400s", i+1, la[i], lb[i])
		}
	}
	return fmt.Sprintf("lengths differ: %d and %d lines", len(la), len(lb))
}

// TestCheckOnPostgres: annotate check on a PostgreSQL database says ok for
// a good one and names each problem once (a range outside its text is
// found by the store's check and the model's rules alike).
func TestCheckOnPostgres(t *testing.T) {
	url := pgtest.URL(t)
	h := newHarness(t)
	h.mustRun("import", "--db", url, filepath.Join(corpusDir, "harbour.txt"))
	if res := h.mustRun("check", "--db", url); !strings.Contains(res.stdout, ": ok (0 annotations checked)") {
		t.Errorf("check of a good database: %q", res.stdout)
	}
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var id string
	if err := db.Articles(func(s store.ArticleSummary) error { id = s.ID; return nil }); err != nil {
		t.Fatal(err)
	}
	a := model.NewAnnotation(id, "alice", "")
	a.Entities = []model.Span{{ID: "e1", Start: 5, End: 90000, Label: "ORG"}}
	if _, err := db.Save(a, "a span past the end"); err != nil {
		t.Fatal(err)
	}
	res := h.run("check", "--db", url)
	if res.code != 1 || strings.Count(res.stderr, "entities[e1]: range 5-90000 is outside the text") != 1 {
		t.Errorf("check: exit %d\n%s\nwant exit 1 naming the span once", res.code, res.stderr)
	}
}
