package conductor

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Misspelt names are spelt here in two pieces, so that
// TestEveryVariableInTheTreeIsKnown does not find them in this file.
var (
	tragetVar   = EnvPrefix + "TRAGET"
	paswordVar  = EnvPrefix + "ADMIN_PASWORD"
	lowerTarget = "conform_" + "target"
)

func TestCheckEnvironmentNamesTheNearestVariable(t *testing.T) {
	for _, tt := range []struct {
		environ []string
		want    string // "" for no error
	}{
		{[]string{"CONFORM_TARGET=ws://x/", "CONFORM_ADMIN_PASSWORD=s3cret", "CONFORM_TEST_RUN_MAIN=1"}, ""},
		{[]string{tragetVar + "=ws://192.0.2.1:8765/"}, tragetVar + " is not a variable conform reads: did you mean CONFORM_TARGET?"},
		{[]string{paswordVar + "=hunter2"}, "did you mean CONFORM_ADMIN_PASSWORD?"},
		{[]string{lowerTarget + "=ws://x/"}, "did you mean CONFORM_TARGET?"},
		{[]string{EnvPrefix + "X=1"}, ""},                       // one letter from CONFORM_V, but CONFORM_V has one letter
		{[]string{EnvPrefix + "SOMETHING_ELSE_ENTIRELY=1"}, ""}, // far from every name: another tool's
		{[]string{"PATH=/bin", "HOME=/root", "CONFORM_=x"}, ""},
	} {
		err := CheckEnvironment(tt.environ)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%v: %v", tt.environ, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%v: error %v, want %q", tt.environ, err, tt.want)
		}
		var usage *UsageError
		if err != nil && !errors.As(err, &usage) {
			t.Errorf("%v: %T is not a UsageError", tt.environ, err)
		}
	}
}

// TestCheckEnvironmentNeverShowsAValue: the value of a misspelt variable
// may be a secret; the error names the variable only.
func TestCheckEnvironmentNeverShowsAValue(t *testing.T) {
	err := CheckEnvironment([]string{paswordVar + "=canary-value-7", tragetVar + "=ws://canary-host/"})
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), "canary") {
		t.Errorf("the error shows a value: %v", err)
	}
	if !strings.Contains(err.Error(), paswordVar) || !strings.Contains(err.Error(), tragetVar) {
		t.Errorf("the error does not name both variables: %v", err)
	}
}

// envName is what the tree spells as a variable: CONFORM_ and at least
// one more letter or digit (CONFORM_<FLAG> and CONFORM_* are the prefix).
var envName = regexp.MustCompile(`CONFORM_[A-Z0-9_]*[A-Z0-9]`)

// TestEveryVariableInTheTreeIsKnown: every CONFORM_* name any file of the
// repository spells (code, tests, docs, CI) is in the one list the
// misspelling check knows, so that none of the project's own is refused.
func TestEveryVariableInTheTreeIsKnown(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no module root at %s: %v", root, err)
	}
	known := KnownVariables()
	found := map[string]string{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == ".git" || name == "conform-report" {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil || bytes.IndexByte(b, 0) >= 0 {
			return err // a binary file spells no variable
		}
		for _, m := range envName.FindAll(b, -1) {
			if _, ok := found[string(m)]; !ok {
				found[string(m)], _ = filepath.Rel(root, path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) < 10 {
		t.Fatalf("found only %d variables under %s", len(found), root)
	}
	for name, where := range found {
		if !slices.Contains(known, name) {
			t.Errorf("%s (in %s) is not in conductor.KnownVariables: add it to flagVariables or projectVariables (environ.go)", name, where)
		}
	}
}
