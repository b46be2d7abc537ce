package model

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// validationText mixes ASCII, Arabic (2-byte letters), an emoji (4 bytes)
// and a CRLF, so that "inside a character" has several meanings.
const validationText = "ISIS claimed 53 SDF fighters were killed near Raqqa on Thursday.\r\n" +
	"سالم الراوي, an SDF spokeswoman 😀, said the figure was exaggerated."

// at returns the byte range of the first occurrence of sub in the
// validation text, failing the test when it is not there.
func at(t *testing.T, sub string) (int, int) {
	t.Helper()
	i := strings.Index(validationText, sub)
	if i < 0 {
		t.Fatalf("%q is not in the validation text", sub)
	}
	return i, i + len(sub)
}

func intp(n int) *int { return &n }

// validAnnotation is an annotation with every layer filled in that passes
// Validate against validationText and the default schema. Each case below
// breaks it in one place.
func validAnnotation(t *testing.T) Annotation {
	t.Helper()
	span := func(id, sub, label, entity string) Span {
		s, e := at(t, sub)
		return Span{ID: id, Start: s, End: e, Label: label, Entity: entity}
	}
	rng := func(sub string) Range {
		s, e := at(t, sub)
		return Range{s, e}
	}
	cue, said := rng("claimed"), rng("said")
	return Annotation{
		ArticleID: "a1",
		Annotator: "alice",
		Schema:    "conflict-incidents",
		Status:    StatusInProgress,
		Entities: []Span{
			span("e1", "ISIS", "ORG", "n1"),
			span("e2", "53", "COUNT", "n2"),
			span("e3", "SDF fighters", "ORG", "n3"),
			span("e4", "Raqqa", "GPE", "n4"),
			span("e5", "Thursday", "TIME", "n5"),
			span("e6", "سالم الراوي", "PER", "n6"),
			span("e7", "SDF", "ORG", "n3"), // nested inside e3 "SDF fighters": spans may nest
		},
		// Two mentions of the SDF are one entity; the spokeswoman speaks
		// for it.
		Referents: []Entity{
			{ID: "n1", Name: "Islamic State", Label: "ORG", Aliases: []string{"ISIS"}, ExternalIDs: []string{"wikidata:Q2429253"}, Registry: "r1"},
			{ID: "n2", Name: "53", Label: "COUNT"},
			{ID: "n3", Name: "Syrian Democratic Forces", Label: "ORG", Aliases: []string{"SDF", "SDF fighters"}},
			{ID: "n4", Name: "Raqqa", Label: "GPE"},
			{ID: "n5", Name: "Thursday", Label: "TIME"},
			{ID: "n6", Name: "سالم الراوي", Label: "PER", Affiliations: []Affiliation{{Entity: "n3", Role: "spokesperson"}}},
		},
		Claims: []Claim{
			{
				ID:        "c1",
				Claimant:  Claimant{SpanID: "e1"},
				Cue:       &cue,
				Content:   []Range{rng("53 SDF fighters were killed")},
				Type:      "casualties",
				Polarity:  "asserts",
				Certainty: "probable",
				Figures: []Figure{
					ExactFigure(53, "killed"),
					{Counts: "vehicles destroyed", Qualifier: QualifierApproximate, Low: intp(3), High: intp(9), Text: "several"},
				},
				Credibility: "3",
			},
			{
				ID:             "c2",
				Claimant:       Claimant{SpanID: "e6"},
				Cue:            &said,
				Content:        []Range{rng("the figure was exaggerated")},
				Type:           "casualties",
				Polarity:       "denies",
				Certainty:      "certain",
				Stance:         &Stance{Kind: "disputes_magnitude", ClaimID: "c1"},
				SelfInterested: true,
				Credibility:    "4",
			},
			{
				ID:       "c3",
				Claimant: Claimant{Name: "officials"},
				Content:  []Range{rng("😀")},
			},
		},
		Incidents: []Incident{{
			ID: "i1",
			Fields: map[string]Value{
				"event_type":   {Text: "Armed clash"},
				"status":       {Text: "claimed only"},
				"date":         {Date: &Date{Start: "2024-02-29", End: "2024-03-01", Precision: "day"}},
				"location":     {List: []string{"e4"}},
				"perpetrators": {List: []string{"e1"}},
				"targets":      {List: []string{"e3", "e7"}},
				"tactics":      {List: []string{"2", "3", "9"}},
				"weapons":      {List: []string{"5", "6"}},
				"killed":       {Count: &Count{Low: intp(0), Best: intp(53), High: intp(53)}},
				"wounded":      {Count: &Count{Best: intp(4)}},
				"kidnapped":    {Number: intp(0)},
				"notes":        {Text: "ISIS claimed 53 SDF fighters killed; the SDF disputed the figure."},
			},
			Evidence: map[string][]string{
				"killed":       {"c1", "c2", "e2"},
				"perpetrators": {"e1"},
			},
		}},
		Sources: []SourceGrade{
			{Source: "ISIS", SpanID: "e1", Entity: "n1", Reliability: "D", Rationale: "party to the fighting"},
			{Source: "outlet", Reliability: "B"},
		},
		Rejected: []Rejection{{Start: 16, End: 19, Label: "ORG"}},
		Review: &Review{State: ReviewReturned, By: "carol", Seen: map[string]string{"span 0-4": "d1"},
			Comments: []Comment{{Item: "span 0-4", Text: "ISIS is the group here", By: "carol",
				Replies: []Comment{{Item: "span 0-4", Text: "relabelled", By: "alice"}}}}},
		NextID: 17,
	}
}

