package cli_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"unicode/utf8"

	bbolt "go.etcd.io/bbolt"

	"github.com/annotate-tool/annotate/internal/model"
	storebolt "github.com/annotate-tool/annotate/internal/store/bolt"
)

// The hostile-input suite (issue 12, part 8): bad or tricky inputs, each a
// row with its expected outcome, run through the real command line. Every
// row asserts the exit status; for a refusal, the lines on standard error
// (one, naming the file and its line where there is one, or one per bad
// record after a heading line); no stack trace; no raw control character
// (ESC, BEL, C1, bidi controls) on standard error or on the standard
// output of a text command; and the database unchanged (the native export
// of every annotator compared before and after, or the file's bytes when
// the database cannot be read). Small inputs live in testdata/hostile;
// large ones come from scripts/gen-hostile at test time.

const hostileDir = "testdata/hostile"

// hostileBase is what every row's database holds before the row runs: two
// articles, one of them annotated by "base".
const hostileBase = `{"text": "ISIS fighters entered Velmo on Monday.", "spans": [{"start": 0, "end": 4, "label": "ORG"}, {"start": 22, "end": 27, "label": "GPE"}], "answer": "accept", "_annotator_id": "base"}
{"text": "A second article 😀 about the Harrow Front.", "answer": "accept", "_annotator_id": "base"}
`

type hostileRow struct {
	name string
	// args writes the row's inputs below h and returns annotate's
	// arguments.
	args func(t *testing.T, h *harness) []string
	code int
	// stderr holds what standard error must contain: for a refusal the
	// file's name and, where there is one, file:line.
	stderr []string
	// stdout holds what standard output must contain.
	stdout []string
	// lines is how many lines standard error must have for a refusal
	// (0: one). -1 allows any number (a valid input may report notes).
	lines int
	// changes marks a valid input that adds to the database.
	changes bool
	// data marks a command whose standard output is data for a file (an
	// export), not text for a terminal.
	data bool
	// child runs annotate in a child process: a damaged database can
	// crash a process outright, and that must fail one row only.
	child bool
	// big marks a row skipped with -short.
	big bool
	// skip names a known bug outside this suite's reach (the store's).
	skip string
	// after checks more once the row has run.
	after func(t *testing.T, h *harness, res result)
}

// in returns the path of a testdata/hostile file, copied below h (so a
// row's writes never touch the repository).
func in(name string) func(*testing.T, *harness) string {
	return func(t *testing.T, h *harness) string {
		data, err := os.ReadFile(filepath.Join(hostileDir, name))
		if err != nil {
			t.Fatal(err)
		}
		return h.write(name, data)
	}
}

// importFile is a row importing one testdata/hostile file with flags.
func importFile(name string, flags ...string) func(*testing.T, *harness) []string {
	return func(t *testing.T, h *harness) []string {
		return append(append([]string{"import"}, flags...), in(name)(t, h))
	}
}

// importData is a row importing data written to a file of that name.
func importData(name, data string, flags ...string) func(*testing.T, *harness) []string {
	return func(t *testing.T, h *harness) []string {
		return append(append([]string{"import"}, flags...), h.write(name, []byte(data)))
	}
}

// withFile writes data to a file of that name and passes its path to
// args in place of "FILE".
func withFile(name, data string, args ...string) func(*testing.T, *harness) []string {
	return func(t *testing.T, h *harness) []string {
		p := h.write(name, []byte(data))
		out := append([]string(nil), args...)
		for i, a := range out {
			if a == "FILE" {
				out[i] = p
			}
		}
		return out
	}
}

// spacyLine is a Prodigy/spaCy record of text with spans (JSON text).
func spacyLine(text, spans string) string {
	return fmt.Sprintf(`{"text": %q, "spans": [%s], "answer": "accept"}`+"\n", text, spans)
}

// schemaWith is the default schema with one edit, as a schema file.
func schemaWith(t *testing.T, edit func(s string) string) string {
	t.Helper()
	s := string(model.DefaultSchemaJSON())
	out := edit(s)
	if out == s {
		t.Fatalf("schema edit changed nothing")
	}
	return out
}

func schemaRow(name, file string, want []string, edit func(s string) string) hostileRow {
	return hostileRow{
		name: "schema/" + name,
		args: func(t *testing.T, h *harness) []string {
			return []string{"--schema", h.write(file, []byte(schemaWith(t, edit))), "list"}
		},
		code:   1,
		stderr: append([]string{file}, want...),
	}
}

// healthyDB is a database file holding the base articles and the corpus,
// made once for every damaged-database row.
var healthyDB = struct {
	once sync.Once
	data []byte
	err  error
}{}

func healthy(t *testing.T) []byte {
	t.Helper()
	healthyDB.once.Do(func() {
		h := newHarness(t)
		h.mustRun("import", "--format", "spacy", "--add-labels", h.write("base.jsonl", []byte(hostileBase)))
		h.mustRun("import", corpusDir)
		healthyDB.data, healthyDB.err = os.ReadFile(h.dbPath())
	})
	if healthyDB.err != nil {
		t.Fatal(healthyDB.err)
	}
	return append([]byte(nil), healthyDB.data...)
}

// pageSize is bbolt's page size on these machines (the meta page says).
const pageSize = 4096

// bbolt page flags (go.etcd.io/bbolt/internal/common/page.go).
const (
	branchPage   = 0x01
	leafPage     = 0x02
	metaPage     = 0x04
	freelistPage = 0x10
)

// garblePage fills the body of the first page with the given flags (after
// the two meta pages unless it is a meta page) with random bytes, keeping
// its header, so bbolt meets garbage of that page type.
func garblePage(flags uint16, seed uint64) func(t *testing.T) []byte {
	return func(t *testing.T) []byte {
		data := healthy(t)
		for p := 0; (p+1)*pageSize <= len(data); p++ {
			off := p * pageSize
			if uint16(data[off+8])|uint16(data[off+9])<<8 != flags {
				continue
			}
			if flags == metaPage && p != 1 {
				continue // the second meta page: bbolt still has the first
			}
			copy(data[off+16:off+pageSize], randomBytes(pageSize-16, seed))
			return data
		}
		t.Fatalf("no page with flags %#x in the healthy database", flags)
		return nil
	}
}

