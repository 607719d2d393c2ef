package wire

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coder/websocket"

	"github.com/roomconform/conform/internal/redact"
)

// releaseTimeout bounds the waits after the connection has been dropped (read pump exit, library
// close); they take microseconds, the bound only guards against a hang.
const releaseTimeout = 2 * time.Second

// Response is the answer Call returns.
type Response struct {
	Message
	// Matched: the requestId matched (or no requestId was sent). False means the first non-event
	// message after the send carried another requestId (or none); it is returned rather than waited
	// out, so that the caller can report it.
	Matched bool
}

// Client is one WebSocket connection to the control API.
//
// Reading: one read pump goroutine owns Conn.Read (a deadline on Read would close the connection).
// It sorts what arrives: notifications (method "event") are stored for Events/WaitEvent, everything
// else goes to one queue that Call, Next and Quiet take from.
//
// Call, Next and Quiet are not for concurrent use with each other: the protocol is lock-step, one
// outstanding request at a time. A second concurrent Call or Next returns an error instead of
// stealing the other's response. WaitEvent, the Send methods and the accessors may be used from any
// goroutine at any time.
type Client struct {
	url        string
	opts       Options
	conn       *websocket.Conn
	tr         *Transcript
	red        *redact.Redactor
	autoFields map[string]bool
	autoRE     *regexp.Regexp // fallback for payloads that are not a JSON object

	rawMu sync.Mutex
	raws  []net.Conn // the TCP connections the dialer made, so Close and Abort can always drop them

	closing   atomic.Bool // Close, CloseNow or Abort began: the pump must not close the connection itself
	aborted   atomic.Bool
	peerClose atomic.Bool // the pump recorded the server's close frame
	done      chan struct{}

	mu            sync.Mutex
	wake          chan struct{} // closed and replaced on every change waiters care about
	err           error         // why the connection ended; nil while open
	busy          bool          // a Call or Next is waiting
	call          *pendingCall
	queue         []queued // non-event messages not yet taken
	events        []Message
	droppedEvents int
	droppedMsgs   int
	unsolicited   []Message
	duplicates    []Message
	answered      []any // requestIds a Call returned a response for
	abandoned     []any // requestIds of Calls that timed out
	waiters       map[*eventWaiter]struct{}
}

type pendingCall struct {
	id    any
	hasID bool
}

type queued struct {
	msg Message
	dup bool // also recorded in duplicates; Call skips it
}

type eventWaiter struct {
	inbox []Message // notifications that arrived since the waiter registered
}

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

// ClosedError says why a connection ended; Client.Err returns one. It wraps ErrClosed and the
// library's error, so errors.Is(err, ErrClosed) and websocket.CloseStatus(err) both work.
type ClosedError struct {
	Code     int    // close code the server sent, -1 if none arrived
	Reason   string // close reason the server sent
	ByClient bool   // Close, CloseNow or Abort ended it
	msg      string
	err      error
}

// Error describes how the connection ended, with the close code and reason when there were some.
func (e *ClosedError) Error() string { return e.msg }

// Unwrap exposes ErrClosed and the library's error.
func (e *ClosedError) Unwrap() []error { return []error{ErrClosed, e.err} }

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
	dialer := &net.Dialer{}
	transport := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := dialer.DialContext(ctx, network, addr)
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

func (c *Client) setAutoRedact(fields []string) {
	if len(fields) == 0 {
		return
	}
	c.autoFields = map[string]bool{}
	quoted := make([]string, 0, len(fields))
	for _, f := range fields {
		c.autoFields[f] = true
		quoted = append(quoted, regexp.QuoteMeta(f))
	}
	c.autoRE = regexp.MustCompile(`"(` + strings.Join(quoted, "|") + `)"\s*:\s*("(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*)`)
}

// pump is the only reader of the connection. It ends when the connection does.
func (c *Client) pump() {
	defer close(c.done)
	for {
		typ, b, err := c.conn.Read(context.Background())
		if err != nil {
			c.ended(err)
			return
		}
		c.receive(b, typ == websocket.MessageBinary)
	}
}

