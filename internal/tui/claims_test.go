package tui

import (
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

// TestClaimsList: the Claims tab lists claimant, the source's grade in
// brackets, type, figure and credibility; j/k show each claim's spans in
// the article and select its content.
func TestClaimsList(t *testing.T) {
	h, id := buildRaqqa(t)
	h.open(id)
	a := h.m.ann
	c1 := claimWith(t, raqqaText, a, raqqaClaim)
	c2 := claimWith(t, raqqaText, a, raqqaCounter)
	if a.Claims[0].ID != c1.ID {
		t.Fatalf("claims are not in creation order: %q first", a.Claims[0].ID)
	}
	h.keys("tab")
	h.toTab(tabClaims)
	screen := h.screen()
	for _, want := range []string{
		c1.ID + " · ISIS [E] · casualties · 53 killed · cred 4",
		c2.ID + " · SDF spokeswoman · disputes_magnitude " + c1.ID,
		"   “" + raqqaCounter + "”",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("Claims list lacks %q:\n%s", want, screen)
		}
	}
	cue := rangeOf(t, raqqaText, "claimed", 0)
	isis, _ := a.Span(c1.Claimant.SpanID)
	spokeswoman, _ := a.Span(c2.Claimant.SpanID)
	steps := []struct {
		keys       string
		cursor     int
		highlights []model.Range
		sel        string
	}{
		{"j", 1, []model.Range{c2.Content[0], spokeswoman.Range()}, raqqaCounter},
		{"j", 1, []model.Range{c2.Content[0], spokeswoman.Range()}, raqqaCounter},
		{"k", 0, []model.Range{c1.Content[0], cue, isis.Range()}, raqqaClaim},
		{"k", 0, []model.Range{c1.Content[0], cue, isis.Range()}, raqqaClaim},
	}
	for i, s := range steps {
		h.keys(s.keys)
		if got := h.m.list(tabClaims).cursor; got != s.cursor {
			t.Errorf("step %d (%s): cursor %d, want %d", i, s.keys, got, s.cursor)
		}
		if !reflect.DeepEqual(h.m.highlights, s.highlights) {
			t.Errorf("step %d (%s): highlights %v, want %v", i, s.keys, h.m.highlights, s.highlights)
		}
		if _, got := h.sel(); got != s.sel {
			t.Errorf("step %d (%s): the article selects %q, want the claim's content %q", i, s.keys, got, s.sel)
		}
	}
	// enter opens the claim's form, which shows its fields.
	h.keys("enter")
	if f := h.m.form; f == nil || f.kind != formClaim || f.itemID != c1.ID {
		t.Fatalf("enter on the first claim opened %+v", f)
	}
	screen = h.screen()
	for _, want := range []string{"ISIS (ORG)", raqqaClaim, "claimed", "casualties", "53", "killed", "4 doubtful"} {
		if !strings.Contains(screen, want) {
			t.Errorf("claim form lacks %q:\n%s", want, screen)
		}
	}
}

// claimState shows the fields an undo test steps through.
func claimState(a model.Annotation, id string) string {
	c, ok := a.Claim(id)
	if !ok {
		return "(no claim)"
	}
	fig := ""
	for _, f := range c.Figures {
		fig += f.Describe()
	}
	return strings.Join([]string{c.Claimant.SpanID + c.Claimant.Name, c.Type, fig, c.Credibility}, "|")
}

