package cli

import (
	"github.com/annotate-tool/annotate/internal/store/bolt"
)

func runScreen(e *env, args []string) error {
	fs := e.newFlags("")
	if _, err := e.parse(fs, args); err != nil {
		return err
	}
	db, _, err := e.open()
	if err != nil {
		return err
	}
	return openScreen(e, db)
}

func openScreen(e *env, db *bolt.DB) error {
	return errUsage{"the annotation screen is not built yet: use annotate list, import and export"}
}
