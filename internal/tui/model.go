// Package tui is annotate's screen: one Bubble Tea model (Model) that owns
// all state and decides where each key goes by focus; the parts (queue,
// article pane, side pane, prompts) only render. It talks to storage through
// store.Store, never to bbolt, and does no I/O in Update: every read and
// write is a tea.Cmd whose result comes back as a message.
package tui

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/termtext"
)

// Options configure the screen.
type Options struct {
	Store     store.Store
	Schema    *model.Schema
	Annotator string
	// Location names the database, for the title bar.
	Location string
	NoColor  bool
	Logger   *slog.Logger
	// Suggest proposes mentions for an article from the registry entries
	// the screen's annotator is offered (model.RegistryFor: the screen
	// filters) and the user's patterns; nil for none. It runs off the
	// update loop.
	Suggest func(text string, registry []model.RegistryEntry, a *model.Annotation) []Suggestion
	// ModelSuggest asks a model server for mentions; nil for none. It runs
	// in the background, bounded by a timeout.
	ModelSuggest func(ctx context.Context, art model.Article) ([]Suggestion, error)
	// Review, when set, opens the screen in review mode: Annotator is the
	// reviewer, and what is saved is the gold annotation, built from the
	// annotators' versions (see review.go).
	Review *ReviewOptions
	// Updates brings the changes of other sessions sharing the store
	// (annotate serve); nil for none.
	Updates <-chan store.Event
	// Overlap, when set, has the server hand out articles (annotate serve
	// --overlap K): D and S open the next one assigned, and the queue
	// marks it.
	Overlap *OverlapOptions
	// Keys are the key bindings (nil: DefaultKeyMap), as ParseKeymap
	// reads them from the user's keymap file.
	Keys *KeyMap
	// NewAnnotatorAmong, when Annotator is new to a database that has
	// these annotators, has the screen ask before starting
	// (newannotator.go).
	NewAnnotatorAmong []string
}

// ReviewOptions configure review mode.
type ReviewOptions struct {
	// Annotators whose versions are compared; none: every annotator of
	// the article (but gold).
	Annotators []string
}

// tabCount is how many side tabs there are: Review only in review mode, or
// for an annotator whose work has review comments.
func (m *Model) tabCount() int {
	if m.opts.Review != nil || m.hasComments() {
		return len(tabNames)
	}
	return len(tabNames) - 1
}

// owner is whose annotation the screen reads and writes: the annotator's,
// or in review mode the gold annotation.
func (m *Model) owner() string {
	if m.opts.Review != nil {
		return model.GoldAnnotator
	}
	return m.opts.Annotator
}

type screen int

const (
	screenQueue screen = iota
	screenArticle
)

type focus int

const (
	focusArticle focus = iota
	focusSide
)

// Side pane tabs.
const (
	tabEntities = iota
	tabClaims
	tabSources
	tabIncidents
	tabReview // review mode only
)

var tabNames = [...]string{"Entities", "Claims", "Sources", "Incidents", "Review"}

