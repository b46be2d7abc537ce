package agree

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
)

// A Study gathers the agreement of a fixed list of annotators (coders)
// over articles added one at a time, so a store can stream them, and
// reports every measure at the end. It is pure: the caller reads the
// articles and their annotations.
//
// Reliability data: a unit is one aligned item (incident, claim, graded
// source) of one article; each coder's value is the item's field as that
// coder filled it. A coder without the item in the group, or who left the
// field empty or "unknown", has a missing value; 0 is a value. Spans are
// compared per pair of coders on the articles both coded; alpha_u over the
// articles every coder coded.
type Study struct {
	coders []string
	schema *model.Schema
	opts   AlignOptions

	incidentSpecs, claimSpecs, sourceSpecs []valueSpec
	// data[name] is the reliability data of a field; the sections keep
	// them apart ("killed.best" and "claims.figures.killed" are two).
	fields, claims, sources map[string]*fieldData

	pairs     [][2]int
	spanPairs []map[string]*SpanCounts // per pair, per label
	linkPairs []LinkScores
	unitizing []UnitizingDoc
	labels    map[string]bool
	perDoc    []docMean // per pair per document, for the per-document mean

	items map[string]*ItemCounts
	docs  map[string]*Document
	order []string
	// articles are the articles added (coded or not); compared those
	// where two coders of a pair both coded it.
	articles, compared map[string]bool
}

// Document is one article's disagreements: the order a reviewer should
// see articles in.
type Document struct {
	ID string `json:"id"`
	// Disagreements is Spans + Items + Values.
	Disagreements int `json:"disagreements"`
	// Spans: spans not aligned strictly (same boundaries and label),
	// summed over coder pairs.
	Spans int `json:"spans"`
	// Items: aligned incidents, claims and graded sources that only some
	// of the coders who coded the article have.
	Items int `json:"items"`
	// Values: field values of aligned items on which the coders differ.
	Values int `json:"values"`
	// F1Strict and F1Overlap are the article's micro span F1, pooled over
	// coder pairs; null when only one coder coded the article or nobody
	// marked a span, and Reasons says which.
	F1Strict  Float             `json:"f1_strict"`
	F1Overlap Float             `json:"f1_overlap"`
	Reasons   map[string]string `json:"reasons,omitempty"`

	compared bool // two coders of a pair coded the article
}

// ItemCounts counts aligned items of one kind.
type ItemCounts struct {
	// Groups is the number of aligned items; All those every coder who
	// coded the article has; Some those only some have.
	Groups int `json:"groups"`
	All    int `json:"all"`
	Some   int `json:"some"`
}

// docMean is one document's micro span F1 for one pair of annotators
// (named by the annotations, so that a study of an annotator against gold
// that pools every annotator tells its pairs apart).
type docMean struct {
	doc, pair       string
	strict, overlap float64
}

// valueSpec is one field of the reliability data: how to read a coder's
// value for an item, and its level of measurement.
type valueSpec struct {
	name       string
	level      Level
	levels     []Level
	categories []string
	// code reads a nominal or ordinal value ("" missing); number an
	// interval or ratio one (nil missing). item indexes the
	// annotation's Incidents, Claims or Sources.
	code   func(a *model.Annotation, text string, item int) string
	number func(a *model.Annotation, text string, item int) *float64
}

type fieldData struct {
	spec  valueSpec
	index map[string]int
	cats  []string
	units [][]Value
}

func (f *fieldData) value(a *model.Annotation, text string, item int) Value {
	if a == nil || item < 0 {
		return Missing
	}
	if f.spec.number != nil {
		if x := f.spec.number(a, text, item); x != nil {
			return Num(*x)
		}
		return Missing
	}
	code := f.spec.code(a, text, item)
	if code == "" {
		return Missing
	}
	i, ok := f.index[code]
	if !ok {
		i = len(f.cats)
		f.index[code] = i
		f.cats = append(f.cats, code)
	}
	return Num(float64(i))
}

// add appends one unit and reports whether its present values differ.
func (f *fieldData) add(anns []*model.Annotation, text string, g Group) bool {
	row := make([]Value, len(anns))
	var first float64
	n, differ := 0, false
	for c, a := range anns {
		row[c] = f.value(a, text, g[c])
		if row[c].OK {
			if n > 0 && row[c].X != first {
				differ = true
			}
			if n == 0 {
				first = row[c].X
			}
			n++
		}
	}
	f.units = append(f.units, row)
	return differ
}

func newFields(specs []valueSpec) map[string]*fieldData {
	m := make(map[string]*fieldData, len(specs))
	for _, s := range specs {
		f := &fieldData{spec: s, index: map[string]int{}, cats: slices.Clone(s.categories)}
		for i, c := range f.cats {
			f.index[c] = i
		}
		m[s.name] = f
	}
	return m
}

