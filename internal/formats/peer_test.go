package formats

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

// The real exports of Prodigy, doccano and brat in ../shared/peer-formats
// must import with all their accepted spans, and export again in their own
// format with the same spans.

// peerDir locates ../shared/peer-formats beside the project, or skips.
func peerDir(t *testing.T, sub string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "peer-formats", sub)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("%s is absent: the tests on real peer files need ../shared beside the project", dir)
	}
	return dir
}

// spanSet is a record's spans as "start end label", offsets in code points.
type spanSet map[string]bool

func (s spanSet) sorted() []string {
	var out []string
	for k := range s {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// importFile reads a file that must hold no bad record.
func importFile(t *testing.T, read reader, path string, opts ImportOptions) []Annotated {
	t.Helper()
	recs, bad := readFile(t, read, path, opts)
	if len(bad) > 0 {
		t.Fatalf("%s: %v", path, bad)
	}
	return recs
}

func TestPeerProdigy(t *testing.T) {
	dir := peerDir(t, "prodigy")
	files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if len(files) == 0 {
		t.Fatalf("no .jsonl files in %s", dir)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			// What the file holds, read independently.
			want := map[string]spanSet{}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(bytes.NewReader(data))
			sc.Buffer(nil, 64<<20)
			accepted := 0
			for sc.Scan() {
				var rec struct {
					Text   string
					Answer string
					Spans  []struct {
						Start, End int
						Label      string
					}
				}
				if json.Unmarshal(sc.Bytes(), &rec) != nil {
					continue
				}
				if rec.Answer != "" && rec.Answer != "accept" {
					continue
				}
				set := spanSet{}
				for _, s := range rec.Spans {
					set[fmt.Sprintf("%d %d %s", s.Start, s.End, s.Label)] = true
					accepted++
				}
				want[rec.Text] = set
			}
			// Import, then export as spaCy again.
			got := map[string]spanSet{}
			n := 0
			for _, rec := range importFile(t, ReadSpacy, path, ImportOptions{}) {
				if rec.Annotation == nil {
					continue
				}
				n += len(rec.Annotation.Entities)
				art := rec.Article
				art.ID = model.ArticleID(art.Text)
				out, err := ToSpacy(art, *rec.Annotation, SpacyOptions{})
				if err != nil {
					t.Fatal(err)
				}
				data, _ := json.Marshal(out)
				checkSlices(t, "spacy", data)
				set := spanSet{}
				for _, s := range out.Spans {
					set[fmt.Sprintf("%d %d %s", s.Start, s.End, s.Label)] = true
				}
				got[art.Text] = set
			}
			if n != accepted {
				t.Errorf("imported %d spans, the file has %d accepted", n, accepted)
			}
			compareSets(t, want, got)
		})
	}
}

func TestPeerDoccano(t *testing.T) {
	dir := peerDir(t, "doccano")
	files, _ := filepath.Glob(filepath.Join(dir, "*.json*"))
	if len(files) == 0 {
		t.Fatalf("no doccano files in %s", dir)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			want := map[string]spanSet{}
			for _, raw := range jsonValues(t, path) {
				var rec struct {
					Text     string
					Label    [][3]any
					Entities []struct {
						Label string
						Start int `json:"start_offset"`
						End   int `json:"end_offset"`
					}
				}
				if err := json.Unmarshal(raw, &rec); err != nil {
					t.Fatal(err)
				}
				set := spanSet{}
				for _, l := range rec.Label {
					set[fmt.Sprintf("%v %v %v", l[0], l[1], l[2])] = true
				}
				for _, e := range rec.Entities {
					set[fmt.Sprintf("%d %d %s", e.Start, e.End, e.Label)] = true
				}
				want[rec.Text] = set
			}
			got := map[string]spanSet{}
			for _, rec := range importFile(t, ReadDoccano, path, ImportOptions{}) {
				set := spanSet{}
				if rec.Annotation != nil {
					art := rec.Article
					art.ID = model.ArticleID(art.Text)
					out, err := ToDoccano(art, *rec.Annotation, false)
					if err != nil {
						t.Fatal(err)
					}
					data, _ := json.Marshal(out)
					checkSlices(t, "doccano", data)
					for _, l := range out.(DoccanoLabels).Label {
						set[fmt.Sprintf("%v %v %v", l[0], l[1], l[2])] = true
					}
				}
				got[rec.Article.Text] = set
			}
			compareSets(t, want, got)
		})
	}
}

func TestPeerBrat(t *testing.T) {
	dir := peerDir(t, "brat")
	anns, _ := filepath.Glob(filepath.Join(dir, "*", "*.ann"))
	if len(anns) == 0 {
		t.Fatalf("no .ann files in %s", dir)
	}
	s := model.DefaultSchema()
	for _, path := range anns {
		t.Run(filepath.Base(path), func(t *testing.T) {
			text, err := os.ReadFile(strings.TrimSuffix(path, ".ann") + ".txt")
			if err != nil {
				t.Fatal(err)
			}
			original, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rec, bad, err := ReadBrat(path, f, "x.txt", string(text), ImportOptions{Schema: s})
			if err != nil || len(bad) > 0 {
				t.Fatalf("%v %v", err, bad)
			}
			var exported string
			if rec.Annotation != nil {
				art := rec.Article
				art.ID = model.ArticleID(art.Text)
				var warnings []string
				exported, warnings, err = ToBrat(art, *rec.Annotation, s)
				if err != nil || len(warnings) > 0 {
					t.Fatalf("%v %v", err, warnings)
				}
				checkBratSlices(t, string(text), exported)
			}
			want, got := bratSpans(string(original)), bratSpans(exported)
			compareSets(t, map[string]spanSet{path: want}, map[string]spanSet{path: got})
		})
	}
}

// bratSpans lists the T lines of an .ann file as "label offsets".
func bratSpans(ann string) spanSet {
	set := spanSet{}
	for _, line := range strings.Split(ann, "\n") {
		fields := strings.SplitN(strings.TrimRight(line, "\r"), "\t", 3)
		if len(fields) >= 2 && strings.HasPrefix(fields[0], "T") {
			set[fields[1]] = true
		}
	}
	return set
}

// jsonValues reads a JSONL file, or a file holding one JSON object.
func jsonValues(t *testing.T, path string) []json.RawMessage {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	for dec.More() {
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func compareSets(t *testing.T, want, got map[string]spanSet) {
	t.Helper()
	if len(want) != len(got) {
		t.Errorf("%d texts back, want %d", len(got), len(want))
	}
	for text, w := range want {
		g, ok := got[text]
		if !ok {
			t.Errorf("text %.60q did not come back", text)
			continue
		}
		if strings.Join(w.sorted(), "|") != strings.Join(g.sorted(), "|") {
			t.Errorf("spans of %.60q changed:\n got %q\nwant %q", text, g.sorted(), w.sorted())
		}
	}
}
