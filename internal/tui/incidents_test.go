package tui

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

// openIncident opens raqqaText and a new incident form.
func openIncident(t *testing.T) *harness {
	t.Helper()
	h := openRaqqa(t)
	h.keys("tab")
	h.toTab(tabIncidents)
	h.keys("n")
	if f := h.m.form; f == nil || f.kind != formIncident {
		t.Fatalf("n opened no incident form: %+v", f)
	}
	return h
}

// TestInvalidValuesKeptAsDrafts: a value that is not valid is refused
// inline: nothing is saved, the draft and its error are shown, and the
// draft stays through tab switches, trips to the article and reopening the
// form, until ctrl+u drops it.
func TestInvalidValuesKeptAsDrafts(t *testing.T) {
	h := openIncident(t)
	h.fill("wounded.high", "5")
	rev := h.stored().Rev
	base := h.stored().Incidents[0]
	invalid := []struct{ row, typed, err string }{
		{"killed.low", "-3", "-3 is negative"},
		{"killed.best", "many", `"many" is not a whole number`},
		{"wounded.low", "9", "low 9 is above high 5"},
		{"date.start", "2017-02-30", "2017-02-30 does not exist"},
		{"event_type", "zzz", `"zzz" is not in the list`},
	}
	for _, c := range invalid {
		h.fill(c.row, c.typed)
		if got := h.stored().Rev; got != rev {
			t.Errorf("%s %q was saved (Rev %d → %d)", c.row, c.typed, rev, got)
		}
		if got := h.m.form.row().key; got != c.row {
			t.Errorf("%s %q: the cursor moved on to %s", c.row, c.typed, got)
		}
		if !strings.Contains(h.m.message, c.err) {
			t.Errorf("%s %q: message %q, want %q", c.row, c.typed, h.m.message, c.err)
		}
	}
	if got := h.stored().Incidents[0]; !reflect.DeepEqual(got, base) {
		t.Errorf("refused values changed the incident: %s, want %s", jsonOf(got), jsonOf(base))
	}
	shown := func(where string, rows ...string) {
		t.Helper()
		screen := h.screen()
		for _, c := range invalid {
			want := slices.Contains(rows, c.row)
			for _, s := range []string{"✎ " + c.typed, "✗ " + c.err} {
				if strings.Contains(screen, s) != want {
					t.Errorf("%s: screen shows %q: %v, want %v", where, s, !want, want)
				}
			}
		}
		if t.Failed() {
			t.Logf("%s:\n%s", where, screen)
		}
	}
	all := []string{"killed.low", "killed.best", "wounded.low", "date.start", "event_type"}
	shown("after the refusals", all...)

	h.keys("esc")
	if h.m.form != nil {
		t.Fatalf("esc left the form open")
	}
	shown("the list after esc") // the list shows no drafts
	h.keys("h h l l")
	if h.m.sideTab != tabIncidents {
		t.Fatalf("h h l l: tab %d, want Incidents", h.m.sideTab)
	}
	h.keys("enter")
	shown("the form reopened after esc and tab switches", all...)
	h.keys("ctrl+o")
	if h.m.focus != focusArticle {
		t.Fatalf("ctrl+o did not go to the article")
	}
	h.keys("w w v w")
	shown("in the article, the form kept", all...)
	h.keys("esc tab")
	if h.m.focus != focusSide || h.m.form == nil {
		t.Fatalf("tab from the article did not come back to the form")
	}
	shown("back from the article", all...)
	if got := h.stored().Rev; got != rev {
		t.Errorf("trips around the screen saved something (Rev %d → %d)", rev, got)
	}

	// ctrl+u drops one draft, the others stay.
	h.toRow("event_type")
	h.keys("ctrl+u")
	shown("after ctrl+u on the event type", "killed.low", "killed.best", "wounded.low", "date.start")
	// A fixed value is saved and its draft goes.
	h.toRow("killed.low")
	h.keys("ctrl+u")
	h.typeText("3")
	h.keys("enter")
	if k := h.stored().Incidents[0].Fields["killed"]; k.Count == nil || k.Count.Low == nil || *k.Count.Low != 3 || k.Count.Best != nil {
		t.Errorf("killed low 3 after the fix: %s", jsonOf(k))
	}
	shown("after fixing killed low", "killed.best", "wounded.low", "date.start")
	// ? is unknown, which is not 0.
	h.fill("wounded.best", "0")
	if w := h.stored().Incidents[0].Fields["wounded"]; w.Count == nil || w.Count.Best == nil || *w.Count.Best != 0 {
		t.Errorf("wounded best 0: %s", jsonOf(w))
	}
	h.fill("wounded.best", "?")
	if w := h.stored().Incidents[0].Fields["wounded"]; w.Count == nil || w.Count.Best != nil || w.Count.High == nil {
		t.Errorf("wounded best ?: %s, want best unknown (null) and high kept", jsonOf(w))
	}
}

