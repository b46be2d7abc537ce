package store

import (
	"time"

	"github.com/annotate-tool/annotate/internal/model"
)

// Assignment for overlap (annotate serve --overlap K): each article is
// offered to K annotators. A claim says an annotator has an article in hand;
// it lapses when not renewed within its time to live, so an annotator who
// walks away starves no one. An annotator's done (or skipped) status counts
// towards K for good.

// Claim is one annotator's hold on one article.
type Claim struct {
	ArticleID string    `json:"article_id"`
	Annotator string    `json:"annotator"`
	Since     time.Time `json:"since"`
	Expires   time.Time `json:"expires"`
}

// Assigner is what a store offers a server handing out articles. Every
// method is one atomic transaction: two annotators asking at once never
// both get the K+1st place on an article.
type Assigner interface {
	// Assign returns the article annotator should work on next under
	// overlap k, claiming it for ttl: the article annotator already holds
	// (renewed), else the first in import order that annotator has not
	// finished (done or skipped) and that fewer than k others have
	// finished or hold, preferring articles others have started so that
	// overlap sets fill up. ok is false when there is none. The
	// annotator's claims on articles they finished are dropped (the
	// status holds the place).
	Assign(annotator string, k int, ttl time.Duration) (id string, ok bool, err error)
	// Renew extends annotator's claim on the article by ttl from now (a
	// sign of work); it is ErrNotFound when the claim lapsed and another
	// annotator took the place, and re-claims it when the place is free.
	Renew(articleID, annotator string, k int, ttl time.Duration) error
	// Release drops annotator's claim on the article (nothing when none).
	Release(articleID, annotator string) error
	// Claims calls fn for every claim not lapsed, by article then time.
	Claims(fn func(Claim) error) error
}

// Finished reports whether a status holds an annotator's place on an
// article for good (done or skipped): the one rule of what counts towards
// the overlap, for the stores and for stats.
func Finished(s model.Status) bool { return s == model.StatusDone || s == model.StatusSkipped }

// HoldsPlace reports whether annotator's status s takes one of an
// article's K places: finished, and not gold (review comes after).
func HoldsPlace(annotator string, s model.Status) bool {
	return annotator != model.GoldAnnotator && Finished(s)
}
