package tui

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/formats"
	"github.com/annotate-tool/annotate/internal/model"
)

// raqqaText is an invented report with a claim and a counter-claim. The em
// dashes make byte offsets and code point offsets differ, so an export that
// confuses them fails.
const raqqaText = "ISIS — in a statement on Tuesday — claimed that 53 members of the SDF were killed " +
	"in the attack near Raqqa, though an SDF spokeswoman said their estimate was exaggerated."

const (
	raqqaClaim   = "53 members of the SDF were killed"
	raqqaCounter = "their estimate was exaggerated"
)

// openRaqqa opens raqqaText on a screen wide and tall enough to show both
// panes and a whole incident form, so Render can be searched for any row.
func openRaqqa(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t, newFakeStore(article("Raqqa attack", raqqaText)), 200, 60)
	h.keys("enter")
	if h.m.doc == nil {
		t.Fatal("the article did not open")
	}
	return h
}

// findText selects the first match of s in the article, with / from the
// first word. The article must have the focus.
func (h *harness) findText(s string) {
	h.t.Helper()
	if h.m.focus != focusArticle {
		h.t.Fatalf("find %q: the article does not have the focus", s)
	}
	h.keys("g /")
	h.typeText(s)
	h.keys("enter")
	if _, got := h.sel(); got != s {
		h.t.Fatalf("find %q selected %q", s, got)
	}
}

// tagText finds s and tags it with the label on key.
func (h *harness) tagText(s, key string) {
	h.t.Helper()
	h.findText(s)
	h.keys(key)
}

// spanIDOf returns the ID of the span whose text is s.
func (h *harness) spanIDOf(s string) string {
	h.t.Helper()
	for _, sp := range h.m.ann.Entities {
		if h.m.doc.text[sp.Start:sp.End] == s {
			return sp.ID
		}
	}
	h.t.Fatalf("no span %q in %q", s, spanSet(h.m.doc.text, h.m.ann.Entities))
	return ""
}

// toRow moves the open form's cursor to the row with the given key, with tab.
func (h *harness) toRow(key string) {
	h.t.Helper()
	f := h.m.form
	if f == nil || h.m.focus != focusSide {
		h.t.Fatalf("to row %s: no form has the focus", key)
	}
	for range len(f.rows) + 1 {
		if f.row().key == key {
			return
		}
		h.keys("tab")
	}
	h.t.Fatalf("the form has no row %q", key)
}

// fill types text into a row and confirms it with enter.
func (h *harness) fill(row, text string) {
	h.t.Helper()
	h.toRow(row)
	h.typeText(text)
	h.keys("enter")
}

// highlighted returns the value of the choice enter would pick now.
func (h *harness) highlighted() string {
	h.t.Helper()
	f := h.m.form
	r := f.row()
	opts := matches(r, h.m.drafts[h.m.draftKeyFor(f, r)])
	if f.optCursor < 0 || f.optCursor >= len(opts) {
		return ""
	}
	return opts[f.optCursor].value
}

// toSource moves the Sources list's cursor to the source called name.
func (h *harness) toSource(name string) {
	h.t.Helper()
	if h.m.sideTab != tabSources || h.m.form != nil {
		h.t.Fatalf("to source %s: the Sources list is not shown", name)
	}
	srcs := h.m.sources()
	h.keys(strings.Repeat("k ", len(srcs)))
	for range srcs {
		if h.m.sources()[h.m.list(tabSources).cursor].name == name {
			return
		}
		h.keys("j")
	}
	h.t.Fatalf("no source %q in the list", name)
}

// toTab switches the side pane to a tab with l. The side pane must have
// the focus and no form open.
func (h *harness) toTab(tab int) {
	h.t.Helper()
	if h.m.focus != focusSide || h.m.form != nil {
		h.t.Fatalf("to tab %s: the side pane's lists do not have the focus", tabNames[tab])
	}
	for range tabNames {
		if h.m.sideTab == tab {
			return
		}
		h.keys("l")
	}
	h.t.Fatalf("l never reached the %s tab", tabNames[tab])
}

