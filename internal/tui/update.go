package tui

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.showHelp {
		a := m.keys.Article
		switch {
		case key.Matches(msg, a.LineDown, a.PageDown):
			m.helpTop = min(m.helpTop+3, max(0, len(m.helpContent())-(m.height-2)))
			return nil
		case key.Matches(msg, a.LineUp, a.PageUp):
			m.helpTop = max(0, m.helpTop-3)
			return nil
		}
		// Any other key closes the help; ctrl+c still quits.
		m.showHelp, m.helpTop = false, 0
		if key.Matches(msg, m.keys.Global.Quit) {
			return tea.Quit
		}
		return nil
	}
	capturing := m.rv.capturing() && m.screen == screenArticle
	if (m.prompt != nil || capturing) && m.opensHelp(msg) {
		m.showHelp = true
		return nil
	}
	if m.prompt != nil {
		return m.handlePrompt(msg)
	}
	if capturing && !key.Matches(msg, m.keys.Global.Quit) {
		// A comment being typed takes every key but ctrl+c (and help).
		cmd, _ := m.reviewKey(msg)
		return cmd
	}
	if key.Matches(msg, m.keys.Global.Quit) {
		return m.quit(msg.String())
	}
	if m.quitArmed && msg.String() != m.quitKey {
		// Any other key than ctrl+c takes the question back.
		m.quitArmed = false
		m.setMessage("")
	}
	if m.opensHelp(msg) {
		m.showHelp = true
		return nil
	}
	if m.screen == screenQueue {
		return m.queueKey(msg)
	}
	if m.focus == focusSide {
		return m.sideKey(msg)
	}
	return m.articleKey(msg)
}

func (m *Model) queueKey(msg tea.KeyPressMsg) tea.Cmd {
	items := m.visibleQueue()
	if m.opts.Review != nil && key.Matches(msg, m.keys.Review.AcceptAgreed) {
		if m.acceptAllArmed {
			m.acceptAllArmed = false
			return m.acceptAllAgreements()
		}
		m.acceptAllArmed = true
		m.setMessage(fmt.Sprintf("%s again accepts the agreements in all %d articles to review · any other key: no", keyOf(m.keys.Review.AcceptAgreed), len(items)))
		return nil
	}
	m.acceptAllArmed = false
	act, _ := m.qt.Update(msg, items, m.paged())
	switch a := act.(type) {
	case actQueueClearSearch:
		m.setMessage("")
		m.preselect()
	case actQueueQuit:
		return m.quit(a.key)
	case actQueueLoad:
		return m.loadQueue(false)
	case actQueueSearch:
		m.prompt = &prompt{kind: promptQueueSearch, title: "search titles and text"}
	case actQueueReload:
		m.setMessage("reloaded")
		return m.loadQueue(false)
	case actQueueOpen:
		return m.loadArticle(a.id)
	}
	return nil
}

// searchQueue finds the articles whose title or text contains the query,
// streaming through the store off the update loop.
// paged reports whether the queue is a page of the store's listing (not
// search results, not review's full list).
func (m *Model) paged() bool { return m.qt.results == nil && m.opts.Review == nil }

func (m *Model) searchQueue(query string) tea.Cmd {
	st := m.opts.Store
	re, err := regexp.Compile("(?i)" + regexp.QuoteMeta(query))
	if err != nil {
		return nil
	}
	// A new query stops the one before it.
	if m.qt.searchStop != nil {
		m.qt.searchStop()
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.qt.searchStop = cancel
	m.qt.searchGen++
	gen := m.qt.searchGen
	ch := make(chan searchDoneMsg, 1)
	go func() {
		defer close(ch)
		var batch []store.ArticleSummary
		last := time.Now()
		send := func(done bool, err error) bool {
			select {
			case ch <- searchDoneMsg{query: query, gen: gen, items: batch, done: done, err: err}:
				batch = nil
				last = time.Now()
				return true
			case <-ctx.Done():
				return false
			}
		}
		err := st.Each(store.Filter{All: true}, func(r store.Record) error {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			a := r.Article
			if re.MatchString(a.Title) || re.MatchString(a.Text) {
				s := store.ArticleSummary{ID: a.ID, Title: a.Title, Source: a.Source, Length: utf8.RuneCountInString(a.Text), ImportedAt: a.ImportedAt}
				for _, ann := range r.Annotations {
					if s.Statuses == nil {
						s.Statuses = map[string]model.Status{}
					}
					s.Statuses[ann.Annotator] = ann.Status
				}
				batch = append(batch, s)
			}
			// Results arrive as they are found, a few times a second.
			if len(batch) > 0 && time.Since(last) > 150*time.Millisecond && !send(false, nil) {
				return ctx.Err()
			}
			return nil
		})
		if ctx.Err() == nil {
			send(true, err)
		}
	}()
	return waitSearch(ch)
}

// waitSearch reads the search's next batch of results.
func waitSearch(ch chan searchDoneMsg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		msg.more = waitSearch(ch)
		return msg
	}
}

