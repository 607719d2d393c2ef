package refserver

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// waitLimit bounds every wait for something that normally happens within a
// millisecond. It only matters when a test fails, so it is generous.
const waitLimit = 5 * time.Second

// Secrets used by the tests: distinct, with letters in both PINs so that the
// case-insensitivity cases apply.
var testSecrets = Secrets{
	AdminPassword: "Adm1n-Secret",
	AdminPIN:      "Q7W8",
	UserPassword:  "User-Secret-9",
	UserPIN:       "ab12cd",
}

// fakeClock is an injectable clock: tests move time instead of sleeping.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// mustProfile returns a built-in profile or fails the test.
func mustProfile(t testing.TB, name string) Profile {
	t.Helper()
	p, err := LookupProfile(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// start runs a server on loopback for the duration of the test.
func start(t testing.TB, opts Options) *Running {
	t.Helper()
	r, err := Start("127.0.0.1:0", opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("Running.Close: %v", err)
		}
	})
	return r
}

// startProfile runs a server in a built-in profile with the test secrets and
// a fake clock.
func startProfile(t testing.TB, name string, clock *fakeClock) *Running {
	t.Helper()
	return start(t, Options{Profile: mustProfile(t, name), Secrets: testSecrets, Now: clock.Now})
}

// client is a test WebSocket client with one read pump, so that waiting for a
// message never closes the connection (a ctx deadline on Read would).
type client struct {
	t      testing.TB
	ws     *websocket.Conn
	msgs   chan message
	done   chan struct{} // closed when the pump ends; err is then set
	err    error
	stop   chan struct{} // closed by close, so that a blocked pump gives up
	once   sync.Once
	events []reply // notifications skipped by call
}

type message struct {
	typ  websocket.MessageType
	data []byte
}

// dial connects to the server and starts the read pump. The connection is
// closed when the test ends.
func dial(t testing.TB, url string) *client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	ws.SetReadLimit(-1)
	c := &client{t: t, ws: ws, msgs: make(chan message, 64), done: make(chan struct{}), stop: make(chan struct{})}
	go func() {
		defer close(c.done)
		for {
			typ, b, err := ws.Read(context.Background())
			if err != nil {
				c.err = err
				return
			}
			select {
			case c.msgs <- message{typ, b}:
			case <-c.stop:
				return
			}
		}
	}()
	t.Cleanup(c.close)
	return c
}

// close ends the connection and waits for the pump.
func (c *client) close() {
	c.once.Do(func() { close(c.stop) })
	_ = c.ws.CloseNow()
	<-c.done
}

// send writes one text message.
func (c *client) send(s string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, []byte(s)); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// next returns the next message, whatever it is.
func (c *client) next() []byte {
	c.t.Helper()
	select {
	case m := <-c.msgs:
		if m.typ != websocket.MessageText {
			c.t.Fatalf("got a %v message, want text", m.typ)
		}
		return m.data
	case <-c.done:
		c.t.Fatalf("connection ended while waiting for a message: %v", c.err)
	case <-time.After(waitLimit):
		c.t.Fatal("no message within the wait limit")
	}
	return nil
}

// call sends a request and returns the next message that is not a
// notification (notifications are kept in c.events).
func (c *client) call(req string) reply {
	c.t.Helper()
	c.send(req)
	for {
		b := c.next()
		r := parse(c.t, b)
		if r.str("method") == "event" {
			c.events = append(c.events, r)
			continue
		}
		return r
	}
}

// callf formats a request.
func (c *client) callf(format string, args ...any) reply {
	c.t.Helper()
	return c.call(fmt.Sprintf(format, args...))
}

// event waits for the next notification.
func (c *client) event() reply {
	c.t.Helper()
	if len(c.events) > 0 {
		e := c.events[0]
		c.events = c.events[1:]
		return e
	}
	r := parse(c.t, c.next())
	if r.str("method") != "event" {
		c.t.Fatalf("got %s, want a notification", r.raw)
	}
	return r
}

// closeStatus waits for the server to end the connection and returns the
// close code it sent (-1 when there was no close frame).
func (c *client) closeStatus() websocket.StatusCode {
	c.t.Helper()
	deadline := time.After(waitLimit)
	for {
		select {
		case <-c.msgs: // drain replies sent before the close
		case <-c.done:
			return websocket.CloseStatus(c.err)
		case <-deadline:
			c.t.Fatal("the server did not end the connection")
			return -1
		}
	}
}

// reply is a decoded message with its fields kept raw, so that JSON types can
// be checked (a number must stay a number).
type reply struct {
	raw    []byte
	fields map[string]json.RawMessage
}

func parse(t testing.TB, b []byte) reply {
	t.Helper()
	r := reply{raw: b}
	if err := json.Unmarshal(b, &r.fields); err != nil {
		t.Fatalf("reply %s is not a JSON object: %v", b, err)
	}
	return r
}

