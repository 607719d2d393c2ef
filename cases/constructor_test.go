package cases

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/roomconform/conform/internal/opfile"
)

// TestConstructorNamesTheFunction: a check names the constructor that
// built it, also when a helper of the catalogue called the constructor
// (and the compiler inlined it there), and a modifier keeps the name.
func TestConstructorNamesTheFunction(t *testing.T) {
	for _, tc := range []struct {
		c    Check
		want string
	}{
		{Code("RC-8", 8), "cases.Code"},
		{HTTPRefused("SEC-5"), "cases.HTTPRefused"},
		{Answered("ENV-9").OrClosed(), "cases.Answered"},
		{DistinctTokens("AUTH-5"), "cases.DistinctTokens"}, // a whole-case check
		{AsTheReadingSays("RC-8"), "cases.AsTheReadingSays"},
		{granted("ROLE-1", Admin)[0], "cases.Succeeds"}, // through a helper of the catalogue
		{recoverLogin().Expect[0], "cases.Succeeds"},
		{Check{Req: "ENV-1"}, ""}, // no code: nothing to name
	} {
		if got := tc.c.Constructor(); got != tc.want {
			t.Errorf("%s check %q: Constructor() = %q, want %q", tc.c.Req, tc.c.Name, got, tc.want)
		}
	}
	for _, tc := range []struct{ symbol, want string }{
		{"github.com/roomconform/conform/cases.Code.func1", "Code"},
		{"github.com/roomconform/conform/internal/explain.TestX.mk.Answered.func2", "Answered"},
		{"github.com/roomconform/conform/cases.apiLifeCases.recoverLogin.Succeeds.func17", "Succeeds"},
		{"github.com/roomconform/conform/cases.Code.func1.2", "Code"},
		{"github.com/roomconform/conform/cases.Gen[go.shape.int].func1", "Gen"},
	} {
		if got := enclosingFunc(tc.symbol); got != tc.want {
			t.Errorf("enclosingFunc(%q) = %q, want %q", tc.symbol, got, tc.want)
		}
	}
}

// TestEveryCheckNamesItsConstructor: every check the catalogue, the
// invariants of every answer and the token exercises use names an exported
// function of this package that returns a Check, so that the names
// docs/requirements.md gives are symbols a reader can find. It fails when
// a check is built in an unexported helper, and when a change of the
// compiler's names for closures breaks Constructor.
func TestEveryCheckNamesItsConstructor(t *testing.T) {
	ctors, err := exportedConstructors(".")
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
			if !ctors[strings.TrimPrefix(name, checkPackage+".")] {
				t.Errorf("%s: check %q (%s) names %q, not an exported function of package %s returning Check", where, c.Name, c.Req, name, checkPackage)
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
		src, err := opfile.ReadFile(dir+"/"+name, 4<<20)
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
