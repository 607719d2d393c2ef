package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/coder/websocket"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/reconf"
	"github.com/roomconform/conform/refserver"
	"github.com/roomconform/conform/reports"
)

// A lying proxy in front of the reference server (issue 16): a device
// whose reconfiguration goes wrong in the ways a real one's can. It drops a
// connection, swallows a request, answers one itself without passing it on
// (a change "applied" that was not), rewrites what the device says (a PIN
// it does not hold, an identity it does not have). Whatever it does, a run
// must leave the device as found, or stop with exit 3 and a journal that
// conform restore completes.

// liar is the proxy. Its rule sees every text message in order, across
// all connections, and says what to do with it; rules are swapped between
// runs (the same device, another fault).
type liar struct {
	url string
	// state is the state directory of the runs through this liar
	// ($XDG_STATE_HOME): their journals are its own, whatever other tests
	// leave under a port this one reuses.
	state string

	mu       sync.Mutex
	upstream string
	rule     func(m liarMsg) liarAction
	seen     int // requests seen since the rule was set
}

// liarMsg is one text message through the proxy.
type liarMsg struct {
	toServer bool
	n        int // the request's number since the rule was set (toServer only)
	fields   map[string]any
	raw      []byte
}

func (m liarMsg) method() string { s, _ := m.fields["method"].(string); return s }
func (m liarMsg) str(key string) string {
	s, _ := m.fields[key].(string)
	return s
}

// liarAction is what the proxy does with a message: pass it on (zero
// value), pass on replace instead, answer reply to the client itself
// without passing anything on, swallow it, or drop the connection. lose
// is the interruption loop's: pass a request on, drop its answer.
type liarAction struct {
	replace, reply      []byte
	swallow, drop, lose bool
}

func newLiar(t *testing.T, upstream string) *liar {
	t.Helper()
	l := &liar{upstream: upstream, state: t.TempDir()}
	srv := httptest.NewServer(http.HandlerFunc(l.serve))
	t.Cleanup(srv.Close)
	l.url = "ws" + strings.TrimPrefix(srv.URL, "http")
	return l
}

// set installs rule (nil: pass everything) and points the proxy at
// upstream ("" keeps the current one).
func (l *liar) set(upstream string, rule func(liarMsg) liarAction) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if upstream != "" {
		l.upstream = upstream
	}
	l.rule, l.seen = rule, 0
}

// locked runs f under the lock the rules run under: a test reads what its
// rule recorded through it.
func (l *liar) locked(f func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f()
}

func (l *liar) judge(toServer bool, b []byte) liarAction {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := liarMsg{toServer: toServer, raw: b}
	_ = json.Unmarshal(b, &m.fields)
	if toServer {
		l.seen++
		m.n = l.seen
	}
	if l.rule == nil {
		return liarAction{}
	}
	return l.rule(m)
}

func (l *liar) serve(w http.ResponseWriter, r *http.Request) {
	down, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return
	}
	defer down.CloseNow()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	l.mu.Lock()
	upstream := l.upstream
	l.mu.Unlock()
	up, _, err := websocket.Dial(ctx, upstream, nil)
	if err != nil {
		return
	}
	defer up.CloseNow()
	var wmu sync.Mutex // the reader below and the loop both write down
	write := func(b []byte) error {
		wmu.Lock()
		defer wmu.Unlock()
		return down.Write(ctx, websocket.MessageText, b)
	}
	go func() {
		defer cancel()
		for {
			_, b, err := up.Read(ctx)
			if err != nil {
				return
			}
			a := l.judge(false, b)
			switch {
			case a.drop:
				return
			case a.swallow:
				continue
			case a.replace != nil:
				b = a.replace
			}
			if write(b) != nil {
				return
			}
		}
	}()
	for {
		_, b, err := down.Read(ctx)
		if err != nil {
			return
		}
		a := l.judge(true, b)
		switch {
		case a.drop:
			return
		case a.swallow:
			continue
		case a.reply != nil:
			if write(a.reply) != nil {
				return
			}
			continue
		case a.replace != nil:
			b = a.replace
		}
		if up.Write(ctx, websocket.MessageText, b) != nil {
			return
		}
	}
}