// TestFormUndoRedo: each confirmed field is one change; u in the article
// steps back through them one by one, redo re-applies, and undoing the
// creation of a claim or incident closes its form.
func TestFormUndoRedo(t *testing.T) {
	h := openRaqqa(t)
	h.tagText("ISIS", "1")
	isis := h.spanIDOf("ISIS")
	h.findText(raqqaClaim)
	h.keys("c")
	id := h.m.form.itemID
	h.typeText("ISIS")
	h.keys("enter")
	// The message names the claimant as people do, not as the picker's
	// row shows it (label, count, line and context).
	if want := "set claim " + id + " claimant to “ISIS”"; !strings.HasSuffix(h.m.message, want) {
		t.Errorf("after picking the claimant: %q, want it to end %q", h.m.message, want)
	}
	h.fill("type", "cas")
	h.fill("figure.new", "53")
	h.fill("credibility", "4")
	if got, want := claimState(h.stored(), id), isis+"|casualties|53 killed|4"; got != want {
		t.Fatalf("setup: %s, want %s", got, want)
	}
	h.keys("ctrl+o")
	steps := []struct{ keys, want, msg string }{
		{"u", isis + "|casualties|53 killed|", "undo: set claim " + id + " credibility to 4"},
		{"u", isis + "|casualties||", "undo: claim " + id + ": add figure 53 killed"},
		{"u", isis + "|||", "undo: set claim " + id + " type to casualties"},
		{"ctrl+r", isis + "|casualties||", "redo: set claim " + id + " type"},
		{"U", isis + "|casualties|53 killed|", "redo: claim " + id + ": add figure"},
		{"u u u", "|||", "undo: set claim " + id + " claimant"},
	}
	for _, s := range steps {
		h.keys(s.keys)
		if got := claimState(h.stored(), id); got != s.want {
			t.Errorf("after %s: stored %s, want %s", s.keys, got, s.want)
		}
		if got := claimState(h.m.ann, id); got != s.want {
			t.Errorf("after %s: the screen holds %s, want %s", s.keys, got, s.want)
		}
		if !strings.Contains(h.m.message, s.msg) {
			t.Errorf("after %s: message %q, want %q", s.keys, h.m.message, s.msg)
		}
		if h.m.form == nil || h.m.form.itemID != id {
			t.Errorf("after %s: the claim's form closed", s.keys)
		}
	}
	// The form shows the undone values: no credibility any more.
	if s := h.screen(); !regexp.MustCompile(`Credibility +—`).MatchString(s) || !strings.Contains(s, "Claim "+id) {
		t.Errorf("the form does not follow the undo:\n%s", s)
	}
	h.keys("u")
	if got := len(h.stored().Claims); got != 0 {
		t.Errorf("undoing the claim's creation left %d claims", got)
	}
	if h.m.form != nil {
		t.Errorf("undoing the claim's creation left its form open: %+v", h.m.form)
	}
	if s := h.screen(); strings.Contains(s, "Claim "+id) {
		t.Errorf("the screen still shows the undone claim's form:\n%s", s)
	}
	if got := spanSet(raqqaText, h.stored().Entities); !reflect.DeepEqual(got, []string{"ORG ISIS@0"}) {
		t.Errorf("the undo went past the claim: spans %q", got)
	}

	// The same for an incident.
	h.keys("tab l l")
	if h.m.sideTab != tabIncidents {
		t.Fatalf("tab l l: tab %d, want Incidents", h.m.sideTab)
	}
	h.keys("n")
	inc := h.m.form.itemID
	h.fill("event_type", "clash")
	h.fill("kidnapped", "7")
	h.keys("ctrl+o u")
	if got := h.stored().Incidents; len(got) != 1 || got[0].Fields["kidnapped"].Number != nil || got[0].Fields["event_type"].Text != "Armed clash" {
		t.Errorf("u after two incident rows: %+v, want only the last one undone", got)
	}
	if h.m.form == nil || h.m.form.itemID != inc {
		t.Errorf("undoing a field closed the incident's form")
	}
	h.keys("u")
	if got := h.stored().Incidents[0].Fields; len(got) != 0 {
		t.Errorf("second u: fields %+v, want none", got)
	}
	h.keys("u")
	if got := len(h.stored().Incidents); got != 0 {
		t.Errorf("undoing the incident's creation left %d incidents", got)
	}
	if h.m.form != nil {
		t.Errorf("undoing the incident's creation left its form open")
	}
	h.keys("ctrl+r")
	if got := h.stored().Incidents; len(got) != 1 || got[0].ID != inc {
		t.Errorf("redo of the incident's creation: %+v", got)
	}
}

