package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/roomconform/conform/internal/rundiff"
	"github.com/roomconform/conform/reports"
)

// diffRun runs `conform diff args...` in-process.
func diffRun(args ...string) result {
	var out, errOut bytes.Buffer
	code := run(append([]string{"diff"}, args...), &out, &errOut, cleanEnv())
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// TestDiffExitCodes: conform diff exits 0 without a regression, 1 with
// one, 2 for input it cannot read or compare, on two real results.json of
// two cases against the embedded server (in memory), one with a fault.
func TestDiffExitCodes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	results := func(name string, extra ...string) string {
		d := filepath.Join(dir, name)
		args := append([]string{"run", "--case", "rc-7-empty-credentials", "--case", "auth-4-token-shape", "--report-dir", d}, extra...)
		if r, _ := inProcessRun(t, nil, args...); r.code != 0 && r.code != 1 {
			t.Fatalf("%s: exit %d: %s", name, r.code, r.stderr)
		}
		return filepath.Join(d, "results.json")
	}
	good, bad := results("good"), results("bad", "--fault", "empty-credentials-code-8")
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	goodRun := readRun(t, good)
	fl := reports.Fleet{Schema: reports.Schema, Kind: reports.KindFleet, Targets: []reports.FleetTarget{{Name: "a", Dir: "a", Run: goodRun}}}
	fl.Tally()
	fb, err := reports.FleetJSON(fl)
	if err != nil {
		t.Fatal(err)
	}
	fleet := write("fleet.json", string(fb))
	notJSON := write("not.json", "{\"schema\":")
	otherSchema := write("v1.json", `{"schema":"conform.results/v1","cases":[]}`)

	for _, tt := range []struct {
		name   string
		args   []string
		code   int
		stdout string // a line the output must have
		stderr string
	}{
		{"the same run", []string{good, good}, 0, "no regression: 0 case verdict changes", ""},
		{"a regression", []string{good, bad}, 1, "case rc-7-empty-credentials: PASS -> FAIL  REGRESSION", ""},
		{"repaired", []string{bad, good}, 0, "case rc-7-empty-credentials: FAIL -> PASS", ""},
		{"a regression, --json", []string{"--json", good, bad}, 1, `"regression": true`, ""},
		{"--json after the files", []string{good, bad, "--json"}, 1, `"schema": "` + rundiff.Schema + `"`, ""},
		{"a fleet against itself", []string{fleet, fleet}, 0, "no regression", ""},
		{"a run against a fleet", []string{good, fleet}, 2, "", "conform diff: one document is a single target's run and the other a fleet's"},
		{"a missing file", []string{good, filepath.Join(dir, "missing.json")}, 2, "", "conform diff: read results:"},
		{"not JSON", []string{notJSON, good}, 2, "", "not a results document"},
		{"another schema", []string{good, otherSchema}, 2, "", `schema "conform.results/v1"`},
		{"one file", []string{good}, 2, "", "Usage: conform diff"},
		{"three files", []string{good, good, good}, 2, "", "Usage: conform diff"},
		{"an unknown flag", []string{"--yaml", good, good}, 2, "", "unknown flag --yaml"},
		{"-h", []string{"-h"}, 0, "", "Usage: conform diff"},
		{"files after --", []string{"--json", "--", good, bad}, 1, `"regression": true`, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := diffRun(tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout, tt.stdout) || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stdout %q (want %q), stderr %q (want %q)", r.stdout, tt.stdout, r.stderr, tt.stderr)
			}
			if tt.code == 2 && tt.args[0] != "-h" && strings.Count(r.stderr, "\n") != 1 && !strings.Contains(r.stderr, "Usage") {
				t.Errorf("not one line: %q", r.stderr)
			}
			if tt.code != 2 && strings.HasPrefix(strings.Join(tt.args, " "), "--json") {
				var d rundiff.Diff
				if err := json.Unmarshal([]byte(r.stdout), &d); err != nil || d.Regression != (tt.code == 1) {
					t.Errorf("--json: %v, regression %v", err, d.Regression)
				}
			}
		})
	}
}

func readRun(t *testing.T, path string) reports.Run {
	t.Helper()
	d, err := reports.ReadResults(path)
	if err != nil || d.Run == nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return *d.Run
}

// TestDiffEscapesTheTarget: a results.json whose strings carry escape
// sequences and a newline (a target's text, or an edited file) reaches
// the terminal escaped, text and --json alike, and starts no line.
func TestDiffEscapesTheTarget(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r, run := inProcessRun(t, nil, "run", "--case", "auth-4-token-shape", "--report-dir", filepath.Join(dir, "old"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	const hostile = "\x1b]0;owned\x07\x1b[2J\u202e\u009b\nno regression: 0 case verdict changes"
	run.Cases[0].ID = hostile
	run.Cases[0].Verdict = "FAIL"
	run.Cases[0].Findings = append(run.Cases[0].Findings, reports.Finding{})
	run.Cases[0].Findings[len(run.Cases[0].Findings)-1].Requirement = "AUTH-4"
	run.Cases[0].Findings[len(run.Cases[0].Findings)-1].Level = "MUST"
	run.Cases[0].Findings[len(run.Cases[0].Findings)-1].Check = hostile
	run.Summary.Verdict = hostile
	b, err := reports.JSON(run)
	if err != nil {
		t.Fatal(err)
	}
	newPath := filepath.Join(dir, "new.json")
	if err := os.WriteFile(newPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(dir, "old", "results.json")
	for _, tt := range []struct {
		args  []string
		code  int
		shown string // the hostile text as it must be shown
	}{
		{[]string{old, newPath}, 1, `\x1b]0;owned\x07\x1b[2J\u202e\u009b\nno regression`},
		{[]string{"--json", old, newPath}, 1, `\u001b]0;owned\u0007\u001b[2J\u202e\u009b\nno regression`},
		// The operator's path, quoted in the error.
		{[]string{old, filepath.Join(dir, hostile)}, 2, `\x1b]0;owned`},
	} {
		args := tt.args
		r := diffRun(args...)
		if r.code != tt.code {
			t.Errorf("%q: exit %d, want %d: %s %s", args, r.code, tt.code, r.stdout, r.stderr)
		}
		if !strings.Contains(r.stdout+r.stderr, tt.shown) {
			t.Errorf("%q: the hostile text not shown as %s:\n%s%s", args, tt.shown, r.stdout, r.stderr)
		}
		for _, out := range []string{r.stdout, r.stderr} {
			for _, c := range []string{"\x1b", "\x07", "\u202e", "\u009b"} {
				if strings.Contains(out, c) {
					t.Errorf("%q: raw %q in the output:\n%s", args, c, out)
				}
			}
			for _, l := range strings.Split(out, "\n") {
				if strings.HasPrefix(strings.TrimSpace(l), "no regression") {
					t.Errorf("%q: the target's text started a line: %q", args, l)
				}
			}
		}
	}
}
