package refserver

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"net"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// Documented lifetimes and defaults (auth-method.txt, requirements.md).
const (
	defaultAPITokenTTL      = 30 * 24 * time.Hour
	defaultHTTPTokenTTL     = 5 * time.Minute
	defaultEmbeddedHTTPPort = 8766
	defaultMaxFrameBytes    = 1 << 20
	defaultLockoutThreshold = 10
	defaultLockoutDuration  = 60 * time.Second
)

// Transport bounds. They run on the real clock: they protect the server, they
// are not behaviour under test.
const (
	writeTimeout = 5 * time.Second // a peer that does not read cannot hold a goroutine longer
	closeGrace   = time.Second     // Close waits this long for close handshakes before cutting connections
)

// appStateNormal is getAppState's appState in the recorded replies of an idle
// device.
const appStateNormal = 3

// Options configure a Server. The zero value runs the default profile with
// generated secrets and the documented lifetimes.
type Options struct {
	// Profile is the protection setup; the zero Profile means DefaultProfile.
	Profile Profile
	// Secrets are the credentials; missing ones the profile needs are generated.
	Secrets Secrets
	// Now is the clock for token lifetimes and lockout; nil means time.Now.
	// Tests inject a fake clock instead of sleeping.
	Now func() time.Time
	// TimeScale divides the token lifetimes and the lockout duration, whether
	// documented defaults or set below (1000 makes 5 min = 300 ms); 0 means 1.
	TimeScale float64
	// EmbeddedHTTPPort is reported by getAppState as embeddedHttpPort; 0 means
	// the port of the HTTP listener under Start, and 8766 otherwise.
	EmbeddedHTTPPort int
	// HTTPAddr is where Start runs the embedded HTTP server (HTTPHandler);
	// empty means the host of Start's addr with port 0 (a free port).
	HTTPAddr string
	// WebAddr is where Start runs the web manager's discovery file
	// (WebHandler); empty means the host of Start's addr with port 0.
	WebAddr string
	// MaxFrameBytes is the largest message accepted; a larger one ends the
	// connection with close 1009. 0 means 1 MiB.
	MaxFrameBytes int64
	// LockoutThreshold is the number of wrong secured credentials in a row
	// (server-wide) that triggers the lockout; 0 means 10.
	LockoutThreshold int
	// TokenTag, when set, is put into every token the server issues, so a
	// test can search any output for a leaked token (redaction proofs). It
	// changes the tokens' shape; leave it empty otherwise.
	TokenTag string
	// LockoutDuration is how long every secured login gets resultCode 6;
	// 0 means 60 s. Divided by TimeScale.
	LockoutDuration time.Duration
	// APITokenTTL is the lifetime of a token from an unsecured, password or PIN
	// authorization; 0 means the documented 30 days. Divided by TimeScale.
	// Tokens from the command-line PIN never expire regardless.
	APITokenTTL time.Duration
	// HTTPTokenTTL is the lifetime of tokenForHttpServer; 0 means the
	// documented 5 minutes. Divided by TimeScale.
	HTTPTokenTTL time.Duration
	// Logger receives connection and authorization events; nil discards them.
	// Secrets and tokens are never logged.
	Logger *slog.Logger
	// Faults are deliberate deviations from requirements.md, by name (see
	// Faults); New rejects an unknown name with the list of valid ones.
	Faults []string
	// Variants are conformant alternatives to the reference's own choices, by
	// name (see Variants); New rejects an unknown name likewise.
	Variants []string
}

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

	baseCtx   context.Context // parent of every connection; cancelled by Close
	cancel    context.CancelFunc
	wg        sync.WaitGroup // connection handlers and notification writers
	closeOnce sync.Once

	mu          sync.Mutex
	closed      bool
	nextID      uint64
	conns       map[*conn]struct{}
	holder      map[Mode]*conn // one authorized connection per mode
	tokens      *tokenStore
	lastAPI     map[Mode]string // the last API token issued for each mode (fault repeated-tokens)
	wrong       int             // wrong secured credentials in a row, server-wide
	lockedUntil time.Time       // secured logins get 6 until then

	// authBroken is set by a bad frame under the faults
	// invalid-json-breaks-next-auth and binary-frame-breaks-next-auth: the next
	// success on a connection with an id above authBrokenAfter fails.
	authBroken      bool
	authBrokenAfter uint64
}