// garbleLive fills the body of a page the newest meta page points at
// (field at byte off of the meta page: 32 the root bucket's page, 48 the
// freelist's) with random bytes, keeping its header: a page bbolt reads.
func garbleLive(off int, seed uint64) func(t *testing.T) []byte {
	return func(t *testing.T) []byte {
		data := healthy(t)
		le := func(b []byte) uint64 {
			var n uint64
			for i := 7; i >= 0; i-- {
				n = n<<8 | uint64(b[i])
			}
			return n
		}
		// The meta with the higher transaction id (byte 64) is the newest.
		meta := data[:pageSize]
		if le(data[pageSize+64:]) > le(data[64:]) {
			meta = data[pageSize : 2*pageSize]
		}
		pg := le(meta[off:])
		if pg < 2 || int(pg+1)*pageSize > len(data) {
			t.Skipf("the meta page points at page %d: nothing to garble there", pg)
		}
		p := int(pg) * pageSize
		copy(data[p+16:p+pageSize], randomBytes(pageSize-16, seed))
		return data
	}
}

// foreignBolt is a bbolt file another program wrote.
func foreignBolt(t *testing.T) []byte {
	p := filepath.Join(t.TempDir(), "other.db")
	db, err := bbolt.Open(p, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucket([]byte("widgets"))
		if err != nil {
			return err
		}
		return b.Put([]byte("w1"), []byte("a widget"))
	})
	if err := errors.Join(err, db.Close()); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// editedHealthy returns the healthy database after edit, run in one
// bbolt transaction on a copy of it named name.
func editedHealthy(t *testing.T, name string, edit func(tx *bbolt.Tx) error) []byte {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, healthy(t), 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := bbolt.Open(p, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(edit)
	if err := errors.Join(err, db.Close()); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// newerLayout is a healthy database stamped with a layout version this
// build does not know.
func newerLayout(t *testing.T) []byte {
	return editedHealthy(t, "newer.db", func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("meta"))
		if b == nil {
			return errors.New("no meta bucket")
		}
		v := make([]byte, 8)
		n := storebolt.CurrentVersion + 1
		for i := 7; i >= 0; i-- {
			v[i] = byte(n)
			n >>= 8
		}
		return b.Put([]byte("version"), v)
	})
}

// damagedRows are the rows for one damaged database content: each
// command that reads it must refuse with one line naming the file.
func damagedRows(name string, content func(t *testing.T) []byte, want string) []hostileRow {
	return damagedRowsReading(name, content, want, false, false)
}

