package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/review"
	"github.com/annotate-tool/annotate/internal/store/bolt"
)

// seed000 is the shared seed article the review acceptance is run on.
const seed000 = "../../../shared/seeds/000_ed373d2cf08cf9ac.txt"

// seedVersions are alice's and bob's versions of seed 000: they agree on
// the grouping (every ISIS mention one entity "Islamic State" with its
// wikidata id; SDF and Syrian Democratic Forces one entity; Nisreen
// Abdullah and Abdullah one), the spokesperson affiliation and the killed
// count's evidence; they differ on a label (Homs GPE against LOC), a
// missing mention (bob has no Thursday), the ISIS claim's credibility (3
// against 4), the incident's date and the grade of ISIS (E against D).
func seedVersions(t *testing.T, id, text string) (alice, bob model.Annotation) {
	occurrences := func(s string) []model.Range {
		var out []model.Range
		for off := 0; ; {
			i := strings.Index(text[off:], s)
			if i < 0 {
				return out
			}
			out = append(out, model.Range{Start: off + i, End: off + i + len(s)})
			off += i + len(s)
		}
	}
	first := func(s string) model.Range {
		t.Helper()
		rs := occurrences(s)
		if len(rs) == 0 {
			t.Fatalf("seed 000 no longer says %q", s)
		}
		return rs[0]
	}
	make := func(who, homs, date, credibility, grade string, thursday bool) model.Annotation {
		a := model.NewAnnotation(id, who, model.DefaultSchema().Name)
		a.Status = model.StatusDone
		entity := func(name, label string) string {
			for _, e := range a.Referents {
				if e.Name == name {
					return e.ID
				}
			}
			eid := a.NewID("n")
			a.Referents = append(a.Referents, model.Entity{ID: eid, Name: name, Label: label})
			return eid
		}
		span := func(r model.Range, label, ent string) string {
			sid := a.NewID("e")
			a.Entities = append(a.Entities, model.Span{ID: sid, Start: r.Start, End: r.End, Label: label, Entity: entity(ent, label)})
			return sid
		}
		var isis []string
		for _, r := range occurrences("ISIS") {
			isis = append(isis, span(r, "ORG", "Islamic State"))
		}
		span(first("Syrian Democratic Forces"), "ORG", "Syrian Democratic Forces")
		for _, r := range occurrences("SDF") {
			span(r, "ORG", "Syrian Democratic Forces")
		}
		nisreen := span(first("Nisreen Abdullah"), "PER", "Nisreen Abdullah")
		for _, r := range occurrences("Abdullah")[1:] {
			span(r, "PER", "Nisreen Abdullah")
		}
		raqqa := span(first("Raqqa"), "GPE", "Raqqa")
		span(first("Homs province"), homs, "Homs province")
		if thursday {
			span(first("Thursday"), "TIME", "Thursday")
		}
		for i := range a.Referents {
			e := &a.Referents[i]
			switch e.Name {
			case "Islamic State":
				e.Aliases, e.ExternalIDs = []string{"ISIS"}, []string{"wikidata:Q2429253"}
			case "Syrian Democratic Forces":
				e.Aliases, e.ExternalIDs = []string{"SDF"}, []string{"wikidata:Q21036353"}
			}
		}
		sdf := entity("Syrian Democratic Forces", "ORG")
		for i := range a.Referents {
			if a.Referents[i].Name == "Nisreen Abdullah" {
				a.Referents[i].Affiliations = []model.Affiliation{{Entity: sdf, Role: "spokesperson"}}
			}
		}
		// The claimant is the ISIS right before "claimed that".
		claimed := first("ISIS claimed that")
		claimant := ""
		for _, s := range a.Entities {
			if s.Start == claimed.Start {
				claimant = s.ID
			}
		}
		fiftyThree := 53
		isisClaim := model.Claim{ID: a.NewID("c"), Claimant: model.Claimant{SpanID: claimant},
			Content:  []model.Range{first("two armored vehicles were destroyed and 53 members of the SDF were killed")},
			Polarity: "asserts", Credibility: credibility,
			Figures: []model.Figure{{Counts: "killed", Value: &fiftyThree, Qualifier: "exact", Low: &fiftyThree, High: &fiftyThree}}}
		cue := first("claimed that")
		cue.End = cue.Start + len("claimed")
		isisClaim.Cue = &cue
		sdfClaim := model.Claim{ID: a.NewID("c"), Claimant: model.Claimant{SpanID: nisreen},
			Content: []model.Range{first("their estimate was exaggerated")}, Polarity: "asserts",
			Stance: &model.Stance{Kind: "disputes", ClaimID: isisClaim.ID}}
		a.Claims = []model.Claim{isisClaim, sdfClaim}
		a.Sources = []model.SourceGrade{{Source: "Islamic State", SpanID: isis[0], Entity: entity("Islamic State", "ORG"), Reliability: grade}}
		a.Incidents = []model.Incident{{ID: a.NewID("i"), Fields: map[string]model.Value{
			"event_type": {Text: "Armed clash"},
			"date":       {Date: &model.Date{Start: date, Precision: "day"}},
			"location":   {List: []string{raqqa}},
			"killed":     {Count: &model.Count{High: &fiftyThree}},
		}, Evidence: map[string][]string{"killed": {isisClaim.ID}}}}
		if errs := model.Validate(&a, text, model.DefaultSchema()); errs != nil {
			t.Fatalf("%s's version of seed 000 is not valid: %v", who, errs)
		}
		return a
	}
	return make("alice", "GPE", "2017-06-29", "3", "E", true), make("bob", "LOC", "2017-06-30", "4", "D", false)
}

