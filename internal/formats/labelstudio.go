package formats

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
)

// Label Studio's JSON export: an array of tasks {"id", "data": {"text"},
// "meta", "annotations": [{"completed_by", "result": [...]}]}. A span is a
// result of type "labels" with value {start, end, text, labels}; a claim
// is a region labelled CLAIM (its content) with a relation from the
// claimant's region. A skipped annotation is a cancelled one.

// LabelStudioValue is a text region.
type LabelStudioValue struct {
	Start  int      `json:"start"`
	End    int      `json:"end"`
	Text   string   `json:"text"`
	Labels []string `json:"labels"`
}

// LabelStudioResult is one region or one relation.
type LabelStudioResult struct {
	ID        string            `json:"id,omitempty"`
	FromName  string            `json:"from_name,omitempty"`
	ToName    string            `json:"to_name,omitempty"`
	Type      string            `json:"type"`
	Value     *LabelStudioValue `json:"value,omitempty"`
	FromID    string            `json:"from_id,omitempty"`
	ToID      string            `json:"to_id,omitempty"`
	Direction string            `json:"direction,omitempty"`
	Labels    []string          `json:"labels,omitempty"`
}

// LabelStudioAnnotation is one annotator's work on a task.
type LabelStudioAnnotation struct {
	ID           int                 `json:"id"`
	CompletedBy  string              `json:"completed_by"`
	Result       []LabelStudioResult `json:"result"`
	WasCancelled bool                `json:"was_cancelled"`
	GroundTruth  bool                `json:"ground_truth"`
	UpdatedAt    *time.Time          `json:"updated_at,omitempty"`
}

// LabelStudioTask is one article with its annotations.
type LabelStudioTask struct {
	ID          int                     `json:"id"`
	Data        map[string]string       `json:"data"`
	Meta        map[string]any          `json:"meta"`
	Annotations []LabelStudioAnnotation `json:"annotations"`
	Predictions []any                   `json:"predictions"`
}

// LabelStudioWriter writes tasks as one JSON array, element by element, so
// an export of any size streams.
type LabelStudioWriter struct {
	w           *bufio.Writer
	tasks, anns int
}

// NewLabelStudioWriter starts the array on w.
func NewLabelStudioWriter(w io.Writer) *LabelStudioWriter {
	return &LabelStudioWriter{w: bufio.NewWriterSize(w, 256*1024)}
}

// Write writes one task holding the annotations of one article, one
// annotation per annotator.
func (lw *LabelStudioWriter) Write(art model.Article, anns []model.Annotation) error {
	lw.tasks++
	task := LabelStudioTask{ID: lw.tasks, Data: map[string]string{"text": art.Text}, Meta: ArticleMeta(art), Annotations: []LabelStudioAnnotation{}, Predictions: []any{}}
	task.Meta["id"] = art.ID
	for _, a := range anns {
		if a.IsEmpty() {
			continue
		}
		lw.anns++
		la, err := toLabelStudio(art, a)
		if err != nil {
			return err
		}
		la.ID = lw.anns
		task.Annotations = append(task.Annotations, la)
	}
	data, err := json.Marshal(task)
	if err != nil {
		return err
	}
	sep := ",\n"
	if lw.tasks == 1 {
		sep = "[\n"
	}
	if _, err := lw.w.WriteString(sep); err != nil {
		return err
	}
	_, err = lw.w.Write(data)
	return err
}

// Close ends the array and flushes.
func (lw *LabelStudioWriter) Close() error {
	end := "\n]\n"
	if lw.tasks == 0 {
		end = "[]\n"
	}
	if _, err := lw.w.WriteString(end); err != nil {
		return err
	}
	return lw.w.Flush()
}

