package formats

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

// incidentTable writes one annotation's incidents under a column set and
// returns the rows as maps from column name to value.
func incidentTable(t *testing.T, set string, art model.Article, a model.Annotation) []map[string]string {
	t.Helper()
	var buf bytes.Buffer
	iw, err := NewIncidentWriter(&buf, set, model.DefaultSchema())
	if err != nil {
		t.Fatal(err)
	}
	if err := iw.Write(art, a); err != nil {
		t.Fatal(err)
	}
	if err := iw.Flush(); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("not a CSV file: %v", err)
	}
	var out []map[string]string
	for _, row := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = row[i]
		}
		out = append(out, m)
	}
	return out
}

// figureIncident is the seeds' ISIS story: ISIS claims 53 SDF fighters
// killed, an SDF spokeswoman disputes the figure, and the analyst enters 53
// as the high estimate of a disputed incident, the claim as its evidence.
func figureIncident(t *testing.T) (model.Article, model.Annotation) {
	text := "ISIS claimed 53 SDF fighters were killed near Raqqa; an SDF spokeswoman said the figure was exaggerated."
	art := model.Article{ID: model.ArticleID(text), Text: text, Source: "Wire"}
	a := annotationOf(t, text, "ISIS", "ORG", "SDF fighters", "ORG", "Raqqa", "GPE", "an SDF spokeswoman", "PER")
	content := func(sub string) []model.Range {
		i := strings.Index(text, sub)
		return []model.Range{{Start: i, End: i + len(sub)}}
	}
	a.Claims = []model.Claim{
		{ID: "c5", Claimant: model.Claimant{SpanID: "e1"}, Content: content("53 SDF fighters were killed"), Type: "casualties",
			Figures: []model.Figure{model.ExactFigure(53, "killed")}, SelfInterested: true, Credibility: "4"},
		{ID: "c6", Claimant: model.Claimant{SpanID: "e4"}, Content: content("the figure was exaggerated"), Type: "casualties",
			Polarity: "denies", Stance: &model.Stance{Kind: "disputes_magnitude", ClaimID: "c5"}},
	}
	high := 53
	a.Incidents = []model.Incident{{ID: "i7", Fields: map[string]model.Value{
		"event_type":   {Text: "Armed clash"},
		"status":       {Text: "disputed"},
		"perpetrators": {List: []string{"e1"}},
		"killed":       {Count: &model.Count{High: &high}},
	}, Evidence: map[string][]string{"killed": {"c5"}}}}
	if errs := model.Validate(&a, text, model.DefaultSchema()); len(errs) > 0 {
		t.Fatalf("test annotation is not valid: %v", errs)
	}
	return art, a
}

// TestIncidentTablesDisputedHighOnly: a disputed figure known only as a
// high estimate is shown as claimed, by whom and disputed by whom, in every
// column set, and no column invents a low or best estimate from it.
func TestIncidentTablesDisputedHighOnly(t *testing.T) {
	art, a := figureIncident(t)
	for _, tt := range []struct {
		set   string
		want  map[string]string
		notes []string // parts of annotate_coding_notes
	}{
		{"acled", map[string]string{"fatalities": "53"}, []string{"fatalities 53 is the high estimate", "no low or best"}},
		{"gtd", map[string]string{"nkill": "", "nwound": ""}, []string{"nkill left empty", "high estimate 53"}},
		{"ucdp", map[string]string{"best": "", "low": "", "high": "53", "deaths_unknown": "", "deaths_a": ""}, []string{"low and best left empty", "high 53"}},
	} {
		t.Run(tt.set, func(t *testing.T) {
			rows := incidentTable(t, tt.set, art, a)
			if len(rows) != 1 {
				t.Fatalf("%d rows, want 1", len(rows))
			}
			r := rows[0]
			for col, want := range tt.want {
				if got, ok := r[col]; !ok || got != want {
					t.Errorf("%s = %q (column present: %v), want %q", col, got, ok, want)
				}
			}
			if r["annotate_status"] != "disputed" {
				t.Errorf("annotate_status = %q, want disputed", r["annotate_status"])
			}
			src := r["annotate_figure_sources"]
			for _, want := range []string{"killed high 53", "claimed by ISIS", "53 killed", "exact", "disputed by an SDF spokeswoman", "self-interested"} {
				if !strings.Contains(src, want) {
					t.Errorf("annotate_figure_sources = %q, lacks %q", src, want)
				}
			}
			if strings.Contains(src, "confirmed") {
				t.Errorf("annotate_figure_sources = %q calls a claimed figure confirmed", src)
			}
			for _, want := range tt.notes {
				if !strings.Contains(r["annotate_coding_notes"], want) {
					t.Errorf("annotate_coding_notes = %q, lacks %q", r["annotate_coding_notes"], want)
				}
			}
		})
	}
}

