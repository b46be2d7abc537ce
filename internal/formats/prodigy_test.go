package formats

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

// TestExternalIDKeepsIDsAsWritten: every id a tool writes, with a scheme
// or without, under annotate's own scheme for bare ids or not, is kept as
// an external id that passes the model's rule and comes back as written.
func TestExternalIDKeepsIDsAsWritten(t *testing.T) {
	for _, tc := range []struct{ written, kept string }{
		{"Q42", "kb:Q42"},
		{"wikidata:Q42", "wikidata:Q42"},
		{"geo-77", "kb:geo-77"},
		{"kb:Q42", "kb:kb:Q42"},
		{"kb:", "kb:kb:"},
		{"kb:kb:x", "kb:kb:kb:x"},
		{":x", "kb::x"},
		{"x:", "kb:x:"},
		{"http://www.wikidata.org/entity/Q42", "http://www.wikidata.org/entity/Q42"},
		{"acled:Islamic State (Syria)", "acled:Islamic State (Syria)"},
	} {
		kept := model.ExternalIDOf(tc.written)
		if kept != tc.kept {
			t.Errorf("ExternalIDOf(%q) = %q, want %q", tc.written, kept, tc.kept)
		}
		if back := model.WrittenID(kept); back != tc.written {
			t.Errorf("WrittenID(%q) = %q, want %q as written", kept, back, tc.written)
		}
		a := model.NewAnnotation("x", "alice", "")
		a.Entities = []model.Span{{ID: "e1", Start: 0, End: 4, Label: "ORG", Entity: "n1"}}
		a.Referents = []model.Entity{{ID: "n1", Name: "ISIS", Label: "ORG", ExternalIDs: []string{kept}}}
		if errs := model.Validate(&a, "ISIS", model.DefaultSchema()); len(errs) > 0 {
			t.Errorf("%q kept as %q: %v", tc.written, kept, errs)
		}
	}
}

// TestEntityLinkingChoice: a choice record's accepted ids are its one
// span's entity's external ids (several when several are accepted); a NIL
// answer gives none and a note; a choice about no span or several spans
// is a note.
func TestEntityLinkingChoice(t *testing.T) {
	text := "Adams met Lennon."
	opts := `"options":[{"id":"Q42","text":"Douglas Adams"},{"id":"Q1","text":"John Adams"},{"id":"NIL","text":"none"}]`
	for _, tc := range []struct {
		name, spans, accept string
		ids                 []string
		note                string
	}{
		{"one", `[{"start":0,"end":5,"label":"PER"}]`, `["Q42"]`, []string{"kb:Q42"}, ""},
		{"two accepted", `[{"start":0,"end":5,"label":"PER"}]`, `["Q42","Q1"]`, []string{"kb:Q42", "kb:Q1"}, ""},
		{"with a kb_id", `[{"start":0,"end":5,"label":"PER","kb_id":"wikidata:Q42"}]`, `["Q1"]`, []string{"wikidata:Q42", "kb:Q1"}, ""},
		{"numeric id", `[{"start":0,"end":5,"label":"PER"}]`, `[42]`, []string{"kb:42"}, ""},
		{"NIL", `[{"start":0,"end":5,"label":"PER"}]`, `["NIL"]`, nil, `entity linking: "Adams" [0-5] has no knowledge base entry (NIL)`},
		{"none", `[{"start":0,"end":5,"label":"PER"}]`, `["none"]`, nil, `(none)`},
		{"NIL beside an id", `[{"start":0,"end":5,"label":"PER"}]`, `["NIL_ambiguous","Q42"]`, []string{"kb:Q42"}, ""},
		{"two spans", `[{"start":0,"end":5,"label":"PER"},{"start":10,"end":16,"label":"PER"}]`, `["Q42"]`, nil, "choice: accepted Q42"},
		{"no span", `[]`, `["Q42","NIL"]`, nil, "choice: accepted Q42, NIL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := `{"text":"` + text + `","spans":` + tc.spans + `,` + opts + `,"accept":` + tc.accept + `,"answer":"accept","_view_id":"choice"}`
			recs := readAll(t, ReadSpacy, ImportOptions{}, []byte(rec))
			a := recs[0].Annotation
			model.GroupMentions(a, text)
			if errs := model.Validate(a, text, model.DefaultSchema()); len(errs) > 0 {
				t.Fatalf("%v", errs)
			}
			var ids []string
			if len(a.Entities) > 0 {
				e, _ := a.EntityOfSpan(a.Entities[0].ID)
				ids = e.ExternalIDs
			}
			if len(a.Entities) == 1 && !slices.Equal(ids, tc.ids) {
				t.Errorf("external ids %v, want %v", ids, tc.ids)
			}
			if len(a.Entities) != 1 && len(a.Referents) > 0 && slices.ContainsFunc(a.Referents, func(e model.Entity) bool { return len(e.ExternalIDs) > 0 }) {
				t.Errorf("referents %+v: a choice about several spans links none", a.Referents)
			}
			if (tc.note == "") != (a.Notes == "") || !strings.Contains(a.Notes, tc.note) {
				t.Errorf("notes %q, want %q", a.Notes, tc.note)
			}
		})
	}
}

