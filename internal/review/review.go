// Package review holds the rules of adjudication: how several annotators'
// versions of one article are compared item by item, and how a reviewer's
// decisions build the gold annotation from them. It is pure (no I/O, no
// screen): the screen shows the items and sends the reviewer's choices
// here, and `annotate agree` pairs incidents and claims with the same
// alignment (agree.Align), so review and agreement always compare the same
// things.
//
// An item is what can be decided at once:
//
//   - mentions: the spans of all versions that overlap one another (any
//     label), so a label difference, a boundary difference and a mention
//     one annotator missed are each one item;
//   - entities: the entities that share a mention (same extent) across
//     versions form one entity item group: which of the shared mentions
//     are one entity (grouping), its canonical name, aliases, external
//     ids, registry link, and affiliations;
//   - claims, aligned as agree aligns them: whether the claim is there,
//     then field by field (content, cue, claimant, type, polarity,
//     certainty, figures, stance, credibility, self-interest);
//   - source grades, by graded source;
//   - incidents, aligned as agree aligns them: whether the incident is
//     there, then field by field, each value with its evidence.
//
// Gold is a whole annotation: taking a mention brings its entity (the
// gold entity that already holds another of that entity's mentions, else a
// copy of the annotator's entity with its name, aliases, external ids and
// registry link); taking a claim field or an incident field brings the
// claim, incident, spans and evidence it refers to. Whatever is removed
// takes every reference to it along (model.RemoveSpan, RemoveClaim).
//
// A decision records, per annotator compared, a digest of their version of
// the item. It stands while those versions are unchanged, whoever else is
// compared later: an annotator the decision did not see counts as changed
// only where their version differs from gold's.
package review

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/annotate-tool/annotate/internal/agree"
	"github.com/annotate-tool/annotate/internal/model"
)

// State is where an item stands.
type State int

// The states of an item.
const (
	Agree    State = iota // every version the same
	Disagree              // versions differ
	Some                  // only some annotators have it
	Decided               // decided, and no version changed since
	Changed               // decided, but a version changed since (or a new annotator's differs from gold)
)

// Mark shows a state as a symbol, so it reads without colour.
func (s State) Mark() string {
	switch s {
	case Agree:
		return "="
	case Disagree:
		return "≠"
	case Some:
		return "½"
	case Decided:
		return "✓"
	}
	return "!"
}

// Item kinds.
const (
	KindMention  = "mention"
	KindEntity   = "entity"
	KindClaim    = "claim"
	KindGrade    = "grade"
	KindIncident = "incident"
)

// Item is one decision to make.
type Item struct {
	// Key names the item in decisions: "span 12-16" (code points),
	// "entity 12-16 name", "claim c4 credibility", "grade isis",
	// "incident i3 killed".
	Key  string
	Kind string
	// Field is the part of the item decided ("" for a mention, a grade,
	// or whether a claim or incident is there at all).
	Field string
	// Title names the item for people.
	Title string
	// Where is the stretch of text to show.
	Where model.Range
	// Versions is each annotator's version as text ("" for none); Digest
	// the same as a fingerprint. Show, when set, is what to show instead
	// (a claim's summary where the version is only "present").
	Versions map[string]string
	Digest   map[string]string
	Show     map[string]string
	// Gold is gold's version of the item now ("" for none).
	Gold     string
	State    State
	Decision *model.Decision
	// Multi: several versions can be held at once (b takes them all);
	// Required: gold must hold a version (x is refused).
	Multi, Required bool

	apply func(s *Set, gold *model.Annotation, from []string) error
	// comp is an entity item's entity; group a claim's or incident's
	// index in the alignment.
	comp  *component
	group int
}

// Undecided reports whether the item still needs the reviewer: versions
// that differ or that only some have, never decided or changed since.
func (it *Item) Undecided() bool {
	return it.State == Disagree || it.State == Some || it.State == Changed
}

