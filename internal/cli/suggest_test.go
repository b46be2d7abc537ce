package cli_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store/bolt"
)

// The articles of the suggestion tests (written for them): names in any
// case, inside hyphenated words, across a line break, after an emoji.
const (
	suggestText1 = "Harrow Front fighters held Velmo. The harrow front denied it; anti-Harrow Front\ngroups and Harrow Front-backed units met in Velmo 🇸🇾. The Harrow\nFront left."
	suggestText2 = "Velmo was quiet. Officials in Velmo blamed the Northern Brigade."
)

// writeFile writes content to name under dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// suggestHarness imports the two articles and returns the harness with
// their ids.
func suggestHarness(t *testing.T) (*harness, string, string) {
	t.Helper()
	h := newHarness(t)
	dir := filepath.Join(h.dir, "in")
	os.MkdirAll(dir, 0o755)
	writeFile(t, dir, "one.txt", suggestText1)
	writeFile(t, dir, "two.txt", suggestText2)
	h.mustRun("import", dir)
	return h, model.ArticleID(suggestText1), model.ArticleID(suggestText2)
}

type exportedSpan struct {
	Start, End  int
	Label, Text string
}

// spansOf exports the annotator's spans per article, as spaCy JSONL.
func spansOf(t *testing.T, h *harness, annotator string) map[string][]exportedSpan {
	t.Helper()
	out := map[string][]exportedSpan{}
	for _, rec := range jsonLines(t, h.mustRun("export", "--format", "spacy", "--annotator", annotator).stdout) {
		var text string
		var spans []exportedSpan
		field(t, rec, "text", &text)
		field(t, rec, "spans", &spans)
		runes := []rune(text)
		for _, s := range spans {
			if string(runes[s.Start:s.End]) != s.Text {
				t.Errorf("exported span %+v does not select its text", s)
			}
		}
		out[model.ArticleID(text)] = spans
	}
	return out
}