// TestReviewDecisions: each stretch's decision says which sessions gold's
// spans came from, comparing extents, labels and entity ids.
func TestReviewDecisions(t *testing.T) {
	// The flag is two code points but eight bytes: items count code points.
	text := "Velmo 🇸🇾 Harrow Front hit Tabqa and Raqqa; Amaq said so."
	span := func(s, label string, kb string) string {
		i := strings.Index(text, s)
		start, end := len([]rune(text[:i])), len([]rune(text[:i+len(s)]))
		out := `{"start":` + strconv.Itoa(start) + `,"end":` + strconv.Itoa(end) + `,"label":"` + label + `"`
		if kb != "" {
			out += `,"kb_id":"` + kb + `"`
		}
		return out + "}"
	}
	version := func(sessions string, answer string, spans ...string) string {
		return `{"spans":[` + strings.Join(spans, ",") + `],"answer":"` + answer + `","sessions":` + sessions + `}`
	}
	// Harrow Front: ann links it to Q1, bo to Q2, gold takes bo's. Tabqa:
	// ann GPE, bo LOC, gold has both. Raqqa: only cy, gold has it. Amaq:
	// everyone, gold drops it. Velmo: gold's alone. dee rejected the text.
	rec := `{"text":"` + text + `","spans":[` + strings.Join([]string{span("Velmo", "GPE", ""), span("Harrow Front", "ORG", "Q2"),
		span("Tabqa", "GPE", ""), span("Tabqa", "LOC", ""), span("Raqqa", "GPE", "")}, ",") + `],"answer":"accept","_session_id":"rev-kim",` +
		`"versions":[` + strings.Join([]string{
		version(`["d-ann"]`, "accept", span("Harrow Front", "ORG", "Q1"), span("Tabqa", "GPE", ""), span("Amaq", "ORG", "")),
		version(`["d-bo"]`, "accept", span("Harrow Front", "ORG", "Q2"), span("Tabqa", "LOC", ""), span("Amaq", "ORG", "")),
		version(`["d-cy", null]`, "accept", span("Raqqa", "GPE", ""), span("Amaq", "ORG", "")),
		version(`["d-dee"]`, "reject", span("Amaq", "ORG", "")),
	}, ",") + `]}`
	recs := readAll(t, ReadSpacy, ImportOptions{}, []byte(rec))
	var names []string
	var gold *model.Annotation
	for _, r := range recs {
		names = append(names, r.Annotator)
		if r.Annotator == model.GoldAnnotator {
			gold = r.Annotation
		}
		if r.Annotator == "d-dee" && (!r.Rejected || r.Annotation != nil) {
			t.Errorf("d-dee's rejected version: %+v, want its text only", r)
		}
	}
	if want := []string{"gold", "d-ann", "d-bo", "d-cy", "d-dee"}; !slices.Equal(names, want) {
		t.Fatalf("records of %v, want %v", names, want)
	}
	type dec struct {
		item, kind string
		from       []string
	}
	var got []dec
	for _, d := range gold.Decisions {
		got = append(got, dec{d.Item, d.Kind, d.From})
		if d.By != "rev-kim" || !d.At.IsZero() {
			t.Errorf("%+v: want by rev-kim, at the zero time (no _timestamp)", d)
		}
	}
	want := []dec{
		{"span 0-5", model.DecisionEdited, nil},
		{"span 9-21", model.DecisionTaken, []string{"d-bo"}},
		{"span 26-31", model.DecisionBoth, []string{"d-ann", "d-bo"}},
		{"span 36-41", model.DecisionTaken, []string{"d-cy"}},
		{"span 43-47", model.DecisionRejected, nil},
	}
	if !slices.EqualFunc(got, want, func(a, b dec) bool { return a.item == b.item && a.kind == b.kind && slices.Equal(a.from, b.from) }) {
		t.Errorf("decisions\n%+v\nwant\n%+v", got, want)
	}

	// A version of another text is refused, naming it.
	bad := strings.Replace(rec, `{"spans":[`, `{"text":"Another text.","spans":[`, 1)
	_, errs := readAllowingBad(t, ReadSpacy, bad, ImportOptions{})
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "versions[0] has another text") {
		t.Errorf("bad records %v, want versions[0] named", errs)
	}
}
