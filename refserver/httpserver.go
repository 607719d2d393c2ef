package refserver

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// The discovery file's path on the web manager (docs/reading.md).
const configJSONPath = "/public/default/config.json"

// frame is the body the embedded HTTP server answers an accepted request with:
// the smallest JPEG-shaped bytes (start and end of image). The suite looks at
// the status only; a real device returns a self-view frame.
var frame = []byte{0xFF, 0xD8, 0xFF, 0xD9}

// HTTPHandler is the device's embedded HTTP server (port 8766 on a device).
// Every request needs a token query parameter: a live tokenForHttpServer (from
// auth or getTokenForHttpServer) or a live overlayHttpToken gets 200 with a
// few bytes of image/jpeg; a missing, unknown, expired, revoked or cleared
// token, or a token of another kind (an API token), gets 401. Any path is
// served, since the device serves several (/frames/ is the one the suite
// probes). Only GET and HEAD are allowed; after Close every request gets 503.
// Tokens are never logged.
func (s *Server) HTTPHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status := s.serveFrame(w, r)
		// The path only: the query holds the token.
		s.log.Debug("http request", "method", r.Method, "path", r.URL.Path, "status", status)
	})
}

// serveFrame answers one request of the embedded HTTP server and returns the
// status it sent.
func (s *Server) serveFrame(w http.ResponseWriter, r *http.Request) int {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	switch {
	case closed:
		http.Error(w, "server closed", http.StatusServiceUnavailable)
		return http.StatusServiceUnavailable
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return http.StatusMethodNotAllowed
	case !s.httpAccepts(r.URL.Query().Get("token")):
		http.Error(w, "invalid or missing token", http.StatusUnauthorized)
		return http.StatusUnauthorized
	}
	h := w.Header()
	h.Set("Content-Type", "image/jpeg")
	h.Set("Content-Length", strconv.Itoa(len(frame)))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(frame) // a peer that went away is not an error here
	return http.StatusOK
}

// httpAccepts decides whether a token opens the embedded HTTP server: a live
// HTTP or overlay token this server issued (LIFE-1), on the server clock.
func (s *Server) httpAccepts(token string) bool {
	if token == "" {
		return false
	}
	if s.faults.has(faultHTTPAcceptsAnyToken) {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	r, ok := s.tokens.lookup(token)
	if !ok && s.faults.has(faultHTTPTokenCaseInsensitive) {
		r, ok = s.tokens.lookupFold(token, HTTPToken)
	}
	if ok && !r.Revoked && !r.liveAt(now) && r.Kind == HTTPToken && r.Origin != OriginHTTPTokenRequest &&
		s.faults.has(faultExpiredHTTPProbeRevokesAPI) {
		// An expired session is cleaned up whole, API token included.
		s.tokens.revokeIssuedWith(r, APIToken)
	}
	if !ok || !r.liveAt(now) {
		return false
	}
	switch r.Kind {
	case HTTPToken:
		if r.Mode == ModeUser && s.faults.has(faultHTTPRefusesUserTokens) {
			return false // frames taken for an administrator's business
		}
		if s.faults.has(faultHTTPTokenSlidingExpiry) && !r.Expires.IsZero() {
			r.Expires = now.Add(s.httpTTL) // touched on use
		}
		if cut := now.Add(max(s.httpTTL/2, 1)); s.faults.has(faultHTTPTokenShortenedByUse) && (r.Expires.IsZero() || cut.Before(r.Expires)) {
			r.Expires = cut // an idle timeout from the last use
		}
		return r.Origin == OriginHTTPTokenRequest || !s.faults.has(faultHTTPRefusesFreshToken)
	case OverlayToken:
		return true
	case APIToken:
		if s.faults.has(faultHTTPAcceptsAPIToken) {
			return true
		}
		// Under http-token-equals-token the API token is the tokenForHttpServer
		// a client was given: the server honours it, so that the fault breaks
		// AUTH-5 only, not LIFE-1 too.
		return s.faults.has(faultHTTPTokenEqualsToken)
	}
	return false
}

// httpExpiry is the expiry of an HTTP token issued now: the HTTP lifetime
// (5 minutes unscaled, LIFE-2), for tokens from auth and from
// getTokenForHttpServer alike.
func (s *Server) httpExpiry(now time.Time) time.Time {
	switch {
	case s.faults.has(faultHTTPTokenNeverExpires):
		return time.Time{}
	case s.faults.has(faultHTTPTokenHalfLife):
		return now.Add(max(s.httpTTL/2, 1))
	}
	return now.Add(s.httpTTL)
}

// tokenForHTTPServer answers getTokenForHttpServer on an authorized
// connection: a fresh HTTP token of the connection's mode, owned by it (so a
// displacement revokes it with the others), valid for the HTTP lifetime
// (LIFE-6).
func (s *Server) tokenForHTTPServer(c *conn, id json.RawMessage) any {
	const method = "getTokenForHttpServer"
	s.mu.Lock()
	defer s.mu.Unlock()
	mode := c.mode
	if mode == ModeNone && s.faults.has(faultDisplacedGetsHTTPToken) {
		mode = c.displacedFrom // "was authorized" taken for "is authorized"
	}
	if mode == ModeNone {
		// Not authorized, or displaced since: refused like any command before auth.
		return s.authRequired(method, id)
	}
	now := s.now()
	switch {
	case s.faults.has(faultHTTPTokenRevokedByRequest):
		s.tokens.revokeSession(c.id) // a new HTTP token replaces the old ones
	case s.faults.has(faultLoginTokenSlidesWithConn) && isLogin(c.origin):
		if r, ok := s.tokens.lookup(c.apiToken); ok && r.Kind == APIToken && !r.Expires.IsZero() && r.liveAt(now) {
			r.Expires = now.Add(s.apiTTL) // the session is kept alive
		}
	case s.faults.has(faultAPITokenCutByRequest) && c.origin == OriginToken:
		if r, ok := s.tokens.lookup(c.authToken); ok && r.Kind == APIToken && (r.Expires.IsZero() || now.Add(s.httpTTL).Before(r.Expires)) {
			r.Expires = now.Add(s.httpTTL) // tied to the HTTP session
		}
	}
	var token string
	if s.faults.has(faultGetTokenForHTTPServerDead) {
		token = s.tokens.newValue(HTTPToken) // shaped like a token, never stored
	} else {
		info := TokenInfo{Kind: HTTPToken, Mode: mode, Origin: OriginHTTPTokenRequest, Issued: now, Expires: s.httpExpiry(now)}
		if r, ok := s.tokens.lookup(c.httpToken); ok && s.faults.has(faultFreshHTTPTokenInherits) {
			info.Expires = r.Expires
		}
		token = s.tokens.issue(info, c.id)
	}
	c.log.Info("HTTP token issued", "mode", mode)
	if s.faults.has(faultHTTPTokenWrongField) {
		return tokenReply{Method: method, RequestID: id, TokenForHTTPServer: token, Result: true}
	}
	return tokenReply{Method: method, RequestID: id, Token: token, Result: true}
}

// tokenBeforeAuth is getTokenForHttpServer's refusal before auth under the
// fault http-token-before-auth: refused, yet carrying a working HTTP token.
func (s *Server) tokenBeforeAuth(id json.RawMessage) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	info := TokenInfo{Kind: HTTPToken, Mode: ModeUser, Origin: OriginHTTPTokenRequest, Issued: now, Expires: s.httpExpiry(now)}
	return tokenReply{Method: "getTokenForHttpServer", RequestID: id, Token: s.tokens.issue(info, 0), Result: false}
}

