package formats

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/annotate-tool/annotate/internal/model"
)

// Incident tables: one CSV row per incident, under the column names and
// codes ACLED, GTD or UCDP GED publish (DOMAIN.md), then annotate's own
// columns: article_id, annotator, incident_id, evidence (the text each
// field's evidence quotes), annotate_status (the incident's status:
// occurred, claimed only, disputed, ...), annotate_figure_sources (who
// claims each estimate of each count, with the figure's qualifier, grade
// and disputes) and annotate_coding_notes (how the set's casualty columns
// were coded and what was left empty). Values come from the default
// incident form's fields by name (event_type, date, location,
// perpetrators, targets, killed, ...); a schema without them leaves those
// columns empty. Casualties follow each project's rules: ACLED fatalities
// the lowest reported estimate (0 only when none is reported), GTD nkill
// the best else the low estimate (blank otherwise; nhostkid -99), UCDP
// low, best and high each only when reported (never derived from another).

// IncidentColumns names the column sets.
var IncidentColumns = []string{"acled", "gtd", "ucdp"}

type incidentColumn struct {
	name  string
	value func(r *incidentRow) string
}

// incidentRow is one incident with what its columns need.
type incidentRow struct {
	art    model.Article
	a      model.Annotation
	inc    model.Incident
	schema *model.Schema
	seq    int // the row's number in the export, from 1
	daySeq int // the row's number among rows of its date (GTD eventid)
}

func (r *incidentRow) value(field string) model.Value { return r.inc.Fields[field] }
func (r *incidentRow) text(field string) string       { return r.value(field).Text }
func (r *incidentRow) list(field string) []string     { return r.value(field).List }

// actors returns the names of the entities an entity field names: each
// entity's canonical name ("Islamic State", however the mention chosen
// reads), once however many of its mentions the field holds. A field may
// hold mention (span) IDs or entity IDs; a mention without an entity is
// named by its text.
func (r *incidentRow) actors(field string) []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range r.list(field) {
		name, key := r.entityName(id)
		if name != "" && !seen[key] {
			seen[key] = true
			out = append(out, name)
		}
	}
	return out
}

// entityName names what an id refers to: a mention's entity by its
// canonical name, an entity by its name, a mention without an entity by
// its text; key tells entities apart ("" name when the id is unknown).
func (r *incidentRow) entityName(id string) (name, key string) {
	if sp, ok := r.a.Span(id); ok {
		if e, ok := r.a.Referent(sp.Entity); ok && strings.TrimSpace(e.Name) != "" {
			return e.Name, e.ID
		}
		return r.art.Text[sp.Start:sp.End], sp.ID
	}
	if e, ok := r.a.Referent(id); ok {
		return e.Name, e.ID
	}
	return "", ""
}

func (r *incidentRow) date() model.Date {
	if d := r.value("date").Date; d != nil {
		return *d
	}
	return model.Date{}
}

// choiceLabel returns the label of a code in a field's list.
func (r *incidentRow) choiceLabel(field, code string) string {
	if f, ok := r.schema.Field(field); ok {
		if c, ok := f.Choice(code); ok {
			return c.Display()
		}
	}
	return code
}

// group returns the group of a choice field's value (ACLED's event type
// of a sub-event type).
func (r *incidentRow) group(field string) string {
	if f, ok := r.schema.Field(field); ok {
		if c, ok := f.Choice(r.text(field)); ok {
			return c.Group
		}
	}
	return ""
}

// location is the place's name: its entity's canonical name, else the
// free text.
func (r *incidentRow) location() string {
	if t := r.actors("location"); len(t) > 0 {
		return t[0]
	}
	return r.text("location_text")
}

// count reads a count field, or a number field as its best estimate.
// ACLED takes the lowest figure, GTD the best, UCDP all three.
func (r *incidentRow) count(field string) model.Count {
	if c := r.value(field).Count; c != nil {
		return *c
	}
	if n := r.value(field).Number; n != nil {
		return model.Count{Best: n}
	}
	return model.Count{}
}

func firstOf(ps ...*int) *int {
	for _, p := range ps {
		if p != nil {
			return p
		}
	}
	return nil
}

