package formats

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
)

// TestNativeCarriesReview: an annotation's review (state, reviewer, time,
// what was seen, comments with their replies) goes out in the native
// format as "review" and comes back as it was; a review set but empty
// stays apart from none; writing what was read gives the same bytes.
func TestNativeCarriesReview(t *testing.T) {
	text := "ISIS fighters entered Raqqa."
	art := model.Article{ID: model.ArticleID(text), Text: text}
	at := time.Date(2026, 3, 4, 9, 12, 0, 0, time.UTC)
	local := time.FixedZone("UTC+3", 3*3600)
	full := &model.Review{State: model.ReviewReturned, By: "carol", At: at.In(local),
		Seen: map[string]string{"span 0-4": "d1", "span 22-27": ""},
		Comments: []model.Comment{
			{Item: "span 0-4", Text: "ISIS is the group: ORG", By: "carol", At: at,
				Replies: []model.Comment{{Item: "span 0-4", Text: "relabelled", By: "alice", At: at.Add(time.Hour)}}},
			{Item: "", Text: "the date is missing", By: "carol", At: at.Add(time.Minute)},
		}}
	tests := []struct {
		name   string
		review *model.Review
		want   string // in the written line ("" : no "review" at all)
	}{
		{"none", nil, ""},
		{"returned with comments", full, `"review":{"state":"returned","by":"carol","at":"2026-03-04T09:12:00Z","seen":{"span 0-4":"d1","span 22-27":""},"comments":[{"item":"span 0-4","text":"ISIS is the group: ORG","by":"carol","at":"2026-03-04T09:12:00Z","replies":[{"item":"span 0-4","text":"relabelled","by":"alice","at":"2026-03-04T10:12:00Z","replies":[]}]},{"item":"","text":"the date is missing","by":"carol","at":"2026-03-04T09:13:00Z","replies":[]}]}`},
		{"accepted", &model.Review{State: model.ReviewAccepted, By: "carol", At: at}, `"review":{"state":"accepted","by":"carol","at":"2026-03-04T09:12:00Z","comments":[]}`},
		{"set but empty", &model.Review{}, `"review":{"state":"","by":"","at":null,"comments":[]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := model.NewAnnotation(art.ID, "alice", "conflict-incidents")
			a.Status = model.StatusDone
			a.Entities = []model.Span{{ID: "e1", Start: 0, End: 4, Label: "ORG"}}
			model.GroupMentions(&a, text)
			a.Review = tt.review.Clone()
			first := nativeLine(t, art, a)
			if tt.want == "" && strings.Contains(first, `"review"`) {
				t.Errorf("an annotation without a review writes one:\n%s", first)
			}
			if tt.want != "" && !strings.Contains(first, tt.want) {
				t.Errorf("native record lacks\n%s\nin\n%s", tt.want, first)
			}
			back := readAll(t, ReadNative, ImportOptions{}, []byte(first))
			if len(back) != 1 || back[0].Annotation == nil {
				t.Fatalf("read back %+v", back)
			}
			got := back[0].Annotation.Review
			want := tt.review.Clone()
			if want != nil {
				// Times come back in UTC, the same instants.
				want.At = want.At.UTC()
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("review back:\n got %+v\nwant %+v", got, want)
			}
			b := *back[0].Annotation
			b.Annotator = back[0].Annotator
			if again := nativeLine(t, art, b); again != first {
				t.Errorf("written again:\n%s\nfirst:\n%s", again, first)
			}
		})
	}
	// A review alone (no tags, status todo) is still an annotation.
	only := model.NewAnnotation(art.ID, "alice", "conflict-incidents")
	only.Review = &model.Review{Comments: []model.Comment{{Text: "start with the date", By: "carol", At: at}}}
	back := readAll(t, ReadNative, ImportOptions{}, []byte(nativeLine(t, art, only)))
	if len(back) != 1 || back[0].Annotation == nil || back[0].Annotation.Review == nil {
		t.Errorf("a review alone read back as %+v", back)
	}
}

// nativeLine is the native format's line for an annotation of art.
func nativeLine(t *testing.T, art model.Article, a model.Annotation) string {
	t.Helper()
	rec, err := ToNative(art, a)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := NewLineWriter(&buf)
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestNativeBadTimeSaysHowToWriteIt: a time that does not parse (in a
// review, a comment or a decision) is refused in one line that quotes it
// and says how times are written, not as "not a JSON object".
func TestNativeBadTimeSaysHowToWriteIt(t *testing.T) {
	for _, rec := range []string{
		`{"text":"ab","annotator":"a","review":{"state":"accepted","by":"c","at":"yesterday","comments":[]}}`,
		`{"text":"ab","annotator":"a","review":{"state":"","by":"","at":null,"comments":[{"item":"","text":"x","by":"c","at":"yesterday","replies":[]}]}}`,
		`{"text":"ab","annotator":"gold","decisions":[{"item":"span 0-1","kind":"taken","by":"r","at":"yesterday"}]}`,
	} {
		_, bad := readAllowingBad(t, ReadNative, rec+"\n", ImportOptions{})
		if len(bad) != 1 {
			t.Fatalf("%s: %d bad records, want 1", rec, len(bad))
		}
		msg := bad[0].Error()
		if !strings.Contains(msg, `"yesterday"`) || !strings.Contains(msg, "2026-03-04T09:12:00Z") || strings.Contains(msg, "not a JSON object") || strings.Contains(msg, "\n") {
			t.Errorf("%s: %q, want one line quoting the time and showing how to write one", rec, msg)
		}
	}
}
