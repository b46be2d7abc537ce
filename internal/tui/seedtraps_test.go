package tui

import (
	"reflect"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

// The traps a new user met annotating seed 000 (issue 18), one test each.

// seedText holds the sentences of seed 000 the traps were met on.
const seedText = "ISIS claimed that two armored vehicles were destroyed and 53 members of the SDF were killed " +
	"in the attack near Raqqa, though an SDF spokeswoman, Nisreen Abdullah, said their estimate was exaggerated. " +
	"Dozens of people were kidnapped and killed, he said."

// openSeed opens seedText with ISIS, both SDF, Raqqa and Nisreen Abdullah
// tagged, at a size that shows a whole incident form.
func openSeed(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t, newFakeStore(article("ISIS Claims Attack", seedText)), 200, 60)
	h.keys("enter")
	if h.m.doc == nil {
		t.Fatal("the article did not open")
	}
	h.tagText("ISIS", "1")
	h.tagText("SDF", "1")
	h.keys("a a")
	h.tagText("Raqqa", "4")
	h.tagText("Nisreen Abdullah", "2")
	if n := len(h.stored().Entities); n != 5 {
		t.Fatalf("%d spans tagged, want 5", n)
	}
	return h
}

// seedClaim makes a claim of content, by claimant (typed, "" for none),
// reporting figure, and returns its ID with the form closed and the
// article focused.
func (h *harness) seedClaim(content, claimant, figure string) string {
	h.t.Helper()
	h.findText(content)
	h.keys("c")
	c := claimWith(h.t.(*testing.T), seedText, h.stored(), content)
	if claimant != "" {
		h.fill("claimant", claimant)
	}
	h.fill("figure.new", figure)
	if c = claimWith(h.t.(*testing.T), seedText, h.stored(), content); len(c.Figures) != 1 {
		h.t.Fatalf("claim %q has figures %+v after %q (message %q)", content, c.Figures, figure, h.m.message)
	}
	h.keys("esc esc")
	if h.m.focus != focusArticle {
		h.t.Fatalf("esc esc after the claim form left the focus on %d", h.m.focus)
	}
	return c.ID
}

// newIncident opens a new incident form from the article.
func (h *harness) newIncident() string {
	h.t.Helper()
	h.keys("tab")
	if h.m.form != nil {
		h.keys("esc")
	}
	h.toTab(tabIncidents)
	h.keys("n")
	if f := h.m.form; f == nil || f.kind != formIncident {
		h.t.Fatalf("n opened no incident form: %+v", f)
	}
	return h.m.form.itemID
}

// incident returns the stored incident.
func (h *harness) incident(id string) model.Incident {
	h.t.Helper()
	for _, inc := range h.stored().Incidents {
		if inc.ID == id {
			return inc
		}
	}
	h.t.Fatalf("no incident %s stored", id)
	return model.Incident{}
}

