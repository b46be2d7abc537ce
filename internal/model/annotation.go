package model

import (
	"strconv"
	"time"
)

// Status is an annotator's progress on one article.
type Status string

// The document statuses, in the order an annotator meets them.
const (
	StatusTodo       Status = "todo"
	StatusInProgress Status = "in_progress"
	StatusDone       Status = "done"
	StatusSkipped    Status = "skipped"
)

// Statuses lists every status in display order.
var Statuses = []Status{StatusTodo, StatusInProgress, StatusDone, StatusSkipped}

// Valid reports whether s is one of Statuses.
func (s Status) Valid() bool {
	for _, t := range Statuses {
		if s == t {
			return true
		}
	}
	return false
}

// Range is a stretch of an article's text in UTF-8 byte offsets, start
// inclusive and end exclusive.
type Range struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Span is a typed mention of an entity.
type Span struct {
	ID    string `json:"id"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	Label string `json:"label"`
	// Entity is the id of the entity (in Annotation.Referents) the span
	// mentions.
	Entity string `json:"entity,omitempty"`
}

// Range returns the span's extent.
func (s Span) Range() Range { return Range{s.Start, s.End} }

// Claimant is who makes a claim: an entity span when the speaker is named in
// the text, free text otherwise ("officials").
type Claimant struct {
	SpanID string `json:"span,omitempty"`
	Name   string `json:"name,omitempty"`
}

// Stance relates a claim to another claim it supports or disputes.
type Stance struct {
	Kind    string `json:"kind"`
	ClaimID string `json:"claim"`
}

// Claim is an attributed statement: who says what, how, and how far it can be
// trusted.
type Claim struct {
	ID        string   `json:"id"`
	Claimant  Claimant `json:"claimant"`
	Cue       *Range   `json:"cue,omitempty"`
	Content   []Range  `json:"content"`
	Type      string   `json:"type,omitempty"`
	Polarity  string   `json:"polarity,omitempty"`
	Certainty string   `json:"certainty,omitempty"`
	// Figures are the numbers the claim reports ("two armored vehicles
	// were destroyed and 53 members of the SDF were killed" has two).
	Figures        []Figure `json:"figures,omitempty"`
	Stance         *Stance  `json:"stance,omitempty"`
	SelfInterested bool     `json:"self_interested,omitempty"`
	// Credibility is the Admiralty information grade "1".."6", "" when not
	// yet graded.
	Credibility string `json:"credibility,omitempty"`
}

// SourceGrade is the Admiralty reliability grade (A-F) of one source: a
// claimant or the outlet.
type SourceGrade struct {
	Source string `json:"source"`
	SpanID string `json:"span,omitempty"`
	// Entity is the graded entity, when the source is one: the grade is
	// then every mention's, and a claim by someone affiliated to it shows
	// it too.
	Entity      string `json:"entity,omitempty"`
	Reliability string `json:"reliability"`
	Rationale   string `json:"rationale,omitempty"`
}

// Count is a reported number as low, best and high estimates; nil means
// unknown, which is not zero.
type Count struct {
	Low  *int `json:"low"`
	Best *int `json:"best"`
	High *int `json:"high"`
}

// Date is a date with its precision (day, week, month, year) and an optional
// end. Dates are ISO 8601 (YYYY-MM-DD).
type Date struct {
	Start     string `json:"start"`
	End       string `json:"end,omitempty"`
	Precision string `json:"precision,omitempty"`
}

// Value is one incident field's value. Exactly one part is set, according to
// the field's type in the schema: Text for text and choice, Number, Count,
// Date, or List for multi-choice and entity references (span IDs).
type Value struct {
	Text   string   `json:"text,omitempty"`
	Number *int     `json:"number,omitempty"`
	Count  *Count   `json:"count,omitempty"`
	Date   *Date    `json:"date,omitempty"`
	List   []string `json:"list,omitempty"`
}

// IsZero reports whether no part of v is set.
func (v Value) IsZero() bool {
	return v.Text == "" && v.Number == nil && v.Count == nil && v.Date == nil && len(v.List) == 0
}

// Incident is one filled incident form. Evidence maps a field name to the
// IDs of the entity spans or claims that support its value.
type Incident struct {
	ID       string              `json:"id"`
	Fields   map[string]Value    `json:"fields"`
	Evidence map[string][]string `json:"evidence,omitempty"`
}

// Rejection is a suggestion turned down: that stretch of text with that
// label is not suggested again in the article.
type Rejection struct {
	Start int    `json:"start"`
	End   int    `json:"end"`
	Label string `json:"label"`
}

// Annotation is everything one annotator recorded about one article.
type Annotation struct {
	ArticleID string `json:"article_id"`
	Annotator string `json:"annotator"`
	Schema    string `json:"schema"`
	Status    Status `json:"status"`
	Entities  []Span `json:"entities"`
	// Referents are the entities the spans mention (see Entity).
	Referents []Entity      `json:"referents,omitempty"`
	Claims    []Claim       `json:"claims"`
	Incidents []Incident    `json:"incidents"`
	Sources   []SourceGrade `json:"sources"`
	Notes     string        `json:"notes,omitempty"`
	// Rejected are the suggestions the annotator turned down in this
	// article, so they are not suggested again.
	Rejected []Rejection `json:"rejected,omitempty"`
	// Decisions record how a gold annotation was adjudicated (see
	// Decision); only the gold annotator's has them.
	Decisions []Decision `json:"decisions,omitempty"`
	// Review is where a reviewer's review of this annotation stands (one
	// coder, one reviewer), nil when it was never reviewed.
	Review    *Review   `json:"review,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
	// Rev counts the saves of this annotation. A save based on an older
	// revision is refused, so two screens never overwrite each other.
	Rev int `json:"rev"`
	// NextID numbers the spans, claims and incidents this annotation
	// creates, so IDs are never reused even after a delete.
	NextID int `json:"next_id"`
}

