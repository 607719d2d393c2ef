package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/session"
	"github.com/roomconform/conform/refserver"
	"github.com/roomconform/conform/reports"
)

// The mutation matrix: for every fault of the reference server, the suite
// runs against the server with that fault (as a subprocess of the binary,
// since RunSpecs runs once per process) and must fail exactly the cases the
// table names. A fault missing from the table, or one that no case citing
// its requirement catches, fails the build.
//
// To regenerate the rows after changing cases or faults, run
//
//	CONFORM_MATRIX_PRINT=1 go test ./cmd/conform -run TestMutationMatrix -v
//
// and review every printed row before pasting it: a row is a claim about
// what the suite catches.

type mutation struct {
	fault   string
	profile string   // "" = the default profile
	fail    []string // cases that must FAIL (a MUST broken)
	warn    []string // cases that must WARN (a SHOULD broken)
}

// faultProfiles names the profile a fault needs to show (a Free-plan
// fault needs the free profile); the rest run in the default profile.
var faultProfiles = map[string]string{
	"free-plan-code-8": "free",
	"rc4b-code-5":      "admin-password",
}

var matrix = []mutation{
	{fault: "altered-token-accepted", profile: "",
		fail: []string{"rc-8-altered-admin-token"},
		warn: nil},
	{fault: "api-token-expires-with-http-token", profile: "",
		fail: []string{"life-2-http-token-expires", "life-4-admin-token-and-derived-tokens-expire", "life-4-user-pin-token-window"},
		warn: nil},
	{fault: "api-token-never-expires", profile: "",
		fail: []string{"life-4-admin-token-and-derived-tokens-expire", "life-4-user-pin-token-window"},
		warn: nil},
	{fault: "binary-frame-breaks-next-auth", profile: "",
		fail: []string{"rob-1-binary-frame"},
		warn: nil},
	{fault: "close-after-failure", profile: "",
		fail: nil,
		warn: []string{"env-9-open-after-failure"}},
	{fault: "config-json-ports-as-strings", profile: "",
		fail: []string{"disc-1-config-json"},
		warn: nil},
	{fault: "config-json-wrong-websocket-port", profile: "",
		fail: []string{"disc-1-config-json"},
		warn: nil},
	{fault: "credentials-echoed", profile: "",
		fail: nil,
		warn: []string{"fail-wrong-admin-password"}},
	{fault: "duplicate-response", profile: "",
		fail: []string{"env-1-exactly-one-response"},
		warn: nil},
	{fault: "empty-credentials-code-8", profile: "",
		fail: []string{"rc-7-empty-credentials"},
		warn: nil},
	{fault: "failure-drops-mode", profile: "",
		fail: []string{"fail-4-admin-keeps-mode"},
		warn: nil},
	{fault: "failure-grants-admin", profile: "",
		fail: []string{"fail-wrong-admin-password"},
		warn: nil},
	{fault: "free-plan-code-8", profile: "free",
		fail: []string{"rc-2-free-plan-secured-password"},
		warn: nil},
	{fault: "get-token-for-http-server-dead", profile: "",
		fail: nil,
		warn: []string{"life-6-get-token-for-http-server"}},
	{fault: "http-accepts-any-token", profile: "",
		fail: []string{"life-1-http-token-opens-http-server", "life-2-http-token-expires"},
		warn: nil},
	{fault: "http-refuses-fresh-token", profile: "",
		fail: []string{"life-1-http-token-opens-http-server", "life-2-http-token-expires"},
		warn: nil},
	{fault: "http-token-equals-token", profile: "",
		fail: []string{"life-2-http-token-expires"},
		warn: []string{"auth-5-token-differs-from-http-token"}},
	{fault: "http-token-half-life", profile: "",
		fail: []string{"life-2-http-token-expires"},
		warn: nil},
	{fault: "http-token-never-expires", profile: "",
		fail: []string{"life-2-http-token-expires"},
		warn: nil},
	{fault: "invalid-json-breaks-next-auth", profile: "",
		fail: []string{"rob-1-invalid-json"},
		warn: nil},
	{fault: "method-mismatch", profile: "",
		fail: []string{"auth-3-overlay-token", "auth-4-token-shape", "auth-5-distinct-tokens", "auth-5-token-differs-from-http-token", "auth-admin-success-fields", "auth-user-success-fields", "disc-1-config-json", "env-1-exactly-one-response", "env-2-failure-envelope", "env-2-status-change-envelope", "env-2-success-envelope", "env-3-request-id-256", "env-3-request-id-ascii", "env-3-request-id-non-ascii", "env-3-request-id-on-failure", "env-4-no-request-id-failure", "env-4-no-request-id-success", "env-5-numeric-request-id", "env-8-unknown-field-ignored", "env-9-open-after-failure", "fail-4-admin-keeps-mode", "fail-4-fresh-connection-stays-unauthorized", "fail-invalid-role-carries-nothing", "fail-wrong-admin-password", "life-1-http-token-opens-http-server", "life-2-http-token-expires", "life-4-admin-token-and-derived-tokens-expire", "life-4-user-pin-token-window", "life-6-get-token-for-http-server", "rc-10-type-empty", "rc-10-type-open", "rc-11-no-type-no-role", "rc-12-secured-without-credentials", "rc-13-bad-role-no-credentials", "rc-13-bad-type-and-bad-role", "rc-14-credentials-is-a-number", "rc-14-role-is-a-boolean", "rc-14-type-is-a-number", "rc-3-status-change-on-fresh-connection", "rc-3-status-change-on-user-connection", "rc-4-unsecured-for-protected-admin", "rc-4-unsecured-for-protected-user", "rc-4-unsecured-no-role-all-protected", "rc-5-user-pin-with-role-admin", "rc-5b-admin-credentials-with-role-user", "rc-6-lockout-after-wrong-passwords", "rc-7-empty-credentials", "rc-8-altered-admin-token", "rc-8-malformed-token", "rc-8-wrong-user-pin", "rc-9-role-empty", "rc-9-role-root", "rob-1-abrupt-close", "rob-1-binary-frame", "rob-1-invalid-json", "rob-1-one-mib-frame", "role-1-admin-credentials-role-admin", "role-1-user-credentials-role-user", "role-2-admin-password-without-role", "role-2-admin-pin-without-role", "role-2-user-pin-without-role", "role-4-user-pin-other-case", "sec-2-admin-connection-shows-pin", "sec-2-user-connection-hides-pin", "sec-3-second-admin-displaces-first", "sw-1-admin-to-user", "sw-2-second-status-change-refused", "sw-2-switched-connection-hides-pin", "sw-3-role-admin-without-type", "tok-1-admin-token-on-new-connection", "tok-1-admin-token-with-role-admin", "tok-1-user-token-on-new-connection", "tok-2-user-token-with-role-admin", "tok-2-user-token-without-role", "tok-3-status-change-token", "tok-4-http-token-as-credentials"},
		warn: nil},
	{fault: "missing-credentials-code-7", profile: "",
		fail: []string{"rc-12-secured-without-credentials"},
		warn: nil},
	{fault: "missing-type-code-3", profile: "",
		fail: []string{"rc-11-no-type-no-role"},
		warn: nil},
	{fault: "multi-fault-code-4", profile: "",
		fail: nil,
		warn: []string{"rc-13-bad-type-and-bad-role"}},
	{fault: "no-auth-required", profile: "",
		fail: []string{"fail-4-fresh-connection-stays-unauthorized", "fail-wrong-admin-password", "sec-1-get-auth-info-before-auth"},
		warn: nil},
	{fault: "no-displacement-notice", profile: "",
		fail: nil,
		warn: []string{"sec-3-second-admin-displaces-first"}},
	{fault: "no-http-token", profile: "",
		fail: []string{"auth-admin-success-fields", "auth-user-success-fields", "life-1-http-token-opens-http-server", "life-2-http-token-expires", "life-4-admin-token-and-derived-tokens-expire", "life-4-user-pin-token-window", "rc-8-altered-admin-token", "sw-1-admin-to-user", "tok-1-admin-token-on-new-connection", "tok-1-admin-token-with-role-admin", "tok-1-user-token-on-new-connection", "tok-2-user-token-with-role-admin", "tok-2-user-token-without-role", "tok-3-status-change-token", "tok-4-http-token-as-credentials"},
		warn: nil},
	{fault: "no-lockout", profile: "",
		fail: nil,
		warn: []string{"rc-6-lockout-after-wrong-passwords"}},
	{fault: "no-role-defaults-to-user", profile: "",
		fail: []string{"role-2-admin-password-without-role", "role-2-admin-pin-without-role"},
		warn: nil},
	{fault: "non-string-type-code-11", profile: "",
		fail: nil,
		warn: []string{"rc-14-type-is-a-number"}},
	{fault: "pin-case-sensitive", profile: "",
		fail: []string{"role-4-user-pin-other-case"},
		warn: nil},
	{fault: "pin-hidden-from-admin", profile: "",
		fail: []string{"sec-2-admin-connection-shows-pin"},
		warn: nil},
	{fault: "pin-shown-to-user", profile: "",
		fail: []string{"sec-2-user-connection-hides-pin", "sw-2-switched-connection-hides-pin"},
		warn: nil},
	{fault: "previleges-on-failure", profile: "",
		fail: nil,
		warn: []string{"fail-invalid-role-carries-nothing", "fail-wrong-admin-password"}},
	{fault: "privileges-misspelt", profile: "",
		fail: []string{"auth-admin-success-fields", "auth-user-success-fields", "fail-4-admin-keeps-mode", "life-1-http-token-opens-http-server", "life-2-http-token-expires", "life-4-admin-token-and-derived-tokens-expire", "life-4-user-pin-token-window", "life-6-get-token-for-http-server", "rc-3-status-change-on-user-connection", "rc-8-altered-admin-token", "rob-1-abrupt-close", "rob-1-binary-frame", "rob-1-invalid-json", "rob-1-one-mib-frame", "role-1-admin-credentials-role-admin", "role-1-user-credentials-role-user", "role-2-admin-password-without-role", "role-2-admin-pin-without-role", "role-2-user-pin-without-role", "role-4-user-pin-other-case", "sec-2-admin-connection-shows-pin", "sec-2-user-connection-hides-pin", "sec-3-second-admin-displaces-first", "sw-1-admin-to-user", "sw-2-second-status-change-refused", "sw-2-switched-connection-hides-pin", "sw-3-role-admin-without-type", "tok-1-admin-token-on-new-connection", "tok-1-admin-token-with-role-admin", "tok-1-user-token-on-new-connection", "tok-2-user-token-with-role-admin", "tok-2-user-token-without-role", "tok-3-status-change-token", "tok-4-http-token-as-credentials"},
		warn: []string{"env-8-unknown-field-ignored"}},
	{fault: "rc4b-code-5", profile: "admin-password",
		fail: nil,
		warn: []string{"rc-4b-secured-for-unsecured-user"}},
	{fault: "repeated-tokens", profile: "",
		fail: nil,
		warn: []string{"auth-5-distinct-tokens"}},
	{fault: "request-id-invented", profile: "",
		fail: []string{"env-4-no-request-id-failure", "env-4-no-request-id-success"},
		warn: nil},
	{fault: "request-id-non-ascii-mangled", profile: "",
		fail: []string{"env-3-request-id-non-ascii"},
		warn: nil},
	{fault: "request-id-truncated", profile: "",
		fail: []string{"env-3-request-id-256"},
		warn: nil},
	{fault: "result-not-boolean-on-failure", profile: "",
		fail: []string{"disc-1-config-json", "env-1-exactly-one-response", "env-2-failure-envelope", "env-2-status-change-envelope", "env-3-request-id-on-failure", "env-4-no-request-id-failure", "env-9-open-after-failure", "fail-4-admin-keeps-mode", "fail-4-fresh-connection-stays-unauthorized", "fail-invalid-role-carries-nothing", "fail-wrong-admin-password", "life-4-admin-token-and-derived-tokens-expire", "life-4-user-pin-token-window", "rc-10-type-empty", "rc-10-type-open", "rc-11-no-type-no-role", "rc-12-secured-without-credentials", "rc-13-bad-role-no-credentials", "rc-13-bad-type-and-bad-role", "rc-14-credentials-is-a-number", "rc-14-role-is-a-boolean", "rc-14-type-is-a-number", "rc-3-status-change-on-fresh-connection", "rc-3-status-change-on-user-connection", "rc-4-unsecured-for-protected-admin", "rc-4-unsecured-for-protected-user", "rc-4-unsecured-no-role-all-protected", "rc-5-user-pin-with-role-admin", "rc-6-lockout-after-wrong-passwords", "rc-7-empty-credentials", "rc-8-altered-admin-token", "rc-8-malformed-token", "rc-8-wrong-user-pin", "rc-9-role-empty", "rc-9-role-root", "sw-2-second-status-change-refused", "tok-2-user-token-with-role-admin", "tok-4-http-token-as-credentials"},
		warn: nil},
	{fault: "result-true-on-code-3", profile: "",
		fail: []string{"env-2-status-change-envelope", "rc-3-status-change-on-fresh-connection", "rc-3-status-change-on-user-connection", "sw-2-second-status-change-refused"},
		warn: nil},
	{fault: "role-not-validated", profile: "",
		fail: []string{"fail-invalid-role-carries-nothing", "rc-9-role-empty", "rc-9-role-root"},
		warn: []string{"env-9-open-after-failure", "rc-14-role-is-a-boolean"}},
	{fault: "status-change-extends-lifetime", profile: "",
		fail: []string{"life-4-admin-token-and-derived-tokens-expire"},
		warn: nil},
	{fault: "status-change-keeps-tokens", profile: "",
		fail: []string{"sw-1-admin-to-user", "tok-3-status-change-token"},
		warn: nil},
	{fault: "status-change-stays-admin", profile: "",
		fail: []string{"sw-2-second-status-change-refused", "sw-2-switched-connection-hides-pin"},
		warn: nil},
	{fault: "status-change-token-is-admin", profile: "",
		fail: []string{"tok-3-status-change-token"},
		warn: nil},
	{fault: "status-change-unchecked", profile: "",
		fail: []string{"rc-3-status-change-on-fresh-connection", "rc-3-status-change-on-user-connection", "sw-2-second-status-change-refused"},
		warn: nil},
	{fault: "token-auth-extends-lifetime", profile: "",
		fail: []string{"life-4-admin-token-and-derived-tokens-expire"},
		warn: nil},
	{fault: "token-dies-with-connection", profile: "",
		fail: []string{"tok-1-admin-token-on-new-connection", "tok-1-admin-token-with-role-admin", "tok-1-user-token-on-new-connection", "tok-2-user-token-with-role-admin", "tok-2-user-token-without-role", "tok-3-status-change-token"},
		warn: nil},
	{fault: "token-on-failure", profile: "",
		fail: []string{"fail-invalid-role-carries-nothing", "fail-wrong-admin-password"},
		warn: nil},
	{fault: "token-role-not-checked", profile: "",
		fail: []string{"tok-2-user-token-with-role-admin"},
		warn: nil},
	{fault: "type-not-validated", profile: "",
		fail: []string{"disc-1-config-json", "rc-10-type-empty", "rc-10-type-open"},
		warn: nil},
	{fault: "unknown-field-rejected", profile: "",
		fail: nil,
		warn: []string{"env-8-unknown-field-ignored"}},
	{fault: "unsecured-code-8", profile: "",
		fail: []string{"rc-4-unsecured-for-protected-admin", "rc-4-unsecured-for-protected-user", "rc-4-unsecured-no-role-all-protected"},
		warn: nil},
	{fault: "user-credentials-raise", profile: "",
		fail: []string{"rc-5-user-pin-with-role-admin"},
		warn: nil},
	{fault: "user-login-reports-admin", profile: "",
		fail: []string{"auth-user-success-fields", "life-4-user-pin-token-window", "rc-3-status-change-on-user-connection", "role-1-user-credentials-role-user", "role-4-user-pin-other-case", "sec-2-user-connection-hides-pin", "tok-1-user-token-on-new-connection", "tok-2-user-token-with-role-admin", "tok-2-user-token-without-role"},
		warn: nil},
	{fault: "wrong-credentials-code-4", profile: "",
		fail: []string{"fail-wrong-admin-password", "rc-8-altered-admin-token", "rc-8-malformed-token", "rc-8-wrong-user-pin"},
		warn: nil},
}

