package tui

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// TestParseKeymapGood: comments, blank lines, a byte order mark, CRLF,
// several keys, aliases and spellings Bubble Tea does not use are read;
// the actions left out keep their keys.
func TestParseKeymapGood(t *testing.T) {
	file := "\ufeff# my keys\r\n\r\n" +
		"  queue.search = s  ctrl+s   # both\r\n" +
		"Article.Undo=ctrl+z\n" +
		"article.tag_all = shift+q\n" +
		"form.evidence = F2 alt+ctrl+e ins\n" +
		"article.next_span = hash +\n" +
		"form.article = alt+o alt+o\n"
	km, err := ParseKeymap(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	def := DefaultKeyMap()
	for _, tc := range []struct {
		b    key.Binding
		keys []string
		hint string
	}{
		{km.Queue.Search, []string{"s", "ctrl+s"}, "s"},
		{km.Article.Undo, []string{"ctrl+z"}, "ctrl+z"},
		{km.Article.TagAll, []string{"Q"}, "Q Q"}, // asks before it acts: said twice
		{km.Form.Evidence, []string{"f2", "ctrl+alt+e", "insert"}, "f2"},
		{km.Article.NextSpan, []string{"#", "+"}, "#"},
		{km.Form.Article, []string{"alt+o"}, "alt+o"},
		{km.Article.Redo, def.Article.Redo.Keys(), def.Article.Redo.Help().Key}, // left out
	} {
		if !slices.Equal(tc.b.Keys(), tc.keys) || tc.b.Help().Key != tc.hint {
			t.Errorf("%s: keys %q hint %q, want %q %q", tc.b.Help().Desc, tc.b.Keys(), tc.b.Help().Key, tc.keys, tc.hint)
		}
	}
	if km.Article.Undo.Help().Desc != "undo" {
		t.Errorf("a rebinding lost its description: %q", km.Article.Undo.Help().Desc)
	}
	// The mirrors follow: help on the Review tab is the global help.
	km2, err := ParseKeymap(strings.NewReader("global.help = f1 H\nprompt.confirm = ctrl+j enter"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(km2.Review.Help.Keys(), []string{"f1", "H"}) || !slices.Equal(km2.Review.Save.Keys(), []string{"ctrl+j", "enter"}) {
		t.Errorf("mirrors: review help %q, save %q", km2.Review.Help.Keys(), km2.Review.Save.Keys())
	}
	// Moving a key from one action to another in the same focus is no
	// clash, in either order.
	for _, f := range []string{"article.delete = X\narticle.claim = x\n", "article.claim = x\narticle.delete = X\n"} {
		if _, err := ParseKeymap(strings.NewReader(f)); err != nil {
			t.Errorf("%q: %v", f, err)
		}
	}
	if km3, err := ParseKeymap(strings.NewReader("")); err != nil || len(km3.clashes()) != 0 {
		t.Errorf("an empty file: %v", err)
	}
}

// TestParseKeymapErrors: each line that cannot be used is refused with its
// line, its kind, and words that name what is wrong.
func TestParseKeymapErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		file string
		line int
		kind error
		says []string
	}{
		{"unknown action", "# keys\nqueue.serch = s\n", 2, ErrUnknownAction, []string{`"queue.serch"`, "did you mean queue.search?"}},
		{"group left out", "undo = ctrl+z\n", 1, ErrUnknownAction, []string{"did you mean"}},
		{"nothing like it", "zzzzzzzzzzzz.qqqq = s\n", 1, ErrUnknownAction, []string{`"zzzzzzzzzzzz.qqqq"`}},
		{"mirrored", "review.help = H\n", 1, ErrUnknownAction, []string{"global.help"}},
		{"bad key", "queue.search = s ctrl+nope\n", 1, ErrBadKey, []string{"queue.search", `"ctrl+nope"`}},
		{"bad modifier", "queue.search = cmd+s\n", 1, ErrBadKey, []string{`"cmd"`, "not a modifier"}},
		{"shift of a symbol", "queue.search = shift+1\n", 1, ErrBadKey, []string{"shift+1", "!"}},
		{"two characters", "queue.search = ab\n", 1, ErrBadKey, []string{`"ab"`}},
		{"clash with a default", "\narticle.claim = x\n", 2, ErrKeyClash, []string{"x", "article.claim (line 2)", "article.delete (by default)", "in the article"}},
		{"clash of two lines", "article.claim = C\narticle.split = C\n", 2, ErrKeyClash, []string{"article.claim (line 1)", "article.split (line 2)"}},
		{"clash with help", "list.new = ?\n", 1, ErrKeyClash, []string{"global.help", "list.new"}},
		{"types text in a form", "form.evidence = e\n", 1, ErrKeyTypesText, []string{"form.evidence", "types text in a form"}},
		{"quit types text", "global.quit = Q\n", 1, ErrKeyTypesText, []string{"global.quit"}},
		{"duplicate", "article.undo = u\n\narticle.undo = U\n", 3, ErrDuplicateAction, []string{"article.undo", "line 1"}},
		{"duplicate spelt differently", "article.undo = u\nArticle.Undo = U\n", 2, ErrDuplicateAction, nil},
		{"fixed", "article.label = q\n", 1, ErrFixedAction, []string{"schema"}},
		{"no equals", "queue.search s\n", 1, ErrKeymapSyntax, []string{"ACTION = KEY"}},
		{"no action", " = s\n", 1, ErrKeymapSyntax, nil},
		{"no key", "queue.search =   # none\n", 1, ErrKeymapSyntax, []string{"no key"}},
		{"not UTF-8", "queue.search = \xff\n", 1, ErrKeymapSyntax, []string{"UTF-8"}},
		{"too long", "queue.search = " + strings.Repeat("s ", 3000) + "\n", 1, ErrKeymapSyntax, []string{"longer"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseKeymap(strings.NewReader(tc.file))
			var ke *KeymapError
			if !errors.As(err, &ke) {
				t.Fatalf("error %v, want a KeymapError", err)
			}
			if ke.Line != tc.line || !errors.Is(err, tc.kind) {
				t.Errorf("line %d kind %v, want line %d kind %v (%v)", ke.Line, ke.Kind, tc.line, tc.kind, err)
			}
			for _, s := range tc.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("%q does not say %q", err, s)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("%q is more than a line", err)
			}
		})
	}
}

