package tui

import (
	"errors"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/annotate-tool/annotate/internal/model"
)

const tagText = "Raqqa council met in Raqqa. The Raqqawi group left Raqqa for Homs."

func openTag(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t, newFakeStore(article("Tagging", tagText)), 80, 24)
	h.keys("enter")
	if h.m.doc == nil {
		t.Fatal("the article did not open")
	}
	return h
}

// spanSet renders spans as "label text@start" in position order, for
// comparisons that read well in failures.
func spanSet(text string, spans []model.Span) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Label+" "+text[s.Start:s.End]+"@"+strconv.Itoa(s.Start))
	}
	sort.Strings(out)
	return out
}

func TestLabelKeysTagWithTheirLabel(t *testing.T) {
	for _, l := range model.DefaultSchema().Labels {
		t.Run(l.Key+"="+l.Name, func(t *testing.T) {
			h := openTag(t)
			h.keys("w " + l.Key) // "council"
			a := h.stored()
			want := []model.Span{{ID: "e1", Start: 6, End: 13, Label: l.Name, Entity: "n2"}}
			if !reflect.DeepEqual(a.Entities, want) {
				t.Errorf("key %s stored %+v, want %+v", l.Key, a.Entities, want)
			}
		})
	}
}

func TestTagging(t *testing.T) {
	h := openTag(t)
	id := h.m.doc.article.ID
	first := rangeOf(t, tagText, "Raqqa", 0)

	// 1 tags the selection ORG.
	h.keys("1")
	a := h.stored()
	if want := []model.Span{{ID: "e1", Start: first.Start, End: first.End, Label: "ORG", Entity: "n2"}}; !reflect.DeepEqual(a.Entities, want) {
		t.Fatalf("after 1: stored %+v, want %+v", a.Entities, want)
	}
	if a.Rev != 1 || h.m.ann.Rev != 1 {
		t.Errorf("after 1: stored Rev %d, screen Rev %d, want 1 and 1", a.Rev, h.m.ann.Rev)
	}
	if a.Status != model.StatusInProgress {
		t.Errorf("after the first change: status %q, want in_progress", a.Status)
	}
	if got, want := h.st.actions(id), []string{"tag “Raqqa” ORG"}; !reflect.DeepEqual(got, want) {
		t.Errorf("history %q, want %q", got, want)
	}
	if !strings.Contains(h.screen(), "saved: tag “Raqqa” ORG") {
		t.Errorf("status line does not confirm the save:\n%s", h.screen())
	}

	// 4 on the same range relabels instead of adding a second span.
	h.keys("4")
	a = h.stored()
	if want := []string{"GPE Raqqa@0"}; !reflect.DeepEqual(spanSet(tagText, a.Entities), want) {
		t.Errorf("after 4: %q, want %q", spanSet(tagText, a.Entities), want)
	}
	if a.Rev != 2 || a.Entities[0].ID != "e1" {
		t.Errorf("after 4: Rev %d, span ID %s, want Rev 2 and the same span e1", a.Rev, a.Entities[0].ID)
	}
	// The same label again changes nothing.
	h.keys("4")
	if h.stored().Rev != 2 {
		t.Errorf("tagging GPE as GPE again saved a revision")
	}

	// a a tags every other whole-word occurrence, not the one inside Raqqawi.
	h.keys("a a")
	a = h.stored()
	want := []string{"GPE Raqqa@0", "GPE Raqqa@21", "GPE Raqqa@51"}
	if got := spanSet(tagText, a.Entities); !reflect.DeepEqual(got, want) {
		t.Errorf("after a: %q, want %q", got, want)
	}
	h.keys("a")
	if h.stored().Rev != a.Rev || !strings.Contains(h.m.message, "already GPE") {
		t.Errorf("a with every occurrence tagged: Rev %d (was %d), message %q", h.stored().Rev, a.Rev, h.m.message)
	}

	// x deletes the span under the cursor.
	h.keys("x")
	a = h.stored()
	if got, want := spanSet(tagText, a.Entities), []string{"GPE Raqqa@21", "GPE Raqqa@51"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after x: %q, want %q", got, want)
	}
	h.keys("x")
	if !strings.Contains(h.m.message, "no span under the cursor") {
		t.Errorf("x with no span: message %q", h.m.message)
	}

	// t opens the picker; typing narrows it; enter applies the choice.
	h.keys("w t")
	if h.m.prompt == nil || h.m.prompt.kind != promptLabel {
		t.Fatalf("t did not open the label picker")
	}
	if s := h.screen(); !strings.Contains(s, "label for “council”") || !strings.Contains(s, "NORP") {
		t.Errorf("picker does not show its title and labels:\n%s", s)
	}
	h.typeText("gp")
	if got := h.m.prompt.matches; !reflect.DeepEqual(got, []string{"GPE"}) {
		t.Errorf("picker matches for gp = %q, want [GPE]", got)
	}
	h.keys("enter")
	if h.m.prompt != nil {
		t.Errorf("enter did not close the picker")
	}
	if got, want := spanSet(tagText, h.stored().Entities), []string{"GPE Raqqa@21", "GPE Raqqa@51", "GPE council@6"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after t gp enter: %q, want %q", got, want)
	}

	// r relabels the span under the cursor through the picker.
	h.keys("r")
	if h.m.prompt == nil || h.m.prompt.kind != promptRelabel {
		t.Fatalf("r did not open the relabel picker")
	}
	h.typeText("per")
	h.keys("enter")
	if got, want := spanSet(tagText, h.stored().Entities), []string{"GPE Raqqa@21", "GPE Raqqa@51", "PER council@6"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after r per enter: %q, want %q", got, want)
	}

	// esc closes the picker without change; enter on the article opens it.
	rev := h.stored().Rev
	h.keys("enter down esc")
	if h.m.prompt != nil || h.stored().Rev != rev {
		t.Errorf("esc in the picker: prompt %v, Rev %d (was %d)", h.m.prompt, h.stored().Rev, rev)
	}

	// v w 2 tags a multi-word selection and ends the extension.
	h.keys("v w 2")
	if got := spanSet(tagText, h.stored().Entities); !slices.Contains(got, "PER council met@6") || len(got) != 4 {
		t.Errorf("after v w 2: %q, want a new PER span on “council met”", got)
	}
	if h.m.extend {
		t.Errorf("tagging did not end the extension")
	}

	// Every save is in the history, in order.
	wantActions := []string{
		"tag “Raqqa” ORG", "relabel “Raqqa” ORG → GPE", "tag all “Raqqa” GPE (2)", "“Raqqa” added to the registry as r1 and linked", "delete GPE “Raqqa”",
		"tag “council” GPE", "relabel “council” GPE → PER", "tag “council met” PER",
	}
	if got := h.st.actions(id); !reflect.DeepEqual(got, wantActions) {
		t.Errorf("history:\n got %q\nwant %q", got, wantActions)
	}
	// The span IDs are never reused.
	seen := map[string]bool{}
	for _, s := range h.stored().Entities {
		if seen[s.ID] {
			t.Errorf("span ID %s used twice", s.ID)
		}
		seen[s.ID] = true
	}
	final := h.stored()
	if errs := model.Validate(&final, tagText, model.DefaultSchema()); errs != nil {
		t.Errorf("stored annotation is not valid: %v", errs)
	}
}

