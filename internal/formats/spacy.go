package formats

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/annotate-tool/annotate/internal/model"
)

// SpacySpan is a span in Prodigy/spaCy JSONL. ID is annotate's span ID,
// which the claims and incidents under meta refer to; Entity the id of its
// entity under meta.referents. KBID is spaCy's knowledge base id of the
// span's entity (see KBID).
type SpacySpan struct {
	Start      int    `json:"start"`
	End        int    `json:"end"`
	Label      string `json:"label"`
	Text       string `json:"text"`
	ID         string `json:"id,omitempty"`
	Entity     string `json:"entity,omitempty"`
	KBID       string `json:"kb_id,omitempty"`
	TokenStart *int   `json:"token_start,omitempty"`
	TokenEnd   *int   `json:"token_end,omitempty"`
}

// RegistryScheme prefixes a registry id where an external id is expected
// (spaCy's kb_id, a brat normalisation): "annotate:r12".
const RegistryScheme = "annotate"

// KBID is what spaCy's kb_id holds for a mention of e: the entity's first
// external id as its tool wrote it ("wikidata:Q1325475"; "Q42" for one
// kept as "kb:Q42", see model.WrittenID), else its registry link
// ("annotate:r12"), else "" (the span then has no kb_id).
func KBID(e model.Entity) string {
	switch {
	case len(e.ExternalIDs) > 0:
		return model.WrittenID(e.ExternalIDs[0])
	case e.Registry != "":
		return RegistryScheme + ":" + e.Registry
	}
	return ""
}

