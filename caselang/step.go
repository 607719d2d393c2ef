package caselang

import (
	"fmt"
	"time"
)

// Step is one action of a case and the answers it expects.
type Step struct {
	// Name lets later steps refer to this step's answer (TokenOf("login"))
	// and be timed by it (When).
	Name string
	// Conn names the connection the step uses ("a" when empty). A connection
	// is dialled on first use; "b" is a second, independent connection.
	Conn string
	// Do is what the step does: one action of the closed set below (Send,
	// Abort, Close, HTTPGet, Await, Raw, Discover, Poll).
	Do Action
	// When is the moment in a token's life the step is about: the engine
	// waits for it, and checks it against the clock when the step is sent
	// and answered. A step that misses its moment (the machine was too
	// busy) is an ERROR that says by how much, never a verdict. Steps
	// without When that use a token, or an authorized connection, still
	// must finish within that token's shortest lifetime; the engine checks
	// that on its own.
	When *Moment
	// OnlyIf skips the step unless the value resolves to something present
	// (FAIL-1: a token in a failure, if there is one, must not be usable).
	OnlyIf Value
	// Expect are the checks on what came back.
	Expect []Check
}

// Action is what a step does. The set is closed: each kind is run by a file
// of its own in internal/engine.
type Action interface{ action() }

// Send sends one request on the step's connection and takes its answer
// (checks see it as Observation.Response).
type Send struct {
	Request Request
	// Repeat sends it this many times, each on a fresh connection, as a
	// reconnecting client would (0 or 1: once); every answer is kept for
	// Case.After.
	Repeat int
	// RepeatFor takes the count from the run's settings (RC-6: how many
	// wrong attempts should trigger the lockout).
	RepeatFor Count
	// ExactlyOne names the requirement (ENV-1) under which the engine checks
	// that no second answer to this request arrives.
	ExactlyOne string
	// Recovery marks a successful authorization that follows wrong
	// credentials: it resets the server's lockout counter.
	Recovery bool
	// MustConnect makes a refused dial a finding of the step's checks
	// rather than an error of the suite: after bad input, a server that no
	// longer accepts connections is what ROB-1 is about.
	MustConnect bool
	// ViaDiscovered dials the WebSocket port a Discover step found in
	// config.json instead of the target (DISC-1).
	ViaDiscovered bool
}

// Abort sends the request and drops the TCP connection without reading or
// closing it (an abrupt close mid-request).
type Abort struct{ Request Request }

// Close closes the step's connection gracefully (a token must outlive the
// connection that obtained it); Abrupt drops the TCP connection instead,
// without a WebSocket close (a client that crashed), nothing pending.
type Close struct{ Abrupt bool }

// HTTPGet asks the embedded HTTP server's probe path with a token (checks
// see Observation.HTTPStatus), in the request shape Shape.
type HTTPGet struct {
	Token Value
	Shape HTTPShape
}

// HTTPShape is how an HTTP request carries its token. The server requires
// a `token` query parameter on every request (docs/requirements.md,
// section 1): a request without one is refused whatever else it carries.
type HTTPShape string

// The request shapes.
const (
	HTTPQuery      HTTPShape = ""                 // the probe path, then &token=<t>
	HTTPTokenFirst HTTPShape = "token-first"      // ?token=<t> before the path's own parameters
	HTTPNoToken    HTTPShape = "no-token"         // no token parameter at all
	HTTPEmptyToken HTTPShape = "empty-token"      // token= with nothing after it
	HTTPParamCase  HTTPShape = "param-other-case" // Token=<t>: not the parameter the server requires
)

// Presents reports whether the shape presents the token to the server.
func (s HTTPShape) Presents() bool { return s == HTTPQuery || s == HTTPTokenFirst }

// Class is the input class of an HTTP request in this shape whose token's
// class is tokenClass (internal/model HTTPClass).
func (s HTTPShape) Class(tokenClass string) string {
	if s == HTTPQuery {
		return tokenClass
	}
	return tokenClass + " shape=" + string(s)
}

// Await waits on the step's connection for a notification with this event
// name (checks see the notification as the response).
type Await struct{ Event string }

// Raw sends bytes as they are (a text frame, or a binary frame with
// Binary) and records what comes back: an answer, a close, or nothing
// (robustness cases).
type Raw struct {
	Payload []byte
	Binary  bool
}

// Discover fetches the web manager's config.json (DISC-1); the answer is
// the document.
type Discover struct{}

// Poll sends the request on fresh connections, every Settings.PollInterval,
// until it succeeds or the Limit passes (RC-6: how long the lockout lasts).
// Its success is a recovery (it resets a lockout counter).
type Poll struct {
	Request Request
	Limit   Limit
}

