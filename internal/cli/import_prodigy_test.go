package cli_test

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/review"
	"github.com/annotate-tool/annotate/internal/store/bolt"
)

// reviewFile is a Prodigy review record we wrote ourselves: the reviewed
// result (dana's) of two versions, one by the sessions news-alice and
// news-carol, one by news-bob. By hand, spans as start-end label:
//
//	gold:        0-4 ORG, 23-28 GPE, 32-38 TIME, 44-47 ORG, 53-55 COUNT, 64-69 GPE, 76-81 GPE (7)
//	alice=carol: 0-4 ORG, 23-28 GPE, 32-38 TIME, 44-47 ORG, 64-69 GPE (5, all in gold)
//	bob:         0-4 ORG, 5-13 PER, 23-28 GPE, 44-47 ORG, 53-55 COUNT, 64-69 LOC (6, 4 in gold)
var reviewFile = filepath.Join("testdata", "prodigy", "review.jsonl")

// TestImportProdigyReview: a Prodigy review file imports as gold (the
// reviewed result, with decisions naming the sessions each item came
// from, so that review finds every item decided) plus one annotator per
// session named in versions, and agree --against gold scores them as
// computed by hand.
func TestImportProdigyReview(t *testing.T) {
	h := newHarness(t)
	res := h.mustRun("import", "--format", "spacy", reviewFile)
	if !strings.Contains(res.stdout, "4 annotations saved") {
		t.Errorf("import: %q, want gold and three sessions saved", res.stdout)
	}
	out := h.mustRun("export", "--format", "native", "--annotator", "*").stdout
	got := map[string][]string{}
	var gold map[string]json.RawMessage
	for _, rec := range jsonLines(t, out) {
		var who string
		var spans []struct {
			Start, End int
			Label      string
		}
		field(t, rec, "annotator", &who)
		field(t, rec, "entities", &spans)
		for _, s := range spans {
			got[who] = append(got[who], strings.Join([]string{strconv.Itoa(s.Start) + "-" + strconv.Itoa(s.End), s.Label}, " "))
		}
		if who == model.GoldAnnotator {
			gold = rec
		}
	}
	want := map[string][]string{
		"gold":       {"0-4 ORG", "23-28 GPE", "32-38 TIME", "44-47 ORG", "53-55 COUNT", "64-69 GPE", "76-81 GPE"},
		"news-alice": {"0-4 ORG", "23-28 GPE", "32-38 TIME", "44-47 ORG", "64-69 GPE"},
		"news-carol": {"0-4 ORG", "23-28 GPE", "32-38 TIME", "44-47 ORG", "64-69 GPE"},
		"news-bob":   {"0-4 ORG", "5-13 PER", "23-28 GPE", "44-47 ORG", "53-55 COUNT", "64-69 LOC"},
	}
	for who, w := range want {
		if !slices.Equal(got[who], w) {
			t.Errorf("%s: spans %v, want %v", who, got[who], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("annotators %v, want gold and the three sessions", keysOf(got))
	}
	if gold == nil {
		t.Fatal("no gold record")
	}
	var decisions []model.Decision
	field(t, gold, "decisions", &decisions)
	type dec struct {
		item, kind string
		from       []string
	}
	var gotDec []dec
	for _, d := range decisions {
		if d.By != "news_review-dana" || !d.At.Equal(time.Unix(1767225600, 0)) || len(d.Seen) != 3 {
			t.Errorf("decision %+v: want by news_review-dana (the review's session) at the record's _timestamp, seeing the three sessions", d)
		}
		if strings.HasPrefix(d.Item, "span ") {
			gotDec = append(gotDec, dec{d.Item, d.Kind, d.From})
		}
	}
	both := []string{"news-alice", "news-carol"}
	all := []string{"news-alice", "news-bob", "news-carol"}
	wantDec := []dec{
		{"span 0-4", model.DecisionAccepted, all},
		{"span 5-13", model.DecisionRejected, nil},
		{"span 23-28", model.DecisionAccepted, all},
		{"span 32-38", model.DecisionTaken, both},
		{"span 44-47", model.DecisionAccepted, all},
		{"span 53-55", model.DecisionTaken, []string{"news-bob"}},
		{"span 64-69", model.DecisionTaken, both},
		{"span 76-81", model.DecisionEdited, nil},
	}
	if !slices.EqualFunc(gotDec, wantDec, func(a, b dec) bool { return a.item == b.item && a.kind == b.kind && slices.Equal(a.from, b.from) }) {
		t.Errorf("decisions on mentions\n%+v\nwant\n%+v", gotDec, wantDec)
	}
	// Review of these annotators finds every item decided: nothing to do,
	// nothing marked changed.
	db, err := bolt.Open(h.dbPath(), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	text := "ISIS fighters attacked Raqqa on Monday; the SDF said 12 died in Raqqa, near Tabqa."
	id := model.ArticleID(text)
	versions := map[string]*model.Annotation{}
	for _, who := range append(all, model.GoldAnnotator) {
		a, err := db.Annotation(id, who)
		if err != nil {
			t.Fatal(err)
		}
		versions[who] = &a
	}
	schema, err := db.Schema()
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	set := review.Build(text, schema, all, versions, versions[model.GoldAnnotator])
	for _, it := range set.Items {
		if it.State != review.Decided {
			t.Errorf("review item %s (%s): state %s, want decided by the import", it.Key, it.Title, it.State.Mark())
		}
	}
	if set.Open() != 0 || len(set.Items) != len(decisions) {
		t.Errorf("review: %d items open of %d, %d decisions: want none open, one decision each", set.Open(), len(set.Items), len(decisions))
	}
	if res := h.mustRun("check"); !strings.Contains(res.stdout, "ok") {
		t.Errorf("check: %q", res.stdout)
	}

	// agree --against gold, by hand (strict: same extent and label):
	// alice and carol 5 of their 5 in gold's 7: P 1, R 5/7, F1 10/12;
	// bob 4 of 6: P 4/6, R 4/7, F1 8/13; pooled 2*14/(16+21).
	res = h.mustRun("agree", "--against", "gold", "--json")
	var rep map[string]any
	if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
		t.Fatalf("%v\n%s", err, res.stdout)
	}
	for _, who := range []string{"news-alice", "news-carol"} {
		a := at(t, rep, "by_annotator", who).(map[string]any)
		wantNumber(t, a, 1, 1e-9, "entities", "micro", "precision")
		wantNumber(t, a, 5.0/7, 1e-9, "entities", "micro", "recall")
		wantNumber(t, a, 10.0/12, 1e-9, "entities", "micro", "f1_strict")
	}
	bob := at(t, rep, "by_annotator", "news-bob").(map[string]any)
	wantNumber(t, bob, 4.0/6, 1e-9, "entities", "micro", "precision")
	wantNumber(t, bob, 4.0/7, 1e-9, "entities", "micro", "recall")
	wantNumber(t, bob, 8.0/13, 1e-9, "entities", "micro", "f1_strict")
	wantNumber(t, rep, 28.0/37, 1e-9, "entities", "micro", "f1_strict")

	// Importing the file again changes nothing.
	if res := h.mustRun("import", "--format", "spacy", reviewFile); !strings.Contains(res.stdout, "0 annotations saved, 4 unchanged") {
		t.Errorf("second import: %q", res.stdout)
	}
}

// TestImportProdigyReviewBadSessions: a version that names no session, a
// session named gold or one holding a control character is refused with
// its record's place; nothing is stored.
func TestImportProdigyReviewBadSessions(t *testing.T) {
	data, err := os.ReadFile(reviewFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, from, to, want string }{
		{"no session", `"_session_id":"news-bob","_view_id":"ner_manual","answer":"accept","sessions":["news-bob"]`, `"_view_id":"ner_manual","answer":"accept","sessions":[]`,
			"versions[1] names no session"},
		{"gold", `"sessions":["news-bob"]`, `"sessions":["gold"]`, `versions[1]: session "gold"`},
		{"control character", `"sessions":["news-bob"]`, `"sessions":["news-\u001b[31mbob"]`, "control character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			bad := strings.Replace(string(data), tc.from, tc.to, 1)
			if bad == string(data) {
				t.Fatal("test data did not change")
			}
			p := h.write("review.jsonl", []byte(bad))
			res := h.run("import", "--format", "spacy", p)
			if res.code != 1 || !strings.Contains(res.stderr, p+":1") || !strings.Contains(res.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q: want exit 1 naming %s:1 and %q", res.code, res.stderr, p, tc.want)
			}
			if out := h.mustRun("export", "--format", "native", "--annotator", "*").stdout; strings.TrimSpace(out) != "" {
				t.Errorf("something was stored:\n%s", out)
			}
		})
	}
}

// TestImportSpacyKBIDsComeBackAsWritten: kb_ids a peer file wrote come
// back in a spaCy export exactly as written (a bare QID is not turned
// into wikidata:QID, an id without a scheme keeps none, one with a scheme
// keeps it, one under the scheme annotate keeps bare ids in stays as it
// was), and exporting what the export imports gives the same bytes.
func TestImportSpacyKBIDsComeBackAsWritten(t *testing.T) {
	spans := `[{"start":0,"end":4,"label":"ORG","text":"ISIS","kb_id":"Q2429253"},{"start":13,"end":26,"label":"ORG","text":"Islamic State","kb_id":"Q2429253"},` +
		`{"start":31,"end":36,"label":"GPE","text":"Raqqa","kb_id":"wikidata:Q41183"},{"start":42,"end":45,"label":"ORG","text":"SDF","kb_id":"kb:SDF"},` +
		`{"start":51,"end":56,"label":"GPE","text":"Tabqa","kb_id":"geo-77"},{"start":62,"end":67,"label":"GPE","text":"Raqqa","kb_id":"wikidata:Q41183"}]`
	in := `{"text":"ISIS and the Islamic State hit Raqqa; the SDF held Tabqa near Raqqa.","spans":` + spans + `,"answer":"accept"}` + "\n"
	h := newHarness(t)
	p := h.write("kb.jsonl", []byte(in))
	h.mustRun("import", "--format", "spacy", p)
	first := h.mustRun("export", "--format", "spacy").stdout
	recs := jsonLines(t, first)
	if len(recs) != 1 {
		t.Fatalf("export:\n%s", first)
	}
	// The spans as exported, less annotate's own span and entity ids,
	// are the file's, byte for byte.
	ours := regexp.MustCompile(`"id":"e\d+","entity":"n\d+",`)
	if got := ours.ReplaceAllString(string(recs[0]["spans"]), ""); got != spans {
		t.Errorf("spans exported\n%s\nwant the file's\n%s", got, spans)
	}
	// Round trip: import the export (from the same path, so that
	// meta.imported_from is the same) into another database and export
	// again: the same bytes.
	h2 := newHarness(t)
	if err := os.WriteFile(p, []byte(first), 0o644); err != nil {
		t.Fatal(err)
	}
	h2.mustRun("import", "--format", "spacy", p)
	if second := h2.mustRun("export", "--format", "spacy").stdout; second != first {
		t.Errorf("export of the import of the export differs:\n%s\nfirst:\n%s", second, first)
	}
}

// TestImportProdigyEntityLinking: records of Prodigy's choice view (one
// span, options of knowledge base ids, accept naming the chosen) give the
// span's entity the chosen id, exported as that kb_id; a NIL answer says
// the mention has no entry: no kb_id, and a note says so.
func TestImportProdigyEntityLinking(t *testing.T) {
	text := "Adams met Lennon in Liverpool."
	el := func(start, end int, label, accept string) string {
		return `{"text":"` + text + `","spans":[{"start":` + strconv.Itoa(start) + `,"end":` + strconv.Itoa(end) + `,"label":"` + label + `"}],` +
			`"options":[{"id":"Q42","text":"Douglas Adams"},{"id":"Q1","text":"someone else"},{"id":"NIL_otherLink","text":"Link not in options"},{"id":"NIL_ambiguous","text":"Need more context"}],` +
			`"accept":["` + accept + `"],"answer":"accept","_view_id":"choice","_session_id":"el-sam"}` + "\n"
	}
	h := newHarness(t)
	p := h.write("el.jsonl", []byte(el(0, 5, "PER", "Q42")+el(10, 16, "PER", "NIL_otherLink")+el(20, 29, "GPE", "Q24826")))
	h.mustRun("import", "--format", "spacy", p)
	// The three records of one text are one annotation of it.
	recs := jsonLines(t, h.mustRun("export", "--format", "spacy", "--annotator", "el-sam").stdout)
	if len(recs) != 1 {
		t.Fatalf("want one record, got %d", len(recs))
	}
	var spans []struct {
		Text string
		KBID *string `json:"kb_id"`
	}
	field(t, recs[0], "spans", &spans)
	kb := map[string]string{}
	for _, s := range spans {
		kb[s.Text] = "(none)"
		if s.KBID != nil {
			kb[s.Text] = *s.KBID
		}
	}
	if want := map[string]string{"Adams": "Q42", "Lennon": "(none)", "Liverpool": "Q24826"}; !maps.Equal(kb, want) {
		t.Errorf("kb_ids %v, want %v", kb, want)
	}
	var meta struct{ Notes string }
	field(t, recs[0], "meta", &meta)
	if !strings.Contains(meta.Notes, `"Lennon"`) || !strings.Contains(meta.Notes, "NIL_otherLink") {
		t.Errorf("notes %q: want a line saying Lennon has no entry (NIL_otherLink)", meta.Notes)
	}
}

func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
