// Package engine runs catalogue cases against a target: it resolves each
// step's request, drives the connections through internal/wire and applies
// the case's checks. It knows nothing of Ginkgo, so it is tested on its own.
package engine

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/clock"
	"github.com/roomconform/conform/internal/redact"
	"github.com/roomconform/conform/internal/wire"
)

// Target says where the server under test is and how long to wait for it.
type Target struct {
	URL             string
	TLS             *tls.Config
	DialTimeout     time.Duration // default 5 s
	ResponseTimeout time.Duration // default 5 s
	// QuietWindow is how long "exactly one response" waits for a second
	// one, and how long a robustness step waits for a reaction; default 200 ms.
	QuietWindow time.Duration
	// HTTP is the embedded HTTP server's base URL ("http://host:8766"), ""
	// if unknown; Web is the web manager's ("http://host:80"), "" if not given.
	HTTP, Web string
}

func (t Target) withDefaults() Target {
	if t.DialTimeout <= 0 {
		t.DialTimeout = 5 * time.Second
	}
	if t.ResponseTimeout <= 0 {
		t.ResponseTimeout = 5 * time.Second
	}
	if t.QuietWindow <= 0 {
		t.QuietWindow = 200 * time.Millisecond
	}
	return t
}

// Unlimited is the WrongBudget that sets no limit (the embedded reference
// server cannot be harmed by lockouts).
const Unlimited = -1

// DefaultWrongBudget is how many wrong credentials a run sends to a live
// target by default: few enough that no lockout can follow (requirements.md).
const DefaultWrongBudget = 3

// Runner runs cases against one target. Cases run one at a time: the target
// allows one connection per control mode.
type Runner struct {
	Target   Target
	Profile  cases.Profile
	Secrets  Secrets
	Redactor *redact.Redactor
	Strict   bool
	// Clock is the time lifetimes and lockouts are judged by (nil: the
	// real clock). Against the embedded reference server it is the
	// virtual clock the server reads too.
	Clock clock.Clock
	// WrongBudget caps the wrong credentials sent in the run (Unlimited: no
	// cap). Disruptive cases, which the operator selects on purpose, are
	// exempt: RC-6 must send its attempts.
	WrongBudget int
	// Settings are the lifetimes and lockout parameters (zero: the spec's).
	Settings cases.Settings
	// Progress, if set, hears about long waits (a lifetime, a lockout), so
	// that a five-minute case does not look like a hang.
	Progress io.Writer

	mu        sync.Mutex
	wrongSent int
	// dead is set once the target stopped answering: later cases cost no
	// more timeouts, they are ERROR at once.
	dead string
}

// Outcome is the result of one case.
type Outcome struct {
	Verdict    cases.Verdict
	Findings   []cases.Finding
	Transcript *wire.Transcript
	// Reason is the skip reason, the error, or the first broken finding.
	Reason   string
	Duration time.Duration
}

// Broken returns the findings that decided a FAIL or WARN.
func (o Outcome) Broken() []cases.Finding {
	var out []cases.Finding
	for _, f := range o.Findings {
		if f.Broken() {
			out = append(out, f)
		}
	}
	return out
}

// Spent counts n wrong credentials sent before the cases (the preflight's
// refused secrets) against the budget.
func (r *Runner) Spent(n int) {
	r.mu.Lock()
	r.wrongSent += n
	r.mu.Unlock()
}

// WrongSent is how many wrong credentials the run has sent so far.
func (r *Runner) WrongSent() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.wrongSent
}

// reserve takes n wrong credentials from the budget, or says why not.
func (r *Runner) reserve(n int) string {
	if n == 0 || r.WrongBudget == Unlimited {
		return ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.wrongSent+n > r.WrongBudget {
		return fmt.Sprintf("would send wrong credentials beyond this run's budget of %d (%d already sent), so that a live device never locks its administrator out; select it alone with --case", r.WrongBudget, r.wrongSent)
	}
	return ""
}

func (r *Runner) countWrong() {
	r.mu.Lock()
	r.wrongSent++
	r.mu.Unlock()
}

// Run executes one case. It never panics on target behaviour; it returns
// SKIP when the profile does not meet the case's needs, ERROR when the suite
// could not do its job (dial failed, a value could not be resolved without a
// prior failure explaining why), else PASS/FAIL/WARN from the findings.
func (r *Runner) Run(ctx context.Context, c cases.Case) Outcome {
	start := time.Now()
	tr := wire.NewTranscript(r.Redactor)
	x := &execution{r: r, c: c, tr: tr, target: r.Target.withDefaults(),
		conns: map[string]*wire.Client{}, responses: map[string]map[string]any{},
		tm: newTiming(r.clock(), r.settings())}
	out := r.run(ctx, x)
	if x.troubled && ctx.Err() == nil {
		// A dial failed or a wait ran out: make sure the target is still
		// there before the next case spends its own timeouts on it.
		if err := r.alive(ctx, tr); err != nil {
			r.markDead(fmt.Sprintf("the target stopped answering during case %s (%v)", c.ID, err))
		}
	}
	if r.Redactor.Overflowed() {
		r.markDead(fmt.Sprintf("the target issued more than %d secrets (tokens): its text can no longer be redacted, so it is withheld and no further case runs", redact.MaxSecrets))
	}
	out.Transcript = tr
	out.Duration = time.Since(start)
	return out
}

// clock returns the runner's clock (the real one when unset).
func (r *Runner) clock() clock.Clock {
	if r.Clock == nil {
		return clock.Real{}
	}
	return r.Clock
}

// Dead returns why the target was given up on ("" while it answers).
func (r *Runner) Dead() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dead
}