// claimWith returns the claim whose content is the given text.
func claimWith(t *testing.T, text string, a model.Annotation, content string) model.Claim {
	t.Helper()
	for _, c := range a.Claims {
		if len(c.Content) == 1 && text[c.Content[0].Start:c.Content[0].End] == content {
			return c
		}
	}
	t.Fatalf("no claim with content %q in %+v", content, a.Claims)
	return model.Claim{}
}

// buildRaqqa annotates raqqaText through keys only, as the issue describes:
// tags, a claim and its counter-claim, two source grades, one incident
// with evidence, then D. It checks each step as it goes and returns the
// harness and the article's ID.
func buildRaqqa(t *testing.T) (*harness, string) {
	t.Helper()
	h := openRaqqa(t)
	id := h.m.doc.article.ID

	h.tagText("ISIS", "1")
	h.tagText("SDF", "1") // the first SDF, inside the claim
	h.tagText("Raqqa", "4")
	h.tagText("SDF spokeswoman", "2")
	want := []string{
		"GPE Raqqa@" + strconv.Itoa(rangeOf(t, raqqaText, "Raqqa", 0).Start),
		"ORG ISIS@0",
		"ORG SDF@" + strconv.Itoa(rangeOf(t, raqqaText, "SDF", 0).Start),
		"PER SDF spokeswoman@" + strconv.Itoa(rangeOf(t, raqqaText, "SDF spokeswoman", 0).Start),
	}
	if got := spanSet(raqqaText, h.stored().Entities); !reflect.DeepEqual(got, want) {
		t.Fatalf("tags: %q, want %q", got, want)
	}
	isis, spokeswoman, raqqa := h.spanIDOf("ISIS"), h.spanIDOf("SDF spokeswoman"), h.spanIDOf("Raqqa")

	// The claim: select its words, press c.
	h.findText("53")
	h.keys("v w w w w w w")
	if _, s := h.sel(); s != raqqaClaim {
		t.Fatalf("v and w selected %q, want %q", s, raqqaClaim)
	}
	h.keys("c")
	c1 := claimWith(t, raqqaText, h.stored(), raqqaClaim)
	if f := h.m.form; f == nil || f.kind != formClaim || f.itemID != c1.ID || h.m.focus != focusSide || f.row().key != "claimant" {
		t.Fatalf("c did not open the new claim's form on its claimant: form %+v focus %d", f, h.m.focus)
	}
	h.typeText("ISIS")
	h.keys("enter")
	if c := claimWith(t, raqqaText, h.stored(), raqqaClaim); c.Claimant != (model.Claimant{SpanID: isis}) {
		t.Fatalf("claimant ISIS + enter stored %+v, want the span %s", c.Claimant, isis)
	}
	h.toRow("type")
	h.typeText("cas")
	if got := h.highlighted(); got != "casualties" {
		t.Fatalf("typing cas on the type highlights %q, want casualties", got)
	}
	h.keys("enter")
	h.fill("figure.new", "53")
	h.fill("credibility", "4")
	// The cue, the way docs/screen.md gives it: on the Cue row, go to the article, select
	// it, come back with tab and press enter.
	h.toRow("cue")
	h.keys("ctrl+o")
	h.findText("claimed")
	h.keys("tab enter")
	c1 = claimWith(t, raqqaText, h.stored(), raqqaClaim)
	if c1.Type != "casualties" || !reflect.DeepEqual(c1.Figures, []model.Figure{figure53()}) || c1.Credibility != "4" {
		t.Fatalf("claim after type, figure, credibility: %+v figures %+v", c1, c1.Figures)
	}
	if cue := rangeOf(t, raqqaText, "claimed", 0); c1.Cue == nil || *c1.Cue != cue {
		t.Fatalf("cue %v, want %v (“claimed”)", c1.Cue, cue)
	}
	if len(h.m.drafts) != 0 {
		t.Fatalf("drafts left after confirmed rows: %q", h.m.drafts)
	}

	// The counter-claim, from the article while the first form stays open.
	h.keys("ctrl+o")
	h.findText("their")
	h.keys("v w w w c")
	c2 := claimWith(t, raqqaText, h.stored(), raqqaCounter)
	if h.m.form == nil || h.m.form.itemID != c2.ID {
		t.Fatalf("c did not open the counter-claim's form")
	}
	h.typeText("spokes")
	h.keys("enter")
	h.toRow("stance")
	h.typeText("mag")
	if got := h.highlighted(); got != "disputes_magnitude" {
		t.Fatalf("typing mag on the stance highlights %q", got)
	}
	h.keys("enter")
	h.fill("stance_claim", "ISIS")
	c2 = claimWith(t, raqqaText, h.stored(), raqqaCounter)
	if c2.Claimant != (model.Claimant{SpanID: spokeswoman}) {
		t.Fatalf("counter-claim claimant %+v, want the span %s", c2.Claimant, spokeswoman)
	}
	if c2.Stance == nil || *c2.Stance != (model.Stance{Kind: "disputes_magnitude", ClaimID: c1.ID}) {
		t.Fatalf("counter-claim stance %+v, want disputes_magnitude %s", c2.Stance, c1.ID)
	}

	// Sources: ISIS E, SDF C.
	h.keys("esc l")
	if h.m.sideTab != tabSources || h.m.form != nil {
		t.Fatalf("esc l: tab %d form %v, want the Sources list", h.m.sideTab, h.m.form)
	}
	h.toSource("ISIS")
	h.keys("enter")
	if f := h.m.form; f == nil || f.kind != formSource || f.itemID != "ISIS" {
		t.Fatalf("enter on ISIS opened %+v", f)
	}
	h.typeText("E")
	if got := h.highlighted(); got != "E" {
		t.Fatalf("typing E on the reliability highlights %q, want E", got)
	}
	h.keys("enter")
	h.fill("rationale", "party to the conflict")
	h.keys("esc")
	h.toSource("SDF")
	h.keys("enter")
	h.typeText("C")
	h.keys("enter esc")

	// The incident.
	h.keys("l")
	if h.m.sideTab != tabIncidents {
		t.Fatalf("l: tab %d, want Incidents", h.m.sideTab)
	}
	h.keys("n")
	if f := h.m.form; f == nil || f.kind != formIncident || f.row().key != "event_type" {
		t.Fatalf("n did not open a new incident form on the event type: %+v", f)
	}
	incID := h.m.form.itemID
	h.typeText("clash")
	if got := h.highlighted(); got != "Armed clash" {
		t.Fatalf("typing clash on the event type highlights %q, want Armed clash", got)
	}
	if s := h.screen(); !strings.Contains(s, "▸ Battles › Armed clash") {
		t.Errorf("the highlighted choice is not shown with its group:\n%s", s)
	}
	h.keys("enter")
	h.fill("location", "Raqqa")
	// enter moved on to the next row: evidence is for the row under the
	// cursor.
	h.toRow("location")
	h.keys("ctrl+e")
	h.typeText("Raqqa")
	if p := h.m.prompt; p == nil || p.kind != promptEvidence {
		t.Fatalf("ctrl+e opened no evidence picker")
	} else if c, ok := p.choice(); !ok || p.ids[c] != raqqa {
		t.Fatalf("evidence picker after typing Raqqa highlights %q, want the span %s", c, raqqa)
	}
	h.keys("enter")
	h.fill("perpetrators", "ISIS")
	h.toRow("killed.high")
	h.keys("ctrl+f down") // a picker opens on nothing: ↓ picks the first
	if p := h.m.prompt; p == nil || p.kind != promptFigure {
		t.Fatalf("ctrl+f opened no figure picker")
	} else if c, ok := p.choice(); !ok || p.ids[c] != figureRef(c1.ID, 0) {
		t.Fatalf("figure picker highlights %q, want the claim %s", c, c1.ID)
	}
	h.keys("enter")
	inc := h.stored().Incidents
	if len(inc) != 1 || inc[0].ID != incID {
		t.Fatalf("incidents %+v, want one, %s", inc, incID)
	}
	if ev := inc[0].Evidence["killed"]; !reflect.DeepEqual(ev, []string{c1.ID}) {
		t.Fatalf("ctrl+f: killed evidence %q, want the figure claim %s", ev, c1.ID)
	}

	h.keys("ctrl+o D")
	a, _ := h.st.stored(id, "alice")
	if a.Status != model.StatusDone {
		t.Fatalf("D: status %q, want done", a.Status)
	}
	checkRaqqa(t, "stored", a)
	return h, id
}

