package wire

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/roomconform/conform/internal/redact"
	"github.com/roomconform/conform/internal/testnet"
)

// ---- test servers ----

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

// ---- calls and matching ----

func TestCallRoundTrip(t *testing.T) {
	url := scripted(t, nil, echo)
	c := dial(t, url, Options{Name: "x"})
	resp := call(t, c, authReq("r1"))
	wantID(t, resp, "r1")
	if resp.Method() != "auth" || resp.Fields["result"] != true || resp.Err != nil || resp.Binary {
		t.Fatalf("response: %+v", resp)
	}
	if resp.At <= 0 {
		t.Fatal("At not set")
	}
	frames := c.Transcript().Frames()
	if len(frames) < 3 || frames[1].Dir != Sent || frames[2].Dir != Received || frames[1].Conn != "x" {
		t.Fatalf("transcript:\n%s", c.Transcript())
	}
	if c.Name() != "x" || c.URL() != url || c.Err() != nil || closed(c.Done()) {
		t.Fatal("accessors of an open client")
	}
}

func TestCallTimeoutKeepsConnectionUsable(t *testing.T) {
	url := scripted(t, nil, func(req request) []string {
		if req.id == "silent" {
			return nil
		}
		return echo(req)
	})
	c := dial(t, url, Options{ResponseTimeout: 100 * time.Millisecond})
	var err error
	within(t, 2*time.Second, "timed-out Call", func() { _, err = c.Call(context.Background(), authReq("silent")) })
	if !errors.Is(err, ErrTimeout) || errors.Is(err, ErrClosed) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if !strings.Contains(err.Error(), `"silent"`) {
		t.Errorf("error does not name the requestId: %v", err)
	}
	if c.Err() != nil {
		t.Fatalf("connection ended: %v", c.Err())
	}
	wantID(t, call(t, c, authReq("after")), "after")
	if !strings.Contains(c.Transcript().String(), "no response to requestId") {
		t.Errorf("timeout not noted:\n%s", c.Transcript())
	}
}

func TestLateAnswerIsDropped(t *testing.T) {
	var held request
	url := scripted(t, nil, func(req request) []string {
		switch req.id {
		case "slow":
			held = req
			return nil
		case "next": // the late answer arrives first, just before the real one
			return []string{answer(held), answer(req)}
		}
		return echo(req)
	})
	c := dial(t, url, Options{ResponseTimeout: 100 * time.Millisecond})
	if _, err := c.Call(context.Background(), authReq("slow")); !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	wantID(t, call(t, c, authReq("next")), "next")
	if !strings.Contains(c.Transcript().String(), `late answer to requestId "slow"`) {
		t.Errorf("late answer not noted:\n%s", c.Transcript())
	}
	if len(c.Unsolicited()) != 0 || len(c.Duplicates()) != 0 {
		t.Errorf("late answer misfiled: unsolicited %d, duplicates %d", len(c.Unsolicited()), len(c.Duplicates()))
	}
	if q := c.Quiet(context.Background(), 20*time.Millisecond); q != nil {
		t.Errorf("late answer queued: %d", len(q))
	}
}

func TestCallCanBeRetriedWithAnAbandonedID(t *testing.T) {
	n := 0
	url := scripted(t, nil, func(req request) []string {
		n++
		if n == 1 {
			return nil
		}
		return echo(req)
	})
	c := dial(t, url, Options{ResponseTimeout: 100 * time.Millisecond})
	if _, err := c.Call(context.Background(), authReq("same")); !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v", err)
	}
	wantID(t, call(t, c, authReq("same")), "same")
}

func TestNotificationBeforeResponse(t *testing.T) {
	const ev = `{"method":"event","event":"authorizationNeeded","cause":1}`
	url := scripted(t, nil, func(req request) []string { return []string{ev, answer(req)} })
	c := dial(t, url, Options{})
	resp := call(t, c, authReq("1"))
	wantID(t, resp, "1")
	if resp.IsEvent() {
		t.Fatal("notification taken for the response")
	}
	events := c.Events()
	if len(events) != 1 || events[0].Event() != "authorizationNeeded" {
		t.Fatalf("Events = %v", events)
	}
	var m Message
	var err error
	within(t, time.Second, "WaitEvent on a stored event", func() {
		m, err = c.WaitEvent(context.Background(), func(m Message) bool { return m.Event() == "authorizationNeeded" })
	})
	if err != nil || m.Fields["cause"] != json.Number("1") {
		t.Fatalf("WaitEvent = %v, %v", m.Fields, err)
	}
	if len(c.Unsolicited()) != 0 {
		t.Fatal("notification counted as unsolicited")
	}
}

