// Package engine runs one case against a target: it resolves each step's
// request, drives the connections through internal/wire, applies the
// case's checks and judges every answer by the model of the reading. It
// knows nothing of Ginkgo, so it is tested on its own.
//
// runner.go is the runner (its fixed configuration and the run's
// services: tokens.go, health.go, reconfstate.go, coverage.go, and the
// budget and the exploration it calls through wrong.go and exploration.go);
// execution.go the loop over one case's steps; one file per step kind does
// that kind (send.go, abort.go, close.go, httpget.go, await.go, raw.go,
// discover.go, poll.go, reconfigure.go); timing.go holds the deadlines.
// The preflight (internal/preflight), the walk (internal/walk), the
// exploration (internal/explore) and the budget (internal/budget) are
// packages of their own.
package engine

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/roomconform/conform/caselang"
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
	// Dial opens every connection to the target, WebSocket and HTTP (nil:
	// the system's dialer; the embedded server's in-memory network in the
	// project's own whole-run tests).
	Dial wire.DialFunc
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

// Config is a runner's configuration: set before the run, never written
// after.
type Config struct {
	Target Target
	// Profile and Secrets are the target's as the preflight found them:
	// where the run starts (Runner.Profile is where it is now).
	Profile  caselang.Profile
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
	// Settings are the lifetimes and lockout parameters (zero: the spec's).
	Settings caselang.Settings
	// Progress, if set, hears about long waits (a lockout's poll), so
	// that a five-minute case does not look like a hang.
	Progress io.Writer
	// Seed seeds the exploration's random walks (Explorer), and nothing
	// else: the wrong-credential budget's order is fixed.
	Seed uint64
}

// Services are what a run learns and spends as its cases go, each a small
// type with a lock of its own, shared by every case of the runner (and by
// the walk, which moves the runner's target). New makes those not given.
type Services struct {
	// Budget keeps the wrong credentials under the target's lockout (nil:
	// no limit, nothing counted).
	Budget Budget
	// Explorer runs Explore steps (nil: such a step is an error).
	Explorer Explorer
	// Tokens are the classes of token exercised and the tokens issued.
	Tokens *Tokens
	// Health is what the run learned of its target: given up on, or
	// perhaps locked out.
	Health *Health
	// Reconfiguration is the target's protection as the run knows it now,
	// and what holds or stops a change (nil: from Config.Profile and
	// Config.Secrets).
	Reconfiguration *Reconfiguration
	// Coverage is what the steps covered of the generated cases' reach.
	Coverage *Coverage
	// Answers counts the successful auth answers, with and without
	// resultCode.
	Answers *Answers
	// Interop counts the target's conformant choices known to break real
	// clients (a refusal without error, a notification before an answer).
	Interop *Interop
}

// Runner runs cases against one target: its configuration, fixed, and the
// run's services. Cases run one at a time: the target allows one
// connection per control mode.
type Runner struct {
	cfg Config
	svc Services
}

// New makes the runner of configuration cfg with the services svc, making
// those svc leaves nil.
func New(cfg Config, svc Services) *Runner {
	if svc.Budget == nil {
		svc.Budget = noBudget{}
	}
	if svc.Tokens == nil {
		svc.Tokens = NewTokens()
	}
	if svc.Health == nil {
		svc.Health = &Health{}
	}
	if svc.Reconfiguration == nil {
		svc.Reconfiguration = NewReconfiguration(cfg.Profile, cfg.Secrets)
	}
	if svc.Coverage == nil {
		svc.Coverage = NewCoverage()
	}
	if svc.Answers == nil {
		svc.Answers = &Answers{}
	}
	if svc.Interop == nil {
		svc.Interop = &Interop{}
	}
	return &Runner{cfg: cfg, svc: svc}
}

// Config is the runner's configuration.
func (r *Runner) Config() Config { return r.cfg }

// Services are the runner's services.
func (r *Runner) Services() Services { return r.svc }

// Profile is the profile the run judges the target by now: the
// preflight's, or another while a reconfiguring case or the walk has
// changed the target's protection.
func (r *Runner) Profile() caselang.Profile {
	p, _ := r.svc.Reconfiguration.Current()
	return p
}

// Secrets are the secrets the run uses now (see Profile).
func (r *Runner) Secrets() Secrets {
	_, sec := r.svc.Reconfiguration.Current()
	return sec
}