// TestIncidentTablesConfirmed: a confirmed incident with low, best and high
// estimates, the best from a figure graded confirmed (credibility 1).
func TestIncidentTablesConfirmed(t *testing.T) {
	art, a := figureIncident(t)
	low, best, high := 40, 45, 53
	a.Claims[0].Figures = []model.Figure{model.ExactFigure(45, "killed")}
	a.Claims[0].Credibility, a.Claims[0].SelfInterested = "1", false
	a.Claims[1].Stance = &model.Stance{Kind: "supports", ClaimID: "c5"}
	a.Incidents[0].Fields["status"] = model.Value{Text: "occurred"}
	a.Incidents[0].Fields["killed"] = model.Value{Count: &model.Count{Low: &low, Best: &best, High: &high}}
	for _, tt := range []struct {
		set  string
		want map[string]string
	}{
		{"acled", map[string]string{"fatalities": "40"}},
		{"gtd", map[string]string{"nkill": "45"}},
		{"ucdp", map[string]string{"best": "45", "low": "40", "high": "53", "deaths_unknown": "45", "deaths_a": "0"}},
	} {
		t.Run(tt.set, func(t *testing.T) {
			r := incidentTable(t, tt.set, art, a)[0]
			for col, want := range tt.want {
				if got := r[col]; got != want {
					t.Errorf("%s = %q, want %q", col, got, want)
				}
			}
			if r["annotate_status"] != "occurred" {
				t.Errorf("annotate_status = %q, want occurred", r["annotate_status"])
			}
			src := r["annotate_figure_sources"]
			for _, want := range []string{"killed best 45", "by ISIS", "credibility 1 (confirmed by other sources)", "supported by an SDF spokeswoman", "killed low 40: no claim", "killed high 53: no claim"} {
				if !strings.Contains(src, want) {
					t.Errorf("annotate_figure_sources = %q, lacks %q", src, want)
				}
			}
			if strings.Contains(src, "disputed") {
				t.Errorf("annotate_figure_sources = %q", src)
			}
		})
	}
}

// TestIncidentTablesNameEntities: actors, places and claimants are named
// by their entity's canonical name, once per entity, whichever mention the
// form holds: ACLED actor1 is "Islamic State" though the mention reads
// "ISIS".
func TestIncidentTablesNameEntities(t *testing.T) {
	text := "ISIS claimed the attack on the SDF near Raqqa; IS fighters killed 53, ISIS said."
	art := model.Article{ID: model.ArticleID(text), Text: text, Source: "Wire"}
	a := annotationOf(t, text, "ISIS", "ORG", "the SDF", "ORG", "Raqqa", "GPE", "IS", "ORG")
	at := strings.LastIndex(text, "ISIS")
	a.Entities = append(a.Entities, model.Span{ID: a.NewID("e"), Start: at, End: at + 4, Label: "ORG"})
	model.GroupMentions(&a, text) // the second "ISIS" joins the first
	isis, _ := a.EntityOfSpan(a.Entities[0].ID)
	short, _ := a.EntityOfSpan(a.Entities[3].ID)
	for i := range a.Entities {
		if a.Entities[i].Entity == short.ID {
			a.Entities[i].Entity = isis.ID // "IS" is the same group
		}
	}
	model.PruneReferents(&a)
	for i := range a.Referents {
		switch e := &a.Referents[i]; e.Name {
		case "ISIS":
			e.Name, e.Aliases = "Islamic State", []string{"ISIS", "IS"}
		case "the SDF":
			e.Name = "Syrian Democratic Forces"
		case "Raqqa":
			e.Name = "Ar-Raqqah"
		}
	}
	ids := func(n ...int) []string {
		var out []string
		for _, i := range n {
			out = append(out, a.Entities[i].ID)
		}
		return out
	}
	content := strings.Index(text, "IS fighters killed 53")
	a.Claims = []model.Claim{{ID: a.NewID("c"), Claimant: model.Claimant{SpanID: a.Entities[4].ID}, Type: "casualties",
		Content: []model.Range{{Start: content, End: content + len("IS fighters killed 53")}}, Figures: []model.Figure{model.ExactFigure(53, "killed")}}}
	best := 53
	a.Incidents = []model.Incident{{ID: a.NewID("i"), Fields: map[string]model.Value{
		"event_type":   {Text: "Armed clash"},
		"perpetrators": {List: ids(3, 0)}, // two mentions of one entity, "IS" first
		"targets":      {List: ids(1)},
		"location":     {List: ids(2)},
		"killed":       {Count: &model.Count{Best: &best}},
	}, Evidence: map[string][]string{"perpetrators": ids(0), "killed": {a.Claims[0].ID}}}}
	if errs := model.Validate(&a, text, model.DefaultSchema()); len(errs) > 0 {
		t.Fatalf("test annotation is not valid: %v", errs)
	}
	for _, tt := range []struct {
		set  string
		want map[string]string
	}{
		{"acled", map[string]string{"actor1": "Islamic State", "assoc_actor_1": "", "actor2": "Syrian Democratic Forces", "location": "Ar-Raqqah"}},
		{"gtd", map[string]string{"gname": "Islamic State", "gname2": "", "target1": "Syrian Democratic Forces", "city": "Ar-Raqqah"}},
		{"ucdp", map[string]string{"side_a": "Islamic State", "side_b": "Syrian Democratic Forces", "where_coordinates": "Ar-Raqqah"}},
	} {
		t.Run(tt.set, func(t *testing.T) {
			r := incidentTable(t, tt.set, art, a)[0]
			for col, want := range tt.want {
				if got := r[col]; got != want {
					t.Errorf("%s = %q, want %q", col, got, want)
				}
			}
			if ev := r["evidence"]; !strings.Contains(ev, "perpetrators: ISIS (Islamic State)") {
				t.Errorf("evidence = %q: the mention quoted, with the entity it names", ev)
			}
			if src := r["annotate_figure_sources"]; !strings.Contains(src, "claimed by Islamic State") {
				t.Errorf("annotate_figure_sources = %q: the claimant by its entity's name", src)
			}
		})
	}
}
