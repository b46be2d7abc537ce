package cli_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// root is the repository's root, from this package.
var root = filepath.Join("..", "..")

// readDoc reads a file by its path from the repository's root.
func readDoc(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(path)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// docSection is the text from a heading line (which must start a line)
// to the next heading of the same level or above, "" when it is absent.
func docSection(doc, heading string) string {
	i := strings.Index(doc, "\n"+heading)
	if i < 0 {
		return ""
	}
	s := doc[i+1:]
	level := strings.Index(heading, " ")
	for j := len(heading); j < len(s); {
		k := strings.Index(s[j:], "\n#")
		if k < 0 {
			break
		}
		j += k + 1
		n := 0
		for n < len(s)-j && s[j+n] == '#' {
			n++
		}
		if n <= level && j+n < len(s) && s[j+n] == ' ' && !inFence(s[:j]) {
			return s[:j]
		}
	}
	return s
}

// inFence says whether text ends inside a ``` block.
func inFence(text string) bool {
	n := 0
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			n++
		}
	}
	return n%2 == 1
}

// outsideFences is the lines of a Markdown text that are not in ``` blocks.
func outsideFences(doc string) []string {
	var out []string
	fenced := false
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if !fenced {
			out = append(out, line)
		}
	}
	return out
}

// headingAnchors are the anchors GitHub gives a page's headings: lower
// case, letters, digits, - and _ kept, spaces as -, others dropped; a
// repeated one gets -1, -2, ...
func headingAnchors(doc string) []string {
	var out []string
	seen := map[string]int{}
	for _, line := range outsideFences(doc) {
		text, ok := strings.CutPrefix(strings.TrimLeft(line, "#"), " ")
		if !ok || !strings.HasPrefix(line, "#") {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(strings.TrimSpace(text)) {
			switch {
			case unicode.IsLetter(r), unicode.IsDigit(r), r == '-', r == '_':
				b.WriteRune(r)
			case r == ' ':
				b.WriteRune('-')
			}
		}
		a := b.String()
		if n := seen[a]; n > 0 {
			seen[a] = n + 1
			a = fmt.Sprintf("%s-%d", a, n)
		} else {
			seen[a] = 1
		}
		out = append(out, a)
	}
	return out
}

// docPages are README.md and docs/*.md, by path from the root.
func docPages(t *testing.T) []string {
	t.Helper()
	pages, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no pages in docs/: %v", err)
	}
	out := []string{"README.md"}
	for _, p := range pages {
		out = append(out, "docs/"+filepath.Base(p))
	}
	return out
}

var mdLinkTarget = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// relativeLinks are a page's links that are not to the web.
func relativeLinks(doc string) []string {
	var out []string
	for _, line := range outsideFences(doc) {
		for _, m := range mdLinkTarget.FindAllStringSubmatch(line, -1) {
			if !regexp.MustCompile(`^[a-z]+:`).MatchString(m[1]) {
				out = append(out, m[1])
			}
		}
	}
	return out
}

// TestReadmeIsTheFrontDoor: README is read in five minutes (under 300
// lines), starts with the set-up commands, keeps the test command CI
// runs, and links every page in docs/.
func TestReadmeIsTheFrontDoor(t *testing.T) {
	readme := readDoc(t, "README.md")
	if n := strings.Count(readme, "\n"); n >= 300 {
		t.Errorf("README.md has %d lines: keep it under 300 and move the rest to docs/", n)
	}
	for _, cmd := range []string{"go run ./cmd/annotate demo", "go test ./...", "bash .ci/run"} {
		if !strings.Contains(readme, cmd) {
			t.Errorf("README.md lacks %q", cmd)
		}
	}
	// The set-up commands are in the first section after the opening.
	sections := strings.Split(readme, "\n## ")
	if len(sections) < 2 || !strings.Contains(sections[1], "go run ./cmd/annotate demo") || !strings.Contains(sections[1], "go test ./...") {
		t.Errorf("README.md's first section should hold the set-up commands")
	}
	links := relativeLinks(readme)
	for _, page := range docPages(t)[1:] {
		if !slices.ContainsFunc(links, func(l string) bool { return strings.SplitN(l, "#", 2)[0] == page }) {
			t.Errorf("README.md does not link %s", page)
		}
	}
}

// TestDocsLinksResolve: every relative link in README and docs/*.md
// points at a file that exists, and at a heading that exists there.
func TestDocsLinksResolve(t *testing.T) {
	for _, page := range docPages(t) {
		doc := readDoc(t, page)
		links := relativeLinks(doc)
		if len(links) == 0 {
			t.Errorf("%s links nowhere", page)
		}
		for _, link := range links {
			target, anchor, _ := strings.Cut(link, "#")
			path := page
			if target != "" {
				path = filepath.ToSlash(filepath.Join(filepath.Dir(page), target))
			}
			data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(path)))
			if err != nil {
				t.Errorf("%s links to %s: %v", page, link, err)
				continue
			}
			if anchor != "" && !slices.Contains(headingAnchors(string(data)), anchor) {
				t.Errorf("%s links to %s: %s has no heading with anchor #%s", page, link, path, anchor)
			}
		}
	}
}

// TestHeadingAnchors: the anchors are GitHub's.
func TestHeadingAnchors(t *testing.T) {
	doc := "# Formats\n\n## spacy (Prodigy/spaCy JSONL)\n```\n## not a heading\n```\n### A model over Label Studio's ML backend API\n## Review: adjudicating into gold\n## Keys\n### Keys\n"
	want := []string{"formats", "spacy-prodigyspacy-jsonl", "a-model-over-label-studios-ml-backend-api", "review-adjudicating-into-gold", "keys", "keys-1"}
	if got := headingAnchors(doc); !slices.Equal(got, want) {
		t.Errorf("anchors %q, want %q", got, want)
	}
	if s := docSection("x\n## a\none\n### b\ntwo\n## c\n", "## a\n"); s != "## a\none\n### b\ntwo\n" {
		t.Errorf("section %q", s)
	}
}
