package formats

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/annotate-tool/annotate/internal/model"
)

// brat standoff: NAME.txt holds the text, NAME.ann one annotation per line.
// annotate writes and reads:
//
//	T1	ORG 0 4	ISIS                      an entity span
//	T2	Claim 13 22	53 killed                 a claim's content (discontinuous for several)
//	T3	Cue 5 12	claimed                   a claim's cue
//	R1	Claimant Arg1:T1 Arg2:T2          who makes the claim
//	R2	Cue Arg1:T2 Arg2:T3               the claim's cue
//	R3	disputes Arg1:T2 Arg2:T7          a claim's stance toward another
//	A1	Credibility T2 4                  claim attributes: Type, Polarity,
//	                                         Certainty, Credibility, Self_interested
//	A2	Reliability T1 E                  a source's grade
//	#1	AnnotatorNotes T2	claimant: officials  (also one "figure: 53 killed {...}" per figure;
//	                                         "source: ..." and "rationale: ..." on a graded span)
//	T9	Incident 40 47	clashes              an incident's trigger (its first evidence)
//	E1	Incident:T9 perpetrators:T1 location:T5 Evidence-killed:T2
//	#2	AnnotatorNotes E1	{"event_type":"Armed clash",...}  the other fields
//
// A span across a line break is written as fragments split at the break
// (brat's own way); on import, fragments separated only by line breaks are
// joined again. Lines annotate has no place for (other relations, events,
// attributes, notes, normalisations) are kept as lines of the annotation's
// notes.

// The brat types annotate gives its own structures.
const (
	bratClaim    = "Claim"
	bratCue      = "Cue"
	bratIncident = "Incident"
	bratClaimant = "Claimant"
	bratEvidence = "Evidence-"
)

// bratType makes a label usable as a brat type (no white space).
func bratType(label string) string {
	return strings.Join(strings.Fields(label), "_")
}

// fragments splits a range at line breaks, dropping the breaks: brat's
// text field is one line.
func fragments(text string, r model.Range) []model.Range {
	var out []model.Range
	start := r.Start
	for i := r.Start; i <= r.End; i++ {
		if i == r.End || text[i] == '\n' || text[i] == '\r' {
			if i > start {
				out = append(out, model.Range{Start: start, End: i})
			}
			start = i + 1
		}
	}
	return out
}

// bratDoc collects the lines of one .ann file.
type bratDoc struct {
	x        *exporter
	lines    []string
	n        map[byte]int
	warnings []string
}

func (d *bratDoc) next(kind byte) string {
	d.n[kind]++
	return string(kind) + strconv.Itoa(d.n[kind])
}

// textBound writes a T line for the ranges (fragments of each) and returns
// its ID, or "" when nothing of it can be written.
func (d *bratDoc) textBound(typ string, ranges ...model.Range) (string, error) {
	var offs, texts []string
	for _, r := range ranges {
		// The whole range holds to the rule for span edges; its
		// fragments may end with white space before a line break.
		if _, err := d.x.span(r); err != nil {
			return "", err
		}
		for _, f := range fragments(d.x.text, r) {
			e, err := d.x.offsets(f)
			if err != nil {
				return "", err
			}
			offs = append(offs, fmt.Sprintf("%d %d", e.Start, e.End))
			texts = append(texts, e.Text)
		}
	}
	if len(offs) == 0 {
		return "", nil
	}
	id := d.next('T')
	d.lines = append(d.lines, fmt.Sprintf("%s\t%s %s\t%s", id, typ, strings.Join(offs, ";"), strings.Join(texts, " ")))
	return id, nil
}

