package refserver

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

const eventDisplaced = `{"method":"event","event":"authorizationNeeded","cause":1}`

// holder returns the connection holding a mode, or nil.
func holder(s *Server, m Mode) *conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.holder[m]
}

// TestOneConnectionPerMode (SEC-3): a newcomer in a mode displaces the holder,
// which gets authorizationNeeded cause 1, drops to no mode and loses its HTTP
// token; its API token still re-authorizes.
func TestOneConnectionPerMode(t *testing.T) {
	t.Run("admin", func(t *testing.T) {
		r := startProfile(t, DefaultProfile, newFakeClock())
		a, b := dial(t, r.URL), dial(t, r.URL)
		first := authorize(t, a, r.Server, ModeAdmin)
		authorize(t, b, r.Server, ModeAdmin)
		if e := a.event(); string(e.raw) != eventDisplaced {
			t.Errorf("displaced connection got %s, want %s", e.raw, eventDisplaced)
		}
		if got := a.call(`{"method":"getAuthInfo","requestId":"1"}`); got.ok() {
			t.Errorf("displaced connection still authorized: %s", got.raw)
		}
		if got := b.call(`{"method":"getAuthInfo","requestId":"1"}`); !got.ok() || got.str("method") != "getAuthInfo" {
			t.Errorf("newcomer not authorized: %s", got.raw)
		}
		if info := tokenInfo(t, r.Server, first.str("tokenForHttpServer")); !info.Revoked || info.Live {
			t.Errorf("displaced connection's HTTP token still live: %+v", info)
		}
		if !tokenInfo(t, r.Server, first.str("token")).Live {
			t.Error("displaced connection's API token was revoked")
		}
		// The API token takes the mode back.
		expectRC(t, a, "0/2", reqPassword, first.str("token"))
		if e := b.event(); string(e.raw) != eventDisplaced {
			t.Errorf("got %s, want %s", e.raw, eventDisplaced)
		}
	})
	t.Run("user", func(t *testing.T) {
		r := startProfile(t, DefaultProfile, newFakeClock())
		a, b := dial(t, r.URL), dial(t, r.URL)
		authorize(t, a, r.Server, ModeUser)
		authorize(t, b, r.Server, ModeUser)
		if e := a.event(); string(e.raw) != eventDisplaced {
			t.Errorf("got %s, want %s", e.raw, eventDisplaced)
		}
	})
	t.Run("status change into a held user mode", func(t *testing.T) {
		r := startProfile(t, DefaultProfile, newFakeClock())
		a, u := dial(t, r.URL), dial(t, r.URL)
		authorize(t, a, r.Server, ModeAdmin)
		authorize(t, u, r.Server, ModeUser)
		expectRC(t, a, "0/1", `{"method":"auth","requestId":"1","role":"user"}`)
		if e := u.event(); string(e.raw) != eventDisplaced {
			t.Errorf("got %s, want %s", e.raw, eventDisplaced)
		}
		if holder(r.Server, ModeAdmin) != nil {
			t.Error("the status change did not free administrator mode")
		}
	})
	t.Run("failed auth displaces nobody", func(t *testing.T) {
		r := startProfile(t, DefaultProfile, newFakeClock())
		a, b := dial(t, r.URL), dial(t, r.URL)
		authorize(t, a, r.Server, ModeAdmin)
		held := holder(r.Server, ModeAdmin)
		expectRC(t, b, "8", reqPasswordRole, "admin", "wrong")
		expectRC(t, b, "5", reqPasswordRole, "admin", testSecrets.UserPIN)
		if holder(r.Server, ModeAdmin) != held {
			t.Error("a failed auth moved administrator mode")
		}
		if got := a.call(`{"method":"getAuthInfo","requestId":"1"}`); !got.ok() {
			t.Errorf("holder lost its mode: %s", got.raw)
		}
	})
	t.Run("closing frees the mode", func(t *testing.T) {
		r := startProfile(t, DefaultProfile, newFakeClock())
		a := dial(t, r.URL)
		authorize(t, a, r.Server, ModeAdmin)
		a.close()
		waitFor(t, "administrator mode to be freed", func() bool { return holder(r.Server, ModeAdmin) == nil })
		authorize(t, dial(t, r.URL), r.Server, ModeAdmin)
	})
}

