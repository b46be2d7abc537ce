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
// columns: article_id, annotator, incident_id and evidence (the text each
// field's evidence quotes). Values come from the default incident form's
// fields by name (event_type, date, location, perpetrators, targets,
// killed, ...); a schema without them leaves those columns empty. Unknown
// values are written as each project writes them: ACLED fatalities 0, GTD
// nkill blank and nhostkid -99, UCDP best 0.

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

// spanTexts returns the texts of the spans an entity field names.
func (r *incidentRow) spanTexts(field string) []string {
	var out []string
	for _, id := range r.list(field) {
		if sp, ok := r.a.Span(id); ok {
			out = append(out, r.art.Text[sp.Start:sp.End])
		}
	}
	return out
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

// location is the place's name: the span, else the free text.
func (r *incidentRow) location() string {
	if t := r.spanTexts("location"); len(t) > 0 {
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
				quotes = append(quotes, r.art.Text[sp.Start:sp.End])
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
	{"actor1", func(r *incidentRow) string { return nth(r.spanTexts("perpetrators"), 0) }},
	{"assoc_actor_1", func(r *incidentRow) string { return strings.Join(restOf(r.spanTexts("perpetrators")), "; ") }},
	{"inter1", func(*incidentRow) string { return "" }},
	{"actor2", func(r *incidentRow) string { return nth(r.spanTexts("targets"), 0) }},
	{"assoc_actor_2", func(r *incidentRow) string { return strings.Join(restOf(r.spanTexts("targets")), "; ") }},
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
		incidentColumn{"target1", func(r *incidentRow) string { return strings.Join(r.spanTexts("targets"), "; ") }},
		incidentColumn{"gname", func(r *incidentRow) string {
			if g := nth(r.spanTexts("perpetrators"), 0); g != "" {
				return g
			}
			return "Unknown"
		}},
		incidentColumn{"gname2", func(r *incidentRow) string { return nth(r.spanTexts("perpetrators"), 1) }},
		incidentColumn{"gname3", func(r *incidentRow) string { return nth(r.spanTexts("perpetrators"), 2) }},
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
		incidentColumn{"nkill", func(r *incidentRow) string {
			c := r.count("killed")
			return itoaOr(firstOf(c.Best, c.Low, c.High), "")
		}},
		incidentColumn{"nwound", func(r *incidentRow) string {
			c := r.count("wounded")
			return itoaOr(firstOf(c.Best, c.Low, c.High), "")
		}},
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
	{"side_a", func(r *incidentRow) string { return nth(r.spanTexts("perpetrators"), 0) }},
	{"side_b", func(r *incidentRow) string {
		if t := nth(r.spanTexts("targets"), 0); t != "" {
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
	{"deaths_a", func(*incidentRow) string { return "0" }},
	{"deaths_b", func(*incidentRow) string { return "0" }},
	{"deaths_civilians", func(*incidentRow) string { return "0" }},
	{"deaths_unknown", func(r *incidentRow) string { b, _, _ := ucdpDeaths(r.count("killed")); return b }},
	{"best", func(r *incidentRow) string { b, _, _ := ucdpDeaths(r.count("killed")); return b }},
	{"high", func(r *incidentRow) string { _, h, _ := ucdpDeaths(r.count("killed")); return h }},
	{"low", func(r *incidentRow) string { _, _, l := ucdpDeaths(r.count("killed")); return l }},
}

// ucdpDeaths fills UCDP's best, high and low, which are always numbers:
// a missing estimate takes the nearest known one, all unknown is 0.
func ucdpDeaths(c model.Count) (best, high, low string) {
	b := firstOf(c.Best, c.Low, c.High)
	if b == nil {
		return "0", "0", "0"
	}
	return strconv.Itoa(*b), itoaOr(firstOf(c.High, b), ""), itoaOr(firstOf(c.Low, b), "")
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
	switch set {
	case "acled":
		cols = acledColumns
	case "gtd":
		cols = gtdColumns
	case "ucdp":
		cols = ucdpColumns
	default:
		return nil, fmt.Errorf("unknown column set %q: use %s", set, strings.Join(IncidentColumns, ", "))
	}
	iw := &IncidentWriter{w: csv.NewWriter(w), columns: append(append([]incidentColumn(nil), cols...), ownColumns...), schema: s, perDay: map[string]int{}}
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
