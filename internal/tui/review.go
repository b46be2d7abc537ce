package tui

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/termtext"
)

// Review compares several annotators' versions of one article and builds
// the gold annotation from them, item by item. An item is what can be
// decided at once:
//
//   - a stretch of mentions: the spans of all versions that overlap one
//     another (any label), so a label difference, a boundary difference
//     and a span one annotator missed are each one item;
//   - a claim: claims aligned by their first content range overlapping;
//   - a source grade: by source name;
//   - an incident field: incidents aligned in order (where each version
//     has one incident, those), then field by field.
//
// An item's key ("span 12-16", "claim 40-73", "grade isis", "incident 1
// killed") names it in decisions; offsets there are code points.
//
// Each annotator's version of an item is summarised as text and a digest;
// a decision records the digests it saw, so when an annotator changes
// their version later only that item shows as new.

// itemState is where an item stands.
type itemState int

const (
	stateAgree    itemState = iota // every version the same
	stateDisagree                  // versions differ
	stateSome                      // only some annotators have it
	stateDecided                   // decided, and no version changed since
	stateChanged                   // decided, but a version changed since
)

// stateMark shows a state as a symbol, so it reads without colour.
func stateMark(s itemState) string {
	switch s {
	case stateAgree:
		return "="
	case stateDisagree:
		return "≠"
	case stateSome:
		return "½"
	case stateDecided:
		return "✓"
	}
	return "!"
}

// reviewItem is one decision to make.
type reviewItem struct {
	key   string
	title string
	where model.Range // what to show in the article
	// versions is each annotator's version as text ("" for none); digest
	// the same as a fingerprint.
	versions map[string]string
	digest   map[string]string
	state    itemState
	decision *model.Decision
	// apply changes gold to hold the versions of the annotators in from
	// (none: remove the item from gold).
	apply func(gold *model.Annotation, from []string)
}

// undecided reports whether the item still needs the reviewer: versions
// that differ or that only some have, never decided or changed since.
func (it *reviewItem) undecided() bool {
	return it.state == stateDisagree || it.state == stateSome || it.state == stateChanged
}

func digestOf(s string) string {
	if s == "" {
		return ""
	}
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:6])
}

// reviewSet is an article's versions and the items built from them.
type reviewSet struct {
	text       string
	runes      *model.RuneIndex
	annotators []string
	versions   map[string]*model.Annotation
	items      []*reviewItem
}

// buildReview builds the items of an article from the annotators'
// versions, given the gold annotation's decisions.
func buildReview(text string, annotators []string, versions map[string]*model.Annotation, gold model.Annotation) *reviewSet {
	rs := &reviewSet{text: text, runes: model.NewRuneIndex(text), annotators: annotators, versions: versions}
	rs.items = append(rs.items, rs.spanItems()...)
	rs.items = append(rs.items, rs.claimItems()...)
	rs.items = append(rs.items, rs.gradeItems()...)
	rs.items = append(rs.items, rs.incidentItems()...)
	decided := map[string]*model.Decision{}
	for i := range gold.Decisions {
		d := &gold.Decisions[i]
		decided[d.Item] = d
	}
	for _, it := range rs.items {
		it.state = versionState(annotators, it.versions)
		d, ok := decided[it.key]
		if !ok {
			continue
		}
		it.decision = d
		it.state = stateDecided
		for _, who := range annotators {
			if d.Seen[who] != it.digest[who] {
				it.state = stateChanged
			}
		}
	}
	return rs
}

// versionState compares the versions of an item.
func versionState(annotators []string, versions map[string]string) itemState {
	var have []string
	for _, who := range annotators {
		if versions[who] != "" {
			have = append(have, versions[who])
		}
	}
	switch {
	case len(have) < len(annotators) && len(have) > 0:
		// Someone has none: only some, unless those who have it differ.
		for _, v := range have[1:] {
			if v != have[0] {
				return stateDisagree
			}
		}
		return stateSome
	case len(have) == 0:
		return stateAgree
	}
	for _, v := range have[1:] {
		if v != have[0] {
			return stateDisagree
		}
	}
	return stateAgree
}

