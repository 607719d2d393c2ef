package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/conductor"
	"github.com/roomconform/conform/internal/memnet"
	"github.com/roomconform/conform/internal/reconf"
	"github.com/roomconform/conform/refserver"
	"github.com/roomconform/conform/reports"
)

// stallingDial is mem's dialer whose connections to the addresses of
// stall hold the first answer after an accepted setAuthParams (the run is
// then in the middle of a change, the target changed), until the
// connection is closed or the test ends. Each address's channel is
// closed once its connection holds.
func stallingDial(t *testing.T, mem *memnet.Network, stall map[string]chan struct{}) func(ctx context.Context, network, addr string) (net.Conn, error) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	var mu sync.Mutex
	done := map[string]bool{}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := mem.DialContext(ctx, network, addr)
		held, ok := stall[addr]
		if err != nil || !ok {
			return c, err
		}
		return &stallConn{Conn: c, closed: make(chan struct{}), release: release, hold: func() bool {
			mu.Lock()
			defer mu.Unlock()
			if done[addr] {
				return false
			}
			done[addr] = true
			close(held)
			return true
		}}, nil
	}
}

type stallConn struct {
	net.Conn
	armed     bool
	hold      func() bool
	closed    chan struct{}
	closeOnce sync.Once
	release   chan struct{}
}

func (c *stallConn) Read(p []byte) (int, error) {
	if c.armed && c.hold() {
		select {
		case <-c.closed:
			return 0, net.ErrClosed
		case <-c.release:
		}
	}
	n, err := c.Conn.Read(p)
	// Frames from the server are not masked: the answer is plain text.
	if bytes.Contains(p[:n], []byte(`"method":"setAuthParams"`)) && bytes.Contains(p[:n], []byte(`"result":true`)) {
		c.armed = true
	}
	return n, err
}

func (c *stallConn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return c.Conn.Close()
}

