package cli_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateAgree = flag.Bool("update-agree", false, "rewrite internal/cli/testdata/agree from the published tables")

// The published worked examples, typed in from the sources (the same
// tables as internal/agree's published_test.go). Each becomes a native
// JSONL file: one article per unit, one annotator per coder, the coder's
// value in an incident field, a claim attribute or a source grade.

// krippendorff2011: 4 coders x 12 units, one row per coder; 0 is missing
// (Krippendorff, "Computing Krippendorff's Alpha-Reliability", 2011).
var krippendorff2011 = [][]int{
	{1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0},
	{1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 3},
	{0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 0},
	{1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0},
}

// fleiss1971: Fleiss (1971) Table 1, 30 patients x 6 ratings, counts per
// category.
var fleiss1971 = [][]int{
	{0, 0, 0, 6, 0}, {0, 3, 0, 0, 3}, {0, 1, 4, 0, 1}, {0, 0, 0, 0, 6}, {0, 3, 0, 3, 0},
	{2, 0, 4, 0, 0}, {0, 0, 4, 0, 2}, {2, 0, 3, 1, 0}, {2, 0, 0, 4, 0}, {0, 0, 0, 0, 6},
	{1, 0, 0, 5, 0}, {1, 1, 0, 4, 0}, {0, 3, 3, 0, 0}, {1, 0, 0, 5, 0}, {0, 2, 0, 3, 1},
	{0, 0, 5, 0, 1}, {3, 0, 0, 1, 2}, {5, 1, 0, 0, 0}, {0, 2, 0, 4, 0}, {1, 0, 2, 0, 3},
	{0, 0, 0, 0, 6}, {0, 1, 0, 5, 0}, {0, 2, 0, 1, 3}, {2, 0, 0, 4, 0}, {1, 0, 0, 4, 1},
	{0, 5, 0, 1, 0}, {4, 0, 0, 0, 2}, {0, 2, 0, 4, 0}, {1, 0, 5, 0, 0}, {0, 0, 0, 0, 6},
}

// gwet2008: two coders, two categories: 8 units both yes, 1 both no, 1
// split (first yes, second no).
var gwet2008 = [][]int{{8, 1}, {0, 1}}

// cohen1960: Cohen's (1960) p. 45 table, N = 200, kappa .492.
var cohen1960 = [][]int{{88, 14, 18}, {10, 40, 10}, {2, 6, 12}}

// nativeRecord is one annotator's annotation of one article in the native
// format (the fields a test needs).
type nativeRecord struct {
	Text        string           `json:"text"`
	Meta        map[string]any   `json:"meta"`
	Annotator   string           `json:"annotator"`
	Status      string           `json:"status"`
	Entities    []map[string]any `json:"entities,omitempty"`
	Claims      []map[string]any `json:"claims,omitempty"`
	Incidents   []map[string]any `json:"incidents,omitempty"`
	Reliability []map[string]any `json:"reliability,omitempty"`
}

func unitText(example string, u int) string {
	return fmt.Sprintf("Unit %d of the %s reliability data.", u+1, example)
}

func record(example string, u int, coder string) nativeRecord {
	return nativeRecord{Text: unitText(example, u), Meta: map[string]any{"title": fmt.Sprintf("%s unit %d", example, u+1)},
		Annotator: coder, Status: "done"}
}

func incident(fields map[string]any) []map[string]any {
	return []map[string]any{{"id": "i1", "fields": fields}}
}

// krippendorffRecords puts each value v (1-5) in three places: the
// incident's killed.best (a count: all four levels), the claim's
// credibility (ordinal 1-6) and the source grade of "officials" (A-F:
// 1 is A). A missing value is an annotator without a record of the unit.
func krippendorffRecords() []nativeRecord {
	var recs []nativeRecord
	for u := range krippendorff2011[0] {
		for c, row := range krippendorff2011 {
			v := row[u]
			if v == 0 {
				continue
			}
			r := record("Krippendorff 2011", u, fmt.Sprintf("coder%d", c+1))
			r.Incidents = incident(map[string]any{"killed": map[string]any{"low": nil, "best": v, "high": nil}})
			r.Claims = []map[string]any{{"id": "c1", "claimant": map[string]any{"text": "officials"},
				"content": []map[string]any{{"start": 0, "end": 4, "text": "Unit"}}, "credibility": fmt.Sprint(v)}}
			r.Reliability = []map[string]any{{"source": "officials", "grade": string(rune('A' + v - 1))}}
			recs = append(recs, r)
		}
	}
	return recs
}