// spanItems clusters the spans of all versions by overlap.
func (rs *reviewSet) spanItems() []*reviewItem {
	type tagged struct {
		model.Span
		who string
	}
	var all []tagged
	for _, who := range rs.annotators {
		for _, s := range rs.versions[who].Entities {
			all = append(all, tagged{s, who})
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].Start != all[j].Start {
			return all[i].Start < all[j].Start
		}
		return all[i].End > all[j].End
	})
	var items []*reviewItem
	for i := 0; i < len(all); {
		r := all[i].Range()
		j := i + 1
		for j < len(all) && all[j].Start < r.End {
			r.End = max(r.End, all[j].End)
			j++
		}
		cluster := all[i:j]
		it := &reviewItem{key: rs.rangeKey("span", r), where: r,
			versions: map[string]string{}, digest: map[string]string{}}
		for _, who := range rs.annotators {
			var parts []string
			for _, s := range cluster {
				if s.who == who {
					parts = append(parts, fmt.Sprintf("%s %s", s.Label, quote(rs.text[s.Start:s.End])))
				}
			}
			sort.Strings(parts)
			it.versions[who] = strings.Join(parts, ", ")
			it.digest[who] = digestOf(it.versions[who])
		}
		it.title = quote(rs.text[r.Start:r.End])
		clusterRange := r
		spans := map[string][]model.Span{}
		for _, s := range cluster {
			spans[s.who] = append(spans[s.who], s.Span)
		}
		it.apply = func(gold *model.Annotation, from []string) {
			// Gold's spans in the stretch become those of from: the ones
			// it already has stay (what refers to them keeps them), the
			// others go, the missing come in.
			type ext struct {
				start, end int
				label      string
			}
			want := map[ext]bool{}
			for _, who := range from {
				for _, s := range spans[who] {
					want[ext{s.Start, s.End, s.Label}] = true
				}
			}
			for _, s := range slices.Clone(gold.Entities) {
				if s.Start < clusterRange.End && clusterRange.Start < s.End && !want[ext{s.Start, s.End, s.Label}] {
					removeSpan(gold, s, rs.text)
				}
			}
			for _, who := range from {
				for _, s := range spans[who] {
					goldSpan(gold, s, rs.text)
				}
			}
		}
		items = append(items, it)
		i = j
	}
	return items
}

// rangeKey names an item by a stretch of text in code points, as every
// offset annotate exports counts (the offset contract).
func (rs *reviewSet) rangeKey(kind string, r model.Range) string {
	return fmt.Sprintf("%s %d-%d", kind, rs.runes.Runes(r.Start), rs.runes.Runes(r.End))
}

// goldSpan returns the id of gold's span with s's extent and label,
// adding it (a new mention, grouped by commit) when gold has none.
func goldSpan(gold *model.Annotation, s model.Span, text string) string {
	for _, g := range gold.Entities {
		if g.Start == s.Start && g.End == s.End && g.Label == s.Label {
			return g.ID
		}
	}
	id := gold.NewID("e")
	gold.Entities = append(gold.Entities, model.Span{ID: id, Start: s.Start, End: s.End, Label: s.Label})
	model.GroupMentions(gold, text)
	return id
}

