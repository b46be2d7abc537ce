package cli_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store/bolt"
)

// formatsTestdata holds the annotated files the formats package's tests
// read (our own, written to look like each tool's exports).
const formatsTestdata = "../formats/testdata"

// peerFormats locates the real exports beside the project, or skips.
func peerFormats(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "peer-formats")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("%s is absent: the tests on real peer files need ../shared beside the project", dir)
	}
	return dir
}

// spanKey is a span as Python sees it: code point offsets and label.
type spanKey struct {
	Start, End int
	Label      string
}

// spansByText reads a Prodigy/spaCy or doccano JSONL export (or a peer
// file) into each text's set of spans, checking every span that carries
// its text against Python's text[start:end].
func spansByText(t *testing.T, data []byte, utf16 bool) map[string]map[spanKey]bool {
	t.Helper()
	out := map[string]map[spanKey]bool{}
	dec := json.NewDecoder(bytes.NewReader(data))
	for dec.More() {
		var rec struct {
			Text   string
			Answer string
			Spans  []struct {
				Start, End  int
				Label, Text string
			}
			Label    [][3]any
			Entities []struct {
				Label string
				Start int `json:"start_offset"`
				End   int `json:"end_offset"`
			}
		}
		if err := dec.Decode(&rec); err != nil {
			t.Fatalf("not JSON: %v", err)
		}
		if rec.Answer != "" && rec.Answer != "accept" {
			continue
		}
		set := map[spanKey]bool{}
		runes := []rune(rec.Text)
		for _, s := range rec.Spans {
			if s.Text != "" && string(runes[s.Start:s.End]) != s.Text {
				t.Errorf("text[%d:%d] of %.40q is %q, the span says %q", s.Start, s.End, rec.Text, string(runes[s.Start:s.End]), s.Text)
			}
			set[spanKey{s.Start, s.End, s.Label}] = true
		}
		for _, l := range rec.Label {
			set[spanKey{int(l[0].(float64)), int(l[1].(float64)), l[2].(string)}] = true
		}
		for _, e := range rec.Entities {
			set[spanKey{e.Start, e.End, e.Label}] = true
		}
		out[rec.Text] = set
	}
	return out
}

func sameSpans(t *testing.T, what string, want, got map[string]map[spanKey]bool) {
	t.Helper()
	if len(want) != len(got) {
		t.Errorf("%s: %d texts exported, want %d", what, len(got), len(want))
	}
	n := 0
	for text, w := range want {
		g := got[text]
		for k := range w {
			n++
			if !g[k] {
				t.Errorf("%s: span %+v of %.50q is missing", what, k, text)
			}
		}
		if len(g) != len(w) {
			t.Errorf("%s: %.50q has %d spans, want %d", what, text, len(g), len(w))
		}
	}
	if n == 0 {
		t.Errorf("%s: no spans compared", what)
	}
}