// conn is one WebSocket client. mode and authExpiry are guarded by Server.mu.
type conn struct {
	id  uint64
	ws  *websocket.Conn
	raw net.Conn // the hijacked connection, to cut it when a close handshake hangs
	ctx context.Context
	log *slog.Logger

	mode       Mode
	authExpiry time.Time // expiry of the API token of the original authorization; zero = never
	apiToken   string    // the token of the connection's last success (fault status-change-keeps-tokens)
	httpToken  string    // and its tokenForHttpServer
}

// New validates the options and builds a server. Missing secrets the profile
// needs are generated with crypto/rand; read them back with Secrets.
func New(opts Options) (*Server, error) {
	p := opts.Profile
	if p == (Profile{}) {
		var err error
		if p, err = LookupProfile(DefaultProfile); err != nil {
			return nil, fmt.Errorf("refserver: %w", err)
		}
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("refserver: %w", err)
	}
	sec, err := effectiveSecrets(p, opts.Secrets)
	if err != nil {
		return nil, fmt.Errorf("refserver: %w", err)
	}
	faults, err := parseNames[faultSet]("fault", opts.Faults, faultNames())
	if err != nil {
		return nil, fmt.Errorf("refserver: %w", err)
	}
	variants, err := parseNames[variantSet]("variant", opts.Variants, variantNames())
	if err != nil {
		return nil, fmt.Errorf("refserver: %w", err)
	}
	mintToken := newTokenValue
	if variants.has(variantOpaqueTokens) {
		mintToken = newOpaqueTokenValue
	}

	scale := opts.TimeScale
	if scale == 0 {
		scale = 1
	}
	var errs []error
	if math.IsNaN(scale) || math.IsInf(scale, 0) || scale < 0 {
		errs = append(errs, fmt.Errorf("time scale %v is not a positive number", opts.TimeScale))
		scale = 1
	}
	dur := func(name string, d, def time.Duration) time.Duration {
		if d < 0 {
			errs = append(errs, fmt.Errorf("%s %v is negative", name, d))
		}
		if d <= 0 {
			d = def
		}
		return scaleDuration(d, scale)
	}
	s := &Server{
		profile:    p,
		secrets:    sec,
		now:        opts.Now,
		apiTTL:     dur("API token lifetime", opts.APITokenTTL, defaultAPITokenTTL),
		httpTTL:    dur("HTTP token lifetime", opts.HTTPTokenTTL, defaultHTTPTokenTTL),
		lockoutDur: dur("lockout duration", opts.LockoutDuration, defaultLockoutDuration),
		threshold:  opts.LockoutThreshold,
		httpPort:   opts.EmbeddedHTTPPort,
		maxFrame:   opts.MaxFrameBytes,
		log:        opts.Logger,
		faults:     faults,
		variants:   variants,
		conns:      make(map[*conn]struct{}),
		holder:     make(map[Mode]*conn),
		tokens:     newTokenStore(maxTokens, tagged(mintToken, opts.TokenTag)),
		lastAPI:    make(map[Mode]string),
		closeGrace: closeGrace,
	}
	switch {
	case s.threshold == 0:
		s.threshold = defaultLockoutThreshold
	case s.threshold < 0:
		errs = append(errs, fmt.Errorf("lockout threshold %d is negative", s.threshold))
	}
	switch {
	case s.httpPort == 0:
		s.httpPort = defaultEmbeddedHTTPPort
	case s.httpPort < 0 || s.httpPort > 65535:
		errs = append(errs, fmt.Errorf("embedded HTTP port %d is out of range", s.httpPort))
	}
	switch {
	case s.maxFrame == 0:
		s.maxFrame = defaultMaxFrameBytes
	case s.maxFrame < 0:
		errs = append(errs, fmt.Errorf("max frame bytes %d is negative", s.maxFrame))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("refserver: options: %w", err)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.baseCtx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// scaleDuration divides d by scale, saturating instead of overflowing.
func scaleDuration(d time.Duration, scale float64) time.Duration {
	f := float64(d) / scale
	if f >= math.MaxInt64 {
		return math.MaxInt64
	}
	// At least 1 ns, so that a token is live at the instant it is issued however
	// large the scale.
	return max(time.Duration(f), 1)
}

// Profile returns the profile the server runs.
func (s *Server) Profile() Profile { return s.profile }

// Secrets returns the effective secrets: the configured ones the profile uses,
// plus the generated ones.
func (s *Server) Secrets() Secrets { return s.secrets }

// TokenInfo returns what the server knows about a token it issued: kind, mode,
// origin, expiry and whether it is live now on the server's clock. ok is false
// for a token this server never issued (or has forgotten after expiry).
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
	s.wg.Add(1) // under mu, so that Close's Wait cannot miss it
	s.mu.Unlock()
	defer s.wg.Done()

	// The device's own web manager runs on another port and so is a foreign
	// origin; the API has no cookie-based credentials for an origin check to
	// protect, so every origin is accepted.
	rec := &hijackRecorder{ResponseWriter: w}
	ws, err := websocket.Accept(rec, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		s.log.Debug("websocket handshake failed", "remote", r.RemoteAddr, "err", err)
		return // Accept has written the HTTP error
	}
	s.serveConn(ws, rec.conn, r.RemoteAddr)
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
// code, unregister.
func (s *Server) serveConn(ws *websocket.Conn, raw net.Conn, remote string) {
	ctx, cancel := context.WithCancel(s.baseCtx)
	defer cancel()
	c := &conn{ws: ws, raw: raw, ctx: ctx}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ws.CloseNow() // Close is under way: no handshake that could hang it
		return
	}
	s.nextID++
	c.id = s.nextID
	c.log = s.log.With("conn", c.id)
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	defer s.unregister(c)

	c.log.Debug("connection opened", "remote", remote)
	ws.SetReadLimit(s.maxFrame)
	code, reason := s.readLoop(c)
	if code != 0 {
		_ = ws.Close(code, reason)
	} else {
		_ = ws.CloseNow()
	}
	c.log.Debug("connection closed")
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
	if s.faults.has(faultTokenDiesWithConnection) {
		s.tokens.revokeOwned(c.id, APIToken)
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
				c.log.Info("message too big", "limit", s.maxFrame) // the library sent 1009
			} else {
				c.log.Debug("read ended", "err", err)
			}
			return 0, ""
		}
		if code, reason := s.handleSafely(c, msg); code != 0 {
			return code, reason
		}
	}
}