// Model is the whole screen's state.
type Model struct {
	opts   Options
	keys   KeyMap
	styles Styles
	log    *slog.Logger

	// assigned is the article the server handed this annotator (overlap);
	// renewedID and renewedAt are the claim last renewed (team.go).
	assigned  string
	renewedID string
	renewedAt time.Time
	// queueReadAt is when other sessions' changes last reread the queue;
	// refreshDue, that a reread is scheduled (team.go).
	queueReadAt time.Time
	refreshDue  bool

	width, height int
	screen        screen
	focus         focus
	showHelp      bool
	helpTop       int
	// loading is true while the next article is being opened after D/S:
	// keys wait for it, like they wait for a save.
	loading bool
	prompt  *prompt
	// gate asks before a new annotator starts (nil once answered).
	gate *newAnnotatorGate

	// The queue (queuetab.go).
	qt *queueTab

	// The open article.
	doc    *document
	lay    layout
	ann    model.Annotation
	spans  []model.Span // ann.Entities sorted by position
	anchor model.Range
	head   model.Range
	extend bool
	top    int
	search string

	sideTab int
	// ents is the Entities tab (entitiestab.go).
	ents *entitiesTab
	// In review mode: the annotators' versions of the open article, the
	// items built from them, and the Review tab's cursor.
	versions map[string]*model.Annotation
	rv       *reviewTab
	// itemCounts are the mentions, claims and incidents of the
	// annotator's articles in the queue (queuecounts.go).
	itemCounts map[string]itemCounts
	// reviewCounts are each article's open and total items, for the
	// review queue.
	reviewCounts  map[string][2]int
	pendingCounts bool
	// acceptAllArmed: the queue's A was pressed once.
	acceptAllArmed bool
	// registry is the database's entity registry, read when an article
	// opens.
	registry []model.RegistryEntry
	// suggestions are the open article's proposed mentions (see
	// liveSuggestions for those still open).
	suggestions []Suggestion
	live        []Suggestion
	// sugShown is the suggestion > or < went to last.
	sugShown model.Range
	// modelFailed: the model server failed once this session; said once.
	modelFailed bool
	// entIndex is the Entities tab's index of ann (nil: to build); the
	// tab's last drawing and what it depended on.
	entIndex    *entityIndex
	entCache    []string
	entCacheKey entitiesView
	// lists are the Claims, Sources and Incidents tabs (listtab.go), by
	// tab; made on first use.
	lists     [5]*listTab
	lastLabel string

	// The open form (claim, source or incident) and the drafts typed into
	// any form, kept until confirmed: nothing typed is dropped.
	form       *form
	drafts     map[string]string
	draftErrs  map[string]string
	highlights []model.Range
	quitArmed  bool
	quitKey    string // the key that asked: pressed again, it quits

	// Saving: while a write is in flight, keys wait in pending and are
	// handled, in order, once it is committed.
	saving    bool
	pending   []tea.Msg
	afterSave func(*Model) tea.Cmd

	dragging bool
	// sgrCache holds each article cell style's escape sequences; frames
	// the panes' borders; helpLines the key hint lines: all drawn once.
	sgrCache  map[styleKey][2]string
	frames    map[frameKey][4]string
	helpLines map[helpLineKey]string

	// deleteArmed is what a first x asked about deleting ("entity n3",
	// "incident i2"); a second x deletes it.
	deleteArmed string
	// tagAllArmed is what a first a will tag on the second.
	tagAllArmed *tagAllPlan
	// notice is said before the next message (D: "marked done").
	notice string

	message string
	isError bool
}

// New returns the screen, starting on the queue.
func New(opts Options) *Model {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	m := &Model{opts: opts, keys: DefaultKeyMap(), log: opts.Logger,
		drafts: map[string]string{}, draftErrs: map[string]string{}}
	if opts.Keys != nil {
		m.keys = *opts.Keys
		m.keys.mirror()
	}
	m.ents = newEntitiesTab(m.keys.Side)
	m.qt = &queueTab{keys: m.keys.Queue}
	// Start dark: the terminal's answer about its background may never come.
	m.styles = NewStyles(opts.Schema, true, opts.NoColor)
	m.width, m.height = 80, 24
	if len(opts.NewAnnotatorAmong) > 0 && opts.Review == nil {
		m.gate = newGate(opts.Annotator, opts.NewAnnotatorAmong)
	}
	return m
}

// Init asks for the background colour and loads the queue.
func (m *Model) Init() tea.Cmd {
	// With overlap the screen opens on the article assigned.
	return tea.Batch(tea.RequestBackgroundColor, m.loadQueue(m.overlap() != nil), m.waitUpdate())
}

// Messages that carry the results of commands back to Update.
type (
	queueLoadedMsg struct {
		items []store.ArticleSummary
		// total, counts and offset describe the page (store.Page).
		total  int
		counts map[model.Status]int
		offset int
		// next is the article to work on after the current one, when
		// openNext asked for it.
		next    string
		hasNext bool
		err     error
		// openNext opens the next article to work on after loading.
		openNext bool
	}
	articleLoadedMsg struct {
		doc      *document
		ann      model.Annotation
		registry []model.RegistryEntry
		// versions are the annotators' annotations, in review mode.
		versions map[string]*model.Annotation
		err      error
	}
	savedMsg struct {
		ann    model.Annotation
		action string
		err    error
	}
	// searchDoneMsg brings a batch of search results; done says it is the
	// last, more reads the next.
	searchDoneMsg struct {
		query string
		gen   int
		items []store.ArticleSummary
		done  bool
		more  tea.Cmd
		err   error
	}
)

// queuePage is how many summaries the queue holds at once: a page read
// from the store, whatever the corpus's size.
const queuePage = 500