func (m *Model) handlePrompt(msg tea.KeyPressMsg) tea.Cmd {
	p := m.prompt
	switch {
	case key.Matches(msg, m.keys.Prompt.Cancel):
		m.prompt = nil
		if p.kind == promptQueueSearch {
			m.qt.results, m.qt.search = nil, ""
			m.setMessage("")
			m.preselect()
		}
		return nil
	case key.Matches(msg, m.keys.Global.Quit):
		return tea.Quit
	case key.Matches(msg, m.keys.Prompt.Confirm):
		if p.picks() {
			if say := p.decide(); say != "" {
				m.setMessage(say)
				return nil
			}
		}
		m.prompt = nil
		switch p.kind {
		case promptFind:
			if v := p.value(); v != "" {
				m.search = v
				m.findNext(false)
			}
		case promptQueueSearch:
			if p.value() == "" {
				m.qt.results, m.qt.search = nil, ""
				return nil
			}
			m.qt.search = p.value()
			return m.searchQueue(p.value())
		case promptLabel:
			if l, ok := p.choice(); ok {
				return m.tag(l)
			}
		case promptRelabel:
			if l, ok := p.choice(); ok {
				if p.spanID == "" && p.entityID != "" {
					return m.relabelEntity(p.entityID, l)
				}
				return m.relabel(p.spanID, l)
			}
		case promptEvidence:
			if c, ok := p.choice(); ok {
				return m.addEvidence(p.field, p.ids[c])
			}
		case promptFigure:
			if c, ok := p.choice(); ok {
				return m.fillFromFigure(p.field, p.ids[c])
			}
		case promptLink:
			if c, ok := p.choice(); ok {
				return m.link(p.entityID, p.ids[c])
			}
		case promptAffiliate:
			if c, ok := p.choice(); ok {
				m.openRolePrompt(p.entityID, p.ids[c])
			}
		case promptRole:
			if c, ok := p.choice(); ok {
				return m.affiliate(p.entityID, p.field, c)
			}
		}
		return nil
	}
	return m.editPrompt(msg)
}

// editPrompt applies a key or a paste to the open prompt's input.
func (m *Model) editPrompt(msg tea.Msg) tea.Cmd {
	p := m.prompt
	changed, joined := p.edit(msg, m.keys.Prompt)
	if joined {
		m.setMessage("pasted lines joined with spaces: a prompt holds one line")
	}
	if p.kind == promptQueueSearch && changed {
		// The queue filters as the query is typed; results of an older
		// query that arrive late are dropped (searchDoneMsg checks).
		m.qt.search = p.value()
		if m.qt.search == "" {
			m.qt.results = nil
			return nil
		}
		return m.searchQueue(m.qt.search)
	}
	return nil
}

