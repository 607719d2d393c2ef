package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/roomconform/conform/reports"
)

func TestUsageErrorsExit2WithOneLine(t *testing.T) {
	for _, args := range [][]string{
		{"run", "--case", "no-such-case"},
		{"run", "--no-such-flag"},
		{"run", "--admin-password", "x"},
		{"run", "--label-filter", "smoke &&"},
		{"run", "--target", "http://example.invalid"},
		{"run", "--plan", "gold"},
		{"run", "--web", "ws://x"},
		{"run", "--token-ttl", "-1s"},
		{"run", "--target", "ws://127.0.0.1:99999/"},
		{"run", "--web", "http://user:pw@127.0.0.1:8080"},
		{"run", "--lockout-attempts", "9223372036854775807"},
		{"run", "--junit-report", "same.xml", "--json-report", "same.xml"},
		{"run", "--junit-report", "/dev/null", "--json-report", "/dev/null"},
		{"run", "--target", "ws://127.0.0.1:8765/", "--fault", "repeated-tokens"},
		{"run", "--profile", "nope"},
		{"run", "--", "--ginkgo.focus=x"},
		{"run", "extra-argument"},
		{"list", "--format", "yaml"},
		{"serve", "--profile", "nope"},
		{"serve", "--fault", "nope"},
		{"serve", "--variant", "duplicate-response"},
		{"frobnicate"},
		{"run", "--require", "should"},
		{"run", "--baseline", "no-such-file"},
		{"explain", "no-such-id"},
		{"explain"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := conform(t, nil, args...)
			if r.code != 2 {
				t.Fatalf("exit %d, want 2\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
			}
			if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 {
				t.Errorf("want a one-line reason, got %d lines:\n%s", len(lines), r.stderr)
			}
		})
	}
}