// TestClaimFigureRefusesNegative: the claim form refuses a negative figure
// the same way.
func TestClaimFigureRefusesNegative(t *testing.T) {
	h := openRaqqa(t)
	h.findText(raqqaClaim)
	h.keys("c")
	rev := h.stored().Rev
	h.fill("figure.new", "-3")
	if got := h.stored(); got.Rev != rev || len(got.Claims[0].Figures) != 0 {
		t.Errorf("figure -3 was saved: Rev %d → %d, figures %+v", rev, got.Rev, got.Claims[0].Figures)
	}
	if s := h.screen(); !strings.Contains(s, "✎ -3") || !strings.Contains(s, "✗ “-3” is not a figure") {
		t.Errorf("the refused figure is not shown:\n%s", s)
	}
}

// TestQuitWithDrafts: ctrl+c with an unconfirmed draft asks once more; a
// second ctrl+c quits. Without drafts ctrl+c quits at once.
func TestQuitWithDrafts(t *testing.T) {
	t.Run("no drafts", func(t *testing.T) {
		h := openIncident(t)
		h.fill("killed.low", "3")
		h.keys("ctrl+c")
		if !h.quit {
			t.Errorf("ctrl+c without drafts did not quit (message %q)", h.m.message)
		}
	})
	for _, tc := range []struct {
		name    string
		confirm string
	}{{"refused draft", "enter"}, {"typed, not confirmed", ""}} {
		t.Run(tc.name, func(t *testing.T) {
			h := openIncident(t)
			h.toRow("killed.low")
			h.typeText("-3")
			h.keys(tc.confirm)
			h.keys("ctrl+c")
			if h.quit {
				t.Fatal("the first ctrl+c quit with a draft")
			}
			if !strings.Contains(h.m.message, "not confirmed") || !strings.Contains(h.m.message, "ctrl+c again") {
				t.Errorf("first ctrl+c: message %q", h.m.message)
			}
			if s := h.screen(); !strings.Contains(s, "ctrl+c again") {
				t.Errorf("the question is not on the screen:\n%s", s)
			}
			if h.m.drafts[draftKey(formIncident, h.m.form.itemID, "killed.low")] != "-3" {
				t.Errorf("the first ctrl+c touched the draft: %q", h.m.drafts)
			}
			h.keys("ctrl+c")
			if !h.quit {
				t.Errorf("the second ctrl+c did not quit")
			}
		})
	}
	t.Run("q on the queue asks too", func(t *testing.T) {
		h := openIncident(t)
		h.fill("killed.low", "-3")
		h.keys("ctrl+o q")
		if h.m.screen != screenQueue {
			t.Fatalf("q in the article did not go to the queue")
		}
		h.keys("q")
		if h.quit {
			t.Fatal("q on the queue quit with a draft")
		}
		if !strings.Contains(h.m.message, "press q again") {
			t.Errorf("the question names another key: %q", h.m.message)
		}
		h.keys("ctrl+c")
		if !h.quit {
			t.Errorf("ctrl+c after the question did not quit")
		}
	})
	t.Run("q twice on the queue quits", func(t *testing.T) {
		h := openIncident(t)
		h.fill("killed.low", "-3")
		h.keys("ctrl+o q")
		h.keys("q")
		h.keys("q")
		if !h.quit {
			t.Errorf("q twice on the queue with a draft did not quit (message %q)", h.m.message)
		}
	})
}

// TestDraftsOfAnUndoneIncident: undoing the creation of an incident closes
// its form; what was typed into it must not turn up in a different
// incident created afterwards.
func TestDraftsOfAnUndoneIncident(t *testing.T) {
	h := openIncident(t)
	first := h.m.form.itemID
	h.fill("killed.low", "-3")
	h.keys("ctrl+o u")
	if h.m.form != nil || len(h.stored().Incidents) != 0 {
		t.Fatalf("u did not undo the incident's creation")
	}
	h.keys("tab n")
	if h.m.form == nil {
		t.Fatal("n opened no form")
	}
	if s := h.screen(); strings.Contains(s, "✎ -3") {
		t.Errorf("the new incident %s (the undone one was %s) shows a draft typed into the undone one:\n%s", h.m.form.itemID, first, s)
	}
	h.keys("ctrl+c")
	if !h.quit {
		t.Errorf("ctrl+c on a fresh incident asks about drafts nobody can see: %q", h.m.message)
	}
}

// TestRelabelSpanUsedByIncident: an incident's location takes GPE, LOC or
// FAC spans. Relabelling the location's span to ORG must not leave a stored
// annotation that `annotate check` reports as damaged.
func TestRelabelSpanUsedByIncident(t *testing.T) {
	h := openRaqqa(t)
	h.tagText("Raqqa", "4")
	h.keys("tab")
	h.toTab(tabIncidents)
	h.keys("n")
	h.fill("location", "Raqqa")
	if got := h.stored().Incidents[0].Fields["location"].List; len(got) != 1 {
		t.Fatalf("setup: location %q", got)
	}
	h.keys("ctrl+o")
	h.findText("Raqqa")
	h.keys("1")
	a := h.stored()
	if errs := model.Validate(&a, raqqaText, model.DefaultSchema()); errs != nil {
		t.Errorf("after relabelling the location's span to ORG (labels %q) the stored annotation is not valid: %v",
			spanSet(raqqaText, a.Entities), errs)
	}
}
