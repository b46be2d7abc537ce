package tui

import (
	"slices"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

// The articles of the independence tests (written for them).
const (
	gradedText = "The SDF said ISIS attacked at dawn. The SDF left on July 27, 2017, and returned on July 27, 2017."
	laterSDF   = "Later the SDF said it again. The SDF stayed."
)

// gradeSource grades the source name in the Sources tab of the open
// article, from the article.
func (h *harness) gradeSource(name, code string) {
	h.t.Helper()
	h.keys("tab")
	h.toTab(tabSources)
	h.toSource(name)
	h.keys("enter")
	h.typeText(code)
	h.keys("enter esc")
}

// sourcesTab renders the open article's Sources tab.
func (h *harness) sourcesTab() string {
	h.t.Helper()
	h.keys("tab")
	h.toTab(tabSources)
	s := h.screen()
	h.keys("esc")
	return s
}

// TestGradesStayWithTheirAnnotator is issue 17's "graded C in an earlier
// article": bob, opening the article alice graded, is not offered her
// grade (it was this article, and not his); grading it does not overwrite
// hers, even from a screen that read the registry before she graded; each
// is offered their own grade in a later article, and someone who graded
// nothing is offered nobody's.
func TestGradesStayWithTheirAnnotator(t *testing.T) {
	x, y := article("X", gradedText), article("Y", laterSDF)
	st := newFakeStore(x, y)
	if _, err := st.SaveRegistry(registryEntry("SDF", "ORG"), "carol", "add"); err != nil {
		t.Fatal(err)
	}
	alice := newHarness(t, st, 200, 60)
	bob := newHarness(t, st, 200, 60, func(o *Options) { o.Annotator = "bob" })
	bob.open(x.ID) // bob's screen reads the registry now, before alice grades
	bob.findText("SDF")
	bob.keys("1 a a") // both mentions, linked to the registry's SDF
	alice.open(x.ID)
	alice.findText("SDF")
	alice.keys("1 a a")
	alice.gradeSource("SDF", "E")

	// bob opens the article alice graded, on a screen of today.
	fresh := newHarness(t, st, 200, 60, func(o *Options) { o.Annotator = "bob" })
	fresh.open(x.ID)
	if s := fresh.sourcesTab(); strings.Contains(s, "in an earlier article") {
		t.Errorf("bob is offered alice's grade of this very article:\n%s", s)
	}
	// He grades on the screen that read the registry before she graded.
	bob.gradeSource("SDF", "D")

	for _, tt := range []struct {
		who, want string
	}{{"alice", "graded E in an earlier article"}, {"bob", "graded D in an earlier article"}, {"carol", ""}} {
		h := newHarness(t, st, 200, 60, func(o *Options) { o.Annotator = tt.who })
		h.open(y.ID)
		h.findText("SDF")
		h.keys("1 a a")
		s := h.sourcesTab()
		if tt.want != "" && !strings.Contains(s, tt.want) {
			t.Errorf("%s in a later article: want %q offered:\n%s", tt.who, tt.want, s)
		}
		if tt.want == "" && strings.Contains(s, "in an earlier article") {
			t.Errorf("%s, who graded nothing, is offered someone's grade:\n%s", tt.who, s)
		}
	}
}

// TestDatesStayOutOfTheRegistry: a a on a date (TIME) tags every
// occurrence but adds nothing to the registry, and the link prompt does
// not offer to add it; a a on a group does add it.
func TestDatesStayOutOfTheRegistry(t *testing.T) {
	st := newFakeStore(article("X", gradedText))
	h := newHarness(t, st, 200, 60)
	h.keys("enter")
	h.findText("July 27, 2017")
	h.keys("9 a a")
	if a := h.stored(); len(a.Entities) != 2 {
		t.Fatalf("a a on the date: %d spans, want 2", len(a.Entities))
	}
	if len(st.registry) != 0 {
		t.Errorf("a date entered the registry: %+v", st.registry)
	}
	h.findText("July 27, 2017")
	h.keys("e")
	for _, c := range h.m.prompt.choices {
		if strings.Contains(c, "to the registry") {
			t.Errorf("the link prompt offers %q for a date", c)
		}
	}
	h.keys("esc")
	h.findText("SDF")
	h.keys("1 a a")
	if len(st.registry) != 1 || st.registry[0].Name != "SDF" {
		t.Errorf("a a on SDF: registry %+v, want SDF", st.registry)
	}
}

// TestLinkedAliasStaysPending is issue 17's "militant group": linking a
// mention to an entity linked to a registry entry everyone has teaches the
// entry the name only as alice's pending alias; bob's suggestions in an
// article that says it do not include it, alice's do.
func TestLinkedAliasStaysPending(t *testing.T) {
	x := article("X", "ISIS struck. The militant group left.")
	y := article("Y", "The militant group came back.")
	st := newFakeStore(x, y)
	if _, err := st.SaveRegistry(registryEntry("ISIS", "ORG"), "carol", "add"); err != nil {
		t.Fatal(err)
	}
	withSuggest := func(who string) func(*Options) {
		return func(o *Options) { o.Annotator, o.Suggest = who, registrySuggester }
	}
	alice := newHarness(t, st, 200, 60, withSuggest("alice"))
	alice.open(x.ID)
	alice.keys("Y") // ISIS, from the registry
	alice.findText("militant group")
	alice.keys("1 e")
	alice.typeText("ISIS")
	alice.keys("enter enter") // ISIS of the article and of the registry match: enter asks first
	a := alice.stored()
	if e, _ := a.EntityOfSpan(alice.spanIDOf("militant group")); e.Registry != st.registry[0].ID {
		t.Fatalf("the militant group is not alice's ISIS: %+v", e)
	}
	if r := st.registry[0]; len(r.Aliases) != 0 || r.Name != "ISIS" {
		t.Errorf("alice's linking changed the entry everyone has: %+v", r)
	}
	for who, want := range map[string]int{"alice": 1, "bob": 0} {
		h := newHarness(t, st, 200, 60, withSuggest(who))
		h.open(y.ID)
		if got := len(h.m.liveSuggestions()); got != want {
			t.Errorf("%s is offered %d suggestions in Y (%+v), want %d", who, got, h.m.liveSuggestions(), want)
		}
	}
}

// registryEntry is an entry everyone has (added before origins were kept).
func registryEntry(name, label string) model.RegistryEntry {
	return model.RegistryEntry{Name: name, Label: label}
}

// TestOwnEntriesMeet: bob's tag-all of a name alice's own entry goes by
// links his entity to that entry (one entry per actor, no refusal) without
// the names her linking taught it, and from then on it is offered to both
// of them and to nobody else.
func TestOwnEntriesMeet(t *testing.T) {
	x := article("X", "ISIS struck. Daesh left. ISIS came back.")
	y := article("Y", "ISIS struck again. ISIS won.")
	z := article("Z", "ISIS and Daesh, once more.")
	st := newFakeStore(x, y, z)
	withSuggest := func(who string) func(*Options) {
		return func(o *Options) { o.Annotator, o.Suggest = who, registrySuggester }
	}
	alice := newHarness(t, st, 200, 60, withSuggest("alice"))
	alice.open(x.ID)
	alice.findText("ISIS")
	alice.keys("1 a a")
	alice.findText("Daesh")
	alice.keys("1 e")
	alice.typeText("ISIS")
	alice.keys("enter enter") // ISIS, and "+ add “Daesh”…" (its alias) match: enter asks first
	if len(st.registry) != 1 {
		t.Fatalf("registry after alice: %+v, want her ISIS", st.registry)
	}

	bob := newHarness(t, st, 200, 60, withSuggest("bob"))
	bob.open(y.ID)
	if n := len(bob.m.liveSuggestions()); n != 0 {
		t.Errorf("bob is offered %d of alice's suggestions", n)
	}
	bob.findText("ISIS")
	bob.keys("1 a a")
	if bob.m.isError {
		t.Errorf("bob's tag-all: %s", bob.m.message)
	}
	b, _ := st.stored(y.ID, "bob")
	isis, _ := b.EntityOfSpan(b.Entities[0].ID)
	if len(st.registry) != 1 || isis.Registry != st.registry[0].ID || isis.HasName("Daesh") {
		t.Errorf("bob's ISIS %+v, registry %+v: want it linked to the one entry, without alice's Daesh", isis, st.registry)
	}
	if r := st.registry[0]; !slices.Equal(r.Makers, []string{"alice", "bob"}) {
		t.Errorf("makers %q, want alice and bob", r.Makers)
	}
	for who, want := range map[string][]string{"alice": {"ISIS", "Daesh"}, "bob": {"ISIS"}, "carol": nil} {
		h := newHarness(t, st, 200, 60, withSuggest(who))
		h.open(z.ID)
		var got []string
		for _, s := range h.m.liveSuggestions() {
			got = append(got, s.Text)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s is offered %q in Z, want %q", who, got, want)
		}
	}
}