// fleissRecords gives patient u's six ratings to rater1..rater6 in the
// order of the categories (which psychiatrist gave which is not known:
// Fleiss' kappa does not depend on it), as the incident's event_type.
func fleissRecords() []nativeRecord {
	categories := []string{"Armed clash", "Air/drone strike", "Suicide bomb", "Grenade", "Attack"}
	var recs []nativeRecord
	for u, counts := range fleiss1971 {
		rater := 0
		for k, n := range counts {
			for range n {
				rater++
				r := record("Fleiss 1971", u, fmt.Sprintf("rater%d", rater))
				r.Incidents = incident(map[string]any{"event_type": categories[k]})
				recs = append(recs, r)
			}
		}
	}
	return recs
}

// tableRecords turns a two-coder contingency table into units: table[i][j]
// units coded codes[i] by coder A and codes[j] by coder B, in field.
func tableRecords(example, field string, codes []string, table [][]int) []nativeRecord {
	var recs []nativeRecord
	u := 0
	for i, row := range table {
		for j, n := range row {
			for range n {
				a, b := record(example, u, "first"), record(example, u, "second")
				a.Incidents = incident(map[string]any{field: codes[i]})
				b.Incidents = incident(map[string]any{field: codes[j]})
				recs = append(recs, a, b)
				u++
			}
		}
	}
	return recs
}

// spanRecords is one article with two annotators' spans: 4 of A's, 3 of
// B's; one strict match (ORG), one boundary difference (GPE), one label
// difference (same boundaries), one span only A marked.
func spanRecords() []nativeRecord {
	text := "ISIS fighters attacked Raqqa province with drones on Monday."
	at := func(s string) int { return strings.Index(text, s) }
	span := func(id, s, label string) map[string]any {
		return map[string]any{"id": id, "start": at(s), "end": at(s) + len(s), "label": label, "text": s}
	}
	a := nativeRecord{Text: text, Meta: map[string]any{"title": "spans"}, Annotator: "alice", Status: "done",
		Entities: []map[string]any{span("e1", "ISIS", "ORG"), span("e2", "Raqqa province", "GPE"),
			span("e3", "drones", "WEA"), span("e4", "Monday", "TIME")}}
	b := nativeRecord{Text: text, Meta: map[string]any{"title": "spans"}, Annotator: "bob", Status: "done",
		Entities: []map[string]any{span("e1", "ISIS", "ORG"), span("e2", "Raqqa", "GPE"), span("e3", "drones", "VEH")}}
	return []nativeRecord{a, b}
}

var agreeExamples = map[string]func() []nativeRecord{
	"krippendorff2011.jsonl": krippendorffRecords,
	"fleiss1971.jsonl":       fleissRecords,
	"gwet2008.jsonl": func() []nativeRecord {
		return tableRecords("Gwet 2008", "civilians_targeted", []string{"yes", "no"}, gwet2008)
	},
	"cohen1960.jsonl": func() []nativeRecord {
		return tableRecords("Cohen 1960", "status", []string{"occurred", "claimed only", "disputed"}, cohen1960)
	},
	"spans.jsonl": spanRecords,
}

func encodeRecords(recs []nativeRecord) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			panic(err)
		}
	}
	return b.Bytes()
}

// TestAgreeTestdataCurrent checks the native files under testdata/agree are
// the tables above (go test -run TestAgreeTestdata -update-agree rewrites
// them), so the files a user can import and the tests agree.
func TestAgreeTestdataCurrent(t *testing.T) {
	for name, build := range agreeExamples {
		path := filepath.Join("testdata", "agree", name)
		want := encodeRecords(build())
		if *updateAgree {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./internal/cli -run TestAgreeTestdata -update-agree)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the table it is built from: run go test ./internal/cli -run TestAgreeTestdata -update-agree", path)
		}
	}
}

// agreeJSON imports a testdata file into a fresh database and returns
// agree --json's object.
func agreeJSON(t *testing.T, file string, args ...string) map[string]any {
	t.Helper()
	h := newHarness(t)
	h.mustRun("import", "--format", "native", filepath.Join("testdata", "agree", file))
	res := h.mustRun(append([]string{"agree", "--json"}, args...)...)
	var out map[string]any
	dec := json.NewDecoder(strings.NewReader(res.stdout))
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("agree --json: %v\n%s", err, res.stdout)
	}
	if dec.More() {
		t.Fatalf("agree --json printed more than one object:\n%s", res.stdout)
	}
	return out
}