func itoaOr(p *int, unknown string) string {
	if p == nil {
		return unknown
	}
	return strconv.Itoa(*p)
}

func nth(list []string, i int) string {
	if i < len(list) {
		return list[i]
	}
	return ""
}

// evidence quotes each field's evidence: "killed: 53 killed | ...; ...".
func (r *incidentRow) evidence() string {
	var parts []string
	for _, f := range r.schema.Fields {
		ids := r.inc.Evidence[f.Name]
		var quotes []string
		for _, id := range ids {
			if sp, ok := r.a.Span(id); ok {
				// The mention as written, and the entity it names when
				// its canonical name is another.
				q := r.art.Text[sp.Start:sp.End]
				if name, _ := r.entityName(id); name != "" && model.NameKey(name) != model.NameKey(q) {
					q += " (" + name + ")"
				}
				quotes = append(quotes, q)
			} else if c, ok := r.a.Claim(id); ok {
				for _, cr := range c.Content {
					quotes = append(quotes, r.art.Text[cr.Start:cr.End])
				}
			}
		}
		if len(quotes) > 0 {
			parts = append(parts, f.Name+": "+strings.Join(quotes, " | "))
		}
	}
	return strings.Join(parts, "; ")
}

func (r *incidentRow) sourceName() string {
	if r.art.Source != "" {
		return r.art.Source
	}
	if s, ok := r.art.Meta["source"].(string); ok {
		return s
	}
	return ""
}

var ownColumns = []incidentColumn{
	{"article_id", func(r *incidentRow) string { return r.art.ID }},
	{"annotator", func(r *incidentRow) string { return r.a.Annotator }},
	{"incident_id", func(r *incidentRow) string { return r.inc.ID }},
	{"evidence", func(r *incidentRow) string { return r.evidence() }},
	{"annotate_status", func(r *incidentRow) string { return r.text("status") }},
	{"annotate_figure_sources", func(r *incidentRow) string { return r.figureSources() }},
}

// codingNotesColumn is the last column of every set: how the set's own
// casualty columns were coded from the incident's counts, and what was
// left empty rather than invented.
const codingNotesColumn = "annotate_coding_notes"

// claimantName is who makes a claim: the canonical name of the entity
// the claimant's mention names, else the name given.
func (r *incidentRow) claimantName(c model.Claim) string {
	if name, _ := r.entityName(c.Claimant.SpanID); name != "" {
		return name
	}
	if c.Claimant.Name != "" {
		return c.Claimant.Name
	}
	return "an unnamed source"
}

// figureSources says, for each estimate of each count field, which claim's
// figure it comes from: who claims it, as what, how far it is trusted and
// who disputes it ("killed high 53 claimed by ISIS: 53 killed (exact;
// self-interested; credibility 4 (doubtful); disputed by an SDF
// spokeswoman)"), or that no claim is its evidence. Claims are those the
// field has as evidence (the screen's ctrl+f puts them there).
func (r *incidentRow) figureSources() string {
	var parts []string
	for _, f := range r.schema.Fields {
		if f.Type != model.FieldCount && f.Type != model.FieldNumber {
			continue
		}
		c := r.count(f.Name)
		var claims []model.Claim
		for _, id := range r.inc.Evidence[f.Name] {
			if cl, ok := r.a.Claim(id); ok {
				claims = append(claims, cl)
			}
		}
		for _, est := range []struct {
			name string
			v    *int
		}{{"low", c.Low}, {"best", c.Best}, {"high", c.High}} {
			if est.v == nil {
				continue
			}
			head := fmt.Sprintf("%s %s %d", f.Name, est.name, *est.v)
			if f.Type == model.FieldNumber {
				head = fmt.Sprintf("%s %d", f.Name, *est.v)
			}
			var from []string
			for _, cl := range claims {
				for _, fig := range cl.Figures {
					if (fig.Counts == f.Name || fig.Counts == "") && figureGives(fig, *est.v) {
						from = append(from, r.figureSource(cl, fig))
					}
				}
			}
			if len(from) == 0 {
				parts = append(parts, head+": no claim is its evidence")
				continue
			}
			parts = append(parts, head+" "+strings.Join(from, "; and "))
		}
	}
	return strings.Join(parts, " | ")
}