// ToBrat converts an annotation to the lines of a brat .ann file. Warnings
// name what brat cannot carry (a source grade without a span, an incident
// with no evidence to anchor it).
func ToBrat(art model.Article, a model.Annotation, s *model.Schema) (string, []string, error) {
	d := &bratDoc{x: newExporter(art.Text), n: map[byte]int{}}
	fail := func(what string, err error) (string, []string, error) {
		return "", nil, fmt.Errorf("article %s, %s %s: %w", art.ID, a.Annotator, what, err)
	}
	warn := func(format string, args ...any) {
		d.warnings = append(d.warnings, fmt.Sprintf("article %s, %s: ", art.ID, a.Annotator)+fmt.Sprintf(format, args...))
	}
	tOf := map[string]string{}              // span or claim ID -> T ID
	mentionT := map[string][]string{}       // entity ID -> T IDs of its mentions
	firstMention := map[string]model.Span{} // entity ID -> its first mention written
	for _, sp := range sortedSpans(a.Entities) {
		id, err := d.textBound(bratType(sp.Label), sp.Range())
		if err != nil {
			return fail("span "+sp.ID, err)
		}
		if id == "" {
			warn("span %s holds only line breaks: not written", sp.ID)
		}
		tOf[sp.ID] = id
		if id != "" {
			mentionT[sp.Entity] = append(mentionT[sp.Entity], id)
			if _, ok := firstMention[sp.Entity]; !ok {
				firstMention[sp.Entity] = sp
			}
		}
	}
	var rels, attrs, norms, equivs, notes []string
	rel := func(typ, arg1, arg2 string) {
		rels = append(rels, fmt.Sprintf("%s Arg1:%s Arg2:%s", typ, arg1, arg2))
	}
	attr := func(name, target, value string) {
		if value != "" {
			name += " " + target + " " + bratType(value)
		} else {
			name += " " + target
		}
		attrs = append(attrs, name)
	}
	note := func(target, text string) {
		notes = append(notes, fmt.Sprintf("AnnotatorNotes %s\t%s", target, oneLine.Replace(text)))
	}
	for _, c := range a.Claims {
		id, err := d.textBound(bratClaim, c.Content...)
		if err != nil {
			return fail("claim "+c.ID, err)
		}
		if id == "" {
			warn("claim %s has no content to write: not written", c.ID)
			continue
		}
		tOf[c.ID] = id
		if c.Cue != nil {
			cue, err := d.textBound(bratCue, *c.Cue)
			if err != nil {
				return fail("claim "+c.ID+" cue", err)
			}
			if cue != "" {
				rel(bratCue, id, cue)
			}
		}
		if t := tOf[c.Claimant.SpanID]; t != "" {
			rel(bratClaimant, t, id)
		} else if c.Claimant.Name != "" {
			note(id, "claimant: "+c.Claimant.Name)
		}
		attr("Type", id, c.Type)
		attr("Polarity", id, c.Polarity)
		attr("Certainty", id, c.Certainty)
		attr("Credibility", id, c.Credibility)
		if c.SelfInterested {
			attr("Self_interested", id, "")
		}
		for _, f := range c.Figures {
			note(id, bratFigureNote(f))
		}
	}
	for _, c := range a.Claims {
		if c.Stance != nil && tOf[c.ID] != "" && tOf[c.Stance.ClaimID] != "" {
			rel(bratType(c.Stance.Kind), tOf[c.ID], tOf[c.Stance.ClaimID])
		}
	}
	// Entities: the mentions of one are an equivalence (*), each external
	// id and the registry link a normalisation (N) of its first mention,
	// each affiliation a relation typed with its role between the first
	// mentions of the two, and what brat has no line for (another
	// canonical name, aliases, a label of its own) notes on the first
	// mention.
	for _, e := range a.Referents {
		ts := mentionT[e.ID]
		if len(ts) == 0 {
			warn("entity %s (%s) has no mention brat can hold: not written", e.ID, e.Name)
			continue
		}
		first, sp := ts[0], firstMention[e.ID]
		if len(ts) > 1 {
			equivs = append(equivs, bratEquiv+" "+strings.Join(ts, " "))
		}
		if e.Name != mentionName(art.Text, sp) || nameTaken(a, e, sp, art.Text) {
			note(first, bratEntityNote+e.Name)
		}
		for _, alias := range e.Aliases {
			note(first, bratAliasNote+alias)
		}
		if e.Label != sp.Label || e.LabelNote != "" {
			note(first, bratEntityLabelNote+e.Label)
			if e.LabelNote != "" {
				note(first, bratLabelNoteNote+e.LabelNote)
			}
		}
		refs := append([]string(nil), e.ExternalIDs...)
		if e.Registry != "" {
			refs = append(refs, RegistryScheme+":"+e.Registry)
		}
		for _, ref := range refs {
			norms = append(norms, fmt.Sprintf("%s %s %s\t%s", bratReference, first, oneLine.Replace(ref), oneLine.Replace(e.Name)))
		}
		for _, f := range e.Affiliations {
			if to := mentionT[f.Entity]; len(to) > 0 {
				rel(bratType(f.Role), first, to[0])
			}
		}
	}
	gradedT := map[string]bool{}
	for _, g := range a.Sources {
		t, anchor := tOf[g.SpanID], g.SpanID
		if t == "" && g.SpanID == "" && len(mentionT[g.Entity]) > 0 {
			// A grade of the entity alone sits on its first mention.
			t, anchor = mentionT[g.Entity][0], firstMention[g.Entity].ID
		}
		if t == "" {
			warn("the grade of source %q has no span: not written", g.Source)
			continue
		}
		if gradedT[t] {
			warn("the grade of source %q falls on a mention already graded (brat holds one grade per mention): not written", g.Source)
			continue
		}
		gradedT[t] = true
		attr("Reliability", t, g.Reliability)
		if sp, ok := a.Span(anchor); ok && art.Text[sp.Start:sp.End] != g.Source {
			note(t, "source: "+g.Source)
		}
		if g.Rationale != "" {
			note(t, "rationale: "+g.Rationale)
		}
		switch {
		case g.Entity != "" && g.SpanID == "":
			note(t, bratGradeEntityOnly)
		case g.Entity != "":
			note(t, bratGradeEntity)
		}
	}
	for _, inc := range a.Incidents {
		trigger, ok := incidentAnchor(a, inc, s)
		if !ok {
			warn("incident %s has no evidence or entity to anchor it in the text: not written", inc.ID)
			continue
		}
		t, err := d.textBound(bratIncident, trigger)
		if err != nil || t == "" {
			warn("incident %s: its anchor cannot be written", inc.ID)
			continue
		}
		args := []string{bratIncident + ":" + t}
		rest := map[string]any{}
		for _, name := range fieldOrder(inc, s) {
			v := inc.Fields[name]
			if f, ok := s.Field(name); ok && f.Type == model.FieldEntity {
				for k, id := range v.List {
					if tOf[id] != "" {
						args = append(args, fmt.Sprintf("%s:%s", roleName(name, k), tOf[id]))
					}
				}
				continue
			}
			if !v.IsZero() {
				rest[name] = NativeValue(v)
			}
		}
		evidence := make([]string, 0, len(inc.Evidence))
		for name := range inc.Evidence {
			evidence = append(evidence, name)
		}
		sort.Strings(evidence)
		for _, name := range evidence {
			for k, id := range inc.Evidence[name] {
				if tOf[id] != "" {
					args = append(args, fmt.Sprintf("%s:%s", roleName(bratEvidence+name, k), tOf[id]))
				}
			}
		}
		e := d.next('E')
		d.lines = append(d.lines, e+"\t"+strings.Join(args, " "))
		if len(rest) > 0 {
			data, err := json.Marshal(rest)
			if err != nil {
				return fail("incident "+inc.ID, err)
			}
			notes = append(notes, fmt.Sprintf("AnnotatorNotes %s\t%s", e, data))
		}
	}
	for _, r := range rels {
		d.lines = append(d.lines, d.next('R')+"\t"+r+"\t")
	}
	for _, at := range attrs {
		d.lines = append(d.lines, d.next('A')+"\t"+at)
	}
	for _, n := range norms {
		d.lines = append(d.lines, d.next('N')+"\t"+n)
	}
	for _, eq := range equivs {
		d.lines = append(d.lines, "*\t"+eq)
	}
	for _, n := range notes {
		d.lines = append(d.lines, d.next('#')+"\t"+n)
	}
	if len(d.lines) == 0 {
		return "", d.warnings, nil
	}
	return strings.Join(d.lines, "\n") + "\n", d.warnings, nil
}

