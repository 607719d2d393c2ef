package refserver

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// Server is the WebSocket endpoint of a reference device. It is an
// http.Handler, so it can be mounted in any HTTP server; HTTPHandler and
// WebHandler serve the device's embedded HTTP server and discovery file from
// the same state, and Start runs all three on their own listeners. All
// methods are safe for concurrent use.
type Server struct {
	profile    Profile
	secrets    Secrets
	now        func() time.Time
	apiTTL     time.Duration
	httpTTL    time.Duration
	lockoutDur time.Duration
	threshold  int
	httpPort   int
	maxFrame   int64
	log        *slog.Logger
	faults     faultSet
	variants   variantSet
	closeGrace time.Duration // tests shorten it

	// testHookMessage, when set by a test, runs on every text message before it
	// is handled (to provoke a panic in the handler).
	testHookMessage func(msg []byte)
	// testHookConnected, when set by a test, runs after each handshake,
	// before the connection is registered (a handler the scheduler is late
	// to run).
	testHookConnected func()

	messages atomic.Uint64 // text messages handled (Stats)

	baseCtx   context.Context // parent of every connection; cancelled by Close
	cancel    context.CancelFunc
	wg        sync.WaitGroup // connection handlers and notification writers
	closeOnce sync.Once

	mu          sync.Mutex
	closed      bool
	nextID      uint64 // connections accepted so far (Stats)
	conns       map[*conn]struct{}
	byRemote    map[string]int // open connections per peer address (WaitGone)
	gone        chan struct{}  // closed and replaced whenever a connection is unregistered
	holder      map[Mode]*conn // one authorized connection per mode
	tokens      *tokenStore
	lastAPI     map[Mode]string // the last API token issued for each mode (fault repeated-tokens)
	wrong       int             // wrong secured credentials in a row, server-wide
	window      time.Duration   // Options.LockoutWindow, scaled (0: count in a row)
	wrongAt     []time.Time     // when the wrong credentials within window came (windowed lockout)
	lockouts    int             // times the lockout started (Stats)
	lockedUntil time.Time       // secured logins get 6 until then
	retired     []retiredSecret // secrets setAuthParams replaced (faults old-*-kept, preconnected-keeps-old-secret)

	// authBroken is set by a bad frame under the faults
	// invalid-json-breaks-next-auth and binary-frame-breaks-next-auth: the next
	// success on a connection with an id above authBrokenAfter fails.
	authBroken      bool
	authBrokenAfter uint64

	// apiRing and apiSeq are the last 16 API token values and how many have
	// been issued (fault api-tokens-cycle-after-16).
	apiRing [apiTokenPeriod]string
	apiSeq  int
	// bannedUntil is when each host may connect again after an oversize frame
	// (fault oversize-frame-bans-host).
	bannedUntil map[string]time.Time
}

// conn is one WebSocket client. mode and authExpiry are guarded by Server.mu.
type conn struct {
	id     uint64
	ws     *websocket.Conn
	raw    net.Conn // the hijacked connection, to cut it when a close handshake hangs
	remote string   // the peer's address, "host:port" (WaitGone)
	ctx    context.Context
	log    *slog.Logger

	out   outbox // what the connection is sent, in order
	outMu sync.Mutex

	mode       Mode
	authExpiry time.Time // expiry of the API token of the original authorization; zero = never
	apiToken   string    // the token of the connection's last success (fault status-change-keeps-tokens)
	httpToken  string    // and its tokenForHttpServer

	// Bookkeeping that only faults read. origin, loginMode, authToken, wrong,
	// displacedFrom and switched are guarded by Server.mu; lastRequestID,
	// failures, usedRequestIDs and requestIDReused belong to the connection's
	// own goroutine.
	origin        Origin          // how the last success was obtained
	loginMode     Mode            // the mode of the last success that was not a status change
	authToken     string          // the token the last success presented, if it was a token authorization
	wrong         int             // wrong secured credentials in a row on this connection
	wrongAt       []time.Time     // when, under a windowed lockout
	displacedFrom Mode            // the mode another connection last displaced this one from
	lastRequestID json.RawMessage // the requestId of the last message that had one
	prevRequestID json.RawMessage // the one before it
	failures      int             // failed auths in a row on this connection
	auths         int             // auths answered on this connection (fault silent-after-many-auths)
	switched      bool            // the connection made a status change to user once
	openedLocked  bool            // a lockout was in force when the connection opened (lockoutFaults)
	// usedRequestIDs are the requestIds the connection's messages carried,
	// kept only under the fault reused-request-id-unanswered (so that a
	// conformant server's memory does not grow with a connection's
	// messages); requestIDReused says the current message's was among them.
	usedRequestIDs  map[string]bool
	requestIDReused bool
}

