package formats

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
)

// readReview reads a record of `prodigy review`'s output: the reviewed
// result (the record's own spans, answer and accepted options) with the
// versions the reviewer chose from, each naming in "sessions" the
// annotation sessions that produced it. It gives the result as the gold
// annotation (model.GoldAnnotator), and each version as the annotation of
// each of its sessions. A session keeps the name Prodigy gave it
// ("news-alice": Prodigy names a session by its dataset and the name in
// the app's ?session=, joined by "-"; a dataset's name may itself hold
// "-", so the dataset cannot be told apart and is not taken off): the same
// name a plain export of that session's dataset imports under, so the two
// are one annotator. A version that names no session in "sessions" is
// its own _annotator_id's or _session_id's. The gold annotation's
// decisions say which sessions each of its stretches came from
// (reviewDecisions).
func readReview(in spacyIn, where string, opts ImportOptions) ([]Annotated, error) {
	gold, err := parseSpacy(in, where, opts)
	if err != nil {
		return nil, err
	}
	gold.Annotator = model.GoldAnnotator
	out := []Annotated{gold}
	var versions []sessionVersion
	for i, raw := range in.Versions {
		var v spacyIn
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, fmt.Errorf("versions[%d]: %w", i, jsonError(err))
		}
		switch {
		case v.Text == nil:
			v.Text = in.Text
		case *v.Text != *in.Text:
			return nil, fmt.Errorf("versions[%d] has another text than the record's: a review record's versions are of its text", i)
		}
		var sessions []string
		for _, s := range v.Sessions {
			if name := scalarString(s); strings.TrimSpace(name) != "" && !slices.Contains(sessions, name) {
				sessions = append(sessions, name)
			}
		}
		if len(sessions) == 0 {
			for _, name := range []string{v.AnnotatorID, v.SessionID} {
				if strings.TrimSpace(name) != "" {
					sessions = []string{name}
					break
				}
			}
		}
		if len(sessions) == 0 {
			return nil, fmt.Errorf(`versions[%d] names no session ("sessions", "_annotator_id" and "_session_id" are empty): annotate imports each version as its sessions' annotation`, i)
		}
		if slices.Contains(sessions, model.GoldAnnotator) {
			return nil, fmt.Errorf("versions[%d]: session %q has the name annotate gives the reviewed result: rename the session", i, model.GoldAnnotator)
		}
		rec, err := parseSpacy(v, where, opts)
		if err != nil {
			return nil, fmt.Errorf("versions[%d]: %w", i, err)
		}
		for k, name := range sessions {
			r := rec
			r.Annotator = name
			if rec.Annotation != nil {
				a := rec.Annotation.Clone()
				r.Annotation = &a
			}
			if k > 0 {
				r.Trimmed = nil // reported once, with the version's first session
			}
			out = append(out, r)
			versions = append(versions, sessionVersion{name, r.Annotation})
		}
	}
	if gold.Annotation != nil {
		by := in.AnnotatorID
		if by == "" {
			by = in.SessionID
		}
		gold.Annotation.Decisions = reviewDecisions(*in.Text, gold.Annotation, versions, by, reviewTime(in.Timestamp))
	}
	return out, nil
}

// sessionVersion is one session's version of a reviewed text (nil when
// the session rejected or ignored it).
type sessionVersion struct {
	session string
	a       *model.Annotation
}

// reviewTime reads Prodigy's _timestamp (Unix seconds) as the time of a
// review's decisions; the zero time when the record has none, so that
// importing a file twice gives the same decisions.
func reviewTime(raw json.RawMessage) time.Time {
	var n json.Number
	if len(raw) == 0 || json.Unmarshal(raw, &n) != nil {
		return time.Time{}
	}
	if i, err := n.Int64(); err == nil {
		return time.Unix(i, 0).UTC()
	}
	if f, err := n.Float64(); err == nil {
		return time.Unix(int64(f), 0).UTC()
	}
	return time.Time{}
}