var (
	numericLevels = []Level{Nominal, Ordinal, Interval, Ratio}
	ordinalLevels = []Level{Nominal, Ordinal}
	nominalLevels = []Level{Nominal}
	dateLevels    = []Level{Nominal, Ordinal, Interval}
)

func codes(list []model.Code) []string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = c.Code
	}
	return out
}

func intPtr(p *int) *float64 {
	if p == nil {
		return nil
	}
	x := float64(*p)
	return &x
}

// isPrecisionField reports whether a choice field is a precision code
// (location_precision: exact < near < district < province < country),
// whose choices are ordered: ordinal, not nominal.
func isPrecisionField(name string) bool {
	return name == "precision" || strings.HasSuffix(name, "_precision")
}

// incidentValueSpecs are the incident fields by the schema: choice
// nominal (a precision code ordinal, in the order of its choices),
// multichoice and entity fields nominal over the set of codes or entity
// names, count fields three ratio fields (.low, .best, .high), number
// ratio, date .start interval (days) and .precision ordinal. Text fields
// are free text and not compared.
func incidentValueSpecs(schema *model.Schema) []valueSpec {
	var specs []valueSpec
	incidentField := func(a *model.Annotation, item int, name string) (model.Value, bool) {
		v, ok := a.Incidents[item].Fields[name]
		return v, ok && !v.IsZero()
	}
	for _, f := range schema.Fields {
		name := f.Name
		switch f.Type {
		case model.FieldChoice:
			s := valueSpec{name: name, level: Nominal, levels: nominalLevels, categories: codes(f.Choices)}
			if isPrecisionField(name) {
				s.level, s.levels = Ordinal, ordinalLevels
			}
			s.code = func(a *model.Annotation, _ string, item int) string {
				v, _ := incidentField(a, item, name)
				return v.Text
			}
			specs = append(specs, s)
		case model.FieldMultiChoice:
			specs = append(specs, valueSpec{name: name, level: Nominal, levels: nominalLevels,
				code: func(a *model.Annotation, _ string, item int) string {
					v, _ := incidentField(a, item, name)
					list := slices.Clone(v.List)
					slices.Sort(list)
					return strings.Join(slices.Compact(list), "+")
				}})
		case model.FieldEntity:
			specs = append(specs, valueSpec{name: name, level: Nominal, levels: nominalLevels,
				code: func(a *model.Annotation, text string, item int) string {
					v, _ := incidentField(a, item, name)
					return strings.Join(EntityNames(a, text, v.List), " + ")
				}})
		case model.FieldCount:
			for _, part := range []string{"low", "best", "high"} {
				specs = append(specs, valueSpec{name: name + "." + part, level: Ratio, levels: numericLevels,
					number: func(a *model.Annotation, _ string, item int) *float64 {
						v, ok := incidentField(a, item, name)
						if !ok || v.Count == nil {
							return nil
						}
						switch part {
						case "low":
							return intPtr(v.Count.Low)
						case "best":
							return intPtr(v.Count.Best)
						}
						return intPtr(v.Count.High)
					}})
			}
		case model.FieldNumber:
			specs = append(specs, valueSpec{name: name, level: Ratio, levels: numericLevels,
				number: func(a *model.Annotation, _ string, item int) *float64 {
					v, _ := incidentField(a, item, name)
					return intPtr(v.Number)
				}})
		case model.FieldDate:
			specs = append(specs, valueSpec{name: name + ".start", level: Interval, levels: dateLevels,
				number: func(a *model.Annotation, _ string, item int) *float64 {
					v, ok := incidentField(a, item, name)
					if !ok || v.Date == nil {
						return nil
					}
					t, ok := parseDate(v.Date.Start)
					if !ok {
						return nil
					}
					days := float64(t.Unix() / int64(24*time.Hour/time.Second))
					return &days
				}})
			specs = append(specs, valueSpec{name: name + ".precision", level: Ordinal, levels: ordinalLevels,
				categories: model.DatePrecisions,
				code: func(a *model.Annotation, _ string, item int) string {
					v, ok := incidentField(a, item, name)
					if !ok || v.Date == nil {
						return ""
					}
					return v.Date.Precision
				}})
		}
	}
	return specs
}