// claimSummary describes a claim of an annotation for review.
func claimVersion(a *model.Annotation, c model.Claim, text string) string {
	var parts []string
	who := c.Claimant.Name
	if s, ok := a.Span(c.Claimant.SpanID); ok {
		who = text[s.Start:s.End]
		if e, ok := a.EntityOfSpan(s.ID); ok {
			who = e.Name
		}
	}
	parts = append(parts, "by "+orDash(who))
	var content []string
	for _, r := range c.Content {
		if model.CheckRange(text, r.Start, r.End) == nil {
			content = append(content, text[r.Start:r.End])
		}
	}
	parts = append(parts, quote(strings.Join(content, " … ")))
	for _, f := range []struct{ name, v string }{{"type", c.Type}, {"polarity", c.Polarity}, {"certainty", c.Certainty}, {"credibility", c.Credibility}} {
		if f.v != "" {
			parts = append(parts, f.name+" "+f.v)
		}
	}
	for _, f := range c.Figures {
		parts = append(parts, f.Describe())
	}
	if c.Stance != nil {
		parts = append(parts, c.Stance.Kind)
	}
	if c.SelfInterested {
		parts = append(parts, "self-interested")
	}
	return strings.Join(parts, " · ")
}

// claimItems aligns claims by their first content range: claims whose
// ranges overlap are one item.
func (rs *reviewSet) claimItems() []*reviewItem {
	type tagged struct {
		c   model.Claim
		who string
		r   model.Range
	}
	var all []tagged
	for _, who := range rs.annotators {
		for _, c := range rs.versions[who].Claims {
			if len(c.Content) > 0 {
				all = append(all, tagged{c, who, c.Content[0]})
			}
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].r.Start < all[j].r.Start })
	var items []*reviewItem
	for i := 0; i < len(all); {
		r := all[i].r
		j := i + 1
		for j < len(all) && all[j].r.Start < r.End {
			r.End = max(r.End, all[j].r.End)
			j++
		}
		group := map[string]model.Claim{}
		for _, t := range all[i:j] {
			if _, dup := group[t.who]; !dup {
				group[t.who] = t.c
			}
		}
		it := &reviewItem{key: rs.rangeKey("claim", all[i].r), where: r,
			versions: map[string]string{}, digest: map[string]string{}}
		for _, who := range rs.annotators {
			if c, ok := group[who]; ok {
				it.versions[who] = claimVersion(rs.versions[who], c, rs.text)
			}
			it.digest[who] = digestOf(it.versions[who])
		}
		it.title = "claim " + quote(rs.text[r.Start:r.End])
		it.apply = func(gold *model.Annotation, from []string) {
			// Gold's claim here goes; the first annotator's in from comes in.
			for _, c := range slices.Clone(gold.Claims) {
				if len(c.Content) > 0 && c.Content[0].Start < r.End && r.Start < c.Content[0].End {
					removeClaimFrom(gold, c.ID)
				}
			}
			for _, who := range from {
				if c, ok := group[who]; ok {
					copyClaim(gold, rs.versions[who], c, rs.text)
					break // a claim is taken from one annotator
				}
			}
		}
		items = append(items, it)
		i = j
	}
	return items
}

// removeClaimFrom deletes a claim and what refers to it.
func removeClaimFrom(a *model.Annotation, id string) {
	a.Claims = slices.DeleteFunc(a.Claims, func(c model.Claim) bool { return c.ID == id })
	for i := range a.Claims {
		if a.Claims[i].Stance != nil && a.Claims[i].Stance.ClaimID == id {
			a.Claims[i].Stance = nil
		}
	}
	for _, inc := range a.Incidents {
		for f, ids := range inc.Evidence {
			inc.Evidence[f] = removeID(ids, id)
		}
	}
}

// copyClaim copies claim c of annotation src into gold: its claimant span
// is gold's span of the same extent (added when missing); a stance keeps
// its claim when gold has a claim with the same first content range.
func copyClaim(gold *model.Annotation, src *model.Annotation, c model.Claim, text string) {
	n := c
	n.ID = gold.NewID("c")
	n.Content = slices.Clone(c.Content)
	n.Figures = slices.Clone(c.Figures)
	if c.Cue != nil {
		cue := *c.Cue
		n.Cue = &cue
	}
	if s, ok := src.Span(c.Claimant.SpanID); ok {
		n.Claimant = model.Claimant{SpanID: goldSpan(gold, s, text)}
	}
	n.Stance = nil
	if c.Stance != nil {
		if other, ok := src.Claim(c.Stance.ClaimID); ok && len(other.Content) > 0 {
			for _, g := range gold.Claims {
				if len(g.Content) > 0 && g.Content[0] == other.Content[0] {
					n.Stance = &model.Stance{Kind: c.Stance.Kind, ClaimID: g.ID}
				}
			}
		}
	}
	gold.Claims = append(gold.Claims, n)
}

