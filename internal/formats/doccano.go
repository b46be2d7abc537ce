package formats

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"strconv"
	"strings"

	"github.com/annotate-tool/annotate/internal/model"
)

// The doccano formats. Sequence labelling: {"id", "text", "label": [[start,
// end, "LABEL"], ...]}. Relation extraction: {"id", "text", "entities":
// [{"id", "label", "start_offset", "end_offset"}], "relations": [{"id",
// "from_id", "to_id", "type"}]}, where a claim is an entity labelled CLAIM
// (its content) with a relation from the claimant's span.

// ClaimLabel labels a claim's content in the formats that carry claims as
// spans and relations (doccano, Label Studio); ContinuesRelation links the
// further content spans of a claim to its first.
const (
	ClaimLabel        = "CLAIM"
	ContinuesRelation = "continues"
	// claimRelation is the relation type of a claim with no type.
	claimRelation = "claim"
)

// doccanoMarker travels with each record annotate writes. The check is a
// hash of the text and the spans as written: when it still matches on
// import, the offsets are annotate's code points and the annotator and
// status are those recorded. When it does not (doccano re-exported the
// record after someone changed it), the offsets are doccano's own units.
type doccanoMarker struct {
	Article   string       `json:"article"`
	Annotator string       `json:"annotator"`
	Status    model.Status `json:"status"`
	Offsets   Unit         `json:"offsets"`
	Check     string       `json:"check"`
}

// DoccanoEntity is an entity of doccano's relation extraction form.
type DoccanoEntity struct {
	ID          int    `json:"id"`
	Label       string `json:"label"`
	StartOffset int    `json:"start_offset"`
	EndOffset   int    `json:"end_offset"`
}

// DoccanoRelation links two entities.
type DoccanoRelation struct {
	ID     int    `json:"id"`
	FromID int    `json:"from_id"`
	ToID   int    `json:"to_id"`
	Type   string `json:"type"`
}

// DoccanoLabels is a record of doccano's sequence labelling form.
type DoccanoLabels struct {
	ID       string        `json:"id"`
	Text     string        `json:"text"`
	Label    [][3]any      `json:"label"`
	Annotate doccanoMarker `json:"annotate"`
}

// DoccanoRelations is a record of doccano's relation extraction form.
type DoccanoRelations struct {
	ID        string            `json:"id"`
	Text      string            `json:"text"`
	Entities  []DoccanoEntity   `json:"entities"`
	Relations []DoccanoRelation `json:"relations"`
	Annotate  doccanoMarker     `json:"annotate"`
}

// doccanoCheck hashes a text and its spans and relations, however the
// record spells them, so export and import compute it alike.
func doccanoCheck(text string, ents []DoccanoEntity, rels []DoccanoRelation) string {
	h := fnv.New64a()
	io.WriteString(h, text)
	for _, e := range ents {
		fmt.Fprintf(h, "\x00%d %d %d %s", e.ID, e.StartOffset, e.EndOffset, e.Label)
	}
	for _, r := range rels {
		fmt.Fprintf(h, "\x01%d %d %s", r.FromID, r.ToID, r.Type)
	}
	return fmt.Sprintf("%016x", h.Sum64())
}