// receive files one message. c.mu is held while the frame is recorded, so that a Call starting
// meanwhile cannot see the message half filed. Messages that are dropped for a full list are
// neither recorded nor scanned for secrets: a server flooding unique tokens must not grow the
// transcript or the Redactor.
func (c *Client) receive(raw []byte, binary bool) {
	m := ParseMessage(raw, binary)
	m.At = c.tr.Elapsed()
	c.mu.Lock()
	defer c.mu.Unlock()
	if m.IsEvent() {
		c.receiveEvent(m)
		return
	}
	id, hasID := m.RequestID()
	switch {
	case c.call != nil && c.call.hasID && hasID && IDMatches(c.call.id, id):
		// The response the current Call waits for, even if the id was used before.
	case hasID && matchesAny(c.abandoned, id):
		c.record(m)
		c.tr.Notef(c.opts.Name, "late answer to requestId %s, whose Call had timed out: dropped", idText(id))
		return
	case hasID && matchesAny(c.answered, id):
		c.record(m)
		c.noteDuplicate(m, id)
		c.enqueue(queued{msg: m, dup: true})
		return
	}
	if len(c.queue) < maxKept {
		c.record(m)
	}
	c.enqueue(queued{msg: m})
}

// enqueue adds a non-event message to the queue Call, Next and Quiet take from. c.mu must be held.
func (c *Client) enqueue(q queued) {
	if len(c.queue) >= maxKept {
		c.droppedMsgs++
		if c.droppedMsgs%100 == 1 {
			c.tr.Notef(c.opts.Name, "%d messages nobody took are queued: %d dropped so far (not recorded)", maxKept, c.droppedMsgs)
		}
		return
	}
	c.queue = append(c.queue, q)
	c.broadcast()
}

// receiveEvent stores a notification and hands it to waiting WaitEvent calls. c.mu must be held.
func (c *Client) receiveEvent(m Message) {
	stored := len(c.events) < c.opts.MaxEvents
	if stored {
		c.events = append(c.events, m)
	} else {
		c.droppedEvents++
		if c.droppedEvents%100 == 1 {
			c.tr.Notef(c.opts.Name, "notification limit of %d reached: %d dropped so far (not recorded)", c.opts.MaxEvents, c.droppedEvents)
		}
	}
	delivered := false
	for w := range c.waiters {
		if len(w.inbox) < maxKept {
			w.inbox = append(w.inbox, m)
			delivered = true
		}
	}
	if stored {
		c.record(m)
	} else if delivered {
		c.autoRedact(m) // a caller now holds it, and may send its token back
	}
	c.broadcast()
}

// autoRedact registers the values of the AutoRedact fields before the frame is recorded, at any
// depth of the message: a token is a secret wherever a target puts it.
func (c *Client) autoRedact(m Message) {
	if c.red == nil || c.autoFields == nil || m.Binary {
		return
	}
	if m.Fields == nil {
		// Not an object (e.g. a truncated reply): still keep what looks like a credential out.
		for _, sub := range c.autoRE.FindAllSubmatch(m.Raw, -1) {
			val := string(sub[2])
			var s string
			if json.Unmarshal(sub[2], &s) == nil {
				val = s
			} else {
				val = strings.Trim(val, `"`)
			}
			c.red.Add(string(sub[1]), val)
		}
		return
	}
	c.autoRedactIn(m.Fields)
}

func (c *Client) autoRedactIn(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			c.autoRedactField(k, x)
			c.autoRedactIn(x)
		}
	case []any:
		for _, x := range t {
			c.autoRedactIn(x)
		}
	}
}

func (c *Client) autoRedactField(k string, v any) {
	if !c.autoFields[k] {
		return
	}
	switch s := v.(type) {
	case string:
		c.red.Add(k, s)
	case json.Number: // a PIN sent as a number is still a PIN
		c.red.Add(k, s.String())
	}
}

// record scans m for secrets and adds it to the transcript.
func (c *Client) record(m Message) {
	c.autoRedact(m)
	if m.Binary {
		c.tr.Add(c.opts.Name, Received, "binary", string(m.Raw))
		return
	}
	c.tr.Add(c.opts.Name, Received, "text", string(m.Raw))
}

