package tui

import (
	"reflect"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

// The traps a day of real annotation showed (issue 8), one test each.

// TestEnterOnFilledFieldChangesNothing: a form opens on the stored value,
// and enter on a field the annotator has not changed saves nothing. Before
// the fix, enter took the first choice of the list: a source graded E
// became A, credibility 4 became 1, certainty probable became certain,
// self-interested no became yes, an event type was replaced and a targets
// list gained a second entry.
func TestEnterOnFilledFieldChangesNothing(t *testing.T) {
	h, _ := buildRaqqa(t)
	h.keys("q enter") // back to the queue and into the article again
	before := h.stored()
	saves := len(h.st.history)
	unchanged := func(what string) {
		t.Helper()
		if n := len(h.st.history); n != saves {
			t.Errorf("%s: %d saves, want none (message %q)", what, n-saves, h.m.message)
			saves = n
		}
		if got := h.stored(); !reflect.DeepEqual(got, before) {
			t.Errorf("%s changed the annotation:\n%+v\nwant\n%+v", what, got, before)
			before = got
		}
	}

	// Sources: enter on "E ISIS" opens its form, enter again keeps E.
	h.keys("tab")
	h.toTab(tabSources)
	h.toSource("ISIS")
	h.keys("enter")
	if got := h.highlighted(); got != "E" {
		t.Errorf("the ISIS grade form highlights %q, want the stored E", got)
	}
	h.keys("enter enter")
	unchanged("enter, enter on a graded source")
	h.toRow("reliability")
	h.typeText("E")
	h.keys("enter")
	unchanged("typing the grade it has, E, and enter")
	h.keys("esc")

	// Claims: credibility, certainty, self-interested and type.
	h.toTab(tabClaims)
	h.keys("enter")
	c1 := claimWith(t, raqqaText, h.stored(), raqqaClaim)
	if h.m.form == nil || h.m.form.itemID != c1.ID {
		t.Fatalf("enter on the first claim opened %+v", h.m.form)
	}
	for _, row := range []string{"credibility", "type", "polarity", "self_interested", "certainty", "claimant", "figure.1", "figure.1.counts"} {
		h.toRow(row)
		h.keys("enter")
		unchanged("enter on the claim's " + row)
	}
	h.keys("esc")

	// Incidents: the event type and the perpetrators (an entity list).
	h.toTab(tabIncidents)
	h.keys("enter")
	for _, row := range []string{"event_type", "perpetrators", "location", "killed.high", "status"} {
		h.toRow(row)
		h.keys("enter")
		unchanged("enter on the incident's " + row)
	}

	// Moving to another choice and confirming still changes the value.
	h.toRow("event_type")
	if got := h.highlighted(); got != "Armed clash" {
		t.Errorf("the event type row highlights %q, want the stored Armed clash", got)
	}
	h.keys("down enter")
	var inc model.Incident
	if a := h.stored(); len(a.Incidents) == 1 {
		inc = a.Incidents[0]
	}
	if got := inc.Fields["event_type"].Text; got == "Armed clash" || got == "" {
		t.Errorf("down, enter on the event type left %q, want the next choice", got)
	}
}

// TestWhiteSpaceNeverBecomesASpan: before the fix g h l 1 saved a span of
// one space, and w v l 2 on "ISIS" saved "ISIS " while the status line
// showed “ISIS”.
func TestWhiteSpaceNeverBecomesASpan(t *testing.T) {
	text := "The ISIS fighters attacked. Officials said so."
	h := newHarness(t, newFakeStore(article("t", text)), 120, 30)
	h.keys("enter g h l 1")
	if got := h.stored().Entities; len(got) != 0 {
		t.Errorf("g h l 1 stored %q", spanSet(text, got))
	}
	if !h.m.isError || !strings.Contains(h.m.message, "white space") {
		t.Errorf("g h l 1 says %q, want why nothing was tagged", h.m.message)
	}
	h.keys("g w v l 2")
	if got, want := spanSet(text, h.stored().Entities), []string{"PER ISIS@4"}; !reflect.DeepEqual(got, want) {
		t.Errorf("w v l 2 on ISIS stored %q, want %q", got, want)
	}
	if !strings.Contains(h.m.message, "“ISIS”") || !strings.Contains(h.m.message, "white space") {
		t.Errorf("w v l 2 says %q, want the word and that the space was left out", h.m.message)
	}
	// A claim's content is trimmed the same way.
	h.findText("Officials")
	h.keys("h v w w w w c")
	a := h.stored()
	if len(a.Claims) != 1 {
		t.Fatalf("c made %d claims", len(a.Claims))
	}
	if r := a.Claims[0].Content[0]; text[r.Start:r.End] != "Officials said so." {
		t.Errorf("claim content %q, want it without the white space", text[r.Start:r.End])
	}
	if errs := model.Validate(&a, text, model.DefaultSchema()); errs != nil {
		t.Errorf("the stored annotation breaks the model's rules: %v", errs)
	}
}

// TestSelectionFeedback: while extending, the status line shows both ends
// of a long selection and its length; ) and ( stop at the edges of the
// sentence; / extends to the match instead of replacing the selection.
func TestSelectionFeedback(t *testing.T) {
	text := "The convoy left Raqqa at dawn and reached the checkpoint before noon. Officials said nothing. Later that day the road closed."
	h := newHarness(t, newFakeStore(article("t", text)), 160, 40)
	h.keys("enter g v )")
	if _, got := h.sel(); got != "The convoy left Raqqa at dawn and reached the checkpoint before noon." {
		t.Errorf("v ) selected %q, want the whole first sentence", got)
	}
	status := h.screen()
	if !strings.Contains(status, "“The convoy left Raqqa at … checkpoint before noon.” (69 chars)") {
		t.Errorf("the status line does not show both ends and the length:\n%s", lastLines(status, 3))
	}
	h.keys(")")
	if _, got := h.sel(); !strings.HasSuffix(got, "Officials said nothing.") {
		t.Errorf("v ) ) selected %q, want it to end with the second sentence", got)
	}
	h.keys("esc")
	h.findText("road")
	h.keys("v (")
	if _, got := h.sel(); got != "Later that day the road" {
		t.Errorf("v ( from “road” selected %q, want back to the start of its sentence", got)
	}
	// / while extending moves the moving end to the match.
	h.keys("esc")
	h.findText("convoy")
	h.keys("v /")
	h.typeText("checkpoint")
	h.keys("enter")
	if _, got := h.sel(); got != "convoy left Raqqa at dawn and reached the checkpoint" {
		t.Errorf("v / checkpoint selected %q, want from convoy to the match", got)
	}
}

// lastLines returns the last n lines of a screen.
func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// TestListsHaveContext: identical mentions collapse into one row with a
// count where a field only needs the entity; every mention row says where
// it is; evidence pickers put the labels that fit the field first. Before,
// "Raqqa GPE e12" was listed as many times as it was tagged.
func TestListsHaveContext(t *testing.T) {
	text := "Fighters entered Raqqa on Monday.\n\nIn Raqqa the SDF said ISIS had left.\n\nBy Tuesday Raqqa was quiet, ISIS said."
	h := newHarness(t, newFakeStore(article("t", text)), 200, 60)
	h.keys("enter")
	h.findText("Raqqa")
	h.keys("4 a a")
	h.findText("ISIS")
	h.keys("1 a a")
	h.tagText("SDF", "1")
	h.tagText("Monday", "9")
	h.tagText("Tuesday", "9")
	if n := len(h.stored().Entities); n != 8 {
		t.Fatalf("%d spans tagged, want 8", n)
	}
	// The Entities tab: one Raqqa entity with 3 mentions; o shows them,
	// each told apart by its context.
	h.keys("tab")
	if s := h.screen(); !strings.Contains(s, "GPE   Raqqa ×3") {
		t.Errorf("the Entities tab does not show Raqqa once with its 3 mentions:\n%s", s)
	}
	h.keys("o")
	screen := h.screen()
	for _, want := range []string{"‹Raqqa› on Monday", "In ‹Raqqa› the SDF", "Tuesday ‹Raqqa› was quiet"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the Entities tab lacks the context %q:\n%s", want, screen)
		}
	}
	// A location picks an entity: one Raqqa row, with its count.
	h.keys("o l l l n")
	h.toRow("location")
	r := h.m.form.row()
	var raqqa []string
	for _, o := range r.options {
		if strings.HasPrefix(o.display, "Raqqa") {
			raqqa = append(raqqa, o.display)
		}
	}
	if len(raqqa) != 1 || !strings.Contains(raqqa[0], "×3") {
		t.Errorf("the location offers %q, want one Raqqa row with ×3", raqqa)
	}
	// Perpetrators: ISIS once; picking it twice takes it out again.
	h.fill("perpetrators", "ISIS")
	h.toRow("perpetrators")
	if n := strings.Count(strings.Join(optionDisplays(h.m.form.row()), "\n"), "ISIS  ORG"); n != 1 {
		t.Errorf("perpetrators offer ISIS %d times, want once", n)
	}
	// Evidence for the date: the TIME spans first.
	h.toRow("date.start")
	h.keys("ctrl+e")
	p := h.m.prompt
	if p == nil || len(p.matches) < 2 {
		t.Fatalf("ctrl+e opened no evidence picker")
	}
	for i, c := range p.matches[:2] {
		if s, ok := h.m.ann.Span(p.ids[c]); !ok || s.Label != "TIME" {
			t.Errorf("evidence choice %d for the date is %q, want a TIME span first", i, c)
		}
	}
}

