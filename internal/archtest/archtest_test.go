package archtest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tableDoc is the document whose package table the test holds true.
const tableDoc = "docs/architecture.md"

// maxDocBytes bounds the read of tableDoc.
const maxDocBytes = 1 << 20

// TestPackageTableIsTrue: every package of the module has a row in the
// package table of docs/architecture.md, every row is a package, and no
// package imports one listed above it; refserver imports nothing of the
// module and internal/model does not reach it. Only the imports of non-test files
// count: a test may stand above what it tests (cases' external test runs the
// catalogue through internal/engine and internal/modelserver, which import
// cases), so counting test files would make every order false.
func TestPackageTableIsTrue(t *testing.T) {
	root, module, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	text, err := readBounded(filepath.Join(root, tableDoc), maxDocBytes)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := parseTable(text)
	if err != nil {
		t.Fatalf("%s: %v", tableDoc, err)
	}
	pkgs, err := modulePackages(root, module)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < 2 {
		t.Fatalf("found %d packages under %s: the walk of the tree is broken", len(pkgs), root)
	}
	for _, p := range checkTable(rows, pkgs) {
		t.Error(p)
	}
}

// TestCheckTableFindsEachDefect: the check names a missing package with the
// row to add and where, a row that is no package, a duplicate row, an
// import of a package listed above (with an order that holds, or the cycle
// when none does), refserver importing the module and the model reaching
// refserver; on a true table it finds nothing.
func TestCheckTableFindsEachDefect(t *testing.T) {
	pkgs := map[string]*pkgInfo{
		"cmd/x":          {imports: []string{"lib/b", "lib/new"}},
		"lib/a":          {},
		"lib/b":          {imports: []string{"lib/a"}},
		"lib/new":        {imports: []string{"lib/b"}, job: "conducts a run from flags to reports"},
		"internal/model": {imports: []string{"lib/m"}},
		"lib/m":          {imports: []string{"refserver"}},
		"refserver":      {imports: []string{"lib/a"}},
	}
	rows := rowsOf("cmd/x", "lib/a", "lib/b", "internal/model", "lib/m", "lib/gone", "lib/a", "refserver")
	got := strings.Join(checkTable(rows, pkgs), "\n")
	for _, want := range []string{
		"lists `lib/a` twice (lines 2 and 7)",
		"lists `lib/gone`, which is no package of the module",
		"`lib/b` imports `lib/a`, which the table lists above it",
		"add this row\n\t| `lib/new` | conducts a run from flags to reports |\ndirectly below the row of `cmd/x`",
		"`refserver` imports `lib/a`",
		"`internal/model` reaches `refserver` (internal/model → lib/m → refserver)",
		"`refserver` imports `lib/a`, which the table lists above it",
		// The order that holds, closest to the table's.
		"\t`cmd/x`\n\t`lib/b`\n\t`internal/model`\n\t`lib/m`\n\t`refserver`\n\t`lib/a`\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the check does not say %q; it says:\n%s", want, got)
		}
	}

	// Without a package comment the row says what to write.
	pkgs["lib/new"].job = ""
	if got := strings.Join(checkTable(rows, pkgs), "\n"); !strings.Contains(got, "| `lib/new` | <its one job, in a few words> |") {
		t.Errorf("a package without a comment: %s", got)
	}

	// Nowhere to put it: lib/new imports lib/b, listed above cmd/x, which imports it.
	if got := strings.Join(checkTable(rowsOf("lib/b", "cmd/x", "lib/a"), map[string]*pkgInfo{
		"cmd/x": {imports: []string{"lib/new"}}, "lib/b": {}, "lib/a": {}, "lib/new": {imports: []string{"lib/b"}},
	}), "\n"); !strings.Contains(got, "no place in the table holds as it stands") {
		t.Errorf("a package with no place: %s", got)
	}

	// Imports that go round (Go refuses them; the check still says so).
	if got := strings.Join(checkTable(rowsOf("lib/a", "lib/b"), map[string]*pkgInfo{
		"lib/a": {imports: []string{"lib/b"}}, "lib/b": {imports: []string{"lib/a"}},
	}), "\n"); !strings.Contains(got, "the imports go round: `lib/b` imports `lib/a` imports `lib/b`") {
		t.Errorf("a cycle: %s", got)
	}

	sound := map[string]*pkgInfo{
		"cmd/x": {imports: []string{"lib/b", "lib/new"}}, "lib/new": {imports: []string{"lib/b"}},
		"lib/b": {imports: []string{"lib/a"}}, "lib/a": {}, "refserver": {},
	}
	if got := checkTable(rowsOf("cmd/x", "lib/new", "lib/b", "lib/a", "refserver"), sound); len(got) > 0 {
		t.Errorf("a true table: %q", got)
	}
}

