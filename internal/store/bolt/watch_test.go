package bolt

import (
	"context"
	"testing"
	"time"

	"github.com/annotate-tool/annotate/internal/model"
)

// TestWatchFileSeesOtherWriters: a write through another handle on the
// file (another process, as far as the watcher can tell) is noticed.
func TestWatchFileSeesOtherWriters(t *testing.T) {
	db, path := newDB(t)
	id := addTexts(t, db, "A report from Raqqa.")[0]
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	seen := make(chan struct{}, 10)
	go db.WatchFile(ctx, 10*time.Millisecond, func() { seen <- struct{}{} })
	time.Sleep(50 * time.Millisecond) // the watcher takes its first look
	other := openAt(t, path)
	a := model.NewAnnotation(id, "bob", "conflict-incidents")
	a.Status = model.StatusDone
	mustSave(t, other, a, "mark done")
	select {
	case <-seen:
	case <-time.After(5 * time.Second):
		t.Fatal("a write by another handle was not noticed in 5 s")
	}
}