func optionDisplays(r *formRow) []string {
	var out []string
	for _, o := range r.options {
		out = append(out, o.display)
	}
	return out
}

// TestNothingCut: at 160x50 the side pane is wide enough for the incident
// form, and what does not fit wraps instead of being cut; at 80x24 the
// header keeps the status and position, the key hint ends with where the
// other keys are, and the quit warning shows its instruction. Labels are
// shown once ("exact place", not "exact exact place").
func TestNothingCut(t *testing.T) {
	h := newHarness(t, newFakeStore(article("Raqqa attack", raqqaText)), 160, 50)
	h.keys("enter")
	h.tagText("Raqqa", "4")
	h.keys("tab l l l n")
	if _, _, sideW := h.m.paneSizes(); sideW < 76 {
		t.Errorf("at 160 columns the side pane is %d wide, want room for the form", sideW)
	}
	for _, row := range h.m.form.rows {
		h.toRow(row.key)
		screen := h.screen()
		side := sidePane(screen, h.m)
		if strings.Contains(side, "…") && !strings.Contains(side, "… ") {
			t.Errorf("on row %s the form cuts something:\n%s", row.key, side)
		}
		for _, word := range strings.Fields(row.title) {
			if !strings.Contains(side, word) {
				t.Errorf("the title %q of row %s is not shown whole:\n%s", row.title, row.key, side)
				break
			}
		}
	}
	h.toRow("location_precision")
	h.keys("down")
	if s := h.screen(); strings.Contains(s, "exact exact") || strings.Contains(s, "near near") {
		t.Errorf("a label is doubled:\n%s", s)
	}

	h = newHarness(t, newFakeStore(article("Raqqa attack", raqqaText)), 80, 24)
	h.keys("enter")
	lines := strings.Split(h.screen(), "\n")
	if !strings.Contains(lines[0], "todo") || !strings.Contains(lines[0], "lines 1-") {
		t.Errorf("at 80 columns the header lost the status or position: %q", lines[0])
	}
	if hint := strings.TrimSpace(lines[len(lines)-1]); !strings.HasSuffix(hint, "? all keys") {
		t.Errorf("at 80 columns the key hint ends %q, want it to end with ? all keys", hint)
	}
	h.keys("c")
	h.typeText("officials")
	h.keys("ctrl+c")
	if s := lastLines(h.screen(), 2); !strings.Contains(s, "press ctrl+c again") {
		t.Errorf("at 80 columns the quit warning hides its instruction:\n%s", s)
	}
}