func (m *Model) articleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys.Article
	d := m.doc
	if d == nil {
		return nil
	}
	if !key.Matches(msg, k.TagAll) && !key.Matches(msg, k.TagAllWords) {
		m.tagAllArmed = nil
	}
	_, pageH, _ := m.paneSizes()
	switch {
	case key.Matches(msg, k.Back):
		m.screen = screenQueue
		m.extend = false
		return m.loadQueue(false)
	case key.Matches(msg, k.FocusSide):
		m.focus = focusSide
		return nil
	case key.Matches(msg, k.Claim):
		return m.newClaim()
	case key.Matches(msg, k.Collapse):
		if m.extend {
			m.head = m.selection() // before extend goes: it is the union
			m.extend = false
		}
		return nil
	case key.Matches(msg, k.Extend):
		if m.extend {
			m.head = m.selection()
			m.extend = false
		} else {
			m.extend, m.anchor = true, m.head
		}
		return nil
	case key.Matches(msg, k.SwapEnds):
		if !m.extend {
			m.extend, m.anchor = true, m.head
		}
		// The end that stood still becomes the one that moves.
		m.anchor, m.head = m.head, m.anchor
		m.scrollToSelection()
		return nil
	case key.Matches(msg, k.NextWord), key.Matches(msg, k.PrevWord):
		if i, ok := d.wordStep(m.head, key.Matches(msg, k.PrevWord), m.extend); ok {
			m.moveHead(d.tokens[i])
		}
	case key.Matches(msg, k.NextChar):
		if m.head.End < len(d.text) {
			next := d.nextChar(m.head.End, false)
			m.moveHead(model.Range{Start: m.head.End, End: next})
		}
	case key.Matches(msg, k.PrevChar):
		if m.head.Start > 0 {
			prev := d.nextChar(m.head.Start, true)
			m.moveHead(model.Range{Start: prev, End: m.head.Start})
		}
	case key.Matches(msg, k.LineDown):
		m.moveLines(1)
	case key.Matches(msg, k.LineUp):
		m.moveLines(-1)
	case key.Matches(msg, k.PageDown):
		m.top += pageH - 2
		m.clampTop()
		m.moveLines(pageH - 2)
	case key.Matches(msg, k.PageUp):
		m.top -= pageH - 2
		m.clampTop()
		m.moveLines(-(pageH - 2))
	case key.Matches(msg, k.Top):
		if len(d.tokens) > 0 {
			m.moveHead(d.tokens[0])
		}
	case key.Matches(msg, k.Bottom):
		if len(d.tokens) > 0 {
			m.moveHead(d.tokens[len(d.tokens)-1])
		}
	case key.Matches(msg, k.NextSentence), key.Matches(msg, k.PrevSentence):
		back := key.Matches(msg, k.PrevSentence)
		if m.extend {
			// Extending, a sentence motion stops at the edge of the
			// sentence: ) at its last word, ( at its first.
			if r, ok := d.sentenceEdge(m.head, back); ok {
				m.moveHead(r)
			}
		} else if off, ok := nextIndex(d.sentences, m.head.Start, back); ok {
			m.moveHead(d.wordRange(off))
		}
	case key.Matches(msg, k.NextPara), key.Matches(msg, k.PrevPara):
		if off, ok := nextIndex(d.paragraphs, m.head.Start, key.Matches(msg, k.PrevPara)); ok {
			m.moveHead(d.wordRange(off))
		}
	case key.Matches(msg, k.NextSpan):
		for _, s := range m.spans {
			if s.Start > m.head.Start || (s.Start == m.head.Start && s.End < m.head.End) {
				m.selectRange(s.Range())
				return nil
			}
		}
		m.setMessage("no span after the cursor")
	case key.Matches(msg, k.PrevSpan):
		for i := len(m.spans) - 1; i >= 0; i-- {
			if s := m.spans[i]; s.Start < m.head.Start {
				m.selectRange(s.Range())
				return nil
			}
		}
		m.setMessage("no span before the cursor")
	case key.Matches(msg, k.Search):
		m.prompt = &prompt{kind: promptFind, title: "find"}
	case key.Matches(msg, k.SearchNext):
		m.findNext(false)
	case key.Matches(msg, k.SearchPrev):
		m.findNext(true)
	case key.Matches(msg, k.Label):
		if l, ok := m.entityLabelByKey(msg.String()); ok {
			return m.tag(l.Name)
		}
		m.setMessage(fmt.Sprintf("no label on key %s", msg.String()))
	case key.Matches(msg, k.Picker):
		m.prompt = newLabelPrompt(promptLabel, m.opts.Schema, "label for "+quote(m.selectedText()))
	case key.Matches(msg, k.Relabel):
		if s, ok := m.spanUnderCursor(); ok {
			m.prompt = newLabelPrompt(promptRelabel, m.opts.Schema, "new label for "+quote(d.text[s.Start:s.End]))
			m.prompt.spanID = s.ID
		} else {
			m.setMessage("no span under the cursor")
		}
	case key.Matches(msg, k.Delete):
		if s, ok := m.spanUnderCursor(); ok {
			return m.deleteSpan(s.ID)
		}
		m.setMessage("no span under the cursor")
	case key.Matches(msg, k.NextSuggestion):
		m.gotoSuggestion(false)
	case key.Matches(msg, k.PrevSuggestion):
		m.gotoSuggestion(true)
	case key.Matches(msg, k.Accept):
		if s, ok := m.suggestionAt(); ok {
			return m.acceptSuggestions([]Suggestion{s}, fmt.Sprintf("accept suggestion %s %s", s.Label, quote(s.Text)))
		}
		m.setMessage("no suggestion here: > goes to the next one")
	case key.Matches(msg, k.AcceptAll):
		live := m.liveSuggestions()
		return m.acceptSuggestions(live, fmt.Sprintf("accept all %d suggestions", len(live)))
	case key.Matches(msg, k.Reject):
		return m.rejectSuggestion()
	case key.Matches(msg, k.Split):
		return m.splitMention()
	case key.Matches(msg, k.Link):
		m.openLinkPrompt()
	case key.Matches(msg, k.Affiliate):
		m.openAffiliationPrompt()
	case key.Matches(msg, k.TagAll):
		return m.tagAll(false)
	case key.Matches(msg, k.TagAllWords):
		return m.tagAll(true)
	case key.Matches(msg, k.Undo):
		return m.undo(false)
	case key.Matches(msg, k.Redo):
		return m.undo(true)
	case key.Matches(msg, k.Done):
		return m.finish(model.StatusDone)
	case key.Matches(msg, k.Skip):
		return m.finish(model.StatusSkipped)
	}
	return nil
}

