package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// helpSection is the lines of `annotate help` under a heading, up to the
// next blank line.
func helpSection(t *testing.T, help, heading string) []string {
	t.Helper()
	_, after, ok := strings.Cut(help, "\n"+heading)
	if !ok {
		t.Fatalf("`annotate help` has no %q section:\n%s", heading, help)
	}
	after = after[strings.Index(after, "\n")+1:]
	block, _, _ := strings.Cut(after, "\n\n")
	return strings.Split(block, "\n")
}

// helpTopics are the topics `annotate help` lists, with their pages.
func helpTopics(t *testing.T) map[string]string {
	t.Helper()
	res := newHarness(t).run("help")
	if res.code != 0 {
		t.Fatalf("annotate help: exit %d\n%s", res.code, res.stderr)
	}
	topics := map[string]string{}
	for _, line := range helpSection(t, res.stdout, "Topics") {
		f := strings.Fields(line)
		if len(f) < 3 || !strings.HasPrefix(f[1], "docs/") {
			t.Fatalf("topic line %q: want NAME docs/PAGE.md TITLE", line)
		}
		topics[f[0]] = f[1]
	}
	if len(topics) < 8 {
		t.Fatalf("annotate help lists %d topics: %v", len(topics), topics)
	}
	return topics
}

// helpCommands are the commands `annotate help` lists.
func helpCommands(t *testing.T) []string {
	t.Helper()
	res := newHarness(t).run("help")
	var names []string
	for _, line := range helpSection(t, res.stdout, "Commands:") {
		names = append(names, strings.Fields(line)[0])
	}
	if len(names) < 15 {
		t.Fatalf("annotate help lists %d commands: %v", len(names), names)
	}
	return names
}

// TestHelpTopic: `annotate help TOPIC` names the topic's page, which
// exists, and quotes its opening paragraph; every page in docs/ is a
// topic's.
func TestHelpTopic(t *testing.T) {
	topics := helpTopics(t)
	for name, page := range topics {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("..", "..", page))
			if err != nil {
				t.Fatalf("topic %s names %s: %v", name, page, err)
			}
			res := newHarness(t).run("help", name)
			if res.code != 0 || res.stderr != "" {
				t.Fatalf("annotate help %s: exit %d\n%s", name, res.code, res.stderr)
			}
			if !strings.Contains(strings.SplitN(res.stdout, "\n", 2)[0], page) {
				t.Errorf("annotate help %s does not name %s on its first line:\n%s", name, page, res.stdout)
			}
			// The opening paragraph, as the page has it (links as text).
			_, body, _ := strings.Cut(string(data), "\n\n")
			para, _, _ := strings.Cut(body, "\n\n")
			para = regexp.MustCompile(`\[([^\]]+)\]\([^)]+\)`).ReplaceAllString(para, "$1")
			if len(strings.Fields(para)) < 20 {
				t.Errorf("%s opens with %q: want a paragraph that says what the page is about", page, para)
			}
			if !strings.Contains(res.stdout, para) {
				t.Errorf("annotate help %s does not quote the page's opening paragraph %q:\n%s", name, para, res.stdout)
			}
		})
	}
	pages, err := filepath.Glob(filepath.Join("..", "..", "docs", "*.md"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no pages in docs/: %v", err)
	}
	var named []string
	for _, p := range topics {
		named = append(named, p)
	}
	for _, p := range pages {
		if rel := "docs/" + filepath.Base(p); !slices.Contains(named, rel) {
			t.Errorf("%s is no topic's page in `annotate help`", rel)
		}
	}
}

// TestHelpUnknownTopic: a topic help does not know is a mistake on the
// command line: exit 2, one line listing the topics.
func TestHelpUnknownTopic(t *testing.T) {
	topics := helpTopics(t)
	for _, args := range [][]string{{"help", "nosuch"}, {"help", "screen", "formats"}} {
		res := newHarness(t).run(args...)
		if res.code != 2 || res.stdout != "" || strings.Count(strings.TrimSpace(res.stderr), "\n") != 0 {
			t.Errorf("annotate %q: exit %d, stdout %q, stderr %q; want 2 and one line", args, res.code, res.stdout, res.stderr)
		}
		for name := range topics {
			if !strings.Contains(res.stderr, name) {
				t.Errorf("annotate %q does not list topic %s: %s", args, name, res.stderr)
			}
		}
	}
}

// TestHelpNamesACommand: help with a command's name (that is no topic)
// is the command's own help.
func TestHelpNamesACommand(t *testing.T) {
	h := newHarness(t)
	res := h.run("help", "export")
	own := h.run("export", "--help")
	if res.code != 0 || own.code != 0 || res.stdout != own.stdout || !strings.Contains(res.stdout, "--format") {
		t.Errorf("annotate help export (exit %d):\n%s\nannotate export --help (exit %d):\n%s", res.code, res.stdout, own.code, own.stdout)
	}
}

// flagLine is one flag of a command's help: "  --format F  what it does".
var flagLine = regexp.MustCompile(`^  (--?[a-z][a-z0-9-]*)(?: \S+)?  +\S`)

