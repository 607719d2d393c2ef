package refserver

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coder/websocket"
)

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
