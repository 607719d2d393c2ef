package explain

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/opfile"
)

// The requirement trail: for each requirement, what checks it, by symbol
// (package.Symbol, what `go doc` and grep find), never by line, so that the
// generated docs/requirements.md does not go stale on every edit. Like
// Kubernetes' test/conformance walk.go, which links each conformance test
// to its source, it is derived from the code when the document is
// generated: a check names its constructor (caselang.Check.Constructor), and
// the model's and the engine's symbols are those whose code cites the
// requirement's ID.

// Trail is what checks one requirement, each list sorted.
type Trail struct {
	// Checks are the constructors of the checks the catalogue's steps use
	// under the requirement (caselang.Send.ExactlyOne for the engine's
	// exactly-one-answer barrier a step asks for).
	Checks []string
	// EveryAnswer are the constructors of caselang.EveryAuthAnswer's checks
	// under it: the invariants judged on every auth answer.
	EveryAnswer []string
	// Exercises are the constructors of the token exercises' checks.
	Exercises []string
	// Model and Engine are the symbols of internal/model and
	// internal/engine whose code cites it (from the source, SourceDirs).
	Model, Engine []string
}

// SourceDirs are the packages, from the module root, whose citations of
// requirement IDs the trail shows, and under which name.
var SourceDirs = []struct{ Dir, Name string }{
	{"internal/model", "model"},
	{"internal/engine", "engine"},
}

// maxSource bounds one source file read for the trail.
const maxSource = 4 << 20

// trailOf computes the trail of every requirement from what runs: the
// catalogue's checks, the invariants and the exercises.
func trailOf() map[string]*Trail {
	t := map[string]*Trail{}
	for _, q := range caselang.Requirements() {
		t[q.ID] = &Trail{}
	}
	add := func(req, sym string, list func(*Trail) *[]string) {
		if x, ok := t[req]; ok && sym != "" && !slices.Contains(*list(x), sym) {
			*list(x) = append(*list(x), sym)
		}
	}
	checks := func(x *Trail) *[]string { return &x.Checks }
	for _, c := range cases.All() {
		for _, s := range c.Steps {
			for _, ch := range s.Expect {
				add(ch.Req, ch.Constructor(), checks)
			}
			if send, ok := s.Do.(caselang.Send); ok && send.ExactlyOne != "" {
				add(send.ExactlyOne, "caselang.Send.ExactlyOne", checks)
			}
		}
		for _, ch := range c.After {
			add(ch.Req, ch.Constructor(), checks)
		}
	}
	for _, o := range invariantObservations() {
		for _, ch := range caselang.EveryAuthAnswer(o) {
			add(ch.Req, ch.Constructor(), func(x *Trail) *[]string { return &x.EveryAnswer })
		}
	}
	for _, ch := range exerciseChecks() {
		add(ch.Req, ch.Constructor(), func(x *Trail) *[]string { return &x.Exercises })
	}
	for _, x := range t {
		slices.Sort(x.Checks)
		slices.Sort(x.EveryAnswer)
		slices.Sort(x.Exercises)
	}
	return t
}

// invariantObservations are answers that draw every invariant of
// caselang.EveryAuthAnswer: a success and a failure, to a request with a
// string requestId and to one without.
func invariantObservations() []caselang.Observation {
	var out []caselang.Observation
	for _, ok := range []bool{true, false} {
		for _, req := range []map[string]any{{"requestId": "1"}, {}} {
			out = append(out, caselang.Observation{Request: req, Response: map[string]any{"result": ok}})
		}
	}
	return out
}

// exerciseChecks are the checks of the token exercises, for a token of
// each kind the exercises tell apart.
func exerciseChecks() []caselang.Check {
	var out []caselang.Check
	n := 0
	conn := func() string { n++; return fmt.Sprint(n) }
	for _, ref := range []caselang.TokenRef{{Step: "s", Field: "token", Mode: caselang.User}, {Step: "s", Field: "tokenForHttpServer", HTTP: true}, {Step: "s", Field: "token", Leaked: true}} {
		safe, risky := caselang.APIExercises(ref, conn)
		for _, s := range slices.Concat(safe, risky, caselang.HTTPExercises(ref)) {
			out = append(out, s.Expect...)
		}
	}
	return out
}