// TestPeerFilesImportAndExportAgain is the user's check: import the real
// Prodigy, doccano and brat files, export each in its own format, and find
// every accepted span again, at offsets Python slices correctly.
func TestPeerFilesImportAndExportAgain(t *testing.T) {
	peer := peerFormats(t)
	t.Run("prodigy", func(t *testing.T) {
		h := newHarness(t)
		h.mustRun("import", "--format", "spacy", "--annotator", "someone", "--add-labels", filepath.Join(peer, "prodigy"))
		got := spansByText(t, []byte(h.mustRun("export", "--format", "spacy", "--annotator", "someone").stdout), false)
		want := map[string]map[spanKey]bool{}
		files, _ := filepath.Glob(filepath.Join(peer, "prodigy", "*.jsonl"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for text, spans := range spansByText(t, data, false) {
				want[text] = spans
			}
		}
		sameSpans(t, "prodigy", want, got)
	})
	t.Run("doccano", func(t *testing.T) {
		files, _ := filepath.Glob(filepath.Join(peer, "doccano", "*.json*"))
		h := newHarness(t)
		want := map[string]map[spanKey]bool{}
		for _, f := range files {
			h.mustRun("import", "--format", "doccano", "--annotator", "someone", "--add-labels", f)
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for text, spans := range spansByText(t, data, false) {
				want[text] = spans
			}
		}
		for _, relations := range []bool{false, true} {
			args := []string{"export", "--format", "doccano", "--annotator", "someone"}
			if relations {
				args = append(args, "--relations")
			}
			sameSpans(t, strings.Join(args, " "), want, spansByText(t, []byte(h.mustRun(args...).stdout), false))
		}
	})
	t.Run("brat", func(t *testing.T) {
		h := newHarness(t)
		src := filepath.Join(peer, "brat", "tutorial_news")
		h.mustRun("import", "--format", "brat", "--annotator", "someone", "--add-labels", src)
		out := filepath.Join(h.dir, "brat-out")
		h.mustRun("export", "--format", "brat", "--annotator", "someone", "-o", out)
		want, got := bratTextBounds(t, src), bratTextBounds(t, out)
		for text, w := range want {
			if len(w) == 0 {
				continue // an empty .ann: the text alone, not exported as touched
			}
			if strings.Join(w, "\n") != strings.Join(got[text], "\n") {
				t.Errorf("T lines of %.50q:\n got %q\nwant %q", text, got[text], w)
			}
		}
		if _, err := os.Stat(filepath.Join(out, "annotation.conf")); err != nil {
			t.Errorf("no annotation.conf: %v", err)
		}
	})
}

// bratTextBounds reads every .ann below dir: for each text, its T lines
// as "label offsets<TAB>text", checked against Python slicing.
func bratTextBounds(t *testing.T, dir string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(p, ".ann") {
			return err
		}
		text, err := os.ReadFile(strings.TrimSuffix(p, ".ann") + ".txt")
		if err != nil {
			t.Fatal(err)
		}
		ann, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		runes := []rune(string(text))
		var lines []string
		for _, line := range strings.Split(string(ann), "\n") {
			f := strings.SplitN(line, "\t", 3)
			if len(f) < 3 || !strings.HasPrefix(f[0], "T") {
				continue
			}
			_, offs, _ := strings.Cut(f[1], " ")
			var parts []string
			for _, frag := range strings.Split(offs, ";") {
				var s, e int
				fmt.Sscan(frag, &s, &e)
				parts = append(parts, string(runes[s:e]))
			}
			if strings.Join(parts, " ") != f[2] {
				t.Errorf("%s: %q selects %q", p, line, strings.Join(parts, " "))
			}
			lines = append(lines, f[1]+"\t"+f[2])
		}
		sort.Strings(lines)
		out[string(text)] = lines
		return nil
	})
	return out
}

func TestImportLabels(t *testing.T) {
	file := filepath.Join(formatsTestdata, "doccano", "relations.json")
	t.Run("refused with the list", func(t *testing.T) {
		h := newHarness(t)
		// relations.json uses only schema labels; make one that does not.
		p := h.write("other.jsonl", []byte(`{"text": "Ann Lee left Velmo with a Zorb phone.", "label": [[0, 7, "PERSON"], [13, 18, "LOCATION"], [26, 30, "PRODUCT"], [0, 3, "PERSON"]]}`+"\n"))
		res := h.run("import", "--format", "doccano", p)
		if res.code != 1 || !strings.Contains(res.stderr, "labels not in the schema: LOCATION (1), PERSON (2), PRODUCT (1)") || !strings.Contains(res.stderr, "--label-map") {
			t.Errorf("exit %d, stderr %q: want the file refused with its labels and the flags to use", res.code, res.stderr)
		}
		if out := h.mustRun("list", "--json").stdout; out != "" {
			t.Errorf("a refused file stored %q", out)
		}
		m := h.write("map.txt", []byte("PERSON=PER\nLOCATION=GPE\nPRODUCT=\n"))
		h.mustRun("import", "--format", "doccano", "--label-map", m, "--annotator", "ana", p)
		native := jsonLines(t, h.mustRun("export", "--annotator", "ana").stdout)
		var ents []struct{ Label, Text string }
		field(t, native[0], "entities", &ents)
		if fmt.Sprint(ents) != "[{PER Ann Lee} {PER Ann} {GPE Velmo}]" {
			t.Errorf("entities %v, want PERSON and LOCATION renamed and PRODUCT dropped", ents)
		}
	})
	t.Run("added", func(t *testing.T) {
		h := newHarness(t)
		p := h.write("other.jsonl", []byte(`{"text": "Ann Lee left Velmo.", "label": [[0, 7, "PERSON"]]}`+"\n"))
		res := h.mustRun("import", "--format", "doccano", "--add-labels", p)
		if !strings.Contains(res.stderr, "added label PERSON to the schema") {
			t.Errorf("stderr %q, want the added label named", res.stderr)
		}
		if !strings.Contains(h.mustRun("schema").stdout, `"name": "PERSON"`) {
			t.Error("the schema lacks the added label")
		}
		if res := h.mustRun("check"); !strings.Contains(res.stdout, "ok") {
			t.Errorf("check after --add-labels: %q", res.stdout)
		}
	})
	t.Run("claims from relations", func(t *testing.T) {
		h := newHarness(t)
		h.mustRun("import", "--format", "doccano", "--annotator", "ana", file)
		native := jsonLines(t, h.mustRun("export", "--annotator", "ana").stdout)
		var claims []struct {
			Claimant struct{ Text string }
			Type     string
		}
		field(t, native[0], "claims", &claims)
		if fmt.Sprint(claims) != "[{{Local officials} casualties} {{Harrow Front} denial}]" {
			t.Errorf("claims %v", claims)
		}
	})
}

