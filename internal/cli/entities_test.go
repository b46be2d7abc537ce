package cli_test

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/store/bolt"
)

const (
	entitiesText1 = "ISIS claimed the attack near Raqqa. The SDF said ISIS fighters fled; ISIS denied it."
	entitiesText2 = "Syrian Democratic Forces retook the village. ISIS had held it."
)

// storeLinked stores an annotation of text by annotator tagging every
// occurrence of each name with its label, mentions grouped into entities
// and each entity linked to the registry entry links[name] names.
func storeLinked(t *testing.T, h *harness, text, annotator string, labels, links map[string]string) {
	t.Helper()
	a := model.NewAnnotation(model.ArticleID(text), annotator, "conflict-incidents")
	a.Status = model.StatusInProgress
	for name, label := range labels {
		for from := 0; ; {
			i := strings.Index(text[from:], name)
			if i < 0 {
				break
			}
			a.Entities = append(a.Entities, model.Span{ID: a.NewID("e"), Start: from + i, End: from + i + len(name), Label: label})
			from += i + len(name)
		}
	}
	model.GroupMentions(&a, text)
	for i, e := range a.Referents {
		a.Referents[i].Registry = links[e.Name]
	}
	db, err := bolt.Open(h.dbPath(), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Save(a, "tag"); err != nil {
		t.Fatal(err)
	}
}

type entityJSON struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Label       string   `json:"label"`
	Aliases     []string `json:"aliases"`
	ExternalIDs []string `json:"external_ids"`
	Mentions    []struct {
		Article   string `json:"article"`
		Annotator string `json:"annotator"`
		Count     int    `json:"count"`
	} `json:"mentions"`
	Origin         string                `json:"origin"`
	By             string                `json:"by"`
	Makers         []string              `json:"makers"`
	PendingAliases []model.RegistryAlias `json:"pending_aliases"`
	Grades         map[string]string     `json:"grades"`
	Grade          *model.RegistryGrade  `json:"grade"`
}

func entitiesJSON(t *testing.T, h *harness) []entityJSON {
	t.Helper()
	var out []entityJSON
	for _, l := range lines(h.mustRun("entities", "--json").stdout) {
		var e entityJSON
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("entities --json line %q: %v", l, err)
		}
		out = append(out, e)
	}
	return out
}

