package cli_test

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/formats"
	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store/bolt"
)

// corpusTexts returns the text of every article in corpusDir, read
// independently of annotate: text files byte for byte, JSONL and CSV with
// the standard library's decoders.
func corpusTexts(t *testing.T) []string {
	t.Helper()
	var texts []string
	for _, f := range []string{"harbour.txt", "regional/market_crlf.txt", "regional/north/festival.md", "regional/north/library_ar.txt"} {
		data, err := os.ReadFile(filepath.Join(corpusDir, f))
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(data))
	}
	data, err := os.ReadFile(filepath.Join(corpusDir, "wires", "batch.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines(string(data)) {
		var rec struct{ Text string }
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatal(err)
		}
		texts = append(texts, rec.Text)
	}
	f, err := os.Open(filepath.Join(corpusDir, "wires", "deep", "er", "table.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows[1:] {
		texts = append(texts, row[2])
	}
	if len(texts) != corpusArticles {
		t.Fatalf("corpus has %d texts, corpusArticles says %d", len(texts), corpusArticles)
	}
	// The corpus must keep exercising what this test is about; a checkout
	// that rewrote line endings would quietly weaken it.
	all := strings.Join(texts, "")
	for _, need := range []string{"\r\n", "😀", "e\u0301", "e\u0308", "\u200d", "مكتبة", "👍🏽"} {
		if !strings.Contains(all, need) {
			t.Fatalf("corpus lost %+q: the byte-exactness test needs it", need)
		}
	}
	return texts
}

func TestExportTextIsByteExact(t *testing.T) {
	tests := []struct {
		format string
		// fields every line must have.
		fields []string
	}{
		{"native", []string{"id", "text", "meta", "annotator", "status", "schema", "entities", "claims", "incidents", "reliability"}},
		{"spacy", []string{"text", "spans", "meta", "answer", "_input_hash", "_task_hash"}},
	}
	want := corpusTexts(t)
	slices.Sort(want)
	h := newHarness(t)
	h.mustRun("import", corpusDir)
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			res := h.mustRun("export", "--format", tt.format, "--all")
			if res.stderr != "" {
				t.Errorf("stderr %q, want nothing", res.stderr)
			}
			var got []string
			for _, rec := range jsonLines(t, res.stdout) {
				for _, f := range tt.fields {
					if _, ok := rec[f]; !ok {
						t.Errorf("line has no %q field: %v", f, keys(rec))
					}
				}
				var text string
				field(t, rec, "text", &text)
				got = append(got, text)
				var meta map[string]any
				field(t, rec, "meta", &meta)
				// A text or Markdown file's article is that file's bytes.
				if from, _ := meta["imported_from"].(string); strings.HasSuffix(from, ".txt") || strings.HasSuffix(from, ".md") {
					data, err := os.ReadFile(from)
					if err != nil {
						t.Fatalf("meta.imported_from %q: %v", from, err)
					}
					if text != string(data) {
						t.Errorf("text of %s is not the file's bytes:\n got %+q\nwant %+q", from, text, data)
					}
				}
				if tt.format == "spacy" {
					var answer string
					var spans []any
					field(t, rec, "answer", &answer)
					field(t, rec, "spans", &spans)
					if answer != "accept" || spans == nil || len(spans) != 0 {
						t.Errorf("untouched article: answer %q spans %v, want \"accept\" and []", answer, spans)
					}
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("exported texts differ from the input files\n got %+q\nwant %+q", got, want)
			}
		})
	}
}

func TestExportToFile(t *testing.T) {
	h := newHarness(t)
	h.mustRun("import", corpusDir)
	for _, format := range []string{"native", "spacy"} {
		t.Run(format, func(t *testing.T) {
			dir := filepath.Join(h.dir, "out-"+format)
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "export.jsonl")
			toStdout := h.mustRun("export", "--format", format, "--all").stdout

			res := h.mustRun("export", "--format", format, "--all", "-o", out)
			if res.stdout != "" {
				t.Errorf("stdout %q, want nothing when -o names a file", res.stdout)
			}
			if want := "exported 9 records to " + out + "\n"; res.stderr != want {
				t.Errorf("stderr %q, want %q", res.stderr, want)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if string(data) != toStdout {
				t.Errorf("-o file differs from the same export on stdout\nfile:\n%s\nstdout:\n%s", data, toStdout)
			}
			if n := len(jsonLines(t, string(data))); n != corpusArticles {
				t.Errorf("-o file has %d lines, want %d", n, corpusArticles)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Errorf("export left %q in the folder, want only export.jsonl", names)
			}
		})
	}
}

