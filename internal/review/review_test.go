package review

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/annotate-tool/annotate/internal/agree"
	"github.com/annotate-tool/annotate/internal/model"
)

// The article both versions annotate (written for these tests).
const text = "Islamic State fighters attacked a checkpoint of the Syrian Democratic Forces near Hajin on 3 May 2018. " +
	"ISIS said in a statement that 40 SDF members were killed. " +
	"SDF spokesperson Nisreen Abdullah said the figure was exaggerated and that 6 fighters died. " +
	"Abdullah added that ISIS lost 12 men."

var now = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

// builder makes one annotator's version of text.
type builder struct {
	t *testing.T
	a model.Annotation
}

func newVersion(t *testing.T, who string) *builder {
	a := model.NewAnnotation(model.ArticleID(text), who, model.DefaultSchema().Name)
	a.Status = model.StatusDone
	return &builder{t: t, a: a}
}

// at is the n-th (0-based) occurrence of s in text.
func at(t *testing.T, s string, n int) model.Range {
	t.Helper()
	off := 0
	for k := 0; ; k++ {
		i := strings.Index(text[off:], s)
		if i < 0 {
			t.Fatalf("%q #%d not in text", s, n)
		}
		if k == n {
			return model.Range{Start: off + i, End: off + i + len(s)}
		}
		off += i + len(s)
	}
}

// span adds a mention of the entity named ent (made on first use, with
// the label).
func (b *builder) span(s string, n int, label, ent string) string {
	r := at(b.t, s, n)
	id := b.a.NewID("e")
	eid := ""
	for _, e := range b.a.Referents {
		if e.Name == ent {
			eid = e.ID
		}
	}
	if eid == "" {
		eid = b.a.NewID("n")
		b.a.Referents = append(b.a.Referents, model.Entity{ID: eid, Name: ent, Label: label})
	}
	b.a.Entities = append(b.a.Entities, model.Span{ID: id, Start: r.Start, End: r.End, Label: label, Entity: eid})
	return id
}

func (b *builder) entity(name string) *model.Entity {
	for i := range b.a.Referents {
		if b.a.Referents[i].Name == name {
			return &b.a.Referents[i]
		}
	}
	b.t.Fatalf("no entity %q", name)
	return nil
}

func (b *builder) done() *model.Annotation {
	b.t.Helper()
	if errs := model.Validate(&b.a, text, model.DefaultSchema()); errs != nil {
		b.t.Fatalf("%s's version is not valid: %v", b.a.Annotator, errs)
	}
	return &b.a
}

// pair builds alice's and bob's versions: they agree on the grouping
// (every ISIS mention one entity named "Islamic State" with a wikidata
// id; SDF and Syrian Democratic Forces one entity; Nisreen Abdullah and
// Abdullah one), the spokesperson affiliation and the killed count's
// evidence; they differ on a label (Hajin GPE against LOC), a missing
// mention (bob has no "fighters" of "6 fighters"), a claim's credibility
// (2 against 3), the incident's date and the grade of ISIS (E against D).
func pair(t *testing.T) (alice, bob *model.Annotation) {
	make := func(who string, hajin, date, credibility, grade string, fighters bool) *model.Annotation {
		b := newVersion(t, who)
		b.span("Islamic State", 0, "ORG", "Islamic State")
		b.span("Syrian Democratic Forces", 0, "ORG", "Syrian Democratic Forces")
		b.span("Hajin", 0, hajin, "Hajin")
		isis := b.span("ISIS", 0, "ORG", "Islamic State")
		b.span("SDF", 0, "ORG", "Syrian Democratic Forces")
		sdf := b.span("SDF", 1, "ORG", "Syrian Democratic Forces")
		nisreen := b.span("Nisreen Abdullah", 0, "PER", "Nisreen Abdullah")
		b.span("Abdullah", 1, "PER", "Nisreen Abdullah")
		b.span("ISIS", 1, "ORG", "Islamic State")
		if fighters {
			b.span("6 fighters", 0, "COUNT", "6 fighters")
		}
		is := b.entity("Islamic State")
		is.Aliases = []string{"ISIS"}
		is.ExternalIDs = []string{"wikidata:Q2429253"}
		sdfE := b.entity("Syrian Democratic Forces")
		sdfE.Aliases = []string{"SDF"}
		ab := b.entity("Nisreen Abdullah")
		ab.Aliases = []string{"Abdullah"}
		ab.Affiliations = []model.Affiliation{{Entity: sdfE.ID, Role: "spokesperson"}}
		forty := 40
		isisClaim := model.Claim{ID: b.a.NewID("c"), Claimant: model.Claimant{SpanID: isis},
			Content: []model.Range{at(t, "40 SDF members were killed", 0)}, Polarity: "asserts", Credibility: credibility,
			Figures: []model.Figure{{Counts: "killed", Value: &forty, Qualifier: "exact", Low: &forty, High: &forty}}}
		six := 6
		sdfClaim := model.Claim{ID: b.a.NewID("c"), Claimant: model.Claimant{SpanID: nisreen},
			Content: []model.Range{at(t, "the figure was exaggerated and that 6 fighters died", 0)}, Polarity: "asserts",
			Stance:  &model.Stance{Kind: "disputes", ClaimID: isisClaim.ID},
			Figures: []model.Figure{{Counts: "killed", Value: &six, Qualifier: "exact", Low: &six, High: &six}}}
		b.a.Claims = []model.Claim{isisClaim, sdfClaim}
		b.a.Sources = []model.SourceGrade{{Source: "Islamic State", SpanID: isis, Entity: is.ID, Reliability: grade}}
		_ = sdf
		killed := 6
		b.a.Incidents = []model.Incident{{ID: b.a.NewID("i"), Fields: map[string]model.Value{
			"event_type": {Text: "Armed clash"},
			"date":       {Date: &model.Date{Start: date, Precision: "day"}},
			"killed":     {Count: &model.Count{Low: &killed, Best: &killed}},
		}, Evidence: map[string][]string{"killed": {sdfClaim.ID}}}}
		return b.done()
	}
	return make("alice", "GPE", "2018-05-03", "2", "E", true), make("bob", "LOC", "2018-05-04", "3", "D", false)
}

