package tui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/review"
	"github.com/annotate-tool/annotate/internal/termtext"
)

// The Review tab is a component: it owns its state (the items, the
// cursor, the comment being typed), its keys (ReviewKeys, a help.KeyMap:
// the hint line, the ? overlay and README's table come from it) and its
// view. It decides nothing about gold itself: a key becomes an action
// (reviewAction) that the root model carries out, with the rules of
// package review, as one durable save. The other side tabs are to follow
// this shape.

// reviewAction is what a key on the Review tab asks the root to do.
type reviewAction interface{ reviewAction() }

type (
	// actDecide: decide the items (take, both, reject, accept).
	actDecide struct {
		items []*review.Item
		kind  string
		from  []string
		what  string
		// advance: go on to the next item to decide once saved.
		advance bool
	}
	// actShow: select the item's text in the article.
	actShow struct{ where model.Range }
	// actShowComment: select where a comment's item lies.
	actShowComment struct{ where model.Range }
	// actEdit: to the article, to edit gold in place.
	actEdit struct{ where model.Range }
	// actSay: a message (err: an error).
	actSay struct {
		text string
		err  bool
	}
	actUndo   struct{}
	actDone   struct{}
	actReturn struct{ comment string }
	// actComment: a comment on the item with this key ("" the article).
	actComment struct {
		item  *review.Item
		text  string
		reply int // the comment answered (index), -1 for a new one
	}
)

func (actDecide) reviewAction()      {}
func (actShow) reviewAction()        {}
func (actShowComment) reviewAction() {}
func (actEdit) reviewAction()        {}
func (actSay) reviewAction()         {}
func (actUndo) reviewAction()        {}
func (actDone) reviewAction()        {}
func (actReturn) reviewAction()      {}
func (actComment) reviewAction()     {}

// ReviewKeys act on the Review tab. It is a help.KeyMap.
type ReviewKeys struct {
	Down, Up     key.Binding
	Next, Prev   key.Binding
	Take         key.Binding
	Both         key.Binding
	Reject       key.Binding
	AcceptAgreed key.Binding
	Edit         key.Binding
	Undo         key.Binding
	Done         key.Binding
	Return       key.Binding
	Comment      key.Binding
	Help         key.Binding
	// On the annotator's side: the comments her reviewer left.
	Show, Answer, Finish key.Binding
	// Save and Cancel end a comment being typed (KeyMap sets them to the
	// prompt's confirm and cancel).
	Save, Cancel key.Binding
}

// DefaultReviewKeys are the Review tab's keys.
func DefaultReviewKeys() ReviewKeys {
	k, keys, help := key.NewBinding, key.WithKeys, key.WithHelp
	return ReviewKeys{
		Down:         k(keys("j", "down"), help("j/↓", "down")),
		Up:           k(keys("k", "up"), help("k/↑", "up")),
		Next:         k(keys("]", "n"), help("]/n", "next to decide")),
		Prev:         k(keys("[", "N"), help("[/N", "previous to decide")),
		Take:         k(keys("1", "2", "3", "4", "5", "6", "7", "8", "9"), help("1-9", "take k's")),
		Both:         k(keys("b"), help("b", "take all")),
		Reject:       k(keys("x"), help("x", "none")),
		AcceptAgreed: k(keys("A"), help("A", "accept agreed")),
		Edit:         k(keys("enter"), help("enter", "edit gold")),
		Undo:         k(keys("u"), help("u", "undo")),
		Done:         k(keys("D"), help("D", "done · accept")),
		Return:       k(keys("R"), help("R", "return")),
		Comment:      k(keys("m"), help("m", "comment")),
		Help:         k(keys("?"), help("?", "all keys")),
		Show:         k(keys("enter"), help("enter", "show where")),
		Answer:       k(keys("m"), help("m", "answer")),
		Finish:       k(keys("D"), help("D", "done")),
		Save:         k(keys("enter"), help("enter", "confirm")),
		Cancel:       k(keys("esc"), help("esc", "cancel")),
	}
}