// handleSafely handles one message: exactly one response, and the connection
// stays open (ENV-1, ENV-9). It returns the close code to end the connection
// with, or 0 to go on. A panic becomes a logged error and close 1011: the last
// line of defence, so that one connection's bad input never takes the server
// down.
func (s *Server) handleSafely(c *conn, msg []byte) (code websocket.StatusCode, reason string) {
	defer func() {
		if p := recover(); p != nil {
			c.log.Error("panic while handling a message", "panic", p, "stack", string(debug.Stack()))
			code, reason = websocket.StatusInternalError, "internal error"
		}
	}()
	if s.testHookMessage != nil {
		s.testHookMessage(msg)
	}
	reply, displaced := s.dispatch(c, msg)
	for _, v := range displaced {
		s.notifyDisplaced(v)
	}
	b, err := encode(reply)
	if err != nil {
		panic(err) // our own reply types always encode; recovered above
	}
	if s.variants.has(variantEventsBeforeResponses) {
		s.sendEvent(c, appStateEvent{Method: "event", Event: "appStateChanged", AppState: appStateNormal})
	}
	s.send(c, b)
	ar, isAuth := reply.(authReply)
	if isAuth && s.faults.has(faultDuplicateResponse) {
		s.send(c, b)
	}
	if isAuth && ar.ResultCode != rcOK && s.faults.has(faultCloseAfterFailure) {
		return websocket.StatusNormalClosure, "authorization failed"
	}
	return 0, ""
}