func TestTagAllUsesLastLabel(t *testing.T) {
	h := openTag(t)
	h.keys("a")
	if !strings.Contains(h.m.message, "tag the selection first") {
		t.Errorf("a before any tag: message %q", h.m.message)
	}
	// On an untagged word, a uses the last label and tags every
	// occurrence, the selected one too ("tag all occurrences").
	h.keys("w 1 w w a a") // tag "council" ORG, then a a on "in" (once in the text)
	if got, want := spanSet(tagText, h.stored().Entities), []string{"ORG council@6", "ORG in@18"}; !reflect.DeepEqual(got, want) {
		t.Errorf("a on a word that occurs once: %q, want %q", got, want)
	}
	h.keys("w a a") // the second "Raqqa"
	want := []string{"ORG Raqqa@0", "ORG Raqqa@21", "ORG Raqqa@51", "ORG council@6", "ORG in@18"}
	if got := spanSet(tagText, h.stored().Entities); !reflect.DeepEqual(got, want) {
		t.Errorf("a on an untagged word: %q, want %q", got, want)
	}
}

// TestSideRelabelAndDelete works the spans pane: tab focuses it, j/k move
// (selecting each span in the text), r relabels, x deletes, enter jumps.
func TestSidePane(t *testing.T) {
	h := openTag(t)
	h.keys("1 w w w w 4 w w w w w w 5") // the three Raqqa: ORG, GPE, LOC
	if got := len(h.stored().Entities); got != 3 {
		t.Fatalf("setup: %d spans, want 3: %q", got, spanSet(tagText, h.stored().Entities))
	}
	h.keys("tab")
	if h.m.focus != focusSide {
		t.Fatalf("tab did not focus the spans pane")
	}
	if s := h.screen(); !strings.Contains(s, "Entities") || !strings.Contains(s, "ORG   Raqqa ×1") {
		t.Errorf("spans pane does not list the spans:\n%s", s)
	}
	h.keys("j")
	if r, _ := h.sel(); r != rangeOf(t, tagText, "Raqqa", 1) {
		t.Errorf("j in the spans pane selected %v, want the second span", r)
	}
	h.keys("r")
	h.typeText("fac")
	h.keys("enter")
	h.keys("j x")
	if got, want := spanSet(tagText, h.stored().Entities), []string{"FAC Raqqa@21", "ORG Raqqa@0"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after relabel and delete in the pane: %q, want %q", got, want)
	}
	// enter on an entity steps to its mention; on a mention row (o shows
	// them) it goes to the article.
	h.keys("k enter")
	if r, _ := h.sel(); r != rangeOf(t, tagText, "Raqqa", 0) || h.m.focus != focusSide {
		t.Errorf("enter on the first entity selected %v (focus %d), want %v and the pane kept", r, h.m.focus, rangeOf(t, tagText, "Raqqa", 0))
	}
	h.keys("o j enter")
	if r, _ := h.sel(); r != rangeOf(t, tagText, "Raqqa", 0) || h.m.focus != focusArticle {
		t.Errorf("enter on the mention row selected %v (focus %d), want %v and the article", r, h.m.focus, rangeOf(t, tagText, "Raqqa", 0))
	}
	h.keys("tab l")
	if h.m.sideTab != tabClaims {
		t.Errorf("l in the pane: tab %d, want the next tab (Claims)", h.m.sideTab)
	}
	h.keys("h esc")
	if h.m.sideTab != tabEntities || h.m.focus != focusArticle {
		t.Errorf("h esc: tab %d focus %d, want entities and the article", h.m.sideTab, h.m.focus)
	}
}