// ToDoccano converts an annotation to doccano's sequence labelling form
// or, with relations, its relation extraction form (claims as CLAIM
// entities and relations from the claimant).
func ToDoccano(art model.Article, a model.Annotation, relations bool) (any, error) {
	native, err := ToNative(art, a)
	if err != nil {
		return nil, err
	}
	marker := doccanoMarker{Article: art.ID, Annotator: a.Annotator, Status: native.Status, Offsets: CodePoints}
	ents := make([]DoccanoEntity, 0, len(native.Entities))
	ids := map[string]int{}
	for i, e := range native.Entities {
		ents = append(ents, DoccanoEntity{ID: i + 1, Label: e.Label, StartOffset: e.Start, EndOffset: e.End})
		ids[e.ID] = i + 1
	}
	if !relations {
		rec := DoccanoLabels{ID: art.ID, Text: art.Text, Label: make([][3]any, 0, len(ents))}
		for i := range ents {
			ents[i].ID = i
			rec.Label = append(rec.Label, [3]any{ents[i].StartOffset, ents[i].EndOffset, ents[i].Label})
		}
		marker.Check = doccanoCheck(art.Text, ents, nil)
		rec.Annotate = marker
		return rec, nil
	}
	rels := []DoccanoRelation{}
	relate := func(from, to int, typ string) {
		rels = append(rels, DoccanoRelation{ID: len(rels) + 1, FromID: from, ToID: to, Type: typ})
	}
	for _, c := range native.Claims {
		first := 0
		for _, s := range c.Content {
			id := len(ents) + 1
			ents = append(ents, DoccanoEntity{ID: id, Label: ClaimLabel, StartOffset: s.Start, EndOffset: s.End})
			if first == 0 {
				first = id
			} else {
				relate(first, id, ContinuesRelation)
			}
		}
		if from, ok := ids[c.Claimant.Span]; ok && first != 0 {
			typ := c.Type
			if typ == "" {
				typ = claimRelation
			}
			relate(from, first, typ)
		}
	}
	// Entities: same_entity relations join the mentions of one,
	// affiliations are relations typed with their role.
	for _, r := range entityRelations(a, native.Entities, func(id string) string {
		if n, ok := ids[id]; ok {
			return strconv.Itoa(n)
		}
		return ""
	}) {
		from, _ := strconv.Atoi(r[0])
		to, _ := strconv.Atoi(r[1])
		relate(from, to, r[2])
	}
	marker.Check = doccanoCheck(art.Text, ents, rels)
	return DoccanoRelations{ID: art.ID, Text: art.Text, Entities: ents, Relations: rels, Annotate: marker}, nil
}

// ReadDoccano reads doccano JSONL (or JSON) in either form, and the
// variants doccano releases have written: "text" or "data" for the text,
// "label" or "labels", ids as numbers or strings, text classification
// labels (kept as notes). Offsets are UTF-16 code units, what doccano's
// web front end counts, unless the record is annotate's own unchanged
// export or opts.Offsets says otherwise.
func ReadDoccano(path string, r io.Reader, opts ImportOptions, fn func(Annotated) error) ([]RecordError, error) {
	return readRecords(path, r, func(raw []byte, where string) ([]Annotated, error) {
		rec, err := parseDoccano(raw, where, opts)
		return []Annotated{rec}, err
	}, fn)
}