// Stats counts what the server has served since it started.
type Stats struct {
	Connections uint64 // WebSocket connections accepted
	Messages    uint64 // text messages handled
	Tokens      int    // tokens held (live, or dead and not yet forgotten)
	Lockouts    int    // times the lockout started (RC-6)
}

// Stats returns what the server has served so far: a benchmark divides its
// time by these to compare with the network floor.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{Connections: s.nextID, Messages: s.messages.Load(), Tokens: len(s.tokens.byValue), Lockouts: s.lockouts}
}

// Profile returns the profile the server runs.
func (s *Server) Profile() Profile {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.profile
}

// Secrets returns the effective secrets: the configured ones the profile uses,
// plus the generated ones.
func (s *Server) Secrets() Secrets {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.secrets
}

// TokenInfo returns what the server knows about a token it issued: kind, mode,
// origin, expiry and whether it is live now on the server's clock. ok is false
// for a token this server never issued or has forgotten (dead, or among the
// oldest once the store nears its bound).
func (s *Server) TokenInfo(token string) (info TokenInfo, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.tokens.lookup(token)
	if !ok {
		return TokenInfo{}, false
	}
	info = r.TokenInfo
	info.Live = r.liveAt(s.now())
	return info, true
}

// ServeHTTP upgrades the request to a WebSocket and serves the control API on
// it until the peer leaves or the server closes. Any path is accepted: the
// API lives at "/", and a stand-in should not be stricter than the device.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		http.Error(w, "server closed", http.StatusServiceUnavailable)
		return
	}
	banned := s.bannedAt(r.RemoteAddr)
	if !banned {
		s.wg.Add(1) // under mu, so that Close's Wait cannot miss it
		// Counted before the handshake completes: a client that has its
		// 101 and asks WaitGone must find the connection still here, not
		// yet registered (its buffered request would be handled later).
		s.byRemote[r.RemoteAddr]++
	}
	// Whether a lockout was in force when the connection opened is decided
	// here, before the 101: the client may lock the server out from another
	// connection as soon as it has its answer (lockoutFaults).
	openedLocked := s.now().Before(s.lockedUntil)
	s.mu.Unlock()
	if banned {
		http.Error(w, "too many bad requests, try again later", http.StatusServiceUnavailable)
		return
	}
	defer s.wg.Done()
	defer s.left(r.RemoteAddr)

	// The device's own web manager runs on another port and so is a foreign
	// origin; the API has no cookie-based credentials for an origin check to
	// protect, so every origin is accepted.
	rec := &hijackRecorder{ResponseWriter: w}
	ws, err := websocket.Accept(rec, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		s.log.Debug("websocket handshake failed", "remote", r.RemoteAddr, "err", err)
		return // Accept has written the HTTP error
	}
	s.serveConn(ws, rec.conn, r.RemoteAddr, openedLocked)
}

// hijackRecorder keeps the net.Conn that websocket.Accept hijacks. The
// library's close handshake waits up to 10 s for a silent peer and no context
// reaches it; closing the net.Conn is the only way to bound Server.Close.
type hijackRecorder struct {
	http.ResponseWriter
	conn net.Conn
}

// Hijack hijacks the underlying connection (through any Unwrap chain) and
// records it.
func (h *hijackRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	h.conn = c
	return c, brw, err
}

// Unwrap gives http.ResponseController the wrapped writer.
func (h *hijackRecorder) Unwrap() http.ResponseWriter { return h.ResponseWriter }

// serveConn runs one connection: register, read loop, close with the right
// code, unregister. openedLocked says a lockout was in force when its
// handshake was answered.
func (s *Server) serveConn(ws *websocket.Conn, raw net.Conn, remote string, openedLocked bool) {
	if s.testHookConnected != nil {
		s.testHookConnected()
	}
	ctx, cancel := context.WithCancel(s.baseCtx)
	defer cancel()
	c := &conn{ws: ws, raw: raw, ctx: ctx, remote: remote}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ws.CloseNow() // Close is under way: no handshake that could hang it
		return
	}
	s.nextID++
	c.id = s.nextID
	c.openedLocked = openedLocked
	c.log = s.log.With("conn", c.id)
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	defer s.unregister(c)

	c.log.Debug("connection opened", "remote", remote)
	ws.SetReadLimit(s.maxFrame)
	code, reason := s.readLoop(c)
	s.closeOutbox(c)
	if code != 0 {
		_ = ws.Close(code, reason)
	} else {
		_ = ws.CloseNow()
	}
	c.log.Debug("connection closed")
}