func TestWaitEventFutureAndTimeout(t *testing.T) {
	url := scripted(t, nil, func(req request) []string {
		if req.id == "trigger" {
			return []string{answer(req), `{"method":"event","event":"other"}`, `{"method":"event","event":"wanted","n":2}`}
		}
		return echo(req)
	})
	c := dial(t, url, Options{ResponseTimeout: 2 * time.Second})
	short := func() context.Context {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		t.Cleanup(cancel)
		return ctx
	}
	if _, err := c.WaitEvent(short(), nil); !errors.Is(err, ErrTimeout) {
		t.Fatalf("WaitEvent with nothing = %v, want ErrTimeout", err)
	}

	type result struct {
		m   Message
		err error
	}
	got := make(chan result, 1)
	go func() {
		// Whether this starts before or after the event arrives, it finds it (stored or future).
		m, err := c.WaitEvent(context.Background(), func(m Message) bool { return m.Event() == "wanted" })
		got <- result{m, err}
	}()
	wantID(t, call(t, c, authReq("trigger")), "trigger")
	r := <-got
	if r.err != nil || r.m.Fields["n"] != json.Number("2") {
		t.Fatalf("WaitEvent = %v, %v", r.m.Fields, r.err)
	}
	c.ClearEvents()
	if len(c.Events()) != 0 {
		t.Fatal("ClearEvents")
	}
	if _, err := c.WaitEvent(short(), nil); !errors.Is(err, ErrTimeout) {
		t.Fatalf("after ClearEvents: %v", err)
	}
}

func TestInvalidServerOutputIsReported(t *testing.T) {
	url := scripted(t, nil, func(req request) []string {
		switch req.id {
		case "bad-json":
			return []string{`{"method":"auth","requestId":"bad-json",`}
		case "array":
			return []string{`[1,2]`}
		case "binary":
			return []string{`bin:{"method":"auth","requestId":"binary"}`}
		}
		return echo(req)
	})
	c := dial(t, url, Options{})
	for id, want := range map[string]error{"bad-json": ErrInvalidJSON, "array": ErrNotObject, "binary": ErrBinaryFrame} {
		resp := call(t, c, authReq(id))
		if !errors.Is(resp.Err, want) || resp.Fields != nil || resp.Matched {
			t.Errorf("%s: Err = %v, Fields = %v, Matched = %v", id, resp.Err, resp.Fields, resp.Matched)
		}
		if resp.Binary != (id == "binary") || len(resp.Raw) == 0 {
			t.Errorf("%s: Binary = %v, Raw = %q", id, resp.Binary, resp.Raw)
		}
	}
	wantID(t, call(t, c, authReq("ok")), "ok")
	s := c.Transcript().String()
	if !strings.Contains(s, `< {"method":"auth","requestId":"bad-json",`) || !strings.Contains(s, "< binary 38 bytes: 7b22") {
		t.Errorf("malformed frames not in the transcript:\n%s", s)
	}
}

func TestWrongRequestIDIsReturnedUnmatched(t *testing.T) {
	url := scripted(t, nil, func(req request) []string {
		return []string{`{"method":"auth","requestId":"zzz","result":true}`}
	})
	c := dial(t, url, Options{ResponseTimeout: 10 * time.Second})
	var resp Response
	within(t, 2*time.Second, "Call answered with a wrong requestId", func() { resp = call(t, c, authReq("abc")) })
	if resp.Matched {
		t.Fatal("Matched = true for a wrong requestId")
	}
	if id, _ := resp.RequestID(); id != "zzz" {
		t.Fatalf("requestId = %v", id)
	}
	if !strings.Contains(c.Transcript().String(), "returned unmatched") {
		t.Error("not noted")
	}
	// A response without any requestId to a request with one is unmatched too.
	url2 := scripted(t, nil, func(req request) []string { return []string{`{"method":"auth","result":true}`} })
	c2 := dial(t, url2, Options{})
	if resp := call(t, c2, authReq("abc")); resp.Matched {
		t.Fatal("missing requestId matched")
	}
}

