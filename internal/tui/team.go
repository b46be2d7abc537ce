package tui

import (
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// A screen among a team's (annotate serve): other sessions' changes arrive
// on Options.Updates and the queue is reread; with Options.Overlap the
// server hands articles out, K annotators to each.

// OverlapOptions configure assignment for overlap.
type OverlapOptions struct {
	Assigner store.Assigner
	// K is how many annotators each article is offered to.
	K int
	// TTL is how long a claim lasts without work on the article.
	TTL time.Duration
}

type (
	// storeChangedMsg is another session's change (ok false: the
	// subscription ended).
	storeChangedMsg struct {
		ev store.Event
		ok bool
	}
	// renewedMsg reports renewing the claim on the open article.
	renewedMsg struct {
		id  string
		err error
	}
)

// waitUpdate waits for the next change on Options.Updates, folding any
// that are already waiting into one.
func (m *Model) waitUpdate() tea.Cmd {
	ch := m.opts.Updates
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		ev, ok := <-ch
		if !ok {
			return storeChangedMsg{}
		}
		// Changes already waiting are one reread: the last one stands for
		// them (a close is seen by the next wait).
		for {
			select {
			case next, open := <-ch:
				if !open {
					return storeChangedMsg{ev: ev, ok: true}
				}
				ev = next
			default:
				return storeChangedMsg{ev: ev, ok: true}
			}
		}
	}
}

// queueRefreshGap is the least time between two rereads of the queue for
// other sessions' changes: a team of 20 saving a few times a second each
// would otherwise have every screen reread its page for every save.
const queueRefreshGap = 300 * time.Millisecond

// queueRefreshMsg is the deferred reread refreshQueue scheduled.
type queueRefreshMsg struct{}

// refreshQueue rereads the queue's page for a change elsewhere: at once
// when the queue is on screen and was not reread in the last
// queueRefreshGap, else once that gap is over; the article screen rereads
// it anyway when the annotator goes back (so nothing is read meanwhile).
func (m *Model) refreshQueue() tea.Cmd {
	if m.qt.results != nil || m.opts.Review != nil || m.screen != screenQueue {
		return nil
	}
	if wait := queueRefreshGap - time.Since(m.queueReadAt); wait > 0 {
		if m.refreshDue {
			return nil
		}
		m.refreshDue = true
		return tea.Tick(wait, func(time.Time) tea.Msg { return queueRefreshMsg{} })
	}
	m.queueReadAt = time.Now()
	m.qt.keep = true
	return m.loadQueue(false)
}

// onStoreChanged rereads the queue's page (keeping the cursor) and says so
// when the open annotation itself was changed by another session.
func (m *Model) onStoreChanged(msg storeChangedMsg) tea.Cmd {
	if !msg.ok {
		return nil
	}
	cmds := []tea.Cmd{m.waitUpdate(), m.refreshQueue()}
	ev := msg.ev
	if m.doc != nil && ev.ArticleID == m.ann.ArticleID && ev.Annotator == m.owner() && ev.Rev > m.ann.Rev && !m.saving {
		m.setMessage("this article was just changed in another of your sessions: your next change reloads it first")
	}
	return tea.Batch(cmds...)
}

// overlap reports whether articles are handed out.
func (m *Model) overlap() *OverlapOptions {
	if o := m.opts.Overlap; o != nil && o.Assigner != nil && o.K > 0 && m.opts.Review == nil {
		return o
	}
	return nil
}

// assignNext asks the server for the annotator's next article and opens it
// (the queue's openNext path).
func (m *Model) assignNext() (string, bool, error) {
	o := m.overlap()
	return o.Assigner.Assign(m.owner(), o.K, o.TTL)
}

// renewClaim keeps the claim on the open article alive while it is worked
// on: at most once a quarter of the claim's life.
func (m *Model) renewClaim() tea.Cmd {
	o := m.overlap()
	if o == nil || m.doc == nil {
		return nil
	}
	if time.Since(m.renewedAt) < o.TTL/4 && m.renewedID == m.ann.ArticleID {
		return nil
	}
	m.renewedAt, m.renewedID = time.Now(), m.ann.ArticleID
	id, who := m.ann.ArticleID, m.owner()
	return func() tea.Msg {
		return renewedMsg{id: id, err: o.Assigner.Renew(id, who, o.K, o.TTL)}
	}
}

func (m *Model) onRenewed(msg renewedMsg) {
	if msg.err == nil {
		m.assigned = msg.id
		return
	}
	m.renewedID = ""
	if errors.Is(msg.err, store.ErrNotFound) && m.doc != nil && m.ann.ArticleID == msg.id {
		o := m.overlap()
		m.fail(fmt.Errorf("this article already has its %d annotators (your claim lapsed while idle): your changes are saved; D or S takes you to your next one", o.K))
		return
	}
	m.fail(fmt.Errorf("keeping this article assigned to you: %w", msg.err))
}

// assignedMark is the queue's mark for the article assigned to the
// annotator.
func (m *Model) assignedMark(s store.ArticleSummary) string {
	if m.overlap() != nil && s.ID == m.assigned && m.status(s) != model.StatusDone {
		return "▶"
	}
	return " "
}