// TestFigurePickerOffersWhatTheFieldCounts: ctrl+f on Killed low offered
// and took "2 vehicles destroyed" into a killed count without a word, and
// on Kidnapped said it only works on killed/wounded although a claim
// reported "dozens kidnapped". Now a count field is offered the figures
// that count what it counts; others on request, marked; none fitting is
// said.
func TestFigurePickerOffersWhatTheFieldCounts(t *testing.T) {
	h := openSeed(t)
	vehicles := h.seedClaim("two armored vehicles were destroyed", "ISIS", "2 vehicles destroyed")
	kidnap := h.seedClaim("Dozens of people were kidnapped", "", "dozens kidnapped")
	inc := h.newIncident()

	// No figure counts the killed: ctrl+f says so and enter takes nothing.
	h.toRow("killed.low")
	h.keys("ctrl+f")
	if p := h.m.prompt; p != nil {
		t.Errorf("ctrl+f on Killed low with no killed figure opened a picker offering %q", p.matches)
	}
	if !strings.Contains(h.m.message, "no figure counts killed") || !strings.Contains(h.m.message, "ctrl+f again") {
		t.Errorf("ctrl+f on Killed low says %q, want that no figure counts killed and how to see the others", h.m.message)
	}
	h.keys("enter")
	if v, ok := h.incident(inc).Fields["killed"]; ok {
		t.Fatalf("ctrl+f, enter on Killed low filled it with %+v from a figure that counts something else", v.Count)
	}

	// Asked for, the others are listed, each marked with what it counts.
	h.toRow("killed.low")
	h.keys("ctrl+f ctrl+f")
	p := h.m.prompt
	if p == nil || len(p.matches) != 2 {
		t.Fatalf("ctrl+f twice: picker %+v, want both figures that count other things", p)
	}
	for _, c := range p.matches {
		if !strings.Contains(c, "not killed") {
			t.Errorf("the figure %q counts something else but is not marked so", c)
		}
	}
	h.keys("esc")

	// Kidnapped, a number field, takes the kidnapped figure and only it.
	h.toRow("kidnapped")
	h.keys("ctrl+f")
	p = h.m.prompt
	if p == nil {
		t.Fatalf("ctrl+f on Kidnapped opened no picker (message %q)", h.m.message)
	}
	var fits []string
	for _, c := range p.matches {
		if p.ids[c] != figureOthers {
			fits = append(fits, c)
		}
	}
	if len(fits) != 1 || p.ids[fits[0]] != figureRef(kidnap, 0) {
		t.Errorf("ctrl+f on Kidnapped offers %q, want only the dozens kidnapped figure", fits)
	}
	h.keys("down enter")
	got := h.incident(inc)
	if n := got.Fields["kidnapped"].Number; n == nil || *n != 12 {
		t.Errorf("kidnapped after ctrl+f on dozens kidnapped: %v, want 12 (the low of dozens)", got.Fields["kidnapped"])
	}
	if ev := got.Evidence["kidnapped"]; !reflect.DeepEqual(ev, []string{kidnap}) {
		t.Errorf("kidnapped evidence %q, want the claim %s", ev, kidnap)
	}

	// The entry for the others lists them all, the fitting first; taking
	// one that counts something else says so.
	h.toRow("kidnapped")
	h.keys("ctrl+f")
	p = h.m.prompt
	if p == nil || len(p.matches) != 2 || p.ids[p.matches[1]] != figureOthers {
		t.Fatalf("ctrl+f on Kidnapped: %+v, want the fitting figure and an entry for the others", p)
	}
	h.keys("down down enter")
	p = h.m.prompt
	if p == nil || len(p.matches) != 2 || p.ids[p.matches[0]] != figureRef(kidnap, 0) || p.ids[p.matches[1]] != figureRef(vehicles, 0) {
		t.Fatalf("the others entry lists %+v, want the kidnapped figure, then the vehicles", p)
	}
	h.keys("down down enter")
	if n := h.incident(inc).Fields["kidnapped"].Number; n == nil || *n != 2 {
		t.Errorf("taking the vehicles figure on request left kidnapped %v, want 2", n)
	}
	if !strings.Contains(h.m.message, "vehicles destroyed, not kidnapped") {
		t.Errorf("taking a figure that counts something else says %q, want it said", h.m.message)
	}
}

// TestClearingTakesTheEvidence: clearing a value left its evidence
// attached ("Killed low — ⟵ c67 …"); the evidence goes with the value.
func TestClearingTakesTheEvidence(t *testing.T) {
	h := openSeed(t)
	claim := h.seedClaim("53 members of the SDF were killed", "ISIS", "53 killed")
	inc := h.newIncident()
	h.toRow("killed.high")
	h.keys("ctrl+f down enter")
	if ev := h.incident(inc).Evidence["killed"]; !reflect.DeepEqual(ev, []string{claim}) {
		t.Fatalf("ctrl+f on Killed high: evidence %q, want the claim %s", ev, claim)
	}
	h.fill("killed.low", "12")
	// Clearing one estimate leaves a value: the evidence stays.
	h.toRow("killed.low")
	h.keys("delete")
	if ev := h.incident(inc).Evidence["killed"]; !reflect.DeepEqual(ev, []string{claim}) {
		t.Errorf("clearing Killed low (high still 53) left evidence %q, want the claim", ev)
	}
	// Clearing the last one clears the field, and the evidence goes.
	h.toRow("killed.high")
	h.keys("delete")
	got := h.incident(inc)
	if v, ok := got.Fields["killed"]; ok {
		t.Errorf("killed after clearing both estimates: %+v", v)
	}
	if ev, ok := got.Evidence["killed"]; ok {
		t.Errorf("the cleared Killed keeps its evidence %q", ev)
	}
	for _, l := range strings.Split(sidePane(h.screen(), h.m), "\n") {
		if strings.Contains(l, "Killed low") && strings.Contains(l, "⟵") {
			t.Errorf("the cleared Killed still shows evidence: %q", l)
		}
	}
	if !strings.Contains(h.m.message, claim) {
		t.Errorf("clearing says %q, want the evidence that went named", h.m.message)
	}
	// An entity field, cleared with backspace, the same.
	h.fill("location", "Raqqa")
	h.toRow("location")
	h.keys("ctrl+e")
	h.typeText("Raqqa")
	h.keys("enter")
	if ev := h.incident(inc).Evidence["location"]; len(ev) != 1 {
		t.Fatalf("location evidence %q, want the Raqqa span", ev)
	}
	h.keys("backspace")
	if ev, ok := h.incident(inc).Evidence["location"]; ok {
		t.Errorf("the cleared location keeps its evidence %q", ev)
	}
	// u brings both back.
	h.keys("ctrl+o u")
	if ev := h.incident(inc).Evidence["location"]; len(ev) != 1 || len(h.incident(inc).Fields["location"].List) != 1 {
		t.Errorf("u after clearing the location: %+v, want the value and its evidence back", h.incident(inc))
	}
}

