package explain

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/refserver"
)

// TestDocsAreFresh fails when docs/requirements.md or docs/catalogue.md is
// not what the registry, the catalogue and the mutation matrix say;
// CONFORM_DOCS_WRITE=1 rewrites them.
func TestDocsAreFresh(t *testing.T) {
	r, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.LoadSource(filepath.Join("..", "..")); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{RequirementsDoc: r.Requirements(), CatalogueDoc: r.Catalogue()} {
		full := filepath.Join("..", "..", path)
		if os.Getenv("CONFORM_DOCS_WRITE") != "" {
			if err := os.WriteFile(full, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(full)
		if err != nil || string(got) != want {
			t.Errorf("%s is stale (or missing): regenerate it with\n  %s", path, RegenerateCommand)
		}
	}
}

func TestLookup(t *testing.T) {
	r, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	// A requirement: its text, level, cases, and every fault that breaks
	// it with the case that catches it.
	got, err := r.Lookup("rc-8")
	if err != nil {
		t.Fatal(err)
	}
	q, _ := caselang.LookupRequirement("RC-8")
	for _, want := range []string{"RC-8 (MUST): " + q.Text, "rc-8-wrong-user-pin", "caught by: FAIL"} {
		if !strings.Contains(got, want) {
			t.Errorf("explain RC-8 lacks %q:\n%s", want, got)
		}
	}
	for _, f := range refserver.Faults() {
		if f.Requirement == "RC-8" && !strings.Contains(got, f.Name) {
			t.Errorf("explain RC-8 does not name fault %s", f.Name)
		}
	}
	// A case: its requests without secrets, what each step expects.
	got, err = r.Lookup("rc-8-wrong-user-pin")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"RC-8 (MUST)", `"type":"secured"`, "expects (RC-8): resultCode 8", "Reference-server faults it catches"} {
		if !strings.Contains(got, want) {
			t.Errorf("explain rc-8-wrong-user-pin lacks %q:\n%s", want, got)
		}
	}
	// Unknown: an error with the nearest ID.
	if _, err := r.Lookup("rc-8-wrong-usr-pin"); err == nil || !strings.Contains(err.Error(), "did you mean rc-8-wrong-user-pin") {
		t.Errorf("unknown ID: %v", err)
	}
	// Every requirement and every case can be explained.
	for _, q := range caselang.Requirements() {
		if _, err := r.Lookup(q.ID); err != nil {
			t.Errorf("%s: %v", q.ID, err)
		}
	}
	for _, c := range cases.All() {
		if s, err := r.Lookup(c.ID); err != nil || !strings.Contains(s, "Steps:") {
			t.Errorf("%s: %v", c.ID, err)
		}
	}
}
