package suggest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

func TestReadPatternsGood(t *testing.T) {
	file := strings.Join([]string{
		`{"label": "ORG", "pattern": "ISIS", "id": "wikidata:Q2429253"}`,
		``,
		`   `,
		`{"label": "ORG", "pattern": [{"lower": "islamic"}, {"LOWER": "state"}], "id": "isis"}`,
		`{"label": "GPE", "pattern": [{"TEXT": "Raqqa"}], "id": 7}`,
		`{"label": "PER", "pattern": [{"Orth": "Abu"}, {}, {"orth": "Baghdadi"}]}`,
		`{"label": "ORG", "pattern": "al-Qaeda", "extra": true}`,
	}, "\n")
	pats, err := ReadPatterns(strings.NewReader(file), "p.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	want := []Pattern{
		{Label: "ORG", Phrase: "ISIS", ID: "wikidata:Q2429253", ExternalID: "wikidata:Q2429253", Where: "p.jsonl:1"},
		{Label: "ORG", Tokens: []TokenSpec{{"LOWER", "islamic"}, {"LOWER", "state"}}, ID: "isis", ExternalID: "kb:isis", Where: "p.jsonl:4"},
		{Label: "GPE", Tokens: []TokenSpec{{"ORTH", "Raqqa"}}, ID: "7", ExternalID: "kb:7", Where: "p.jsonl:5"},
		{Label: "PER", Tokens: []TokenSpec{{"ORTH", "Abu"}, {}, {"ORTH", "Baghdadi"}}, Where: "p.jsonl:6"},
		{Label: "ORG", Phrase: "al-Qaeda", Where: "p.jsonl:7"},
	}
	if len(pats) != len(want) {
		t.Fatalf("got %d patterns, want %d", len(pats), len(want))
	}
	for i, w := range want {
		p := pats[i]
		if p.Label != w.Label || p.Phrase != w.Phrase || !slices.Equal(p.Tokens, w.Tokens) || p.ID != w.ID || p.ExternalID != w.ExternalID || p.Where != w.Where {
			t.Errorf("pattern %d = %+v, want %+v", i, p, w)
		}
	}
}