// Havers are the annotators among who with a version of the item.
func (it *Item) Havers(who []string) []string {
	var out []string
	for _, w := range who {
		if it.Versions[w] != "" {
			out = append(out, w)
		}
	}
	return out
}

// Errors a decision can meet.
var (
	// ErrOneValue: b on an item that holds one value.
	ErrOneValue = errors.New("holds one value")
	// ErrRequired: x on an item gold cannot do without.
	ErrRequired = errors.New("gold needs a value here")
)

func digestOf(s string) string {
	if s == "" {
		return ""
	}
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:6])
}

// goldKey is gold's place among the versions while items are built.
const goldKey = model.GoldAnnotator

// Set is an article's versions and the items built from them.
type Set struct {
	Text       string
	Schema     *model.Schema
	Annotators []string
	Versions   map[string]*model.Annotation
	Items      []*Item

	runes *model.RuneIndex
	// all is Annotators then gold; anns the same as annotations, for
	// agree.Align.
	all  []string
	anns []*model.Annotation
	// The alignments of claims and incidents (indices over all).
	claims, incidents []agree.Group
	// made remembers, within one batch of decisions, the gold claim or
	// incident a group got ("claim 3" -> "c12").
	made map[string]string
	// components are the entity groups (see entities.go); mentions each
	// version's mentions by entity.
	components []*component
	mentions   map[string]map[string][]model.Span
	// single: one annotator's work is reviewed; every part of hers is an
	// item, and what she has that gold does not is to decide.
	single bool
}

// Build builds the items of an article from the annotators' versions and
// the gold annotation (its decisions say what is decided).
func Build(text string, schema *model.Schema, annotators []string, versions map[string]*model.Annotation, gold *model.Annotation) *Set {
	if schema == nil {
		schema = model.DefaultSchema()
	}
	s := &Set{Text: text, Schema: schema, Annotators: annotators, Versions: versions, runes: model.NewRuneIndex(text), made: map[string]string{},
		single: len(annotators) == 1}
	s.all = append(slices.Clone(annotators), goldKey)
	for _, w := range annotators {
		s.anns = append(s.anns, versions[w])
	}
	// The set keeps its own copy of gold as it was: decisions change the
	// gold they are given, which may be this very annotation.
	var g *model.Annotation
	if gold == nil {
		empty := model.NewAnnotation("", model.GoldAnnotator, schema.Name)
		g = &empty
	} else {
		c := gold.Clone()
		g = &c
	}
	s.anns = append(s.anns, g)
	al := agree.Align(text, s.anns, schema, agree.DefaultAlignOptions())
	s.claims, s.incidents = al.Claims, al.Incidents
	s.Items = append(s.Items, s.mentionItems()...)
	s.Items = append(s.Items, s.entityItems()...)
	s.Items = append(s.Items, s.claimItems()...)
	s.Items = append(s.Items, s.gradeItems(al.Sources)...)
	s.Items = append(s.Items, s.incidentItems()...)
	for _, it := range s.Items {
		it.Gold = it.Versions[goldKey]
		delete(it.Versions, goldKey)
		delete(it.Digest, goldKey)
		delete(it.Show, goldKey)
	}
	s.settle(g.Decisions)
	s.settleRejected()
	return s
}