// runEmbedded runs the binary against its embedded reference server in a
// profile, with faults and variants: the documented lifetimes on the
// virtual clock the server shares, every case selected. No verdict here can
// depend on how busy the machine is.
func runEmbedded(t *testing.T, profile string, faults, variants []string, extra ...string) (result, reports.Run) {
	t.Helper()
	if profile == "" {
		profile = refserver.DefaultProfile
	}
	dir := t.TempDir()
	args := []string{"run", "--profile", profile, "--report-dir", dir, "--response-timeout", "5s"}
	for _, f := range faults {
		args = append(args, "--fault", f)
	}
	for _, v := range variants {
		args = append(args, "--variant", v)
	}
	if p, err := refserver.LookupProfile(profile); err == nil && p.Plan == refserver.Free {
		args = append(args, "--plan", "free")
	}
	r := conform(t, nil, append(args, extra...)...)
	r.dir = dir
	return r, readResults(t, r, dir)
}

// runAgainst runs the binary against a reference server listening on its
// own ports, as an operator runs it against a device: the secrets in the
// environment, the server and the suite on the wall clock. scaled gives
// both the short lifetimes of session.ScaledOptions and selects every case
// (a busy machine may then make a timed case ERROR); otherwise lifetimes
// are the documented ones and the cases that wait for them are left out.
// tweak, if not nil, adjusts the server's options (secrets, token tag).
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
	r := conform(t, env, append(args, extra...)...)
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