func TestNumericRequestID(t *testing.T) {
	url := scripted(t, nil, func(req request) []string {
		n, _ := req.id.(json.Number)
		if n == "7" {
			return []string{`{"method":"auth","requestId":"7","result":true}`} // echoed as a string
		}
		return echo(req)
	})
	c := dial(t, url, Options{})
	resp := call(t, c, []byte(`{"method":"auth","requestId":7}`))
	if !resp.Matched || resp.Fields["requestId"] != "7" {
		t.Fatalf("numeric id echoed as string: Matched %v, %s", resp.Matched, resp.Raw)
	}
	resp = call(t, c, []byte(`{"method":"auth","requestId":8}`))
	if !resp.Matched || resp.Fields["requestId"] != json.Number("8") {
		t.Fatalf("numeric id echoed as number: Matched %v, %s", resp.Matched, resp.Raw)
	}
}

func TestCallWithoutRequestID(t *testing.T) {
	url := scripted(t, nil, func(req request) []string {
		return []string{`{"method":"event","event":"x"}`, answer(req)}
	})
	c := dial(t, url, Options{})
	resp := call(t, c, []byte(`{"method":"auth","type":"unsecured"}`))
	if !resp.Matched || resp.IsEvent() {
		t.Fatalf("id-less call: %+v", resp)
	}
	if _, ok := resp.RequestID(); ok {
		t.Fatal("unexpected requestId")
	}
	// A payload that is not JSON at all is sent as is; the next non-event message answers it.
	resp = call(t, c, []byte(`not json`))
	if !resp.Matched || resp.Err != nil {
		t.Fatalf("non-JSON payload: %+v", resp)
	}
	if !strings.Contains(c.Transcript().String(), "> not json") {
		t.Error("payload not recorded as sent")
	}
}

func TestCallWithoutRequestIDTakesAnAnswerWithAStaleID(t *testing.T) {
	// The server answers a request without requestId with the id of the
	// request before it: that is the answer (ENV-4 judges the id), not a
	// duplicate to wait past.
	last := ""
	url := scripted(t, nil, func(req request) []string {
		if req.hasID {
			last, _ = req.id.(string)
			return echo(req)
		}
		return []string{`{"method":"auth","requestId":"` + last + `","result":true}`}
	})
	c := dial(t, url, Options{ResponseTimeout: time.Minute})
	wantID(t, call(t, c, authReq("first")), "first")
	resp := call(t, c, []byte(`{"method":"auth","type":"unsecured"}`))
	if id, _ := resp.RequestID(); !resp.Matched || id != "first" {
		t.Fatalf("id-less call answered with a stale id: Matched %v, %s", resp.Matched, resp.Raw)
	}
	if len(c.Duplicates()) != 0 {
		t.Fatal("the answer was also counted as a duplicate")
	}
}

func TestDuplicatesAreDetected(t *testing.T) {
	url := scripted(t, nil, func(req request) []string {
		if req.id == "twice" {
			return []string{answer(req), answer(req)}
		}
		return echo(req)
	})
	c := dial(t, url, Options{})
	wantID(t, call(t, c, authReq("twice")), "twice")
	// The duplicate arrives before the next answer; it must not be taken for it.
	wantID(t, call(t, c, authReq("next")), "next")
	dups := c.Duplicates()
	if len(dups) != 1 {
		t.Fatalf("Duplicates = %d, want 1\n%s", len(dups), c.Transcript())
	}
	if id, _ := dups[0].RequestID(); id != "twice" {
		t.Fatalf("duplicate id = %v", id)
	}
	if len(c.Unsolicited()) != 0 {
		t.Fatal("duplicate also counted as unsolicited")
	}
	if !strings.Contains(c.Transcript().String(), "(duplicate)") {
		t.Error("duplicate not noted")
	}

	// Quiet sees a second response right after the first.
	wantID(t, call(t, c, authReq("twice")), "twice")
	q := c.Quiet(context.Background(), 100*time.Millisecond)
	if len(q) != 1 {
		t.Fatalf("Quiet = %d messages, want 1", len(q))
	}
	if q := c.Quiet(context.Background(), 10*time.Millisecond); q != nil {
		t.Fatalf("second Quiet = %d messages, want nil", len(q))
	}
}

func TestUnsolicitedBeforeSend(t *testing.T) {
	url := scripted(t, []string{`{"method":"hello","version":1}`}, echo)
	c := dial(t, url, Options{})
	eventually(t, "hello queued", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return len(c.queue) == 1
	})
	wantID(t, call(t, c, authReq("1")), "1")
	u := c.Unsolicited()
	if len(u) != 1 || u[0].Method() != "hello" {
		t.Fatalf("Unsolicited = %v", u)
	}
}

