package tui

import (
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/annotate-tool/annotate/internal/model"
)

type promptKind int

const (
	promptFind promptKind = iota // search the article text
	promptQueueSearch
	promptLabel   // pick a label for the selection
	promptRelabel // pick a new label for the span under the cursor
	promptEvidence
	promptFigure
	promptLink      // link the selection's entity to another or to the registry
	promptAffiliate // what the selection's entity is affiliated to
	promptRole      // the affiliation's role
)

// prompt is a one-line text input, with a filtered list of choices for the
// label picker.
type prompt struct {
	kind     promptKind
	title    string
	input    string
	choices  []string // all choices (label names)
	matches  []string // choices matching the input, best first
	cursor   int
	spanID   string            // for promptRelabel
	entityID string            // for promptRelabel of a whole entity
	field    string            // for promptEvidence and promptFigure
	ids      map[string]string // choice -> span or claim id
}

func newLabelPrompt(kind promptKind, schema *model.Schema, title string) *prompt {
	p := &prompt{kind: kind, title: title}
	for _, l := range schema.Labels {
		p.choices = append(p.choices, l.Name)
	}
	p.filter()
	return p
}

// filter ranks the choices by fuzzy match against the input.
func (p *prompt) filter() {
	p.cursor = 0
	if p.input == "" {
		p.matches = append([]string(nil), p.choices...)
		return
	}
	p.matches = p.matches[:0]
	for _, i := range rank(p.input, p.choices, nil) {
		p.matches = append(p.matches, p.choices[i])
	}
}

// edit applies a key to the input. It reports whether the key was used.
func (p *prompt) edit(msg tea.KeyPressMsg, k PromptKeys) bool {
	switch {
	case msg.String() == "backspace" || msg.String() == "ctrl+h":
		if p.input != "" {
			_, size := utf8.DecodeLastRuneInString(p.input)
			p.input = p.input[:len(p.input)-size]
			p.filter()
		}
		return true
	case key.Matches(msg, k.Clear):
		p.input = ""
		p.filter()
		return true
	case key.Matches(msg, k.Up):
		if p.cursor > 0 {
			p.cursor--
		}
		return true
	case key.Matches(msg, k.Down):
		if p.cursor < len(p.matches)-1 {
			p.cursor++
		}
		return true
	}
	if t := msg.Key().Text; t != "" {
		for _, r := range t {
			if r < 0x20 || r == 0x7f {
				return true
			}
		}
		p.input += t
		p.filter()
		return true
	}
	return false
}

// choice returns the highlighted choice.
func (p *prompt) choice() (string, bool) {
	if p.cursor < len(p.matches) {
		return p.matches[p.cursor], true
	}
	return "", false
}