// moveHead moves the moving end of the selection to r (the whole selection
// when not extending) and keeps it on screen.
func (m *Model) moveHead(r model.Range) {
	m.head = r
	m.scrollToSelection()
}

// selectRange selects exactly r.
func (m *Model) selectRange(r model.Range) {
	m.extend = false
	m.head = r
	m.scrollToSelection()
}

// moveLines moves the head n visual lines down (or up), to the word at the
// same column.
func (m *Model) moveLines(n int) {
	d := m.doc
	line := m.lay.lineOf(m.head.Start)
	col := m.lay.colOf(d.text, m.head.Start)
	target := min(max(line+n, 0), len(m.lay.starts)-1)
	if target == line {
		return
	}
	r, ok := m.wordOnLine(target, col)
	if !ok {
		// An empty line has no word: the next word in the direction of
		// travel.
		off := m.lay.starts[target]
		if n > 0 {
			r = d.wordRange(off)
		} else if i := d.tokenAt(off) - 1; i >= 0 {
			r = d.tokens[i]
		}
	}
	m.moveHead(r)
}

// wordOnLine returns the word drawn at (or nearest before) column col of a
// visual line; ok is false when the line has no word.
func (m *Model) wordOnLine(line, col int) (model.Range, bool) {
	d := m.doc
	start, end := m.lay.starts[line], m.lay.ends[line]
	first := d.tokenAt(start)
	if first >= len(d.tokens) || d.tokens[first].Start >= end {
		return model.Range{}, false
	}
	off := m.lay.offAt(d.text, line, col)
	i := d.tokenAt(off)
	switch {
	case i < len(d.tokens) && d.tokens[i].Start <= off && off < end:
		return d.tokens[i], true // on a word
	case i-1 >= first:
		return d.tokens[i-1], true // after a word, or past the line's end
	}
	return d.tokens[i], true // before the line's first word
}