// left records that the handler of a connection from remote has ended
// (after unregister, when the handshake succeeded): WaitGone's signal.
func (s *Server) left(remote string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byRemote[remote]--; s.byRemote[remote] <= 0 {
		delete(s.byRemote, remote)
	}
	close(s.gone)
	s.gone = make(chan struct{})
}

// unregister forgets a closed connection and frees its mode, so that the next
// client in that mode displaces nobody. Its API tokens survive: they exist to
// re-authorize later (TOK-1).
func (s *Server) unregister(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
	if c.mode != ModeNone && s.holder[c.mode] == c {
		delete(s.holder, c.mode)
	}
	c.mode = ModeNone
	s.tokens.ownerGone(c.id)
	if s.faults.has(faultTokenDiesWithConnection) {
		s.tokens.revokeOwnedAPI(c.id)
	}
}

// WaitGone waits until the server has finished with the connection whose
// peer address is remote (the client's local "host:port"): its mode is
// free and every effect of its close has happened. A client that closed a
// connection and wants to observe what the close did (TOK-1: a token must
// outlive its connection) waits for this instead of guessing a delay.
func (s *Server) WaitGone(ctx context.Context, remote string) error {
	for {
		s.mu.Lock()
		present := s.byRemote[remote] > 0
		gone := s.gone
		s.mu.Unlock()
		if !present {
			return nil
		}
		select {
		case <-gone:
		case <-ctx.Done():
			return fmt.Errorf("refserver: connection from %s still open: %w", remote, ctx.Err())
		}
	}
}

// readLoop reads messages until the connection ends. It returns the close
// code to send, or 0 when the connection is already gone (or the library has
// sent the close frame itself, as for 1009).
func (s *Server) readLoop(c *conn) (websocket.StatusCode, string) {
	for {
		typ, rd, err := c.ws.Reader(c.ctx)
		if err != nil {
			c.log.Debug("read ended", "err", err)
			return 0, ""
		}
		if typ != websocket.MessageText {
			s.noteBadFrame(faultBinaryFrameBreaksNextAuth)
			c.log.Info("binary message refused")
			return websocket.StatusUnsupportedData, "binary messages are not supported"
		}
		msg, err := io.ReadAll(rd)
		if err != nil {
			if errors.Is(err, websocket.ErrMessageTooBig) {
				s.noteOversizeFrame(c)
				c.log.Info("message too big", "limit", s.maxFrame) // the library sent 1009
			} else {
				c.log.Debug("read ended", "err", err)
			}
			return 0, ""
		}
		s.messages.Add(1)
		if code, reason := s.handleSafely(c, msg); code != 0 {
			return code, reason
		}
	}
}

// banDuration is how long the fault oversize-frame-bans-host refuses a host,
// on the server clock.
const banDuration = time.Second

// noteOversizeFrame bans the connection's host for a while under the fault
// oversize-frame-bans-host.
func (s *Server) noteOversizeFrame(c *conn) {
	if !s.faults.has(faultOversizeFrameBansHost) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bannedUntil[remoteHost(c.remote)] = s.now().Add(banDuration)
}

// bannedAt reports whether a new connection from remote is refused because
// its host sent an oversize frame (fault oversize-frame-bans-host). Called
// with s.mu held.
func (s *Server) bannedAt(remote string) bool {
	until, ok := s.bannedUntil[remoteHost(remote)]
	return ok && s.now().Before(until)
}

// remoteHost is the host part of a "host:port" peer address.
func remoteHost(remote string) string {
	if host, _, err := net.SplitHostPort(remote); err == nil {
		return host
	}
	return remote
}

// Close ends every open connection (close 1001, then cut after a short grace)
// and refuses new ones. It returns when every handler has finished, in bounded
// time whatever the peers do. A closed Server cannot be restarted.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		conns := slices.Collect(maps.Keys(s.conns))
		s.mu.Unlock()

		var closers sync.WaitGroup
		for _, c := range conns {
			closers.Go(func() { _ = c.ws.Close(websocket.StatusGoingAway, "server shutting down") })
		}
		done := make(chan struct{})
		go func() {
			closers.Wait()
			s.wg.Wait()
			close(done)
		}()
		grace := time.NewTimer(s.closeGrace)
		defer grace.Stop()
		select {
		case <-done:
		case <-grace.C:
			s.log.Warn("connections did not finish the close handshake in time; cutting them")
		}
		s.cancel() // aborts every read and write still running
		for _, c := range conns {
			if c.raw != nil {
				_ = c.raw.Close() // and unblocks close handshakes, which no context reaches
			}
		}
		<-done
	})
}