func (r reply) has(key string) bool { _, ok := r.fields[key]; return ok }

func (r reply) str(key string) string {
	var s string
	_ = json.Unmarshal(r.fields[key], &s)
	return s
}

func (r reply) int(key string) int {
	var n int
	_ = json.Unmarshal(r.fields[key], &n)
	return n
}

func (r reply) ok() bool { return string(r.fields["result"]) == "true" }

// outcome is "0/2" for success with previleges 2, or the failure code.
func (r reply) outcome() string {
	if r.int("resultCode") == 0 {
		return fmt.Sprintf("0/%d", r.int("previleges"))
	}
	return fmt.Sprint(r.int("resultCode"))
}

// checkAuthShape checks the envelope of an auth reply: the fields a success
// and a failure carry, and their JSON types.
func checkAuthShape(t testing.TB, r reply) {
	t.Helper()
	if r.str("method") != "auth" {
		t.Errorf("method: %s", r.raw)
	}
	rc := r.int("resultCode")
	if string(r.fields["resultCode"]) != fmt.Sprint(rc) {
		t.Errorf("resultCode is not an integer: %s", r.raw)
	}
	if r.ok() != (rc == 0) || (string(r.fields["result"]) != "true" && string(r.fields["result"]) != "false") {
		t.Errorf("result and resultCode disagree: %s", r.raw)
	}
	if rc == 0 {
		for _, k := range []string{"token", "tokenForHttpServer", "overlayHttpToken"} {
			if r.str(k) == "" {
				t.Errorf("success without %s: %s", k, r.raw)
			}
		}
		if p := r.int("previleges"); p != 1 && p != 2 {
			t.Errorf("previleges %d: %s", p, r.raw)
		}
		if r.has("error") || r.has("privileges") {
			t.Errorf("success has error or privileges: %s", r.raw)
		}
		return
	}
	want := []string{"error", "method", "requestId", "result", "resultCode"}
	if got := slices.Sorted(maps.Keys(r.fields)); !slices.Equal(got, want) {
		t.Errorf("failure fields %v, want %v: %s", got, want, r.raw)
	}
	if r.str("error") == "" {
		t.Errorf("failure without error text: %s", r.raw)
	}
}

// waitFor polls a condition that the server reaches asynchronously (a closed
// connection is unregistered by its handler goroutine). It never sleeps for a
// fixed time: it only bounds the wait.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// connCount returns how many connections the server has registered.
func connCount(s *Server) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// newestConnMode returns the mode of the most recently opened connection.
func newestConnMode(s *Server) Mode {
	s.mu.Lock()
	defer s.mu.Unlock()
	var newest *conn
	for c := range s.conns {
		if newest == nil || c.id > newest.id {
			newest = c
		}
	}
	if newest == nil {
		return ModeNone
	}
	return newest.mode
}

// authorize brings a connection into a mode the way the profile allows:
// unsecured where the mode is unprotected, else its password or PIN.
func authorize(t testing.TB, c *client, srv *Server, m Mode) reply {
	t.Helper()
	p, sec := srv.Profile(), srv.Secrets()
	var req string
	switch {
	case p.security(m) == Unsecured:
		req = fmt.Sprintf(`{"method":"auth","requestId":"pre","type":"unsecured","role":%q}`, m)
	case m == ModeAdmin && p.Admin == PIN:
		req = fmt.Sprintf(`{"method":"auth","requestId":"pre","type":"secured","role":"admin","credentials":%q}`, sec.AdminPIN)
	case m == ModeAdmin:
		req = fmt.Sprintf(`{"method":"auth","requestId":"pre","type":"secured","role":"admin","credentials":%q}`, sec.AdminPassword)
	case p.User == PIN:
		req = fmt.Sprintf(`{"method":"auth","requestId":"pre","type":"secured","role":"user","credentials":%q}`, sec.UserPIN)
	default:
		req = fmt.Sprintf(`{"method":"auth","requestId":"pre","type":"secured","role":"user","credentials":%q}`, sec.UserPassword)
	}
	r := c.call(req)
	if r.int("resultCode") != 0 || r.int("previleges") != int(m) {
		t.Fatalf("authorize as %v: %s", m, r.raw)
	}
	return r
}

// exchange sends req on a new connection, first authorized into pre (none:
// ModeNone), and returns the connection, its mode before and after, and
// the answer.
func exchange(t testing.TB, r *Running, pre Mode, req string) (c *client, before Mode, got reply, after Mode) {
	t.Helper()
	c = dial(t, r.URL)
	// A round trip guarantees the server has registered the connection, so
	// that it is the newest one.
	c.call(`{"method":"setUsedApiVersion","version":"1"}`)
	if pre != ModeNone {
		authorize(t, c, r.Server, pre)
	}
	before = newestConnMode(r.Server)
	got = c.call(req)
	after = newestConnMode(r.Server)
	return c, before, got, after
}
