//go:build !unix

package bolt

import "os"

// releaseLock closes f after a panic left bbolt unable to close itself.
func releaseLock(f *os.File) { _ = f.Close() }