// claimValueSpecs are the claim attributes: type, polarity, certainty,
// stance (its kind) and claimant (by canonical name) nominal; credibility
// ordinal 1-6; each figure kind of the schema (figures.killed, ...) ratio,
// the number the claim states.
func claimValueSpecs(schema *model.Schema) []valueSpec {
	claim := func(a *model.Annotation, item int) model.Claim { return a.Claims[item] }
	specs := []valueSpec{
		{name: "type", level: Nominal, levels: nominalLevels, categories: schema.Claims.Types,
			code: func(a *model.Annotation, _ string, i int) string { return claim(a, i).Type }},
		{name: "polarity", level: Nominal, levels: nominalLevels, categories: schema.Claims.Polarities,
			code: func(a *model.Annotation, _ string, i int) string { return claim(a, i).Polarity }},
		{name: "certainty", level: Nominal, levels: nominalLevels, categories: schema.Claims.Certainties,
			code: func(a *model.Annotation, _ string, i int) string { return claim(a, i).Certainty }},
		{name: "stance", level: Nominal, levels: nominalLevels, categories: schema.Claims.Stances,
			code: func(a *model.Annotation, _ string, i int) string {
				if s := claim(a, i).Stance; s != nil {
					return s.Kind
				}
				return ""
			}},
		{name: "claimant", level: Nominal, levels: nominalLevels,
			code: func(a *model.Annotation, text string, i int) string { return ClaimantName(a, text, claim(a, i)) }},
		{name: "credibility", level: Ordinal, levels: ordinalLevels, categories: codes(schema.CredibilityGrades),
			code: func(a *model.Annotation, _ string, i int) string { return claim(a, i).Credibility }},
	}
	for _, kind := range schema.Claims.FigureCounts {
		specs = append(specs, valueSpec{name: "figures." + kind, level: Ratio, levels: numericLevels,
			number: func(a *model.Annotation, _ string, i int) *float64 {
				for _, f := range claim(a, i).Figures {
					if f.Counts == kind {
						return intPtr(f.Value)
					}
				}
				return nil
			}})
	}
	return specs
}

// sourceValueSpecs: the source reliability grade, ordinal A-F.
func sourceValueSpecs(schema *model.Schema) []valueSpec {
	return []valueSpec{{name: "reliability", level: Ordinal, levels: ordinalLevels, categories: codes(schema.SourceGrades),
		code: func(a *model.Annotation, _ string, i int) string { return a.Sources[i].Reliability }}}
}

// NewStudy starts a study of these coders (annotator names, in order: the
// first is A of a pair, whose spans precision counts against).
func NewStudy(coders []string, schema *model.Schema, opts AlignOptions) *Study {
	s := &Study{coders: slices.Clone(coders), schema: schema, opts: opts,
		incidentSpecs: incidentValueSpecs(schema), claimSpecs: claimValueSpecs(schema), sourceSpecs: sourceValueSpecs(schema),
		labels: map[string]bool{}, docs: map[string]*Document{}, articles: map[string]bool{}, compared: map[string]bool{},
		items: map[string]*ItemCounts{"incidents": {}, "claims": {}, "sources": {}}}
	s.fields, s.claims, s.sources = newFields(s.incidentSpecs), newFields(s.claimSpecs), newFields(s.sourceSpecs)
	for i := range coders {
		for j := i + 1; j < len(coders); j++ {
			s.pairs = append(s.pairs, [2]int{i, j})
			s.spanPairs = append(s.spanPairs, map[string]*SpanCounts{})
		}
	}
	s.linkPairs = make([]LinkScores, len(s.pairs))
	return s
}

// Coded reports whether an annotation is data: present, not skipped, and
// not an untouched todo. An annotator who marked the article done with
// nothing in it coded it (and marked nothing).
func Coded(a *model.Annotation) bool {
	return a != nil && a.Status != model.StatusSkipped && !a.IsEmpty()
}