// damagedRowsReading is damagedRows for damage that leaves the data
// readable: readOK, list and export succeed (a garbled freelist is only
// read to write); importOK, import succeeds too (bbolt falls back to the
// other meta page).
func damagedRowsReading(name string, content func(t *testing.T) []byte, want string, readOK, importOK bool) []hostileRow {
	skip := ""
	var rows []hostileRow
	for _, cmd := range [][]string{{"list"}, {"export", "--format", "native", "--all"}, {"import", "NEW"}} {
		code, stderr, changes := 1, []string{"annotate.db", want}, false
		if (cmd[0] != "import" && readOK) || (cmd[0] == "import" && importOK) {
			code, stderr, changes = 0, nil, cmd[0] == "import"
		}
		rows = append(rows, hostileRow{
			name: "database/" + name + "/" + cmd[0],
			args: func(t *testing.T, h *harness) []string {
				if err := os.MkdirAll(filepath.Dir(h.dbPath()), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(h.dbPath(), content(t), 0o600); err != nil {
					t.Fatal(err)
				}
				args := append([]string(nil), cmd...)
				if args[len(args)-1] == "NEW" {
					args[len(args)-1] = h.write("new.txt", []byte("New article\nAn article to import.\n"))
				}
				return args
			},
			code:    code,
			stderr:  stderr,
			changes: changes,
			child:   true,
			data:    cmd[0] == "export",
			skip:    skip,
		})
	}
	return rows
}

func hostileRows() []hostileRow {
	rows := []hostileRow{
		// Encodings and bytes.
		{name: "bytes/random binary", args: importFile("binary.txt"), code: 1, stderr: []string{"binary.txt", "binary"}},
		{name: "bytes/NUL on line 3", args: importFile("nul-line3.txt"), code: 1, stderr: []string{"nul-line3.txt", "NUL byte on line 3"}},
		{name: "bytes/invalid UTF-8 on line 2", args: importFile("invalid-line2.txt"), code: 1, stderr: []string{"invalid-line2.txt", "not valid UTF-8 (line 2"}},
		{name: "bytes/overlong two-byte slash", args: importFile("overlong2.txt"), code: 1, stderr: []string{"overlong2.txt", "not valid UTF-8 (line 1"}},
		{name: "bytes/overlong three-byte", args: importFile("overlong3.txt"), code: 1, stderr: []string{"overlong3.txt", "not valid UTF-8 (line 1"}},
		{name: "bytes/UTF-16 surrogate in UTF-8", args: importFile("surrogate.txt"), code: 1, stderr: []string{"surrogate.txt", "not valid UTF-8"}},
		{name: "bytes/sequence cut at the end", args: importFile("truncated-seq.txt"), code: 1, stderr: []string{"truncated-seq.txt", "not valid UTF-8"}},
		{name: "bytes/UTF-8 BOM", args: importFile("bom.txt"), stdout: []string{"1 added"}, changes: true, lines: -1},
		{name: "bytes/UTF-16LE with BOM", args: importFile("utf16le-bom.txt"), code: 1, stderr: []string{"utf16le-bom.txt", "--encoding utf-16"}},
		{name: "bytes/UTF-16BE with BOM", args: importFile("utf16be-bom.txt"), code: 1, stderr: []string{"utf16be-bom.txt", "--encoding utf-16"}},
		{name: "bytes/UTF-16LE without BOM", args: importFile("utf16le-nobom.txt"), code: 1, stderr: []string{"utf16le-nobom.txt", "--encoding utf-16"}},
		{name: "bytes/UTF-16 JSONL with BOM", args: importFile("utf16le-bom.jsonl"), code: 1, stderr: []string{"utf16le-bom.jsonl", "--encoding utf-16"}},
		{name: "bytes/UTF-16LE with BOM, --encoding utf-16", args: importFile("utf16le-bom.txt", "--encoding", "utf-16"), stdout: []string{"1 added"}, changes: true, lines: -1},
		{name: "bytes/UTF-16 JSONL, --encoding utf-16", args: importFile("utf16le-bom.jsonl", "--encoding", "utf-16"), stdout: []string{"2 added"}, changes: true, lines: -1},
		{name: "bytes/UTF-32 with BOM", args: importFile("utf32le-bom.txt"), code: 1, stderr: []string{"utf32le-bom.txt"}},
		{name: "bytes/windows-1252 without --encoding", args: importFile("cp1252.txt"), code: 1, stderr: []string{"cp1252.txt", "--encoding"}},
		{name: "bytes/windows-1252 with --encoding", args: importFile("cp1252.txt", "--encoding", "windows-1252"), stdout: []string{"1 added"}, changes: true, lines: -1},
		{name: "bytes/unknown --encoding", args: importFile("cp1252.txt", "--encoding", "ebcdic"), code: 2, stderr: []string{"ebcdic"}},
		{name: "bytes/empty file", args: importData("empty.txt", ""), code: 1, stderr: []string{"empty.txt", "empty"}},
		{name: "bytes/blank file", args: importData("blank.txt", " \t\r\n\u00a0\n"), code: 1, stderr: []string{"blank.txt", "blank"}},
		{
			name: "lines/CR only", args: importFile("cr-only.txt"), stdout: []string{"1 added"}, changes: true, lines: -1,
			after: exportedTextIs("CR title\rSecond line\rThird line\r"),
		},
		{
			name: "lines/CRLF", args: importFile("crlf.txt"), stdout: []string{"1 added"}, changes: true, lines: -1,
			after: exportedTextIs("CRLF title\r\nSecond line\r\n"),
		},
		{name: "lines/CRLF JSONL", args: importData("crlf.jsonl", "{\"text\": \"one\"}\r\n{\"text\": \"two\"}\r\n"), stdout: []string{"2 added"}, changes: true, lines: -1},
		{name: "lines/CR-only JSONL is one line", args: importData("cr.jsonl", "{\"text\": \"one\"}\r{\"text\": \"two\"}\r"), code: 1, stderr: []string{"cr.jsonl:1"}, lines: 2},

		// JSONL articles.
		{name: "jsonl/not JSON on line 2", args: importData("a.jsonl", "{\"text\": \"good\"}\n{bad\n"), code: 1, stderr: []string{"a.jsonl:2:"}, lines: 2},
		{name: "jsonl/truncated last line", args: importData("a.jsonl", "{\"text\": \"good\"}\n{\"text\": \"cut"), code: 1, stderr: []string{"a.jsonl:2:"}, lines: 2},
		{name: "jsonl/no text", args: importData("a.jsonl", "{\"title\": \"t\"}\n"), code: 1, stderr: []string{"a.jsonl:1:", "text"}, lines: 2},
		{name: "jsonl/empty text", args: importData("a.jsonl", "{\"text\": \"\"}\n"), code: 1, stderr: []string{"a.jsonl:1:", "empty"}, lines: 2},
		{name: "jsonl/text is a number", args: importData("a.jsonl", "{\"text\": 5}\n"), code: 1, stderr: []string{"a.jsonl:1:"}, lines: 2},
		{name: "jsonl/text is null", args: importData("a.jsonl", "{\"text\": null}\n"), code: 1, stderr: []string{"a.jsonl:1:"}, lines: 2},
		{name: "jsonl/an array, not an object", args: importData("a.jsonl", "[\"text\"]\n"), code: 1, stderr: []string{"a.jsonl:1:"}, lines: 2},
		{name: "jsonl/text after the object", args: importData("a.jsonl", "{\"text\": \"a\"} {\"text\": \"b\"}\n"), code: 1, stderr: []string{"a.jsonl:1:"}, lines: 2},
		{name: "jsonl/NUL escaped in text", args: importData("a.jsonl", "{\"text\": \"a\\u0000b\"}\n"), code: 1, stderr: []string{"a.jsonl:1:"}, lines: 2},
		{name: "jsonl/every line bad, three", args: importData("a.jsonl", "x\ny\nz\n"), code: 1, stderr: []string{"a.jsonl:1:", "a.jsonl:2:", "a.jsonl:3:"}, lines: 4},
		{name: "jsonl/duplicate keys", args: importData("a.jsonl", "{\"text\": \"first\", \"text\": \"second text\"}\n"), stdout: []string{"1 added"}, changes: true, lines: -1},
		{name: "jsonl/lone surrogate escape", args: importData("a.jsonl", "{\"text\": \"half \\ud83d pair\"}\n"), stdout: []string{"1 added"}, changes: true, lines: -1},
		{name: "jsonl/BOM on the first line", args: importData("a.jsonl", "\uFEFF{\"text\": \"bom line\"}\n"), stdout: []string{"1 added"}, changes: true, lines: -1},
		{name: "jsonl/blank record skipped", args: importData("a.jsonl", "{\"text\": \"   \"}\n{\"text\": \"kept\"}\n"), stdout: []string{"1 added"}, changes: true, lines: -1},
		{name: "jsonl/--skip-invalid", args: importData("a.jsonl", "{\"text\": \"kept\"}\n{bad\n", "--skip-invalid"), stdout: []string{"1 added"}, changes: true, lines: -1, stderr: []string{"a.jsonl:2"}},
		{name: "jsonl/100,000-level nesting", args: generated("deep.jsonl", "import"), code: 1, stderr: []string{"deep.jsonl:1:"}, lines: 2},
		{name: "jsonl/100 MB single line", args: generated("big-line.jsonl", "import"), stdout: []string{"1 added"}, changes: true, lines: -1, big: true},
		{name: "text/100 MB single line", args: generated("big-line.txt", "import"), stdout: []string{"1 added"}, changes: true, lines: -1, big: true},

		// CSV articles.
		{name: "csv/no text column", args: importData("a.csv", "title,body\nt,b\n"), code: 1, stderr: []string{"a.csv", "text"}},
		{name: "csv/unterminated quote", args: importData("a.csv", "text,title\n\"open,t\n"), code: 1, stderr: []string{"a.csv"}, lines: -1},
		{name: "csv/ragged row", args: importData("a.csv", "text,title\nragged,b,c\n"), stdout: []string{"1 added"}, changes: true, lines: -1},
		{name: "csv/header only", args: importData("a.csv", "text,title\n"), code: 1, stderr: []string{"a.csv"}, lines: -1},
		{name: "csv/BOM before the header", args: importData("a.csv", "\uFEFFtext,title\nbom csv,t\n"), stdout: []string{"1 added"}, changes: true, lines: -1},
		{name: "csv/CRLF inside a quoted field", args: importData("a.csv", "text\r\n\"two\r\nlines\"\r\n"), stdout: []string{"1 added"}, changes: true, lines: -1, after: exportedTextIs("two\r\nlines")},

		// Offsets in annotated files.
		{name: "offsets/past the end", args: importData("s.jsonl", spacyLine("ISIS said", `{"start": 0, "end": 99, "label": "ORG"}`), "--format", "spacy"), code: 1, stderr: []string{"s.jsonl:1:", "past the end"}, lines: 2},
		{name: "offsets/negative", args: importData("s.jsonl", spacyLine("ISIS said", `{"start": -1, "end": 4, "label": "ORG"}`), "--format", "spacy"), code: 1, stderr: []string{"s.jsonl:1:"}, lines: 2},
		{name: "offsets/reversed", args: importData("s.jsonl", spacyLine("ISIS said", `{"start": 4, "end": 0, "label": "ORG"}`), "--format", "spacy"), code: 1, stderr: []string{"s.jsonl:1:"}, lines: 2},
		{name: "offsets/zero length", args: importData("s.jsonl", spacyLine("ISIS said", `{"start": 2, "end": 2, "label": "ORG"}`), "--format", "spacy"), code: 1, stderr: []string{"s.jsonl:1:"}, lines: 2},
		{name: "offsets/huge", args: importData("s.jsonl", spacyLine("ISIS said", `{"start": 0, "end": 99999999999999999999, "label": "ORG"}`), "--format", "spacy"), code: 1, stderr: []string{"s.jsonl:1:"}, lines: 2},
		{name: "offsets/largest int", args: importData("s.jsonl", spacyLine("ISIS said", `{"start": 9223372036854775806, "end": 9223372036854775807, "label": "ORG"}`), "--format", "spacy"), code: 1, stderr: []string{"s.jsonl:1:"}, lines: 2},
		{name: "offsets/fractional", args: importData("s.jsonl", spacyLine("ISIS said", `{"start": 0.5, "end": 4, "label": "ORG"}`), "--format", "spacy"), code: 1, stderr: []string{"s.jsonl:1:"}, lines: 2},
		{name: "offsets/doccano past the end", args: importData("d.jsonl", `{"text": "ISIS said", "label": [[0, 50, "ORG"]]}`+"\n", "--format", "doccano"), code: 1, stderr: []string{"d.jsonl:1:"}, lines: 2},
		{name: "offsets/doccano reversed", args: importData("d.jsonl", `{"text": "ISIS said", "label": [[4, 0, "ORG"]]}`+"\n", "--format", "doccano"), code: 1, stderr: []string{"d.jsonl:1:"}, lines: 2},
		{
			name: "offsets/UTF-16 split surrogate pair",
			args: importData("d.jsonl", `{"text": "😀 ISIS", "label": [[1, 7, "ORG"]]}`+"\n", "--format", "doccano", "--offsets", "utf16"),
			code: 1, stderr: []string{"d.jsonl:1:"}, lines: 2,
		},
		{
			name:   "offsets/UTF-16 whole pair",
			args:   importData("d.jsonl", `{"text": "😀 ISIS", "label": [[3, 7, "ORG"]]}`+"\n", "--format", "doccano", "--offsets", "utf16"),
			stdout: []string{"1 added"}, changes: true, lines: -1,
		},
		{
			name: "offsets/brat span splitting a combining sequence", // code points: valid, if odd
			args: func(t *testing.T, h *harness) []string {
				h.write("b/doc.txt", []byte("Zoe\u0308 met ISIS"))
				return []string{"import", "--format", "brat", h.write("b/doc.ann", []byte("T1\tORG 0 3\tZoe\n"))}
			},
			stdout: []string{"1 added"}, changes: true, lines: -1,
		},
		{
			name: "offsets/labelstudio split surrogate",
			args: importData("ls.json", `[{"data": {"text": "😀 ISIS"}, "annotations": [{"result": [{"type": "labels", "value": {"start": 1, "end": 7, "labels": ["ORG"]}}]}]}]`, "--format", "labelstudio", "--offsets", "utf16"),
			code: 1, stderr: []string{"ls.json"}, lines: -1,
		},
		{name: "offsets/overlapping spans", args: importData("s.jsonl", spacyLine("ISIS fighters said", `{"start": 0, "end": 13, "label": "ORG"}, {"start": 5, "end": 13, "label": "ORG"}`), "--format", "spacy"), stdout: []string{"1 added"}, changes: true, lines: -1},
		{name: "offsets/brat past the end", args: bratPair("ISIS said", "T1\tORG 0 40\tISIS\n"), code: 1, stderr: []string{"doc.ann:1"}, lines: -1},
		{name: "offsets/brat text mismatch", args: bratPair("ISIS said", "T1\tORG 0 4\tIS\n"), code: 1, stderr: []string{"doc.ann:1"}, lines: -1},
		{name: "offsets/native span past the end", args: importData("n.jsonl", `{"text": "ISIS said", "annotator": "x", "entities": [{"id": "e1", "start": 0, "end": 50, "label": "ORG"}]}`+"\n", "--format", "native"), code: 1, stderr: []string{"n.jsonl:1:"}, lines: -1},

		// Labels and names.
		{name: "labels/unknown", args: importData("s.jsonl", spacyLine("ISIS said", `{"start": 0, "end": 4, "label": "NOPE"}`), "--format", "spacy"), code: 1, stderr: []string{"s.jsonl", "NOPE"}, lines: -1},
		{name: "labels/ESC with --add-labels", args: importData("s.jsonl", spacyLine("ISIS said", `{"start": 0, "end": 4, "label": "\u001b]0;PWNED\u0007"}`), "--format", "spacy", "--add-labels"), code: 1, stderr: []string{"s.jsonl", "control character"}, lines: -1},
		{name: "labels/C1 with --add-labels", args: importData("s.jsonl", spacyLine("ISIS said", `{"start": 0, "end": 4, "label": "X\u009b2J"}`), "--format", "spacy", "--add-labels"), code: 1, stderr: []string{"s.jsonl", "control character"}, lines: -1},
		{name: "labels/bidi override with --add-labels", args: importData("s.jsonl", spacyLine("ISIS said", `{"start": 0, "end": 4, "label": "GRO\u202e"}`), "--format", "spacy", "--add-labels"), code: 1, stderr: []string{"s.jsonl", "control character"}, lines: -1},
		{name: "labels/newline with --add-labels", args: importData("s.jsonl", spacyLine("ISIS said", `{"start": 0, "end": 4, "label": "A\nB"}`), "--format", "spacy", "--add-labels"), code: 1, stderr: []string{"s.jsonl", "control character"}, lines: -1},
		{name: "labels/label map to ESC", args: labelMapRow("NOPE=\x1b[2J\n"), code: 1, stderr: []string{"s.jsonl", "not in the schema"}},
		{name: "labels/label map to ESC with --add-labels", args: labelMapRow("NOPE=\x1b[2J\n", "--add-labels"), code: 1, stderr: []string{"s.jsonl", "control character"}, lines: -1},
		{name: "labels/label map malformed", args: labelMapRow("no equals sign\n"), code: 2, stderr: []string{"map.txt:1"}},
		{name: "labels/label map not an object of strings", args: labelMapRow(`{"A": 1}`), code: 2, stderr: []string{"map.txt"}},
		{name: "names/annotator with ESC in the file", args: importData("s.jsonl", `{"text": "ISIS said", "spans": [], "answer": "accept", "_annotator_id": "ev\u001b[2Jil"}`+"\n", "--format", "spacy"), code: 1, stderr: []string{"s.jsonl", "control character"}, lines: -1},
		{name: "names/annotator with bidi in labelstudio", args: importData("ls.json", `[{"data": {"text": "ISIS said"}, "annotations": [{"completed_by": "bob\u202e", "result": []}]}]`, "--format", "labelstudio"), code: 1, stderr: []string{"ls.json", "control character"}, lines: -1},
		{name: "names/--annotator with BEL", args: fixedArgs("--annotator", "bob\a", "list"), code: 2, stderr: []string{"control character"}},
		{name: "names/--annotator with C1", args: fixedArgs("--annotator", "bob\u0085x", "list"), code: 2, stderr: []string{"control character"}},
		{name: "names/file name with ESC", args: importData("evil\x1b[31m.txt", "\x00"), code: 1, stderr: []string{"evil", ".txt"}},

		// Controls in article text, title and meta: valid, but never raw on a terminal.
		{name: "controls/text, title, source and meta", args: importFile("controls.jsonl"), stdout: []string{"1 added"}, changes: true, lines: -1, after: listIsSafe},
		{name: "controls/title of a text file", args: importFile("controls-title.txt"), stdout: []string{"1 added"}, changes: true, lines: -1, after: listIsSafe},

		// Schema mistakes.
		{name: "schema/not JSON", args: withFile("s.json", "{\"name\": \"x\",,}", "--schema", "FILE", "list"), code: 1, stderr: []string{"s.json:1:"}},
		{name: "schema/cut short", args: withFile("s.json", "{\"name\": \"x\", \"labels\": [", "--schema", "FILE", "list"), code: 1, stderr: []string{"s.json:1:"}},
		{name: "schema/empty file", args: withFile("s.json", "", "--schema", "FILE", "list"), code: 1, stderr: []string{"s.json"}},
		{name: "schema/text after the object", args: withFile("s.json", "{\"name\": \"x\"} {}", "--schema", "FILE", "list"), code: 1, stderr: []string{"s.json:1:"}},
		{name: "schema/an array", args: withFile("s.json", "[]", "--schema", "FILE", "list"), code: 1, stderr: []string{"s.json"}},
		{name: "schema/100,000-level nesting", args: generated("deep-schema.json", "--schema", "FILE", "list"), code: 1, stderr: []string{"deep-schema.json"}},
		{name: "schema/does not exist", args: fixedArgs("--schema", "/nonexistent/s.json", "list"), code: 1, stderr: []string{"/nonexistent/s.json"}},
		{name: "schema/a folder", args: func(t *testing.T, h *harness) []string { return []string{"--schema", h.dir, "list"} }, code: 1, stderr: []string{"folder"}},
		schemaRow("unknown field", "s.json", []string{"bogus"}, func(s string) string { return strings.Replace(s, "{", `{"bogus": 1,`, 1) }),
		schemaRow("no name", "s.json", []string{"name"}, func(s string) string { return replaceJSONField(s, "name", `""`) }),
		schemaRow("no labels", "s.json", []string{"label"}, func(s string) string { return replaceJSONField(s, "labels", `[]`) }),
		schemaRow("labels of the wrong type", "s.json", []string{"labels"}, func(s string) string { return replaceJSONField(s, "labels", `"ORG"`) }),
		schemaRow("duplicate label", "s.json", []string{"ORG"}, func(s string) string {
			return strings.Replace(s, `"labels": [`, `"labels": [{"name": "ORG", "key": "9"},`, 1)
		}),
		schemaRow("duplicate key", "s.json", []string{"key"}, func(s string) string {
			return strings.Replace(s, `"labels": [`, `"labels": [{"name": "NEWLABEL", "key": "`+firstLabelKey()+`"},`, 1)
		}),
		schemaRow("bad colour", "s.json", []string{"colour"}, func(s string) string {
			return strings.Replace(s, `"labels": [`, `"labels": [{"name": "NEWLABEL", "key": "9", "color": "red"},`, 1)
		}),
		schemaRow("label with ESC", "s.json", []string{"control character"}, func(s string) string {
			return strings.Replace(s, `"labels": [`, `"labels": [{"name": "A\u001b[2J", "key": "9"},`, 1)
		}),
		schemaRow("label with bidi", "s.json", []string{"control character"}, func(s string) string {
			return strings.Replace(s, `"labels": [`, `"labels": [{"name": "A\u2066", "key": "9"},`, 1)
		}),
		schemaRow("blank label name", "s.json", nil, func(s string) string {
			return strings.Replace(s, `"labels": [`, `"labels": [{"name": "  ", "key": "9"},`, 1)
		}),

		// Files that are not regular files, or not there.
		{name: "paths/does not exist", args: fixedArgs("import", "/nonexistent/a.txt"), code: 1, stderr: []string{"/nonexistent/a.txt"}},
		{name: "paths/folder with nothing to import", args: func(t *testing.T, h *harness) []string {
			d := filepath.Join(h.dir, "emptyfolder")
			if err := os.Mkdir(d, 0o755); err != nil {
				t.Fatal(err)
			}
			return []string{"import", d}
		}, code: 1, stderr: []string{"emptyfolder"}},
		{name: "paths/symlink loop in a folder", args: func(t *testing.T, h *harness) []string {
			p := h.write("loop/a.txt", []byte("Loop\nAn article beside a loop.\n"))
			if err := os.Symlink(".", filepath.Join(filepath.Dir(p), "self")); err != nil {
				t.Fatal(err)
			}
			return []string{"import", filepath.Dir(p)}
		}, stdout: []string{"1 added"}, changes: true, lines: -1},
		{name: "paths/database is a folder", args: func(t *testing.T, h *harness) []string { return []string{"--db", h.dir, "list"} }, code: 1, stderr: []string{"folder"}},
		{name: "paths/label map is a folder", args: func(t *testing.T, h *harness) []string {
			return []string{"import", "--format", "spacy", "--label-map", h.dir, h.write("s.jsonl", []byte(spacyLine("ISIS said", "")))}
		}, code: 2, stderr: []string{"folder"}},
		{name: "paths/patterns file is a folder", args: func(t *testing.T, h *harness) []string {
			return []string{"pretag", "--annotator", "p", "--patterns", h.dir, "--all"}
		}, code: 1, stderr: []string{"folder"}, lines: -1},
		{name: "paths/export -o a folder", args: func(t *testing.T, h *harness) []string {
			return []string{"export", "--format", "native", "--all", "-o", h.dir}
		}, code: 1, stderr: []string{h0dir}},
		{name: "paths/export -o in a missing folder", args: fixedArgs("export", "--format", "native", "--all", "-o", "/nonexistent/out.jsonl"), code: 1, stderr: []string{"/nonexistent"}},
		{name: "paths/brat .ann without .txt", args: importData("lone.ann", "T1\tORG 0 4\tISIS\n", "--format", "brat"), code: 1, stderr: []string{"lone.ann", "lone.txt"}},
		{name: "fifo/import", args: fifoArgs("p.txt", "import", "FIFO"), code: 1, stderr: []string{"p.txt", "named pipe"}},
		{name: "fifo/database", args: fifoArgs("p.db", "--db", "FIFO", "list"), code: 1, stderr: []string{"p.db", "named pipe"}},
		{name: "fifo/schema", args: fifoArgs("s.json", "--schema", "FIFO", "list"), code: 1, stderr: []string{"s.json", "named pipe"}},
		{name: "fifo/label map", args: fifoArgs("map.txt", "import", "--format", "spacy", "--label-map", "FIFO", "NEW"), code: 2, stderr: []string{"map.txt", "named pipe"}},
		{name: "fifo/patterns", args: fifoArgs("p.jsonl", "pretag", "--annotator", "p", "--patterns", "FIFO", "--all"), code: 1, stderr: []string{"p.jsonl", "named pipe"}, lines: -1},
		{name: "fifo/inside an imported folder (named, never opened)", args: fifoArgs("dir/p.txt", "import", "FIFODIR"), code: 1, stderr: []string{"dir/p.txt: skipped: a named pipe", "no .txt"}, lines: 2},
	}

	// Read-only and full file systems (tmpfs mounts: root ignores chmod).
	rows = append(rows,
		hostileRow{name: "mount/read-only folder: list", args: onMount("", true, "list"), stdout: []string{"ISIS fighters"}, lines: -1},
		hostileRow{name: "mount/read-only folder: import", args: onMount("", true, "import", "NEW"), code: 1, stderr: []string{"annotate.db", "read-only"}, lines: -1},
		hostileRow{name: "mount/full disk: import", args: onMount("size=256k", false, "import", "BIG"), code: 1, stdout: []string{"not stored"}, lines: -1},
	)

	// Damaged databases.
	rows = append(rows, damagedRows("random bytes", func(*testing.T) []byte { return randomBytes(64<<10, 11) }, "damaged")...)
	rows = append(rows, damagedRows("zero length", func(*testing.T) []byte { return nil }, "")...)
	rows = append(rows, damagedRows("cut in half", func(t *testing.T) []byte { d := healthy(t); return d[:len(d)/2] }, "damaged")...)
	rows = append(rows, damagedRows("cut to one page", func(t *testing.T) []byte { return healthy(t)[:pageSize] }, "damaged")...)
	rows = append(rows, damagedRows("foreign bbolt file", foreignBolt, "annotate")...)
	rows = append(rows, damagedRows("newer layout", newerLayout, "newer")...)
	rows = append(rows, damagedRowsReading("garbled freelist page", garbleLive(48, 21), "damaged", true, false)...)
	rows = append(rows, damagedRows("garbled root page", garbleLive(32, 22), "damaged")...)
	rows = append(rows, damagedRowsReading("garbled second meta page", garblePage(metaPage, 23), "", true, true)...)
	rows = append(rows, recordRows()...)
	return rows
}

// onMount puts the row's database (a healthy one) on a tmpfs of its own,
// mounted with opts and remounted read-only when ro; NEW is a small
// article file, BIG one too large for a 256 KiB disk. Skipped where the
// test cannot mount (not root).
func onMount(opts string, ro bool, args ...string) func(*testing.T, *harness) []string {
	return func(t *testing.T, h *harness) []string {
		dir := filepath.Join(h.dir, "mnt")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		mountArgs := []string{"-t", "tmpfs"}
		if opts != "" {
			mountArgs = append(mountArgs, "-o", opts)
		}
		if out, err := exec.Command("mount", append(mountArgs, "tmpfs", dir)...).CombinedOutput(); err != nil {
			t.Skipf("cannot mount a tmpfs here (%v: %s): read-only and full-disk cases are not tried", err, strings.TrimSpace(string(out)))
		}
		t.Cleanup(func() { exec.Command("umount", dir).Run() })
		h.env["ANNOTATE_DB"] = filepath.Join(dir, "annotate.db")
		if err := os.WriteFile(h.dbPath(), healthy(t), 0o600); err != nil {
			t.Skipf("the healthy database does not fit on the tmpfs: %v", err)
		}
		if ro {
			if out, err := exec.Command("mount", "-o", "remount,ro", dir).CombinedOutput(); err != nil {
				t.Skipf("cannot remount the tmpfs read-only (%v: %s)", err, strings.TrimSpace(string(out)))
			}
		}
		out := append([]string(nil), args...)
		for i, a := range out {
			switch a {
			case "NEW":
				out[i] = h.write("new.txt", []byte("New article\nAn article to import.\n"))
			case "BIG":
				big := strings.Repeat("Fighters entered the town and officials said many were killed. ", 8000)
				out[i] = h.write("big.txt", []byte("Big\n"+big))
			}
		}
		return out
	}
}

// h0dir stands for the harness folder in a row's stderr expectations.
const h0dir = "$DIR"

var (
	firstKeyOnce   sync.Once
	schemaFirstKey string
)

// firstLabelKey is the key of the default schema's first label.
func firstLabelKey() string {
	firstKeyOnce.Do(func() { schemaFirstKey = model.DefaultSchema().Labels[0].Key })
	return schemaFirstKey
}

// replaceJSONField replaces the value of a top-level field of the default
// schema by decoding and encoding it.
func replaceJSONField(s, name, value string) string {
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return s
	}
	var v any
	if err := json.Unmarshal([]byte(value), &v); err != nil {
		return s
	}
	m[name] = v
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return s
	}
	return string(out)
}

