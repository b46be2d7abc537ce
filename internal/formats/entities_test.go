package formats

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

// spokeswoman is the seeds' story in one sentence: the SDF named three
// times under two names, with its Wikidata id, and its spokeswoman.
func spokeswoman(t *testing.T) (model.Article, model.Annotation) {
	t.Helper()
	text := "Nisreen Abdullah, a spokeswoman for the Syrian Democratic Forces (SDF), said the SDF held Raqqa.\nSDF fighters 🔥 stayed."
	art := model.Article{ID: model.ArticleID(text), Text: text, Title: "t"}
	a := annotationOf(t, text, "Nisreen Abdullah", "PER", "Syrian Democratic Forces", "ORG", "Raqqa", "GPE")
	for _, at := range []int{strings.Index(text, "(SDF)") + 1, strings.Index(text, "the SDF") + 4, strings.Index(text, "SDF fighters")} {
		a.Entities = append(a.Entities, model.Span{ID: a.NewID("e"), Start: at, End: at + 3, Label: "ORG"})
	}
	model.GroupMentions(&a, text) // the three "SDF" become one entity, apart from the full name
	sdf, _ := a.EntityOfSpan(a.Entities[1].ID)
	short, _ := a.EntityOfSpan(a.Entities[3].ID)
	for i := range a.Entities {
		if a.Entities[i].Entity == short.ID {
			a.Entities[i].Entity = sdf.ID
		}
	}
	model.PruneReferents(&a)
	for i := range a.Referents {
		e := &a.Referents[i]
		switch e.ID {
		case sdf.ID:
			e.Aliases = []string{"SDF"}
			e.ExternalIDs = []string{"wikidata:Q1325475", "acled:Syrian Democratic Forces"}
			e.Registry = "r4"
		}
		if e.Name == "Nisreen Abdullah" {
			e.Affiliations = []model.Affiliation{{Entity: sdf.ID, Role: "spokesperson"}}
		}
	}
	a.Sources = []model.SourceGrade{{Source: "Syrian Democratic Forces", Entity: sdf.ID, Reliability: "B", Rationale: "party to the conflict"}}
	if errs := model.Validate(&a, text, model.DefaultSchema()); len(errs) > 0 {
		t.Fatalf("test annotation is not valid: %v", errs)
	}
	return art, a
}

func TestBratEntityLines(t *testing.T) {
	s := model.DefaultSchema()
	art, a := spokeswoman(t)
	ann, warnings, err := ToBrat(art, a, s)
	if err != nil || len(warnings) > 0 {
		t.Fatalf("%v %v", err, warnings)
	}
	// T1 Nisreen Abdullah, T2 Syrian Democratic Forces, T3 SDF, T4 SDF,
	// T5 Raqqa, T6 SDF (in text order).
	for _, want := range []string{
		"*\tEquiv T2 T3 T4 T6\n",
		"N1\tReference T2 wikidata:Q1325475\tSyrian Democratic Forces\n",
		"N2\tReference T2 acled:Syrian Democratic Forces\tSyrian Democratic Forces\n",
		"N3\tReference T2 annotate:r4\tSyrian Democratic Forces\n",
		"\tspokesperson Arg1:T1 Arg2:T2\t\n",
		"\tAnnotatorNotes T2\talias: SDF\n",
		"\tReliability T2 B\n",
		"\tAnnotatorNotes T2\tgrade: of the entity, not this mention\n",
	} {
		if !strings.Contains(ann, want) {
			t.Errorf("the .ann lacks %q:\n%s", want, ann)
		}
	}
	if strings.Contains(ann, "entity: ") {
		t.Errorf("a canonical name that is its first mention's text needs no note:\n%s", ann)
	}
	conf := bratConf(s, nil)
	for _, want := range []string{"Equiv\tArg1:<ENTITY>, Arg2:<ENTITY>, <REL-TYPE>:symmetric-transitive", "spokesperson\tArg1:<ENTITY>, Arg2:<ENTITY>", "part_of\t"} {
		if !strings.Contains(conf, want) {
			t.Errorf("annotation.conf lacks %q", want)
		}
	}
	rec, bad, err := ReadBrat("x.ann", strings.NewReader(ann), "x.txt", art.Text, ImportOptions{Schema: s})
	if err != nil || len(bad) > 0 || rec.Annotation == nil {
		t.Fatalf("%v %v", err, bad)
	}
	if errs := model.Validate(rec.Annotation, art.Text, s); len(errs) > 0 {
		t.Fatalf("the import leaves what Validate refuses: %v", errs)
	}
	c := carries{claims: true, claimDetails: true, incidents: true, sources: true, entities: true}
	if got, want := canon(*rec.Annotation, art.Text, c), canon(a, art.Text, c); got != want {
		t.Errorf("brat lost entities:\n got %s\nwant %s", got, want)
	}
}

