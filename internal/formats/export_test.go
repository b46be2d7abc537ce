package formats

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
)

// exportAll runs one format's exporter over arts (each with its
// annotations) and returns what it wrote: the stream, or the folder's
// files one after another.
func exportAll(t *testing.T, f ExportFormat, flags map[string]string, arts []model.Article, anns [][]model.Annotation) (string, []string) {
	t.Helper()
	var out bytes.Buffer
	var warnings []string
	c := ExportConfig{Out: &out, Schema: model.DefaultSchema(), Flags: map[string]string{}, Warn: func(l string) { warnings = append(warnings, l) }}
	for _, fl := range f.Flags {
		c.Flags[fl.Name] = fl.Default
		if fl.Bool {
			c.Flags[fl.Name] = "false"
		}
		if v, ok := flags[fl.Name]; ok {
			c.Flags[fl.Name] = v
		}
	}
	if f.Folder != "" {
		c.Dir = t.TempDir()
	}
	exp, err := f.New(c)
	if err != nil {
		t.Fatalf("%s: New: %v", f.Name, err)
	}
	for i, art := range arts {
		n, err := exp.Write(art, anns[i])
		if err != nil {
			t.Fatalf("%s: Write: %v", f.Name, err)
		}
		if n < 0 || (f.Counts == "records" && n != len(anns[i])) {
			t.Errorf("%s: Write counted %d %s for %d annotations", f.Name, n, f.Counts, len(anns[i]))
		}
	}
	if err := exp.Close(); err != nil {
		t.Fatalf("%s: Close: %v", f.Name, err)
	}
	exp.Abort() // after Close: nothing more happens
	if f.Folder == "" {
		return out.String(), warnings
	}
	var files strings.Builder
	err = filepath.WalkDir(c.Dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		files.WriteString(p[len(c.Dir):] + "\n" + string(data))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files.String(), warnings
}

// exportSample is a few articles with random annotations of every layer.
func exportSample(t *testing.T) ([]model.Article, [][]model.Annotation) {
	r := rand.New(rand.NewPCG(18, 1))
	s := model.DefaultSchema()
	var arts []model.Article
	var anns [][]model.Annotation
	for range 4 {
		text := randomText(r) + " U.S.-backed fighters, Mr. Ali said."
		art := model.Article{ID: model.ArticleID(text), Text: text, Title: "t"}
		arts = append(arts, art)
		anns = append(anns, []model.Annotation{randomAnnotation(t, r, text, s, false), randomAnnotation(t, r, text, s, false)})
	}
	return arts, anns
}

// TestExportFormatTable walks the table of export formats: each has a
// name, a help line and a writer, writes the sample in every value of its
// flags, and writes something of its own (no two formats share a writer:
// a format registered with another's constructor would fail here). A flag
// two formats share means the same to both.
func TestExportFormatTable(t *testing.T) {
	all := ExportFormats()
	if len(all) < 7 || all[0].Name != "native" {
		t.Fatalf("formats: %v, want native first and the seven formats", all)
	}
	arts, anns := exportSample(t)
	outputs := map[string]string{}
	flags := map[string]ExportFlag{}
	for _, f := range all {
		if g, ok := ExportFormatNamed(f.Name); !ok || g.Name != f.Name {
			t.Errorf("ExportFormatNamed(%q) does not find it", f.Name)
		}
		if f.Help == "" || strings.ContainsAny(f.Help, "\n\t") || len(f.Help) > 110 {
			t.Errorf("%s: help %q is not one short line", f.Name, f.Help)
		}
		out, _ := exportAll(t, f, nil, arts, anns)
		if out == "" {
			t.Errorf("%s wrote nothing", f.Name)
		}
		for other, o := range outputs {
			if o == out {
				t.Errorf("%s writes what %s writes", f.Name, other)
			}
		}
		outputs[f.Name] = out
		for _, fl := range f.Flags {
			if prev, ok := flags[fl.Name]; ok && (prev.Bool != fl.Bool || prev.Default != fl.Default || !slices.Equal(prev.Values, fl.Values)) {
				t.Errorf("flag --%s means different things to two formats", fl.Name)
			}
			flags[fl.Name] = fl
			values := fl.Values
			if fl.Bool {
				values = []string{"true"}
			}
			for _, v := range values {
				if v == fl.Default {
					continue
				}
				with, _ := exportAll(t, f, map[string]string{fl.Name: v}, arts, anns)
				if with == out {
					t.Errorf("%s --%s %s changes nothing", f.Name, fl.Name, v)
				}
			}
		}
	}
	if _, ok := ExportFormatNamed("xml"); ok {
		t.Error("an unknown format was found")
	}
}

// TestExportAbortStopsTheWorkers: an export that fails half way calls
// Abort, which ends the line exporters' workers; a failed write is
// Close's error.
func TestExportAbortStopsTheWorkers(t *testing.T) {
	arts, anns := exportSample(t)
	for _, name := range []string{"native", "spacy", "doccano"} {
		f, _ := ExportFormatNamed(name)
		before := runtime.NumGoroutine()
		exp, err := f.New(ExportConfig{Out: &failingWriter{}, Schema: model.DefaultSchema(), Flags: map[string]string{"tokens": "false", "relations": "false"}})
		if err != nil {
			t.Fatal(err)
		}
		if runtime.NumGoroutine() <= before {
			t.Fatalf("%s: no workers started", name)
		}
		for i := range arts {
			if _, err := exp.Write(arts[i], anns[i]); err != nil {
				t.Fatal(err)
			}
		}
		exp.Abort()
		exp.Abort()
		for range 100 {
			if runtime.NumGoroutine() <= before {
				break
			}
			time.Sleep(time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			t.Errorf("%s: %d goroutines after Abort, %d before", name, n, before)
		}

		exp, _ = f.New(ExportConfig{Out: &failingWriter{}, Schema: model.DefaultSchema(), Flags: map[string]string{"tokens": "false", "relations": "false"}})
		exp.Write(arts[0], anns[0])
		if err := exp.Close(); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("%s: Close on a full disk: %v", name, err)
		}
	}
}

// failingWriter fails every write.
type failingWriter struct{}

func (w *failingWriter) Write(p []byte) (int, error) { return 0, errors.New("disk full") }