func fixedArgs(args ...string) func(*testing.T, *harness) []string {
	return func(*testing.T, *harness) []string { return args }
}

func bratPair(text, ann string) func(*testing.T, *harness) []string {
	return func(t *testing.T, h *harness) []string {
		h.write("brat/doc.txt", []byte(text))
		return []string{"import", "--format", "brat", h.write("brat/doc.ann", []byte(ann))}
	}
}

func labelMapRow(m string, flags ...string) func(*testing.T, *harness) []string {
	return func(t *testing.T, h *harness) []string {
		return append(append([]string{"import", "--format", "spacy", "--label-map", h.write("map.txt", []byte(m))}, flags...),
			h.write("s.jsonl", []byte(spacyLine("ISIS said", `{"start": 0, "end": 4, "label": "NOPE"}`))))
	}
}

// fifoArgs makes a FIFO and puts its path in place of FIFO (FIFODIR: its
// folder); NEW is a good article file.
func fifoArgs(name string, args ...string) func(*testing.T, *harness) []string {
	return func(t *testing.T, h *harness) []string {
		p := filepath.Join(h.dir, "fifo", filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mkfifo(p, 0o644); err != nil {
			t.Skipf("cannot make a FIFO here: %v", err)
		}
		out := append([]string(nil), args...)
		for i, a := range out {
			switch a {
			case "FIFO":
				out[i] = p
			case "FIFODIR":
				out[i] = filepath.Dir(p)
			case "NEW":
				out[i] = h.write("s.jsonl", []byte(spacyLine("ISIS said", "")))
			}
		}
		return out
	}
}

// generated runs scripts/gen-hostile once (small files only under -short)
// and puts the named file's path in place of FILE, or appends it.
func generated(name string, args ...string) func(*testing.T, *harness) []string {
	return func(t *testing.T, h *harness) []string {
		p := filepath.Join(genDir(t), name)
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("scripts/gen-hostile wrote no %s: %v", name, err)
		}
		out := append([]string(nil), args...)
		replaced := false
		for i, a := range out {
			if a == "FILE" {
				out[i], replaced = p, true
			}
		}
		if !replaced {
			out = append(out, p)
		}
		return out
	}
}

