package refserver

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
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
	value     string
	owner     uint64
	used      bool // re-authorized with once (fault token-single-use)
	forgotten bool // no longer in the store (swept, evicted, or its value reissued)
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
// crypto/rand. crypto/rand does not fail on supported platforms since Go 1.24.
func randomString(alphabet string, n int) string {
	var r randomSource
	return string(r.append(make([]byte, 0, n), alphabet, n))
}

// randomSource draws characters from crypto/rand a buffer at a time: a
// token takes one read, not one per part (the reads were most of an auth's
// work under load).
type randomSource struct {
	buf  [128]byte
	left []byte
}

// append appends n characters drawn uniformly from alphabet (rejection
// sampling, so that no character is favoured).
func (r *randomSource) append(out []byte, alphabet string, n int) []byte {
	if len(alphabet) == 0 || len(alphabet) > 256 {
		panic("refserver: bad alphabet") // programming error, constant alphabets only
	}
	limit := 256 - 256%len(alphabet) // bytes >= limit would bias the draw
	for n > 0 {
		if len(r.left) == 0 {
			_, _ = rand.Read(r.buf[:])
			r.left = r.buf[:]
		}
		b := r.left[0]
		r.left = r.left[1:]
		if int(b) < limit {
			out = append(out, alphabet[int(b)%len(alphabet)])
			n--
		}
	}
	return out
}

