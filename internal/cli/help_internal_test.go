package cli

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"regexp"
	"strings"
	"testing"
)

// TestHelpListsEveryFlag: each command's -h (and the screen's) lists
// every flag its flag set defines, on one line with the flag's value and
// its description, and nothing it does not define; a flag for annotate's
// own use (check --in-child) is left out.
func TestHelpListsEveryFlag(t *testing.T) {
	cmds := append(commands(), command{name: "", run: runScreen})
	for _, c := range cmds {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			e := &env{stdout: &out, stderr: io.Discard, getenv: func(string) string { return "" }}
			if err := c.run(e, []string{"--help"}); !errors.Is(err, flag.ErrHelp) {
				t.Fatalf("annotate %s --help: %v, want flag.ErrHelp", c.name, err)
			}
			if e.flags == nil {
				t.Fatal("the command made no flag set with newFlags")
			}
			help := out.String()
			listed := map[string]bool{}
			for _, line := range strings.Split(help, "\n") {
				if m := regexp.MustCompile(`^  --?([a-z][a-z0-9-]*)`).FindStringSubmatch(line); m != nil && !strings.HasPrefix(line, "  annotate") {
					listed[m[1]] = true
				}
			}
			n := 0
			e.flags.VisitAll(func(f *flag.Flag) {
				n++
				name, usage := flag.UnquoteUsage(f)
				if hiddenFlag(f) {
					if strings.Contains(help, "-"+f.Name) {
						t.Errorf("--%s is for annotate's own use, yet its help shows it", f.Name)
					}
					return
				}
				if strings.Contains(f.Usage, "\n") || strings.TrimSpace(usage) == "" {
					t.Errorf("--%s: its description %q is not one line", f.Name, f.Usage)
				}
				if name == "string" || name == "value" {
					t.Errorf("--%s: name its value with a `BACKQUOTED` word in its description", f.Name)
				}
				re := `(?m)^  ` + regexp.QuoteMeta(flagName(f.Name))
				if v := valueName(f); v != "" {
					re += " " + regexp.QuoteMeta(v)
				}
				re += `  +` + regexp.QuoteMeta(usage)
				if got := regexp.MustCompile(re).FindAllString(help, -1); len(got) != 1 {
					t.Errorf("--%s is on %d lines of the help, want one with its value and description:\n%s", f.Name, len(got), help)
				}
				delete(listed, f.Name)
			})
			for f := range listed {
				t.Errorf("the help lists --%s, which the command does not define", f)
			}
			if n < 3 {
				t.Errorf("the flag set has %d flags: not the command's", n)
			}
		})
	}
}
