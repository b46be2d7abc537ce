package cli_test

import (
	"flag"
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

var updateGolden = flag.Bool("update-export-golden", false, "rewrite testdata/export/*.golden from the current exporters")

// richExportDB fills a harness's database with annotations that use every
// layer: spans from three tools, brat's claims, grades, notes and
// discontinuous spans, and an annotation with claims, incidents of every
// field kind, evidence and reliability grades.
func richExportDB(t *testing.T, h *harness) {
	t.Helper()
	h.mustRun("import", "--format", "labelstudio", filepath.Join(formatsTestdata, "labelstudio", "tasks.json"))
	h.mustRun("import", "--format", "spacy", filepath.Join(formatsTestdata, "prodigy", "news.jsonl"))
	h.mustRun("import", "--format", "doccano", "--annotator", "labelstudio-3", filepath.Join(formatsTestdata, "doccano", "alice.jsonl"))
	h.mustRun("import", "--format", "brat", "--add-labels", "--annotator", "brat-ann", filepath.Join(formatsTestdata, "brat", "news"))
	text := "Harrow Front fighters attacked the Kessa checkpoint near the U.S.-backed base on 3 May; 4 guards were killed, the Kessa Guard said. Mr. Ali said 12 died."
	p := h.write("rich.txt", []byte(text))
	h.mustRun("import", p)
	off := func(s string) (int, int) {
		i := strings.Index(text, s)
		return i, i + len(s)
	}
	span := func(id, s, label string) model.Span {
		a, b := off(s)
		return model.Span{ID: id, Start: a, End: b, Label: label}
	}
	a := model.NewAnnotation(model.ArticleID(text), "tester", "conflict-incidents")
	a.Status = model.StatusDone
	a.Notes = "two figures"
	a.Entities = []model.Span{span("e1", "Harrow Front", "ORG"), span("e2", "Kessa checkpoint", "FAC"), span("e3", "U.S.", "GPE"),
		span("e4", "Kessa Guard", "ORG"), span("e5", "4 guards", "COUNT"), span("e6", "Mr. Ali", "PER"), span("e7", "Kessa", "GPE")}
	cueA, cueB := off("said. Mr")
	contentA, contentB := off("4 guards were killed")
	a.Claims = []model.Claim{{ID: "c1", Claimant: model.Claimant{SpanID: "e4"}, Cue: &model.Range{Start: cueA, End: cueA + 4},
		Content: []model.Range{{Start: contentA, End: contentB}}, Type: "casualties", Polarity: "asserts", Certainty: "certain", Credibility: "3"}}
	_ = cueB
	four, twelve := 4, 12
	a.Incidents = []model.Incident{{ID: "i1", Fields: map[string]model.Value{
		"event_type": {Text: "Attack"}, "perpetrators": {List: []string{"e1"}}, "location": {List: []string{"e2"}},
		"date": {Date: &model.Date{Start: "2026-05-03", Precision: "day"}}, "killed": {Count: &model.Count{Low: &four, High: &twelve}},
		"notes": {Text: "Harrow Front attacked a checkpoint; 4 to 12 killed."}},
		Evidence: map[string][]string{"killed": {"c1"}}}}
	a.Sources = []model.SourceGrade{{Source: "Kessa Guard", SpanID: "e4", Reliability: "B", Rationale: "official"}}
	model.GroupMentions(&a, text)
	db, err := bolt.Open(h.dbPath(), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Save(a, "test"); err != nil {
		t.Fatal(err)
	}
	db.Close()
}

// exportVolatile are the parts of an export that change from run to run: times
// of saving and the harness's folder.
// (RFC 3339, and Unix seconds in the CSV's timestamp column).
var (
	exportVolatile = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)`)
	unixVolatile   = regexp.MustCompile(`,1[6-9]\d{8},`)
)

// TestExportsUnchanged exports a rich database in every format and with
// every format flag, and compares with the exports made before the
// exporters moved behind one interface (testdata/export/*.golden): the
// move changed no byte.
func TestExportsUnchanged(t *testing.T) {
	h := newHarness(t)
	richExportDB(t, h)
	for _, args := range goldenExportArgs(t) {
		name := goldenName(args)
		t.Run(name, func(t *testing.T) {
			full := append([]string{"export", "--annotator", "*", "--all"}, args...)
			var got string
			if f, _ := formats.ExportFormatNamed(args[1]); f.Folder != "" {
				dir := filepath.Join(h.dir, name)
				full = append(full, "-o", dir)
				res := h.mustRun(full...)
				got = dirContents(t, dir) + "--- standard error ---\n" + res.stderr
			} else {
				res := h.mustRun(full...)
				got = res.stdout + "--- standard error ---\n" + res.stderr
			}
			got = exportVolatile.ReplaceAllString(strings.ReplaceAll(got, h.dir, "<dir>"), "<time>")
			got = unixVolatile.ReplaceAllString(got, ",<unix time>,")
			path := filepath.Join("testdata", "export", name+".golden")
			if *updateGolden {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("export %s differs from %s:\n%s", strings.Join(args, " "), path, firstDiff(string(want), got))
			}
		})
	}
}

// firstDiff shows the first line where two texts differ.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + itoa(i+1) + ":\nwant " + a + "\n got " + b
		}
	}
	return "(same lines)"
}

func itoa(n int) string {
	s := ""
	for {
		s = string(rune('0'+n%10)) + s
		n /= 10
		if n == 0 {
			return s
		}
	}
}

// goldenExportArgs lists every format of the table with every value of
// its flags (a bool flag on, a value flag's other values), and checks
// that testdata/export holds a golden file for each and no other.
func goldenExportArgs(t *testing.T) [][]string {
	t.Helper()
	var out [][]string
	for _, f := range formats.ExportFormats() {
		base := []string{"--format", f.Name}
		out = append(out, base)
		for _, fl := range f.Flags {
			if fl.Bool {
				out = append(out, append(slices.Clone(base), "--"+fl.Name))
			}
			for _, v := range fl.Values {
				if v != fl.Default {
					out = append(out, append(slices.Clone(base), "--"+fl.Name, v))
				}
			}
		}
	}
	if !*updateGolden {
		want := map[string]bool{}
		for _, args := range out {
			want[goldenName(args)+".golden"] = true
		}
		files, _ := filepath.Glob(filepath.Join("testdata", "export", "*.golden"))
		for _, f := range files {
			if !want[filepath.Base(f)] {
				t.Errorf("%s is no export of the format table: remove it", f)
			}
		}
		if len(files) < len(want) {
			t.Errorf("%d golden files for %d exports: run go test -run TestExportsUnchanged -update-export-golden", len(files), len(want))
		}
	}
	return out
}

func goldenName(args []string) string { return strings.ReplaceAll(strings.Join(args, "_"), "-", "") }