// conform runs the binary with the liar's state directory.
func (l *liar) conform(t *testing.T, env []string, args ...string) result {
	t.Helper()
	return conform(t, append(env[:len(env):len(env)], "XDG_STATE_HOME="+l.state), args...)
}

// behindLiar starts a reference server in profile p with fixed secrets
// (reconfServer) and a liar in front of it that passes everything until
// told otherwise; before is the server's secrets as it started.
func behindLiar(t *testing.T, p string) (srv *refserver.Running, env []string, before refserver.Secrets, l *liar) {
	t.Helper()
	srv, env = reconfServer(t, p)
	return srv, env, srv.Server.Secrets(), newLiar(t, srv.URL)
}

// restoring reports whether a request is the restore's: its requests
// carry the reconf package's request IDs.
func restoring(m liarMsg) bool { return strings.HasPrefix(m.str("requestId"), "conform-reconf-") }

// rewrite returns m's fields with key set to v, as JSON.
func rewrite(m liarMsg, set func(f map[string]any)) []byte {
	f := map[string]any{}
	_ = json.Unmarshal(m.raw, &f)
	set(f)
	b, _ := json.Marshal(f)
	return b
}

// liarRun is one run of conform through the liar: its result, the
// results.json it wrote, and its journal.
type liarRun struct {
	result
	res     reports.Run
	journal string
}

func runThrough(t *testing.T, l *liar, env []string, args ...string) liarRun {
	t.Helper()
	dir := t.TempDir()
	args = append([]string{"run", "--target", l.url, "--allow-reconfigure", "--report-dir", dir, "--response-timeout", "2s"}, args...)
	r := liarRun{result: l.conform(t, env, args...), journal: reconf.JournalPathIn(reconf.JournalDirIn(l.state), l.url)}
	readJSON(t, filepath.Join(dir, "results.json"), &r.res)
	return r
}

// wantStoppedWithJournal: the run stopped with exit 3, said why in its
// reports and on the console, and kept its journal; then conform restore
// through an honest proxy puts the device back.
func wantStoppedWithJournal(t *testing.T, l *liar, srv *refserver.Running, profile string, before refserver.Secrets, env []string, r liarRun) {
	t.Helper()
	if r.code != 3 || r.res.RestoreError == "" || !strings.Contains(r.stdout, "THE TARGET MAY BE LEFT RECONFIGURED") {
		t.Errorf("exit %d, restoreError %q\n%s\n%s", r.code, r.res.RestoreError, r.stdout, r.stderr)
	}
	for _, c := range r.res.Cases {
		if c.Profile != "" && c.Verdict != caselang.Error {
			t.Errorf("%s ran in a profile the walk put the target in after a failed restore: %s", c.Key(), c.Verdict)
		}
	}
	j, ok, err := reconf.ReadJournal(r.journal)
	if !ok {
		t.Fatalf("no journal after a failed restore (%v)", err)
	}
	prof, _ := refserver.LookupProfile(profile)
	if string(j.Original.Admin) != string(prof.Admin) || string(j.Original.User) != string(prof.User) {
		t.Errorf("the journal's original protection is %s, not the target's own (admin %s, user %s): written over", j.Original, prof.Admin, prof.User)
	}
	l.set("", nil)
	if prof.User == refserver.PIN {
		// The run read it with getAuthInfo; the operator gives it back.
		env = append(env[:len(env):len(env)], "CONFORM_USER_PIN="+before.UserPIN)
	}
	rr := l.conform(t, env, "restore", "--journal", r.journal)
	if rr.code != 0 {
		t.Fatalf("conform restore: exit %d\n%s\n%s", rr.code, rr.stdout, rr.stderr)
	}
	wantAsFound(t, srv, profile, before)
	if _, err := os.Stat(r.journal); err == nil {
		t.Error("the journal is left after conform restore")
	}
}
