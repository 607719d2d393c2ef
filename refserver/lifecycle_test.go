package refserver

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

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

// Whether a lockout was in force when a connection opened is decided before
// its handshake is answered, never when the scheduler gets round to its
// handler: a client may lock the server out from other connections as soon
// as it has the 101 (seen in CI as a flake of the fault
// lockout-spares-earlier-connections). Here the first connection's handler
// is held until the lockout has begun; the connection still counts as
// opened before it.
func TestOpenedBeforeTheLockoutIsDecidedAtTheHandshake(t *testing.T) {
	srv, err := New(Options{Profile: mustProfile(t, DefaultProfile), Secrets: testSecrets, Now: newFakeClock().Now,
		LockoutThreshold: 2, Faults: []string{string(faultLockoutSparesEarlierConns)}})
	if err != nil {
		t.Fatal(err)
	}
	entered, release := make(chan struct{}), make(chan struct{})
	var n atomic.Int32
	srv.testHookConnected = func() {
		if n.Add(1) == 1 { // the first connection's: the only one then
			close(entered)
			<-release
		}
	}
	hs := httptest.NewServer(srv) // started after the hook is set: no race
	t.Cleanup(func() { srv.Close(); hs.Close() })
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	t.Cleanup(free) // runs before Close: a failed test must not leave the handler held
	url := "ws" + strings.TrimPrefix(hs.URL, "http") + "/"

	early := dial(t, url)
	select {
	case <-entered: // its handler holds before registering it
	case <-time.After(waitLimit):
		t.Fatal("the first connection's handler never ran")
	}
	wrong := dial(t, url).call(secured("admin", wrongSecret)).outcome() + " " + dial(t, url).call(secured("admin", wrongSecret)).outcome()
	free()
	if got := early.call(secured("admin", testSecrets.AdminPassword)).outcome(); wrong != "8 8" || got != "0/2" {
		t.Errorf("wrong credentials %q, then the connection opened before them: %q; want \"8 8\" and \"0/2\" (spared, as the fault says)", wrong, got)
	}
}
