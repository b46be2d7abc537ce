package formats

import (
	"fmt"
	"hash/fnv"

	"github.com/annotate-tool/annotate/internal/model"
)

// SpacySpan is a span in Prodigy/spaCy JSONL.
type SpacySpan struct {
	Start int    `json:"start"`
	End   int    `json:"end"`
	Label string `json:"label"`
	Text  string `json:"text"`
}

// SpacyRecord is one line of Prodigy/spaCy JSONL.
type SpacyRecord struct {
	Text      string         `json:"text"`
	Spans     []SpacySpan    `json:"spans"`
	Meta      map[string]any `json:"meta"`
	InputHash int32          `json:"_input_hash"`
	TaskHash  int32          `json:"_task_hash"`
	Answer    string         `json:"answer"`
}

// hash32 is a stable signed 32-bit hash, the width Prodigy uses for its
// _input_hash and _task_hash.
func hash32(parts ...string) int32 {
	h := fnv.New32a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return int32(h.Sum32())
}

// ToSpacy converts an annotation to a Prodigy/spaCy record. Claims and
// incidents travel under meta so a training pipeline loses nothing.
func ToSpacy(art model.Article, a model.Annotation) (SpacyRecord, error) {
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
	switch a.Status {
	case model.StatusSkipped:
		rec.Answer = "ignore"
	}
	rec.InputHash = hash32(art.Text)
	task := []string{art.Text}
	for _, e := range native.Entities {
		rec.Spans = append(rec.Spans, SpacySpan{Start: e.Start, End: e.End, Label: e.Label, Text: e.Text})
		task = append(task, fmt.Sprint(e.Start, e.End, e.Label))
	}
	rec.TaskHash = hash32(task...)
	return rec, nil
}