// at walks a path of keys through decoded JSON.
func at(t *testing.T, v any, path ...string) any {
	t.Helper()
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s: not an object at %q", strings.Join(path, "."), k)
		}
		v, ok = m[k]
		if !ok {
			t.Fatalf("%s: no key %q", strings.Join(path, "."), k)
		}
	}
	return v
}

func wantNumber(t *testing.T, obj map[string]any, want, tol float64, path ...string) {
	t.Helper()
	got, ok := at(t, obj, path...).(float64)
	if !ok {
		t.Errorf("%s = %v, want %.4f", strings.Join(path, "."), at(t, obj, path...), want)
		return
	}
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.4f, want %.4f", strings.Join(path, "."), got, want)
	}
}

func TestAgreeKrippendorff2011(t *testing.T) {
	out := agreeJSON(t, "krippendorff2011.jsonl")
	const tol = 0.0005 // the published values have 3 decimals
	for _, tc := range []struct {
		key  string
		want float64
	}{{"alpha_nominal", 0.743}, {"alpha_ordinal", 0.815}, {"alpha_interval", 0.849}, {"alpha_ratio", 0.797}, {"alpha", 0.797}} {
		wantNumber(t, out, tc.want, tol, "fields", "killed.best", tc.key)
	}
	// Unit 12 has one value: 11 pairable units, 40 pairable values.
	wantNumber(t, out, 11, 0, "fields", "killed.best", "n")
	wantNumber(t, out, 40, 0, "fields", "killed.best", "n_by", "alpha")
	// Credibility (1-6) and source reliability (A-F) are ordinal: alpha is
	// the ordinal one, and the nominal one is there too.
	for _, section := range [][]string{{"claims", "credibility"}, {"sources", "reliability"}} {
		wantNumber(t, out, 0.815, tol, append(section, "alpha")...)
		wantNumber(t, out, 0.743, tol, append(section, "alpha_nominal")...)
		if lvl := at(t, out, append(section, "level")...); lvl != "ordinal" {
			t.Errorf("%v level = %v, want ordinal", section, lvl)
		}
		if _, ok := at(t, out, section[0], section[1]).(map[string]any)["alpha_interval"]; ok {
			t.Errorf("%v: alpha_interval reported for an ordinal field", section)
		}
	}
	// Four annotators: kappa is the mean of pairwise Cohen's kappa, and the
	// method says so.
	if m := at(t, out, "method", "kappa").(string); !strings.Contains(m, "pairwise") {
		t.Errorf("method.kappa = %q, want it to say kappa is pairwise", m)
	}
	if r := at(t, out, "fields", "killed.best", "reasons", "kappa").(string); !strings.Contains(r, "pairwise") {
		t.Errorf("kappa reason = %q", r)
	}
}

func TestAgreeFleiss1971(t *testing.T) {
	out := agreeJSON(t, "fleiss1971.jsonl")
	wantNumber(t, out, 0.430, 0.0005, "fields", "event_type", "fleiss")
	wantNumber(t, out, 30, 0, "fields", "event_type", "n")
	if lvl := at(t, out, "fields", "event_type", "level"); lvl != "nominal" {
		t.Errorf("event_type level = %v, want nominal", lvl)
	}
	if _, ok := at(t, out, "fields", "event_type").(map[string]any)["alpha_ordinal"]; ok {
		t.Error("alpha_ordinal reported for a nominal field")
	}
}

func TestAgreeGwet2008(t *testing.T) {
	out := agreeJSON(t, "gwet2008.jsonl")
	wantNumber(t, out, 0.8658, 0.00005, "fields", "civilians_targeted", "ac1")
	wantNumber(t, out, 0.6078, 0.00005, "fields", "civilians_targeted", "pi")
	wantNumber(t, out, 0.9, 1e-9, "fields", "civilians_targeted", "exact")
}

func TestAgreeCohen1960(t *testing.T) {
	out := agreeJSON(t, "cohen1960.jsonl")
	wantNumber(t, out, 0.492, 0.0005, "fields", "status", "kappa")
	wantNumber(t, out, 200, 0, "fields", "status", "n_by", "kappa")
	if m := at(t, out, "method", "kappa").(string); !strings.Contains(m, "Cohen") {
		t.Errorf("method.kappa = %q", m)
	}
}

