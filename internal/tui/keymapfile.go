package tui

// The keymap file rebinds actions by name, one a line:
//
//	# comments start with #
//	queue.search   = / ctrl+s
//	form.evidence  = alt+e F2
//
// The keys after = replace the action's keys; an action left out keeps its
// defaults. ParseKeymap returns facts (KeymapError, with the line and one
// of the Err… kinds); the command line names the file and says what to do.

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
)

// What is wrong on a line of a keymap file.
var (
	ErrKeymapSyntax    = errors.New("not a binding")
	ErrUnknownAction   = errors.New("unknown action")
	ErrFixedAction     = errors.New("action that cannot be rebound")
	ErrDuplicateAction = errors.New("action bound twice")
	ErrBadKey          = errors.New("not a key")
	ErrKeyClash        = errors.New("key of two actions")
	ErrKeyTypesText    = errors.New("key that types text")
)

// KeymapError is a line of a keymap file that cannot be used.
type KeymapError struct {
	Line int
	// Kind is one of the Err… values above.
	Kind error
	// Msg says what is wrong, naming the action(s) and key.
	Msg string
}

func (e *KeymapError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }
func (e *KeymapError) Unwrap() error { return e.Kind }

// KeymapFileName is the keymap file's name in the user's config folder
// ($XDG_CONFIG_HOME/annotate/, else ~/.config/annotate/).
const KeymapFileName = "keys.conf"

// maxKeymapLine bounds a line: a keymap file is a few hundred bytes a line
// at most, and anything longer is not one.
const maxKeymapLine = 4096

// ParseKeymap reads a keymap file and returns the default key map with
// its rebindings. The first line that cannot be used is the error: an
// unknown action or key, an action bound twice or one that cannot be
// rebound, and a key that two actions of one focus would share or that
// would type text in a form or a prompt.
func ParseKeymap(r io.Reader) (KeyMap, error) {
	km := DefaultKeyMap()
	type rebinding struct {
		line int
		keys []string
	}
	bound := map[string]rebinding{}
	var order []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1024), maxKeymapLine)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if !utf8.ValidString(line) {
			return km, &KeymapError{n, ErrKeymapSyntax, "the line is not UTF-8 text"}
		}
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, rest, ok := strings.Cut(line, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		if !ok || name == "" || strings.ContainsFunc(name, unicode.IsSpace) {
			return km, &KeymapError{n, ErrKeymapSyntax, fmt.Sprintf("%q is not ACTION = KEY [KEY…]", line)}
		}
		if err := km.rebindable(name); err != nil {
			err.Line = n
			return km, err
		}
		if prev, ok := bound[name]; ok {
			return km, &KeymapError{n, ErrDuplicateAction, fmt.Sprintf("%s is bound again (first on line %d)", name, prev.line)}
		}
		var keys []string
		for _, tok := range strings.Fields(rest) {
			if strings.HasPrefix(tok, "#") {
				break // a comment to the end of the line
			}
			k, err := ParseKey(tok)
			if err != nil {
				return km, &KeymapError{n, ErrBadKey, fmt.Sprintf("%s: %v", name, err)}
			}
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
		if len(keys) == 0 {
			return km, &KeymapError{n, ErrKeymapSyntax, fmt.Sprintf("%s has no key after =", name)}
		}
		bound[name] = rebinding{n, keys}
		order = append(order, name)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return km, &KeymapError{n + 1, ErrKeymapSyntax, fmt.Sprintf("the line is longer than %d bytes", maxKeymapLine)}
		}
		return km, err
	}
	for _, name := range order {
		b, _ := km.action(name)
		if slices.Equal(b.Keys(), bound[name].keys) {
			continue // as it was: the hint as it was too
		}
		twice := saidTwice(b.Help().Key)
		b.SetKeys(bound[name].keys...)
		b.SetHelp(helpLabel(bound[name].keys, twice), b.Help().Desc)
	}
	km.mirror()
	// The clash to report is the first the file makes, by line.
	lineOf := func(name string) int { return bound[name].line }
	cs := km.clashes()
	if len(cs) == 0 {
		return km, nil
	}
	last := func(c clash) int { return max(lineOf(c.first), lineOf(c.second)) }
	c := slices.MinFunc(cs, func(a, b clash) int { return cmp.Compare(last(a), last(b)) })
	where := focusSpecs[c.focus].name
	if c.second == "" {
		return km, &KeymapError{last(c), ErrKeyTypesText, fmt.Sprintf("%s on %s: %s types text in %s", c.first, c.key, c.key, where)}
	}
	said := func(name string) string {
		if l := lineOf(name); l > 0 {
			return fmt.Sprintf("%s (line %d)", name, l)
		}
		return name + " (by default)"
	}
	return km, &KeymapError{last(c), ErrKeyClash, fmt.Sprintf("%s is the key of both %s and %s in %s", c.key, said(c.first), said(c.second), where)}
}