// The lines and notes annotate writes for entities.
const (
	bratEquiv           = "Equiv"
	bratReference       = "Reference"
	bratEntityNote      = "entity: "
	bratAliasNote       = "alias: "
	bratEntityLabelNote = "entity label: "
	bratLabelNoteNote   = "label note: "
	bratGradeEntity     = "grade: of the entity"
	bratGradeEntityOnly = "grade: of the entity, not this mention"
)

// mentionName is a mention's text as a name: white space collapsed, as
// model.GroupMentions names a new entity.
func mentionName(text string, sp model.Span) string {
	return strings.Join(strings.Fields(text[sp.Start:sp.End]), " ")
}

// nameTaken reports whether another entity of the annotation goes by the
// name of e's first mention sp, under sp's label: the import would then
// join sp to it (model.GroupMentions), so e's name must be written even
// when it is the mention's text.
func nameTaken(a model.Annotation, e model.Entity, sp model.Span, text string) bool {
	name := mentionName(text, sp)
	for _, o := range a.Referents {
		if o.ID != e.ID && o.Label == sp.Label && o.HasName(name) {
			return true
		}
	}
	return false
}

// oneLine keeps a note on its line of the .ann file.
var oneLine = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ")

// roleName numbers repeated roles as brat does: Role, Role2, Role3.
func roleName(role string, k int) string {
	if k == 0 {
		return role
	}
	return role + strconv.Itoa(k+1)
}

