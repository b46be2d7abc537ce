package store

import (
	"sync"

	"github.com/annotate-tool/annotate/internal/model"
)

// Event is what one write changed, as a Hub tells its subscribers.
type Event struct {
	ArticleID string
	Annotator string
	// Status is the annotation's status after the change ("" when the
	// change was not to an annotation: articles added, the registry).
	Status model.Status
	Rev    int
}

// Hub fans changes out to the sessions of one process sharing a store (annotate
// serve): each session subscribes and redraws what a change touches. A slow
// subscriber never blocks a writer: its channel holds one pending change
// and later ones are coalesced into a "something changed" wake-up.
type Hub struct {
	mu   sync.Mutex
	subs map[chan Event]struct{}
}

// NewHub returns a hub with no subscribers.
func NewHub() *Hub { return &Hub{subs: map[chan Event]struct{}{}} }

// Subscribe returns a channel of changes and a function ending the
// subscription (which closes the channel).
func (h *Hub) Subscribe() (<-chan Event, func()) {
	ch := make(chan Event, 16)
	h.mu.Lock()
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			h.mu.Lock()
			delete(h.subs, ch)
			h.mu.Unlock()
			close(ch)
		})
	}
}

// Publish tells every subscriber about c, dropping it for one whose
// channel is full (that subscriber has changes pending and will reread).
func (h *Hub) Publish(c Event) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- c:
		default:
		}
	}
}