// findNext selects the next (or previous) case-insensitive match of the
// last search, wrapping round the article.
func (m *Model) findNext(backward bool) {
	if m.search == "" {
		m.setMessage("no search yet: press " + keyOf(m.keys.Article.Search) + " to find")
		return
	}
	re := regexp.MustCompile("(?i)" + regexp.QuoteMeta(m.search))
	text := m.doc.text
	// Extending, the search moves the moving end to the match.
	sel := m.selection()
	if m.extend {
		sel = m.head
	}
	var found []int
	if !backward {
		if loc := re.FindStringIndex(text[sel.End:]); loc != nil {
			found = []int{loc[0] + sel.End, loc[1] + sel.End}
		} else {
			found = re.FindStringIndex(text)
		}
	} else {
		all := re.FindAllStringIndex(text, -1)
		for i := len(all) - 1; i >= 0; i-- {
			if all[i][0] < sel.Start {
				found = all[i]
				break
			}
		}
		if found == nil && len(all) > 0 {
			found = all[len(all)-1]
		}
	}
	if found == nil {
		m.setMessage(fmt.Sprintf("%s not found", quote(m.search)))
		return
	}
	if m.extend {
		m.moveHead(model.Range{Start: found[0], End: found[1]})
	} else {
		m.selectRange(model.Range{Start: found[0], End: found[1]})
	}
	m.setMessage(fmt.Sprintf("found %s", quote(m.search)))
}

func (m *Model) sideKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.form != nil {
		return m.formKey(msg)
	}
	k := m.keys.Side
	m.disarmDelete(msg)
	if m.sideTab != tabReview {
		if cmd, used := m.sideUndo(msg); used {
			return cmd
		}
	}
	if m.sideTab == tabReview {
		if cmd, used := m.reviewKey(msg); used {
			return cmd
		}
	} else if m.sideTab != tabEntities {
		if cmd, used := m.listKey(msg); used {
			return cmd
		}
	}
	switch {
	case key.Matches(msg, k.FocusArticle):
		m.focus = focusArticle
	case key.Matches(msg, k.NextTab):
		m.sideTab = (m.sideTab + 1) % m.tabCount()
	case key.Matches(msg, k.PrevTab):
		m.sideTab = (m.sideTab + m.tabCount() - 1) % m.tabCount()
	}
	if m.sideTab != tabEntities {
		return nil
	}
	return m.entitiesKey(msg)
}

// followSideCursor selects the span under the side pane's cursor in the
// article, so moving through the list shows each span in place.
func (m *Model) followSideCursor() {
	row, ok := m.entityRowAt()
	if !ok {
		return
	}
	if row.span != "" {
		if s, found := m.ann.Span(row.span); found {
			m.selectRange(s.Range())
		}
		m.highlights = nil
		return
	}
	ms := m.mentionsInOrder(row.entity)
	if len(ms) > 0 {
		m.selectRange(ms[0].Range())
	}
	m.highlights = rangesOf(ms)
}

// Changes. Each builds the next annotation from a copy and commits it.

// markable returns the selection as something a span, cue or claim content
// can be: trimmed of the white space at its edges (model.TrimBlank, the one
// rule), with trimmed telling whether anything was cut. A selection of only
// white space is refused with a message that says so.
func (m *Model) markable() (r model.Range, trimmed bool, err error) {
	sel := m.selection()
	if err := model.CheckRange(m.doc.text, sel.Start, sel.End); err != nil {
		return sel, false, err
	}
	r, ok := model.TrimBlank(m.doc.text, sel)
	if !ok {
		return sel, false, fmt.Errorf("the selection is only white space: move onto a word (w, b) first")
	}
	return r, r != sel, nil
}

// trimNote is what a status line adds when the selection was trimmed.
func trimNote(trimmed bool) string {
	if trimmed {
		return " (white space at the edges left out)"
	}
	return ""
}

func (m *Model) tag(label string) tea.Cmd {
	sel, trimmed, err := m.markable()
	if err != nil {
		m.fail(fmt.Errorf("nothing tagged: %v", err))
		return nil
	}
	next := m.ann.Clone()
	text := quote(m.doc.text[sel.Start:sel.End])
	for i, s := range next.Entities {
		if s.Start == sel.Start && s.End == sel.End {
			if s.Label == label {
				m.setMessage(fmt.Sprintf("%s is already %s", text, label))
				return nil
			}
			old := s.Label
			relabelMention(&next, i, label)
			if err := m.labelFits(&next, s.ID); err != nil {
				m.fail(err)
				return nil
			}
			m.lastLabel = label
			m.extend, m.head = false, sel
			return m.commit(next, fmt.Sprintf("relabel %s %s → %s%s", text, old, label, trimNote(trimmed)))
		}
	}
	id := next.NewID("e")
	next.Entities = append(next.Entities, model.Span{ID: id, Start: sel.Start, End: sel.End, Label: label})
	m.lastLabel = label
	m.extend, m.head = false, sel
	action := fmt.Sprintf("tag %s %s%s", text, label, trimNote(trimmed))
	if model.GroupMentions(&next, m.doc.text) != nil {
		// It joined an entity of the article: say which (E splits it off).
		e, _ := next.EntityOfSpan(id)
		action += fmt.Sprintf(", a mention of %s (%d mentions; E splits it off)", quote(e.Name), len(next.MentionsOf(e.ID)))
	}
	return m.commit(next, action)
}

