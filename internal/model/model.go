// Package model is an executable model of the conformance reading of the
// auth method (the requirements registry in package cases): the state of a
// target as the reading defines it (each connection's mode, which
// connection holds each mode, every token with its kind, mode, origin and
// lifetime, the wrong credentials in a row), and for any request on any
// connection the answers the reading accepts and the state that follows.
//
// The engine judges every exchange of every case against it, so that an
// invariant is checked wherever it applies, not only in the case written for
// it; the generated near misses and the exploration have no other oracle.
// It shares no code with refserver on purpose: a bug in the model and the
// same bug in the reference server cannot cancel out.
//
// Where the reading is silent the model accepts every answer ("open"), and a
// connection whose state it can no longer know is "unknown": nothing that
// depends on it is judged. It never guesses.
package model

import (
	"fmt"
	"time"

	"github.com/roomconform/conform/caselang"
)

// Config is what the model knows of the target before the first exchange.
type Config struct {
	Profile caselang.Profile
	// Secrets are the secret values the run uses, to recognise them (and
	// their near misses) in a request. They never appear in a finding.
	Secrets map[caselang.SecretKind]string
	// Settings are the lifetimes, tolerance and lockout threshold the run
	// judges by.
	Settings caselang.Settings
}

// Model is the state of one target as the reading defines it. It is not
// safe for concurrent use: one case (or one exploration walk) owns it.
type Model struct {
	cfg    Config
	set    caselang.Settings
	conns  map[string]*conn
	holder map[caselang.Mode]*conn
	tokens map[string][]*Token
	// streak counts failed secured logins with credentials that may be wrong
	// since the last success, server-wide (RC-6 counts across connections);
	// adminStreak those aimed at admin (role "admin"). lockDue says the
	// admin streak reached Settings.LockoutAttempts: the next correct admin
	// credential must get 6.
	streak, adminStreak int
	lockDue             bool
	lockSince           time.Time // the answer that made lockDue
	lastWrong           time.Time // the answer to the last wrong credential
	// unsettled: a request was sent and its connection dropped (an abrupt
	// close): the server may act on it at any time, displacing whoever
	// holds a mode, so no connection's mode is known from then on.
	unsettled bool
}

// New returns the model of a target in its initial state: no connection,
// no token.
func New(cfg Config) *Model {
	cfg.Settings = cfg.Settings.WithDefaults()
	return &Model{cfg: cfg, set: cfg.Settings, conns: map[string]*conn{},
		holder: map[caselang.Mode]*conn{}, tokens: map[string][]*Token{}}
}

// conn is one connection's state.
type conn struct {
	name string
	// mode is the connection's control mode, "" for none. unknown says the
	// model cannot know it (an answer it could not accept, bytes that were
	// not a request): nothing that depends on it is judged.
	mode    caselang.Mode
	unknown bool
	// why is the requirement that put the connection in its mode (SEC-1
	// for a fresh one, FAIL-4 after a failure, SEC-4 after a displacement,
	// ROLE-1... after a success); step is the step that did.
	why, step string
	// how is the requirement of the grant that put the connection in its
	// current mode (why may since say FAIL-4: a failure changes nothing).
	how string
	// epoch changes whenever the connection's authorization does: an HTTP
	// token is sure to work only while its issuer is in the same epoch.
	epoch int
	// root is the authorization the connection's mode descends from.
	root *root
	// closed is set once the client closed the connection.
	closed bool
}

// root is an authorization that starts a lifetime: a login with a secret or
// unsecured. Tokens obtained from it (by token re-authorization, by status
// change) expire with it (LIFE-5).
type root struct {
	sent, answered time.Time
	cred           credKind
	step           string // the step that sent it
}

// credKind is what an authorization presented: it decides the lifetimes.
type credKind int

const (
	credUnknown credKind = iota
	credUnsecured
	credPassword
	credUserPIN
	credAdminPIN   // admin security "pin": the PIN's window, or never (command-line PIN)
	credCommandPIN // the command-line PIN where admin security is a password: never expires
)

// TokenKind is what a token is for.
type TokenKind string

// The token kinds.
const (
	APIToken     TokenKind = "token"
	HTTPToken    TokenKind = "tokenForHttpServer"
	OverlayToken TokenKind = "overlayHttpToken"
)

// Origin is how a token was obtained.
type Origin string