// CommentsHelp are the keys of the annotator's side of the tab.
func (k ReviewKeys) CommentsHelp() []key.Binding {
	return []key.Binding{k.Down, k.Up, k.Show, k.Answer, k.Finish, k.Help}
}

// ShortHelp is the hint line's keys.
func (k ReviewKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Next, k.Take, k.Both, k.Reject, k.AcceptAgreed, k.Comment, k.Edit, k.Done, k.Help}
}

// FullHelp is every key, for ? and README.
func (k ReviewKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Down, k.Up, k.Next, k.Prev},
		{k.Take, k.Both, k.Reject, k.AcceptAgreed},
		{k.Edit, k.Undo, k.Comment, k.Done, k.Return},
	}
}

// reviewTab is the Review tab's state.
type reviewTab struct {
	keys   ReviewKeys
	set    *review.Set
	cursor int
	// single: one annotator's work reviewed (return and accept).
	single bool
	// comments are the comments on the open article's review.
	comments []model.Comment
	// input is the comment (or return note) being typed; nil when none.
	input     *textinput.Model
	inputKind int // inputComment, inputReturn, inputReply
	replyTo   int
}

const (
	inputComment = iota
	inputReturn
	inputReply
)

func newReviewTab(keys ReviewKeys, single bool) *reviewTab {
	return &reviewTab{keys: keys, single: single}
}

// setItems replaces the items (after a save), keeping the cursor on the
// same item where it still exists.
func (t *reviewTab) setItems(s *review.Set, comments []model.Comment) {
	at := ""
	if it, ok := t.current(); ok {
		at = it.Key
	}
	t.set, t.comments = s, comments
	for i, it := range s.Items {
		if it.Key == at {
			t.cursor = i
			return
		}
	}
	t.cursor = min(t.cursor, max(0, len(s.Items)-1))
}

func (t *reviewTab) current() (*review.Item, bool) {
	if t == nil || t.set == nil || t.cursor >= len(t.set.Items) {
		return nil, false
	}
	return t.set.Items[t.cursor], true
}

// capturing reports whether the tab takes every key (a comment is being
// typed).
func (t *reviewTab) capturing() bool { return t != nil && t.input != nil }

// toUndecided moves to the next (previous) item still to decide; from the
// start when first. It reports whether there was one.
func (t *reviewTab) toUndecided(backward, first bool) bool {
	if t.set == nil || len(t.set.Items) == 0 {
		return false
	}
	n := len(t.set.Items)
	for k := 1; k <= n; k++ {
		i := t.cursor + k
		if backward {
			i = t.cursor - k
		}
		if first {
			i = k - 1
		}
		i = (i%n + n) % n
		if t.set.Items[i].Undecided() {
			t.cursor = i
			return true
		}
	}
	return false
}

func (t *reviewTab) show() reviewAction {
	if it, ok := t.current(); ok && it.Where.End > it.Where.Start {
		return actShow{it.Where}
	}
	return nil
}

// startInput opens the one-line input for a comment or a return note.
func (t *reviewTab) startInput(kind int, placeholder string) tea.Cmd {
	in := textinput.New()
	in.Prompt = ""
	in.Placeholder = placeholder
	in.CharLimit = 2000
	t.input, t.inputKind = &in, kind
	return in.Focus()
}

