package cli_test

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFIFOsAreRefused: importing a FIFO, or a FIFO as the database, used
// to wait forever (issue 12, defect 5). Each must return at once with one
// line naming it.
func TestFIFOsAreRefused(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "p.txt")
	dbFifo := filepath.Join(dir, "p.db")
	for _, p := range []string{fifo, dbFifo} {
		if err := syscall.Mkfifo(p, 0o644); err != nil {
			t.Skipf("cannot make a FIFO here: %v", err)
		}
	}
	for _, args := range [][]string{
		{"import", fifo},
		{"--db", dbFifo, "list"},
		{"--schema", fifo, "list"},
	} {
		done := make(chan result, 1)
		go func() { done <- h.run(args...) }()
		select {
		case res := <-done:
			if res.code == 0 || !strings.Contains(res.stderr, "named pipe") {
				t.Errorf("annotate %q: exit %d, stderr %q; want a refusal naming the FIFO", args, res.code, res.stderr)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("annotate %q still waits after 10 s", args)
		}
	}
}