// Add adds one article: anns[c] is coder c's annotation of it (nil when
// c has none). Annotations that are not Coded count as not coded.
func (s *Study) Add(id, text string, anns []*model.Annotation) {
	if len(anns) != len(s.coders) {
		panic(fmt.Sprintf("agree: Study.Add with %d annotations for %d coders", len(anns), len(s.coders)))
	}
	s.articles[id] = true
	anns = slices.Clone(anns)
	coded := 0
	for c, a := range anns {
		if !Coded(a) {
			anns[c] = nil
		} else {
			coded++
		}
	}
	if coded == 0 {
		return
	}
	doc := s.docs[id]
	if doc == nil {
		doc = &Document{ID: id, F1Strict: Float(math.NaN()), F1Overlap: Float(math.NaN())}
		s.docs[id] = doc
		s.order = append(s.order, id)
	}

	// Spans, in code points (the offset contract), and their entities.
	ri := model.NewRuneIndex(text)
	spans := make([][]Span, len(anns))
	entities := make([][]Entity, len(anns))
	for c, a := range anns {
		if a == nil {
			continue
		}
		spans[c] = make([]Span, len(a.Entities))
		byEntity := map[string]int{}
		for i, sp := range a.Entities {
			x := Span{Start: ri.Runes(sp.Start), End: ri.Runes(sp.End), Label: sp.Label}
			spans[c][i] = x
			s.labels[sp.Label] = true
			key := sp.Entity
			if key == "" {
				key = "\x00" + sp.ID
			}
			k, ok := byEntity[key]
			if !ok {
				k = len(entities[c])
				byEntity[key] = k
				entities[c] = append(entities[c], nil)
			}
			entities[c][k] = append(entities[c][k], x)
		}
	}
	var docCounts SpanCounts
	for p, pair := range s.pairs {
		a, b := pair[0], pair[1]
		if anns[a] == nil || anns[b] == nil {
			continue
		}
		doc.compared = true
		s.compared[id] = true
		per := map[string]*SpanCounts{}
		compareInto(spans[a], spans[b], per)
		var micro SpanCounts
		for label, c := range per {
			t := s.spanPairs[p][label]
			if t == nil {
				t = &SpanCounts{}
				s.spanPairs[p][label] = t
			}
			t.add(*c)
			micro.add(*c)
		}
		docCounts.add(micro)
		if m := score(micro); m.N > 0 {
			s.perDoc = append(s.perDoc, docMean{id, anns[a].Annotator + "\x00" + anns[b].Annotator, m.F1Strict, m.F1Overlap})
		}
		l := LinkF1(entities[a], entities[b])
		t := &s.linkPairs[p]
		t.LinksA += l.LinksA
		t.LinksB += l.LinksB
		t.Common += l.Common
	}
	if coded == len(anns) {
		s.unitizing = append(s.unitizing, UnitizingDoc{Length: ri.Len(), Annotators: spans})
	}
	ds := score(docCounts)
	doc.Spans += ds.Disagreements()
	if ds.N > 0 {
		// A document added again (one pair at a time, against gold)
		// keeps the F1 of its last pair.
		doc.F1Strict, doc.F1Overlap = Float(ds.F1Strict), Float(ds.F1Overlap)
	}

	al := Align(text, anns, s.schema, s.opts)
	tally := func(kind string, groups []Group, fields map[string]*fieldData, specs []valueSpec) {
		ic := s.items[kind]
		for _, g := range groups {
			ic.Groups++
			if g.Coders() == coded {
				ic.All++
			} else {
				ic.Some++
				doc.Items++
			}
			for _, spec := range specs {
				if fields[spec.name].add(anns, text, g) {
					doc.Values++
				}
			}
		}
	}
	tally("incidents", al.Incidents, s.fields, s.incidentSpecs)
	tally("claims", al.Claims, s.claims, s.claimSpecs)
	sources := make([]Group, len(al.Sources))
	for i, g := range al.Sources {
		sources[i] = g.Group
	}
	tally("sources", sources, s.sources, s.sourceSpecs)
	doc.Disagreements = doc.Spans + doc.Items + doc.Values
}

// Float is a figure that is NaN when undefined; it marshals NaN as null.
type Float float64

// MarshalJSON writes null for NaN and infinities.
func (x Float) MarshalJSON() ([]byte, error) {
	f := float64(x)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return []byte(fmt.Sprint(roundJSON(f))), nil
}

// roundJSON drops the last bits of float noise (0.7430000000000001) from
// the report; 12 significant digits are far more than any figure needs.
func roundJSON(f float64) float64 {
	if f == 0 {
		return 0
	}
	p := math.Pow(10, 12-math.Ceil(math.Log10(math.Abs(f))))
	return math.Round(f*p) / p
}

// Defined reports whether the figure has a value.
func (x Float) Defined() bool { return !math.IsNaN(float64(x)) && !math.IsInf(float64(x), 0) }

// SpanFigures are span agreement for one label (or micro: all labels).
type SpanFigures struct {
	Precision Float `json:"precision"`
	Recall    Float `json:"recall"`
	F1Strict  Float `json:"f1_strict"`
	F1Overlap Float `json:"f1_overlap"`
	// AlphaU is Krippendorff's unitizing alpha for the label (absent
	// from micro: alpha_u is per label).
	AlphaU *Float `json:"alpha_u,omitempty"`
	// N is the spans the F1 rests on: both coders' spans, summed over
	// pairs and documents.
	N          int `json:"n"`
	NAlphaU    int `json:"n_alpha_u,omitempty"`
	Strict     int `json:"strict"`
	Overlap    int `json:"overlap"`
	OtherLabel int `json:"other_label"`
	OnlyA      int `json:"only_a"`
	OnlyB      int `json:"only_b"`
	// MeanF1Strict and MeanF1Overlap are the mean of per-document micro
	// F1 (micro only, with --per-doc), one F1 per article and pair of
	// annotators who both coded it, where either marked a span.
	MeanF1Strict  *Float `json:"mean_per_document_f1_strict,omitempty"`
	MeanF1Overlap *Float `json:"mean_per_document_f1_overlap,omitempty"`
	// MeanDocuments is the number of F1s averaged (article-pairs);
	// MeanArticles and MeanPairs the distinct articles and annotator
	// pairs among them.
	MeanDocuments int               `json:"mean_per_document_n,omitempty"`
	MeanArticles  int               `json:"mean_per_document_articles,omitempty"`
	MeanPairs     int               `json:"mean_per_document_annotator_pairs,omitempty"`
	Reasons       map[string]string `json:"reasons,omitempty"`
}