func (r *Runner) markDead(why string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.dead == "" {
		r.dead = why
	}
}

// alive dials once and sends a harmless invalid auth (type "open": no
// credential, nothing granted); any JSON answer means the target is there.
func (r *Runner) alive(ctx context.Context, tr *wire.Transcript) error {
	c, err := Dial(ctx, r.Target, "alive", tr, r.Redactor)
	if err != nil {
		return err
	}
	defer c.Close()
	resp, err := c.Call(ctx, []byte(`{"method":"auth","requestId":"conform-alive","type":"open"}`))
	if err != nil {
		return err
	}
	return resp.Err
}

func (r *Runner) run(ctx context.Context, x *execution) Outcome {
	c := x.c
	if why := r.Dead(); why != "" {
		return Outcome{Verdict: cases.Error, Reason: "not run: " + why}
	}
	if reason := c.Unmet(r.Profile); reason != "" {
		return Outcome{Verdict: cases.Skip, Reason: reason}
	}
	if !c.HasLabel("disruptive") {
		if reason := r.reserve(c.WrongCredentials()); reason != "" {
			return Outcome{Verdict: cases.Skip, Reason: reason}
		}
	}
	tr := x.tr
	defer x.closeAll()
	if err := x.steps(ctx); err != nil {
		var late *LateError
		if errors.As(err, &late) {
			x.tr.Notef("", "%v", late)
		}
		if hasBroken(x.findings) {
			// The target already failed a check; that explains why the case
			// could not go on, and is the verdict.
			tr.Notef("", "case stopped: %v", err)
		} else {
			return Outcome{Verdict: cases.Error, Findings: x.findings, Reason: err.Error()}
		}
	}
	for _, ch := range c.After {
		x.findings = append(x.findings, ch.EvaluateAll(x.all))
	}
	v := cases.Decide(x.findings, r.Strict)
	return Outcome{Verdict: v, Findings: x.findings, Reason: reasonOf(v, x.findings)}
}

func hasBroken(fs []cases.Finding) bool {
	for _, f := range fs {
		if f.Broken() {
			return true
		}
	}
	return false
}

// reasonOf is the one-line message of a verdict: the broken findings.
func reasonOf(v cases.Verdict, fs []cases.Finding) string {
	if v == cases.Pass {
		return ""
	}
	var lines []string
	for _, f := range fs {
		if f.Broken() {
			lines = append(lines, f.String())
		}
	}
	return strings.Join(lines, "\n")
}

// execution is the state of one case run.
type execution struct {
	r         *Runner
	c         cases.Case
	tr        *wire.Transcript
	target    Target
	conns     map[string]*wire.Client
	responses map[string]map[string]any
	// tm times the steps (lifetimes count from them) and holds their deadlines.
	tm *timing
	// discovered is the WebSocket URL config.json named (DISC-1).
	discovered string
	findings   []cases.Finding
	all        []cases.Observation
	// troubled is set when a dial failed or a wait ran out.
	troubled bool
}

// Profile, Secret and Response make execution a cases.Scope.
func (x *execution) Profile() cases.Profile { return x.r.Profile }

func (x *execution) Secret(k cases.SecretKind) (string, bool) { return x.r.Secrets.Get(k) }

func (x *execution) Response(step string) (map[string]any, bool) {
	m, ok := x.responses[step]
	return m, ok
}

func (x *execution) steps(ctx context.Context) error {
	for i, s := range x.c.Steps {
		name := s.Name
		if name == "" {
			name = "#" + strconv.Itoa(i+1)
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("step %s: %w", name, err)
		}
		if s.Close {
			x.closeStep(ctx, s.ConnName())
			x.tm.closed(s.ConnName())
			continue
		}
		if s.OnlyIf != nil {
			if v, err := s.OnlyIf.Resolve(x); err != nil || !v.Present {
				x.tr.Notef(s.ConnName(), "step %s skipped: %s is absent, nothing to try", name, s.OnlyIf.Describe())
				continue
			}
		}
		if handled, err := x.special(ctx, s, name); handled || err != nil {
			if err != nil {
				return err
			}
			continue
		}
		reps := max(1, s.Repeat)
		if s.RepeatFor != "" {
			reps = x.r.count(s.RepeatFor)
		}
		for rep := 0; rep < reps; rep++ {
			if reps > 1 {
				// Each repetition on a fresh connection, as a reconnecting client would.
				x.closeConn(s.ConnName())
				x.tm.closed(s.ConnName())
			}
			if err := x.step(ctx, s, name, i, rep); err != nil {
				return err
			}
		}
	}
	return nil
}

