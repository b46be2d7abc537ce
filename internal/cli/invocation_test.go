package cli

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestInvocation: the demo's last line names a command that works from
// where the user stands. Before, it always said "annotate", which is not
// installed after go run ./cmd/annotate demo.
func TestInvocation(t *testing.T) {
	dir := t.TempDir()
	installed := filepath.Join(dir, "annotate")
	if err := os.WriteFile(installed, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "my tools", "annotate")
	notFound := func(string) (string, error) { return "", errors.New("not found") }
	onPath := func(string) (string, error) { return installed, nil }
	for _, tt := range []struct {
		name, exe string
		look      func(string) (string, error)
		want      string
	}{
		{"go run", "/tmp/go-build123456/b001/exe/annotate", notFound, "go run ./cmd/annotate"},
		{"go run, another annotate installed", "/tmp/go-build99/b001/exe/annotate", onPath, "go run ./cmd/annotate"},
		{"installed on PATH", installed, onPath, "annotate"},
		{"built elsewhere, not on PATH", other, notFound, "'" + other + "'"},
	} {
		if got := invocation(tt.exe, tt.look); got != tt.want {
			t.Errorf("%s: invocation(%q) = %q, want %q", tt.name, tt.exe, got, tt.want)
		}
	}
}
