package cli

import (
	"fmt"

	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/store/bolt"
)

// runBackup writes a consistent copy of the database while it may be in
// use, then opens the copy read-only and checks it.
func runBackup(e *env, args []string) error {
	fs := e.newFlags("backup")
	force := fs.Bool("force", false, "replace FILE if it exists")
	rest, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errUsage{"backup writes one copy: annotate backup FILE"}
	}
	target := rest[0]
	db, err := e.openBolt("backup", "for PostgreSQL use pg_dump, or annotate copy to write a bbolt file", false)
	if err != nil {
		return err
	}
	defer db.Close()
	articles, annotations, err := writeBackup(e, db, target, *force)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backed up to %s (%d articles, %d annotations); checked\n", target, articles, annotations)
	return nil
}

// writeBackup writes a copy of db to target (replacing it when force),
// opens the copy read-only and checks it, and returns how many articles
// and annotations it holds.
func writeBackup(e *env, db *bolt.DB, target string, force bool) (articles, annotations int, err error) {
	if force {
		err = db.BackupOver(target)
	} else {
		err = db.Backup(target)
	}
	if err != nil {
		return 0, 0, err
	}
	copyDB, err := bolt.OpenReadOnly(target, bolt.Options{LockTimeout: e.lockTimeout})
	if err != nil {
		return 0, 0, fmt.Errorf("backup %s was written but does not open: %w", target, err)
	}
	defer copyDB.Close()
	problems, err := copyDB.Check()
	if err != nil {
		return 0, 0, fmt.Errorf("backup %s was written but cannot be checked: %w", target, err)
	}
	if len(problems) > 0 {
		return 0, 0, fmt.Errorf("backup %s was written but check finds %d problems (the first: %s): the database itself may be damaged, run annotate check", target, len(problems), problems[0])
	}
	err = copyDB.Each(store.Filter{All: true}, func(r store.Record) error {
		articles++
		annotations += len(r.Annotations)
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("backup %s: %w", target, err)
	}
	return articles, annotations, nil
}