func build(gold *model.Annotation, vs ...*model.Annotation) *Set {
	versions := map[string]*model.Annotation{}
	var who []string
	for _, v := range vs {
		versions[v.Annotator] = v
		who = append(who, v.Annotator)
	}
	return Build(text, model.DefaultSchema(), who, versions, gold)
}

func item(t *testing.T, s *Set, key string) *Item {
	t.Helper()
	for _, it := range s.Items {
		if it.Key == key {
			return it
		}
	}
	var keys []string
	for _, it := range s.Items {
		keys = append(keys, it.Key)
	}
	t.Fatalf("no item %q among %q", key, keys)
	return nil
}

func itemTitled(t *testing.T, s *Set, prefix, field string) *Item {
	t.Helper()
	for _, it := range s.Items {
		if strings.HasPrefix(it.Title, prefix) && it.Field == field {
			return it
		}
	}
	t.Fatalf("no item titled %q… with field %q", prefix, field)
	return nil
}

// adjudicate runs the acceptance walk: A, then a version for each
// difference (alice's, but bob's credibility and grade).
func adjudicate(t *testing.T, alice, bob *model.Annotation) (model.Annotation, *Set) {
	t.Helper()
	gold := model.NewAnnotation(alice.ArticleID, model.GoldAnnotator, alice.Schema)
	s := build(&gold, alice, bob)
	if _, err := s.AcceptAgreed(&gold, "carol", now); err != nil {
		t.Fatal(err)
	}
	for round := 0; ; round++ {
		s = build(&gold, alice, bob)
		var open *Item
		for _, it := range s.Items {
			if it.Undecided() {
				open = it
				break
			}
		}
		if open == nil {
			break
		}
		if round > 50 {
			t.Fatalf("items never settle: %s", open.Key)
		}
		who := "alice"
		if open.Field == "credibility" || open.Kind == KindGrade {
			who = "bob"
		}
		kind := model.DecisionTaken
		if open.Versions[who] == "" {
			if err := s.Decide(&gold, open, model.DecisionRejected, nil, "carol", now); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := s.Decide(&gold, open, kind, []string{who}, "carol", now); err != nil {
			t.Fatalf("%s: %v", open.Key, err)
		}
	}
	model.GroupMentions(&gold, text)
	return gold, s
}

// TestGoldKeepsWhatTheyAgreed is the walk-through: gold keeps the
// grouping, names, external ids, the affiliation and the evidence both
// versions had, and is valid.
func TestGoldKeepsWhatTheyAgreed(t *testing.T) {
	alice, bob := pair(t)
	gold, s := adjudicate(t, alice, bob)
	if errs := model.Validate(&gold, text, model.DefaultSchema()); errs != nil {
		t.Fatalf("gold is not valid: %v", errs)
	}
	entityOf := func(s string, n int) model.Entity {
		t.Helper()
		r := at(t, s, n)
		for _, sp := range gold.Entities {
			if sp.Range() == r {
				e, ok := gold.Referent(sp.Entity)
				if !ok {
					t.Fatalf("%q has no entity", s)
				}
				return e
			}
		}
		t.Fatalf("gold has no mention %q #%d", s, n)
		return model.Entity{}
	}
	is := entityOf("Islamic State", 0)
	for _, m := range []struct {
		s string
		n int
	}{{"ISIS", 0}, {"ISIS", 1}} {
		if e := entityOf(m.s, m.n); e.ID != is.ID {
			t.Errorf("%s #%d is entity %s %q, not Islamic State's %s", m.s, m.n, e.ID, e.Name, is.ID)
		}
	}
	if is.Name != "Islamic State" || !slices.Equal(is.ExternalIDs, []string{"wikidata:Q2429253"}) || !slices.Equal(is.Aliases, []string{"ISIS"}) {
		t.Errorf("Islamic State in gold: %+v", is)
	}
	sdf := entityOf("Syrian Democratic Forces", 0)
	if e := entityOf("SDF", 0); e.ID != sdf.ID {
		t.Errorf("SDF and Syrian Democratic Forces are two entities in gold: %+v and %+v", e, sdf)
	}
	nisreen := entityOf("Nisreen Abdullah", 0)
	if e := entityOf("Abdullah", 1); e.ID != nisreen.ID {
		t.Errorf("Abdullah is not Nisreen Abdullah in gold")
	}
	if !slices.Equal(nisreen.Affiliations, []model.Affiliation{{Entity: sdf.ID, Role: "spokesperson"}}) {
		t.Errorf("the spokesperson affiliation is lost: %+v", nisreen.Affiliations)
	}
	if e := entityOf("Hajin", 0); e.Label != "GPE" {
		t.Errorf("Hajin: took alice's GPE, gold has %s", e.Label)
	}
	entityOf("6 fighters", 0) // alice's, taken
	if len(gold.Incidents) != 1 {
		t.Fatalf("gold has %d incidents", len(gold.Incidents))
	}
	inc := gold.Incidents[0]
	if d := inc.Fields["date"].Date; d == nil || d.Start != "2018-05-03" {
		t.Errorf("date: took alice's, gold has %+v", d)
	}
	ev := inc.Evidence["killed"]
	if len(ev) != 1 {
		t.Fatalf("the killed count's evidence is lost: %v", inc.Evidence)
	}
	c, ok := gold.Claim(ev[0])
	if !ok || c.Content[0] != at(t, "the figure was exaggerated and that 6 fighters died", 0) {
		t.Errorf("the killed count's evidence is %v (%+v)", ev, c)
	}
	if c.Stance == nil {
		t.Errorf("the SDF claim lost its stance")
	} else if target, ok := gold.Claim(c.Stance.ClaimID); !ok || target.Credibility != "3" {
		t.Errorf("the stance points at %+v; the ISIS claim should have bob's credibility 3", target)
	}
	if len(gold.Sources) != 1 || gold.Sources[0].Reliability != "D" || gold.Sources[0].Entity != is.ID {
		t.Errorf("the grade: want bob's D of Islamic State, gold has %+v", gold.Sources)
	}
	if s.Open() != 0 {
		t.Errorf("%d items left to decide", s.Open())
	}
	// The taken annotator scores 1.0 on spans against gold, bob less.
	for who, want := range map[*model.Annotation]bool{alice: true, bob: false} {
		r := agree.CompareSpans(spansOf(&gold), spansOf(who))
		if got := r.Micro.F1Strict == 1; got != want {
			t.Errorf("%s against gold: strict F1 %v", who.Annotator, r.Micro.F1Strict)
		}
	}
}

func spansOf(a *model.Annotation) []agree.Span {
	var out []agree.Span
	for _, s := range a.Entities {
		out = append(out, agree.Span{Start: s.Start, End: s.End, Label: s.Label})
	}
	return out
}

// TestItemsCoverEveryPart: the review lists an item for each part of an
// annotation the versions hold, so nothing goes without the reviewer
// seeing it.
func TestItemsCoverEveryPart(t *testing.T) {
	alice, bob := pair(t)
	s := build(nil, alice, bob)
	for _, want := range []struct {
		title, field string
		state        State
	}{
		{"entity “Islamic State”", fieldGrouping, Agree},
		{"entity “Islamic State”", fieldName, Agree},
		{"entity “Islamic State”", fieldExternalIDs, Agree},
		{"entity “Islamic State”", fieldAliases, Agree},
		{"entity “Nisreen Abdullah”", fieldAffiliations, Agree},
		{"claim “40 SDF members were killed”", "credibility", Disagree},
		{"claim “40 SDF members were killed”", "figures", Agree},
		{"incident 1", "date", Disagree},
		{"incident 1", "killed", Agree},
		{"grade of Islamic State", "", Disagree},
		{"“Hajin”", "", Disagree},
		{"“6 fighters”", "", Some},
	} {
		it := itemTitled(t, s, want.title, want.field)
		if it.State != want.state {
			t.Errorf("%s: state %s, want %s (%q)", it.Title, it.State.Mark(), want.state.Mark(), it.Versions)
		}
	}
	cred := itemTitled(t, s, "claim “40 SDF", "credibility")
	if cred.Versions["alice"] != "2 probably true" {
		t.Errorf("credibility shows its label: %q", cred.Versions["alice"])
	}
}

// TestBothOnlyWhereSeveralValuesFit: b on a field that holds one value is
// refused and gold is unchanged; on a multi-valued one it takes every
// version.
func TestBothOnlyWhereSeveralValuesFit(t *testing.T) {
	alice, bob := pair(t)
	gold := model.NewAnnotation(alice.ArticleID, model.GoldAnnotator, alice.Schema)
	s := build(&gold, alice, bob)
	date := itemTitled(t, s, "incident 1", "date")
	before := gold.Clone()
	err := s.Decide(&gold, date, model.DecisionBoth, []string{"alice", "bob"}, "carol", now)
	if !errors.Is(err, ErrOneValue) {
		t.Fatalf("b on the date: %v, want ErrOneValue", err)
	}
	if len(gold.Incidents) != len(before.Incidents) || len(gold.Decisions) != 0 {
		t.Fatalf("a refused decision changed gold")
	}
	hajin := item(t, s, s.rangeKey("span", at(t, "Hajin", 0)))
	if !hajin.Multi {
		t.Fatalf("a stretch of mentions can hold several")
	}
	if err := s.Decide(&gold, hajin, model.DecisionBoth, []string{"alice", "bob"}, "carol", now); err != nil {
		t.Fatal(err)
	}
	labels := map[string]bool{}
	for _, sp := range gold.Entities {
		labels[sp.Label] = true
	}
	if !labels["GPE"] || !labels["LOC"] {
		t.Errorf("b on Hajin holds %v", labels)
	}
}

// TestDecisionsLast: after alice and bob are adjudicated, comparing alice
// with dave (who agrees with gold except for one label) asks only about
// that label; nothing decided before shows as changed.
func TestDecisionsLast(t *testing.T) {
	alice, bob := pair(t)
	gold, _ := adjudicate(t, alice, bob)
	dave := alice.Clone()
	dave.Annotator = "dave"
	for i, sp := range dave.Entities {
		if sp.Range() == at(t, "Hajin", 0) {
			dave.Entities[i].Label = "LOC"
			e := dave.Entities[i].Entity
			for j := range dave.Referents {
				if dave.Referents[j].ID == e {
					dave.Referents[j].Label = "LOC"
				}
			}
		}
	}
	// dave graded as bob did, and credibility as bob did: what gold holds.
	dave.Sources[0].Reliability = "D"
	for i := range dave.Claims {
		if dave.Claims[i].Credibility == "2" {
			dave.Claims[i].Credibility = "3"
		}
	}
	s := build(&gold, alice, &dave)
	var open []string
	for _, it := range s.Items {
		if it.Undecided() {
			open = append(open, it.Title)
		}
	}
	if len(open) != 1 || open[0] != "“Hajin”" {
		t.Errorf("comparing alice with dave asks about %q; want only Hajin", open)
	}
	for _, it := range s.Agreed() {
		// What A still accepts is what gold holds already (an entity only
		// alice had before, now dave's too): recorded, nothing changed.
		if it.Versions["alice"] != it.Gold || it.Versions["dave"] != it.Gold {
			t.Errorf("A would accept %s: %q, gold %q", it.Title, it.Versions, it.Gold)
		}
	}
	// And alice changing her mind on the date shows that item only.
	changed := alice.Clone()
	changed.Incidents[0].Fields["date"] = model.Value{Date: &model.Date{Start: "2018-05-02", Precision: "day"}}
	s = build(&gold, &changed, bob)
	open = nil
	for _, it := range s.Items {
		if it.State == Changed {
			open = append(open, it.Field)
		}
	}
	if !slices.Equal(open, []string{"date"}) {
		t.Errorf("after alice changed the date, changed items: %q", open)
	}
}

// TestIncidentsPairedAsAgreePairsThem: two incidents in opposite orders
// are paired by type and date, as agree.Align pairs them, not by
// position.
func TestIncidentsPairedAsAgreePairsThem(t *testing.T) {
	mk := func(who string, order []int) *model.Annotation {
		b := newVersion(t, who)
		b.span("Hajin", 0, "GPE", "Hajin")
		incs := []model.Incident{
			{ID: "x", Fields: map[string]model.Value{"event_type": {Text: "Armed clash"}, "date": {Date: &model.Date{Start: "2018-05-03", Precision: "day"}}}},
			{ID: "y", Fields: map[string]model.Value{"event_type": {Text: "Suicide bomb"}, "date": {Date: &model.Date{Start: "2018-09-20", Precision: "day"}}}},
		}
		for _, k := range order {
			inc := incs[k]
			inc.ID = b.a.NewID("i")
			b.a.Incidents = append(b.a.Incidents, inc)
		}
		return b.done()
	}
	alice, bob := mk("alice", []int{0, 1}), mk("bob", []int{1, 0})
	s := build(nil, alice, bob)
	al := agree.Align(text, []*model.Annotation{alice, bob}, model.DefaultSchema(), agree.DefaultAlignOptions())
	if len(al.Incidents) != 2 {
		t.Fatalf("agree aligns %d incident groups", len(al.Incidents))
	}
	for _, it := range s.Items {
		if it.Kind == KindIncident && it.Field != "" && it.State != Agree {
			t.Errorf("%s: %s (%q): paired by position?", it.Title, it.State.Mark(), it.Versions)
		}
	}
}

// TestStartFromOneVersion: one coder, one reviewer: gold starts as her
// version, every item decided, valid.
func TestStartFromOneVersion(t *testing.T) {
	alice, _ := pair(t)
	gold := model.NewAnnotation(alice.ArticleID, model.GoldAnnotator, alice.Schema)
	next, err := Start(text, model.DefaultSchema(), "alice", alice, gold, "carol", now)
	if err != nil {
		t.Fatal(err)
	}
	model.GroupMentions(&next, text)
	if errs := model.Validate(&next, text, model.DefaultSchema()); errs != nil {
		t.Fatalf("gold from alice's version is not valid: %v", errs)
	}
	if len(next.Entities) != len(alice.Entities) || len(next.Referents) != len(alice.Referents) || len(next.Claims) != 2 ||
		len(next.Incidents) != 1 || len(next.Sources) != 1 {
		t.Errorf("gold from alice's: %d spans, %d entities, %d claims, %d incidents, %d grades",
			len(next.Entities), len(next.Referents), len(next.Claims), len(next.Incidents), len(next.Sources))
	}
	s := build(&next, alice)
	if s.Open() != 0 {
		t.Errorf("%d items open right after starting", s.Open())
	}
}

// TestGroupingTakenEitherWay: alice has SDF and Syrian Democratic Forces
// as one entity, bob as two; the grouping item differs, and taking either
// version regroups gold's mentions accordingly.
func TestGroupingTakenEitherWay(t *testing.T) {
	alice, bob := pair(t)
	b := bob.Clone()
	for i := range b.Referents {
		if b.Referents[i].Name == "Syrian Democratic Forces" {
			b.Referents[i].Aliases = nil
		}
	}
	for i, s := range b.Entities {
		if text[s.Start:s.End] == "SDF" {
			b.Entities[i].Entity = ""
		}
	}
	// bob's SDF mentions get an entity of their own, named SDF.
	model.GroupMentions(&b, text)
	for who, want := range map[string]int{"alice": 1, "bob": 2} {
		gold := model.NewAnnotation(alice.ArticleID, model.GoldAnnotator, alice.Schema)
		s := build(&gold, alice, &b)
		if _, err := s.AcceptAgreed(&gold, "carol", now); err != nil {
			t.Fatal(err)
		}
		s = build(&gold, alice, &b)
		grouping := itemTitled(t, s, "entity “Syrian Democratic Forces”", fieldGrouping)
		if grouping.State != Disagree {
			t.Fatalf("grouping: %s %q", grouping.State.Mark(), grouping.Versions)
		}
		if err := s.Decide(&gold, grouping, model.DecisionTaken, []string{who}, "carol", now); err != nil {
			t.Fatal(err)
		}
		ents := map[string]bool{}
		for _, sp := range gold.Entities {
			if w := text[sp.Start:sp.End]; w == "SDF" || w == "Syrian Democratic Forces" {
				ents[sp.Entity] = true
			}
		}
		if len(ents) != want {
			t.Errorf("taking %s's grouping: SDF and Syrian Democratic Forces are %d entities in gold, want %d", who, len(ents), want)
		}
		check(t, 0, who+"'s grouping", &gold)
	}
}
