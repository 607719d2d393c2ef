package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/reporters"

	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/conductor"
	"github.com/roomconform/conform/refserver"
	"github.com/roomconform/conform/reports"
)

// The binary's own tests run it as a subprocess: RunSpecs works once per
// process, and the spec tree is global. The heavy ones (many runs each) are
// parallel, also with each other, at twice GOMAXPROCS: a run waits on
// loopback about half the time.
func TestMain(m *testing.M) {
	if os.Getenv("CONFORM_TEST_RUN_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
	}
	flag.Parse()
	// Runs keep their recovery journals in the user's state directory:
	// never the developer's own, here (the subprocesses inherit it).
	state, err := os.MkdirTemp("", "conform-state-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Setenv("XDG_STATE_HOME", state)
	if !flagSet("test.parallel") {
		// The tests here wait on subprocesses talking over loopback: at
		// GOMAXPROCS of them at once the machine is half idle.
		_ = flag.Set("test.parallel", strconv.Itoa(subprocessParallelism()))
	}
	code := m.Run()
	os.RemoveAll(state)
	os.Exit(code)
}

// subprocessParallelism is how many parallel tests run at once unless
// -parallel says otherwise: twice the processors, since a run of the
// binary keeps about one of them busy (measured: docs/performance.md).
func subprocessParallelism() int { return 2 * runtime.GOMAXPROCS(0) }

// flagSet reports whether the named flag was given on the command line.
func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

type result struct {
	code           int
	stdout, stderr string
	elapsed        time.Duration
	dir            string // report directory, when the helper chose it
}

// conform runs the binary with args and extra environment (KEY=VALUE).
func conform(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(cleanEnv(), "CONFORM_TEST_RUN_MAIN=1")
	cmd.Env = append(cmd.Env, env...)
	cmd.Dir = t.TempDir()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String(), elapsed: time.Since(start), code: ranTo(t, err)}
	raceFree(t, r.stderr)
	return r
}

// shortFirst keeps, under -short (CI's race stage, where each run of the
// race-built binary costs several times its CPU), only the first of
// items, and says so in the log; the plain go test runs them all.
func shortFirst[T any](t *testing.T, items []T) []T {
	t.Helper()
	if testing.Short() && len(items) > 1 {
		t.Logf("-short: the first of %d variations only; the plain go test runs them all", len(items))
		return items[:1]
	}
	return items
}

// ranTo is the exit status of a run (exitCode); one that could not be
// started fails the test.
func ranTo(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("run conform: %v", err)
	}
	return exitCode(err)
}

// raceFree fails the test when a run of the binary (built with the test,
// and so with -race when the test is) reported a data race on stderr.
func raceFree(t *testing.T, stderr string) {
	t.Helper()
	if strings.Contains(stderr, "WARNING: DATA RACE") {
		t.Errorf("the race detector found a data race in the run:\n%s", stderr)
	}
}

// cleanEnv drops CONFORM_* from the test's environment so the developer's
// own settings cannot change the outcome.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CONFORM_") {
			out = append(out, kv)
		}
	}
	return out
}

func TestRunEmbeddedDefaultPassesAndWritesReports(t *testing.T) {
	dir := t.TempDir()
	r := conform(t, nil, "run", "--report-dir", dir)
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.HasPrefix(r.stdout, "conform ") || !strings.Contains(r.stdout, "profile: admin password, user pin") {
		t.Errorf("the profile is not printed first:\n%s", firstLines(r.stdout, 3))
	}
	var res reports.Run
	readJSON(t, filepath.Join(dir, "results.json"), &res)
	if res.Summary.Pass < 40 || res.Summary.Fail != 0 || res.Summary.Error != 0 {
		t.Errorf("summary %+v: want at least 40 passes and no failure", res.Summary)
	}
	// The walk (another Pro profile with setAuthParams, a Free-plan server)
	// runs every case of the catalogue but the generated cases of other
	// profiles: nothing is skipped, every MUST requirement but the suite's
	// own holes is checked.
	want := 0
	own := cases.Profile{Admin: cases.Password, User: cases.PIN, Plan: cases.Pro}
	for _, c := range cases.All() {
		if conductor.ForProfile(c, own) {
			want++
		}
	}
	if res.Summary.Skip != 0 || res.Summary.Total != want || res.Summary.Must.Checked != res.Summary.Must.Total-res.Summary.Must.Holes {
		t.Errorf("the default run skips or leaves requirements unchecked: %+v", res.Summary)
	}
	if res.Profile.Admin != "password" || res.Profile.User != "pin" || res.Schema != reports.Schema {
		t.Errorf("results.json profile %+v schema %q", res.Profile, res.Schema)
	}
	suites := readJUnit(t, filepath.Join(dir, "junit.xml"))
	tc := suites.TestSuites[0].TestCases
	if len(tc) != res.Summary.Total {
		t.Errorf("junit has %d testcases, results.json %d cases", len(tc), res.Summary.Total)
	}
	if !strings.HasPrefix(tc[0].Name, res.Cases[0].ID+" ") {
		t.Errorf("testcase name %q does not start with the case ID %q", tc[0].Name, res.Cases[0].ID)
	}
}

