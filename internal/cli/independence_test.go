package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store/bolt"
	"github.com/annotate-tool/annotate/internal/suggest"
	"github.com/annotate-tool/annotate/internal/tui"
)

// The articles of the independence tests (written for them): alice works
// on the first; the second names the same actors, and a date.
const (
	aliceText = "Islamic State fighters attacked Raqqa on July 27, 2017. The militant group said Islamic State held the bridge until July 27, 2017."
	laterText = "In Raqqa the militant group struck again. Islamic State denied it on July 27, 2017."
)

// screen drives the annotation screen (tui.Model) on a real database the
// way tea.Program would, but synchronously: each message goes through
// Update and the command it returns runs at once, its messages fed back
// in, depth first. It is how a test does what an annotator does with keys.
type screen struct {
	t *testing.T
	m tea.Model
}

func openScreenOn(t *testing.T, db *bolt.DB, annotator string) *screen {
	t.Helper()
	schema, err := db.Schema()
	if err != nil {
		t.Fatal(err)
	}
	if schema == nil {
		schema = model.DefaultSchema()
	}
	m := tui.New(tui.Options{Store: db, Schema: schema, Annotator: annotator, Location: "test.db",
		Suggest: func(text string, reg []model.RegistryEntry, a *model.Annotation) []suggest.Suggestion {
			return suggest.Suggest(text, reg, nil, a)
		}})
	s := &screen{t: t, m: m}
	s.send(tea.WindowSizeMsg{Width: 160, Height: 50})
	s.run(m.Init())
	return s
}

func (s *screen) send(msg tea.Msg) {
	var cmd tea.Cmd
	s.m, cmd = s.m.Update(msg)
	s.run(cmd)
}

func (s *screen) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil, tea.QuitMsg:
		return
	case tea.BatchMsg:
		for _, c := range msg {
			s.run(c)
		}
	default:
		v := reflect.ValueOf(msg)
		if v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeFor[tea.Cmd]() {
			for i := range v.Len() { // tea.Sequence
				s.run(v.Index(i).Interface().(tea.Cmd))
			}
			return
		}
		if t := reflect.TypeOf(msg); t.PkgPath() == reflect.TypeFor[tea.QuitMsg]().PkgPath() {
			if r, _ := utf8.DecodeRuneInString(t.Name()); r < 'A' || r > 'Z' {
				return // a request only a terminal answers
			}
		}
		s.send(msg)
	}
}

// keys presses each space-separated key ("enter", "esc", "g", "1").
func (s *screen) keys(seq string) {
	for _, k := range strings.Fields(seq) {
		switch k {
		case "enter":
			s.send(tea.KeyPressMsg{Code: tea.KeyEnter})
		case "esc":
			s.send(tea.KeyPressMsg{Code: tea.KeyEscape})
		default:
			s.typeText(k)
		}
	}
}

// typeText types text one key per character.
func (s *screen) typeText(text string) {
	for _, r := range text {
		k := tea.KeyPressMsg{Code: r, Text: string(r)}
		if r == ' ' {
			k = tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
		}
		s.send(k)
	}
}

// find selects the first occurrence of text in the open article.
func (s *screen) find(text string) {
	s.keys("g /")
	s.typeText(text)
	s.keys("enter")
}

// linesOf decodes `suggest --json`.
func suggestionsFor(t *testing.T, h *harness, annotator, id string) []suggestLine {
	t.Helper()
	var out []suggestLine
	for _, l := range lines(h.mustRun("--annotator", annotator, "suggest", id, "--json").stdout) {
		var s suggestLine
		if err := json.Unmarshal([]byte(l), &s); err != nil {
			t.Fatalf("suggest --json line %q: %v", l, err)
		}
		out = append(out, s)
	}
	return out
}

