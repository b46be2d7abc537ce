package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/cli"
)

// runTerminal runs annotate as from a terminal (the screen would start).
// Only for runs that stop before it does.
func (h *harness) runTerminal(args ...string) result {
	h.t.Helper()
	var stdout, stderr bytes.Buffer
	code := cli.Main(args, strings.NewReader(""), &stdout, &stderr, h.getenv, true)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// writeKeys puts a keys file in the config folder.
func (h *harness) writeKeys(text string) string {
	h.t.Helper()
	dir := filepath.Join(h.dir, "config", "annotate")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		h.t.Fatal(err)
	}
	path := filepath.Join(dir, "keys.conf")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		h.t.Fatal(err)
	}
	h.env["XDG_CONFIG_HOME"] = filepath.Join(h.dir, "config")
	return path
}

// TestBadKeysFileStopsTheScreen: the screen, review and serve refuse a
// keys file they cannot use, with one line naming the file and line and
// what to do, exit 2, and open no database.
func TestBadKeysFileStopsTheScreen(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		says       []string
	}{
		{"unknown action", "# mine\nqueue.serch = s\n", []string{"keys.conf:2:", `"queue.serch"`, "did you mean queue.search?", "annotate keys"}},
		{"bad key", "queue.search = ctrl+nope\n", []string{"keys.conf:1:", `"ctrl+nope"`, "fix the key"}},
		{"clash", "article.claim = x\n", []string{"keys.conf:1:", "article.claim (line 1)", "article.delete (by default)", "another key"}},
		{"duplicate", "article.undo = u\narticle.undo = U\n", []string{"keys.conf:2:", "first on line 1", "keep one"}},
		{"types text", "form.evidence = e\n", []string{"keys.conf:1:", "types text in a form", "types nothing"}},
		{"fixed", "article.label = q\n", []string{"keys.conf:1:", "schema", "delete the line"}},
		{"syntax", "queue.search\n", []string{"keys.conf:1:", "ACTION = KEY"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			path := h.writeKeys(tc.file)
			for _, args := range [][]string{nil, {"review"}, {"serve", "--allow-keyless", "guest", "--listen", "127.0.0.1:0"}, {"keys"}} {
				r := h.runTerminal(args...)
				if r.code != 2 {
					t.Fatalf("annotate %q: exit %d, want 2 (stderr %q)", args, r.code, r.stderr)
				}
				if strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, path) {
					t.Errorf("annotate %q: %q; want one line naming %s", args, r.stderr, path)
				}
				for _, s := range tc.says {
					if !strings.Contains(r.stderr, s) {
						t.Errorf("annotate %q: %q does not say %q", args, r.stderr, s)
					}
				}
				if len(args) == 0 {
					if _, err := os.Stat(h.dbPath()); !os.IsNotExist(err) {
						t.Errorf("the screen made the database before refusing the keys file (%v)", err)
					}
				}
			}
		})
	}
}

// TestKeysFileWhere: $XDG_CONFIG_HOME/annotate/keys.conf, else
// ~/.config/annotate/keys.conf; a folder there is refused.
func TestKeysFileWhere(t *testing.T) {
	h := newHarness(t)
	home := filepath.Join(h.env["HOME"], ".config", "annotate")
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "keys.conf"), []byte("queue.search = s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := h.mustRun("keys")
	if !strings.Contains(r.stdout, filepath.Join(home, "keys.conf")) || !hasBinding(r.stdout, "queue.search", "s") {
		t.Errorf("~/.config/annotate/keys.conf not read:\n%s", r.stdout)
	}
	h.writeKeys("queue.search = ctrl+s\n")
	if r := h.mustRun("keys"); !hasBinding(r.stdout, "queue.search", "ctrl+s") {
		t.Errorf("$XDG_CONFIG_HOME/annotate/keys.conf not read first:\n%s", r.stdout)
	}
	if err := os.Remove(filepath.Join(h.dir, "config", "annotate", "keys.conf")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(h.dir, "config", "annotate", "keys.conf"), 0o755); err != nil {
		t.Fatal(err)
	}
	if r := h.run("keys"); r.code != 2 || !strings.Contains(r.stderr, "is a folder") {
		t.Errorf("a folder as keys file: exit %d, %q", r.code, r.stderr)
	}
}

// TestKeysCommand: annotate keys prints every action with its keys in
// force, as a keys file that reads back.
func TestKeysCommand(t *testing.T) {
	h := newHarness(t)
	r := h.mustRun("keys")
	for _, want := range [][2]string{{"queue.search", "/"}, {"article.undo", "u"}, {"form.article", "ctrl+o alt+o"}, {"review.comment", "m"}} {
		if !hasBinding(r.stdout, want[0], want[1]) {
			t.Errorf("annotate keys lacks %s = %s:\n%s", want[0], want[1], r.stdout)
		}
	}
	if !strings.Contains(r.stdout, "the default keys") {
		t.Errorf("annotate keys does not say the keys are the defaults:\n%s", r.stdout)
	}
	h.writeKeys(r.stdout + "\narticle.undo = ctrl+z\n")
	// The printed file with one more line: article.undo twice.
	if r := h.run("keys"); r.code != 2 || !strings.Contains(r.stderr, "article.undo is bound again") {
		t.Errorf("printed file plus a rebinding: exit %d %q", r.code, r.stderr)
	}
	h.writeKeys(strings.Replace(r.stdout, "article.undo ", "# article.undo ", 1) + "\narticle.undo = ctrl+z\n")
	r2 := h.mustRun("keys")
	if !hasBinding(r2.stdout, "article.undo", "ctrl+z") || !hasBinding(r2.stdout, "queue.search", "/") {
		t.Errorf("annotate keys with a file:\n%s", r2.stdout)
	}
	if r := h.run("keys", "extra"); r.code != 2 {
		t.Errorf("annotate keys extra: exit %d", r.code)
	}
}

// hasBinding reports whether a keys file binds action to exactly keys.
func hasBinding(file, action, keys string) bool {
	for _, line := range strings.Split(file, "\n") {
		name, rest, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(name) != action {
			continue
		}
		rest, _, _ = strings.Cut(rest, "#")
		return strings.Join(strings.Fields(rest), " ") == keys
	}
	return false
}