func TestReadPatternsBroken(t *testing.T) {
	good := `{"label": "ORG", "pattern": "ISIS"}`
	tests := []struct {
		name, line, want string
	}{
		{"not JSON", `{"label": "ORG", "pattern": "ISIS"`, "not JSON"},
		{"not an object", `["ORG", "ISIS"]`, "not a JSON object"},
		{"no label", `{"pattern": "ISIS"}`, `no "label"`},
		{"blank label", `{"label": " ", "pattern": "ISIS"}`, `no "label"`},
		{"label not a string", `{"label": 3, "pattern": "ISIS"}`, `"label" must be a string`},
		{"no pattern", `{"label": "ORG"}`, `no "pattern"`},
		{"pattern a number", `{"label": "ORG", "pattern": 5}`, `"pattern" must be a string`},
		{"empty phrase", `{"label": "ORG", "pattern": "  "}`, "no words"},
		{"empty token list", `{"label": "ORG", "pattern": []}`, "empty"},
		{"token not an object", `{"label": "ORG", "pattern": ["isis"]}`, "list of objects"},
		{"operator", `{"label": "ORG", "pattern": [{"lower": "isis", "OP": "+"}]}`, `token 1 has the operator "OP"`},
		{"two attributes", `{"label": "ORG", "pattern": [{"lower": "isis", "ORTH": "ISIS"}]}`, "several attributes (ORTH, lower)"},
		{"operator alone", `{"label": "ORG", "pattern": [{"lower": "isis"}, {"op": "?"}]}`, `token 2 has the operator "op"`},
		{"unsupported attribute", `{"label": "ORG", "pattern": [{"POS": "PROPN"}]}`, `token 1 matches on "POS"`},
		{"IN", `{"label": "ORG", "pattern": [{"LOWER": {"IN": ["isis", "isil"]}}]}`, "must be a string"},
		{"empty value", `{"label": "ORG", "pattern": [{"LOWER": ""}]}`, "empty"},
		{"two objects", `{"label": "ORG", "pattern": "A"} {"label": "ORG", "pattern": "B"}`, "more than one JSON value"},
		{"id an object", `{"label": "ORG", "pattern": "A", "id": {"x": 1}}`, `"id" must be a string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := good + "\n\n" + tt.line + "\n" + good + "\n"
			pats, err := ReadPatterns(strings.NewReader(file), "rules.jsonl")
			if err == nil {
				t.Fatalf("accepted %s as %+v", tt.line, pats)
			}
			var pe *PatternError
			if !errors.As(err, &pe) || len(pe.Lines) != 1 {
				t.Fatalf("error %v: want one PatternError line", err)
			}
			if !strings.HasPrefix(pe.Lines[0], "rules.jsonl:3: ") || !strings.Contains(pe.Lines[0], tt.want) {
				t.Errorf("error %q: want rules.jsonl:3 and %q", pe.Lines[0], tt.want)
			}
			if pats != nil {
				t.Errorf("returned %d patterns with the error", len(pats))
			}
		})
	}
}

func TestReadPatternsNamesEveryBadLine(t *testing.T) {
	file := "{\"label\":\"ORG\"}\n{\"label\":\"ORG\",\"pattern\":\"A\"}\nnope\n"
	_, err := ReadPatterns(strings.NewReader(file), "p.jsonl")
	if err == nil || !strings.Contains(err.Error(), "p.jsonl:1:") || !strings.Contains(err.Error(), "p.jsonl:3:") || strings.Contains(err.Error(), "p.jsonl:2:") {
		t.Fatalf("error %v: want lines 1 and 3 named, not 2", err)
	}
}

func mustPatterns(t *testing.T, lines ...string) []Pattern {
	t.Helper()
	pats, err := ReadPatterns(strings.NewReader(strings.Join(lines, "\n")), "test.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	return pats
}

// found renders suggestions as "text/LABEL/source@start" for comparison.
func found(sugs []Suggestion) []string {
	var out []string
	for _, s := range sugs {
		out = append(out, fmt.Sprintf("%s/%s/%s@%d", s.Text, s.Label, s.Source, s.Start))
	}
	return out
}

func TestSuggest(t *testing.T) {
	isis := model.RegistryEntry{ID: "r1", Name: "Islamic State", Label: "ORG", Aliases: []string{"ISIS"}, ExternalIDs: []string{"wikidata:Q2429253"}}
	sdf := model.RegistryEntry{ID: "r2", Name: "Syrian Democratic Forces", Label: "ORG", Aliases: []string{"SDF", "the SDF"}}
	raqqa := model.RegistryEntry{ID: "r3", Name: "Raqqa", Label: "GPE"}
	tests := []struct {
		name string
		text string
		reg  []model.RegistryEntry
		pats []string
		ann  *model.Annotation
		want []string
	}{
		{name: "registry names and aliases, any case",
			text: "ISIS fled. Isis and isis. The Islamic  State\nheld it.",
			reg:  []model.RegistryEntry{isis},
			want: []string{"ISIS/ORG/registry@0", "Isis/ORG/registry@11", "isis/ORG/registry@20", "Islamic  State/ORG/registry@30"}},
		{name: "whole words only",
			text: "ISISx and xISIS, ISIS's men; (ISIS).",
			reg:  []model.RegistryEntry{isis},
			want: []string{"ISIS/ORG/registry@17", "ISIS/ORG/registry@30"}},
		{name: "hyphenated words are left out, as on the screen",
			text: "anti-ISIS forces met ISIS-held towns, ISIS - and ISIS.",
			reg:  []model.RegistryEntry{isis},
			want: []string{"ISIS/ORG/registry@38", "ISIS/ORG/registry@49"}},
		{name: "the longest overlapping suggestion wins",
			text: "Fighters of the SDF and SDF men.",
			reg:  []model.RegistryEntry{sdf},
			want: []string{"the SDF/ORG/registry@12", "SDF/ORG/registry@24"}},
		{name: "phrase patterns are case-sensitive",
			text: "ISIS and Isis and isis.",
			pats: []string{`{"label": "ORG", "pattern": "ISIS"}`},
			want: []string{"ISIS/ORG/patterns@0"}},
		{name: "token patterns",
			text: "The ISLAMIC state and Islamic\nState, not Islamic-State.",
			pats: []string{`{"label": "ORG", "pattern": [{"lower": "islamic"}, {"lower": "state"}]}`},
			want: []string{"ISLAMIC state/ORG/patterns@4", "Islamic\nState/ORG/patterns@22"}},
		{name: "a token pattern matches the hyphen as a token",
			text: "ISIS-held towns; ISIS - held.",
			pats: []string{`{"label": "LOC", "pattern": [{"ORTH": "ISIS"}, {"orth": "-"}, {"lower": "held"}]}`},
			want: []string{"ISIS-held/LOC/patterns@0", "ISIS - held/LOC/patterns@17"}},
		{name: "any token",
			text: "Abu Bakr al-Baghdadi and Abu Muhammad Baghdadi",
			pats: []string{`{"label": "PER", "pattern": [{"orth": "Abu"}, {}, {"orth": "Baghdadi"}]}`},
			want: []string{"Abu Muhammad Baghdadi/PER/patterns@25"}},
		{name: "a phrase with a hyphen, and a phrase inside a longer match",
			text: "al-Qaeda and al Qaeda",
			pats: []string{`{"label": "ORG", "pattern": "al-Qaeda"}`},
			want: []string{"al-Qaeda/ORG/patterns@0"}},
		{name: "registry before patterns on the same extent",
			text: "ISIS and Raqqa",
			reg:  []model.RegistryEntry{isis},
			pats: []string{`{"label": "ORG", "pattern": "ISIS"}`, `{"label": "GPE", "pattern": "Raqqa"}`},
			want: []string{"ISIS/ORG/registry@0", "Raqqa/GPE/patterns@9"}},
		{name: "already tagged with the label, same extent with another label, rejected",
			text: "ISIS in Raqqa. ISIS in Raqqa. ISIS again.",
			reg:  []model.RegistryEntry{isis, raqqa},
			ann: &model.Annotation{
				Entities: []model.Span{{ID: "e1", Start: 0, End: 4, Label: "ORG"}, {ID: "e2", Start: 8, End: 13, Label: "LOC"}},
				Rejected: []model.Rejection{{Start: 15, End: 19, Label: "ORG"}, {Start: 23, End: 28, Label: "LOC"}},
			},
			want: []string{"Raqqa/GPE/registry@23", "ISIS/ORG/registry@30"}},
		{name: "a tagged span of the label inside the suggestion leaves it out",
			text: "The Islamic State said.",
			reg:  []model.RegistryEntry{isis},
			ann:  &model.Annotation{Entities: []model.Span{{ID: "e1", Start: 12, End: 17, Label: "ORG"}}},
			want: nil},
		{name: "another label's span does not",
			text: "The Islamic State said.",
			reg:  []model.RegistryEntry{isis},
			ann:  &model.Annotation{Entities: []model.Span{{ID: "e1", Start: 12, End: 17, Label: "GPE"}}},
			want: []string{"Islamic State/ORG/registry@4"}},
		{name: "non-ASCII text, byte offsets",
			text: "Près de Raqqa 🇸🇾, RAQQA.",
			reg:  []model.RegistryEntry{raqqa},
			want: []string{"Raqqa/GPE/registry@9", "RAQQA/GPE/registry@25"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var pats []Pattern
			if tt.pats != nil {
				pats = mustPatterns(t, tt.pats...)
			}
			got := Suggest(tt.text, tt.reg, pats, tt.ann)
			if !slices.Equal(found(got), tt.want) {
				t.Errorf("Suggest = %q\nwant      %q", found(got), tt.want)
			}
			for _, s := range got {
				if tt.text[s.Start:s.End] != s.Text {
					t.Errorf("%+v: offsets select %q", s, tt.text[s.Start:s.End])
				}
			}
		})
	}
}

func TestSuggestCarriesIDs(t *testing.T) {
	reg := []model.RegistryEntry{{ID: "r1", Name: "Islamic State", Label: "ORG", ExternalIDs: []string{"wikidata:Q2429253"}}}
	pats := mustPatterns(t, `{"label": "GPE", "pattern": "Raqqa", "id": "raqqa"}`, `{"label": "ORG", "pattern": "Islamic State", "id": "acled:IS"}`)
	got := Suggest("Islamic State left Raqqa.", reg, pats, nil)
	want := []Suggestion{
		{Start: 0, End: 13, Label: "ORG", Text: "Islamic State", Entity: "r1", Source: SourceRegistry, ExternalID: "wikidata:Q2429253", Score: 1},
		{Start: 19, End: 24, Label: "GPE", Text: "Raqqa", Entity: "raqqa", Source: SourcePatterns, ExternalID: "kb:raqqa", Score: 1},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Suggest = %+v\nwant %+v", got, want)
	}
}

func TestAccept(t *testing.T) {
	text := "ISIS said the SDF and Syrian Democratic Forces lost Raqqa. Islamic State and ISIS again."
	reg := []model.RegistryEntry{{ID: "r2", Name: "Syrian Democratic Forces", Label: "ORG", Aliases: []string{"SDF"}, ExternalIDs: []string{"wikidata:Q21869906"}}}
	pats := mustPatterns(t,
		`{"label": "ORG", "pattern": "ISIS", "id": "wikidata:Q2429253"}`,
		`{"label": "ORG", "pattern": "Islamic State", "id": "wikidata:Q2429253"}`,
		`{"label": "GPE", "pattern": "Raqqa"}`)
	a := model.NewAnnotation("a1", "patterns", "conflict-incidents")
	sugs := Suggest(text, reg, pats, &a)
	added := Accept(&a, text, reg, sugs...)
	if len(added) != 6 || len(a.Entities) != 6 {
		t.Fatalf("added %v, spans %+v: want 6", added, a.Entities)
	}
	if errs := model.Validate(&a, text, model.DefaultSchema()); len(errs) > 0 {
		t.Fatalf("Validate: %v", errs)
	}
	byText := map[string]model.Entity{}
	for _, sp := range a.Entities {
		e, ok := a.Referent(sp.Entity)
		if !ok {
			t.Fatalf("span %+v has no entity", sp)
		}
		byText[text[sp.Start:sp.End]] = e
	}
	if sdf, sdf2 := byText["SDF"], byText["Syrian Democratic Forces"]; sdf.ID != sdf2.ID || sdf.Registry != "r2" || sdf.Name != "Syrian Democratic Forces" ||
		!slices.Equal(sdf.ExternalIDs, []string{"wikidata:Q21869906"}) {
		t.Errorf("SDF entities %+v and %+v: want one, linked to r2, with its name and external id", sdf, sdf2)
	}
	if is, is2 := byText["ISIS"], byText["Islamic State"]; is.ID != is2.ID || is.Registry != "" || !slices.Equal(is.ExternalIDs, []string{"wikidata:Q2429253"}) || !is.HasName("Islamic State") {
		t.Errorf("ISIS entities %+v and %+v: want one, with the pattern's external id and both names", is, is2)
	}
	if r := byText["Raqqa"]; r.Name != "Raqqa" || r.Label != "GPE" || len(r.ExternalIDs) != 0 {
		t.Errorf("Raqqa entity %+v", r)
	}
	// Accepting again adds nothing: the suggestions are all tagged now.
	if again := Suggest(text, reg, pats, &a); len(again) != 0 {
		t.Errorf("after accepting, Suggest = %q", found(again))
	}
	if more := Accept(&a, text, reg, sugs...); len(more) != 0 {
		t.Errorf("accepting twice added %v", more)
	}
}

func TestAcceptJoinsTheLinkedEntity(t *testing.T) {
	text := "The SDF said. SDF fighters."
	reg := []model.RegistryEntry{{ID: "r2", Name: "Syrian Democratic Forces", Label: "ORG", Aliases: []string{"SDF"}}}
	a := model.NewAnnotation("a1", "alice", "s")
	a.Entities = []model.Span{{ID: "e1", Start: 4, End: 7, Label: "ORG", Entity: "n2"}}
	a.Referents = []model.Entity{{ID: "n2", Name: "SDF", Label: "ORG"}}
	a.NextID = 2
	Accept(&a, text, reg, Suggest(text, reg, nil, &a)...)
	if len(a.Referents) != 1 || a.Referents[0].Registry != "r2" || len(a.Entities) != 2 || a.Entities[1].Entity != "n2" {
		t.Errorf("referents %+v, spans %+v: want the new mention to join n2, now linked to r2", a.Referents, a.Entities)
	}
}

func BenchmarkSuggest(b *testing.B) {
	var reg []model.RegistryEntry
	for i := range 1000 {
		reg = append(reg, model.RegistryEntry{ID: fmt.Sprint("r", i), Name: fmt.Sprintf("Group %d Brigade", i), Label: "ORG", Aliases: []string{fmt.Sprint("G", i)}})
	}
	text := strings.Repeat("The Group 17 Brigade and G99 fought near the town; ISIS-held villages fell. ", 2000)
	b.ResetTimer()
	for range b.N {
		Suggest(text, reg, nil, nil)
	}
}

func TestReject(t *testing.T) {
	text := "ISIS and ISIS."
	reg := []model.RegistryEntry{{ID: "r1", Name: "ISIS", Label: "ORG"}}
	a := model.NewAnnotation("a1", "alice", "s")
	sugs := Suggest(text, reg, nil, &a)
	if len(sugs) != 2 || !Reject(&a, sugs[1]) || Reject(&a, sugs[1]) {
		t.Fatalf("suggestions %q, rejected %+v: want the second rejected once", found(sugs), a.Rejected)
	}
	if got := found(Suggest(text, reg, nil, &a)); !slices.Equal(got, []string{"ISIS/ORG/registry@0"}) {
		t.Errorf("after rejecting: %q", got)
	}
}
