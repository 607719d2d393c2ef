package cases

import (
	"strings"
	"time"
)

// Case is one conformance case: the stimulus (its steps) and the answer the
// cited requirements expect. A case is data; internal/engine runs it.
type Case struct {
	// ID is a stable slug ("rc-8-wrong-password"): never renumbered, never reused.
	ID string
	// Title says the stimulus in words.
	Title string
	// Requirements are the requirement IDs the case checks. Their levels decide
	// whether a broken check fails (MUST), warns (SHOULD) or is recorded (INFO).
	Requirements []string
	// Labels select cases (--label-filter); each is one of KnownLabels.
	Labels []string
	// Needs are the profile preconditions; an unmet one skips the case with its reason.
	Needs []Need
	// Steps run in order. A step's checks cite requirements of the case or
	// the requirement that makes a setup step valid.
	Steps []Step
	// After are checks over the whole run of the steps (token uniqueness).
	After []Check
}

// Level is the level of the case's primary (first) requirement: what the
// case is about. Later requirements are often those of setup steps (a login
// that must work, ROLE-1), which fail the case at their own level.
func (c Case) Level() Level {
	if len(c.Requirements) == 0 {
		return Info
	}
	return LevelOf(c.Requirements[0])
}

// Group is the requirement family of the case's first requirement ("RC").
func (c Case) Group() string {
	if len(c.Requirements) == 0 {
		return ""
	}
	return GroupOf(c.Requirements[0])
}

// Unmet returns the reason the profile does not meet the case's
// preconditions, or "" when the case can run.
func (c Case) Unmet(p Profile) string {
	for _, n := range c.Needs {
		if !n.Met(p) {
			return n.Reason(p)
		}
	}
	return ""
}

// HasLabel reports whether the case carries label l.
func (c Case) HasLabel(l string) bool {
	for _, x := range c.Labels {
		if x == l {
			return true
		}
	}
	return false
}

// Step is one exchange (or one connection action) of a case.
type Step struct {
	// Name lets later steps refer to this step's answer (TokenOf("login")).
	Name string
	// Conn names the connection the step uses ("a" when empty). A connection is
	// dialled on first use; "b" is a second, independent connection.
	Conn string
	// Send is the request. Zero Send with Close set means "close Conn".
	Send Request
	// Close closes Conn gracefully instead of sending (a token must outlive
	// the connection that obtained it).
	Close bool
	// OnlyIf skips the step unless the value resolves to something present
	// (FAIL-1: a token in a failure, if there is one, must not be usable).
	OnlyIf Value
	// Expect are the checks on the response.
	Expect []Check
	// Repeat runs the step this many times on fresh connections (0 or 1 = once);
	// each run's response is kept for After checks.
	Repeat int
	// ExactlyOne names the requirement (ENV-1) under which the engine checks
	// that no second response to this request arrives within a short window.
	ExactlyOne string
	// Recovery marks a successful authorization that follows wrong
	// credentials: it resets the server's lockout counter.
	Recovery bool
	// When is the moment in a token's life the step is about: the engine
	// waits for it, and checks it against the clock when the step is sent
	// and answered. A step that misses its moment (the machine was too
	// busy) is an ERROR that says by how much, never a verdict. Steps
	// without When that use a token, or an authorized connection, still
	// must finish within that token's shortest lifetime; the engine checks
	// that on its own.
	When *Moment

	// The fields below make a step something other than one request on the
	// WebSocket; at most one of them is set.

	// HTTP asks the embedded HTTP server's probe path with this token
	// (checks see Observation.HTTPStatus).
	HTTP Value
	// Await waits on Conn for a notification with this event name (checks
	// see the notification as the response).
	Await string
	// Raw sends these bytes as they are (a text frame, or a binary frame
	// with Binary) and records what comes back within a short window:
	// an answer, a close, or nothing (robustness cases).
	Raw    []byte
	Binary bool
	// Abort sends Send and drops the TCP connection without reading or
	// closing (an abrupt close mid-request).
	Abort bool
	// Discover fetches the web manager's config.json (DISC-1); the answer is
	// the document. ViaDiscovered dials the WebSocket port it names instead
	// of the target for Conn.
	Discover      bool
	ViaDiscovered bool
	// MustConnect makes a failed dial a finding of the step's checks rather
	// than an error of the suite: after bad input, a server that no longer
	// accepts connections is what ROB-1 is about.
	MustConnect bool
	// RepeatFor takes the repetition count from the run's settings (RC-6:
	// how many wrong attempts should trigger the lockout).
	RepeatFor Count
	// PollUntilAccepted repeats Send on fresh connections, every
	// PollInterval, until it succeeds or the limit passes (RC-6: how long
	// the lockout lasts).
	PollUntilAccepted Limit
}

// Settings are the suite's parameters for lifetimes and lockouts: the
// spec's values against a live target, scaled ones against the embedded
// reference server (whose lifetimes are scaled the same way).
type Settings struct {
	HTTPTokenTTL time.Duration // tokenForHttpServer: 5 min
	TokenTTL     time.Duration // API token (unsecured, password; PIN upper bound): 30 days
	PINTokenMin  time.Duration // PIN token lower bound of the accepted window: 24 h
	Tolerance    time.Duration // slack on both sides of every expiry
	// LockoutAttempts is how many wrong credentials RC-6 sends in a row.
	LockoutAttempts int
	// LockoutWait bounds how long RC-6 waits for the lockout to end.
	LockoutWait  time.Duration
	PollInterval time.Duration
	// MaxWait is the longest lifetime a case may wait out (Waitable):
	// 15 minutes in real time, any on a virtual clock.
	MaxWait time.Duration
	// ProbePath is the HTTP server path asked with a token (query string
	// allowed; the token is appended as the token parameter).
	ProbePath string
}