// SpacyToken is a token as Prodigy writes it: code point offsets, and ws
// when white space follows.
type SpacyToken struct {
	Text  string `json:"text"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	ID    int    `json:"id"`
	WS    bool   `json:"ws"`
}

// SpacyRecord is one line of Prodigy/spaCy JSONL.
type SpacyRecord struct {
	Text      string         `json:"text"`
	Tokens    []SpacyToken   `json:"tokens,omitempty"`
	Spans     []SpacySpan    `json:"spans"`
	Meta      map[string]any `json:"meta"`
	InputHash int32          `json:"_input_hash"`
	TaskHash  int32          `json:"_task_hash"`
	Answer    string         `json:"answer"`
}

// SpacyOptions tune the spaCy export.
type SpacyOptions struct {
	// Tokens adds "tokens" and each span's token_start and token_end
	// (inclusive, as Prodigy counts), from Tokenize.
	Tokens bool
}

// hash32 is a stable signed 32-bit hash, the width Prodigy uses for its
// _input_hash and _task_hash: FNV-1a over the parts, each followed by a
// zero byte.
func hash32(parts ...string) int32 {
	h := newFNV32()
	for _, p := range parts {
		h.add(p)
	}
	return int32(h)
}

// fnv32 is FNV-1a's state, a value so that a hash can go on from a copy
// (the task hash from the input hash's state after the text).
type fnv32 uint32

func newFNV32() fnv32 { return 2166136261 }

// add hashes s and the zero byte that ends a part.
func (h *fnv32) add(s string) {
	v := *h
	for i := 0; i < len(s); i++ {
		v ^= fnv32(s[i])
		v *= 16777619
	}
	*h = v * 16777619 // the zero byte: xor with 0 leaves v
}

// addSpan hashes a span as the part fmt.Sprint(start, end, label) is
// ("12 17GPE"), without building the string.
func (h *fnv32) addSpan(start, end int, label string) {
	var buf [48]byte
	b := strconv.AppendInt(buf[:0], int64(start), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(end), 10)
	v := *h
	for _, c := range b {
		v ^= fnv32(c)
		v *= 16777619
	}
	*h = v
	h.add(label)
}

// ToSpacy converts an annotation to a Prodigy/spaCy record. Claims,
// incidents, source grades and notes travel under meta so a training
// pipeline loses nothing and the record imports back whole.
func ToSpacy(art model.Article, a model.Annotation, opts SpacyOptions) (SpacyRecord, error) {
	native, err := ToNative(art, a)
	if err != nil {
		return SpacyRecord{}, err
	}
	rec := SpacyRecord{Text: art.Text, Spans: []SpacySpan{}, Meta: ArticleMeta(art), Answer: "accept"}
	rec.Meta["id"] = art.ID
	rec.Meta["annotator"] = a.Annotator
	rec.Meta["status"] = native.Status
	if len(native.Claims) > 0 {
		rec.Meta["claims"] = native.Claims
	}
	if len(native.Incidents) > 0 {
		rec.Meta["incidents"] = native.Incidents
	}
	if len(native.Reliability) > 0 {
		rec.Meta["reliability"] = native.Reliability
	}
	if len(native.Referents) > 0 {
		rec.Meta["referents"] = native.Referents
	}
	if len(native.Rejected) > 0 {
		rec.Meta["rejected"] = native.Rejected
	}
	if a.Notes != "" {
		rec.Meta["notes"] = a.Notes
	}
	if a.Status == model.StatusSkipped {
		rec.Answer = "ignore"
	}
	input := newFNV32()
	input.add(art.Text)
	rec.InputHash = int32(input)
	task := input
	spans := sortedSpans(a.Entities)
	var tokens []model.Range
	if opts.Tokens {
		tokens = model.Tokenize(art.Text, spanCuts(spans))
		x := newExporter(art.Text)
		rec.Tokens = make([]SpacyToken, 0, len(tokens))
		for i, t := range tokens {
			e, err := x.offsets(t)
			if err != nil {
				return rec, fmt.Errorf("article %s token %d: %w", art.ID, i, err)
			}
			ws := t.End < len(art.Text) && isSpaceAt(art.Text, t.End)
			rec.Tokens = append(rec.Tokens, SpacyToken{Text: e.Text, Start: e.Start, End: e.End, ID: i, WS: ws})
		}
	}
	for i, e := range native.Entities {
		s := SpacySpan{Start: e.Start, End: e.End, Label: e.Label, Text: e.Text, ID: e.ID, Entity: e.Entity}
		if ent, ok := a.Referent(e.Entity); ok {
			s.KBID = KBID(ent)
		}
		if opts.Tokens {
			if first, last, ok := tokenIndex(tokens, spans[i].Range()); ok {
				s.TokenStart, s.TokenEnd = &first, &last
			}
		}
		rec.Spans = append(rec.Spans, s)
		task.addSpan(e.Start, e.End, e.Label)
	}
	rec.TaskHash = int32(task)
	return rec, nil
}

// spacyIn is a Prodigy/spaCy record as read: the fields Prodigy writes,
// all optional but the text.
type spacyIn struct {
	Text  *string `json:"text"`
	Spans []struct {
		Start  *int   `json:"start"`
		End    *int   `json:"end"`
		Label  string `json:"label"`
		Text   string `json:"text"`
		ID     string `json:"id"`
		Entity string `json:"entity"`
		KBID   string `json:"kb_id"`
	} `json:"spans"`
	Relations []struct {
		Label     string     `json:"label"`
		HeadSpan  *spacyEdge `json:"head_span"`
		ChildSpan *spacyEdge `json:"child_span"`
	} `json:"relations"`
	// Options and Accept are Prodigy's choice view: the options offered
	// (knowledge base ids, for entity linking) and the ids chosen.
	Options     []json.RawMessage `json:"options"`
	Accept      []json.RawMessage `json:"accept"`
	Meta        map[string]any    `json:"meta"`
	Answer      string            `json:"answer"`
	AnnotatorID string            `json:"_annotator_id"`
	SessionID   string            `json:"_session_id"`
	// Versions, Sessions and Timestamp are those of a record of
	// prodigy review's output (see readReview).
	Versions  []json.RawMessage `json:"versions"`
	Sessions  []json.RawMessage `json:"sessions"`
	Timestamp json.RawMessage   `json:"_timestamp"`
}

type spacyEdge struct {
	Start *int   `json:"start"`
	End   *int   `json:"end"`
	Label string `json:"label"`
}

// ReadSpacy reads Prodigy/spaCy JSONL (or a JSON array of the same
// records). Offsets are code points; a span that carries its text must
// select it. Records answered reject or ignore bring their text only. The
// annotator is the record's _annotator_id, else its _session_id (Prodigy's
// "dataset-name" session names), else the default. A record of prodigy
// review's output (one with versions) is the reviewed result and each
// version, see readReview.
func ReadSpacy(path string, r io.Reader, opts ImportOptions, fn func(Annotated) error) ([]RecordError, error) {
	return readRecords(path, r, func(raw []byte, where string) ([]Annotated, error) {
		var in spacyIn
		if err := json.Unmarshal(raw, &in); err != nil {
			return nil, jsonError(err)
		}
		if len(in.Versions) > 0 {
			return readReview(in, where, opts)
		}
		rec, err := parseSpacy(in, where, opts)
		return []Annotated{rec}, err
	}, fn)
}

// parseSpacy reads one Prodigy/spaCy record.
func parseSpacy(in spacyIn, where string, opts ImportOptions) (Annotated, error) {
	if in.Text == nil {
		return Annotated{}, errors.New(`no "text" field`)
	}
	text := *in.Text
	if err := checkRecordText(text); err != nil {
		return Annotated{}, err
	}
	// The meta of a record annotate wrote carries the rest of the
	// annotation; meta.id, the text's own ID, says it is one of ours.
	var ours map[string]any
	if id, _ := in.Meta["id"].(string); id == model.ArticleID(text) {
		ours = map[string]any{}
		for _, k := range []string{"annotator", "status", "claims", "incidents", "reliability", "notes", "referents", "rejected"} {
			if v, ok := in.Meta[k]; ok {
				ours[k] = v
				delete(in.Meta, k)
			}
		}
	}
	rec := Annotated{Article: articleFrom(text, in.Meta, where), Where: where}
	rec.Annotator = in.AnnotatorID
	if rec.Annotator == "" {
		rec.Annotator = in.SessionID
	}
	if name, ok := ours["annotator"].(string); ok && name != "" {
		rec.Annotator = name
	}
	switch in.Answer {
	case "", "accept":
	case "reject", "ignore":
		rec.Rejected = true
		return rec, nil
	default:
		return rec, fmt.Errorf("unknown answer %q (Prodigy writes accept, reject or ignore)", in.Answer)
	}
	a := newAnnotated(text)
	im := newImporter(text)
	kb := kbEntities{}
	var spans []choiceSpan // the spans added, for a choice record's answer
	for i, s := range in.Spans {
		if s.Start == nil || s.End == nil {
			return rec, fmt.Errorf("spans[%d] has no start or end", i)
		}
		r, err := im.rng(*s.Start, *s.End, s.Text)
		if err == nil {
			r, err = im.span(r, fmt.Sprintf("spans[%d] (%s)", i, s.Label))
		}
		if err != nil {
			return rec, fmt.Errorf("spans[%d] (%s): %w", i, s.Label, err)
		}
		label, keep := opts.label(s.Label)
		if !keep {
			continue
		}
		if ours != nil && s.ID != "" {
			a.Entities = append(a.Entities, model.Span{ID: s.ID, Start: r.Start, End: r.End, Label: label, Entity: s.Entity})
			continue
		}
		id := addSpan(a, r, label)
		if strings.TrimSpace(s.KBID) != "" {
			kb.add(a, id, model.ExternalIDOf(s.KBID), label, text[r.Start:r.End])
		}
		spans = append(spans, choiceSpan{id: id, label: label, r: r, start: *s.Start, end: *s.End})
	}
	if len(in.Options) > 0 {
		linkChoice(a, kb, spans, in.Accept, text)
	}
	for _, rel := range in.Relations {
		if rel.HeadSpan == nil || rel.ChildSpan == nil || rel.HeadSpan.Start == nil || rel.HeadSpan.End == nil || rel.ChildSpan.Start == nil || rel.ChildSpan.End == nil {
			continue
		}
		head, err1 := im.rng(*rel.HeadSpan.Start, *rel.HeadSpan.End, "")
		child, err2 := im.rng(*rel.ChildSpan.Start, *rel.ChildSpan.End, "")
		if err1 != nil || err2 != nil {
			return rec, fmt.Errorf("relation %s: %v", rel.Label, errors.Join(err1, err2))
		}
		addNote(a, fmt.Sprintf("relation %s: %q [%d-%d] -> %q [%d-%d]", rel.Label,
			text[head.Start:head.End], *rel.HeadSpan.Start, *rel.HeadSpan.End,
			text[child.Start:child.End], *rel.ChildSpan.Start, *rel.ChildSpan.End))
	}
	if ours != nil {
		if st, ok := ours["status"].(string); ok {
			a.Status = model.Status(st)
		}
		if notes, ok := ours["notes"].(string); ok {
			a.Notes = notes
		}
		var parts struct {
			Claims      []NativeClaim     `json:"claims"`
			Incidents   []NativeIncident  `json:"incidents"`
			Reliability []NativeSource    `json:"reliability"`
			Referents   []model.Entity    `json:"referents"`
			Rejected    []NativeRejection `json:"rejected"`
		}
		data, err := json.Marshal(ours)
		if err == nil {
			err = json.Unmarshal(data, &parts)
		}
		if err != nil {
			return rec, fmt.Errorf("meta: %w", jsonError(err))
		}
		if err := fromNativeParts(im, a, parts.Claims, parts.Incidents, parts.Reliability); err != nil {
			return rec, fmt.Errorf("meta: %w", err)
		}
		if err := fromNativeReferents(im, a, parts.Referents, parts.Rejected, opts); err != nil {
			return rec, fmt.Errorf("meta: %w", err)
		}
	}
	a.NextID = nextIDAfter(a)
	rec.Trimmed = im.trimmed
	if ours == nil || !a.IsEmpty() {
		rec.Annotation = a
	}
	return rec, nil
}

// kbEntities gathers the entities a peer's kb_ids name: the spans of one
// label that share a kb_id are mentions of one entity, named by the first
// mention's text, with the others' texts as aliases and the kb_id as its
// external id (a kb_id "annotate:r12" is a link to registry entry r12).
type kbEntities map[string]string // label and external id -> entity id

func (kb kbEntities) add(a *model.Annotation, spanID, ext, label, mention string) {
	name := strings.Join(strings.Fields(mention), " ")
	key := label + "\x00" + ext
	span := slices.IndexFunc(a.Entities, func(s model.Span) bool { return s.ID == spanID })
	if span < 0 {
		return
	}
	referent := func(id string) int {
		return slices.IndexFunc(a.Referents, func(e model.Entity) bool { return e.ID == id })
	}
	i := -1
	if id, ok := kb[key]; ok {
		i = referent(id)
	}
	switch {
	case i >= 0:
		if !a.Referents[i].HasName(name) {
			a.Referents[i].Aliases = append(a.Referents[i].Aliases, name)
		}
	case a.Entities[span].Entity != "":
		// A second id for the mention (a choice record accepting two):
		// its entity goes by both.
		i = referent(a.Entities[span].Entity)
		kbReference(&a.Referents[i], ext)
		kb[key] = a.Referents[i].ID
	default:
		a.Referents = append(a.Referents, model.Entity{ID: a.NewID("n"), Name: name, Label: label})
		i = len(a.Referents) - 1
		kbReference(&a.Referents[i], ext)
		kb[key] = a.Referents[i].ID
	}
	a.Entities[span].Entity = a.Referents[i].ID
}

// kbReference gives e a kb_id's reference: an external id, or for
// "annotate:r12" a link to registry entry r12.
func kbReference(e *model.Entity, ext string) {
	if scheme, id, _ := strings.Cut(ext, ":"); scheme == RegistryScheme {
		if e.Registry == "" {
			e.Registry = id
		}
	} else if !slices.Contains(e.ExternalIDs, ext) {
		e.ExternalIDs = append(e.ExternalIDs, ext)
	}
}

// choiceSpan is a span a record added: its ID, label, byte range and
// offsets as the file gave them.
type choiceSpan struct {
	id, label  string
	r          model.Range
	start, end int
}

// linkChoice reads the answer of a record of Prodigy's choice view. For
// entity linking (the view shows one span and offers knowledge base ids,
// as spaCy's entity linking tutorial recipe does), the ids accepted become
// external ids of the span's entity, exported as its kb_id; an answer that
// the mention has no entry (nilAnswer) gives it none, and a line of the
// notes says so. A choice about anything else (no span, or several) is
// kept as a line of the notes.
func linkChoice(a *model.Annotation, kb kbEntities, spans []choiceSpan, accept []json.RawMessage, text string) {
	var ids, nils []string
	for _, raw := range accept {
		switch id := scalarString(raw); {
		case strings.TrimSpace(id) == "":
		case nilAnswer(id):
			nils = append(nils, id)
		default:
			ids = append(ids, id)
		}
	}
	if len(spans) != 1 {
		if all := append(ids, nils...); len(all) > 0 {
			addNote(a, "choice: accepted "+strings.Join(all, ", "))
		}
		return
	}
	s := spans[0]
	for _, id := range ids {
		kb.add(a, s.id, model.ExternalIDOf(id), s.label, text[s.r.Start:s.r.End])
	}
	if len(ids) == 0 && len(nils) > 0 {
		addNote(a, fmt.Sprintf("entity linking: %q [%d-%d] has no knowledge base entry (%s)", text[s.r.Start:s.r.End], s.start, s.end, strings.Join(nils, ", ")))
	}
}

// nilAnswer reports whether an accepted option says a mention has no
// knowledge base entry: spaCy's "NIL", the NIL_ options of its entity
// linking tutorial recipe (NIL_otherLink "Link not in options",
// NIL_ambiguous "Need more context"), or "NONE"; in any case.
func nilAnswer(id string) bool {
	u := strings.ToUpper(strings.TrimSpace(id))
	return u == "NIL" || u == "NONE" || strings.HasPrefix(u, "NIL_")
}

// isSpaceAt reports whether the character at byte offset i is white space.
func isSpaceAt(text string, i int) bool {
	r, _ := utf8.DecodeRuneInString(text[i:])
	return unicode.IsSpace(r)
}

func init() {
	registerExport(ExportFormat{
		Name:   "spacy",
		Help:   "Prodigy/spaCy JSONL: spans with kb_id; entities, claims, incidents and grades under meta",
		Flags:  []ExportFlag{{Name: "tokens", Bool: true, Help: "add tokens and each span's token_start and token_end"}},
		Counts: "records",
		New: func(c ExportConfig) (Exporter, error) {
			opts := SpacyOptions{Tokens: c.Flags["tokens"] == "true"}
			return newLineExporter(c.Out, func(art model.Article, a model.Annotation) (any, error) { return ToSpacy(art, a, opts) }), nil
		},
	})
}