func TestExportKeepsRecordTextExactly(t *testing.T) {
	tests := []struct {
		name, file, content, want string
	}{
		{name: "text file with a byte order mark", file: "bom.txt", content: "\uFEFFThe Holm ferry\nruns daily.\n", want: "\uFEFFThe Holm ferry\nruns daily.\n"},
		{name: "text file with old Mac line ends", file: "cr.txt", content: "Line one\rLine two\r", want: "Line one\rLine two\r"},
		{name: "text file with tabs and trailing blanks", file: "tabs.md", content: "\tIndented  \n\n  ", want: "\tIndented  \n\n  "},
		{name: "jsonl with escaped CRLF and surrogate pair", file: "a.jsonl", content: `{"text": "one\r\ntwo \ud83d\ude00"}` + "\n", want: "one\r\ntwo 😀"},
		{
			name: "csv field with CRLF inside quotes", file: "a.csv", content: "text\r\n\"first line\r\nsecond line\"\r\n", want: "first line\r\nsecond line",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.mustRun("import", h.write(tt.file, []byte(tt.content)))
			recs := jsonLines(t, h.mustRun("export", "--all").stdout)
			if len(recs) != 1 {
				t.Fatalf("export has %d lines, want 1", len(recs))
			}
			var text string
			field(t, recs[0], "text", &text)
			if text != tt.want {
				t.Errorf("text %+q, want %+q", text, tt.want)
			}
		})
	}
}

