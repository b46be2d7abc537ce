package agree

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

func intp(n int) *int { return &n }

// article builds an annotation with the given incidents, claims and
// grades over a text of mentions.
type fixture struct {
	text string
	anns []*model.Annotation
}

func annotation(who string) *model.Annotation {
	a := model.NewAnnotation("doc", who, "conflict-incidents")
	a.Status = model.StatusDone
	return &a
}

// mention adds a span over the first occurrence of s with its own entity
// named name.
func mention(a *model.Annotation, text, s, label, name string) string {
	start := strings.Index(text, s)
	id := a.NewID("e")
	eid := a.NewID("n")
	a.Entities = append(a.Entities, model.Span{ID: id, Start: start, End: start + len(s), Label: label, Entity: eid})
	a.Referents = append(a.Referents, model.Entity{ID: eid, Name: name, Label: label})
	return id
}

func TestAlignIncidents(t *testing.T) {
	schema := model.DefaultSchema()
	text := "Clashes in Raqqa on Monday; a drone strike hit Hasakah on Friday."
	inc := func(a *model.Annotation, eventType, date, place string) {
		fields := map[string]model.Value{}
		if eventType != "" {
			fields["event_type"] = model.Value{Text: eventType}
		}
		if date != "" {
			fields["date"] = model.Value{Date: &model.Date{Start: date, Precision: "day"}}
		}
		if place != "" {
			fields["location"] = model.Value{List: []string{mention(a, text, place, "GPE", place)}}
		}
		a.Incidents = append(a.Incidents, model.Incident{ID: a.NewID("i"), Fields: fields})
	}
	for _, tc := range []struct {
		name  string
		build func(a, b *model.Annotation)
		want  []Group
	}{
		{"one each aligns whatever the fields", func(a, b *model.Annotation) {
			inc(a, "Armed clash", "2026-01-05", "Raqqa")
			inc(b, "Air/drone strike", "2026-03-01", "Hasakah")
		}, []Group{{0, 0}}},
		{"order does not matter", func(a, b *model.Annotation) {
			inc(a, "Armed clash", "2026-01-05", "Raqqa")
			inc(a, "Air/drone strike", "2026-01-09", "Hasakah")
			inc(b, "Air/drone strike", "2026-01-09", "Hasakah")
			inc(b, "Armed clash", "2026-01-05", "Raqqa")
		}, []Group{{0, 1}, {1, 0}}},
		{"same group of event types, near dates", func(a, b *model.Annotation) {
			inc(a, "Armed clash", "2026-01-05", "Raqqa")
			inc(a, "Air/drone strike", "2026-01-09", "Hasakah")
			inc(b, "Shelling/artillery/missile attack", "2026-01-10", "Hasakah")
			inc(b, "Government regains territory", "2026-01-06", "Raqqa")
		}, []Group{{0, 1}, {1, 0}}},
		{"dates beyond the window do not align", func(a, b *model.Annotation) {
			inc(a, "Armed clash", "2026-01-05", "Raqqa")
			inc(a, "Armed clash", "2026-02-05", "Raqqa")
			inc(b, "Armed clash", "2026-03-05", "Raqqa")
			inc(b, "Armed clash", "2026-01-06", "Raqqa")
		}, []Group{{0, 1}, {1, -1}, {-1, 0}}},
		{"other location does not align", func(a, b *model.Annotation) {
			inc(a, "Armed clash", "", "Raqqa")
			inc(a, "Armed clash", "", "Hasakah")
			inc(b, "Armed clash", "", "Hasakah")
			inc(b, "Attack", "", "Raqqa")
		}, []Group{{1, 0}, {0, -1}, {-1, 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := annotation("a"), annotation("b")
			tc.build(a, b)
			got := Align(text, []*model.Annotation{a, b}, schema, DefaultAlignOptions()).Incidents
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("groups = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAlignClaimsAndSources(t *testing.T) {
	text := "ISIS said it killed 53 fighters. The SDF said only 5 died."
	rng := func(s string) []model.Range {
		i := strings.Index(text, s)
		return []model.Range{{Start: i, End: i + len(s)}}
	}
	a, b := annotation("a"), annotation("b")
	isisA := mention(a, text, "ISIS", "ORG", "Islamic State")
	sdfA := mention(a, text, "SDF", "ORG", "Syrian Democratic Forces")
	isisB := mention(b, text, "ISIS", "ORG", "islamic  state") // same name, other spacing and case
	a.Claims = []model.Claim{
		{ID: "c1", Claimant: model.Claimant{SpanID: isisA}, Content: rng("it killed 53 fighters"), Credibility: "4"},
		{ID: "c2", Claimant: model.Claimant{SpanID: sdfA}, Content: rng("only 5 died"), Credibility: "2"},
	}
	b.Claims = []model.Claim{
		{ID: "c9", Claimant: model.Claimant{Name: "the SDF"}, Content: rng("5 died"), Credibility: "3"},
		{ID: "c8", Claimant: model.Claimant{SpanID: isisB}, Content: rng("killed 53 fighters"), Credibility: "4"},
	}
	a.Sources = []model.SourceGrade{{Source: "ISIS", Entity: a.Entities[0].Entity, Reliability: "E"}}
	b.Sources = []model.SourceGrade{{Source: "Islamic State", Reliability: "D"}, {Source: "Amaq", Reliability: "E"}}
	al := Align(text, []*model.Annotation{a, b}, model.DefaultSchema(), DefaultAlignOptions())
	if want := "[[0 1] [1 0]]"; fmt.Sprint(al.Claims) != want {
		t.Errorf("claims = %v, want %v", al.Claims, want)
	}
	if want := "[{islamic state [0 0]} {amaq [-1 1]}]"; fmt.Sprint(al.Sources) != want {
		t.Errorf("sources = %v, want %v", al.Sources, want)
	}
	if got := ClaimantName(b, text, b.Claims[1]); got != ClaimantName(a, text, a.Claims[0]) {
		t.Errorf("claimants by canonical name differ: %q", got)
	}
}

// TestStudyMissingAndZero: "unknown" (nil) is missing, 0 is a value.
func TestStudyMissingAndZero(t *testing.T) {
	schema := model.DefaultSchema()
	s := NewStudy([]string{"a", "b"}, schema, DefaultAlignOptions())
	killed := func(a *model.Annotation, best *int) {
		a.Incidents = []model.Incident{{ID: "i1", Fields: map[string]model.Value{"killed": {Count: &model.Count{Best: best}}}}}
	}
	for i, pair := range [][2]*int{{intp(0), intp(0)}, {intp(3), intp(3)}, {nil, intp(0)}, {intp(5), intp(4)}} {
		a, b := annotation("a"), annotation("b")
		killed(a, pair[0])
		killed(b, pair[1])
		s.Add(fmt.Sprint("d", i), "text", []*model.Annotation{a, b})
	}
	r := s.Report(false)
	f := r.Fields["killed.best"]
	if f.N != 3 || f.NBy["exact"] != 3 {
		t.Errorf("n = %d, exact n = %d, want 3 units (the unknown one is missing)", f.N, f.NBy["exact"])
	}
	if math.Abs(float64(f.Exact)-2.0/3) > 1e-12 {
		t.Errorf("exact = %v, want 2/3 (0 = 0 agrees)", f.Exact)
	}
	if f.Level != "ratio" || f.AlphaInterval == nil || f.AlphaNominal == nil {
		t.Errorf("count field: level %s, alphas %v %v", f.Level, f.AlphaInterval, f.AlphaNominal)
	}
	if got := r.Documents[0]; got.ID != "d3" || got.Values != 1 {
		t.Errorf("most disagreement first: %+v", got)
	}
}

// TestStudyNotCoded: a skipped or untouched annotation is no data, and an
// article nobody coded is not a document.
func TestStudyNotCoded(t *testing.T) {
	s := NewStudy([]string{"a", "b"}, model.DefaultSchema(), DefaultAlignOptions())
	skipped := annotation("b")
	skipped.Status = model.StatusSkipped
	a := annotation("a")
	mention(a, "ISIS", "ISIS", "ORG", "ISIS")
	s.Add("d1", "ISIS", []*model.Annotation{a, skipped})
	s.Add("d2", "ISIS", []*model.Annotation{nil, nil})
	r := s.Report(true)
	if m := r.Entities["micro"]; m.N != 0 || m.MeanDocuments != 0 {
		t.Errorf("spans compared with a skipped annotation: %+v", m)
	}
	if len(r.Documents) != 1 {
		t.Errorf("documents = %+v, want d1 only", r.Documents)
	}
}

// benchArticles builds n articles of about 3,000 characters with two
// annotators who mostly agree: 20 mentions, two incidents, three claims
// and two graded sources each.
func benchArticles(n int) (texts []string, anns [][]*model.Annotation) {
	rng := rand.New(rand.NewPCG(7, 7))
	labels := []string{"ORG", "PER", "GPE", "WEA", "COUNT"}
	events := []string{"Armed clash", "Air/drone strike", "Attack", "Suicide bomb"}
	word := strings.Repeat("word ", 600)
	for d := range n {
		text := word
		pair := []*model.Annotation{annotation("a"), annotation("b")}
		at := 0
		for range 20 {
			at += 20 + 5*rng.IntN(25)
			start, end := at, at+9+5*rng.IntN(3)
			label := labels[rng.IntN(len(labels))]
			for c, a := range pair {
				s, l := start, label
				if c == 1 {
					switch r := rng.Float64(); {
					case r < 0.1:
						continue
					case r < 0.2:
						s += 5
					case r < 0.25:
						l = labels[rng.IntN(len(labels))]
					}
				}
				id, eid := a.NewID("e"), a.NewID("n")
				a.Entities = append(a.Entities, model.Span{ID: id, Start: s, End: end, Label: l, Entity: eid})
				a.Referents = append(a.Referents, model.Entity{ID: eid, Name: text[s:end], Label: l})
			}
		}
		for k := range 2 {
			ev, killed := events[rng.IntN(len(events))], rng.IntN(20)
			for c, a := range pair {
				if c == 1 && rng.Float64() < 0.2 {
					killed++
				}
				a.Incidents = append(a.Incidents, model.Incident{ID: a.NewID("i"), Fields: map[string]model.Value{
					"event_type": {Text: ev},
					"date":       {Date: &model.Date{Start: fmt.Sprintf("2026-01-%02d", 1+10*k), Precision: "day"}},
					"killed":     {Count: &model.Count{Best: intp(killed)}},
				}})
			}
		}
		for k := range 3 {
			cred := fmt.Sprint(1 + rng.IntN(6))
			for _, a := range pair {
				a.Claims = append(a.Claims, model.Claim{ID: a.NewID("c"), Claimant: model.Claimant{Name: "officials"},
					Content: []model.Range{{Start: 100 * (k + 1), End: 100*(k+1) + 40}}, Type: "casualties", Credibility: cred})
			}
		}
		for k := range 2 {
			for _, a := range pair {
				a.Sources = append(a.Sources, model.SourceGrade{Source: fmt.Sprint("source ", k), Reliability: "B"})
			}
		}
		texts = append(texts, text)
		anns = append(anns, pair)
		_ = d
	}
	return texts, anns
}

// BenchmarkStudy10000 is the whole agree report over 10,000 articles x 2
// annotators: alignment, spans, alpha_u, link F1, every field's
// coefficients. The target is well under a second.
func BenchmarkStudy10000(b *testing.B) {
	texts, anns := benchArticles(10000)
	schema := model.DefaultSchema()
	for b.Loop() {
		s := NewStudy([]string{"a", "b"}, schema, DefaultAlignOptions())
		for d, text := range texts {
			s.Add(fmt.Sprint(d), text, anns[d])
		}
		s.Report(true)
	}
}

// TestStudyOrderInvariant: an annotation's spans, claims, incidents and
// grades stored in another order give the same report, whatever ties the
// alignment meets (claims over the same words, incidents alike in event
// type, date and place but not in their counts).
func TestStudyOrderInvariant(t *testing.T) {
	schema := model.DefaultSchema()
	text := "Sichuan hot pot: officials said 5 died and 7 were hurt in Raqqa."
	rng := rand.New(rand.NewPCG(4, 17))
	random := func(who string) *model.Annotation {
		a := annotation(who)
		words := []string{"Sichuan", "hot pot", "Sichuan hot pot", "officials", "Raqqa"}
		for range rng.IntN(5) {
			w := words[rng.IntN(len(words))]
			mention(a, text, w, []string{"ORG", "GPE", "PER"}[rng.IntN(3)], w)
		}
		contents := []string{"5 died", "7 were hurt", "5 died and 7 were hurt"}
		for range rng.IntN(4) {
			c := contents[rng.IntN(len(contents))]
			at := strings.Index(text, c)
			a.Claims = append(a.Claims, model.Claim{ID: a.NewID("c"), Claimant: model.Claimant{Name: "officials"},
				Content: []model.Range{{Start: at, End: at + len(c)}}, Credibility: fmt.Sprint(1 + rng.IntN(3))})
		}
		for range rng.IntN(4) {
			a.Incidents = append(a.Incidents, model.Incident{ID: a.NewID("i"), Fields: map[string]model.Value{
				"event_type": {Text: "Armed clash"},
				"date":       {Date: &model.Date{Start: "2026-01-05", Precision: "day"}},
				"killed":     {Count: &model.Count{Best: intp(rng.IntN(3))}},
			}})
		}
		return a
	}
	shuffled := func(a *model.Annotation) *model.Annotation {
		c := *a
		c.Entities, c.Claims, c.Incidents = slices.Clone(a.Entities), slices.Clone(a.Claims), slices.Clone(a.Incidents)
		rng.Shuffle(len(c.Entities), func(i, j int) { c.Entities[i], c.Entities[j] = c.Entities[j], c.Entities[i] })
		rng.Shuffle(len(c.Claims), func(i, j int) { c.Claims[i], c.Claims[j] = c.Claims[j], c.Claims[i] })
		rng.Shuffle(len(c.Incidents), func(i, j int) { c.Incidents[i], c.Incidents[j] = c.Incidents[j], c.Incidents[i] })
		return &c
	}
	report := func(docs [][]*model.Annotation) string {
		s := NewStudy([]string{"a", "b", "c"}, schema, DefaultAlignOptions())
		for d, anns := range docs {
			s.Add(fmt.Sprint("d", d), text, anns)
		}
		out, err := json.Marshal(s.Report(true))
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	for trial := range 100 {
		var docs, other [][]*model.Annotation
		for range 3 {
			anns := []*model.Annotation{random("a"), random("b"), random("c")}
			docs = append(docs, anns)
			other = append(other, []*model.Annotation{shuffled(anns[0]), shuffled(anns[1]), shuffled(anns[2])})
		}
		if want, got := report(docs), report(other); got != want {
			at := 0
			for at < min(len(want), len(got)) && want[at] == got[at] {
				at++
			}
			from := max(0, at-300)
			t.Fatalf("trial %d: stored in another order, the report changes at ...%s\nto ...%s", trial, want[from:min(len(want), at+80)], got[from:min(len(got), at+80)])
		}
	}
}

// nullsWithoutReason walks a report's JSON and lists every null figure
// whose object has no reason for it ("reasons": {name: why}).
func nullsWithoutReason(path string, v any) []string {
	var missing []string
	switch x := v.(type) {
	case map[string]any:
		reasons, _ := x["reasons"].(map[string]any)
		for k, val := range x {
			if val == nil {
				if why, _ := reasons[k].(string); why == "" {
					missing = append(missing, path+"."+k)
				}
				continue
			}
			missing = append(missing, nullsWithoutReason(path+"."+k, val)...)
		}
	case []any:
		for i, val := range x {
			missing = append(missing, nullsWithoutReason(fmt.Sprintf("%s[%d]", path, i), val)...)
		}
	}
	return missing
}

func reportJSON(t *testing.T, r *Report) map[string]any {
	t.Helper()
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestStudyEveryNullHasItsReason: every null in the report says why, and
// says the real reason: two annotators are two, even where no incident
// was aligned (kappa said "needs exactly two coders, the data have 0").
func TestStudyEveryNullHasItsReason(t *testing.T) {
	schema := model.DefaultSchema()
	text := "ISIS said it killed 53 fighters in Raqqa."
	spansOnly := func(who string, labels ...string) *model.Annotation {
		a := annotation(who)
		for i, l := range labels {
			mention(a, text, []string{"ISIS", "Raqqa", "fighters"}[i], l, fmt.Sprint(who, i))
		}
		return a
	}
	for _, tc := range []struct {
		name   string
		coders []string
		docs   [][]*model.Annotation
		// want: reasons that must be given, by path
		want map[string]string
	}{
		{"two annotators, spans and no incident", []string{"alice", "bob"},
			[][]*model.Annotation{{spansOnly("alice", "ORG", "GPE"), spansOnly("bob", "ORG", "GPE")}},
			map[string]string{"fields.killed.best.kappa": "no unit was coded by both coders",
				"fields.killed.best.pi": "no unit was coded by both coders"}},
		{"label only one side marked", []string{"alice", "bob"},
			[][]*model.Annotation{{spansOnly("alice", "ORG"), spansOnly("bob", "ORG", "GPE")}},
			map[string]string{"entities.GPE.precision": "no span of this label by alice, whose spans precision counts against"}},
		{"no article both coded", []string{"alice", "bob"},
			[][]*model.Annotation{{spansOnly("alice", "ORG"), nil}, {nil, spansOnly("bob", "ORG")}},
			map[string]string{
				"entities.micro.f1_strict": "no article was annotated by both annotators of a pair: no spans were compared",
				"entities.ORG.alpha_u":     "no article was annotated by every annotator: alpha_u compares only those",
				"entity_grouping.f1":       "no article was annotated by both annotators of a pair: no links were compared",
				"documents[0].f1_strict":   "only one annotator annotated this article: its spans were not compared"}},
		{"three annotators, nothing grouped", []string{"a", "b", "c"},
			[][]*model.Annotation{{spansOnly("a", "ORG"), spansOnly("b", "ORG"), nil}, {annotation("a"), annotation("b"), annotation("c")}},
			map[string]string{
				"fields.killed.best.kappa":                    "Cohen's kappa is undefined for every pair of annotators: no unit was coded by both coders",
				"documents[1].f1_strict":                      "no annotator marked a span in this article",
				"entity_grouping.f1":                          "no entity has two or more mentions: no links to compare",
				"entity_grouping.precision":                   "with more than two annotators precision and recall depend on which annotator is the reference: use --against gold, or compare two",
				"entities.micro.f1_strict":                    "",
				"entities.ORG.alpha_u":                        "nobody marked this label on the 1 article every annotator annotated (alpha_u compares only those)",
				"sources.reliability.kappa":                   "Cohen's kappa is undefined for every pair of annotators: no unit was coded by both coders",
				"claims.credibility.fleiss":                   "no unit has two or more ratings: nothing to compare",
				"entities.micro.mean_per_document_f1_overlap": "",
			}},
		{"nothing at all", []string{"alice", "bob"}, nil,
			map[string]string{"entities.micro.mean_per_document_f1_overlap": "no article was annotated by both annotators of a pair: nothing to average"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewStudy(tc.coders, schema, DefaultAlignOptions())
			for d, anns := range tc.docs {
				s.Add(fmt.Sprint("d", d), text, anns)
			}
			m := reportJSON(t, s.Report(true))
			if missing := nullsWithoutReason("", m); len(missing) > 0 {
				slices.Sort(missing)
				t.Errorf("nulls without a reason: %v", missing)
			}
			for path, want := range tc.want {
				got := reasonAt(m, path)
				if want != "" && got != want {
					t.Errorf("%s: reason %q, want %q", path, got, want)
				}
				if want == "" && got != "" {
					t.Errorf("%s: reason %q, want none", path, got)
				}
			}
		})
	}
}

// reasonAt reads the reason of a figure by its path: "fields.killed.best.kappa"
// is fields["killed.best"].reasons.kappa; "documents[1].f1_strict" the
// second document's.
func reasonAt(m map[string]any, path string) string {
	var obj map[string]any
	var name string
	if rest, ok := strings.CutPrefix(path, "documents["); ok {
		var i int
		fmt.Sscanf(rest, "%d", &i)
		docs, _ := m["documents"].([]any)
		if i >= len(docs) {
			return "(no document " + fmt.Sprint(i) + ")"
		}
		obj, _ = docs[i].(map[string]any)
		name = rest[strings.Index(rest, ".")+1:]
	} else {
		section, rest, _ := strings.Cut(path, ".")
		cut := strings.LastIndex(rest, ".")
		name = rest[cut+1:]
		obj, _ = m[section].(map[string]any)
		if cut >= 0 {
			obj, _ = obj[rest[:cut]].(map[string]any)
		}
	}
	reasons, _ := obj["reasons"].(map[string]any)
	why, _ := reasons[name].(string)
	return why
}

// TestStudyArticlesAndPerDocument: the report says how many articles
// were read, annotated and compared, and what the per-document mean
// averaged over: article-pairs, with the distinct articles and annotator
// pairs among them, also when every annotator is pooled against gold.
func TestStudyArticlesAndPerDocument(t *testing.T) {
	schema := model.DefaultSchema()
	text := "ISIS said it killed 53 fighters in Raqqa."
	tagged := func(who string) *model.Annotation {
		a := annotation(who)
		mention(a, text, "ISIS", "ORG", "Islamic State")
		return a
	}
	s := NewStudy([]string{"a", "b", "c"}, schema, DefaultAlignOptions())
	s.Add("d1", text, []*model.Annotation{tagged("a"), tagged("b"), tagged("c")})
	s.Add("d2", text, []*model.Annotation{tagged("a"), tagged("b"), tagged("c")})
	s.Add("d3", text, []*model.Annotation{tagged("a"), nil, nil})
	s.Add("d4", text, []*model.Annotation{nil, nil, nil})
	s.Add("d5", text, []*model.Annotation{tagged("a"), nil, tagged("c")})
	r := s.Report(true)
	if r.Articles != 5 || r.ArticlesAnnotated != 4 || r.ArticlesCompared != 3 {
		t.Errorf("articles %d, annotated %d, compared %d; want 5, 4, 3", r.Articles, r.ArticlesAnnotated, r.ArticlesCompared)
	}
	if m := r.Entities["micro"]; m.MeanDocuments != 7 || m.MeanArticles != 3 || m.MeanPairs != 3 {
		t.Errorf("per-document mean over %d article-pairs, %d articles, %d pairs; want 7, 3, 3", m.MeanDocuments, m.MeanArticles, m.MeanPairs)
	}
	m := reportJSON(t, r)
	for _, key := range []string{"articles", "articles_annotated", "articles_compared"} {
		if _, ok := m[key]; !ok {
			t.Errorf("no %q in the JSON", key)
		}
	}

	// Against gold, every annotator's pair with gold pooled in one study
	// of two coders: the pairs are still told apart.
	pooled := NewStudy([]string{"annotators", "gold"}, schema, DefaultAlignOptions())
	for _, id := range []string{"d1", "d2"} {
		for _, who := range []string{"a", "b", "c"} {
			pooled.Add(id, text, []*model.Annotation{tagged(who), tagged("gold")})
		}
	}
	r = pooled.Report(true)
	if mm := r.Entities["micro"]; mm.MeanDocuments != 6 || mm.MeanArticles != 2 || mm.MeanPairs != 3 {
		t.Errorf("against gold: per-document mean over %d article-pairs, %d articles, %d pairs; want 6, 2, 3", mm.MeanDocuments, mm.MeanArticles, mm.MeanPairs)
	}
	if r.Articles != 2 || r.ArticlesAnnotated != 2 || r.ArticlesCompared != 2 {
		t.Errorf("against gold: articles %d, annotated %d, compared %d; want 2, 2, 2", r.Articles, r.ArticlesAnnotated, r.ArticlesCompared)
	}
}