func TestSendTextAndNext(t *testing.T) {
	url := scripted(t, nil, func(req request) []string {
		if req.fields == nil {
			return []string{`{"method":"error","error":"invalid JSON"}`}
		}
		return nil
	})
	c := dial(t, url, Options{ResponseTimeout: 100 * time.Millisecond})
	if err := c.SendText(context.Background(), []byte(`{oops`)); err != nil {
		t.Fatal(err)
	}
	m, err := c.Next(context.Background())
	if err != nil || m.Method() != "error" {
		t.Fatalf("Next = %v, %v", m.Fields, err)
	}
	if _, err := c.Next(context.Background()); !errors.Is(err, ErrTimeout) {
		t.Fatalf("Next with nothing = %v, want ErrTimeout", err)
	}
	if err := c.SendBinary(context.Background(), []byte{0xde, 0xad, 0xbe, 0xef}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.Transcript().String(), "> binary 4 bytes: deadbeef") {
		t.Errorf("binary send not recorded:\n%s", c.Transcript())
	}
}

func TestQuietWithNothing(t *testing.T) {
	c := dial(t, scripted(t, nil, echo), Options{})
	wantID(t, call(t, c, authReq("1")), "1")
	if q := c.Quiet(context.Background(), 30*time.Millisecond); q != nil {
		t.Fatalf("Quiet = %v", q)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	within(t, time.Second, "Quiet with a canceled ctx", func() { c.Quiet(ctx, time.Hour) })
}

func TestCallContextDeadlineKeepsConnection(t *testing.T) {
	received := make(chan struct{})
	url := scripted(t, nil, func(req request) []string {
		switch req.id {
		case "silent":
			return nil
		case "silent2":
			close(received)
			return nil
		}
		return echo(req)
	})
	c := dial(t, url, Options{ResponseTimeout: 10 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := c.Call(ctx, authReq("silent"))
	if !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	go func() {
		<-received // cancel while Call waits for the answer
		cancel2()
	}()
	_, err = c.Call(ctx2, authReq("silent2"))
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
		t.Fatalf("canceled: err = %v", err)
	}
	wantID(t, call(t, c, authReq("after")), "after")
}

func TestConcurrentCallIsRefused(t *testing.T) {
	release := make(chan struct{})
	url := scripted(t, nil, func(req request) []string {
		if req.id == "slow" {
			<-release
		}
		return echo(req)
	})
	c := dial(t, url, Options{})
	first := make(chan error, 1)
	go func() {
		_, err := c.Call(context.Background(), authReq("slow"))
		first <- err
	}()
	eventually(t, "first request sent", func() bool { return strings.Contains(c.Transcript().String(), `"slow"`) })
	_, err := c.Call(context.Background(), authReq("second"))
	if err == nil || errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "one outstanding request") {
		t.Fatalf("second Call: %v", err)
	}
	if _, err := c.Next(context.Background()); err == nil {
		t.Fatal("Next during a Call must be refused")
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatalf("first Call: %v", err)
	}
}

// ---- dialing ----

func TestDialClosedPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "ws://" + ln.Addr().String() + "/"
	ln.Close()
	tr := NewTranscript(nil)
	within(t, 2*time.Second, "Dial to a closed port", func() {
		_, err = Dial(context.Background(), url, Options{Transcript: tr})
	})
	if err == nil {
		t.Fatal("Dial succeeded")
	}
	if want := "dial " + url + ": connection refused"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	var de *DialError
	if !errors.As(err, &de) || de.StatusCode != 0 || errors.Is(err, ErrTimeout) {
		t.Errorf("DialError = %+v", de)
	}
	if !strings.Contains(tr.String(), "connection refused") {
		t.Error("dial failure not in the transcript")
	}
}

func TestDialHandshakeNeverCompletes(t *testing.T) {
	var err error
	url := "ws://" + testnet.Listen(t, nil) + "/"
	within(t, 2*time.Second, "Dial to a silent listener", func() {
		_, err = Dial(context.Background(), url, Options{DialTimeout: 150 * time.Millisecond})
	})
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), url) || !strings.Contains(err.Error(), "not completed within 150ms") {
		t.Fatalf("err = %v", err)
	}
	// The caller's own deadline is honoured too.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	within(t, 2*time.Second, "Dial with a ctx deadline", func() { _, err = Dial(ctx, url, Options{}) })
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "context deadline") {
		t.Fatalf("ctx deadline: err = %v", err)
	}
}

