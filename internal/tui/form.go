package tui

import (
	"charm.land/bubbles/v2/textinput"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/annotate-tool/annotate/internal/termtext"
)

// A form edits one claim, source grade or incident in the side pane. Rows
// come from the schema; what the annotator types is a draft, kept per item
// and row until it is confirmed with enter and valid. Nothing typed is
// dropped: an invalid draft stays, with its error shown inline, through tab
// switches and trips to the article, until it is fixed or cleared.

type formKind int

const (
	formClaim formKind = iota
	formSource
	formIncident
)

type rowKind int

const (
	rowText     rowKind = iota
	rowNumber           // a whole number; empty or "?" is unknown
	rowChoice           // one code from a list, type-ahead
	rowMulti            // several codes from a list
	rowEntity           // entity span reference(s), type-ahead over spans
	rowClaimant         // an entity span, or a typed name
	rowSpan             // a stretch of text: enter takes the article's selection
	rowDate             // YYYY-MM-DD
)

// option is one choice a row offers.
type option struct {
	value   string
	display string
	group   string
	// match is what typing is matched against when it is not the name
	// shown: an entity's names and label, not the words around its
	// mention ("Nis" must not find ISIS in "…spokeswoman, Nisreen…").
	match string
}

// name is the option as a list shows it: "Battles › Armed clash".
func (o option) name() string {
	if o.group != "" {
		return o.group + " › " + o.display
	}
	return o.display
}

// formRow is one line of a form.
type formRow struct {
	key      string // "type", "killed.low", "date.start"
	field    string // the incident field the row belongs to (for evidence)
	title    string
	kind     rowKind
	options  []option
	multiple bool
}

// form is an open form: what it edits and where the cursor is.
type form struct {
	kind   formKind
	itemID string // claim or incident id, or the source's name
	rows   []formRow
	cursor int
	// optCursor is the highlighted match in the current row's choices, -1
	// for none. On arriving at a row it is on the stored value, so the list
	// opens where the field stands.
	optCursor int
	// moved records that the annotator moved the highlight on this row
	// (or was asked, and enter again takes it): without it, enter on a
	// filled row changes nothing, and enter on a highlight several typed
	// matches share asks first.
	moved bool
	// figureAsked is the row on which ctrl+f found no figure counting what
	// the row counts and said so: ctrl+f again there lists the others.
	figureAsked string
	// in is the text input the current row's draft is typed into
	// (forminput.go).
	in *textinput.Model
}

func (f *form) row() *formRow {
	if f.cursor < len(f.rows) {
		return &f.rows[f.cursor]
	}
	return &formRow{}
}

// draftKey names a draft: the item and the row.
func draftKey(kind formKind, item, row string) string {
	return fmt.Sprintf("%d/%s/%s", kind, item, row)
}

func (m *Model) draftKeyFor(f *form, r *formRow) string { return draftKey(f.kind, f.itemID, r.key) }

// matches returns the row's options that match the draft, best first.
func matches(r *formRow, draft string) []option {
	if len(r.options) == 0 {
		return nil
	}
	if draft == "" {
		return r.options
	}
	names := make([]string, len(r.options))
	for i, o := range r.options {
		names[i] = o.name()
		if o.match != "" {
			names[i] = o.match
		}
	}
	var out []option
	for _, i := range rank(draft, names, func(i int) string { return r.options[i].value }) {
		out = append(out, r.options[i])
	}
	return out
}

