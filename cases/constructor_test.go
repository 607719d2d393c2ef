package cases

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	. "github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/opfile"
)

// TestCatalogueHelpersNameTheConstructor: a check a building block of the
// tables made names the constructor the block called, where the compiler
// inlined it into the block.
func TestCatalogueHelpersNameTheConstructor(t *testing.T) {
	if got := granted("ROLE-1", Admin)[0].Constructor(); got != "caselang.Succeeds" {
		t.Errorf("granted's first check: Constructor() = %q, want caselang.Succeeds", got)
	}
}

// TestEveryCheckNamesItsConstructor: every check the catalogue, the
// invariants of every answer and the token exercises use names an exported
// function of this package that returns a Check, so that the names
// docs/requirements.md gives are symbols a reader can find. It fails when
// a check is built in an unexported helper, and when a change of the
// compiler's names for closures breaks Constructor.
func TestEveryCheckNamesItsConstructor(t *testing.T) {
	// The constructors are in Check's package, beside this one.
	pkg := path.Base(reflect.TypeFor[Check]().PkgPath())
	ctors, err := exportedConstructors(filepath.Join("..", pkg))
	if err != nil {
		t.Fatal(err)
	}
	if len(ctors) < 20 {
		t.Fatalf("found %d constructors in the source: the scan is broken", len(ctors))
	}
	used := map[string]bool{}
	for where, cs := range allChecks() {
		for _, c := range cs {
			name := c.Constructor()
			used[name] = true
			if !ctors[strings.TrimPrefix(name, pkg+".")] {
				t.Errorf("%s: check %q (%s) names %q, not an exported function of package %s returning Check", where, c.Name, c.Req, name, pkg)
			}
		}
	}
	if len(used) < 20 {
		t.Errorf("the checks name %d constructors: %v", len(used), slices.Sorted(func(yield func(string) bool) {
			for k := range used {
				if !yield(k) {
					return
				}
			}
		}))
	}
}

// allChecks returns, by where they are used, the checks of every case's
// steps, of the invariants of every auth answer and of the token exercises.
func allChecks() map[string][]Check {
	out := map[string][]Check{}
	for _, c := range All() {
		for _, s := range c.Steps {
			out["case "+c.ID] = append(out["case "+c.ID], s.Expect...)
		}
		out["case "+c.ID] = append(out["case "+c.ID], c.After...)
	}
	for _, ok := range []bool{true, false} {
		for _, req := range []map[string]any{{"requestId": "1"}, {}} {
			o := Observation{Request: req, Response: map[string]any{"result": ok}}
			out["EveryAuthAnswer"] = append(out["EveryAuthAnswer"], EveryAuthAnswer(o)...)
		}
	}
	n := 0
	conn := func() string { n++; return fmt.Sprint(n) }
	for _, ref := range []TokenRef{{Step: "s", Field: "token", Mode: User}, {Step: "s", Field: "tokenForHttpServer", HTTP: true}, {Step: "s", Field: "token", Leaked: true}} {
		safe, risky := APIExercises(ref, conn)
		for _, s := range slices.Concat(safe, risky, HTTPExercises(ref)) {
			out["exercises"] = append(out["exercises"], s.Expect...)
		}
	}
	return out
}

// exportedConstructors returns the exported functions of the package in
// dir (its non-test files) whose only result is a Check.
func exportedConstructors(dir string) (map[string]bool, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	fset := token.NewFileSet()
	out := map[string]bool{}
	for _, e := range ents {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := opfile.ReadFile(filepath.Join(dir, name), 4<<20)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv != nil || !fd.Name.IsExported() || fd.Type.Results == nil || len(fd.Type.Results.List) != 1 {
				continue
			}
			if id, ok := fd.Type.Results.List[0].Type.(*ast.Ident); ok && id.Name == "Check" {
				out[fd.Name.Name] = true
			}
		}
	}
	return out, nil
}