// Grouping is entity grouping agreement: pairwise link F1 over mention
// pairs put in one entity.
type Grouping struct {
	Precision Float             `json:"precision"`
	Recall    Float             `json:"recall"`
	F1        Float             `json:"f1"`
	N         int               `json:"n"`
	LinksA    int               `json:"links_a"`
	LinksB    int               `json:"links_b"`
	Common    int               `json:"common"`
	Reasons   map[string]string `json:"reasons,omitempty"`
}

// Coefficients are the reliability coefficients of one field.
type Coefficients struct {
	// Level is the field's level of measurement; Alpha is computed at it.
	Level string `json:"level"`
	// N is the number of units (aligned items) with two or more values.
	N      int   `json:"n"`
	Kappa  Float `json:"kappa"`
	Pi     Float `json:"pi"`
	Fleiss Float `json:"fleiss"`
	Alpha  Float `json:"alpha"`
	AC1    Float `json:"ac1"`
	Exact  Float `json:"exact"`
	// The alphas at every level that applies to the field.
	AlphaNominal  *Float `json:"alpha_nominal,omitempty"`
	AlphaOrdinal  *Float `json:"alpha_ordinal,omitempty"`
	AlphaInterval *Float `json:"alpha_interval,omitempty"`
	AlphaRatio    *Float `json:"alpha_ratio,omitempty"`
	// NBy is each figure's own n (see Method.Pooling for what it counts).
	NBy map[string]int `json:"n_by"`
	// Reasons say why a figure is null, or which convention it follows.
	Reasons map[string]string `json:"reasons,omitempty"`
}

// Method says how the figures were obtained.
type Method struct {
	Alignment map[string]string `json:"alignment"`
	Pooling   map[string]string `json:"pooling"`
	Kappa     string            `json:"kappa"`
	Missing   string            `json:"missing"`
	Levels    string            `json:"levels"`
}

// Report is every measure of a study. Its JSON is `agree --json`.
type Report struct {
	Annotators []string `json:"annotators"`
	Against    string   `json:"against,omitempty"`
	// Articles is the articles read; ArticlesAnnotated those any
	// annotator coded; ArticlesCompared those two annotators of a pair
	// both coded, the articles spans, entity grouping and items were
	// compared on.
	Articles          int                     `json:"articles"`
	ArticlesAnnotated int                     `json:"articles_annotated"`
	ArticlesCompared  int                     `json:"articles_compared"`
	Entities          map[string]SpanFigures  `json:"entities"`
	EntityGrouping    Grouping                `json:"entity_grouping"`
	Fields            map[string]Coefficients `json:"fields"`
	Claims            map[string]Coefficients `json:"claims"`
	Sources           map[string]Coefficients `json:"sources"`
	Items             map[string]ItemCounts   `json:"items"`
	Documents         []Document              `json:"documents"`
	Method            Method                  `json:"method"`
	// ByAnnotator holds, against gold, each annotator's own report.
	ByAnnotator map[string]*Report `json:"by_annotator,omitempty"`
}

func nums(f float64) *Float { n := Float(f); return &n }