// ended records why the connection ended and wakes every waiter.
func (c *Client) ended(err error) {
	ce := &ClosedError{Code: int(websocket.CloseStatus(err)), ByClient: c.closing.Load(), err: err}
	var wce websocket.CloseError
	if errors.As(err, &wce) {
		ce.Reason = wce.Reason
	}
	name := c.opts.Name
	switch {
	case ce.Code != -1:
		c.peerClose.Store(true)
		c.tr.Add(name, Received, "close", fmt.Sprintf("code %d reason %q", ce.Code, ce.Reason))
		if ce.ByClient {
			ce.msg = fmt.Sprintf("connection closed by client (server answered with code %d)", ce.Code)
		} else {
			ce.msg = fmt.Sprintf("connection closed by server: code %d (%v), reason %q", ce.Code, websocket.StatusCode(ce.Code), ce.Reason)
		}
	case errors.Is(err, websocket.ErrMessageTooBig):
		c.tr.Add(name, Received, "error", fmt.Sprintf("frame larger than the read limit of %d bytes: %v; connection closed with 1009", c.opts.ReadLimit, err))
		ce.msg = fmt.Sprintf("connection closed: server sent a frame larger than the read limit of %d bytes", c.opts.ReadLimit)
	case c.aborted.Load():
		ce.msg = "connection aborted by client"
	case ce.ByClient:
		ce.msg = "connection closed by client"
	default:
		c.tr.Add(name, Received, "error", "connection ended without a close frame: "+err.Error())
		ce.msg = "connection ended without a close frame: " + err.Error()
	}

	c.mu.Lock()
	c.err = ce
	c.broadcast()
	c.mu.Unlock()
	if !c.closing.Load() {
		_ = c.conn.CloseNow() // release the library's resources; the connection is gone anyway
	}
}

// broadcast wakes every waiter; c.mu must be held.
func (c *Client) broadcast() {
	close(c.wake)
	c.wake = make(chan struct{})
}

func matchesAny(ids []any, id any) bool {
	for _, known := range ids {
		if IDMatches(known, id) {
			return true
		}
	}
	return false
}

// trackable: "" and null are what servers echo for requests without an id, so remembering them as
// answered or abandoned would misfile the answers of later id-less requests.
func trackable(id any) bool {
	return id != nil && id != ""
}

func appendCapped(list []Message, m Message, dropped *int) []Message {
	if len(list) >= maxKept {
		*dropped++
		return list
	}
	return append(list, m)
}

func rememberID(ids []any, id any) []any {
	if len(ids) >= maxKept {
		ids = ids[1:]
	}
	return append(ids, id)
}

func forgetID(ids []any, id any) []any {
	return slices.DeleteFunc(ids, func(known any) bool { return IDMatches(known, id) || IDMatches(id, known) })
}

// bound is one wait limited by min(ctx, a timeout).
type bound struct {
	ctx   context.Context
	d     time.Duration
	timer *time.Timer
}

func newBound(ctx context.Context, d time.Duration) *bound {
	return &bound{ctx: ctx, d: d, timer: time.NewTimer(d)}
}

func (b *bound) stop() { b.timer.Stop() }

// block waits for wake; it returns a non-nil error (wrapping ErrTimeout when time ran out) when the
// wait is over.
func (b *bound) block(wake <-chan struct{}) error {
	select {
	case <-wake:
		return nil
	case <-b.timer.C:
		return fmt.Errorf("within %v: %w", b.d, ErrTimeout)
	case <-b.ctx.Done():
		if errors.Is(b.ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("before the context deadline: %w (%w)", ErrTimeout, b.ctx.Err())
		}
		return fmt.Errorf("wait canceled: %w", b.ctx.Err())
	}
}

// acquire marks a Call or Next as waiting; the protocol is lock-step.
func (c *Client) acquire(what string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.busy {
		return fmt.Errorf("wire %s: %s while another Call or Next is waiting (one outstanding request at a time)", c.opts.Name, what)
	}
	c.busy = true
	return nil
}

func (c *Client) release() {
	c.mu.Lock()
	c.busy = false
	c.call = nil
	c.mu.Unlock()
}

// markDuplicates files queued answers to id, which has just been answered, as duplicates: they
// arrived together with the first answer, before the pump could know. c.mu must be held.
func (c *Client) markDuplicates(id any) {
	for i := range c.queue {
		q := &c.queue[i]
		if got, ok := q.msg.RequestID(); ok && !q.dup && IDMatches(id, got) {
			q.dup = true
			c.noteDuplicate(q.msg, got)
		}
	}
}

func (c *Client) noteDuplicate(m Message, id any) {
	c.duplicates = appendCapped(c.duplicates, m, &c.droppedMsgs)
	c.tr.Notef(c.opts.Name, "another response for requestId %s, which was already answered (duplicate)", idText(id))
}

// take removes and returns the first queued message; with skipDup, duplicates (already recorded in
// Duplicates) are discarded on the way. c.mu must be held.
func (c *Client) take(skipDup bool) (Message, bool) {
	for len(c.queue) > 0 {
		q := c.queue[0]
		c.queue[0] = queued{}
		c.queue = c.queue[1:]
		if skipDup && q.dup {
			continue
		}
		return q.msg, true
	}
	c.queue = nil
	return Message{}, false
}

