package refserver

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Mode is a connection's control mode. Its value is the auth response's
// previleges for that mode.
type Mode int

// The control modes.
const (
	ModeNone  Mode = 0
	ModeUser  Mode = 1
	ModeAdmin Mode = 2
)

// String returns the mode as the auth request's role spells it.
func (m Mode) String() string {
	switch m {
	case ModeUser:
		return "user"
	case ModeAdmin:
		return "admin"
	case ModeNone:
		return "none"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// TokenKind is the first field of a token, as in the documentation's examples.
type TokenKind int

// The token kinds the server issues.
const (
	APIToken     TokenKind = 1 // token: API re-authorization
	HTTPToken    TokenKind = 4 // tokenForHttpServer: the embedded HTTP server
	OverlayToken TokenKind = 5 // overlayHttpToken: the HTTP overlay functionality
)

// Origin is how a token was obtained: for the tokens of an auth success, how
// that authorization was obtained, which decides the API token's lifetime
// (docs/requirements.md, LIFE-4); for an HTTP token from getTokenForHttpServer,
// OriginHTTPTokenRequest.
type Origin string

// The origins of a token.
const (
	OriginUnsecured      Origin = "unsecured"        // type unsecured: 30 days
	OriginPassword       Origin = "password"         // admin or user password: 30 days
	OriginPIN            Origin = "pin"              // user PIN: 30 days
	OriginCommandLinePIN Origin = "command-line-pin" // Secrets.AdminPIN: until restart
	OriginToken          Origin = "token"            // token authorization: inherits the presented token's expiry
	OriginStatusChange   Origin = "status-change"    // auth without type: inherits the connection's authorization expiry

	OriginHTTPTokenRequest Origin = "get-token-for-http-server" // getTokenForHttpServer: an HTTP token, 5 minutes
)

// TokenInfo is what the server knows about a token it issued. It exists for
// tests and for an embedded HTTP server; it is never logged.
type TokenInfo struct {
	Kind    TokenKind
	Mode    Mode
	Origin  Origin
	Issued  time.Time
	Expires time.Time // zero: never expires (until the server stops)
	Revoked bool      // invalidated before expiry (the HTTP token of a displaced connection, clearTokens)
	Live    bool      // usable now, on the server's clock
}

// tokenRecord is one issued token. owner is the id of the connection it was
// issued to, so that its HTTP and overlay tokens can be invalidated with its
// authorization (an id, not a pointer, so closed connections can be collected).
type tokenRecord struct {
	TokenInfo
	owner uint64
	used  bool // re-authorized with once (fault token-single-use)
}

// liveAt reports whether the token can be used at t. Expiry is exclusive: a
// token is dead from its expiry instant on.
func (r *tokenRecord) liveAt(t time.Time) bool {
	return !r.Revoked && (r.Expires.IsZero() || t.Before(r.Expires))
}

const (
	alnum    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	digits   = "0123456789"
	upperHex = "0123456789ABCDEF"
	pinChars = "abcdefghijklmnopqrstuvwxyz0123456789"
)

// randomString returns n characters drawn uniformly from alphabet with
// crypto/rand (rejection sampling, so no character is favoured). crypto/rand
// does not fail on supported platforms since Go 1.24.
func randomString(alphabet string, n int) string {
	if len(alphabet) == 0 || len(alphabet) > 256 {
		panic("refserver: bad alphabet") // programming error, constant alphabets only
	}
	limit := 256 - 256%len(alphabet) // bytes >= limit would bias the draw
	out := make([]byte, 0, n)
	buf := make([]byte, n+8)
	for len(out) < n {
		_, _ = rand.Read(buf)
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out)
}

// newTokenValue mints a token shaped like the documentation's examples:
// <kind>*<16 alnum>*<8 digits>*<64 upper-case hex>.
func newTokenValue(kind TokenKind) string {
	return fmt.Sprintf("%d*%s*%s*%s", int(kind), randomString(alnum, 16), randomString(digits, 8), randomString(upperHex, 64))
}

// newOpaqueTokenValue mints a token under the variant opaque-tokens: 32
// random bytes as 43 characters of unpadded base64url (AUTH-4: tokens are
// opaque). The kind is not part of the value.
func newOpaqueTokenValue(TokenKind) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // does not fail on supported platforms since Go 1.24
	return base64.RawURLEncoding.EncodeToString(b)
}

// tagged puts tag into every minted value (Options.TokenTag).
func tagged(mint func(TokenKind) string, tag string) func(TokenKind) string {
	if tag == "" {
		return mint
	}
	return func(k TokenKind) string { return tag + mint(k) }
}

// maxTokens bounds the token store of a long-running server (each success
// mints three). Beyond it the oldest tokens are forgotten: only abuse gets there.
const maxTokens = 100_000

// minSweep is the store size below which expired tokens are not swept.
const minSweep = 1024

// tokenStore keeps every token the server issued. Not safe for concurrent
// use: the server's mutex guards it.
type tokenStore struct {
	newValue func(TokenKind) string // mints a value: newTokenValue or newOpaqueTokenValue
	byValue  map[string]*tokenRecord
	order    []string // issue order, for eviction; may hold forgotten values until the next sweep
	limit    int      // most tokens kept
	sweepAt  int      // sweep when the store reaches this size
	// sessions indexes the HTTP and overlay tokens of each connection that
	// are not revoked yet, so that a displacement revokes its own tokens
	// without looking at anyone else's: its cost does not grow with the
	// store. May hold forgotten values until the next sweep.
	sessions map[uint64][]string
}

func newTokenStore(limit int, newValue func(TokenKind) string) *tokenStore {
	return &tokenStore{newValue: newValue, byValue: make(map[string]*tokenRecord), limit: limit, sweepAt: min(minSweep, limit),
		sessions: make(map[uint64][]string)}
}

// isSession says whether tokens of kind k die with their connection's
// authorization (revokeSession).
func isSession(k TokenKind) bool { return k == HTTPToken || k == OverlayToken }

// issue mints and records a token. Values are random, but a collision would
// make two authorizations share a token, so it is checked anyway.
func (ts *tokenStore) issue(info TokenInfo, owner uint64) string {
	ts.prune(info.Issued)
	for {
		v := ts.newValue(info.Kind)
		if _, dup := ts.byValue[v]; dup {
			continue
		}
		ts.byValue[v] = &tokenRecord{TokenInfo: info, owner: owner}
		ts.order = append(ts.order, v)
		if isSession(info.Kind) {
			ts.sessions[owner] = append(ts.sessions[owner], v)
		}
		return v
	}
}

// lookup returns the record of a token this server issued, live or not.
func (ts *tokenStore) lookup(v string) (*tokenRecord, bool) {
	r, ok := ts.byValue[v]
	return r, ok
}

// lookupPrefix returns the earliest issued token whose first n bytes are v's
// (the fault altered-token-accepted). A v shorter than n is looked up whole.
func (ts *tokenStore) lookupPrefix(v string, n int) (*tokenRecord, bool) {
	if len(v) < n {
		return ts.lookup(v)
	}
	for _, k := range ts.order {
		if len(k) >= n && k[:n] == v[:n] {
			if r, ok := ts.byValue[k]; ok {
				return r, true
			}
		}
	}
	return nil, false
}

// lookupFold returns the earliest issued token of a kind that equals v but
// for letter case (the fault token-case-insensitive).
func (ts *tokenStore) lookupFold(v string, kind TokenKind) (*tokenRecord, bool) {
	for _, k := range ts.order {
		if r, ok := ts.byValue[k]; ok && r.Kind == kind && strings.EqualFold(k, v) {
			return r, true
		}
	}
	return nil, false
}

// reissue records an existing value again for a new token (the fault
// api-tokens-cycle-after-16): whoever held it before now holds the new one.
func (ts *tokenStore) reissue(v string, info TokenInfo, owner uint64) {
	if _, known := ts.byValue[v]; !known {
		ts.order = append(ts.order, v)
	}
	ts.byValue[v] = &tokenRecord{TokenInfo: info, owner: owner}
	if isSession(info.Kind) {
		ts.sessions[owner] = append(ts.sessions[owner], v)
	}
}

// revokeIssuedWith invalidates the tokens of the given kinds issued in the
// same success as r: same owner, same instant (the fault
// expired-http-probe-revokes-api-token; a fault may scan the store).
func (ts *tokenStore) revokeIssuedWith(r *tokenRecord, kinds ...TokenKind) {
	for _, o := range ts.byValue {
		if o.owner == r.owner && o.Issued.Equal(r.Issued) && slices.Contains(kinds, o.Kind) {
			o.Revoked = true
		}
	}
}

// prune forgets dead tokens once the store has grown, and at the limit the
// oldest quarter. Amortized: the next sweep waits until the store has doubled
// (or reaches the limit again).
func (ts *tokenStore) prune(now time.Time) {
	if len(ts.byValue) < ts.sweepAt {
		return
	}
	for v, r := range ts.byValue {
		if !r.liveAt(now) {
			delete(ts.byValue, v)
		}
	}
	if len(ts.byValue) >= ts.limit {
		keep := ts.limit * 3 / 4
		for _, v := range ts.order {
			if len(ts.byValue) <= keep {
				break
			}
			delete(ts.byValue, v)
		}
	}
	kept := ts.order[:0]
	clear(ts.sessions)
	for _, v := range ts.order {
		if r, ok := ts.byValue[v]; ok {
			kept = append(kept, v)
			if isSession(r.Kind) && !r.Revoked {
				ts.sessions[r.owner] = append(ts.sessions[r.owner], v)
			}
		}
	}
	clear(ts.order[len(kept):])
	ts.order = kept
	ts.sweepAt = min(ts.limit, max(minSweep, 2*len(ts.byValue)))
}

// revokeSession invalidates the HTTP and overlay tokens issued to a
// connection: authorizationNeeded "also invalidates the HTTP token"
// (docs/reading.md), and the overlay token lasts only until logout. API tokens
// survive: they exist to re-authorize later (TOK-1). It touches only the
// connection's own tokens.
func (ts *tokenStore) revokeSession(connID uint64) {
	for _, v := range ts.sessions[connID] {
		if r, ok := ts.byValue[v]; ok && r.owner == connID {
			r.Revoked = true
		}
	}
	delete(ts.sessions, connID)
}

// ownerGone drops a closed connection from the session index: no one can
// displace it any more.
func (ts *tokenStore) ownerGone(connID uint64) { delete(ts.sessions, connID) }

// revokeOwnedAPI invalidates the API tokens issued to a connection (the faults
// token-dies-with-connection and displacement-revokes-api-tokens): only
// faults get here, so a scan of the store is fine.
func (ts *tokenStore) revokeOwnedAPI(connID uint64) {
	for _, r := range ts.byValue {
		if r.owner == connID && r.Kind == APIToken {
			r.Revoked = true
		}
	}
}

// revokeAll invalidates every token issued so far (clearTokens). Revoked
// tokens stay known, so that TokenInfo can tell them from foreign ones, until
// a sweep forgets them like expired ones.
func (ts *tokenStore) revokeAll() {
	for _, r := range ts.byValue {
		r.Revoked = true
	}
	clear(ts.sessions)
}
