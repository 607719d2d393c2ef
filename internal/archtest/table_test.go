package archtest

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// row is one row of the package table: a package, as a path from the module
// root, and its line in the document.
type row struct {
	pkg  string
	line int
}

// apart are the packages that import nothing of the module, on purpose: the
// paragraph below the table says why (a mistake in the suite's reading and
// the same mistake in the server must not cancel out).
var apart = []string{"refserver"}

// fromTheReading are the packages written from the reading alone: none may
// reach a package of apart, even through another (the model shares no code
// with the server, so that each tests the other).
var fromTheReading = []string{"internal/model"}

// tableRow is a row of the package table: | `pkg` | job |.
var tableRow = regexp.MustCompile("^\\| `([^`]+)` \\|.*\\|\\s*$")

// parseTable returns the rows of the table under "## Packages", in order.
func parseTable(text string) ([]row, error) {
	var rows []row
	in := false
	for i, l := range strings.Split(text, "\n") {
		switch {
		case strings.TrimSpace(l) == "## Packages":
			in = true
		case in && strings.HasPrefix(l, "## "):
			in = false
		case in:
			if m := tableRow.FindStringSubmatch(l); m != nil {
				rows = append(rows, row{m[1], i + 1})
			}
		}
	}
	if len(rows) == 0 {
		return nil, errors.New("no row \"| `package` | one job |\" under \"## Packages\"")
	}
	return rows, nil
}

// checkTable compares the table with the packages and returns, for each
// disagreement, what is wrong and the fix.
func checkTable(rows []row, pkgs map[string]*pkgInfo) []string {
	var problems []string
	index := map[string]int{} // a listed package's position in the table
	for i, r := range rows {
		if j, dup := index[r.pkg]; dup {
			problems = append(problems, fmt.Sprintf("%s lists `%s` twice (lines %d and %d): delete one of the rows",
				tableDoc, r.pkg, rows[j].line, r.line))
			continue
		}
		index[r.pkg] = i
		if pkgs[r.pkg] == nil {
			problems = append(problems, fmt.Sprintf("%s:%d lists `%s`, which is no package of the module (no Go file in %s/): delete the row or correct the name",
				tableDoc, r.line, r.pkg, r.pkg))
		}
	}

	upward := false
	for _, name := range sortedKeys(pkgs) {
		i, listed := index[name]
		if !listed {
			problems = append(problems, missingRow(name, rows, index, pkgs))
			continue
		}
		for _, imp := range pkgs[name].imports {
			if j, ok := index[imp]; ok && j < i {
				upward = true
				problems = append(problems, fmt.Sprintf("`%s` imports `%s`, which the table lists above it (%s lines %d and %d): dependencies point one way, down the list; move the row of `%s` below that of `%s`, or `%s` above `%s` (an order that holds is below)",
					name, imp, tableDoc, rows[i].line, rows[j].line, imp, name, name, imp))
			}
		}
	}
	if upward {
		problems = append(problems, trueOrder(rows, index, pkgs))
	}

	for _, name := range apart {
		if p := pkgs[name]; p != nil {
			for _, imp := range p.imports {
				problems = append(problems, fmt.Sprintf("`%s` imports `%s`: %s says %s imports nothing of the suite, on purpose (a mistake in the suite's reading and the same mistake in the server must not cancel out); take the import out",
					name, imp, tableDoc, name))
			}
		}
	}
	for _, name := range fromTheReading {
		for _, server := range apart {
			if path := importPath(name, server, pkgs); path != nil {
				problems = append(problems, fmt.Sprintf("`%s` reaches `%s` (%s): %s says the model is written from the reading and shares no code with the server; take the import out",
					name, server, strings.Join(path, " → "), tableDoc))
			}
		}
	}
	return problems
}