// TestParseKeyMatchesBubbleTea: a key read from the file matches the key
// press a terminal sends for it (bindings compare String()).
func TestParseKeyMatchesBubbleTea(t *testing.T) {
	for _, tc := range []struct {
		in    string
		press tea.KeyPressMsg
	}{
		{"s", press("s")},
		{"S", press("S")},
		{"shift+s", press("S")},
		{"ctrl+s", tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}},
		{"Ctrl+S", tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl | tea.ModShift}},
		{"alt+e", tea.KeyPressMsg{Code: 'e', Mod: tea.ModAlt}},
		{"alt+ctrl+e", tea.KeyPressMsg{Code: 'e', Mod: tea.ModCtrl | tea.ModAlt}},
		{"f2", tea.KeyPressMsg{Code: tea.KeyF2}},
		{"F12", tea.KeyPressMsg{Code: tea.KeyF12}},
		{"shift+tab", press("shift+tab")},
		{"space", press("space")},
		{"ctrl+space", tea.KeyPressMsg{Code: tea.KeySpace, Mod: tea.ModCtrl}},
		{"enter", press("enter")},
		{"return", press("enter")},
		{"escape", press("esc")},
		{"pgdn", press("pgdown")},
		{"del", press("delete")},
		{"hash", tea.KeyPressMsg{Code: '#', Text: "#"}},
		{"+", tea.KeyPressMsg{Code: '+', Text: "+"}},
		{"ctrl++", tea.KeyPressMsg{Code: '+', Mod: tea.ModCtrl}},
		{"é", tea.KeyPressMsg{Code: 'é', Text: "é"}},
		{"alt+up", tea.KeyPressMsg{Code: tea.KeyUp, Mod: tea.ModAlt}},
	} {
		got, err := ParseKey(tc.in)
		if err != nil {
			t.Errorf("ParseKey(%q): %v", tc.in, err)
			continue
		}
		if !key.Matches(tc.press, key.NewBinding(key.WithKeys(got))) {
			t.Errorf("ParseKey(%q) = %q; the terminal's key is %q", tc.in, got, tc.press.String())
		}
	}
	for _, bad := range []string{"", "ctrl+", "foo", "ctrl+foo", "super+duper+x", " ", "\t", "\x01", "shift+/"} {
		if got, err := ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) = %q, want an error", bad, got)
		}
	}
}

// TestWriteKeymapReadsBack: what `annotate keys` prints is a keymap file
// that gives the same keys, rebound ones too; its golden copy is the list
// of action names, which stay as they are (files name them).
func TestWriteKeymapReadsBack(t *testing.T) {
	km, err := ParseKeymap(strings.NewReader("article.next_span = hash ctrl+hash\narticle.undo = ctrl+z\n"))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := km.WriteKeymap(&b); err != nil {
		t.Fatal(err)
	}
	back, err := ParseKeymap(&b)
	if err != nil {
		t.Fatalf("the written file does not read back: %v", err)
	}
	for i, a := range km.actions() {
		if got := back.actions()[i]; !slices.Equal(got.b.Keys(), a.b.Keys()) || got.b.Help() != a.b.Help() {
			t.Errorf("%s: read back %q %q, want %q %q", a.name, got.b.Keys(), got.b.Help(), a.b.Keys(), a.b.Help())
		}
	}
	var def bytes.Buffer
	if err := DefaultKeyMap().WriteKeymap(&def); err != nil {
		t.Fatal(err)
	}
	checkGoldenText(t, "keys.conf", def.String())
	checkGoldenText(t, "keys.md", DefaultKeyMap().Markdown())
}

// checkGoldenText compares text with testdata/NAME.golden (-update
// rewrites it).
func checkGoldenText(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if flag.Lookup("update").Value.String() == "true" {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run %s -update writes it)", err, t.Name())
	}
	if string(want) != got {
		t.Errorf("%s differs from %s (go test -update rewrites it after a deliberate change; action names are in users' files):\n%s", name, path, got)
	}
}
