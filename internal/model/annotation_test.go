package model

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestCloneIsEqual: a clone of a full annotation equals it.
func TestCloneIsEqual(t *testing.T) {
	a := validAnnotation(t)
	if b := a.Clone(); !reflect.DeepEqual(a, b) {
		t.Errorf("clone differs from the original:\n got %+v\nwant %+v", b, a)
	}
}

// TestCloneIsDeep changes every nested part of a clone, one at a time, and
// checks the original still equals a fresh copy of itself.
func TestCloneIsDeep(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *Annotation)
	}{
		{"entity label", func(c *Annotation) { c.Entities[0].Label = "PER" }},
		{"entities reused backing array", func(c *Annotation) { c.Entities = append(c.Entities[:1], Span{ID: "e99"}) }},
		{"claim claimant", func(c *Annotation) { c.Claims[0].Claimant.SpanID = "e99" }},
		{"claim cue", func(c *Annotation) { c.Claims[0].Cue.Start = 1 }},
		{"claim content", func(c *Annotation) { c.Claims[0].Content[0].End = 1 }},
		{"claim content reused backing array", func(c *Annotation) { c.Claims[0].Content = append(c.Claims[0].Content[:0], Range{1, 2}) }},
		{"claim figure value", func(c *Annotation) { *c.Claims[0].Figures[0].Value = 1 }},
		{"claim figure low", func(c *Annotation) { *c.Claims[0].Figures[1].Low = 1 }},
		{"claim figure high", func(c *Annotation) { *c.Claims[0].Figures[0].High = 1 }},
		{"claim figure counts", func(c *Annotation) { c.Claims[0].Figures[1].Counts = "other" }},
		{"claim figures reused backing array", func(c *Annotation) { c.Claims[0].Figures = append(c.Claims[0].Figures[:0], Figure{}) }},
		{"claim stance", func(c *Annotation) { c.Claims[1].Stance.ClaimID = "c9" }},
		{"claim credibility", func(c *Annotation) { c.Claims[0].Credibility = "1" }},
		{"claims reused backing array", func(c *Annotation) { c.Claims = append(c.Claims[:0], Claim{ID: "c99"}) }},
		{"incident id", func(c *Annotation) { c.Incidents[0].ID = "i99" }},
		{"field added", func(c *Annotation) { c.Incidents[0].Fields["grade"] = Value{Text: "weak"} }},
		{"field removed", func(c *Annotation) { delete(c.Incidents[0].Fields, "killed") }},
		{"field replaced", func(c *Annotation) { c.Incidents[0].Fields["status"] = Value{Text: "denied"} }},
		{"count best", func(c *Annotation) { *c.Incidents[0].Fields["killed"].Count.Best = 1 }},
		{"count low", func(c *Annotation) { *c.Incidents[0].Fields["killed"].Count.Low = 1 }},
		{"count high", func(c *Annotation) { *c.Incidents[0].Fields["killed"].Count.High = 1 }},
		{"count struct", func(c *Annotation) { c.Incidents[0].Fields["killed"].Count.Low = nil }},
		{"number", func(c *Annotation) { *c.Incidents[0].Fields["kidnapped"].Number = 7 }},
		{"date", func(c *Annotation) { c.Incidents[0].Fields["date"].Date.Start = "2020-01-01" }},
		{"list item", func(c *Annotation) { c.Incidents[0].Fields["weapons"].List[0] = "13" }},
		{"evidence item", func(c *Annotation) { c.Incidents[0].Evidence["killed"][0] = "x" }},
		{"evidence added", func(c *Annotation) { c.Incidents[0].Evidence["date"] = []string{"e5"} }},
		{"evidence removed", func(c *Annotation) { delete(c.Incidents[0].Evidence, "killed") }},
		{"source grade", func(c *Annotation) { c.Sources[0].Reliability = "A" }},
		{"next id", func(c *Annotation) { c.NewID("e") }},
		{"span entity", func(c *Annotation) { c.Entities[0].Entity = "n9" }},
		{"entity name", func(c *Annotation) { c.Referents[0].Name = "IS" }},
		{"entity alias", func(c *Annotation) { c.Referents[0].Aliases[0] = "Daesh" }},
		{"entity aliases reused backing array", func(c *Annotation) { c.Referents[2].Aliases = append(c.Referents[2].Aliases[:1], "QSD") }},
		{"entity external id", func(c *Annotation) { c.Referents[0].ExternalIDs[0] = "acled:x" }},
		{"entity affiliation", func(c *Annotation) { c.Referents[5].Affiliations[0].Role = "member" }},
		{"rejected suggestion", func(c *Annotation) { c.Rejected[0].Label = "PER" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := validAnnotation(t)
			clone := orig.Clone()
			tt.change(&clone)
			if want := validAnnotation(t); !reflect.DeepEqual(orig, want) {
				t.Errorf("changing the clone changed the original:\n got %+v\nwant %+v", orig, want)
			}
			if reflect.DeepEqual(orig, clone) {
				t.Errorf("the change did not change the clone: the case tests nothing")
			}
		})
	}
}

func TestCloneEmpty(t *testing.T) {
	a := NewAnnotation("a1", "alice", "s")
	b := a.Clone()
	if len(b.Entities) != 0 || len(b.Claims) != 0 || len(b.Incidents) != 0 || len(b.Sources) != 0 {
		t.Errorf("clone of an empty annotation is not empty: %+v", b)
	}
	if !b.IsEmpty() {
		t.Errorf("clone of an empty annotation: IsEmpty() = false")
	}
}

