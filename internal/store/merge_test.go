package store

import (
	"testing"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
)

// TestSameAnnotationReviewTimes: a review's times in another zone (a
// screen's local clock, read back from an export in UTC) are the same
// instants: the annotation is the same; another comment is not.
func TestSameAnnotationReviewTimes(t *testing.T) {
	local := time.FixedZone("UTC+3", 3*3600)
	at := time.Date(2026, 3, 1, 15, 0, 0, 0, local)
	a := model.NewAnnotation("3aef2bd1582aed3d", "alice", "conflict-incidents")
	a.Review = &model.Review{State: model.ReviewReturned, By: "carol", At: at,
		Comments: []model.Comment{{Item: "span 0-4", Text: "a group", By: "carol", At: at,
			Replies: []model.Comment{{Text: "fixed", By: "alice", At: at.Add(time.Minute)}}}}}
	b := a.Clone()
	b.Review.At = at.UTC()
	b.Review.Comments[0].At = at.UTC()
	b.Review.Comments[0].Replies[0].At = at.Add(time.Minute).UTC()
	if !SameAnnotation(a, b) {
		t.Error("the same review with its times in UTC is not the same annotation")
	}
	b.Review.Comments[0].Replies[0].Text = "fixed it"
	if SameAnnotation(a, b) {
		t.Error("a changed reply is the same annotation")
	}
	b = a.Clone()
	b.Review = nil
	if SameAnnotation(a, b) {
		t.Error("an annotation without its review is the same annotation")
	}
}
