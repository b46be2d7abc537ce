package model

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestSimilarAnnotator(t *testing.T) {
	existing := []string{"alice", "bob", "Chloé", "dave smith"}
	cases := []struct {
		name     string
		existing string // "" for no refusal
		how      string
	}{
		{"alice", "", ""},
		{"alicee", "", ""},
		{"carol", "", ""},
		{"Alice", "alice", "case"},
		{"ALICE", "alice", "case"},
		{"alice ", "alice", "white space"},
		{" alice", "alice", "white space"},
		{"alice\u00a0", "alice", "white space"},
		{"dave  smith", "dave smith", "white space"},
		{"dave\u00a0smith", "dave smith", "Unicode normalization"},
		{"al\u200bice", "alice", "invisible characters"},
		{"alice\u200c", "alice", "invisible characters"},
		{"\ufeffalice", "alice", "invisible characters"},
		{"ali\u2060ce", "alice", "invisible characters"},
		{"al\u200dice", "alice", "invisible characters"},
		{"al\u00adice", "alice", "invisible characters"},
		{"Chloe\u0301", "Chloé", "Unicode normalization"},
		{"ｂｏｂ", "bob", "Unicode normalization"},
		{"CHLOÉ", "Chloé", "case"},
		{"Al\u200bice ", "alice", "invisible characters and case and white space"},
		{"Gold", "gold", "case"},
		{"gold", "", ""},
	}
	for _, c := range cases {
		err := SimilarAnnotator(c.name, existing)
		if c.existing == "" {
			if err != nil {
				t.Errorf("SimilarAnnotator(%q) = %v, want nil", c.name, err)
			}
			continue
		}
		var sim *SimilarNameError
		if !errors.As(err, &sim) {
			t.Errorf("SimilarAnnotator(%q) = %v, want a SimilarNameError naming %q", c.name, err, c.existing)
			continue
		}
		if sim.Existing != c.existing || strings.Join(sim.How, " and ") != c.how {
			t.Errorf("SimilarAnnotator(%q) = %q by %v, want %q by %s", c.name, sim.Existing, sim.How, c.existing, c.how)
		}
		if AnnotatorKey(c.name) != AnnotatorKey(c.existing) {
			t.Errorf("AnnotatorKey(%q) = %q, AnnotatorKey(%q) = %q: want one key", c.name, AnnotatorKey(c.name), c.existing, AnnotatorKey(c.existing))
		}
	}
	want := `annotator "Alice" differs from the existing annotator "alice" only by case`
	if got := SimilarAnnotator("Alice", existing).Error(); got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	// The invisible character is shown escaped, never as itself.
	if got := SimilarAnnotator("al\u200bice", existing).Error(); !strings.Contains(got, `"al\u200bice"`) {
		t.Errorf("message %q does not show the invisible character escaped", got)
	}
}

func TestCheckAnnotatorName(t *testing.T) {
	good := []string{"alice", "Dave Smith", "Chloé", "patterns-v2", "サクラ", "o'brien"}
	for _, n := range good {
		if err := CheckAnnotatorName(n); err != nil {
			t.Errorf("CheckAnnotatorName(%q) = %v, want nil", n, err)
		}
	}
	bad := []struct{ name, says string }{
		{"", "blank"},
		{"   ", "blank"},
		{"alice ", "ends with white space"},
		{" alice", "starts with white space"},
		{"alice\u00a0", "ends with white space"},
		{"alice\u3000", "ends with white space"},
		{"al\u200bice", "invisible character U+200B at byte 2"},
		{"al\u200cice", "U+200C"},
		{"al\u200dice", "U+200D"},
		{"al\u2060ice", "U+2060"},
		{"\ufeffalice", "U+FEFF"},
		{"ali\u00adce", "U+00AD"},
		{"alice\ufe0f", "U+FE0F"},
		{"al\x1bice", "control character"},
		{"al\u202eice", "control character"},
	}
	for _, c := range bad {
		err := CheckAnnotatorName(c.name)
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("CheckAnnotatorName(%q) = %v, want an error saying %q", c.name, err, c.says)
		}
	}
}

func TestRenameAnnotatorIn(t *testing.T) {
	at := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	gold := Annotation{ArticleID: "a1", Annotator: GoldAnnotator, Status: StatusDone,
		Decisions: []Decision{
			{Item: "span 0-4", Kind: DecisionTaken, From: []string{"bob", "alice"}, By: "carol", At: at, Seen: map[string]string{"alice": "x", "bob": "y"}},
			{Item: "span 5-9", Kind: DecisionAccepted, From: []string{"bob"}, By: "alice", At: at, Seen: map[string]string{"bob": "z"}},
		},
		Review: &Review{State: ReviewReturned, By: "alice", At: at, Comments: []Comment{
			{Item: "span 0-4", Text: "why?", By: "alice", At: at, Replies: []Comment{{Text: "because", By: "bob", At: at}, {Text: "ok", By: "alice", At: at}}},
		}},
	}
	// Clones of one value compare equal (Clone makes empty lists).
	gold = gold.Clone()
	before := gold.Clone()
	got, changed := RenameAnnotatorIn(gold, "alice", "alicia")
	if !changed {
		t.Fatal("nothing changed, want alice renamed")
	}
	if !reflect.DeepEqual(gold, before) {
		t.Fatal("RenameAnnotatorIn changed the annotation it was given")
	}
	want := before.Clone()
	want.Decisions[0].From = []string{"bob", "alicia"}
	want.Decisions[0].Seen = map[string]string{"alicia": "x", "bob": "y"}
	want.Decisions[1].By = "alicia"
	want.Review.By = "alicia"
	want.Review.Comments[0].By = "alicia"
	want.Review.Comments[0].Replies[1].By = "alicia"
	if !reflect.DeepEqual(got, want) {
		t.Errorf("renamed:\n%+v\nwant\n%+v", got, want)
	}
	if _, changed := RenameAnnotatorIn(gold, "dave", "david"); changed {
		t.Error("renaming an annotator gold never mentions changed it")
	}
	own := NewAnnotation("a1", "alice", "s")
	if got, changed := RenameAnnotatorIn(own, "alice", "alicia"); !changed || got.Annotator != "alicia" {
		t.Errorf("the annotator's own annotation renamed to %q (changed %v), want alicia", got.Annotator, changed)
	}
}
