package archtest

import (
	"fmt"
	"strings"
	"testing"
)

// testingAllowed is the one file outside _test.go files that may import
// "testing": pgregory.net/rapid v1.3.0, which the exploration runs outside
// any test, asks testing.Short, and that panics unless testing.Init ran.
// The file says so; nothing else of the module may import "testing" but
// its tests (a fixture takes what it needs of testing.TB as an interface).
const testingAllowed = "internal/explore/rapidflags.go"

// TestOnlyTheExplorationImportsTesting: no non-test file of the module
// imports "testing" but testingAllowed, and that one still does (else its
// exception goes).
func TestOnlyTheExplorationImportsTesting(t *testing.T) {
	root, module, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := modulePackages(root, module)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range checkTesting(pkgs, testingAllowed) {
		t.Error(p)
	}
}

// checkTesting lists the non-test files that import "testing", allowed
// aside, and says when allowed no longer does.
func checkTesting(pkgs map[string]*pkgInfo, allowed string) []string {
	var out []string
	found := false
	for _, name := range sortedKeys(pkgs) {
		for _, f := range pkgs[name].testing {
			if f == allowed {
				found = true
				continue
			}
			out = append(out, fmt.Sprintf("%s imports \"testing\" outside a _test.go file; only %s may (rapid asks testing.Short): take what it needs of testing.TB as an interface, or move it into a _test.go file", f, allowed))
		}
	}
	if !found {
		out = append(out, fmt.Sprintf("%s no longer imports \"testing\": remove its exception (testingAllowed)", allowed))
	}
	return out
}

// TestCheckTestingFindsEachImporter: a non-test file importing "testing"
// is named, in any package, the root's included; a test file, a file
// marked //go:build ignore and the allowed file are not; an allowed file
// that no longer imports it is named too.
func TestCheckTestingFindsEachImporter(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"main.go":         "package main\n\nimport \"testing\"\n",
		"a/a.go":          "package a\n\nimport (\n\t\"fmt\"\n\t\"testing\"\n)\n",
		"a/a_test.go":     "package a\n\nimport \"testing\"\n",
		"a/gen.go":        "//go:build ignore\n\npackage main\n\nimport \"testing\"\n",
		"b/ok.go":         "package b\n\nimport \"testing\"\n",
		"c/fixture.go":    "package c\n\ntype TB interface{ Helper() }\n",
		"testdata/t/t.go": "package t\n\nimport \"testing\"\n",
	}
	writeTree(t, root, files)
	pkgs, err := modulePackages(root, "m")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(checkTesting(pkgs, "b/ok.go"), "\n")
	for _, want := range []string{"main.go imports \"testing\"", "a/a.go imports \"testing\""} {
		if !strings.Contains(got, want) {
			t.Errorf("the check does not say %q; it says:\n%s", want, got)
		}
	}
	for _, not := range []string{"a_test.go", "gen.go", "b/ok.go imports", "fixture.go", "testdata", "no longer"} {
		if strings.Contains(got, not) {
			t.Errorf("the check names %q:\n%s", not, got)
		}
	}
	if got := strings.Join(checkTesting(pkgs, "c/fixture.go"), "\n"); !strings.Contains(got, "c/fixture.go no longer imports \"testing\"") {
		t.Errorf("an allowed file that does not import testing: %s", got)
	}
}
