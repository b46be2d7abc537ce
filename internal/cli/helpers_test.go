package cli_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/cli"
)

// childArgsVar, when set in the environment, turns the test binary into
// annotate itself: TestMain runs cli.Main with these (JSON-encoded) arguments
// and exits with its code. Tests that may crash the process (a damaged
// database file) run annotate this way, so a crash fails one test instead of
// taking the whole suite down.
const childArgsVar = "ANNOTATE_TEST_CHILD_ARGS"

func TestMain(m *testing.M) {
	if raw, ok := os.LookupEnv(childArgsVar); ok {
		var args []string
		if err := json.Unmarshal([]byte(raw), &args); err != nil {
			os.Stderr.WriteString("bad " + childArgsVar + ": " + err.Error() + "\n")
			os.Exit(99)
		}
		os.Exit(cli.Main(args, os.Stdin, os.Stdout, os.Stderr, os.Getenv, false))
	}
	os.Exit(m.Run())
}

// result is what one run of annotate gave back.
type result struct {
	code           int
	stdout, stderr string
}

// harness is one user's world: a home folder, a database path and an
// annotator name, handed to cli.Main through getenv.
type harness struct {
	t   *testing.T
	dir string
	env map[string]string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	dir := t.TempDir()
	return &harness{t: t, dir: dir, env: map[string]string{
		"ANNOTATE_DB":        filepath.Join(dir, "data", "annotate.db"),
		"ANNOTATE_ANNOTATOR": "tester",
		"HOME":               filepath.Join(dir, "home"),
	}}
}

func (h *harness) dbPath() string { return h.env["ANNOTATE_DB"] }

func (h *harness) getenv(k string) string { return h.env[k] }

// run runs annotate in this process. A panic fails the test: a user must
// never see a stack trace.
func (h *harness) run(args ...string) (res result) {
	h.t.Helper()
	var stdout, stderr bytes.Buffer
	func() {
		defer func() {
			if r := recover(); r != nil {
				h.t.Fatalf("annotate %q panicked: %v", args, r)
			}
		}()
		res.code = cli.Main(args, strings.NewReader(""), &stdout, &stderr, h.getenv, false)
	}()
	res.stdout, res.stderr = stdout.String(), stderr.String()
	return res
}

// mustRun runs annotate and fails the test unless it exits 0.
func (h *harness) mustRun(args ...string) result {
	h.t.Helper()
	res := h.run(args...)
	if res.code != 0 {
		h.t.Fatalf("annotate %q: exit %d, want 0\nstdout:\n%s\nstderr:\n%s", args, res.code, res.stdout, res.stderr)
	}
	return res
}

// runChild runs annotate as a separate process (the test binary, through
// TestMain) with only this harness's environment.
func (h *harness) runChild(args ...string) result {
	h.t.Helper()
	raw, err := json.Marshal(args)
	if err != nil {
		h.t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = []string{childArgsVar + "=" + string(raw), "PATH=" + os.Getenv("PATH"), "TMPDIR=" + h.dir}
	for k, v := range h.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	var res result
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		res.code = exit.ExitCode()
	default:
		h.t.Fatalf("run annotate %q: %v", args, err)
	}
	res.stdout, res.stderr = stdout.String(), stderr.String()
	return res
}

// crashRE matches what the Go runtime prints when a program dies of a
// panic or a fatal signal.
var crashRE = regexp.MustCompile(`(?m)^(panic: |fatal error: |goroutine \d+ |\[signal )|unexpected fault address`)

// crashed reports whether stderr shows a Go panic or fatal error.
func crashed(stderr string) bool { return crashRE.MatchString(stderr) }

// write creates a file (and its folders) below the harness folder and
// returns its path.
func (h *harness) write(rel string, data []byte) string {
	h.t.Helper()
	p := filepath.Join(h.dir, "in", filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		h.t.Fatal(err)
	}
	return p
}

// jsonLines decodes every line of out as a JSON object.
func jsonLines(t *testing.T, out string) []map[string]json.RawMessage {
	t.Helper()
	var recs []map[string]json.RawMessage
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 16<<20)
	for n := 1; sc.Scan(); n++ {
		var rec map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("output line %d is not a JSON object: %v\n%s", n, err, sc.Text())
		}
		recs = append(recs, rec)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return recs
}

// field decodes one field of a JSON line into v, failing when it is missing.
func field(t *testing.T, rec map[string]json.RawMessage, name string, v any) {
	t.Helper()
	raw, ok := rec[name]
	if !ok {
		t.Fatalf("line has no %q field: %v", name, keys(rec))
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("field %q: %v (%s)", name, err, raw)
	}
}

func keys(rec map[string]json.RawMessage) []string {
	var ks []string
	for k := range rec {
		ks = append(ks, k)
	}
	return ks
}

// lines splits output into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// corpusDir is the good input folder: nested folders holding .txt, .md,
// .jsonl and .csv files (our own invented text), plus files the import must
// ignore (a hidden file, a hidden folder, an unknown extension).
const corpusDir = "testdata/corpus"

// corpusArticles and corpusFiles are what importing corpusDir must add.
const (
	corpusArticles = 9
	corpusFiles    = 6
)