// TestBratEntitiesByHand: an .ann written by a person (or another tool)
// with an equivalence, a normalisation and an affiliation relation in
// brat's own spelling.
func TestBratEntitiesByHand(t *testing.T) {
	text := "ISIS said the Islamic State took Raqqa. Amaq, an ISIS outlet, repeated it."
	ann := "T1\tORG 0 4\tISIS\nT2\tORG 14 27\tIslamic State\nT3\tGPE 33 38\tRaqqa\nT4\tORG 40 44\tAmaq\nT5\tORG 49 53\tISIS\n" +
		"*\tEquiv T1 T2\nN1\tReference T2 Wikidata:Q2429253\tIslamic State\nN2\tReference T3 Geonames:170794 x\tRaqqa\n" +
		"R1\tPart-of Arg1:T4 Arg2:T5\t\n"
	s := model.DefaultSchema()
	rec, bad, err := ReadBrat("x.ann", strings.NewReader(ann), "x.txt", text, ImportOptions{Schema: s})
	if err != nil || len(bad) > 0 {
		t.Fatalf("%v %v", err, bad)
	}
	a := rec.Annotation
	if errs := model.Validate(a, text, s); len(errs) > 0 {
		t.Fatalf("the import leaves what Validate refuses: %v", errs)
	}
	isis, _ := a.EntityOfSpan(a.Entities[0].ID)
	for _, i := range []int{1, 4} { // the Equiv'd name, and the other ISIS
		if e, _ := a.EntityOfSpan(a.Entities[i].ID); e.ID != isis.ID {
			t.Errorf("%q is entity %+v, want ISIS's %+v", text[a.Entities[i].Start:a.Entities[i].End], e, isis)
		}
	}
	if isis.Name != "ISIS" || !slices.Equal(isis.ExternalIDs, []string{"Wikidata:Q2429253"}) {
		t.Errorf("ISIS is %+v, want named ISIS with Wikidata:Q2429253", isis)
	}
	raqqa, _ := a.EntityOfSpan(a.Entities[2].ID)
	if !slices.Equal(raqqa.ExternalIDs, []string{"Geonames:170794 x"}) {
		t.Errorf("Raqqa's external ids %q: an id with a space is kept whole", raqqa.ExternalIDs)
	}
	amaq, _ := a.EntityOfSpan(a.Entities[3].ID)
	if want := []model.Affiliation{{Entity: isis.ID, Role: "part_of"}}; !slices.Equal(amaq.Affiliations, want) {
		t.Errorf("Amaq's affiliations %+v, want %+v", amaq.Affiliations, want)
	}
	if strings.Contains(a.Notes, "Part-of") || strings.Contains(a.Notes, "Equiv") || strings.Contains(a.Notes, "Reference") {
		t.Errorf("lines read as entities are kept as notes too:\n%s", a.Notes)
	}
}

