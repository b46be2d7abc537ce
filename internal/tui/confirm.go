package tui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Nothing is destroyed by one key without a way back from where it was
// pressed: x on an entity with several mentions, or on an incident, asks
// first (the same key again does it, any other key does not), and u and U
// undo and redo from the side pane as from the article.

// armDelete reports whether a delete of target may go ahead: the second x
// on the same target does; the first one asks, saying what would go.
func (m *Model) armDelete(target, what string) bool {
	if m.deleteArmed == target {
		m.deleteArmed = ""
		return true
	}
	m.deleteArmed = target
	m.setMessage(fmt.Sprintf("%s again deletes %s · any other key keeps it", keyOf(m.keys.Side.Delete), what))
	return false
}

// disarmDelete forgets an x that asked, on any other key.
func (m *Model) disarmDelete(msg tea.KeyPressMsg) {
	if m.deleteArmed != "" && !key.Matches(msg, m.keys.Side.Delete) && !key.Matches(msg, m.keys.List.Delete) {
		m.deleteArmed = ""
		m.setMessage("kept")
	}
}

// sideUndo handles u and U in the side pane (outside a form and review),
// reporting whether the key was one of them.
func (m *Model) sideUndo(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	switch {
	case key.Matches(msg, m.keys.Article.Undo):
		return m.undo(false), true
	case key.Matches(msg, m.keys.Article.Redo):
		return m.undo(true), true
	}
	return nil, false
}

// keyOf names a binding's first key as in force (a keys file may have
// rebound it): messages that name a key name it so.
func keyOf(b key.Binding) string {
	if ks := b.Keys(); len(ks) > 0 {
		return ks[0]
	}
	return "?"
}

// suggestionKeys names the keys that move through and take suggestions.
func (m *Model) suggestionKeys() string {
	k := m.keys.Article
	return fmt.Sprintf("%s next · %s accept · %s accept all · %s reject", keyOf(k.NextSuggestion), keyOf(k.Accept), keyOf(k.AcceptAll), keyOf(k.Reject))
}