// rebindable checks that a keymap file may name an action (the error's
// line is the caller's to set).
func (km *KeyMap) rebindable(name string) *KeymapError {
	if why, ok := fixedActions[name]; ok {
		return &KeymapError{Kind: ErrFixedAction, Msg: fmt.Sprintf("%s cannot be rebound: %s", name, why)}
	}
	if _, ok := km.action(name); ok {
		return nil
	}
	if src, ok := mirrorOf[name]; ok {
		return &KeymapError{Kind: ErrUnknownAction, Msg: fmt.Sprintf("%s is not an action of its own: it is %s", name, src)}
	}
	msg := fmt.Sprintf("no action is called %q", name)
	if near := km.nearest(name); near != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", near)
	}
	return &KeymapError{Kind: ErrUnknownAction, Msg: msg}
}

// mirrorOf names the action each mirrored binding follows.
var mirrorOf = map[string]string{"review.help": "global.help", "review.save": "prompt.confirm", "review.cancel": "prompt.cancel"}

// nearest is the action name closest to a misspelt one; "" when none is
// close.
func (km *KeyMap) nearest(name string) string {
	best, bestD := "", 0
	for _, a := range km.actions() {
		d := editDistance(name, a.name)
		if _, act, ok := strings.Cut(a.name, "."); ok && act == name {
			d = 1 // the group left out
		}
		if best == "" || d < bestD {
			best, bestD = a.name, d
		}
	}
	if bestD > max(2, utf8.RuneCountInString(name)/4) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance of two names.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// modifiers in the order Bubble Tea spells them.
var modifiers = []struct {
	name string
	mod  tea.KeyMod
}{{"ctrl", tea.ModCtrl}, {"alt", tea.ModAlt}, {"shift", tea.ModShift}, {"meta", tea.ModMeta}, {"hyper", tea.ModHyper}, {"super", tea.ModSuper}}

// namedKeys are the keys Bubble Tea names (enter, esc, f1 …), by name:
// read from Bubble Tea itself, so a name it would not report is refused.
var namedKeys = func() map[string]rune {
	out := map[string]rune{}
	add := func(r rune) {
		name := tea.Key{Code: r}.Keystroke()
		if len(name) > 1 && strings.IndexFunc(name, func(c rune) bool {
			return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_')
		}) < 0 {
			out[name] = r
		}
	}
	for r := rune(0); r <= 0x7f; r++ {
		add(r)
	}
	for r := tea.KeyExtended; r < tea.KeyExtended+1024; r++ {
		add(r)
	}
	return out
}()

// keyAliases are other names people write for keys.
var keyAliases = map[string]string{"escape": "esc", "return": "enter", "del": "delete", "pgdn": "pgdown",
	"pageup": "pgup", "pagedown": "pgdown", "ins": "insert", "hash": "#"}

// ParseKey reads a key as a keymap file writes it ("ctrl+x", "alt+e",
// "f2", "A", "space", "hash" for #) and returns it as Bubble Tea reports
// it, which is how bindings match: modifiers in Bubble Tea's order,
// shift+letter as the capital letter.
func ParseKey(s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf("empty key")
	}
	var mod tea.KeyMod
	base := s
	for {
		i := strings.IndexByte(base, '+')
		if i <= 0 || i == len(base)-1 {
			break // no modifier left, or the + key itself
		}
		m := strings.ToLower(base[:i])
		j := slices.IndexFunc(modifiers, func(x struct {
			name string
			mod  tea.KeyMod
		}) bool {
			return x.name == m
		})
		if j < 0 {
			return "", fmt.Errorf("%q: %q is not a modifier (ctrl, alt, shift, meta, hyper, super)", s, base[:i])
		}
		mod |= modifiers[j].mod
		base = base[i+1:]
	}
	if a, ok := keyAliases[strings.ToLower(base)]; ok {
		base = a
	}
	if r, ok := namedKeys[strings.ToLower(base)]; ok {
		k := tea.Key{Code: r, Mod: mod}
		if r == tea.KeySpace && mod == 0 {
			k.Text = " "
		}
		return k.String(), nil
	}
	r, size := utf8.DecodeRuneInString(base)
	if size != len(base) || r == utf8.RuneError || !unicode.IsPrint(r) || unicode.IsSpace(r) {
		return "", fmt.Errorf("%q is not a key: write one character, or a key's name (enter, esc, tab, space, backspace, delete, up, pgdown, home, f1 …), with ctrl+, alt+ or shift+ before it", s)
	}
	switch {
	case mod == tea.ModShift && unicode.IsLower(r):
		// A terminal reports shift+a as the capital it types.
		return string(unicode.ToUpper(r)), nil
	case mod == tea.ModShift:
		return "", fmt.Errorf("%q: write the character shift types (a capital letter, or ! for shift+1 …)", s)
	case mod != 0 && unicode.IsUpper(r):
		// ctrl+A is ctrl+shift+a.
		mod |= tea.ModShift
		r = unicode.ToLower(r)
	}
	k := tea.Key{Code: r, Mod: mod}
	if mod == 0 {
		k.Text = string(r)
	}
	return k.String(), nil
}

