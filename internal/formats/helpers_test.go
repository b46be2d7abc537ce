package formats

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/annotate-tool/annotate/internal/model"
)

// pieces are what random texts are made of: the hard cases of the offset
// contract (emoji outside the BMP, ZWJ sequences and flags, combining marks,
// CJK, Arabic, CRLF, tabs) among plain words.
var pieces = []string{
	"Harrow", "Front", "Velmo", "said", "53", "killed", "the", "convoy", ",", ".", "—", "’s",
	"😀", "👩🏽‍⚕️", "🇸🇾", "🔥", "e\u0301", "Zoe\u0308", "n\u0303o", "北京", "東京都", "مدينة", "حلب",
	"\r\n", "\n", "\t", " ", "  ", "\u00a0",
}

// randomText joins random pieces with spaces.
func randomText(r *rand.Rand) string {
	var b strings.Builder
	n := 3 + r.IntN(40)
	for i := 0; i < n; i++ {
		b.WriteString(pieces[r.IntN(len(pieces))])
		if r.IntN(3) > 0 {
			b.WriteByte(' ')
		}
	}
	b.WriteString("end")
	return b.String()
}

// runeStarts lists the byte offsets where a character starts, and the end.
func runeStarts(text string) []int {
	var out []int
	for i := range text {
		out = append(out, i)
	}
	return append(out, len(text))
}

func isLineBreak(b byte) bool { return b == '\r' || b == '\n' }

// randomRange picks a non-empty range on character boundaries that does
// not start or end with white space (no span may). plain asks for one that
// does not start or end at a line break either (brat cannot carry those
// edges).
func randomRange(r *rand.Rand, text string, plain bool) (model.Range, bool) {
	starts := runeStarts(text)
	for try := 0; try < 50; try++ {
		i := r.IntN(len(starts) - 1)
		j := i + 1 + r.IntN(min(8, len(starts)-1-i))
		rg := model.Range{Start: starts[i], End: starts[j]}
		if plain && (isLineBreak(text[rg.Start]) || isLineBreak(text[rg.End-1])) {
			continue
		}
		if t, ok := model.TrimBlank(text, rg); !ok || t != rg {
			continue
		}
		return rg, true
	}
	return model.Range{}, false
}

