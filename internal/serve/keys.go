package serve

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	gossh "golang.org/x/crypto/ssh"

	"github.com/annotate-tool/annotate/internal/model"
	"github.com/annotate-tool/annotate/internal/store"
)

// AuthorizedKeys are the annotators allowed in, read from a file in
// OpenSSH's authorized_keys format: one public key a line, the annotator's
// name in an annotator="NAME" option before the key or, without one, in
// the key's comment.
type AuthorizedKeys struct {
	// Path is the file the keys were read from, for messages.
	Path string
	// byKey maps a key's wire form to its entry.
	byKey map[string]authorizedKey
	names map[string]bool
}

type authorizedKey struct {
	annotator   string
	fingerprint string
	line        int
}

// Len is how many keys there are.
func (k *AuthorizedKeys) Len() int {
	if k == nil {
		return 0
	}
	return len(k.byKey)
}

// Annotators is how many different annotators the keys name.
func (k *AuthorizedKeys) Annotators() int {
	if k == nil {
		return 0
	}
	return len(k.names)
}

// Names are the annotators the keys name, sorted.
func (k *AuthorizedKeys) Names() []string {
	if k == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(k.names))
}

// HasAnnotator reports whether some key names the annotator.
func (k *AuthorizedKeys) HasAnnotator(name string) bool { return k != nil && k.names[name] }

// Lookup returns the annotator a key belongs to.
func (k *AuthorizedKeys) Lookup(key gossh.PublicKey) (annotator string, ok bool) {
	if k == nil || key == nil {
		return "", false
	}
	e, ok := k.byKey[string(key.Marshal())]
	return e.annotator, ok
}

// LoadAuthorizedKeys reads an authorized_keys file. It refuses anything but
// a regular file (a FIFO would wait forever) and names the file and line of
// the first line it cannot use.
func LoadAuthorizedKeys(path string) (*AuthorizedKeys, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("authorized keys: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("authorized keys %s is %s, not a file", path, store.FileKind(fi.Mode()))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("authorized keys: %w", err)
	}
	return ParseAuthorizedKeys(data, path)
}

// ParseAuthorizedKeys parses the lines of an authorized_keys file; path
// names it in messages ("keys:3: ...").
func ParseAuthorizedKeys(data []byte, path string) (*AuthorizedKeys, error) {
	k := &AuthorizedKeys{Path: path, byKey: map[string]authorizedKey{}, names: map[string]bool{}}
	for n, raw := range bytes.Split(data, []byte("\n")) {
		line := n + 1
		text := bytes.TrimSpace(bytes.TrimSuffix(raw, []byte("\r")))
		if len(text) == 0 || text[0] == '#' {
			continue
		}
		where := fmt.Sprintf("%s:%d", path, line)
		pub, comment, options, _, err := gossh.ParseAuthorizedKey(text)
		if err != nil {
			return nil, fmt.Errorf("%s: not an OpenSSH public key line (%v): copy the line from the annotator's .pub file", where, strings.TrimPrefix(err.Error(), "ssh: "))
		}
		name, err := annotatorOf(options, comment)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		fp := gossh.FingerprintSHA256(pub)
		wire := string(pub.Marshal())
		if prev, ok := k.byKey[wire]; ok {
			return nil, fmt.Errorf("%s: key %s is already on line %d (as %q): one key is one annotator", where, fp, prev.line, prev.annotator)
		}
		if err := model.SimilarAnnotator(name, k.Names()); err != nil {
			return nil, fmt.Errorf("%s: %w: give one annotator one name", where, err)
		}
		k.byKey[wire] = authorizedKey{annotator: name, fingerprint: fp, line: line}
		k.names[name] = true
	}
	return k, nil
}

// harmlessOptions restrict what annotate serve never offers anyway (it
// forwards nothing and runs no shell), so a line copied from a real
// authorized_keys file may keep them. Any other option (from=, command=,
// cert-authority, expiry-time=, ...) would promise a restriction or a
// meaning annotate does not carry out, so such a line is refused rather
// than obeyed only in part.
var harmlessOptions = map[string]bool{
	"restrict": true, "no-port-forwarding": true, "no-agent-forwarding": true,
	"no-x11-forwarding": true, "no-user-rc": true,
}

// annotatorOf finds the annotator's name in a line's options, else its
// comment, and checks it.
func annotatorOf(options []string, comment string) (string, error) {
	name, named := "", false
	for _, opt := range options {
		key, value, hasValue := strings.Cut(opt, "=")
		switch {
		case strings.EqualFold(key, "annotator") && hasValue:
			if named {
				return "", errors.New("two annotator= options: give one name a line")
			}
			v, ok := unquoteOption(value)
			if !ok {
				return "", fmt.Errorf("annotator=%s: put the name in double quotes, annotator=\"NAME\"", value)
			}
			name, named = v, true
		case harmlessOptions[strings.ToLower(opt)]:
		default:
			return "", fmt.Errorf("option %q is not one annotate serve carries out: remove it (annotate serve forwards nothing and runs no command; only annotator=\"NAME\" means something here)", key)
		}
	}
	what := "annotator name"
	if !named {
		name, what = comment, "annotator name (the key's comment)"
	}
	if err := CheckAnnotator(what, name); err != nil {
		if !named && strings.TrimSpace(name) == "" {
			return "", errors.New("no annotator name: add annotator=\"NAME\" before the key, or a comment after it")
		}
		return "", err
	}
	return name, nil
}

// unquoteOption undoes an option value's double quotes, in which OpenSSH
// allows \" for a quote.
func unquoteOption(v string) (string, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", false
	}
	return strings.ReplaceAll(v[1:len(v)-1], `\"`, `"`), true
}

// CheckAnnotator refuses a name no session may carry: one that cannot be
// an annotator's (model.CheckAnnotatorName: blank, a control or invisible
// character, white space at its ends), or the gold annotator review
// writes.
func CheckAnnotator(what, name string) error {
	if strings.TrimSpace(name) == "" {
		return fmt.Errorf("%s is blank", what)
	}
	if err := model.CheckAnnotatorName(name); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if name == model.GoldAnnotator {
		return fmt.Errorf("%s cannot be %q: that is where review writes adjudicated annotations", what, model.GoldAnnotator)
	}
	return nil
}