// sendEvent writes one notification on the connection's own goroutine, so
// that it arrives before the response that follows.
func (s *Server) sendEvent(c *conn, e any) {
	b, err := encode(e)
	if err != nil {
		panic(err) // our own event types always encode; recovered by handleSafely
	}
	s.send(c, b)
}

// send writes one message, bounded by writeTimeout. A failed write closes the
// connection (the library does so when the context ends), which ends its loop.
func (s *Server) send(c *conn, b []byte) {
	ctx, cancel := context.WithTimeout(c.ctx, writeTimeout)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, b); err != nil {
		c.log.Debug("write failed", "err", err)
	}
}

// notifyDisplaced tells a connection that another client took its mode
// (authorizationNeeded, cause 1). It writes from its own goroutine so that a
// peer that does not read cannot delay the newcomer's response.
func (s *Server) notifyDisplaced(v *conn) {
	b, err := encode(event{Method: "event", Event: "authorizationNeeded", Cause: causeOtherClient})
	if err != nil {
		v.log.Error("encode notification", "err", err)
		return
	}
	v.log.Info("displaced by another connection in the same mode")
	if s.faults.has(faultNoDisplacementNotice) {
		return
	}
	s.wg.Go(func() { s.send(v, b) })
}

// noteBadFrame arms a fault that breaks the next auth after a bad frame
// (invalid-json-breaks-next-auth, binary-frame-breaks-next-auth), when that
// fault is on: only connections opened after this frame are affected.
func (s *Server) noteBadFrame(f fault) {
	if !s.faults.has(f) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authBroken = true
	s.authBrokenAfter = s.nextID
}

// dispatch parses one text message and builds its reply. It returns the
// connections the message displaced from their mode, to be notified.
func (s *Server) dispatch(c *conn, msg []byte) (reply any, displaced []*conn) {
	// RFC 8259 JSON text is UTF-8; rejecting invalid UTF-8 here also keeps
	// every echoed requestId valid in a text frame.
	if !utf8.Valid(msg) || !json.Valid(msg) {
		s.noteBadFrame(faultInvalidJSONBreaksNextAuth)
		return s.failure("", s.requestID(nil), errInvalidJSON), nil
	}
	if trimmed := bytes.TrimLeft(msg, " \t\r\n"); len(trimmed) == 0 || trimmed[0] != '{' {
		return s.failure("", s.requestID(nil), errNotObject), nil
	}
	var f fields
	if err := json.Unmarshal(msg, &f); err != nil {
		s.noteBadFrame(faultInvalidJSONBreaksNextAuth)
		return s.failure("", s.requestID(nil), errInvalidJSON), nil
	}
	id := s.requestID(f["requestId"])
	method, present, isString := f.str("method")
	if !present || !isString {
		return s.failure("", id, errNoMethod), nil
	}

	switch method {
	case "auth":
		return s.auth(c, id, f)
	case "setUsedApiVersion":
		// Real clients send it before auth; refusing it would break them.
		return plainReply{Method: method, RequestID: id, Result: true}, nil
	}

	s.mu.Lock()
	mode := c.mode
	s.mu.Unlock()
	if mode == ModeNone && !(method == "getAuthInfo" && s.faults.has(faultNoAuthRequired)) {
		return s.authRequired(method, id), nil
	}
	switch method {
	case "getAuthInfo":
		return s.authInfo(id, mode), nil
	case "getAppState":
		return appStateReply{Method: method, RequestID: id, AppState: appStateNormal, EmbeddedHTTPPort: s.httpPort, Result: true}, nil
	case "getTokenForHttpServer":
		return s.tokenForHTTPServer(c, id), nil
	case "clearTokens":
		return s.clearTokens(c, id), nil
	}
	return s.failure(method, id, errUnknownMethod), nil
}

