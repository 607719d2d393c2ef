package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/memnet"
	"github.com/roomconform/conform/internal/mutation"
	"github.com/roomconform/conform/internal/session"
	"github.com/roomconform/conform/refserver"
	"github.com/roomconform/conform/reports"
)

// The mutation matrix: for every fault of the reference server, the suite
// runs against the embedded server with that fault (in this process, with
// conductor.InProcess: the binary's configuration without Ginkgo, whose
// RunSpecs runs once per process; TestEveryRouteWritesTheSameResults holds
// the routes to the same results) and must fail and warn
// about exactly the cases internal/mutation/matrix.txt names. A fault missing from
// the file, or one that no case citing its requirement catches, fails the
// build. CONFORM_MATRIX_WRITE=1 rewrites the file from what the suite does.
// Under -short (CI's run under the race detector) a fixed subset of the
// faults runs, named in the test log (shortFaults).

// matrixFile is the matrix's expectations, as data (internal/mutation).
const matrixFile = "../../" + mutation.File

// runEmbedded runs `conform run` in-process against its embedded reference server in a
// profile, with faults and variants: the documented lifetimes on the
// virtual clock the server shares, every case selected. No verdict here can
// depend on how busy the machine is.
func runEmbedded(t *testing.T, profile string, faults, variants []string, extra ...string) (result, reports.Run) {
	t.Helper()
	if profile == "" {
		profile = refserver.DefaultProfile
	}
	dir := t.TempDir()
	// No report is written: the result comes back from the conductor
	// (the reports have tests of their own).
	args := []string{"run", "--profile", profile, "--report-dir", dir, "--response-timeout", "5s", "--junit-report", "", "--json-report", "", "--html-report", "", "--summary-report", ""}
	for _, f := range faults {
		args = append(args, "--fault", f)
	}
	for _, v := range variants {
		args = append(args, "--variant", v)
	}
	if p, err := refserver.LookupProfile(profile); err == nil && p.Plan == refserver.Free {
		args = append(args, "--plan", "free")
	}
	r, res := inProcessRun(t, matrixSecrets, append(args, extra...)...)
	if res.Schema == "" {
		t.Fatalf("the run did not start (exit %d)\n%s", r.code, r.stderr)
	}
	return r, res
}

// matrixSecrets are the embedded server's secrets in these runs: fixed, so
// that what a case catches does not depend on the draw of a generated PIN
// (a near miss that swaps a letter for a look-alike needs a letter that
// has one), and rich enough that every near miss applies to every secret:
// letters of both cases with look-alikes, digits, two letters at least.
var matrixSecrets = []string{
	"CONFORM_ADMIN_PASSWORD=Secret-Admin-7x", "CONFORM_ADMIN_PIN=ca3m8o",
	"CONFORM_USER_PASSWORD=Secret-User-4y", "CONFORM_USER_PIN=pe4k9x",
}