func TestEntities(t *testing.T) {
	h := newHarness(t)
	h.mustRun("import", h.write("one.txt", []byte(entitiesText1)), h.write("two.txt", []byte(entitiesText2)))
	if res := h.mustRun("entities"); !strings.Contains(res.stdout, "the registry is empty") {
		t.Errorf("empty registry: %q", res.stdout)
	}
	res := h.mustRun("entities", "add", "Islamic State", "--label", "ORG", "--alias", "ISIS", "--alias", "Daesh", "--id", "wikidata:Q2429253")
	if want := "added r1 ORG \"Islamic State\" (aliases: ISIS, Daesh) [wikidata:Q2429253]\n"; res.stdout != want {
		t.Errorf("add: %q, want %q", res.stdout, want)
	}
	h.mustRun("entities", "add", "SDF", "--label", "ORG")
	h.mustRun("entities", "add", "--label", "ORG", "Syrian Democratic Forces", "--id", "acled:Syrian Democratic Forces")
	h.mustRun("entities", "add", "Raqqa", "--label", "GPE")

	id1, id2 := model.ArticleID(entitiesText1), model.ArticleID(entitiesText2)
	storeLinked(t, h, entitiesText1, "alice", map[string]string{"ISIS": "ORG", "SDF": "ORG", "Raqqa": "GPE"}, map[string]string{"ISIS": "r1", "SDF": "r2"})
	storeLinked(t, h, entitiesText1, "bob", map[string]string{"ISIS": "ORG"}, map[string]string{"ISIS": "r1"})
	storeLinked(t, h, entitiesText2, "alice", map[string]string{"ISIS": "ORG", "Syrian Democratic Forces": "ORG"}, map[string]string{"ISIS": "r1", "Syrian Democratic Forces": "r3"})

	got := entitiesJSON(t, h)
	var order []string
	for _, e := range got {
		order = append(order, e.ID+" "+e.Name)
	}
	if want := []string{"r1 Islamic State", "r4 Raqqa", "r2 SDF", "r3 Syrian Democratic Forces"}; !reflect.DeepEqual(order, want) {
		t.Fatalf("entities --json order %q, want %q", order, want)
	}
	isis := got[0]
	type m struct {
		article, annotator string
		count              int
	}
	var ms []m
	for _, x := range isis.Mentions {
		ms = append(ms, m{x.Article, x.Annotator, x.Count})
	}
	wantMentions := []m{{id1, "alice", 3}, {id1, "bob", 3}, {id2, "alice", 1}}
	if id2 < id1 {
		wantMentions = []m{{id2, "alice", 1}, {id1, "alice", 3}, {id1, "bob", 3}}
	}
	if !reflect.DeepEqual(ms, wantMentions) || !reflect.DeepEqual(isis.Aliases, []string{"ISIS", "Daesh"}) ||
		!reflect.DeepEqual(isis.ExternalIDs, []string{"wikidata:Q2429253"}) || isis.Label != "ORG" || isis.Grade != nil ||
		isis.Origin != model.OriginAdded || isis.By != "tester" || isis.Makers == nil || isis.PendingAliases == nil || isis.Grades == nil || len(isis.Grades) != 0 {
		t.Errorf("ISIS line %+v; want mentions %v", isis, wantMentions)
	}
	// Raqqa is tagged but its entity is not linked: no mentions.
	if r := got[1]; len(r.Mentions) != 0 || r.Aliases == nil || r.ExternalIDs == nil {
		t.Errorf("Raqqa line %+v; want no mentions and empty (not null) lists", r)
	}
	table := h.mustRun("entities").stdout
	if !regexp.MustCompile(`(?m)^ID +LABEL +NAME +ALIASES +EXTERNAL IDS +ORIGIN +MENTIONS +BY ANNOTATOR +GRADES\n`).MatchString(table) ||
		!regexp.MustCompile(`(?m)^r1 +ORG +Islamic State +ISIS, Daesh +wikidata:Q2429253 +added by tester +7 in 2 articles +alice:4 bob:3 *$`).MatchString(table) {
		t.Errorf("entities table:\n%s", table)
	}

	// Merge by names: the short name folds into the long one, the
	// annotations linked to it follow.
	res = h.mustRun("entities", "merge", "syrian democratic forces", "SDF")
	if !strings.Contains(res.stdout, `merged r2 "SDF" into r3 "Syrian Democratic Forces" (aliases: SDF)`) || !strings.Contains(res.stdout, "1 annotation relinked") {
		t.Errorf("merge: %q", res.stdout)
	}
	got = entitiesJSON(t, h)
	if len(got) != 3 || got[2].ID != "r3" || len(got[2].Mentions) != 2 || got[2].Mentions[0].Count+got[2].Mentions[1].Count != 2 {
		t.Errorf("after the merge: %+v; want r3 with one mention in each article", got)
	}
	// The relinking is alice's change: it is in her history, and check
	// passes.
	if res := h.mustRun("history", "--annotator", "alice", id1); !strings.Contains(res.stdout, `registry: merge r2 "SDF" into r3`) {
		t.Errorf("alice's history:\n%s", res.stdout)
	}
	h.mustRun("check")

	res = h.mustRun("entities", "rename", "r4", "Ar-Raqqa")
	if res.stdout != "renamed r4 \"Raqqa\" to \"Ar-Raqqa\" (aliases: Raqqa)\n" {
		t.Errorf("rename: %q", res.stdout)
	}
	// An alias finds its entry.
	if res := h.mustRun("entities", "alias", "daesh", "IS"); res.stdout != "r1 \"Islamic State\" (aliases: ISIS, Daesh, IS) [wikidata:Q2429253]\n" {
		t.Errorf("alias: %q", res.stdout)
	}
	hist := lines(h.mustRun("history", "--registry").stdout)
	var actions []string
	for _, l := range hist[1:] {
		f := regexp.MustCompile(`^\S+ \S+ +tester +(r\d+) +(.*)$`).FindStringSubmatch(l)
		if f == nil {
			t.Fatalf("history --registry line %q", l)
		}
		actions = append(actions, f[1]+" "+f[2])
	}
	want := []string{"r1 add", "r2 add", "r3 add", "r4 add", `r3 merge r2 "SDF" into r3 "Syrian Democratic Forces"`, `r4 rename "Raqqa" to "Ar-Raqqa"`, `r1 alias "IS"`}
	if !reflect.DeepEqual(actions, want) {
		t.Errorf("history --registry %q, want %q", actions, want)
	}
}

