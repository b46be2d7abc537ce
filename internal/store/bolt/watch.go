package bolt

import (
	"context"
	"os"
	"time"
)

// WatchFile calls fn within interval of every change any process makes to
// the file (a commit rewrites pages, so the file's modification time or
// size moves), until ctx ends. annotate serve uses it so that sessions see
// what commands in other terminals wrote (an import, a merge), not only
// each other's changes.
func (db *DB) WatchFile(ctx context.Context, interval time.Duration, fn func()) {
	stamp := func() (time.Time, int64) {
		fi, err := os.Stat(db.path)
		if err != nil {
			return time.Time{}, -1
		}
		return fi.ModTime(), fi.Size()
	}
	last, lastSize := stamp()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			now, size := stamp()
			if !now.Equal(last) || size != lastSize {
				last, lastSize = now, size
				fn()
			}
		}
	}
}
