package store

import (
	"errors"
	"sync"
	"time"

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

// Watched is a Store whose writes are published on a Hub once they are
// durable: the sessions of one server see each other's work without
// rereading on a timer. Everything else passes through.
type Watched struct {
	Store
	Hub *Hub
}

// Watch wraps s so that its writes are published on h.
func Watch(s Store, h *Hub) *Watched { return &Watched{Store: s, Hub: h} }

func (w *Watched) publish(a model.Annotation) {
	w.Hub.Publish(Event{ArticleID: a.ArticleID, Annotator: a.Annotator, Status: a.Status, Rev: a.Rev})
}

func (w *Watched) Save(a model.Annotation, action string) (model.Annotation, error) {
	saved, err := w.Store.Save(a, action)
	if err == nil {
		w.publish(saved)
	}
	return saved, err
}

func (w *Watched) Undo(articleID, annotator string, seen ...int) (model.Annotation, string, error) {
	a, action, err := w.Store.Undo(articleID, annotator, seen...)
	if err == nil {
		w.publish(a)
	}
	return a, action, err
}

func (w *Watched) Redo(articleID, annotator string, seen ...int) (model.Annotation, string, error) {
	a, action, err := w.Store.Redo(articleID, annotator, seen...)
	if err == nil {
		w.publish(a)
	}
	return a, action, err
}

func (w *Watched) AddArticles(arts []model.Article) ([]bool, error) {
	added, err := w.Store.AddArticles(arts)
	if err == nil {
		w.Hub.Publish(Event{})
	}
	return added, err
}

func (w *Watched) SaveRegistry(e model.RegistryEntry, who, action string) (model.RegistryEntry, error) {
	saved, err := w.Store.SaveRegistry(e, who, action)
	if err == nil {
		w.Hub.Publish(Event{})
	}
	return saved, err
}

func (w *Watched) MergeRegistry(into, from, who string) (model.RegistryEntry, error) {
	saved, err := w.Store.MergeRegistry(into, from, who)
	if err == nil {
		w.Hub.Publish(Event{})
	}
	return saved, err
}

// ErrNoAssigner: the store underneath hands out no claims.
var ErrNoAssigner = errors.New("this database does not hand out articles for overlap")

func (w *Watched) assigner() (Assigner, error) {
	if a, ok := w.Store.(Assigner); ok {
		return a, nil
	}
	return nil, ErrNoAssigner
}

func (w *Watched) Assign(annotator string, k int, ttl time.Duration) (string, bool, error) {
	a, err := w.assigner()
	if err != nil {
		return "", false, err
	}
	id, ok, err := a.Assign(annotator, k, ttl)
	if err == nil && ok {
		w.Hub.Publish(Event{ArticleID: id})
	}
	return id, ok, err
}

func (w *Watched) Renew(articleID, annotator string, k int, ttl time.Duration) error {
	a, err := w.assigner()
	if err != nil {
		return err
	}
	return a.Renew(articleID, annotator, k, ttl)
}

func (w *Watched) Release(articleID, annotator string) error {
	a, err := w.assigner()
	if err != nil {
		return err
	}
	return a.Release(articleID, annotator)
}

func (w *Watched) Claims(fn func(Claim) error) error {
	a, err := w.assigner()
	if err != nil {
		return err
	}
	return a.Claims(fn)
}