// randomAnnotation makes a valid annotation of text under the default
// schema: spans, claims (claimant span or name, cue, one or two content
// ranges, codes, figure, stance), incidents with fields and evidence, and
// source grades.
func randomAnnotation(t *testing.T, r *rand.Rand, text string, s *model.Schema, plain bool) model.Annotation {
	t.Helper()
	a := model.NewAnnotation(model.ArticleID(text), "ann-"+fmt.Sprint(r.IntN(3)), s.Name)
	a.Status = model.Statuses[r.IntN(len(model.Statuses))]
	seen := map[string]bool{}
	for n := 1 + r.IntN(6); len(a.Entities) < n; {
		rg, ok := randomRange(r, text, plain)
		if !ok {
			break
		}
		label := s.Labels[r.IntN(len(s.Labels))].Name
		key := fmt.Sprint(rg, label)
		if seen[key] {
			continue
		}
		seen[key] = true
		a.Entities = append(a.Entities, model.Span{ID: a.NewID("e"), Start: rg.Start, End: rg.End, Label: label})
	}
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	randomReferents(r, &a, text, s)
	for n := r.IntN(3); len(a.Claims) < n; {
		c := model.Claim{ID: a.NewID("c"), Type: pick(append(s.Claims.Types, "")), Polarity: pick(s.Claims.Polarities),
			Certainty: pick(s.Claims.Certainties), SelfInterested: r.IntN(2) == 0, Credibility: s.CredibilityGrades[r.IntN(len(s.CredibilityGrades))].Code}
		if r.IntN(3) > 0 && len(a.Entities) > 0 {
			c.Claimant.SpanID = a.Entities[r.IntN(len(a.Entities))].ID
		} else {
			c.Claimant.Name = pick([]string{"officials", "a local source", "Amaq"})
		}
		content, ok := randomRange(r, text, plain)
		if !ok {
			break
		}
		c.Content = []model.Range{content}
		if more, ok := randomRange(r, text, plain); ok && r.IntN(3) == 0 && more.Start > content.End &&
			strings.Trim(text[content.End:more.Start], "\r\n") != "" {
			c.Content = append(c.Content, more)
		}
		if cue, ok := randomRange(r, text, plain); ok && r.IntN(2) == 0 {
			c.Cue = &cue
		}
		for n := r.IntN(4); len(c.Figures) < n; {
			c.Figures = append(c.Figures, randomFigure(r, pick(s.Claims.FigureCounts)))
		}
		a.Claims = append(a.Claims, c)
	}
	if len(a.Claims) == 2 && r.IntN(2) == 0 {
		a.Claims[1].Stance = &model.Stance{Kind: pick(s.Claims.Stances), ClaimID: a.Claims[0].ID}
	}
	for n := r.IntN(3); len(a.Incidents) < n; {
		inc := model.Incident{ID: a.NewID("i"), Fields: map[string]model.Value{}, Evidence: map[string][]string{}}
		ev, _ := s.Field("event_type")
		inc.Fields["event_type"] = model.Value{Text: ev.Choices[r.IntN(len(ev.Choices))].Code}
		low, high := r.IntN(10), 10+r.IntN(10)
		inc.Fields["killed"] = model.Value{Count: &model.Count{Low: &low, High: &high}}
		inc.Fields["date"] = model.Value{Date: &model.Date{Start: "2017-07-27", Precision: pick([]string{"day", "week", "month"})}}
		inc.Fields["tactics"] = model.Value{List: []string{"2", "3"}}
		inc.Fields["notes"] = model.Value{Text: "Two lines,\nwith a \"quote\"."}
		for _, sp := range a.Entities {
			switch sp.Label {
			case "ORG", "PER", "NORP":
				v := inc.Fields["perpetrators"]
				v.List = append(v.List, sp.ID)
				inc.Fields["perpetrators"] = v
			case "GPE", "LOC", "FAC":
				if len(inc.Fields["location"].List) == 0 {
					inc.Fields["location"] = model.Value{List: []string{sp.ID}}
				}
			}
		}
		inc.Evidence["killed"] = []string{a.Entities[r.IntN(len(a.Entities))].ID}
		if len(a.Claims) > 0 {
			inc.Evidence["event_type"] = []string{a.Claims[0].ID}
		}
		a.Incidents = append(a.Incidents, inc)
	}
	// A grade of an entity alone is its only one (brat writes it on the
	// entity's first mention, which holds one grade).
	graded := map[string]int{} // entity -> grades; -1 once graded alone
	for _, sp := range a.Entities {
		if r.IntN(4) == 0 && graded[sp.Entity] >= 0 {
			g := model.SourceGrade{Source: sourceName(text[sp.Start:sp.End]), SpanID: sp.ID,
				Reliability: s.SourceGrades[r.IntN(len(s.SourceGrades))].Code, Rationale: pick([]string{"", "party to the conflict"})}
			// A grade given to an entity: with the mention it was given
			// on, or to the entity alone (then named by its name).
			switch r.IntN(3) {
			case 1:
				g.Entity = sp.Entity
			case 2:
				if graded[sp.Entity] == 0 {
					e, _ := a.Referent(sp.Entity)
					g.Entity, g.SpanID, g.Source = e.ID, "", e.Name
					graded[sp.Entity] = -2
				}
			}
			graded[sp.Entity]++
			a.Sources = append(a.Sources, g)
		}
	}
	for n := r.IntN(3); len(a.Rejected) < n; {
		rg, ok := randomRange(r, text, plain)
		if !ok {
			break
		}
		a.Rejected = append(a.Rejected, model.Rejection{Start: rg.Start, End: rg.End, Label: s.Labels[r.IntN(len(s.Labels))].Name})
	}
	if r.IntN(2) == 0 {
		a.Notes = "checked twice\nsecond line"
	}
	a.Review = randomReview(r, a.Entities)
	if errs := model.Validate(&a, text, s); len(errs) > 0 {
		t.Fatalf("the generator made an invalid annotation: %v", errs)
	}
	return a
}

