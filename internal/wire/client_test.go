package wire

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

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