// figureGives reports whether a figure states n: its number or a bound.
func figureGives(f model.Figure, n int) bool {
	for _, p := range []*int{f.Value, f.Low, f.High} {
		if p != nil && *p == n {
			return true
		}
	}
	return false
}

// figureSource describes one claim's figure as the source of an estimate.
func (r *incidentRow) figureSource(c model.Claim, f model.Figure) string {
	verb := "claimed by "
	if c.Polarity == "denies" {
		verb = "denied by "
	}
	var about []string
	about = append(about, f.Qualifier)
	if c.Certainty != "" {
		about = append(about, "certainty "+c.Certainty)
	}
	if c.SelfInterested {
		about = append(about, "self-interested")
	}
	if c.Credibility != "" {
		g := "credibility " + c.Credibility
		for _, code := range r.schema.CredibilityGrades {
			if code.Code == c.Credibility && code.Label != "" {
				g += " (" + code.Label + ")"
			}
		}
		about = append(about, g)
	} else {
		about = append(about, "credibility not graded")
	}
	for _, other := range r.a.Claims {
		if other.Stance == nil || other.Stance.ClaimID != c.ID {
			continue
		}
		switch other.Stance.Kind {
		case "supports":
			about = append(about, "supported by "+r.claimantName(other))
		case "disputes_magnitude":
			about = append(about, "figure disputed by "+r.claimantName(other))
		default:
			about = append(about, strings.ReplaceAll(other.Stance.Kind, "_", " ")+"d by "+r.claimantName(other))
		}
	}
	if c.Stance != nil {
		if target, ok := r.a.Claim(c.Stance.ClaimID); ok {
			about = append(about, strings.ReplaceAll(c.Stance.Kind, "_", " ")+" "+r.claimantName(target)+"'s claim")
		}
	}
	return verb + r.claimantName(c) + ": " + f.Describe() + " (" + strings.Join(about, "; ") + ")"
}

// ACLED's disorder type of each event type.
var acledDisorder = map[string]string{
	"Battles":                    "Political violence",
	"Explosions/Remote violence": "Political violence",
	"Violence against civilians": "Political violence",
	"Riots":                      "Political violence",
	"Protests":                   "Demonstrations",
	"Strategic developments":     "Strategic developments",
}

var acledColumns = []incidentColumn{
	{"event_id_cnty", func(r *incidentRow) string { return r.art.ID + "-" + r.inc.ID }},
	{"event_date", func(r *incidentRow) string { return r.date().Start }},
	{"year", func(r *incidentRow) string { return yearOf(r.date().Start) }},
	{"time_precision", func(r *incidentRow) string {
		return map[string]string{"day": "1", "week": "2", "month": "3", "year": "3"}[r.date().Precision]
	}},
	{"disorder_type", func(r *incidentRow) string {
		switch r.text("event_type") {
		case "Excessive force against protesters", "Violent demonstration":
			return "Political violence; Demonstrations"
		}
		return acledDisorder[r.group("event_type")]
	}},
	{"event_type", func(r *incidentRow) string { return r.group("event_type") }},
	{"sub_event_type", func(r *incidentRow) string { return r.text("event_type") }},
	{"actor1", func(r *incidentRow) string { return nth(r.actors("perpetrators"), 0) }},
	{"assoc_actor_1", func(r *incidentRow) string { return strings.Join(restOf(r.actors("perpetrators")), "; ") }},
	{"inter1", func(*incidentRow) string { return "" }},
	{"actor2", func(r *incidentRow) string { return nth(r.actors("targets"), 0) }},
	{"assoc_actor_2", func(r *incidentRow) string { return strings.Join(restOf(r.actors("targets")), "; ") }},
	{"inter2", func(*incidentRow) string { return "" }},
	{"interaction", func(*incidentRow) string { return "" }},
	{"civilian_targeting", func(r *incidentRow) string {
		if r.text("civilians_targeted") == "yes" {
			return "Civilian targeting"
		}
		return ""
	}},
	{"iso", nil}, {"region", nil}, {"country", nil}, {"admin1", nil}, {"admin2", nil}, {"admin3", nil},
	{"location", func(r *incidentRow) string { return r.location() }},
	{"latitude", nil}, {"longitude", nil},
	{"geo_precision", func(r *incidentRow) string {
		return map[string]string{"exact": "1", "near": "2", "district": "2", "province": "3", "country": "3"}[r.text("location_precision")]
	}},
	{"source", func(r *incidentRow) string { return r.sourceName() }},
	{"source_scale", nil},
	{"notes", func(r *incidentRow) string { return r.text("notes") }},
	{"fatalities", func(r *incidentRow) string {
		c := r.count("killed")
		return itoaOr(firstOf(c.Low, c.Best, c.High), "0")
	}},
	{"tags", nil},
	{"timestamp", func(r *incidentRow) string {
		if r.a.UpdatedAt.IsZero() {
			return ""
		}
		return strconv.FormatInt(r.a.UpdatedAt.Unix(), 10)
	}},
}