// TestExportSpanOffsetsAreCodePoints stores an annotation whose spans sit
// after an emoji and over a combining mark (the screen that makes them is
// not built yet), then checks both exports give code point offsets that
// select exactly the span's text.
func TestExportSpanOffsetsAreCodePoints(t *testing.T) {
	h := newHarness(t)
	h.mustRun("import", corpusDir)
	data, err := os.ReadFile(filepath.Join(corpusDir, "regional", "north", "festival.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	spans := []struct{ label, text string }{{"GPE", "Kiruvaa"}, {"PER", "Zoe\u0308 Lindqvist"}, {"COUNT", "three"}}
	ann := model.NewAnnotation(model.ArticleID(text), "tester", "conflict-incidents")
	ann.Status = model.StatusInProgress
	for _, s := range spans {
		start := strings.Index(text, s.text)
		if start < 0 {
			t.Fatalf("festival.md lacks %q", s.text)
		}
		ann.Entities = append(ann.Entities, model.Span{ID: ann.NewID("e"), Start: start, End: start + len(s.text), Label: s.label})
	}
	model.GroupMentions(&ann, text) // every mention an entity's, as the screen makes them
	db, err := bolt.Open(h.dbPath(), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Save(ann, "add spans"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	for _, tt := range []struct{ format, spansField string }{{"native", "entities"}, {"spacy", "spans"}} {
		t.Run(tt.format, func(t *testing.T) {
			recs := jsonLines(t, h.mustRun("export", "--format", tt.format).stdout)
			if len(recs) != 1 {
				t.Fatalf("export without --all has %d lines, want the 1 annotated article", len(recs))
			}
			var got []struct {
				Start, End  int
				Label, Text string
			}
			field(t, recs[0], tt.spansField, &got)
			if len(got) != len(spans) {
				t.Fatalf("%d spans, want %d", len(got), len(spans))
			}
			runes := []rune(text)
			for i, s := range spans {
				g := got[i]
				if g.Label != s.label || g.Text != s.text {
					t.Errorf("span %d: %s %q, want %s %q", i, g.Label, g.Text, s.label, s.text)
				}
				if g.Start < 0 || g.End > len(runes) || g.Start > g.End || string(runes[g.Start:g.End]) != s.text {
					t.Errorf("span %d: code points %d-%d do not select %q", i, g.Start, g.End, s.text)
				}
			}
		})
	}
	if res := h.mustRun("check"); !strings.Contains(res.stdout, ": ok (1 annotations checked)") {
		t.Errorf("check stdout %q, want ok with 1 annotation", res.stdout)
	}
}

// TestExportHelpNamesEveryFormat: export --help lists every format of the
// table with its line of help, and every format's flags with the formats
// that take them.
func TestExportHelpNamesEveryFormat(t *testing.T) {
	h := newHarness(t)
	res := h.run("export", "--help")
	help := res.stdout + res.stderr
	for _, f := range formats.ExportFormats() {
		if !regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(f.Name) + `\s+` + regexp.QuoteMeta(f.Help)).MatchString(help) {
			t.Errorf("export --help lacks the line of %s:\n%s", f.Name, help)
		}
		for _, fl := range f.Flags {
			if !regexp.MustCompile(`(?m)^\s+--?` + fl.Name + `\b.*\b` + regexp.QuoteMeta(f.Name) + `\b.*: .*` + regexp.QuoteMeta(fl.Help)).MatchString(help) {
				t.Errorf("export --help lacks --%s of %s:\n%s", fl.Name, f.Name, help)
			}
		}
	}
}

// TestExportFormatFlagsBelongToTheirFormats walks the table: every
// format is accepted; each format's flag is refused with any other
// format; a value flag refuses a value it does not list; a format that
// writes a folder wants -o.
func TestExportFormatFlagsBelongToTheirFormats(t *testing.T) {
	h := newHarness(t)
	h.mustRun("import", filepath.Join(corpusDir, "harbour.txt"))
	all := formats.ExportFormats()
	for _, f := range all {
		args := []string{"export", "--all", "--format", f.Name}
		if f.Folder != "" {
			if res := h.run(args...); res.code != 2 || !strings.Contains(res.stderr, "--format "+f.Name+" writes a folder of "+f.Folder+": name it with -o DIR") {
				t.Errorf("%s without -o: exit %d %q", f.Name, res.code, res.stderr)
			}
			args = append(args, "-o", filepath.Join(h.dir, f.Name))
		}
		h.mustRun(args...)
		for _, fl := range f.Flags {
			if !fl.Bool {
				bad := append(slices.Clone(args), "--"+fl.Name, "no-such-value")
				if res := h.run(bad...); fl.Values != nil && (res.code != 2 || !strings.Contains(res.stderr, "unknown --"+fl.Name+` "no-such-value": use `)) {
					t.Errorf("%s --%s no-such-value: exit %d %q", f.Name, fl.Name, res.code, res.stderr)
				}
			}
			for _, other := range all {
				if slices.ContainsFunc(other.Flags, func(o formats.ExportFlag) bool { return o.Name == fl.Name }) {
					continue
				}
				flagArgs := []string{"--" + fl.Name}
				if !fl.Bool {
					flagArgs = append(flagArgs, fl.Default)
				}
				res := h.run(append([]string{"export", "--format", other.Name}, flagArgs...)...)
				if res.code != 2 || !strings.Contains(res.stderr, "--"+fl.Name+" applies to --format "+f.Name+" only") {
					t.Errorf("%s --%s: exit %d %q, want it refused", other.Name, fl.Name, res.code, res.stderr)
				}
			}
		}
	}
	res := h.run("export", "--format", "xml")
	for _, f := range all {
		if !strings.Contains(res.stderr, f.Name) {
			t.Errorf("unknown --format: %q does not name %s", res.stderr, f.Name)
		}
	}
}

// TestDocsListEveryExportFormat: the formats table of the documentation
// (README.md or a page of docs/: the table whose header starts "| format
// | export |") lists exactly the formats annotate exports, and each
// format's flags are documented.
func TestDocsListEveryExportFormat(t *testing.T) {
	pages, _ := filepath.Glob(filepath.Join("..", "..", "docs", "*.md"))
	pages = append(pages, filepath.Join("..", "..", "README.md"))
	var docs strings.Builder
	listed := map[string]string{} // format -> page
	row := regexp.MustCompile("^\\| `([a-z0-9-]+)` \\|")
	for _, p := range pages {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		docs.Write(data)
		in := false
		for _, line := range strings.Split(string(data), "\n") {
			switch {
			case strings.HasPrefix(line, "| format | export |"):
				in = true
			case in && !strings.HasPrefix(line, "|"):
				in = false
			case in:
				if m := row.FindStringSubmatch(line); m != nil {
					listed[m[1]] = p
				}
			}
		}
	}
	if len(listed) == 0 {
		t.Fatal(`no formats table ("| format | export | ...") in README.md or docs/`)
	}
	for _, f := range formats.ExportFormats() {
		if _, ok := listed[f.Name]; !ok {
			t.Errorf("the formats table does not list %s", f.Name)
		}
		for _, fl := range f.Flags {
			if !strings.Contains(docs.String(), "`--"+fl.Name) {
				t.Errorf("--%s (%s) is documented nowhere", fl.Name, f.Name)
			}
		}
	}
	for name, page := range listed {
		if _, ok := formats.ExportFormatNamed(name); !ok {
			t.Errorf("%s lists a format %s that annotate does not export", page, name)
		}
	}
}
