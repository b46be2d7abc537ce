package model

import (
	"slices"
	"strings"
	"testing"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		text string
		cuts []int
		want []string
	}{
		{"ISIS-held Raqqa, 53 killed.", nil, []string{"ISIS", "-", "held", "Raqqa", ",", "53", "killed", "."}},
		{"the SDF’s spokeswoman", nil, []string{"the", "SDF", "’s", "spokeswoman"}},
		{"Two 👩🏽‍⚕️ medics\r\n\tleft 🇸🇾.", nil, []string{"Two", "👩🏽‍⚕️", "medics", "left", "🇸🇾", "."}},
		// Text without spaces is one chunk, as in spaCy's English tokenizer.
		{"Zoe\u0308 in 北京 and حلب", nil, []string{"Zoe\u0308", "in", "北京", "and", "حلب"}},
		// A span boundary inside a word cuts it.
		{"northwestern Velmo", []int{5, 12}, []string{"north", "western", "Velmo"}},
	}
	for _, tt := range tests {
		var got []string
		for _, r := range Tokenize(tt.text, tt.cuts) {
			got = append(got, tt.text[r.Start:r.End])
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Tokenize(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestTrimBlank(t *testing.T) {
	text := "The  ISIS\u00a0 fighters\r\n\u3000"
	tests := []struct {
		in, want Range
		ok       bool
	}{
		{Range{0, 3}, Range{0, 3}, true},
		{Range{3, 5}, Range{3, 5}, false},
		{Range{4, 11}, Range{5, 9}, true},   // leading space, trailing NBSP
		{Range{9, 22}, Range{12, 20}, true}, // NBSP, space ... CRLF
		{Range{20, len(text)}, Range{20, len(text)}, false},
	}
	for _, tt := range tests {
		got, ok := TrimBlank(text, tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("TrimBlank(%q) = %v %v, want %v %v", text[tt.in.Start:tt.in.End], got, ok, tt.want, tt.ok)
		}
	}
}

func TestValidateRefusesBlankEdges(t *testing.T) {
	text := "ISIS claimed it. "
	s := DefaultSchema()
	for _, sp := range []Span{{ID: "e1", Start: 4, End: 5, Label: "ORG"}, {ID: "e1", Start: 0, End: 5, Label: "ORG"}, {ID: "e1", Start: 12, End: 17, Label: "ORG"}} {
		a := NewAnnotation(ArticleID(text), "ana", s.Name)
		sp.Entity = "n2"
		a.Entities = []Span{sp}
		a.Referents = []Entity{{ID: "n2", Name: "ISIS", Label: "ORG"}}
		if errs := Validate(&a, text, s); len(errs) != 1 {
			t.Errorf("span %d-%d %q: got %v, want one white-space error", sp.Start, sp.End, text[sp.Start:sp.End], errs)
		}
	}
	a := NewAnnotation(ArticleID(text), "ana", s.Name)
	a.Entities = []Span{{ID: "e1", Start: 0, End: 4, Label: "ORG"}}
	GroupMentions(&a, text)
	if errs := Validate(&a, text, s); errs != nil {
		t.Errorf("ISIS: %v", errs)
	}
}

func TestCheckDateSaysWhatIsWrong(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"2016-02-30", "2016-02-30 does not exist: February 2016 has 29 days"},
		{"2017-13-01", "2017-13-01 does not exist: there is no month 13"},
		{"30/02/2016", `"30/02/2016" is not a date (use YYYY-MM-DD)`},
	} {
		err := CheckDate(Date{Start: tt.in})
		if err == nil || err.Error() != tt.want {
			t.Errorf("CheckDate(%s) = %v, want %s", tt.in, err, tt.want)
		}
	}
	if err := CheckDate(Date{Start: "2016-02-29"}); err != nil {
		t.Errorf("2016-02-29: %v", err)
	}
}

// TestSchemaRefusesControlsInNames: a label, code or field name with an
// escape sequence, a C1 control, a bidi override or a newline is refused
// (issue 12: such names reached the terminal raw).
func TestSchemaRefusesControlsInNames(t *testing.T) {
	for _, bad := range []string{"\x1b]0;PWNED\x07", "ORG\u009b2J", "\u202eGRO", "OR\nG", "O\tRG"} {
		s := DefaultSchema()
		s.Labels[0].Name = bad
		if err := s.Check(); err == nil || !strings.Contains(err.Error(), "control character") {
			t.Errorf("label %q: %v, want it refused", bad, err)
		}
		s = DefaultSchema()
		s.Fields[0].Choices[0].Label = bad
		if err := s.Check(); err == nil {
			t.Errorf("choice label %q accepted", bad)
		}
	}
	if err := DefaultSchema().Check(); err != nil {
		t.Errorf("the default schema: %v", err)
	}
}