// Report computes every measure. perDoc adds the mean of per-document
// span F1 beside the pooled figures.
func (s *Study) Report(perDoc bool) *Report {
	r := &Report{Annotators: slices.Clone(s.coders), Entities: map[string]SpanFigures{},
		Fields: map[string]Coefficients{}, Claims: map[string]Coefficients{}, Sources: map[string]Coefficients{},
		Items: map[string]ItemCounts{}, Method: s.method()}
	r.Articles, r.ArticlesAnnotated, r.ArticlesCompared = len(s.articles), len(s.docs), len(s.compared)
	twoCoders := len(s.coders) == 2
	asymmetric := "with more than two annotators precision and recall depend on which annotator is the reference: use --against gold, or compare two"
	notCompared := "no article was annotated by both annotators of a pair"
	// The reasons for a precision (recall) with nothing to count
	// against: "no span of this label by alice, whose spans precision
	// counts against".
	byA := func(what, whose string) string {
		return fmt.Sprintf("no %s by %s, whose %s precision counts against", what, s.coders[0], whose)
	}
	byB := func(what, whose string) string {
		return fmt.Sprintf("no %s by %s, whose %s recall counts against", what, s.coders[len(s.coders)-1], whose)
	}

	// Spans: counts summed over documents and pairs, then scored.
	perLabel := map[string]*SpanCounts{}
	for _, pc := range s.spanPairs {
		for label, c := range pc {
			t := perLabel[label]
			if t == nil {
				t = &SpanCounts{}
				perLabel[label] = t
			}
			t.add(*c)
		}
	}
	var micro SpanCounts
	labels := make([]string, 0, len(s.labels))
	for l := range s.labels {
		labels = append(labels, l)
	}
	slices.Sort(labels)
	spanFigures := func(c SpanCounts, what string) SpanFigures {
		sc := score(c)
		f := SpanFigures{Precision: Float(sc.PrecisionStrict), Recall: Float(sc.RecallStrict), F1Strict: Float(sc.F1Strict),
			F1Overlap: Float(sc.F1Overlap), N: sc.N, Strict: c.Strict, Overlap: c.Overlap,
			OtherLabel: c.OtherLabel + c.OverlapOtherLabel, OnlyA: c.OnlyA, OnlyB: c.OnlyB, Reasons: map[string]string{}}
		switch {
		case len(s.compared) == 0:
			why := notCompared + ": no spans were compared"
			f.Reasons["precision"], f.Reasons["recall"], f.Reasons["f1_strict"], f.Reasons["f1_overlap"] = why, why, why, why
		case sc.N == 0:
			why := fmt.Sprintf("no spans on the %d %s compared", len(s.compared), plural(len(s.compared), "article", "articles"))
			f.Reasons["precision"], f.Reasons["recall"], f.Reasons["f1_strict"], f.Reasons["f1_overlap"] = why, why, why, why
		default:
			if c.A == 0 {
				f.Reasons["precision"] = byA(what, "spans")
			}
			if c.B == 0 {
				f.Reasons["recall"] = byB(what, "spans")
			}
		}
		if !twoCoders {
			f.Precision, f.Recall = Float(math.NaN()), Float(math.NaN())
			f.Reasons["precision"], f.Reasons["recall"] = asymmetric, asymmetric
		}
		return f
	}
	for _, label := range labels {
		var c SpanCounts
		if t := perLabel[label]; t != nil {
			c = *t
		}
		micro.add(c)
		f := spanFigures(c, "span of this label")
		au := UnitizingAlpha(s.unitizing, label)
		f.AlphaU, f.NAlphaU = nums(au.Value), au.N
		switch {
		case len(s.unitizing) == 0:
			f.Reasons["alpha_u"] = "no article was annotated by every annotator: alpha_u compares only those"
		case !au.Defined() && au.N == 0:
			f.Reasons["alpha_u"] = fmt.Sprintf("nobody marked this label on the %d %s every annotator annotated (alpha_u compares only those)",
				len(s.unitizing), plural(len(s.unitizing), "article", "articles"))
		case au.Reason != "":
			f.Reasons["alpha_u"] = au.Reason
		}
		if len(f.Reasons) == 0 {
			f.Reasons = nil
		}
		r.Entities[label] = f
	}
	mf := spanFigures(micro, "span")
	if perDoc {
		st, ov, n := 0.0, 0.0, 0
		articles, pairs := map[string]bool{}, map[string]bool{}
		for _, d := range s.perDoc {
			st += d.strict
			ov += d.overlap
			n++
			articles[d.doc], pairs[d.pair] = true, true
		}
		if n > 0 {
			mf.MeanF1Strict, mf.MeanF1Overlap = nums(st/float64(n)), nums(ov/float64(n))
		} else {
			mf.MeanF1Strict, mf.MeanF1Overlap = nums(math.NaN()), nums(math.NaN())
			why := notCompared + ": nothing to average"
			if len(s.compared) > 0 {
				why = fmt.Sprintf("no span on the %d %s compared: nothing to average", len(s.compared), plural(len(s.compared), "article", "articles"))
			}
			mf.Reasons["mean_per_document_f1_strict"], mf.Reasons["mean_per_document_f1_overlap"] = why, why
		}
		mf.MeanDocuments, mf.MeanArticles, mf.MeanPairs = n, len(articles), len(pairs)
	}
	if len(mf.Reasons) == 0 {
		mf.Reasons = nil
	}
	r.Entities["micro"] = mf

	// Entity grouping.
	var links LinkScores
	for _, l := range s.linkPairs {
		links.LinksA += l.LinksA
		links.LinksB += l.LinksB
		links.Common += l.Common
	}
	g := Grouping{Precision: Float(ratio(links.Common, links.LinksA)), Recall: Float(ratio(links.Common, links.LinksB)),
		F1: Float(ratio(2*links.Common, links.LinksA+links.LinksB)), N: links.LinksA + links.LinksB,
		LinksA: links.LinksA, LinksB: links.LinksB, Common: links.Common, Reasons: map[string]string{}}
	switch {
	case len(s.compared) == 0:
		why := notCompared + ": no links were compared"
		g.Reasons["precision"], g.Reasons["recall"], g.Reasons["f1"] = why, why, why
	case g.N == 0:
		why := "no entity has two or more mentions: no links to compare"
		g.Reasons["precision"], g.Reasons["recall"], g.Reasons["f1"] = why, why, why
	default:
		if links.LinksA == 0 {
			g.Reasons["precision"] = byA("link (two mentions in one entity)", "links")
		}
		if links.LinksB == 0 {
			g.Reasons["recall"] = byB("link (two mentions in one entity)", "links")
		}
	}
	if !twoCoders {
		g.Precision, g.Recall = Float(math.NaN()), Float(math.NaN())
		g.Reasons["precision"], g.Reasons["recall"] = asymmetric, asymmetric
	}
	if len(g.Reasons) == 0 {
		g.Reasons = nil
	}
	r.EntityGrouping = g

	for _, sec := range []struct {
		out   map[string]Coefficients
		data  map[string]*fieldData
		specs []valueSpec
	}{{r.Fields, s.fields, s.incidentSpecs}, {r.Claims, s.claims, s.claimSpecs}, {r.Sources, s.sources, s.sourceSpecs}} {
		for _, spec := range sec.specs {
			f := sec.data[spec.name]
			sec.out[spec.name] = s.coefficients(f)
		}
	}
	for k, v := range s.items {
		r.Items[k] = *v
	}
	for _, id := range s.order {
		d := *s.docs[id]
		if !d.F1Strict.Defined() {
			why := "no annotator marked a span in this article"
			if !d.compared {
				why = "only one annotator annotated this article: its spans were not compared"
			}
			d.Reasons = map[string]string{"f1_strict": why, "f1_overlap": why}
		}
		r.Documents = append(r.Documents, d)
	}
	slices.SortStableFunc(r.Documents, func(a, b Document) int {
		return cmp.Or(cmp.Compare(b.Disagreements, a.Disagreements), cmp.Compare(a.ID, b.ID))
	})
	if r.Documents == nil {
		r.Documents = []Document{}
	}
	return r
}