// sidePane returns the side pane's columns of a wide screen.
func sidePane(screen string, m *Model) string {
	_, _, sideW := m.paneSizes()
	var out []string
	for _, l := range strings.Split(screen, "\n") {
		r := []rune(l)
		if len(r) > sideW {
			out = append(out, string(r[len(r)-sideW:]))
		}
	}
	return strings.Join(out, "\n")
}

// TestSmallerSurprises: a says how many it will tag before tagging and
// leaves out occurrences inside a larger word unless A asks; D says what
// it marked before what it opened; the queue search filters as it is
// typed and esc clears it with its message; the active filter is named.
func TestSmallerSurprises(t *testing.T) {
	text := "ISIS fighters attacked. The anti-ISIS coalition said ISIS lost. ISIS-held towns fell."
	st := newFakeStore(article("First report", text), article("Second report", "Nothing about convoys here."))
	h := newHarness(t, st, 160, 40)
	h.keys("enter 1 a")
	if n := len(h.stored().Entities); n != 1 {
		t.Errorf("the first a tagged: %d spans, want only the one tagged by 1", n)
	}
	if !strings.Contains(h.m.message, "tags 1 more “ISIS” as ORG") || !strings.Contains(h.m.message, "2 inside a larger word") {
		t.Errorf("a says %q, want how many it will tag and how many it leaves out", h.m.message)
	}
	h.keys("a")
	if got, want := spanSet(text, h.stored().Entities), []string{"ORG ISIS@0", "ORG ISIS@53"}; !reflect.DeepEqual(got, want) {
		t.Errorf("a a tagged %q, want %q", got, want)
	}
	h.keys("A w")
	if n := len(h.stored().Entities); n != 2 {
		t.Errorf("A then another key tagged something: %d spans", n)
	}
	h.keys("g A A")
	if n := len(h.stored().Entities); n != 4 {
		t.Errorf("A A: %d spans, want the two inside larger words too", n)
	}
	h.keys("tab")
	if !strings.Contains(h.screen(), "[Entities]") {
		t.Errorf("the active side tab is not named:\n%s", h.screen())
	}
	h.keys("tab D")
	if !strings.HasPrefix(h.m.message, "marked done") || !strings.Contains(h.m.message, "opened “Second report”") {
		t.Errorf("D says %q, want marked done, then what it opened", h.m.message)
	}

	h.keys("q /")
	h.typeText("conv")
	if items := h.m.visibleQueue(); len(items) != 1 || items[0].Title != "Second report" {
		t.Errorf("typing conv (no enter) shows %d articles, want the one that matches", len(items))
	}
	h.keys("esc")
	if n := len(h.m.visibleQueue()); n != 2 || h.m.message != "" {
		t.Errorf("esc: %d articles shown, message %q; want the search and its message gone", n, h.m.message)
	}
	h.keys("tab")
	if !strings.Contains(h.screen(), "[todo]") {
		t.Errorf("the active filter is not named:\n%s", h.screen())
	}
}

