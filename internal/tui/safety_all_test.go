package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/annotate-tool/annotate/internal/model"
)

// evil is every kind of control a string from outside can carry: C0, ESC
// sequences (CSI, OSC 8 hyperlink, OSC 52), DEL, C1 (CSI U+009B, OSC
// U+009D), and the bidirectional controls.
const evil = "\x01\x1b[2J\x1b]8;;http://x\x07link\x1b]8;;\x07\x1b]52;c;aGk=\x07\x7f\u009b31m\u009d0;t\u009c\u202e\u2066\u200f"

// TestEverySourceIsInert renders the queue, the article, every tab, every
// form, the pickers, the help and the review screen with articles,
// titles, sources, annotator names, label names, entity names, claimant
// names and field values all carrying evil, and checks that the only
// escape sequences in each frame are the program's own styling (issue 12,
// part 9).
func TestEverySourceIsInert(t *testing.T) {
	schema := model.DefaultSchema()
	// A schema stored before names were checked: the screen must still
	// draw its labels as text.
	schema.Labels[0].Name = "ORG" + evil
	schema.Labels[0].Description = "groups" + evil
	text := "Officials" + evil + " said the Harrow" + evil + " Front attacked Velmo. Notes follow."
	art := model.Article{ID: model.ArticleID(text), Title: "Title" + evil, Source: "Wire" + evil, Text: text}
	st := newFakeStore(art)
	// Two annotators with evil names, one with an incident whose values
	// and a claim whose claimant name carry evil.
	for _, who := range []string{"alice" + evil, "bob" + evil} {
		a := model.NewAnnotation(art.ID, who, schema.Name)
		r := rangeOf(t, text, "Harrow", 0)
		a.Entities = []model.Span{{ID: "e1", Start: 0, End: rangeOf(t, text, "said", 0).Start - 1, Label: schema.Labels[0].Name},
			{ID: "e2", Start: r.Start, End: rangeOf(t, text, "Front", 0).End, Label: schema.Labels[0].Name}}
		model.GroupMentions(&a, text)
		a.Claims = []model.Claim{{ID: "c3", Claimant: model.Claimant{Name: "officials" + evil}, Content: []model.Range{rangeOf(t, text, "attacked Velmo", 0)}}}
		a.Incidents = []model.Incident{{ID: "i4", Fields: map[string]model.Value{"notes": {Text: "note" + evil}, "location_text": {Text: who}}}}
		a.Sources = []model.SourceGrade{{Source: "Wire" + evil, Reliability: "B", Rationale: "why" + evil}}
		a.Status = model.StatusDone
		if _, err := st.Save(a, "seed"); err != nil {
			t.Fatal(err)
		}
	}
	for _, review := range []bool{false, true} {
		for _, noColor := range []bool{false, true} {
			t.Run(fmt.Sprintf("review=%v nocolor=%v", review, noColor), func(t *testing.T) {
				opts := Options{Store: st, Schema: schema, Annotator: "alice" + evil, Location: "db" + evil, NoColor: noColor}
				if review {
					opts.Annotator = "rita" + evil
					opts.Review = &ReviewOptions{}
				}
				m := New(opts)
				h := &harness{t: t, m: m, st: st}
				h.send(tea.WindowSizeMsg{Width: 200, Height: 60})
				h.run(m.Init())
				frames := map[string]string{"queue": m.Render()}
				h.keys("enter")
				frames["article"] = m.Render()
				if review {
					for i := 0; i < 6; i++ {
						frames[fmt.Sprintf("review item %d", i)] = m.Render()
						h.keys("j")
					}
					h.keys("1 A")
					frames["review decided"] = m.Render()
					h.keys("enter")
				}
				h.keys("g t")
				frames["label picker"] = m.Render()
				h.keys("esc tab")
				for tab := 0; tab < m.tabCount(); tab++ {
					for m.sideTab != tab {
						h.keys("l")
					}
					frames["tab "+tabNames[tab]] = m.Render()
					if tab == tabEntities {
						h.keys("o")
						frames["mentions"] = m.Render()
					}
					if tab == tabClaims || tab == tabSources || tab == tabIncidents {
						h.keys("enter")
						for i := 0; i < 8; i++ {
							frames[fmt.Sprintf("%s form row %d", tabNames[tab], i)] = m.Render()
							h.keys("tab")
						}
						h.keys("esc")
					}
				}
				h.keys("tab ?")
				frames["help"] = m.Render()
				h.keys("esc")
				for name, f := range frames {
					checkSafe(t, name, f)
					if strings.Contains(f, "\u2066") || strings.Contains(f, "\u200f") {
						t.Errorf("%s: a bidi isolate or mark reached the frame", name)
					}
				}
			})
		}
	}
}