// Outcome is the result of one case.
type Outcome struct {
	Verdict    caselang.Verdict
	Findings   []caselang.Finding
	Transcript *wire.Transcript
	// Reason is the skip reason, the error, or the broken findings.
	Reason string
	// Skipped says what a SKIP means for the case's requirements: not
	// applicable to this target, excluded by the selection, left out by
	// the budget, and so on (caselang.Skipped).
	Skipped  caselang.Skipped
	Duration time.Duration
	// NotRun lists the token exercises the wrong-credential budget did not
	// allow: neither a pass nor a failure.
	NotRun []string
}

// Run executes one case. It never panics on target behaviour; it returns
// SKIP when the profile does not meet the case's needs, ERROR when the suite
// could not do its job (dial failed, no answer, a deadline missed, a value
// that could not be resolved without a prior failure explaining why), else
// PASS/FAIL/WARN from the findings.
func (r *Runner) Run(ctx context.Context, c caselang.Case) Outcome {
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
			out = Outcome{Verdict: caselang.Error, Findings: x.findings, Reason: err.Error()}
		case out.Verdict != caselang.Skip:
			x.add(f)
			out.Findings = x.findings
		}
	}
	if x.release != nil {
		x.release()
	}
	if x.troubled && ctx.Err() == nil {
		// A dial failed or a wait ran out: make sure the target is still
		// there before the next case spends its own timeouts on it.
		if err := r.alive(ctx, x.tr); err != nil {
			r.svc.Health.giveUp(fmt.Sprintf("the target stopped answering during case %s (%v)", c.ID, err))
		}
	}
	if red := r.cfg.Redactor; red.Overflowed() {
		r.svc.Health.giveUp(red.Overflow() + ": its text can no longer be redacted, so it is withheld and no further case runs")
	}
	out.Transcript = x.tr
	r.svc.Interop.note(c.ID, x.tr)
	out.Duration = time.Since(start)
	out.NotRun = x.notRun
	return out
}

func (r *Runner) run(ctx context.Context, x *execution) Outcome {
	c := x.c
	if why := r.Dead(); why != "" {
		return Outcome{Verdict: caselang.Error, Reason: "not run: " + why}
	}
	if reason, kind := c.Gap(r.Profile()); reason != "" {
		return Outcome{Verdict: caselang.Skip, Reason: reason, Skipped: caselang.SkipOf(kind)}
	}
	if reason := r.admitReconfiguration(c); reason != "" {
		// The live-safety limits on changes no flag lifts: no run checks
		// such a case against a live target.
		return Outcome{Verdict: caselang.Skip, Reason: reason, Skipped: caselang.SkipNotCheckable}
	}
	if why := r.svc.Health.Lockout(); why != "" && c.WrongCredentials() > 0 {
		return Outcome{Verdict: caselang.Skip, Reason: "not run: it sends wrong credentials, and the run sends none after a " + why, Skipped: caselang.SkipLockout}
	}
	if reason := r.svc.Budget.Admit(ctx, c); reason != "" {
		return Outcome{Verdict: caselang.Skip, Reason: reason, Skipped: caselang.SkipBudget}
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
			return Outcome{Verdict: caselang.Error, Findings: x.findings, Reason: err.Error()}
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
	v := caselang.Decide(x.findings, r.cfg.Strict)
	return Outcome{Verdict: v, Findings: x.findings, Reason: reasonOf(v, x.findings)}
}

func hasBroken(fs []caselang.Finding) bool {
	for _, f := range fs {
		if f.Broken() {
			return true
		}
	}
	return false
}

// reasonOf is the message of a verdict: the broken findings, one a line.
func reasonOf(v caselang.Verdict, fs []caselang.Finding) string {
	if v == caselang.Pass {
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

// Dead returns why the target was given up on ("" while it answers).
func (r *Runner) Dead() string { return r.svc.Health.Dead() }

// alive dials once and sends a harmless invalid auth (type "open": no
// credential, nothing granted); any JSON answer means the target is there.
func (r *Runner) alive(ctx context.Context, tr *wire.Transcript) error {
	c, err := Dial(ctx, r.cfg.Target, "alive", tr, r.cfg.Redactor)
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
	if r.cfg.Clock == nil {
		return clock.Real{}
	}
	return r.cfg.Clock
}

// EffectiveSettings returns the run's settings, the spec's where unset.
func (r *Runner) EffectiveSettings() caselang.Settings { return r.cfg.Settings.WithDefaults() }
