package formats

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/annotate-tool/annotate/internal/model"
)

// The native format: one JSON object per line per article and annotator,
// lossless, with code point offsets (README.md, "The native format").

// NativeEntity is an entity span in the native format.
type NativeEntity struct {
	ID    string `json:"id"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	Label string `json:"label"`
	Text  string `json:"text"`
	// Entity is the id of the entity (in the record's referents) the
	// span mentions.
	Entity string `json:"entity,omitempty"`
}

// NativeRejection is a suggestion the annotator turned down: that stretch
// of text with that label is not suggested again in the article.
type NativeRejection struct {
	Start int    `json:"start"`
	End   int    `json:"end"`
	Label string `json:"label"`
	Text  string `json:"text"`
}

// NativeClaimant names who makes a claim: a span (with its text) or a name.
type NativeClaimant struct {
	Span string `json:"span,omitempty"`
	Text string `json:"text"`
}

// NativeClaim is a claim in the native format.
type NativeClaim struct {
	ID        string         `json:"id"`
	Claimant  NativeClaimant `json:"claimant"`
	Cue       *ExportSpan    `json:"cue,omitempty"`
	Content   []ExportSpan   `json:"content"`
	Type      string         `json:"type,omitempty"`
	Polarity  string         `json:"polarity,omitempty"`
	Certainty string         `json:"certainty,omitempty"`
	Figures   []model.Figure `json:"figures,omitempty"`
	// Figure is the single figure of exports before claims had a list of
	// figures; it is read on import (as an exact figure, first), never
	// written.
	Figure         *LegacyFigure `json:"figure,omitempty"`
	Stance         *model.Stance `json:"stance,omitempty"`
	SelfInterested bool          `json:"self_interested"`
	Credibility    string        `json:"credibility,omitempty"`
}

// LegacyFigure is a claim's figure as annotate exported it before figures
// had qualifiers: a plain whole number and what it counts.
type LegacyFigure struct {
	Value  int    `json:"value"`
	Counts string `json:"counts"`
}

// NativeIncident is an incident form in the native format. Field values are
// plain JSON: a string (text, choice), a number, {"low","best","high"} (a
// count; null is unknown), {"start","end","precision"} (a date), or a list
// (multi-choice codes, entity span IDs).
type NativeIncident struct {
	ID       string              `json:"id"`
	Fields   map[string]any      `json:"fields"`
	Evidence map[string][]string `json:"evidence"`
}

// NativeSource is a source's reliability grade.
type NativeSource struct {
	Source      string `json:"source"`
	Span        string `json:"span,omitempty"`
	Entity      string `json:"entity,omitempty"`
	Reliability string `json:"grade"`
	Rationale   string `json:"rationale,omitempty"`
}

// NativeReview is where a reviewer's review of the annotation stands, in
// the native format (model.Review): State "" (comments only), "returned"
// or "accepted"; By the reviewer; At when the state was set (UTC, null
// when never); Seen, for a returned annotation, a digest of each review
// item as it was returned; the comments exchanged, oldest first.
type NativeReview struct {
	State    string            `json:"state"`
	By       string            `json:"by"`
	At       *time.Time        `json:"at"`
	Seen     map[string]string `json:"seen,omitempty"`
	Comments []NativeComment   `json:"comments"`
}

// NativeComment is a comment on a review item (Item names it as review
// does, "" for the article as a whole) with its replies, oldest first.
type NativeComment struct {
	Item string `json:"item"`
	// Title names the item for people; Where is the stretch of text it
	// lies in, in code points (nil for a comment on the article).
	Title   string          `json:"title,omitempty"`
	Where   *NativeRange    `json:"where,omitempty"`
	Text    string          `json:"text"`
	By      string          `json:"by"`
	At      time.Time       `json:"at"`
	Replies []NativeComment `json:"replies"`
}

// NativeRange is a stretch of the text in code points.
type NativeRange struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// nativeReview is a review in the native format (nil for none).
func nativeReview(x *exporter, r *model.Review) (*NativeReview, error) {
	if r == nil {
		return nil, nil
	}
	comments, err := nativeComments(x, r.Comments)
	if err != nil {
		return nil, err
	}
	out := &NativeReview{State: r.State, By: r.By, Seen: maps.Clone(r.Seen), Comments: comments}
	if !r.At.IsZero() {
		t := r.At.UTC()
		out.At = &t
	}
	return out, nil
}

func nativeComments(x *exporter, cs []model.Comment) ([]NativeComment, error) {
	out := make([]NativeComment, len(cs))
	for i, c := range cs {
		replies, err := nativeComments(x, c.Replies)
		if err != nil {
			return nil, err
		}
		out[i] = NativeComment{Item: c.Item, Title: c.Title, Text: c.Text, By: c.By, At: c.At.UTC(), Replies: replies}
		if c.Where != nil {
			e, err := x.offsets(*c.Where)
			if err != nil {
				return nil, fmt.Errorf("review comment %d: %w", i, err)
			}
			out[i].Where = &NativeRange{Start: e.Start, End: e.End}
		}
	}
	return out, nil
}

// reviewFromNative is nativeReview's inverse.
func reviewFromNative(im *importer, n *NativeReview) (*model.Review, error) {
	if n == nil {
		return nil, nil
	}
	comments, err := commentsFromNative(im, n.Comments)
	if err != nil {
		return nil, err
	}
	r := &model.Review{State: n.State, By: n.By, Seen: maps.Clone(n.Seen), Comments: comments}
	if n.At != nil {
		r.At = n.At.UTC()
	}
	return r, nil
}

func commentsFromNative(im *importer, cs []NativeComment) ([]model.Comment, error) {
	if len(cs) == 0 {
		return nil, nil
	}
	out := make([]model.Comment, len(cs))
	for i, c := range cs {
		replies, err := commentsFromNative(im, c.Replies)
		if err != nil {
			return nil, err
		}
		out[i] = model.Comment{Item: c.Item, Title: c.Title, Text: c.Text, By: c.By, At: c.At.UTC(), Replies: replies}
		if c.Where != nil {
			r, err := im.rng(c.Where.Start, c.Where.End, "")
			if err != nil {
				return nil, fmt.Errorf("review.comments[%d].where: %w", i, err)
			}
			out[i].Where = &r
		}
	}
	return out, nil
}

// NativeRecord is one line of the native format.
type NativeRecord struct {
	ID        string         `json:"id"`
	Text      string         `json:"text"`
	Meta      map[string]any `json:"meta"`
	Annotator string         `json:"annotator"`
	Status    model.Status   `json:"status"`
	UpdatedAt *time.Time     `json:"updated_at"`
	Schema    string         `json:"schema"`
	Entities  []NativeEntity `json:"entities"`
	// Referents are the entities the spans mention, as the model holds
	// them (id, name, label, aliases, external_ids, registry,
	// affiliations, label_note).
	Referents   []model.Entity    `json:"referents"`
	Claims      []NativeClaim     `json:"claims"`
	Incidents   []NativeIncident  `json:"incidents"`
	Reliability []NativeSource    `json:"reliability"`
	Rejected    []NativeRejection `json:"rejected,omitempty"`
	Notes       string            `json:"notes"`
	// Decisions are a gold annotation's provenance: each review decision
	// with the item, its kind, the annotators whose version was taken,
	// the gold ids it produced, the reviewer, the time and what each
	// annotator had then (model.Decision). Item names the item as review
	// does ("span 12-16", code points): a name, not offsets to slice with.
	Decisions []model.Decision `json:"decisions,omitempty"`
	// Review is where a reviewer's review of the annotation stands, with
	// the comments on it; absent when it was never reviewed.
	Review *NativeReview `json:"review,omitempty"`
}

// ArticleMeta gathers an article's metadata for an export's "meta" object.
func ArticleMeta(a model.Article) map[string]any {
	m := map[string]any{}
	for k, v := range a.Meta {
		m[k] = v
	}
	set := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	set("title", a.Title)
	set("source", a.Source)
	set("url", a.URL)
	set("published", a.Published)
	set("external_id", a.ExternalID)
	set("imported_from", a.ImportedFrom)
	return m
}

// ToNative converts an annotation of an article to its native record,
// refusing any span that does not satisfy the offset contract.
func ToNative(art model.Article, a model.Annotation) (NativeRecord, error) {
	x := newExporter(art.Text)
	rec := NativeRecord{
		ID: art.ID, Text: art.Text, Meta: ArticleMeta(art), Annotator: a.Annotator,
		Status: a.Status, Schema: a.Schema, Notes: a.Notes,
		Entities: []NativeEntity{}, Referents: []model.Entity{}, Claims: []NativeClaim{}, Incidents: []NativeIncident{}, Reliability: []NativeSource{},
	}
	if rec.Status == "" {
		rec.Status = model.StatusTodo
	}
	if !a.UpdatedAt.IsZero() {
		t := a.UpdatedAt.UTC()
		rec.UpdatedAt = &t
	}
	spans := sortedSpans(a.Entities)
	for _, s := range spans {
		e, err := x.span(s.Range())
		if err != nil {
			return rec, fmt.Errorf("article %s, %s span %s: %w", art.ID, a.Annotator, s.ID, err)
		}
		rec.Entities = append(rec.Entities, NativeEntity{ID: s.ID, Start: e.Start, End: e.End, Label: s.Label, Text: e.Text, Entity: s.Entity})
	}
	for _, e := range a.Referents {
		rec.Referents = append(rec.Referents, cloneEntity(e))
	}
	for _, c := range a.Claims {
		nc := NativeClaim{ID: c.ID, Type: c.Type, Polarity: c.Polarity, Certainty: c.Certainty,
			Figures: c.Figures, Stance: c.Stance, SelfInterested: c.SelfInterested, Credibility: c.Credibility, Content: []ExportSpan{}}
		nc.Claimant = NativeClaimant{Span: c.Claimant.SpanID, Text: c.Claimant.Name}
		if sp, ok := a.Span(c.Claimant.SpanID); ok {
			nc.Claimant.Text = art.Text[sp.Start:sp.End]
		}
		if c.Cue != nil {
			cue, err := x.span(*c.Cue)
			if err != nil {
				return rec, fmt.Errorf("article %s, claim %s cue: %w", art.ID, c.ID, err)
			}
			nc.Cue = &cue
		}
		for _, r := range c.Content {
			e, err := x.span(r)
			if err != nil {
				return rec, fmt.Errorf("article %s, claim %s content: %w", art.ID, c.ID, err)
			}
			nc.Content = append(nc.Content, e)
		}
		rec.Claims = append(rec.Claims, nc)
	}
	for _, inc := range a.Incidents {
		ni := NativeIncident{ID: inc.ID, Fields: map[string]any{}, Evidence: map[string][]string{}}
		for name, v := range inc.Fields {
			if !v.IsZero() {
				ni.Fields[name] = NativeValue(v)
			}
		}
		for name, ids := range inc.Evidence {
			if len(ids) > 0 {
				ni.Evidence[name] = append([]string(nil), ids...)
			}
		}
		rec.Incidents = append(rec.Incidents, ni)
	}
	for _, g := range a.Sources {
		rec.Reliability = append(rec.Reliability, NativeSource{Source: g.Source, Span: g.SpanID, Entity: g.Entity, Reliability: g.Reliability, Rationale: g.Rationale})
	}
	for _, d := range a.Decisions {
		d.From, d.Gold, d.Seen = slices.Clone(d.From), slices.Clone(d.Gold), maps.Clone(d.Seen)
		d.At = d.At.UTC()
		rec.Decisions = append(rec.Decisions, d)
	}
	var err error
	if rec.Review, err = nativeReview(x, a.Review); err != nil {
		return rec, fmt.Errorf("article %s, %s's review: %w", art.ID, a.Annotator, err)
	}
	for i, r := range a.Rejected {
		e, err := x.offsets(model.Range{Start: r.Start, End: r.End})
		if err != nil {
			return rec, fmt.Errorf("article %s, %s rejected suggestion %d: %w", art.ID, a.Annotator, i, err)
		}
		rec.Rejected = append(rec.Rejected, NativeRejection{Start: e.Start, End: e.End, Label: r.Label, Text: e.Text})
	}
	return rec, nil
}

// NativeValue turns a field value into plain JSON.
func NativeValue(v model.Value) any {
	switch {
	case v.Count != nil:
		return map[string]*int{"low": v.Count.Low, "best": v.Count.Best, "high": v.Count.High}
	case v.Date != nil:
		return v.Date
	case v.Number != nil:
		return *v.Number
	case v.List != nil:
		return v.List
	}
	return v.Text
}

func sortedSpans(spans []model.Span) []model.Span {
	out := append([]model.Span(nil), spans...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Start != out[j].Start {
			return out[i].Start < out[j].Start
		}
		if out[i].End != out[j].End {
			return out[i].End > out[j].End
		}
		return out[i].Label < out[j].Label
	})
	return out
}

// LineWriter writes one JSON value per line. Map keys come out sorted, so
// the same database always exports the same bytes.
type LineWriter struct {
	w   *bufio.Writer
	buf bytes.Buffer
	enc *json.Encoder
}

// NewLineWriter wraps w.
func NewLineWriter(w io.Writer) *LineWriter {
	l := &LineWriter{w: bufio.NewWriterSize(w, 256*1024)}
	l.enc = json.NewEncoder(&l.buf)
	l.enc.SetEscapeHTML(false)
	return l
}

// Write writes v and a newline. encoding/json escapes C0 controls but
// leaves C1 and bidi controls raw, and these lines often go to a terminal
// (list --json): every model.UnsafeRune is written as a \u escape, which
// decodes to the same string.
func (l *LineWriter) Write(v any) error {
	l.buf.Reset()
	if err := l.enc.Encode(v); err != nil {
		return err
	}
	b := l.buf.Bytes()
	if !bytes.ContainsFunc(b, model.UnsafeRune) {
		_, err := l.w.Write(b)
		return err
	}
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if model.UnsafeRune(r) {
			fmt.Fprintf(l.w, `\u%04x`, r)
		} else {
			l.w.Write(b[:size])
		}
		b = b[size:]
	}
	return nil
}

// Flush flushes buffered lines.
func (l *LineWriter) Flush() error { return l.w.Flush() }

// nativeIn is a native record as read: ToNative's output, with every field
// optional so that an older or hand-written file reads too.
type nativeIn struct {
	Text        *string           `json:"text"`
	Meta        map[string]any    `json:"meta"`
	Annotator   string            `json:"annotator"`
	Status      model.Status      `json:"status"`
	Schema      string            `json:"schema"`
	Entities    []NativeEntity    `json:"entities"`
	Referents   []model.Entity    `json:"referents"`
	Claims      []NativeClaim     `json:"claims"`
	Incidents   []NativeIncident  `json:"incidents"`
	Reliability []NativeSource    `json:"reliability"`
	Rejected    []NativeRejection `json:"rejected"`
	Notes       string            `json:"notes"`
	Decisions   []model.Decision  `json:"decisions"`
	Review      *NativeReview     `json:"review"`
}

// ReadNative reads annotate's own format (one record per line, as export
// --format native writes it): every part of the annotation, with its IDs.
func ReadNative(path string, r io.Reader, opts ImportOptions, fn func(Annotated) error) ([]RecordError, error) {
	return readRecords(path, r, func(raw []byte, where string) ([]Annotated, error) {
		rec, err := parseNative(raw, where, opts)
		return []Annotated{rec}, err
	}, fn)
}

func parseNative(raw []byte, where string, opts ImportOptions) (Annotated, error) {
	var n nativeIn
	if err := json.Unmarshal(raw, &n); err != nil {
		return Annotated{}, jsonError(err)
	}
	if n.Text == nil {
		return Annotated{}, errors.New(`no "text" field`)
	}
	if err := checkRecordText(*n.Text); err != nil {
		return Annotated{}, err
	}
	text := *n.Text
	rec := Annotated{Article: articleFrom(text, n.Meta, where), Annotator: n.Annotator, Where: where}
	a := newAnnotated(text)
	a.Status, a.Schema, a.Notes = n.Status, n.Schema, n.Notes
	if a.Status == "" {
		a.Status = model.StatusTodo
	}
	im := newImporter(text)
	for i, e := range n.Entities {
		r, err := im.rng(e.Start, e.End, e.Text)
		if err == nil {
			r, err = im.span(r, fmt.Sprintf("entities[%d] (%s %s)", i, e.ID, e.Label))
		}
		if err != nil {
			return rec, fmt.Errorf("entities[%d] (%s): %w", i, e.ID, err)
		}
		label, keep := opts.label(e.Label)
		if !keep {
			continue
		}
		a.Entities = append(a.Entities, model.Span{ID: e.ID, Start: r.Start, End: r.End, Label: label, Entity: e.Entity})
	}
	if err := fromNativeParts(im, a, n.Claims, n.Incidents, n.Reliability); err != nil {
		return rec, err
	}
	// A file from before entities has no referents: its spans come
	// without one, and the import gives each its entity
	// (model.GroupMentions).
	if err := fromNativeReferents(im, a, n.Referents, n.Rejected, opts); err != nil {
		return rec, err
	}
	a.Decisions = n.Decisions
	review, err := reviewFromNative(im, n.Review)
	if err != nil {
		return rec, err
	}
	a.Review = review
	a.NextID = nextIDAfter(a)
	rec.Trimmed = im.trimmed
	// A gold annotation may hold only decisions (every item rejected so
	// far), an annotation only its review's comments: still an annotation.
	if !a.IsEmpty() || len(a.Decisions) > 0 || a.Review != nil {
		rec.Annotation = a
	}
	return rec, nil
}

// fromNativeParts fills an annotation's claims, incidents and source grades
// from their native form (the native format, and the meta of a spaCy
// record annotate wrote).
func fromNativeParts(im *importer, a *model.Annotation, claims []NativeClaim, incidents []NativeIncident, sources []NativeSource) error {
	for i, nc := range claims {
		c := model.Claim{ID: nc.ID, Type: nc.Type, Polarity: nc.Polarity, Certainty: nc.Certainty, Figures: nc.Figures,
			Stance: nc.Stance, SelfInterested: nc.SelfInterested, Credibility: nc.Credibility}
		if nc.Figure != nil {
			// Written as stored: a negative value is left for validation
			// to refuse, not changed.
			v, low, high := nc.Figure.Value, nc.Figure.Value, nc.Figure.Value
			old := model.Figure{Counts: nc.Figure.Counts, Value: &v, Qualifier: model.QualifierExact, Low: &low, High: &high}
			c.Figures = append([]model.Figure{old}, nc.Figures...)
		}
		if nc.Claimant.Span != "" {
			c.Claimant.SpanID = nc.Claimant.Span
		} else {
			c.Claimant.Name = nc.Claimant.Text
		}
		if nc.Cue != nil {
			r, err := im.rng(nc.Cue.Start, nc.Cue.End, nc.Cue.Text)
			if err == nil {
				r, err = im.span(r, fmt.Sprintf("claims[%d] (%s) cue", i, nc.ID))
			}
			if err != nil {
				return fmt.Errorf("claims[%d] (%s) cue: %w", i, nc.ID, err)
			}
			c.Cue = &r
		}
		for j, s := range nc.Content {
			r, err := im.rng(s.Start, s.End, s.Text)
			if err == nil {
				r, err = im.span(r, fmt.Sprintf("claims[%d] (%s) content[%d]", i, nc.ID, j))
			}
			if err != nil {
				return fmt.Errorf("claims[%d] (%s) content[%d]: %w", i, nc.ID, j, err)
			}
			c.Content = append(c.Content, r)
		}
		a.Claims = append(a.Claims, c)
	}
	for i, ni := range incidents {
		inc := model.Incident{ID: ni.ID, Fields: map[string]model.Value{}, Evidence: map[string][]string{}}
		for name, v := range ni.Fields {
			val, err := valueFromNative(v)
			if err != nil {
				return fmt.Errorf("incidents[%d] (%s) %s: %w", i, ni.ID, name, err)
			}
			inc.Fields[name] = val
		}
		for name, ids := range ni.Evidence {
			inc.Evidence[name] = append([]string(nil), ids...)
		}
		a.Incidents = append(a.Incidents, inc)
	}
	for _, s := range sources {
		a.Sources = append(a.Sources, model.SourceGrade{Source: s.Source, SpanID: s.Span, Entity: s.Entity, Reliability: s.Reliability, Rationale: s.Rationale})
	}
	return nil
}

// fromNativeReferents fills an annotation's entities and rejected
// suggestions from their native form (the native format, and the meta of
// a spaCy record annotate wrote). A label map renames entity labels as it
// renames span labels; an entity whose label is mapped to nothing goes
// with its mentions.
func fromNativeReferents(im *importer, a *model.Annotation, referents []model.Entity, rejected []NativeRejection, opts ImportOptions) error {
	for _, e := range referents {
		label, keep := opts.label(e.Label)
		if !keep {
			continue
		}
		e = cloneEntity(e)
		e.Label = label
		a.Referents = append(a.Referents, e)
	}
	for i, r := range rejected {
		rg, err := im.rng(r.Start, r.End, r.Text)
		if err != nil {
			return fmt.Errorf("rejected[%d]: %w", i, err)
		}
		label, keep := opts.label(r.Label)
		if !keep {
			continue
		}
		a.Rejected = append(a.Rejected, model.Rejection{Start: rg.Start, End: rg.End, Label: label})
	}
	if len(a.Referents) > 0 {
		// Mentions whose label was mapped away leave their entity
		// behind; a mapped mention of a dropped entity gets a new one.
		model.PruneReferents(a)
	}
	return nil
}

// cloneEntity copies an entity with its lists, so an export or import
// never shares them with the annotation it came from.
func cloneEntity(e model.Entity) model.Entity {
	e.Aliases = slices.Clone(e.Aliases)
	e.ExternalIDs = slices.Clone(e.ExternalIDs)
	e.Affiliations = slices.Clone(e.Affiliations)
	return e
}

// valueFromNative is NativeValue's inverse: the JSON type says which part
// of the value is set.
func valueFromNative(v any) (model.Value, error) {
	switch x := v.(type) {
	case nil:
		return model.Value{}, nil
	case string:
		return model.Value{Text: x}, nil
	case float64:
		n := int(x)
		if float64(n) != x {
			return model.Value{}, fmt.Errorf("%v is not a whole number", x)
		}
		return model.Value{Number: &n}, nil
	case []any:
		list := []string{}
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return model.Value{}, fmt.Errorf("a list holds codes or span IDs (strings), not %v", e)
			}
			list = append(list, s)
		}
		return model.Value{List: list}, nil
	case map[string]any:
		if _, ok := x["start"]; ok {
			d := model.Date{}
			d.Start, _ = x["start"].(string)
			d.End, _ = x["end"].(string)
			d.Precision, _ = x["precision"].(string)
			return model.Value{Date: &d}, nil
		}
		c := model.Count{}
		for key, dst := range map[string]**int{"low": &c.Low, "best": &c.Best, "high": &c.High} {
			switch n := x[key].(type) {
			case nil:
			case float64:
				i := int(n)
				if float64(i) != n {
					return model.Value{}, fmt.Errorf("%s %v is not a whole number", key, n)
				}
				*dst = &i
			default:
				return model.Value{}, fmt.Errorf("%s must be a number or null", key)
			}
		}
		return model.Value{Count: &c}, nil
	}
	return model.Value{}, fmt.Errorf("%v is not a field value", v)
}

// jsonError says in one line what is wrong with a record's JSON.
func jsonError(err error) error {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return fmt.Errorf("field %q must be %s, not %s", typ.Field, typ.Type, typ.Value)
	}
	var when *time.ParseError
	if errors.As(err, &when) {
		return fmt.Errorf("the time %q does not read: write times as 2026-03-04T09:12:00Z (RFC 3339, UTC or with an offset)", when.Value)
	}
	return fmt.Errorf("not a JSON object: %v", err)
}

func init() {
	registerExport(ExportFormat{
		Name:   "native",
		Help:   "one JSON object per line per article and annotator, everything with its ids (lossless; import reads it back)",
		Counts: "records",
		New: func(c ExportConfig) (Exporter, error) {
			return newLineExporter(c.Out, func(art model.Article, a model.Annotation) (any, error) { return ToNative(art, a) }), nil
		},
	})
}
