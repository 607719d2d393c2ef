package wire

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/roomconform/conform/internal/testnet"
)

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
