package wire

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"strings"
	"syscall"
	"time"

	"github.com/coder/websocket"
)

// DialError is returned by Dial. It names the URL and says what failed; StatusCode is the HTTP
// status when the server answered HTTP but refused the upgrade (0 otherwise), so a caller can tell
// "unreachable" from "something else listens there". It wraps ErrTimeout when the dial ran out of
// time, and the library's error.
type DialError struct {
	URL        string // the URL as given (redacted)
	What       string // what failed, e.g. "connection refused"
	StatusCode int    // HTTP status of a refused upgrade; 0 when no HTTP answer came
	Timeout    bool   // the dial ran out of time (DialTimeout or ctx's deadline)
	Err        error  // the library's error
}

// Error returns "dial <url>: <what failed>".
func (e *DialError) Error() string { return "dial " + e.URL + ": " + e.What }

// Unwrap exposes ErrTimeout (for a dial that ran out of time) and the underlying error.
func (e *DialError) Unwrap() []error {
	if e.Timeout {
		return []error{ErrTimeout, e.Err}
	}
	return []error{e.Err}
}

// Dial opens the WebSocket (no subprotocol, ws:// or wss://; http:// and https:// are taken as the
// same), bounded by DialTimeout and ctx. The URL is used as is (the API lives at "/"). Errors are
// *DialError: they name the URL and say what failed ("dial ws://127.0.0.1:1/: connection
// refused"), with the HTTP status when the server answered HTTP but refused the upgrade. Proxy
// environment variables are ignored: targets are devices on the local network, and an HTTP proxy
// would break the upgrade of a ws:// URL.
//
// A redirect is never followed: the client connects to the URL it was given or to nothing, so
// credentials never reach another host, port or scheme (wss:// to ws://). A redirect answer is a
// *DialError naming the Location. Everything the handshake waits for is bounded by DialTimeout,
// also the library's own wait for the body of a bad handshake answer.
func Dial(ctx context.Context, url string, opts Options) (*Client, error) {
	opts = opts.withDefaults()
	c := &Client{
		url:     url,
		opts:    opts,
		tr:      opts.Transcript,
		red:     opts.Redactor,
		done:    make(chan struct{}),
		wake:    make(chan struct{}),
		waiters: map[*eventWaiter]struct{}{},
	}
	c.setAutoRedact(opts.AutoRedact)

	if err := checkURL(url); err != nil {
		return nil, c.dialFailed(&DialError{URL: url, What: err.Error(), Err: err})
	}
	dial := opts.Dial.bounded(0) // the handshake's context bounds it
	transport := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := dial(ctx, network, addr)
			if err == nil {
				c.rawMu.Lock()
				c.raws = append(c.raws, conn)
				c.rawMu.Unlock()
			}
			return conn, err
		},
		TLSClientConfig: opts.TLSConfig.Clone(),
	}
	dctx, cancel := context.WithTimeout(ctx, opts.DialTimeout)
	// After a bad handshake answer the library reads its body for up to 3 s of its own; dropping
	// the connection at the dial's deadline ends that wait too.
	stopCut := context.AfterFunc(dctx, func() { _ = c.closeRaw() })
	hc := &http.Client{Transport: transport, CheckRedirect: refuseRedirect}
	conn, resp, err := websocket.Dial(dctx, url, &websocket.DialOptions{HTTPClient: hc})
	ended := dctx.Err() // the cut may have beaten the library to it: still a timeout, or a cancel
	if !stopCut() && err == nil {
		// The deadline passed just as the handshake completed: the connection is cut.
		_ = conn.CloseNow()
		conn, err = nil, fmt.Errorf("handshake completed at the dial deadline: %w", context.DeadlineExceeded)
	}
	cancel()
	transport.CloseIdleConnections()
	if err != nil {
		_ = c.closeRaw()
		return nil, c.dialFailed(classifyDialError(ctx, url, opts.DialTimeout, resp, err, ended))
	}
	conn.SetReadLimit(opts.ReadLimit)
	c.conn = conn
	c.tr.Notef(opts.Name, "connected to %s", url)
	go c.pump()
	return c, nil
}

