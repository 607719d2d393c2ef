package archtest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestOnlyTestsLowerTheJournalCheckCost: reconf.CheckCost is a variable
// only so that conform's own tests can write cheap checks; no non-test
// file assigns it, so every binary writes checks at RFC 9106's cost.
func TestOnlyTestsLowerTheJournalCheckCost(t *testing.T) {
	root, _, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	found, err := assignmentsOf(root, "CheckCost")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		t.Errorf("%s assigns CheckCost outside a _test.go file: only conform's tests may lower the journal's check cost", f)
	}
}

// TestAssignmentsOfFindsEachAssignment: an assignment through the package
// name or inside the package is found; one in a test file, a declaration
// and a read are not.
func TestAssignmentsOfFindsEachAssignment(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"a/a.go":      "package a\n\nimport \"m/reconf\"\n\nfunc f() { reconf.CheckCost = reconf.Cost{} }\n",
		"a/a_test.go": "package a\n\nimport \"m/reconf\"\n\nfunc g() { reconf.CheckCost = reconf.Cost{} }\n",
		"reconf/r.go": "package reconf\n\ntype Cost struct{}\n\nvar CheckCost = Cost{}\n\nfunc h() Cost { CheckCost = Cost{}; return CheckCost }\n",
		"b/b.go":      "package b\n\nimport \"m/reconf\"\n\nvar c = reconf.CheckCost\n",
	})
	got, err := assignmentsOf(root, "CheckCost")
	if err != nil {
		t.Fatal(err)
	}
	if s := strings.Join(got, " "); s != "a/a.go:5 reconf/r.go:7" {
		t.Errorf("found %q, want a/a.go:5 and reconf/r.go:7", s)
	}
}

// assignmentsOf lists, as path:line, the non-test files under root
// (goFiles; //go:build ignore aside) that assign a variable named name
// (x.name = or name =).
func assignmentsOf(root, name string) ([]string, error) {
	var out []string
	fset := token.NewFileSet()
	err := goFiles(root, func(path string) error {
		if strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return fmt.Errorf("parse %s: %w", path, err)
		}
		if ignored(f.Comments, f.Package) {
			return nil
		}
		ast.Inspect(f, func(n ast.Node) bool {
			as, ok := n.(*ast.AssignStmt)
			if !ok {
				return true
			}
			for _, lhs := range as.Lhs {
				var id *ast.Ident
				switch x := lhs.(type) {
				case *ast.Ident:
					id = x
				case *ast.SelectorExpr:
					id = x.Sel
				}
				if id != nil && id.Name == name {
					rel, _ := filepath.Rel(root, path)
					out = append(out, fmt.Sprintf("%s:%d", filepath.ToSlash(rel), fset.Position(as.Pos()).Line))
				}
			}
			return true
		})
		return nil
	})
	return out, err
}