// checkRaqqa checks everything buildRaqqa records, in a (stored or loaded).
func checkRaqqa(t *testing.T, where string, a model.Annotation) {
	t.Helper()
	span := func(text string) string {
		for _, s := range a.Entities {
			if raqqaText[s.Start:s.End] == text {
				return s.ID
			}
		}
		t.Fatalf("%s: no span %q", where, text)
		return ""
	}
	isis, sdf, raqqa, spokeswoman := span("ISIS"), span("SDF"), span("Raqqa"), span("SDF spokeswoman")
	if a.Status != model.StatusDone {
		t.Errorf("%s: status %q, want done", where, a.Status)
	}
	if len(a.Claims) != 2 {
		t.Fatalf("%s: %d claims, want 2: %+v", where, len(a.Claims), a.Claims)
	}
	c1 := claimWith(t, raqqaText, a, raqqaClaim)
	cue := rangeOf(t, raqqaText, "claimed", 0)
	want1 := model.Claim{ID: c1.ID, Claimant: model.Claimant{SpanID: isis}, Cue: &cue,
		Content: []model.Range{rangeOf(t, raqqaText, raqqaClaim, 0)}, Type: "casualties", Polarity: "asserts",
		Figures: []model.Figure{figure53()}, Credibility: "4"}
	if !reflect.DeepEqual(c1, want1) {
		t.Errorf("%s: claim\n%+v, want\n%+v", where, c1, want1)
	}
	c2 := claimWith(t, raqqaText, a, raqqaCounter)
	want2 := model.Claim{ID: c2.ID, Claimant: model.Claimant{SpanID: spokeswoman},
		Content: []model.Range{rangeOf(t, raqqaText, raqqaCounter, 0)}, Polarity: "asserts",
		Stance: &model.Stance{Kind: "disputes_magnitude", ClaimID: c1.ID}}
	if !reflect.DeepEqual(c2, want2) {
		t.Errorf("%s: counter-claim\n%+v, want\n%+v", where, c2, want2)
	}
	entityOf := func(span string) string {
		e, _ := a.EntityOfSpan(span)
		return e.ID
	}
	wantSources := []model.SourceGrade{
		{Source: "ISIS", SpanID: isis, Entity: entityOf(isis), Reliability: "E", Rationale: "party to the conflict"},
		{Source: "SDF", SpanID: sdf, Entity: entityOf(sdf), Reliability: "C"},
	}
	if !reflect.DeepEqual(a.Sources, wantSources) {
		t.Errorf("%s: sources %+v, want %+v", where, a.Sources, wantSources)
	}
	if len(a.Incidents) != 1 {
		t.Fatalf("%s: %d incidents, want 1", where, len(a.Incidents))
	}
	high := 53
	wantFields := map[string]model.Value{
		"event_type":   {Text: "Armed clash"},
		"location":     {List: []string{raqqa}},
		"perpetrators": {List: []string{isis}},
		"killed":       {Count: &model.Count{High: &high}},
	}
	if got := a.Incidents[0].Fields; !reflect.DeepEqual(got, wantFields) {
		t.Errorf("%s: incident fields %s, want %s", where, jsonOf(got), jsonOf(wantFields))
	}
	wantEvidence := map[string][]string{"location": {raqqa}, "killed": {c1.ID}}
	if got := a.Incidents[0].Evidence; !reflect.DeepEqual(got, wantEvidence) {
		t.Errorf("%s: incident evidence %q, want %q", where, got, wantEvidence)
	}
	if errs := model.Validate(&a, raqqaText, model.DefaultSchema()); errs != nil {
		t.Errorf("%s: annotation is not valid: %v", where, errs)
	}
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// TestClaimsSourcesIncidentsSurviveRestart is the walk-through: all
// of it is recorded through keys, then a new screen on the same store (a
// restart) shows it all again.
func TestClaimsSourcesIncidentsSurviveRestart(t *testing.T) {
	h, id := buildRaqqa(t)
	before, _ := h.st.stored(id, "alice")

	h2 := newHarness(t, h.st, 200, 60)
	h2.open(id)
	checkRaqqa(t, "after the restart", h2.m.ann)
	if !reflect.DeepEqual(h2.m.ann, before) {
		t.Errorf("after the restart the screen holds\n%+v\nthe store\n%+v", h2.m.ann, before)
	}
	c1 := claimWith(t, raqqaText, before, raqqaClaim)
	c2 := claimWith(t, raqqaText, before, raqqaCounter)
	h2.keys("tab l")
	screen := h2.screen()
	for _, want := range []string{
		c1.ID + " · ISIS [E] · casualties · 53 killed · cred 4",
		c2.ID + " · SDF spokeswoman · disputes_magnitude " + c1.ID,
		"“" + raqqaClaim + "”",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("Claims tab after the restart lacks %q:\n%s", want, screen)
		}
	}
	if !strings.Contains(screen, "done") {
		t.Errorf("the title bar does not show the status done:\n%s", screen)
	}
	h2.keys("l")
	screen = h2.screen()
	for _, want := range []string{"E  ISIS  (claimant)", "C  SDF  (graded)", "party to the conflict"} {
		if !strings.Contains(screen, want) {
			t.Errorf("Sources tab after the restart lacks %q:\n%s", want, screen)
		}
	}
	h2.keys("l")
	screen = h2.screen()
	inc := before.Incidents[0]
	if want := inc.ID + " · Armed clash · Raqqa · killed ?/?/53 · 2 evidence"; !strings.Contains(screen, want) {
		t.Errorf("Incidents tab after the restart lacks %q:\n%s", want, screen)
	}
	// The form shows the values and the evidence.
	h2.keys("enter")
	screen = h2.screen()
	for _, want := range []string{"Battles › Armed clash", "⟵ “Raqqa” " + h2.spanIDOf("Raqqa"), "Perpetrators                     ISIS", "⟵ " + c1.ID + " ISIS"} {
		if !strings.Contains(screen, want) {
			t.Errorf("incident form after the restart lacks %q:\n%s", want, screen)
		}
	}
}

