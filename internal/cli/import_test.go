package cli_test

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// summary is the line import prints on stdout.
func summary(added, present, failed, skipped, files int) string {
	s := fmt.Sprintf("%d added, %d already present, %d failed", added, present, failed)
	if skipped > 0 {
		s += fmt.Sprintf(", %d skipped", skipped)
	}
	return s + fmt.Sprintf(" (%d files)\n", files)
}

func TestImportAddsEachArticleOnce(t *testing.T) {
	tests := []struct {
		name string
		// args returns the import arguments; it may write input files.
		args                  func(h *harness) []string
		added, present, files int
	}{
		{
			name:  "nested folder of txt, md, jsonl and csv",
			args:  func(*harness) []string { return []string{corpusDir} },
			added: corpusArticles, files: corpusFiles,
		},
		{
			name:  "one jsonl file with a blank line",
			args:  func(*harness) []string { return []string{filepath.Join(corpusDir, "wires", "batch.jsonl")} },
			added: 3, files: 1,
		},
		{
			name: "a folder and a file outside it",
			args: func(*harness) []string {
				return []string{filepath.Join(corpusDir, "regional"), filepath.Join(corpusDir, "harbour.txt")}
			},
			added: 4, files: 4,
		},
		{
			name:  "csv with --text-column",
			args:  func(*harness) []string { return []string{"--text-column", "body", "testdata/columns/articles.csv"} },
			added: 2, files: 1,
		},
		{
			name: "the same file named twice",
			args: func(*harness) []string {
				p := filepath.Join(corpusDir, "harbour.txt")
				return []string{p, p}
			},
			added: 1, present: 1, files: 2,
		},
		{
			name: "jsonl starting with a UTF-8 byte order mark",
			args: func(h *harness) []string {
				return []string{h.write("bom.jsonl", []byte("\uFEFF{\"text\": \"The Lorrow reading room opens on Sundays.\"}\n{\"text\": \"A second line after the mark.\"}\n"))}
			},
			added: 2, files: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			args := append([]string{"import"}, tt.args(h)...)

			first := h.mustRun(args...)
			if want := summary(tt.added, tt.present, 0, 0, tt.files); first.stdout != want {
				t.Errorf("first import: stdout %q, want %q", first.stdout, want)
			}
			if first.stderr != "" {
				t.Errorf("first import: stderr %q, want nothing", first.stderr)
			}
			if got := len(lines(h.mustRun("list", "--json").stdout)); got != tt.added {
				t.Errorf("list --json after import: %d articles, want %d", got, tt.added)
			}

			again := h.mustRun(args...)
			if want := summary(0, tt.added+tt.present, 0, 0, tt.files); again.stdout != want {
				t.Errorf("second import: stdout %q, want %q", again.stdout, want)
			}
			if got := len(lines(h.mustRun("list", "--json").stdout)); got != tt.added {
				t.Errorf("list --json after second import: %d articles, want %d", got, tt.added)
			}
		})
	}
}

// badJSONL has good records on lines 1 and 3 and bad ones on lines 2 (not
// JSON), 4 (no "text") and 5 ("text" is a number).
const badJSONL = `{"text": "The Osterfeld allotment show opened on Friday."}
this line is not JSON at all
{"text": "The allotment show had forty entries this year."}
{"title": "A headline without any text"}
{"text": 42}
`