func (s *Study) coefficients(f *fieldData) Coefficients {
	d := Data{Units: f.units, Categories: f.cats}
	if f.spec.number != nil {
		d.Categories = nil
	}
	d.CoderCount = len(s.coders)
	c := Coefficients{Level: f.spec.level.String(), NBy: map[string]int{}, Reasons: map[string]string{}}
	put := func(name string, res Result, into *Float) {
		*into = Float(res.Value)
		c.NBy[name] = res.N
		if res.Reason != "" {
			c.Reasons[name] = res.Reason
		}
	}
	alphas := map[Level]Result{}
	for _, l := range f.spec.levels {
		alphas[l] = Alpha(d, l)
	}
	main := alphas[f.spec.level]
	c.N = main.Units
	put("alpha", main, &c.Alpha)
	for _, l := range f.spec.levels {
		var into **Float
		switch l {
		case Nominal:
			into = &c.AlphaNominal
		case Ordinal:
			into = &c.AlphaOrdinal
		case Interval:
			into = &c.AlphaInterval
		case Ratio:
			into = &c.AlphaRatio
		}
		*into = new(Float)
		put("alpha_"+l.String(), alphas[l], *into)
	}
	put("fleiss", FleissKappa(d), &c.Fleiss)
	put("ac1", GwetAC1(d), &c.AC1)
	put("exact", ExactMatch(d), &c.Exact)
	if len(s.coders) == 2 {
		put("kappa", CohenKappa(d), &c.Kappa)
		put("pi", ScottPi(d), &c.Pi)
	} else {
		put("kappa", pairwiseMean(d, len(s.coders), CohenKappa, "Cohen's kappa"), &c.Kappa)
		put("pi", pairwiseMean(d, len(s.coders), ScottPi, "Scott's pi"), &c.Pi)
	}
	if len(c.Reasons) == 0 {
		c.Reasons = nil
	}
	return c
}

// pairwiseMean is the mean of a two-coder coefficient over every pair of
// coders where it is defined (for kappa, Light's 1971 kappa). N is the
// number of pairs averaged.
func pairwiseMean(d Data, coders int, f func(Data) Result, name string) Result {
	sum, n, pairs := 0.0, 0, 0
	var why []string
	for a := range coders {
		for b := a + 1; b < coders; b++ {
			pairs++
			r := f(d.Pair(a, b))
			if r.Defined() {
				sum += r.Value
				n++
			} else if !slices.Contains(why, r.Reason) {
				why = append(why, r.Reason)
			}
		}
	}
	if n == 0 {
		slices.Sort(why)
		return undefined(fmt.Sprintf("%s is undefined for every pair of annotators: %s", name, strings.Join(why, "; ")))
	}
	return Result{Value: sum / float64(n), N: n, Units: n, Observed: math.NaN(), Expected: math.NaN(),
		Reason: fmt.Sprintf("more than two annotators: the mean of pairwise %s over %d of %d pairs (n = pairs averaged)", name, n, pairs)}
}