func TestDialServerClosesDuringHandshake(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 16)
			_, _ = conn.Read(buf) // the start of the request, then hang up
			conn.Close()
		}
	}()
	url := "ws://" + ln.Addr().String() + "/"
	within(t, 2*time.Second, "Dial to a server that hangs up", func() {
		_, err = Dial(context.Background(), url, Options{})
	})
	if err == nil || !strings.Contains(err.Error(), "dial "+url+": connection closed by the server during the WebSocket handshake") {
		t.Fatalf("err = %v", err)
	}
}

func TestDialRefusedUpgrade(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "origin not allowed", http.StatusForbidden)
	}))
	t.Cleanup(srv.Close)
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/"
	_, err := Dial(context.Background(), url, Options{})
	var de *DialError
	if !errors.As(err, &de) || de.StatusCode != 403 {
		t.Fatalf("err = %v", err)
	}
	if msg := err.Error(); !strings.Contains(msg, url) || !strings.Contains(msg, "HTTP 403 Forbidden") || !strings.Contains(msg, "origin not allowed") {
		t.Fatalf("err = %q", msg)
	}
}

func TestDialBadURL(t *testing.T) {
	for _, url := range []string{"ftp://127.0.0.1/", "127.0.0.1:8765"} {
		_, err := Dial(context.Background(), url, Options{})
		if err == nil || !strings.Contains(err.Error(), "dial "+url+": ") {
			t.Errorf("%s: err = %v", url, err)
		}
	}
}

func TestDialTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(wsHandler(t, func(ctx context.Context, c *websocket.Conn) {
		for {
			_, b, err := c.Read(ctx)
			if err != nil {
				return
			}
			req := request{}
			req.fields, _ = decodeObject(b)
			req.id, req.hasID = req.fields["requestId"]
			if c.Write(ctx, websocket.MessageText, []byte(answer(req))) != nil {
				return
			}
		}
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the failed handshake below is expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	url := "wss" + strings.TrimPrefix(srv.URL, "https") + "/"

	_, err := Dial(context.Background(), url, Options{})
	if err == nil || !strings.Contains(err.Error(), "TLS failed") || !strings.Contains(err.Error(), "x509") {
		t.Fatalf("unknown CA: err = %v", err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	c := dial(t, url, Options{TLSConfig: &tls.Config{RootCAs: roots}})
	wantID(t, call(t, c, authReq("tls")), "tls")
}

// ---- connection end ----

func TestReadLimitEndsConnection(t *testing.T) {
	big := `{"method":"auth","requestId":"1","pad":"` + strings.Repeat("x", 2048) + `"}`
	url := scripted(t, nil, func(req request) []string { return []string{big} })
	c := dial(t, url, Options{ReadLimit: 1024})
	_, err := c.Call(context.Background(), authReq("1"))
	if !errors.Is(err, ErrClosed) {
		t.Fatalf("Call err = %v, want ErrClosed", err)
	}
	select {
	case <-c.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("Done not closed")
	}
	if e := c.Err(); !errors.Is(e, ErrClosed) || !strings.Contains(e.Error(), "larger than the read limit of 1024 bytes") {
		t.Fatalf("Err = %v", e)
	}
	if !strings.Contains(c.Transcript().String(), "< error frame larger than the read limit") {
		t.Errorf("not recorded:\n%s", c.Transcript())
	}
	if err := c.SendText(context.Background(), []byte(`{}`)); !errors.Is(err, ErrClosed) {
		t.Fatalf("send after end: %v", err)
	}
	if _, err := c.Next(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Next after end: %v", err)
	}
	if _, err := c.WaitEvent(context.Background(), nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("WaitEvent after end: %v", err)
	}
}

func TestServerCloseIsReported(t *testing.T) {
	url := serve(t, func(ctx context.Context, c *websocket.Conn) {
		if _, _, err := c.Read(ctx); err != nil {
			return
		}
		_ = c.Close(4001, "go away")
	})
	c := dial(t, url, Options{})
	_, err := c.Call(context.Background(), authReq("1"))
	if !errors.Is(err, ErrClosed) || websocket.CloseStatus(err) != 4001 || !strings.Contains(err.Error(), `"go away"`) {
		t.Fatalf("Call err = %v", err)
	}
	<-c.Done()
	var ce *ClosedError
	if !errors.As(c.Err(), &ce) || ce.Code != 4001 || ce.Reason != "go away" || ce.ByClient {
		t.Fatalf("Err = %#v", c.Err())
	}
	if !strings.Contains(c.Transcript().String(), `< close code 4001 reason "go away"`) {
		t.Errorf("close not recorded:\n%s", c.Transcript())
	}
	if err := c.Close(); err != nil {
		t.Fatalf("Close after server close: %v", err)
	}
}

func TestServerDropsWithoutCloseFrame(t *testing.T) {
	url := serve(t, func(ctx context.Context, c *websocket.Conn) {
		_, _, _ = c.Read(ctx)
		_ = c.CloseNow()
	})
	c := dial(t, url, Options{})
	_, err := c.Call(context.Background(), authReq("1"))
	if !errors.Is(err, ErrClosed) || websocket.CloseStatus(err) != -1 || !strings.Contains(err.Error(), "without a close frame") {
		t.Fatalf("err = %v", err)
	}
}

func TestCloseIsIdempotent(t *testing.T) {
	c := dial(t, scripted(t, nil, echo), Options{})
	wantID(t, call(t, c, authReq("1")), "1")
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if !closed(c.Done()) {
		t.Fatal("Done not closed after Close")
	}
	var ce *ClosedError
	if !errors.As(c.Err(), &ce) || !ce.ByClient {
		t.Fatalf("Err = %v", c.Err())
	}
	for name, f := range map[string]func() error{"Close": c.Close, "CloseNow": c.CloseNow, "Abort": c.Abort} {
		if err := f(); err != nil {
			t.Errorf("%s on a closed client: %v", name, err)
		}
	}
	if _, err := c.Call(context.Background(), authReq("2")); !errors.Is(err, ErrClosed) {
		t.Fatalf("Call after Close: %v", err)
	}
	s := c.Transcript().String()
	if !strings.Contains(s, `> close code 1000`) || !strings.Contains(s, `< close code 1000`) {
		t.Errorf("close handshake not recorded:\n%s", s)
	}
}

func TestCloseIsBoundedWhenServerIgnoresIt(t *testing.T) {
	url := serve(t, func(ctx context.Context, c *websocket.Conn) {
		<-ctx.Done() // never reads, so never answers the close frame
	})
	c := dial(t, url, Options{CloseTimeout: 100 * time.Millisecond})
	var err error
	within(t, 2*time.Second, "Close against a deaf server", func() { err = c.Close() })
	if err != nil {
		t.Fatalf("Close: %v", err)
	}
	if !closed(c.Done()) {
		t.Fatal("not done")
	}
	if !strings.Contains(c.Transcript().String(), "close handshake not completed within 100ms") {
		t.Errorf("not noted:\n%s", c.Transcript())
	}
}

func TestCloseNowAndAbort(t *testing.T) {
	seen := make(chan error, 2)
	url := serve(t, func(ctx context.Context, c *websocket.Conn) {
		_, _, err := c.Read(ctx)
		seen <- err
	})
	c := dial(t, url, Options{})
	if err := c.Abort(); err != nil {
		t.Fatalf("Abort: %v", err)
	}
	if err := <-seen; err == nil || websocket.CloseStatus(err) != -1 {
		t.Fatalf("server saw %v, want an error without a close frame", err)
	}
	if e := c.Err(); !errors.Is(e, ErrClosed) || !strings.Contains(e.Error(), "aborted") {
		t.Fatalf("Err = %v", e)
	}

	c2 := dial(t, url, Options{})
	if err := c2.CloseNow(); err != nil {
		t.Fatalf("CloseNow: %v", err)
	}
	if err := <-seen; err == nil || websocket.CloseStatus(err) != -1 {
		t.Fatalf("server saw %v after CloseNow", err)
	}
	if !closed(c2.Done()) {
		t.Fatal("not done")
	}
}

func TestNoGoroutineLeak(t *testing.T) {
	url := scripted(t, nil, echo)
	closer := serve(t, func(ctx context.Context, c *websocket.Conn) { _ = c.Close(websocket.StatusGoingAway, "bye") })
	base := runtime.NumGoroutine()
	for i := range 5 {
		c, err := Dial(context.Background(), url, Options{})
		if err != nil {
			t.Fatal(err)
		}
		wantID(t, call(t, c, authReq(fmt.Sprint(i))), fmt.Sprint(i))
		go func() { _, _ = c.WaitEvent(context.Background(), nil) }() // ends with the connection
		switch i {
		case 0:
			err = c.Abort()
		case 1:
			err = c.CloseNow()
		default:
			err = c.Close()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	c, err := Dial(context.Background(), closer, Options{})
	if err != nil {
		t.Fatal(err)
	}
	<-c.Done()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "goroutines back to the baseline", func() bool { return runtime.NumGoroutine() <= base })
}

// ---- redaction and bounds ----

func TestAutoRedactReceivedSecrets(t *testing.T) {
	const (
		tok     = "1*AbCdEf0123456789*30*SECRETHEX"
		httpTok = "http-token-SECRET-456"
		pin     = "9x7"
	)
	url := scripted(t, nil, func(req request) []string {
		switch req.id {
		case "login":
			return []string{fmt.Sprintf(`{"method":"auth","requestId":"login","result":true,"token":%q,"tokenForHttpServer":%q}`, tok, httpTok)}
		case "info":
			return []string{fmt.Sprintf(`{"method":"getAuthInfo","requestId":"info","userAuth":{"security":"pin","pin":%q},"result":true}`, pin)}
		case "broken":
			return []string{`{"method":"getTokenForHttpServer","requestId":"broken","token":"broken-SECRET-789",`}
		}
		return echo(req)
	})
	shared := redact.New()
	c := dial(t, url, Options{Redactor: shared})
	resp := call(t, c, authReq("login"))
	if resp.Fields["token"] != tok {
		t.Fatal("Fields must hold the real token")
	}
	call(t, c, authReq("info"))
	call(t, c, authReq("broken"))
	// Sending the token back (token re-authorization) is redacted as well.
	call(t, c, []byte(fmt.Sprintf(`{"method":"auth","requestId":"re","type":"secured","credentials":%q}`, tok)))

	s := c.Transcript().String()
	for _, secret := range []string{tok, httpTok, "SECRETHEX", pin, "broken-SECRET-789"} {
		if strings.Contains(s, secret) {
			t.Errorf("transcript contains %q:\n%s", secret, s)
		}
	}
	for _, marker := range []string{"[REDACTED:token]", "[REDACTED:tokenForHttpServer]", "[REDACTED:pin]"} {
		if !strings.Contains(s, marker) {
			t.Errorf("no %s in:\n%s", marker, s)
		}
	}
	if shared.Redact("x"+tok+"x") == "x"+tok+"x" {
		t.Error("token not registered with the shared Redactor")
	}
}

func TestAutoRedactDefaultsWithoutRedactor(t *testing.T) {
	url := scripted(t, nil, func(req request) []string {
		return []string{`{"method":"auth","requestId":"1","token":"private-SECRET-1"}`}
	})
	c := dial(t, url, Options{}) // no Redactor, no Transcript: a private Redactor still protects it
	call(t, c, authReq("1"))
	if strings.Contains(c.Transcript().String(), "private-SECRET-1") {
		t.Fatal("token in transcript")
	}
	c2 := dial(t, url, Options{AutoRedact: []string{}})
	call(t, c2, authReq("1"))
	if !strings.Contains(c2.Transcript().String(), "private-SECRET-1") {
		t.Fatal("AutoRedact: []string{} must disable auto-redaction")
	}
}

// streaming sends an endless stream of numbered notifications until the connection ends.
func streaming(t *testing.T) string {
	return serve(t, func(ctx context.Context, c *websocket.Conn) {
		ctx = c.CloseRead(ctx) // answers the client's close frame while we write
		for i := 0; ; i++ {
			ev := fmt.Sprintf(`{"method":"event","event":"tick","n":%d,"token":"tick-token-%d"}`, i, i)
			if c.Write(ctx, websocket.MessageText, []byte(ev)) != nil {
				return
			}
		}
	})
}

func TestEndlessEventsAreBounded(t *testing.T) {
	c := dial(t, streaming(t), Options{MaxEvents: 20})
	eventually(t, "300 notifications dropped", func() bool { return c.DroppedEvents() >= 300 })
	if n := len(c.Events()); n != 20 {
		t.Fatalf("Events = %d, want 20", n)
	}
	frames := c.Transcript().Frames()
	if len(frames) > 20+c.DroppedEvents()/100+10 {
		t.Fatalf("transcript grows with dropped events: %d frames", len(frames))
	}
	if !strings.Contains(c.Transcript().String(), "notification limit of 20 reached") {
		t.Error("drop not noted")
	}
	// Dropped notifications are not registered as secrets either: the Redactor stays small.
	if n := c.red.Len(); n > 20*4 {
		t.Fatalf("Redactor holds %d strings", n)
	}
	// Notifications beyond MaxEvents still reach a waiting WaitEvent.
	want := c.DroppedEvents() + 100
	m, err := c.WaitEvent(context.Background(), func(m Message) bool {
		n, _ := m.Fields["n"].(json.Number).Int64()
		return int(n) >= want
	})
	if err != nil {
		t.Fatalf("WaitEvent for a future event: %v", err)
	}
	_ = m
	within(t, 2*time.Second, "Close during a stream", func() {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestFloodOfNonEventMessagesIsBounded(t *testing.T) {
	url := serve(t, func(ctx context.Context, c *websocket.Conn) {
		ctx = c.CloseRead(ctx)
		for i := 0; i < maxKept+200; i++ {
			if c.Write(ctx, websocket.MessageText, []byte(fmt.Sprintf(`{"method":"spam","n":%d}`, i))) != nil {
				return
			}
		}
		<-ctx.Done()
	})
	c := dial(t, url, Options{})
	eventually(t, "flood dropped", func() bool { return c.DroppedMessages() >= 200 })
	if q := c.Quiet(context.Background(), 0); len(q) != maxKept {
		t.Fatalf("queue held %d, want %d", len(q), maxKept)
	}
}

func TestOddServerFramesNeverBreakTheClient(t *testing.T) {
	odd := []string{
		``,
		"\xff\xfe",
		`{"method":"event"}`,
		`{"method":"event","event":"x","requestId":"odd"}`, // an event is never a response, whatever its id
		`{"requestId":{"nested":[1,2,{"a":null}]}}`,
		`{"requestId":1e99999999}`,
		strings.Repeat("[", 5000) + strings.Repeat("]", 5000),
		`{"token":12345,"pin":true}`,
		`bin:`,
	}
	url := scripted(t, odd, echo)
	c := dial(t, url, Options{})
	eventually(t, "odd frames filed", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return len(c.queue)+len(c.events) == len(odd)
	})
	wantID(t, call(t, c, authReq("after")), "after")
	if n := len(c.Unsolicited()); n != len(odd)-2 {
		t.Fatalf("Unsolicited = %d, want %d", n, len(odd)-2)
	}
	if strings.Contains(c.Transcript().String(), "12345") {
		t.Fatal("numeric token not redacted")
	}
}

func TestLargeSendIsTruncatedInTranscript(t *testing.T) {
	c := dial(t, scripted(t, nil, echo), Options{})
	big := []byte(`{"method":"auth","requestId":"big","pad":"` + strings.Repeat("x", 64<<10) + `"}`)
	wantID(t, call(t, c, big), "big")
	frames := c.Transcript().Frames()
	var sent Frame
	for _, f := range frames {
		if f.Dir == Sent {
			sent = f
		}
	}
	if len(sent.Payload) > MaxPayload+64 || !strings.HasSuffix(sent.Payload, fmt.Sprintf("...(%d bytes total)", len(big))) {
		t.Fatalf("sent payload: %d bytes, ends %q", len(sent.Payload), sent.Payload[len(sent.Payload)-30:])
	}
}

// TestDialNeverFollowsARedirect: a handshake answered with a redirect is a
// DialError naming the Location; the place it points to gets nothing.
func TestDialNeverFollowsARedirect(t *testing.T) {
	var reached atomic.Int64
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached.Add(1) }))
	t.Cleanup(elsewhere.Close)
	loc := "ws" + strings.TrimPrefix(elsewhere.URL, "http") + "/"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, loc, http.StatusMovedPermanently)
	}))
	t.Cleanup(srv.Close)
	_, err := Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http")+"/", Options{DialTimeout: 2 * time.Second})
	var re *RedirectError
	if !errors.As(err, &re) || re.Location != loc || re.Status != http.StatusMovedPermanently {
		t.Fatalf("want a RedirectError naming %s, got %v", loc, err)
	}
	if !strings.Contains(err.Error(), loc) {
		t.Errorf("the error does not name the Location: %v", err)
	}
	if reached.Load() != 0 {
		t.Error("the redirect was followed")
	}
}

// TestBadHandshakeAnswerIsBoundedByTheDialTimeout: a server that answers
// 101 without the WebSocket headers and then stalls costs the dial
// timeout, not the library's own 3 s.
func TestBadHandshakeAnswerIsBoundedByTheDialTimeout(t *testing.T) {
	addr := testnet.Listen(t, testnet.BadHandshake)
	start := time.Now()
	_, err := Dial(context.Background(), "ws://"+addr+"/", Options{DialTimeout: 300 * time.Millisecond})
	if err == nil {
		t.Fatal("a bad handshake was accepted")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v with a 300 ms dial timeout", d)
	}
}
