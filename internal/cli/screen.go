package cli

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"

	tea "charm.land/bubbletea/v2"

	"github.com/annotate-tool/annotate/internal/store/bolt"
	"github.com/annotate-tool/annotate/internal/tui"
)

func runScreen(e *env, args []string) error {
	fs := e.newFlags("")
	if _, err := e.parse(fs, args); err != nil {
		return err
	}
	if !e.interactive {
		return errUsage{"the annotation screen needs a terminal; use a command (annotate help) for scripts"}
	}
	db, _, err := e.open()
	if err != nil {
		return err
	}
	return openScreen(e, db)
}

// logger writes to $XDG_STATE_HOME/annotate/annotate.log, never to the
// terminal the screen draws on.
func (e *env) logger() (*slog.Logger, func()) {
	dir := e.getenv("XDG_STATE_HOME")
	if dir == "" {
		home := e.getenv("HOME")
		if home == "" {
			home, _ = os.UserHomeDir()
		}
		dir = filepath.Join(home, ".local", "state")
	}
	dir = filepath.Join(dir, "annotate")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return slog.New(slog.DiscardHandler), func() {}
	}
	f, err := os.OpenFile(filepath.Join(dir, "annotate.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return slog.New(slog.DiscardHandler), func() {}
	}
	return slog.New(slog.NewTextHandler(f, nil)), func() { f.Close() }
}

func openScreen(e *env, db *bolt.DB) error {
	_, schema, err := e.open()
	if err != nil {
		return err
	}
	log, closeLog := e.logger()
	defer closeLog()
	m := tui.New(tui.Options{
		Store: db, Schema: schema, Annotator: e.annotator, Location: db.Path(),
		NoColor: e.getenv("NO_COLOR") != "", Logger: log,
	})
	p := tea.NewProgram(m)
	if _, err := p.Run(); err != nil {
		if errors.Is(err, tea.ErrInterrupted) {
			return errInterrupted
		}
		return err
	}
	return nil
}