// gradeName is the name a grade is compared by: its entity's canonical
// name, else the source as written.
func gradeName(a *model.Annotation, g model.SourceGrade) string {
	if e, ok := a.Referent(g.Entity); ok && g.Entity != "" {
		return e.Name
	}
	return g.Source
}

// gradeItems pairs source grades by name.
func (rs *reviewSet) gradeItems() []*reviewItem {
	byName := map[string]map[string]model.SourceGrade{}
	var names []string
	for _, who := range rs.annotators {
		for _, g := range rs.versions[who].Sources {
			k := model.NameKey(gradeName(rs.versions[who], g))
			if byName[k] == nil {
				byName[k] = map[string]model.SourceGrade{}
				names = append(names, k)
			}
			byName[k][who] = g
		}
	}
	var items []*reviewItem
	for _, k := range names {
		grades := byName[k]
		it := &reviewItem{key: "grade " + k, versions: map[string]string{}, digest: map[string]string{}}
		for _, who := range rs.annotators {
			if g, ok := grades[who]; ok {
				it.title = "grade of " + gradeName(rs.versions[who], g)
				it.versions[who] = strings.TrimSpace(g.Reliability + " " + g.Rationale)
				if s, ok := rs.versions[who].Span(g.SpanID); ok && it.where.End == 0 {
					it.where = s.Range()
				}
			}
			it.digest[who] = digestOf(it.versions[who])
		}
		it.apply = func(gold *model.Annotation, from []string) {
			gold.Sources = slices.DeleteFunc(gold.Sources, func(g model.SourceGrade) bool {
				return model.NameKey(gradeName(gold, g)) == k
			})
			for _, who := range from {
				g, ok := grades[who]
				if !ok {
					continue
				}
				n := model.SourceGrade{Source: g.Source, Reliability: g.Reliability, Rationale: g.Rationale}
				if s, ok := rs.versions[who].Span(g.SpanID); ok {
					n.SpanID = goldSpan(gold, s, rs.text)
					if e, ok := gold.EntityOfSpan(n.SpanID); ok {
						n.Entity = e.ID
					}
				}
				gold.Sources = append(gold.Sources, n)
				break
			}
		}
		items = append(items, it)
	}
	return items
}

// incidentItems aligns incidents in order and makes one item per field.
func (rs *reviewSet) incidentItems() []*reviewItem {
	n := 0
	for _, who := range rs.annotators {
		n = max(n, len(rs.versions[who].Incidents))
	}
	var items []*reviewItem
	for k := 0; k < n; k++ {
		fields := map[string]bool{}
		for _, who := range rs.annotators {
			if incs := rs.versions[who].Incidents; k < len(incs) {
				for f := range incs[k].Fields {
					fields[f] = true
				}
			}
		}
		names := make([]string, 0, len(fields))
		for f := range fields {
			names = append(names, f)
		}
		sort.Strings(names)
		for _, f := range names {
			it := &reviewItem{key: "incident " + strconv.Itoa(k+1) + " " + f, title: fmt.Sprintf("incident %d: %s", k+1, f),
				versions: map[string]string{}, digest: map[string]string{}}
			for _, who := range rs.annotators {
				if incs := rs.versions[who].Incidents; k < len(incs) {
					if v, ok := incs[k].Fields[f]; ok {
						it.versions[who] = valueVersion(rs.versions[who], v, rs.text)
					}
				}
				it.digest[who] = digestOf(it.versions[who])
			}
			index, field := k, f
			it.apply = func(gold *model.Annotation, from []string) {
				for len(gold.Incidents) <= index {
					gold.Incidents = append(gold.Incidents, model.Incident{ID: gold.NewID("i"), Fields: map[string]model.Value{}, Evidence: map[string][]string{}})
				}
				inc := &gold.Incidents[index]
				if inc.Fields == nil {
					inc.Fields = map[string]model.Value{}
				}
				delete(inc.Fields, field)
				for _, who := range from {
					src := rs.versions[who]
					if index >= len(src.Incidents) {
						continue
					}
					v, ok := src.Incidents[index].Fields[field]
					if !ok {
						continue
					}
					inc.Fields[field] = copyValue(gold, src, v, rs.text)
					break
				}
			}
			items = append(items, it)
		}
	}
	return items
}