// TestRealTimePathNeverFails runs the CLI against a reference server on its
// own ports and on the wall clock, as an operator runs it against a device,
// with every case selected and short lifetimes on both sides. A machine too
// busy for those lifetimes may make a timed case ERROR, and says so; it
// can never make the conformant server FAIL or WARN. (The verdicts of every
// profile are TestConformantSpace's, on the virtual clock.)
func TestRealTimePathNeverFails(t *testing.T) {
	t.Parallel()
	for _, profile := range shortFirst(t, []string{refserver.DefaultProfile, "unsecured", "admin-pin-user-password"}) {
		t.Run(profile, func(t *testing.T) {
			t.Parallel()
			var extra []string
			if testing.Short() {
				// CI's race stage: the hand-written cases (the plain stage
				// runs the generated ones in real time too).
				extra = []string{"--label-filter", "!generated"}
			}
			r, res := runAgainst(t, profile, nil, nil, true, nil, extra...)
			for _, c := range res.Cases {
				switch {
				case c.Verdict == reports.Fail || c.Verdict == reports.Warn:
					t.Errorf("%s: %s: %s", c.ID, c.Verdict, c.Message)
				case c.Verdict == reports.Error && !strings.Contains(c.Message, "late"):
					t.Errorf("%s: ERROR, not for lateness: %s", c.ID, c.Message)
				case c.Verdict == reports.Skip && c.Message == "":
					t.Errorf("%s skipped without a reason", c.ID)
				}
			}
			if r.code != 0 && r.code != 3 {
				t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
			}
		})
	}
}