// TestSavingQueuesKeys: keys pressed while a save is in flight wait, and
// run in order once the store has committed it.
func TestSavingQueuesKeys(t *testing.T) {
	h := openTag(t)
	h.hold = true
	h.keys("1")
	if !h.m.saving || len(h.held) != 1 {
		t.Fatalf("1 did not start a save (saving %v, %d commands held)", h.m.saving, len(h.held))
	}
	if !strings.Contains(h.screen(), "saving…") {
		t.Errorf("status line does not say saving:\n%s", h.screen())
	}
	h.keys("w 2")
	if _, text := h.sel(); text != "Raqqa" {
		t.Errorf("a key was handled during the save: selection %q", text)
	}
	if len(h.m.ann.Entities) != 0 {
		t.Errorf("the screen shows a change the store has not committed: %+v", h.m.ann.Entities)
	}
	if len(h.m.pending) != 2 {
		t.Errorf("%d keys pending, want 2", len(h.m.pending))
	}
	if _, ok := h.st.stored(h.m.doc.article.ID, "alice"); ok {
		t.Fatalf("the store has the annotation before the save command ran")
	}
	h.release()
	if h.m.saving || len(h.m.pending) != 0 {
		t.Errorf("after the saves: saving %v, %d keys pending", h.m.saving, len(h.m.pending))
	}
	want := []string{"ORG Raqqa@0", "PER council@6"}
	if got := spanSet(tagText, h.stored().Entities); !reflect.DeepEqual(got, want) {
		t.Errorf("after the queued keys: %q, want %q", got, want)
	}
	if h.stored().Rev != 2 || h.m.ann.Rev != 2 {
		t.Errorf("Rev stored %d, screen %d, want 2", h.stored().Rev, h.m.ann.Rev)
	}
}

