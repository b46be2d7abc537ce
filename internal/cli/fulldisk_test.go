package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportOnAFullDisk: when the database cannot be written (a full
// disk), the summary said "0 failed" while the command exited 1 (issue
// 12, defect 7). It must say what was not stored. It needs a small tmpfs,
// which only root can mount: skipped otherwise.
func TestImportOnAFullDisk(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs here (%v: %s): the full-disk case is not tried", err, strings.TrimSpace(string(out)))
	}
	defer exec.Command("umount", dir).Run()
	h := newHarness(t)
	h.env["ANNOTATE_DB"] = filepath.Join(dir, "a.db")
	h.mustRun("import", h.write("first.txt", []byte("First\nA short article.")))
	big := strings.Repeat("Fighters entered the town and officials said many were killed. ", 8000)
	res := h.run("import", h.write("big.txt", []byte("Big\n"+big)))
	if res.code == 0 {
		t.Fatalf("import on a full disk exited 0: %s", res.stdout)
	}
	if !strings.Contains(res.stdout, "not stored") {
		t.Errorf("the summary hides what was lost: %q (stderr %q)", res.stdout, res.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "a.db")); err != nil {
		t.Fatal(err)
	}
	h.mustRun("check")
}