// Call sends payload as one text frame and returns the response. payload is JSON built by the
// caller, so it can also be deliberately odd.
//
// Matching: if payload is a JSON object with a "requestId", the response is the first non-event
// message received after the send; Matched says whether its requestId equals the one sent (see
// IDMatches: a numeric id echoed as a string still matches). A non-matching message is returned at
// once with Matched=false (a server that echoes a wrong requestId must be reported, not waited out),
// except late answers to an earlier Call that timed out, which are dropped and noted in the
// transcript, and second answers to an already answered requestId, which go to Duplicates. Without
// a requestId (or with a payload that is not JSON) the response is the next non-event message.
// Messages that cannot be parsed are returned as responses with Err set. Notifications are never a
// response; they are stored for Events/WaitEvent. Non-event messages that arrived before the send go
// to Unsolicited. Use a fresh requestId per Call: a reused one cannot tell old answers from new.
//
// The wait is bounded by min(ctx, ResponseTimeout). On expiry the error wraps ErrTimeout and the
// connection stays open and usable. If the connection ends while waiting, the error wraps ErrClosed
// and says the close code and reason. Not for concurrent use with another Call or Next.
func (c *Client) Call(ctx context.Context, payload []byte) (Response, error) {
	pc := &pendingCall{}
	if fields, err := decodeObject(payload); err == nil {
		pc.id, pc.hasID = fields["requestId"]
	}
	if err := c.acquire("Call"); err != nil {
		return Response{}, err
	}
	defer c.release()
	what := "no response"
	if pc.hasID {
		what = "no response to requestId " + idText(pc.id)
	}

	c.mu.Lock()
	for {
		m, ok := c.take(true)
		if !ok {
			break
		}
		c.unsolicited = appendCapped(c.unsolicited, m, &c.droppedMsgs)
	}
	if pc.hasID && trackable(pc.id) {
		c.abandoned = forgetID(c.abandoned, pc.id)
		c.answered = forgetID(c.answered, pc.id)
	}
	c.call = pc
	c.mu.Unlock()

	if err := c.send(ctx, websocket.MessageText, payload); err != nil {
		return Response{}, err
	}
	b := newBound(ctx, c.opts.ResponseTimeout)
	defer b.stop()
	var waitErr error
	for {
		c.mu.Lock()
		if m, ok := c.take(true); ok {
			got, gotID := m.RequestID()
			matched := !pc.hasID || (gotID && IDMatches(pc.id, got))
			c.call = nil
			if pc.hasID && trackable(pc.id) {
				c.answered = rememberID(c.answered, pc.id)
				c.markDuplicates(pc.id)
			}
			c.mu.Unlock()
			if !matched {
				c.tr.Notef(c.opts.Name, "response does not carry requestId %s (returned unmatched)", idText(pc.id))
			}
			return Response{Message: m, Matched: matched}, nil
		}
		closed := c.err
		wake := c.wake
		if waitErr != nil {
			c.call = nil // from now on an answer is late, not the response
			if pc.hasID && trackable(pc.id) {
				c.abandoned = rememberID(c.abandoned, pc.id)
			}
		}
		c.mu.Unlock()
		if closed != nil {
			return Response{}, fmt.Errorf("wire %s: %s: %w", c.opts.Name, what, closed)
		}
		if waitErr != nil {
			c.tr.Notef(c.opts.Name, "%s %v; a late answer will be dropped", what, waitErr)
			return Response{}, fmt.Errorf("wire %s: %s %w", c.opts.Name, what, waitErr)
		}
		// When the wait ends, loop once more: an answer that came at the deadline is still taken.
		waitErr = b.block(wake)
	}
}

// Next returns the next non-event message (the queue Call takes from, including messages that
// arrived before this call and duplicates), bounded like Call. Use it after SendText/SendBinary.
// Not for concurrent use with Call or another Next.
func (c *Client) Next(ctx context.Context) (Message, error) {
	if err := c.acquire("Next"); err != nil {
		return Message{}, err
	}
	defer c.release()
	b := newBound(ctx, c.opts.ResponseTimeout)
	defer b.stop()
	for {
		c.mu.Lock()
		m, ok := c.take(false)
		closed, wake := c.err, c.wake
		c.mu.Unlock()
		if ok {
			return m, nil
		}
		if closed != nil {
			return Message{}, fmt.Errorf("wire %s: no message: %w", c.opts.Name, closed)
		}
		if err := b.block(wake); err != nil {
			return Message{}, fmt.Errorf("wire %s: no message %w", c.opts.Name, err)
		}
	}
}