// TestPeerBratEntities runs brat's own tutorial corpus through the
// importer: every equivalence (the tutorial's type is Alias) makes its
// mentions one entity, every normalisation an external id, and every
// document passes the model's rules with the corpus's labels added.
func TestPeerBratEntities(t *testing.T) {
	dir := peerDir(t, "brat")
	anns, _ := filepath.Glob(filepath.Join(dir, "*", "*.ann"))
	if len(anns) == 0 {
		t.Fatalf("no .ann files in %s", dir)
	}
	s := model.DefaultSchema()
	groups, refs := 0, 0
	for _, path := range anns {
		text, err := os.ReadFile(strings.TrimSuffix(path, ".ann") + ".txt")
		if err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rec, bad, err := ReadBrat(path, bytes.NewReader(raw), "x.txt", string(text), ImportOptions{Schema: s})
		if err != nil || len(bad) > 0 {
			t.Fatalf("%s: %v %v", path, err, bad)
		}
		if rec.Annotation == nil {
			continue
		}
		a := rec.Annotation
		var labels []string
		for _, sp := range a.Entities {
			if _, ok := s.Label(sp.Label); !ok && !slices.Contains(labels, sp.Label) {
				labels = append(labels, sp.Label)
			}
		}
		if errs := model.Validate(a, string(text), withTestLabels(s, labels...)); len(errs) > 0 {
			t.Errorf("%s: the import leaves what Validate refuses: %v", path, errs)
		}
		// brat T ID -> entity, by the span's offsets in code points.
		entityOfT := map[string]string{}
		runes := model.NewRuneIndex(string(text))
		for _, line := range readLines(raw) {
			f := strings.SplitN(line, "\t", 3)
			if len(f) < 2 || f[0][0] != 'T' {
				continue
			}
			var label string
			var start, end int
			if _, err := fmtSscan(f[1], &label, &start, &end); err != nil {
				continue
			}
			for _, sp := range a.Entities {
				if runes.Runes(sp.Start) == start && runes.Runes(sp.End) == end && sp.Label == label {
					entityOfT[f[0]] = sp.Entity
				}
			}
		}
		for _, line := range readLines(raw) {
			f := strings.Fields(line)
			switch {
			case len(f) > 2 && f[0] == "*":
				groups++
				for _, tid := range f[3:] {
					if entityOfT[tid] == "" || entityOfT[tid] != entityOfT[f[2]] {
						t.Errorf("%s: %q: %s and %s are not one entity", filepath.Base(path), line, f[2], tid)
					}
				}
			case len(f) > 3 && f[0][0] == 'N':
				refs++
				e, ok := a.Referent(entityOfT[f[2]])
				if !ok || !slices.Contains(e.ExternalIDs, f[3]) {
					t.Errorf("%s: %q: entity %+v lacks the external id", filepath.Base(path), line, e)
				}
			}
		}
	}
	if groups == 0 || refs == 0 {
		t.Errorf("%d equivalences and %d normalisations in the corpus: the test checks nothing", groups, refs)
	}
}

func readLines(data []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		out = append(out, strings.TrimRight(sc.Text(), "\r"))
	}
	return out
}