// TestSeed000ReviewKeepsWhatTheyAgreed is the review issue's acceptance on
// the shared seed: two versions adjudicated (A, then a version for each
// difference) give a gold that keeps what they agreed on, exports its
// kb_ids, passes check, and scores the taken annotator 1.0 on spans.
// ANNOTATE_SEED_REVIEW_DB, when set, receives a copy of the database
// before adjudication (to try the review screen on).
func TestSeed000ReviewKeepsWhatTheyAgreed(t *testing.T) {
	data, err := os.ReadFile(seed000)
	if err != nil {
		t.Skipf("the shared seeds are not beside the project (%v): skipping the seed review acceptance", err)
	}
	h := newHarness(t)
	h.mustRun("import", h.write("seed000.txt", data))
	var id string
	field(t, jsonLines(t, h.mustRun("list", "--json").stdout)[0], "id", &id)
	db, err := bolt.Open(h.dbPath(), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	art, err := db.Article(id)
	if err != nil {
		t.Fatal(err)
	}
	alice, bob := seedVersions(t, id, art.Text)
	for _, a := range []model.Annotation{alice, bob} {
		if _, err := db.Save(a, "annotate"); err != nil {
			t.Fatal(err)
		}
	}
	if keep := os.Getenv("ANNOTATE_SEED_REVIEW_DB"); keep != "" {
		copyFile(t, h.dbPath(), keep)
	}
	gold := model.NewAnnotation(id, model.GoldAnnotator, model.DefaultSchema().Name)
	now := time.Now().UTC()
	versions := map[string]*model.Annotation{"alice": &alice, "bob": &bob}
	s := review.Build(art.Text, nil, []string{"alice", "bob"}, versions, &gold)
	if _, err := s.AcceptAgreed(&gold, "carol", now); err != nil {
		t.Fatal(err)
	}
	for round := 0; ; round++ {
		s = review.Build(art.Text, nil, []string{"alice", "bob"}, versions, &gold)
		var open *review.Item
		for _, it := range s.Items {
			if it.Undecided() {
				open = it
				break
			}
		}
		if open == nil {
			break
		}
		if round > 40 {
			t.Fatalf("items never settle: %s", open.Key)
		}
		who := "alice"
		if open.Field == "credibility" || open.Kind == review.KindGrade {
			who = "bob"
		}
		if err := s.Decide(&gold, open, model.DecisionTaken, []string{who}, "carol", now); err != nil {
			t.Fatal(err)
		}
	}
	model.GroupMentions(&gold, art.Text)
	gold.Status = model.StatusDone
	if _, err := db.Save(gold, "review"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	h.mustRun("check")

	// Native: one entity for every ISIS mention, named as they named it,
	// with its external id; SDF and Syrian Democratic Forces one entity;
	// the spokesperson affiliation; the killed count's evidence.
	recs := jsonLines(t, h.mustRun("export", "--format", "native", "--annotator", "gold").stdout)
	var referents []model.Entity
	var incidents []struct {
		Evidence map[string][]string `json:"evidence"`
	}
	field(t, recs[0], "referents", &referents)
	field(t, recs[0], "incidents", &incidents)
	byName := map[string]model.Entity{}
	for _, e := range referents {
		byName[e.Name] = e
	}
	is, ok := byName["Islamic State"]
	if !ok || !slices.Contains(is.ExternalIDs, "wikidata:Q2429253") {
		t.Errorf("gold has no Islamic State with its wikidata id: %+v", referents)
	}
	if _, ok := byName["ISIS"]; ok {
		t.Errorf("gold split ISIS off Islamic State")
	}
	if _, ok := byName["SDF"]; ok {
		t.Errorf("gold split SDF off Syrian Democratic Forces")
	}
	if n := byName["Nisreen Abdullah"]; len(n.Affiliations) != 1 || n.Affiliations[0].Entity != byName["Syrian Democratic Forces"].ID {
		t.Errorf("the spokesperson affiliation: %+v", n.Affiliations)
	}
	if len(incidents) != 1 || len(incidents[0].Evidence["killed"]) != 1 {
		t.Errorf("the killed count's evidence: %+v", incidents)
	}
	// spaCy: every ISIS and SDF mention has its kb_id, as alice's have.
	count := func(who string) int {
		n := 0
		for _, rec := range jsonLines(t, h.mustRun("export", "--format", "spacy", "--annotator", who).stdout) {
			var spans []struct {
				KBID string `json:"kb_id"`
			}
			field(t, rec, "spans", &spans)
			for _, s := range spans {
				if s.KBID != "" {
					n++
				}
			}
		}
		return n
	}
	if g, a := count("gold"), count("alice"); g != a || g == 0 {
		t.Errorf("spaCy kb_ids: gold %d, alice %d", g, a)
	}
	// agree --against gold scores alice (taken) 1.0 on spans.
	out := h.mustRun("agree", "--against", "gold", "--annotators", "alice", "--json").stdout
	var rep struct {
		Entities struct {
			Micro struct {
				F1Strict float64 `json:"f1_strict"`
			} `json:"micro"`
		} `json:"entities"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("agree --json: %v\n%s", err, out)
	}
	if rep.Entities.Micro.F1Strict != 1 {
		t.Errorf("alice against gold: strict F1 %v, want 1\n%s", rep.Entities.Micro.F1Strict, out)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