// clearTokens answers clearTokens on an authorized connection: every API,
// HTTP and overlay token the server has issued stops working, on the API and
// on the HTTP server alike. The connections keep their modes: clearing tokens
// is not a logout.
func (s *Server) clearTokens(c *conn, id json.RawMessage) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens.revokeAll()
	c.log.Info("all tokens cleared")
	return plainReply{Method: "clearTokens", RequestID: id, Result: true}
}

// WebHandler is the part of the device's web manager that the suite uses for
// discovery (DISC-1): GET /public/default/config.json returns
// {"config":{"websocket":{"port":wsPort},"http":{"port":httpPort}}} with the
// ports as JSON numbers. Every other path gets 404; another method on the
// file gets 405.
func (s *Server) WebHandler(wsPort, httpPort int) http.Handler {
	var cfg webConfig
	if s.faults.has(faultConfigJSONWrongWSPort) {
		wsPort++
	}
	cfg.Config.WebSocket.Port, cfg.Config.HTTP.Port = wsPort, httpPort
	if s.faults.has(faultConfigJSONPortsAsStrings) {
		cfg.Config.WebSocket.Port, cfg.Config.HTTP.Port = strconv.Itoa(wsPort), strconv.Itoa(httpPort)
	}
	body, err := encode(cfg)
	if err != nil {
		panic(err) // ints and strings always encode
	}
	if s.faults.has(faultConfigJSONBOM) {
		body = append([]byte("\uFEFF"), body...) // as a Windows editor saves it
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path != configJSONPath:
			http.NotFound(w, r)
			return
		case r.Method != http.MethodGet && r.Method != http.MethodHead:
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	})
}

// isLogin says whether an authorization of origin o started a lifetime of
// its own: a password, a PIN or an unsecured login (not a token
// authorization, not a status change).
func isLogin(o Origin) bool {
	return o == OriginUnsecured || o == OriginPassword || o == OriginPIN || o == OriginCommandLinePIN
}