func TestAgreeSpans(t *testing.T) {
	out := agreeJSON(t, "spans.jsonl")
	// A: ISIS ORG, Raqqa province GPE, drones WEA, Monday TIME (4 spans);
	// B: ISIS ORG, Raqqa GPE, drones VEH (3). Strict: 1 (ISIS). Overlap
	// adds Raqqa: 2. Micro P strict 1/4, R 1/3, F1 2/7; overlap P 2/4,
	// R 2/3, F1 4/7.
	wantNumber(t, out, 1.0/4, 1e-9, "entities", "micro", "precision")
	wantNumber(t, out, 1.0/3, 1e-9, "entities", "micro", "recall")
	wantNumber(t, out, 2.0/7, 1e-9, "entities", "micro", "f1_strict")
	wantNumber(t, out, 4.0/7, 1e-9, "entities", "micro", "f1_overlap")
	wantNumber(t, out, 7, 0, "entities", "micro", "n")
	wantNumber(t, out, 1, 0, "entities", "ORG", "f1_strict")
	wantNumber(t, out, 0, 0, "entities", "GPE", "f1_strict")
	wantNumber(t, out, 1, 0, "entities", "GPE", "f1_overlap")
	wantNumber(t, out, 1, 0, "entities", "WEA", "other_label")
	wantNumber(t, out, 1, 0, "entities", "TIME", "only_a")
	wantNumber(t, out, 1, 0, "entities", "ORG", "alpha_u")
	// Only A marked TIME: alpha_u is disagreement, not 1.
	if v, ok := at(t, out, "entities", "TIME", "alpha_u").(float64); ok && v >= 1 {
		t.Errorf("TIME alpha_u = %v: one annotator marking nothing is not agreement", v)
	}
	docs := at(t, out, "documents").([]any)
	if len(docs) != 1 {
		t.Fatalf("documents = %v, want one", docs)
	}
	// Spans not aligned strictly: 4 + 3 - 2*1 = 5.
	wantNumber(t, docs[0].(map[string]any), 5, 0, "disagreements")
}

// TestAgreeAgainstGold scores annotators against gold: precision is
// against the annotator's spans, recall against gold's.
func TestAgreeAgainstGold(t *testing.T) {
	h := newHarness(t)
	recs := spanRecords()
	recs[1].Annotator = "gold"
	carol := recs[1]
	carol.Annotator = "carol"
	path := filepath.Join(h.dir, "gold.jsonl")
	if err := os.WriteFile(path, encodeRecords(append(recs, carol)), 0o644); err != nil {
		t.Fatal(err)
	}
	h.mustRun("import", "--format", "native", path)
	res := h.mustRun("agree", "--against", "gold", "--json")
	var out map[string]any
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
		t.Fatal(err)
	}
	alice := at(t, out, "by_annotator", "alice").(map[string]any)
	wantNumber(t, alice, 1.0/4, 1e-9, "entities", "micro", "precision")
	wantNumber(t, alice, 1.0/3, 1e-9, "entities", "micro", "recall")
	carolOut := at(t, out, "by_annotator", "carol").(map[string]any)
	wantNumber(t, carolOut, 1, 1e-9, "entities", "micro", "f1_strict")
	// Pooled: alice's 1 + carol's 3 strict matches over 4+3 and 3+3 spans.
	wantNumber(t, out, 2.0*4/13, 1e-9, "entities", "micro", "f1_strict")
	if at(t, out, "against") != "gold" {
		t.Errorf("against = %v", at(t, out, "against"))
	}
}

func TestAgreeTextReport(t *testing.T) {
	h := newHarness(t)
	h.mustRun("import", "--format", "native", filepath.Join("testdata", "agree", "krippendorff2011.jsonl"))
	res := h.mustRun("agree", "--annotators", "coder1,coder2")
	for _, want := range []string{"Agreement of coder1, coder2 on 9 articles both annotated (11 annotated by either, 12 in all)", "killed.best", "claims.credibility",
		"sources.reliability", "micro", "! below 0.667", "Documents with most disagreement"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("text report lacks %q:\n%s", want, res.stdout)
		}
	}
	// coder1 and coder2 differ on unit 6 (1 vs 2): kappa marked.
	if !strings.Contains(res.stdout, "~") && !strings.Contains(res.stdout, "!") {
		t.Errorf("no value marked below a floor:\n%s", res.stdout)
	}
}

