package model

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// FieldError is one problem found by validation, with the path of the field
// it concerns ("entities[e3].label", "incidents[i2].killed").
type FieldError struct {
	Path    string
	Message string
}

func (e FieldError) Error() string { return e.Path + ": " + e.Message }

// Validate checks an annotation against the article text it belongs to and
// the schema it was made with. It returns every problem found, each naming
// its field; nil means the annotation is valid.
func Validate(a *Annotation, text string, s *Schema) []FieldError {
	var errs []FieldError
	add := func(path, format string, args ...any) {
		errs = append(errs, FieldError{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	if !a.Status.Valid() {
		add("status", "unknown status %q (use todo, in_progress, done or skipped)", a.Status)
	}
	spans := map[string]bool{}
	for i, sp := range a.Entities {
		path := fmt.Sprintf("entities[%s]", idOr(sp.ID, i))
		if sp.ID == "" {
			add(path+".id", "span has no id")
		} else if spans[sp.ID] {
			add(path+".id", "duplicate id")
		}
		spans[sp.ID] = true
		if _, ok := s.Label(sp.Label); !ok {
			add(path+".label", "unknown label %q", sp.Label)
		}
		if err := CheckSpanRange(text, sp.Start, sp.End); err != nil {
			add(path, "%v", err)
		}
	}
	validateReferents(a, s, add)
	claims := map[string]bool{}
	for _, c := range a.Claims {
		claims[c.ID] = true
	}
	for i, c := range a.Claims {
		path := fmt.Sprintf("claims[%s]", idOr(c.ID, i))
		if c.Claimant.SpanID != "" && !spans[c.Claimant.SpanID] {
			add(path+".claimant", "refers to unknown span %q", c.Claimant.SpanID)
		}
		if c.Cue != nil {
			if err := CheckSpanRange(text, c.Cue.Start, c.Cue.End); err != nil {
				add(path+".cue", "%v", err)
			}
		}
		if len(c.Content) == 0 {
			add(path+".content", "a claim needs its content span")
		}
		for j, r := range c.Content {
			if err := CheckSpanRange(text, r.Start, r.End); err != nil {
				add(fmt.Sprintf("%s.content[%d]", path, j), "%v", err)
			}
		}
		checkCode(add, path+".type", c.Type, s.Claims.Types)
		checkCode(add, path+".polarity", c.Polarity, s.Claims.Polarities)
		checkCode(add, path+".certainty", c.Certainty, s.Claims.Certainties)
		if c.Stance != nil {
			checkCode(add, path+".stance", c.Stance.Kind, s.Claims.Stances)
			if !claims[c.Stance.ClaimID] || c.Stance.ClaimID == c.ID {
				add(path+".stance", "refers to unknown claim %q", c.Stance.ClaimID)
			}
		}
		for j, f := range c.Figures {
			fpath := fmt.Sprintf("%s.figures[%d]", path, j)
			checkCode(add, fpath+".counts", f.Counts, s.Claims.FigureCounts)
			if err := CheckFigure(f); err != nil {
				add(fpath, "%v", err)
			}
		}
		if c.Credibility != "" && !hasCode(s.CredibilityGrades, c.Credibility) {
			add(path+".credibility", "unknown credibility grade %q (use 1-6)", c.Credibility)
		}
	}
	for i, g := range a.Sources {
		path := fmt.Sprintf("sources[%d]", i)
		if strings.TrimSpace(g.Source) == "" {
			add(path+".source", "a source grade needs the source's name")
		}
		if g.Reliability != "" && !hasCode(s.SourceGrades, g.Reliability) {
			add(path+".reliability", "unknown reliability grade %q (use A-F)", g.Reliability)
		}
		if g.SpanID != "" && !spans[g.SpanID] {
			add(path+".span", "refers to unknown span %q", g.SpanID)
		}
	}
	for i, inc := range a.Incidents {
		path := fmt.Sprintf("incidents[%s]", idOr(inc.ID, i))
		for name, v := range inc.Fields {
			f, ok := s.Field(name)
			if !ok {
				add(path+"."+name, "unknown field")
				continue
			}
			if err := ValidateValue(f, v, a); err != nil {
				add(path+"."+name, "%v", err)
			}
		}
		for name, ids := range inc.Evidence {
			if _, ok := s.Field(name); !ok {
				add(path+".evidence."+name, "unknown field")
			}
			for _, id := range ids {
				if !spans[id] && !claims[id] {
					add(path+".evidence."+name, "refers to unknown span or claim %q", id)
				}
			}
		}
	}
	if a.Review != nil {
		validateReview(a.Review, text, add)
	}
	return errs
}

// validateReview checks a review: a known state, a reviewer named when
// the annotation was returned or accepted, and comments (replies too)
// with their text and author. Names must be safe to show.
func validateReview(r *Review, text string, add func(string, string, ...any)) {
	if !slices.Contains(ReviewStates, r.State) {
		add("review.state", "unknown review state %q (use returned or accepted, or none)", r.State)
	}
	if err := CheckName("reviewer", r.By); err != nil {
		add("review.by", "%v", err)
	} else if r.State != ReviewNone && strings.TrimSpace(r.By) == "" {
		article := "a"
		if r.State == ReviewAccepted {
			article = "an"
		}
		add("review.by", "%s %s review names its reviewer", article, r.State)
	}
	var comments func(path string, cs []Comment)
	comments = func(path string, cs []Comment) {
		for i, c := range cs {
			p := fmt.Sprintf("%s[%d]", path, i)
			if strings.TrimSpace(c.Text) == "" {
				add(p+".text", "a comment needs its text")
			}
			if err := CheckName("comment author", c.By); err != nil {
				add(p+".by", "%v", err)
			} else if strings.TrimSpace(c.By) == "" {
				add(p+".by", "a comment names who wrote it")
			}
			if c.Where != nil {
				if err := CheckRange(text, c.Where.Start, c.Where.End); err != nil {
					add(p+".where", "%v", err)
				}
			}
			comments(p+".replies", c.Replies)
		}
	}
	comments("review.comments", r.Comments)
}

func idOr(id string, i int) string {
	if id != "" {
		return id
	}
	return fmt.Sprint(i)
}

func checkCode(add func(string, string, ...any), path, v string, list []string) {
	if v == "" {
		return
	}
	for _, c := range list {
		if c == v {
			return
		}
	}
	add(path, "unknown value %q (use one of %s)", v, strings.Join(list, ", "))
}

func hasCode(list []Code, v string) bool {
	for _, c := range list {
		if c.Code == v {
			return true
		}
	}
	return false
}

// ValidateValue checks one incident field value against its field. a, when
// not nil, is used to check that entity references exist.
func ValidateValue(f Field, v Value, a *Annotation) error {
	switch f.Type {
	case FieldText:
		if v.Number != nil || v.Count != nil || v.Date != nil || len(v.List) > 0 {
			return fmt.Errorf("a text field takes text")
		}
	case FieldNumber:
		if v.Number == nil && !v.IsZero() {
			return fmt.Errorf("a number field takes a whole number")
		}
		if v.Number != nil && *v.Number < 0 {
			return fmt.Errorf("%d is negative", *v.Number)
		}
	case FieldCount:
		if v.Count == nil {
			if !v.IsZero() {
				return fmt.Errorf("a count field takes low, best and high")
			}
			return nil
		}
		return CheckCount(*v.Count)
	case FieldDate:
		if v.Date == nil {
			if !v.IsZero() {
				return fmt.Errorf("a date field takes a date")
			}
			return nil
		}
		return CheckDate(*v.Date)
	case FieldChoice:
		if v.Text != "" {
			if _, ok := f.Choice(v.Text); !ok {
				return fmt.Errorf("%q is not in the list", v.Text)
			}
		}
	case FieldMultiChoice:
		if f.Max > 0 && len(v.List) > f.Max {
			return fmt.Errorf("at most %d values, got %d", f.Max, len(v.List))
		}
		seen := map[string]bool{}
		for _, c := range v.List {
			if _, ok := f.Choice(c); !ok {
				return fmt.Errorf("%q is not in the list", c)
			}
			if seen[c] {
				return fmt.Errorf("%q is given twice", c)
			}
			seen[c] = true
		}
	case FieldEntity:
		if !f.Multiple && len(v.List) > 1 {
			return fmt.Errorf("takes one entity, got %d", len(v.List))
		}
		if a != nil {
			for _, id := range v.List {
				sp, ok := a.Span(id)
				if !ok {
					return fmt.Errorf("refers to unknown span %q", id)
				}
				if len(f.Labels) > 0 && !slices.Contains(f.Labels, sp.Label) {
					return fmt.Errorf("span %s is %s; this field takes %s", id, sp.Label, strings.Join(f.Labels, ", "))
				}
			}
		}
	}
	return nil
}

// CheckCount refuses negative numbers and low > best > high orderings.
func CheckCount(c Count) error {
	for _, p := range []struct {
		name string
		v    *int
	}{{"low", c.Low}, {"best", c.Best}, {"high", c.High}} {
		if p.v != nil && *p.v < 0 {
			return fmt.Errorf("%s %d is negative", p.name, *p.v)
		}
	}
	if c.Low != nil && c.Best != nil && *c.Low > *c.Best {
		return fmt.Errorf("low %d is above best %d", *c.Low, *c.Best)
	}
	if c.Best != nil && c.High != nil && *c.Best > *c.High {
		return fmt.Errorf("best %d is above high %d", *c.Best, *c.High)
	}
	if c.Low != nil && c.High != nil && *c.Low > *c.High {
		return fmt.Errorf("low %d is above high %d", *c.Low, *c.High)
	}
	return nil
}

// DatePrecisions are the precisions a Date may have.
var DatePrecisions = []string{"day", "week", "month", "year"}

// CheckDate refuses impossible dates, an end before the start and unknown
// precisions.
func CheckDate(d Date) error {
	start, err := parseDay(d.Start)
	if err != nil {
		return err
	}
	if d.End != "" {
		end, err := parseDay(d.End)
		if err != nil {
			return fmt.Errorf("end %w", err)
		}
		if end.Before(start) {
			return fmt.Errorf("end %s is before start %s", d.End, d.Start)
		}
	}
	if d.Precision != "" && !slices.Contains(DatePrecisions, d.Precision) {
		return fmt.Errorf("unknown precision %q (use day, week, month or year)", d.Precision)
	}
	return nil
}

// parseDay reads a YYYY-MM-DD date. A date written that way that is not in
// the calendar (2016-02-30) is said not to exist, with the month's length.
func parseDay(s string) (time.Time, error) {
	t, err := time.Parse("2006-01-02", s)
	if err == nil {
		return t, nil
	}
	var y, mo, d int
	n, _ := fmt.Sscanf(s, "%4d-%2d-%2d", &y, &mo, &d)
	if n == 3 && len(s) == 10 && mo >= 1 && mo <= 12 {
		days := time.Date(y, time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC).Day()
		return time.Time{}, fmt.Errorf("%s does not exist: %s %d has %d days", s, time.Month(mo), y, days)
	}
	if n == 3 && len(s) == 10 {
		return time.Time{}, fmt.Errorf("%s does not exist: there is no month %d", s, mo)
	}
	return time.Time{}, fmt.Errorf("%q is not a date (use YYYY-MM-DD)", s)
}

// CheckSpanRange is CheckRange plus the rule that a span, cue or content
// range neither starts nor ends with white space.
func CheckSpanRange(text string, start, end int) error {
	if err := CheckRange(text, start, end); err != nil {
		return err
	}
	return checkBlankEdges(text, start, end)
}
