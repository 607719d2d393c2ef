package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/redact"
	"github.com/roomconform/conform/refserver"
	"github.com/roomconform/conform/reports"
)

// The adversary's tests (issue 7): targets that redirect the credentials,
// echo them in other encodings, issue tokens meant to rewrite reports,
// flood tokens, or send terminal escapes. Each must end with a true
// verdict, no secret anywhere, nothing raw on the console, in bounded time.

// relay is a WebSocket man in the middle in front of a reference server:
// toClient rewrites what the server sends (nil: pass it through), toServer
// what the client sends. It stands for a target with one more defect than
// the reference server.
func relay(t *testing.T, upstream string, toClient func(msg []byte) [][]byte, toServer func(msg []byte) []byte) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		down, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
		if err != nil {
			return
		}
		defer down.CloseNow()
		down.SetReadLimit(-1)
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		up, _, err := websocket.Dial(ctx, upstream, nil)
		if err != nil {
			return
		}
		defer up.CloseNow()
		up.SetReadLimit(-1)
		go func() {
			defer cancel()
			for {
				typ, b, err := up.Read(ctx)
				if err != nil {
					return
				}
				out := [][]byte{b}
				if toClient != nil && typ == websocket.MessageText {
					out = toClient(b)
				}
				for _, m := range out {
					if down.Write(ctx, typ, m) != nil {
						return
					}
				}
			}
		}()
		for {
			typ, b, err := down.Read(ctx)
			if err != nil {
				return
			}
			if toServer != nil && typ == websocket.MessageText {
				b = toServer(b)
			}
			if up.Write(ctx, typ, b) != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/"
}

// referenceServer starts a reference server with the given secrets and
// returns it and the environment that hands them to conform.
func referenceServer(t *testing.T, opts refserver.Options) (*refserver.Running, []string) {
	t.Helper()
	srv, err := refserver.Start("127.0.0.1:0", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	sec := srv.Server.Secrets()
	return srv, []string{
		"CONFORM_ADMIN_PASSWORD=" + sec.AdminPassword, "CONFORM_ADMIN_PIN=" + sec.AdminPIN,
		"CONFORM_USER_PASSWORD=" + sec.UserPassword, "CONFORM_USER_PIN=" + sec.UserPIN,
	}
}

// field sets a top-level field of a JSON object message.
func withField(msg []byte, key string, value any) []byte {
	var m map[string]any
	if json.Unmarshal(msg, &m) != nil {
		return msg
	}
	m[key] = value
	b, _ := json.Marshal(m)
	return b
}

// noLeak fails when any of the needles appears, in any letter case, on the
// console or in a report file.
func noLeak(t *testing.T, r result, needles ...string) {
	t.Helper()
	files := map[string][]byte{"stdout": []byte(r.stdout), "stderr": []byte(r.stderr)}
	if r.dir != "" {
		filepath.WalkDir(r.dir, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				files[path], _ = os.ReadFile(path)
			}
			return nil
		})
	}
	for where, b := range files {
		low := bytes.ToLower(b)
		for _, n := range needles {
			if i := bytes.Index(low, bytes.ToLower([]byte(n))); i >= 0 {
				t.Errorf("%q appears in %s: ...%s...", n, where, b[max(0, i-60):min(len(b), i+len(n)+40)])
			}
		}
	}
}

// TestCredentialEchoesNeverLeak: a target that sends back the credentials
// it received, in the encodings real servers use (Python's \uXXXX for
// non-ASCII, PHP's \/, upper-case hex escapes, a URL query value), gets
// them redacted everywhere.
func TestCredentialEchoesNeverLeak(t *testing.T) {
	t.Parallel()
	const password = "Пароль-Canary/7Qx/secret<&>"
	encodings := map[string]func(string) string{
		"python": func(s string) string { // json.dumps, ensure_ascii
			var b strings.Builder
			for _, r := range s {
				if r < 0x80 {
					b.WriteRune(r)
				} else {
					fmt.Fprintf(&b, `\u%04x`, r)
				}
			}
			return b.String()
		},
		"php": func(s string) string { return strings.ReplaceAll(s, "/", `\/`) },
		"upper-hex": func(s string) string {
			return strings.NewReplacer("<", `\u003C`, "&", `\u0026`, ">", `\u003E`).Replace(s)
		},
		"query": func(s string) string { return "https://example.invalid/?password=" + url.QueryEscape(s) },
	}
	for name, enc := range encodings {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, env := referenceServer(t, refserver.Options{Secrets: refserver.Secrets{AdminPassword: password}})
			var last atomic.Value
			last.Store("")
			target := relay(t, srv.URL,
				func(msg []byte) [][]byte {
					// Splice the echo into the JSON text raw, escaped as that server would.
					cred, _ := last.Load().(string)
					if cred == "" || !bytes.HasSuffix(msg, []byte("}")) {
						return [][]byte{msg}
					}
					return [][]byte{append(msg[:len(msg)-1], []byte(`,"echo":"`+enc(cred)+`"}`)...)}
				},
				func(msg []byte) []byte {
					var m map[string]any
					if json.Unmarshal(msg, &m) == nil {
						if c, ok := m["credentials"].(string); ok {
							last.Store(c)
						}
					}
					return msg
				})
			dir := t.TempDir()
			r := conform(t, env, "run", "--target", target, "--report-dir", dir, "-vv", "--response-timeout", "2s")
			r.dir = dir
			if r.code == 2 || r.code == 3 {
				t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout, "[REDACTED:") {
				t.Error("no redaction shown at all: the echo did not reach the transcripts")
			}
			noLeak(t, r, "canary", "ароль", "\\u0430\\u0440", "7qx")
		})
	}
}