func TestImportAnnotatedRefusesBadFiles(t *testing.T) {
	h := newHarness(t)
	bad := filepath.Join(formatsTestdata, "prodigy", "bad.jsonl")
	res := h.run("import", "--format", "spacy", bad)
	for _, w := range []string{"refused, 2 bad records", "bad.jsonl:2: spans[0] (GPE): span 4-9 is \"Velmo\" in the text but the file says \"Velmo council\"", "bad.jsonl:3: not a JSON object"} {
		if !strings.Contains(res.stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, res.stderr)
		}
	}
	if res.code != 1 || h.mustRun("list", "--json").stdout != "" {
		t.Errorf("exit %d; a refused file must store nothing", res.code)
	}
	res = h.mustRun("import", "--format", "spacy", "--skip-invalid", "--annotator", "ana", bad)
	if !strings.Contains(res.stdout, "1 added") || !strings.Contains(res.stdout, "1 annotation saved") || !strings.Contains(res.stderr, "skipped") {
		t.Errorf("--skip-invalid: stdout %q stderr %q", res.stdout, res.stderr)
	}
	// Invalid brat: the mismatch names its line.
	res = h.run("import", "--format", "brat", filepath.Join(formatsTestdata, "brat", "mismatch"))
	if res.code != 1 || !strings.Contains(res.stderr, "doc.ann:2: T2: the text says \"Brisk\" but the offsets select \"Brask\"") {
		t.Errorf("brat mismatch: exit %d stderr %q", res.code, res.stderr)
	}
}

// TestImportIsUndoable: an imported annotation is a change like any other,
// in the history and undoable; importing it again changes nothing.
func TestImportIsUndoable(t *testing.T) {
	h := newHarness(t)
	file := filepath.Join(formatsTestdata, "prodigy", "news.jsonl")
	res := h.mustRun("import", "--format", "spacy", file)
	if want := "4 added, 0 already present, 0 failed (1 files); 2 annotations saved, 0 unchanged, 2 rejected or ignored in Prodigy (text only)\n"; res.stdout != want {
		t.Errorf("stdout %q, want %q", res.stdout, want)
	}
	if res := h.mustRun("import", "--format", "spacy", file); !strings.Contains(res.stdout, "0 annotations saved, 2 unchanged") {
		t.Errorf("a second import: %q, want nothing saved", res.stdout)
	}
	hist := h.mustRun("history", "--everyone").stdout
	if strings.Count(hist, "import news.jsonl") != 2 {
		t.Errorf("history:\n%s\nwant two imports of news.jsonl", hist)
	}
	text := "The Velmo council said the curfew ends on Friday."
	db, err := bolt.Open(h.dbPath(), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, _, err := db.Undo(model.ArticleID(text), "news-dana")
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Entities) != 0 {
		t.Errorf("undo left %d spans, want the empty annotation before the import", len(a.Entities))
	}
}

