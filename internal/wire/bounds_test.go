package wire

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func randomAlnum(n int) string {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	buf := make([]byte, n)
	_, _ = rand.Read(buf)
	for i := range buf {
		buf[i] = alnum[int(buf[i])%len(alnum)]
	}
	return string(buf)
}

// slow is for connections that receive megabytes: under the race detector on a busy machine
// filing them takes seconds, and no verdict here is about time.
var slow = time.Minute

// leaks reports whether out shows the beginning of tok, in any letter case.
func leaks(out, tok string) bool {
	up := strings.ToUpper(out)
	return strings.Contains(up, strings.ToUpper(tok[:12])) || strings.Contains(up, strings.ToUpper(tok[2:14]))
}

// TestLongTokensNeverLeakFromACutFrame: a token longer than what a transcript keeps of a frame
// (issue 16: the first 4 KiB of a token over 64 KiB reached every report) is redacted from the
// whole frame before the frame is cut; one the run learns only later is redacted from where it
// starts in what was kept.
func TestLongTokensNeverLeakFromACutFrame(t *testing.T) {
	for _, size := range []int{70 << 10, 1 << 20} {
		t.Run(fmt.Sprintf("%dKiB", size>>10), func(t *testing.T) {
			tok := "1*" + randomAlnum(size)
			early := "2*" + randomAlnum(size) // issued in a field that is not a token's, then as a token
			url := scripted(t, nil, func(req request) []string {
				id := req.idJSON()
				if id == `"second"` {
					return []string{fmt.Sprintf(`{"method":"auth","requestId":%s,"result":true,"resultCode":0,"token":%q}`, id, early)}
				}
				return []string{
					fmt.Sprintf(`{"method":"event","event":"hello","session":%q}`, early),
					fmt.Sprintf(`{"method":"auth","requestId":%s,"result":true,"resultCode":0,"token":%q}`, id, tok),
				}
			})
			c := dial(t, url, Options{ReadLimit: 4 << 20, ResponseTimeout: slow})
			wantID(t, call(t, c, authReq("first")), "first")
			wantID(t, call(t, c, authReq("second")), "second")
			for name, out := range map[string]string{"String": c.Transcript().String(), "Frames": fmt.Sprint(c.Transcript().Frames())} {
				for _, secret := range []string{tok, early} {
					if leaks(out, secret) {
						t.Errorf("%s shows the beginning of a %d KiB token:\n%.600s", name, size>>10, out)
					}
				}
				if n := strings.Count(out, "[REDACTED:token]"); n < 3 {
					t.Errorf("%s has %d markers, want 3:\n%.600s", name, n, out)
				}
			}
		})
	}
}

// TestNotificationFloodIsBoundedInBytes: notifications of half a MiB each are kept only up to the
// connection's bound in bytes, not 1000 of them (issue 16: 4-5 GB), and the transcript says how
// many were dropped.
func TestNotificationFloodIsBoundedInBytes(t *testing.T) {
	const n, size, bound = 64, 512 << 10, 8 << 20
	ev := `{"method":"event","event":"tick","pad":"` + strings.Repeat("x", size) + `"}`
	url := scripted(t, nil, func(req request) []string {
		out := make([]string, 0, n+1)
		for range n {
			out = append(out, ev)
		}
		return append(out, answer(req)) // after the flood: once it is answered, the flood is filed
	})
	c := dial(t, url, Options{ResponseTimeout: slow})
	wantID(t, call(t, c, authReq("flood")), "flood")
	kept := 0
	for _, m := range c.Events() {
		kept += len(m.Raw)
	}
	if kept > bound {
		t.Errorf("the connection keeps %d MiB of notifications", kept>>20)
	}
	dropped := c.DroppedEvents()
	if dropped == 0 || len(c.Events())+dropped != n {
		t.Errorf("%d kept, %d dropped, of %d", len(c.Events()), dropped, n)
	}
	frames := c.Transcript().Frames()
	last := frames[len(frames)-1]
	if want := fmt.Sprintf("%d notifications and 0 other messages dropped", dropped); last.Dir != Note || !strings.Contains(last.Payload, want) {
		t.Errorf("the transcript ends with %+v, want a note %q", last, want)
	}
}