// DefaultSettings are the values of the documentation.
func DefaultSettings() Settings {
	return Settings{
		HTTPTokenTTL: 5 * time.Minute, TokenTTL: 720 * time.Hour, PINTokenMin: 24 * time.Hour,
		Tolerance: 10 * time.Second, LockoutAttempts: 10, LockoutWait: 5 * time.Minute,
		PollInterval: 5 * time.Second, ProbePath: "/frames/?peerId=%23self%3A0",
		MaxWait: 15 * time.Minute,
	}
}

// WithDefaults returns s with every unset field taken from DefaultSettings.
func (s Settings) WithDefaults() Settings {
	d := DefaultSettings()
	for _, f := range []struct{ v, def *time.Duration }{
		{&s.HTTPTokenTTL, &d.HTTPTokenTTL}, {&s.TokenTTL, &d.TokenTTL}, {&s.PINTokenMin, &d.PINTokenMin},
		{&s.Tolerance, &d.Tolerance}, {&s.LockoutWait, &d.LockoutWait}, {&s.PollInterval, &d.PollInterval},
		{&s.MaxWait, &d.MaxWait},
	} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	if s.LockoutAttempts <= 0 {
		s.LockoutAttempts = d.LockoutAttempts
	}
	if s.ProbePath == "" {
		s.ProbePath = d.ProbePath
	}
	return s
}

// Lifetime names one of the Settings durations.
type Lifetime string

// The lifetimes a Moment can count.
const (
	HTTPTokenLife Lifetime = "tokenForHttpServer lifetime"
	APITokenLife  Lifetime = "token lifetime"
	PINTokenFloor Lifetime = "shortest PIN token lifetime"
)

// Of returns the lifetime's duration in s.
func (l Lifetime) Of(s Settings) time.Duration {
	switch l {
	case HTTPTokenLife:
		return s.HTTPTokenTTL
	case PINTokenFloor:
		return s.PINTokenMin
	}
	return s.TokenTTL
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

// Before times a step that needs the token of step from still valid.
func Before(from string, l Lifetime) *Moment { return &Moment{From: from, Life: l} }

// After times a step that needs the token of step from expired.
func After(from string, l Lifetime) *Moment { return &Moment{From: from, Life: l, Expired: true} }

// Count names an integer Setting.
type Count string

// LockoutAttempts is Settings.LockoutAttempts.
const LockoutAttempts Count = "lockout attempts"

// Limit names a duration Setting that bounds a wait.
type Limit string

// LockoutWait is Settings.LockoutWait.
const LockoutWait Limit = "lockout wait"

// ConnName returns the step's connection label.
func (s Step) ConnName() string {
	if s.Conn == "" {
		return "a"
	}
	return s.Conn
}

// Request is a control-API request. Nil fields are absent from the JSON.
type Request struct {
	// Method defaults to "auth".
	Method string
	// RequestID: nil gets a fresh unique string id; NoRequestID omits it.
	RequestID Value
	Type      Value
	Role      Value
	// Credentials holds a password, PIN or token.
	Credentials Value
	// Extra fields, in order, after the standard ones.
	Extra []Field
}

// Field is one extra request field.
type Field struct {
	Name  string
	Value Value
}

// MethodName returns the request's method.
func (r Request) MethodName() string {
	if r.Method == "" {
		return "auth"
	}
	return r.Method
}

// Verdict is the outcome of one case, as design.md defines it.
type Verdict string

// The verdicts. PASS may carry INFO findings.
const (
	Pass  Verdict = "PASS"
	Fail  Verdict = "FAIL"
	Warn  Verdict = "WARN"
	Skip  Verdict = "SKIP"
	Error Verdict = "ERROR"
)

// Finding is the result of one check: what the requirement expected, what the
// target did.
type Finding struct {
	Requirement string `json:"requirement"`
	Level       Level  `json:"level"`
	OK          bool   `json:"ok"`
	// Step names the step ("login", "#2") the finding belongs to.
	Step     string `json:"step,omitempty"`
	Check    string `json:"check"`
	Expected string `json:"expected,omitempty"`
	Actual   string `json:"actual,omitempty"`
	// Note explains or, for INFO, records what was seen.
	Note string `json:"note,omitempty"`
}

// String reads like h2spec: "RC-8 (MUST) resultCode: expected one of [8], actual 0".
func (f Finding) String() string {
	var b strings.Builder
	b.WriteString(f.Requirement)
	b.WriteString(" (")
	b.WriteString(string(f.Level))
	b.WriteString(") ")
	if f.Step != "" {
		b.WriteString("step ")
		b.WriteString(f.Step)
		b.WriteString(": ")
	}
	b.WriteString(f.Check)
	if f.Expected != "" || f.Actual != "" {
		b.WriteString(": expected ")
		b.WriteString(f.Expected)
		b.WriteString(", actual ")
		b.WriteString(f.Actual)
	}
	if f.Note != "" {
		if f.Expected != "" || f.Actual != "" {
			b.WriteString(" (")
			b.WriteString(f.Note)
			b.WriteString(")")
		} else {
			b.WriteString(": ")
			b.WriteString(f.Note)
		}
	}
	return b.String()
}

// Broken reports whether the finding is a failed MUST or SHOULD check.
func (f Finding) Broken() bool { return !f.OK && f.Level != Info }

// Decide turns findings into a verdict: a broken MUST fails, a broken SHOULD
// warns (fails with strict). INFO findings never change the verdict.
func Decide(findings []Finding, strict bool) Verdict {
	v := Pass
	for _, f := range findings {
		if f.OK || f.Level == Info {
			continue
		}
		if f.Level == Must || strict {
			return Fail
		}
		v = Warn
	}
	return v
}
