package tui

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/suggest"
)

// Suggestions are mentions the screen proposes, from the registry, the
// user's patterns or a model server: drawn differently from annotations
// (dim, dashed), never saved, exported or counted until accepted.

// Suggestion is one proposed mention (internal/suggest makes them).
type Suggestion = suggest.Suggestion

type (
	// suggestionsMsg brings the registry's and patterns' suggestions of an
	// opened article.
	suggestionsMsg struct {
		articleID string
		list      []Suggestion
	}
	// modelSuggestionsMsg brings a model server's answer, later.
	modelSuggestionsMsg struct {
		articleID string
		list      []Suggestion
		err       error
	}
)

// modelTimeout bounds how long a model server may take for one article.
const modelTimeout = 20 * time.Second

// suggestCmd computes the registry's and patterns' suggestions off the
// update loop, and asks the model server, when there is one, in the
// background: the screen never waits for it.
func (m *Model) suggestCmd(doc *document, ann model.Annotation) tea.Cmd {
	var cmds []tea.Cmd
	reg := m.offeredRegistry()
	if f := m.opts.Suggest; f != nil {
		cmds = append(cmds, func() tea.Msg {
			return suggestionsMsg{articleID: doc.article.ID, list: f(doc.text, reg, &ann)}
		})
	}
	if f := m.opts.ModelSuggest; f != nil {
		cmds = append(cmds, func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), modelTimeout)
			defer cancel()
			list, err := f(ctx, doc.article)
			return modelSuggestionsMsg{articleID: doc.article.ID, list: list, err: err}
		})
	}
	return tea.Batch(cmds...)
}

// addSuggestions merges new suggestions into the article's, sorted, one
// per range and label.
func (m *Model) addSuggestions(list []Suggestion) {
	type key struct {
		r     model.Range
		label string
	}
	seen := map[key]bool{}
	for _, s := range m.suggestions {
		seen[key{s.Range(), s.Label}] = true
	}
	for _, s := range list {
		if model.CheckRange(m.doc.text, s.Start, s.End) != nil || seen[key{s.Range(), s.Label}] {
			continue
		}
		seen[key{s.Range(), s.Label}] = true
		m.suggestions = append(m.suggestions, s)
	}
	sort.SliceStable(m.suggestions, func(i, j int) bool { return m.suggestions[i].Start < m.suggestions[j].Start })
	m.refreshLive()
}

// liveSuggestions are the suggestions still open: not where a span now is,
// not rejected. They are worked out when the annotation or the suggestions
// change, not per frame.
func (m *Model) liveSuggestions() []Suggestion { return m.live }

// refreshLive recomputes the open suggestions.
func (m *Model) refreshLive() {
	if len(m.suggestions) == 0 {
		m.live = nil
		return
	}
	taken := map[model.Range]bool{}
	for _, s := range m.ann.Entities {
		taken[s.Range()] = true
	}
	for _, r := range m.ann.Rejected {
		taken[model.Range{Start: r.Start, End: r.End}] = true
	}
	m.live = m.live[:0]
	for _, s := range m.suggestions {
		if !taken[s.Range()] {
			m.live = append(m.live, s)
		}
	}
}

// suggestionAt returns the live suggestion the selection is on.
func (m *Model) suggestionAt() (Suggestion, bool) {
	sel := m.selection()
	for _, s := range m.liveSuggestions() {
		if s.Start < sel.End && sel.Start < s.End {
			return s, true
		}
	}
	return Suggestion{}, false
}

// gotoSuggestion selects the next (or previous) live suggestion.
func (m *Model) gotoSuggestion(backward bool) {
	live := m.liveSuggestions()
	if len(live) == 0 {
		m.setMessage("no suggestions in this article")
		return
	}
	at := m.head.Start
	// On the suggestion > or < showed last, they go to the next and
	// previous one; elsewhere
	// > takes the first at or after the cursor (the article opens on the
	// first word, which may be one).
	on := m.sugShown == m.selection() && slices.ContainsFunc(live, func(s Suggestion) bool { return s.Range() == m.sugShown })
	pick := -1
	if backward {
		for i := len(live) - 1; i >= 0; i-- {
			if live[i].Start < at {
				pick = i
				break
			}
		}
		if pick < 0 {
			pick = len(live) - 1
		}
	} else {
		for i, s := range live {
			if s.Start > at || !on && s.Start == at {
				pick = i
				break
			}
		}
		if pick < 0 {
			pick = 0
		}
	}
	s := live[pick]
	m.selectRange(s.Range())
	m.sugShown = s.Range()
	m.setMessage(fmt.Sprintf("suggestion %d of %d: %s %s (%s) · %s", pick+1, len(live), s.Label, quote(s.Text), suggestionOrigin(s), m.suggestionKeys()))
}

func suggestionOrigin(s Suggestion) string {
	switch {
	case s.Source == "registry" && s.Entity != "":
		return "registry " + s.Entity
	case s.ExternalID != "":
		return s.Source + " " + s.ExternalID
	}
	return s.Source
}

// acceptSuggestions makes suggestions mentions, each joining its registry
// entity (linked) or the article's entity of that name, in one change
// (suggest.Accept: the rule pretag uses too).
func (m *Model) acceptSuggestions(list []Suggestion, what string) tea.Cmd {
	if len(list) == 0 {
		m.setMessage("no suggestion here: > goes to the next one")
		return nil
	}
	next := m.ann.Clone()
	suggest.Accept(&next, m.doc.text, m.offeredRegistry(), list...)
	return m.commit(next, what)
}

// rejectSuggestion turns a suggestion down for this article and
// annotator: kept with the annotation, so it stays rejected.
func (m *Model) rejectSuggestion() tea.Cmd {
	s, ok := m.suggestionAt()
	if !ok {
		m.setMessage("no suggestion here: > goes to the next one")
		return nil
	}
	next := m.ann.Clone()
	suggest.Reject(&next, s)
	return m.commit(next, fmt.Sprintf("reject suggestion %s %s", s.Label, quote(s.Text)))
}
