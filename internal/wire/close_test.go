package wire

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

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