// TestEveryCommandsHelp: `annotate COMMAND --help` exits 0 and writes to
// standard output what the command does, each flag on one line with what
// it does, and where it is documented (pages and headings that exist);
// its flags are the ones docs/commands.md gives the command.
func TestEveryCommandsHelp(t *testing.T) {
	commandsPage := readDoc(t, "docs/commands.md")
	for _, name := range helpCommands(t) {
		t.Run(name, func(t *testing.T) {
			for _, arg := range []string{"--help", "-h"} {
				res := newHarness(t).run(name, arg)
				if res.code != 0 || res.stderr != "" {
					t.Fatalf("annotate %s %s: exit %d, stderr %q", name, arg, res.code, res.stderr)
				}
			}
			res := newHarness(t).run(name, "--help")
			help := map[string]int{}
			for _, line := range strings.Split(res.stdout, "\n") {
				if m := flagLine.FindStringSubmatch(line); m != nil {
					help[strings.TrimLeft(m[1], "-")]++
				}
			}
			for _, common := range []string{"db", "annotator", "schema"} {
				if help[common] != 1 {
					t.Errorf("annotate %s --help lists --%s %d times, want once", name, common, help[common])
				}
			}
			for f, n := range help {
				if n != 1 {
					t.Errorf("annotate %s --help lists --%s %d times", name, f, n)
				}
			}
			// Where it is documented: pages and headings that exist.
			m := regexp.MustCompile(`(?m)^Documented in (.+)\.$`).FindStringSubmatch(res.stdout)
			if m == nil {
				t.Fatalf("annotate %s --help does not say where it is documented:\n%s", name, res.stdout)
			}
			for _, ref := range strings.Split(m[1], " and ") {
				page, anchor, _ := strings.Cut(ref, "#")
				if _, err := os.Stat(filepath.Join("..", "..", page)); err != nil {
					t.Errorf("annotate %s --help names %s: %v", name, ref, err)
				} else if anchor != "" && !slices.Contains(headingAnchors(readDoc(t, page)), anchor) {
					t.Errorf("annotate %s --help names %s: %s has no such heading", name, ref, page)
				}
			}
			// docs/commands.md's synopsis of the command names the same flags.
			section := docSection(commandsPage, "## "+name+"\n")
			if section == "" {
				t.Fatalf("docs/commands.md has no section ## %s", name)
			}
			synopsis := section[strings.Index(section, "```\n")+4:]
			synopsis = synopsis[:strings.Index(synopsis, "```")]
			documented := map[string]bool{}
			for _, f := range regexp.MustCompile(`(?:^|[\s\[|])--?([a-z][a-z0-9-]*)`).FindAllStringSubmatch(synopsis, -1) {
				documented[f[1]] = true
			}
			for f := range help {
				if !documented[f] && f != "db" && f != "schema" && f != "annotator" {
					t.Errorf("annotate %s --help lists --%s, which docs/commands.md's synopsis lacks:\n%s", name, f, synopsis)
				}
			}
			for f := range documented {
				if help[f] == 0 {
					t.Errorf("docs/commands.md's synopsis of %s names --%s, which its --help does not list", name, f)
				}
			}
		})
	}
}

// TestScreenHelp: the screen's flags are in `annotate -h` (and `annotate
// help`), with the flags every command takes.
func TestScreenHelp(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"help"}, {"--db", "x.db", "--help"}} {
		res := newHarness(t).run(args...)
		if res.code != 0 {
			t.Fatalf("annotate %q: exit %d\n%s", args, res.code, res.stderr)
		}
		for _, f := range []string{"--patterns", "--suggest-url", "--suggest-timeout", "--db", "--annotator", "--schema"} {
			if !regexp.MustCompile(`(?m)^  ` + f + `( \S+)?  +\S`).MatchString(res.stdout) {
				t.Errorf("annotate %q does not list %s on a line of its own:\n%s", args, f, res.stdout)
			}
		}
	}
}

// TestVersionTakesTheCommonFlags: every command takes --db, --annotator
// and --schema, before or after it; version did not.
func TestVersionTakesTheCommonFlags(t *testing.T) {
	h := newHarness(t)
	for _, args := range [][]string{{"--db", "x.db", "version"}, {"version", "--annotator", "bob"}} {
		if res := h.run(args...); res.code != 0 || !strings.HasPrefix(res.stdout, "annotate ") {
			t.Errorf("annotate %q: exit %d, stdout %q, stderr %q", args, res.code, res.stdout, res.stderr)
		}
	}
	if res := h.run("version", "extra"); res.code != 2 {
		t.Errorf("annotate version extra: exit %d, want 2", res.code)
	}
}

// TestAFlagMistakeIsOneLine: an unknown flag, or one without its value,
// is one line saying how to see the flags; the flags are not dumped.
func TestAFlagMistakeIsOneLine(t *testing.T) {
	for _, args := range [][]string{{"list", "--jsn"}, {"export", "--format"}, {"--nosuch"}, {"agree", "--date-window", "x"}} {
		res := newHarness(t).run(args...)
		if res.code != 2 || strings.Count(strings.TrimSpace(res.stderr), "\n") != 0 || !strings.Contains(res.stderr, "-h` lists the flags") {
			t.Errorf("annotate %q: exit %d, stderr %q; want 2 and one line pointing at -h", args, res.code, res.stderr)
		}
	}
}
