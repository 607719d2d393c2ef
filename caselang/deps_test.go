package caselang

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/roomconform/conform"

// TestLanguageStandsApart: the model of the reading, the engine and the
// reports are written against the case language; the catalogue (package
// cases) is theirs to be handed (cases.Catalogue(), cases.ReachOf), never
// to import, so that a change to a table never rebuilds their judgement and
// no judgement can lean on one table. The language itself imports neither.
// It reads the imports of the module's own packages (their non-test files)
// from the source, transitively.
func TestLanguageStandsApart(t *testing.T) {
	root := filepath.Join("..")
	for _, pkg := range []string{"caselang", "internal/model", "internal/engine", "reports"} {
		if path := importChain(t, root, pkg, "cases"); path != nil {
			t.Errorf("%s depends on the catalogue: %s", pkg, strings.Join(path, " -> "))
		}
	}
}

// importChain returns a chain of imports from package dir from to package
// dir to within the module, or nil.
func importChain(t *testing.T, root, from, to string) []string {
	t.Helper()
	seen := map[string]bool{from: true}
	prev := map[string]string{}
	queue := []string{from}
	for len(queue) > 0 {
		pkg := queue[0]
		queue = queue[1:]
		for _, imp := range moduleImports(t, root, pkg) {
			if seen[imp] {
				continue
			}
			seen[imp], prev[imp] = true, pkg
			if imp == to {
				chain := []string{to}
				for p := to; p != from; p = prev[p] {
					chain = append(chain, prev[p])
				}
				slices.Reverse(chain)
				return chain
			}
			queue = append(queue, imp)
		}
	}
	return nil
}

// moduleImports lists the module's packages that the non-test files of
// package dir pkg import (as directories relative to the module root).
func moduleImports(t *testing.T, root, pkg string) []string {
	t.Helper()
	dir := filepath.Join(root, filepath.FromSlash(pkg))
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("read package %s: %v", pkg, err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			t.Fatalf("parse %s/%s: %v", pkg, n, err)
		}
		if ignored(f.Comments) {
			continue
		}
		for _, is := range f.Imports {
			p, err := strconv.Unquote(is.Path.Value)
			if err != nil {
				t.Fatalf("%s/%s: import %s: %v", pkg, n, is.Path.Value, err)
			}
			if rest, ok := strings.CutPrefix(p, module+"/"); ok && !slices.Contains(out, rest) {
				out = append(out, rest)
			}
		}
	}
	return out
}

// ignored reports whether a file is never built ("//go:build ignore");
// a file under any other constraint may be built somewhere, and counts.
func ignored(comments []*ast.CommentGroup) bool {
	for _, cg := range comments {
		for _, c := range cg.List {
			if strings.TrimSpace(c.Text) == "//go:build ignore" {
				return true
			}
		}
	}
	return false
}
