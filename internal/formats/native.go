package formats

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"time"

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
}

// NativeClaimant names who makes a claim: a span (with its text) or a name.
type NativeClaimant struct {
	Span string `json:"span,omitempty"`
	Text string `json:"text"`
}

// NativeClaim is a claim in the native format.
type NativeClaim struct {
	ID             string         `json:"id"`
	Claimant       NativeClaimant `json:"claimant"`
	Cue            *ExportSpan    `json:"cue,omitempty"`
	Content        []ExportSpan   `json:"content"`
	Type           string         `json:"type,omitempty"`
	Polarity       string         `json:"polarity,omitempty"`
	Certainty      string         `json:"certainty,omitempty"`
	Figure         *model.Figure  `json:"figure,omitempty"`
	Stance         *model.Stance  `json:"stance,omitempty"`
	SelfInterested bool           `json:"self_interested"`
	Credibility    string         `json:"credibility,omitempty"`
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
	Reliability string `json:"grade"`
	Rationale   string `json:"rationale,omitempty"`
}

// NativeRecord is one line of the native format.
type NativeRecord struct {
	ID          string           `json:"id"`
	Text        string           `json:"text"`
	Meta        map[string]any   `json:"meta"`
	Annotator   string           `json:"annotator"`
	Status      model.Status     `json:"status"`
	UpdatedAt   *time.Time       `json:"updated_at"`
	Schema      string           `json:"schema"`
	Entities    []NativeEntity   `json:"entities"`
	Claims      []NativeClaim    `json:"claims"`
	Incidents   []NativeIncident `json:"incidents"`
	Reliability []NativeSource   `json:"reliability"`
	Notes       string           `json:"notes"`
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
		Entities: []NativeEntity{}, Claims: []NativeClaim{}, Incidents: []NativeIncident{}, Reliability: []NativeSource{},
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
		rec.Entities = append(rec.Entities, NativeEntity{ID: s.ID, Start: e.Start, End: e.End, Label: s.Label, Text: e.Text})
	}
	for _, c := range a.Claims {
		nc := NativeClaim{ID: c.ID, Type: c.Type, Polarity: c.Polarity, Certainty: c.Certainty,
			Figure: c.Figure, Stance: c.Stance, SelfInterested: c.SelfInterested, Credibility: c.Credibility, Content: []ExportSpan{}}
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
		rec.Reliability = append(rec.Reliability, NativeSource{Source: g.Source, Span: g.SpanID, Reliability: g.Reliability, Rationale: g.Rationale})
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
	enc *json.Encoder
}

// NewLineWriter wraps w.
func NewLineWriter(w io.Writer) *LineWriter {
	bw := bufio.NewWriterSize(w, 256*1024)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &LineWriter{w: bw, enc: enc}
}

// Write writes v and a newline.
func (l *LineWriter) Write(v any) error { return l.enc.Encode(v) }

// Flush flushes buffered lines.
func (l *LineWriter) Flush() error { return l.w.Flush() }
