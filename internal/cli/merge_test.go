package cli_test

import (
	"crypto/sha256"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

const (
	sharedText = "Harrow Front fighters entered Velmo on Monday."
	theirText  = "Two trucks burned outside Tolle."
)

// nativeLine is one native record of text by annotator with one span.
func nativeLine(text, annotator, label, word string) string {
	start := strings.Index(text, word)
	rec := map[string]any{"text": text, "annotator": annotator, "status": "done", "meta": map[string]any{"title": text[:12]},
		"entities": []map[string]any{{"id": "e1", "start": start, "end": start + len(word), "label": label, "text": word}}}
	data, _ := json.Marshal(rec)
	return string(data) + "\n"
}

// twoDatabases: ours has alice's ORG on the shared article; theirs (b.db)
// alice's GPE on it, and an article of its own.
func twoDatabases(t *testing.T) (ours *harness, theirsDB string) {
	t.Helper()
	ours = newHarness(t)
	ours.mustRun("import", "--format", "native", ours.write("ours.jsonl", []byte(nativeLine(sharedText, "alice", "ORG", "Harrow Front"))))
	theirs := newHarness(t)
	theirs.env["ANNOTATE_DB"] = filepath.Join(theirs.dir, "b.db")
	theirs.mustRun("import", "--format", "native", theirs.write("theirs.jsonl", []byte(
		nativeLine(sharedText, "alice", "GPE", "Velmo")+nativeLine(theirText, "alice", "GPE", "Tolle"))))
	return ours, theirs.dbPath()
}

func sum(t *testing.T, path string) [32]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(data)
}

func TestMergeCommand(t *testing.T) {
	h, other := twoDatabases(t)
	before := sum(t, other)
	res := h.mustRun("merge", other)
	want := "merged 2 articles (1 new), 2 annotations (2 new, 1 conflict kept as alice@b), 0 registry entries (0 new) from " + other
	if !strings.Contains(res.stdout, want) {
		t.Errorf("stdout %q\nwant %q", res.stdout, want)
	}
	id := model.ArticleID(sharedText)
	for _, w := range []string{"conflict", id, `"Harrow Front"`, "annotator alice", "alice@b"} {
		if !strings.Contains(res.stdout, w) {
			t.Errorf("the conflict report lacks %q:\n%s", w, res.stdout)
		}
	}
	if sum(t, other) != before {
		t.Error("merge changed the other database")
	}
	spans := map[string][]string{}
	for _, rec := range jsonLines(t, h.mustRun("export", "--format", "native", "--annotator", "*").stdout) {
		var who string
		var ents []struct{ Label, Text string }
		field(t, rec, "annotator", &who)
		field(t, rec, "entities", &ents)
		for _, e := range ents {
			spans[who] = append(spans[who], e.Label+" "+e.Text)
		}
	}
	if strings.Join(spans["alice"], ",") != "ORG Harrow Front,GPE Tolle" || strings.Join(spans["alice@b"], ",") != "GPE Velmo" {
		t.Errorf("spans %v: want ours alice kept, theirs as alice@b, theirs' own article alice's", spans)
	}
	h.mustRun("check")

	again := h.mustRun("merge", other)
	if w := "merged 2 articles (0 new), 2 annotations (0 new, 0 conflicts), 0 registry entries (0 new)"; !strings.Contains(again.stdout, w) {
		t.Errorf("second merge: %q, want %q", again.stdout, w)
	}
	hist := h.mustRun("history", "--everyone").stdout
	if !strings.Contains(hist, "merge from b") {
		t.Errorf("history lacks the merge:\n%s", hist)
	}
}

func TestMergePreferFlag(t *testing.T) {
	t.Run("ours", func(t *testing.T) {
		h, other := twoDatabases(t)
		res := h.mustRun("merge", "--prefer", "ours", other)
		if !strings.Contains(res.stdout, "1 new, 1 conflict: ours kept") {
			t.Errorf("stdout %q", res.stdout)
		}
	})
	t.Run("theirs", func(t *testing.T) {
		h, other := twoDatabases(t)
		res := h.mustRun("merge", other, "--prefer", "theirs")
		if !strings.Contains(res.stdout, "2 new, 1 conflict: theirs saved over ours") {
			t.Errorf("stdout %q", res.stdout)
		}
		out := h.mustRun("export", "--format", "native", "--annotator", "alice").stdout
		if !strings.Contains(out, `"text":"Velmo"`) || strings.Contains(out, `"text":"Harrow Front"`) {
			t.Errorf("alice's export after --prefer theirs:\n%s", out)
		}
	})
	t.Run("a wrong value", func(t *testing.T) {
		h, other := twoDatabases(t)
		if res := h.run("merge", "--prefer", "mine", other); res.code != 2 || !strings.Contains(res.stderr, "ours or theirs") {
			t.Errorf("exit %d %q", res.code, res.stderr)
		}
	})
}

func TestMergeRefusesBadFiles(t *testing.T) {
	h, other := twoDatabases(t)
	junk := h.write("junk\x1b[31m.db", []byte(strings.Repeat("not a database ", 400)))
	missing := filepath.Join(h.dir, "missing.db")
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"merge"}, 2, "name the databases"},
		{[]string{"merge", missing}, 1, "does not exist"},
		{[]string{"merge", junk}, 1, "is not an annotate database or is damaged"},
		{[]string{"merge", h.dbPath()}, 1, "is this database"},
	} {
		res := h.run(tt.args...)
		if res.code != tt.code || !strings.Contains(res.stderr, tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit %d and %q", tt.args, res.code, res.stderr, tt.code, tt.want)
		}
		if strings.Contains(res.stderr, "\x1b") || strings.Count(strings.TrimSpace(res.stderr), "\n") > 1 {
			t.Errorf("%q: stderr is not one safe line: %q", tt.args, res.stderr)
		}
	}
	// A bad file among good ones: the good ones are merged.
	res := h.run("merge", junk, other)
	if res.code != 1 || !strings.Contains(res.stdout, "merged 2 articles (1 new)") {
		t.Errorf("exit %d, stdout %q: want the good file merged and exit 1", res.code, res.stdout)
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
