//go:build unix

package bolt

import (
	"os"
	"syscall"
)

// releaseLock drops the file lock bbolt took on f and closes it, after a
// panic left bbolt unable to close itself.
func releaseLock(f *os.File) {
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	_ = f.Close()
}