// TestDidYouMean: a misspelt subcommand, flag or ID names the nearest one.
func TestDidYouMean(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"rnu"}, "did you mean run?"},
		{[]string{"run", "--lable-filter", "smoke"}, "did you mean --label-filter?"},
		{[]string{"explain", "rc-8-wrong-usr-pin"}, "did you mean rc-8-wrong-user-pin?"},
	} {
		r := conform(t, nil, tt.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q: want 2 and %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
}

// TestExplain: a requirement and a case, as docs/requirements.md has them.
func TestExplain(t *testing.T) {
	r := conform(t, nil, "explain", "RC-7")
	if r.code != 0 || !strings.Contains(r.stdout, "RC-7 (MUST)") || !strings.Contains(r.stdout, "rc-7-empty-credentials") || !strings.Contains(r.stdout, "caught by:") {
		t.Errorf("explain RC-7: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = conform(t, nil, "explain", "rc-7-empty-credentials")
	if r.code != 0 || !strings.Contains(r.stdout, "expects (RC-7): resultCode 7") {
		t.Errorf("explain rc-7-empty-credentials: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestConfigFile: --config sets what no flag and no CONFORM_* variable
// sets; --print-config says where each value came from and never shows a
// secret.
func TestConfigFile(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "conform.yaml")
	if err := os.WriteFile(cfg, []byte("case: [rc-7-empty-credentials, rc-10-type-open]\nstrict: true\nresponse-timeout: 2s\nreport-dir: "+dir+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := conform(t, []string{"CONFORM_STRICT=false", "CONFORM_ADMIN_PASSWORD=canary-9x", "CONFORM_USER_PIN="}, "run", "--config", cfg, "--response-timeout", "3s", "--print-config")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		`case:                      "rc-7-empty-credentials,rc-10-type-open" # config file`,
		`strict:                    "false"`, "# environment",
		`response-timeout:          "3s"`, "# flag",
		"CONFORM_ADMIN_PASSWORD:    set (value not shown)",
		"CONFORM_USER_PIN:          set but empty: not used", // an unset CI secret, told apart from none
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("--print-config lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "canary") {
		t.Error("--print-config shows a secret")
	}
	r = conform(t, nil, "run", "--config", cfg)
	var res reports.Run
	readJSON(t, filepath.Join(dir, "results.json"), &res)
	if r.code != 0 || len(res.Cases) != 2 || !res.Selection.Strict {
		t.Errorf("the config file's selection and strictness were not used: exit %d, %d cases, strict %v", r.code, len(res.Cases), res.Selection.Strict)
	}
	for name, text := range map[string]string{"secret": "admin-password: x\n", "unknown key": "lable-filter: x\n", "not YAML": "[a\n"} {
		bad := filepath.Join(dir, "bad.yaml")
		if err := os.WriteFile(bad, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if r := conform(t, nil, "run", "--config", bad); r.code != 2 || !strings.Contains(r.stderr, "--config") {
			t.Errorf("%s: exit %d, stderr %q", name, r.code, r.stderr)
		}
	}
}

// TestReportToStdout: --json-report /dev/stdout writes into the stream
// (the console and the document share it, but nothing is replaced or lost).
func TestReportToStdout(t *testing.T) {
	r := conform(t, nil, "run", "--case", "rc-10-type-open", "--json-report", "/dev/stdout", "--junit-report", "")
	if r.code != 0 || !strings.Contains(r.stdout, `"schema": "conform.results/v2"`) {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestReportToStdoutRedirectedToAFile: with stdout redirected to a file,
// --json-report /dev/stdout appends to that file; nothing the console wrote
// before is lost (it once renamed a new file over it).
func TestReportToStdoutRedirectedToAFile(t *testing.T) {
	out, err := os.Create(filepath.Join(t.TempDir(), "run.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(os.Args[0], "run", "--case", "rc-10-type-open", "--json-report", "/dev/stdout", "--junit-report", "")
	cmd.Env = append(cleanEnv(), "CONFORM_TEST_RUN_MAIN=1")
	cmd.Dir = t.TempDir()
	cmd.Stdout = out
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out.Name())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "conform ") || !strings.Contains(string(b), `"schema": "conform.results/v2"`) {
		t.Errorf("the log holds %d bytes:\n%.300s", len(b), b)
	}
}

func TestListJSON(t *testing.T) {
	r := conform(t, nil, "list", "--format", "json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var listed []struct {
		ID           string
		Title        string
		Level        string
		Labels       []string
		Requirements []struct{ ID, Level string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil {
		t.Fatalf("list output is not JSON: %v", err)
	}
	if len(listed) < 40 {
		t.Fatalf("listed %d cases", len(listed))
	}
	for _, c := range listed {
		if c.ID == "" || c.Title == "" || c.Level == "" || c.Labels == nil || len(c.Requirements) == 0 || c.Requirements[0].Level == "" {
			t.Errorf("incomplete entry %+v", c)
		}
	}
}

func TestVersionNamesTheRevisionOnce(t *testing.T) {
	rev := "0123456789abcdef0123456789abcdef01234567"
	for _, tc := range []struct {
		version  string
		settings map[string]string
		want     string
	}{
		{"(devel)", nil, "dev go1.26.8"},
		{"(devel)", map[string]string{"vcs.revision": rev}, "dev+0123456789ab go1.26.8"},
		{"(devel)", map[string]string{"vcs.revision": rev, "vcs.modified": "true"}, "dev+0123456789ab-dirty go1.26.8"},
		{"v0.0.0-20261129195500-0123456789ab", map[string]string{"vcs.revision": rev}, "v0.0.0-20261129195500-0123456789ab go1.26.8"},
		{"v0.0.0-20261129195500-0123456789ab+dirty", map[string]string{"vcs.revision": rev, "vcs.modified": "true"}, "v0.0.0-20261129195500-0123456789ab+dirty go1.26.8"},
		{"v1.2.0", nil, "v1.2.0 go1.26.8"},
	} {
		bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: tc.version}}
		for k, v := range tc.settings {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: k, Value: v})
		}
		if got := versionOf(bi); got != tc.want {
			t.Errorf("version %q %v: got %q, want %q", tc.version, tc.settings, got, tc.want)
		}
	}
}

// TestServeTimeScaleFlagsAreAcceptedByRun: what conform serve --time-scale
// tells the operator to pass to conform run is accepted by it as it is.
func TestServeTimeScaleFlagsAreAcceptedByRun(t *testing.T) {
	for _, scale := range []float64{1000, 60, 1e6} {
		flags := strings.Fields(matchingRunFlags(scale))
		r := conform(t, nil, append([]string{"run", "--target", "ws://127.0.0.1:1", "--report-dir", t.TempDir()}, flags...)...)
		if r.code != 3 {
			t.Errorf("scale %g: conform run %s: exit %d, want 3 (flags accepted, target unreachable)\n%s", scale, strings.Join(flags, " "), r.code, r.stderr)
		}
	}
	if got := matchingRunFlags(1000); !strings.Contains(got, "--http-token-ttl 300ms") || !strings.Contains(got, "--lifetime-tolerance 100ms") {
		t.Errorf("scale 1000: %s", got)
	}
}