func toLabelStudio(art model.Article, a model.Annotation) (LabelStudioAnnotation, error) {
	native, err := ToNative(art, a)
	if err != nil {
		return LabelStudioAnnotation{}, err
	}
	la := LabelStudioAnnotation{CompletedBy: a.Annotator, Result: []LabelStudioResult{}, WasCancelled: a.Status == model.StatusSkipped, UpdatedAt: native.UpdatedAt}
	region := func(id string, s ExportSpan, label string) {
		la.Result = append(la.Result, LabelStudioResult{ID: id, FromName: "label", ToName: "text", Type: "labels",
			Value: &LabelStudioValue{Start: s.Start, End: s.End, Text: s.Text, Labels: []string{label}}})
	}
	relate := func(from, to, label string) {
		la.Result = append(la.Result, LabelStudioResult{Type: "relation", FromID: from, ToID: to, Direction: "right", Labels: []string{label}})
	}
	for _, e := range native.Entities {
		region(e.ID, ExportSpan{Start: e.Start, End: e.End, Text: e.Text}, e.Label)
	}
	// Entities: same_entity relations join the mentions of one,
	// affiliations are relations labelled with their role.
	for _, r := range entityRelations(a, native.Entities, func(id string) string { return id }) {
		relate(r[0], r[1], r[2])
	}
	for _, c := range native.Claims {
		for k, s := range c.Content {
			id := c.ID
			if k > 0 {
				id = fmt.Sprintf("%s-%d", c.ID, k+1)
				relate(c.ID, id, ContinuesRelation)
			}
			region(id, s, ClaimLabel)
		}
		if c.Claimant.Span != "" && len(c.Content) > 0 {
			typ := c.Type
			if typ == "" {
				typ = claimRelation
			}
			relate(c.Claimant.Span, c.ID, typ)
		}
	}
	return la, nil
}

// lsTask is a task as Label Studio exports it, in its full JSON form.
type lsTask struct {
	ID          json.RawMessage `json:"id"`
	Data        map[string]any  `json:"data"`
	Meta        map[string]any  `json:"meta"`
	Annotations []lsAnnotation  `json:"annotations"`
	Completions []lsAnnotation  `json:"completions"` // Label Studio before 1.0
}

type lsAnnotation struct {
	CompletedBy  json.RawMessage   `json:"completed_by"`
	Result       []json.RawMessage `json:"result"`
	WasCancelled bool              `json:"was_cancelled"`
}

type lsResult struct {
	ID        string          `json:"id"`
	FromName  string          `json:"from_name"`
	Type      string          `json:"type"`
	Value     json.RawMessage `json:"value"`
	FromID    string          `json:"from_id"`
	ToID      string          `json:"to_id"`
	Direction string          `json:"direction"`
	Labels    []string        `json:"labels"`
}

type lsRegion struct {
	Start  *int     `json:"start"`
	End    *int     `json:"end"`
	Text   string   `json:"text"`
	Labels []string `json:"labels"`
}

// ReadLabelStudio reads Label Studio's JSON export (an array of tasks, one
// Annotated per annotation) or its JSON-min export (one flat object per
// annotation). The annotator is completed_by (JSON-min: annotator): an
// e-mail or name as written, a user number as "labelstudio-N". Offsets are
// code points, or UTF-16 units for a region whose text only they select
// (Label Studio's front end counted UTF-16 before 1.4).
func ReadLabelStudio(path string, r io.Reader, opts ImportOptions, fn func(Annotated) error) ([]RecordError, error) {
	return readRecords(path, r, func(raw []byte, where string) ([]Annotated, error) {
		return parseLabelStudio(raw, where, opts)
	}, fn)
}

func parseLabelStudio(raw []byte, where string, opts ImportOptions) ([]Annotated, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, jsonError(err)
	}
	_, hasData := obj["data"]
	_, hasAnns := obj["annotations"]
	_, hasComps := obj["completions"]
	if !hasData && !hasAnns && !hasComps {
		return parseLabelStudioMin(obj, where, opts)
	}
	var task lsTask
	if err := json.Unmarshal(raw, &task); err != nil {
		return nil, jsonError(err)
	}
	text, meta, err := lsText(task.Data)
	if err != nil {
		return nil, err
	}
	for k, v := range task.Meta {
		if meta == nil {
			meta = map[string]any{}
		}
		meta[k] = v
	}
	art := articleFrom(text, meta, where)
	if id := scalarString(task.ID); id != "" && art.ExternalID == "" {
		art.ExternalID = id
	}
	anns := append(task.Annotations, task.Completions...)
	if len(anns) == 0 {
		return []Annotated{{Article: art, Where: where}}, nil
	}
	var out []Annotated
	for i, la := range anns {
		a, trimmed, err := lsAnnotationOf(text, la.Result, opts)
		if err != nil {
			return nil, fmt.Errorf("annotations[%d]: %w", i, err)
		}
		if la.WasCancelled {
			a.Status = model.StatusSkipped
		}
		a.NextID = nextIDAfter(a)
		out = append(out, Annotated{Article: art, Annotation: a, Annotator: lsUser(la.CompletedBy), Trimmed: trimmed, Where: where})
	}
	return out, nil
}