// TestGetAuthInfo (SEC-2): the user PIN only for an administrator asking about a
// PIN-protected user mode.
func TestGetAuthInfo(t *testing.T) {
	cases := []struct {
		profile   string
		mode      Mode
		adminAuth string
		userAuth  string
	}{
		{DefaultProfile, ModeAdmin, `{"security":"password"}`, `{"security":"pin","pin":"ab12cd"}`},
		{DefaultProfile, ModeUser, `{"security":"password"}`, `{"security":"pin"}`},
		{"admin-password-user-password", ModeAdmin, `{"security":"password"}`, `{"security":"password"}`},
		{"admin-password", ModeAdmin, `{"security":"password"}`, `{"security":"unsecured"}`},
		{"unsecured", ModeAdmin, `{"security":"unsecured"}`, `{"security":"unsecured"}`},
		{"free", ModeUser, `{"security":"unsecured"}`, `{"security":"unsecured"}`},
	}
	for _, tc := range cases {
		t.Run(tc.profile+"/"+tc.mode.String(), func(t *testing.T) {
			r := startProfile(t, tc.profile, newFakeClock())
			c := dial(t, r.URL)
			authorize(t, c, r.Server, tc.mode)
			got := c.call(`{"method":"getAuthInfo","requestId":"7"}`)
			want := `{"method":"getAuthInfo","requestId":"7","adminAuth":` + tc.adminAuth + `,"userAuth":` + tc.userAuth + `,"result":true}`
			if string(got.raw) != want {
				t.Errorf("got  %s\nwant %s", got.raw, want)
			}
		})
	}
}

// TestOtherMethods: refusal before auth (SEC-1), setUsedApiVersion before auth,
// getAppState, unknown methods, a message without a method.
func TestOtherMethods(t *testing.T) {
	r := start(t, Options{Profile: mustProfile(t, DefaultProfile), Secrets: testSecrets, Now: newFakeClock().Now, EmbeddedHTTPPort: 9000})
	c := dial(t, r.URL)
	exchange := func(req, want string) {
		t.Helper()
		if got := c.call(req); string(got.raw) != want {
			t.Errorf("%s\n got  %s\n want %s", req, got.raw, want)
		}
	}
	exchange(`{"method":"setUsedApiVersion","version":"1"}`, `{"method":"setUsedApiVersion","requestId":"","result":true}`)
	for _, m := range []string{"getAuthInfo", "getAppState", "nosuchMethod", "setAuthParams"} {
		exchange(fmt.Sprintf(`{"method":%q,"requestId":"7"}`, m), fmt.Sprintf(`{"method":%q,"requestId":"7","result":false,"error":"Authorization required"}`, m))
	}
	exchange(`{"requestId":"5"}`, `{"method":"","requestId":"5","result":false,"error":"Missing or invalid method"}`)
	exchange(`{"method":5,"requestId":"5"}`, `{"method":"","requestId":"5","result":false,"error":"Missing or invalid method"}`)

	authorize(t, c, r.Server, ModeUser)
	exchange(`{"method":"getAppState","requestId":"8"}`, `{"method":"getAppState","requestId":"8","appState":3,"embeddedHttpPort":9000,"result":true}`)
	exchange(`{"method":"nosuchMethod","requestId":"9"}`, `{"method":"nosuchMethod","requestId":"9","result":false,"error":"Unknown method"}`)
	exchange(`{"method":"setUsedApiVersion","requestId":"1","version":"1"}`, `{"method":"setUsedApiVersion","requestId":"1","result":true}`)

	d := dial(t, r.URL)
	authorize(t, d, r.Server, ModeAdmin)
	if got := d.call(`{"method":"getAppState"}`); got.int("embeddedHttpPort") != 9000 {
		t.Errorf("getAppState: %s", got.raw)
	}
	// Without Start there is no HTTP listener: the device's default port.
	srv, err := New(Options{Profile: mustProfile(t, "unsecured"), Now: newFakeClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); hs.Close() })
	e := dial(t, "ws"+strings.TrimPrefix(hs.URL, "http")+"/")
	authorize(t, e, srv, ModeAdmin)
	if got := e.call(`{"method":"getAppState"}`); got.int("embeddedHttpPort") != 8766 {
		t.Errorf("default embeddedHttpPort: %s", got.raw)
	}
	// Under Start, the HTTP listener's port: TestStartListeners.
}

// TestBadInputReplies: malformed text gets an error reply and the connection
// stays open.
func TestBadInputReplies(t *testing.T) {
	r := startProfile(t, "unsecured", newFakeClock())
	c := dial(t, r.URL)
	const invalid = `{"method":"","requestId":"","result":false,"error":"Invalid JSON"}`
	const notObject = `{"method":"","requestId":"","result":false,"error":"A message must be a JSON object"}`
	for _, tc := range []struct{ in, want string }{
		{`{"method":`, invalid},
		{``, invalid},
		{`{"method":"auth"} {"method":"auth"}`, invalid},
		{"{\"method\":\"auth\",\"requestId\":\"\xff\"}", invalid},
		{`[1,2]`, notObject},
		{`"auth"`, notObject},
		{` 42 `, notObject},
		{`null`, notObject},
	} {
		if got := c.call(tc.in); string(got.raw) != tc.want {
			t.Errorf("%q\n got  %s\n want %s", tc.in, got.raw, tc.want)
		}
	}
	expectRC(t, c, "0/1", `{"method":"auth","requestId":"1","type":"unsecured","role":"user"}`+"\n")
}

