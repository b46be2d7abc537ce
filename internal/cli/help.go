package cli

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/annotate-tool/annotate/docs"
)

// topic is one subject of the documentation: a page in docs/. `annotate
// help TOPIC` names the page and quotes its opening paragraph.
type topic struct {
	name string
	page string // the file in docs/
	// aliases are other words for the topic; never a command's name.
	aliases []string
}

// topics are the documentation's pages, in the order README's "Where to
// go next" lists them.
func topics() []topic {
	return []topic{
		{"screen", "screen.md", []string{"keys"}},
		{"commands", "commands.md", []string{"flags", "errors"}},
		{"import", "import.md", []string{"importing"}},
		{"formats", "formats.md", []string{"exports", "offsets", "native"}},
		{"review", "review.md", []string{"agreement", "gold", "adjudication"}},
		{"registry", "registry.md", []string{"suggestions", "patterns"}},
		{"team", "team.md", []string{"postgresql", "ssh", "overlap"}},
		{"database", "database.md", []string{"layout", "integrity"}},
		{"speed", "speed.md", []string{"benchmarks"}},
		{"schema", "schema.md", []string{"schemas"}},
		{"development", "development.md", []string{"tests", "ci"}},
	}
}

// docsDir is where the pages are, from the repository's root.
const docsDir = "docs/"

// commonFlags are the flags newFlags gives every command.
var commonFlags = []string{"db", "annotator", "schema"}

// hiddenFlag: a flag for annotate's own use (check's child), left out of
// the help.
func hiddenFlag(f *flag.Flag) bool { return strings.HasPrefix(f.Usage, "internal:") }

// findTopic finds a topic by its name or an alias.
func findTopic(name string) (topic, bool) {
	for _, t := range topics() {
		if t.name == name || slices.Contains(t.aliases, name) {
			return t, true
		}
	}
	return topic{}, false
}

func findCommand(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// runHelp is `annotate help [TOPIC|COMMAND]`: the overview, a topic's
// page and opening paragraph, or a command's flags (as COMMAND -h). A
// topic wins over a command of the same name (import, review, schema):
// its text says how to get the command's flags.
func runHelp(e *env, args []string) error {
	args, err := e.parseFlags(e.newFlags("help"), args)
	if err != nil {
		return err
	}
	switch {
	case len(args) == 0:
		return e.usage(e.stdout)
	case len(args) > 1:
		return errUsage{fmt.Sprintf("help takes one topic or command, got %d: %s", len(args), topicList())}
	}
	name := args[0]
	if t, ok := findTopic(name); ok {
		return e.topicHelp(t)
	}
	if c, ok := findCommand(name); ok {
		err := c.run(e, []string{"-h"})
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	return errUsage{fmt.Sprintf("unknown topic %q: %s", name, topicList())}
}

// topicList is the topics and commands help knows, on one line.
func topicList() string {
	var ts, cs []string
	for _, t := range topics() {
		ts = append(ts, t.name)
	}
	for _, c := range commands() {
		cs = append(cs, c.name)
	}
	return "topics are " + strings.Join(ts, ", ") + "; or name a command (" + strings.Join(cs, ", ") + ")"
}

// topicHelp prints where a topic is documented and the page's opening
// paragraph, then the commands it documents.
func (e *env) topicHelp(t topic) error {
	title, para, err := pageSummary(t.page)
	if err != nil {
		return err
	}
	w := e.stdout
	fmt.Fprintf(w, "%s: %s%s\n\n%s\n", title, docsDir, t.page, para)
	var names []string
	for _, c := range commands() {
		if c.topic == t.name {
			names = append(names, c.name)
		}
	}
	if t.name == "screen" {
		names = append([]string{"annotate with no command (annotate -h)"}, names...)
	}
	if len(names) > 0 {
		fmt.Fprintf(w, "\nCommands it documents: %s. `annotate COMMAND -h` lists a command's flags.\n", strings.Join(names, ", "))
	}
	return nil
}

var mdLink = regexp.MustCompile(`\[([^\]]+)\]\([^)]+\)`)

// pageSummary reads a page's title (its first line, `# Title`) and its
// opening paragraph, links shown as their text.
func pageSummary(page string) (title, paragraph string, err error) {
	data, err := docs.Pages.ReadFile(page)
	if err != nil {
		return "", "", fmt.Errorf("documentation page %s%s: %w", docsDir, page, err)
	}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	var lines []string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case title == "":
			title = strings.TrimPrefix(line, "# ")
		case strings.TrimSpace(line) == "":
			if len(lines) > 0 {
				return title, mdLink.ReplaceAllString(strings.Join(lines, "\n"), "$1"), nil
			}
		default:
			lines = append(lines, line)
		}
	}
	if len(lines) == 0 {
		return "", "", fmt.Errorf("documentation page %s%s has no opening paragraph", docsDir, page)
	}
	return title, mdLink.ReplaceAllString(strings.Join(lines, "\n"), "$1"), nil
}