// acledNotes says which estimate fatalities is. ACLED codes the most
// conservative reported figure and 0 only when no figure is reported; a
// high estimate alone is still the only number reported, so it is written,
// and said to be an upper bound.
func acledNotes(r *incidentRow) string {
	c := r.count("killed")
	switch {
	case c.Low != nil:
		return fmt.Sprintf("fatalities %d is the low estimate", *c.Low)
	case c.Best != nil:
		return fmt.Sprintf("fatalities %d is the best estimate: no low was reported", *c.Best)
	case c.High != nil:
		return fmt.Sprintf("fatalities %d is the high estimate: no low or best was reported, so it is the only number and an upper bound", *c.High)
	}
	return "fatalities 0: no figure was reported"
}

// gtdCount is GTD's nkill or nwound: the best estimate, else the low one
// (a number at least that many confirm). A high estimate alone is not a
// confirmed count: the column stays empty and the note says why.
func gtdCount(c model.Count) *int { return firstOf(c.Best, c.Low) }

func gtdNotes(r *incidentRow) string {
	var notes []string
	for _, p := range []struct{ col, field string }{{"nkill", "killed"}, {"nwound", "wounded"}} {
		c := r.count(p.field)
		switch {
		case c.Best != nil:
		case c.Low != nil:
			notes = append(notes, fmt.Sprintf("%s %d is the low estimate: no best was reported", p.col, *c.Low))
		case c.High != nil:
			notes = append(notes, fmt.Sprintf("%s left empty: only a high estimate %d is known, not a confirmed count", p.col, *c.High))
		}
	}
	return strings.Join(notes, "; ")
}

// ucdpNotes names the estimates left empty: UCDP's low, best and high are
// each a reported estimate, never derived from another.
func ucdpNotes(r *incidentRow) string {
	c := r.count("killed")
	var unknown, known []string
	for _, p := range []struct {
		name string
		v    *int
	}{{"low", c.Low}, {"best", c.Best}, {"high", c.High}} {
		if p.v == nil {
			unknown = append(unknown, p.name)
		} else {
			known = append(known, fmt.Sprintf("%s %d", p.name, *p.v))
		}
	}
	switch {
	case len(unknown) == 0:
		return ""
	case len(known) == 0:
		return "low, best and high left empty: no figure was reported"
	}
	return fmt.Sprintf("%s left empty: only %s is known, and no estimate is derived from another", andList(unknown), andList(known))
}

func andList(l []string) string {
	if len(l) < 2 {
		return strings.Join(l, "")
	}
	return strings.Join(l[:len(l)-1], ", ") + " and " + l[len(l)-1]
}