func TestAgreeBadInput(t *testing.T) {
	h := newHarness(t)
	h.mustRun("import", "--format", "native", filepath.Join("testdata", "agree", "spans.jsonl"))
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"agree", "--annotators", "alice"}, 1, "needs two or more annotators"},
		{[]string{"agree", "--annotators", "alice,zed"}, 1, `annotator "zed" has annotated no article`},
		{[]string{"agree", "--annotators", "alice,,bob"}, 2, "empty name"},
		{[]string{"agree", "--annotators", "alice,alice"}, 2, "twice"},
		{[]string{"agree", "--against", "gold"}, 1, `annotator "gold" has annotated no article`},
		{[]string{"agree", "--against", "bob", "--annotators", "bob"}, 2, "not compared with itself"},
		{[]string{"agree", "extra"}, 2, "unexpected argument"},
		{[]string{"agree", "--date-window", "-1"}, 2, "--date-window"},
	} {
		res := h.run(tc.args...)
		if res.code != tc.code || !strings.Contains(res.stderr, tc.want) || strings.Count(strings.TrimSpace(res.stderr), "\n") > 0 {
			t.Errorf("annotate %q: exit %d, stderr %q; want exit %d and one line with %q", tc.args, res.code, res.stderr, tc.code, tc.want)
		}
	}
}

// TestAgreeArticlesCompared: the header and the JSON say on how many
// articles spans and items were compared, apart from how many were
// annotated. coder1 annotated units 1-9 of Krippendorff's 12, coder2
// units 1-11: 11 annotated, 9 compared, 12 in all; of the four coders,
// only coder2 annotated unit 12: 11 compared.
func TestAgreeArticlesCompared(t *testing.T) {
	out := agreeJSON(t, "krippendorff2011.jsonl", "--annotators", "coder1,coder2")
	wantNumber(t, out, 12, 0, "articles")
	wantNumber(t, out, 11, 0, "articles_annotated")
	wantNumber(t, out, 9, 0, "articles_compared")

	h := newHarness(t)
	h.mustRun("import", "--format", "native", filepath.Join("testdata", "agree", "krippendorff2011.jsonl"))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--annotators", "coder1,coder2"}, "Agreement of coder1, coder2 on 9 articles both annotated (11 annotated by either, 12 in all)\n"},
		{nil, "Agreement of coder1, coder2, coder3, coder4 on 11 articles two or more of them annotated (12 annotated by any, 12 in all)\n"},
	} {
		res := h.mustRun(append([]string{"agree"}, tc.args...)...)
		if !strings.HasPrefix(res.stdout, tc.want) {
			t.Errorf("agree %q: header\n%s\nwant\n%s", tc.args, strings.SplitAfter(res.stdout, "\n")[0], tc.want)
		}
	}
}

// threeAnnotatorSpans is two articles that alice, bob and carol each tagged
// (three annotator pairs), and one only alice tagged.
func threeAnnotatorSpans(t *testing.T, h *harness) {
	t.Helper()
	var recs []nativeRecord
	for k, text := range []string{"ISIS fighters attacked Raqqa on Monday.", "The SDF shelled Hasakah.", "Only alice read this."} {
		for _, who := range []string{"alice", "bob", "carol"} {
			if k == 2 && who != "alice" {
				continue
			}
			word := strings.Fields(text)[1]
			at := strings.Index(text, word)
			recs = append(recs, nativeRecord{Text: text, Meta: map[string]any{"title": fmt.Sprint("article ", k)}, Annotator: who, Status: "done",
				Entities: []map[string]any{{"id": "e1", "start": at, "end": at + len(word), "label": "ORG", "text": word}}})
		}
	}
	path := filepath.Join(h.dir, "three.jsonl")
	if err := os.WriteFile(path, encodeRecords(recs), 0o644); err != nil {
		t.Fatal(err)
	}
	h.mustRun("import", "--format", "native", path)
}

