package bolt

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
)

// TestAssignConcurrent: annotators asking at once through their own
// handles on the file never put a third holder on an article (k=2).
func TestAssignConcurrent(t *testing.T) {
	db, path := newDB(t)
	var texts []string
	for i := range 12 {
		texts = append(texts, fmt.Sprintf("Concurrent report %d.", i))
	}
	addTexts(t, db, texts...)
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := map[string][]string{}
	for _, who := range []string{"a1", "a2", "a3", "a4", "a5"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := openAt(t, path)
			for range 12 {
				id, ok, err := h.Assign(who, 2, time.Hour)
				if err != nil {
					t.Error(err)
					return
				}
				if !ok {
					return
				}
				mu.Lock()
				got[id] = append(got[id], who)
				mu.Unlock()
				a, err := h.Annotation(id, who)
				if err != nil {
					t.Error(err)
					return
				}
				a.Status = model.StatusDone
				if _, err := h.Save(a, "mark done"); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for id, whos := range got {
		if len(whos) > 2 {
			t.Errorf("article %s handed to %v, over the overlap of 2", id, whos)
		}
	}
	if len(got) != 12 {
		t.Errorf("%d articles handed out, want all 12", len(got))
	}
}
