package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/refserver"
)

// TestPaceNeedsItsLockoutDeclared: --pace is a usage error (exit 2) unless
// both --lockout-attempts and --lockout-window are set explicitly; from the
// environment counts, a default does not. Nothing is sent: the target
// named does not exist.
func TestPaceNeedsItsLockoutDeclared(t *testing.T) {
	target := []string{"run", "--target", "ws://127.0.0.1:1/", "--report-dir", t.TempDir()}
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		want int
		says string
	}{
		{"no declaration", nil, []string{"--pace"}, exitUsage, "--lockout-attempts and --lockout-window"},
		{"attempts only", nil, []string{"--pace", "--lockout-attempts", "5"}, exitUsage, "set --lockout-window explicitly"},
		{"window only", nil, []string{"--pace", "--lockout-window", "15m"}, exitUsage, "set --lockout-attempts explicitly"},
		{"too few attempts", nil, []string{"--pace", "--lockout-attempts", "2", "--lockout-window", "15m"}, exitUsage, "3 or more"},
		{"window without pace", nil, []string{"--lockout-window", "15m"}, exitUsage, "does nothing without --pace"},
		{"embedded", nil, []string{"--pace", "--lockout-attempts", "5", "--lockout-window", "1m"}, exitUsage, "paces a live target"},
		{"declared in the environment", []string{"CONFORM_LOCKOUT_ATTEMPTS=5", "CONFORM_LOCKOUT_WINDOW=1m"}, []string{"--pace"}, exitUnreachable, "unreachable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append([]string{}, target...), tc.args...)
			if tc.name == "embedded" {
				args = append([]string{"run", "--report-dir", t.TempDir()}, tc.args...)
			}
			r := conform(t, tc.env, args...)
			if r.code != tc.want || !strings.Contains(r.stdout+r.stderr, tc.says) {
				t.Errorf("exit %d, want %d with %q\nstdout: %s\nstderr: %s", r.code, tc.want, tc.says, r.stdout, r.stderr)
			}
		})
	}
}

// pacedServer starts a reference server with a windowed lockout: threshold
// wrong credentials within window lock it for a minute, a success between
// them or not.
func pacedServer(t *testing.T, threshold int, window time.Duration) (*refserver.Running, []string) {
	t.Helper()
	return referenceServer(t, refserver.Options{LockoutThreshold: threshold, LockoutWindow: window, LockoutDuration: time.Minute})
}

// TestPaceRefusesAnETABeyondTheTimeout: a paced run whose waits alone
// would outlast --timeout does not start (exit 2), and sends no wrong
// credential.
func TestPaceRefusesAnETABeyondTheTimeout(t *testing.T) {
	srv, env := pacedServer(t, 5, time.Hour)
	r := conform(t, env, "run", "--target", srv.URL, "--web", srv.WebURL, "--report-dir", t.TempDir(),
		"--pace", "--lockout-attempts", "5", "--lockout-window", "10m", "--timeout", "20m")
	if r.code != exitUsage || !strings.Contains(r.stderr, "the waits alone take") {
		t.Fatalf("exit %d, want %d refusing the ETA\nstdout: %s\nstderr: %s", r.code, exitUsage, r.stdout, r.stderr)
	}
	if st := srv.Server.Stats(); st.Lockouts != 0 {
		t.Errorf("the server locked %d times", st.Lockouts)
	}
}

// TestPacedRunIsComplete: against a server whose lockout is windowed (a
// success does not reset the count), a paced run with that lockout
// declared runs every stimulus of the live default selection, says
// "complete", and never locks the server; the same run without --pace
// and without a budget does lock a server with that threshold (the
// negative control: the run sends far more than the threshold, and only
// the pace kept it under).
func TestPacedRunIsComplete(t *testing.T) {
	t.Parallel() // it waits out lockout windows: beside the others
	if testing.Short() {
		t.Skip("-short: a paced run waits out some ten windows")
	}
	// 58 a window: the default selection's wrong credentials take some
	// ten windows, enough to show the pacing, few enough to be quick.
	const attempts, window = 60, 300 * time.Millisecond
	srv, env := pacedServer(t, attempts, window)
	dir := t.TempDir()
	r := conform(t, env, "run", "--target", srv.URL, "--web", srv.WebURL, "--report-dir", dir, "--response-timeout", "5s",
		"--pace", "--lockout-attempts", strconv.Itoa(attempts), "--lockout-window", window.String(), "--lifetime-tolerance", "200ms")
	res := readResults(t, r, dir)
	if r.code != exitOK || res.Pace == nil || !res.Pace.Complete || len(res.NotRun) > 0 {
		t.Fatalf("exit %d, pace %+v, not run %v; want 0 and complete\n%s\n%s", r.code, res.Pace, res.NotRun, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "(paced, every stimulus of the plan ran") {
		t.Errorf("the verdict line does not say complete:\n%s", r.stdout)
	}
	for _, c := range res.Cases {
		if c.Verdict == caselang.Error || len(c.NotRun) > 0 {
			t.Errorf("%s: %s %v", c.ID, c.Verdict, c.NotRun)
		}
	}
	if res.Pace.Windows < 2 {
		t.Errorf("the run waited %d times: the test no longer exercises pacing", res.Pace.Windows)
	}
	if st := srv.Server.Stats(); st.Lockouts != 0 {
		t.Fatalf("the paced run locked the server %d times", st.Lockouts)
	}

	// The control's server counts an hour, not the paced run's window: how
	// many wrong credentials an unpaced run packs into 300 ms depends on
	// the machine, how many it sends in all does not.
	ctl, env := pacedServer(t, attempts, time.Hour)
	dir = t.TempDir()
	r = conform(t, env, "run", "--target", ctl.URL, "--web", ctl.WebURL, "--report-dir", dir, "--response-timeout", "5s",
		"--wrong-credential-budget", "-1")
	if st := ctl.Server.Stats(); st.Lockouts == 0 {
		t.Fatalf("without --pace the run did not lock the server (exit %d): the negative control no longer holds\n%s", r.code, r.stdout)
	}
	if !strings.Contains(r.stdout, "possible lockout") {
		t.Errorf("the unpaced run did not report the lockout it met:\n%s", r.stdout)
	}
}

// TestPacedWaitIsInterruptible: SIGINT during a paced run's wait for the
// lockout window ends the run at once, as interrupted (exit 1), with its
// reports.
func TestPacedWaitIsInterruptible(t *testing.T) {
	srv, env := pacedServer(t, 3, time.Hour)
	dir := t.TempDir()
	// One wrong credential a window: the second case waits the hour.
	cmd, done := startConform(t, env, "pace: window", "run", "--target", srv.URL, "--web", srv.WebURL, "--report-dir", dir,
		"--pace", "--lockout-attempts", "3", "--lockout-window", "1h", "--timeout", "3h",
		"--case", "rc-8-near-admin-password-prefix", "--case", "rc-8-near-admin-password-extension")
	r := interrupt(t, cmd, done)
	if r.code != exitFailed || !strings.Contains(r.stdout, "interrupted") {
		t.Fatalf("exit %d, want %d (interrupted)\n%s\n%s", r.code, exitFailed, r.stdout, r.stderr)
	}
	if r.elapsed > time.Minute {
		t.Errorf("the run took %s: the wait was not interrupted", r.elapsed)
	}
	res := readResults(t, r, dir)
	if res.Pace == nil || res.Pace.Complete {
		t.Errorf("pace %+v: an interrupted paced run is not complete", res.Pace)
	}
}