func (x *execution) step(ctx context.Context, s cases.Step, name string, index, rep int) error {
	id := fmt.Sprintf("%s/%d", x.c.ID, index+1)
	if rep > 0 {
		id += "." + strconv.Itoa(rep+1)
	}
	payload, sent, err := x.build(s.Send, id)
	if err != nil {
		return fmt.Errorf("step %s: %w", name, err)
	}
	conn, err := x.dialFor(ctx, s)
	var redirect *wire.RedirectError
	// A refusal is the target's answer; a dial that ran out of time is no
	// answer (the machine may be too busy), and a redirect is never followed.
	judgeable := err != nil && !errors.As(err, &redirect) && !errors.Is(err, wire.ErrTimeout)
	if judgeable && (s.ViaDiscovered || s.MustConnect) {
		// The port config.json named does not answer (DISC-1), or the server
		// stopped accepting connections after bad input (ROB-1): that is the
		// finding, not a failure of the suite.
		x.evaluate(s, cases.Observation{Step: name, ResponseErr: err.Error(), Profile: x.r.Profile})
		return nil
	}
	if err != nil {
		x.troubled = true
		return fmt.Errorf("step %s: %w", name, err)
	}
	dl, err := x.tm.deadline(s, false)
	if err != nil {
		return fmt.Errorf("step %s: %w", name, err)
	}
	if err := x.tm.wait(ctx, dl, name); err != nil {
		return err
	}
	if s.SendsWrongCredential() {
		x.r.countWrong()
	}
	x.tm.sent[name] = x.tm.clock.Now()
	if s.Abort {
		// An abrupt close mid-request: send, then drop the TCP connection
		// without reading the answer or closing the WebSocket.
		sendErr := conn.SendText(ctx, payload)
		_ = conn.Abort()
		delete(x.conns, s.ConnName())
		x.tr.Notef(s.ConnName(), "step %s: sent, then dropped the connection without a close", name)
		if sendErr != nil {
			return fmt.Errorf("step %s: %w", name, sendErr)
		}
		return nil
	}
	resp, callErr := conn.Call(ctx, payload)
	x.tm.answered[name] = x.tm.clock.Now()
	if errors.Is(callErr, wire.ErrTimeout) {
		// No answer within --response-timeout: the target did not answer, or
		// this machine was too slow to hear it. Not a verdict; the engine then
		// checks whether the target is still there.
		x.troubled = true
		return fmt.Errorf("step %s: %w", name, callErr)
	}
	// A late answer says nothing about the target: its checks are not made.
	if err := x.tm.check(dl, name, x.tm.answered[name]); err != nil {
		return err
	}
	o := cases.Observation{Step: name, Matched: resp.Matched, Sent: sent, Profile: x.r.Profile, Earlier: x.responses}
	_ = json.Unmarshal(payload, &o.Request)
	switch {
	case callErr != nil:
		o.ResponseErr = callErr.Error()
		o.Closed = errors.Is(callErr, wire.ErrClosed)
		x.troubled = x.troubled || errors.Is(callErr, wire.ErrClosed)
	case resp.Err != nil:
		o.ResponseErr = "malformed response: " + resp.Err.Error()
	default:
		o.Response = resp.Fields
	}
	x.evaluate(s, o)
	if s.Send.MethodName() == "auth" && o.Response != nil {
		x.findings = append(x.findings, envelopeProblems(s, o)...)
	}
	if s.ExactlyOne != "" && callErr == nil {
		x.findings = append(x.findings, x.exactlyOne(ctx, conn, s.ExactlyOne, name))
	}
	if o.Response != nil {
		x.responses[name] = o.Response
		if ok, _ := o.Response["result"].(bool); ok && s.Send.MethodName() == "auth" {
			x.tm.authorized(name, s.ConnName(), s.Send.Credentials, s.Send.Type == nil)
		}
	}
	return nil
}

// envelopeProblems applies the envelope requirements (ENV-2, ENV-6, ENV-7)
// to every auth answer, not only in the ENV cases: requirements.md states
// them for every auth response. Only broken ones are kept, so passing cases
// stay readable; a step that checks the envelope itself is not checked twice.
func envelopeProblems(s cases.Step, o cases.Observation) []cases.Finding {
	var out []cases.Finding
	for _, ch := range cases.Envelope() {
		if stepChecks(s, ch.Req) {
			continue
		}
		if f := ch.Evaluate(o); !f.OK {
			f.Note = "checked on every auth response"
			out = append(out, f)
		}
	}
	return out
}

