package review

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

// mutate changes a version at random: drops mentions (and what refers to
// them), relabels one, splits an entity, drops a claim, changes fields.
func mutate(r *rand.Rand, a *model.Annotation) {
	for _, s := range slices.Clone(a.Entities) {
		if r.IntN(6) == 0 {
			model.RemoveSpan(a, s, text)
		}
	}
	if len(a.Entities) > 0 && r.IntN(2) == 0 {
		i := r.IntN(len(a.Entities))
		// A label of its own: a new entity for it.
		a.Entities[i].Label = []string{"ORG", "GPE", "LOC", "PER"}[r.IntN(4)]
		a.Entities[i].Entity = ""
	}
	if len(a.Entities) > 2 && r.IntN(2) == 0 {
		// Split one mention off its entity.
		a.Entities[r.IntN(len(a.Entities))].Entity = ""
	}
	model.GroupMentions(a, text)
	if len(a.Claims) > 0 && r.IntN(3) == 0 {
		model.RemoveClaim(a, a.Claims[r.IntN(len(a.Claims))].ID)
	}
	for i := range a.Claims {
		if r.IntN(2) == 0 {
			a.Claims[i].Credibility = []string{"", "1", "4", "6"}[r.IntN(4)]
		}
	}
	if len(a.Incidents) > 0 && r.IntN(2) == 0 {
		n := r.IntN(100)
		a.Incidents[0].Fields["wounded"] = model.Value{Count: &model.Count{Best: &n}}
	}
	if r.IntN(3) == 0 {
		a.Incidents = append(a.Incidents, model.Incident{ID: a.NewID("i"), Fields: map[string]model.Value{
			"event_type": {Text: "Suicide bomb"}, "date": {Date: &model.Date{Start: "2018-09-20", Precision: "day"}}}})
	}
	for i := range a.Referents {
		if r.IntN(4) == 0 {
			a.Referents[i].ExternalIDs = append(a.Referents[i].ExternalIDs, "wikidata:Q1")
		}
	}
	if r.IntN(3) == 0 {
		a.Sources = nil
	}
}

// TestAnyWalkKeepsGoldWhole: whatever versions and whatever choices the
// reviewer makes (take any version, both where several fit, none where
// allowed, accept the agreements), gold stays a valid annotation after
// every decision and the walk ends with nothing left to decide.
func TestAnyWalkKeepsGoldWhole(t *testing.T) {
	seeds := uint64(200)
	if testing.Short() {
		seeds = 40
	}
	for seed := uint64(0); seed < seeds; seed++ {
		r := rand.New(rand.NewPCG(seed, 17))
		alice, bob := pair(t)
		a, b := alice.Clone(), bob.Clone()
		mutate(r, &a)
		mutate(r, &b)
		c := a.Clone()
		c.Annotator = "carol"
		mutate(r, &c)
		vs := []*model.Annotation{&a, &b}
		if seed%3 == 0 {
			vs = append(vs, &c)
		}
		gold := model.NewAnnotation(a.ArticleID, model.GoldAnnotator, a.Schema)
		s := build(&gold, vs...)
		if seed%2 == 0 {
			if _, err := s.AcceptAgreed(&gold, "rita", now); err != nil {
				t.Fatalf("seed %d: A: %v", seed, err)
			}
			check(t, seed, "A", &gold)
		}
		for round := 0; ; round++ {
			s = build(&gold, vs...)
			var open *Item
			for _, it := range s.Items {
				if it.Undecided() || it.Decision == nil && it.State == Agree && len(it.Havers(s.Annotators)) > 0 {
					open = it
					break
				}
			}
			if open == nil {
				break
			}
			if round > 400 {
				t.Fatalf("seed %d: the walk never ends (at %s: %s, %q)", seed, open.Key, open.State.Mark(), open.Versions)
			}
			havers := open.Havers(s.Annotators)
			var err error
			switch k := r.IntN(4); {
			case k == 0 && open.Multi && len(havers) > 0:
				err = s.Decide(&gold, open, model.DecisionBoth, havers, "rita", now)
			case k == 1 && !open.Required:
				err = s.Decide(&gold, open, model.DecisionRejected, nil, "rita", now)
			default:
				if len(havers) == 0 {
					err = s.Decide(&gold, open, model.DecisionRejected, nil, "rita", now)
					break
				}
				err = s.Decide(&gold, open, model.DecisionTaken, havers[r.IntN(len(havers)):][:1], "rita", now)
			}
			if err != nil {
				t.Fatalf("seed %d: %s: %v", seed, open.Key, err)
			}
			check(t, seed, open.Key, &gold)
		}
	}
}

func check(t *testing.T, seed uint64, after string, gold *model.Annotation) {
	t.Helper()
	g := gold.Clone()
	model.GroupMentions(&g, text)
	if errs := model.Validate(&g, text, model.DefaultSchema()); errs != nil {
		t.Fatalf("seed %d: after %s gold is not valid: %v", seed, after, errs)
	}
}