// rank returns the names that match query, best first. A name matches
// when each word of the query begins a word of the name: "arm cl" matches
// "Battles › Armed clash", "Nis" matches "Nisreen Abdullah" and not ISIS
// (words, not letters scattered through a name). Words are runs of
// letters and digits, compared without case. Best first: the code itself
// ("E", "4"), then names starting with the query, then names whose words
// the query's begin in order, then in any order; in the names' own order
// within each. code may be nil. Every picker and every form's choices
// filter this way.
func rank(query string, names []string, code func(int) string) []int {
	var out []int
	seen := make([]bool, len(names))
	low := strings.ToLower(strings.TrimSpace(query))
	qw := words(low)
	tiers := []func(i int, name string, nw []string) bool{
		func(i int, _ string, _ []string) bool {
			return code != nil && strings.EqualFold(code(i), strings.TrimSpace(query))
		},
		func(_ int, name string, _ []string) bool {
			return low != "" && strings.HasPrefix(strings.ToLower(name), low)
		},
		func(_ int, _ string, nw []string) bool { return wordsBeginInOrder(qw, nw) },
		func(_ int, _ string, nw []string) bool { return wordsBegin(qw, nw) },
	}
	nameWords := make([][]string, len(names))
	for i, n := range names {
		nameWords[i] = words(strings.ToLower(n))
	}
	for _, tier := range tiers {
		for i, n := range names {
			if !seen[i] && tier(i, n, nameWords[i]) {
				out = append(out, i)
				seen[i] = true
			}
		}
	}
	return out
}

// words splits s into its runs of letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(s, func(c rune) bool { return !unicode.IsLetter(c) && !unicode.IsDigit(c) })
}