func (s *Study) method() Method {
	window := s.opts.withDefaults().DateWindow
	kappa := "two annotators: Cohen's kappa and Scott's pi over the units both coded"
	if len(s.coders) > 2 {
		kappa = "more than two annotators: kappa is the mean of pairwise Cohen's kappa (Light 1971) and pi the mean of pairwise Scott's pi, over the pairs where each is defined (n_by = pairs averaged); fleiss is Fleiss' kappa over all annotators"
	}
	return Method{
		Alignment: map[string]string{
			"spans":     "per pair of annotators and document: same boundaries and label first, then one to one by largest character overlap with the same label, then same boundaries with another label, then overlap with another label; ties in overlap go by position and label (start, end, label of the first annotator's span, then the second's), never by the order spans are stored in; offsets in code points",
			"entities":  "mentions grouped into entities are compared as pairwise links (mention pairs in one entity, by boundaries); entity values (claimant, location, perpetrators, targets, claimed_by) are compared by the entity's canonical name (case and spacing folded), never by id",
			"incidents": fmt.Sprintf("where every annotator with incidents in an article has exactly one, those are aligned whatever their fields; else pairs with a compatible event type (same sub-event type, or the same event type group), start dates within %d days (widened by a coarser date precision) and the same location entity by name (or one part_of the other) are aligned one to one by best score (event type 2, same group 1; date closeness up to 1; location 1); an empty field is not held against a pair", window),
			"claims":    "where every annotator with claims in an article has exactly one, those are aligned whatever their fields; else pairs whose content ranges overlap are aligned one to one by best score: content overlap (Jaccard) plus 1 for the same claimant by canonical name",
			"sources":   "source grades are aligned by the graded source's canonical name (its entity's, else the name as written)",
			"documents": "an article counts for an annotator when the annotation exists, is not skipped and is not an untouched todo; articles_annotated = articles any annotator coded; spans, entity grouping and items are compared on articles both annotators of a pair coded (articles_compared), alpha_u on articles every annotator coded",
		},
		Pooling: map[string]string{
			"entities.*.precision, recall, f1_strict, f1_overlap": "pooled: counts summed over documents (and annotator pairs), then scored; n = spans of both sides",
			"entities.*.strict, overlap":                          "aligned pairs of spans (one count per pair)",
			"entities.*.other_label":                              "spans of both sides (A's and B's) aligned with a span of another label, each counted under its own label: one pair counts 2",
			"entities.*.only_a, only_b":                           "spans of one side (A's, B's) aligned with nothing",
			"entities.*.alpha_u":                                  "pooled: the documents are one continuum of code points; n_alpha_u = units (each annotator's spans of the label, overlaps merged)",
			"entities.micro.mean_per_document_f1_*":               "averaged per document (with --per-doc): the mean of the micro F1 of each article-pair (an article and a pair of annotators who both coded it, where either marked a span); mean_per_document_n = article-pairs averaged, mean_per_document_articles and mean_per_document_annotator_pairs = the distinct articles and annotator pairs among them",
			"entity_grouping":                                     "pooled: links summed over documents (and pairs); n = links of both sides",
			"*.alpha, alpha_*":                                    "pooled over the aligned items of every document; n_by.alpha = pairable values (units with two or more values)",
			"*.kappa, pi":                                         "pooled over aligned items both annotators coded; n_by = those units (more than two annotators: pairs averaged)",
			"*.fleiss, ac1":                                       "pooled over aligned items with two or more values; n_by = those units",
			"*.exact":                                             "pooled: share of pairs of values that are equal; n_by.exact = pairs of values",
			"*.n":                                                 "units (aligned items) with two or more values",
			"documents":                                           "per document: spans not aligned strictly (summed over pairs), items only some annotators have, values that differ",
		},
		Kappa:   kappa,
		Missing: "an item an annotator does not have, a field left empty and \"unknown\" are missing values, not categories; 0 is a value",
		Levels:  "choice fields nominal, precision codes (name *_precision, date .precision) ordinal in schema order, multichoice and entity fields nominal over the whole set; counts (.low, .best, .high), numbers and claim figures ratio; date .start interval in days; claims type, polarity, certainty, stance, claimant nominal, credibility ordinal 1-6; sources.reliability ordinal A-F; text fields are not compared; kappa, pi, fleiss and ac1 treat every distinct value as a category",
	}
}

// plural is one or many by n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