// filterStatus is the status the queue's filter keeps ("" all).
func (m *Model) filterStatus() model.Status {
	if m.qt.filter > 0 {
		return model.Statuses[m.qt.filter-1]
	}
	return ""
}

// loadQueue reads the queue's page at m.qt.offset (and, with openNext, the
// next article to work on after the open one). Review mode reads every
// article's summary: it needs each one's annotators.
func (m *Model) loadQueue(openNext bool) tea.Cmd {
	st, who := m.opts.Store, m.owner()
	q := store.Query{Annotator: who, Status: m.filterStatus(), Offset: m.qt.offset, Limit: queuePage}
	current := m.ann.ArticleID
	review := m.opts.Review != nil
	var assign func() (string, bool, error)
	if m.overlap() != nil {
		assign = m.assignNext
	}
	var annotators []string
	if review {
		annotators = m.opts.Review.Annotators
	}
	return func() tea.Msg {
		var msg queueLoadedMsg
		if review {
			err := st.Articles(func(s store.ArticleSummary) error {
				msg.items = append(msg.items, s)
				return nil
			})
			msg.total, msg.err = len(msg.items), err
		} else {
			p, err := st.Page(q)
			msg.items, msg.total, msg.counts, msg.offset, msg.err = p.Items, p.Total, p.Counts, q.Offset, err
		}
		msg.openNext = openNext
		if openNext && msg.err == nil && assign != nil {
			msg.next, msg.hasNext, msg.err = assign()
		} else if openNext && msg.err == nil {
			msg.next, msg.hasNext, msg.err = st.NextToWork(who, current)
			if review && msg.hasNext {
				// Review goes on to the next article with versions to compare.
				msg.next, msg.hasNext = "", false
				for _, s := range msg.items {
					if s.ID != current && store.StatusOf(s, who) != model.StatusDone && store.StatusOf(s, who) != model.StatusSkipped && reviewableBy(s, annotators) {
						msg.next, msg.hasNext = s.ID, true
						break
					}
				}
			}
		}
		return msg
	}
}

func (m *Model) loadArticle(id string) tea.Cmd {
	st, who, schema := m.opts.Store, m.owner(), m.opts.Schema.Name
	reviewers := m.reviewAnnotators(id)
	return func() tea.Msg {
		art, err := st.Article(id)
		if err != nil {
			return articleLoadedMsg{err: err}
		}
		ann, err := st.Annotation(id, who)
		if err != nil {
			return articleLoadedMsg{err: err}
		}
		if ann.Schema == "" {
			ann.Schema = schema
		}
		// Mentions stored before entities existed get theirs now.
		model.GroupMentions(&ann, art.Text)
		var reg []model.RegistryEntry
		if err := st.Registry(func(e model.RegistryEntry) error { reg = append(reg, e); return nil }); err != nil {
			return articleLoadedMsg{err: err}
		}
		msg := articleLoadedMsg{doc: newDocument(art), ann: ann, registry: reg}
		if reviewers != nil {
			msg.versions = map[string]*model.Annotation{}
			for _, r := range reviewers {
				v, err := st.Annotation(id, r)
				if err != nil {
					return articleLoadedMsg{err: err}
				}
				model.GroupMentions(&v, art.Text)
				msg.versions[r] = &v
			}
		}
		return msg
	}
}

// commit saves next as one durable change. The screen shows the change once
// the store has it: nothing is shown as done that a crash could lose.
func (m *Model) commit(next model.Annotation, action string) tea.Cmd {
	// Every mention belongs to an entity: a new one joins its entity (or
	// starts one), an entity without mentions goes. One place for the
	// rule, whatever the change.
	if m.doc != nil {
		model.GroupMentions(&next, m.doc.text)
	}
	if store.SameAnnotation(next, m.ann) {
		// A change that changes nothing is not saved (and not undoable):
		// confirming a field with its own value, say.
		m.setMessage("unchanged: nothing to save")
		after := m.afterSave
		m.afterSave = nil
		if after != nil {
			return after(m)
		}
		return nil
	}
	if next.Status == model.StatusTodo {
		next.Status = model.StatusInProgress
	}
	m.saving = true
	st := m.opts.Store
	m.log.Info("save", "article", next.ArticleID, "action", action)
	return func() tea.Msg {
		saved, err := st.Save(next, action)
		return savedMsg{ann: saved, action: action, err: err}
	}
}