// fieldOrder lists an incident's fields in the schema's order, then any
// others by name.
func fieldOrder(inc model.Incident, s *model.Schema) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range s.Fields {
		if _, ok := inc.Fields[f.Name]; ok {
			out = append(out, f.Name)
			seen[f.Name] = true
		}
	}
	var rest []string
	for name := range inc.Fields {
		if !seen[name] {
			rest = append(rest, name)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// incidentAnchor picks the stretch of text a brat event needs as its
// trigger: the first evidence (a span, or a claim's content), else the
// first entity a field names.
func incidentAnchor(a model.Annotation, inc model.Incident, s *model.Schema) (model.Range, bool) {
	names := make([]string, 0, len(inc.Evidence))
	for name := range inc.Evidence {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, id := range inc.Evidence[name] {
			if sp, ok := a.Span(id); ok {
				return sp.Range(), true
			}
			if c, ok := a.Claim(id); ok && len(c.Content) > 0 {
				return c.Content[0], true
			}
		}
	}
	for _, name := range fieldOrder(inc, s) {
		if f, ok := s.Field(name); ok && f.Type == model.FieldEntity {
			for _, id := range inc.Fields[name].List {
				if sp, ok := a.Span(id); ok {
					return sp.Range(), true
				}
			}
		}
	}
	return model.Range{}, false
}

// bratConf returns the annotation.conf that declares what annotate writes
// under a schema, so brat shows it without complaint.
func bratConf(s *model.Schema, extra []string) string {
	var b strings.Builder
	b.WriteString("# Written by annotate for schema " + s.Name + ".\n\n[entities]\n\n")
	labels := map[string]bool{}
	for _, l := range s.Labels {
		labels[bratType(l.Name)] = true
		b.WriteString(bratType(l.Name) + "\n")
	}
	sort.Strings(extra)
	for _, l := range extra {
		if !labels[bratType(l)] {
			labels[bratType(l)] = true
			b.WriteString(bratType(l) + "\n")
		}
	}
	b.WriteString(bratClaim + "\n" + bratCue + "\n" + bratIncident + "\n\n[relations]\n\n")
	b.WriteString(bratClaimant + "\tArg1:<ENTITY>, Arg2:" + bratClaim + "\n")
	b.WriteString(bratCue + "\tArg1:" + bratClaim + ", Arg2:" + bratCue + "\n")
	for _, st := range s.Claims.Stances {
		b.WriteString(bratType(st) + "\tArg1:" + bratClaim + ", Arg2:" + bratClaim + "\n")
	}
	for _, role := range model.AffiliationRoles {
		b.WriteString(bratType(role) + "\tArg1:<ENTITY>, Arg2:<ENTITY>\n")
	}
	b.WriteString(bratEquiv + "\tArg1:<ENTITY>, Arg2:<ENTITY>, <REL-TYPE>:symmetric-transitive\n")
	b.WriteString("<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n\n[events]\n\n")
	var roles []string
	for _, f := range s.Fields {
		if f.Type != model.FieldEntity {
			continue
		}
		types := "<ENTITY>"
		if len(f.Labels) > 0 {
			var ts []string
			for _, l := range f.Labels {
				ts = append(ts, bratType(l))
			}
			types = strings.Join(ts, "|")
		}
		roles = append(roles, bratType(f.Name)+"*:"+types)
	}
	for _, f := range s.Fields {
		roles = append(roles, bratEvidence+bratType(f.Name)+"*:<ENTITY>")
	}
	b.WriteString(bratIncident + "\t" + strings.Join(roles, ", ") + "\n\n[attributes]\n\n")
	values := func(name, arg string, codes []string) {
		var vs []string
		for _, c := range codes {
			vs = append(vs, bratType(c))
		}
		b.WriteString(name + "\tArg:" + arg + ", Value:" + strings.Join(vs, "|") + "\n")
	}
	values("Type", bratClaim, s.Claims.Types)
	values("Polarity", bratClaim, s.Claims.Polarities)
	values("Certainty", bratClaim, s.Claims.Certainties)
	var cred, rel []string
	for _, c := range s.CredibilityGrades {
		cred = append(cred, c.Code)
	}
	for _, c := range s.SourceGrades {
		rel = append(rel, c.Code)
	}
	values("Credibility", bratClaim, cred)
	b.WriteString("Self_interested\tArg:" + bratClaim + "\n")
	values("Reliability", "<ENTITY>", rel)
	return b.String()
}

// BratWriter writes a brat collection: DIR/ANNOTATOR/ARTICLE.txt and .ann
// for each annotation, and DIR/annotation.conf.
type BratWriter struct {
	dir      string
	schema   *model.Schema
	labels   map[string]bool
	Warnings []string
	// folders maps each folder written (lower case: some file systems
	// ignore case) to its annotator, so two never share one.
	folders map[string]string
}

// NewBratWriter writes into dir, which must exist.
func NewBratWriter(dir string, s *model.Schema) *BratWriter {
	return &BratWriter{dir: dir, schema: s, labels: map[string]bool{}}
}

// Write writes the pairs of one article, one per annotation.
func (bw *BratWriter) Write(art model.Article, anns []model.Annotation) error {
	for _, a := range anns {
		ann, warnings, err := ToBrat(art, a, bw.schema)
		if err != nil {
			return err
		}
		bw.Warnings = append(bw.Warnings, warnings...)
		for _, sp := range a.Entities {
			bw.labels[sp.Label] = true
		}
		name := safeName(a.Annotator)
		if bw.folders == nil {
			bw.folders = map[string]string{}
		}
		if other, ok := bw.folders[strings.ToLower(name)]; ok && other != a.Annotator {
			// Names that differ only in case ("x_y", "X_Y") would share a
			// folder where case is ignored: the later one gets the hash.
			h := sha256.Sum256([]byte(a.Annotator))
			name = folderChars(a.Annotator) + "-" + hex.EncodeToString(h[:3])
			if other, ok := bw.folders[strings.ToLower(name)]; ok && other != a.Annotator {
				return fmt.Errorf("brat export: annotators %q and %q would share the folder %q: export them one at a time with --annotator", other, a.Annotator, name)
			}
		}
		bw.folders[strings.ToLower(name)] = a.Annotator
		dir := filepath.Join(bw.dir, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		base := filepath.Join(dir, art.ID)
		if err := os.WriteFile(base+".txt", []byte(art.Text), 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(base+".ann", []byte(ann), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Close writes annotation.conf.
func (bw *BratWriter) Close() error {
	var extra []string
	for l := range bw.labels {
		if _, ok := bw.schema.Label(l); !ok {
			extra = append(extra, l)
		}
	}
	return os.WriteFile(filepath.Join(bw.dir, "annotation.conf"), []byte(bratConf(bw.schema, extra)), 0o644)
}

// safeName makes an annotator name usable as a folder name, one to one:
// a name with characters a folder name cannot hold gets them as "_" and a
// short hash of the whole name ("x/y" is "x_y-3f9a2c", never "x_y").
func safeName(name string) string {
	safe := folderChars(name)
	if safe == name {
		return safe
	}
	h := sha256.Sum256([]byte(name))
	return safe + "-" + hex.EncodeToString(h[:3])
}

// folderChars replaces the characters a folder name cannot hold.
func folderChars(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '@', r == '+', r > 0x7f:
			b.WriteRune(r)
		case r == '.' && b.Len() > 0:
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}

// bratLine is one parsed line of an .ann file.
type bratLine struct {
	line   int
	id     string
	typ    string
	args   []string // after the type: "Arg1:T1", "T4", offsets...
	text   string   // the third field
	frags  [][2]int // T lines
	ranges []model.Range
	// parts are a T line's ranges joined across line breaks and trimmed
	// of white space (model.TrimBlank): the spans it imports as.
	parts []model.Range
}

// ReadBrat reads one .ann file with its text. Offsets are code points of
// the text; when the text has CRLF line ends and the spans only select
// their text counting a CRLF as one character (as brat's server reads a
// file), that is how they are read. A T line whose text does not match is
// a bad record naming its line.
func ReadBrat(annPath string, ann io.Reader, txtPath string, text string, opts ImportOptions) (Annotated, []RecordError, error) {
	rec := Annotated{Article: articleFrom(text, nil, txtPath), Where: annPath}
	var lines []*bratLine
	var bad []RecordError
	at := func(line int) string { return fmt.Sprintf("%s:%d", annPath, line) }
	// left holds the IDs of the lines left out, and where they are, so
	// the lines that depend on them are left out too.
	left := map[string]int{}
	sc := bufio.NewScanner(ann)
	sc.Buffer(make([]byte, 0, 64*1024), maxLine)
	for n := 1; sc.Scan(); n++ {
		raw := strings.TrimRight(sc.Text(), "\r")
		if n == 1 {
			raw = strings.TrimPrefix(raw, "\uFEFF")
		}
		if strings.TrimSpace(raw) == "" {
			continue
		}
		l, err := parseBratLine(raw, n)
		if err != nil {
			bad = append(bad, RecordError{Where: at(n), Err: err})
			if id, _, _ := strings.Cut(raw, "\t"); id != "" && id != "*" {
				left[id] = n
			}
			continue
		}
		lines = append(lines, l)
	}
	if err := sc.Err(); err != nil {
		return rec, bad, fmt.Errorf("%s: %w", annPath, err)
	}

	// The unit: code points, unless only CRLF-as-one selects every span.
	// A T line whose offsets select no text, or other text than it says,
	// is a bad line; the unit that leaves fewer of them is the file's.
	im := newImporter(text)
	convert := func(u Unit) map[*bratLine]error {
		errs := map[*bratLine]error{}
		for _, l := range lines {
			if l.id[0] != 'T' {
				continue
			}
			l.ranges = l.ranges[:0]
			for _, f := range l.frags {
				r, err := im.rangeIn(u, f[0], f[1], "")
				if err != nil {
					errs[l] = fmt.Errorf("%s %d-%d: %w", l.id, f[0], f[1], err)
					break
				}
				l.ranges = append(l.ranges, r)
			}
			if errs[l] == nil && l.text != "" && !bratTextMatches(text, l.ranges, l.text) {
				errs[l] = fmt.Errorf("%s: the text says %q but the offsets select %q", l.id, l.text, joinRanges(text, l.ranges, " "))
			}
		}
		return errs
	}
	errs := convert(CodePoints)
	if len(errs) > 0 && strings.Contains(text, "\r\n") {
		if crlf := convert(NewlineAsOne); len(crlf) < len(errs) {
			errs = crlf
		} else {
			convert(CodePoints)
		}
	}
	// The rule for span edges, once the unit is settled: each part is
	// trimmed of white space; a part of white space only is a bad line.
	for _, l := range lines {
		if l.id[0] != 'T' || errs[l] != nil {
			continue
		}
		l.parts = nil
		for _, r := range joinLineBreaks(text, l.ranges) {
			t, err := im.span(r, fmt.Sprintf("line %d: %s %s", l.line, l.id, l.typ))
			if err != nil {
				errs[l] = fmt.Errorf("%s %s: %w", l.id, l.typ, err)
				break
			}
			l.parts = append(l.parts, t)
		}
	}
	rec.Trimmed = im.trimmed
	kept := lines[:0]
	for _, l := range lines {
		if err := errs[l]; err != nil {
			bad = append(bad, RecordError{Where: at(l.line), Err: err})
			left[l.id] = l.line
			continue
		}
		kept = append(kept, l)
	}
	lines = dropDependents(kept, left, func(l *bratLine, on string) {
		bad = append(bad, RecordError{Where: at(l.line), Err: fmt.Errorf("%s %s refers to %s (line %d), which is left out: left out with it", l.id, l.typ, on, left[on])})
	})
	sortByWhere(bad)
	if len(lines) == 0 {
		return rec, bad, nil
	}
	a, more := bratAnnotation(text, lines, opts, annPath)
	bad = append(bad, more...)
	if !a.IsEmpty() {
		a.NextID = nextIDAfter(a)
		rec.Annotation = a
	}
	return rec, bad, nil
}

// dropDependents leaves out the lines that refer to a line left out (an
// event, relation, attribute, note or normalisation on a bad T line, and
// what refers to those in turn), calling drop for each, and returns the
// lines kept. left gains the IDs of the lines it leaves out.
func dropDependents(lines []*bratLine, left map[string]int, drop func(l *bratLine, on string)) []*bratLine {
	for changed := len(left) > 0; changed; {
		changed = false
		kept := lines[:0]
		for _, l := range lines {
			on := ""
			for _, arg := range l.args {
				target := arg
				if _, t, ok := strings.Cut(arg, ":"); ok {
					target = t
				}
				if _, gone := left[target]; gone {
					on = target
					break
				}
			}
			if on == "" {
				kept = append(kept, l)
				continue
			}
			drop(l, on)
			if l.id != "*" {
				left[l.id] = l.line
			}
			changed = true
		}
		lines = kept
	}
	return lines
}

// sortByWhere orders a file's bad lines by line number.
func sortByWhere(bad []RecordError) {
	line := func(where string) int {
		n, _ := strconv.Atoi(where[strings.LastIndexByte(where, ':')+1:])
		return n
	}
	sort.SliceStable(bad, func(i, j int) bool { return line(bad[i].Where) < line(bad[j].Where) })
}

// bratTextMatches accepts the text field as brat writes it for the
// fragments (joined by a space) or as the whole stretch they cover.
func bratTextMatches(text string, ranges []model.Range, want string) bool {
	if joinRanges(text, ranges, " ") == want {
		return true
	}
	// The stretch from the first character of any fragment to the last:
	// fragments may come in any order (a fuzzed "0 10;0 1" once cut the
	// text backwards and panicked).
	lo, hi := ranges[0].Start, ranges[0].End
	for _, r := range ranges[1:] {
		lo, hi = min(lo, r.Start), max(hi, r.End)
	}
	return text[lo:hi] == want
}

func joinRanges(text string, ranges []model.Range, sep string) string {
	parts := make([]string, len(ranges))
	for i, r := range ranges {
		parts[i] = text[r.Start:r.End]
	}
	return strings.Join(parts, sep)
}

func parseBratLine(raw string, n int) (*bratLine, error) {
	fields := strings.SplitN(raw, "\t", 3)
	if len(fields) < 2 || fields[0] == "" {
		return nil, fmt.Errorf("expected ID<TAB>annotation, got %q", raw)
	}
	l := &bratLine{line: n, id: fields[0]}
	if len(fields) == 3 {
		l.text = fields[2]
	}
	parts := strings.Fields(fields[1])
	if len(parts) == 0 {
		return nil, fmt.Errorf("%s has no type", l.id)
	}
	l.typ, l.args = parts[0], parts[1:]
	switch l.id[0] {
	case 'T':
		// "Label 0 4;9 12": the offsets may hold a ';' between fragments.
		offs := strings.Join(l.args, " ")
		for _, frag := range strings.Split(offs, ";") {
			var s, e int
			if _, err := fmt.Sscanf(strings.TrimSpace(frag), "%d %d", &s, &e); err != nil {
				return nil, fmt.Errorf("%s: offsets %q must be \"START END\" (fragments separated by ';')", l.id, offs)
			}
			l.frags = append(l.frags, [2]int{s, e})
		}
	case 'E':
		// "Type:T3 Role:T1": the type is the trigger's.
		typ, trigger, ok := strings.Cut(l.typ, ":")
		if !ok {
			return nil, fmt.Errorf("%s: an event needs TYPE:TRIGGER", l.id)
		}
		l.typ = typ
		l.args = append([]string{"Trigger:" + trigger}, l.args...)
	case 'R', 'A', 'M', '#', 'N', '*':
	default:
		return nil, fmt.Errorf("unknown annotation %q (brat lines start with T, R, E, A, M, N, # or *)", l.id)
	}
	return l, nil
}

// bratAnnotation builds the annotation from parsed lines whose T ranges
// are converted.
func bratAnnotation(text string, lines []*bratLine, opts ImportOptions, annPath string) (*model.Annotation, []RecordError) {
	a := newAnnotated(text)
	var bad []RecordError
	ids := map[string]string{} // brat ID -> span, claim or incident ID
	claims := map[string]int{} // brat T ID -> index into a.Claims
	cues := map[string]model.Range{}
	triggers := map[string]bool{}
	grades := map[string]int{}    // brat T ID -> index into a.Sources
	gradeOf := map[int]string{}   // index into a.Sources -> how it grades the entity
	incidents := map[string]int{} // brat E ID -> index into a.Incidents
	byID := map[string]*bratLine{}
	for _, l := range lines {
		byID[l.id] = l
	}
	ents := newFileEntities()
	describe := func(id string) string {
		l := byID[id]
		switch {
		case l == nil:
			return id
		case l.id[0] == 'T':
			return fmt.Sprintf("%s %s %q", id, l.typ, joinRanges(text, l.ranges, " "))
		}
		return id + " " + l.typ
	}
	keep := func(l *bratLine) {
		parts := []string{l.typ}
		for _, arg := range l.args {
			role, target, ok := strings.Cut(arg, ":")
			if ok && byID[target] != nil {
				parts = append(parts, role+": "+describe(target))
			} else if byID[arg] != nil {
				parts = append(parts, describe(arg))
			} else {
				parts = append(parts, arg)
			}
		}
		line := l.id + " " + strings.Join(parts, ", ")
		if l.text != "" {
			line += ": " + l.text
		}
		addNote(a, line)
	}
	for _, l := range lines {
		if l.id[0] != 'T' {
			continue
		}
		switch l.typ {
		case bratClaim:
			claims[l.id] = len(a.Claims)
			a.Claims = append(a.Claims, model.Claim{ID: a.NewID("c"), Content: l.parts})
			ids[l.id] = a.Claims[len(a.Claims)-1].ID
		case bratCue:
			cues[l.id] = l.parts[0]
		case bratIncident:
			triggers[l.id] = true
		default:
			label, keepIt := opts.label(bratLabel(l.typ, opts.Schema))
			if !keepIt {
				continue
			}
			parts := l.parts
			for _, r := range parts {
				id := addSpan(a, r, label)
				if ids[l.id] == "" {
					ids[l.id] = id
				}
				ents.spans[l.id] = append(ents.spans[l.id], id)
			}
			if len(parts) > 1 {
				addNote(a, fmt.Sprintf("%s was one discontinuous %s span (%s): imported as %d spans", l.id, l.typ, strings.Join(l.args, " "), len(parts)))
			}
		}
	}
	stances := map[string]bool{}
	if opts.Schema != nil {
		for _, st := range opts.Schema.Claims.Stances {
			stances[bratType(st)] = true
		}
	}
	claimArg := func(arg string) (int, bool) {
		_, target, _ := strings.Cut(arg, ":")
		i, ok := claims[target]
		return i, ok
	}
	// Relations and events first, then attributes, then notes, which may
	// refer to the grades attributes create.
	for _, l := range lines {
		switch l.id[0] {
		case 'R':
			if len(l.args) < 2 {
				bad = append(bad, RecordError{Where: fmt.Sprintf("%s:%d", annPath, l.line), Err: fmt.Errorf("%s: a relation needs Arg1 and Arg2", l.id)})
				continue
			}
			_, arg1, _ := strings.Cut(l.args[0], ":")
			_, arg2, _ := strings.Cut(l.args[1], ":")
			c1, isClaim1 := claimArg(l.args[0])
			c2, isClaim2 := claimArg(l.args[1])
			switch {
			case l.typ == bratClaimant && isClaim2 && !isClaim1 && ids[arg1] != "":
				a.Claims[c2].Claimant.SpanID = ids[arg1]
			case l.typ == bratCue && isClaim1 && cues[arg2] != (model.Range{}):
				cue := cues[arg2]
				a.Claims[c1].Cue = &cue
			case affiliationRole(l.typ) != "" && ents.spans[arg1] != nil && ents.spans[arg2] != nil:
				ents.affiliate(arg1, arg2, affiliationRole(l.typ))
			case stances[l.typ] && isClaim1 && isClaim2:
				kind := l.typ
				for _, st := range opts.Schema.Claims.Stances {
					if bratType(st) == l.typ {
						kind = st
					}
				}
				a.Claims[c1].Stance = &model.Stance{Kind: kind, ClaimID: a.Claims[c2].ID}
			default:
				keep(l)
			}
		case 'E':
			_, trigger, _ := strings.Cut(l.args[0], ":")
			if l.typ != bratIncident || !triggers[trigger] {
				keep(l)
				continue
			}
			inc, ok := bratIncidentOf(l, ids, opts.Schema)
			if !ok {
				keep(l)
				continue
			}
			inc.ID = a.NewID("i")
			incidents[l.id] = len(a.Incidents)
			a.Incidents = append(a.Incidents, inc)
		}
	}
	for _, l := range lines {
		if l.id[0] != 'A' && l.id[0] != 'M' {
			continue
		}
		if len(l.args) == 0 {
			keep(l)
			continue
		}
		target, value := l.args[0], ""
		if len(l.args) > 1 {
			value = l.args[1]
		}
		if i, ok := claims[target]; ok && claimAttribute(&a.Claims[i], l.typ, value, opts.Schema) {
			continue
		}
		if l.typ == "Reliability" && value != "" && byID[target] != nil && byID[target].id[0] == 'T' && ids[target] != "" {
			if _, isClaim := claims[target]; !isClaim {
				grades[target] = len(a.Sources)
				a.Sources = append(a.Sources, model.SourceGrade{Source: joinRanges(text, byID[target].parts, " "), SpanID: ids[target], Reliability: value})
				continue
			}
		}
		keep(l)
	}
	for _, l := range lines {
		if l.id[0] != '#' {
			continue
		}
		target := ""
		if len(l.args) > 0 {
			target = l.args[0]
		}
		note := l.text
		if l.typ == "AnnotatorNotes" {
			if i, ok := claims[target]; ok && claimNote(&a.Claims[i], note, figureCounts(opts.Schema)) {
				continue
			}
			if i, ok := grades[target]; ok && strings.HasPrefix(note, "rationale: ") {
				a.Sources[i].Rationale = strings.TrimPrefix(note, "rationale: ")
				continue
			}
			if i, ok := grades[target]; ok && strings.HasPrefix(note, "source: ") {
				a.Sources[i].Source = strings.TrimPrefix(note, "source: ")
				continue
			}
			if i, ok := grades[target]; ok && (note == bratGradeEntity || note == bratGradeEntityOnly) {
				gradeOf[i] = note
				continue
			}
			if ents.spans[target] != nil && ents.note(target, note) {
				continue
			}
			if i, ok := incidents[target]; ok && strings.HasPrefix(note, "{") {
				if err := incidentFields(&a.Incidents[i], note); err != nil {
					bad = append(bad, RecordError{Where: fmt.Sprintf("%s:%d", annPath, l.line), Err: fmt.Errorf("%s: %w", l.id, err)})
				}
				continue
			}
		}
		keep(l)
	}
	for _, l := range lines {
		switch {
		case l.id[0] == '*' && ents.equiv(l.args):
		case l.id[0] == 'N' && l.typ == bratReference && len(l.args) > 1 && ents.spans[l.args[0]] != nil &&
			ents.reference(l.args[0], strings.Join(l.args[1:], " ")):
		case l.id[0] == 'N' || l.id[0] == '*':
			keep(l)
		}
	}
	// The mentions no line groups get theirs as every import's do,
	// before the grades of entities can name them.
	ents.finish(a, text)
	for i, how := range gradeOf {
		g := &a.Sources[i]
		if sp, ok := a.Span(g.SpanID); ok {
			g.Entity = sp.Entity
			if how == bratGradeEntityOnly {
				g.SpanID = ""
			}
		}
	}
	return a, bad
}

// bratLabel turns a brat type back into the schema's label when the label
// has white space that bratType replaced.
func bratLabel(typ string, s *model.Schema) string {
	if s == nil {
		return typ
	}
	if _, ok := s.Label(typ); ok {
		return typ
	}
	for _, l := range s.Labels {
		if bratType(l.Name) == typ {
			return l.Name
		}
	}
	return typ
}

// joinLineBreaks joins fragments separated only by line breaks (how brat
// splits a span across lines) and keeps others apart.
func joinLineBreaks(text string, ranges []model.Range) []model.Range {
	out := []model.Range{ranges[0]}
	for _, r := range ranges[1:] {
		last := &out[len(out)-1]
		gap := ""
		if r.Start >= last.End {
			gap = text[last.End:r.Start]
		}
		if r.Start >= last.End && strings.Trim(gap, "\r\n") == "" {
			last.End = r.End
			continue
		}
		out = append(out, r)
	}
	return out
}

// bratIncidentOf reads annotate's own event: roles naming incident fields
// (entity fields) and evidence. ok is false when a role is not one.
func bratIncidentOf(l *bratLine, ids map[string]string, s *model.Schema) (model.Incident, bool) {
	inc := model.Incident{Fields: map[string]model.Value{}, Evidence: map[string][]string{}}
	if s == nil {
		return inc, false
	}
	field := func(role string) (model.Field, bool) {
		if f, ok := s.Field(role); ok {
			return f, true
		}
		for _, f := range s.Fields {
			if bratType(f.Name) == strings.TrimRight(role, "0123456789") {
				return f, true
			}
		}
		return model.Field{}, false
	}
	for _, arg := range l.args[1:] {
		role, target, ok := strings.Cut(arg, ":")
		id := ids[target]
		if !ok || id == "" {
			return inc, false
		}
		if strings.HasPrefix(role, bratEvidence) {
			f, ok := field(strings.TrimPrefix(role, bratEvidence))
			if !ok {
				return inc, false
			}
			inc.Evidence[f.Name] = append(inc.Evidence[f.Name], id)
			continue
		}
		f, ok := field(role)
		if !ok || f.Type != model.FieldEntity {
			return inc, false
		}
		v := inc.Fields[f.Name]
		v.List = append(v.List, id)
		inc.Fields[f.Name] = v
	}
	return inc, true
}

// incidentFields reads the JSON note holding an incident's other fields.
func incidentFields(inc *model.Incident, note string) error {
	var fields map[string]any
	if err := json.Unmarshal([]byte(note), &fields); err != nil {
		return fmt.Errorf("incident fields: %v", err)
	}
	for name, raw := range fields {
		v, err := valueFromNative(raw)
		if err != nil {
			return fmt.Errorf("incident field %s: %w", name, err)
		}
		inc.Fields[name] = v
	}
	return nil
}

// claimAttribute sets a claim's field from a brat attribute annotate
// writes; false when it is not one.
func claimAttribute(c *model.Claim, name, value string, s *model.Schema) bool {
	code := func(list []string) string {
		for _, v := range list {
			if bratType(v) == value {
				return v
			}
		}
		return value
	}
	var vocab model.ClaimVocabulary
	if s != nil {
		vocab = s.Claims
	}
	switch name {
	case "Type":
		c.Type = code(vocab.Types)
	case "Polarity":
		c.Polarity = code(vocab.Polarities)
	case "Certainty":
		c.Certainty = code(vocab.Certainties)
	case "Credibility":
		c.Credibility = value
	case "Self_interested":
		c.SelfInterested = true
	default:
		return false
	}
	return true
}

// bratFigureNote is the note of one of a claim's figures: the figure for a
// reader, then the figure itself as JSON for import, "figure: more than
// 10,000 killed {"counts":"killed","value":10000,"qualifier":"more_than",...}".
func bratFigureNote(f model.Figure) string {
	data, _ := json.Marshal(f)
	return "figure: " + f.Describe() + " " + string(data)
}

// bratFigureJSON starts the JSON of a figure note; the last one in a note
// is the JSON's own start, since inside the JSON a quote is escaped.
const bratFigureJSON = ` {"counts"`

// readBratFigure reads a figure note's text (after "figure: "): annotate's
// own, with its JSON, or one written by hand or by an older annotate such as
// "53 killed" or "more than 100 wounded", read as ParseFigure reads it.
func readBratFigure(s string, counts []string) (model.Figure, bool) {
	if i := strings.LastIndex(s, bratFigureJSON); i >= 0 {
		var f model.Figure
		dec := json.NewDecoder(strings.NewReader(s[i+1:]))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err == nil && !dec.More() {
			return f, true
		}
	}
	f, err := model.ParseFigure(s, counts)
	return f, err == nil
}

// figureCounts is the schema's list of what figures count, if any.
func figureCounts(s *model.Schema) []string {
	if s == nil {
		return nil
	}
	return s.Claims.FigureCounts
}

// claimNote reads the notes annotate writes on a claim; counts are the
// schema's figure counts.
func claimNote(c *model.Claim, note string, counts []string) bool {
	switch {
	case strings.HasPrefix(note, "claimant: "):
		c.Claimant.Name = strings.TrimPrefix(note, "claimant: ")
		return true
	case strings.HasPrefix(note, "figure: "):
		f, ok := readBratFigure(strings.TrimPrefix(note, "figure: "), counts)
		if ok {
			c.Figures = append(c.Figures, f)
		}
		return ok
	}
	return false
}

func init() {
	registerExport(ExportFormat{
		Name:   "brat",
		Help:   "a brat folder: ANNOTATOR/ARTICLE.txt and .ann for each annotation, and annotation.conf",
		Folder: ".txt and .ann files",
		Counts: "records",
		New: func(c ExportConfig) (Exporter, error) {
			bw := NewBratWriter(c.Dir, c.Schema)
			return exportPerArticle{write: bw.Write, close: func() error {
				for _, w := range bw.Warnings {
					c.warn(w)
				}
				return bw.Close()
			}}, nil
		},
	})
}
