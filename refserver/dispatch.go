package refserver

// Dispatch: a message to its method, and the answers of the methods other
// than auth.

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// dispatch parses one text message and builds its reply (nil: the message is
// dropped unanswered, under a fault). It returns the connections the message
// displaced from their mode, to be notified.
func (s *Server) dispatch(c *conn, msg []byte) (reply any, displaced []*conn, notices []notice) {
	// RFC 8259 JSON text is UTF-8; rejecting invalid UTF-8 here also keeps
	// every echoed requestId valid in a text frame.
	if !utf8.Valid(msg) {
		s.noteBadFrame(faultInvalidUTF8BreaksNextAuth)
		return s.failure("", s.requestID(c, nil), errInvalidJSON), nil, nil
	}
	if !json.Valid(msg) {
		s.noteBadFrame(faultInvalidJSONBreaksNextAuth)
		return s.failure("", s.requestID(c, nil), errInvalidJSON), nil, nil
	}
	if trimmed := bytes.TrimLeft(msg, " \t\r\n"); len(trimmed) == 0 || trimmed[0] != '{' {
		return s.failure("", s.requestID(c, nil), errNotObject), nil, nil
	}
	var f fields
	if err := json.Unmarshal(msg, &f); err != nil {
		s.noteBadFrame(faultInvalidJSONBreaksNextAuth)
		return s.failure("", s.requestID(c, nil), errInvalidJSON), nil, nil
	}
	id := s.requestID(c, f["requestId"])
	method, present, isString := f.str("method")
	if !present || !isString {
		return s.failure("", id, errNoMethod), nil, nil
	}

	switch method {
	case "auth":
		if c.requestIDReused && s.faults.has(faultReusedRequestIDUnanswered) {
			// Taken for a retransmission of a request already answered:
			// dropped, neither carried out nor answered.
			return nil, nil, nil
		}
		r, d := s.auth(c, id, f)
		return r, d, nil
	case "setUsedApiVersion":
		// Real clients send it before auth; refusing it would break them.
		return plainReply{Method: method, RequestID: id, Result: true}, nil, nil
	}

	s.mu.Lock()
	mode, origin := c.mode, c.origin
	s.mu.Unlock()
	if mode == ModeNone && method == "getTokenForHttpServer" && s.faults.has(faultHTTPTokenBeforeAuth) {
		return s.tokenBeforeAuth(id), nil, nil
	}
	// getTokenForHttpServer judges the connection's mode itself, under the lock.
	open := method == "getTokenForHttpServer" ||
		(method == "getAuthInfo" && s.faults.has(faultNoAuthRequired)) ||
		(method == "clearTokens" && s.faults.has(faultClearTokensBeforeAuth))
	if mode == ModeNone && !open {
		return s.authRequired(method, id), nil, nil
	}
	switch method {
	case "getAuthInfo":
		return s.authInfo(id, mode, origin), nil, nil
	case "getAppState":
		return appStateReply{Method: method, RequestID: id, AppState: appStateNormal, EmbeddedHTTPPort: s.httpPort, Result: true}, nil, nil
	case "getTokenForHttpServer":
		return s.tokenForHTTPServer(c, id), nil, nil
	case "clearTokens":
		return s.clearTokens(c, id), nil, nil
	case "setAuthParams":
		r, n := s.setAuthParams(c, id, f)
		return r, nil, n
	}
	if r, ok := s.getter(method, id); ok {
		return r, nil, nil
	}
	return s.failure(method, id, errUnknownMethod), nil, nil
}

// requestID is the requestId a reply echoes: the request's raw JSON value, so
// that a string comes back byte for byte (ENV-3) and a number stays a number
// (ENV-5); "" when the request has none (ENV-4, first member). raw is nil when
// there is none; a nil result omits the field. c is the connection the
// message came on: requestID also remembers its last two requestIds, and
// under reused-request-id-unanswered whether this one was used before.
func (s *Server) requestID(c *conn, raw json.RawMessage) json.RawMessage {
	last := c.lastRequestID
	if raw != nil {
		c.prevRequestID, c.lastRequestID = last, raw
	}
	c.requestIDReused = false
	if raw != nil && s.faults.has(faultReusedRequestIDUnanswered) {
		// Bookkeeping only: dispatch drops the auth request.
		if c.usedRequestIDs == nil {
			c.usedRequestIDs = map[string]bool{}
		}
		c.requestIDReused = c.usedRequestIDs[string(raw)]
		c.usedRequestIDs[string(raw)] = true
	}
	switch {
	case raw == nil && last != nil && s.faults.has(faultRequestIDCarriedOver):
		return last
	case raw == nil && s.faults.has(faultRequestIDInvented):
		return inventedRequestID
	case raw == nil && s.variants.has(variantRequestIDAbsent):
		return nil
	case raw == nil:
		return emptyRequestID
	case isJSONNumber(raw) && s.variants.has(variantNumericRequestIDAsString):
		return quoteJSON(string(raw))
	case s.faults.has(faultDigitRequestIDAsNumber) && isDigitString(raw):
		return raw[1 : len(raw)-1]
	case raw[0] != '"' || !(s.faults.has(faultRequestIDNonASCIIMangled) || s.faults.has(faultRequestIDTruncated) ||
		s.faults.has(faultRequestIDTrimmed)):
		return raw
	}
	var id string
	if err := json.Unmarshal(raw, &id); err != nil {
		return raw // cannot happen: dispatch has validated the JSON
	}
	mangled := id
	if s.faults.has(faultRequestIDTrimmed) {
		mangled = strings.TrimSpace(mangled)
	}
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

// isDigitString reports whether a raw JSON value is a string of ASCII
// digits only, like "1".
func isDigitString(raw json.RawMessage) bool {
	if len(raw) < 3 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return false
	}
	for _, b := range raw[1 : len(raw)-1] {
		if b < '0' || b > '9' {
			return false
		}
	}
	return true
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
	if method == "getAuthInfo" && s.faults.has(faultPreAuthRefusalReveals) {
		// The refusal is built from the answer it replaces.
		p := s.Profile()
		return refusedAuthInfoReply{Method: method, RequestID: id, AdminAuth: authInfo{Security: p.Admin},
			UserAuth: authInfo{Security: p.User}, Result: false, Error: s.errorText(errAuthRequired)}
	}
	if s.variants.has(variantRefusalErrorOnly) {
		return errorReply{Method: method, RequestID: id, Error: errAuthRequired}
	}
	return s.failure(method, id, errAuthRequired)
}

// authInfo answers getAuthInfo. The user PIN is shown only to an administrator
// (SEC-2): a user must not learn the PIN it authorized with from someone else.
// origin is how the connection's last success was obtained.
func (s *Server) authInfo(id json.RawMessage, mode Mode, origin Origin) authInfoReply {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := authInfoReply{
		Method:    "getAuthInfo",
		RequestID: id,
		AdminAuth: authInfo{Security: s.profile.Admin},
		UserAuth:  authInfo{Security: s.profile.User},
		Result:    true,
	}
	show := mode == ModeAdmin || (mode == ModeUser && s.faults.has(faultPINShownToUser))
	if mode == ModeAdmin && origin == OriginToken && s.faults.has(faultPINHiddenFromTokenAdmin) {
		show = false // the PIN is shown to those who logged in with a secret
	}
	if s.profile.User == PIN && show && !s.faults.has(faultPINHiddenFromAdmin) {
		r.UserAuth.PIN = s.secrets.UserPIN
	}
	return r
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