// TestUnsolicitedFloodIsBoundedInBytes: so are messages that answer nothing.
func TestUnsolicitedFloodIsBoundedInBytes(t *testing.T) {
	const n, size, bound = 40, 512 << 10, 8 << 20
	odd := `{"method":"auth","requestId":"nobody","pad":"` + strings.Repeat("x", size) + `"}`
	url := scripted(t, nil, func(req request) []string {
		if req.idJSON() != `"first"` {
			return echo(req)
		}
		out := []string{answer(req)}
		for range n {
			out = append(out, odd)
		}
		// Filed in order: once this is seen, the flood has been filed.
		return append(out, `{"method":"event","event":"done"}`)
	})
	c := dial(t, url, Options{ResponseTimeout: slow})
	wantID(t, call(t, c, authReq("first")), "first")
	if _, err := c.WaitEvent(context.Background(), func(m Message) bool { return m.Event() == "done" }); err != nil {
		t.Fatal(err)
	}
	wantID(t, call(t, c, authReq("after")), "after") // files what nobody took as unsolicited
	kept := 0
	for _, m := range c.Unsolicited() {
		kept += len(m.Raw)
	}
	if kept > bound || kept == 0 {
		t.Errorf("the connection keeps %d KiB of unsolicited messages", kept>>10)
	}
	want := fmt.Sprintf("0 notifications and %d other messages dropped", n-len(c.Unsolicited()))
	if s := c.Transcript().String(); !strings.Contains(s, want) {
		t.Errorf("the transcript does not say %q", want)
	}
}

// TestRunBudgetBoundsAllConnections: a run's Budget bounds what all its connections keep
// together, however many the run opens.
func TestRunBudgetBoundsAllConnections(t *testing.T) {
	const n, size, bound = 8, 512 << 10, 3 << 20
	ev := `{"method":"event","event":"tick","pad":"` + strings.Repeat("x", size) + `"}`
	url := scripted(t, nil, func(req request) []string {
		out := make([]string, 0, n+1)
		for range n {
			out = append(out, ev)
		}
		return append(out, answer(req))
	})
	run := NewBudget(bound)
	kept, dropped := 0, 0
	tr := NewTranscript(nil)
	for _, name := range []string{"a", "b"} {
		c := dial(t, url, Options{Name: name, Stored: run, Transcript: tr, ResponseTimeout: slow})
		wantID(t, call(t, c, authReq(name)), name)
		for _, m := range c.Events() {
			kept += len(m.Raw)
		}
		dropped += c.DroppedEvents()
	}
	if kept > bound || dropped == 0 {
		t.Errorf("the run keeps %d KiB of notifications (bound %d KiB), %d dropped", kept>>10, bound>>10, dropped)
	}
	if s := tr.String(); !strings.Contains(s, "storage limit of 3 MiB for this run reached") || !strings.Contains(s, "b # 8 notifications and 0 other messages dropped") {
		t.Errorf("the transcript does not say what the run dropped:\n%s", s)
	}
}

// TestStoredCostCountsDecodedValues: a small frame that decodes to many values costs what the
// values take, not its raw bytes.
func TestStoredCostCountsDecodedValues(t *testing.T) {
	raw := `{"method":"event","a":[` + strings.TrimSuffix(strings.Repeat(`{"k":1},`, 1000), ",") + `]}`
	m := ParseMessage([]byte(raw), false)
	if got := storedCost(m); got < 1000*(objectCost+2*valueCost) {
		t.Errorf("storedCost = %d for 1000 objects", got)
	}
	if got := storedCost(ParseMessage([]byte("not json"), false)); got != len("not json") {
		t.Errorf("storedCost of a frame that is not JSON = %d", got)
	}
}

// TestAppendKeepsWhatWasDropped: a walk's transcript appended to its case's brings the note of
// what its connections dropped.
func TestAppendKeepsWhatWasDropped(t *testing.T) {
	walk := NewTranscript(nil)
	walk.Add("w", Received, "text", "{}")
	walk.dropped("w", true, "limits")
	walk.dropped("w", false, "limits")
	tr := NewTranscript(nil)
	tr.Append(walk)
	frames := tr.Frames()
	if last := frames[len(frames)-1]; last.Conn != "w" || !strings.Contains(last.Payload, "1 notifications and 1 other messages dropped") {
		t.Errorf("last frame %+v", last)
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