// randomReview is none, or a review in any state with comments (some
// with replies, texts with line breaks and emoji), now and then a digest
// of what was seen.
func randomReview(r *rand.Rand, spans []model.Span) *model.Review {
	if r.IntN(3) == 0 {
		return nil
	}
	at := time.Date(2026, 3, 1, 9, 0, r.IntN(3600), 0, time.UTC)
	rv := &model.Review{State: model.ReviewStates[r.IntN(len(model.ReviewStates))]}
	if rv.State != model.ReviewNone || r.IntN(2) == 0 {
		rv.By, rv.At = "carol", at
	}
	if r.IntN(2) == 0 {
		rv.Seen = map[string]string{"span 0-4": "d41d8c", "claim 2-9": ""}
	}
	texts := []string{"not a place", "the date is\nmissing", "ok 👍", "see \"the Front\""}
	for n := r.IntN(3); len(rv.Comments) < n; {
		c := model.Comment{Item: []string{"", "span 0-4", "incident 1 killed"}[r.IntN(3)], Text: texts[r.IntN(len(texts))], By: "carol", At: at}
		if c.Item != "" && len(spans) > 0 {
			// Where the item lies, as the review screen keeps it.
			w := spans[r.IntN(len(spans))].Range()
			c.Title, c.Where = "“a mention”", &w
		}
		for k := r.IntN(3); len(c.Replies) < k; {
			c.Replies = append(c.Replies, model.Comment{Item: c.Item, Text: texts[r.IntN(len(texts))], By: "alice", At: at.Add(time.Hour)})
		}
		rv.Comments = append(rv.Comments, c)
	}
	return rv
}

// entityNames are canonical names and aliases the generator gives
// entities besides their mentions' texts: spaces, punctuation, quotes and
// emoji that formats must keep.
var entityNames = []string{"Islamic State", "Syrian Democratic Forces", "SDF", "the \"Front\"", "Harrow Front (Velmo wing)", "قوات", "北京市", "Zoe\u0308 🔥"}

// externalIDs are ids of other knowledge bases, some with spaces and
// parentheses (ACLED actor names).
var externalIDs = []string{"wikidata:Q2429253", "wikidata:Q1325475", "acled:Islamic State (Syria)", "geonames:170794", "ucdp:234"}