// TestSaveErrors: a conflict reloads the annotation from the store; any
// other failure leaves the screen as it was, with an error message.
func TestSaveErrors(t *testing.T) {
	h := openTag(t)
	id := h.m.doc.article.ID
	// Another screen saves first.
	other := model.NewAnnotation(id, "alice", "conflict-incidents")
	other.Entities = []model.Span{{ID: "e1", Start: 6, End: 13, Label: "ORG"}}
	other.NextID = 1
	if _, err := h.st.Save(other, "elsewhere"); err != nil {
		t.Fatal(err)
	}
	h.keys("2")
	if !h.m.isError || !strings.Contains(h.m.message, "changed in another window") {
		t.Errorf("conflict: message %q (error %v)", h.m.message, h.m.isError)
	}
	if got, want := spanSet(tagText, h.m.ann.Entities), []string{"ORG council@6"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after a conflict the screen shows %q, want the stored %q", got, want)
	}
	if _, text := h.sel(); text != "Raqqa" {
		t.Errorf("the reload moved the selection to %q", text)
	}
	// Now the screen is up to date: the same key works.
	h.keys("2")
	if got, want := spanSet(tagText, h.stored().Entities), []string{"ORG council@6", "PER Raqqa@0"}; !reflect.DeepEqual(got, want) {
		t.Errorf("retry after the conflict: %q, want %q", got, want)
	}
	h.st.failSave = errors.New("disk full")
	h.keys("w 3")
	if !h.m.isError || !strings.Contains(h.m.message, "not saved: disk full") || h.m.saving {
		t.Errorf("failed save: message %q, error %v, saving %v", h.m.message, h.m.isError, h.m.saving)
	}
	if got := len(h.m.ann.Entities); got != 2 {
		t.Errorf("failed save changed the screen's annotation: %d spans", got)
	}
}

// TestSchemaLabelKeys: the label keys come from the schema, so a key with
// no label says so instead of tagging.
func TestSchemaLabelKeys(t *testing.T) {
	schema, err := model.ParseSchema([]byte(`{"name": "small", "version": 1, "labels": [
		{"name": "ACTOR", "key": "1", "color": "#4E9BE6"},
		{"name": "PLACE", "key": "2"},
		{"name": "UNKEYED"}]}`), "test")
	if err != nil {
		t.Fatal(err)
	}
	st := newFakeStore(article("Tagging", tagText))
	m := New(Options{Store: st, Schema: schema, Annotator: "alice", Location: "test.db"})
	h := &harness{t: t, m: m, st: st}
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.run(m.Init())
	h.keys("enter 5")
	if !strings.Contains(h.m.message, "no label on key 5") || len(h.stored().Entities) != 0 {
		t.Errorf("key 5 with no label: message %q, spans %+v", h.m.message, h.stored().Entities)
	}
	h.keys("2 w t")
	h.typeText("unk")
	h.keys("enter")
	if got, want := spanSet(tagText, h.stored().Entities), []string{"PLACE Raqqa@0", "UNKEYED council@6"}; !reflect.DeepEqual(got, want) {
		t.Errorf("spans %q, want %q", got, want)
	}
	if s := h.screen(); !strings.Contains(s, "UNKEYED") {
		t.Errorf("the status line does not name the unkeyed label:\n%s", s)
	}
}