// markedLine returns the screen line with the highlight marker, "" when
// none has it.
func markedLine(screen string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, "▸") {
			return l
		}
	}
	return ""
}

// TestPickersPreselectOneWay: ctrl+f and ctrl+e opened on their first entry,
// shown only by colour, while the claimant and location rows opened on
// nothing. Now every list highlights the stored value or nothing until
// you type or move, and the highlight is marked ▸ as well as coloured.
func TestPickersPreselectOneWay(t *testing.T) {
	h := openSeed(t)
	h.seedClaim("53 members of the SDF were killed", "ISIS", "53 killed")
	h.newIncident()

	type picker struct {
		name, row, keys string
		first           func() string // what the first entry shows
	}
	formFirst := func() string { return matches(h.m.form.row(), "")[0].display }
	promptFirst := func() string { return h.m.prompt.matches[0] }
	for _, pk := range []picker{
		{"the location row", "location", "", formFirst},
		{"the perpetrators row", "perpetrators", "", formFirst},
		{"ctrl+e", "location", "ctrl+e", promptFirst},
		{"ctrl+f", "killed.best", "ctrl+f", promptFirst},
	} {
		h.toRow(pk.row)
		h.keys(pk.keys)
		if pk.keys != "" && h.m.prompt == nil {
			t.Fatalf("%s opened no picker (message %q)", pk.name, h.m.message)
		}
		if h.m.prompt != nil {
			if c, ok := h.m.prompt.choice(); ok {
				t.Errorf("%s opens with %q highlighted, want nothing until a key picks", pk.name, c)
			}
		} else if got := h.highlighted(); got != "" {
			t.Errorf("%s opens with %q highlighted, want nothing", pk.name, got)
		}
		if l := markedLine(h.screen()); l != "" {
			t.Errorf("%s opens with a marked entry: %q", pk.name, l)
		}
		h.keys("down")
		first := pk.first()
		if l := markedLine(h.screen()); !strings.Contains(l, "▸") || !strings.Contains(l, strings.Fields(first)[0]) {
			t.Errorf("after ↓ in %s the marked line is %q, want the first entry %q", pk.name, l, first)
		}
		if h.m.prompt != nil {
			h.keys("esc")
		}
	}
	// A field with a value opens on it, marked.
	h.fill("location", "Raqqa")
	h.toRow("location")
	if l := markedLine(h.screen()); !strings.Contains(l, "Raqqa") {
		t.Errorf("the location holding Raqqa marks %q, want Raqqa", l)
	}
}

// TestEnterMovesOnEverywhere: enter on Location or Perpetrators saved but
// stayed while other fields moved on; a reopened incident started where
// the last one was left.
func TestEnterMovesOnEverywhere(t *testing.T) {
	h := openSeed(t)
	inc := h.newIncident()
	rows := h.m.form.rows
	next := func(key string) string {
		for i, r := range rows {
			if r.key == key && i+1 < len(rows) {
				return rows[i+1].key
			}
		}
		return ""
	}
	for _, tt := range []struct{ row, text string }{
		{"event_type", "clash"},
		{"location", "Raqqa"},
		{"perpetrators", "ISIS"},
		{"tactics", "armed"},
		{"notes", "an attack"},
	} {
		h.fill(tt.row, tt.text)
		if _, ok := h.incident(inc).Fields[tt.row]; !ok {
			t.Errorf("%q, enter on %s saved nothing (message %q)", tt.text, tt.row, h.m.message)
		}
		if want := next(tt.row); want != "" && h.m.form.row().key != want {
			t.Errorf("enter on %s left the cursor on %s, want the next row, %s", tt.row, h.m.form.row().key, want)
		}
	}
	h.toRow("killed.best")
	h.keys("esc enter")
	if f := h.m.form; f == nil || f.itemID != inc || f.cursor != 0 {
		at := "no form"
		if f != nil {
			at = f.itemID + " " + f.row().key
		}
		t.Errorf("the reopened incident starts on %s, want %s on its first field", at, inc)
	}
}