// randomReferents groups the spans of a into entities: a span sometimes
// joins an earlier entity of its label (several mentions of one entity),
// and entities get other canonical names, aliases, external ids, registry
// links, affiliations, and now and then a label of their own with a note
// saying why.
func randomReferents(r *rand.Rand, a *model.Annotation, text string, s *model.Schema) {
	words := func(sp model.Span) string { return strings.Join(strings.Fields(text[sp.Start:sp.End]), " ") }
	for i := range a.Entities {
		sp := &a.Entities[i]
		var same []int
		for j, e := range a.Referents {
			if e.Label == sp.Label && e.LabelNote == "" {
				same = append(same, j)
			}
		}
		if len(same) > 0 && r.IntN(3) == 0 {
			e := &a.Referents[same[r.IntN(len(same))]]
			sp.Entity = e.ID
			if w := words(*sp); r.IntN(2) == 0 && w != "" && !e.HasName(w) {
				e.Aliases = append(e.Aliases, w)
			}
			continue
		}
		e := model.Entity{ID: a.NewID("n"), Name: words(*sp), Label: sp.Label}
		if e.Name == "" || r.IntN(4) == 0 {
			e.Name = entityNames[r.IntN(len(entityNames))]
		}
		for n := r.IntN(3); n > 0; n-- {
			if alias := entityNames[r.IntN(len(entityNames))]; !e.HasName(alias) {
				e.Aliases = append(e.Aliases, alias)
			}
		}
		for n := r.IntN(3); n > 0; n-- {
			if x := externalIDs[r.IntN(len(externalIDs))]; !slices.Contains(e.ExternalIDs, x) {
				e.ExternalIDs = append(e.ExternalIDs, x)
			}
		}
		if r.IntN(4) == 0 {
			e.Registry = fmt.Sprintf("r%d", 1+r.IntN(40))
		}
		if r.IntN(8) == 0 {
			e.Label = s.Labels[r.IntN(len(s.Labels))].Name
			e.LabelNote = "mentioned as " + sp.Label
		}
		a.Referents = append(a.Referents, e)
		sp.Entity = e.ID
	}
	for i := range a.Referents {
		if len(a.Referents) > 1 && r.IntN(3) == 0 {
			other := a.Referents[r.IntN(len(a.Referents))].ID
			f := model.Affiliation{Entity: other, Role: model.AffiliationRoles[r.IntN(len(model.AffiliationRoles))]}
			if other != a.Referents[i].ID && !slices.Contains(a.Referents[i].Affiliations, f) {
				a.Referents[i].Affiliations = append(a.Referents[i].Affiliations, f)
			}
		}
	}
}

// carries says which parts of an annotation a format carries, for canon.
type carries struct {
	claims, claimDetails, incidents, sources, notes, status bool
	// review: the annotation's review with its comments.
	review bool
	// statusDoneOrSkipped: the format knows only done and skipped.
	statusDoneOrSkipped bool
	// claimantSpans: only a claimant that is a span travels (with the
	// claim's type).
	claimantSpans bool
	// entities: every entity with its mentions, names, label, label
	// note, external ids, registry link and affiliations, and which
	// entity a source grade is given to.
	entities bool
	// grouping: the mentions of one entity stay one entity (identical
	// mentions of two may become one), and affiliations stay.
	grouping bool
}

// checkGrouping fails unless the mentions of each entity of want are
// mentions of one entity in got, and each affiliation of want ties the
// entities of the same mentions in got (unless got made them one).
func checkGrouping(t *testing.T, want, got model.Annotation) {
	t.Helper()
	entityAt := map[string]string{}
	for _, sp := range got.Entities {
		entityAt[fmt.Sprint(sp.Start, sp.End, sp.Label)] = sp.Entity
	}
	first := map[string]string{} // want's entity -> got's entity
	for _, sp := range want.Entities {
		g := entityAt[fmt.Sprint(sp.Start, sp.End, sp.Label)]
		if f, ok := first[sp.Entity]; ok && f != g {
			t.Errorf("the mentions of entity %s came back as entities %s and %s", sp.Entity, f, g)
		}
		first[sp.Entity] = g
	}
	for _, e := range want.Referents {
		for _, f := range e.Affiliations {
			from, to := first[e.ID], first[f.Entity]
			ge, _ := got.Referent(from)
			if from != to && !slices.Contains(ge.Affiliations, model.Affiliation{Entity: to, Role: f.Role}) {
				t.Errorf("affiliation %s %s of %s lost: got %+v", e.ID, f.Role, f.Entity, ge)
			}
		}
	}
}

