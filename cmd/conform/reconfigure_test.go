package main

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/memnet"
	"github.com/roomconform/conform/internal/reconf"
	"github.com/roomconform/conform/refserver"
	"github.com/roomconform/conform/reports"
)

// The reconfiguration walk against a reference server on its own ports, as
// an operator runs it against a device: --allow-reconfigure, the secrets in
// the environment. Whatever happens (a pass, a SIGINT in the middle of a
// change, a kill followed by conform restore) the server's protection and
// secrets must end as they were.

// reconfServer starts a reference server in profile p with fixed secrets
// and returns it with the environment a run needs.
func reconfServer(t *testing.T, p string) (*refserver.Running, []string) {
	t.Helper()
	return reconfServerOn(t, p, nil)
}

// reconfServerOn is reconfServer listening with listen (nil: on loopback
// sockets; an in-process network's Listen for a run in-process).
func reconfServerOn(t *testing.T, p string, listen func(network, addr string) (net.Listener, error)) (*refserver.Running, []string) {
	t.Helper()
	prof, err := refserver.LookupProfile(p)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := refserver.Start("127.0.0.1:0", refserver.Options{Profile: prof, Listen: listen, Secrets: refserver.Secrets{
		AdminPassword: "Orig-Admin-3k", AdminPIN: "7391", UserPassword: "Orig-User-8m", UserPIN: "ab34cd"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	sec := srv.Server.Secrets()
	var env []string
	for k, v := range map[string]string{"CONFORM_ADMIN_PASSWORD": sec.AdminPassword, "CONFORM_ADMIN_PIN": sec.AdminPIN,
		"CONFORM_USER_PASSWORD": sec.UserPassword} {
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	return srv, env
}

// wantAsFound checks that the server's protection and secrets are the ones
// it started with (a PIN compared as the server compares it).
func wantAsFound(t *testing.T, srv *refserver.Running, p string, before refserver.Secrets) {
	t.Helper()
	prof, _ := refserver.LookupProfile(p)
	if got := srv.Server.Profile(); got.Admin != prof.Admin || got.User != prof.User {
		t.Errorf("protection after the run: admin %s, user %s; want admin %s, user %s", got.Admin, got.User, prof.Admin, prof.User)
	}
	after := srv.Server.Secrets()
	if prof.Admin == refserver.Password && after.AdminPassword != before.AdminPassword {
		t.Error("the admin password is not the original one")
	}
	if prof.User == refserver.Password && after.UserPassword != before.UserPassword {
		t.Error("the user password is not the original one")
	}
	if prof.User == refserver.PIN && !strings.EqualFold(after.UserPIN, before.UserPIN) {
		t.Error("the user PIN is not the original one")
	}
}

func TestReconfigurationLeavesProtectionAsFound(t *testing.T) {
	t.Parallel()
	for _, p := range shortFirst(t, []string{"admin-password-user-pin", "admin-password-user-password", "admin-password", "unsecured", "admin-pin-user-pin"}) {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			srv, env := reconfServer(t, p)
			before := srv.Server.Secrets()
			dir := t.TempDir()
			r := conform(t, env, "run", "--target", srv.URL, "--allow-reconfigure", "--label-filter", "mutating", "--report-dir", dir)
			var res reports.Run
			readJSON(t, filepath.Join(dir, "results.json"), &res)
			// The default wrong-credential budget may leave out the only
			// mutating case of a MUST requirement: incomplete (exit 4),
			// saying so; anything else is wrong.
			budget := strings.Contains(strings.Join(res.Summary.Why, "\n"), "wrong-credential budget")
			if r.code != exitOK && (r.code != exitIncomplete || !budget) {
				t.Fatalf("exit %d (%q)\n%s\n%s", r.code, res.Summary.Why, r.stdout, r.stderr)
			}
			if res.Summary.Pass == 0 {
				t.Errorf("no mutating case ran: %+v", res.Summary)
			}
			wantAsFound(t, srv, p, before)
			if _, err := os.Stat(journalOf(t, srv.URL)); err == nil {
				t.Error("the journal is left after a clean run")
			}
			if strings.Contains(r.stdout+r.stderr, "Orig-") || strings.Contains(strings.ToLower(r.stdout), "ab34cd") {
				t.Error("a secret reached the console")
			}
		})
	}
}

// TestReconfigurationNeedsOptIn: without --allow-reconfigure a live run
// never changes the protection, even when the mutating cases are named;
// having judged nothing, it is incomplete (exit 4).
func TestReconfigurationNeedsOptIn(t *testing.T) {
	t.Parallel()
	srv, env := reconfServer(t, "admin-password-user-pin")
	before := srv.Server.Secrets()
	r := conform(t, env, "run", "--target", srv.URL, "--case", "cfg-1-admin-password", "--report-dir", t.TempDir())
	if r.code != exitIncomplete || !strings.Contains(r.stdout, "opt in with --allow-reconfigure") {
		t.Errorf("exit %d\n%s", r.code, r.stdout)
	}
	wantAsFound(t, srv, "admin-password-user-pin", before)
}

// stallAfterChange relays to upstream and holds the first message that
// follows an accepted setAuthParams (the answer to the engine's
// getAuthInfo after the change) until the test ends: the run stops in the
// middle of a reconfiguration, with the target changed. stalled is closed
// once a message is held.
func stallAfterChange(t *testing.T, upstream string) (url string, stalled <-chan struct{}) {
	release, holding := make(chan struct{}), make(chan struct{})
	t.Cleanup(func() { close(release) })
	var mu sync.Mutex
	armed, held := false, false
	return relay(t, upstream, func(msg []byte) [][]byte {
		mu.Lock()
		stall := armed && !held
		if stall {
			held = true
			close(holding)
		}
		if bytes.Contains(msg, []byte(`"method":"setAuthParams"`)) && bytes.Contains(msg, []byte(`"result":true`)) {
			armed = true
		}
		mu.Unlock()
		if stall {
			<-release
		}
		return [][]byte{msg}
	}, nil), holding
}

// waitForFile waits, bounded, for path to exist.
func waitForFile(t *testing.T, path string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return
		}
	}
	t.Fatalf("%s did not appear", path)
}