var gtdColumns = []incidentColumn{
	{"eventid", func(r *incidentRow) string {
		d := strings.ReplaceAll(r.date().Start, "-", "")
		if len(d) != 8 {
			d = "00000000"
		}
		return fmt.Sprintf("%s%04d", d, r.daySeq)
	}},
	{"iyear", func(r *incidentRow) string { return yearOf(r.date().Start) }},
	{"imonth", func(r *incidentRow) string {
		if d := r.date(); len(d.Start) >= 7 && d.Precision != "year" {
			return strings.TrimLeft(d.Start[5:7], "0")
		}
		return "0"
	}},
	{"iday", func(r *incidentRow) string {
		if d := r.date(); len(d.Start) == 10 && (d.Precision == "" || d.Precision == "day") {
			return strings.TrimLeft(d.Start[8:10], "0")
		}
		return "0"
	}},
	{"approxdate", func(r *incidentRow) string {
		d := r.date()
		if d.Start == "" || ((d.Precision == "" || d.Precision == "day") && d.End == "") {
			return ""
		}
		if d.End != "" {
			return d.Start + " - " + d.End
		}
		return d.Start + " (" + d.Precision + ")"
	}},
	{"extended", func(r *incidentRow) string {
		if d := r.date(); d.End != "" && d.End != d.Start {
			return "1"
		}
		return "0"
	}},
	{"country_txt", nil},
	{"provstate", nil},
	{"city", func(r *incidentRow) string { return r.location() }},
	{"specificity", func(r *incidentRow) string {
		if s, ok := map[string]string{"exact": "1", "near": "2", "district": "3", "province": "4", "country": "5"}[r.text("location_precision")]; ok {
			return s
		}
		return "5"
	}},
	{"vicinity", func(r *incidentRow) string {
		switch r.text("location_precision") {
		case "near":
			return "1"
		case "":
			return "-9"
		}
		return "0"
	}},
	{"location", func(r *incidentRow) string { return r.text("location_text") }},
	{"summary", func(r *incidentRow) string { return r.text("notes") }},
	{"success", func(r *incidentRow) string {
		switch r.text("status") {
		case "occurred":
			return "1"
		case "attempted", "foiled":
			return "0"
		}
		return ""
	}},
	{"suicide", func(r *incidentRow) string {
		if r.text("event_type") == "Suicide bomb" {
			return "1"
		}
		return "0"
	}},
}

func init() {
	coded := func(prefix, field string, n int, unknown string) {
		for i := 0; i < n; i++ {
			i := i
			name := prefix + strconv.Itoa(i+1)
			gtdColumns = append(gtdColumns,
				incidentColumn{name, func(r *incidentRow) string {
					if v := nth(r.list(field), i); v != "" || i > 0 {
						return v
					}
					return unknown
				}},
				incidentColumn{name + "_txt", func(r *incidentRow) string {
					code := nth(r.list(field), i)
					if code == "" && i == 0 {
						code = unknown
					}
					if code == "" {
						return ""
					}
					return r.choiceLabel(field, code)
				}})
		}
	}
	coded("attacktype", "tactics", 3, "9")
	coded("targtype", "target_type", 3, "20")
	gtdColumns = append(gtdColumns,
		incidentColumn{"target1", func(r *incidentRow) string { return strings.Join(r.actors("targets"), "; ") }},
		incidentColumn{"gname", func(r *incidentRow) string {
			if g := nth(r.actors("perpetrators"), 0); g != "" {
				return g
			}
			return "Unknown"
		}},
		incidentColumn{"gname2", func(r *incidentRow) string { return nth(r.actors("perpetrators"), 1) }},
		incidentColumn{"gname3", func(r *incidentRow) string { return nth(r.actors("perpetrators"), 2) }},
		incidentColumn{"guncertain1", func(r *incidentRow) string {
			if len(r.list("perpetrators")) == 0 {
				return ""
			}
			if r.text("attribution") == "suspected" {
				return "1"
			}
			return "0"
		}},
		incidentColumn{"claimed", func(r *incidentRow) string {
			switch {
			case len(r.list("claimed_by")) > 0 || r.text("attribution") == "self-claimed":
				return "1"
			case r.text("attribution") != "":
				return "0"
			}
			return "-9"
		}},
	)
	coded("weaptype", "weapons", 4, "13")
	gtdColumns = append(gtdColumns,
		incidentColumn{"nkill", func(r *incidentRow) string { return itoaOr(gtdCount(r.count("killed")), "") }},
		incidentColumn{"nwound", func(r *incidentRow) string { return itoaOr(gtdCount(r.count("wounded")), "") }},
		incidentColumn{"ishostkid", func(r *incidentRow) string {
			if n := r.count("kidnapped").Best; (n != nil && *n > 0) || hasAny(r.list("tactics"), "5", "6") {
				return "1"
			}
			return "0"
		}},
		incidentColumn{"nhostkid", func(r *incidentRow) string {
			n := firstOf(r.count("kidnapped").Best)
			if n == nil && !hasAny(r.list("tactics"), "5", "6") {
				return ""
			}
			return itoaOr(n, "-99")
		}},
		incidentColumn{"hostkidoutcome", func(r *incidentRow) string { return r.text("hostage_outcome") }},
		incidentColumn{"hostkidoutcome_txt", func(r *incidentRow) string {
			if c := r.text("hostage_outcome"); c != "" {
				return r.choiceLabel("hostage_outcome", c)
			}
			return ""
		}},
		incidentColumn{"scite1", func(r *incidentRow) string { return citation(r.art) }},
		incidentColumn{"dbsource", func(*incidentRow) string { return "annotate" }},
	)
}

