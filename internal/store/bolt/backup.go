package bolt

import (
	"fmt"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the database to path while others may
// be using it: one read transaction's view (bbolt's Tx.WriteTo), written to
// a temporary file beside path and renamed when complete, so a failed
// backup never leaves half a file. It refuses to replace an existing path.
func (db *DB) Backup(path string) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("backup %s: the file exists: name a new file, or pass --force", path)
	}
	return db.backupTo(path)
}

// BackupOver is Backup that replaces an existing path.
func (db *DB) BackupOver(path string) error { return db.backupTo(path) }

func (db *DB) backupTo(path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".annotate-backup-*")
	if err != nil {
		return fmt.Errorf("backup %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	err = db.view(func(tx *txn) error {
		_, err := tx.WriteTo(tmp)
		return err
	})
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("backup %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("backup %s: %w", path, err)
	}
	return nil
}