func TestPretagPatterns(t *testing.T) {
	h, id1, id2 := suggestHarness(t)
	pats := writeFile(t, h.dir, "patterns.jsonl", strings.Join([]string{
		`{"label": "ORG", "pattern": "Harrow Front", "id": "acled:Harrow Front"}`,
		``,
		`{"label": "GPE", "pattern": [{"lower": "velmo"}], "id": "velmo"}`,
		`{"label": "ORG", "pattern": [{"LOWER": "northern"}, {"lower": "brigade"}]}`,
	}, "\n"))
	res := h.mustRun("pretag", "--patterns", pats, "--annotator", "patterns", "--all")
	if got := strings.TrimSpace(res.stdout); got != "pretagged 2 articles, 7 spans as patterns" {
		t.Errorf("stdout %q", got)
	}
	got := spansOf(t, h, "patterns")
	want := map[string][]exportedSpan{
		id1: {
			{0, 12, "ORG", "Harrow Front"},
			{27, 32, "GPE", "Velmo"},
			// "harrow front" (lower case), "anti-Harrow Front" and
			// "Harrow Front-backed" are not whole-word occurrences of the
			// phrase pattern.
			{124, 129, "GPE", "Velmo"},
			{138, 150, "ORG", "Harrow\nFront"},
		},
		id2: {{0, 5, "GPE", "Velmo"}, {30, 35, "GPE", "Velmo"}, {47, 63, "ORG", "Northern Brigade"}},
	}
	// The emoji (two code points) is counted as Python counts it: the
	// offsets after it are code points, not bytes or UTF-16 units.
	if runes := []rune(suggestText1); string(runes[138:150]) != "Harrow\nFront" {
		t.Fatalf("test text: %q", string(runes[138:150]))
	}
	if !slices.Equal(got[id1], want[id1]) || !slices.Equal(got[id2], want[id2]) {
		t.Errorf("spans\n%+v\n%+v\nwant\n%+v\n%+v", got[id1], got[id2], want[id1], want[id2])
	}
	if res := h.mustRun("check"); !strings.Contains(res.stdout, "ok (2 annotations checked)") {
		t.Errorf("check: %q", res.stdout)
	}
	// Each mention's entity carries the pattern's id.
	db, err := bolt.Open(h.dbPath(), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := db.Annotation(id1, "patterns")
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != model.StatusInProgress {
		t.Errorf("status %s, want in_progress", a.Status)
	}
	for _, sp := range a.Entities {
		e, _ := a.Referent(sp.Entity)
		want := map[string]string{"ORG": "acled:Harrow Front", "GPE": "kb:velmo"}[sp.Label]
		if !slices.Equal(e.ExternalIDs, []string{want}) {
			t.Errorf("span %+v: entity %+v, want external id %s", sp, e, want)
		}
	}
	if len(a.Referents) != 2 {
		t.Errorf("referents %+v: want one Harrow Front and one Velmo", a.Referents)
	}

	// Again: everything is tagged, nothing is added, nothing saved.
	res = h.mustRun("pretag", "--patterns", pats, "--annotator", "patterns", id1, id2)
	if got := strings.TrimSpace(res.stdout); got != "pretagged 0 articles, 0 spans as patterns" {
		t.Errorf("second run: %q", got)
	}
	if hist := lines(h.mustRun("history", "--annotator", "patterns").stdout); len(hist) != 3 {
		t.Errorf("history %q: want a header and one change per article", hist)
	}
}

func TestPretagRefusesBrokenPatterns(t *testing.T) {
	h, _, _ := suggestHarness(t)
	for _, tt := range []struct{ content, want string }{
		{`{"label": "ORG", "pattern": "Harrow Front"}` + "\n\n" + `{"label": "ORG", "pattern": [{"lower": "harrow", "OP": "+"}]}` + "\n", `broken.jsonl:3: token 1 has the operator "OP"`},
		{`{"label": "ORG", "pattern": "Harrow Front"` + "\n", "broken.jsonl:1: not JSON"},
		{`{"label": "ORG", "pattern": "Harrow Front"}` + "\n" + `{"label": "PERSON", "pattern": "Velmo"}` + "\n", `broken.jsonl:2: label "PERSON" is not in the schema`},
	} {
		p := writeFile(t, h.dir, "broken.jsonl", tt.content)
		for _, cmd := range [][]string{{"pretag", "--patterns", p, "--annotator", "patterns", "--all"}, {"suggest", "--patterns", p, model.ArticleID(suggestText1)}} {
			res := h.run(cmd...)
			if res.code != 1 || !strings.Contains(res.stderr, tt.want) || len(lines(res.stderr)) != 1 || res.stdout != "" {
				t.Errorf("%s with %q: exit %d, stdout %q, stderr %q; want exit 1 and one line with %q", cmd[0], tt.content, res.code, res.stdout, res.stderr, tt.want)
			}
		}
	}
	if recs := jsonLines(t, h.mustRun("export", "--annotator", "patterns").stdout); len(recs) != 0 {
		t.Errorf("a refused file still wrote %d annotations", len(recs))
	}
}

func TestPretagUsage(t *testing.T) {
	h, id1, _ := suggestHarness(t)
	for _, args := range [][]string{
		{"pretag", "--all"},                          // no --annotator
		{"pretag", "--annotator", "m"},               // neither ids nor --all
		{"pretag", "--annotator", "m", "--all", id1}, // both
		{"suggest"},           // no id
		{"suggest", id1, id1}, // two
		{"suggest", id1, "--suggest-timeout", "soon"},         // a bad duration
		{"pretag", "--annotator", "m", "--all", "--patterns"}, // no file
	} {
		if res := h.run(args...); res.code != 2 {
			t.Errorf("annotate %q: exit %d, want 2 (stderr %q)", args, res.code, res.stderr)
		}
	}
	if res := h.run("suggest", "0000000000000000"); res.code != 1 || !strings.Contains(res.stderr, "annotate list") {
		t.Errorf("unknown article: exit %d, stderr %q", res.code, res.stderr)
	}
	if res := h.run("pretag", "--annotator", "m", "--patterns", filepath.Join(h.dir, "missing.jsonl"), "--all"); res.code != 1 || !strings.Contains(res.stderr, "missing.jsonl") {
		t.Errorf("missing patterns file: exit %d, stderr %q", res.code, res.stderr)
	}
}

type suggestLine struct {
	Start, End                  int
	Label, Text, Entity, Source string
	ExternalID                  string `json:"external_id"`
}

func TestSuggestFromRegistry(t *testing.T) {
	h, id1, _ := suggestHarness(t)
	db, err := bolt.Open(h.dbPath(), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hf, err := db.SaveRegistry(model.RegistryEntry{Name: "Harrow Front", Label: "ORG", ExternalIDs: []string{"wikidata:Q1"}}, "alice", "add")
	if err != nil {
		t.Fatal(err)
	}
	// The tester already tagged the first mention and rejected the
	// suggestion of the one across the line break.
	a, _ := db.Annotation(id1, "tester")
	a.Entities = []model.Span{{ID: a.NewID("e"), Start: 0, End: 12, Label: "ORG"}}
	a.Rejected = []model.Rejection{{Start: strings.LastIndex(suggestText1, "Harrow\nFront"), End: strings.LastIndex(suggestText1, "Harrow\nFront") + 12, Label: "ORG"}}
	model.GroupMentions(&a, suggestText1)
	if _, err := db.Save(a, "tag"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	res := h.mustRun("suggest", id1, "--json")
	var got []suggestLine
	for _, rec := range lines(res.stdout) {
		var s suggestLine
		if err := json.Unmarshal([]byte(rec), &s); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	// The registry folds case: "harrow front" is suggested, the hyphenated
	// ones are not, the tagged and the rejected ones are not.
	want := []suggestLine{{Start: 38, End: 50, Label: "ORG", Text: "harrow front", Entity: hf.ID, Source: "registry", ExternalID: "wikidata:Q1"}}
	if !slices.Equal(got, want) {
		t.Errorf("suggest --json:\n%+v\nwant\n%+v", got, want)
	}
	table := h.mustRun("suggest", id1).stdout
	if !strings.Contains(table, "START") || !strings.Contains(table, "harrow front") || !strings.Contains(table, hf.ID) {
		t.Errorf("table:\n%s", table)
	}

	// pretag links the new mention's entity to the registry entry.
	h.mustRun("pretag", "--annotator", "reg", id1)
	db, err = bolt.Open(h.dbPath(), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	b, _ := db.Annotation(id1, "reg")
	if len(b.Entities) != 3 || len(b.Referents) != 1 || b.Referents[0].Registry != hf.ID || b.Referents[0].Name != "Harrow Front" ||
		!slices.Equal(b.Referents[0].ExternalIDs, []string{"wikidata:Q1"}) {
		t.Errorf("pretag from the registry: spans %+v, entities %+v", b.Entities, b.Referents)
	}
}

// mlBackend is a Label Studio ML backend on loopback predicting every
// "Velmo" as GPE, in code points, and one result with wrong offsets.
func mlBackend(t *testing.T, status int) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Tasks []struct {
				Data struct{ Text string }
			}
		}
		raw, _ := io.ReadAll(r.Body)
		if r.URL.Path != "/predict" || json.Unmarshal(raw, &req) != nil || len(req.Tasks) != 1 {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if status != http.StatusOK {
			http.Error(w, "model not loaded", status)
			return
		}
		text := req.Tasks[0].Data.Text
		var result []any
		runes := []rune(text)
		for i := 0; i+5 <= len(runes); i++ {
			if string(runes[i:i+5]) == "Velmo" {
				result = append(result, map[string]any{"from_name": "label", "to_name": "text", "type": "labels",
					"value": map[string]any{"start": i, "end": i + 5, "text": "Velmo", "labels": []string{"GPE"}}, "score": 0.9})
			}
		}
		result = append(result, map[string]any{"type": "labels", "value": map[string]any{"start": 1, "end": 3, "text": "Velmo", "labels": []string{"GPE"}}})
		json.NewEncoder(w).Encode(map[string]any{"results": []any{map[string]any{"result": result, "score": 0.9}}})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestPretagFromModel(t *testing.T) {
	h, id1, id2 := suggestHarness(t)
	srv := mlBackend(t, http.StatusOK)
	res := h.mustRun("pretag", "--suggest-url", srv.URL, "--annotator", "model", "--all")
	if got := strings.TrimSpace(res.stdout); got != "pretagged 2 articles, 4 spans as model" {
		t.Errorf("stdout %q", got)
	}
	if n := strings.Count(res.stderr, "do not select"); n != 2 || !strings.Contains(res.stderr, "1 result skipped") {
		t.Errorf("stderr %q: want the bad result of each article named and counted", res.stderr)
	}
	got := spansOf(t, h, "model")
	if len(got[id1]) != 2 || len(got[id2]) != 2 || got[id1][1] != (exportedSpan{124, 129, "GPE", "Velmo"}) {
		t.Errorf("spans %+v", got)
	}
	res = h.mustRun("suggest", id1, "--suggest-url", srv.URL, "--annotator", "other", "--json")
	if n := len(lines(res.stdout)); n != 2 || !strings.Contains(res.stdout, `"source":"model"`) {
		t.Errorf("suggest from the model: %q", res.stdout)
	}

	failing := mlBackend(t, http.StatusInternalServerError)
	res = h.run("pretag", "--suggest-url", failing.URL, "--annotator", "model2", "--all")
	if res.code != 1 || !strings.Contains(res.stderr, "answered 500") || !strings.Contains(res.stdout, "pretagged 0 articles") {
		t.Errorf("failing server: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
}