func checkURL(raw string) error {
	scheme, _, ok := strings.Cut(raw, "://")
	if !ok {
		return errors.New("not a URL: want ws://host:port/ or wss://host:port/")
	}
	switch strings.ToLower(scheme) {
	case "ws", "wss", "http", "https":
		return nil
	}
	return fmt.Errorf("unsupported scheme %q: want ws:// or wss://", scheme)
}

// dialFailed records a dial error. Like every text from here on, it is redacted where it is
// written out, not here.
func (c *Client) dialFailed(e *DialError) error {
	c.tr.Add(c.opts.Name, Note, "error", e.Error())
	return e
}

// RedirectError is a handshake answered with a redirect, which the client never follows.
type RedirectError struct {
	Status   int
	Location string
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("the server answered with a redirect (HTTP %d) to %q; redirects are never followed, so that credentials go nowhere but to the URL given", e.Status, e.Location)
}

// refuseRedirect is the CheckRedirect of every HTTP client of the suite's: it stops at the first
// redirect and names where it pointed.
func refuseRedirect(req *http.Request, via []*http.Request) error {
	e := &RedirectError{Location: req.URL.String()}
	if req.Response != nil {
		e.Status = req.Response.StatusCode
		if loc := req.Response.Header.Get("Location"); loc != "" {
			e.Location = loc // as the server wrote it (the library has rewritten ws: to http:)
		}
	}
	return e
}

func classifyDialError(ctx context.Context, url string, timeout time.Duration, resp *http.Response, err, ended error) *DialError {
	e := &DialError{URL: url, Err: err}
	var dnsErr *net.DNSError
	var redirect *RedirectError
	switch {
	case errors.As(err, &redirect):
		e.StatusCode = redirect.Status
		e.What = redirect.Error()
	case resp != nil && resp.StatusCode != http.StatusSwitchingProtocols:
		e.StatusCode = resp.StatusCode
		e.What = fmt.Sprintf("server answered HTTP %s instead of upgrading to WebSocket", resp.Status)
		if body := bodySnippet(resp); body != "" {
			e.What += fmt.Sprintf(" (body: %q)", body)
		}
	case resp != nil:
		e.StatusCode = resp.StatusCode
		e.What = "invalid WebSocket handshake response: " + innerError(err)
	case errors.Is(ended, context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		e.Timeout = true
		if ctx.Err() != nil {
			e.What = "context deadline reached before the WebSocket handshake completed"
		} else {
			e.What = fmt.Sprintf("WebSocket handshake not completed within %v (the port accepts connections but does not answer)", timeout)
		}
	case errors.Is(ended, context.Canceled) || errors.Is(err, context.Canceled):
		e.What = "canceled"
	case isRefused(err):
		e.What = "connection refused"
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET):
		e.What = "connection closed by the server during the WebSocket handshake: " + innerError(err)
	case errors.As(err, &dnsErr):
		e.What = "cannot resolve host: " + dnsErr.Error()
	case strings.Contains(err.Error(), "tls: ") || strings.Contains(err.Error(), "x509: "):
		e.What = "TLS failed: " + innerError(err)
	default:
		e.What = innerError(err)
	}
	return e
}

// bodySnippet is the body of a refused upgrade, when the library kept all of it: it keeps at most
// 1 KiB, and a body cut there could end in part of a secret that redaction would not recognise.
func bodySnippet(resp *http.Response) string {
	if resp.Body == nil {
		return ""
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if len(b) >= 1024 {
		return "(1 KiB or more, not shown)"
	}
	return strings.TrimSpace(string(b))
}

// innerError drops the library's "failed to WebSocket dial: failed to send handshake request: Get
// URL:" prefixes, which repeat what DialError already says.
func innerError(err error) string {
	var ue *neturl.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return strings.TrimPrefix(err.Error(), "failed to WebSocket dial: ")
}

func isRefused(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial" && strings.Contains(op.Err.Error(), "refused")
}

// closeRaw drops every TCP connection the dialer made, without a close frame.
func (c *Client) closeRaw() error {
	c.rawMu.Lock()
	raws := c.raws
	c.rawMu.Unlock()
	var first error
	for _, r := range raws {
		if err := r.Close(); err != nil && !errors.Is(err, net.ErrClosed) && first == nil {
			first = err
		}
	}
	return first
}
