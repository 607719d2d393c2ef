package cases

import (
	"strings"
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
}

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