func TestValidateAcceptsValid(t *testing.T) {
	a := validAnnotation(t)
	for _, e := range Validate(&a, validationText, DefaultSchema()) {
		t.Errorf("valid annotation refused: %v", e)
	}
	empty := NewAnnotation("a1", "alice", "conflict-incidents")
	for _, e := range Validate(&empty, validationText, DefaultSchema()) {
		t.Errorf("empty annotation refused: %v", e)
	}
	// Comments before any review state (two annotators and a reviewer
	// commenting), and an accepted review, are valid too.
	for _, st := range []string{ReviewNone, ReviewAccepted} {
		a.Review.State = st
		for _, e := range Validate(&a, validationText, DefaultSchema()) {
			t.Errorf("review in state %q refused: %v", st, e)
		}
	}
}

func TestValidateErrors(t *testing.T) {
	// Byte offsets inside multi-byte characters of the text.
	arabicStart, arabicEnd := at(t, "سالم الراوي")
	emojiStart, emojiEnd := at(t, "😀")
	setField := func(name string, v Value) func(a *Annotation) {
		return func(a *Annotation) { a.Incidents[0].Fields[name] = v }
	}
	count := func(low, best, high *int) Value { return Value{Count: &Count{Low: low, Best: best, High: high}} }

	tests := []struct {
		name   string
		change func(a *Annotation)
		path   string // the one error's Path
		msg    string // part of its Message
	}{
		{"unknown status", func(a *Annotation) { a.Status = "finished" }, "status", `unknown status "finished"`},
		// The entity says why its label differs, so the unknown label is
		// the one problem (TestValidateReportsEveryProblem has both).
		{"unknown label", func(a *Annotation) { a.Entities[4].Label = "DATE"; a.Referents[4].LabelNote = "see why" }, "entities[e5].label", `unknown label "DATE"`},
		{"label in lower case", func(a *Annotation) { a.Entities[1].Label = "count"; a.Referents[1].LabelNote = "see why" }, "entities[e2].label", `unknown label "count"`},
		{"span without id", func(a *Annotation) { a.Entities[4].ID = "" }, "entities[4].id", "no id"},
		{"duplicate span id", func(a *Annotation) { a.Entities[4].ID = "e4" }, "entities[e4].id", "duplicate id"},
		{"span past the end", func(a *Annotation) { a.Entities[4].End = len(validationText) + 1 }, "entities[e5]", "outside the text"},
		{"span before the start", func(a *Annotation) { a.Entities[0].Start = -1 }, "entities[e1]", "outside the text"},
		{"span start inside a character", func(a *Annotation) { a.Entities[5].Start = arabicStart + 1 }, "entities[e6]", "inside a character"},
		{"span end inside a character", func(a *Annotation) { a.Entities[5].End = arabicEnd - 1 }, "entities[e6]", "inside a character"},
		{"empty span", func(a *Annotation) { a.Entities[1].End = a.Entities[1].Start }, "entities[e2]", "empty"},
		{"reversed span", func(a *Annotation) { a.Entities[1].Start, a.Entities[1].End = a.Entities[1].End, a.Entities[1].Start }, "entities[e2]", "empty"},

		{"claimant refers to unknown span", func(a *Annotation) { a.Claims[0].Claimant.SpanID = "e99" }, "claims[c1].claimant", `unknown span "e99"`},
		{"cue end inside emoji", func(a *Annotation) { a.Claims[2].Cue = &Range{emojiStart, emojiEnd - 2} }, "claims[c3].cue", "inside a character"},
		{"claim without content", func(a *Annotation) { a.Claims[0].Content = nil }, "claims[c1].content", "content span"},
		{"content start inside emoji", func(a *Annotation) { a.Claims[2].Content[0].Start = emojiStart + 3 }, "claims[c3].content[0]", "inside a character"},
		{"unknown claim type", func(a *Annotation) { a.Claims[0].Type = "rumour" }, "claims[c1].type", `unknown value "rumour"`},
		{"unknown polarity", func(a *Annotation) { a.Claims[0].Polarity = "maybe" }, "claims[c1].polarity", `"maybe"`},
		{"unknown certainty", func(a *Annotation) { a.Claims[0].Certainty = "sure" }, "claims[c1].certainty", `"sure"`},
		{"unknown stance", func(a *Annotation) { a.Claims[1].Stance.Kind = "refutes" }, "claims[c2].stance", `"refutes"`},
		{"stance on unknown claim", func(a *Annotation) { a.Claims[1].Stance.ClaimID = "c9" }, "claims[c2].stance", `unknown claim "c9"`},
		{"stance on itself", func(a *Annotation) { a.Claims[1].Stance.ClaimID = "c2" }, "claims[c2].stance", `unknown claim "c2"`},
		{"negative figure", func(a *Annotation) { *a.Claims[0].Figures[0].Value = -53 }, "claims[c1].figures[0]", "negative"},
		{"figure counts not in the schema", func(a *Annotation) { a.Claims[0].Figures[1].Counts = "tanks" }, "claims[c1].figures[1].counts", `unknown value "tanks"`},
		{"figure with unknown qualifier", func(a *Annotation) { a.Claims[0].Figures[1].Qualifier = "many" }, "claims[c1].figures[1]", `unknown qualifier "many"`},
		{"figure low above high", func(a *Annotation) { *a.Claims[0].Figures[1].Low = 10 }, "claims[c1].figures[1]", "low 10 is above high 9"},
		{"exact figure with other bounds", func(a *Annotation) { *a.Claims[0].Figures[0].High = 60 }, "claims[c1].figures[0]", "exact 53 allows low 53, high 53"},
		{"more than figure with its own number as low", func(a *Annotation) {
			a.Claims[0].Figures[0].Qualifier = QualifierMoreThan
			a.Claims[0].Figures[0].High = nil
		}, "claims[c1].figures[0]", "more than 53 allows low 54, high open"},
		{"unknown credibility grade", func(a *Annotation) { a.Claims[0].Credibility = "7" }, "claims[c1].credibility", `unknown credibility grade "7"`},
		{"credibility as a letter", func(a *Annotation) { a.Claims[0].Credibility = "A" }, "claims[c1].credibility", `"A"`},

		{"unknown source grade", func(a *Annotation) { a.Sources[0].Reliability = "G" }, "sources[0].reliability", `unknown reliability grade "G"`},
		{"source grade as a number", func(a *Annotation) { a.Sources[1].Reliability = "1" }, "sources[1].reliability", `"1"`},
		{"source without name", func(a *Annotation) { a.Sources[1].Source = "  " }, "sources[1].source", "name"},
		{"source refers to unknown span", func(a *Annotation) { a.Sources[0].SpanID = "e42" }, "sources[0].span", `unknown span "e42"`},

		// The entity rules.
		{"mention of no entity", func(a *Annotation) { a.Entities[6].Entity = "" }, "entities[e7].entity", "belongs to no entity"},
		{"mention of an unknown entity", func(a *Annotation) { a.Entities[6].Entity = "n44" }, "entities[e7].entity", `unknown entity "n44"`},
		{"mention of another label", func(a *Annotation) { a.Entities[6].Label = "NORP" }, "entities[e7].entity", "the mention is NORP but its entity n3 is ORG"},
		{"duplicate entity id", func(a *Annotation) { a.Referents = append(a.Referents, Entity{ID: "n1", Name: "ISIS", Label: "ORG"}) }, "referents[n1].id", "duplicate id"},
		{"entity without name", func(a *Annotation) { a.Referents[2].Name = " \t" }, "referents[n3].name", "needs a name"},
		{"entity of unknown label", func(a *Annotation) { a.Referents[2].Label = "ARMY"; a.Referents[2].LabelNote = "armies are ORG" }, "referents[n3].label", `unknown label "ARMY"`},
		{"a label note lets the entity differ (the one error is the external id)", func(a *Annotation) {
			a.Referents[2].Label = "NORP"
			a.Referents[2].LabelNote = "the Kurds as a people"
			a.Referents[0].ExternalIDs = []string{"Q2429253"}
		}, "referents[n1].external_ids", `"Q2429253" is not scheme:id`},
		{"external id without scheme", func(a *Annotation) { a.Referents[0].ExternalIDs = []string{":Q2429253"} }, "referents[n1].external_ids", "not scheme:id"},
		{"entity without mentions", func(a *Annotation) {
			a.Referents = append(a.Referents, Entity{ID: "n9", Name: "Hasakah", Label: "GPE"})
		}, "referents[n9]", "no mention refers to this entity"},
		{"affiliation to unknown entity", func(a *Annotation) { a.Referents[5].Affiliations[0].Entity = "n30" }, "referents[n6].affiliations", `unknown entity "n30"`},
		{"affiliation to itself", func(a *Annotation) { a.Referents[5].Affiliations[0].Entity = "n6" }, "referents[n6].affiliations", `unknown entity "n6"`},
		{"affiliation with unknown role", func(a *Annotation) { a.Referents[5].Affiliations[0].Role = "boss" }, "referents[n6].affiliations", `unknown role "boss" (use spokesperson, member, commander, leader, part_of)`},
		{"grade of unknown entity", func(a *Annotation) { a.Sources[0].Entity = "n12" }, "sources[0].entity", `unknown entity "n12"`},

		{"count low above best", setField("killed", count(intp(60), intp(53), intp(70))), "incidents[i1].killed", "low 60 is above best 53"},
		{"count best above high", setField("killed", count(intp(10), intp(60), intp(53))), "incidents[i1].killed", "best 60 is above high 53"},
		{"count low above high, no best", setField("wounded", count(intp(9), nil, intp(3))), "incidents[i1].wounded", "low 9 is above high 3"},
		{"negative low", setField("killed", count(intp(-1), intp(53), nil)), "incidents[i1].killed", "low -1 is negative"},
		{"negative best", setField("wounded", count(nil, intp(-4), nil)), "incidents[i1].wounded", "best -4 is negative"},
		{"negative high", setField("wounded", count(nil, nil, intp(-4))), "incidents[i1].wounded", "high -4 is negative"},
		{"count given as a number", setField("killed", Value{Number: intp(53)}), "incidents[i1].killed", "low, best and high"},
		{"negative number", setField("kidnapped", Value{Number: intp(-2)}), "incidents[i1].kidnapped", "negative"},
		{"number given as text", setField("kidnapped", Value{Text: "two"}), "incidents[i1].kidnapped", "whole number"},
		{"unknown choice", setField("event_type", Value{Text: "Picnic"}), "incidents[i1].event_type", `"Picnic" is not in the list`},
		{"choice by its group", setField("event_type", Value{Text: "Battles"}), "incidents[i1].event_type", `"Battles"`},
		{"too many multichoice values", setField("tactics", Value{List: []string{"1", "2", "3", "4"}}), "incidents[i1].tactics", "at most 3 values, got 4"},
		{"unknown multichoice value", setField("weapons", Value{List: []string{"5", "14"}}), "incidents[i1].weapons", `"14" is not in the list`},
		{"multichoice value twice", setField("weapons", Value{List: []string{"5", "5"}}), "incidents[i1].weapons", `"5" is given twice`},
		{"text field given a list", setField("notes", Value{List: []string{"x"}}), "incidents[i1].notes", "takes text"},
		{"impossible date", setField("date", Value{Date: &Date{Start: "2024-02-30"}}), "incidents[i1].date", "2024-02-30 does not exist"},
		{"not a leap year", setField("date", Value{Date: &Date{Start: "2023-02-29"}}), "incidents[i1].date", "February 2023 has 28 days"},
		{"date in another format", setField("date", Value{Date: &Date{Start: "29/02/2024"}}), "incidents[i1].date", "YYYY-MM-DD"},
		{"bad end date", setField("date", Value{Date: &Date{Start: "2024-03-01", End: "2024-13-01"}}), "incidents[i1].date", "end 2024-13-01 does not exist"},
		{"end before start", setField("date", Value{Date: &Date{Start: "2024-03-02", End: "2024-03-01"}}), "incidents[i1].date", "end 2024-03-01 is before start 2024-03-02"},
		{"unknown precision", setField("date", Value{Date: &Date{Start: "2024-03-02", Precision: "fortnight"}}), "incidents[i1].date", `unknown precision "fortnight"`},
		{"date given as text", setField("date", Value{Text: "Thursday"}), "incidents[i1].date", "takes a date"},
		{"entity field with unknown span", setField("location", Value{List: []string{"e77"}}), "incidents[i1].location", `unknown span "e77"`},
		{"entity field with wrong label", setField("location", Value{List: []string{"e1"}}), "incidents[i1].location", "span e1 is ORG"},
		{"single entity field with two spans", setField("claimed_by", Value{List: []string{"e1", "e3"}}), "incidents[i1].claimed_by", "takes one entity, got 2"},
		{"unknown field", setField("casualties", Value{Text: "53"}), "incidents[i1].casualties", "unknown field"},
		{"evidence refers to unknown id", func(a *Annotation) { a.Incidents[0].Evidence["killed"] = []string{"c1", "x5"} }, "incidents[i1].evidence.killed", `unknown span or claim "x5"`},
		{"evidence for unknown field", func(a *Annotation) { a.Incidents[0].Evidence["casualties"] = []string{"c1"} }, "incidents[i1].evidence.casualties", "unknown field"},
		{"unknown review state", func(a *Annotation) { a.Review.State = "approved" }, "review.state", `unknown review state "approved" (use returned or accepted, or none)`},
		{"review state in capitals", func(a *Annotation) { a.Review.State = "Returned" }, "review.state", `unknown review state "Returned"`},
		{"returned review without reviewer", func(a *Annotation) { a.Review.By = " " }, "review.by", "a returned review names its reviewer"},
		{"accepted review without reviewer", func(a *Annotation) { a.Review.State, a.Review.By = ReviewAccepted, "" }, "review.by", "an accepted review names its reviewer"},
		{"reviewer with a control character", func(a *Annotation) { a.Review.By = "carol\x1b[2J" }, "review.by", "control character"},
		{"comment without text", func(a *Annotation) { a.Review.Comments[0].Text = " \n" }, "review.comments[0].text", "a comment needs its text"},
		{"comment without author", func(a *Annotation) { a.Review.Comments[0].By = "" }, "review.comments[0].by", "a comment names who wrote it"},
		{"reply without author", func(a *Annotation) { a.Review.Comments[0].Replies[0].By = "  " }, "review.comments[0].replies[0].by", "a comment names who wrote it"},
		{"reply without text", func(a *Annotation) { a.Review.Comments[0].Replies[0].Text = "" }, "review.comments[0].replies[0].text", "a comment needs its text"},
		{"comment author with a bidi control", func(a *Annotation) { a.Review.Comments[0].By = "carol\u202e" }, "review.comments[0].by", "control character"},
		{"comment where past the text", func(a *Annotation) { a.Review.Comments[0].Where = &Range{Start: 2, End: 100000} }, "review.comments[0].where", "outside"},
		{"incident without id", func(a *Annotation) {
			a.Incidents[0].ID = ""
			a.Incidents[0].Fields["status"] = Value{Text: "rumoured"}
		}, "incidents[0].status", `"rumoured"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := validAnnotation(t)
			tt.change(&a)
			errs := Validate(&a, validationText, DefaultSchema())
			if len(errs) != 1 {
				t.Fatalf("got %d errors %v, want one at %s", len(errs), errs, tt.path)
			}
			e := errs[0]
			if e.Path != tt.path || !strings.Contains(e.Message, tt.msg) {
				t.Errorf("got %q, want path %s and a message containing %q", e, tt.path, tt.msg)
			}
			if got, want := e.Error(), tt.path+": "+e.Message; got != want {
				t.Errorf("Error() = %q, want %q", got, want)
			}
		})
	}
}

// TestValidateReportsEveryProblem: one call lists all problems, not the
// first one only, so the screen can mark every bad field.
func TestValidateReportsEveryProblem(t *testing.T) {
	a := validAnnotation(t)
	a.Entities[4].Label = "DATE"
	a.Claims[0].Type = "rumour"
	a.Sources[0].Reliability = "G"
	a.Incidents[0].Fields["killed"] = Value{Count: &Count{Low: intp(60), Best: intp(53)}}
	a.Incidents[0].Fields["event_type"] = Value{Text: "Picnic"}
	a.Referents[5].Affiliations[0].Role = "boss"
	errs := Validate(&a, validationText, DefaultSchema())
	got := map[string]bool{}
	for _, e := range errs {
		got[e.Path] = true
	}
	// The mention relabelled DATE is both of an unknown label and no
	// longer its entity's (TIME).
	for _, want := range []string{"entities[e5].label", "entities[e5].entity", "referents[n6].affiliations", "claims[c1].type", "sources[0].reliability", "incidents[i1].killed", "incidents[i1].event_type"} {
		if !got[want] {
			t.Errorf("no error at %s; got %v", want, errs)
		}
	}
	if len(errs) != 7 {
		t.Errorf("got %d errors, want 7: %v", len(errs), errs)
	}
}

// TestValidateEntityWithoutID: an entity without an id can have no
// mention (a mention names its entity by id), and both are said.
func TestValidateEntityWithoutID(t *testing.T) {
	a := validAnnotation(t)
	a.Referents[3].ID = ""
	a.Entities[3].Entity = ""
	errs := Validate(&a, validationText, DefaultSchema())
	got := map[string]string{}
	for _, e := range errs {
		got[e.Path] = e.Message
	}
	want := map[string]string{"referents[3].id": "entity has no id", "referents[3]": "no mention refers to this entity", "entities[e4].entity": "the mention belongs to no entity"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestCheckCountAndDate(t *testing.T) {
	counts := []struct {
		c    Count
		want string
	}{
		{Count{}, ""},
		{Count{Best: intp(0)}, ""},
		{Count{Low: intp(3), Best: intp(3), High: intp(3)}, ""},
		{Count{Low: intp(3), High: intp(12)}, ""},
		{Count{Low: intp(4), Best: intp(3)}, "low 4 is above best 3"},
		{Count{Best: intp(4), High: intp(3)}, "best 4 is above high 3"},
		{Count{Low: intp(4), High: intp(3)}, "low 4 is above high 3"},
		{Count{High: intp(-1)}, "high -1 is negative"},
	}
	for _, tt := range counts {
		t.Run(fmt.Sprintf("count %s", fmtCount(tt.c)), func(t *testing.T) {
			checkErr(t, CheckCount(tt.c), tt.want)
		})
	}
	dates := []struct {
		d    Date
		want string
	}{
		{Date{Start: "2024-02-29"}, ""},
		{Date{Start: "2024-02-29", End: "2024-02-29"}, ""},
		{Date{Start: "2024-01-01", End: "2024-12-31", Precision: "year"}, ""},
		{Date{Start: ""}, "is not a date"},
		{Date{Start: "2024-2-3"}, "is not a date"},
		{Date{Start: "2024-02-30"}, "does not exist: February 2024 has 29 days"},
		{Date{Start: "2024-04-31"}, "does not exist: April 2024 has 30 days"},
		{Date{Start: "2024-02-01", End: "2024-01-31"}, "before start"},
		{Date{Start: "2024-02-01", Precision: "Day"}, "unknown precision"},
	}
	for _, tt := range dates {
		t.Run(fmt.Sprintf("date %+v", tt.d), func(t *testing.T) {
			checkErr(t, CheckDate(tt.d), tt.want)
		})
	}
}

func fmtCount(c Count) string {
	f := func(p *int) string {
		if p == nil {
			return "?"
		}
		return fmt.Sprint(*p)
	}
	return f(c.Low) + "/" + f(c.Best) + "/" + f(c.High)
}

func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("got %v, want no error", err)
	case want != "" && err == nil:
		t.Errorf("got no error, want one containing %q", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Errorf("got %q, want it to contain %q", err, want)
	}
}
