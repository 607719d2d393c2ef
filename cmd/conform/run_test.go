package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/conductor"
	"github.com/roomconform/conform/refserver"
	"github.com/roomconform/conform/reports"
)

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
	own := caselang.Profile{Admin: caselang.Password, User: caselang.PIN, Plan: caselang.Pro}
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
	allAtOnce(t, shortFirst(t, []string{refserver.DefaultProfile, "unsecured", "admin-pin-user-password"}), identity,
		func(t *testing.T, profile string) {
			var extra []string
			if testing.Short() {
				// CI's race stage: the hand-written cases (the plain stage
				// runs the generated ones in real time too).
				extra = []string{"--label-filter", "!generated"}
			}
			r, res := runAgainst(t, profile, nil, nil, true, nil, extra...)
			for _, c := range res.Cases {
				switch {
				case c.Verdict == caselang.Fail || c.Verdict == caselang.Warn:
					// The transcript too: a false alarm that only a busy machine
					// provokes may not come again (once, SEC-4 on a displaced
					// connection's probe in a random walk, seed
					// 1796633141963975699, beside two CPU-bound processes).
					t.Errorf("%s: %s: %s\ntranscript:\n%s", c.ID, c.Verdict, c.Message, transcriptText(c))
				case c.Verdict == caselang.Error && !strings.Contains(c.Message, "late"):
					t.Errorf("%s: ERROR, not for lateness: %s", c.ID, c.Message)
				case c.Verdict == caselang.Skip && c.Message == "":
					t.Errorf("%s skipped without a reason", c.ID)
				}
			}
			if r.code != 0 && r.code != 3 {
				t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
			}
		})
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
			if string(c.Verdict) != v && v != "" {
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

// TestRequireMustWithoutSecrets: against a target with no secret given,
// most MUST requirements go unchecked; --require must makes that exit 1 and
// names them with why; without the flag the live run is incomplete (exit
// 4), never conformant, and says how many went unchecked.
func TestRequireMustWithoutSecrets(t *testing.T) {
	t.Parallel()
	srv, err := refserver.Start("127.0.0.1:0", refserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	r := conform(t, nil, "run", "--target", srv.URL, "--report-dir", dir, "--require", "must")
	if r.code != 1 || !strings.Contains(r.stdout, "result: requirements unchecked (--require must)") {
		t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "ROLE-1 (MUST) unchecked: skipped: needs admin access: set CONFORM_ADMIN_PASSWORD") {
		t.Errorf("the console does not say which MUST requirement went unchecked and why:\n%s", r.stdout)
	}
	var res reports.Run
	readJSON(t, filepath.Join(dir, "results.json"), &res)
	if res.Require != "must" || res.Summary.Must.Unchecked == 0 || len(res.MissingMust()) == 0 {
		t.Errorf("results.json: require %q, MUST coverage %+v", res.Require, res.Summary.Must)
	}
	r = conform(t, nil, "run", "--target", srv.URL, "--report-dir", t.TempDir())
	if r.code != exitIncomplete || !strings.Contains(r.stdout, "result: incomplete") {
		t.Errorf("without --require: exit %d, want %d (incomplete) and the unchecked named\n%s", r.code, exitIncomplete, r.stdout)
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
	if r.code != 0 || !strings.Contains(r.stdout, "XFAIL 1: known failure: accepted for now (https://tracker.example/1) (rc-10-type-open)") || !strings.Contains(r.stdout, "1 xfail (known)") {
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

// TestLegacy: a device that answers a success without resultCode (older
// firmware, the reply TrueConf's own client recorded) fails under the
// reading, and under --legacy gets a WARN for it and nothing else.
func TestLegacy(t *testing.T) {
	t.Parallel()
	filter := "!explore"
	if testing.Short() {
		// The race stage: the hand-written cases; the plain run has the
		// generated ones too.
		filter = "!explore && !generated"
		t.Log("-short: the hand-written cases only")
	}
	args := []string{"run", "--fault", "success-without-result-code", "--label-filter", filter}
	r := inProcess(t, nil, append(args, "--report-dir", t.TempDir())...)
	if r.code != 1 {
		t.Errorf("without --legacy: exit %d, want 1", r.code)
	}
	dir := t.TempDir()
	r = inProcess(t, nil, append(args, "--legacy", "--report-dir", dir)...)
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