// TestTokenNamedFAILCannotRewriteVerdicts: a target whose every token is
// the word FAIL (or another word of the reports' structure) gets its free
// text redacted, and its verdicts, counts and IDs left as they are: the
// JUnit file agrees with results.json.
func TestTokenNamedFAILCannotRewriteVerdicts(t *testing.T) {
	t.Parallel()
	for _, word := range shortFirst(t, []string{"FAIL", "auth", "PASS"}) {
		t.Run(word, func(t *testing.T) {
			t.Parallel()
			srv, env := referenceServer(t, refserver.Options{})
			// Tokens stay distinct: the word, then the word and a counter.
			target := tokensNamed(t, srv, word)
			dir := t.TempDir()
			r := conform(t, env, "run", "--target", target, "--report-dir", dir, "--response-timeout", "2s")
			var res reports.Run
			readJSON(t, filepath.Join(dir, "results.json"), &res)
			suites := readJUnit(t, filepath.Join(dir, "junit.xml"))
			ts := suites.TestSuites[0]
			if ts.Failures != res.Summary.Fail || ts.Errors != res.Summary.Error || ts.Tests != res.Summary.Total {
				t.Errorf("junit counts (failures %d, errors %d, tests %d) disagree with results.json %+v", ts.Failures, ts.Errors, ts.Tests, res.Summary)
			}
			verdicts := map[caselang.Verdict]bool{caselang.Pass: true, caselang.Fail: true, caselang.Warn: true, caselang.Skip: true, caselang.Error: true}
			for _, c := range res.Cases {
				if !verdicts[c.Verdict] || c.ID == "" || strings.Contains(c.ID, "REDACTED") {
					t.Errorf("case structure rewritten: %q %q", c.ID, c.Verdict)
				}
			}
			if r.code != res.Summary.ExitCode {
				t.Errorf("exit %d, results.json says %d", r.code, res.Summary.ExitCode)
			}
		})
	}
}