// wordsBeginInOrder reports whether the query words begin consecutive
// words of the name, in order.
func wordsBeginInOrder(qw, nw []string) bool {
	if len(qw) == 0 {
		return false
	}
	for j := 0; j+len(qw) <= len(nw); j++ {
		ok := true
		for i, q := range qw {
			if !strings.HasPrefix(nw[j+i], q) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// wordsBegin reports whether each query word begins some word of the name.
func wordsBegin(qw, nw []string) bool {
	if len(qw) == 0 {
		return false
	}
	for _, q := range qw {
		if !slices.ContainsFunc(nw, func(w string) bool { return strings.HasPrefix(w, q) }) {
			return false
		}
	}
	return true
}

// formKey handles a key while a form has the focus.
func (m *Model) formKey(msg tea.KeyPressMsg) tea.Cmd {
	f := m.form
	r := f.row()
	dk := m.draftKeyFor(f, r)
	draft := m.drafts[dk]
	opts := matches(r, draft)
	k := m.keys.Form
	switch {
	case key.Matches(msg, k.Back):
		m.form = nil
		m.highlights = nil
		return nil
	case key.Matches(msg, k.Article):
		m.focus = focusArticle
		return nil
	case key.Matches(msg, k.NextField):
		m.toFormRow(f, (f.cursor+1)%len(f.rows))
		return nil
	case key.Matches(msg, k.PrevField):
		m.toFormRow(f, (f.cursor+len(f.rows)-1)%len(f.rows))
		return nil
	case key.Matches(msg, k.NextChoice):
		if len(opts) > 0 {
			f.optCursor = min(f.optCursor+1, len(opts)-1)
			f.moved = true
		} else {
			m.toFormRow(f, min(f.cursor+1, len(f.rows)-1))
		}
		return nil
	case key.Matches(msg, k.PrevChoice):
		if len(opts) > 0 && f.optCursor > 0 {
			f.optCursor--
			f.moved = true
		} else if len(opts) == 0 {
			m.toFormRow(f, max(f.cursor-1, 0))
		}
		return nil
	case key.Matches(msg, k.Confirm):
		if draft == "" && !f.moved && r.kind != rowSpan {
			// Nothing typed and nothing picked: the field stays as it is.
			if len(m.rowCodes(f, r)) > 0 {
				m.setMessage(r.title + " unchanged")
			}
			m.toFormRow(f, min(f.cursor+1, len(f.rows)-1))
			return nil
		}
		var choice *option
		if len(opts) > 0 && f.optCursor >= 0 && f.optCursor < len(opts) {
			choice = &opts[f.optCursor]
		}
		if choice != nil && !f.moved && len(opts) > 1 && !typedCode(draft, choice) {
			// Several choices match what was typed and the highlight is
			// only the best guess: ask before taking it.
			f.moved = true
			m.setMessage(severalMatch(len(opts), draft))
			return nil
		}
		return m.confirmRow(f, r, draft, choice)
	case key.Matches(msg, k.Evidence):
		if f.kind == formIncident {
			m.openEvidencePicker(r.field)
		}
		return nil
	case key.Matches(msg, k.Figure):
		m.figureKey(f, r)
		return nil
	case key.Matches(msg, k.ClearDraft):
		delete(m.drafts, dk)
		delete(m.draftErrs, dk)
		m.toFormRow(f, f.cursor)
		return nil
	case key.Matches(msg, k.ClearValue):
		return m.clearRow(f, r)
	case (msg.String() == "backspace" || msg.String() == "ctrl+h") && draft == "":
		// On an empty draft, backspace removes the last value.
		return m.clearRow(f, r)
	}
	if r.kind != rowSpan && m.editDraft(f, dk, msg) {
		f.optCursor, f.moved = 0, false
		if m.drafts[dk] == "" {
			m.toFormRow(f, f.cursor)
		}
	}
	return nil
}

// toFormRow puts the form's cursor on row i with the choices highlighted at
// the row's stored value (none when it has none: ↓ or typing picks one) and
// shows the row's evidence.
func (m *Model) toFormRow(f *form, i int) {
	f.cursor = i
	f.optCursor, f.moved, f.figureAsked = -1, false, ""
	r := f.row()
	if codes := m.rowCodes(f, r); len(codes) > 0 && m.drafts[m.draftKeyFor(f, r)] == "" {
		for j, o := range matches(r, "") {
			if o.value == codes[len(codes)-1] {
				f.optCursor = j
				break
			}
		}
	}
	if m.form == f {
		m.showRowEvidence()
	}
}

func (m *Model) setDraft(key, v string) {
	if v == "" {
		delete(m.drafts, key)
		delete(m.draftErrs, key)
		return
	}
	m.drafts[key] = v
}

// highlightMark marks the choice enter takes, in every list (form rows
// and pickers), besides its colour; noMark indents the others alike.
const (
	highlightMark = "▸ "
	noMark        = "  "
)

// typedCode reports whether what was typed is the choice's code where the
// code is not its name: "E" for "E unreliable", "4" for a GTD type. Such a
// code names one choice, whatever else its letters begin; a code that is
// the name itself ("Attack") is a word like the others.
func typedCode(typed string, o *option) bool {
	return o.value != o.display && strings.EqualFold(strings.TrimSpace(typed), o.value)
}

// severalMatch is what enter says on a highlight that several typed
// matches share: how many, and that enter again takes the one marked.
func severalMatch(n int, typed string) string {
	return fmt.Sprintf("%d match %s: enter again takes %s, ↓/↑ another", n, quote(termtext.Line(typed)), strings.TrimSpace(highlightMark))
}

// renderForm draws the open form: a row per field with its value, the draft
// being typed, errors inline, and the matching choices under the current
// row. Long titles, values and choices wrap onto further lines; nothing is
// cut.
func (m *Model) renderForm(w, h int) []string {
	f := m.form
	var lines []string
	for _, l := range wrapSegs([]seg{{termtext.Line(m.formTitle(f)), m.styles.Title}}, w, 2) {
		lines = append(lines, l)
	}
	titleW := 0
	for _, r := range f.rows {
		titleW = max(titleW, utf8.RuneCountInString(r.title))
	}
	titleW = min(titleW, max(8, w/3))
	cellW := max(8, w-titleW-1)
	indent := spaces(titleW + 1)
	under := func(segs []seg, max int) {
		for _, l := range wrapSegs(segs, cellW, max) {
			lines = append(lines, indent+l)
		}
	}
	cursorLine := 0
	for i := range f.rows {
		r := &f.rows[i]
		dk := m.draftKeyFor(f, r)
		val := termtext.Line(m.rowValue(f, r))
		draft, hasDraft := m.drafts[dk]
		var cell []seg
		switch {
		case hasDraft:
			cell = []seg{{"✎ " + f.draftView(draft, i == f.cursor), m.styles.Accent}, {"(was: " + orDash(val) + ")", m.styles.Subtle}}
		case val == "":
			cell = []seg{{"—", m.styles.Subtle}}
		default:
			cell = []seg{{val, m.styles.App}}
		}
		if ev := m.rowEvidence(f, r); ev != "" {
			cell = append(cell, seg{"⟵ " + termtext.Line(ev), m.styles.Subtle})
		}
		titleSt := lipgloss.NewStyle()
		if i == f.cursor {
			cursorLine = len(lines)
			titleSt = m.styles.RowActive
		}
		titles := wrapSegs([]seg{{r.title, lipgloss.NewStyle()}}, titleW, 3)
		cells := wrapSegs(cell, cellW, 4)
		for k := 0; k < max(len(titles), len(cells)); k++ {
			t, c := "", ""
			if k < len(titles) {
				t = ansi.Strip(titles[k])
			}
			if k < len(cells) {
				c = cells[k]
			}
			line := titleSt.Render(fit(t, titleW)) + " " + c
			if k == 0 && i == f.cursor && m.focus == focusSide && !f.cursorInside(draft) {
				line += m.styles.Accent.Render("▏")
			}
			lines = append(lines, line)
		}
		if err, ok := m.draftErrs[dk]; ok {
			under([]seg{{"✗ " + termtext.Line(err), m.styles.Error}}, 3)
		}
		if i == f.cursor {
			opts := matches(r, draft)
			if r.kind == rowSpan {
				under([]seg{{"enter: take the article's selection " + quote(m.selectedText()), m.styles.Subtle}}, 2)
			}
			shown := 0
			first := max(0, f.optCursor-4)
			for j := first; j < len(opts) && shown < 6; j++ {
				text := termtext.Line(opts[j].name())
				if j == f.optCursor {
					for _, l := range wrapSegs([]seg{{highlightMark + text, m.styles.RowActive}}, cellW, 2) {
						lines = append(lines, indent+m.styles.RowActive.Render(fit(ansi.Strip(l), cellW)))
					}
				} else {
					// Beside the marker's column, so the choices line up.
					for _, l := range wrapSegs([]seg{{text, m.styles.Subtle}}, max(1, cellW-len(noMark)), 2) {
						lines = append(lines, indent+noMark+l)
					}
				}
				shown++
			}
			if len(opts) > shown+first {
				under([]seg{{fmt.Sprintf("  … %d more: type to filter", len(opts)-shown-first), m.styles.Subtle}}, 1)
			}
			if r.kind == rowClaimant && draft != "" && len(opts) == 0 {
				under([]seg{{"enter: an unnamed speaker called " + quote(draft), m.styles.Subtle}}, 2)
			}
		}
	}
	// Keep the cursor's row in view.
	if len(lines) > h {
		first := min(max(0, cursorLine-h/3), len(lines)-h)
		lines = append(lines[:1], lines[first+1:min(len(lines), first+h)]...)
	}
	return lines
}

// seg is a stretch of text in one style, for wrapSegs.
type seg struct {
	text string
	st   lipgloss.Style
}

// wrapSegs lays styled text out in lines of at most w cells, breaking
// between words (a word wider than w is cut into pieces), each word styled
// on its own so no style runs across a line's end. At most maxLines lines
// are returned; the last ends with … when more was left.
func wrapSegs(segs []seg, w, maxLines int) []string {
	var lines []string
	var cur strings.Builder
	curW := 0
	flush := func() {
		lines = append(lines, cur.String())
		cur.Reset()
		curW = 0
	}
	for _, sg := range segs {
		for _, word := range strings.Fields(sg.text) {
			for ansi.StringWidth(word) > w {
				if curW > 0 {
					flush()
				}
				part := ansi.Truncate(word, w, "")
				if part == "" {
					break
				}
				lines = append(lines, sg.st.Render(part))
				word = ansi.TruncateLeft(word, ansi.StringWidth(part), "")
			}
			ww := ansi.StringWidth(word)
			if ww == 0 {
				continue
			}
			if curW > 0 && curW+1+ww > w {
				flush()
			}
			if curW > 0 {
				cur.WriteString(" ")
				curW++
			}
			cur.WriteString(sg.st.Render(word))
			curW += ww
		}
	}
	if curW > 0 || len(lines) == 0 {
		flush()
	}
	if maxLines > 0 && len(lines) > maxLines {
		last := ansi.Truncate(lines[maxLines-1], max(0, w-1), "")
		lines = append(lines[:maxLines-1], last+"…")
	}
	return lines
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