func idsWith(res reports.Run, verdict string) []string {
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
	faults := refserver.Faults()
	printRows := os.Getenv("CONFORM_MATRIX_PRINT") != ""
	rows := map[string]mutation{}
	for _, m := range matrix {
		rows[m.fault] = m
	}
	for name, profile := range faultProfiles {
		if m, ok := rows[name]; !ok || printRows {
			m.fault, m.profile = name, profile
			rows[name] = m
		}
	}
	for _, f := range faults {
		if _, ok := rows[f.Name]; !ok && !printRows {
			t.Errorf("fault %s (%s) has no row in the matrix: nothing proves the suite catches it", f.Name, f.Requirement)
		}
	}
	var caught atomic.Int32
	var printed []string
	mu := make(chan struct{}, 1)
	t.Run("faults", func(t *testing.T) {
		for _, f := range faults {
			m := rows[f.Name]
			t.Run(f.Name, func(t *testing.T) {
				t.Parallel()
				r, res := runEmbedded(t, m.profile, []string{f.Name}, nil)
				fails, warns := idsWith(res, reports.Fail), idsWith(res, reports.Warn)
				if printRows {
					mu <- struct{}{}
					printed = append(printed, fmt.Sprintf("{fault: %q, profile: %q,\n\tfail: %#v,\n\twarn: %#v},", f.Name, m.profile, fails, warns))
					<-mu
					return
				}
				if errs := idsWith(res, reports.Error); len(errs) > 0 {
					t.Errorf("cases ended in ERROR (the suite could not judge them): %v", errs)
				}
				if !slices.Equal(fails, sorted(m.fail)) {
					t.Errorf("FAIL set\n  got  %v\n  want %v", fails, sorted(m.fail))
				}
				if !slices.Equal(warns, sorted(m.warn)) {
					t.Errorf("WARN set\n  got  %v\n  want %v", warns, sorted(m.warn))
				}
				if !brokenUnder(res, f.Requirement) {
					t.Errorf("no finding under %s is broken: fault %s is caught only through other requirements", f.Requirement, f.Name)
				}
				want := 0
				if len(m.fail) > 0 {
					want = 1
				}
				if r.code != want {
					t.Errorf("exit %d, want %d", r.code, want)
				}
				if len(m.fail) == 0 && len(m.warn) > 0 {
					// A SHOULD fault: only --strict fails the run.
					rs, res := runEmbedded(t, m.profile, []string{f.Name}, nil, "--strict")
					if rs.code != 1 || !slices.Equal(idsWith(res, reports.Fail), sorted(m.warn)) {
						t.Errorf("--strict: exit %d, FAIL set %v, want exit 1 and %v", rs.code, idsWith(res, reports.Fail), sorted(m.warn))
					}
				}
				if !t.Failed() {
					caught.Add(1)
				}
			})
		}
	})
	if printRows {
		sort.Strings(printed)
		t.Logf("matrix rows:\n%s", strings.Join(printed, "\n"))
		return
	}
	t.Logf("mutation score: %d/%d faults caught, %d cases in the catalogue", caught.Load(), len(faults), len(cases.All()))
}