// TestEntitiesRefuses: each mistake is one line saying what to do, a
// non-zero exit, and the registry as it was.
func TestEntitiesRefuses(t *testing.T) {
	h := newHarness(t)
	h.mustRun("entities", "add", "Raqqa", "--label", "GPE")
	h.mustRun("entities", "add", "Raqqa", "--label", "LOC")
	h.mustRun("entities", "add", "Islamic State", "--label", "ORG", "--alias", "ISIS")
	h.mustRun("entities", "add", "Amaq", "--label", "ORG")
	before := h.mustRun("entities", "--json").stdout
	tests := []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"entities", "add", "SDF"}, 2, `^annotate entities: entities add needs --label: use one of the schema's labels: ORG, PER`},
		{[]string{"entities", "add", "SDF", "--label", "ARMY"}, 2, `^annotate entities: unknown --label "ARMY": use one of`},
		{[]string{"entities", "add", "  ", "--label", "ORG"}, 1, `^annotate: entities add "  ": registry entry refused: an entry needs a name\n$`},
		{[]string{"entities", "add", "isis", "--label", "ORG"}, 1, `^annotate: entities add "isis": registry entry refused: the registry already has ORG "Islamic State" as r3 \("ISIS" is its alias\): merge the two, or choose another name\n$`},
		{[]string{"entities", "add", "SDF", "--label", "ORG", "--id", "Q1"}, 1, `external id "Q1" is not scheme:id`},
		{[]string{"entities", "add", "a\x1b[2Jb", "--label", "ORG"}, 1, `^annotate: entities add "a␛\[2Jb": registry entry refused: name .* holds a line break or control character\n$`},
		{[]string{"entities", "add"}, 2, `entities add takes 1 argument, got 0`},
		{[]string{"entities", "merge", "r1"}, 2, `entities merge takes 2 arguments, got 1`},
		{[]string{"entities", "merge", "Raqqa", "r3"}, 1, `^annotate: entities merge: "Raqqa" names r1 \(GPE\) and r2 \(LOC\): use the id\n$`},
		{[]string{"entities", "merge", "r1", "Hasakah"}, 1, "no registry entry is named \"Hasakah\": `annotate entities` lists them"},
		{[]string{"entities", "merge", "ISIS", "Islamic State"}, 1, `"ISIS" and "Islamic State" are both r3: name two entries`},
		{[]string{"entities", "merge", "r1", "r4"}, 1, `r1 is GPE and r4 is ORG: only entries of one label merge`},
		{[]string{"entities", "rename", "r4", "isis"}, 1, `already has ORG "Islamic State" as r3`},
		{[]string{"entities", "rename", "r4", "Amaq"}, 1, `r4 is already named "Amaq"`},
		{[]string{"entities", "alias", "r3", "Isis"}, 1, `r3 "Islamic State" already goes by "ISIS"`},
		{[]string{"entities", "rename", "r4", " "}, 1, `an entry needs a name`},
		{[]string{"entities", "forget", "r4"}, 2, `unknown entities command "forget"`},
		{[]string{"entities", "merge", "r1", "r2", "--label", "GPE"}, 2, `--label, --alias and --id go with .entities add.`},
		{[]string{"entities", "add", "X", "--label", "ORG", "--json"}, 2, `--json goes with the listing`},
		{[]string{"history", "--registry", "abc"}, 2, `--registry shows the registry's changes`},
		{[]string{"entities", "add", "July 27, 2017", "--label", "TIME"}, 2, `^annotate entities: the schema keeps TIME out of the registry \(it keeps ORG, PER, NORP, GPE, LOC, FAC\): mark the label "registry": true`},
		{[]string{"entities", "confirm"}, 2, `entities confirm takes 1 argument, got 0`},
		{[]string{"entities", "confirm", "Hasakah"}, 1, "^annotate: entities confirm: no registry entry is named \"Hasakah\""},
		{[]string{"entities", "shared", "maybe"}, 2, `entities shared takes on or off, not "maybe"`},
		{[]string{"entities", "shared", "on", "off"}, 2, `entities shared takes 1 argument, got 2`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			res := h.run(tt.args...)
			if res.code != tt.code || !regexp.MustCompile(tt.stderr).MatchString(res.stderr) || len(lines(res.stderr)) != 1 {
				t.Errorf("exit %d stderr %q; want exit %d and one line matching %q", res.code, res.stderr, tt.code, tt.stderr)
			}
			if after := h.mustRun("entities", "--json").stdout; after != before {
				t.Errorf("the registry changed:\n%s\nwas\n%s", after, before)
			}
		})
	}
}