// Update handles a message for the tab: a key, or a paste while typing.
// It returns the action for the root (nil: none), a command of its own
// (the input's cursor), and whether it used the message.
func (t *reviewTab) Update(msg tea.Msg) (reviewAction, tea.Cmd, bool) {
	if t.input != nil {
		return t.updateInput(msg)
	}
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, nil, false
	}
	if t.set == nil {
		return t.updateComments(kp)
	}
	k := t.keys
	it, have := t.current()
	switch {
	case key.Matches(kp, k.Down):
		t.cursor = min(t.cursor+1, max(0, len(t.set.Items)-1))
		return t.show(), nil, true
	case key.Matches(kp, k.Up):
		t.cursor = max(t.cursor-1, 0)
		return t.show(), nil, true
	case key.Matches(kp, k.Next), key.Matches(kp, k.Prev):
		if !t.toUndecided(key.Matches(kp, k.Prev), false) {
			return actSay{text: "nothing left to decide here: every item agrees or is decided (A accepts the agreements)"}, nil, true
		}
		return t.show(), nil, true
	case key.Matches(kp, k.Take):
		if !have {
			return nil, nil, true
		}
		n, _ := strconv.Atoi(kp.String())
		who := t.set.Annotators
		if n < 1 || n > len(who) {
			return actSay{text: fmt.Sprintf("there are %d annotators: 1-%d takes one's version", len(who), len(who)), err: true}, nil, true
		}
		w := who[n-1]
		if it.Versions[w] == "" {
			if it.Required {
				return actSay{text: fmt.Sprintf("%s has none, and gold needs %s: take another version", termtext.Line(w), termtext.Line(it.Title)), err: true}, nil, true
			}
			return actDecide{items: []*review.Item{it}, kind: model.DecisionRejected,
				what: fmt.Sprintf("review %s: %s has none, so none", it.Key, w), advance: true}, nil, true
		}
		return actDecide{items: []*review.Item{it}, kind: model.DecisionTaken, from: []string{w},
			what: fmt.Sprintf("review %s: take %s's", it.Key, w), advance: true}, nil, true
	case key.Matches(kp, k.Both):
		if !have {
			return nil, nil, true
		}
		havers := it.Havers(t.set.Annotators)
		if !it.Multi && len(distinct(it, havers)) > 1 {
			return actSay{text: fmt.Sprintf("%s holds one value: take one version (1-%d)", termtext.Line(it.Title), len(t.set.Annotators)), err: true}, nil, true
		}
		return actDecide{items: []*review.Item{it}, kind: model.DecisionBoth, from: havers,
			what: "review " + it.Key + ": take every version", advance: true}, nil, true
	case key.Matches(kp, k.Reject):
		if !have {
			return nil, nil, true
		}
		if it.Required {
			return actSay{text: termtext.Line(it.Title) + ": gold needs one; take a version", err: true}, nil, true
		}
		return actDecide{items: []*review.Item{it}, kind: model.DecisionRejected, what: "review " + it.Key + ": reject", advance: true}, nil, true
	case key.Matches(kp, k.AcceptAgreed):
		agreed := t.set.Agreed()
		if len(agreed) == 0 {
			return actSay{text: "no agreement left to accept in this article"}, nil, true
		}
		return actDecide{items: agreed, kind: model.DecisionAccepted, what: fmt.Sprintf("review: accept the %d agreements", len(agreed))}, nil, true
	case key.Matches(kp, k.Edit):
		if have {
			return actEdit{it.Where}, nil, true
		}
		return actEdit{}, nil, true
	case key.Matches(kp, k.Undo):
		return actUndo{}, nil, true
	case key.Matches(kp, k.Done):
		return actDone{}, nil, true
	case key.Matches(kp, k.Return):
		if !t.single {
			return actSay{text: "R returns one annotator's work: open it with annotate review --annotators NAME", err: true}, nil, true
		}
		return nil, t.startInput(inputReturn, "why it goes back (required)"), true
	case key.Matches(kp, k.Comment):
		return nil, t.startInput(inputComment, "comment"), true
	}
	return nil, nil, false
}

// updateComments handles a key on the annotator's side of the tab: the
// comments her reviewer left, one under the cursor.
func (t *reviewTab) updateComments(kp tea.KeyPressMsg) (reviewAction, tea.Cmd, bool) {
	if len(t.comments) == 0 {
		return nil, nil, false
	}
	k := t.keys
	switch {
	case key.Matches(kp, k.Down):
		t.cursor = min(t.cursor+1, len(t.comments)-1)
	case key.Matches(kp, k.Up):
		t.cursor = max(t.cursor-1, 0)
	case key.Matches(kp, k.Answer):
		return nil, t.startInput(inputReply, "answer"), true
	case key.Matches(kp, k.Finish):
		return actDone{}, nil, true
	case key.Matches(kp, k.Show):
	default:
		return nil, nil, false
	}
	if c := t.comments[t.cursor]; c.Where != nil {
		return actShowComment{*c.Where}, nil, true
	}
	return nil, nil, true
}

