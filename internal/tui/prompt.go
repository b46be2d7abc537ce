package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/termtext"
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
	kind  promptKind
	title string
	// in is the text typed (bubbles textinput: a cursor to move, words
	// to delete, pastes); made on first use (see text).
	in      *textinput.Model
	choices []string // all choices (label names)
	matches []string // choices matching the input, best first
	// cursor is the highlighted match, -1 for none: a list opens on
	// nothing, typing highlights the best match, ↓ the next (see decide).
	cursor int
	// moved records that the highlight was moved to, or asked about:
	// enter then takes it even when several match.
	moved    bool
	spanID   string            // for promptRelabel
	entityID string            // for promptRelabel of a whole entity
	field    string            // for promptEvidence and promptFigure
	ids      map[string]string // choice -> span or claim id
	// match holds, for choices that show more than typing should find
	// (the words around a mention), the text rank matches instead.
	match map[string]string
}

func newLabelPrompt(kind promptKind, schema *model.Schema, title string) *prompt {
	p := &prompt{kind: kind, title: title}
	for _, l := range schema.Labels {
		p.choices = append(p.choices, l.Name)
	}
	p.filter()
	return p
}

// text is the prompt's input field, made on first use: prompts are built
// as plain values all over the screen.
func (p *prompt) text() *textinput.Model {
	if p.in == nil {
		in := textinput.New()
		in.Prompt = ""
		in.CharLimit = 1000
		in.Focus()
		p.in = &in
	}
	return p.in
}

// value is what was typed.
func (p *prompt) value() string { return p.text().Value() }

// setValue replaces what was typed (tests, and prompts opened with a
// value), the cursor at its end.
func (p *prompt) setValue(v string) {
	p.text().SetValue(v)
	p.text().CursorEnd()
	p.filter()
}

// view draws the input with its cursor, outside text made safe.
func (p *prompt) view() string {
	r := []rune(p.value())
	at := min(max(0, p.text().Position()), len(r))
	return termtext.Line(string(r[:at])) + "▏" + termtext.Line(string(r[at:]))
}

// filter ranks the choices against the input by words (rank): with
// nothing typed every choice is listed and none highlighted; typed, the
// best match is highlighted.
func (p *prompt) filter() {
	p.moved = false
	input := p.value()
	if input == "" {
		p.cursor = -1
		p.matches = append([]string(nil), p.choices...)
		return
	}
	p.cursor = 0
	names := make([]string, len(p.choices))
	for i, c := range p.choices {
		names[i] = c
		if m, ok := p.match[c]; ok {
			names[i] = m
		}
	}
	p.matches = p.matches[:0]
	for _, i := range rank(input, names, nil) {
		p.matches = append(p.matches, p.choices[i])
	}
}

// edit applies a key or a paste to the input. It reports whether the
// input changed; joined is set when a pasted text's lines were joined
// into the one line a prompt holds.
func (p *prompt) edit(msg tea.Msg, k PromptKeys) (changed, joined bool) {
	before := p.value()
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(kp, k.Clear):
			p.text().SetValue("")
			p.filter()
			return before != "", false
		case key.Matches(kp, k.Up):
			if p.cursor > 0 {
				p.cursor--
				p.moved = true
			}
			return false, false
		case key.Matches(kp, k.Down):
			if p.cursor < len(p.matches)-1 {
				p.cursor++
				p.moved = true
			}
			return false, false
		}
	}
	if pm, ok := msg.(tea.PasteMsg); ok {
		joined = strings.ContainsAny(pm.Content, "\r\n")
	}
	in, _ := p.text().Update(msg)
	*p.in = in
	if p.value() != before {
		p.filter()
		return true, joined
	}
	return false, joined
}

// choice returns the highlighted choice.
func (p *prompt) choice() (string, bool) {
	if p.cursor >= 0 && p.cursor < len(p.matches) {
		return p.matches[p.cursor], true
	}
	return "", false
}

// picks reports whether the prompt picks one of its choices (not find or
// the queue search, which take what was typed).
func (p *prompt) picks() bool { return p.kind != promptFind && p.kind != promptQueueSearch }

// decide is enter on a picker: "" when enter takes the highlighted choice
// (the only match, or one moved to or asked about), else what to say with
// the picker left open: nothing is highlighted, or several choices match
// what was typed and enter again takes the highlighted one.
func (p *prompt) decide() string {
	_, ok := p.choice()
	switch {
	case !ok && len(p.matches) == 0:
		return "nothing matches " + quote(termtext.Line(p.value())) + ": type something else, or esc"
	case !ok:
		return "nothing is highlighted: type to filter, ↓ to pick, esc to close"
	case p.moved || len(p.matches) == 1:
		return ""
	}
	p.moved = true
	return severalMatch(len(p.matches), p.value())
}