// Quiet waits d (less if ctx ends or the connection ends) and then returns the non-event messages
// not yet taken: those that arrived during the window and any still queued from before it, such as
// a second response that came right after the first. nil if none. Used to check that no second
// response arrives. Not for concurrent use with Call or Next.
func (c *Client) Quiet(ctx context.Context, d time.Duration) []Message {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	case <-c.done:
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Message
	for {
		m, ok := c.take(false)
		if !ok {
			return out
		}
		out = append(out, m)
	}
}

// SendText sends payload as one text frame, bounded by ResponseTimeout and ctx's deadline. A write
// that times out closes the connection (a library property: a half-written frame cannot be
// recovered); canceling ctx does not interrupt a write in progress, for the same reason.
func (c *Client) SendText(ctx context.Context, payload []byte) error {
	return c.send(ctx, websocket.MessageText, payload)
}

// SendBinary sends payload as one binary frame, bounded like SendText.
func (c *Client) SendBinary(ctx context.Context, payload []byte) error {
	return c.send(ctx, websocket.MessageBinary, payload)
}

func (c *Client) send(ctx context.Context, typ websocket.MessageType, payload []byte) error {
	// Recorded before the write so that the transcript never shows an answer before its request.
	if typ == websocket.MessageBinary {
		c.tr.Add(c.opts.Name, Sent, "binary", string(payload))
	} else {
		c.tr.Add(c.opts.Name, Sent, "text", string(payload))
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("wire %s: send: %w", c.opts.Name, err)
	}
	// The library closes the connection when a write's context ends, so cancellation must not reach
	// a write in progress (it takes microseconds); only the deadline bounds a write that blocks.
	deadline := time.Now().Add(c.opts.ResponseTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	wctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	defer cancel()
	err := c.conn.Write(wctx, typ, payload)
	if err == nil {
		return nil
	}
	c.tr.Add(c.opts.Name, Note, "error", "send failed: "+err.Error())
	switch {
	case c.Err() != nil:
		return fmt.Errorf("wire %s: send: %w", c.opts.Name, c.Err())
	case wctx.Err() != nil:
		return fmt.Errorf("wire %s: send not completed in time (the connection is closed now): %w: %w", c.opts.Name, ErrTimeout, err)
	case errors.Is(err, net.ErrClosed):
		return fmt.Errorf("wire %s: send: %w: %w", c.opts.Name, ErrClosed, err)
	}
	return fmt.Errorf("wire %s: send: %w", c.opts.Name, err)
}

// WaitEvent returns the first stored or future notification for which match returns true (match nil
// = any), bounded like Call. Already-stored events are checked first, so a notification that came
// before the call is found; it is not removed (see ClearEvents). match runs in the caller's
// goroutine. Notifications beyond MaxEvents are not stored but are still seen by a waiting
// WaitEvent.
func (c *Client) WaitEvent(ctx context.Context, match func(Message) bool) (Message, error) {
	if match == nil {
		match = func(Message) bool { return true }
	}
	w := &eventWaiter{}
	c.mu.Lock()
	pending := slices.Clone(c.events)
	c.waiters[w] = struct{}{}
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.waiters, w)
		c.mu.Unlock()
	}()
	b := newBound(ctx, c.opts.ResponseTimeout)
	defer b.stop()
	for {
		for _, m := range pending {
			if match(m) {
				return m, nil
			}
		}
		c.mu.Lock()
		pending, w.inbox = w.inbox, nil
		closed, wake := c.err, c.wake
		c.mu.Unlock()
		if len(pending) > 0 {
			continue
		}
		if closed != nil {
			return Message{}, fmt.Errorf("wire %s: no matching notification: %w", c.opts.Name, closed)
		}
		if err := b.block(wake); err != nil {
			return Message{}, fmt.Errorf("wire %s: no matching notification %w", c.opts.Name, err)
		}
	}
}

// Events returns a copy of the stored notifications, in order of arrival.
func (c *Client) Events() []Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.events)
}

// ClearEvents forgets the stored notifications (not the dropped count), so that a later WaitEvent
// only sees what arrives from now on.
func (c *Client) ClearEvents() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events = nil
}

// DroppedEvents is the number of notifications dropped because MaxEvents were already stored.
func (c *Client) DroppedEvents() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.droppedEvents
}