// TestClaimsCarryRealFigures: "10,000" was refused as not a whole number,
// qualifiers could not be recorded and a claim held one figure. Now a
// claim holds several, each as written, and ctrl+f picks which one fills a
// count, by the figure's qualifier.
func TestClaimsCarryRealFigures(t *testing.T) {
	h := openRaqqa(t)
	h.findText(raqqaClaim)
	h.keys("c")
	h.fill("figure.new", "more than 10,000 killed")
	h.fill("figure.new", "2 vehicles destroyed")
	a := h.stored()
	if len(a.Claims) != 1 || len(a.Claims[0].Figures) != 2 {
		t.Fatalf("claims %+v, want one with two figures (message %q)", a.Claims, h.m.message)
	}
	f1, f2 := a.Claims[0].Figures[0], a.Claims[0].Figures[1]
	if f1.Qualifier != model.QualifierMoreThan || f1.Value == nil || *f1.Value != 10000 || f1.Low == nil || *f1.Low != 10001 || f1.Counts != "killed" {
		t.Errorf("first figure %+v, want more than 10,000 killed", f1)
	}
	if f2.Value == nil || *f2.Value != 2 || f2.Counts != "vehicles destroyed" {
		t.Errorf("second figure %+v, want 2 vehicles destroyed", f2)
	}
	if s := h.screen(); !strings.Contains(s, "more than 10,000") || !strings.Contains(s, "Figure 2") {
		t.Errorf("the form does not show both figures:\n%s", s)
	}
	// The counts row of a figure changes what it counts.
	h.toRow("figure.2.counts")
	h.typeText("other")
	h.keys("enter")
	if got := h.stored().Claims[0].Figures[1].Counts; got != "other" {
		t.Errorf("figure 2 counts %q after choosing other", got)
	}
	// ctrl+f on the best estimate: "more than 10,000" is a lower bound, so
	// it fills the low, not the best.
	h.keys("esc l l n")
	h.toRow("killed.best")
	h.keys("ctrl+f")
	p := h.m.prompt
	if p == nil || len(p.matches) != 2 || !strings.HasPrefix(p.matches[0], "more than 10,000 killed") || p.ids[p.matches[1]] != figureOthers {
		t.Fatalf("ctrl+f offers %q, want the killed figure and an entry for the other", p.matches)
	}
	h.keys("down enter")
	inc := h.stored().Incidents[0]
	k := inc.Fields["killed"].Count
	if k == nil || k.Low == nil || *k.Low != 10001 || k.Best != nil || k.High != nil {
		t.Errorf("killed after ctrl+f: %+v, want low 10001 only", k)
	}
	if ev := inc.Evidence["killed"]; !reflect.DeepEqual(ev, []string{a.Claims[0].ID}) {
		t.Errorf("killed evidence %q, want the claim", ev)
	}
	// A figure row cleared with delete removes that figure.
	h.keys("esc h h enter")
	h.toRow("figure.1")
	h.keys("delete")
	if figs := h.stored().Claims[0].Figures; len(figs) != 1 || figs[0].Counts != "other" {
		t.Errorf("after delete on figure 1: %+v, want only the vehicles figure", figs)
	}
}
