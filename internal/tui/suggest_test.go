package tui

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

// registrySuggester proposes every occurrence of a registry name: enough of
// a suggester for the screen's tests (the real one is internal/suggest).
func registrySuggester(text string, reg []model.RegistryEntry, a *model.Annotation) []Suggestion {
	var out []Suggestion
	for _, r := range reg {
		for _, n := range r.Names() {
			for off := 0; ; {
				i := strings.Index(text[off:], n)
				if i < 0 {
					break
				}
				out = append(out, Suggestion{Start: off + i, End: off + i + len(n), Label: r.Label, Text: n, Entity: r.ID, Source: "registry"})
				off += i + len(n)
			}
		}
	}
	return out
}

// TestSuggestions: an article opened after the registry knows ISIS shows
// its mentions as suggestions, drawn unlike annotations; Y accepts them
// all into the registry's entity; a rejected one stays rejected after a
// restart; a failing model server gives one message and the screen goes on.
func TestSuggestions(t *testing.T) {
	first := article("First", "ISIS attacked. ISIS left.")
	second := article("Second", "Later ISIS returned and ISIS said so; ISIS won.")
	st := newFakeStore(first, second)
	withSuggest := func(o *Options) {
		o.Suggest = registrySuggester
		o.ModelSuggest = func(ctx context.Context, art model.Article) ([]Suggestion, error) {
			return nil, errors.New("connection refused")
		}
	}
	h := newHarness(t, st, 160, 40, withSuggest)
	// First article: tag ISIS everywhere, which adds it to the registry.
	h.run(h.m.loadArticle(first.ID))
	if !strings.Contains(h.m.message, "model suggestions unavailable") || !h.m.isError {
		t.Errorf("a failing model server says %q, want one message", h.m.message)
	}
	h.keys("1 a a") // tag-all links the entity to the registry (adding it)
	if len(st.registry) != 1 || st.registry[0].Name != "ISIS" {
		t.Fatalf("registry %+v, want ISIS", st.registry)
	}
	got := h.stored()
	if e, _ := got.EntityOfSpan(got.Entities[0].ID); e.Registry != st.registry[0].ID {
		t.Fatalf("the entity is not linked to the registry: %+v", e)
	}
	// Second article: three suggestions, none saved.
	h.run(h.m.loadArticle(second.ID))
	if n := len(h.m.liveSuggestions()); n != 3 {
		t.Fatalf("%d suggestions in the second article, want 3", n)
	}
	if strings.Contains(h.m.message, "model suggestions unavailable") {
		t.Errorf("the model server's failure is said again: %q", h.m.message)
	}
	if a, _ := st.stored(second.ID, "alice"); len(a.Entities) != 0 {
		t.Fatalf("suggestions were saved: %+v", a.Entities)
	}
	frame := h.m.Render()
	sug, label := h.m.sgr(styleKey{suggest: "ORG"}), h.m.sgr(styleKey{label: "ORG"})
	if sug == label || !strings.Contains(frame, sug[0]+"ISIS") || strings.Contains(frame, label[0]+"ISIS") {
		t.Errorf("suggestions are not drawn as suggestions")
	}
	// > goes to the first, z rejects it.
	h.keys("g > z")
	if n := len(h.m.liveSuggestions()); n != 2 {
		t.Errorf("after z: %d suggestions, want 2", n)
	}
	// Y accepts the rest, joined to the registry's ISIS.
	h.keys("Y")
	a, _ := st.stored(second.ID, "alice")
	if len(a.Entities) != 2 || len(a.Referents) != 1 || a.Referents[0].Registry != st.registry[0].ID {
		t.Fatalf("after Y: %d spans, entities %+v; want 2 mentions of the registry's ISIS", len(a.Entities), a.Referents)
	}
	if errs := model.Validate(&a, second.Text, model.DefaultSchema()); errs != nil {
		t.Errorf("not valid: %v", errs)
	}
	// After a restart the rejected one is still not suggested.
	h2 := newHarness(t, st, 160, 40, withSuggest)
	h2.run(h2.m.loadArticle(second.ID))
	if n := len(h2.m.liveSuggestions()); n != 0 {
		t.Errorf("after a restart: %d suggestions, want none (two accepted, one rejected)", n)
	}
	// The screen still works after the model server's failure.
	h2.keys("g 2")
	if a, _ := st.stored(second.ID, "alice"); len(a.Entities) != 3 {
		t.Errorf("tagging after the model failure: %d spans, want 3", len(a.Entities))
	}
}

// TestModelSuggestionsArrive: a model server's predictions, arriving after
// the article opened, show as suggestions like the registry's.
func TestModelSuggestionsArrive(t *testing.T) {
	art := article("Report", "Gunmen struck Velmo at dawn.")
	st := newFakeStore(art)
	calls := 0
	h := newHarness(t, st, 160, 40, func(o *Options) {
		o.ModelSuggest = func(ctx context.Context, a model.Article) ([]Suggestion, error) {
			calls++
			r := rangeOf(t, a.Text, "Velmo", 0)
			return []Suggestion{{Start: r.Start, End: r.End, Label: "GPE", Text: "Velmo", Source: "model"}}, nil
		}
	})
	h.run(h.m.loadArticle(art.ID))
	if live := h.m.liveSuggestions(); calls != 1 || len(live) != 1 || live[0].Source != "model" {
		t.Fatalf("after opening: %d calls, suggestions %+v; want the model's Velmo", calls, live)
	}
	h.keys("g > y")
	if got := spanSet(art.Text, h.stored().Entities); len(got) != 1 || got[0] != "GPE Velmo@14" {
		t.Errorf("accepting the model's suggestion stored %q", got)
	}
}

// TestSuggestionCounter: > from the article's first word, itself a
// suggestion, takes that one (it used to skip to the second), and after y
// the counter counts what is left.
func TestSuggestionCounter(t *testing.T) {
	first := article("First", "ISIS attacked. ISIS left.")
	second := article("Second", "ISIS returned and ISIS said so; ISIS won.")
	st := newFakeStore(first, second)
	h := newHarness(t, st, 160, 40, func(o *Options) { o.Suggest = registrySuggester })
	h.run(h.m.loadArticle(first.ID))
	h.keys("1 a a")
	h.run(h.m.loadArticle(second.ID))
	h.keys(">")
	if !strings.Contains(h.m.message, "suggestion 1 of 3") {
		t.Fatalf("> on the first word: %q, want suggestion 1 of 3", h.m.message)
	}
	h.keys("y >")
	if !strings.Contains(h.m.message, "suggestion 1 of 2") {
		t.Errorf("> after accepting the first: %q, want suggestion 1 of 2", h.m.message)
	}
	h.keys(">")
	if !strings.Contains(h.m.message, "suggestion 2 of 2") {
		t.Errorf("> again: %q, want suggestion 2 of 2", h.m.message)
	}
}