// TestEntitiesNamesAreSafe: a name holding a bidirectional override (not
// a control character, so the registry keeps it) is printed with the
// override made visible.
func TestEntitiesNamesAreSafe(t *testing.T) {
	h := newHarness(t)
	res := h.mustRun("entities", "add", "evil\u202etxt", "--label", "ORG", "--alias", "x\u202ey")
	if strings.ContainsRune(res.stdout, '\u202e') || !strings.Contains(res.stdout, "evil⇆txt") {
		t.Errorf("add printed %q", res.stdout)
	}
	for _, args := range [][]string{{"entities"}, {"history", "--registry"}, {"entities", "alias", "r1", "z\u202ez"}} {
		if res := h.mustRun(args...); strings.ContainsRune(res.stdout, '\u202e') {
			t.Errorf("%v printed an override: %q", args, res.stdout)
		}
	}
}

// TestCheckReportsEntityRules: check names each stored annotation that
// breaks an entity rule, with its path.
func TestCheckReportsEntityRules(t *testing.T) {
	h := newHarness(t)
	h.mustRun("import", h.write("one.txt", []byte(entitiesText1)))
	storeLinked(t, h, entitiesText1, "alice", map[string]string{"ISIS": "ORG", "SDF": "ORG"}, nil)
	h.mustRun("check")

	db, err := bolt.Open(h.dbPath(), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := db.Annotation(model.ArticleID(entitiesText1), "alice")
	if err != nil {
		t.Fatal(err)
	}
	isis, _ := a.EntityOfSpan("e1")
	// A mention left without its entity, an affiliation with an unknown
	// role, a link to a registry entry that does not exist.
	a.Entities = append(a.Entities, model.Span{ID: "e99", Start: 0, End: 4, Label: "ORG"})
	for i := range a.Referents {
		if a.Referents[i].ID != isis.ID {
			a.Referents[i].Affiliations = []model.Affiliation{{Entity: isis.ID, Role: "sponsor"}}
		} else {
			a.Referents[i].Registry = "r7"
		}
	}
	if _, err := db.Save(a, "break the rules"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	res := h.run("check")
	id := model.ArticleID(entitiesText1)
	for _, want := range []string{
		`article ` + id + `, annotator alice: entities\[e99\]\.entity: the mention belongs to no entity`,
		`article ` + id + `, annotator alice: referents\[n\d+\]\.affiliations: unknown role "sponsor"`,
		`article ` + id + `, annotator alice: referents\[` + isis.ID + `\]\.registry: links to registry entry "r7", which does not exist`,
	} {
		if !regexp.MustCompile(want).MatchString(res.stderr) {
			t.Errorf("check stderr lacks %q:\n%s", want, res.stderr)
		}
	}
	if res.code != 1 {
		t.Errorf("check exit %d, want 1", res.code)
	}
}

// TestEntitiesProvenance: the listing says how each entry entered and who
// made it, its pending aliases and every annotator's grade; confirm makes
// an annotator's entry everyone's; shared says and sets the one setting.
func TestEntitiesProvenance(t *testing.T) {
	h := newHarness(t)
	h.mustRun("entities", "add", "Raqqa", "--label", "GPE")
	db, err := bolt.Open(h.dbPath(), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	own, err := db.SaveRegistry(model.NewRegistryEntry(model.Entity{Name: "SDF", Label: "ORG", Aliases: []string{"QSD"}}, model.OriginTagging, "alice"), "alice", "add")
	if err != nil {
		t.Fatal(err)
	}
	for i, g := range []struct{ who, code string }{{"alice", "E"}, {"bob", "D"}} {
		_, _, err := store.ChangeRegistry(db, own.ID, g.who, "grade", func(e *model.RegistryEntry) bool {
			e.SetGrade(g.who, model.RegistryGrade{Reliability: g.code, ArticleID: "a1", At: time.Date(2026, 3, i+1, 0, 0, 0, 0, time.UTC)})
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	got := entitiesJSON(t, h)
	sdf := got[1]
	if sdf.Origin != model.OriginTagging || sdf.By != "alice" || !reflect.DeepEqual(sdf.Makers, []string{"alice"}) ||
		!reflect.DeepEqual(sdf.PendingAliases, []model.RegistryAlias{{Name: "QSD", By: "alice"}}) || len(sdf.Aliases) != 0 {
		t.Errorf("alice's entry: %+v", sdf)
	}
	if !reflect.DeepEqual(sdf.Grades, map[string]string{"alice": "E", "bob": "D"}) || sdf.Grade == nil || sdf.Grade.Reliability != "D" || sdf.Grade.By != "bob" {
		t.Errorf("grades %v, grade %+v: want alice's E and bob's D, the last bob's", sdf.Grades, sdf.Grade)
	}
	table := h.mustRun("entities").stdout
	if !regexp.MustCompile(`(?m)^r2 +ORG +SDF +QSD \(pending, alice\) +tagging by alice +0 in 0 articles +alice:E bob:D$`).MatchString(table) {
		t.Errorf("entities table:\n%s", table)
	}

	if res := h.mustRun("entities", "shared"); !strings.HasPrefix(res.stdout, "the registry is independent") {
		t.Errorf("shared: %q", res.stdout)
	}
	if res := h.mustRun("entities", "confirm", "r1"); res.stdout != "r1 \"Raqqa\" is everyone's already (added by tester) and has no pending alias: nothing to confirm\n" {
		t.Errorf("confirm of an entry added on purpose: %q", res.stdout)
	}
	res := h.mustRun("--annotator", "carol", "entities", "confirm", "sdf")
	if res.stdout != "confirmed r2 ORG \"SDF\" (aliases: QSD): suggested to every annotator\n" {
		t.Errorf("confirm: %q", res.stdout)
	}
	if sdf := entitiesJSON(t, h)[1]; sdf.Origin != model.OriginConfirmed || sdf.By != "carol" || !reflect.DeepEqual(sdf.Aliases, []string{"QSD"}) || len(sdf.PendingAliases) != 0 {
		t.Errorf("after confirm: %+v", sdf)
	}
	if hist := h.mustRun("history", "--registry").stdout; !regexp.MustCompile(`(?m) carol +r2 +confirm$`).MatchString(hist) {
		t.Errorf("history --registry:\n%s", hist)
	}

	if res := h.mustRun("entities", "shared", "on"); !strings.HasPrefix(res.stdout, "the registry is now shared") {
		t.Errorf("shared on: %q", res.stdout)
	}
	if res := h.mustRun("entities", "shared"); !strings.HasPrefix(res.stdout, "the registry is shared") {
		t.Errorf("shared after on: %q", res.stdout)
	}
	var schema model.Schema
	if err := json.Unmarshal([]byte(h.mustRun("schema").stdout), &schema); err != nil || !schema.RegistryShared() || schema.Name != "conflict-incidents" {
		t.Errorf("the stored schema after shared on: %+v, %v", schema.Registry, err)
	}
}