// TestTypingFiltersChoices: what the annotator types picks the right code,
// and enter stores the highlighted one.
func TestTypingFiltersChoices(t *testing.T) {
	claim := func(h *harness) {
		h.findText(raqqaClaim)
		h.keys("c")
	}
	source := func(h *harness) {
		h.tagText("ISIS", "1")
		h.keys("tab")
		h.toTab(tabSources)
		h.toSource("ISIS")
		h.keys("enter")
	}
	incident := func(h *harness) {
		h.keys("tab")
		h.toTab(tabIncidents)
		h.keys("n")
	}
	claimField := func(get func(model.Claim) string) func(model.Annotation) string {
		return func(a model.Annotation) string {
			if len(a.Claims) != 1 {
				return "(no claim)"
			}
			return get(a.Claims[0])
		}
	}
	incidentField := func(name string) func(model.Annotation) string {
		return func(a model.Annotation) string {
			if len(a.Incidents) != 1 {
				return "(no incident)"
			}
			v := a.Incidents[0].Fields[name]
			if v.List != nil {
				return strings.Join(v.List, ",")
			}
			return v.Text
		}
	}
	grade := func(a model.Annotation) string {
		if len(a.Sources) != 1 {
			return "(no grade)"
		}
		return a.Sources[0].Reliability
	}
	tests := []struct {
		name, row, typed, want string
		open                   func(*harness)
		got                    func(model.Annotation) string
	}{
		{"clash finds Armed clash", "event_type", "clash", "Armed clash", incident, incidentField("event_type")},
		{"drone finds Air/drone strike", "event_type", "drone", "Air/drone strike", incident, incidentField("event_type")},
		{"IED", "event_type", "IED", "Remote explosive/landmine/IED", incident, incidentField("event_type")},
		// Two choices are Riots: enter asks, enter again takes the first.
		{"a group name", "event_type", "riots", "Violent demonstration", incident, incidentField("event_type")},
		{"near", "location_precision", "near", "near", incident, incidentField("location_precision")},
		{"tactics by name", "tactics", "bomb", "3", incident, incidentField("tactics")},
		{"tactics by code", "tactics", "6", "6", incident, incidentField("tactics")},
		{"hostage outcome", "hostage_outcome", "escap", "3", incident, incidentField("hostage_outcome")},
		{"E is E", "reliability", "E", "E", source, grade},
		{"e is E", "reliability", "e", "E", source, grade},
		{"F is F", "reliability", "F", "F", source, grade},
		{"4 is credibility 4", "credibility", "4", "4", claim, claimField(func(c model.Claim) string { return c.Credibility })},
		{"1 is credibility 1", "credibility", "1", "1", claim, claimField(func(c model.Claim) string { return c.Credibility })},
		{"cas is casualties", "type", "cas", "casualties", claim, claimField(func(c model.Claim) string { return c.Type })},
		{"den is denies", "polarity", "den", "denies", claim, claimField(func(c model.Claim) string { return c.Polarity })},
		{"prob is probable", "certainty", "prob", "probable", claim, claimField(func(c model.Claim) string { return c.Certainty })},
	}
	asks := map[string]bool{"a group name": true}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := openRaqqa(t)
			tc.open(h)
			if h.m.form == nil {
				t.Fatal("no form opened")
			}
			h.toRow(tc.row)
			h.typeText(tc.typed)
			if got := h.highlighted(); got != tc.want {
				t.Errorf("typing %q highlights %q, want %q", tc.typed, got, tc.want)
			}
			h.keys("enter")
			if asks[tc.name] {
				if got := tc.got(h.stored()); got == tc.want || !strings.Contains(h.m.message, "enter again") {
					t.Errorf("typing %q, enter with several matches stored %q and says %q, want it to ask", tc.typed, got, h.m.message)
				}
				h.keys("enter")
			}
			if got := tc.got(h.stored()); got != tc.want {
				t.Errorf("typing %q + enter stored %q, want %q", tc.typed, got, tc.want)
			}
			if len(h.m.draftErrs) != 0 {
				t.Errorf("errors after a valid choice: %q", h.m.draftErrs)
			}
		})
	}
}