// viewComments draws the annotator's side: each comment with where its
// item is and the answers.
func (t *reviewTab) viewComments(st Styles, w, h int, focused bool, d *document) []string {
	lines := wrapSegs([]seg{{fmt.Sprintf("%d review comments", len(t.comments)), st.Subtle}}, w, 2)
	cursorLine := 0
	for i, c := range t.comments {
		where := ""
		if c.Where != nil {
			where = fmt.Sprintf("l.%d ", d.lineNumber(c.Where.Start))
		}
		title := c.Title
		if title == "" {
			title = "the article"
		}
		head := "✎ " + where + termtext.Line(title)
		if i == t.cursor {
			cursorLine = len(lines)
			if focused {
				head = st.RowActive.Render(fit("▸ "+head, w))
			} else {
				head = fit("▸ "+head, w)
			}
		}
		lines = append(lines, fit(head, w))
		lines = append(lines, wrapSegs([]seg{{"  " + termtext.Line(c.By) + ": " + termtext.Line(c.Text), st.Accent}}, w, 4)...)
		for _, r := range c.Replies {
			lines = append(lines, wrapSegs([]seg{{"    ↳ " + termtext.Line(r.By) + ": " + termtext.Line(r.Text), st.Subtle}}, w, 3)...)
		}
	}
	if t.input != nil {
		t.input.SetWidth(max(1, w-10))
		lines = append(lines, st.Accent.Render("answer: ")+t.input.View())
		cursorLine = len(lines) - 1
	}
	if len(lines) > h {
		first := min(max(0, cursorLine-h/3), len(lines)-h)
		lines = lines[first : first+h]
	}
	return lines
}

// distinct are the different versions among the annotators'.
func distinct(it *review.Item, who []string) map[string]bool {
	out := map[string]bool{}
	for _, w := range who {
		out[it.Versions[w]] = true
	}
	return out
}

func (t *reviewTab) updateInput(msg tea.Msg) (reviewAction, tea.Cmd, bool) {
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(kp, t.keys.Cancel):
			t.input = nil
			return actSay{text: "comment dropped"}, nil, true
		case key.Matches(kp, t.keys.Save):
			text := strings.TrimSpace(t.input.Value())
			kind := t.inputKind
			if text == "" {
				if kind == inputReturn {
					return actSay{text: "a returned article needs a comment saying why (esc: keep it)", err: true}, nil, true
				}
				t.input = nil
				return actSay{text: "empty comment: nothing saved"}, nil, true
			}
			t.input = nil
			if kind == inputReturn {
				return actReturn{comment: text}, nil, true
			}
			if kind == inputReply {
				return actComment{text: text, reply: t.cursor}, nil, true
			}
			it, _ := t.current()
			return actComment{item: it, text: text, reply: -1}, nil, true
		}
	}
	if p, ok := msg.(tea.PasteMsg); ok && strings.ContainsAny(p.Content, "\r\n") {
		// One line: a pasted paragraph's lines are joined with spaces, and
		// the message says so.
		in, cmd := t.input.Update(msg)
		t.input = &in
		return actSay{text: "pasted lines joined into one line"}, cmd, true
	}
	in, cmd := t.input.Update(msg)
	t.input = &in
	return nil, cmd, true
}