// requestID is the requestId a reply echoes: the request's raw JSON value, so
// that a string comes back byte for byte (ENV-3) and a number stays a number
// (ENV-5); "" when the request has none (ENV-4, first member). raw is nil when
// there is none; a nil result omits the field.
func (s *Server) requestID(raw json.RawMessage) json.RawMessage {
	switch {
	case raw == nil && s.faults.has(faultRequestIDInvented):
		return inventedRequestID
	case raw == nil && s.variants.has(variantRequestIDAbsent):
		return nil
	case raw == nil:
		return emptyRequestID
	case isJSONNumber(raw) && s.variants.has(variantNumericRequestIDAsString):
		return quoteJSON(string(raw))
	case raw[0] != '"' || !(s.faults.has(faultRequestIDNonASCIIMangled) || s.faults.has(faultRequestIDTruncated)):
		return raw
	}
	var id string
	if err := json.Unmarshal(raw, &id); err != nil {
		return raw // cannot happen: dispatch has validated the JSON
	}
	mangled := id
	if s.faults.has(faultRequestIDNonASCIIMangled) {
		mangled = strings.Map(func(r rune) rune {
			if r >= utf8.RuneSelf {
				return '?'
			}
			return r
		}, mangled)
	}
	if s.faults.has(faultRequestIDTruncated) && len(mangled) > maxEchoedRequestID {
		// Cut at a rune boundary, so that the echo stays valid UTF-8.
		n := maxEchoedRequestID
		for n > 0 && !utf8.RuneStart(mangled[n]) {
			n--
		}
		mangled = mangled[:n]
	}
	if mangled == id {
		return raw // unchanged: keep the request's own escapes
	}
	return quoteJSON(mangled)
}

// maxEchoedRequestID is where the fault request-id-truncated cuts a requestId.
const maxEchoedRequestID = 255

// isJSONNumber reports whether a raw JSON value is a number.
func isJSONNumber(raw json.RawMessage) bool {
	return len(raw) > 0 && (raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'))
}

// quoteJSON encodes a string as a JSON string without HTML escaping, like the
// replies themselves.
func quoteJSON(v string) json.RawMessage {
	b, err := encode(v)
	if err != nil {
		panic(err) // a string always encodes; recovered by handleSafely
	}
	return b
}

// errorText is the text of a failure's error field (FAIL-3: TrueConf's own
// client expects one); "" omits the field, under the variant no-error-text.
func (s *Server) errorText(text string) string {
	if s.variants.has(variantNoErrorText) {
		return ""
	}
	return text
}

// failure is the refusal of a message that is not auth: result false and an
// error text.
func (s *Server) failure(method string, id json.RawMessage, text string) plainReply {
	return plainReply{Method: method, RequestID: id, Result: false, Error: s.errorText(text)}
}

// authRequired refuses a command before auth (SEC-1, which accepts result
// false, an error field, or both): both, or under the variant
// refusal-error-only the error alone. The error-only refusal keeps its text
// even under no-error-text, since it is then the refusal's only sign.
func (s *Server) authRequired(method string, id json.RawMessage) any {
	if s.variants.has(variantRefusalErrorOnly) {
		return errorReply{Method: method, RequestID: id, Error: errAuthRequired}
	}
	return s.failure(method, id, errAuthRequired)
}

// authInfo answers getAuthInfo. The user PIN is shown only to an administrator
// (SEC-2): a user must not learn the PIN it authorized with from someone else.
func (s *Server) authInfo(id json.RawMessage, mode Mode) authInfoReply {
	r := authInfoReply{
		Method:    "getAuthInfo",
		RequestID: id,
		AdminAuth: authInfo{Security: s.profile.Admin},
		UserAuth:  authInfo{Security: s.profile.User},
		Result:    true,
	}
	show := mode == ModeAdmin || (mode == ModeUser && s.faults.has(faultPINShownToUser))
	if s.profile.User == PIN && show && !s.faults.has(faultPINHiddenFromAdmin) {
		r.UserAuth.PIN = s.secrets.UserPIN
	}
	return r
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

// fields is a request object with its values undecoded, so that presence,
// JSON type and value can be told apart (a wrong type is a result code, not a
// parse error).
type fields map[string]json.RawMessage

// str returns a field as a string: present is false when the key is absent,
// isString is false for any other JSON type (null included).
func (f fields) str(key string) (val string, present, isString bool) {
	raw, ok := f[key]
	if !ok {
		return "", false, false
	}
	if len(raw) == 0 || raw[0] != '"' {
		return "", true, false
	}
	if err := json.Unmarshal(raw, &val); err != nil {
		return "", true, false
	}
	return val, true, true
}