// LoadSource adds to the trail the symbols of SourceDirs whose code cites
// each requirement, reading the source under root (the module root).
// docs/requirements.md is generated from a Reading with its source loaded;
// `conform explain`, which has no source at hand, does without.
func (r *Reading) LoadSource(root string) error {
	for _, d := range SourceDirs {
		cites, err := Citations(filepath.Join(root, d.Dir))
		if err != nil {
			return err
		}
		for req, syms := range cites {
			x, ok := r.trail[req]
			if !ok {
				continue
			}
			switch d.Name {
			case "model":
				x.Model = syms
			case "engine":
				x.Engine = syms
			}
		}
	}
	return nil
}

// Trail returns what checks requirement id.
func (r *Reading) Trail(id string) Trail {
	if x := r.trail[id]; x != nil {
		return *x
	}
	return Trail{}
}

// Citations returns, for each requirement of the registry that the Go
// source of the package in dir cites, the symbols whose code cites it
// ("model.(*Model).secured", a constant "engine.legacyRequirement"),
// sorted. A citation is a string literal that is a requirement's ID, in a
// function (closures included) or a constant's value; one compared with
// (== or !=, a switch's case) reads a citation made elsewhere and is not
// one. Test files and variables (model.Cited, the list of what the model
// cites) are left out.
func Citations(dir string) (map[string][]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	fset := token.NewFileSet()
	out := map[string][]string{}
	cite := func(lit *ast.BasicLit, sym string) {
		id, err := strconv.Unquote(lit.Value)
		if err != nil {
			return
		}
		if _, ok := caselang.LookupRequirement(id); ok && !slices.Contains(out[id], sym) {
			out[id] = append(out[id], sym)
		}
	}
	files := 0
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		path := filepath.Join(dir, name)
		src, err := opfile.ReadFile(path, maxSource)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", path, err)
		}
		files++
		pkg := f.Name.Name
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Body != nil {
					citedIn(d.Body, func(lit *ast.BasicLit) { cite(lit, pkg+"."+funcSymbol(d)) })
				}
			case *ast.GenDecl:
				if d.Tok != token.CONST {
					continue
				}
				for _, s := range d.Specs {
					vs := s.(*ast.ValueSpec)
					for i, v := range vs.Values {
						if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING && i < len(vs.Names) {
							cite(lit, pkg+"."+vs.Names[i].Name)
						}
					}
				}
			}
		}
	}
	if files == 0 {
		return nil, fmt.Errorf("%s: no Go source", dir)
	}
	for _, syms := range out {
		slices.Sort(syms)
	}
	return out, nil
}

// citedIn calls f for each string literal under n that is not compared.
func citedIn(n ast.Node, f func(*ast.BasicLit)) {
	compared := map[*ast.BasicLit]bool{}
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BinaryExpr:
			if n.Op == token.EQL || n.Op == token.NEQ {
				for _, e := range []ast.Expr{n.X, n.Y} {
					if lit, ok := e.(*ast.BasicLit); ok {
						compared[lit] = true
					}
				}
			}
		case *ast.CaseClause:
			for _, e := range n.List {
				if lit, ok := e.(*ast.BasicLit); ok {
					compared[lit] = true
				}
			}
		case *ast.BasicLit:
			if n.Kind == token.STRING && !compared[n] {
				f(n)
			}
		}
		return true
	})
}

// funcSymbol is a function's name as Go documentation writes it: Name, or
// (*T).Name and T.Name for methods.
func funcSymbol(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return d.Name.Name
	}
	switch t := d.Recv.List[0].Type.(type) {
	case *ast.StarExpr:
		return "(*" + typeName(t.X) + ")." + d.Name.Name
	default:
		return typeName(t) + "." + d.Name.Name
	}
}

func typeName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.IndexExpr: // a generic type
		return typeName(t.X)
	case *ast.IndexListExpr:
		return typeName(t.X)
	}
	return "?"
}