// relabelMention gives span i a new label. A mention that is its entity's
// only one takes the entity along; one of several leaves its entity for
// one of the new label (commit's GroupMentions finds or makes it).
func relabelMention(a *model.Annotation, i int, label string) {
	s := &a.Entities[i]
	s.Label = label
	if len(a.MentionsOf(s.Entity)) == 1 {
		for j := range a.Referents {
			if a.Referents[j].ID == s.Entity {
				a.Referents[j].Label = label
			}
		}
		return
	}
	s.Entity = ""
}

func (m *Model) relabel(id, label string) tea.Cmd {
	next := m.ann.Clone()
	for i, s := range next.Entities {
		if s.ID == id {
			if s.Label == label {
				return nil
			}
			relabelMention(&next, i, label)
			if err := m.labelFits(&next, s.ID); err != nil {
				m.fail(err)
				return nil
			}
			m.lastLabel = label
			return m.commit(next, fmt.Sprintf("relabel %s %s → %s", quote(m.doc.text[s.Start:s.End]), s.Label, label))
		}
	}
	return nil
}

func (m *Model) deleteSpan(id string) tea.Cmd {
	s, ok := m.ann.Span(id)
	if !ok {
		return nil
	}
	next := m.ann.Clone()
	model.RemoveSpan(&next, s, m.doc.text)
	return m.commit(next, fmt.Sprintf("delete %s %s", s.Label, quote(m.doc.text[s.Start:s.End])))
}

// tagAllPlan is what a first a found: the occurrences a second a tags.
type tagAllPlan struct {
	sel      model.Range
	label    string
	compound bool // A: also occurrences inside a larger word
	ranges   []model.Range
}

// tagAll tags every other whole-word occurrence of the selected text with
// the label of the span at the selection (or the last label used). The
// first press says how many it will tag and the second tags them, so a
// mass change never comes as a surprise. Occurrences inside a larger word
// ("anti-ISIS" for ISIS) are left out unless asked for with A.
func (m *Model) tagAll(compound bool) tea.Cmd {
	sel := m.selection()
	if p := m.tagAllArmed; p != nil && p.sel == sel && p.compound == compound {
		m.tagAllArmed = nil
		next := m.ann.Clone()
		var first string
		for _, r := range p.ranges {
			id := next.NewID("e")
			if first == "" {
				first = id
			}
			next.Entities = append(next.Entities, model.Span{ID: id, Start: r.Start, End: r.End, Label: p.label})
		}
		// Tagging all occurrences names an entity worth knowing in every
		// article: it is linked to the registry (added when new).
		m.afterSave = func(m *Model) tea.Cmd { return m.register(first) }
		return m.commit(next, fmt.Sprintf("tag all %s %s (%d)", quote(m.doc.text[sel.Start:sel.End]), p.label, len(p.ranges)))
	}
	m.tagAllArmed = nil
	text := m.doc.text[sel.Start:sel.End]
	label := ""
	for _, s := range m.spans {
		if s.Start == sel.Start && s.End == sel.End {
			label = s.Label
		}
	}
	if label == "" {
		label = m.lastLabel
	}
	if label == "" {
		m.setMessage("tag the selection first (1-0 or " + keyOf(m.keys.Article.Picker) + "), then press " + keyOf(m.keys.Article.TagAll) + " to tag all its occurrences")
		return nil
	}
	// An occurrence already tagged (with any label) was decided on its own.
	have := map[model.Range]bool{}
	for _, s := range m.ann.Entities {
		have[s.Range()] = true
	}
	plan := &tagAllPlan{sel: sel, label: label, compound: compound}
	inWord := 0
	for _, r := range m.doc.occurrences(text) {
		if have[r] {
			continue
		}
		if !compound && model.InsideHyphenatedWord(m.doc.text, r.Start, r.End) {
			inWord++
			continue
		}
		plan.ranges = append(plan.ranges, r)
	}
	skipped := ""
	if inWord > 0 {
		skipped = fmt.Sprintf("; %d inside a larger word left out (A includes them)", inWord)
	}
	if len(plan.ranges) == 0 {
		m.setMessage(fmt.Sprintf("every occurrence of %s is already %s%s", quote(text), label, skipped))
		return nil
	}
	m.tagAllArmed = plan
	again := "a"
	if compound {
		again = "A"
	}
	m.setMessage(fmt.Sprintf("%s again tags %d more %s as %s%s · any other key: no", again, len(plan.ranges), quote(text), label, skipped))
	return nil
}

