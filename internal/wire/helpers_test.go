package wire

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// serve starts a WebSocket server running handler for each connection and returns its ws:// URL.
// The handler's ctx ends when the test does, which also ends any blocked Read or Write.
func serve(t *testing.T, handler func(ctx context.Context, c *websocket.Conn)) string {
	t.Helper()
	srv := httptest.NewServer(wsHandler(t, handler))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/"
}

func wsHandler(t *testing.T, handler func(ctx context.Context, c *websocket.Conn)) http.Handler {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		c.SetReadLimit(-1)
		handler(ctx, c)
	})
}

// request is what a scripted server received.
type request struct {
	raw    []byte
	binary bool
	fields map[string]any
	id     any
	hasID  bool
}

func (r request) idJSON() string { return idText(r.id) }

// scripted serves each received frame with the frames respond returns (text frames; "bin:" prefix
// sends the rest as a binary frame). onConnect frames are sent right after the handshake.
func scripted(t *testing.T, onConnect []string, respond func(req request) []string) string {
	return serve(t, func(ctx context.Context, c *websocket.Conn) {
		for _, f := range onConnect {
			if writeFrame(ctx, c, f) != nil {
				return
			}
		}
		for {
			typ, b, err := c.Read(ctx)
			if err != nil {
				return
			}
			req := request{raw: b, binary: typ == websocket.MessageBinary}
			req.fields, _ = decodeObject(b)
			req.id, req.hasID = req.fields["requestId"]
			for _, f := range respond(req) {
				if writeFrame(ctx, c, f) != nil {
					return
				}
			}
		}
	})
}

func writeFrame(ctx context.Context, c *websocket.Conn, f string) error {
	if rest, ok := strings.CutPrefix(f, "bin:"); ok {
		return c.Write(ctx, websocket.MessageBinary, []byte(rest))
	}
	return c.Write(ctx, websocket.MessageText, []byte(f))
}

// answer is the normal auth response echoing the request's requestId.
func answer(req request) string {
	if !req.hasID {
		return `{"method":"auth","result":true,"resultCode":0}`
	}
	return fmt.Sprintf(`{"method":"auth","requestId":%s,"result":true,"resultCode":0}`, req.idJSON())
}

func echo(req request) []string { return []string{answer(req)} }

func authReq(id string) []byte {
	return []byte(fmt.Sprintf(`{"method":"auth","requestId":%q,"type":"unsecured","role":"admin"}`, id))
}

func dial(t *testing.T, url string, opts Options) *Client {
	t.Helper()
	c, err := Dial(context.Background(), url, opts)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("Close in cleanup: %v", err)
		}
	})
	return c
}

func call(t *testing.T, c *Client, payload []byte) Response {
	t.Helper()
	resp, err := c.Call(context.Background(), payload)
	if err != nil {
		t.Fatalf("Call(%s): %v\n%s", payload, err, c.Transcript())
	}
	return resp
}

func wantID(t *testing.T, resp Response, id string) {
	t.Helper()
	got, ok := resp.RequestID()
	if !ok || got != id || !resp.Matched {
		t.Fatalf("response requestId = %v (present %v), Matched %v; want %q matched; raw %s", got, ok, resp.Matched, id, resp.Raw)
	}
}

// eventually polls cond for conditions that depend on the read pump having caught up. The bound is
// generous because only a failing test reaches it.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 10s: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func within(t *testing.T, limit time.Duration, what string, f func()) {
	t.Helper()
	start := time.Now()
	f()
	if d := time.Since(start); d > limit {
		t.Fatalf("%s took %v, want within %v", what, d, limit)
	}
}

func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