// settle sets each item's state from the versions and the decisions.
func (s *Set) settle(decisions []model.Decision) {
	decided := map[string]*model.Decision{}
	var spanDecisions []*model.Decision
	for i := range decisions {
		d := &decisions[i]
		decided[d.Item] = d
		if strings.HasPrefix(d.Item, "span ") {
			spanDecisions = append(spanDecisions, d)
		}
	}
	for _, it := range s.Items {
		it.State = versionState(s.Annotators, it.Versions)
		if w := s.Annotators; s.single && len(w) == 1 && it.Versions[w[0]] != "" && it.Versions[w[0]] != it.Gold {
			// Hers differs from gold: new since gold was made from hers
			// (or never decided).
			it.State = Changed
		}
		d, ok := decided[it.Key]
		if !ok {
			if it.Kind == KindMention && it.Undecided() {
				// A stretch that grew (a new annotator's mention reaches
				// past it) keeps what was decided inside it: changed.
				for _, d := range spanDecisions {
					if r, ok := s.spanRange(d.Item); ok && r.Start < it.Where.End && it.Where.Start < r.End {
						it.Decision, it.State = d, Changed
						break
					}
				}
			}
			continue
		}
		it.Decision = d
		it.State = Decided
		goldDigest := digestOf(it.Gold)
		for _, who := range s.Annotators {
			seen, saw := d.Seen[who]
			if saw && seen != it.Digest[who] || !saw && it.Digest[who] != goldDigest {
				it.State = Changed
			}
		}
	}
}

// settleRejected makes the fields of a claim or incident the reviewer
// rejected decided too: there is nothing left of it to decide.
func (s *Set) settleRejected() {
	type group struct {
		kind string
		gi   int
	}
	rejected := map[group]*model.Decision{}
	for _, it := range s.Items {
		if (it.Kind == KindClaim || it.Kind == KindIncident) && it.Field == "" && it.State == Decided &&
			it.Decision != nil && it.Decision.Kind == model.DecisionRejected {
			rejected[group{it.Kind, it.group}] = it.Decision
		}
	}
	for _, it := range s.Items {
		if d, ok := rejected[group{it.Kind, it.group}]; ok && it.Field != "" && it.Decision == nil {
			it.Decision, it.State = d, Decided
		}
	}
}

// spanRange reads back the byte range of a "span A-B" key.
func (s *Set) spanRange(key string) (model.Range, bool) {
	var a, b int
	if _, err := fmt.Sscanf(key, "span %d-%d", &a, &b); err != nil {
		return model.Range{}, false
	}
	start, err1 := s.runes.Bytes(a)
	end, err2 := s.runes.Bytes(b)
	if err1 != nil || err2 != nil || end < start {
		return model.Range{}, false
	}
	return model.Range{Start: start, End: end}, true
}

// versionState compares the versions of an item.
func versionState(annotators []string, versions map[string]string) State {
	var have []string
	for _, who := range annotators {
		if versions[who] != "" {
			have = append(have, versions[who])
		}
	}
	if len(have) == 0 {
		return Agree
	}
	for _, v := range have[1:] {
		if v != have[0] {
			return Disagree
		}
	}
	if len(have) < len(annotators) {
		return Some
	}
	return Agree
}

// Decide applies one decision to gold and records it: take the versions of
// the annotators in from (none: gold holds none). kind is one of
// model.Decision's kinds.
func (s *Set) Decide(gold *model.Annotation, it *Item, kind string, from []string, by string, now time.Time) error {
	if len(from) > 1 && !it.Multi && !allSame(it, from) {
		return fmt.Errorf("%s %w: take one annotator's version", it.Title, ErrOneValue)
	}
	if len(from) == 0 && it.Required {
		return fmt.Errorf("%s: %w (take a version)", it.Title, ErrRequired)
	}
	if err := it.apply(s, gold, from); err != nil {
		return err
	}
	key := it.Key
	if k := s.rekey(gold, it); k != "" {
		key = k
	}
	d := model.Decision{Item: key, Kind: kind, From: from, By: by, At: now, Seen: map[string]string{}}
	for _, old := range gold.Decisions {
		if old.Item == key || old.Item == it.Key {
			// A decision made again keeps what earlier comparisons saw of
			// annotators not compared now.
			for w, v := range old.Seen {
				d.Seen[w] = v
			}
		}
	}
	for _, who := range s.Annotators {
		d.Seen[who] = it.Digest[who]
	}
	gold.Decisions = slices.DeleteFunc(gold.Decisions, func(x model.Decision) bool { return x.Item == key || x.Item == it.Key })
	gold.Decisions = append(gold.Decisions, d)
	if it.Kind == KindMention {
		s.reapplyEntityDecisions(gold, it.Where)
	}
	return nil
}