func TestImportRefusesBadInput(t *testing.T) {
	tests := []struct {
		name string
		// setup writes the input and returns the import arguments and the
		// path every stderr line must name.
		setup func(h *harness) (args []string, path string)
		// want are substrings of stderr; absent must not occur.
		want, absent []string
	}{
		{
			name: "binary file",
			setup: func(h *harness) ([]string, string) {
				p := h.write("scan.txt", []byte("Quarterly figures\n\x00\x01\x02\x03\xff\x00 binary tail"))
				return []string{p}, p
			},
			want: []string{"binary", "NUL byte on line 2"},
		},
		{
			name: "invalid UTF-8",
			setup: func(h *harness) ([]string, string) {
				p := h.write("latin1.txt", []byte("Caf\xff\xfe au lait\n"))
				return []string{p}, p
			},
			want: []string{"not valid UTF-8", "line 1, byte 3"},
		},
		{
			name: "empty text file",
			setup: func(h *harness) ([]string, string) {
				p := h.write("empty.md", nil)
				return []string{p}, p
			},
			want: []string{"empty"},
		},
		{
			name: "text file of blanks",
			setup: func(h *harness) ([]string, string) {
				p := h.write("blank.txt", []byte(" \n\t\r\n \n"))
				return []string{p}, p
			},
			want: []string{"blank: only white space"},
		},
		{
			name: "empty jsonl",
			setup: func(h *harness) ([]string, string) {
				p := h.write("empty.jsonl", nil)
				return []string{p}, p
			},
			want: []string{"empty"},
		},
		{
			name: "jsonl of blank lines",
			setup: func(h *harness) ([]string, string) {
				p := h.write("blank.jsonl", []byte("\n  \n\n"))
				return []string{p}, p
			},
			want: []string{"blank: only white space"},
		},
		{
			name: "jsonl with bad lines is refused whole",
			setup: func(h *harness) ([]string, string) {
				p := h.write("mixed.jsonl", []byte(badJSONL))
				return []string{p}, p
			},
			want:   []string{"refused, 3 bad records", "nothing from this file was imported", "mixed.jsonl:2: not a JSON object", `mixed.jsonl:4: no "text" field`, `mixed.jsonl:5: field "text" must be string`},
			absent: []string{"mixed.jsonl:1:", "mixed.jsonl:3:"},
		},
		{
			name: "jsonl line without text",
			setup: func(h *harness) ([]string, string) {
				p := h.write("headlines.jsonl", []byte(`{"title": "Only a headline", "source": "Invented Wire"}`+"\n"))
				return []string{p}, p
			},
			want: []string{`headlines.jsonl:1: no "text" field`},
		},
		{
			name: "jsonl line with invalid UTF-8",
			setup: func(h *harness) ([]string, string) {
				p := h.write("bytes.jsonl", []byte("{\"text\": \"caf\xff\xfe\"}\n"))
				return []string{p}, p
			},
			want: []string{"bytes.jsonl:1: not valid UTF-8"},
		},
		{
			name: "jsonl text with a NUL character",
			setup: func(h *harness) ([]string, string) {
				p := h.write("nul.jsonl", []byte(`{"text": "before\u0000after"}`+"\n"))
				return []string{p}, p
			},
			want: []string{"nul.jsonl:1:", "binary"},
		},
		{
			name: "csv without a text column",
			setup: func(h *harness) ([]string, string) {
				p := h.write("sheet.csv", []byte("headline,body\nPark bench repaired,The bench by the pond is usable again.\n"))
				return []string{p}, p
			},
			want: []string{`sheet.csv:1: no column "text"`, "headline, body", "--text-column"},
		},
		{
			name: "csv without the column --text-column names",
			setup: func(h *harness) ([]string, string) {
				p := h.write("sheet.csv", []byte("text\nThe pond was drained for cleaning.\n"))
				return []string{"--text-column", "article", p}, p
			},
			want: []string{`no column "article"`},
		},
		{
			name: "csv with only a header",
			setup: func(h *harness) ([]string, string) {
				p := h.write("header.csv", []byte("id,text\n"))
				return []string{p}, p
			},
			want: []string{"no rows"},
		},
		{
			name: "csv with a bare quote",
			setup: func(h *harness) ([]string, string) {
				p := h.write("quotes.csv", []byte("text\nA fine first row.\nthe \"bad\" row\n"))
				return []string{p}, p
			},
			want: []string{"refused, 1 bad record", "quotes.csv:3:"},
		},
		{
			name: "csv with an unclosed quote",
			setup: func(h *harness) ([]string, string) {
				p := h.write("open.csv", []byte("text\nA fine first row.\n\"this quote never closes\n"))
				return []string{p}, p
			},
			want: []string{"refused, 1 bad record", "open.csv:3:"},
		},
		{
			name: "path that does not exist",
			setup: func(h *harness) ([]string, string) {
				p := filepath.Join(h.dir, "in", "missing.txt")
				return []string{p}, p
			},
			want: []string{"no such file or folder"},
		},
		{
			name: "folder with nothing to import",
			setup: func(h *harness) ([]string, string) {
				h.write("odd/notes.rst", []byte("Not an article format.\n"))
				p := filepath.Join(h.dir, "in", "odd")
				return []string{p}, p
			},
			want: []string{"no .txt, .md, .jsonl or .csv files"},
		},
		{
			name: "file of unknown type named directly",
			setup: func(h *harness) ([]string, string) {
				p := h.write("story.rtf", []byte("The bandstand reopened.\n"))
				return []string{p}, p
			},
			want: []string{`unknown file type ".rtf"`, "--format"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.mustRun("import", filepath.Join(corpusDir, "harbour.txt"))
			before := h.mustRun("list", "--json").stdout
			args, path := tt.setup(h)

			res := h.run(append([]string{"import"}, args...)...)
			if res.code == 0 {
				t.Errorf("exit 0, want non-zero\nstdout: %s\nstderr: %s", res.stdout, res.stderr)
			}
			if !strings.HasPrefix(res.stdout, "0 added, 0 already present, 1 failed") {
				t.Errorf("stdout %q, want the summary of nothing added and 1 failed", res.stdout)
			}
			errLines := lines(res.stderr)
			if len(errLines) == 0 {
				t.Fatal("stderr is empty: the user is not told what went wrong")
			}
			for _, l := range errLines {
				if !strings.Contains(l, path) {
					t.Errorf("stderr line does not name %s: %q", path, l)
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(res.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, res.stderr)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(res.stderr, a) {
					t.Errorf("stderr has %q, a good record:\n%s", a, res.stderr)
				}
			}
			if after := h.mustRun("list", "--json").stdout; after != before {
				t.Errorf("list --json changed by a refused import:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

func TestImportSkipInvalidKeepsGoodRecords(t *testing.T) {
	h := newHarness(t)
	p := h.write("mixed.jsonl", []byte(badJSONL))

	res := h.mustRun("import", "--skip-invalid", p)
	if want := summary(2, 0, 0, 3, 1); res.stdout != want {
		t.Errorf("stdout %q, want %q", res.stdout, want)
	}
	errLines := lines(res.stderr)
	if len(errLines) != 3 {
		t.Fatalf("stderr has %d lines, want one per skipped record (3):\n%s", len(errLines), res.stderr)
	}
	for i, n := range []int{2, 4, 5} {
		if want := fmt.Sprintf("annotate: import skipped %s:%d: ", p, n); !strings.HasPrefix(errLines[i], want) {
			t.Errorf("stderr line %d = %q, want it to start %q", i+1, errLines[i], want)
		}
	}
	var titles []string
	for _, rec := range jsonLines(t, h.mustRun("list", "--json").stdout) {
		var title string
		field(t, rec, "title", &title)
		titles = append(titles, title)
	}
	want := []string{"The Osterfeld allotment show opened on Friday.", "The allotment show had forty entries this year."}
	if strings.Join(titles, "|") != strings.Join(want, "|") {
		t.Errorf("imported titles %q, want %q", titles, want)
	}
}

func TestImportKeepsGoodFilesBesideBadOnes(t *testing.T) {
	tests := []struct {
		name      string
		args      func(h *harness) []string
		added     int
		wantFiles int
	}{
		{
			name: "binary file then good text file",
			args: func(h *harness) []string {
				return []string{h.write("a_bad.txt", []byte("x\x00y")), h.write("b_good.txt", []byte("The Brennick ferry runs again.\n"))}
			},
			added: 1, wantFiles: 2,
		},
		{
			name: "missing path then good folder",
			args: func(h *harness) []string {
				return []string{filepath.Join(h.dir, "nowhere"), filepath.Join(corpusDir, "wires")}
			},
			added: 5, wantFiles: 2,
		},
		{
			name: "folder holding a refused jsonl and a good csv",
			args: func(h *harness) []string {
				h.write("mix/a.jsonl", []byte(badJSONL))
				h.write("mix/b.csv", []byte("text\nThe Holm bakery extended its hours.\nThe Holm market added a Sunday stall.\n"))
				return []string{filepath.Join(h.dir, "in", "mix")}
			},
			added: 2, wantFiles: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			res := h.run(append([]string{"import"}, tt.args(h)...)...)
			if res.code == 0 {
				t.Errorf("exit 0, want non-zero since one input failed")
			}
			if want := summary(tt.added, 0, 1, 0, tt.wantFiles); res.stdout != want {
				t.Errorf("stdout %q, want %q", res.stdout, want)
			}
			if got := len(lines(h.mustRun("list", "--json").stdout)); got != tt.added {
				t.Errorf("list --json: %d articles, want %d", got, tt.added)
			}
		})
	}
}

// TestImportErrorsSuggestRealFlags checks that every --flag an error message
// tells the user to pass is a flag import accepts.
func TestImportErrorsSuggestRealFlags(t *testing.T) {
	tests := []struct {
		name     string
		content  []byte
		file     string
		wantFlag string
	}{
		{name: "refused jsonl", file: "mixed.jsonl", content: []byte(badJSONL), wantFlag: "--skip-invalid"},
		{name: "csv without the column", file: "sheet.csv", content: []byte("body\nA row.\n"), wantFlag: "--text-column"},
		{name: "unknown file type", file: "story.rtf", content: []byte("A story.\n"), wantFlag: "--format"},
		{
			name: "invalid UTF-8", file: "latin1.txt", content: []byte("Caf\xe9\n"), wantFlag: "--encoding",
		},
	}
	help := newHarness(t).run("import", "-h").stdout
	flagRE := regexp.MustCompile(`--[a-z][a-z-]*`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			res := h.run("import", h.write(tt.file, tt.content))
			suggested := flagRE.FindAllString(res.stderr, -1)
			if !strings.Contains(strings.Join(suggested, " "), tt.wantFlag) {
				t.Errorf("stderr suggests %q, want it to suggest %s:\n%s", suggested, tt.wantFlag, res.stderr)
			}
			for _, f := range suggested {
				if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(f) + `( \S+)?  `).MatchString(help) {
					t.Errorf("stderr suggests %s, which `import -h` does not list:\n%s", f, help)
				}
			}
		})
	}
}

func TestImportFlagsAfterPaths(t *testing.T) {
	tests := []struct {
		name string
		args func(h *harness) []string
		// db is the database that must hold the articles ("" = the
		// environment's).
		db      func(h *harness) string
		summary string
	}{
		{
			name: "import DIR --skip-invalid",
			args: func(h *harness) []string {
				h.write("dir/good.txt", []byte("The Asterby library lends bicycles.\n"))
				h.write("dir/mixed.jsonl", []byte("{\"text\": \"The Asterby pool reopens.\"}\n{\"title\": \"no text\"}\n"))
				return []string{filepath.Join(h.dir, "in", "dir"), "--skip-invalid"}
			},
			summary: summary(2, 0, 0, 1, 2),
		},
		{
			name: "import FILE --format jsonl",
			args: func(h *harness) []string {
				return []string{h.write("wire.data", []byte(`{"text": "The Holm council met in the library."}`+"\n")), "--format", "jsonl"}
			},
			summary: summary(1, 0, 0, 0, 1),
		},
		{
			name:    "import FILE --text-column body",
			args:    func(*harness) []string { return []string{"testdata/columns/articles.csv", "--text-column", "body"} },
			summary: summary(2, 0, 0, 0, 1),
		},
		{
			name: "flag between two paths",
			args: func(h *harness) []string {
				return []string{h.write("a.jsonl", []byte("{\"text\": \"Pellin opens a tool library.\"}\n{}\n")), "--skip-invalid", filepath.Join(corpusDir, "harbour.txt")}
			},
			summary: summary(2, 0, 0, 1, 2),
		},
		{
			name: "import FILE --db OTHER",
			args: func(h *harness) []string {
				return []string{filepath.Join(corpusDir, "harbour.txt"), "--db", filepath.Join(h.dir, "other.db")}
			},
			db:      func(h *harness) string { return filepath.Join(h.dir, "other.db") },
			summary: summary(1, 0, 0, 0, 1),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			res := h.mustRun(append([]string{"import"}, tt.args(h)...)...)
			if res.stdout != tt.summary {
				t.Errorf("stdout %q, want %q", res.stdout, tt.summary)
			}
			list := []string{"list", "--json"}
			if tt.db != nil {
				list = append(list, "--db", tt.db(h))
			}
			added := 0
			fmt.Sscanf(tt.summary, "%d added", &added)
			if got := len(lines(h.mustRun(list...).stdout)); got != added {
				t.Errorf("%q: %d articles, want %d", list, got, added)
			}
		})
	}
}