// TestFleetInterruptRestoresEveryTarget: four targets that reconfigure,
// two at a time; both running targets are stopped in the middle of a
// change when the fleet is interrupted. Each puts its protection back and
// writes its reports; the two never started are interrupted sections and
// never touched. Every server ends as it was, every journal is gone.
func TestFleetInterruptRestoresEveryTarget(t *testing.T) {
	t.Parallel()
	mem := memnet.New()
	const profile = "admin-password-user-pin"
	var doc strings.Builder
	doc.WriteString("targets:\n")
	var env []string
	var srvs []*refserver.Running
	var befores []refserver.Secrets
	stall := map[string]chan struct{}{}
	names := []string{"a", "b", "c", "d"}
	for _, name := range names {
		srv, _ := reconfServerOn(t, profile, mem.Listen)
		srvs, befores = append(srvs, srv), append(befores, srv.Server.Secrets())
		y, e := secretVars("ROOM_"+strings.ToUpper(name), srv.Server.Secrets())
		fmt.Fprintf(&doc, "  - name: %s\n    url: %s\n    allow-reconfigure: true\n%s", name, srv.URL, y)
		env = append(env, e...)
		if name == "a" || name == "b" {
			stall[strings.TrimSuffix(strings.TrimPrefix(srv.URL, "ws://"), "/")] = make(chan struct{})
		}
	}
	path := writeTargets(t, doc.String())
	dir := t.TempDir()
	deps := memDeps(mem, nil)
	deps.exec = conductor.InProcess{InMemory: true, Dial: stallingDial(t, mem, stall)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan result, 1)
	go func() {
		done <- fleetIn(t, ctx, deps, env, "run", "--targets", path, "--report-dir", dir, "--parallel", "2",
			"--case", "cfg-1-admin-password", "--response-timeout", "20s")
	}()
	for addr, held := range stall {
		select {
		case <-held:
		case r := <-done:
			t.Fatalf("the fleet ended before %s was stopped mid-change: exit %d\n%s\n%s", addr, r.code, r.stdout, r.stderr)
		case <-time.After(30 * time.Second):
			t.Fatalf("%s was not stopped in the middle of its change", addr)
		}
	}
	cancel()
	var r result
	select {
	case r = <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("the interrupted fleet did not end")
	}
	if r.code != exitFailed {
		t.Errorf("exit %d, want 1 (interrupted)\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	f := readFleet(t, dir)
	if len(f.Targets) != 4 {
		t.Fatalf("%d sections", len(f.Targets))
	}
	for i, s := range f.Targets {
		if s.Run.Interrupted == "" || s.Run.Summary.Verdict != reports.VerdictInterrupted {
			t.Errorf("%s: %q, interrupted %q", s.Name, s.Run.Summary.Verdict, s.Run.Interrupted)
		}
		if i < 2 {
			// The transcript is in the target's own results.json (a
			// section has none).
			var own reports.Run
			readJSON(t, filepath.Join(dir, s.Name, "results.json"), &own)
			if len(own.Cases) != 1 || !strings.Contains(own.Cases[0].Message+transcriptText(own.Cases[0]), "restoring the original protection") {
				t.Errorf("%s: the case does not show its restore: %+v", s.Name, own.Cases)
			}
		} else if len(s.Run.Cases) != 0 {
			t.Errorf("%s was never started, yet has %d cases", s.Name, len(s.Run.Cases))
		}
		if _, err := os.Stat(filepath.Join(dir, s.Name, "results.json")); err != nil {
			t.Errorf("%s: no reports of its own: %v", s.Name, err)
		}
		if _, err := os.Stat(filepath.Join(dir, s.Name, journalName)); err == nil {
			t.Errorf("%s: the journal is left", s.Name)
		}
	}
	for i, srv := range srvs {
		wantAsFound(t, srv, profile, befores[i])
	}
}

// TestFleetRestore: `conform restore --targets FILE` replays every
// target's journal under <report-dir>/<name>/ with that target's secrets
// (its mapping), one line per target; one that cannot be restored (its
// variable unset) makes exit 3, the others are restored all the same.
func TestFleetRestore(t *testing.T) {
	t.Parallel()
	const orig = "Orig-Admin-3k"
	dir := t.TempDir()
	var doc strings.Builder
	doc.WriteString("targets:\n")
	env := []string{"CONFORM_ADMIN_PASSWORD=Not-Any-Targets-1"} // never used: no target names it
	var srvs []*refserver.Running
	// misdirected's journal names another device (elsewhere): it must be
	// refused, or that device would get misdirected's secrets.
	elsewhere, _ := reconfServer(t, "unsecured")
	for _, name := range []string{"left-a", "left-b", "clean", "unmapped", "misdirected"} {
		srv, _ := reconfServer(t, "unsecured") // left unsecured by a killed walk
		srvs = append(srvs, srv)
		fmt.Fprintf(&doc, "  - name: %s\n    url: %s\n    secrets:\n      CONFORM_ADMIN_PASSWORD: PW_%s\n", name, srv.URL, strings.ToUpper(strings.ReplaceAll(name, "-", "_")))
		if name != "unmapped" {
			env = append(env, "PW_"+strings.ToUpper(strings.ReplaceAll(name, "-", "_"))+"="+orig)
		}
		if name == "clean" {
			continue
		}
		target := srv.URL
		if name == "misdirected" {
			target = elsewhere.URL
		}
		j := reconf.Journal{Target: reconf.TargetOf(target), Original: reconf.Protection{Admin: caselang.Password, User: caselang.Unsecured},
			Current: reconf.Protection{Admin: caselang.Unsecured, User: caselang.Unsecured}, Key: string(caselang.AdminPassword), AdminSecret: "original",
			Checks: map[caselang.SecretKind]string{caselang.AdminPassword: reconf.NewCheck(caselang.AdminPassword, orig)}}
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := reconf.WriteJournal(filepath.Join(dir, name, journalName), j); err != nil {
			t.Fatal(err)
		}
	}
	path := writeTargets(t, doc.String())
	r := conform(t, env, "restore", "--targets", path, "--report-dir", dir)
	if r.code != exitUnreachable {
		t.Errorf("exit %d, want 3 (unmapped cannot be restored)\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for i, name := range []string{"left-a", "left-b"} {
		if p := srvs[i].Server.Profile(); p.Admin != refserver.Password || srvs[i].Server.Secrets().AdminPassword != orig {
			t.Errorf("%s not restored: admin %s", name, p.Admin)
		}
		if _, err := os.Stat(filepath.Join(dir, name, journalName)); err == nil {
			t.Errorf("%s: the journal is left after its restore", name)
		}
	}
	if p := srvs[3].Server.Profile(); p.Admin != refserver.Unsecured {
		t.Errorf("unmapped was changed: admin %s", p.Admin)
	}
	if _, err := os.Stat(filepath.Join(dir, "unmapped", journalName)); err != nil {
		t.Errorf("unmapped's journal is gone though it was not restored: %v", err)
	}
	for _, s := range []*refserver.Running{srvs[4], elsewhere} {
		if p := s.Server.Profile(); p.Admin != refserver.Unsecured {
			t.Errorf("%s was changed by misdirected's journal: admin %s", s.URL, p.Admin)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "misdirected", journalName)); err != nil {
		t.Errorf("misdirected's journal is gone though it was not restored: %v", err)
	}
	out := r.stdout + r.stderr
	for _, want := range []string{"left-a: ", "left-b: ", "clean: nothing to restore", "unmapped: NOT RESTORED: secrets: the variable named for CONFORM_ADMIN_PASSWORD", "misdirected: NOT RESTORED: the journal is for"} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, orig) || strings.Contains(out, "PW_UNMAPPED") {
		t.Errorf("the output shows a secret:\n%s", out)
	}
}