// allSame reports whether the annotators in from have one version of it,
// so taking them all is taking one.
func allSame(it *Item, from []string) bool {
	for _, w := range from[1:] {
		if it.Versions[w] != it.Versions[from[0]] {
			return false
		}
	}
	return true
}

// AcceptAgreed accepts every item all versions agree on that is not
// decided yet, and returns how many.
func (s *Set) AcceptAgreed(gold *model.Annotation, by string, now time.Time) (int, error) {
	n := 0
	for _, it := range s.Items {
		if it.State != Agree || it.Decision != nil {
			continue
		}
		havers := it.Havers(s.Annotators)
		if len(havers) == 0 {
			continue
		}
		if err := s.Decide(gold, it, model.DecisionAccepted, havers, by, now); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Agreed are the items AcceptAgreed would accept.
func (s *Set) Agreed() []*Item {
	var out []*Item
	for _, it := range s.Items {
		if it.State == Agree && it.Decision == nil && len(it.Havers(s.Annotators)) > 0 {
			out = append(out, it)
		}
	}
	return out
}

// Open counts the items still to decide.
func (s *Set) Open() int {
	n := 0
	for _, it := range s.Items {
		if it.Undecided() {
			n++
		}
	}
	return n
}

// Start is gold as one annotator's version, every item accepted from it:
// where a single annotator's work is reviewed, the reviewer starts from it
// and fixes in place.
func Start(text string, schema *model.Schema, who string, version *model.Annotation, gold model.Annotation, by string, now time.Time) (model.Annotation, error) {
	s := Build(text, schema, []string{who}, map[string]*model.Annotation{who: version}, &gold)
	next := gold.Clone()
	for _, it := range s.Items {
		if havers := it.Havers(s.Annotators); len(havers) > 0 && it.Decision == nil {
			if err := s.Decide(&next, it, model.DecisionAccepted, havers, by, now); err != nil {
				return gold, err
			}
		}
	}
	// Every part of her version is in gold now; what the items do not
	// cover (notes) comes along too.
	if next.Notes == "" {
		next.Notes = version.Notes
	}
	return next, nil
}

// rangeKey names a stretch of text in code points, as every offset
// annotate exports counts (the offset contract).
func (s *Set) rangeKey(kind string, r model.Range) string {
	return fmt.Sprintf("%s %d-%d", kind, s.runes.Runes(r.Start), s.runes.Runes(r.End))
}

// words is a stretch of text with its white space collapsed.
func words(text string, r model.Range) string {
	if model.CheckRange(text, r.Start, r.End) != nil {
		return ""
	}
	return strings.Join(strings.Fields(text[r.Start:r.End]), " ")
}

// quote shows a stretch of text in quotes, shortened for a title.
func quote(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 40 {
		s = string(r[:39]) + "…"
	}
	return "“" + s + "”"
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// rekey is the key of a claim's or incident's item once gold has the claim
// or incident: named by gold's id, so the decision is found again whoever
// is compared later ("" when the key does not change).
func (s *Set) rekey(gold *model.Annotation, it *Item) string {
	id := ""
	switch it.Kind {
	case KindClaim:
		id = s.goldClaim(gold, it.group)
	case KindIncident:
		id = s.goldIncident(gold, it.group)
	}
	anchor := it.Kind + " " + id
	if id == "" {
		// Gold has none (rejected): named by the annotator's, as the next
		// Build names it.
		switch it.Kind {
		case KindClaim:
			anchor = s.claimHaverAnchor(it.group)
		case KindIncident:
			anchor = s.incidentHaverAnchor(it.group)
		default:
			return ""
		}
	}
	if it.Field != "" {
		return anchor + " " + it.Field
	}
	return anchor
}
