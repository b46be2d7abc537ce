package tui

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNoBboltImport: the screen reaches storage only through store.Store
// and text handling only through model. It follows this module's imports
// from the package's own (non-test) files and fails if any leads to bbolt,
// store/bolt or the file formats.
func TestNoBboltImport(t *testing.T) {
	const module = "github.com/annotate-tool/annotate"
	root := filepath.Join("..", "..")
	seen := map[string]bool{}
	var visit func(pkg, dir string, path []string)
	visit = func(pkg, dir string, path []string) {
		if seen[pkg] {
			return
		}
		seen[pkg] = true
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatalf("%s: %v", pkg, err)
		}
		for _, e := range entries {
			name := e.Name()
			if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, name), nil, parser.ImportsOnly)
			if err != nil {
				t.Fatalf("%s/%s: %v", pkg, name, err)
			}
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				chain := append(append([]string(nil), path...), p)
				if strings.HasPrefix(p, "go.etcd.io/bbolt") || p == module+"/internal/store/bolt" || p == module+"/internal/formats" {
					t.Errorf("the screen imports %s: %s", p, strings.Join(chain, " -> "))
				}
				if rest, ok := strings.CutPrefix(p, module+"/"); ok {
					visit(p, filepath.Join(root, filepath.FromSlash(rest)), chain)
				}
			}
		}
	}
	visit(module+"/internal/tui", ".", []string{module + "/internal/tui"})
	if len(seen) < 3 {
		t.Errorf("followed only %d packages: the walk is broken", len(seen))
	}
}