// NewAnnotation returns an empty annotation with status todo.
func NewAnnotation(articleID, annotator, schema string) Annotation {
	return Annotation{ArticleID: articleID, Annotator: annotator, Schema: schema, Status: StatusTodo}
}

// NewID returns a fresh ID with the given prefix ("e" for entity spans, "c"
// for claims, "i" for incidents).
func (a *Annotation) NewID(prefix string) string {
	a.NextID++
	return prefix + strconv.Itoa(a.NextID)
}

// Clone returns a deep copy, so a change can be prepared without touching the
// annotation the screen or the store still holds.
func (a Annotation) Clone() Annotation {
	b := a
	b.Entities = append([]Span(nil), a.Entities...)
	b.Referents = cloneReferents(a.Referents)
	b.Claims = make([]Claim, len(a.Claims))
	for i, c := range a.Claims {
		c.Content = append([]Range(nil), c.Content...)
		if c.Cue != nil {
			cue := *c.Cue
			c.Cue = &cue
		}
		if c.Figures != nil {
			c.Figures = make([]Figure, len(a.Claims[i].Figures))
			for j, f := range a.Claims[i].Figures {
				c.Figures[j] = f.clone()
			}
		}
		if c.Stance != nil {
			s := *c.Stance
			c.Stance = &s
		}
		b.Claims[i] = c
	}
	b.Incidents = make([]Incident, len(a.Incidents))
	for i, inc := range a.Incidents {
		n := Incident{ID: inc.ID, Fields: map[string]Value{}, Evidence: map[string][]string{}}
		for k, v := range inc.Fields {
			n.Fields[k] = v.clone()
		}
		for k, ids := range inc.Evidence {
			n.Evidence[k] = append([]string(nil), ids...)
		}
		b.Incidents[i] = n
	}
	b.Sources = append([]SourceGrade(nil), a.Sources...)
	b.Rejected = append([]Rejection(nil), a.Rejected...)
	if a.Decisions != nil {
		b.Decisions = make([]Decision, len(a.Decisions))
		for i, d := range a.Decisions {
			d.From = append([]string(nil), d.From...)
			d.Gold = append([]string(nil), d.Gold...)
			if d.Seen != nil {
				seen := make(map[string]string, len(d.Seen))
				for k, v := range d.Seen {
					seen[k] = v
				}
				d.Seen = seen
			}
			b.Decisions[i] = d
		}
	}
	b.Review = a.Review.Clone()
	return b
}

func (v Value) clone() Value {
	w := v
	if v.Number != nil {
		n := *v.Number
		w.Number = &n
	}
	if v.Count != nil {
		c := Count{Low: cloneInt(v.Count.Low), Best: cloneInt(v.Count.Best), High: cloneInt(v.Count.High)}
		w.Count = &c
	}
	if v.Date != nil {
		d := *v.Date
		w.Date = &d
	}
	w.List = append([]string(nil), v.List...)
	return w
}

func (f Figure) clone() Figure {
	f.Value, f.Low, f.High = cloneInt(f.Value), cloneInt(f.Low), cloneInt(f.High)
	return f
}

func cloneInt(p *int) *int {
	if p == nil {
		return nil
	}
	n := *p
	return &n
}

// Span returns the entity span with the given ID.
func (a *Annotation) Span(id string) (Span, bool) {
	for _, s := range a.Entities {
		if s.ID == id {
			return s, true
		}
	}
	return Span{}, false
}

// Claim returns the claim with the given ID.
func (a *Annotation) Claim(id string) (Claim, bool) {
	for _, c := range a.Claims {
		if c.ID == id {
			return c, true
		}
	}
	return Claim{}, false
}

// IsEmpty reports whether the annotation records nothing yet.
func (a *Annotation) IsEmpty() bool {
	return len(a.Entities) == 0 && len(a.Referents) == 0 && len(a.Claims) == 0 && len(a.Decisions) == 0 && len(a.Rejected) == 0 && len(a.Incidents) == 0 &&
		len(a.Sources) == 0 && a.Notes == "" && (a.Status == "" || a.Status == StatusTodo)
}