// TestTokenFloodEndsAsInfrastructureError: a target issuing a thousand
// tokens with every answer is cut off once the run holds more secrets than
// it can redact: exit 3, its text withheld, in bounded time, and none of
// its tokens anywhere.
func TestTokenFloodEndsAsInfrastructureError(t *testing.T) {
	srv, env := referenceServer(t, refserver.Options{})
	var n atomic.Int64
	target := relay(t, srv.URL, func(msg []byte) [][]byte {
		flood := map[string]any{}
		for i := 0; i < 1000; i++ {
			flood[fmt.Sprintf("t%d", i)] = map[string]string{"token": fmt.Sprintf("FloodTok-%08d", n.Add(1))}
		}
		return [][]byte{withField(msg, "extra", flood)}
	}, nil)
	dir := t.TempDir()
	r := conform(t, env, "run", "--target", target, "--report-dir", dir, "--response-timeout", "2s", "--timeout", "60s")
	r.dir = dir
	if r.code != 3 {
		t.Errorf("exit %d, want 3 (infrastructure error)\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "withheld") {
		t.Errorf("stderr does not say the text is withheld:\n%s", r.stderr)
	}
	if r.elapsed > 40*time.Second {
		t.Errorf("took %v", r.elapsed)
	}
	noLeak(t, r, "FloodTok-")
	if !strings.Contains(r.stdout+readFile(t, filepath.Join(dir, "results.json")), redact.Withheld) {
		t.Error("the reports do not show the withheld marker")
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestEscapeSequencesNeverReachTheConsole: a target sending terminal
// control sequences (a window title, clear screen, a carriage return that
// overwrites the line, a bidirectional override, a C1 CSI) in frames that
// are not JSON, in close reasons and in fields has them shown escaped.
func TestEscapeSequencesNeverReachTheConsole(t *testing.T) {
	t.Parallel()
	const evil = "\x1b]0;pwned\x07\x1b[2J\roverwritten\u202etxet\u009b31m"
	srv, env := referenceServer(t, refserver.Options{})
	var n atomic.Int64
	target := relay(t, srv.URL, func(msg []byte) [][]byte {
		i := n.Add(1)
		if i < 8 {
			return [][]byte{msg} // let the preflight through
		}
		switch i % 3 {
		case 0:
			return [][]byte{[]byte(evil), msg} // a frame that is not JSON at all
		case 1:
			return [][]byte{withField(msg, "error", evil)}
		}
		return [][]byte{append(bytes.TrimSuffix(msg, []byte("}")), []byte(`,"note":"`+evil+`"}`)...)} // raw controls inside a string: invalid JSON
	}, nil)
	dir := t.TempDir()
	args := []string{"run", "--target", target, "--report-dir", dir, "-vv", "--response-timeout", "2s"}
	if testing.Short() {
		// The race stage: the live default's hand-written cases (every
		// message of theirs carries the escapes as well).
		args = append(args, "--label-filter", "("+cases.LiveDefaultFilter+") && !generated")
		t.Log("-short: the hand-written cases of the live default only")
	}
	r := conform(t, env, args...)
	for _, bad := range []string{"\x1b", "\x07", "\r", "\u202e", "\u009b"} {
		if strings.Contains(r.stdout, bad) || strings.Contains(r.stderr, bad) {
			t.Errorf("%q reached the console raw", bad)
		}
	}
	if !strings.Contains(r.stdout+r.stderr, `\x1b`) {
		t.Errorf("the escapes are not shown at all: the test no longer sends them through (exit %d)\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// redirector answers every WebSocket handshake with a redirect to location
// and counts the handshakes it got.
func redirector(t *testing.T, tls bool, location func(self string) string) (string, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	var self string
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, location(self), http.StatusFound)
	}))
	// self is known from the listener before the server starts serving, so
	// the handler's goroutines only ever read it.
	if tls {
		self = "wss://" + srv.Listener.Addr().String() + "/"
		srv.StartTLS()
	} else {
		self = "ws://" + srv.Listener.Addr().String() + "/"
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return self, &hits
}

// TestRedirectsAreNeverFollowed: a target that answers the handshake with a
// redirect (to another port, from wss to plain ws, to itself) never gets a
// second request from the suite, and the run ends as an infrastructure
// error naming where it pointed.
func TestRedirectsAreNeverFollowed(t *testing.T) {
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	t.Cleanup(other.Close)
	otherWS := "ws" + strings.TrimPrefix(other.URL, "http") + "/"
	for _, tt := range []struct {
		name     string
		tls      bool
		location func(self string) string
	}{
		{"to another port", false, func(string) string { return otherWS }},
		{"from wss to plain ws", true, func(string) string { return otherWS }},
		{"to itself (a loop)", false, func(self string) string { return self }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			target, hits := redirector(t, tt.tls, tt.location)
			dir := t.TempDir()
			args := []string{"run", "--target", target, "--report-dir", dir, "--response-timeout", "2s"}
			if tt.tls {
				args = append(args, "--insecure-skip-verify")
			}
			r := conform(t, []string{"CONFORM_ADMIN_PASSWORD=canary-redirect-pw"}, args...)
			r.dir = dir
			checkHostile(t, r, dir, 3, "redirect")
			if hits.Load() != 1 {
				t.Errorf("the target got %d handshakes, want 1", hits.Load())
			}
			if !strings.Contains(r.stderr, "127.0.0.1") {
				t.Errorf("the error does not name the Location: %s", r.stderr)
			}
			noLeak(t, r, "canary-redirect-pw")
		})
	}
	if elsewhere.Load() != 0 {
		t.Errorf("the redirect target got %d requests", elsewhere.Load())
	}
}

// TestNonsenseResultCodeIsTheTargetsFault: a target answering resultCode -1
// is not a configuration error of the operator's (exit 2) but the target's
// (exit 3).
func TestNonsenseResultCodeIsTheTargetsFault(t *testing.T) {
	srv, env := referenceServer(t, refserver.Options{})
	target := relay(t, srv.URL, func(msg []byte) [][]byte {
		return [][]byte{withField(msg, "resultCode", -1)}
	}, nil)
	dir := t.TempDir()
	r := conform(t, env, "run", "--target", target, "--report-dir", dir, "--response-timeout", "2s")
	checkHostile(t, r, dir, 3, "resultcode -1")
}

// TestSignalDuringPreflight: SIGINT while the preflight waits for a
// handshake ends the run at once with a line on stderr, reports and exit 1.
func TestSignalDuringPreflight(t *testing.T) {
	target := stalledHandshake(t)
	dir := t.TempDir()
	cmd, done := startConform(t, nil, "", "run", "--target", target, "--response-timeout", "30s", "--report-dir", dir)
	time.Sleep(300 * time.Millisecond) // inside the stalled handshake
	r := interrupt(t, cmd, done)
	if r.code != 1 {
		t.Errorf("exit %d after SIGINT, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r.elapsed > 6*time.Second {
		t.Errorf("took %v", r.elapsed)
	}
	if !strings.Contains(r.stderr, "interrupted") {
		t.Errorf("stderr does not say so: %q", r.stderr)
	}
	wantInterrupted(t, dir)
}

// TestTimeoutCoversThePreflight: --timeout bounds a preflight stuck in a
// handshake (30 s response timeout) and ends it like any run timeout:
// exit 1, reports written.
func TestTimeoutCoversThePreflight(t *testing.T) {
	target := stalledHandshake(t)
	dir := t.TempDir()
	r := conform(t, nil, "run", "--target", target, "--response-timeout", "30s", "--timeout", "2s", "--report-dir", dir)
	if r.code != 1 {
		t.Errorf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	if r.elapsed > 6*time.Second {
		t.Errorf("a 2 s --timeout took %v", r.elapsed)
	}
	if _, err := os.Stat(filepath.Join(dir, "results.json")); err != nil {
		t.Errorf("no report: %v", err)
	}
}

// TestGoTestRouteKeepsLiveSafety: `go test ./suite` against a live target
// applies the binary's safety policy. A label filter that selects the
// lockout case by its other label ("password") must not run it, and
// neither may a Ginkgo focus on its name alone.
func TestGoTestRouteKeepsLiveSafety(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the suite's test binary")
	}
	bin := filepath.Join(t.TempDir(), "suite.test")
	build := exec.Command("go", "test", "-c", "-o", bin, "github.com/roomconform/conform/suite")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go test -c ./suite: %v\n%s", err, out)
	}
	srv, env := referenceServer(t, refserver.Options{})
	for _, args := range [][]string{
		{"-ginkgo.label-filter=password"},
		{"-ginkgo.focus=rc-6-lockout"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			report := filepath.Join(t.TempDir(), "report.json")
			cmd := exec.Command(bin, append(args, "-ginkgo.json-report="+report)...)
			cmd.Env = append(append(cleanEnv(), env...), "CONFORM_TARGET="+srv.URL)
			cmd.Dir = t.TempDir()
			start := time.Now()
			out, _ := cmd.CombinedOutput()
			if time.Since(start) > 30*time.Second {
				t.Errorf("took %v: a lockout ran?", time.Since(start))
			}
			var reps []types.Report
			if err := json.Unmarshal([]byte(readFile(t, report)), &reps); err != nil || len(reps) != 1 {
				t.Fatalf("no Ginkgo report: %v\n%s", err, out)
			}
			for _, s := range reps[0].SpecReports {
				if strings.HasPrefix(s.LeafNodeText, "rc-6-") && s.State != types.SpecStateSkipped {
					t.Errorf("the lockout case ran (%s): %s", s.State, s.Failure.Message)
				}
			}
			// The administrator can still log in: nothing locked them out.
			if _, probe := referenceLogin(t, srv); probe != 0 {
				t.Errorf("the admin password now gets %d", probe)
			}
		})
	}
}

// referenceLogin logs in as admin with the server's password and returns
// the answer's resultCode.
func referenceLogin(t *testing.T, srv *refserver.Running) (map[string]any, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	req, _ := json.Marshal(map[string]any{"method": "auth", "requestId": "x", "type": "secured", "role": "admin", "credentials": srv.Server.Secrets().AdminPassword})
	if err := c.Write(ctx, websocket.MessageText, req); err != nil {
		t.Fatal(err)
	}
	_, b, err := c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	code, _ := m["resultCode"].(float64)
	return m, int(code)
}
