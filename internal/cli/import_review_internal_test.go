package cli

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/annotate-tool/annotate/internal/formats"
	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/review"
)

// TestReviewDecisions: gold imported from a review record gets a decision
// on each item review builds, naming the sessions whose version it took;
// review then finds every item decided.
func TestReviewDecisions(t *testing.T) {
	text := "Harrow Front hit Tabqa; Amaq said so in Velmo."
	at := func(s string) model.Range {
		i := strings.Index(text, s)
		return model.Range{Start: i, End: i + len(s)}
	}
	ann := func(who string, spans ...model.Span) *model.Annotation {
		a := model.NewAnnotation(model.ArticleID(text), who, "")
		for i, s := range spans {
			s.ID = "e" + strconv.Itoa(i+1)
			a.Entities = append(a.Entities, s)
		}
		a.NextID = len(spans) + 1
		return &a
	}
	span := func(s, label string) model.Span {
		r := at(s)
		return model.Span{Start: r.Start, End: r.End, Label: label}
	}
	linked := func(a *model.Annotation, spanText, id string) *model.Annotation {
		model.GroupMentions(a, text)
		for _, s := range a.Entities {
			if text[s.Start:s.End] == spanText {
				for i := range a.Referents {
					if a.Referents[i].ID == s.Entity {
						a.Referents[i].ExternalIDs = []string{id}
					}
				}
			}
		}
		return a
	}
	// Harrow Front: ann links it to Q1, bo to Q2; gold takes bo's link.
	// Tabqa: ann GPE, bo LOC; gold has both (no session's version).
	// Amaq: ann and bo; gold drops it. Velmo: gold's alone. cy rejected
	// the text (no version).
	a := linked(ann("d-ann", span("Harrow Front", "ORG"), span("Tabqa", "GPE"), span("Amaq", "ORG")), "Harrow Front", "kb:Q1")
	b := linked(ann("d-bo", span("Harrow Front", "ORG"), span("Tabqa", "LOC"), span("Amaq", "ORG")), "Harrow Front", "kb:Q2")
	gold := linked(ann(model.GoldAnnotator, span("Harrow Front", "ORG"), span("Tabqa", "GPE"), span("Tabqa", "LOC"), span("Velmo", "GPE")), "Harrow Front", "kb:Q2")
	when := time.Unix(1767225600, 0).UTC()
	src := &formats.ReviewSource{By: "rev-kim", At: when, Versions: []formats.SessionVersion{
		{Session: "d-bo", Annotation: b}, {Session: "d-ann", Annotation: a}, {Session: "d-cy"}}}
	schema := model.DefaultSchema()
	decisions := reviewDecisions(text, schema, *gold, src)
	kinds := map[string]string{}
	for _, d := range decisions {
		kinds[d.Item] = d.Kind + " " + strings.Join(d.From, ",")
		if d.By != "rev-kim" || !d.At.Equal(when) || len(d.Seen) != 3 {
			t.Errorf("%+v: want by rev-kim at the record's time, seeing d-ann, d-bo and d-cy", d)
		}
	}
	for item, want := range map[string]string{
		"span 0-12":  "taken d-ann,d-bo", // not accepted: d-cy has none
		"span 17-22": "edited ",
		"span 24-28": "rejected ",
		"span 40-45": "edited ",
	} {
		if kinds[item] != want {
			t.Errorf("%s: %q, want %q (all: %v)", item, kinds[item], want, kinds)
		}
	}
	if !slices.ContainsFunc(decisions, func(d model.Decision) bool {
		return strings.HasPrefix(d.Item, "entity 0-12") && d.Kind == model.DecisionTaken && slices.Equal(d.From, []string{"d-bo"})
	}) {
		t.Errorf("no decision taking d-bo's link of Harrow Front: %v", kinds)
	}
	gold.Decisions = decisions
	empty := model.NewAnnotation(model.ArticleID(text), "d-cy", "")
	set := review.Build(text, schema, []string{"d-ann", "d-bo", "d-cy"}, map[string]*model.Annotation{"d-ann": a, "d-bo": b, "d-cy": &empty}, gold)
	for _, it := range set.Items {
		if it.State != review.Decided {
			t.Errorf("%s: %s, want decided", it.Key, it.State.Mark())
		}
	}
}