// labelFits refuses a label change that would break an incident field
// restricted to other labels (a location must stay GPE, LOC or FAC).
func (m *Model) labelFits(next *model.Annotation, spanID string) error {
	for _, inc := range next.Incidents {
		for name, v := range inc.Fields {
			if !slices.Contains(v.List, spanID) {
				continue
			}
			f, ok := m.opts.Schema.Field(name)
			if !ok {
				continue
			}
			if err := model.ValidateValue(f, v, next); err != nil {
				return fmt.Errorf("the span is the %s of incident %s (%v): change it there first", f.Title(), inc.ID, err)
			}
		}
	}
	return nil
}

// finish marks the article done or skipped and opens the next one.
func (m *Model) finish(status model.Status) tea.Cmd {
	next := m.ann.Clone()
	next.Status = status
	m.afterSave = func(m *Model) tea.Cmd {
		m.loading = true
		// What was done is said before what was opened.
		m.notice = "marked " + strings.ReplaceAll(string(status), "_", " ")
		return m.loadQueue(true)
	}
	return m.commit(next, "mark "+string(status))
}

func (m *Model) handleMouse(msg tea.MouseMsg) tea.Cmd {
	mouse := msg.Mouse()
	if m.screen != screenArticle || m.doc == nil || m.prompt != nil || m.showHelp {
		if _, ok := msg.(tea.MouseWheelMsg); ok && m.screen == screenQueue {
			if mouse.Button == tea.MouseWheelDown {
				m.qt.cursor = min(m.qt.cursor+1, max(0, len(m.visibleQueue())-1))
			} else if mouse.Button == tea.MouseWheelUp {
				m.qt.cursor = max(0, m.qt.cursor-1)
			}
		}
		return nil
	}
	switch msg.(type) {
	case tea.MouseWheelMsg:
		switch mouse.Button {
		case tea.MouseWheelDown:
			m.top += 3
		case tea.MouseWheelUp:
			m.top -= 3
		}
		m.clampTop()
		return nil
	}
	line, col, ok := m.cellAt(mouse.X, mouse.Y)
	if !ok {
		return nil
	}
	word, ok := m.wordOnLine(line, col)
	if !ok {
		return nil
	}
	switch msg.(type) {
	case tea.MouseClickMsg:
		if mouse.Button == tea.MouseLeft {
			m.focus = focusArticle
			m.extend, m.head, m.anchor = false, word, word
			m.dragging = true
		}
	case tea.MouseMotionMsg:
		if m.dragging && mouse.Button == tea.MouseLeft {
			if word != m.anchor {
				m.extend = true
			}
			m.head = word
		}
	case tea.MouseReleaseMsg:
		m.dragging = false
	}
	return nil
}

// cellAt maps a screen cell to a visual line and column of the article,
// when the cell is on the article's text.
func (m *Model) cellAt(x, y int) (line, col int, ok bool) {
	if !m.wide() && m.focus != focusArticle {
		return 0, 0, false
	}
	// The article pane's text starts after the title bar, the border and
	// one column of padding.
	tx, ty := x-2, y-2
	w, h, _ := m.paneSizes()
	if tx < 0 || ty < 0 || tx >= w || ty >= h {
		return 0, 0, false
	}
	line = m.top + ty
	if line >= len(m.lay.starts) {
		return 0, 0, false
	}
	return line, tx, true
}