// lsText finds the text of a task: data.text, else data's only string.
// The other data fields go to the article's meta.
func lsText(data map[string]any) (string, map[string]any, error) {
	key := "text"
	if _, ok := data[key].(string); !ok {
		key = ""
		for k, v := range data {
			if _, ok := v.(string); ok {
				if key != "" {
					return "", nil, errors.New(`data has no "text" and several text fields: name the text field "text"`)
				}
				key = k
			}
		}
	}
	if key == "" {
		return "", nil, errors.New(`data has no "text" field`)
	}
	text := data[key].(string)
	if err := checkRecordText(text); err != nil {
		return "", nil, err
	}
	var meta map[string]any
	for k, v := range data {
		if k != key {
			if meta == nil {
				meta = map[string]any{}
			}
			meta[k] = v
		}
	}
	return text, meta, nil
}

// lsUser names the annotator of a completed_by: a user number, an e-mail
// or name, or an object with them (older exports).
func lsUser(raw json.RawMessage) string {
	var user struct {
		ID       json.RawMessage `json:"id"`
		Email    string          `json:"email"`
		Username string          `json:"username"`
	}
	if json.Unmarshal(raw, &user) == nil {
		switch {
		case user.Email != "":
			return user.Email
		case user.Username != "":
			return user.Username
		}
		raw = user.ID
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	if n := scalarString(raw); n != "" {
		return "labelstudio-" + n
	}
	return ""
}

// lsAnnotationOf turns one annotation's results into an annotation, with
// the notes of the regions trimmed of white space.
func lsAnnotationOf(text string, results []json.RawMessage, opts ImportOptions) (*model.Annotation, []string, error) {
	a := newAnnotated(text)
	im := newImporter(text)
	type region struct {
		r      model.Range
		spans  []string // span IDs, one per label
		claim  int      // index into a.Claims, or -1
		start  int      // offsets as written, for notes
		end    int
		merged bool
	}
	regions := map[string]*region{}
	ents := newFileEntities()
	var relations []lsResult
	for i, raw := range results {
		var res lsResult
		if err := json.Unmarshal(raw, &res); err != nil {
			return nil, nil, fmt.Errorf("result[%d]: %w", i, jsonError(err))
		}
		if res.Type == "relation" {
			relations = append(relations, res)
			continue
		}
		var v lsRegion
		if len(res.Value) > 0 {
			json.Unmarshal(res.Value, &v)
		}
		if res.Type != "labels" || v.Start == nil || v.End == nil {
			// Choices, text areas, ratings, regions of other objects:
			// annotate has no place for them; keep them readable.
			var value bytes.Buffer
			if json.Compact(&value, res.Value) == nil && value.Len() > 0 {
				addNote(a, fmt.Sprintf("%s %s: %s", res.Type, res.FromName, value.String()))
			}
			continue
		}
		var r model.Range
		var err error
		if opts.Offsets != "" {
			r, err = im.rangeIn(opts.Offsets, *v.Start, *v.End, v.Text)
		} else {
			r, err = im.rangeAuto(*v.Start, *v.End, v.Text)
		}
		if err == nil {
			r, err = im.span(r, fmt.Sprintf("result[%d] (%s)", i, res.ID))
		}
		if err != nil {
			return nil, nil, fmt.Errorf("result[%d] (%s): %w", i, res.ID, err)
		}
		reg := regions[res.ID]
		if reg == nil || res.ID == "" {
			reg = &region{r: r, claim: -1, start: *v.Start, end: *v.End}
			if res.ID != "" {
				regions[res.ID] = reg
			}
		}
		labels := append([]string(nil), v.Labels...)
		sort.Strings(labels)
		for _, l := range labels {
			if l == ClaimLabel {
				if reg.claim < 0 {
					reg.claim = len(a.Claims)
					a.Claims = append(a.Claims, model.Claim{Content: []model.Range{r}})
				}
				continue
			}
			if label, keep := opts.label(l); keep {
				reg.spans = append(reg.spans, addSpan(a, r, label))
			}
		}
	}
	for _, rel := range relations {
		from, to := regions[rel.FromID], regions[rel.ToID]
		if rel.Direction == "left" {
			from, to = to, from
		}
		if from == nil || to == nil {
			addNote(a, fmt.Sprintf("relation %s -> %s: a region that is not in this annotation", rel.FromID, rel.ToID))
			continue
		}
		typ := ""
		if len(rel.Labels) > 0 {
			typ = rel.Labels[0]
		}
		if len(from.spans) > 0 && len(to.spans) > 0 {
			ents.spans[lsKey(rel, false)], ents.spans[lsKey(rel, true)] = from.spans, to.spans
		}
		switch {
		case len(from.spans) > 0 && len(to.spans) > 0 && ents.relation(lsKey(rel, false), lsKey(rel, true), typ):
		case from.claim >= 0 && to.claim >= 0 && typ == ContinuesRelation:
			a.Claims[from.claim].Content = append(a.Claims[from.claim].Content, to.r)
			to.merged = true
		case to.claim >= 0 && from.claim < 0 && len(from.spans) > 0:
			c := &a.Claims[to.claim]
			c.Claimant.SpanID = from.spans[0]
			if typ != "" && typ != claimRelation {
				c.Type = claimType(a, opts, typ)
			}
		default:
			addNote(a, fmt.Sprintf("relation %s: %q [%d-%d] -> %q [%d-%d]", typ,
				text[from.r.Start:from.r.End], from.start, from.end, text[to.r.Start:to.r.End], to.start, to.end))
		}
	}
	merged := map[int]bool{}
	for _, reg := range regions {
		if reg.merged && reg.claim >= 0 {
			merged[reg.claim] = true
		}
	}
	numberClaims(a, merged)
	if ents.any() {
		ents.finish(a, text)
	}
	return a, im.trimmed, nil
}

// lsKey is the region a relation starts from (to: ends at), whichever
// way its direction points.
func lsKey(rel lsResult, to bool) string {
	if (rel.Direction == "left") != to {
		return rel.ToID
	}
	return rel.FromID
}

// parseLabelStudioMin reads one JSON-min row: the task's data fields, the
// regions under the control's name ("label"), and "annotator".
func parseLabelStudioMin(obj map[string]json.RawMessage, where string, opts ImportOptions) ([]Annotated, error) {
	var text string
	if json.Unmarshal(obj["text"], &text) != nil || obj["text"] == nil {
		return nil, errors.New(`no "text" field (and no "data"): not a Label Studio task`)
	}
	if err := checkRecordText(text); err != nil {
		return nil, err
	}
	var results []json.RawMessage
	meta := map[string]any{}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch k {
		case "text", "id", "annotator", "annotation_id", "created_at", "updated_at", "lead_time":
			continue
		}
		var regions []lsRegion
		if json.Unmarshal(obj[k], &regions) == nil && len(regions) > 0 && regions[0].Start != nil {
			for _, reg := range regions {
				value, _ := json.Marshal(reg)
				res, _ := json.Marshal(lsResult{Type: "labels", FromName: k, Value: value})
				results = append(results, res)
			}
			continue
		}
		var v any
		if json.Unmarshal(obj[k], &v) == nil {
			meta[k] = v
		}
	}
	art := articleFrom(text, meta, where)
	if id := scalarString(obj["id"]); id != "" && art.ExternalID == "" {
		art.ExternalID = id
	}
	if len(results) == 0 && obj["annotator"] == nil {
		return []Annotated{{Article: art, Where: where}}, nil
	}
	a, trimmed, err := lsAnnotationOf(text, results, opts)
	if err != nil {
		return nil, err
	}
	a.NextID = nextIDAfter(a)
	return []Annotated{{Article: art, Annotation: a, Annotator: lsUser(obj["annotator"]), Trimmed: trimmed, Where: where}}, nil
}

func init() {
	registerExport(ExportFormat{
		Name:   "labelstudio",
		Help:   "one Label Studio JSON array: a task per article, an annotation per annotator",
		Counts: "records",
		New: func(c ExportConfig) (Exporter, error) {
			lw := NewLabelStudioWriter(c.Out)
			return exportPerArticle{write: lw.Write, close: lw.Close}, nil
		},
	})
}