// Reconfigure sends setAuthParams on the step's connection (which must be
// in administrator mode): mode Mode gets protection To, with Secret for a
// password or a given PIN (nil: none; for a PIN, the target generates
// one). Checks see the setAuthParams answer. The engine writes the
// recovery journal first, learns the new protection and secrets from the
// answer, and puts the protection the case started with back when the case
// ends, whatever happened (CFG-6). Label such a case "mutating".
type Reconfigure struct {
	Mode   Mode
	To     Security
	Secret Value
	// NoPIN says how a user PIN the server is to generate is asked for
	// (CFG-2's "none given"): "" leaves newPin out, "null" sends null (as
	// TrueConf's Python client does), "empty" sends "" (its Qt client).
	NoPIN string
}

func (Reconfigure) action() {}

func (Send) action()     {}
func (Abort) action()    {}
func (Close) action()    {}
func (HTTPGet) action()  {}
func (Await) action()    {}
func (Raw) action()      {}
func (Discover) action() {}
func (Poll) action()     {}

// Request returns the request the step sends, if it sends one.
func (s Step) Request() (Request, bool) {
	switch a := s.Do.(type) {
	case Send:
		return a.Request, true
	case Abort:
		return a.Request, true
	case Poll:
		return a.Request, true
	}
	return Request{}, false
}

// ConnName returns the step's connection label.
func (s Step) ConnName() string {
	if s.Conn == "" {
		return "a"
	}
	return s.Conn
}

// Moment is a point in the life of the token step From obtained, and the
// deadline of the step it times:
//
//   - Before (Expired false): the token must still work. The step's answer
//     must arrive by From's request + lifetime - tolerance (the token cannot
//     be older than that when the target judges it); the engine sends the
//     step a little ahead of that deadline.
//   - After (Expired true): the token must have expired. The step must not
//     be sent before From's answer + lifetime + tolerance (the token cannot
//     be younger); the engine waits until then.
//
// Counting from the side that favours the target keeps network delays from
// making a conformant server fail; checking the deadline against the clock
// keeps a busy machine from doing so.
type Moment struct {
	From    string
	Life    Lifetime
	Expired bool
}

// String says the moment in words: "while the token of step login is
// still valid (the HTTP token lifetime)".
func (m Moment) String() string {
	if m.Expired {
		return fmt.Sprintf("after the token of step %s has expired (%s)", m.From, m.Life)
	}
	return fmt.Sprintf("while the token of step %s is still valid (%s)", m.From, m.Life)
}

// Before times a step that needs the token of step from still valid.
func Before(from string, l Lifetime) *Moment { return &Moment{From: from, Life: l} }

// After times a step that needs the token of step from expired.
func After(from string, l Lifetime) *Moment { return &Moment{From: from, Life: l, Expired: true} }

// Count names an integer Setting.
type Count string

// LockoutAttempts is Settings.LockoutAttempts.
const LockoutAttempts Count = "lockout attempts"

// Of returns the count's value in s; ok is false for an unknown name.
func (c Count) Of(s Settings) (n int, ok bool) {
	switch c {
	case LockoutAttempts:
		return s.LockoutAttempts, true
	}
	return 0, false
}

// Limit names a duration Setting that bounds a wait.
type Limit string

// LockoutWait is Settings.LockoutWait.
const LockoutWait Limit = "lockout wait"

// Of returns the limit's value in s; ok is false for an unknown name.
func (l Limit) Of(s Settings) (d time.Duration, ok bool) {
	switch l {
	case LockoutWait:
		return s.LockoutWait, true
	}
	return 0, false
}

// Explore runs Walks random walks of about Steps steps each (the engine
// draws them with pgregory.net/rapid, from the run's seed).
type Explore struct{ Walks, Steps int }

func (Explore) action() {}

// RecoverLogin is the successful authorization that follows every wrong
// credential (as admin where the suite can, else as user), so that a
// server counting wrong attempts is reset and the default run cannot lock
// the administrator out. Where no mode can be entered (a Free plan with
// both modes protected, which refuses secured logins before checking them)
// there is nothing to recover, and the step is left out.
func RecoverLogin() Step {
	return Step{Name: "recover", Conn: "r", Do: Send{Request: LoginAny(), Recovery: true}, OnlyIf: CanLoginAny, Expect: []Check{Succeeds("ROLE-1")}}
}

// SendsWrongCredential reports whether the step's credentials may be wrong:
// anything other than a real secret or a live token.
func (s Step) SendsWrongCredential() bool {
	r, ok := s.Request()
	if !ok || r.Credentials == nil {
		return false
	}
	w, ok := r.Credentials.(interface{ mayBeWrong() bool })
	return !ok || w.mayBeWrong()
}