// usage is `annotate help` and `annotate -h`: the commands, the topics,
// and the flags of the screen and of every command.
func (e *env) usage(w io.Writer) error {
	fmt.Fprintln(w, "annotate: tag entities, claims, reliability and incidents in news articles, by keyboard.")
	fmt.Fprintln(w, "\nUsage:")
	fmt.Fprintln(w, "  annotate [flags]                open the annotation screen")
	fmt.Fprintln(w, "  annotate COMMAND [flags] ...    run a command; `annotate COMMAND -h` lists its flags")
	fmt.Fprintln(w, "  annotate help [TOPIC|COMMAND]   where a topic is documented, or a command's flags")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nTopics (annotate help TOPIC names the page and quotes its opening):")
	for _, t := range topics() {
		title, _, err := pageSummary(t.page)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  %-12s %-22s %s\n", t.name, docsDir+t.page, title)
	}
	var src suggestSources
	fs := screenFlags(&env{getenv: e.getenv}, &src)
	fmt.Fprintln(w, "\nFlags of the screen (annotate with no command):")
	writeFlags(w, fs, false)
	fmt.Fprintln(w, "\nFlags every command takes (before or after the command):")
	writeFlags(w, fs, true)
	fmt.Fprintln(w, "\nStart with README.md; the rest is in docs/. Exit status: 0 success, 1 failure, 2 a mistake on the command line, 130 interrupted.")
	return nil
}

// commandHelp is `annotate COMMAND -h`: what it does, how it is called,
// each flag on one line, and where it is documented.
func (e *env) commandHelp(w io.Writer, fs *flag.FlagSet) error {
	name := strings.TrimSpace(strings.TrimPrefix(fs.Name(), "annotate"))
	c, ok := findCommand(name)
	if !ok {
		return e.usage(w) // the screen's flags are in the overview
	}
	fmt.Fprintf(w, "annotate %s: %s\n\nUsage:\n", c.name, c.summary)
	for _, u := range c.usage {
		fmt.Fprintf(w, "  %s\n", u)
	}
	if c.about != "" {
		fmt.Fprintf(w, "\n%s", c.about)
	}
	if hasFlags(fs, false) {
		fmt.Fprintln(w, "\nFlags:")
		writeFlags(w, fs, false)
	}
	fmt.Fprintln(w, "\nFlags every command takes:")
	writeFlags(w, fs, true)
	fmt.Fprintf(w, "\nDocumented in %s.\n", strings.Join(c.docs(), " and "))
	return nil
}

// docs are the pages (with anchors) that document the command.
func (c command) docs() []string {
	out := []string{docsDir + "commands.md#" + c.name}
	if t, ok := findTopic(c.topic); ok && t.page != "commands.md" {
		out = append(out, docsDir+t.page)
	}
	return out
}

func hasFlags(fs *flag.FlagSet, common bool) bool {
	has := false
	fs.VisitAll(func(f *flag.Flag) {
		has = has || (!hiddenFlag(f) && slices.Contains(commonFlags, f.Name) == common)
	})
	return has
}

// writeFlags writes the common flags, or the others, one line each:
// the flag with its value's name, then what it does and its default.
func writeFlags(w io.Writer, fs *flag.FlagSet, common bool) {
	type row struct{ left, right string }
	var rows []row
	width := 0
	fs.VisitAll(func(f *flag.Flag) {
		if hiddenFlag(f) || slices.Contains(commonFlags, f.Name) != common {
			return
		}
		left := flagName(f.Name)
		if v := valueName(f); v != "" {
			left += " " + v
		}
		_, text := flag.UnquoteUsage(f)
		if d := f.DefValue; d != "" && d != "false" && d != "0" && d != "0s" && d != "[]" {
			text += " (default " + d + ")"
		}
		rows = append(rows, row{left, text})
		width = max(width, len(left))
	})
	width = min(width, 24)
	for _, r := range rows {
		fmt.Fprintf(w, "  %-*s  %s\n", width, r.left, r.right)
	}
}

// flagName is how the help writes a flag: -o, --format.
func flagName(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// valueName names the value a flag takes: the usage's `BACKQUOTED` word,
// else by its type (D a duration, N a number, the flag's name in capitals
// otherwise); "" for a switch.
func valueName(f *flag.Flag) string {
	name, _ := flag.UnquoteUsage(f)
	switch name {
	case "":
		return ""
	case "duration":
		return "D"
	case "int", "uint", "int64", "uint64":
		return "N"
	case "string", "value", "float":
		return strings.ToUpper(f.Name)
	}
	return name
}