// TestParseTableReadsThePackageTableOnly: the rows of other tables (the
// tests' table also starts rows with a package) are not packages, and a
// document without the table is an error, not an empty table that passes.
func TestParseTableReadsThePackageTableOnly(t *testing.T) {
	doc := "# x\n\n## Packages\n\n| package | one job |\n|---|---|\n| `cmd/x` | the CLI: `run` |\n| `lib/a` | a | b |\n\nprose `lib/z`\n\n" +
		"## What the tests enforce\n\n| test | invariant |\n|---|---|\n| `cases`: `TestX` | x |\n| `lib/q` | not a package row |\n"
	rows, err := parseTable(doc)
	if err != nil {
		t.Fatal(err)
	}
	if want := rowsOf("cmd/x", "lib/a"); !slices.EqualFunc(rows, want, func(a, b row) bool { return a.pkg == b.pkg }) {
		t.Errorf("rows %v, want %v", rows, want)
	}
	if rows[0].line != 7 {
		t.Errorf("cmd/x at line %d, want 7", rows[0].line)
	}
	if _, err := parseTable("# x\n\n## Packages\n\nnone yet\n"); err == nil {
		t.Error("a document without the table parsed")
	}
}

// TestModulePackagesFindsWhatGoWould: the walk finds the packages the go
// command would (a directory of test files only is one), skips testdata,
// vendor, hidden and _ directories, nested modules and //go:build ignore
// files, counts only the imports of non-test files, and takes a package's
// job from its comment.
func TestModulePackagesFindsWhatGoWould(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"a/a.go":          "// Package a does a, then more.\npackage a\n\nimport (\n\t\"fmt\"\n\t\"m/b\"\n)\n",
		"a/a_test.go":     "package a_test\n\nimport \"m/c\"\n",
		"b/b.go":          "package b\n",
		"c/c_test.go":     "package c\n\nimport \"m/a\"\n",
		"a/gen.go":        "//go:build ignore\n\npackage main\n\nimport \"m/c\"\n",
		"testdata/x/x.go": "package x\n",
		"vendor/v/v.go":   "package v\n",
		".hidden/h.go":    "package h\n",
		"_skip/s.go":      "package s\n",
		"nested/go.mod":   "module n\n",
		"nested/n.go":     "package n\n\nimport \"m/a\"\n",
		"b/notes.txt":     "not Go\n",
		"main.go":         "package main\n\nimport \"m/a\"\n",
	}
	writeTree(t, root, files)
	pkgs, err := modulePackages(root, "m")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, name := range sortedKeys(pkgs) {
		got = append(got, fmt.Sprintf("%s%v %q", name, pkgs[name].imports, pkgs[name].job))
	}
	want := []string{`.[a] ""`, `a[b] "does a, then more"`, `b[] ""`, `c[] ""`}
	if !slices.Equal(got, want) {
		t.Errorf("packages\n%q\nwant\n%q", got, want)
	}
}

// rowsOf numbers packages as rows from line 1.
func rowsOf(pkgs ...string) []row {
	var rows []row
	for i, p := range pkgs {
		rows = append(rows, row{p, i + 1})
	}
	return rows
}

// writeTree writes files (slash-separated paths to their text) under root.
func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
