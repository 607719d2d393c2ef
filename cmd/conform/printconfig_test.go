package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestPrintConfigPinsNoDerivedPath: --print-config's output, saved as a
// --config file, is the same configuration, and the report paths it did
// not set stay derived from --report-dir: a run with that file and
// --report-dir X writes its reports in X.
func TestPrintConfigPinsNoDerivedPath(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first, later := filepath.Join(dir, "first"), filepath.Join(dir, "later")
	r := conform(t, nil, "run", "--case", "rc-10-type-open", "--report-dir", first, "--print-config")
	if r.code != 0 {
		t.Fatalf("--print-config: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	cfg := filepath.Join(dir, "conform.yaml")
	if err := os.WriteFile(cfg, []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	r = conform(t, nil, "run", "--config", cfg, "--report-dir", later)
	if r.code != 0 {
		t.Fatalf("run --config %s --report-dir %s: exit %d\n%s%s", cfg, later, r.code, r.stdout, r.stderr)
	}
	for _, name := range []string{"junit.xml", "results.json", "report.html", "summary.md"} {
		if _, err := os.Stat(filepath.Join(later, name)); err != nil {
			t.Errorf("%s is not in --report-dir %s: %v", name, later, err)
		}
		if _, err := os.Stat(filepath.Join(first, name)); err == nil {
			t.Errorf("%s went to %s, the report directory --print-config was run with", name, first)
		}
	}
	// A path the operator set is kept, as set.
	own := filepath.Join(dir, "own.xml")
	r = conform(t, nil, "run", "--case", "rc-10-type-open", "--junit-report", own, "--print-config")
	if err := os.WriteFile(cfg, []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	if r = conform(t, nil, "run", "--config", cfg, "--report-dir", later); r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(own); err != nil {
		t.Errorf("the --junit-report the configuration set was not written: %v", err)
	}
}
