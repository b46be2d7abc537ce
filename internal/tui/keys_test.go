package tui

import (
	"os"
	"slices"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// TestNoKeyClashes: no two actions the screen consults in one focus share
// a key, and no action where text is typed takes a key that types.
func TestNoKeyClashes(t *testing.T) {
	km := DefaultKeyMap()
	for _, c := range km.clashes() {
		if c.second == "" {
			t.Errorf("in %s, %s takes %s, which types text there", focusSpecs[c.focus].name, c.first, c.key)
		} else {
			t.Errorf("in %s, %s is both %s and %s", focusSpecs[c.focus].name, c.key, c.first, c.second)
		}
	}
}

// TestClashesFound: the clash check sees two actions on one key in each
// set of groups that act together, and only there.
func TestClashesFound(t *testing.T) {
	for _, tc := range []struct {
		action, key string
		focus       keyFocus
		other       string // "" when the key types text there
	}{
		{"article.claim", "?", focusArticleText, "global.help"},     // Article + Global
		{"article.claim", "x", focusArticleText, "article.delete"},  // within Article
		{"list.new", "l", focusLists, "side.next_tab"},              // List + Side's tab keys
		{"side.relabel", "ctrl+c", focusEntities, "global.quit"},    // Side + Global
		{"review.comment", "h", focusReview, "side.prev_tab"},       // Review tab + Side
		{"review.answer", "q", focusComments, "side.focus_article"}, // comments + Side
		{"queue.search", "A", focusQueue, "review.accept_agreed"},   // Queue + review's A
		{"form.evidence", "ctrl+c", focusForm, "global.quit"},       // Form + Global
		{"form.evidence", "e", focusForm, ""},                       // a form types e
		{"prompt.clear", "backspace", focusPrompt, ""},              // a prompt's backspace edits
		{"global.quit", "Q", focusCommentInput, ""},                 // a comment types Q
		{"prompt.confirm", "ctrl+u", focusPrompt, "prompt.clear"},   // within Prompt
		{"queue.prev_filter", "ctrl+l", focusQueue, "queue.reload"}, // within Queue
		{"review.both", "enter", focusReview, "review.edit"},        // within Review
		{"side.jump", "tab", focusEntities, "side.focus_article"},   // within Side
		{"form.clear_value", "up", focusForm, "form.prev_choice"},   // within Form
		{"list.accept", "enter", focusLists, "list.open"},           // within List
		{"article.back", "f1", focusArticleText, "global.help"},     // help's other key
		{"review.take", "A", focusReview, "review.accept_agreed"},   // a fixed action too
		{"article.split", "ctrl+o", focusArticleText, "article.focus_side"},
	} {
		km := DefaultKeyMap()
		b, ok := km.action(tc.action)
		if !ok {
			t.Fatalf("no action %s", tc.action)
		}
		b.SetKeys(append(b.Keys(), tc.key)...)
		km.mirror()
		cs := km.clashes()
		found := slices.ContainsFunc(cs, func(c clash) bool {
			if c.focus != tc.focus || c.key != tc.key {
				return false
			}
			if tc.other == "" {
				return c.second == "" && c.first == tc.action
			}
			return (c.first == tc.action && c.second == tc.other) || (c.first == tc.other && c.second == tc.action)
		})
		if !found {
			t.Errorf("%s on %s: clashes %+v, want one with %q in %s", tc.action, tc.key, cs, tc.other, focusSpecs[tc.focus].name)
		}
	}
	// One key for two actions of different focuses is no clash.
	km := DefaultKeyMap()
	km.Article.Claim.SetKeys("m") // the Review tab's comment key
	km.Form.Evidence.SetKeys("ctrl+e", "alt+e", "f2")
	if cs := km.clashes(); len(cs) != 0 {
		t.Errorf("keys of different focuses reported as clashes: %+v", cs)
	}
}

// TestEveryActionHasAFocus: every action is consulted in some focus, so
// the clash check covers it; every hint shows keys of its own focus.
func TestEveryActionHasAFocus(t *testing.T) {
	km := DefaultKeyMap()
	in := map[string]bool{}
	for f := range focusCount {
		keys := map[string]bool{}
		for _, a := range km.focusActions(f) {
			in[a.name] = true
			for _, k := range a.b.Keys() {
				keys[k] = true
			}
		}
		for _, b := range focusSpecs[f].hint(km) {
			for _, k := range b.Keys() {
				if !keys[k] {
					t.Errorf("the hint of %s shows %q (%s), which no action there takes", focusSpecs[f].name, k, b.Help().Desc)
				}
			}
		}
		for _, s := range focusSpecs[f].sections(km) {
			for _, b := range s.keys {
				for _, k := range b.Keys() {
					if !keys[k] {
						t.Errorf("? in %s lists %q (%s), which no action there takes", focusSpecs[f].name, k, b.Help().Desc)
					}
				}
			}
		}
	}
	for _, a := range km.actions() {
		if !in[a.name] {
			t.Errorf("%s is in no focus: add it to focusSpecs", a.name)
		}
	}
}

// TestHelpLabelsFollowKeys: each binding's hint names its first key (its
// help cannot drift from its keys), and ? lists all of them.
func TestHelpLabelsFollowKeys(t *testing.T) {
	km := DefaultKeyMap()
	for _, a := range km.actions() {
		keys, label := a.b.Keys(), a.b.Help().Key
		if len(keys) == 0 || a.b.Help().Desc == "" {
			t.Errorf("%s has no key or no description", a.name)
			continue
		}
		if first := keyLabel(keys[0]); !strings.HasPrefix(label, first) && !(first == "delete" && label == "del") {
			t.Errorf("%s: hint %q does not name its first key %q", a.name, label, keys[0])
		}
		full := fullLabel(*a.b)
		for _, k := range keys {
			if !strings.Contains(full, keyLabel(k)) && !digitRun(keys) {
				t.Errorf("%s: ? shows %q, without %q", a.name, full, k)
			}
		}
	}
}

// TestCtrlKeysHavePlainAlternatives: multiplexers take ctrl keys (Zellij:
// ctrl+o, ctrl+p, ctrl+n, ctrl+h …), so every action on a ctrl key has
// another that is not one, and where text is typed, one that types none.
func TestCtrlKeysHavePlainAlternatives(t *testing.T) {
	km := DefaultKeyMap()
	// ctrl+c is the terminal's interrupt, which no multiplexer takes;
	// quitting has its plain keys on the queue.
	elsewhere := map[string]string{"global.quit": "queue.quit"}
	typing := map[string]bool{}
	for f := range focusCount {
		if focusSpecs[f].typing {
			for _, a := range km.focusActions(f) {
				typing[a.name] = true
			}
		}
	}
	plain := func(name string, keys []string) bool {
		return slices.ContainsFunc(keys, func(k string) bool {
			return !strings.Contains(k, "ctrl+") && (!typing[name] || !isText(k))
		})
	}
	n := 0
	for _, a := range km.actions() {
		if !slices.ContainsFunc(a.b.Keys(), func(k string) bool { return strings.Contains(k, "ctrl+") }) {
			continue
		}
		n++
		name := a.name
		if other, ok := elsewhere[name]; ok {
			name = other
		}
		b, _ := km.action(name)
		if !plain(name, b.Keys()) {
			t.Errorf("%s (%s) has no key without ctrl that works there", a.name, strings.Join(a.b.Keys(), " "))
		}
	}
	if n < 10 {
		t.Errorf("only %d actions on ctrl keys: the check looks at the wrong bindings", n)
	}
}

// TestPlainAlternativesWork: the alternatives act as the ctrl keys do.
func TestPlainAlternativesWork(t *testing.T) {
	h := openIncident(t)
	h.send(tea.KeyPressMsg{Code: 'o', Mod: tea.ModAlt})
	if h.m.focus != focusArticle || h.m.form == nil {
		t.Fatalf("alt+o in a form: focus %v, form open %v; want the article, the form kept", h.m.focus, h.m.form != nil)
	}
	h.keys("tab")
	if h.m.keyFocus() != focusForm {
		t.Fatalf("tab did not come back to the form")
	}
	h.toRow("notes")
	h.typeText("abc")
	if d := h.m.drafts[h.m.draftKeyFor(h.m.form, h.m.form.row())]; d != "abc" {
		t.Fatalf("typed %q into notes", d)
	}
	h.send(tea.KeyPressMsg{Code: 'u', Mod: tea.ModAlt})
	if d := h.m.drafts[h.m.draftKeyFor(h.m.form, h.m.form.row())]; d != "" {
		t.Errorf("alt+u left the draft %q; want it dropped as ctrl+u does", d)
	}

	q := openTag(t)
	q.keys("/")
	q.typeText("fox")
	q.send(tea.KeyPressMsg{Code: 'u', Mod: tea.ModAlt})
	if q.m.prompt == nil || q.m.prompt.value() != "" {
		t.Errorf("alt+u in a prompt: %+v; want the input cleared", q.m.prompt)
	}
}

// TestHelpWhereTextIsTyped: in a form ? types; f1 opens the keys of the
// form, and the hint says so.
func TestHelpWhereTextIsTyped(t *testing.T) {
	h := openIncident(t)
	h.toRow("notes")
	if hint := h.screen(); !strings.Contains(lastLine(hint), "f1 all keys") {
		t.Errorf("the form's hint does not name f1:\n%s", lastLine(hint))
	}
	h.keys("?")
	if h.m.showHelp {
		t.Fatal("? in a form opened the help instead of typing")
	}
	if d := h.m.drafts[h.m.draftKeyFor(h.m.form, h.m.form.row())]; d != "?" {
		t.Errorf("? typed %q", d)
	}
	h.send(tea.KeyPressMsg{Code: tea.KeyF1})
	if !h.m.showHelp {
		t.Fatal("f1 in a form did not open the help")
	}
	s := h.screen()
	for _, want := range []string{"Here, in a form", "ctrl+f/alt+c count from figure", "ctrl+o/alt+o article", "delete clear the value"} {
		if !strings.Contains(s, want) {
			t.Errorf("help from a form lacks %q:\n%s", want, s)
		}
	}
	// The form's keys come first: all of them on an 80x24 screen.
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	s = h.screen()
	for _, b := range h.m.keys.Form.FullHelp()[0] {
		if want := fullLabel(b) + " " + b.Help().Desc; !strings.Contains(s, want) {
			t.Errorf("help from a form at 80x24 lacks %q:\n%s", want, s)
		}
	}
	h.keys("x")
	if h.m.showHelp || h.m.form == nil {
		t.Errorf("a key on the help: help %v, form %v; want the form back", h.m.showHelp, h.m.form != nil)
	}

	p := openTag(t)
	p.keys("/")
	p.send(tea.KeyPressMsg{Code: tea.KeyF1})
	if !p.m.showHelp || !strings.Contains(p.screen(), "Here, in a prompt") {
		t.Errorf("f1 in a prompt did not show the prompt's keys:\n%s", p.screen())
	}
	p.keys("esc")
	if p.m.prompt == nil {
		t.Errorf("closing the help closed the prompt")
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestReboundKeysInForce: the screen acts on the keys of a keymap file,
// not on the ones they replace, and its hint and ? show them.
func TestReboundKeysInForce(t *testing.T) {
	km, err := ParseKeymap(strings.NewReader("article.undo = ctrl+z alt+z\nqueue.search = s\nform.evidence = f2\n"))
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, newFakeStore(article("Tagging", tagText)), 200, 60, func(o *Options) { o.Keys = &km })
	if hint := lastLine(h.screen()); !strings.Contains(hint, "s search") || strings.Contains(hint, "/ search") {
		t.Errorf("the queue's hint: %q; want s search", hint)
	}
	h.keys("/")
	if h.m.prompt != nil {
		t.Errorf("/ still searches the queue")
	}
	h.keys("s")
	if h.m.prompt == nil || h.m.prompt.kind != promptQueueSearch {
		t.Fatalf("s did not search the queue")
	}
	h.keys("esc enter 1")
	if n := len(h.m.ann.Entities); n != 1 {
		t.Fatalf("1 tagged %d spans", n)
	}
	h.keys("u")
	if n := len(h.m.ann.Entities); n != 1 {
		t.Errorf("u, no longer undo, undid: %d spans", n)
	}
	h.send(tea.KeyPressMsg{Code: 'z', Mod: tea.ModCtrl})
	if n := len(h.m.ann.Entities); n != 0 {
		t.Errorf("ctrl+z did not undo: %d spans", n)
	}
	if hint := lastLine(h.screen()); !strings.Contains(hint, "ctrl+z undo") {
		t.Errorf("the article's hint: %q; want ctrl+z undo", hint)
	}
	h.keys("?")
	s := h.screen()
	if !strings.Contains(s, "ctrl+z/alt+z undo") || strings.Contains(s, " u undo") {
		t.Errorf("? does not show the keys in force for undo:\n%s", s)
	}
	if !strings.Contains(s, "f2 evidence") || !strings.Contains(s, "s search") {
		t.Errorf("? does not show the rebound keys of other focuses:\n%s", s)
	}
}

// TestReboundReviewKeyShown: ? on the review screen shows a rebound key of
// the Review tab, and the key acts.
func TestReboundReviewKeyShown(t *testing.T) {
	km, err := ParseKeymap(strings.NewReader("review.accept_agreed = alt+a\nprompt.cancel = f9\n"))
	if err != nil {
		t.Fatal(err)
	}
	st, _, _ := reviewStore(t)
	h := newHarness(t, st, 160, 50, func(o *Options) {
		o.Annotator = "rita"
		o.Review = &ReviewOptions{}
		o.Keys = &km
	})
	h.keys("enter")
	if h.m.keyFocus() != focusReview {
		t.Fatalf("review did not open on the Review tab")
	}
	if hint := lastLine(h.screen()); !strings.Contains(hint, "alt+a accept agreed") {
		t.Errorf("the review hint: %q", hint)
	}
	h.keys("?")
	s := h.screen()
	if !strings.Contains(s, "Here, in the Review tab") || !strings.Contains(s, "alt+a accept agreed") || strings.Contains(s, "A accept agreed") {
		t.Errorf("? on the review screen does not show the key in force:\n%s", s)
	}
	h.keys("x m")
	if !h.m.rv.capturing() {
		t.Fatal("m did not start a comment")
	}
	h.keys("esc")
	if !h.m.rv.capturing() {
		t.Errorf("esc, no longer cancel, dropped the comment")
	}
	h.send(tea.KeyPressMsg{Code: tea.KeyF9})
	if h.m.rv.capturing() {
		t.Errorf("f9 (prompt.cancel) did not drop the comment")
	}
}

// TestHelpOverlayFollowsFocus: ? shows the keys of where it was pressed
// first: the queue, the article, the Entities tab, a list tab.
func TestHelpOverlayFollowsFocus(t *testing.T) {
	h := openRaqqa(t)
	for _, tc := range []struct {
		keys  string
		here  string
		first string
	}{
		{"", "the article", "Move and select:"},
		{"tab", "the Entities tab", "Entities tab:"},
		{"l", "the Claims, Sources and Incidents tabs", "Claims, Sources, Incidents:"},
		{"tab q", "the queue", "Queue:"},
	} {
		h.keys(tc.keys + " ?")
		s := h.screen()
		i := strings.Index(s, "Here, in "+tc.here)
		j := strings.Index(s, tc.first)
		if i < 0 || j < i || j > strings.Index(s, "Elsewhere") {
			t.Errorf("after %q, ? does not start with %s's keys:\n%s", tc.keys, tc.here, s)
		}
		h.keys("?") // closes
	}
}

// TestKeyLabels: how keys are named in the hint line and in ?.
func TestKeyLabels(t *testing.T) {
	for _, tc := range []struct {
		keys  []string
		twice bool
		want  string
	}{
		{[]string{"w", "right"}, false, "w/→"},
		{[]string{"enter", "l", "right"}, false, "enter"},
		{[]string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "0"}, false, "1-0"},
		{[]string{"s"}, true, "s s"},
		{[]string{"ctrl+z", "alt+z"}, false, "ctrl+z"},
	} {
		if got := helpLabel(tc.keys, tc.twice); got != tc.want {
			t.Errorf("helpLabel(%v, %v) = %q, want %q", tc.keys, tc.twice, got, tc.want)
		}
	}
	b := key.NewBinding(key.WithKeys("ctrl+d", "pgdown", "space"), key.WithHelp("ctrl+d", "page"))
	if got := fullLabel(b); got != "ctrl+d/pgdown/space" {
		t.Errorf("fullLabel = %q", got)
	}
}

// TestDocsKeyTableIsTheKeyMap: docs/screen.md's table of every action is
// the key map's own (KeyMap.Markdown): a binding changed without the docs
// fails here.
func TestDocsKeyTableIsTheKeyMap(t *testing.T) {
	data, err := os.ReadFile("../../docs/screen.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	a, b := strings.Index(s, "<!-- keys:begin -->\n"), strings.Index(s, "\n<!-- keys:end -->")
	if a < 0 || b < a {
		t.Fatal("docs/screen.md has no generated key table between <!-- keys:begin --> and <!-- keys:end -->")
	}
	got := s[a+len("<!-- keys:begin -->\n") : b]
	if want := strings.TrimRight(DefaultKeyMap().Markdown(), "\n"); got != want {
		t.Errorf("docs/screen.md's key table differs from the key map: regenerate it from DefaultKeyMap().Markdown()")
	}
}