// The origins.
const (
	FromLogin        Origin = "login"                 // a password, a PIN, or unsecured
	FromToken        Origin = "token authorization"   // TOK-1
	FromStatusChange Origin = "status change"         // SW-1
	FromRequest      Origin = "getTokenForHttpServer" // LIFE-6
	FromFailure      Origin = "failed auth"           // FAIL-1: must not work
	FromRefusal      Origin = "refused command"       // SEC-1: must not work
	FromUnjudged     Origin = "unjudged answer"       // an answer the model could not accept
)

// Token is a token the target issued, as the model tracks it.
type Token struct {
	Value  string
	Kind   TokenKind
	Mode   caselang.Mode
	Origin Origin
	// Step and Field say where it came from: the step's answer, the field.
	Step, Field string
	issuer      *conn // the connection that received it
	epoch       int   // the issuer's epoch at issue
	// unsure is set when the issuer was displaced or changed mode after
	// the token was issued: the reading does not say whether it survives.
	unsure bool
	// sent and answered time the exchange that issued it; root the
	// authorization its lifetime counts from (API tokens).
	sent, answered time.Time
	root           *root
}

// Ref says where a case can find the token (caselang.TokenOf and friends).
func (t *Token) Ref() (step, field string) { return t.Step, t.Field }

// connection returns the named connection's state, creating a fresh one.
func (m *Model) connection(name string) *conn {
	c, ok := m.conns[name]
	if !ok {
		c = &conn{name: name, why: "SEC-1"}
		m.conns[name] = c
	}
	return c
}

// modeAt returns the connection's mode at time at, and whether the model
// knows it: an authorization older than the shortest lifetime its token may
// have may have ended (authorizationNeeded cause 8).
func (m *Model) modeAt(c *conn, at time.Time) (caselang.Mode, bool) {
	if c.unknown || m.unsettled {
		return "", false
	}
	if c.mode != "" && c.root != nil {
		if lo, _ := m.apiLife(c.root.cred); lo > 0 && at.After(c.root.sent.Add(lo-m.set.Tolerance)) {
			return "", false
		}
	}
	return c.mode, true
}

// Closed records that the client closed the connection: its mode is free,
// its API tokens live on (TOK-1).
func (m *Model) Closed(name string) {
	c, ok := m.conns[name]
	if !ok {
		return
	}
	m.release(c)
	c.closed = true
	delete(m.conns, name)
}

// Lost records that the model can no longer know the connection's state:
// the server closed it, or bytes were sent that are not a request.
func (m *Model) Lost(name string) {
	c := m.connection(name)
	m.release(c)
	c.unknown, c.mode = true, ""
	c.epoch++
}

// Unsettle records that a request was sent on a connection that was then
// dropped without waiting for the answer (Lost for it, and more: the
// request may still take effect, at any time).
func (m *Model) Unsettle(name string) {
	m.Lost(name)
	m.unsettled = true
}

// release frees the modes a connection holds.
func (m *Model) release(c *conn) {
	for mode, h := range m.holder {
		if h == c {
			delete(m.holder, mode)
		}
	}
}

// setMode moves a connection into a mode: the previous holder of that mode
// is displaced (SEC-4: it no longer holds the mode), the connection's own
// previous mode is freed.
func (m *Model) setMode(c *conn, mode caselang.Mode, why, step string, r *root) {
	if c.mode != "" && c.mode != mode {
		m.disturb(c) // a status change: what becomes of the old mode's tokens is open
	}
	m.release(c)
	if h := m.holder[mode]; h != nil && h != c {
		h.mode, h.why, h.how, h.step, h.root = "", "SEC-4", "", step, nil
		h.epoch++
		m.disturb(h)
	}
	m.holder[mode] = c
	c.mode, c.why, c.how, c.step, c.root, c.unknown = mode, why, why, step, r, false
	c.epoch++
}

// disturb marks the tokens a connection received so far as unsure.
func (m *Model) disturb(c *conn) {
	for _, ts := range m.tokens {
		for _, t := range ts {
			if t.issuer == c {
				t.unsure = true
			}
		}
	}
}

// Tokens returns the tokens the model tracks, in no particular order.
func (m *Model) Tokens() []*Token {
	var out []*Token
	for _, ts := range m.tokens {
		out = append(out, ts...)
	}
	return out
}

// register records a token the target issued.
func (m *Model) register(t *Token) {
	if t.Value == "" {
		return
	}
	m.tokens[t.Value] = append(m.tokens[t.Value], t)
}