// newTokenValue mints a token shaped like the documentation's examples:
// <kind>*<16 alnum>*<8 digits>*<64 upper-case hex>.
func newTokenValue(kind TokenKind) string {
	var r randomSource
	out := make([]byte, 0, 92)
	out = strconv.AppendInt(out, int64(kind), 10)
	out = append(out, '*')
	out = r.append(out, alnum, 16)
	out = append(out, '*')
	out = r.append(out, digits, 8)
	out = append(out, '*')
	out = r.append(out, upperHex, 64)
	return string(out)
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
// mints three). A sweep that leaves more than three quarters of it forgets
// the oldest, live or not: only long heavy use gets there.
const maxTokens = 100_000

// smallStore is the store of the fault token-store-keeps-500: a device
// that keeps few tokens forgets a client's token after some 170 logins of
// others (each success mints three). Large enough that no case but the
// capacity case makes that many logins (the generated cases' covering
// arrays catch a store of 100).
const smallStore = 500

// tokenLimit is how many tokens the store keeps under faults.
func tokenLimit(faults faultSet) int {
	if faults.has(faultTokenStoreKeeps500) {
		return smallStore
	}
	return maxTokens
}

// minSweep is the store size below which expired tokens are not swept.
const minSweep = 1024

// tokenStore keeps every token the server issued. Not safe for concurrent
// use: the server's mutex guards it.
type tokenStore struct {
	newValue func(TokenKind) string // mints a value: newTokenValue or newOpaqueTokenValue
	byValue  map[string]*tokenRecord
	order    []*tokenRecord // issue order, for eviction; may hold forgotten records until the next sweep
	limit    int            // most tokens kept
	sweepAt  int            // sweep when the store reaches this size
	// sessions indexes the HTTP and overlay tokens of each connection that
	// are not revoked yet, so that a displacement revokes its own tokens
	// without looking at anyone else's: its cost does not grow with the
	// store. May hold forgotten values until the next sweep.
	sessions map[uint64][]*tokenRecord
	// offered holds values minted before the server's lock was taken, one
	// per kind (indexed by TokenKind), for issue to use first: minting is
	// most of an auth's work and needs no lock.
	offered [OverlayToken + 1]string
}

// premint mints one value of each kind an auth success issues. It only
// reads newValue, which never changes, so it needs no lock.
func (ts *tokenStore) premint() (out [OverlayToken + 1]string) {
	for _, k := range []TokenKind{APIToken, HTTPToken, OverlayToken} {
		out[k] = ts.newValue(k)
	}
	return out
}

// mint returns an offered value of kind k, or a fresh one.
func (ts *tokenStore) mint(k TokenKind) string {
	if k >= 0 && int(k) < len(ts.offered) && ts.offered[k] != "" {
		v := ts.offered[k]
		ts.offered[k] = ""
		return v
	}
	return ts.newValue(k)
}

func newTokenStore(limit int, newValue func(TokenKind) string) *tokenStore {
	return &tokenStore{newValue: newValue, byValue: make(map[string]*tokenRecord), limit: limit, sweepAt: min(minSweep, limit),
		sessions: make(map[uint64][]*tokenRecord)}
}

// isSession says whether tokens of kind k die with their connection's
// authorization (revokeSession).
func isSession(k TokenKind) bool { return k == HTTPToken || k == OverlayToken }

// issue mints and records a token. Values are random, but a collision would
// make two authorizations share a token, so it is checked anyway.
func (ts *tokenStore) issue(info TokenInfo, owner uint64) string {
	ts.prune(info.Issued)
	for {
		v := ts.mint(info.Kind)
		if _, dup := ts.byValue[v]; dup {
			continue
		}
		ts.record(&tokenRecord{TokenInfo: info, value: v, owner: owner})
		return v
	}
}

// record files r under its value, replacing (and forgetting) any record
// of the same value.
func (ts *tokenStore) record(r *tokenRecord) {
	if old, ok := ts.byValue[r.value]; ok {
		old.forgotten = true
	}
	ts.byValue[r.value] = r
	ts.order = append(ts.order, r)
	if isSession(r.Kind) {
		ts.sessions[r.owner] = append(ts.sessions[r.owner], r)
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
	for _, r := range ts.order {
		if !r.forgotten && len(r.value) >= n && r.value[:n] == v[:n] {
			return r, true
		}
	}
	return nil, false
}

// lookupFold returns the earliest issued token of a kind that equals v but
// for letter case (the fault token-case-insensitive).
func (ts *tokenStore) lookupFold(v string, kind TokenKind) (*tokenRecord, bool) {
	for _, r := range ts.order {
		if !r.forgotten && r.Kind == kind && strings.EqualFold(r.value, v) {
			return r, true
		}
	}
	return nil, false
}

// reissue records an existing value again for a new token (the fault
// api-tokens-cycle-after-16): whoever held it before now holds the new one.
func (ts *tokenStore) reissue(v string, info TokenInfo, owner uint64) {
	ts.record(&tokenRecord{TokenInfo: info, value: v, owner: owner})
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

// prune forgets dead tokens once the store has grown, and beyond three
// quarters of the limit the oldest live ones. Amortized: the next sweep waits
// until the store has doubled (or reaches the limit again).
func (ts *tokenStore) prune(now time.Time) {
	if len(ts.byValue) < ts.sweepAt {
		return
	}
	// One pass over the issue order, no lookups: the records know whether
	// they are still filed.
	forget := func(r *tokenRecord) {
		delete(ts.byValue, r.value)
		r.forgotten = true
	}
	for _, r := range ts.order {
		if !r.forgotten && !r.liveAt(now) {
			forget(r)
		}
	}
	// Beyond three quarters of the limit the oldest go, down to three
	// quarters: every sweep then leaves room for a quarter of the limit
	// before the next, so sweeping stays O(1) per token even when nearly
	// all tokens live long (an API token lives 30 days).
	if keep := ts.limit * 3 / 4; len(ts.byValue) > keep {
		for _, r := range ts.order {
			if len(ts.byValue) <= keep {
				break
			}
			if !r.forgotten {
				forget(r)
			}
		}
	}
	kept := ts.order[:0]
	// Indexed again only for owners still indexed: a closed connection
	// (ownerGone) or a displaced one (revokeSession) has nothing left to
	// revoke.
	prev := ts.sessions
	ts.sessions = make(map[uint64][]*tokenRecord, len(prev))
	for _, r := range ts.order {
		if r.forgotten {
			continue
		}
		kept = append(kept, r)
		if _, indexed := prev[r.owner]; indexed && isSession(r.Kind) && !r.Revoked {
			ts.sessions[r.owner] = append(ts.sessions[r.owner], r)
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
	for _, r := range ts.sessions[connID] {
		if !r.forgotten {
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