// WriteKeymap writes the bindings of km as a keymap file: every action,
// its keys and what it does, by group; the actions that cannot be rebound
// as comments.
func (km KeyMap) WriteKeymap(w io.Writer) error {
	bw := bufio.NewWriter(w)
	group := ""
	for _, a := range km.actions() {
		g, _, _ := strings.Cut(a.name, ".")
		if g != group {
			if group != "" {
				fmt.Fprintln(bw)
			}
			fmt.Fprintf(bw, "# %s\n", groupTitles[g])
			group = g
		}
		keys := make([]string, len(a.b.Keys()))
		for i, k := range a.b.Keys() {
			keys[i] = fileKey(k)
		}
		line := fmt.Sprintf("%-28s = %s", a.name, strings.Join(keys, " "))
		if _, fixed := fixedActions[a.name]; fixed {
			line = "# " + line
		}
		fmt.Fprintf(bw, "%-52s # %s\n", line, a.b.Help().Desc)
	}
	return bw.Flush()
}

// fileKey is a key as a keymap file writes it: # is hash (# starts a
// comment).
func fileKey(k string) string {
	if strings.HasSuffix(k, "#") {
		return strings.TrimSuffix(k, "#") + "hash"
	}
	return k
}

// groupTitles say what each group's keys act on.
var groupTitles = map[string]string{
	"global":  "Everywhere",
	"queue":   "The queue of articles",
	"article": "The article: move, select, tag",
	"side":    "The side pane (the tab keys on every tab, the others on Entities)",
	"list":    "The Claims, Sources and Incidents tabs",
	"form":    "Claim, source and incident forms (printable keys type)",
	"prompt":  "Prompts: search, label picker; confirm and cancel also end a review comment",
	"review":  "The Review tab",
}

// Markdown is the key tables of km, one per group, for the documentation:
// action name, keys and what it does.
func (km KeyMap) Markdown() string {
	var b strings.Builder
	group := ""
	for _, a := range km.actions() {
		g, _, _ := strings.Cut(a.name, ".")
		if g != group {
			if group != "" {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "### %s\n\n| Action | Keys | Does |\n|---|---|---|\n", groupTitles[g])
			group = g
		}
		keys := make([]string, len(a.b.Keys()))
		for i, k := range a.b.Keys() {
			keys[i] = codeSpan(k)
		}
		if digitRun(a.b.Keys()) {
			keys = []string{codeSpan(helpLabel(a.b.Keys(), false))}
		}
		name := "`" + a.name + "`"
		if _, fixed := fixedActions[a.name]; fixed {
			name += " (fixed)"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", name, strings.ReplaceAll(strings.Join(keys, " "), "|", "\\|"), strings.ReplaceAll(a.b.Help().Desc, "|", "\\|"))
	}
	return b.String()
}

// codeSpan is s as Markdown code: a backtick inside takes a double fence.
func codeSpan(s string) string {
	if strings.Contains(s, "`") {
		return "`` " + s + " ``"
	}
	return "`" + s + "`"
}