// valueVersion shows a field value with entity lists by their names.
func valueVersion(a *model.Annotation, v model.Value, text string) string {
	switch {
	case v.Count != nil:
		return fmt.Sprintf("%s/%s/%s", intText(v.Count.Low), intText(v.Count.Best), intText(v.Count.High))
	case v.Date != nil:
		return strings.TrimSpace(v.Date.Start + " " + v.Date.End + " " + v.Date.Precision)
	case v.Number != nil:
		return strconv.Itoa(*v.Number)
	case len(v.List) > 0:
		var parts []string
		for _, id := range v.List {
			parts = append(parts, a.RefName(id, text))
		}
		return strings.Join(parts, ", ")
	}
	return v.Text
}

// copyValue copies a field value of src into gold: span ids become gold's
// spans of the same extent (added when missing).
func copyValue(gold *model.Annotation, src *model.Annotation, v model.Value, text string) model.Value {
	n := model.Value{Text: v.Text}
	if v.Number != nil {
		x := *v.Number
		n.Number = &x
	}
	if v.Count != nil {
		c := model.Count{Low: cloneIntPtr(v.Count.Low), Best: cloneIntPtr(v.Count.Best), High: cloneIntPtr(v.Count.High)}
		n.Count = &c
	}
	if v.Date != nil {
		d := *v.Date
		n.Date = &d
	}
	for _, id := range v.List {
		if s, ok := src.Span(id); ok {
			n.List = append(n.List, goldSpan(gold, s, text))
		} else {
			n.List = append(n.List, id) // a code, for multi-choice fields
		}
	}
	return n
}

func cloneIntPtr(p *int) *int {
	if p == nil {
		return nil
	}
	x := *p
	return &x
}

// decide applies a decision to gold and records it.
func (rs *reviewSet) decide(gold *model.Annotation, it *reviewItem, kind string, from []string, by string, now time.Time) {
	it.apply(gold, from)
	d := model.Decision{Item: it.key, Kind: kind, From: from, By: by, At: now, Seen: map[string]string{}}
	for _, who := range rs.annotators {
		d.Seen[who] = it.digest[who]
	}
	gold.Decisions = slices.DeleteFunc(gold.Decisions, func(x model.Decision) bool { return x.Item == it.key })
	gold.Decisions = append(gold.Decisions, d)
}

// The screen's side of review: the Review tab, its keys, the review queue.

// reviewAnnotators are the annotators whose versions of an article review
// compares: the chosen ones, else every annotator of the article but gold.
// nil outside review mode.
func (m *Model) reviewAnnotators(articleID string) []string {
	if m.opts.Review == nil {
		return nil
	}
	if len(m.opts.Review.Annotators) > 0 {
		return m.opts.Review.Annotators
	}
	var out []string
	for _, s := range m.queue {
		if s.ID != articleID {
			continue
		}
		for who := range s.Statuses {
			if who != model.GoldAnnotator {
				out = append(out, who)
			}
		}
	}
	sort.Strings(out)
	return out
}

// rebuildReview recomputes the items after a change to gold.
func (m *Model) rebuildReview() {
	if m.opts.Review == nil || m.doc == nil || m.versions == nil {
		m.review = nil
		return
	}
	var who []string
	for w := range m.versions {
		who = append(who, w)
	}
	sort.Strings(who)
	m.review = buildReview(m.doc.text, who, m.versions, m.ann)
	m.reviewCursor = min(m.reviewCursor, max(0, len(m.review.items)-1))
}