var ucdpColumns = []incidentColumn{
	{"id", func(r *incidentRow) string { return strconv.Itoa(r.seq) }},
	{"relid", func(r *incidentRow) string { return r.art.ID + "-" + r.inc.ID }},
	{"year", func(r *incidentRow) string { return yearOf(r.date().Start) }},
	{"type_of_violence", func(r *incidentRow) string {
		if r.group("event_type") == "Violence against civilians" || r.text("civilians_targeted") == "yes" {
			return "3"
		}
		return ""
	}},
	{"side_a", func(r *incidentRow) string { return nth(r.actors("perpetrators"), 0) }},
	{"side_b", func(r *incidentRow) string {
		if t := nth(r.actors("targets"), 0); t != "" {
			return t
		}
		if r.text("civilians_targeted") == "yes" {
			return "Civilians"
		}
		return ""
	}},
	{"number_of_sources", func(*incidentRow) string { return "1" }},
	{"source_article", func(r *incidentRow) string { return citation(r.art) }},
	{"source_office", func(r *incidentRow) string { return r.sourceName() }},
	{"source_date", func(r *incidentRow) string { return r.art.Published }},
	{"source_headline", func(r *incidentRow) string { return r.art.Title }},
	{"where_prec", func(r *incidentRow) string {
		return map[string]string{"exact": "1", "near": "2", "district": "3", "province": "4", "country": "6"}[r.text("location_precision")]
	}},
	{"where_coordinates", func(r *incidentRow) string { return r.location() }},
	{"where_description", func(r *incidentRow) string { return r.text("location_text") }},
	{"adm_1", nil}, {"adm_2", nil}, {"latitude", nil}, {"longitude", nil}, {"country", nil},
	{"event_clarity", func(r *incidentRow) string {
		switch r.text("status") {
		case "occurred":
			return "1"
		case "":
			return ""
		}
		return "2"
	}},
	{"date_prec", func(r *incidentRow) string {
		return map[string]string{"day": "1", "week": "3", "month": "4", "year": "5"}[r.date().Precision]
	}},
	{"date_start", func(r *incidentRow) string { return r.date().Start }},
	{"date_end", func(r *incidentRow) string {
		if d := r.date(); d.End != "" {
			return d.End
		}
		return r.date().Start
	}},
	// annotate does not know whose dead they were: with a best estimate
	// they are all deaths_unknown (the parts add up to best); without one
	// the parts are unknown too.
	{"deaths_a", func(r *incidentRow) string { return ucdpPart(r, "0") }},
	{"deaths_b", func(r *incidentRow) string { return ucdpPart(r, "0") }},
	{"deaths_civilians", func(r *incidentRow) string { return ucdpPart(r, "0") }},
	{"deaths_unknown", func(r *incidentRow) string { return ucdpPart(r, itoaOr(r.count("killed").Best, "")) }},
	{"best", func(r *incidentRow) string { return itoaOr(r.count("killed").Best, "") }},
	{"high", func(r *incidentRow) string { return itoaOr(r.count("killed").High, "") }},
	{"low", func(r *incidentRow) string { return itoaOr(r.count("killed").Low, "") }},
}