func stepChecks(s cases.Step, req string) bool {
	for _, ch := range s.Expect {
		if ch.Req == req {
			return true
		}
	}
	return false
}

// exactlyOne checks that no second answer follows within the quiet window.
func (x *execution) exactlyOne(ctx context.Context, conn *wire.Client, req, step string) cases.Finding {
	extra := conn.Quiet(ctx, x.target.QuietWindow)
	extra = append(extra, conn.Duplicates()...)
	f := cases.Finding{Requirement: req, Level: cases.LevelOf(req), Step: step, Check: "exactly one response"}
	if len(extra) == 0 {
		f.OK = true
		return f
	}
	f.Expected = "one response"
	f.Actual = fmt.Sprintf("%d more non-notification message(s) within %v (see transcript)", len(extra), x.target.QuietWindow)
	return f
}

// build resolves a request into its JSON payload (fields in the documented
// order) and the credential values it carries, registering secrets with
// the redactor before anything is sent or recorded.
func (x *execution) build(req cases.Request, id string) ([]byte, []string, error) {
	type kv struct {
		k string
		v cases.Value
	}
	fields := []kv{{"requestId", req.RequestID}, {"type", req.Type}, {"role", req.Role}, {"credentials", req.Credentials}}
	if req.RequestID == nil {
		fields[0].v = cases.Str(id)
	}
	for _, f := range req.Extra {
		fields = append(fields, kv{f.Name, f.Value})
	}
	var b bytes.Buffer
	b.WriteString(`{"method":`)
	writeJSON(&b, req.MethodName())
	var sent []string
	for _, f := range fields {
		if f.v == nil {
			continue
		}
		v, err := f.v.Resolve(x)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", f.k, err)
		}
		if !v.Present {
			continue
		}
		if v.Secret != "" && x.r.Redactor != nil {
			if s, ok := v.V.(string); ok {
				x.r.Redactor.Add(v.Secret, s)
			}
		}
		if s, ok := v.V.(string); ok && f.k == "credentials" && s != "" {
			sent = append(sent, s)
		}
		b.WriteByte(',')
		writeJSON(&b, f.k)
		b.WriteByte(':')
		writeJSON(&b, v.V)
	}
	b.WriteByte('}')
	return b.Bytes(), sent, nil
}

func writeJSON(b *bytes.Buffer, v any) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // strings, numbers and booleans cannot fail
	b.Truncate(b.Len() - 1)
}

func (x *execution) conn(ctx context.Context, name string) (*wire.Client, error) {
	if c, ok := x.conns[name]; ok {
		return c, nil
	}
	c, err := Dial(ctx, x.target, name, x.tr, x.r.Redactor)
	if err != nil {
		return nil, err
	}
	x.conns[name] = c
	return c, nil
}

func (x *execution) closeConn(name string) {
	if c, ok := x.conns[name]; ok {
		_ = c.Close()
		delete(x.conns, name)
	}
	x.tm.closed(name)
}

// closeSettle is how long a Close step waits after the close handshake: a
// server notices a closed connection asynchronously, and a token that dies
// with its connection (TOK-1) must be caught every time, not by chance.
const closeSettle = 50 * time.Millisecond

// closeStep is a Close step: close, then let the server catch up.
func (x *execution) closeStep(ctx context.Context, name string) {
	x.closeConn(name)
	t := time.NewTimer(closeSettle)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func (x *execution) closeAll() {
	for name := range x.conns {
		x.closeConn(name)
	}
}

// Dial opens a connection to the target with the run's bounds, recording
// into tr.
func Dial(ctx context.Context, t Target, name string, tr *wire.Transcript, red *redact.Redactor) (*wire.Client, error) {
	t = t.withDefaults()
	c, err := wire.Dial(ctx, t.URL, wire.Options{
		Name: name, DialTimeout: t.DialTimeout, ResponseTimeout: t.ResponseTimeout, CloseTimeout: t.ResponseTimeout,
		TLSConfig: t.TLS, Transcript: tr, Redactor: red,
	})
	if err != nil {
		return nil, &UnreachableError{Err: err}
	}
	return c, nil
}

// UnreachableError means the suite could not reach the target at all.
type UnreachableError struct{ Err error }

func (e *UnreachableError) Error() string { return e.Err.Error() }
func (e *UnreachableError) Unwrap() error { return e.Err }

// IsUnreachable reports whether err means the target could not be reached.
func IsUnreachable(err error) bool {
	var u *UnreachableError
	return errors.As(err, &u)
}