// View draws the tab in w columns and h lines.
// d is the open article: its line numbers are counted once (a line
// counted from the text's start per item and frame cost a 200,000-character
// article a pass per item).
func (t *reviewTab) View(st Styles, w, h int, focused bool, d *document) []string {
	if t != nil && t.set == nil && len(t.comments) > 0 {
		return t.viewComments(st, w, h, focused, d)
	}
	if t == nil || t.set == nil {
		return []string{st.Subtle.Render("No versions to review.")}
	}
	s := t.set
	head := fmt.Sprintf("%d items, %d to decide · annotators:", len(s.Items), s.Open())
	for i, who := range s.Annotators {
		head += fmt.Sprintf(" %d %s", i+1, termtext.Line(who))
	}
	lines := wrapSegs([]seg{{head, st.Subtle}}, w, 2)
	cursorLine := 0
	for i, it := range s.Items {
		where := ""
		if it.Where.End > it.Where.Start {
			where = fmt.Sprintf("l.%d ", d.lineNumber(it.Where.Start))
		}
		line := it.State.Mark() + " " + st.Subtle.Render(where) + termtext.Line(it.Title)
		if d := it.Decision; d != nil {
			said := d.Kind
			if len(d.From) > 0 {
				said += " " + strings.Join(d.From, "+")
			}
			line += st.Subtle.Render("  (" + termtext.Line(said) + ")")
		}
		if n := t.commentsOn(it.Key); n > 0 {
			line += st.Accent.Render(fmt.Sprintf("  ✎%d", n))
		}
		if i != t.cursor {
			lines = append(lines, fit(line, w))
			continue
		}
		cursorLine = len(lines)
		if focused {
			line = st.RowActive.Render(fit("▸ "+ansi.Strip(line), w))
		} else {
			line = fit("▸ "+line, w)
		}
		lines = append(lines, line)
		lines = append(lines, t.detail(st, it, w, d.text)...)
	}
	if t.input != nil {
		title := "comment: "
		if t.inputKind == inputReturn {
			title = "return with: "
		}
		t.input.SetWidth(max(1, w-ansi.StringWidth(title)-1))
		lines = append(lines, st.Accent.Render(title)+t.input.View())
		cursorLine = len(lines) - 1
	}
	if len(lines) > h {
		first := min(max(0, cursorLine-h/3), len(lines)-h)
		lines = lines[first : first+h]
	}
	return lines
}

// detail is the current item: the text around it, every annotator's
// version, gold's, and the comments on it.
func (t *reviewTab) detail(st Styles, it *review.Item, w int, text string) []string {
	var lines []string
	if it.Kind == review.KindMention && it.Where.End > it.Where.Start {
		lines = append(lines, wrapSegs([]seg{{"  …" + termtext.Line(around(text, it.Where)) + "…", st.Subtle}}, w, 2)...)
	}
	for k, who := range t.set.Annotators {
		v := it.Versions[who]
		if s, ok := it.Show[who]; ok {
			v = s
		}
		mark := " "
		if v != "" && it.Gold != "" && it.Versions[who] == it.Gold {
			mark = "="
		}
		if v == "" {
			v = "—"
		}
		lines = append(lines, wrapSegs([]seg{{fmt.Sprintf("  %d %s%s: %s", k+1, mark, termtext.Line(who), termtext.Line(v)), st.Accent}}, w, 3)...)
	}
	g := it.Gold
	if g == "" {
		g = "—"
	}
	lines = append(lines, wrapSegs([]seg{{"  gold: " + termtext.Line(g), st.Subtle}}, w, 2)...)
	for _, c := range t.comments {
		if c.Item != it.Key {
			continue
		}
		lines = append(lines, wrapSegs([]seg{{"  ✎ " + termtext.Line(c.By) + ": " + termtext.Line(c.Text), st.Subtle}}, w, 3)...)
		for _, r := range c.Replies {
			lines = append(lines, wrapSegs([]seg{{"    ↳ " + termtext.Line(r.By) + ": " + termtext.Line(r.Text), st.Subtle}}, w, 3)...)
		}
	}
	return lines
}

// commentsOn counts the comments on an item.
func (t *reviewTab) commentsOn(key string) int {
	n := 0
	for _, c := range t.comments {
		if c.Item == key {
			n++
		}
	}
	return n
}

// around is the words around a stretch of text, on one line.
func around(text string, r model.Range) string {
	start, end := max(0, r.Start-40), min(len(text), r.End+40)
	for start > 0 && !utf8Start(text[start]) {
		start--
	}
	for end < len(text) && !utf8Start(text[end]) {
		end++
	}
	return strings.Join(strings.Fields(text[start:end]), " ")
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