// currentItem is the item under the Review tab's cursor.
func (m *Model) currentItem() (*reviewItem, bool) {
	if m.review == nil || m.reviewCursor >= len(m.review.items) {
		return nil, false
	}
	return m.review.items[m.reviewCursor], true
}

// toUndecided moves to the next (previous) item still to decide; from the
// start when first. It says when there is none.
func (m *Model) toUndecided(backward, first bool) {
	if m.review == nil {
		return
	}
	n := len(m.review.items)
	for k := 1; k <= n; k++ {
		i := m.reviewCursor + k
		if backward {
			i = m.reviewCursor - k
		}
		if first {
			i = k - 1
		}
		i = (i%n + n) % n
		if m.review.items[i].undecided() {
			m.reviewCursor = i
			m.showItem()
			return
		}
	}
	m.showItem()
	m.setMessage("nothing left to decide here: every item agrees or is decided (A accepts the agreements)")
}

// showItem selects the current item's text in the article.
func (m *Model) showItem() {
	if it, ok := m.currentItem(); ok && it.where.End > it.where.Start {
		m.selectRange(it.where)
		m.highlights = []model.Range{it.where}
	}
}

// decideItems applies one kind of decision to items and saves gold.
func (m *Model) decideItems(items []*reviewItem, kind string, pick func(*reviewItem) []string, what string) tea.Cmd {
	if len(items) == 0 {
		return nil
	}
	next := m.ann.Clone()
	now := time.Now().UTC()
	for _, it := range items {
		m.review.decide(&next, it, kind, pick(it), m.opts.Annotator, now)
	}
	return m.commit(next, what)
}

// havers are the annotators who have a version of an item.
func (m *Model) havers(it *reviewItem) []string { return it.havers(m.review.annotators) }

// reviewKey handles a key on the Review tab.
func (m *Model) reviewKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	if m.review == nil {
		return nil, false
	}
	k := m.keys.Review
	it, ok := m.currentItem()
	switch {
	case key.Matches(msg, m.keys.Side.Down):
		m.reviewCursor = min(m.reviewCursor+1, max(0, len(m.review.items)-1))
		m.showItem()
	case key.Matches(msg, m.keys.Side.Up):
		m.reviewCursor = max(m.reviewCursor-1, 0)
		m.showItem()
	case key.Matches(msg, k.Next):
		m.toUndecided(false, false)
	case key.Matches(msg, k.Prev):
		m.toUndecided(true, false)
	case key.Matches(msg, k.Take):
		if !ok {
			return nil, true
		}
		n, _ := strconv.Atoi(msg.String())
		if n < 1 || n > len(m.review.annotators) {
			m.setMessage(fmt.Sprintf("there are %d annotators: 1-%d takes one's version", len(m.review.annotators), len(m.review.annotators)))
			return nil, true
		}
		who := m.review.annotators[n-1]
		if it.versions[who] == "" {
			// Taking a version of nothing is rejecting the item.
			return m.decideItems([]*reviewItem{it}, model.DecisionRejected, func(*reviewItem) []string { return nil },
				fmt.Sprintf("review %s: %s has none, so none", it.key, who)), true
		}
		m.afterSave = func(m *Model) tea.Cmd { m.toUndecided(false, false); return nil }
		return m.decideItems([]*reviewItem{it}, model.DecisionTaken, func(*reviewItem) []string { return []string{who} },
			fmt.Sprintf("review %s: take %s's", it.key, who)), true
	case key.Matches(msg, k.Both):
		if !ok {
			return nil, true
		}
		m.afterSave = func(m *Model) tea.Cmd { m.toUndecided(false, false); return nil }
		return m.decideItems([]*reviewItem{it}, model.DecisionBoth, m.havers, "review "+it.key+": take every version"), true
	case key.Matches(msg, k.Reject):
		if !ok {
			return nil, true
		}
		m.afterSave = func(m *Model) tea.Cmd { m.toUndecided(false, false); return nil }
		return m.decideItems([]*reviewItem{it}, model.DecisionRejected, func(*reviewItem) []string { return nil }, "review "+it.key+": reject"), true
	case key.Matches(msg, k.AcceptAgreed):
		var agreed []*reviewItem
		for _, x := range m.review.items {
			if x.state == stateAgree && x.decision == nil && len(m.havers(x)) > 0 {
				agreed = append(agreed, x)
			}
		}
		if len(agreed) == 0 {
			m.setMessage("no agreement left to accept in this article")
			return nil, true
		}
		return m.decideItems(agreed, model.DecisionAccepted, m.havers, fmt.Sprintf("review: accept the %d agreements", len(agreed))), true
	case key.Matches(msg, m.keys.Article.Done):
		// Gold is done: on to the next article to review.
		return m.finish(model.StatusDone), true
	case key.Matches(msg, m.keys.Article.Undo):
		return m.undo(false), true
	case key.Matches(msg, m.keys.Side.Jump):
		m.showItem()
		m.focus = focusArticle
		m.setMessage("edit gold in place; tab comes back to Review")
	default:
		return nil, false
	}
	return nil, true
}