func TestExportFormats(t *testing.T) {
	h := newHarness(t)
	h.mustRun("import", "--format", "labelstudio", filepath.Join(formatsTestdata, "labelstudio", "tasks.json"))
	h.mustRun("import", "--format", "spacy", filepath.Join(formatsTestdata, "prodigy", "news.jsonl"))
	h.mustRun("import", "--format", "doccano", "--annotator", "labelstudio-3", filepath.Join(formatsTestdata, "doccano", "alice.jsonl"))
	all := []string{"--annotator", "*"}
	for _, args := range [][]string{
		{"--format", "native"}, {"--format", "spacy"}, {"--format", "spacy", "--tokens"}, {"--format", "doccano"},
		{"--format", "doccano", "--relations"}, {"--format", "labelstudio"}, {"--format", "conll"},
		{"--format", "incidents-csv"}, {"--format", "incidents-csv", "--columns", "gtd"}, {"--format", "incidents-csv", "--columns", "ucdp"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			first := h.mustRun(append(append([]string{"export"}, all...), args...)...)
			second := h.mustRun(append(append([]string{"export"}, all...), args...)...)
			if first.stdout != second.stdout {
				t.Error("two exports of the same database differ")
			}
			if first.stdout == "" {
				t.Error("nothing exported")
			}
		})
	}
	t.Run("brat", func(t *testing.T) {
		out1, out2 := filepath.Join(h.dir, "b1"), filepath.Join(h.dir, "b2")
		h.mustRun("export", "--format", "brat", "--annotator", "*", "-o", out1)
		h.mustRun("export", "--format", "brat", "--annotator", "*", "-o", out2)
		if a, b := dirContents(t, out1), dirContents(t, out2); a != b || !strings.Contains(a, "labelstudio-3/") {
			t.Errorf("brat exports differ or lack the annotator folders:\n%s", a)
		}
		if res := h.run("export", "--format", "brat", "--annotator", "*", "-o", out1); res.code != 1 || !strings.Contains(res.stderr, "not empty") {
			t.Errorf("export into a folder that is not empty: exit %d %q", res.code, res.stderr)
		}
	})
	t.Run("labelstudio is one JSON array with one task per article", func(t *testing.T) {
		var tasks []struct {
			Annotations []struct {
				CompletedBy string `json:"completed_by"`
			}
		}
		if err := json.Unmarshal([]byte(h.mustRun("export", "--format", "labelstudio", "--annotator", "*").stdout), &tasks); err != nil {
			t.Fatal(err)
		}
		most := 0
		for _, task := range tasks {
			most = max(most, len(task.Annotations))
		}
		if most != 3 {
			t.Errorf("the busiest task has %d annotations, want 3 (one per annotator)", most)
		}
	})
}

func dirContents(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, _ := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(&b, "%s\n%s\n", filepath.ToSlash(rel), data)
		return nil
	})
	return b.String()
}

func TestExportFlagsAndFilters(t *testing.T) {
	h := newHarness(t)
	h.mustRun("import", "--format", "labelstudio", filepath.Join(formatsTestdata, "labelstudio", "tasks.json"))
	count := func(args ...string) int {
		return len(jsonLines(t, h.mustRun(append([]string{"export"}, args...)...).stdout))
	}
	if n := count("--annotator", "*"); n != 4 {
		t.Errorf("every annotator: %d records, want 4", n)
	}
	if n := count("--annotator", "*", "--status", "skipped"); n != 1 {
		t.Errorf("--status skipped: %d, want 1", n)
	}
	if n := count("--annotator", "*", "--since", "2000-01-01"); n != 4 {
		t.Errorf("--since 2000-01-01: %d, want 4", n)
	}
	if n := count("--annotator", "*", "--since", "2999-01-01T10:00"); n != 0 {
		t.Errorf("--since the future: %d, want 0", n)
	}
	if n := count("--gold"); n != 0 {
		t.Errorf("--gold before any review: %d, want 0", n)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--format", "native", "--tokens"}, "--tokens applies to --format spacy only"},
		{[]string{"--format", "spacy", "--relations"}, "--relations applies to --format doccano only"},
		{[]string{"--format", "native", "--columns", "gtd"}, "--columns applies to --format incidents-csv only"},
		{[]string{"--format", "incidents-csv", "--columns", "icews"}, "unknown --columns"},
		{[]string{"--format", "brat"}, "-o DIR"},
		{[]string{"--format", "xml"}, "unknown --format"},
		{[]string{"--status", "finished"}, "unknown --status"},
		{[]string{"--since", "last week"}, "YYYY-MM-DD"},
		{[]string{"--gold", "--annotator", "ana"}, "leave out --annotator"},
	} {
		if res := h.run(append([]string{"export"}, tt.args...)...); res.code != 2 || !strings.Contains(res.stderr, tt.want) {
			t.Errorf("export %q: exit %d %q, want exit 2 and %q", tt.args, res.code, res.stderr, tt.want)
		}
	}
}

