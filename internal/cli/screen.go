package cli

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"slices"

	tea "charm.land/bubbletea/v2"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
	"github.com/annotate-tool/annotate/internal/suggest"
	"github.com/annotate-tool/annotate/internal/tui"
)

// screenFlags are the flags of annotate with no command: the common ones
// and the suggestion sources.
func screenFlags(e *env, src *suggestSources) *flag.FlagSet {
	fs := e.newFlags("")
	src.flags(fs)
	return fs
}

func runScreen(e *env, args []string) error {
	var src suggestSources
	fs := screenFlags(e, &src)
	if _, err := e.parse(fs, args); err != nil {
		return err
	}
	if !e.interactive {
		return errUsage{"the annotation screen needs a terminal; use a command (annotate help) for scripts"}
	}
	// A keys file that cannot be used stops the screen before the
	// database is opened (openScreenWith reads it for every screen).
	if _, _, err := e.keymap(); err != nil {
		return err
	}
	db, _, err := src.open(e)
	if err != nil {
		return err
	}
	return openScreen(e, db, &src)
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

// openScreen runs the screen on db; src (which may be nil) adds the
// user's patterns and a model server to the registry's suggestions.
func openScreen(e *env, db store.Store, src *suggestSources) error {
	return openScreenWith(e, db, src, nil)
}

// openScreenWith runs the screen, in review mode when review is set.
func openScreenWith(e *env, db store.Store, src *suggestSources, review *tui.ReviewOptions) error {
	_, schema, err := e.open()
	if err != nil {
		return err
	}
	keys, _, err := e.keymap()
	if err != nil {
		return err
	}
	log, closeLog := e.logger()
	defer closeLog()
	opts := tui.Options{
		Store: db, Schema: schema, Annotator: e.annotator, Location: e.location(),
		NoColor: e.getenv("NO_COLOR") != "", Logger: log, Review: review, NewAnnotatorAmong: e.othersIfNew(),
		Keys: keys,
		Suggest: func(text string, reg []model.RegistryEntry, a *model.Annotation) []suggest.Suggestion {
			var pats []suggest.Pattern
			if src != nil {
				pats = src.pats
			}
			return suggest.Suggest(text, reg, pats, a)
		},
	}
	if src != nil && src.client != nil {
		client, labels := src.client, src.labels
		// Only with --suggest-url does anything leave the machine.
		opts.ModelSuggest = func(ctx context.Context, art model.Article) ([]suggest.Suggestion, error) {
			return client.Predict(ctx, art, labels)
		}
	}
	m := tui.New(opts)
	p := tea.NewProgram(m)
	if _, err := p.Run(); err != nil {
		if errors.Is(err, tea.ErrInterrupted) {
			return errInterrupted
		}
		return err
	}
	return nil
}

// othersIfNew returns the database's annotators (gold aside) when the
// annotator is not one of them: the screen then asks before a new
// annotator starts. nil when the annotator is known or is the first.
func (e *env) othersIfNew() []string {
	if slices.Contains(e.annotators, e.annotator) {
		return nil
	}
	var others []string
	for _, n := range e.annotators {
		if n != model.GoldAnnotator {
			others = append(others, n)
		}
	}
	return others
}