// canon describes an annotation without its IDs (spans by extent and
// label, claims by content), keeping only what the format carries.
func canon(a model.Annotation, text string, c carries) string {
	spanKey := map[string]string{}
	var spans []string
	for _, s := range a.Entities {
		k := fmt.Sprintf("%d-%d %s", s.Start, s.End, s.Label)
		spanKey[s.ID] = k
		spans = append(spans, k)
	}
	sort.Strings(spans)
	claimKey := map[string]string{}
	for _, cl := range a.Claims {
		claimKey[cl.ID] = fmt.Sprint(cl.Content)
	}
	out := map[string]any{"spans": spans}
	// An entity is known by its mentions.
	entityKey := map[string]string{}
	for _, e := range a.Referents {
		var ms []string
		for _, sp := range a.MentionsOf(e.ID) {
			ms = append(ms, spanKey[sp.ID])
		}
		sort.Strings(ms)
		entityKey[e.ID] = strings.Join(ms, " + ")
	}
	if c.entities {
		var ents []string
		for _, e := range a.Referents {
			var affs []string
			for _, f := range e.Affiliations {
				affs = append(affs, f.Role+" of "+entityKey[f.Entity])
			}
			data, _ := json.Marshal(map[string]any{"mentions": entityKey[e.ID], "name": e.Name, "label": e.Label,
				"label_note": e.LabelNote, "aliases": e.Aliases, "external_ids": e.ExternalIDs, "registry": e.Registry, "affiliations": affs})
			ents = append(ents, string(data))
		}
		sort.Strings(ents)
		out["entities"] = ents
	}
	if c.claims {
		var claims []string
		for _, cl := range a.Claims {
			d := map[string]any{"content": fmt.Sprint(cl.Content)}
			switch {
			case cl.Claimant.SpanID != "":
				d["claimant"] = spanKey[cl.Claimant.SpanID]
				d["type"] = cl.Type
			case !c.claimantSpans:
				d["claimant"] = "name:" + cl.Claimant.Name
				d["type"] = cl.Type
			}
			if c.claimDetails {
				d["polarity"], d["certainty"], d["credibility"], d["self"] = cl.Polarity, cl.Certainty, cl.Credibility, cl.SelfInterested
				if cl.Cue != nil {
					d["cue"] = fmt.Sprint(*cl.Cue)
				}
				if len(cl.Figures) > 0 {
					d["figures"] = cl.Figures
				}
				if cl.Stance != nil {
					d["stance"] = cl.Stance.Kind + " " + claimKey[cl.Stance.ClaimID]
				}
			}
			data, _ := json.Marshal(d)
			claims = append(claims, string(data))
		}
		sort.Strings(claims)
		out["claims"] = claims
	}
	ref := func(id string) string {
		if k, ok := spanKey[id]; ok {
			return k
		}
		return "claim " + claimKey[id]
	}
	if c.incidents {
		var incs []string
		for _, inc := range a.Incidents {
			fields := map[string]any{}
			for name, v := range inc.Fields {
				if v.IsZero() {
					continue
				}
				if _, isSpan := spanKey[nth(v.List, 0)]; isSpan {
					var refs []string
					for _, id := range v.List {
						refs = append(refs, ref(id))
					}
					fields[name] = refs
					continue
				}
				fields[name] = NativeValue(v)
			}
			ev := map[string][]string{}
			for name, ids := range inc.Evidence {
				for _, id := range ids {
					ev[name] = append(ev[name], ref(id))
				}
			}
			data, _ := json.Marshal(map[string]any{"fields": fields, "evidence": ev})
			incs = append(incs, string(data))
		}
		sort.Strings(incs)
		out["incidents"] = incs
	}
	if c.sources {
		var srcs []string
		for _, g := range a.Sources {
			src := fmt.Sprintf("%s|%s|%s|%s", g.Source, spanKey[g.SpanID], g.Reliability, g.Rationale)
			if c.entities {
				src += "|" + entityKey[g.Entity]
			}
			srcs = append(srcs, src)
		}
		sort.Strings(srcs)
		out["sources"] = srcs
	}
	if c.notes {
		out["notes"] = a.Notes
	}
	if c.review {
		out["review"] = a.Review
	}
	switch {
	case c.status:
		out["status"] = a.Status
	case c.statusDoneOrSkipped:
		st := model.StatusDone
		if a.Status == model.StatusSkipped {
			st = model.StatusSkipped
		}
		out["status"] = st
	}
	data, _ := json.MarshalIndent(out, "", " ")
	return string(data)
}