// padded returns a valid auth request (unsecured, role user) of exactly n bytes.
func padded(n int) string {
	head := `{"method":"auth","requestId":"1","type":"unsecured","role":"user","pad":"`
	return head + strings.Repeat("x", n-len(head)-2) + `"}`
}

// TestBadInputCloses: a binary frame ends the connection with 1003, a message
// over the limit with 1009; other connections and new ones are unaffected
// (ROB-1). A message exactly at the limit is fine.
func TestBadInputCloses(t *testing.T) {
	const limit = 1024
	r := start(t, Options{Profile: mustProfile(t, "unsecured"), Now: newFakeClock().Now, MaxFrameBytes: limit})
	bystander := dial(t, r.URL)
	authorize(t, bystander, r.Server, ModeAdmin)
	if got := dial(t, r.URL).call(padded(limit)); !got.ok() {
		t.Errorf("message at the limit: %s", got.raw)
	}

	bin := dial(t, r.URL)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := bin.ws.Write(ctx, websocket.MessageBinary, []byte(`{"method":"auth"}`)); err != nil {
		t.Fatal(err)
	}
	if code := bin.closeStatus(); code != websocket.StatusUnsupportedData {
		t.Errorf("binary frame: close %v, want 1003", code)
	}

	big := dial(t, r.URL)
	big.send(padded(limit + 1))
	if code := big.closeStatus(); code != websocket.StatusMessageTooBig {
		t.Errorf("message over the limit: close %v, want 1009", code)
	}

	if got := bystander.call(`{"method":"getAuthInfo","requestId":"1"}`); !got.ok() {
		t.Errorf("bystander affected: %s", got.raw)
	}
	authorize(t, dial(t, r.URL), r.Server, ModeUser)
}

// TestOneMebibyteFrame (ROB-1): the default limit admits a 1 MiB message.
func TestOneMebibyteFrame(t *testing.T) {
	r := startProfile(t, "unsecured", newFakeClock())
	c := dial(t, r.URL)
	expectRC(t, c, "0/1", "%s", padded(1<<20))
	c.send(padded(1<<20 + 1))
	if code := c.closeStatus(); code != websocket.StatusMessageTooBig {
		t.Errorf("1 MiB + 1: close %v, want 1009", code)
	}
}

// TestAbruptCloseMidMessage (ROB-1): a client that announces a frame, sends
// part of it and vanishes costs the server nothing.
func TestAbruptCloseMidMessage(t *testing.T) {
	r := startProfile(t, "unsecured", newFakeClock())
	nc, err := net.DialTimeout("tcp", r.Addr, waitLimit)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(nc, "GET / HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", r.Addr)
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake: %v %v", resp, err)
	}
	waitFor(t, "the raw connection to register", func() bool { return connCount(r.Server) == 1 })
	// FIN+text, masked, 16-bit length 1000, mask key, then only 10 bytes.
	frame := []byte{0x81, 0x80 | 126, 0x03, 0xE8, 1, 2, 3, 4}
	frame = append(frame, bytes.Repeat([]byte{'x' ^ 1}, 10)...)
	if _, err := nc.Write(frame); err != nil {
		t.Fatal(err)
	}
	nc.Close()
	waitFor(t, "the server to drop the connection", func() bool { return connCount(r.Server) == 0 })
	authorize(t, dial(t, r.URL), r.Server, ModeAdmin)
}

// TestPanicRecovery: a panic while handling a message closes that connection
// with 1011 and nothing else.
func TestPanicRecovery(t *testing.T) {
	srv, err := New(Options{Profile: mustProfile(t, "unsecured"), Now: newFakeClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	srv.testHookMessage = func(msg []byte) {
		if bytes.Contains(msg, []byte("boom")) {
			panic("test panic")
		}
	}
	hs := httptest.NewServer(srv) // started after the hook is set: no race
	t.Cleanup(func() { srv.Close(); hs.Close() })
	url := "ws" + strings.TrimPrefix(hs.URL, "http") + "/"

	bystander := dial(t, url)
	authorize(t, bystander, srv, ModeAdmin)
	victim := dial(t, url)
	victim.send(`{"method":"boom"}`)
	if code := victim.closeStatus(); code != websocket.StatusInternalError {
		t.Errorf("close %v, want 1011", code)
	}
	if got := bystander.call(`{"method":"getAuthInfo"}`); !got.ok() {
		t.Errorf("bystander affected: %s", got.raw)
	}
	authorize(t, dial(t, url), srv, ModeUser)
}

// serverGoroutines lists goroutines running server code (not test code).
func serverGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var found []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		for _, frame := range []string{"refserver.(*Server)", "refserver.(*Running)", "refserver.Start"} {
			if strings.Contains(g, frame) {
				found = append(found, g)
				break
			}
		}
	}
	return found
}