// TestAgreePerDocumentSaysWhatItAverages: with three annotators the
// per-document mean averages one F1 per article and annotator pair: 2
// articles x 3 pairs = 6 article-pairs, not "6 documents".
func TestAgreePerDocumentSaysWhatItAverages(t *testing.T) {
	h := newHarness(t)
	threeAnnotatorSpans(t, h)
	res := h.mustRun("agree", "--per-doc")
	if want := "averaged over 6 article-pairs (2 articles x 3 annotator pairs)"; !strings.Contains(res.stdout, want) {
		t.Errorf("per-document mean: want %q in\n%s", want, res.stdout)
	}
	if strings.Contains(res.stdout, "6 documents") {
		t.Errorf("article-pairs called documents:\n%s", res.stdout)
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(h.mustRun("agree", "--per-doc", "--json").stdout), &out); err != nil {
		t.Fatal(err)
	}
	wantNumber(t, out, 6, 0, "entities", "micro", "mean_per_document_n")
	wantNumber(t, out, 2, 0, "entities", "micro", "mean_per_document_articles")
	wantNumber(t, out, 3, 0, "entities", "micro", "mean_per_document_annotator_pairs")
	wantNumber(t, out, 2, 0, "articles_compared")
	wantNumber(t, out, 3, 0, "articles_annotated")
	if m := at(t, out, "method", "pooling", "entities.micro.mean_per_document_f1_*").(string); !strings.Contains(m, "article-pair") {
		t.Errorf("method.pooling says of the per-document mean %q, want what it averages over", m)
	}
}

// nullsWithoutReason lists every null figure in decoded agree --json whose
// object gives no reason for it.
func nullsWithoutReason(path string, v any) []string {
	var missing []string
	switch x := v.(type) {
	case map[string]any:
		reasons, _ := x["reasons"].(map[string]any)
		for k, val := range x {
			if val == nil {
				if why, _ := reasons[k].(string); why == "" {
					missing = append(missing, path+"."+k)
				}
				continue
			}
			missing = append(missing, nullsWithoutReason(path+"."+k, val)...)
		}
	case []any:
		for i, val := range x {
			missing = append(missing, nullsWithoutReason(fmt.Sprintf("%s[%d]", path, i), val)...)
		}
	}
	return missing
}

// TestAgreeNullReasons: two annotators who tagged spans and no incident
// get kappa null because no unit was coded by both, not because "the data
// have 0" coders; and every null in the report says why, against gold
// too.
func TestAgreeNullReasons(t *testing.T) {
	out := agreeJSON(t, "spans.jsonl")
	for _, coef := range []string{"kappa", "pi"} {
		if why := at(t, out, "fields", "killed.best", "reasons", coef); why != "no unit was coded by both coders" {
			t.Errorf("killed.best %s reason %q, want: no unit was coded by both coders", coef, why)
		}
	}
	if missing := nullsWithoutReason("", out); len(missing) > 0 {
		t.Errorf("nulls without a reason: %v", missing)
	}

	h := newHarness(t)
	recs := spanRecords()
	recs[1].Annotator = "gold"
	path := filepath.Join(h.dir, "gold.jsonl")
	if err := os.WriteFile(path, encodeRecords(recs), 0o644); err != nil {
		t.Fatal(err)
	}
	h.mustRun("import", "--format", "native", path)
	threeAnnotatorSpans(t, h)
	for _, args := range [][]string{{"agree", "--json", "--per-doc"}, {"agree", "--json", "--against", "gold", "--per-doc"}} {
		var out map[string]any
		if err := json.Unmarshal([]byte(h.mustRun(args...).stdout), &out); err != nil {
			t.Fatal(err)
		}
		if missing := nullsWithoutReason("", out); len(missing) > 0 {
			t.Errorf("%q: nulls without a reason: %v", args, missing)
		}
	}
}

// TestAgreeOtherLabelBothSides: "other label" counts the spans of both
// sides (a pair of spans with two labels counts 2); the text and the JSON
// method say so.
func TestAgreeOtherLabelBothSides(t *testing.T) {
	out := agreeJSON(t, "spans.jsonl")
	// drones: WEA for alice, VEH for bob: one pair, one span under each label.
	wantNumber(t, out, 1, 0, "entities", "WEA", "other_label")
	wantNumber(t, out, 1, 0, "entities", "VEH", "other_label")
	wantNumber(t, out, 2, 0, "entities", "micro", "other_label")
	if m, _ := at(t, out, "method", "pooling").(map[string]any)["entities.*.other_label"].(string); !strings.Contains(m, "both sides") {
		t.Errorf("method.pooling[entities.*.other_label] = %q, want it to say it counts spans of both sides", m)
	}
	h := newHarness(t)
	h.mustRun("import", "--format", "native", filepath.Join("testdata", "agree", "spans.jsonl"))
	res := h.mustRun("agree")
	if want := "other label: spans of both sides"; !strings.Contains(res.stdout, want) {
		t.Errorf("text report lacks %q:\n%s", want, res.stdout)
	}
}