// apiLife is the accepted window of an API token's lifetime by what its
// root authorization presented: [lo, hi], 0 for "never" (docs/requirements.md
// LIFE-4: unsecured and password 30 days, PIN 24 h to 30 d, the
// command-line PIN until restart).
func (m *Model) apiLife(k credKind) (lo, hi time.Duration) {
	switch k {
	case credUnsecured, credPassword:
		return m.set.TokenTTL, m.set.TokenTTL
	case credUserPIN:
		return m.set.PINTokenMin, m.set.TokenTTL
	case credAdminPIN:
		return m.set.PINTokenMin, 0
	case credCommandPIN:
		return 0, 0
	}
	return m.set.PINTokenMin, 0 // unknown: the widest window
}

// httpExpires says whether HTTP token t must expire (LIFE-2: where the mode
// it was issued for is protected by password or unsecured; where that mode
// is PIN-protected, expiry is INFO). Both the authorization it descends
// from and its own mode must say so: a status change from a password
// administrator issues tokens for a user mode that may be PIN-protected.
func (m *Model) httpExpires(t *Token) bool {
	if t.root == nil || (t.root.cred != credUnsecured && t.root.cred != credPassword) {
		return false
	}
	s := m.cfg.Profile.Admin
	if t.Mode == caselang.User {
		s = m.cfg.Profile.User
	}
	return s == caselang.Password || s == caselang.Unsecured
}

// Life says where an API token's lifetime counts from (the step of the
// authorization it descends from: its own login, or its original's for a
// token from a token authorization or a status change) and the shortest
// lifetime the reading gives it: the API lifetime, or the PIN window's
// lower bound. ok is false where the reading gives none (the command-line
// PIN's token lives until restart) or the model does not know it.
func (t *Token) Life() (rootStep string, floor caselang.Lifetime, ok bool) {
	if t.Kind != APIToken || t.root == nil || t.root.step == "" {
		return "", "", false
	}
	switch t.root.cred { // as apiLife has it
	case credUnsecured, credPassword:
		return t.root.step, caselang.APITokenLife, true
	case credUserPIN, credAdminPIN:
		return t.root.step, caselang.PINTokenFloor, true
	}
	return "", "", false
}

// Leaked reports whether the token came in a failure or a refusal: it must
// not work anywhere (FAIL-1, SEC-1).
func (t *Token) Leaked() bool { return t.Origin == FromFailure || t.Origin == FromRefusal }

// Class is what decides how a token must behave: its kind, mode, origin and
// the kind of authorization its lifetime counts from. Exercising one token
// of a class stands for the others.
func (t *Token) Class() string {
	cred := credUnknown
	if t.root != nil {
		cred = t.root.cred
	}
	return fmt.Sprintf("%s/%s/%s/%d", t.Kind, t.Mode, t.Origin, cred)
}

// Sure reports whether the reading says for certain how the token behaves
// at time at: an API token that must still re-authorize, an HTTP token the
// HTTP server must accept, a leaked one that must not work. Only such a
// token is worth exercising.
func (m *Model) Sure(t *Token, at time.Time) bool {
	switch {
	case t.Leaked():
		return true
	case len(m.tokens[t.Value]) != 1:
		return false
	case t.Kind == APIToken:
		st, _ := m.apiStanding(t, at, at)
		return st == live
	case t.Kind == HTTPToken:
		st, _ := m.ExpectHTTP("", t.Value, at).Expected(at)
		return st == live
	}
	return false
}

// Snapshot returns a signature of every connection's state: comparing two
// says which connections an exchange changed (a displacement changes
// another connection than the one that sent).
func (m *Model) Snapshot() map[string]string {
	out := make(map[string]string, len(m.conns))
	for name, c := range m.conns {
		out[name] = fmt.Sprintf("%s/%d/%t", c.mode, c.epoch, c.unknown)
	}
	return out
}

// Known reports whether the model knows connection name's mode at time at.
func (m *Model) Known(name string, at time.Time) bool {
	c, ok := m.conns[name]
	if !ok {
		return false
	}
	_, known := m.modeAt(c, at)
	return known
}

// ModeOf returns connection name's mode at time at ("" for none), and
// whether the model knows it.
func (m *Model) ModeOf(name string, at time.Time) (caselang.Mode, bool) {
	c, ok := m.conns[name]
	if !ok {
		return "", false
	}
	return m.modeAt(c, at)
}