// renderReview draws the Review tab: the items with their state, the
// current one with every annotator's version.
func (m *Model) renderReview(w, h int) []string {
	if m.review == nil {
		return []string{m.styles.Subtle.Render("No versions to review.")}
	}
	open := 0
	for _, it := range m.review.items {
		if it.undecided() {
			open++
		}
	}
	head := fmt.Sprintf("%d items, %d to decide · annotators:", len(m.review.items), open)
	for i, who := range m.review.annotators {
		head += fmt.Sprintf(" %d %s", i+1, termtext.Line(who))
	}
	lines := wrapSegs([]seg{{head, m.styles.Subtle}}, w, 2)
	cursorLine := 0
	for i, it := range m.review.items {
		mark := stateMark(it.state)
		line := mark + " " + termtext.Line(it.title)
		if it.decision != nil {
			line += m.styles.Subtle.Render("  (" + it.decision.Kind + " " + termtext.Line(strings.Join(it.decision.From, "+")) + ")")
		}
		if i != m.reviewCursor {
			lines = append(lines, line)
			continue
		}
		cursorLine = len(lines)
		if m.focus == focusSide {
			line = m.styles.RowActive.Render(fit(ansi.Strip(line), w))
		}
		lines = append(lines, line)
		for k, who := range m.review.annotators {
			v := it.versions[who]
			if v == "" {
				v = "—"
			}
			for _, l := range wrapSegs([]seg{{fmt.Sprintf("  %d %s: %s", k+1, termtext.Line(who), termtext.Line(v)), m.styles.Accent}}, w, 3) {
				lines = append(lines, l)
			}
		}
		lines = append(lines, wrapSegs([]seg{{"  1-9 take · b both · x none · ] [ next to decide · A agreements · enter edit", m.styles.Subtle}}, w, 2)...)
	}
	if len(lines) > h {
		first := min(max(0, cursorLine-h/3), len(lines)-h)
		lines = lines[first : first+h]
	}
	return lines
}

// The review queue: articles with two or more versions, with what is left
// to decide in each.

// reviewable reports whether an article has versions to compare.
func (m *Model) reviewable(s store.ArticleSummary) bool {
	return reviewableBy(s, m.opts.Review.Annotators)
}

// reviewableBy reports whether two or more of the annotators (any but
// gold, when none are named) annotated the article.
func reviewableBy(s store.ArticleSummary, annotators []string) bool {
	n := 0
	for who := range s.Statuses {
		if who == model.GoldAnnotator {
			continue
		}
		if len(annotators) == 0 || slices.Contains(annotators, who) {
			n++
		}
	}
	return n >= 2
}

