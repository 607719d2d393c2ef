package archtest

import (
	"errors"
	"fmt"
	"go/ast"
	"go/build/constraint"
	"go/doc"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// pkgInfo is what the source says of one package of the module.
type pkgInfo struct {
	imports []string // the packages of the module its non-test files import, sorted
	job     string   // its package comment's first sentence, as a table row's job
	// testing are its non-test files that import "testing", by path from
	// the root (TestOnlyTheExplorationImportsTesting).
	testing []string
}

// moduleRoot finds the directory of go.mod above the working directory and
// the module's path.
func moduleRoot() (root, module string, err error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", "", fmt.Errorf("working directory: %w", err)
	}
	for {
		text, err := readBounded(filepath.Join(dir, "go.mod"), maxDocBytes)
		if err == nil {
			for l := range strings.Lines(text) {
				if rest, ok := strings.CutPrefix(strings.TrimSpace(l), "module "); ok {
					return dir, strings.Trim(strings.TrimSpace(rest), `"`), nil
				}
			}
			return "", "", fmt.Errorf("%s: no module line", filepath.Join(dir, "go.mod"))
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", "", err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// readBounded reads a regular file of at most limit bytes.
func readBounded(path string, limit int64) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("stat %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("open %s: not a regular file", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(b)) > limit {
		return "", fmt.Errorf("read %s: larger than %d bytes", path, limit)
	}
	return string(b), nil
}

// goFiles calls fn with every Go file under root that the go command would
// find (no testdata, vendor, hidden or _ directories, no nested module), by
// path.
func goFiles(root string, fn func(path string) error) error {
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root {
				if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor" {
					return filepath.SkipDir
				}
				if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
					return filepath.SkipDir
				}
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || !d.Type().IsRegular() {
			return nil
		}
		return fn(path)
	})
	if err != nil {
		return fmt.Errorf("walk %s: %w", root, err)
	}
	return nil
}

// modulePackages parses the import clauses of every Go file under root
// (goFiles), and returns each package by its path from the root. Files of
// every platform count; a file marked //go:build ignore does not (it is a
// program run by hand, in no package).
func modulePackages(root, module string) (map[string]*pkgInfo, error) {
	pkgs := map[string]*pkgInfo{}
	fset := token.NewFileSet()
	err := goFiles(root, func(path string) error {
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			return fmt.Errorf("parse %s: %w", path, err)
		}
		if ignored(f.Comments, f.Package) {
			return nil
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		name := filepath.ToSlash(rel)
		p := pkgs[name]
		if p == nil {
			p = &pkgInfo{}
			pkgs[name] = p
		}
		if strings.HasSuffix(path, "_test.go") {
			return nil
		}
		if f.Doc != nil && p.job == "" {
			job := new(doc.Package).Synopsis(f.Doc.Text())
			job = strings.TrimPrefix(job, "Package "+f.Name.Name+" ")
			p.job = strings.TrimSuffix(job, ".")
		}
		for _, spec := range f.Imports {
			imp, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				return fmt.Errorf("%s: import %s: %w", path, spec.Path.Value, err)
			}
			if imp == "testing" {
				p.testing = append(p.testing, filepath.ToSlash(filepath.Join(name, filepath.Base(path))))
			}
			var own string
			switch {
			case imp == module:
				own = "."
			case strings.HasPrefix(imp, module+"/"):
				own = strings.TrimPrefix(imp, module+"/")
			default:
				continue
			}
			if !slices.Contains(p.imports, own) {
				p.imports = append(p.imports, own)
				slices.Sort(p.imports)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return pkgs, nil
}

// ignored reports whether a file's build constraint, before its package
// clause, is //go:build ignore.
func ignored(comments []*ast.CommentGroup, pkg token.Pos) bool {
	for _, g := range comments {
		if g.Pos() >= pkg {
			break
		}
		for _, c := range g.List {
			if constraint.IsGoBuild(c.Text) {
				if x, err := constraint.Parse(c.Text); err == nil && x.String() == "ignore" {
					return true
				}
			}
		}
	}
	return false
}