func TestNewIDNeverRepeats(t *testing.T) {
	a := NewAnnotation("a1", "alice", "s")
	seen := map[string]bool{}
	prefixes := []string{"e", "c", "i"}
	for n := range 3000 {
		id := a.NewID(prefixes[n%3])
		if seen[id] {
			t.Fatalf("NewID returned %q twice (call %d)", id, n)
		}
		seen[id] = true
		// Deleting what was made and storing the annotation (as JSON, the
		// way the store keeps it) must not make old IDs come back.
		if n%500 == 499 {
			a.Entities = nil
			data, err := json.Marshal(a)
			if err != nil {
				t.Fatal(err)
			}
			a = Annotation{}
			if err := json.Unmarshal(data, &a); err != nil {
				t.Fatal(err)
			}
		}
	}
	// One counter serves every prefix, starting at 1.
	b := NewAnnotation("a1", "alice", "s")
	for i, want := range []string{"e1", "c2", "i3", "e4"} {
		if got := b.NewID(want[:1]); got != want {
			t.Errorf("NewID call %d = %q, want %q", i, got, want)
		}
	}
}

func TestTitleFromText(t *testing.T) {
	long := strings.Repeat("سالم ", 60) // 300 code points, 540 bytes
	tests := []struct {
		name, text, want string
	}{
		{"empty", "", ""},
		{"one line", "ISIS claims attack", "ISIS claims attack"},
		{"first line", "Headline\nBody text", "Headline"},
		{"crlf", "Headline\r\nBody text", "Headline"},
		{"leading blank lines", "\n\n  \r\n\t\nHeadline  \nBody", "Headline"},
		{"markdown heading", "# Raqqa: clashes resume\n\ntext", "Raqqa: clashes resume"},
		{"spaces inside kept", "  Two  words  ", "Two  words"},
		{"only blank", " \n\t\r\n \n", ""},
		{"no final newline on title", "\n\nLast", "Last"},
		{"arabic", "سالم الراوي\nنص", "سالم الراوي"},
		{"long line cut at 200 code points", long + "\nbody", string([]rune(long)[:200])},
		{"emoji", "😀 news\n", "😀 news"},
		{"byte order mark", "\uFEFFHeadline\r\nbody", "Headline"},
		{"byte order mark on a blank line", "\uFEFF\nHeadline", "Headline"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := TitleFromText(tt.text)
			if got != tt.want {
				t.Errorf("TitleFromText(%q) = %q, want %q", tt.text, got, tt.want)
			}
			if !utf8.ValidString(got) {
				t.Errorf("title %q is not valid UTF-8", got)
			}
		})
	}
}

func TestArticleID(t *testing.T) {
	a, b := ArticleID("text"), ArticleID("text\r\n")
	if len(a) != 16 || strings.Trim(a, "0123456789abcdef") != "" {
		t.Errorf("ArticleID = %q, want 16 lower-case hex digits", a)
	}
	if a == b {
		t.Errorf("texts differing by a CRLF share the ID %s", a)
	}
	if a != ArticleID("text") {
		t.Errorf("ArticleID is not stable")
	}
	// SHA-256("abc") begins ba7816bf8f01cfea.
	if got := ArticleID("abc"); got != "ba7816bf8f01cfea" {
		t.Errorf(`ArticleID("abc") = %s, want ba7816bf8f01cfea`, got)
	}
}

func TestAnnotationLookups(t *testing.T) {
	a := validAnnotation(t)
	if s, ok := a.Span("e4"); !ok || s.Label != "GPE" {
		t.Errorf(`Span("e4") = %+v, %v; want the GPE span`, s, ok)
	}
	if _, ok := a.Span("c1"); ok {
		t.Errorf(`Span("c1") found a span; c1 is a claim`)
	}
	if c, ok := a.Claim("c2"); !ok || c.Stance == nil || c.Stance.ClaimID != "c1" {
		t.Errorf(`Claim("c2") = %+v, %v`, c, ok)
	}
	if _, ok := a.Claim("e1"); ok {
		t.Errorf(`Claim("e1") found a claim; e1 is a span`)
	}
}

func TestIsEmptyAndStatus(t *testing.T) {
	tests := []struct {
		name   string
		change func(a *Annotation)
		empty  bool
	}{
		{"new", func(a *Annotation) {}, true},
		{"no status", func(a *Annotation) { a.Status = "" }, true},
		{"in progress", func(a *Annotation) { a.Status = StatusInProgress }, false},
		{"skipped", func(a *Annotation) { a.Status = StatusSkipped }, false},
		{"notes", func(a *Annotation) { a.Notes = "n" }, false},
		{"span", func(a *Annotation) { a.Entities = []Span{{ID: "e1"}} }, false},
		{"claim", func(a *Annotation) { a.Claims = []Claim{{ID: "c1"}} }, false},
		{"incident", func(a *Annotation) { a.Incidents = []Incident{{ID: "i1"}} }, false},
		{"source", func(a *Annotation) { a.Sources = []SourceGrade{{Source: "x"}} }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewAnnotation("a", "b", "s")
			tt.change(&a)
			if got := a.IsEmpty(); got != tt.empty {
				t.Errorf("IsEmpty() = %v, want %v", got, tt.empty)
			}
		})
	}
	for _, s := range Statuses {
		if !s.Valid() {
			t.Errorf("%q.Valid() = false", s)
		}
	}
	for _, s := range []Status{"", "Done", "finished"} {
		if s.Valid() {
			t.Errorf("%q.Valid() = true", s)
		}
	}
}