func parseDoccano(raw []byte, where string, opts ImportOptions) (Annotated, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return Annotated{}, jsonError(err)
	}
	var text string
	if json.Unmarshal(obj["text"], &text) != nil || obj["text"] == nil {
		if json.Unmarshal(obj["data"], &text) != nil || obj["data"] == nil {
			return Annotated{}, errors.New(`no "text" (or "data") field holding the text`)
		}
	}
	if err := checkRecordText(text); err != nil {
		return Annotated{}, err
	}
	var meta map[string]any
	if m, ok := obj["meta"]; ok && json.Unmarshal(m, &meta) != nil {
		meta = nil
	}
	var marker *doccanoMarker
	for _, m := range []json.RawMessage{obj["annotate"], metaField(meta, "annotate")} {
		var mk doccanoMarker
		if m != nil && json.Unmarshal(m, &mk) == nil && mk.Check != "" {
			marker = &mk
			break
		}
	}
	if meta != nil {
		delete(meta, "annotate")
	}
	rec := Annotated{Article: articleFrom(text, meta, where), Where: where}
	if id := scalarString(obj["id"]); id != "" && id != model.ArticleID(text) {
		rec.Article.ExternalID = id
	}

	// Spans and relations, however this doccano release spelled them.
	// ents and rels refer to entities by position; checkEnts and
	// checkRels keep the ids as written, for the marker's check.
	var ents, checkEnts []DoccanoEntity
	var rels, checkRels []DoccanoRelation
	var categories []string
	relationForm := false
	labels := obj["label"]
	if labels == nil {
		labels = obj["labels"]
	}
	if labels != nil && string(labels) != "null" {
		var items []json.RawMessage
		if err := json.Unmarshal(labels, &items); err != nil {
			return rec, errors.New(`"label" must be a list: [[start, end, "LABEL"], ...]`)
		}
		for i, it := range items {
			var triple []json.RawMessage
			var category string
			var ent struct {
				Label       json.RawMessage `json:"label"`
				StartOffset *int            `json:"start_offset"`
				EndOffset   *int            `json:"end_offset"`
			}
			switch {
			case json.Unmarshal(it, &triple) == nil:
				var e DoccanoEntity
				if len(triple) < 3 || json.Unmarshal(triple[0], &e.StartOffset) != nil || json.Unmarshal(triple[1], &e.EndOffset) != nil || scalarString(triple[2]) == "" {
					return rec, fmt.Errorf("label[%d] must be [start, end, \"LABEL\"], not %s", i, it)
				}
				e.Label = scalarString(triple[2])
				e.ID = i
				ents = append(ents, e)
				checkEnts = append(checkEnts, e)
			case json.Unmarshal(it, &category) == nil:
				categories = append(categories, category)
			case json.Unmarshal(it, &ent) == nil && ent.StartOffset != nil && ent.EndOffset != nil:
				e := DoccanoEntity{ID: i, Label: scalarString(ent.Label), StartOffset: *ent.StartOffset, EndOffset: *ent.EndOffset}
				ents = append(ents, e)
				checkEnts = append(checkEnts, e)
			default:
				return rec, fmt.Errorf("label[%d] must be [start, end, \"LABEL\"], not %s", i, it)
			}
		}
	}
	if e := obj["entities"]; e != nil && string(e) != "null" {
		var items []struct {
			ID          json.RawMessage `json:"id"`
			Label       json.RawMessage `json:"label"`
			StartOffset *int            `json:"start_offset"`
			EndOffset   *int            `json:"end_offset"`
		}
		if err := json.Unmarshal(e, &items); err != nil {
			return rec, fmt.Errorf(`"entities": %w`, jsonError(err))
		}
		relationForm = true
		ids := map[string]int{}
		for i, it := range items {
			if it.StartOffset == nil || it.EndOffset == nil {
				return rec, fmt.Errorf("entities[%d] has no start_offset or end_offset", i)
			}
			ents = append(ents, DoccanoEntity{ID: i, Label: scalarString(it.Label), StartOffset: *it.StartOffset, EndOffset: *it.EndOffset})
			written := DoccanoEntity{ID: i, Label: scalarString(it.Label), StartOffset: *it.StartOffset, EndOffset: *it.EndOffset}
			if key := scalarString(it.ID); key != "" {
				ids[key] = i
				fmt.Sscan(key, &written.ID)
			}
			checkEnts = append(checkEnts, written)
		}
		var relItems []struct {
			FromID json.RawMessage `json:"from_id"`
			ToID   json.RawMessage `json:"to_id"`
			Type   json.RawMessage `json:"type"`
		}
		if rr := obj["relations"]; rr != nil && string(rr) != "null" {
			if err := json.Unmarshal(rr, &relItems); err != nil {
				return rec, fmt.Errorf(`"relations": %w`, jsonError(err))
			}
		}
		for i, it := range relItems {
			from, ok1 := ids[scalarString(it.FromID)]
			to, ok2 := ids[scalarString(it.ToID)]
			if !ok1 || !ok2 {
				return rec, fmt.Errorf("relations[%d] links entities %s and %s, which are not in \"entities\"", i, it.FromID, it.ToID)
			}
			rels = append(rels, DoccanoRelation{FromID: from, ToID: to, Type: scalarString(it.Type)})
			written := DoccanoRelation{Type: scalarString(it.Type)}
			fmt.Sscan(scalarString(it.FromID), &written.FromID)
			fmt.Sscan(scalarString(it.ToID), &written.ToID)
			checkRels = append(checkRels, written)
		}
	}

	unit := UTF16
	if opts.Offsets != "" {
		unit = opts.Offsets
	}
	ours := marker != nil && marker.Article == model.ArticleID(text) && marker.Check == doccanoCheck(text, checkEnts, checkRels)
	if ours {
		unit = CodePoints
		if marker.Offsets != "" {
			unit = marker.Offsets
		}
		rec.Annotator = marker.Annotator
	}
	a := newAnnotated(text)
	if ours && marker.Status.Valid() {
		a.Status = marker.Status
	}
	im := newImporter(text)
	ranges := make([]model.Range, len(ents))
	spanIDs := make([]string, len(ents))
	claimAt := map[int]int{} // entity position -> claim index
	for i, e := range ents {
		r, err := im.rangeIn(unit, e.StartOffset, e.EndOffset, "")
		if err != nil {
			return rec, fmt.Errorf("span %d-%d %s: %w (doccano counts UTF-16 units; pass --offsets codepoints for a file that counts code points)", e.StartOffset, e.EndOffset, e.Label, err)
		}
		if r, err = im.span(r, fmt.Sprintf("span %d-%d %s", e.StartOffset, e.EndOffset, e.Label)); err != nil {
			return rec, fmt.Errorf("span %d-%d %s: %w", e.StartOffset, e.EndOffset, e.Label, err)
		}
		ranges[i] = r
		if e.Label == ClaimLabel && relationForm {
			claimAt[i] = len(a.Claims)
			a.Claims = append(a.Claims, model.Claim{Content: []model.Range{r}})
			continue
		}
		if label, keep := opts.label(e.Label); keep {
			spanIDs[i] = addSpan(a, r, label)
		}
	}
	merged := map[int]bool{}
	entities := newFileEntities()
	for _, rel := range rels {
		from, to := rel.FromID, rel.ToID
		fc, fromClaim := claimAt[from]
		tc, toClaim := claimAt[to]
		if spanIDs[from] != "" && spanIDs[to] != "" {
			entities.spans[strconv.Itoa(from)] = []string{spanIDs[from]}
			entities.spans[strconv.Itoa(to)] = []string{spanIDs[to]}
		}
		switch {
		case spanIDs[from] != "" && spanIDs[to] != "" && entities.relation(strconv.Itoa(from), strconv.Itoa(to), rel.Type):
		case fromClaim && toClaim && rel.Type == ContinuesRelation:
			a.Claims[fc].Content = append(a.Claims[fc].Content, ranges[to])
			merged[tc] = true
		case toClaim && !fromClaim && spanIDs[from] != "":
			a.Claims[tc].Claimant.SpanID = spanIDs[from]
			if rel.Type != claimRelation {
				a.Claims[tc].Type = claimType(a, opts, rel.Type)
			}
		default:
			addNote(a, fmt.Sprintf("relation %s: %q [%d-%d] -> %q [%d-%d]", rel.Type,
				text[ranges[from].Start:ranges[from].End], ents[from].StartOffset, ents[from].EndOffset,
				text[ranges[to].Start:ranges[to].End], ents[to].StartOffset, ents[to].EndOffset))
		}
	}
	numberClaims(a, merged)
	if entities.any() {
		entities.finish(a, text)
	}
	for _, c := range categories {
		addNote(a, "category: "+c)
	}
	rec.Trimmed = im.trimmed
	if (ours && !a.IsEmpty()) || (!ours && (len(a.Entities) > 0 || len(a.Claims) > 0 || a.Notes != "")) {
		rec.Annotation = a
	}
	return rec, nil
}

// claimType keeps a relation type that the schema knows as a claim type;
// another becomes a note, and the claim stays untyped.
func claimType(a *model.Annotation, opts ImportOptions, typ string) string {
	if opts.Schema == nil {
		return typ
	}
	for _, t := range opts.Schema.Claims.Types {
		if t == typ {
			return typ
		}
	}
	addNote(a, fmt.Sprintf("claim type %q is not in the schema (%s)", typ, strings.Join(opts.Schema.Claims.Types, ", ")))
	return ""
}

// metaField returns meta[key] as JSON, or nil.
func metaField(meta map[string]any, key string) json.RawMessage {
	v, ok := meta[key]
	if !ok {
		return nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return data
}

func init() {
	registerExport(ExportFormat{
		Name:   "doccano",
		Help:   "doccano JSONL: spans; with --relations, claims and entities as relations",
		Flags:  []ExportFlag{{Name: "relations", Bool: true, Help: "the entities and relations form, with claims as relations"}},
		Counts: "records",
		New: func(c ExportConfig) (Exporter, error) {
			relations := c.Flags["relations"] == "true"
			return newLineExporter(c.Out, func(art model.Article, a model.Annotation) (any, error) { return ToDoccano(art, a, relations) }), nil
		},
	})
}
