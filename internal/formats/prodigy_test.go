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

// TestReadReview: a review record is gold (the result, carrying the
// versions by session, the reviewer and the time) and each version as each
// of its sessions' annotation; a rejected version is its sessions' text
// only; a session named twice in a version is one.
func TestReadReview(t *testing.T) {
	text := "Velmo 🇸🇾 Harrow Front hit Tabqa; Amaq said so."
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
	rec := `{"text":"` + text + `","spans":[` + strings.Join([]string{span("Velmo", "GPE", ""), span("Harrow Front", "ORG", "Q2")}, ",") +
		`],"answer":"accept","_session_id":"rev-kim","_timestamp":1767225600,"versions":[` + strings.Join([]string{
		version(`["d-ann","d-ann"]`, "accept", span("Harrow Front", "ORG", "Q1"), span("Tabqa", "GPE", "")),
		version(`["d-bo", null, "d-cy"]`, "accept", span("Harrow Front", "ORG", "Q2")),
		version(`[]`, "reject", span("Amaq", "ORG", "")),
	}, ",") + `]}`
	rec = strings.Replace(rec, `"answer":"reject","sessions":[]`, `"answer":"reject","sessions":[],"_session_id":"d-dee"`, 1)
	recs := readAll(t, ReadSpacy, ImportOptions{}, []byte(rec))
	var names []string
	for _, r := range recs {
		names = append(names, r.Annotator)
		if r.Annotator == "d-dee" && (!r.Rejected || r.Annotation != nil) {
			t.Errorf("d-dee's rejected version: %+v, want its text only", r)
		}
		if r.Annotator != model.GoldAnnotator && r.Review != nil {
			t.Errorf("%s's record carries the review's versions: only gold's does", r.Annotator)
		}
	}
	if want := []string{"gold", "d-ann", "d-bo", "d-cy", "d-dee"}; !slices.Equal(names, want) {
		t.Fatalf("records of %v, want %v", names, want)
	}
	src := recs[0].Review
	if src == nil || src.By != "rev-kim" || src.At.Unix() != 1767225600 {
		t.Fatalf("gold's review %+v: want by rev-kim at the _timestamp", src)
	}
	var sessions []string
	for _, v := range src.Versions {
		sessions = append(sessions, v.Session)
		n := 0
		if v.Annotation != nil {
			n = len(v.Annotation.Entities)
		}
		if want := map[string]int{"d-ann": 2, "d-bo": 1, "d-cy": 1, "d-dee": 0}[v.Session]; n != want {
			t.Errorf("%s's version has %d spans, want %d", v.Session, n, want)
		}
	}
	if want := []string{"d-ann", "d-bo", "d-cy", "d-dee"}; !slices.Equal(sessions, want) {
		t.Errorf("versions of %v, want %v", sessions, want)
	}
	// The versions the review carries are not the records' own: the
	// caller may change one without the other.
	if recs[1].Annotation == src.Versions[0].Annotation {
		t.Error("d-ann's record and the review share one annotation")
	}

	// A version of another text is refused, naming it.
	bad := strings.Replace(rec, `{"spans":[`, `{"text":"Another text.","spans":[`, 1)
	_, errs := readAllowingBad(t, ReadSpacy, bad, ImportOptions{})
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "versions[0] has another text") {
		t.Errorf("bad records %v, want versions[0] named", errs)
	}
}
