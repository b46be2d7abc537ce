package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
)

// Pastes. A terminal that supports bracketed paste sends a pasted text as
// one message (tea.PasteMsg) instead of keys: it goes where typing would
// go, whole. A prompt and a one-line field hold one line, so a paste's
// lines are joined with spaces there, and the status line says so; a text
// field that holds lines (an incident's notes, a grade's rationale) keeps
// them. Nothing is half pasted: a paste that does not fit a field (lines
// into a number) is refused whole, with a message.

// onPaste routes a paste to what has the keyboard.
func (m *Model) onPaste(msg tea.PasteMsg) tea.Cmd {
	switch {
	case m.prompt != nil:
		return m.editPrompt(msg)
	case m.rv.capturing() && m.screen == screenArticle:
		cmd, _ := m.reviewKey(msg)
		return cmd
	case m.screen == screenArticle && m.focus == focusSide && m.form != nil:
		m.pasteIntoForm(msg.Content)
		return nil
	}
	m.setMessage("nothing to paste into here: paste into a prompt (/, f, t) or a form field")
	return nil
}

// holdsLines reports whether a form row keeps the lines of a text.
func (r *formRow) holdsLines() bool {
	return r.kind == rowText && (r.key == "rationale" || r.key == "notes")
}

// pasteIntoForm adds a pasted text to the current row's draft.
func (m *Model) pasteIntoForm(text string) {
	f := m.form
	r := f.row()
	if r.kind == rowSpan {
		m.setMessage(r.title + " takes the article's selection: select it in the article, then enter here")
		return
	}
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	joined := false
	if strings.Contains(text, "\n") && !r.holdsLines() {
		if r.kind != rowText {
			m.fail(fmt.Errorf("a paste of several lines does not fit %s: nothing pasted", r.title))
			return
		}
		text, joined = strings.Join(strings.Fields(text), " "), true
	}
	// Tabs become spaces; other control characters are dropped (a form
	// value never holds them).
	text = strings.Map(func(c rune) rune {
		switch {
		case c == '\t':
			return ' '
		case c == '\n':
			return c
		case c < 0x20 || c == 0x7f:
			return -1
		}
		return c
	}, text)
	if text == "" {
		return
	}
	dk := m.draftKeyFor(f, r)
	// At the cursor of the field's input, when it is on this draft.
	draft := []rune(m.drafts[dk])
	at := len(draft)
	if f.in != nil && f.in.Value() == string(draft) {
		at = min(max(0, f.in.Position()), len(draft))
	}
	next := string(draft[:at]) + text + string(draft[at:])
	m.setDraft(dk, next)
	if !strings.Contains(next, "\n") {
		in := f.input(next)
		in.SetCursor(at + len([]rune(text)))
	}
	f.optCursor, f.moved = 0, false
	if joined {
		m.setMessage("pasted lines joined with spaces: " + r.title + " holds one line")
	} else {
		m.setMessage("pasted into " + r.title + ": enter saves it")
	}
}