// reviewCountsMsg brings each article's items still to decide and in all.
type reviewCountsMsg struct {
	counts map[string][2]int
	err    error
}

// versionsOf picks the versions review compares out of a record, and its
// gold annotation.
func (m *Model) versionsOf(r store.Record) (map[string]*model.Annotation, model.Annotation, []string) {
	versions := map[string]*model.Annotation{}
	gold := model.NewAnnotation(r.Article.ID, model.GoldAnnotator, m.opts.Schema.Name)
	var who []string
	for i := range r.Annotations {
		a := r.Annotations[i]
		model.GroupMentions(&a, r.Article.Text)
		switch {
		case a.Annotator == model.GoldAnnotator:
			gold = a
		case len(m.opts.Review.Annotators) == 0 || slices.Contains(m.opts.Review.Annotators, a.Annotator):
			versions[a.Annotator] = &a
			who = append(who, a.Annotator)
		}
	}
	sort.Strings(who)
	return versions, gold, who
}

// reviewCountsCmd counts, off the update loop, what is left to decide in
// every article with versions to compare.
func (m *Model) reviewCountsCmd() tea.Cmd {
	if m.opts.Review == nil {
		return nil
	}
	st := m.opts.Store
	return func() tea.Msg {
		counts := map[string][2]int{}
		err := st.Each(store.Filter{All: true}, func(r store.Record) error {
			versions, gold, who := m.versionsOf(r)
			if len(who) < 2 {
				return nil
			}
			rs := buildReview(r.Article.Text, who, versions, gold)
			open := 0
			for _, it := range rs.items {
				if it.undecided() {
					open++
				}
			}
			counts[r.Article.ID] = [2]int{open, len(rs.items)}
			return nil
		})
		return reviewCountsMsg{counts: counts, err: err}
	}
}

// acceptAllAgreements accepts, in every article, the items all versions
// agree on: the queue's A, pressed twice.
func (m *Model) acceptAllAgreements() tea.Cmd {
	st, by, schema := m.opts.Store, m.opts.Annotator, m.opts.Schema.Name
	m.loading = true
	return func() tea.Msg {
		type job struct {
			gold model.Annotation
			n    int
		}
		var jobs []job
		err := st.Each(store.Filter{All: true}, func(r store.Record) error {
			versions, gold, who := m.versionsOf(r)
			if len(who) < 2 {
				return nil
			}
			if gold.Schema == "" {
				gold.Schema = schema
			}
			rs := buildReview(r.Article.Text, who, versions, gold)
			next := gold.Clone()
			n := 0
			now := time.Now().UTC()
			for _, it := range rs.items {
				if it.state == stateAgree && it.decision == nil && len(it.havers(who)) > 0 {
					rs.decide(&next, it, model.DecisionAccepted, it.havers(who), by, now)
					n++
				}
			}
			if n > 0 {
				model.GroupMentions(&next, r.Article.Text)
				if next.Status == model.StatusTodo || next.Status == "" {
					next.Status = model.StatusInProgress
				}
				jobs = append(jobs, job{next, n})
			}
			return nil
		})
		if err != nil {
			return acceptedAllMsg{err: err}
		}
		// Saved after the scan: Each reads in batches, and a write between
		// them is allowed, but one at a time is simplest to reason about.
		total := 0
		for _, j := range jobs {
			if _, err := st.Save(j.gold, fmt.Sprintf("review: accept the %d agreements", j.n)); err != nil {
				return acceptedAllMsg{err: err, articles: len(jobs), items: total}
			}
			total += j.n
		}
		return acceptedAllMsg{articles: len(jobs), items: total}
	}
}

// acceptedAllMsg says how the queue's accept-all went.
type acceptedAllMsg struct {
	articles, items int
	err             error
}

// havers are the annotators among who with a version of the item.
func (it *reviewItem) havers(who []string) []string {
	var out []string
	for _, w := range who {
		if it.versions[w] != "" {
			out = append(out, w)
		}
	}
	return out
}
