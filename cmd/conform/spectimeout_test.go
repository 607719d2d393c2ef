package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/refserver"
	"github.com/roomconform/conform/reports"
)

// slowRelay is a relay in front of upstream that holds every answer until
// delay after the request it answers reached the relay: a slow target that
// still answers every request within a response timeout longer than delay.
// Notifications and messages that answer nothing pass at once.
func slowRelay(t *testing.T, upstream string, delay time.Duration) string {
	t.Helper()
	var mu sync.Mutex
	received := map[string]time.Time{} // requestId -> when the request came
	idOf := func(msg []byte) (string, bool) {
		var m map[string]any
		if json.Unmarshal(msg, &m) != nil {
			return "", false
		}
		b, err := json.Marshal(m["requestId"])
		if err != nil || m["requestId"] == nil {
			return "", false
		}
		return string(b), true
	}
	return relay(t, upstream,
		func(msg []byte) [][]byte {
			id, ok := idOf(msg)
			if !ok {
				return [][]byte{msg}
			}
			mu.Lock()
			at, asked := received[id]
			delete(received, id)
			mu.Unlock()
			if asked {
				time.Sleep(time.Until(at.Add(delay)))
			}
			return [][]byte{msg}
		},
		func(msg []byte) []byte {
			if id, ok := idOf(msg); ok {
				mu.Lock()
				received[id] = time.Now()
				mu.Unlock()
			}
			return msg
		})
}

// TestSlowTargetGetsNoSpecTimeout: a target that answers every request
// late but within --response-timeout gets no ERROR from a spec timeout,
// however many probes, barriers, token exercises and recovery logins the
// engine adds to the case's own steps. (Issue 16: the spec timeout counted
// only the declared steps, and a target answering at 0.9 s with
// --response-timeout 1s got ERROR; here these two cases got it after 7
// and 8 s.) The answers come at half the response timeout: the bound
// counts each exchange at the whole timeout, so any fraction below one
// shows the same as long as a case has more exchanges than twice its
// steps (these have dozens), and half a second leaves a busy machine room
// to hear them in time (100 ms did not, beside the mutation matrix). A
// machine slower even than that makes a case ERROR for a late answer: not
// what this test is about, so it is only logged, as long as one case ran
// to its verdict.
func TestSlowTargetGetsNoSpecTimeout(t *testing.T) {
	t.Parallel()
	const response = time.Second
	srv, env := referenceServer(t, refserver.Options{})
	target := slowRelay(t, srv.URL, response/2)
	dir := t.TempDir()
	// Cases with one or two steps of their own and many exchanges added:
	// a user login (its state probes, then its tokens exercised on fresh
	// connections, one of them for a higher mode and so followed by a
	// recovery login) and a request that must get exactly one answer (an
	// ordering barrier and the quiet window of a live target).
	ids := []string{"auth-user-success-fields", "env-1-exactly-one-response"}
	args := []string{"run", "--target", target, "--report-dir", dir, "--response-timeout", response.String()}
	for _, id := range ids {
		args = append(args, "--case", id)
	}
	r := conform(t, env, args...)
	var res reports.Run
	readJSON(t, filepath.Join(dir, "results.json"), &res)
	if len(res.Cases) != len(ids) {
		t.Fatalf("%d cases ran, want %d (exit %d)\n%s\n%s", len(res.Cases), len(ids), r.code, r.stdout, r.stderr)
	}
	passed := 0
	for _, c := range res.Cases {
		switch {
		case c.Verdict == caselang.Pass:
			passed++
		case c.Verdict == caselang.Error && strings.Contains(c.Message, "within "+response.String()+": timeout"):
			t.Logf("%s: this machine heard an answer later than the response timeout, inconclusive: %s", c.ID, c.Message)
		default:
			t.Errorf("%s: %s %s (%.1fs)", c.ID, c.Verdict, c.Message, c.Duration)
		}
	}
	if passed == 0 {
		t.Error("no case ran to its verdict: nothing shown")
	}
}