// brokenUnder reports whether some FAIL or WARN case has a broken finding
// under requirement req: the fault is caught by the check of its own
// requirement, not only as a side effect under another one.
func brokenUnder(res reports.Run, req string) bool {
	for _, c := range res.Cases {
		if c.Verdict != reports.Fail && c.Verdict != reports.Warn {
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
// --strict: no configuration that requirements.md allows may draw a FAIL,
// a WARN or an ERROR. (Issue 7 found 13 of 28 such configurations failing
// before the preflight honoured the accepted sets and the Free plan.)
func TestConformantSpace(t *testing.T) {
	var all []string
	for _, v := range refserver.Variants() {
		all = append(all, v.Name)
	}
	for _, p := range refserver.Profiles() {
		for _, variants := range [][]string{nil, all} {
			name := p.Name
			if variants != nil {
				name += "+variants"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				r, res := runEmbedded(t, p.Name, nil, variants, "--strict")
				if r.code != 0 || res.Summary.Warn+res.Summary.Fail+res.Summary.Error != 0 {
					var bad []string
					for _, c := range res.Cases {
						if c.Verdict != reports.Pass && c.Verdict != reports.Skip {
							bad = append(bad, c.Verdict+" "+c.ID+": "+c.Message)
						}
					}
					t.Errorf("exit %d:\n%s\n%s", r.code, strings.Join(bad, "\n"), r.stderr)
				}
				for _, c := range res.Cases {
					if c.Verdict == reports.Skip && c.Message == "" {
						t.Errorf("%s skipped without a reason", c.ID)
					}
				}
			})
		}
	}
}
