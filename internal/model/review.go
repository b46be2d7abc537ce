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

// The states of a review of one annotator's annotation (one coder, one
// reviewer): "" while nobody reviewed it, returned when the reviewer sent
// it back with comments, accepted when the reviewer took it. An article
// goes done → returned → done → accepted; marking a returned article done
// again puts it back in the reviewer's queue.
const (
	ReviewNone     = ""
	ReviewReturned = "returned"
	ReviewAccepted = "accepted"
)

// ReviewStates lists the review states a stored annotation may have.
var ReviewStates = []string{ReviewNone, ReviewReturned, ReviewAccepted}

// Review is where a reviewer's review of one annotator's annotation
// stands, with the comments reviewer and annotator exchanged on it. It
// lives with the annotation reviewed, so the annotator sees it in her
// queue and the history keeps each step with who and when.
type Review struct {
	State string    `json:"state"`
	By    string    `json:"by,omitempty"`
	At    time.Time `json:"at,omitempty"`
	// Seen is, for a returned annotation, a digest of each review item
	// as it was when it was returned (item key to digest), so the
	// reviewer sees what changed since.
	Seen     map[string]string `json:"seen,omitempty"`
	Comments []Comment         `json:"comments,omitempty"`
}

// Comment is a remark anchored to one review item (Decision.Item's key:
// "span 12-16", "claim c3 credibility"; "" for the article as a whole),
// with the replies it got, oldest first.
type Comment struct {
	Item string `json:"item"`
	// Title and Where say, for the annotator, what the item is and where
	// it lies in the text (nil when the comment is on the article).
	Title   string    `json:"title,omitempty"`
	Where   *Range    `json:"where,omitempty"`
	Text    string    `json:"text"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
	Replies []Comment `json:"replies,omitempty"`
}

// Clone returns a deep copy of the review (nil for nil).
func (r *Review) Clone() *Review {
	if r == nil {
		return nil
	}
	c := *r
	if r.Seen != nil {
		c.Seen = make(map[string]string, len(r.Seen))
		for k, v := range r.Seen {
			c.Seen[k] = v
		}
	}
	c.Comments = cloneComments(r.Comments)
	return &c
}

func cloneComments(cs []Comment) []Comment {
	if cs == nil {
		return nil
	}
	out := make([]Comment, len(cs))
	for i, c := range cs {
		c.Replies = cloneComments(c.Replies)
		if c.Where != nil {
			w := *c.Where
			c.Where = &w
		}
		out[i] = c
	}
	return out
}