// TestSpacyKBID: a span's kb_id is its entity's first external id, else
// its registry link, else absent; a peer's kb_id makes an entity.
func TestSpacyKBID(t *testing.T) {
	art, a := spokeswoman(t)
	for i := range a.Referents {
		if a.Referents[i].Name == "Raqqa" {
			a.Referents[i].Registry = "r9"
		}
	}
	rec, err := ToSpacy(art, a, SpacyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	kb := map[string]string{}
	for _, sp := range rec.Spans {
		kb[sp.Text] += sp.KBID + ";"
	}
	for text, want := range map[string]string{"Syrian Democratic Forces": "wikidata:Q1325475;", "SDF": "wikidata:Q1325475;wikidata:Q1325475;wikidata:Q1325475;",
		"Raqqa": "annotate:r9;", "Nisreen Abdullah": ";"} {
		if kb[text] != want {
			t.Errorf("kb_id of %q: %q, want %q", text, kb[text], want)
		}
	}
	data, _ := json.Marshal(rec)
	if !strings.Contains(string(data), `"referents":[`) || strings.Contains(string(data), `"kb_id":""`) {
		t.Errorf("meta.referents missing, or an empty kb_id written:\n%s", data)
	}

	// A record of another tool: spans of one label sharing a kb_id are
	// one entity, with the kb_id as its external id (one without a scheme
	// kept under model.BareScheme, so that it is exported as written) and
	// the other names as aliases.
	text := "ISIS said the Islamic State took Raqqa; isis fighters left Raqqa."
	peer := `{"text":"` + text + `","spans":[{"start":0,"end":4,"label":"ORG","kb_id":"Q2429253"},{"start":14,"end":27,"label":"ORG","kb_id":"Q2429253"},` +
		`{"start":33,"end":38,"label":"GPE","kb_id":"geonames:170794"},{"start":40,"end":44,"label":"ORG"},{"start":59,"end":64,"label":"GPE","kb_id":"annotate:r3"}]}`
	recs := readAll(t, ReadSpacy, ImportOptions{}, []byte(peer))
	b := recs[0].Annotation
	model.GroupMentions(b, text)
	if errs := model.Validate(b, text, model.DefaultSchema()); len(errs) > 0 {
		t.Fatalf("the import leaves what Validate refuses: %v", errs)
	}
	isis, _ := b.EntityOfSpan(b.Entities[0].ID)
	state, _ := b.EntityOfSpan(b.Entities[1].ID)
	lower, _ := b.EntityOfSpan(b.Entities[3].ID)
	if isis.ID != state.ID || isis.Name != "ISIS" || !slices.Equal(isis.Aliases, []string{"Islamic State"}) || !slices.Equal(isis.ExternalIDs, []string{"kb:Q2429253"}) {
		t.Errorf("ISIS %+v, the Islamic State %+v: want one entity, kb:Q2429253, alias Islamic State", isis, state)
	}
	if lower.ID != isis.ID {
		t.Errorf("\"isis\" without a kb_id is %+v: it joins the entity of that name, as every import's mentions do", lower)
	}
	raqqa, _ := b.EntityOfSpan(b.Entities[2].ID)
	linked, _ := b.EntityOfSpan(b.Entities[4].ID)
	if !slices.Equal(raqqa.ExternalIDs, []string{"geonames:170794"}) || linked.Registry != "r3" || linked.ID == raqqa.ID {
		t.Errorf("Raqqa %+v and %+v: want geonames:170794 on one and registry r3 on the other (different kb_ids)", raqqa, linked)
	}
}

// TestNativeBeforeEntities: a native file written before entities (no
// referents, no span entity) still imports, and the import's grouping
// gives identical mentions one entity.
func TestNativeBeforeEntities(t *testing.T) {
	text := "ISIS said ISIS held Raqqa."
	old := `{"id":"` + model.ArticleID(text) + `","text":"` + text + `","annotator":"kim","status":"done",` +
		`"entities":[{"id":"e1","start":0,"end":4,"label":"ORG","text":"ISIS"},{"id":"e2","start":10,"end":14,"label":"ORG","text":"ISIS"},{"id":"e3","start":20,"end":25,"label":"GPE","text":"Raqqa"}],` +
		`"claims":[],"incidents":[],"reliability":[{"source":"ISIS","span":"e1","grade":"E"}],"notes":""}`
	recs := readAll(t, ReadNative, ImportOptions{}, []byte(old))
	a := recs[0].Annotation
	model.GroupMentions(a, text)
	if errs := model.Validate(a, text, model.DefaultSchema()); len(errs) > 0 {
		t.Fatalf("%v", errs)
	}
	if len(a.Referents) != 2 || a.Entities[0].Entity != a.Entities[1].Entity {
		t.Errorf("referents %+v: want ISIS (two mentions) and Raqqa", a.Referents)
	}
	if n := nextIDAfter(a); n < 5 {
		t.Errorf("NextID %d would hand out an id already used", n)
	}
}

// fmtSscan reads a brat T line's "LABEL START END" (the first fragment).
func fmtSscan(s string, label *string, start, end *int) (int, error) {
	first, _, _ := strings.Cut(s, ";")
	return fmt.Sscan(first, label, start, end)
}