// DroppedMessages is the number of non-event messages dropped because a list (queue, Unsolicited,
// Duplicates) already held 1000.
func (c *Client) DroppedMessages() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.droppedMsgs
}

// Unsolicited returns the non-event messages that nobody asked for: they were queued when a Call
// sent its request.
func (c *Client) Unsolicited() []Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.unsolicited)
}

// Duplicates returns the non-event messages whose requestId equals one already answered by a Call.
func (c *Client) Duplicates() []Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.duplicates)
}

// Transcript returns the transcript this connection records into.
func (c *Client) Transcript() *Transcript { return c.tr }

// Name returns the connection's label (Options.Name).
func (c *Client) Name() string { return c.opts.Name }

// URL returns the URL the client dialed.
func (c *Client) URL() string { return c.url }

// Done is closed when the connection has ended (and the read pump has stopped).
func (c *Client) Done() <-chan struct{} { return c.done }

// Err says why the connection ended (a *ClosedError with the close code and reason when the peer
// closed); nil while open.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Close performs a close handshake (code 1000) bounded by CloseTimeout, then drops the TCP
// connection if the server did not answer. It returns nil when the connection is gone in the end,
// however the server answered (that is recorded in the transcript), and when it was already closed,
// so it is safe in cleanup. An error means the read pump did not stop (which would be a bug).
func (c *Client) Close() error {
	if c.closing.Swap(true) {
		return c.waitDone()
	}
	select {
	case <-c.done: // the server ended it already; only release the library's resources
		_ = c.conn.CloseNow()
		return nil
	default:
	}
	c.tr.Add(c.opts.Name, Sent, "close", `code 1000 reason ""`)
	res := make(chan error, 1)
	go func() { res <- c.conn.Close(websocket.StatusNormalClosure, "") }()
	t := time.NewTimer(c.opts.CloseTimeout)
	defer t.Stop()
	select {
	case err := <-res:
		if werr := c.waitDone(); werr != nil {
			return werr
		}
		// When the pump was between reads, the library's Close read the server's answer itself.
		if !c.peerClose.Load() {
			if code := websocket.CloseStatus(err); code != -1 {
				var ce websocket.CloseError
				errors.As(err, &ce)
				c.tr.Add(c.opts.Name, Received, "close", fmt.Sprintf("code %d reason %q", code, ce.Reason))
			} else if err == nil {
				c.tr.Add(c.opts.Name, Received, "close", "code 1000 (close handshake completed)")
			}
		}
		return nil
	case <-t.C:
		// conn.CloseNow cannot interrupt a running Close; dropping the TCP connection can.
		c.tr.Notef(c.opts.Name, "close handshake not completed within %v: dropping the connection", c.opts.CloseTimeout)
		_ = c.closeRaw()
		rt := time.NewTimer(releaseTimeout)
		defer rt.Stop()
		select {
		case <-res:
		case <-rt.C:
		}
	}
	return c.waitDone()
}

// CloseNow closes the connection without a close handshake (the TCP connection is closed without
// sending a close frame). Returns nil when already closed.
func (c *Client) CloseNow() error {
	if c.closing.Swap(true) {
		return c.waitDone()
	}
	c.tr.Notef(c.opts.Name, "closing without close handshake")
	err := c.conn.CloseNow()
	if werr := c.waitDone(); werr != nil {
		return werr
	}
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("wire %s: close: %w", c.opts.Name, err)
	}
	return nil
}

// Abort drops the TCP connection without a close frame, to simulate an abrupt client close (a crash,
// a pulled cable). Returns nil when already closed.
func (c *Client) Abort() error {
	if c.closing.Swap(true) {
		return c.waitDone()
	}
	c.aborted.Store(true)
	c.tr.Notef(c.opts.Name, "aborting: dropping the TCP connection without a close frame")
	err := c.closeRaw()
	_ = c.conn.CloseNow() // release the library's side; nothing is written on a closed socket
	if werr := c.waitDone(); werr != nil {
		return werr
	}
	if err != nil {
		return fmt.Errorf("wire %s: abort: %w", c.opts.Name, err)
	}
	return nil
}

// waitDone waits, bounded, for the read pump to stop.
func (c *Client) waitDone() error {
	t := time.NewTimer(releaseTimeout)
	defer t.Stop()
	select {
	case <-c.done:
		return nil
	case <-t.C:
		return fmt.Errorf("wire %s: read pump did not stop within %v after close", c.opts.Name, releaseTimeout)
	}
}