// TestNativeMovesBetweenDatabases: export native from one database, import
// it into another, export again: the same annotations.
func TestNativeMovesBetweenDatabases(t *testing.T) {
	one := newHarness(t)
	one.mustRun("import", "--format", "labelstudio", filepath.Join(formatsTestdata, "labelstudio", "tasks.json"))
	one.mustRun("import", "--format", "brat", "--add-labels", "--annotator", "ana", filepath.Join(formatsTestdata, "brat", "news"))
	first := one.mustRun("export", "--annotator", "*").stdout
	two := newHarness(t)
	two.mustRun("import", "--format", "native", "--add-labels", two.write("all.jsonl", []byte(first)))
	second := two.mustRun("export", "--annotator", "*").stdout
	strip := func(out string) []string {
		var recs []string
		for _, rec := range jsonLines(t, out) {
			delete(rec, "updated_at")
			var meta map[string]any
			json.Unmarshal(rec["meta"], &meta)
			delete(meta, "imported_from")
			rec["meta"], _ = json.Marshal(meta)
			data, _ := json.Marshal(rec)
			recs = append(recs, string(data))
		}
		return recs
	}
	a, b := strip(first), strip(second)
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Errorf("native did not move losslessly:\nfirst:\n%s\nsecond:\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
}

func TestIncidentsCSVHasACLEDColumns(t *testing.T) {
	h := newHarness(t)
	text := "Harrow Front fighters attacked the Kessa checkpoint on 3 May; 4 guards were killed."
	p := h.write("a.txt", []byte(text))
	h.mustRun("import", p)
	a := model.NewAnnotation(model.ArticleID(text), "tester", "conflict-incidents")
	a.Entities = []model.Span{{ID: "e1", Start: 0, End: 12, Label: "ORG"}, {ID: "e2", Start: 35, End: 51, Label: "FAC"}}
	four := 4
	a.Incidents = []model.Incident{{ID: "i3", Fields: map[string]model.Value{
		"event_type": {Text: "Attack"}, "perpetrators": {List: []string{"e1"}}, "location": {List: []string{"e2"}},
		"date": {Date: &model.Date{Start: "2026-05-03", Precision: "day"}}, "killed": {Count: &model.Count{Best: &four}}}}}
	model.GroupMentions(&a, text)
	db, err := bolt.Open(h.dbPath(), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Save(a, "test"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	out := filepath.Join(h.dir, "acled.csv")
	res := h.mustRun("export", "--format", "incidents-csv", "--columns", "acled", "-o", out)
	if res.stderr != "exported 1 incidents to "+out+"\n" {
		t.Errorf("stderr %q", res.stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp,article_id,annotator,incident_id,evidence,annotate_status,annotate_figure_sources,annotate_coding_notes"
	if got := strings.Join(rows[0], ","); got != want {
		t.Errorf("header:\n%s\nwant:\n%s", got, want)
	}
	row := map[string]string{}
	for i, h := range rows[0] {
		row[h] = rows[1][i]
	}
	if row["event_type"] != "Violence against civilians" || row["sub_event_type"] != "Attack" || row["actor1"] != "Harrow Front" ||
		row["location"] != "Kessa checkpoint" || row["fatalities"] != "4" || row["event_date"] != "2026-05-03" ||
		row["annotate_figure_sources"] != "killed best 4: no claim is its evidence" ||
		row["annotate_coding_notes"] != "fatalities 4 is the best estimate: no low was reported" {
		t.Errorf("row %v", row)
	}
}

// TestImportLegacyEncodings: --encoding reads Windows-1252, ISO-8859-1 and
// UTF-16 with a byte order mark; without it, such files are refused with
// the hint to use it.
func TestImportLegacyEncodings(t *testing.T) {
	tests := []struct {
		name, file, encoding string
		content              []byte
		want                 string
	}{
		{"windows-1252 text", "w.txt", "windows-1252", []byte("Caf\xe9 \x93Velmo\x94 \x80 5\r\n"), "Café “Velmo” € 5\r\n"},
		{"iso-8859-1 csv", "l.csv", "iso-8859-1", []byte("text\n\"Caf\xe9 in K\xf6ln\"\n"), "Café in Köln"},
		{"utf-16 little-endian with BOM", "le.txt", "utf-16", []byte("\xff\xfeC\x00a\x00f\x00\xe9\x00=\xd8\x00\xde"), "Café😀"},
		{"utf-16 big-endian with BOM", "be.txt", "utf-16", []byte("\xfe\xff\x00C\x00a\x00f\x00\xe9\xd8=\xde\x00"), "Café😀"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			p := h.write(tt.file, tt.content)
			res := h.run("import", p)
			if res.code != 1 || !strings.Contains(res.stderr, "--encoding") {
				t.Errorf("without --encoding: exit %d %q, want refused with the hint", res.code, res.stderr)
			}
			h.mustRun("import", "--encoding", tt.encoding, p)
			recs := jsonLines(t, h.mustRun("export", "--all").stdout)
			var text string
			field(t, recs[0], "text", &text)
			if text != tt.want {
				t.Errorf("text %+q, want %+q", text, tt.want)
			}
		})
	}
	t.Run("annotated JSON not in UTF-8", func(t *testing.T) {
		h := newHarness(t)
		p := h.write("l.jsonl", []byte("{\"text\": \"Caf\xe9 Velmo\", \"spans\": [{\"start\": 5, \"end\": 10, \"label\": \"GPE\"}]}\n"))
		res := h.run("import", "--format", "spacy", p)
		if res.code != 1 || !strings.Contains(res.stderr, "not valid UTF-8 (line 1)") || !strings.Contains(res.stderr, "--encoding") {
			t.Errorf("exit %d %q", res.code, res.stderr)
		}
		h.mustRun("import", "--format", "spacy", "--encoding", "windows-1252", "--annotator", "ana", p)
		recs := jsonLines(t, h.mustRun("export", "--annotator", "ana").stdout)
		var ents []struct{ Text string }
		field(t, recs[0], "entities", &ents)
		if len(ents) != 1 || ents[0].Text != "Velmo" {
			t.Errorf("entities %v", ents)
		}
	})
}

// TestPatternIDsExportAsWritten: an EntityRuler pattern's id is exported
// as the pattern wrote it (a bare QID, an id of the team's own), and an
// id that reads scheme:id keeps its scheme; spaCy's kb_id is what entity
// linking trains on, so it must be the knowledge base's own id.
func TestPatternIDsExportAsWritten(t *testing.T) {
	h, id1, _ := suggestHarness(t)
	pats := writeFile(t, h.dir, "patterns.jsonl", `{"label": "ORG", "pattern": "Harrow Front", "id": "Q2429253"}`+"\n"+
		`{"label": "GPE", "pattern": "Velmo", "id": "velmo"}`+"\n"+
		`{"label": "ORG", "pattern": "Northern Brigade", "id": "acled:Northern Brigade"}`+"\n")
	h.mustRun("pretag", "--patterns", pats, "--annotator", "patterns", "--all")
	want := map[string]string{"Harrow Front": "Q2429253", "Velmo": "velmo", "Northern Brigade": "acled:Northern Brigade"}
	seen := map[string]bool{}
	for _, rec := range jsonLines(t, h.mustRun("export", "--format", "spacy", "--annotator", "patterns").stdout) {
		var spans []struct {
			Text string
			KBID string `json:"kb_id"`
		}
		field(t, rec, "spans", &spans)
		for _, s := range spans {
			name := strings.Join(strings.Fields(s.Text), " ")
			seen[name] = true
			if s.KBID != want[name] {
				t.Errorf("span %q: kb_id %q, want %q as the pattern wrote it", s.Text, s.KBID, want[name])
			}
		}
	}
	if len(seen) != len(want) {
		t.Errorf("spans of %v, want one of each pattern (article %s)", seen, id1)
	}
}