var gen struct {
	once sync.Once
	dir  string
	err  error
}

func genDir(t *testing.T) string {
	t.Helper()
	gen.once.Do(func() {
		gen.dir, gen.err = os.MkdirTemp("", "annotate-hostile-")
		if gen.err != nil {
			return
		}
		args := []string{"../../scripts/gen-hostile", gen.dir}
		if testing.Short() {
			args = append(args, "small")
		}
		out, err := exec.Command("bash", args...).CombinedOutput()
		if err != nil {
			gen.err = fmt.Errorf("scripts/gen-hostile: %v: %s", err, out)
		}
	})
	if gen.err != nil {
		t.Fatal(gen.err)
	}
	return gen.dir
}

// exportedTextIs checks the one article a row added keeps its text byte
// for byte.
func exportedTextIs(want string) func(*testing.T, *harness, result) {
	return func(t *testing.T, h *harness, _ result) {
		t.Helper()
		for _, rec := range jsonLines(t, h.mustRun("export", "--format", "native", "--all").stdout) {
			var text string
			field(t, rec, "text", &text)
			if text == want {
				return
			}
		}
		t.Errorf("no exported article has the text %q", want)
	}
}

// listIsSafe checks that list, stats and check show an article holding
// controls without a raw control character.
func listIsSafe(t *testing.T, h *harness, _ result) {
	t.Helper()
	for _, args := range [][]string{{"list"}, {"list", "--json"}, {"stats"}, {"check"}, {"history", "--everyone"}} {
		res := h.mustRun(args...)
		assertNoControls(t, fmt.Sprint(args), res.stdout)
		assertNoControls(t, fmt.Sprint(args), res.stderr)
	}
}

