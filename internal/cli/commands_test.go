package cli_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestListJSON(t *testing.T) {
	h := newHarness(t)
	h.mustRun("import", corpusDir)
	// The text of each article, by ID, from the export.
	texts := map[string]string{}
	for _, rec := range jsonLines(t, h.mustRun("export", "--all").stdout) {
		var id, text string
		field(t, rec, "id", &id)
		field(t, rec, "text", &text)
		texts[id] = text
	}

	res := h.mustRun("list", "--json")
	recs := jsonLines(t, res.stdout)
	if len(recs) != corpusArticles {
		t.Fatalf("list --json has %d lines, want %d", len(recs), corpusArticles)
	}
	idRE := regexp.MustCompile(`^[0-9a-f]{16}$`)
	titles := map[string]bool{}
	for _, rec := range recs {
		var (
			id, title, status string
			length            int
			importedAt        time.Time
		)
		field(t, rec, "id", &id)
		field(t, rec, "title", &title)
		field(t, rec, "length", &length)
		field(t, rec, "status", &status)
		field(t, rec, "imported_at", &importedAt)
		if !idRE.MatchString(id) {
			t.Errorf("id %q is not 16 hex digits", id)
		}
		text, ok := texts[id]
		if !ok {
			t.Errorf("id %s is not among the exported articles", id)
		}
		if length != utf8.RuneCountInString(text) {
			t.Errorf("article %s: length %d, want %d code points", id, length, utf8.RuneCountInString(text))
		}
		if status != "todo" {
			t.Errorf("article %s: status %q, want todo", id, status)
		}
		if title == "" || strings.ContainsAny(title, "\r\n") {
			t.Errorf("article %s: title %q, want one non-empty line", id, title)
		}
		if importedAt.IsZero() {
			t.Errorf("article %s: imported_at is zero", id)
		}
		titles[title] = true
	}
	for _, want := range []string{
		"Harbour board approves new ferry timetable",
		"Weekly market moves to the old tram depot",
		"Lantern festival draws record crowd 😀",
		"افتتاح مكتبة جديدة في الحي الشرقي",
		"Rail line reopens after flood repairs",
	} {
		if !titles[want] {
			t.Errorf("no article titled %q in list --json", want)
		}
	}
}

func TestListTitleFromText(t *testing.T) {
	tests := []struct {
		name, content, want string
	}{
		{name: "first line", content: "Ferry fares frozen\nThe board agreed.\n", want: "Ferry fares frozen"},
		{name: "CRLF", content: "Ferry fares frozen\r\nThe board agreed.\r\n", want: "Ferry fares frozen"},
		{name: "leading blank lines", content: "\n\n  \nFerry fares frozen\n", want: "Ferry fares frozen"},
		{name: "markdown heading", content: "## Ferry fares frozen\n\nThe board agreed.\n", want: "Ferry fares frozen"},
		{
			name: "byte order mark", content: "\uFEFFFerry fares frozen\nThe board agreed.\n", want: "Ferry fares frozen",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.mustRun("import", h.write("a.txt", []byte(tt.content)))
			recs := jsonLines(t, h.mustRun("list", "--json").stdout)
			if len(recs) != 1 {
				t.Fatalf("%d articles, want 1", len(recs))
			}
			var title string
			field(t, recs[0], "title", &title)
			if title != tt.want {
				t.Errorf("title %+q, want %+q", title, tt.want)
			}
		})
	}
}

func TestCommands(t *testing.T) {
	tests := []struct {
		name     string
		imports  bool
		args     []string
		wantCode int
		// stdout and stderr must match these (multi-line) expressions.
		stdout, stderr string
	}{
		{name: "stats of an empty database", args: []string{"stats"}, stdout: `^articles: 0\nno annotations yet\n$`},
		{name: "stats", imports: true, args: []string{"stats"}, stdout: `^articles: 9\n`},
		{name: "stats --json", imports: true, args: []string{"stats", "--json"}, stdout: `"articles": 9,`},
		{name: "version", args: []string{"version"}, stdout: `^annotate \S+\n$`},
		{name: "help", args: []string{"help"}, stdout: `(?m)^Commands:\n(  \w+ +.+\n)+`},
		{name: "list", imports: true, args: []string{"list"}, stdout: `^ID +CHARS +STATUS \(tester\) +OTHERS +TITLE\n([0-9a-f]{16} +\d+ +todo +.+\n){9}$`},
		{name: "list of an empty database", args: []string{"list"}, stdout: `\(no articles: import some`},
		{name: "list --status done", imports: true, args: []string{"list", "--json", "--status", "done"}, stdout: `^$`},
		{name: "history of a new database", args: []string{"history"}, stdout: `^TIME +ANNOTATOR +ARTICLE +CHANGE\n$`},
		{name: "unknown command", args: []string{"annotat"}, wantCode: 2, stderr: `^annotate: unknown command "annotat"`},
		{name: "unknown --status", args: []string{"list", "--status", "finished"}, wantCode: 2, stderr: `^annotate list: unknown --status "finished"`},
		{name: "unknown export format", args: []string{"export", "--format", "xml"}, wantCode: 2, stderr: `^annotate export: unknown --format "xml"`},
		{name: "import without paths", args: []string{"import"}, wantCode: 2, stderr: `^annotate import: name the files or folders`},
		{name: "unknown flag", args: []string{"list", "--jsn"}, wantCode: 2, stderr: `flag provided but not defined: -jsn`},
		{
			name: "no command without a terminal", args: nil, wantCode: 2, stderr: `^annotate: the annotation screen needs a terminal`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if tt.imports {
				h.mustRun("import", corpusDir)
			}
			res := h.run(tt.args...)
			if res.code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstderr: %s", res.code, tt.wantCode, res.stderr)
			}
			if tt.stdout != "" && !regexp.MustCompile(tt.stdout).MatchString(res.stdout) {
				t.Errorf("stdout does not match %q:\n%s", tt.stdout, res.stdout)
			}
			if tt.stderr != "" && !regexp.MustCompile(tt.stderr).MatchString(res.stderr) {
				t.Errorf("stderr does not match %q:\n%s", tt.stderr, res.stderr)
			}
			if tt.stderr == "" && res.stderr != "" {
				t.Errorf("stderr %q, want nothing", res.stderr)
			}
			if strings.HasSuffix(tt.name, "--json") && !json.Valid([]byte(res.stdout)) {
				t.Errorf("stdout is not JSON:\n%s", res.stdout)
			}
		})
	}
}