func suggestedTexts(sugs []suggestLine) []string {
	var out []string
	for _, s := range sugs {
		out = append(out, s.Label+" "+s.Text)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestAnnotatorsStayIndependent is issue 17's acceptance check: after
// alice tags and links in an article, bob is offered nothing that came
// from her work, on her article or another; after someone adds an entry
// on purpose (entities add) it is offered to him; with the shared setting
// on, alice's entries are too. Her date never enters the registry, and
// the alias her linking gave it stays hers until confirmed.
func TestAnnotatorsStayIndependent(t *testing.T) {
	h := newHarness(t)
	dir := filepath.Join(h.dir, "in")
	os.MkdirAll(dir, 0o755)
	writeFile(t, dir, "1.txt", aliceText)
	writeFile(t, dir, "2.txt", laterText)
	h.mustRun("import", dir)
	first, later := model.ArticleID(aliceText), model.ArticleID(laterText)

	db, err := bolt.Open(h.dbPath(), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	alice := openScreenOn(t, db, "alice")
	alice.keys("enter") // the first article of her queue
	alice.find("Islamic State")
	alice.keys("1 a a") // ORG, every occurrence: into the registry
	alice.find("militant group")
	alice.keys("1 e") // ORG, then link it to the Islamic State entity
	alice.typeText("Islamic")
	alice.keys("enter enter") // the entity and its registry entry match: enter asks first
	alice.find("July 27, 2017")
	alice.keys("9 a a") // TIME, every occurrence
	alice.find("Raqqa")
	alice.keys("4 e") // GPE, then "+ add" it to the registry
	alice.typeText("+ add")
	alice.keys("enter")
	db.Close()

	a := annotationOf(t, h, first, "alice")
	if len(a.Entities) != 6 {
		t.Fatalf("alice's spans: %+v, want 6", a.Entities)
	}
	is, ok := a.EntityOfSpan(a.Entities[0].ID)
	if !ok || is.Registry == "" || !is.HasName("militant group") {
		t.Fatalf("alice's Islamic State entity: %+v, want it linked to the registry and called the militant group too", is)
	}

	for _, id := range []string{first, later} {
		if got := suggestionsFor(t, h, "bob", id); len(got) != 0 {
			t.Errorf("bob is offered alice's work on article %s: %+v", id[:8], got)
		}
	}
	// Her own work is offered to her on the next article, but not the date.
	if got, want := suggestedTexts(suggestionsFor(t, h, "alice", later)), []string{"GPE Raqqa", "ORG Islamic State", "ORG militant group"}; !slices.Equal(got, want) {
		t.Errorf("alice is offered %q on the next article, want %q", got, want)
	}
	for _, e := range entitiesJSON(t, h) {
		if e.Label == "TIME" {
			t.Errorf("a date entered the registry: %+v", e)
		}
	}

	// carol adds Islamic State on purpose: it is offered to bob, without
	// the alias alice's linking gave it.
	res := h.mustRun("--annotator", "carol", "entities", "add", "Islamic State", "--label", "ORG")
	if want := "added r1 ORG \"Islamic State\" (it was tagging by alice: now everyone's)\n"; res.stdout != want {
		t.Errorf("entities add of alice's entry: %q, want %q", res.stdout, want)
	}
	if is := entitiesJSON(t, h)[0]; is.Origin != "added" || is.By != "carol" || len(is.Aliases) != 0 ||
		!reflect.DeepEqual(is.PendingAliases, []model.RegistryAlias{{Name: "militant group", By: "alice"}}) {
		t.Errorf("Islamic State after entities add: %+v; want carol's, alice's alias still pending", is)
	}
	if got, want := suggestedTexts(suggestionsFor(t, h, "bob", later)), []string{"ORG Islamic State"}; !slices.Equal(got, want) {
		t.Errorf("after entities add bob is offered %q, want %q", got, want)
	}

	// One shared registry: alice's entries and aliases are offered to bob.
	h.mustRun("entities", "shared", "on")
	if got, want := suggestedTexts(suggestionsFor(t, h, "bob", later)), []string{"GPE Raqqa", "ORG Islamic State", "ORG militant group"}; !slices.Equal(got, want) {
		t.Errorf("with a shared registry bob is offered %q, want %q", got, want)
	}
	h.mustRun("entities", "shared", "off")
	if got, want := suggestedTexts(suggestionsFor(t, h, "bob", later)), []string{"ORG Islamic State"}; !slices.Equal(got, want) {
		t.Errorf("shared off again: bob is offered %q, want %q", got, want)
	}

	// A reviewer confirms Raqqa and Islamic State (with its alias).
	h.mustRun("--annotator", "carol", "entities", "confirm", "Raqqa")
	h.mustRun("--annotator", "carol", "entities", "confirm", "Islamic State")
	if got, want := suggestedTexts(suggestionsFor(t, h, "bob", later)), []string{"GPE Raqqa", "ORG Islamic State", "ORG militant group"}; !slices.Equal(got, want) {
		t.Errorf("after confirming bob is offered %q, want %q", got, want)
	}
}

// annotationOf reads one stored annotation.
func annotationOf(t *testing.T, h *harness, id, annotator string) model.Annotation {
	t.Helper()
	db, err := bolt.Open(h.dbPath(), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, err := db.Annotation(id, annotator)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