// TestDiscoveryThroughWebManager: with only --web, the suite finds the
// WebSocket and the HTTP server through config.json and runs the live
// default selection, DISC-1 and the quick lifetime cases included.
func TestDiscoveryThroughWebManager(t *testing.T) {
	t.Parallel()
	srv, err := refserver.Start("127.0.0.1:0", refserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	r := conform(t, []string{"CONFORM_ADMIN_PASSWORD=" + srv.Server.Secrets().AdminPassword},
		"run", "--web", srv.WebURL, "--report-dir", dir)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	var res reports.Run
	readJSON(t, filepath.Join(dir, "results.json"), &res)
	if res.Target.URL != srv.URL {
		t.Errorf("discovered target %q, want %q", res.Target.URL, srv.URL)
	}
	want := map[string]string{"disc-1-config-json": "PASS", "life-1-http-token-opens-http-server": "PASS",
		"life-6-get-token-for-http-server": "PASS", "life-2-http-token-expires": ""}
	for _, c := range res.Cases {
		if v, ok := want[c.ID]; ok {
			if c.Verdict != v && v != "" {
				t.Errorf("%s: %s %s, want %s", c.ID, c.Verdict, c.Message, v)
			}
			delete(want, c.ID)
		}
	}
	if _, selected := want["life-2-http-token-expires"]; !selected {
		t.Error("a slow case ran in the live default selection")
	}
	delete(want, "life-2-http-token-expires")
	if len(want) > 0 {
		t.Errorf("not selected: %v", want)
	}
}

func TestDeadTargetExits3Fast(t *testing.T) {
	dir := t.TempDir()
	// A refused connection is an answer: the run must not wait it out. The
	// response timeout is long, and a run that waited it out would say so.
	r := conform(t, nil, "run", "--target", "ws://127.0.0.1:1", "--report-dir", dir, "--response-timeout", "10m")
	if r.code != 3 {
		t.Fatalf("exit %d, want 3\nstderr:\n%s", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "timeout") || strings.Contains(r.stderr, "within") {
		t.Errorf("a refused connection was waited out:\n%s", r.stderr)
	}
	if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "127.0.0.1:1") {
		t.Errorf("want one line naming the target, got:\n%s", r.stderr)
	}
	var res reports.Run
	readJSON(t, filepath.Join(dir, "results.json"), &res)
	if res.Preflight.OK || res.Summary.ExitCode != 3 || res.Summary.Error == 0 {
		t.Errorf("results.json does not record the failed preflight: %+v %+v", res.Preflight, res.Summary)
	}
}

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

// TestRequireMustWithoutSecrets: against a target with no secret given,
// most MUST requirements go unchecked; --require must makes that exit 1 and
// names them with why; without the flag the run stays conformant and says
// how many went unchecked.
func TestRequireMustWithoutSecrets(t *testing.T) {
	t.Parallel()
	srv, err := refserver.Start("127.0.0.1:0", refserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	r := conform(t, nil, "run", "--target", srv.URL, "--report-dir", dir, "--require", "must")
	if r.code != 1 || !strings.Contains(r.stdout, "result: MUST requirements unchecked") {
		t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "unchecked ROLE-1: skipped: needs admin access: set CONFORM_ADMIN_PASSWORD") {
		t.Errorf("the console does not say which MUST requirement went unchecked and why:\n%s", r.stdout)
	}
	var res reports.Run
	readJSON(t, filepath.Join(dir, "results.json"), &res)
	if res.Require != "must" || res.Summary.Must.Unchecked == 0 || len(res.MissingMust()) == 0 {
		t.Errorf("results.json: require %q, MUST coverage %+v", res.Require, res.Summary.Must)
	}
	r = conform(t, nil, "run", "--target", srv.URL, "--report-dir", t.TempDir())
	if r.code != 0 || !strings.Contains(r.stdout, "MUST requirements that apply went unchecked") {
		t.Errorf("without --require: exit %d, want 0 and a count of the unchecked\n%s", r.code, r.stdout)
	}
}

// TestBaseline: a known failure is XFAIL and the run passes; a baselined
// case that passes makes the run fail (the baseline is stale).
func TestBaseline(t *testing.T) {
	t.Parallel()
	base := filepath.Join(t.TempDir(), "known.txt")
	if err := os.WriteFile(base, []byte("# known\nrc-10-type-open accepted for now https://tracker.example/1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	r := conform(t, nil, "run", "--case", "rc-10-type-open", "--fault", "type-not-validated", "--baseline", base, "--report-dir", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "XFAIL rc-10-type-open") || !strings.Contains(r.stdout, "1 xfail (known)") {
		t.Errorf("known failure: exit %d, want 0 with XFAIL\n%s%s", r.code, r.stdout, r.stderr)
	}
	suites := readJUnit(t, filepath.Join(dir, "junit.xml"))
	if tc := suites.TestSuites[0].TestCases[0]; tc.Failure != nil || tc.Skipped == nil || !strings.Contains(tc.Skipped.Message, "known failure") {
		t.Errorf("junit: a known failure is a skipped testcase naming it, got %+v", tc)
	}
	r = conform(t, nil, "run", "--case", "rc-10-type-open", "--baseline", base, "--report-dir", t.TempDir())
	if r.code != 1 || !strings.Contains(r.stdout, "STALE rc-10-type-open") {
		t.Errorf("stale baseline: exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
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
	r := conform(t, []string{"CONFORM_STRICT=false", "CONFORM_ADMIN_PASSWORD=canary-9x"}, "run", "--config", cfg, "--response-timeout", "3s", "--print-config")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		`case:                      "rc-7-empty-credentials,rc-10-type-open" # config file`,
		`strict:                    "false"`, "# environment",
		`response-timeout:          "3s"`, "# flag",
		"CONFORM_ADMIN_PASSWORD:    set (value not shown)",
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

// TestLegacy: a device that answers a success without resultCode (older
// firmware, the reply TrueConf's own client recorded) fails under the
// reading, and under --legacy gets a WARN for it and nothing else.
func TestLegacy(t *testing.T) {
	t.Parallel()
	args := []string{"run", "--fault", "success-without-result-code", "--label-filter", "!explore"}
	r := conform(t, nil, append(args, "--report-dir", t.TempDir())...)
	if r.code != 1 {
		t.Errorf("without --legacy: exit %d, want 1", r.code)
	}
	dir := t.TempDir()
	r = conform(t, nil, append(args, "--legacy", "--report-dir", dir)...)
	var res reports.Run
	readJSON(t, filepath.Join(dir, "results.json"), &res)
	if r.code != 0 || res.Summary.Fail != 0 || res.Summary.Warn == 0 || !res.Selection.Legacy {
		t.Fatalf("--legacy: exit %d, summary %+v\n%s", r.code, res.Summary, r.stdout)
	}
	for _, c := range res.Cases {
		for _, f := range c.Findings {
			if !f.OK && f.Requirement != "ENV-6" && f.Level != "INFO" {
				t.Errorf("%s: --legacy leaves a finding other than ENV-6 broken: %s", c.ID, f.Line())
			}
		}
	}
}

// TestReportToStdout: --json-report /dev/stdout writes into the stream
// (the console and the document share it, but nothing is replaced or lost).
func TestReportToStdout(t *testing.T) {
	r := conform(t, nil, "run", "--case", "rc-10-type-open", "--json-report", "/dev/stdout", "--junit-report", "")
	if r.code != 0 || !strings.Contains(r.stdout, `"schema": "conform.results/v1"`) {
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
	if !strings.HasPrefix(string(b), "conform ") || !strings.Contains(string(b), `"schema": "conform.results/v1"`) {
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

// TestSecretsNeverLeak plants canary values in every CONFORM_* secret and
// makes the reference server put a canary into every token it issues, then
// runs the suite with -v and every report, against conformant servers and
// against servers whose faults leak (credentials echoed in errors, tokens in
// failures, the PIN shown to users), and checks that no byte written, on the
// console or in a file, contains a canary in any letter case. (The test's
// name stays free of the word: t.TempDir paths reach the console.)
func TestSecretsNeverLeak(t *testing.T) {
	t.Parallel()
	const tag = "CanaryTok"
	for _, tt := range shortFirst(t, []struct {
		profile string
		faults  []string
		secrets refserver.Secrets
	}{
		{"admin-password-user-pin", nil, refserver.Secrets{AdminPassword: "canary-7Q", AdminPIN: "canary-pin-1", UserPIN: "canaryUP9"}},
		{"admin-password-user-password", nil, refserver.Secrets{AdminPassword: "canary-7Q", UserPassword: "canary<&>\"pw"}},
		{"admin-password-user-pin", []string{"credentials-echoed", "token-on-failure", "pin-shown-to-user", "request-id-invented"},
			refserver.Secrets{AdminPassword: "canary-7Q", AdminPIN: "canary-pin-1", UserPIN: "canaryUP9"}},
	}) {
		t.Run(strings.Join(append([]string{tt.profile}, tt.faults...), "+"), func(t *testing.T) {
			extra := []string{"-vv"}
			if testing.Short() {
				// CI's race stage: the hand-written cases only (the plain
				// stage runs the generated ones too).
				extra = append(extra, "--label-filter", "(!slow || disruptive) && !generated")
			}
			r, _ := runAgainst(t, tt.profile, tt.faults, nil, false, func(o *refserver.Options) {
				o.Secrets, o.TokenTag = tt.secrets, tag
			}, extra...)
			if tt.faults == nil && r.code != 0 {
				t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			if tt.faults != nil && r.code != 1 {
				t.Fatalf("exit %d with faults on, want 1\n%s", r.code, r.stderr)
			}
			if !strings.Contains(r.stdout, "[REDACTED:") {
				t.Error("-vv shows no redacted value at all: the test no longer looks at transcripts")
			}
			leak := func(where string, b []byte) {
				low := bytes.ToLower(b)
				if i := bytes.Index(low, []byte("canary")); i >= 0 {
					from, to := max(0, i-60), min(len(b), i+40)
					t.Errorf("a canary appears in %s: ...%s...", where, b[from:to])
				}
			}
			leak("stdout", []byte(r.stdout))
			leak("stderr", []byte(r.stderr))
			files := 0
			filepath.WalkDir(r.dir, func(path string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				files++
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				leak(path, b)
				return nil
			})
			if files != 4 {
				t.Errorf("%d report files written, want junit.xml, results.json, report.html and summary.md", files)
			}
		})
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func readJUnit(t *testing.T, path string) reporters.JUnitTestSuites {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s reporters.JUnitTestSuites
	if err := xml.Unmarshal(b, &s); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(s.TestSuites) != 1 {
		t.Fatalf("%s: %d test suites", path, len(s.TestSuites))
	}
	return s
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
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