func (m *Model) undo(redo bool) tea.Cmd {
	m.saving = true
	st, id, who, rev := m.opts.Store, m.ann.ArticleID, m.owner(), m.ann.Rev
	return func() tea.Msg {
		var ann model.Annotation
		var action string
		var err error
		if redo {
			ann, action, err = st.Redo(id, who, rev)
			action = "redo: " + action
		} else {
			ann, action, err = st.Undo(id, who, rev)
			action = "undo: " + action
		}
		return savedMsg{ann: ann, action: action, err: err}
	}
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m.gate != nil {
		if cmd, handled := m.updateGate(msg); handled {
			return m, cmd
		}
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.relayout()
		return m, nil
	case tea.BackgroundColorMsg:
		m.styles = NewStyles(m.opts.Schema, msg.IsDark(), m.opts.NoColor)
		m.sgrCache, m.frames, m.helpLines = nil, nil, nil
		return m, nil
	case queueLoadedMsg:
		cmd := m.onQueue(msg)
		if m.pendingCounts {
			m.pendingCounts = false
			cmd = tea.Batch(cmd, m.reviewCountsCmd())
		}
		counts := m.itemCountsCmd()
		if cmd != nil {
			return m, tea.Batch(cmd, counts) // still loading the next article
		}
		return m, tea.Batch(counts, m.doneLoading())
	case itemCountsMsg:
		m.onItemCounts(msg)
		return m, nil
	case articleLoadedMsg:
		if msg.err != nil {
			m.fail(msg.err)
			return m, m.doneLoading()
		}
		fresh := m.doc == nil || m.doc.article.ID != msg.doc.article.ID
		m.registry = msg.registry
		m.versions = msg.versions
		m.openDocument(msg.doc, msg.ann)
		if fresh && m.hasComments() && m.ann.Review.State == model.ReviewReturned {
			m.setMessage(fmt.Sprintf("%s · returned by %s with %d comments: the Review tab lists them (tab, then l)", m.message,
				termtext.Line(m.ann.Review.By), len(m.ann.Review.Comments)))
		}
		var start tea.Cmd
		if m.opts.Review != nil && fresh {
			m.sideTab, m.focus = tabReview, focusSide
			if m.rv != nil {
				m.rv.cursor = 0
				if m.rv.toUndecided(false, true) {
					m.showItem()
				}
			}
			start = m.startSingle()
		}
		var suggest tea.Cmd
		if fresh {
			m.suggestions = nil
			m.refreshLive()
			suggest = m.suggestCmd(msg.doc, msg.ann)
		}
		return m, tea.Batch(suggest, start, m.doneLoading())
	case suggestionsMsg:
		if m.doc != nil && msg.articleID == m.doc.article.ID {
			m.addSuggestions(msg.list)
			if n := len(m.liveSuggestions()); n > 0 {
				say := fmt.Sprintf("%d suggestions (dim, dashed): %s", n, m.suggestionKeys())
				if !m.isError && m.message != "" {
					// After what D said ("marked done · opened …").
					say = m.message + " · " + say
				}
				m.setMessage(say)
			}
		}
		return m, nil
	case modelSuggestionsMsg:
		switch {
		case msg.err != nil:
			// One message, once: the screen keeps working without it.
			if !m.modelFailed {
				m.modelFailed = true
				m.fail(fmt.Errorf("model suggestions unavailable (%v); annotating goes on without them", msg.err))
			}
		case m.doc != nil && msg.articleID == m.doc.article.ID:
			m.modelFailed = false
			before := len(m.live)
			m.addSuggestions(msg.list)
			if n := len(m.live) - before; n > 0 && !m.isError {
				m.setMessage(fmt.Sprintf("%d more suggestions from the model (%d in all): %s", n, len(m.live), m.suggestionKeys()))
			}
		}
		return m, nil
	case savedMsg:
		return m, m.onSaved(msg)
	case versionSavedMsg:
		return m, m.onVersionSaved(msg)
	case registryConfirmedMsg:
		switch {
		case msg.err != nil:
			m.fail(fmt.Errorf("gold is saved, but the registry entry was not confirmed: %w", msg.err))
		case msg.confirmed > 0:
			m.setMessage(fmt.Sprintf("%s · confirmed %d registry entries for everyone", m.message, msg.confirmed))
		}
		return m, nil
	case storeChangedMsg:
		return m, m.onStoreChanged(msg)
	case queueRefreshMsg:
		m.refreshDue = false
		return m, m.refreshQueue()
	case renewedMsg:
		m.onRenewed(msg)
		return m, nil
	case registrySavedMsg:
		return m, m.onRegistrySaved(msg)
	case reviewCountsMsg:
		if msg.err != nil {
			m.fail(msg.err)
		} else {
			m.reviewCounts = msg.counts
		}
		return m, nil
	case acceptedAllMsg:
		m.loading = false
		if msg.err != nil {
			m.fail(fmt.Errorf("accepting the agreements stopped after %d articles: %w", msg.articles, msg.err))
		} else {
			m.setMessage(fmt.Sprintf("accepted %d agreements in %d articles", msg.items, msg.articles))
		}
		return m, tea.Batch(m.reviewCountsCmd(), m.replayPending())
	case registryGradeMsg:
		if msg.err != nil {
			m.fail(fmt.Errorf("saved in the article, but the registry was not updated: %w", msg.err))
			return m, nil
		}
		for i := range m.registry {
			if m.registry[i].ID == msg.entry.ID {
				m.registry[i] = msg.entry
			}
		}
		return m, nil
	case searchDoneMsg:
		if msg.err != nil {
			m.fail(msg.err)
			return m, nil
		}
		if msg.query != m.qt.search || msg.gen != m.qt.searchGen {
			return m, nil // an older search's: it was stopped
		}
		if m.qt.results == nil || m.qt.resultsGen != msg.gen {
			m.qt.results, m.qt.resultsGen, m.qt.cursor = []store.ArticleSummary{}, msg.gen, 0
		}
		m.qt.results = append(m.qt.results, msg.items...)
		if msg.done {
			m.setMessage(fmt.Sprintf("%d articles match %q", len(m.qt.results), msg.query))
			return m, nil
		}
		m.setMessage(fmt.Sprintf("%d articles match %q so far, searching…", len(m.qt.results), msg.query))
		return m, msg.more
	case tea.PasteMsg:
		if m.saving || m.loading {
			m.pending = append(m.pending, msg)
			return m, nil
		}
		return m, m.onPaste(msg)
	case tea.KeyPressMsg:
		if m.saving || m.loading {
			m.pending = append(m.pending, msg)
			return m, nil
		}
		return m, m.handleKey(msg)
	case tea.MouseMsg:
		if m.saving {
			return m, nil
		}
		return m, m.handleMouse(msg)
	}
	return m, nil
}