// missingRow says which row to add for a package the table lacks, and
// where: below every listed package that imports it, above every one it
// imports.
func missingRow(name string, rows []row, index map[string]int, pkgs map[string]*pkgInfo) string {
	job := pkgs[name].job
	if job == "" {
		job = "<its one job, in a few words>"
	}
	importer, imported := -1, len(rows) // the lowest listed importer, the highest listed import
	for _, other := range sortedKeys(pkgs) {
		if i, ok := index[other]; ok && slices.Contains(pkgs[other].imports, name) {
			importer = max(importer, i)
		}
	}
	for _, imp := range pkgs[name].imports {
		if i, ok := index[imp]; ok {
			imported = min(imported, i)
		}
	}
	var where string
	switch {
	case importer >= 0 && imported < len(rows) && imported <= importer:
		where = fmt.Sprintf("but no place in the table holds as it stands: `%s` imports it and is listed below `%s`, which it imports; fix the order first",
			rows[importer].pkg, rows[imported].pkg)
	case importer >= 0:
		where = fmt.Sprintf("directly below the row of `%s` (the lowest listed package that imports it)", rows[importer].pkg)
	case imported < len(rows):
		where = fmt.Sprintf("directly above the row of `%s` (the highest listed package it imports)", rows[imported].pkg)
	default:
		where = "among the packages like it (it imports no listed package and none imports it)"
	}
	return fmt.Sprintf("`%s` has no row in the package table of %s: add this row\n\t| `%s` | %s |\n%s",
		name, tableDoc, name, job, where)
}

// trueOrder lists the table's packages in an order where every import
// points down, keeping the table's order wherever the imports allow: at
// each step, of the packages no unplaced package imports, the one listed
// first. Go refuses import cycles, so there is always one; if not, it says
// which packages form the cycle.
func trueOrder(rows []row, index map[string]int, pkgs map[string]*pkgInfo) string {
	importers := map[string]int{}
	var listed []string
	for _, r := range rows {
		if pkgs[r.pkg] != nil && !slices.Contains(listed, r.pkg) {
			listed = append(listed, r.pkg)
		}
	}
	for _, name := range listed {
		for _, imp := range pkgs[name].imports {
			if slices.Contains(listed, imp) {
				importers[imp]++
			}
		}
	}
	var b strings.Builder
	b.WriteString("an order of the listed packages that holds, closest to the table's:\n")
	placed := map[string]bool{}
	for len(placed) < len(listed) {
		next := ""
		for _, name := range listed {
			if !placed[name] && importers[name] == 0 {
				next = name
				break
			}
		}
		if next == "" {
			return "no order of the table holds, the imports go round: " + cycle(listed, placed, pkgs)
		}
		placed[next] = true
		for _, imp := range pkgs[next].imports {
			if slices.Contains(listed, imp) {
				importers[imp]--
			}
		}
		fmt.Fprintf(&b, "\t`%s`\n", next)
	}
	return b.String()
}

// cycle finds a cycle among the unplaced packages, each of which an
// unplaced package imports, by walking from importer to importer until one
// comes round again; it returns it in the direction of the imports.
func cycle(listed []string, placed map[string]bool, pkgs map[string]*pkgInfo) string {
	importerOf := func(name string) string {
		for _, other := range listed {
			if !placed[other] && slices.Contains(pkgs[other].imports, name) {
				return other
			}
		}
		return ""
	}
	var walk []string
	for name := listed[slices.IndexFunc(listed, func(n string) bool { return !placed[n] })]; name != ""; name = importerOf(name) {
		if i := slices.Index(walk, name); i >= 0 {
			ring := slices.Clone(walk[i:])
			slices.Reverse(ring)
			ring = append(ring, ring[0])
			return "`" + strings.Join(ring, "` imports `") + "`"
		}
		walk = append(walk, name)
	}
	return "(none found)"
}

// importPath is a chain of imports from one package to another, or nil.
func importPath(from, to string, pkgs map[string]*pkgInfo) []string {
	seen := map[string]bool{from: true}
	var walk func(path []string) []string
	walk = func(path []string) []string {
		p := pkgs[path[len(path)-1]]
		if p == nil {
			return nil
		}
		for _, imp := range p.imports {
			next := append(slices.Clip(path), imp)
			if imp == to {
				return next
			}
			if !seen[imp] {
				seen[imp] = true
				if found := walk(next); found != nil {
					return found
				}
			}
		}
		return nil
	}
	return walk([]string{from})
}

func sortedKeys(pkgs map[string]*pkgInfo) []string {
	keys := make([]string, 0, len(pkgs))
	for k := range pkgs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
