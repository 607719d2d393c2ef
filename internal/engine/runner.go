// Package engine runs catalogue cases against a target: it resolves each
// step's request, drives the connections through internal/wire and applies
// the case's checks. It knows nothing of Ginkgo, so it is tested on its own.
//
// runner.go is the run as a whole (budget, a target that died, verdicts);
// execution.go the loop over one case's steps; one file per step kind does
// that kind (send.go, abort.go, close.go, httpget.go, await.go, raw.go,
// discover.go, poll.go); timing.go holds the deadlines; probe.go the
// preflight.
package engine

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
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
	URL string
	TLS *tls.Config
	// DialTimeout and ResponseTimeout bound every handshake and every
	// answer (zero: wire's defaults).
	DialTimeout, ResponseTimeout time.Duration
	// QuietWindow is how long "exactly one response" waits for a second
	// one, and how long a robustness step waits for a reaction; default 200 ms.
	QuietWindow time.Duration
	// OrderedEvents says the target queues a notification before it answers
	// anything else on that connection (the embedded reference server
	// does): whether one came is known once a later request is answered,
	// without waiting.
	OrderedEvents bool
	// OwnSecrets says the secrets are the target's own (the embedded
	// reference server's): a secret it refuses is its defect, not the
	// operator's mistake.
	OwnSecrets bool
	// Gone, when set, waits until the server has finished with the
	// connection from the given local address (the embedded reference
	// server can tell); without it a Close step waits a fixed closeSettle.
	Gone func(ctx context.Context, localAddr string) error
	// HTTP is the embedded HTTP server's base URL ("http://host:8766"), ""
	// if unknown; Web is the web manager's ("http://host:80"), "" if not given.
	HTTP, Web string
	// Stored bounds what all the run's connections keep of what they
	// received (nil: each connection's own bound only).
	Stored *wire.Budget
}