// TestDeleteClaimantSpan: deleting the span that names a claimant keeps
// the claimant as a name, and drops the span from grades and incidents.
func TestDeleteClaimantSpan(t *testing.T) {
	h := openRaqqa(t)
	h.tagText("ISIS", "1")
	isis := h.spanIDOf("ISIS")
	h.findText(raqqaClaim)
	h.keys("c")
	cid := h.m.form.itemID
	h.typeText("ISIS")
	h.keys("enter esc l")
	h.toSource("ISIS")
	h.keys("enter")
	h.typeText("E")
	h.keys("enter esc l n")
	h.fill("perpetrators", "ISIS")
	h.toRow("perpetrators") // enter moved on
	h.keys("ctrl+e")
	h.typeText("ISIS")
	if c, ok := h.m.prompt.choice(); !ok || h.m.prompt.ids[c] != isis {
		t.Fatalf("evidence picker highlights %q, want %s", c, isis)
	}
	h.keys("enter enter") // the span and the claim by ISIS match: enter asks first
	a := h.stored()
	if got := a.Incidents[0]; !reflect.DeepEqual(got.Fields["perpetrators"].List, []string{isis}) || !reflect.DeepEqual(got.Evidence["perpetrators"], []string{isis}) {
		t.Fatalf("setup: incident %+v", got)
	}
	if a.Sources[0].SpanID != isis {
		t.Fatalf("setup: grade %+v, want span %s", a.Sources[0], isis)
	}

	h.keys("ctrl+o g x")
	a = h.stored()
	if len(a.Entities) != 0 {
		t.Fatalf("x did not delete the span: %q", spanSet(raqqaText, a.Entities))
	}
	c, _ := a.Claim(cid)
	if c.Claimant != (model.Claimant{Name: "ISIS"}) {
		t.Errorf("claimant after deleting its span: %+v, want the name ISIS", c.Claimant)
	}
	if want := []model.SourceGrade{{Source: "ISIS", Reliability: "E"}}; !reflect.DeepEqual(a.Sources, want) {
		t.Errorf("grades after deleting the span: %+v, want %+v", a.Sources, want)
	}
	inc := a.Incidents[0]
	if slices.Contains(inc.Fields["perpetrators"].List, isis) || slices.Contains(inc.Evidence["perpetrators"], isis) {
		t.Errorf("incident still refers to the deleted span: %+v", inc)
	}
	if errs := model.Validate(&a, raqqaText, model.DefaultSchema()); errs != nil {
		t.Errorf("annotation after the delete is not valid: %v", errs)
	}
	h.keys("tab esc h h")
	if h.m.sideTab != tabClaims {
		t.Fatalf("tab esc h h: tab %d, want Claims", h.m.sideTab)
	}
	if s := h.screen(); !strings.Contains(s, cid+" · ISIS [E]") {
		t.Errorf("the Claims list does not show the named claimant and its grade:\n%s", s)
	}
	// Undo brings the span back as the claimant.
	h.keys("tab u")
	a = h.stored()
	if c, _ := a.Claim(cid); c.Claimant != (model.Claimant{SpanID: isis}) {
		t.Errorf("undo of the delete: claimant %+v, want the span %s", c.Claimant, isis)
	}
}

// TestDeleteClaimRemovesReferences: deleting a claim removes the stances
// and the incident evidence that point at it.
func TestDeleteClaimRemovesReferences(t *testing.T) {
	h, id := buildRaqqa(t)
	h.open(id)
	before := h.m.ann
	c1 := claimWith(t, raqqaText, before, raqqaClaim)
	c2 := claimWith(t, raqqaText, before, raqqaCounter)
	h.keys("tab")
	h.toTab(tabClaims)
	if h.m.list(tabClaims).cursor != 0 || h.m.ann.Claims[0].ID != c1.ID {
		t.Fatalf("the Claims list cursor is not on %s", c1.ID)
	}
	h.keys("x")
	a, _ := h.st.stored(id, "alice")
	if len(a.Claims) != 1 || a.Claims[0].ID != c2.ID {
		t.Fatalf("x on %s left claims %+v", c1.ID, a.Claims)
	}
	if a.Claims[0].Stance != nil {
		t.Errorf("the counter-claim still has a stance toward the deleted claim: %+v", a.Claims[0].Stance)
	}
	for field, ids := range a.Incidents[0].Evidence {
		if slices.Contains(ids, c1.ID) {
			t.Errorf("incident evidence for %s still names the deleted claim: %q", field, ids)
		}
	}
	if got := a.Incidents[0].Evidence["location"]; len(got) != 1 {
		t.Errorf("other evidence went too: location %q", got)
	}
	if k := a.Incidents[0].Fields["killed"]; k.Count == nil || k.Count.High == nil || *k.Count.High != 53 {
		t.Errorf("the count filled from the claim changed: %+v", k)
	}
	if errs := model.Validate(&a, raqqaText, model.DefaultSchema()); errs != nil {
		t.Errorf("annotation after deleting a claim is not valid: %v", errs)
	}
	if s := h.screen(); strings.Contains(s, c1.ID+" · ISIS") {
		t.Errorf("the Claims list still shows the deleted claim:\n%s", s)
	}
	h.keys("tab u")
	a, _ = h.st.stored(id, "alice")
	if !reflect.DeepEqual(a.Claims, before.Claims) || !reflect.DeepEqual(a.Incidents, before.Incidents) {
		t.Errorf("undo of the delete did not restore the claim and its references")
	}
}