// TestEnterAsksWhenSeveralMatch: typing "attack" then enter in Event type
// silently took the first match, "Violence against civilians › Attack", for
// an attack on troops; "Nis" listed ISIS, by scattered letters. Now the
// filter matches words, and enter on a highlight several matches share asks
// before taking it.
func TestEnterAsksWhenSeveralMatch(t *testing.T) {
	h := openSeed(t)
	inc := h.newIncident()
	h.toRow("event_type")
	h.typeText("attack")
	var found []string
	for _, o := range matches(h.m.form.row(), "attack") {
		found = append(found, o.value)
	}
	if want := []string{"Attack", "Shelling/artillery/missile attack"}; !reflect.DeepEqual(found, want) {
		t.Errorf("attack matches %q, want %q", found, want)
	}
	h.keys("enter")
	if v, ok := h.incident(inc).Fields["event_type"]; ok {
		t.Fatalf("attack, enter took %q without asking", v.Text)
	}
	if !strings.Contains(h.m.message, "2 match “attack”") || !strings.Contains(h.m.message, "enter again") {
		t.Errorf("attack, enter says %q, want how many match and what enter does next", h.m.message)
	}
	if s := sidePane(h.screen(), h.m); !strings.Contains(s, "Violence against civilians › Attack") || !strings.Contains(s, "Shelling/artillery/missile") {
		t.Errorf("the matches are not all shown:\n%s", s)
	}
	h.keys("down enter")
	if got := h.incident(inc).Fields["event_type"].Text; got != "Shelling/artillery/missile attack" {
		t.Errorf("down, enter took %q, want the second match", got)
	}
	// Asked, enter again takes the highlight.
	h.toRow("event_type")
	h.typeText("attack")
	h.keys("enter enter")
	if got := h.incident(inc).Fields["event_type"].Text; got != "Attack" {
		t.Errorf("attack, enter, enter took %q, want Attack", got)
	}
	// One match is taken at once.
	h.toRow("event_type")
	h.typeText("clash")
	h.keys("enter")
	if got := h.incident(inc).Fields["event_type"].Text; got != "Armed clash" {
		t.Errorf("clash, enter took %q, want Armed clash", got)
	}

	// Words, not scattered letters: "Nis" is Nisreen Abdullah, not ISIS.
	h.toRow("perpetrators")
	for _, o := range matches(h.m.form.row(), "Nis") {
		if !strings.HasPrefix(o.display, "Nisreen") {
			t.Errorf("Nis matches %q", o.display)
		}
	}
	h.typeText("Nis")
	h.keys("enter")
	if got := h.incident(inc).Fields["perpetrators"].List; len(got) != 1 || h.m.ann.RefName(got[0], seedText) != "Nisreen Abdullah" {
		t.Errorf("Nis, enter on perpetrators stored %q, want Nisreen Abdullah", got)
	}

	// A picker asks the same way: two SDF mentions match "SDF".
	h.toRow("perpetrators")
	h.keys("ctrl+e")
	h.typeText("SDF")
	if p := h.m.prompt; p == nil || len(p.matches) != 2 {
		t.Fatalf("SDF in the evidence picker: %+v, want the two SDF mentions", p)
	}
	h.keys("enter")
	if h.m.prompt == nil || len(h.incident(inc).Evidence["perpetrators"]) != 0 {
		t.Fatalf("SDF, enter in the evidence picker took a mention without asking (message %q)", h.m.message)
	}
	h.keys("down enter")
	if ev := h.incident(inc).Evidence["perpetrators"]; len(ev) != 1 || ev[0] != h.spanIDs("SDF")[1] {
		t.Errorf("down, enter took %q, want the second SDF mention", ev)
	}
}

// spanIDs returns the IDs of the spans whose text is s, in text order.
func (h *harness) spanIDs(s string) []string {
	var out []string
	for _, sp := range h.m.spans {
		if h.m.doc.text[sp.Start:sp.End] == s {
			out = append(out, sp.ID)
		}
	}
	return out
}

// TestWordMotionsFromTheSelectionsEnd: after a multi-word find, b and w
// jumped from the selection's start; b stopped on punctuation.
func TestWordMotionsFromTheSelectionsEnd(t *testing.T) {
	h := newHarness(t, newFakeStore(article("t", seedText)), 160, 40)
	h.keys("enter")
	for _, tt := range []struct{ find, keys, want string }{
		{"53 members", "w", "of"},
		{"53 members", "b", "53"},
		{"53 members", "b b", "and"},
		{"members of the SDF", "b", "the"},
		{"Nisreen", "b", "spokeswoman"},
		{"spokeswoman", "w", "Nisreen"},
		{"Abdullah", "w", "said"},
		{"kidnapped and killed", "w", "he"},
		{"exaggerated", "w", "Dozens"},
		{"Dozens", "b", "exaggerated"},
	} {
		h.findText(tt.find)
		h.keys(tt.keys)
		if _, got := h.sel(); got != tt.want {
			t.Errorf("find %q, %s selected %q, want %q", tt.find, tt.keys, got, tt.want)
		}
	}
	// Extending, w and b stop on punctuation too, so a selection can end
	// on a full stop.
	h.findText("estimate")
	h.keys("v w w w")
	if _, got := h.sel(); got != "estimate was exaggerated." {
		t.Errorf("v w w w from estimate selected %q, want up to the full stop", got)
	}
}
