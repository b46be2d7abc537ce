package formats

import (
	"encoding/json"
	"fmt"
	"slices"
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
// its own _annotator_id's or _session_id's. The gold record carries the
// versions (Annotated.Review), for the caller to record the decisions:
// which sessions each of gold's items came from, as review compares them.
func readReview(in spacyIn, where string, opts ImportOptions) ([]Annotated, error) {
	gold, err := parseSpacy(in, where, opts)
	if err != nil {
		return nil, err
	}
	gold.Annotator = model.GoldAnnotator
	var versions []SessionVersion
	var out []Annotated
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
			sv := SessionVersion{Session: name}
			if rec.Annotation != nil {
				a := rec.Annotation.Clone()
				sv.Annotation = &a
			}
			versions = append(versions, sv)
		}
	}
	if gold.Annotation != nil {
		gold.Review = &ReviewSource{Versions: versions, By: in.AnnotatorID, At: reviewTime(in.Timestamp)}
		if gold.Review.By == "" {
			gold.Review.By = in.SessionID
		}
	}
	return append([]Annotated{gold}, out...), nil
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
