package tui

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/annotate-tool/annotate/internal/termtext"
)

// A form's current row is typed into through a bubbles textinput: the
// cursor moves (←/→, home/end, word moves), words are deleted as in a
// shell, and what is typed lands at the cursor. The draft in m.drafts stays
// the truth (it is kept through tab switches and trips to the article);
// the input is how the current row's draft is edited, synced from it
// whenever they differ. A draft holding line breaks (notes pasted with
// their lines) is edited at its end, as a textinput holds one line.

// input returns the form's text input on draft, synced to it.
func (f *form) input(draft string) *textinput.Model {
	if f.in == nil {
		in := textinput.New()
		in.Prompt = ""
		in.CharLimit = 0
		in.Focus()
		f.in = &in
	}
	if f.in.Value() != draft {
		f.in.SetValue(draft)
		f.in.CursorEnd()
	}
	return f.in
}

// editDraft applies a key (one no form key took) to the current row's
// draft, reporting whether the draft changed.
func (m *Model) editDraft(f *form, dk string, msg tea.KeyPressMsg) bool {
	draft := m.drafts[dk]
	if strings.ContainsAny(draft, "\n") {
		// Lines: typed text goes at the end.
		if t := msg.Key().Text; t != "" && printable(t) {
			m.setDraft(dk, draft+t)
			return true
		}
		if msg.String() == "backspace" && draft != "" {
			r := []rune(draft)
			m.setDraft(dk, string(r[:len(r)-1]))
			return true
		}
		return false
	}
	in := f.input(draft)
	next, _ := in.Update(msg)
	*in = next
	if in.Value() == draft {
		return false
	}
	m.setDraft(dk, in.Value())
	return true
}

func printable(t string) bool {
	for _, c := range t {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

// draftView shows a draft with the input's cursor where it is (at the end
// for a draft of several lines, or outside the current row).
func (f *form) draftView(draft string, current bool) string {
	if !current || f.in == nil || f.in.Value() != draft {
		return termtext.Line(draft)
	}
	r := []rune(draft)
	at := min(max(0, f.in.Position()), len(r))
	if at == len(r) {
		return termtext.Line(draft)
	}
	return termtext.Line(string(r[:at])) + "▏" + termtext.Line(string(r[at:]))
}

// cursorInside reports whether the input's cursor is inside the draft
// (draftView draws it there, so the row's end mark is left out).
func (f *form) cursorInside(draft string) bool {
	return f.in != nil && draft != "" && f.in.Value() == draft && f.in.Position() < len([]rune(draft))
}
