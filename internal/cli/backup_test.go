package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestBackup: annotate backup writes a copy that opens, checks and holds
// the same records; it refuses to replace a file unless --force (issue 12,
// part 12; the damaged-database message points at it).
func TestBackup(t *testing.T) {
	h := newHarness(t)
	h.mustRun("import", h.write("a.txt", []byte("First\nISIS fighters entered Velmo.")), h.write("b.txt", []byte("Second\nOfficials said so.")))
	before := h.mustRun("export", "--format", "native", "--all").stdout
	target := filepath.Join(t.TempDir(), "copy.db")
	res := h.mustRun("backup", target)
	if !strings.Contains(res.stdout, "backed up to "+target+" (2 articles") || !strings.Contains(res.stdout, "checked") {
		t.Errorf("backup says %q", res.stdout)
	}
	h.env["ANNOTATE_DB"], h.env["ORIG"] = target, h.env["ANNOTATE_DB"]
	if got := h.mustRun("export", "--format", "native", "--all").stdout; got != before {
		t.Errorf("the copy exports differently")
	}
	h.env["ANNOTATE_DB"] = h.env["ORIG"]
	if res := h.run("backup", target); res.code == 0 || !strings.Contains(res.stderr, "exists") {
		t.Errorf("backup over an existing file: exit %d, %q", res.code, res.stderr)
	}
	h.mustRun("backup", "--force", target)
}
