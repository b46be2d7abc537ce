package formats

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
)

// TestNativeCarriesDecisions: a gold annotation's review decisions (who
// decided, from which annotators, what kind, what each annotator had) go
// out in the native format and come back as they were.
func TestNativeCarriesDecisions(t *testing.T) {
	text := "ISIS fighters entered Raqqa."
	art := model.Article{ID: model.ArticleID(text), Text: text}
	at := time.Date(2026, 3, 4, 9, 12, 0, 0, time.UTC)
	gold := model.NewAnnotation(art.ID, model.GoldAnnotator, "conflict-incidents")
	gold.Status = model.StatusDone
	gold.Entities = []model.Span{{ID: "e1", Start: 0, End: 4, Label: "ORG"}}
	model.GroupMentions(&gold, text)
	gold.Decisions = []model.Decision{
		{Item: "span 0-4 ORG", Kind: model.DecisionTaken, From: []string{"alice"}, Gold: []string{"e1"}, By: "rev", At: at,
			Seen: map[string]string{"alice": "d1", "bob": ""}},
		{Item: "span 22-27 GPE", Kind: model.DecisionRejected, By: "rev", At: at.Add(time.Minute), Seen: map[string]string{"bob": "d2"}},
	}
	rec, err := ToNative(art, gold)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(rec)
	for _, w := range []string{`"decisions":[`, `"kind":"taken"`, `"from":["alice"]`, `"by":"rev"`, `"gold":["e1"]`} {
		if !strings.Contains(string(data), w) {
			t.Errorf("native record lacks %s:\n%s", w, data)
		}
	}
	back := readAll(t, ReadNative, ImportOptions{}, append(data, '\n'))
	if len(back) != 1 || back[0].Annotation == nil {
		t.Fatalf("read back %+v", back)
	}
	if got := back[0].Annotation.Decisions; !reflect.DeepEqual(got, gold.Decisions) {
		t.Errorf("decisions back:\n got %+v\nwant %+v", got, gold.Decisions)
	}

	// Decisions alone (every item rejected, nothing taken yet) are still
	// an annotation.
	only := model.NewAnnotation(art.ID, model.GoldAnnotator, "conflict-incidents")
	only.Decisions = gold.Decisions[1:]
	rec, err = ToNative(art, only)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	json.NewEncoder(&buf).Encode(rec)
	back = readAll(t, ReadNative, ImportOptions{}, buf.Bytes())
	if len(back) != 1 || back[0].Annotation == nil || len(back[0].Annotation.Decisions) != 1 {
		t.Errorf("decisions alone read back as %+v", back)
	}
}
