package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/store/bolt"
	"github.com/annotate-tool/annotate/internal/store/postgres"
	"github.com/annotate-tool/annotate/internal/termtext"
)

const copyUsage = "annotate copy [--replace] SRC DST (each a bbolt file or a postgres:// URL)"

// runCopy copies a whole database, bbolt or PostgreSQL, into another of
// either kind (store.CopyAll): articles in import order, annotations with
// their history and undo and redo stacks, the registry with its history,
// the schema. The destination must hold nothing unless --replace is
// given; either way it changes only when the whole copy is written: a
// bbolt copy is written to a new file beside the destination, checked,
// and renamed into place; a PostgreSQL copy is one transaction. Then the
// copy is checked and a summary printed.
func runCopy(e *env, args []string) error {
	fs := e.newFlags("copy")
	replace := fs.Bool("replace", false, "replace what the destination holds (without it, a destination holding anything is refused)")
	rest, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 2 {
		return errUsage{"copy takes the database to read and the one to write: " + copyUsage}
	}
	srcName, dstName := rest[0], rest[1]
	if sameDatabase(srcName, dstName) {
		return errUsage{fmt.Sprintf("%s is both the source and the destination: name another destination", postgres.Redact(srcName))}
	}
	src, err := openSource(e, srcName)
	if err != nil {
		return err
	}
	defer src.Close()
	var n store.CopyCounts
	if postgres.IsURL(dstName) {
		n, err = copyToPostgres(src, dstName, *replace)
	} else {
		n, err = copyToFile(e, src, dstName, *replace)
	}
	if err != nil {
		return err
	}
	schema := "no schema"
	if n.Schema {
		schema = "the schema"
	}
	fmt.Fprintln(e.stdout, termtext.Line(fmt.Sprintf("copied %s to %s: %d %s, %d %s (%d %s), %d registry %s (%d %s), %s; checked",
		postgres.Redact(srcName), postgres.Redact(dstName),
		n.Articles, plural(n.Articles, "article", "articles"),
		n.Annotations, plural(n.Annotations, "annotation", "annotations"), n.History, plural(n.History, "change", "changes"),
		n.Registry, plural(n.Registry, "entry", "entries"), n.RegistryHistory, plural(n.RegistryHistory, "change", "changes"), schema)))
	return nil
}

// sameDatabase reports whether two names are one database: one URL, or
// one file.
func sameDatabase(a, b string) bool {
	if postgres.IsURL(a) || postgres.IsURL(b) {
		return a == b
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(fa, fb)
	}
	return filepath.Clean(a) == filepath.Clean(b)
}

// openSource opens the database to copy from: a bbolt file read-only
// (never upgraded in place), or PostgreSQL.
func openSource(e *env, name string) (store.CopyStore, error) {
	if postgres.IsURL(name) {
		return postgres.Open(context.Background(), name)
	}
	return bolt.OpenReadOnly(name, bolt.Options{LockTimeout: e.lockTimeout})
}

// checked runs Check on a copy and turns its problems into one error.
func checked(db store.Store) error {
	problems, err := db.Check()
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("check finds %d %s in the copy (the first: %s): the source may be damaged, run annotate check on it", len(problems), plural(len(problems), "problem", "problems"), problems[0])
	}
	return nil
}

func copyToPostgres(src store.CopyStore, url string, replace bool) (store.CopyCounts, error) {
	name := postgres.Redact(url)
	dst, err := postgres.Open(context.Background(), url)
	if err != nil {
		return store.CopyCounts{}, err
	}
	defer dst.Close()
	if !replace {
		if empty, err := dst.Empty(); err != nil {
			return store.CopyCounts{}, err
		} else if !empty {
			return store.CopyCounts{}, fmt.Errorf("copy: %s already holds a database: pass --replace to replace what it holds (in one transaction, with the copy), or name an empty one", name)
		}
	}
	n, err := store.CopyAll(src, dst, replace)
	if err != nil {
		return n, fmt.Errorf("copy to %s: %w (nothing was written)", name, err)
	}
	if err := checked(dst); err != nil {
		return n, fmt.Errorf("copy to %s: the copy is written, but %w", name, err)
	}
	return n, nil
}

// copyToFile writes the copy to a new file beside path, checks it and
// renames it to path, so path changes only when the copy is complete.
func copyToFile(e *env, src store.CopyStore, path string, replace bool) (store.CopyCounts, error) {
	var n store.CopyCounts
	if fi, err := os.Stat(path); err == nil {
		if !fi.Mode().IsRegular() {
			return n, fmt.Errorf("copy: %s %w", path, errNotRegular(fi))
		}
		old, err := bolt.OpenReadOnly(path, bolt.Options{LockTimeout: e.lockTimeout})
		if err != nil {
			return n, fmt.Errorf("copy: %s exists and is not an annotate database (%v): name a new file", path, err)
		}
		empty, err := old.Empty()
		old.Close()
		if err != nil {
			return n, err
		}
		if !empty && !replace {
			return n, fmt.Errorf("copy: %s already holds a database: pass --replace to replace it (the file is replaced only once the copy is complete and checked), or name a new file", path)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return n, fmt.Errorf("copy: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return n, fmt.Errorf("copy: %w", err)
	}
	f, err := os.CreateTemp(dir, ".annotate-copy-*.db")
	if err != nil {
		return n, fmt.Errorf("copy: %w", err)
	}
	tmp := f.Name()
	f.Close()
	os.Remove(tmp) // bbolt creates it (an empty file is refused as damaged)
	defer os.Remove(tmp)
	dst, err := bolt.Open(tmp, bolt.Options{LockTimeout: e.lockTimeout})
	if err != nil {
		return n, fmt.Errorf("copy: %w", err)
	}
	n, err = store.CopyAll(src, dst, false)
	if err == nil {
		err = checked(dst)
	}
	dst.Close()
	if err != nil {
		return n, fmt.Errorf("copy to %s: %w (%s is left as it was)", path, err, path)
	}
	if err := os.Rename(tmp, path); err != nil {
		return n, fmt.Errorf("copy: %w", err)
	}
	return n, nil
}