// TestMultiChoiceUpToMax: tactics take up to three codes; a fourth is
// refused inline and kept as a draft.
func TestMultiChoiceUpToMax(t *testing.T) {
	h := openIncident(t)
	h.fill("tactics", "Armed")
	h.fill("tactics", "Bombing")
	h.fill("tactics", "Assassination")
	tactics := func() []string { return h.stored().Incidents[0].Fields["tactics"].List }
	if got, want := tactics(), []string{"2", "3", "1"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("three tactics: %q, want %q", got, want)
	}
	if h.m.form.row().key != "weapons" {
		t.Errorf("after adding to a multi-choice row the cursor is on %s, want the next row (weapons)", h.m.form.row().key)
	}
	rev := h.stored().Rev
	h.toRow("tactics")
	h.typeText("Hijack")
	h.keys("enter")
	if got := tactics(); !reflect.DeepEqual(got, []string{"2", "3", "1"}) {
		t.Errorf("a fourth tactic was stored: %q", got)
	}
	if h.stored().Rev != rev {
		t.Errorf("a refused fourth tactic was saved (Rev %d → %d)", rev, h.stored().Rev)
	}
	screen := h.screen()
	for _, want := range []string{"✎ Hijack", "✗ at most 3 values, got 4"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the refused fourth tactic does not show %q:\n%s", want, screen)
		}
	}
	// ctrl+u drops the draft; the row lists the chosen codes by name.
	h.keys("ctrl+u")
	screen = h.screen()
	if strings.Contains(screen, "✎") || strings.Contains(screen, "✗") || len(h.m.drafts) != 0 {
		t.Errorf("ctrl+u left the draft (%q):\n%s", h.m.drafts, screen)
	}
	if !strings.Contains(screen, "2 Armed Assault, 3 Bombing/Explosion, 1 Assassin") {
		t.Errorf("the tactics row does not list its three codes:\n%s", screen)
	}
	// backspace on an empty draft removes the last value.
	h.keys("backspace")
	if got := tactics(); !reflect.DeepEqual(got, []string{"2", "3"}) {
		t.Errorf("backspace on an empty draft: %q, want the last tactic removed", got)
	}
	h.fill("tactics", "Hijack")
	if got := tactics(); !reflect.DeepEqual(got, []string{"2", "3", "4"}) {
		t.Errorf("a third tactic after one was removed: %q", got)
	}
}