func TestReconfigurationInterruptedRestores(t *testing.T) {
	t.Parallel()
	srv, env := reconfServer(t, "admin-password-user-pin")
	before := srv.Server.Secrets()
	dir := t.TempDir()
	cmd, done, journal := stoppedMidChange(t, srv, env, dir)
	r := interrupt(t, cmd, done)
	if r.code != 1 {
		t.Errorf("exit %d after SIGINT, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	var res reports.Run
	readJSON(t, filepath.Join(dir, "results.json"), &res)
	if res.Interrupted == "" || len(res.Cases) != 1 {
		t.Errorf("results.json: interrupted %q, %d cases", res.Interrupted, len(res.Cases))
	} else if c := res.Cases[0]; !strings.Contains(c.Message+transcriptText(c), "restoring the original protection") {
		t.Errorf("the case does not show its restore:\n%s\n%s", c.Message, transcriptText(c))
	}
	wantAsFound(t, srv, "admin-password-user-pin", before)
	if _, err := os.Stat(journal); err == nil {
		t.Error("the journal is left after the restore")
	}
}

func TestRestoreAfterKill(t *testing.T) {
	t.Parallel()
	srv, env := reconfServer(t, "admin-password-user-pin")
	before := srv.Server.Secrets()
	dir := t.TempDir()
	cmd, done, journal := stoppedMidChange(t, srv, env, dir)
	cmd.Process.Kill()
	<-done
	b, err := os.ReadFile(journal)
	if err != nil {
		t.Fatalf("no journal after the kill: %v", err)
	}
	if st, err := os.Stat(journal); err != nil || st.Mode().Perm() != 0o600 || strings.HasPrefix(journal, dir) {
		t.Errorf("the journal is at %s (%v), want the state directory, mode 0600 (report directory %s)", journal, st.Mode(), dir)
	}
	if bytes.Contains(b, []byte(before.AdminPassword)) || bytes.Contains(b, []byte(srv.Server.Secrets().AdminPassword)) {
		t.Errorf("the journal holds a secret:\n%s", b)
	}
	// Another run of that target refuses to start while the journal is
	// there (the journal is the target's: one file per target URL).
	var j reconf.Journal
	readJSON(t, journal, &j)
	if r := conform(t, env, "run", "--target", j.Target, "--allow-reconfigure", "--report-dir", dir); r.code != 2 || !strings.Contains(r.stderr, "conform restore") {
		t.Errorf("a run over a pending journal: exit %d\n%s", r.code, r.stderr)
	}
	// The journal names the target: another URL is refused.
	if r := conform(t, env, "restore", "--target", srv.URL, "--journal", journal); r.code != 2 || !strings.Contains(r.stderr, "the journal is for") {
		t.Errorf("restore of another target: exit %d\n%s", r.code, r.stderr)
	}
	r := conform(t, env, "restore", "--journal", journal)
	if r.code != 0 {
		t.Fatalf("restore: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	wantAsFound(t, srv, "admin-password-user-pin", before)
	if _, err := os.Stat(journal); err == nil {
		t.Error("the journal is left after conform restore")
	}
	if r := conform(t, env, "restore", "--journal", journal); r.code != 0 || !strings.Contains(r.stdout, "nothing to restore") {
		t.Errorf("a second restore: exit %d\n%s", r.code, r.stdout)
	}
}

// stoppedMidChange starts a run of cfg-1 through a relay that stalls it
// right after its setAuthParams, and returns once the target is changed,
// the journal written and the run held: in the middle of the change.
func stoppedMidChange(t *testing.T, srv *refserver.Running, env []string, dir string) (*exec.Cmd, chan result, string) {
	t.Helper()
	before := srv.Server.Secrets()
	target, stalled := stallAfterChange(t, srv.URL)
	cmd, done := startConform(t, env, "selection:", "run", "--target", target, "--allow-reconfigure",
		"--case", "cfg-1-admin-password", "--report-dir", dir, "--response-timeout", "20s")
	journal := journalOf(t, target)
	waitForFile(t, journal)
	waitForSuitePassword(t, srv, before)
	waitStalled(t, stalled)
	return cmd, done, journal
}

// journalOf is where a run keeps the journal of target by default (the
// state directory TestMain set).
func journalOf(t *testing.T, target string) string {
	t.Helper()
	path, err := reconf.DefaultJournalPath(target)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// waitStalled waits, bounded, until the relay holds the run's next answer:
// the run is then certainly in the middle of the change.
func waitStalled(t *testing.T, stalled <-chan struct{}) {
	t.Helper()
	select {
	case <-stalled:
	case <-time.After(20 * time.Second):
		t.Fatal("the run did not get past the change")
	}
}

// waitForSuitePassword waits until the server's admin password is no
// longer the original: the change happened.
func waitForSuitePassword(t *testing.T, srv *refserver.Running, before refserver.Secrets) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if srv.Server.Secrets().AdminPassword != before.AdminPassword {
			return
		}
	}
	t.Fatal("the run did not change the admin password")
}

func transcriptText(c reports.Case) string {
	var b strings.Builder
	for _, f := range c.Transcript {
		b.WriteString(reports.FrameLine(f) + "\n")
	}
	return b.String()
}

// TestWalkLeavesProtectionAsFound: with --allow-reconfigure the run walks
// a live target through the other protections to run the cases that do
// not apply to its own, and puts the original back.
func TestWalkLeavesProtectionAsFound(t *testing.T) {
	t.Parallel()
	allAtOnce(t, shortFirst(t, []string{"admin-password-user-pin", "unsecured"}), identity,
		func(t *testing.T, p string) {
			// In-process, over an in-process network: a live run of every
			// case, whose sockets would be most of its processor time.
			mem := memnet.New()
			srv, env := reconfServerOn(t, p, mem.Listen)
			before := srv.Server.Secrets()
			dir := t.TempDir()
			// --web: without it DISC-1 goes unchecked, and the live run is
			// incomplete (exit 4).
			args := []string{"run", "--target", srv.URL, "--web", srv.WebURL, "--allow-reconfigure", "--report-dir", dir, "--wrong-credential-budget", "-1"}
			if testing.Short() {
				// CI's race stage: the walk with the hand-written cases only.
				args = append(args, "--label-filter", cases.LiveReconfigureFilter+" && !generated")
			}
			r, _ := inProcessOver(t, mem, env, args...)
			if r.code != 0 {
				t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			var res reports.Run
			readJSON(t, filepath.Join(dir, "results.json"), &res)
			walked := 0
			for _, c := range res.Cases {
				if c.Profile != "" {
					walked++
					if c.Verdict != caselang.Pass {
						t.Errorf("%s: %s %s", c.Key(), c.Verdict, c.Message)
					}
				}
			}
			if walked == 0 || !strings.Contains(r.stdout, "walk: ") {
				t.Errorf("no case ran in another profile:\n%s", r.stdout)
			}
			wantAsFound(t, srv, p, before)
			if _, err := os.Stat(journalOf(t, srv.URL)); err == nil {
				t.Error("the journal is left after the walk")
			}
		})
}

// TestRestoreNeverShowsTheSuiteSecrets: a restore that fails prints its
// transcript; the passwords the suite derives, which it tried, are
// redacted there like the operator's.
func TestRestoreNeverShowsTheSuiteSecrets(t *testing.T) {
	t.Parallel()
	srv, _ := reconfServer(t, "admin-password-user-pin")
	dir := t.TempDir()
	j := reconf.Journal{Target: reconf.TargetOf(srv.URL), Original: reconf.Protection{Admin: caselang.Password, User: caselang.PIN},
		Current: reconf.Protection{Admin: caselang.Password, User: caselang.PIN}, Key: string(caselang.AdminPassword), AdminSecret: "suite"}
	journal := filepath.Join(dir, "journal.json")
	if err := reconf.WriteJournal(journal, j); err != nil {
		t.Fatal(err)
	}
	wrong := "Not-The-Admin-Pw1"
	r := conform(t, []string{"CONFORM_ADMIN_PASSWORD=" + wrong}, "restore", "--journal", journal, "--response-timeout", "2s")
	if r.code != 3 {
		t.Fatalf("exit %d, want 3 (nothing logs in)\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	derived := reconf.NewKey(j.Original, map[caselang.SecretKind]string{caselang.AdminPassword: wrong}, "").Derive(caselang.AdminPassword)
	out := r.stdout + r.stderr
	if !strings.Contains(out, "credentials") {
		t.Errorf("the failed restore shows no transcript:\n%s", out)
	}
	for _, secret := range []string{derived, wrong} {
		if strings.Contains(out, secret) {
			t.Errorf("the output shows a secret:\n%s", out)
		}
	}
}

// TestRestoreRefusesAMistypedSecret: a restore never sets a secret other
// than the original on the target: a mistyped CONFORM_ADMIN_PASSWORD (the
// journal's check differs) or a missing one is refused, exit 2, nothing
// changed.
func TestRestoreRefusesAMistypedSecret(t *testing.T) {
	t.Parallel()
	srv, _ := reconfServer(t, "unsecured") // left unsecured by a killed walk, say
	dir := t.TempDir()
	orig := "Orig-Admin-3k"
	j := reconf.Journal{Target: reconf.TargetOf(srv.URL), Original: reconf.Protection{Admin: caselang.Password, User: caselang.Unsecured},
		Current: reconf.Protection{Admin: caselang.Unsecured, User: caselang.Unsecured}, Key: string(caselang.AdminPassword), AdminSecret: "original",
		Checks: map[caselang.SecretKind]string{caselang.AdminPassword: reconf.NewCheck(caselang.AdminPassword, orig)}}
	journal := filepath.Join(dir, "journal.json")
	if err := reconf.WriteJournal(journal, j); err != nil {
		t.Fatal(err)
	}
	for name, env := range map[string][]string{"mistyped": {"CONFORM_ADMIN_PASSWORD=Orig-Admin-3K"}, "missing": nil} {
		r := conform(t, env, "restore", "--journal", journal)
		if r.code != 2 || !strings.Contains(r.stderr, "CONFORM_ADMIN_PASSWORD") || !strings.Contains(r.stderr, "nothing was changed") {
			t.Errorf("%s: exit %d, want 2\n%s%s", name, r.code, r.stdout, r.stderr)
		}
		if p := srv.Server.Profile(); p.Admin != refserver.Unsecured {
			t.Errorf("%s: the restore changed the target: admin %s", name, p.Admin)
		}
	}
	r := conform(t, []string{"CONFORM_ADMIN_PASSWORD=" + orig}, "restore", "--journal", journal)
	if r.code != 0 || srv.Server.Profile().Admin != refserver.Password || srv.Server.Secrets().AdminPassword != orig {
		t.Errorf("with the original: exit %d, profile %+v\n%s%s", r.code, srv.Server.Profile(), r.stdout, r.stderr)
	}
}
