package serve

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	gossh "golang.org/x/crypto/ssh"

	"github.com/annotate-tool/annotate/internal/store"
)

// LoadHostKey reads the server's private host key from path, generating an
// ed25519 key there (mode 0600) when there is none, so that annotators'
// known_hosts entries stay valid across restarts. created says a new key
// was written. A key others can read is refused, as sshd refuses one: it
// would let them impersonate the server.
func LoadHostKey(path string) (signer gossh.Signer, created bool, err error) {
	// In a folder others may write to, another user could put their own
	// key in its place (a folder with the sticky bit, as /tmp, keeps
	// others from replacing a file they do not own).
	if di, err := os.Stat(filepath.Dir(path)); err == nil && di.Mode().Perm()&0o022 != 0 && di.Mode()&fs.ModeSticky == 0 {
		dir := filepath.Dir(path)
		return nil, false, fmt.Errorf("host key %s is in a folder others can write to (%s, mode %04o): chmod go-w %s, or keep the key elsewhere with --host-key", path, dir, di.Mode().Perm(), dir)
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		signer, err := createHostKey(path)
		return signer, err == nil, err
	case err != nil:
		return nil, false, fmt.Errorf("host key: %w", err)
	case !fi.Mode().IsRegular():
		return nil, false, fmt.Errorf("host key %s is %s, not a file", path, store.FileKind(fi.Mode()))
	case fi.Mode().Perm()&0o077 != 0:
		return nil, false, fmt.Errorf("host key %s can be read by others (mode %04o): chmod 600 %s", path, fi.Mode().Perm(), path)
	case !ownedBySelf(fi):
		return nil, false, fmt.Errorf("host key %s belongs to another user: the server's key must be its own (chown it, or keep the key elsewhere with --host-key)", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false, fmt.Errorf("host key: %w", err)
	}
	signer, err = gossh.ParsePrivateKey(data)
	if err != nil {
		return nil, false, fmt.Errorf("host key %s: %v: move it away to have a new one made", path, err)
	}
	return signer, false, nil
}

func createHostKey(path string) (gossh.Signer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate host key: %w", err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "annotate serve host key")
	if err != nil {
		return nil, fmt.Errorf("generate host key: %w", err)
	}
	// O_EXCL: two servers starting at once must not each write a key and
	// go on with different ones.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("write host key: %w", err)
	}
	if err := pem.Encode(f, block); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("write host key %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("write host key %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("write host key %s: %w", path, err)
	}
	return gossh.NewSignerFromKey(priv)
}

// ownedBySelf reports whether the file belongs to the user running the
// server (always, where the system does not say).
func ownedBySelf(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return !ok || int(st.Uid) == os.Geteuid()
}
