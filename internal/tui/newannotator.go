package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/annotate-tool/annotate/internal/termtext"
)

// newAnnotatorGate is the question the screen asks before an annotator
// new to a database that has others starts: a name typed wrong (the
// command line refuses only names that look like another's) would
// otherwise start a new annotator for good, and agreement, review and
// the queue would count it. enter starts, esc (or q, or ctrl+c) quits
// before anything is written.
type newAnnotatorGate struct {
	name string
	// others are the database's annotators, shown to pick from.
	others []string
	keys   gateKeys
}

// gateKeys are the gate's keys (a help.KeyMap).
type gateKeys struct {
	Start, Quit key.Binding
}

func (k gateKeys) ShortHelp() []key.Binding  { return []key.Binding{k.Start, k.Quit} }
func (k gateKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

func newGate(name string, others []string) *newAnnotatorGate {
	return &newAnnotatorGate{name: name, others: others, keys: gateKeys{
		Start: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "start")),
		Quit:  key.NewBinding(key.WithKeys("esc", "q", "ctrl+c"), key.WithHelp("esc", "quit")),
	}}
}

// gateAction is what a key at the gate does.
type gateAction int

const (
	gateWait gateAction = iota
	gateStart
	gateQuit
)

// handleKey answers one key press.
func (g *newAnnotatorGate) handleKey(msg tea.KeyPressMsg) gateAction {
	switch {
	case key.Matches(msg, g.keys.Start):
		return gateStart
	case key.Matches(msg, g.keys.Quit):
		return gateQuit
	}
	return gateWait
}

// question is the line the gate asks.
func (g *newAnnotatorGate) question() string {
	return "new annotator “" + termtext.Line(g.name) + "”: enter starts, esc quits"
}

// render draws the gate on the whole screen.
func (g *newAnnotatorGate) render(st Styles, location string, width, height int) string {
	names := make([]string, len(g.others))
	for i, n := range g.others {
		names[i] = termtext.Line(n)
	}
	lines := []string{
		st.Title.Render("annotate") + st.Subtle.Render(" · "+termtext.Line(g.name)+" · "+termtext.Line(location)),
		"",
		"  " + st.Accent.Render(g.question()),
		"",
		st.Subtle.Render("  this database's annotators: " + strings.Join(names, ", ")),
		st.Subtle.Render("  a new name starts an annotator of its own; to work as one of these, quit and pass --annotator NAME"),
	}
	return block(lines, width, height)
}

// updateGate routes a message while the gate is up: keys answer it (and
// mouse events are dropped); everything else (the window's size, the
// queue loading behind it) goes on as usual. handled is false for those.
func (m *Model) updateGate(msg tea.Msg) (cmd tea.Cmd, handled bool) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch m.gate.handleKey(msg) {
		case gateStart:
			m.gate = nil
		case gateQuit:
			return tea.Quit, true
		}
		return nil, true
	case tea.MouseMsg:
		return nil, true
	}
	return nil, false
}