// reviewDecisions says, for each stretch of the text where a session's
// version has spans, which sessions gold's spans there came from: the
// stretches are cut as the review screen cuts them (overlapping mentions
// of every version are one item, keyed "span START-END" in code points),
// and a span is its extent, label and its entity's external ids and
// registry link. A stretch is accepted when gold has what every session
// had; taken when it has the version of some (all those whose version it
// is); both when it has the union of several sessions' different
// versions; rejected when it has none of it; edited when it has something
// no session had. Gold's spans where no version has any are an edited
// stretch of their own. The decisions do not record what each session had
// (Seen): that digest is the review screen's.
func reviewDecisions(text string, gold *model.Annotation, versions []sessionVersion, by string, at time.Time) []model.Decision {
	var sessions []string
	type tagged struct {
		s       model.Span
		session string // "" for gold's
	}
	var all []tagged
	for _, v := range versions {
		if !slices.Contains(sessions, v.session) {
			sessions = append(sessions, v.session)
		}
		if v.a != nil {
			for _, s := range v.a.Entities {
				all = append(all, tagged{s, v.session})
			}
		}
	}
	sort.Strings(sessions)
	stretches := func(spans []tagged) []model.Range {
		sort.SliceStable(spans, func(i, j int) bool {
			if spans[i].s.Start != spans[j].s.Start {
				return spans[i].s.Start < spans[j].s.Start
			}
			return spans[i].s.End > spans[j].s.End
		})
		var out []model.Range
		for _, t := range spans {
			if n := len(out); n > 0 && t.s.Start < out[n-1].End {
				out[n-1].End = max(out[n-1].End, t.s.End)
				continue
			}
			out = append(out, t.s.Range())
		}
		return out
	}
	overlaps := func(s model.Span, r model.Range) bool { return s.Start < r.End && r.Start < s.End }
	ranges := stretches(all)
	var goldOnly []tagged
	for _, s := range gold.Entities {
		if !slices.ContainsFunc(ranges, func(r model.Range) bool { return overlaps(s, r) }) {
			goldOnly = append(goldOnly, tagged{s: s})
		}
	}
	edited := stretches(goldOnly)
	ranges = append(ranges, edited...)
	sort.Slice(ranges, func(i, j int) bool { return ranges[i].Start < ranges[j].Start })

	runes := model.NewRuneIndex(text)
	// what is a's spans in r, each as extent, label and references.
	what := func(a *model.Annotation, r model.Range) []string {
		var out []string
		if a == nil {
			return out
		}
		for _, s := range a.Entities {
			if overlaps(s, r) {
				out = append(out, spanReference(a, s))
			}
		}
		sort.Strings(out)
		return slices.Compact(out)
	}
	var out []model.Decision
	for _, r := range ranges {
		d := model.Decision{Item: fmt.Sprintf("span %d-%d", runes.Runes(r.Start), runes.Runes(r.End)), By: by, At: at}
		for _, s := range gold.Entities {
			if overlaps(s, r) {
				d.Gold = append(d.Gold, s.ID)
			}
		}
		want := what(gold, r)
		had := map[string][]string{}
		for _, v := range versions {
			had[v.session] = slices.Compact(slices.Sorted(slices.Values(append(had[v.session], what(v.a, r)...))))
		}
		var same, within []string
		for _, name := range sessions {
			switch {
			case slices.Equal(had[name], want):
				same = append(same, name)
			case len(had[name]) > 0 && !slices.ContainsFunc(had[name], func(x string) bool { return !slices.Contains(want, x) }):
				within = append(within, name)
			}
		}
		switch {
		case len(want) == 0:
			d.Kind = model.DecisionRejected
		case len(same) == len(sessions):
			d.Kind, d.From = model.DecisionAccepted, same
		case len(same) > 0:
			d.Kind, d.From = model.DecisionTaken, same
		case len(within) > 1 && covers(within, had, want):
			d.Kind, d.From = model.DecisionBoth, within
		default:
			d.Kind = model.DecisionEdited
		}
		out = append(out, d)
	}
	return out
}

// covers reports whether the sessions' spans together are all of want.
func covers(sessions []string, had map[string][]string, want []string) bool {
	for _, x := range want {
		if !slices.ContainsFunc(sessions, func(name string) bool { return slices.Contains(had[name], x) }) {
			return false
		}
	}
	return true
}

// spanReference is a span as a review compares it: extent, label and the
// external ids and registry link of its entity.
func spanReference(a *model.Annotation, s model.Span) string {
	ref := fmt.Sprintf("%d %d %s", s.Start, s.End, s.Label)
	if e, ok := a.Referent(s.Entity); ok && s.Entity != "" {
		ids := slices.Sorted(slices.Values(e.ExternalIDs))
		if e.Registry != "" {
			ids = append(ids, RegistryScheme+":"+e.Registry)
		}
		ref += " " + strings.Join(ids, " ")
	}
	return ref
}
