package review

import (
	"errors"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

func firstOpen(s *Set) *Item {
	for _, it := range s.Items {
		if it.Undecided() {
			return it
		}
	}
	return nil
}

// TestSingleSeesWhatChanged: one annotator reviewed; after gold starts as
// her version she changes a claim's credibility, an entity's name and an
// incident's date and adds a claim: each is an item to decide (they all
// read as decided before).
func TestSingleSeesWhatChanged(t *testing.T) {
	alice, _ := pair(t)
	gold := model.NewAnnotation(alice.ArticleID, model.GoldAnnotator, alice.Schema)
	g, err := Start(text, model.DefaultSchema(), "alice", alice, gold, "carol", now)
	if err != nil {
		t.Fatal(err)
	}
	if s := build(&g, alice); s.Open() != 0 {
		t.Fatalf("%d open right after the start", s.Open())
	}
	v := alice.Clone()
	v.Claims[0].Credibility = "5"
	for i := range v.Referents {
		if v.Referents[i].Name == "Islamic State" {
			v.Referents[i].Name = "Daesh"
		}
	}
	v.Incidents[0].Fields["date"] = model.Value{Date: &model.Date{Start: "2019-01-01", Precision: "day"}}
	v.Claims = append(v.Claims, model.Claim{ID: v.NewID("c"), Content: []model.Range{at(t, "Abdullah added that ISIS lost 12 men", 0)}, Polarity: "asserts"})
	s := build(&g, &v)
	open := map[string]bool{}
	for _, it := range s.Items {
		if it.Undecided() {
			open[it.Title] = true
		}
	}
	for _, want := range []string{"claim “40 SDF members were killed” credibility", "entity “Daesh” name", "incident 1 (Armed clash): Date", "claim “Abdullah added that ISIS lost 12 men”"} {
		if !open[want] {
			t.Errorf("after her change, %q is not to decide; open: %v", want, open)
		}
	}
}

// TestRejectedClaimStaysRejected: a claim gold had, rejected, is still
// decided after a rebuild (A used to bring it back), and x on one of its
// fields brings nothing back.
func TestRejectedClaimStaysRejected(t *testing.T) {
	alice, bob := pair(t)
	gold := model.NewAnnotation(alice.ArticleID, model.GoldAnnotator, alice.Schema)
	s := build(&gold, alice, bob)
	if _, err := s.AcceptAgreed(&gold, "carol", now); err != nil {
		t.Fatal(err)
	}
	s = build(&gold, alice, bob)
	claim := itemTitled(t, s, "claim “40 SDF members were killed”", "")
	if err := s.Decide(&gold, claim, model.DecisionRejected, nil, "carol", now); err != nil {
		t.Fatal(err)
	}
	n := len(gold.Claims)
	s = build(&gold, alice, bob)
	if c := itemTitled(t, s, "claim “40 SDF members were killed”", ""); c.State != Decided {
		t.Errorf("the rejected claim reads %s after a rebuild", c.State.Mark())
	}
	if _, err := s.AcceptAgreed(&gold, "carol", now); err != nil {
		t.Fatal(err)
	}
	cred := itemTitled(t, s, "claim “40 SDF members were killed”", "credibility")
	if cred.Undecided() {
		t.Errorf("a field of the rejected claim is still to decide")
	}
	if err := s.Decide(&gold, cred, model.DecisionRejected, nil, "carol", now); err != nil {
		t.Fatal(err)
	}
	if len(gold.Claims) != n {
		t.Errorf("A and x on a field brought the rejected claim back: %d claims, want %d", len(gold.Claims), n)
	}
}

// TestMentionDecisionKeepsReferences: taking bob's wider mention after A
// keeps the claim's claimant on it (it became plain text), and a later A
// does not bring alice's narrower mention back.
func TestMentionDecisionKeepsReferences(t *testing.T) {
	alice, bob := pair(t)
	b := bob.Clone()
	r := at(t, "ISIS said", 0)
	for i, sp := range b.Entities {
		if sp.Start == r.Start {
			b.Entities[i].End = r.End
		}
	}
	gold := model.NewAnnotation(alice.ArticleID, model.GoldAnnotator, alice.Schema)
	s := build(&gold, alice, &b)
	if _, err := s.AcceptAgreed(&gold, "carol", now); err != nil {
		t.Fatal(err)
	}
	s = build(&gold, alice, &b)
	var mention *Item
	for _, it := range s.Items {
		if it.Kind == KindMention && it.Where.Start == r.Start {
			mention = it
		}
	}
	if err := s.Decide(&gold, mention, model.DecisionTaken, []string{"bob"}, "carol", now); err != nil {
		t.Fatal(err)
	}
	for _, c := range gold.Claims {
		if strings.Contains(s.contentWords(c), "40 SDF") && c.Claimant.SpanID == "" {
			t.Errorf("the claimant lost its mention: %+v", c.Claimant)
		}
	}
	s = build(&gold, alice, &b)
	if _, err := s.AcceptAgreed(&gold, "carol", now); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, sp := range gold.Entities {
		if sp.Start == r.Start {
			n++
		}
	}
	if n != 1 {
		t.Errorf("gold holds %d mentions at “ISIS said”, want bob's one", n)
	}
	check(t, 0, "the mention decision", &gold)
}

// TestLongMentionsDifferByTheirEnds: two mentions longer than a title
// shows that differ only at their ends are a difference (they read as the
// same, and A took both).
func TestLongMentionsDifferByTheirEnds(t *testing.T) {
	alice, bob := pair(t)
	a, b := alice.Clone(), bob.Clone()
	long, longer := at(t, "the figure was exaggerated and that 6 fighters", 0), at(t, "the figure was exaggerated and that 6 fighters died", 0)
	a.Entities = append(a.Entities, model.Span{ID: a.NewID("e"), Start: long.Start, End: long.End, Label: "COUNT"})
	b.Entities = append(b.Entities, model.Span{ID: b.NewID("e"), Start: longer.Start, End: longer.End, Label: "COUNT"})
	model.GroupMentions(&a, text)
	model.GroupMentions(&b, text)
	s := build(nil, &a, &b)
	for _, it := range s.Items {
		if it.Kind == KindMention && it.Where.Start == long.Start && it.State == Agree {
			t.Errorf("mentions ending at different places agree: %q", it.Versions)
		}
	}
}

// TestBothKeepsAFieldsMax: b on a multi-choice field whose versions
// together hold more values than the schema allows is refused.
func TestBothKeepsAFieldsMax(t *testing.T) {
	alice, bob := pair(t)
	a, b := alice.Clone(), bob.Clone()
	a.Incidents[0].Fields["target_type"] = model.Value{List: []string{"1", "2", "3"}}
	b.Incidents[0].Fields["target_type"] = model.Value{List: []string{"4", "5"}}
	gold := model.NewAnnotation(alice.ArticleID, model.GoldAnnotator, alice.Schema)
	s := build(&gold, &a, &b)
	f, _ := model.DefaultSchema().Field("target_type")
	it := itemTitled(t, s, "incident 1", "target_type")
	if !it.Multi {
		t.Fatalf("%s holds several values", f.Title())
	}
	err := s.Decide(&gold, it, model.DecisionBoth, []string{"alice", "bob"}, "carol", now)
	if err == nil || !strings.Contains(err.Error(), "at most") {
		t.Errorf("b past the field's maximum: %v", err)
	}
	_ = errors.New
}