// ucdpPart is v when the best estimate is known, else empty.
func ucdpPart(r *incidentRow, v string) string {
	if r.count("killed").Best == nil {
		return ""
	}
	return v
}

func yearOf(date string) string {
	if len(date) >= 4 {
		return date[:4]
	}
	return ""
}

func restOf(list []string) []string {
	if len(list) < 2 {
		return nil
	}
	return list[1:]
}

func hasAny(list []string, codes ...string) bool {
	for _, v := range list {
		for _, c := range codes {
			if v == c {
				return true
			}
		}
	}
	return false
}

// citation names the article: title, source, URL, as far as known.
func citation(a model.Article) string {
	var parts []string
	for _, p := range []string{a.Title, a.Source, a.URL} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// IncidentWriter writes an incident table as CSV.
type IncidentWriter struct {
	w       *csv.Writer
	columns []incidentColumn
	schema  *model.Schema
	rows    int
	perDay  map[string]int
}

// NewIncidentWriter writes the header of the column set ("acled", "gtd"
// or "ucdp") to w.
func NewIncidentWriter(w io.Writer, set string, s *model.Schema) (*IncidentWriter, error) {
	var cols []incidentColumn
	var notes func(*incidentRow) string
	switch set {
	case "acled":
		cols, notes = acledColumns, acledNotes
	case "gtd":
		cols, notes = gtdColumns, gtdNotes
	case "ucdp":
		cols, notes = ucdpColumns, ucdpNotes
	default:
		return nil, fmt.Errorf("unknown column set %q: use %s", set, strings.Join(IncidentColumns, ", "))
	}
	cols = append(append(append([]incidentColumn(nil), cols...), ownColumns...), incidentColumn{codingNotesColumn, notes})
	iw := &IncidentWriter{w: csv.NewWriter(w), columns: cols, schema: s, perDay: map[string]int{}}
	header := make([]string, len(iw.columns))
	for i, c := range iw.columns {
		header[i] = c.name
	}
	return iw, iw.w.Write(header)
}

// Write writes a row for each of the annotation's incidents.
func (iw *IncidentWriter) Write(art model.Article, a model.Annotation) error {
	for _, inc := range a.Incidents {
		iw.rows++
		r := &incidentRow{art: art, a: a, inc: inc, schema: iw.schema, seq: iw.rows}
		day := r.date().Start
		iw.perDay[day]++
		r.daySeq = iw.perDay[day]
		row := make([]string, len(iw.columns))
		for i, c := range iw.columns {
			if c.value != nil {
				row[i] = c.value(r)
			}
		}
		if err := iw.w.Write(row); err != nil {
			return err
		}
	}
	return nil
}

// Rows is how many incidents were written.
func (iw *IncidentWriter) Rows() int { return iw.rows }

// Flush flushes the table.
func (iw *IncidentWriter) Flush() error {
	iw.w.Flush()
	return iw.w.Error()
}

func init() {
	registerExport(ExportFormat{
		Name:   "incidents-csv",
		Help:   "a CSV table with a row per incident, in ACLED, GTD or UCDP columns",
		Flags:  []ExportFlag{{Name: "columns", Default: "acled", Values: IncidentColumns, Help: "the column set, acled, gtd or ucdp"}},
		Counts: "incidents",
		New: func(c ExportConfig) (Exporter, error) {
			iw, err := NewIncidentWriter(c.Out, c.Flags["columns"], c.Schema)
			if err != nil {
				return nil, err
			}
			return incidentExporter{iw}, nil
		},
	})
}

// incidentExporter counts incidents, not annotations.
type incidentExporter struct{ w *IncidentWriter }

func (e incidentExporter) Write(art model.Article, anns []model.Annotation) (int, error) {
	before := e.w.Rows()
	for _, a := range anns {
		if err := e.w.Write(art, a); err != nil {
			return 0, err
		}
	}
	return e.w.Rows() - before, nil
}

func (e incidentExporter) Close() error { return e.w.Flush() }
func (e incidentExporter) Abort()       {}