// TestStartClose: Start serves at the URL it reports; Close ends every
// connection with 1001, leaves no server goroutine, and is idempotent.
func TestStartClose(t *testing.T) {
	r, err := Start("127.0.0.1:0", Options{Profile: mustProfile(t, DefaultProfile), Secrets: testSecrets, Now: newFakeClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^ws://127\.0\.0\.1:\d+/$`).MatchString(r.URL) || r.URL != "ws://"+r.Addr+"/" {
		t.Errorf("URL %q, Addr %q", r.URL, r.Addr)
	}
	a, b := dial(t, r.URL), dial(t, r.URL)
	authorize(t, a, r.Server, ModeAdmin)
	b.call(`{"method":"auth","requestId":"1","type":"secured","credentials":"wrong"}`)
	c := dial(t, r.URL) // displaces a: a notification goroutine may still run
	authorize(t, c, r.Server, ModeAdmin)

	// The clients answer the close handshake; a long grace makes sure they
	// can, however slow the machine (TestCloseCutsUnresponsivePeers covers the
	// grace running out).
	r.Server.closeGrace = waitLimit
	if err := r.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	for _, cl := range []*client{a, b, c} {
		if code := cl.closeStatus(); code != websocket.StatusGoingAway {
			t.Errorf("close %v, want 1001", code)
		}
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if ws, _, err := websocket.Dial(ctx, r.URL, nil); err == nil {
		ws.CloseNow()
		t.Error("dial after Close succeeded")
	}
	// Handlers have returned when Close returns; the net/http goroutine around
	// a hijacked handler may take a moment more to unwind.
	waitFor(t, "server goroutines to end", func() bool { return len(serverGoroutines()) == 0 })
}

// TestCloseCutsUnresponsivePeers: a peer that never answers the close
// handshake is cut after the grace period, so Close stays bounded.
func TestCloseCutsUnresponsivePeers(t *testing.T) {
	srv, err := New(Options{Profile: mustProfile(t, "unsecured"), Now: newFakeClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	srv.closeGrace = 20 * time.Millisecond
	hs := httptest.NewServer(srv)
	defer hs.Close()
	url := "ws" + strings.TrimPrefix(hs.URL, "http") + "/"

	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	// Neither client ever reads, so neither answers a close handshake.
	idle, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.CloseNow()
	// This one makes its handler start a close handshake (1003) of its own,
	// which the library would wait 5 s for.
	bin, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer bin.CloseNow()
	if err := bin.Write(ctx, websocket.MessageBinary, []byte{1}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the connections to register", func() bool { return connCount(srv) == 2 })

	began := time.Now()
	done := make(chan struct{})
	go func() { srv.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(waitLimit):
		t.Fatal("Close did not return")
	}
	// The grace is 20 ms; without cutting the connections the library's own
	// handshake bound (5 s) would apply.
	if d := time.Since(began); d >= 4*time.Second {
		t.Errorf("Close took %v", d)
	}
	// A closed Server refuses new upgrades.
	resp, err := http.Get(hs.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("after Close: HTTP %d, want 503", resp.StatusCode)
	}
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestLogsHoldNoSecrets: a session through every path, logged at debug level,
// leaves no secret and no token in the log.
func TestLogsHoldNoSecrets(t *testing.T) {
	var sink syncBuffer
	log := slog.New(slog.NewTextHandler(&sink, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r := start(t, Options{Profile: mustProfile(t, DefaultProfile), Secrets: testSecrets, Now: newFakeClock().Now,
		Logger: log, LockoutThreshold: 2})
	var tokens []string
	keep := func(rep reply) {
		for _, k := range []string{"token", "tokenForHttpServer", "overlayHttpToken"} {
			if v := rep.str(k); v != "" {
				tokens = append(tokens, v)
			}
		}
	}
	a := dial(t, r.URL)
	keep(expectRC(t, a, "0/2", reqPassword, testSecrets.AdminPassword))
	keep(expectRC(t, a, "0/1", `{"method":"auth","requestId":"1","role":"user"}`))
	b := dial(t, r.URL)
	keep(expectRC(t, b, "0/2", reqPassword, testSecrets.AdminPIN))
	keep(expectRC(t, b, "0/1", reqPassword, testSecrets.UserPIN))
	keep(expectRC(t, b, "0/2", reqPassword, tokens[0]))
	b.call(`{"method":"getAuthInfo"}`)
	b.call(`{"method":`)
	expectRC(t, b, "8", reqPassword, "wrong-"+testSecrets.AdminPassword)
	expectRC(t, b, "8", reqPassword, "wrong-"+testSecrets.AdminPassword)
	expectRC(t, b, "6", reqPassword, testSecrets.UserPassword)
	r.Close()

	out := sink.String()
	if !strings.Contains(out, "auth granted") || !strings.Contains(out, "locked") {
		t.Errorf("log lacks the expected events:\n%s", out)
	}
	for _, s := range append(tokens, testSecrets.AdminPassword, testSecrets.AdminPIN, testSecrets.UserPIN, testSecrets.UserPassword) {
		if strings.Contains(out, s) {
			t.Errorf("log contains a secret or token (%.6s…)", s)
		}
	}
	for _, tok := range tokens {
		// Only the random parts matter: the kind prefix is public.
		if i := strings.IndexByte(tok, '*'); strings.Contains(out, tok[i+1:i+17]) {
			t.Error("log contains part of a token")
		}
	}
}

// TestServeHTTPRejectsPlainHTTP: a request that is not a WebSocket upgrade
// gets an HTTP error, not a crash.
func TestServeHTTPRejectsPlainHTTP(t *testing.T) {
	r := startProfile(t, "unsecured", newFakeClock())
	resp, err := http.Get("http://" + r.Addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode < 400 {
		t.Errorf("plain GET: HTTP %d, want an error status", resp.StatusCode)
	}
	authorize(t, dial(t, r.URL), r.Server, ModeAdmin)
}

// TestIdleConnectionStillGetsItsCloseCode: a write's deadline must not
// outlive the write, or the library's own frames (a pong, the close frame)
// find it expired once a connection has been idle longer than writeTimeout.
func TestIdleConnectionStillGetsItsCloseCode(t *testing.T) {
	old := writeTimeout
	writeTimeout = 20 * time.Millisecond
	t.Cleanup(func() { writeTimeout = old })
	r := start(t, Options{Profile: mustProfile(t, "unsecured")})
	c := dial(t, r.URL)
	if got := c.call(`{"method":"auth","requestId":"1","type":"unsecured","role":"user"}`); string(got.fields["result"]) != "true" {
		t.Fatalf("auth: %s", got.raw)
	}
	time.Sleep(5 * writeTimeout) // idle: the condition under test, not a wait for an event
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := c.ws.Ping(ctx); err != nil {
		t.Fatalf("ping after an idle spell: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	<-c.done
	if got := websocket.CloseStatus(c.err); got != websocket.StatusGoingAway {
		t.Fatalf("close status %d (%v), want %d", got, c.err, websocket.StatusGoingAway)
	}
}

// TestWaitGoneCountsAHandlerNotYetRunning: a client that has its 101 and
// drops the connection at once may ask WaitGone before the server's
// handler has registered the connection (the scheduler is late to run it);
// WaitGone must still wait for it, since the handler will read and handle
// what the client sent. Otherwise a dropped login can displace a later
// case's administrator (seen as a FAIL under load).
func TestWaitGoneCountsAHandlerNotYetRunning(t *testing.T) {
	srv, err := New(Options{Profile: mustProfile(t, "unsecured"), Now: newFakeClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	srv.testHookConnected = func() { <-release }
	hs := httptest.NewServer(srv) // started after the hook is set: no race
	t.Cleanup(func() { srv.Close(); hs.Close() })
	url := "ws" + strings.TrimPrefix(hs.URL, "http") + "/"

	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	var local string
	dialer := &net.Dialer{}
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dialer.DialContext(ctx, network, addr)
		if err == nil {
			local = c.LocalAddr().String()
		}
		return c, err
	}}}
	ws, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: client})
	if err != nil {
		t.Fatal(err)
	}
	ws.CloseNow()
	short, cancelShort := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancelShort()
	if err := srv.WaitGone(short, local); err == nil {
		t.Fatal("WaitGone returned while the connection's handler had not run yet")
	}
	close(release)
	if err := srv.WaitGone(ctx, local); err != nil {
		t.Fatalf("WaitGone after the handler ran: %v", err)
	}
}