// withDefaults fills the zero bounds with wire's defaults, the one place
// they are set.
func (t Target) withDefaults() Target {
	if t.DialTimeout <= 0 {
		t.DialTimeout = wire.DefaultDialTimeout
	}
	if t.ResponseTimeout <= 0 {
		t.ResponseTimeout = wire.DefaultResponseTimeout
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
// target by default: few enough that no lockout can follow (docs/reading.md).
const DefaultWrongBudget = 3

// Runner runs cases against one target. Cases run one at a time: the target
// allows one connection per control mode.
type Runner struct {
	Target   Target
	Profile  cases.Profile
	Secrets  Secrets
	Redactor *redact.Redactor
	Strict   bool
	// Legacy accepts a successful auth answer without resultCode (older
	// firmware) as a WARN instead of a FAIL (legacy.go).
	Legacy bool
	// Journal is the path of the recovery journal a reconfiguring case
	// writes before every change ("" keeps none: the embedded server ends
	// with the run). RestoreTimeout bounds each restore (0: from the
	// target's dial and response bounds).
	Journal        string
	RestoreTimeout time.Duration
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
	// Seed seeds the exploration's random walks (explore.go), and nothing
	// else: the budget's order is fixed (budget.go).
	Seed uint64
	// Pace, when set, spreads the wrong credentials over the target's
	// declared lockout window (pace.go): a complete run without a lockout.
	Pace *Pace

	mu        sync.Mutex
	wrongSent int
	// cov is what the run's steps covered of the generated cases' reach.
	cov tourCoverage
	// reconfMu is held by whatever has the target reconfigured, from its
	// first change to its restore: a case, a walk step, the end of the walk.
	reconfMu sync.Mutex
	// reconfNonce keys the suite's secrets when admin is unsecured, and
	// reconfNotes are what the operator must be told (reconfigure.go).
	reconfNonce string
	reconfNotes []string
	// pinGenerated names the case that had a live target generate a user
	// PIN: at most one a run (admitReconfiguration).
	pinGenerated string
	// walk is set while the run has moved the target to another
	// protection (walk.go); walkFailed once a step of the walk failed (no
	// further stage is entered).
	walk       *walkState
	walkFailed error
	// restoreFailed is the first restore that failed: nothing is
	// reconfigured again in the run, and its journal stays as it is.
	restoreFailed error
	// dead is set once the target stopped answering: later cases cost no
	// more timeouts, they are ERROR at once.
	dead string
	// exercised maps each token class the run has exercised to the case
	// that did.
	exercised map[string]string
	// issued maps every API token a fresh authorization (a login, a status
	// change) returned in this run to the step that got it (AUTH-5).
	issued map[string]string
	// planned, leftOut (with the reason) and committed are the budget's
	// plan (budget.go).
	planned   map[string]int
	leftOut   map[string]string
	committed int
	// pace is the paced run's account of its window (pace.go).
	pace paceState
	// lockout says where a possible lockout the run did not cause was seen
	// (budget.go): from then on no wrong credential is sent.
	lockout string
}

// firstIssued records token as issued by where, and returns where it was
// issued before ("" if never).
func (r *Runner) firstIssued(token, where string) string { return r.firstTo(&r.issued, token, where) }

// claim reports whether caseID may exercise a token of class class: the
// first case to ask does, once per run.
func (r *Runner) claim(class, caseID string) bool {
	return r.firstTo(&r.exercised, class, caseID) == ""
}

// unclaim gives a class of token back (its exercise could not run whole),
// so that a later case exercises it.
func (r *Runner) unclaim(class, caseID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.exercised[class] == caseID {
		delete(r.exercised, class)
	}
}

// firstTo records who under key in *set unless someone is there already,
// and returns that someone ("" when who is the first).
func (r *Runner) firstTo(set *map[string]string, key, who string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if *set == nil {
		*set = map[string]string{}
	}
	if before, ok := (*set)[key]; ok {
		return before
	}
	(*set)[key] = who
	return ""
}

// Outcome is the result of one case.
type Outcome struct {
	Verdict    cases.Verdict
	Findings   []cases.Finding
	Transcript *wire.Transcript
	// Reason is the skip reason, the error, or the broken findings.
	Reason string
	// Inapplicable marks a SKIP because of how the target is configured
	// (its protection, its plan): the case's requirements do not apply to
	// it. Any other SKIP is a gap the operator could close.
	Inapplicable bool
	Duration     time.Duration
	// NotRun lists the token exercises the wrong-credential budget did not
	// allow: neither a pass nor a failure.
	NotRun []string
}

// Run executes one case. It never panics on target behaviour; it returns
// SKIP when the profile does not meet the case's needs, ERROR when the suite
// could not do its job (dial failed, no answer, a deadline missed, a value
// that could not be resolved without a prior failure explaining why), else
// PASS/FAIL/WARN from the findings.
func (r *Runner) Run(ctx context.Context, c cases.Case) Outcome {
	start := time.Now()
	x := newExecution(r, c)
	out := r.run(ctx, x)
	if x.rc != nil {
		// The case changed the target's protection: it goes back, whatever
		// the verdict, the error or the signal.
		f, err := x.restoreReconfiguration(ctx)
		switch {
		case err != nil && hasBroken(x.findings):
			// The target failed the case's checks already (a change it did
			// not apply, say, which its restore then met again): that stays
			// the case's verdict; the failed restore is the run's (exit 3).
			out.Reason += "\n" + err.Error()
		case err != nil:
			out = Outcome{Verdict: cases.Error, Findings: x.findings, Reason: err.Error()}
		case out.Verdict != cases.Skip:
			x.add(f)
			out.Findings = x.findings
		}
	}
	if x.holdsReconf {
		r.reconfMu.Unlock()
	}
	if x.troubled && ctx.Err() == nil {
		// A dial failed or a wait ran out: make sure the target is still
		// there before the next case spends its own timeouts on it.
		if err := r.alive(ctx, x.tr); err != nil {
			r.markDead(fmt.Sprintf("the target stopped answering during case %s (%v)", c.ID, err))
		}
	}
	if r.Redactor.Overflowed() {
		r.markDead(r.Redactor.Overflow() + ": its text can no longer be redacted, so it is withheld and no further case runs")
	}
	out.Transcript = x.tr
	out.Duration = time.Since(start)
	out.NotRun = x.notRun
	return out
}

func (r *Runner) run(ctx context.Context, x *execution) Outcome {
	c := x.c
	if why := r.Dead(); why != "" {
		return Outcome{Verdict: cases.Error, Reason: "not run: " + why}
	}
	if reason, na := c.Gap(r.Profile); reason != "" {
		return Outcome{Verdict: cases.Skip, Reason: reason, Inapplicable: na}
	}
	if reason := r.admitReconfiguration(c); reason != "" {
		return Outcome{Verdict: cases.Skip, Reason: reason}
	}
	if reason := r.admit(ctx, c); reason != "" {
		return Outcome{Verdict: cases.Skip, Reason: reason}
	}
	defer x.closeAll()
	err := x.steps(ctx)
	if err == nil && x.rc == nil {
		// A case that reconfigured the target exercises nothing: its tokens
		// come from a protection the run puts back, and a class of token is
		// exercised once a run, in the profile the run knows.
		err = x.exercise(ctx)
	}
	if err != nil {
		var late *LateError
		if errors.As(err, &late) {
			x.tr.Notef("", "%v", late)
		}
		if !hasBroken(x.findings) && x.halted == "" {
			return Outcome{Verdict: cases.Error, Findings: x.findings, Reason: err.Error()}
		}
		// The target already failed a check; that explains why the case
		// could not go on, and is the verdict.
		x.tr.Notef("", "case stopped: %v", err)
	}
	// The notifications still owed: by their deadlines, at most one
	// response timeout from now.
	x.settleNotices(ctx, "*")
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

// reasonOf is the message of a verdict: the broken findings, one a line.
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

// Spent counts n wrong credentials sent before the cases (the preflight's
// refused secrets, answered by now) against the budget and the pace.
func (r *Runner) Spent(n int) {
	r.mu.Lock()
	r.wrongSent += n
	r.mu.Unlock()
	for range n {
		r.paceSent()
	}
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
		return fmt.Sprintf("would send wrong credentials beyond this run's budget of %d (%d already sent), so that a live device never locks its administrator out; select it alone with --case, or raise --wrong-credential-budget (-1: no limit)", r.WrongBudget, r.wrongSent)
	}
	return ""
}

// countWrong counts a wrong credential about to be sent against the
// budget. A paced run's window counts it when its answer came (paceSent).
func (r *Runner) countWrong() {
	r.mu.Lock()
	r.wrongSent++
	r.mu.Unlock()
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

// clock returns the runner's clock (the real one when unset).
func (r *Runner) clock() clock.Clock {
	if r.Clock == nil {
		return clock.Real{}
	}
	return r.Clock
}

// EffectiveSettings returns the run's settings, the spec's where unset.
func (r *Runner) EffectiveSettings() cases.Settings { return r.Settings.WithDefaults() }