func (m *Model) onSaved(msg savedMsg) tea.Cmd {
	m.saving = false
	var cmds []tea.Cmd
	switch {
	case errors.Is(msg.err, store.ErrNothingToUndo), errors.Is(msg.err, store.ErrNothingToRedo):
		m.setMessage(msg.err.Error())
	case errors.Is(msg.err, store.ErrConflict):
		m.fail(fmt.Errorf("this annotation was changed in another window; reloaded it, please redo your last change"))
		m.afterSave = nil
		cmds = append(cmds, m.loadArticle(m.ann.ArticleID))
	case msg.err != nil:
		m.fail(fmt.Errorf("not saved: %w", msg.err))
		m.afterSave = nil
	default:
		m.setAnnotation(msg.ann)
		if m.itemCounts != nil {
			m.itemCounts[msg.ann.ArticleID] = countsOf(&msg.ann)
		}
		m.setMessage("saved: " + msg.action)
		cmds = append(cmds, m.renewClaim())
		if m.afterSave != nil {
			after := m.afterSave
			m.afterSave = nil
			cmds = append(cmds, after(m))
		}
	}
	// Handle the keys that arrived during the save, until one starts
	// another save or load.
	cmds = append(cmds, m.replayPending())
	return tea.Batch(cmds...)
}

// doneLoading ends a load and handles the keys that waited for it.
func (m *Model) doneLoading() tea.Cmd {
	if !m.loading {
		return nil
	}
	m.loading = false
	return m.replayPending()
}

// replayPending handles keys that arrived while busy, in order, until one
// starts another save or load.
func (m *Model) replayPending() tea.Cmd {
	var cmds []tea.Cmd
	for len(m.pending) > 0 && !m.saving && !m.loading {
		next := m.pending[0]
		m.pending = m.pending[1:]
		switch k := next.(type) {
		case tea.KeyPressMsg:
			cmds = append(cmds, m.handleKey(k))
		case tea.PasteMsg:
			cmds = append(cmds, m.onPaste(k))
		}
	}
	return tea.Batch(cmds...)
}

