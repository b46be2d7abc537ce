package serve

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	gossh "golang.org/x/crypto/ssh"
)

func TestLoadHostKeyIsMadeOnceAndKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "annotate.db.hostkey")
	first, created, err := LoadHostKey(path)
	if err != nil || !created {
		t.Fatalf("first start: created %v, %v; want a new key", created, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("host key mode %04o, want 0600", fi.Mode().Perm())
	}
	if first.PublicKey().Type() != gossh.KeyAlgoED25519 {
		t.Errorf("host key type %s, want ed25519", first.PublicKey().Type())
	}
	again, created, err := LoadHostKey(path)
	if err != nil || created {
		t.Fatalf("second start: created %v, %v; want the kept key", created, err)
	}
	if a, b := gossh.FingerprintSHA256(first.PublicKey()), gossh.FingerprintSHA256(again.PublicKey()); a != b {
		t.Errorf("host key changed across restarts: %s, then %s", a, b)
	}
}

func TestLoadHostKeyRefuses(t *testing.T) {
	dir := t.TempDir()
	loose := filepath.Join(dir, "loose")
	if _, _, err := LoadHostKey(loose); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(loose, 0o644); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage")
	if err := os.WriteFile(garbage, []byte("not a key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	for path, want := range map[string]string{
		loose:   "can be read by others (mode 0644): chmod 600",
		garbage: "move it away",
		fifo:    "named pipe",
		dir:     "a folder",
	} {
		if _, _, err := LoadHostKey(path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadHostKey(%s): %v, want an error containing %q", filepath.Base(path), err, want)
		}
	}
}

// TestLoadHostKeyRefusesAnOpenFolder: a host key in a folder others can
// write to is refused (another user could put their key in its place); a
// folder with the sticky bit, as /tmp, is not.
func TestLoadHostKeyRefusesAnOpenFolder(t *testing.T) {
	open := filepath.Join(t.TempDir(), "open")
	if err := os.Mkdir(open, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o777); err != nil {
		t.Fatal(err)
	}
	_, _, err := LoadHostKey(filepath.Join(open, "k"))
	if err == nil || !strings.Contains(err.Error(), "in a folder others can write to") {
		t.Errorf("a host key in a 0777 folder: %v", err)
	}
	if err := os.Chmod(open, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadHostKey(filepath.Join(open, "k")); err != nil {
		t.Errorf("a host key in a sticky folder: %v", err)
	}
}

// TestLoadHostKeyRefusesAnotherUsersKey: as root, a key owned by another
// user is refused.
func TestLoadHostKeyRefusesAnotherUsersKey(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root can give a file to another user: skipping the owner check")
	}
	path := filepath.Join(t.TempDir(), "k")
	if _, _, err := LoadHostKey(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(path, 65534, 65534); err != nil {
		t.Skipf("chown: %v", err)
	}
	if _, _, err := LoadHostKey(path); err == nil || !strings.Contains(err.Error(), "belongs to another user") {
		t.Errorf("another user's host key: %v", err)
	}
}
