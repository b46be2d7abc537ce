package tui

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/review"
	"github.com/annotate-tool/annotate/internal/store"
)

// Review mode: the root's side of the Review tab. The rules (which items,
// what a decision does to gold) are package review's; the tab (reviewtab.go)
// turns keys into actions; here the actions become saves.
//
// Two kinds of review share it. Several annotators' versions of an article
// are adjudicated into gold. One annotator's work (review --annotators
// alice) is reviewed in place: gold starts as her version, the reviewer
// fixes it, then accepts it (D) or returns it with a comment (R), which puts
// it back in her queue.

// single reports whether one annotator's work is under review.
func (m *Model) single() bool {
	return m.opts.Review != nil && len(m.opts.Review.Annotators) == 1
}

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
	for _, s := range m.qt.page {
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

// rebuildReview recomputes the items after a change to gold or a version.
func (m *Model) rebuildReview() {
	if m.opts.Review == nil && m.hasComments() {
		// The annotator's side: the comments her reviewer left.
		if m.rv == nil {
			m.rv = newReviewTab(m.keys.Review, false)
		}
		m.rv.set, m.rv.comments = nil, m.ann.Review.Comments
		m.rv.cursor = min(m.rv.cursor, max(0, len(m.rv.comments)-1))
		return
	}
	if m.opts.Review == nil || m.doc == nil || m.versions == nil {
		if m.rv != nil {
			m.rv.set, m.rv.comments = nil, nil
		}
		return
	}
	if m.rv == nil {
		m.rv = newReviewTab(m.keys.Review, m.single())
	}
	var who []string
	for w := range m.versions {
		who = append(who, w)
	}
	sort.Strings(who)
	gold := m.ann
	m.rv.setItems(review.Build(m.doc.text, m.opts.Schema, who, m.versions, &gold), m.reviewComments())
}

// hasComments reports whether the open annotation (outside review mode)
// has review comments to show.
func (m *Model) hasComments() bool {
	return m.opts.Review == nil && m.ann.Review != nil && len(m.ann.Review.Comments) > 0
}

// reviewComments are the open article's review comments: on the
// annotator's own annotation when one annotator's work is reviewed, else
// on gold.
func (m *Model) reviewComments() []model.Comment {
	if a := m.commentHolder(); a != nil && a.Review != nil {
		return a.Review.Comments
	}
	return nil
}

// commentHolder is the annotation review comments are kept with.
func (m *Model) commentHolder() *model.Annotation {
	if m.single() {
		return m.versions[m.opts.Review.Annotators[0]]
	}
	return &m.ann
}

// showItem selects the current item's text in the article.
func (m *Model) showItem() {
	if it, ok := m.rv.current(); ok && it.Where.End > it.Where.Start {
		m.selectRange(it.Where)
		m.highlights = []model.Range{it.Where}
	}
}

// reviewKey hands a key (or a paste) to the Review tab and carries out
// what it asks.
func (m *Model) reviewKey(msg tea.Msg) (tea.Cmd, bool) {
	if m.rv == nil || m.rv.set == nil && len(m.rv.comments) == 0 {
		return nil, false
	}
	act, cmd, used := m.rv.Update(msg)
	if !used {
		return nil, false
	}
	return tea.Batch(cmd, m.doReview(act)), true
}

// doReview carries out an action of the Review tab.
func (m *Model) doReview(act reviewAction) tea.Cmd {
	switch a := act.(type) {
	case nil:
		return nil
	case actSay:
		if a.err {
			m.fail(errors.New(a.text))
		} else {
			m.setMessage(a.text)
		}
	case actShow:
		m.showItem()
	case actEdit:
		m.showItem()
		m.focus = focusArticle
		m.setMessage("edit gold in place; tab comes back to Review")
	case actUndo:
		return m.undo(false)
	case actDecide:
		return m.decideItems(a)
	case actDone:
		if m.single() {
			return m.acceptVersion()
		}
		return m.finish(model.StatusDone)
	case actReturn:
		return m.returnVersion(a.comment)
	case actComment:
		if a.reply >= 0 {
			return m.reply(a)
		}
		return m.addComment(a)
	case actShowComment:
		m.selectRange(a.where)
		m.highlights = []model.Range{a.where}
	}
	return nil
}

// decideItems applies one decision to items and saves gold.
func (m *Model) decideItems(a actDecide) tea.Cmd {
	if len(a.items) == 0 || m.rv.set == nil {
		return nil
	}
	next := m.ann.Clone()
	now := time.Now().UTC()
	for _, it := range a.items {
		from := a.from
		if a.kind == model.DecisionAccepted {
			from = it.Havers(m.rv.set.Annotators)
		}
		if err := m.rv.set.Decide(&next, it, a.kind, from, m.opts.Annotator, now); err != nil {
			m.fail(err)
			return nil
		}
	}
	confirm := registryLinksTaken(a, m.rv.set.Annotators)
	m.afterSave = func(m *Model) tea.Cmd {
		if a.advance && m.rv.toUndecided(false, false) {
			m.showItem()
		}
		return m.confirmRegistry(confirm)
	}
	return m.commit(next, a.what)
}

// registryLinksTaken are the registry entries a decision links gold to:
// a reviewer's decision confirms them, so what one annotator's linking
// made becomes everyone's (see store.ConfirmRegistry).
func registryLinksTaken(a actDecide, annotators []string) []string {
	var ids []string
	for _, it := range a.items {
		if it.Kind != review.KindEntity || it.Field != review.FieldRegistry {
			continue
		}
		from := a.from
		if a.kind == model.DecisionAccepted {
			from = it.Havers(annotators)
		}
		for _, w := range from {
			if id := it.Versions[w]; id != "" && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// registryConfirmedMsg says how confirming registry entries went.
type registryConfirmedMsg struct {
	confirmed int
	err       error
}

// confirmRegistry confirms the registry entries, off the update loop.
func (m *Model) confirmRegistry(ids []string) tea.Cmd {
	if len(ids) == 0 {
		return nil
	}
	st, by := m.opts.Store, m.opts.Annotator
	return func() tea.Msg {
		n := 0
		for _, id := range ids {
			_, changed, err := store.ConfirmRegistry(st, id, by)
			if err != nil {
				return registryConfirmedMsg{confirmed: n, err: fmt.Errorf("registry entry %s: %w", id, err)}
			}
			if changed {
				n++
			}
		}
		return registryConfirmedMsg{confirmed: n}
	}
}

// startSingle makes gold the annotator's version, every item accepted, the
// first time one annotator's article is opened for review.
func (m *Model) startSingle() tea.Cmd {
	if !m.single() || m.ann.Rev != 0 || m.doc == nil {
		return nil
	}
	who := m.opts.Review.Annotators[0]
	v := m.versions[who]
	if v == nil || v.Rev == 0 {
		return nil
	}
	next, err := review.Start(m.doc.text, m.opts.Schema, who, v, m.ann, m.opts.Annotator, time.Now().UTC())
	if err != nil {
		m.fail(err)
		return nil
	}
	next.Status = model.StatusInProgress
	return m.commit(next, "review: start from "+who+"'s version")
}

// versionSavedMsg brings back the annotator's annotation a review step
// (return, accept, comment) saved.
type versionSavedMsg struct {
	ann    model.Annotation
	action string
	err    error
	then   func(*Model) tea.Cmd
}

// saveVersion saves a change to an annotator's own annotation made by the
// reviewer (its review state and comments), then runs then.
func (m *Model) saveVersion(next model.Annotation, action string, then func(*Model) tea.Cmd) tea.Cmd {
	m.saving = true
	st := m.opts.Store
	m.log.Info("save", "article", next.ArticleID, "annotator", next.Annotator, "action", action)
	return func() tea.Msg {
		saved, err := st.Save(next, action)
		return versionSavedMsg{ann: saved, action: action, err: err, then: then}
	}
}

func (m *Model) onVersionSaved(msg versionSavedMsg) tea.Cmd {
	m.saving = false
	if msg.err != nil {
		m.fail(fmt.Errorf("not saved: %w", msg.err))
		if errors.Is(msg.err, store.ErrConflict) && m.doc != nil {
			return m.loadArticle(m.doc.article.ID)
		}
		return m.replayPending()
	}
	a := msg.ann
	if m.versions != nil && m.doc != nil && a.ArticleID == m.doc.article.ID {
		model.GroupMentions(&a, m.doc.text)
		m.versions[a.Annotator] = &a
	}
	m.rebuildReview()
	m.setMessage("saved: " + msg.action)
	var cmds []tea.Cmd
	if msg.then != nil {
		cmds = append(cmds, msg.then(m))
	}
	cmds = append(cmds, m.replayPending())
	return tea.Batch(cmds...)
}

// reviewed is the annotator's annotation with its review moved on.
func (m *Model) reviewed(state string) (model.Annotation, bool) {
	who := m.opts.Review.Annotators[0]
	v := m.versions[who]
	if v == nil || v.Rev == 0 {
		m.fail(fmt.Errorf("%s has nothing saved in this article to review", who))
		return model.Annotation{}, false
	}
	next := v.Clone()
	if next.Review == nil {
		next.Review = &model.Review{}
	}
	if state != "" {
		next.Review.State, next.Review.By, next.Review.At = state, m.opts.Annotator, time.Now().UTC()
	}
	return next, true
}

// acceptVersion accepts one annotator's work: her review state becomes
// accepted and gold is done.
func (m *Model) acceptVersion() tea.Cmd {
	next, ok := m.reviewed(model.ReviewAccepted)
	if !ok {
		return nil
	}
	if next.Status != model.StatusDone {
		m.fail(fmt.Errorf("%s has not marked it done: return it (R) or wait", next.Annotator))
		return nil
	}
	open := 0
	if m.rv != nil && m.rv.set != nil {
		open = m.rv.set.Open()
	}
	return m.saveVersion(next, "review: accepted by "+m.opts.Annotator, func(m *Model) tea.Cmd {
		if open > 0 {
			m.notice = fmt.Sprintf("accepted with %d items changed since they were decided", open)
		}
		return m.finish(model.StatusDone)
	})
}

// returnVersion returns one annotator's work with a comment: her article
// is back in her queue (in progress), marked returned.
func (m *Model) returnVersion(comment string) tea.Cmd {
	next, ok := m.reviewed(model.ReviewReturned)
	if !ok {
		return nil
	}
	item := ""
	c := model.Comment{Text: comment, By: m.opts.Annotator, At: next.Review.At}
	if it, ok := m.rv.current(); ok {
		item = it.Key
		c.Item, c.Title = item, it.Title
		if it.Where.End > it.Where.Start {
			w := it.Where
			c.Where = &w
		}
	}
	next.Review.Comments = append(next.Review.Comments, c)
	// What was returned, item by item: a record of the version the
	// comments were about.
	next.Review.Seen = map[string]string{}
	if m.rv.set != nil {
		for _, it := range m.rv.set.Items {
			if d := it.Digest[next.Annotator]; d != "" {
				next.Review.Seen[it.Key] = d
			}
		}
	}
	next.Status = model.StatusInProgress
	return m.saveVersion(next, "review: returned by "+m.opts.Annotator+": "+comment, func(m *Model) tea.Cmd {
		m.loading = true
		m.notice = "returned to " + next.Annotator
		return m.loadQueue(true)
	})
}

// addComment keeps a comment on the current item: with the annotator's
// annotation (one annotator reviewed), else with gold.
func (m *Model) addComment(a actComment) tea.Cmd {
	c := model.Comment{Text: a.text, By: m.opts.Annotator, At: time.Now().UTC()}
	if a.item != nil {
		c.Item, c.Title = a.item.Key, a.item.Title
		if a.item.Where.End > a.item.Where.Start {
			w := a.item.Where
			c.Where = &w
		}
	}
	if m.single() {
		next, ok := m.reviewed("")
		if !ok {
			return nil
		}
		next.Review.Comments = append(next.Review.Comments, c)
		return m.saveVersion(next, "review: comment by "+m.opts.Annotator, nil)
	}
	next := m.ann.Clone()
	if next.Review == nil {
		next.Review = &model.Review{}
	}
	next.Review.Comments = append(next.Review.Comments, c)
	return m.commit(next, "review: comment")
}

// reply answers a comment on the annotator's own annotation.
func (m *Model) reply(a actComment) tea.Cmd {
	next := m.ann.Clone()
	if next.Review == nil || a.reply >= len(next.Review.Comments) {
		return nil
	}
	c := &next.Review.Comments[a.reply]
	c.Replies = append(c.Replies, model.Comment{Text: a.text, By: m.opts.Annotator, At: time.Now().UTC()})
	return m.commit(next, "reply to "+c.By+"'s comment")
}

// renderReview draws the Review tab.
func (m *Model) renderReview(w, h int) []string {
	d := m.doc
	if d == nil {
		d = &document{}
	}
	return m.rv.View(m.styles, w, h, m.focus == focusSide, d)
}

// The review queue: articles with versions to compare (two or more
// annotators), or with one annotator's finished work, with what is left to
// decide in each.

// reviewable reports whether an article has versions to compare.
func (m *Model) reviewable(s store.ArticleSummary) bool {
	return reviewableBy(s, m.opts.Review.Annotators)
}

// reviewableBy reports whether two or more of the annotators (any but
// gold, when none are named) annotated the article, or, with one
// annotator named, whether she has finished it (done).
func reviewableBy(s store.ArticleSummary, annotators []string) bool {
	if len(annotators) == 1 {
		return s.Statuses[annotators[0]] == model.StatusDone
	}
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

// minVersions is how many versions an article needs to be reviewed.
func (m *Model) minVersions() int {
	if m.single() {
		return 1
	}
	return 2
}

// reviewCountsCmd counts, off the update loop, what is left to decide in
// every article with versions to compare.
func (m *Model) reviewCountsCmd() tea.Cmd {
	if m.opts.Review == nil {
		return nil
	}
	st, schema, need := m.opts.Store, m.opts.Schema, m.minVersions()
	return func() tea.Msg {
		counts := map[string][2]int{}
		err := st.Each(store.Filter{All: true}, func(r store.Record) error {
			versions, gold, who := m.versionsOf(r)
			if len(who) < need {
				return nil
			}
			rs := review.Build(r.Article.Text, schema, who, versions, &gold)
			counts[r.Article.ID] = [2]int{rs.Open(), len(rs.Items)}
			return nil
		})
		return reviewCountsMsg{counts: counts, err: err}
	}
}

// acceptAllAgreements accepts, in every article, the items all versions
// agree on: the queue's A, pressed twice.
func (m *Model) acceptAllAgreements() tea.Cmd {
	st, by, schema := m.opts.Store, m.opts.Annotator, m.opts.Schema
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
				gold.Schema = schema.Name
			}
			next := gold.Clone()
			rs := review.Build(r.Article.Text, schema, who, versions, &gold)
			n, err := rs.AcceptAgreed(&next, by, time.Now().UTC())
			if err != nil {
				return fmt.Errorf("article %s: %w", r.Article.ID, err)
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

// reviewStateMark shows an annotator's review state in her queue.
func reviewStateMark(state string) string {
	switch state {
	case model.ReviewReturned:
		return "↩ returned"
	case model.ReviewAccepted:
		return "✓ accepted"
	}
	return ""
}