func (m *Model) setMessage(s string) { m.message, m.isError = s, false }

// sayNotice puts a pending notice before the message.
func (m *Model) sayNotice() {
	if m.notice != "" {
		m.message = m.notice + " · " + m.message
		m.notice = ""
	}
}

func (m *Model) fail(err error) {
	m.message, m.isError = err.Error(), true
	m.log.Error("screen", "err", err)
}

func (m *Model) onQueue(msg queueLoadedMsg) tea.Cmd {
	if msg.err != nil {
		m.qt.err = msg.err
		m.fail(msg.err)
		return nil
	}
	m.qt.page, m.qt.ready = msg.items, true
	m.qt.total, m.qt.counts, m.qt.offset = msg.total, msg.counts, msg.offset
	if m.opts.Review != nil {
		// What is left to decide changes with every decision and D: the
		// queue's counts are read again whenever it is.
		defer func() { m.pendingCounts = true }()
	}
	if msg.openNext {
		if msg.hasNext {
			if m.overlap() != nil {
				m.assigned, m.renewedID, m.renewedAt = msg.next, msg.next, time.Now()
			}
			return m.loadArticle(msg.next)
		}
		m.screen = screenQueue
		m.doc = nil
		if o := m.overlap(); o != nil {
			m.assigned = ""
			m.setMessage(fmt.Sprintf("nothing assigned to you: every article you have not finished has its %d annotators", o.K))
			m.sayNotice()
			return nil
		}
		m.setMessage("nothing left to do: every article is done or skipped")
		m.sayNotice()
		return nil
	}
	if m.qt.keep {
		// A move to another page keeps the cursor where the move put it.
		m.qt.keep = false
		m.qt.cursor = min(max(0, m.qt.cursor), max(0, len(m.visibleQueue())-1))
	} else if m.qt.cursor == 0 || m.qt.cursor >= len(m.visibleQueue()) {
		m.preselect()
	}
	return nil
}

// status returns this annotator's status for an article.
func (m *Model) status(s store.ArticleSummary) model.Status {
	if st, ok := s.Statuses[m.owner()]; ok && st != "" {
		return st
	}
	return model.StatusTodo
}

// preselect puts the queue cursor on the next article to work on.
func (m *Model) preselect() {
	items := m.visibleQueue()
	m.qt.cursor = 0
	for _, want := range []model.Status{model.StatusInProgress, model.StatusTodo} {
		for i, s := range items {
			if m.status(s) == want {
				m.qt.cursor = i
				return
			}
		}
	}
}

// visibleQueue is what the queue lists: its page (filtered by the store),
// the search's results, or in review mode the articles to review.
func (m *Model) visibleQueue() []store.ArticleSummary {
	if m.qt.filter == 0 && m.qt.results == nil && m.opts.Review == nil {
		return m.qt.page
	}
	list := m.qt.page
	if m.qt.results != nil {
		list = m.qt.results
	}
	var out []store.ArticleSummary
	for _, s := range list {
		if m.opts.Review != nil && !m.reviewable(s) {
			continue // review lists the articles with versions to compare
		}
		if m.qt.filter > 0 && m.status(s) != model.Statuses[m.qt.filter-1] {
			continue
		}
		out = append(out, s)
	}
	return out
}

func (m *Model) openDocument(doc *document, ann model.Annotation) {
	sameArticle := m.doc != nil && m.doc.article.ID == doc.article.ID
	m.doc = doc
	if !sameArticle {
		m.lay = layout{} // wrapped for the previous article
	}
	m.screen = screenArticle
	m.focus = focusArticle
	m.setAnnotation(ann)
	m.relayout()
	if !sameArticle {
		m.top, m.extend = 0, false
		m.head = doc.wordRange(0)
		m.ents.cursor = 0
		m.lists = [5]*listTab{}
		m.form, m.highlights = nil, nil
		m.setMessage("opened " + quote(termtext.Line(doc.article.Title)))
	}
	m.sayNotice()
	m.scrollToSelection()
}