// TestCueSelectedBeforeMovingToItsRow: the cue recipe of docs/screen.md is "select
// it in the article, come back with tab, press enter on the field". Here
// the annotator selects the cue first and then moves to the Cue row.
func TestCueSelectedBeforeMovingToItsRow(t *testing.T) {
	h := openRaqqa(t)
	h.findText(raqqaClaim)
	h.keys("c") // the form opens on the claimant
	h.keys("ctrl+o")
	h.findText("claimed")
	h.keys("tab")
	if _, s := h.sel(); s != "claimed" {
		t.Fatalf("coming back with tab changed the selection to %q", s)
	}
	h.toRow("cue")
	if _, s := h.sel(); s != "claimed" {
		t.Errorf("moving to the Cue row replaced the selection “claimed” with %q", s)
	}
	h.keys("enter")
	c := h.stored().Claims[0]
	if want := rangeOf(t, raqqaText, "claimed", 0); c.Cue == nil || *c.Cue != want {
		got := "nil"
		if c.Cue != nil {
			got = quote(raqqaText[c.Cue.Start:c.Cue.End])
		}
		t.Errorf("cue %s, want “claimed”", got)
	}
}

// TestClaimantNearestMentionFirst: the claimant row offers the tagged spans
// nearest the claim first, so "SDF" picks the spokeswoman just before the
// counter-claim, not the SDF named earlier.
func TestClaimantNearestMentionFirst(t *testing.T) {
	h := openRaqqa(t)
	h.tagText("ISIS", "1")
	h.tagText("SDF", "1")
	h.tagText("SDF spokeswoman", "2")
	spokeswoman := h.spanIDOf("SDF spokeswoman")
	h.findText(raqqaCounter)
	h.keys("c")
	if got := h.highlighted(); got != "" {
		t.Errorf("the empty claimant row highlights %s before anything is typed or picked", got)
	}
	h.keys("down")
	if got := h.highlighted(); got != spokeswoman {
		t.Errorf("with nothing typed, ↓ on the claimant row highlights %s, want the nearest mention %s", got, spokeswoman)
	}
	h.keys("up")
	h.typeText("SDF")
	if got := h.highlighted(); got != spokeswoman {
		t.Errorf("typing SDF highlights %s, want the nearest mention %s", got, spokeswoman)
	}
	h.keys("enter enter") // SDF and SDF spokeswoman match: enter asks first
	if c := h.stored().Claims[0]; c.Claimant != (model.Claimant{SpanID: spokeswoman}) {
		t.Errorf("claimant %+v, want the span %s", c.Claimant, spokeswoman)
	}
}

// TestClaimantByName: a speaker who is not tagged ("officials") is typed as
// a name; it is listed as the claimant and as a source that can be graded.
func TestClaimantByName(t *testing.T) {
	h := openRaqqa(t)
	h.tagText("ISIS", "1")
	h.findText(raqqaClaim)
	h.keys("c")
	id := h.m.form.itemID
	h.typeText("local officials")
	if s := h.screen(); !strings.Contains(s, "enter: an unnamed speaker called “local officials”") {
		t.Errorf("no hint that enter takes the typed name:\n%s", s)
	}
	h.keys("enter")
	a := h.stored()
	if c, _ := a.Claim(id); c.Claimant != (model.Claimant{Name: "local officials"}) {
		t.Fatalf("claimant %+v, want the name “local officials”", c.Claimant)
	}
	h.keys("esc l")
	h.toSource("local officials")
	h.keys("enter")
	h.typeText("D")
	h.keys("enter esc h")
	if s := h.screen(); !strings.Contains(s, id+" · local officials [D]") {
		t.Errorf("the Claims list does not show the named claimant and its grade:\n%s", s)
	}
	a = h.stored()
	if want := []model.SourceGrade{{Source: "local officials", Reliability: "D"}}; !reflect.DeepEqual(a.Sources, want) {
		t.Errorf("grades %+v, want %+v", a.Sources, want)
	}
	if errs := model.Validate(&a, raqqaText, model.DefaultSchema()); errs != nil {
		t.Errorf("not valid: %v", errs)
	}
}

// TestStanceAloneIsValid: every saved change is a valid annotation, which
// `annotate check` verifies; choosing a stance before the claim it is
// toward must not store one that check reports as damaged.
func TestStanceAloneIsValid(t *testing.T) {
	h := openRaqqa(t)
	h.findText(raqqaClaim)
	h.keys("c ctrl+o")
	h.findText(raqqaCounter)
	h.keys("c")
	h.fill("stance", "disputes")
	a := h.stored()
	if errs := model.Validate(&a, raqqaText, model.DefaultSchema()); errs != nil {
		t.Errorf("after choosing only a stance kind the stored annotation is not valid: %v (stance %+v)", errs, a.Claims[1].Stance)
	}
}