// rawControl returns the first character of s that must not reach a
// terminal raw (model.UnsafeRune), or a byte that is not UTF-8. A carriage
// return is allowed: import's own progress line redraws itself with one.
func rawControl(s string) (string, bool) {
	for i, r := range s {
		if r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD") {
			return fmt.Sprintf("byte %#x at %d (not UTF-8)", s[i], i), true
		}
		if r != '\r' && model.UnsafeRune(r) {
			return fmt.Sprintf("%U at byte %d", r, i), true
		}
	}
	return "", false
}

func assertNoControls(t *testing.T, what, out string) {
	t.Helper()
	if c, ok := rawControl(out); ok {
		t.Errorf("%s: raw control %s reached the terminal: %q", what, c, head(out, 5))
	}
}

// dbState is what must not change: the native export of every annotator
// and every article, or, when that fails (a damaged database), the file's
// bytes.
func dbState(t *testing.T, h *harness, child bool) string {
	t.Helper()
	if child {
		data, err := os.ReadFile(h.dbPath())
		if err != nil {
			return "no file: " + err.Error()
		}
		sum := sha256.Sum256(data)
		return "bytes " + hex.EncodeToString(sum[:])
	}
	res := h.run("export", "--format", "native", "--all", "--annotator", "*")
	if res.code != 0 {
		t.Fatalf("export before/after the row: exit %d: %s", res.code, res.stderr)
	}
	return res.stdout
}