// TestExportedClaimsAndIncidents: the native export of what the screen
// stored carries the claims, incidents and grades, with code point offsets
// that slice the text to each span's text.
func TestExportedClaimsAndIncidents(t *testing.T) {
	h, id := buildRaqqa(t)
	a, _ := h.st.stored(id, "alice")
	art, err := h.st.Article(id)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := formats.ToNative(art, a)
	if err != nil {
		t.Fatalf("ToNative: %v", err)
	}
	data, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Status   string `json:"status"`
		Entities []struct {
			ID         string
			Start, End int
			Label      string
			Text       string
		} `json:"entities"`
		Claims []struct {
			ID       string `json:"id"`
			Claimant struct {
				Span string `json:"span"`
				Text string `json:"text"`
			} `json:"claimant"`
			Cue *struct {
				Start, End int
				Text       string
			} `json:"cue"`
			Content []struct {
				Start, End int
				Text       string
			} `json:"content"`
			Type        string          `json:"type"`
			Polarity    string          `json:"polarity"`
			Figures     json.RawMessage `json:"figures"`
			Stance      json.RawMessage `json:"stance"`
			Credibility string          `json:"credibility"`
		} `json:"claims"`
		Incidents []struct {
			ID       string                     `json:"id"`
			Fields   map[string]json.RawMessage `json:"fields"`
			Evidence map[string][]string        `json:"evidence"`
		} `json:"incidents"`
		Reliability []map[string]string `json:"reliability"`
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("native JSON: %v\n%s", err, data)
	}
	runes := []rune(raqqaText)
	slice := func(what string, start, end int, text string) {
		t.Helper()
		if start < 0 || end > len(runes) || start > end {
			t.Errorf("%s: [%d,%d) is outside the text's %d code points", what, start, end, len(runes))
			return
		}
		if s := string(runes[start:end]); s != text {
			t.Errorf("%s: text[%d:%d] in code points is %q, the span says %q", what, start, end, s, text)
		}
	}
	if got.Status != "done" {
		t.Errorf("status %q, want done", got.Status)
	}
	ids := map[string]string{}
	for _, e := range got.Entities {
		slice("entity "+e.ID, e.Start, e.End, e.Text)
		ids[e.Text] = e.ID
	}
	if len(got.Entities) != 4 {
		t.Errorf("%d entities, want 4", len(got.Entities))
	}
	if len(got.Claims) != 2 {
		t.Fatalf("%d claims, want 2:\n%s", len(got.Claims), data)
	}
	c1, c2 := got.Claims[0], got.Claims[1]
	if c1.Claimant.Span != ids["ISIS"] || c1.Claimant.Text != "ISIS" {
		t.Errorf("claim claimant %+v, want ISIS %s", c1.Claimant, ids["ISIS"])
	}
	if c1.Cue == nil || c1.Cue.Text != "claimed" {
		t.Errorf("claim cue %+v, want “claimed”", c1.Cue)
	} else {
		slice("cue", c1.Cue.Start, c1.Cue.End, c1.Cue.Text)
	}
	if len(c1.Content) != 1 || c1.Content[0].Text != raqqaClaim {
		t.Errorf("claim content %+v", c1.Content)
	}
	for _, c := range got.Claims {
		for _, r := range c.Content {
			slice("claim "+c.ID+" content", r.Start, r.End, r.Text)
		}
	}
	if c1.Type != "casualties" || c1.Polarity != "asserts" || c1.Credibility != "4" || string(c1.Figures) != `[{"counts":"killed","value":53,"qualifier":"exact","low":53,"high":53,"text":"53"}]` {
		t.Errorf("claim fields: type %q polarity %q credibility %q figures %s", c1.Type, c1.Polarity, c1.Credibility, c1.Figures)
	}
	if c2.Claimant.Text != "SDF spokeswoman" || string(c2.Stance) != `{"kind":"disputes_magnitude","claim":"`+c1.ID+`"}` {
		t.Errorf("counter-claim claimant %+v stance %s", c2.Claimant, c2.Stance)
	}
	if len(got.Incidents) != 1 {
		t.Fatalf("%d incidents, want 1", len(got.Incidents))
	}
	inc := got.Incidents[0]
	wantFields := map[string]string{
		"event_type":   `"Armed clash"`,
		"location":     `["` + ids["Raqqa"] + `"]`,
		"perpetrators": `["` + ids["ISIS"] + `"]`,
		"killed":       `{"best":null,"high":53,"low":null}`,
	}
	gotFields := map[string]string{}
	for k, v := range inc.Fields {
		gotFields[k] = string(v)
	}
	if !reflect.DeepEqual(gotFields, wantFields) {
		t.Errorf("incident fields %q, want %q", gotFields, wantFields)
	}
	if want := map[string][]string{"location": {ids["Raqqa"]}, "killed": {c1.ID}}; !reflect.DeepEqual(inc.Evidence, want) {
		t.Errorf("incident evidence %q, want %q", inc.Evidence, want)
	}
	entityOf := func(span string) string {
		e, _ := a.EntityOfSpan(span)
		return e.ID
	}
	wantRel := []map[string]string{
		{"source": "ISIS", "span": ids["ISIS"], "entity": entityOf(ids["ISIS"]), "grade": "E", "rationale": "party to the conflict"},
		{"source": "SDF", "span": ids["SDF"], "entity": entityOf(ids["SDF"]), "grade": "C"},
	}
	if !reflect.DeepEqual(got.Reliability, wantRel) {
		t.Errorf("reliability %q, want %q", got.Reliability, wantRel)
	}
}

// figure53 is the figure typed as "53" in a claim about the killed.
func figure53() model.Figure {
	f := model.ExactFigure(53, "killed")
	f.Text = "53"
	return f
}
