package tui

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/annotate-tool/annotate/internal/model"
)

// harness drives a Model the way tea.Program would, but synchronously: each
// message goes through Update, and the returned command is run at once, its
// messages fed back in, depth first.
type harness struct {
	t    testing.TB
	m    *Model
	st   *fakeStore
	quit bool
	// held, when set, keeps commands instead of running them (see hold).
	held []tea.Cmd
	hold bool
}

// newHarness opens a screen on st at the given size and loads the queue.
func newHarness(t testing.TB, st *fakeStore, width, height int, opts ...func(*Options)) *harness {
	t.Helper()
	o := Options{Store: st, Schema: model.DefaultSchema(), Annotator: "alice", Location: "test.db"}
	for _, f := range opts {
		f(&o)
	}
	m := New(o)
	h := &harness{t: t, m: m, st: st}
	h.send(tea.WindowSizeMsg{Width: width, Height: height})
	h.run(m.Init())
	return h
}

// send feeds one message to Update and runs what it returns.
func (h *harness) send(msg tea.Msg) {
	h.t.Helper()
	_, cmd := h.m.Update(msg)
	h.run(cmd)
}

// run executes cmd and everything it leads to. Batches and sequences are
// unpacked in order; requests only a terminal can answer (the background
// colour) are dropped; tea.QuitMsg is recorded.
func (h *harness) run(cmd tea.Cmd) {
	h.t.Helper()
	if cmd == nil {
		return
	}
	if h.hold {
		h.held = append(h.held, cmd)
		return
	}
	msg := cmd()
	switch msg := msg.(type) {
	case nil:
		return
	case tea.QuitMsg:
		h.quit = true
		return
	case tea.BatchMsg:
		for _, c := range msg {
			h.run(c)
		}
		return
	}
	v := reflect.ValueOf(msg)
	if v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeFor[tea.Cmd]() {
		// tea.Sequence's unexported message: run its commands in order.
		for i := range v.Len() {
			h.run(v.Index(i).Interface().(tea.Cmd))
		}
		return
	}
	if t := reflect.TypeOf(msg); t.PkgPath() == reflect.TypeFor[tea.QuitMsg]().PkgPath() && !isExported(t.Name()) {
		// A request to the terminal (tea.RequestBackgroundColor): only a
		// real program can answer it.
		return
	}
	h.send(msg)
}

// isExported reports whether a name is exported.
func isExported(name string) bool {
	r, _ := utf8.DecodeRuneInString(name)
	return r >= 'A' && r <= 'Z'
}

// release runs the commands kept while holding, in order.
func (h *harness) release() {
	h.t.Helper()
	h.hold = false
	cmds := h.held
	h.held = nil
	for _, c := range cmds {
		h.run(c)
	}
}

// press builds the key event whose String() is s, as keys.go spells keys.
func press(s string) tea.KeyPressMsg {
	special := map[string]tea.Key{
		"enter":     {Code: tea.KeyEnter},
		"tab":       {Code: tea.KeyTab},
		"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift},
		"esc":       {Code: tea.KeyEscape},
		"space":     {Code: tea.KeySpace, Text: " "},
		"backspace": {Code: tea.KeyBackspace},
		"delete":    {Code: tea.KeyDelete},
		"up":        {Code: tea.KeyUp},
		"down":      {Code: tea.KeyDown},
		"left":      {Code: tea.KeyLeft},
		"right":     {Code: tea.KeyRight},
		"home":      {Code: tea.KeyHome},
		"end":       {Code: tea.KeyEnd},
		"pgdown":    {Code: tea.KeyPgDown},
		"pgup":      {Code: tea.KeyPgUp},
	}
	if k, ok := special[s]; ok {
		return tea.KeyPressMsg(k)
	}
	if rest, ok := strings.CutPrefix(s, "ctrl+"); ok {
		r, _ := utf8.DecodeRuneInString(rest)
		return tea.KeyPressMsg{Code: r, Mod: tea.ModCtrl}
	}
	r, _ := utf8.DecodeRuneInString(s)
	k := tea.KeyPressMsg{Code: r, Text: s}
	if r >= 'A' && r <= 'Z' {
		// A terminal reports shift+d as the key d, shifted, typing "D".
		k = tea.KeyPressMsg{Code: r + 'a' - 'A', ShiftedCode: r, Mod: tea.ModShift, Text: s}
	}
	return k
}

// keys presses each space-separated key in turn ("v w w", "ctrl+r").
func (h *harness) keys(seq string) {
	h.t.Helper()
	for _, k := range strings.Fields(seq) {
		h.send(press(k))
	}
}

// typeText types s into a prompt, one key per character.
func (h *harness) typeText(s string) {
	h.t.Helper()
	for _, r := range s {
		h.send(press(string(r)))
	}
}

// open opens the article with the given ID from the queue.
func (h *harness) open(id string) {
	h.t.Helper()
	h.run(h.m.loadArticle(id))
	if h.m.doc == nil || h.m.doc.article.ID != id {
		h.t.Fatalf("article %s did not open (message %q)", id, h.m.message)
	}
}

// sel returns the selected range and text.
func (h *harness) sel() (model.Range, string) {
	return h.m.selection(), h.m.selectedText()
}

// screen returns the rendered screen without styles.
func (h *harness) screen() string { return ansi.Strip(h.m.Render()) }

// stored returns alice's stored annotation of the open article.
func (h *harness) stored() model.Annotation {
	h.t.Helper()
	a, _ := h.st.stored(h.m.doc.article.ID, "alice")
	return a
}

// rangeOf returns the byte range of the n-th (0-based) occurrence of sub.
func rangeOf(t testing.TB, text, sub string, n int) model.Range {
	t.Helper()
	off := 0
	for i := 0; ; i++ {
		j := strings.Index(text[off:], sub)
		if j < 0 {
			t.Fatalf("occurrence %d of %q not in the text", n, sub)
		}
		if i == n {
			return model.Range{Start: off + j, End: off + j + len(sub)}
		}
		off += j + len(sub)
	}
}

// article builds an article with an ID derived from its text.
func article(title, text string) model.Article {
	return model.Article{ID: model.ArticleID(text), Title: title, Text: text}
}

func TestPressSpellsKeysLikeKeyMap(t *testing.T) {
	for _, s := range []string{"w", "D", "S", "U", "G", "N", "1", "0", "?", "/", ")", "{", "]",
		"enter", "tab", "shift+tab", "esc", "space", "backspace", "delete", "up", "down", "left", "right",
		"home", "end", "pgdown", "pgup", "ctrl+d", "ctrl+u", "ctrl+r", "ctrl+c"} {
		if got := press(s).String(); got != s {
			t.Errorf("press(%q).String() = %q", s, got)
		}
	}
}