func TestHostileInputs(t *testing.T) {
	rows := hostileRows()
	if len(rows) < 80 {
		t.Fatalf("the suite has %d rows, want at least 80", len(rows))
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			if row.skip != "" {
				t.Skip(row.skip)
			}
			if row.big && testing.Short() {
				t.Skip("a 100 MB input: skipped with -short")
			}
			h := newHarness(t)
			if !row.child {
				h.mustRun("import", "--format", "spacy", "--add-labels", h.write("base.jsonl", []byte(hostileBase)))
			}
			args := row.args(t, h)
			before := dbState(t, h, row.child)
			var res result
			if row.child {
				res = h.runChild(args...)
			} else {
				res = h.run(args...)
			}
			if crashed(res.stderr) || strings.Contains(res.stderr, "goroutine ") {
				t.Fatalf("annotate %q crashed:\n%s", args, head(res.stderr, 12))
			}
			if res.code != row.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", res.code, row.code, head(res.stdout, 5), head(res.stderr, 8))
			}
			for _, w := range row.stderr {
				if w == h0dir {
					w = h.dir
				}
				if !strings.Contains(res.stderr, w) {
					t.Errorf("stderr does not hold %q:\n%s", w, head(res.stderr, 8))
				}
			}
			for _, w := range row.stdout {
				if !strings.Contains(res.stdout, w) {
					t.Errorf("stdout does not hold %q:\n%s", w, head(res.stdout, 8))
				}
			}
			errLines := lines(res.stderr)
			want := row.lines
			if want == 0 {
				want = 1
				if row.code == 0 {
					want = -1
				}
			}
			if want >= 0 && len(errLines) != want {
				t.Errorf("%d lines on stderr, want %d:\n%s", len(errLines), want, head(res.stderr, 8))
			}
			if row.code != 0 && len(errLines) > 0 && !strings.HasPrefix(errLines[0], "annotate") {
				t.Errorf("the first line on stderr does not say it is annotate's: %q", errLines[0])
			}
			assertNoControls(t, "stderr", res.stderr)
			if !row.data {
				assertNoControls(t, "stdout", res.stdout)
			}
			if after := dbState(t, h, row.child); !row.changes && after != before {
				t.Errorf("the database changed:\nbefore: %s\nafter:  %s", head(before, 4), head(after, 4))
			} else if row.changes && after == before {
				t.Errorf("a valid input left the database as it was")
			}
			if !row.child {
				h.mustRun("check")
			}
			if row.after != nil {
				row.after(t, h, res)
			}
		})
	}
}