func (m *Model) setAnnotation(a model.Annotation) {
	m.ann = a
	m.entIndex = nil
	defer m.refreshLive()
	defer m.rebuildReview()
	m.spans = append(m.spans[:0], a.Entities...)
	sort.SliceStable(m.spans, func(i, j int) bool {
		if m.spans[i].Start != m.spans[j].Start {
			return m.spans[i].Start < m.spans[j].Start
		}
		return m.spans[i].End > m.spans[j].End
	})
	m.ents.clamp(len(m.entityRows()))
	// A form whose item an undo removed closes.
	if m.form != nil {
		exists := true
		switch m.form.kind {
		case formClaim:
			_, exists = a.Claim(m.form.itemID)
		case formIncident:
			_, exists = m.incident(m.form.itemID)
		}
		if !exists {
			m.dropDrafts(m.form.kind, m.form.itemID)
			m.form = nil
			m.highlights = nil
		} else {
			if m.form.kind == formClaim {
				// A claim's rows follow its figures: rebuild them, the
				// cursor staying on the same row.
				f := m.form
				at := f.row().key
				f.rows = m.claimRows(f.itemID)
				f.cursor = min(f.cursor, len(f.rows)-1)
				for i, r := range f.rows {
					if r.key == at {
						f.cursor = i
					}
				}
			}
			m.refreshOptions(m.form)
		}
	}
}

// selection returns the selected range.
func (m *Model) selection() model.Range {
	if !m.extend {
		return m.head
	}
	return model.Range{Start: min(m.anchor.Start, m.head.Start), End: max(m.anchor.End, m.head.End)}
}

// selectedText returns the selection's text.
func (m *Model) selectedText() string {
	r := m.selection()
	if m.doc == nil || r.End <= r.Start {
		return ""
	}
	return m.doc.text[r.Start:r.End]
}

// spanUnderCursor returns the span the selection designates: one with the
// selection's exact extent, else the innermost span holding its start.
func (m *Model) spanUnderCursor() (model.Span, bool) {
	sel := m.selection()
	var best model.Span
	found := false
	for _, s := range m.spans {
		if s.Start == sel.Start && s.End == sel.End {
			return s, true
		}
		if s.Start <= sel.Start && sel.Start < s.End {
			if !found || s.End-s.Start < best.End-best.Start {
				best, found = s, true
			}
		}
	}
	return best, found
}

// Layout of the article screen.

func (m *Model) wide() bool { return m.width >= 100 }

// paneSizes returns the inner (text) width and height of the article pane
// and the side pane's outer width.
func (m *Model) paneSizes() (textW, textH, sideW int) {
	bodyH := m.height - 3 // title bar, status line, help line
	if bodyH < 3 {
		bodyH = 3
	}
	textH = bodyH - 2 // borders
	if m.wide() {
		// The side pane takes half the window, so its forms' labels and
		// choices fit, while the article keeps at least 60 columns.
		sideW = max(36, min(m.width/2, m.width-64))
		textW = m.width - sideW - 4 // borders and padding
	} else {
		sideW = m.width
		textW = m.width - 4
	}
	return max(textW, 10), max(textH, 1), sideW
}

// relayout re-wraps the article for the current width: only on resize.
func (m *Model) relayout() {
	if m.doc == nil {
		return
	}
	w, _, _ := m.paneSizes()
	if m.lay.width != w || m.lay.starts == nil {
		m.lay = wrap(m.doc.text, w)
	}
	m.scrollToSelection()
}

// scrollToSelection keeps the head of the selection on screen.
func (m *Model) scrollToSelection() {
	if m.doc == nil || m.lay.starts == nil {
		return
	}
	_, h, _ := m.paneSizes()
	line := m.lay.lineOf(m.head.Start)
	if line < m.top {
		m.top = max(0, line-h/4)
	} else if line >= m.top+h {
		m.top = line - h + 1 + min(h/4, len(m.lay.starts)-1-line)
	}
	m.clampTop()
}

func (m *Model) clampTop() {
	_, h, _ := m.paneSizes()
	maxTop := max(0, len(m.lay.starts)-h)
	m.top = min(max(0, m.top), maxTop)
}

// entityLabelByKey returns the schema label bound to a key.
func (m *Model) entityLabelByKey(k string) (model.Label, bool) {
	for _, l := range m.opts.Schema.Labels {
		if l.Key == k {
			return l, true
		}
	}
	return model.Label{}, false
}

func quote(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 40 {
		s = string(r[:39]) + "…"
	}
	return "“" + s + "”"
}
