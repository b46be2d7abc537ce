package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/annotate-tool/annotate/internal/termtext"
	"github.com/annotate-tool/annotate/internal/tui"
)

// keymapPath is where the user's keymap file is:
// $XDG_CONFIG_HOME/annotate/keys.conf, else ~/.config/annotate/keys.conf.
func (e *env) keymapPath() string {
	dir := e.getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home := e.getenv("HOME")
		if home == "" {
			home, _ = os.UserHomeDir()
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "annotate", tui.KeymapFileName)
}

// keymap reads the user's keymap file: nil when there is none. A file
// that cannot be used is a usage error (exit 2) naming its line: the
// screen does not start on keys other than the ones asked for.
func (e *env) keymap() (*tui.KeyMap, string, error) {
	path := e.keymapPath()
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, path, nil
	}
	if err != nil {
		return nil, path, errUsage{fmt.Sprintf("keys file %s: %v: make it readable, or move it away to use the default keys", path, errors.Unwrap(err))}
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, path, errUsage{fmt.Sprintf("keys file %s is a folder: the keys file is a text file of lines ACTION = KEY …", path)}
	}
	km, err := tui.ParseKeymap(f)
	if err != nil {
		var ke *tui.KeymapError
		if errors.As(err, &ke) {
			return nil, path, errUsage{fmt.Sprintf("keys file %s:%d: %s: %s", path, ke.Line, ke.Msg, keymapAdvice(ke.Kind))}
		}
		return nil, path, errUsage{fmt.Sprintf("keys file %s: %v: make it readable, or move it away to use the default keys", path, err)}
	}
	return &km, path, nil
}

// keymapAdvice says what to do about a keymap file's line.
func keymapAdvice(kind error) string {
	switch kind {
	case tui.ErrKeymapSyntax:
		return "write one binding a line, ACTION = KEY [KEY…] (# starts a comment)"
	case tui.ErrUnknownAction:
		return "fix the name; `annotate keys` lists every action"
	case tui.ErrFixedAction:
		return "delete the line"
	case tui.ErrDuplicateAction:
		return "keep one of the two lines"
	case tui.ErrBadKey:
		return "fix the key"
	case tui.ErrKeyClash:
		return "give one of them another key"
	case tui.ErrKeyTypesText:
		return "there use a key that types nothing (ctrl+, alt+ or an F key)"
	}
	return "fix the line, or move the file away to use the default keys"
}

// runKeys prints the key bindings in force as a keymap file: every
// action's name, keys and what it does. A keys file that cannot be used
// is refused as the screen refuses it.
func runKeys(e *env, args []string) error {
	// The common flags are taken and unused, as by version.
	rest, err := e.parseFlags(e.newFlags("keys"), args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return errUsage{"keys takes no arguments: annotate keys"}
	}
	km, path, err := e.keymap()
	if err != nil {
		return err
	}
	out := termtext.Writer(e.stdout)
	from := "the default keys; no " + path
	if km != nil {
		from = "the defaults and " + path
	} else {
		d := tui.DefaultKeyMap()
		km = &d
	}
	fmt.Fprintf(out, "# annotate keys in force: %s\n", from)
	fmt.Fprintf(out, "# A line ACTION = KEY [KEY…] in %s replaces the action's keys; # starts a comment.\n\n", path)
	return km.WriteKeymap(out)
}