// pythonSlice is Python's text[start:end]: code points.
func pythonSlice(text string, start, end int) (string, bool) {
	runes := []rune(text)
	if start < 0 || end > len(runes) || start > end {
		return "", false
	}
	return string(runes[start:end]), true
}

// checkSlices fails unless every span in an exported JSON value (any
// object with start/end or start_offset/end_offset and a text nearby)
// satisfies Python's text[start:end] == span text. It walks the value and
// finds the record text in the closest enclosing "text" or "data.text".
func checkSlices(t *testing.T, format string, data []byte) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		var v any
		if err := dec.Decode(&v); err != nil {
			break
		}
		walkSpans(t, format, v, "")
	}
}

func walkSpans(t *testing.T, format string, v any, text string) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			walkSpans(t, format, e, text)
		}
	case map[string]any:
		_, spans := x["spans"].([]any)
		_, entities := x["entities"].([]any)
		_, labels := x["label"].([]any)
		if s, ok := x["text"].(string); ok && (spans || entities || labels) {
			text = s
		}
		if d, ok := x["data"].(map[string]any); ok {
			text, _ = d["text"].(string)
		}
		if v, ok := x["value"].(map[string]any); ok {
			x = v
		}
		start, ok1 := x["start"].(float64)
		end, ok2 := x["end"].(float64)
		spanText, ok3 := x["text"].(string)
		if ok1 && ok2 && ok3 && text != "" {
			got, ok := pythonSlice(text, int(start), int(end))
			if !ok || got != spanText {
				t.Errorf("%s: text[%d:%d] is %q, the span says %q", format, int(start), int(end), got, spanText)
			}
		}
		for k, e := range x {
			if k != "text" {
				walkSpans(t, format, e, text)
			}
		}
		if labels, ok := x["label"].([]any); ok && text != "" {
			for _, l := range labels {
				if tri, ok := l.([]any); ok && len(tri) == 3 {
					if _, ok := pythonSlice(text, int(tri[0].(float64)), int(tri[1].(float64))); !ok {
						t.Errorf("%s: label %v is outside the text", format, tri)
					}
				}
			}
		}
	}
}

// validUTF8 fails on output that is not UTF-8.
func validUTF8(t *testing.T, format string, data []byte) {
	t.Helper()
	if !utf8.Valid(data) {
		t.Errorf("%s: output is not valid UTF-8", format)
	}
}

// sourceName is a span's text as a source's name, which cannot be blank.
func sourceName(s string) string {
	if strings.TrimSpace(s) == "" {
		return "unnamed"
	}
	return s
}

// figureTexts are texts a figure may carry as written, with the characters
// formats must keep: quotes, braces, a tab, emoji, and what looks like the
// start of brat's figure JSON.
var figureTexts = []string{"", "more than 10,000", "dozens", "nearly 90", "\"scores\" 😀", `x {"counts"`, "two\tor three", "سالم"}

// randomFigure is a figure with a random qualifier and consistent bounds.
func randomFigure(r *rand.Rand, counts string) model.Figure {
	if r.IntN(4) == 0 {
		w := model.ApproximateWords[r.IntN(len(model.ApproximateWords))]
		low, high := w.Low, w.High
		return model.Figure{Counts: counts, Qualifier: model.QualifierApproximate, Low: &low, High: &high, Text: w.Word}
	}
	q := model.Qualifiers[r.IntN(len(model.Qualifiers)-1)] // all but approximate
	f, err := model.QualifiedFigure(q, 1+r.IntN(20000), counts)
	if err != nil {
		panic(err)
	}
	f.Text = figureTexts[r.IntN(len(figureTexts))]
	return f
}