// runAgainst runs the binary against a reference server listening on its
// own ports, as an operator runs it against a device: the secrets in the
// environment, the server and the suite on the wall clock. scaled gives
// both the short lifetimes of session.ScaledOptions and selects every case
// (a busy machine may then make a timed case ERROR); otherwise lifetimes
// are the documented ones and the cases that wait for them are left out.
// tweak, if not nil, adjusts the server's options (secrets, token tag).
// The server's ports are on an in-process network (internal/memnet): the
// run is in-process too, and the kernel's sockets would be most of its
// processor time; the binary crosses real ones in the other tests.
func runAgainst(t *testing.T, profile string, faults, variants []string, scaled bool, tweak func(*refserver.Options), extra ...string) (result, reports.Run) {
	t.Helper()
	if profile == "" {
		profile = refserver.DefaultProfile
	}
	p, err := refserver.LookupProfile(profile)
	if err != nil {
		t.Fatal(err)
	}
	opts := refserver.Options{Profile: p, Faults: faults, Variants: variants, LockoutDuration: session.ScaledLockout}
	if scaled {
		opts = session.ScaledOptions(opts)
	}
	if p.Plan != refserver.Free && p.Admin != refserver.PIN {
		opts.Secrets.AdminPIN = "7391"
	}
	if tweak != nil {
		tweak(&opts)
	}
	mem := memnet.New()
	opts.Listen = mem.Listen
	srv, err := refserver.Start("127.0.0.1:0", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	sec := srv.Server.Secrets()
	env := []string{
		"CONFORM_ADMIN_PASSWORD=" + sec.AdminPassword, "CONFORM_ADMIN_PIN=" + sec.AdminPIN,
		"CONFORM_USER_PASSWORD=" + sec.UserPassword, "CONFORM_USER_PIN=" + sec.UserPIN,
	}
	dir := t.TempDir()
	args := []string{"run", "--target", srv.URL, "--web", srv.WebURL, "--wrong-credential-budget", "-1",
		"--response-timeout", "2s", "--report-dir", dir, "--lockout-wait", "2s"}
	if scaled {
		set := session.ScaledSettings()
		args = append(args, "--label-filter", "all",
			"--http-token-ttl", set.HTTPTokenTTL.String(), "--token-ttl", set.TokenTTL.String(),
			"--pin-token-ttl-min", set.PINTokenMin.String(), "--lifetime-tolerance", set.Tolerance.String())
	} else {
		// Real lifetimes: no case waits. Disruptive cases are named
		// explicitly: an own filter leaves them out otherwise.
		args = append(args, "--label-filter", "!slow || disruptive")
	}
	if p.Plan == refserver.Free {
		args = append(args, "--plan", "free")
	}
	r, _ := inProcessOver(t, mem, env, append(args, extra...)...)
	r.dir = dir
	return r, readResults(t, r, dir)
}

// readResults reads the run's results.json; a run that wrote none fails
// the test.
func readResults(t *testing.T, r result, dir string) reports.Run {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "results.json")); err != nil {
		t.Fatalf("no results.json (exit %d)\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	var res reports.Run
	readJSON(t, filepath.Join(dir, "results.json"), &res)
	return res
}

func idsWith(res reports.Run, verdict caselang.Verdict) []string {
	var out []string
	for _, c := range res.Cases {
		if c.Verdict == verdict {
			out = append(out, c.ID)
		}
	}
	sort.Strings(out)
	return out
}

func TestMutationMatrix(t *testing.T) {
	t.Parallel()
	faults := refserver.Faults()
	write := os.Getenv("CONFORM_MATRIX_WRITE") != ""
	rows, err := mutation.Rows()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, f := range faults {
		known[f.Name] = true
		if _, ok := rows[f.Name]; !ok && !write {
			t.Errorf("fault %s (%s) has no row in %s: nothing proves the suite catches it", f.Name, f.Requirement, matrixFile)
		}
	}
	for name := range rows {
		if !known[name] {
			t.Errorf("%s names %s, which is not a fault of the reference server", matrixFile, name)
		}
	}
	run := faults
	if testing.Short() {
		if write {
			t.Fatal("CONFORM_MATRIX_WRITE rewrites the whole matrix: run it without -short")
		}
		run = shortFaults(faults, rows)
		var names []string
		for _, f := range run {
			names = append(names, f.Name)
		}
		t.Logf("-short: %d of %d faults (every %dth in the order of the requirements, and the first SHOULD fault): %s",
			len(run), len(faults), shortEvery, strings.Join(names, " "))
	}
	var caught atomic.Int32
	var mu sync.Mutex
	var got []mutation.Row
	t.Run("faults", func(t *testing.T) {
		onProcessors(t, run, func(f refserver.Fault) string { return f.Name }, func(t *testing.T, f refserver.Fault) {
			m := rows[f.Name]
			// The exploration is left out: it catches what it catches at
			// random (its own test proves it can), and shrinking a walk
			// takes seconds per fault.
			// The generated cases run only in the rows that need them
			// (mutation.Row.Generated): half the run time, and the
			// consistency test holds them to the reading.
			if write {
				m.Generated = false // decided again below
			}
			filter := "!explore && !generated"
			if m.Generated {
				filter = "!explore"
			}
			r, res := runEmbedded(t, m.Profile, []string{f.Name}, nil, "--label-filter", filter)
			if write && !brokenUnder(res, f.Requirement) {
				m.Generated, filter = true, "!explore"
				r, res = runEmbedded(t, m.Profile, []string{f.Name}, nil, "--label-filter", filter)
			}
			fails, warns, errs := idsWith(res, caselang.Fail), idsWith(res, caselang.Warn), idsWith(res, caselang.Error)
			if caselang.LevelOf(f.Requirement) != caselang.Must && (len(fails) > 0 || r.code == 1) {
				// The level of the verdict is part of the claim: a SHOULD
				// defect judged as a MUST failure somewhere downstream is
				// an attribution bug, whatever else the row says.
				t.Errorf("fault %s breaks %s (%s) but the run FAILs (exit %d) %v%s", f.Name, f.Requirement, caselang.LevelOf(f.Requirement), r.code, fails, unexpected(res, nil))
			}
			if write {
				mu.Lock()
				got = append(got, mutation.Row{Fault: f.Name, Profile: m.Profile, Fail: fails, Warn: warns, Errs: errs, Unrestorable: res.RestoreError != "", Generated: m.Generated})
				mu.Unlock()
				return
			}
			if d := mutation.Diff(m, mutation.Row{Fail: fails, Warn: warns, Errs: errs}); len(d) > 0 {
				t.Errorf("%s%s", mutation.Report(f.Name, d), unexpected(res, m.Fail))
			}
			if !brokenUnder(res, f.Requirement) {
				t.Errorf("no finding under %s is broken: fault %s is caught only through other requirements", f.Requirement, f.Name)
			}
			if got := res.RestoreError != ""; got != m.Unrestorable {
				t.Errorf("restore failed: %v, want %v (%q)", got, m.Unrestorable, res.RestoreError)
			}
			want := 0
			switch {
			case m.Unrestorable:
				want = 3 // the target is left changed: that comes first
			case len(m.Fail) > 0:
				want = 1
			case len(m.Errs) > 0:
				want = 3 // nothing failed, but the target stopped answering
			}
			if r.code != want {
				t.Errorf("exit %d, want %d", r.code, want)
			}
			if len(m.Fail) == 0 && len(m.Warn) > 0 && f.Name == firstShouldFault(rows) {
				// A SHOULD fault: only --strict fails the run. Strictness is
				// one rule over the findings (caselang.Decide, unit-tested), so
				// one such fault shows the flag at work end to end.
				rs, res := runEmbedded(t, m.Profile, []string{f.Name}, nil, "--strict", "--label-filter", filter)
				if rs.code != 1 || !slices.Equal(idsWith(res, caselang.Fail), sorted(m.Warn)) {
					t.Errorf("--strict: exit %d, FAIL set %v, want exit 1 and %v", rs.code, idsWith(res, caselang.Fail), sorted(m.Warn))
				}
			}
			if !t.Failed() {
				caught.Add(1)
			}
		})
	})
	if write {
		if err := mutation.Write(matrixFile, got); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s: review the diff", matrixFile)
		return
	}
	t.Logf("mutation score: %d/%d faults caught, %d cases in the catalogue", caught.Load(), len(run), len(cases.All()))
}

// TestShouldFaultsOnlyWarn holds the matrix data to the level of each
// fault's requirement: a fault that breaks a SHOULD is caught by WARNs, and
// never FAILs a case (without --strict), so that a SHOULD defect never
// becomes a MUST failure downstream (attribution, issue 17). The run of
// each fault (TestMutationMatrix) checks the same of what the suite does.
func TestShouldFaultsOnlyWarn(t *testing.T) {
	rows, err := mutation.Rows()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range refserver.Faults() {
		if lvl := caselang.LevelOf(f.Requirement); lvl != caselang.Must && len(rows[f.Name].Fail) > 0 {
			t.Errorf("fault %s breaks %s (%s), but its row FAILs %v", f.Name, f.Requirement, lvl, rows[f.Name].Fail)
		}
	}
}

// shortEvery is the stride of the matrix's rows under -short.
const shortEvery = 128

// shortFaults is the matrix's subset under -short (CI's run under the race
// detector, where each row costs a run of the whole catalogue, generated
// cases included): every shortEvery-th fault in the order of the
// requirements, and the first fault only SHOULD cases catch (the --strict
// check). The race stage runs the binary end to end a few times; what
// each fault does to the verdicts is the plain stage's to check, whole. The same rows every time, in the order of
// faults.
func shortFaults(faults []refserver.Fault, rows map[string]mutation.Row) []refserver.Fault {
	pick := map[string]bool{firstShouldFault(rows): true}
	for i, f := range faults {
		if i%shortEvery == 0 {
			pick[f.Name] = true
		}
	}
	var out []refserver.Fault
	for _, f := range faults {
		if pick[f.Name] {
			out = append(out, f)
		}
	}
	return out
}

// unexpected shows the message and transcript of each FAIL the row does
// not list: what a surprise was, to tell a catch from a flake.
func unexpected(res reports.Run, want []string) string {
	var b strings.Builder
	for _, c := range res.Cases {
		if c.Verdict == caselang.Fail && !slices.Contains(want, c.ID) {
			fmt.Fprintf(&b, "\n%s: %s", c.ID, c.Message)
			for _, f := range c.Transcript {
				fmt.Fprintf(&b, "\n    %s", reports.FrameLine(f))
			}
		}
	}
	return b.String()
}

// firstShouldFault is the first fault (by name) that only WARN cases catch.
func firstShouldFault(rows map[string]mutation.Row) string {
	var names []string
	for name, m := range rows {
		if len(m.Fail) == 0 && len(m.Warn) > 0 {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	if len(names) == 0 {
		return ""
	}
	return names[0]
}

// brokenUnder reports whether some FAIL or WARN case has a broken finding
// under requirement req: the fault is caught by the check of its own
// requirement, not only as a side effect under another one.
func brokenUnder(res reports.Run, req string) bool {
	for _, c := range res.Cases {
		if c.Verdict != caselang.Fail && c.Verdict != caselang.Warn {
			continue
		}
		for _, f := range c.Findings {
			if f.Requirement == req && !f.OK && f.Level != "INFO" {
				return true
			}
		}
	}
	return false
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	sort.Strings(out)
	if out == nil {
		return nil
	}
	return out
}

// TestConformantSpace runs the suite against the reference server in
// every valid protection profile on both plans, alone and with every
// conformant variant on (another member of each accepted set), with
// --strict: no configuration that docs/requirements.md allows may draw a FAIL,
// a WARN or an ERROR. (Issue 7 found 13 of 28 such configurations failing
// before the preflight honoured the accepted sets and the Free plan.)
// Under -short each profile runs once, every other one with every variant.
func TestConformantSpace(t *testing.T) {
	t.Parallel()
	var all []string
	for _, v := range refserver.Variants() {
		all = append(all, v.Name)
	}
	profiles := refserver.Profiles()
	if testing.Short() {
		t.Logf("-short: every fifth of the %d profiles once, every other of those with every variant on (%s)", len(profiles), strings.Join(all, " "))
	}
	type config struct {
		name, profile string
		variants      []string
	}
	var configs []config
	for i, p := range profiles {
		for _, variants := range [][]string{nil, all} {
			name := p.Name
			if variants != nil {
				name += "+variants"
			}
			if testing.Short() && (i%5 != 0 || (variants == nil) != (i%10 == 0)) {
				continue
			}
			configs = append(configs, config{name, p.Name, variants})
		}
	}
	onProcessors(t, configs, func(c config) string { return c.name }, func(t *testing.T, cfg config) {
		r, res := runEmbedded(t, cfg.profile, nil, cfg.variants, "--strict")
		if r.code != 0 || res.Summary.Warn+res.Summary.Fail+res.Summary.Error != 0 {
			var bad []string
			for _, c := range res.Cases {
				if c.Verdict != caselang.Pass && c.Verdict != caselang.Skip {
					bad = append(bad, string(c.Verdict)+" "+c.ID+": "+c.Message)
				}
			}
			t.Errorf("exit %d:\n%s\n%s", r.code, strings.Join(bad, "\n"), r.stderr)
		}
		for _, c := range res.Cases {
			if c.Verdict == caselang.Skip && c.Message == "" {
				t.Errorf("%s skipped without a reason", c.ID)
			}
		}
	})
}
