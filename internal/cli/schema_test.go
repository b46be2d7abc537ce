package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/annotate-tool/annotate/internal/model"
)

// editSchema returns the default schema's JSON after edit has changed it.
func editSchema(t *testing.T, edit func(s map[string]any)) []byte {
	t.Helper()
	var s map[string]any
	if err := json.Unmarshal(model.DefaultSchemaJSON(), &s); err != nil {
		t.Fatal(err)
	}
	edit(s)
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func labels(s map[string]any) []any { return s["labels"].([]any) }

func copyLabel(l any) map[string]any {
	c := map[string]any{}
	for k, v := range l.(map[string]any) {
		c[k] = v
	}
	return c
}

func TestSchemaFileRefused(t *testing.T) {
	tests := []struct {
		name    string
		content func(t *testing.T) []byte
		want    []string
	}{
		{
			name: "duplicate label",
			content: func(t *testing.T) []byte {
				return editSchema(t, func(s map[string]any) { s["labels"] = append(labels(s), copyLabel(labels(s)[0])) })
			},
			want: []string{`labels[10] ("ORG")`, "duplicate label", "already labels[0]"},
		},
		{
			name: "duplicate key",
			content: func(t *testing.T) []byte {
				return editSchema(t, func(s map[string]any) {
					l := copyLabel(labels(s)[0])
					l["name"] = "ORG2"
					s["labels"] = append(labels(s), l)
				})
			},
			want: []string{`labels[10] ("ORG2")`, `key "1" is used twice`},
		},
		{
			name: "bad colour",
			content: func(t *testing.T) []byte {
				return editSchema(t, func(s map[string]any) { labels(s)[2].(map[string]any)["color"] = "blue" })
			},
			want: []string{`labels[2] ("NORP")`, `colour "blue"`},
		},
		{
			name:    "not JSON",
			content: func(*testing.T) []byte { return []byte("{\n  \"name\": \"broken\",\n  labels: []\n}\n") },
			want:    []string{"schema.json:3:", "not valid JSON"},
		},
		{
			name:    "unknown field",
			content: func(*testing.T) []byte { return []byte(`{"name": "typo", "lables": []}`) },
			want:    []string{"lables"},
		},
		{
			name:    "no labels",
			content: func(*testing.T) []byte { return []byte(`{"name": "bare"}`) },
			want:    []string{`no "labels"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			path := h.write("schema.json", tt.content(t))
			res := h.run("list", "--schema", path)
			if res.code == 0 {
				t.Errorf("exit 0, want non-zero")
			}
			if errLines := lines(res.stderr); len(errLines) != 1 || !strings.Contains(res.stderr, path) {
				t.Errorf("stderr %q, want one line naming %s", res.stderr, path)
			}
			for _, w := range tt.want {
				if !strings.Contains(res.stderr, w) {
					t.Errorf("stderr lacks %q: %s", w, res.stderr)
				}
			}
			// Nothing was stored: the database still uses the default.
			s, err := model.ParseSchema([]byte(h.mustRun("schema").stdout), "schema output")
			if err != nil {
				t.Fatal(err)
			}
			if s.Name != "conflict-incidents" {
				t.Errorf("schema in use after a refused --schema is %q, want the default", s.Name)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		h := newHarness(t)
		path := filepath.Join(h.dir, "nowhere.json")
		res := h.run("list", "--schema", path)
		if res.code == 0 || len(lines(res.stderr)) != 1 || !strings.Contains(res.stderr, path) {
			t.Errorf("exit %d, stderr %q: want non-zero and one line naming %s", res.code, res.stderr, path)
		}
	})
}

func TestSchemaPrintsValidJSON(t *testing.T) {
	custom := func(t *testing.T) []byte {
		return editSchema(t, func(s map[string]any) {
			s["name"] = "newsroom-test"
			s["labels"] = append(labels(s), map[string]any{"name": "VENUE", "key": "v", "color": "#336699"})
		})
	}
	tests := []struct {
		name string
		// noDB drops ANNOTATE_DB, so the default path below HOME is used.
		noDB bool
		// setup runs before `schema`; it returns extra `schema` arguments.
		setup    func(t *testing.T, h *harness) []string
		wantName string
	}{
		{name: "no database named", noDB: true, wantName: "conflict-incidents"},
		{name: "database without a stored schema", wantName: "conflict-incidents"},
		{
			name: "--schema FILE",
			setup: func(t *testing.T, h *harness) []string {
				return []string{"--schema", h.write("custom.json", custom(t))}
			},
			wantName: "newsroom-test",
		},
		{
			name: "--schema with docs/schema.md's example",
			setup: func(*testing.T, *harness) []string {
				return []string{"--schema", "testdata/schema/protest-events.json"}
			},
			wantName: "protest-events",
		},
		{
			name: "schema stored by an earlier command",
			setup: func(t *testing.T, h *harness) []string {
				h.mustRun("list", "--schema", h.write("custom.json", custom(t)))
				return nil
			},
			wantName: "newsroom-test",
		},
		{
			name: "schema stored in the default database",
			noDB: true,
			setup: func(t *testing.T, h *harness) []string {
				h.mustRun("list", "--schema", h.write("custom.json", custom(t)))
				return nil
			},
			wantName: "newsroom-test",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if tt.noDB {
				delete(h.env, "ANNOTATE_DB")
			}
			var extra []string
			if tt.setup != nil {
				extra = tt.setup(t, h)
			}
			res := h.mustRun(append([]string{"schema"}, extra...)...)
			if !json.Valid([]byte(res.stdout)) {
				t.Fatalf("schema output is not JSON:\n%s", res.stdout)
			}
			s, err := model.ParseSchema([]byte(res.stdout), "schema output")
			if err != nil {
				t.Fatalf("ParseSchema refuses the output: %v", err)
			}
			if s.Name != tt.wantName {
				t.Errorf("schema name %q, want %q", s.Name, tt.wantName)
			}
			if tt.noDB && tt.setup == nil {
				if _, err := os.Stat(filepath.Join(h.env["HOME"], ".local")); !os.IsNotExist(err) {
					t.Errorf("schema with no database named created files under HOME (stat: %v)", err)
				}
			}
		})
	}
}

// TestSchemaPageExampleIsTested: the example in docs/schema.md is the
// file TestSchemaPrintsValidJSON loads, so the page shows a schema that
// annotate accepts.
func TestSchemaPageExampleIsTested(t *testing.T) {
	page := readDoc(t, "docs/schema.md")
	_, block, ok := strings.Cut(page, "```json\n")
	if !ok {
		t.Fatal("docs/schema.md has no ```json example")
	}
	block, _, _ = strings.Cut(block, "```")
	file, err := os.ReadFile(filepath.Join("testdata", "schema", "protest-events.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(block) != strings.TrimSpace(string(file)) {
		t.Errorf("docs/schema.md's example differs from testdata/schema/protest-events.json:\n%s", block)
	}
}
