package model

import "time"

// GoldAnnotator is the annotator name adjudicated annotations are saved
// under: review writes there, export --gold and agree --against gold read
// it. The annotators' own annotations are never changed by review.
const GoldAnnotator = "gold"

// The kinds of review decision.
const (
	DecisionAccepted = "accepted" // every annotator had it: taken as is
	DecisionTaken    = "taken"    // one annotator's version taken
	DecisionBoth     = "both"     // several annotators' versions taken
	DecisionRejected = "rejected" // none taken
	DecisionEdited   = "edited"   // the reviewer changed it in place
)

// Decision records one adjudication step of a gold annotation: what the
// reviewer decided about one item the annotators' versions hold (a mention,
// a claim, a source grade, an incident), whose version it took, and what
// each annotator had then, so that a later change by an annotator shows as
// new while earlier decisions stand.
type Decision struct {
	// Item names the item across versions: "span 12-16" (a stretch of
	// mentions, code points), "claim 40-73" (its first content range),
	// "grade isis", "incident 1 killed".
	Item string `json:"item"`
	Kind string `json:"kind"`
	// From are the annotators whose version was taken.
	From []string `json:"from,omitempty"`
	// Gold are the ids in the gold annotation the decision produced.
	Gold []string `json:"gold,omitempty"`
	// By is the reviewer.
	By string    `json:"by"`
	At time.Time `json:"at"`
	// Seen maps each annotator to a digest of their version of the item
	// when it was decided ("" for none).
	Seen map[string]string `json:"seen,omitempty"`
}
