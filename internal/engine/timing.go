package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/clock"
)

// The timing model. A step whose meaning depends on when it happens has a
// deadline: it must be answered by some moment (a token must still work),
// or must not be sent before some moment (a token must have expired). The
// engine checks the deadline against its clock when the step is sent and
// when its answer arrives; a missed deadline is an ERROR that says by how
// much, never a FAIL, so no verdict depends on how busy the machine was.
//
// Deadlines come from the case (Step.When) or, for every other step that
// uses a token or an authorized connection, from the shortest lifetime
// that token or authorization can have.

// deadline bounds one step in time; zero fields bound nothing.
type deadline struct {
	answerBy  time.Time // the answer must arrive by then
	sendAfter time.Time // the request must not be sent before then
	aim       time.Time // when the engine sends it (Step.When only)
	why       string    // what the deadline protects, for the ERROR
}

// timing is the state the deadlines are computed from. All times are on the
// runner's clock.
type timing struct {
	clock clock.Clock
	set   caselang.Settings
	// sent and answered time each named step.
	sent, answered map[string]time.Time
	// root is, for a named step whose authorization succeeded, when the
	// authorization its tokens descend from was requested: its own, or the
	// one of the token it presented, or of the connection it switched.
	root map[string]time.Time
	// connRoot is the same for each connection's current authorization.
	connRoot map[string]time.Time
}

func newTiming(c clock.Clock, set caselang.Settings) *timing {
	return &timing{clock: c, set: set,
		sent: map[string]time.Time{}, answered: map[string]time.Time{},
		root: map[string]time.Time{}, connRoot: map[string]time.Time{}}
}

// lead is how far ahead of a "still valid" deadline the engine sends the
// step, so that the exchange fits before it: nothing on a virtual clock
// (time stands still during the exchange), half the tolerance otherwise.
func (tm *timing) lead() time.Duration {
	if tm.clock.Virtual() {
		return 0
	}
	return tm.set.Tolerance / 2
}

// deadline computes step s's deadline. http says the step asks the HTTP
// server (its token is an HTTP token, whatever field it came from).
func (tm *timing) deadline(s caselang.Step, http bool) (deadline, error) {
	if m := s.When; m != nil {
		life := m.Life.Of(tm.set)
		if m.Expired {
			base, ok := tm.answered[m.From]
			if !ok {
				return deadline{}, fmt.Errorf("step %q, which times this one, has no answer", m.From)
			}
			// The step waits for one lifetime to pass; every other token or
			// authorization it uses must still be valid when it is answered.
			d := tm.implicit(s, http, m)
			d.sendAfter = base.Add(life + tm.set.Tolerance)
			if d.answerBy.IsZero() {
				d.why = fmt.Sprintf("the %s of step %s must have passed (+ %s)", m.Life, m.From, tm.set.Tolerance)
			}
			return d, nil
		}
		base, ok := tm.sent[m.From]
		if !ok {
			return deadline{}, fmt.Errorf("step %q, which times this one, has not run", m.From)
		}
		by := base.Add(life - tm.set.Tolerance)
		return deadline{answerBy: by, aim: by.Add(-tm.lead()),
			why: fmt.Sprintf("the %s of step %s must not have passed (- %s)", m.Life, m.From, tm.set.Tolerance)}, nil
	}
	return tm.implicit(s, http, nil), nil
}

// implicit is the deadline of a step that uses tokens or an authorized
// connection without a moment of its own (or with an After moment, for
// everything but the token that moment waits out): each must still be
// valid, by the shortest lifetime it may have.
func (tm *timing) implicit(s caselang.Step, http bool, after *caselang.Moment) deadline {
	var d deadline
	bound := func(at time.Time, why string) {
		if d.answerBy.IsZero() || at.Before(d.answerBy) {
			d.answerBy, d.why = at, why
		}
	}
	floor := tm.set.PINTokenMin // the shortest lifetime an API token may have
	var used []caselang.Value
	if r, ok := s.Request(); ok {
		used = append(used, r.Credentials)
	}
	if get, ok := s.Do.(caselang.HTTPGet); ok {
		used = append(used, get.Token)
	}
	for _, v := range used {
		step, field, ok := caselang.TokenSource(v)
		if v == nil || !ok {
			continue
		}
		if after != nil && tm.waitsOut(after, step, http) {
			continue // the token the step waits to expire
		}
		switch {
		case http:
			if at, ok := tm.sent[step]; ok {
				bound(at.Add(tm.set.HTTPTokenTTL-tm.set.Tolerance), fmt.Sprintf("the HTTP token of step %s must still be valid", step))
			}
		case field == "token":
			if at, ok := tm.root[step]; ok {
				bound(at.Add(floor-tm.set.Tolerance), fmt.Sprintf("the token of step %s must still be valid", step))
			}
		}
	}
	if at, ok := tm.connRoot[s.ConnName()]; ok && !http {
		bound(at.Add(floor-tm.set.Tolerance), fmt.Sprintf("the authorization of connection %s must still be valid", s.ConnName()))
	}
	return d
}

// waitsOut reports whether moment after waits out the token a step takes
// from step: the HTTP token of after.From, or an API token of the same
// root authorization (a derived token expires with it, LIFE-5).
func (tm *timing) waitsOut(after *caselang.Moment, step string, http bool) bool {
	if http || after.Life == caselang.HTTPTokenLife {
		return http && after.Life == caselang.HTTPTokenLife && step == after.From
	}
	r, ok := tm.root[step]
	from, fok := tm.root[after.From]
	return step == after.From || (ok && fok && r.Equal(from))
}

// wait sleeps until the step may be sent; it returns a LateError when the
// clock has already passed a deadline the answer must meet.
func (tm *timing) wait(ctx context.Context, d deadline, step string) error {
	at := d.aim
	if d.sendAfter.After(at) {
		at = d.sendAfter
	}
	if !at.IsZero() {
		if err := clock.SleepUntil(ctx, tm.clock, at); err != nil {
			return fmt.Errorf("step %s: %w", step, err)
		}
	}
	now := tm.clock.Now()
	if !d.answerBy.IsZero() && now.After(d.answerBy) {
		return &LateError{Step: step, Late: now.Sub(d.answerBy), Why: d.why}
	}
	if !d.sendAfter.IsZero() && now.Before(d.sendAfter) {
		return &LateError{Step: step, Late: now.Sub(d.sendAfter), Why: d.why}
	}
	return nil
}

// check judges the answer's arrival against the deadline.
func (tm *timing) check(d deadline, step string, answered time.Time) error {
	if !d.answerBy.IsZero() && answered.After(d.answerBy) {
		return &LateError{Step: step, Late: answered.Sub(d.answerBy), Why: d.why}
	}
	return nil
}

// authorized records a successful authorization by step name on conn:
// credentials is the value the step presented (nil: none), statusChange
// says the request had no type (the connection's own authorization goes
// on).
func (tm *timing) authorized(name, conn string, credentials caselang.Value, statusChange bool) {
	root, ok := tm.sent[name]
	if step, field, isToken := caselang.TokenSource(credentials); credentials != nil && isToken && field == "token" {
		if r, known := tm.root[step]; known {
			root, ok = r, true
		}
	} else if statusChange {
		if r, known := tm.connRoot[conn]; known {
			root, ok = r, true
		}
	}
	if !ok {
		return
	}
	if name != "" {
		tm.root[name] = root
	}
	tm.connRoot[conn] = root
}

// closed forgets a connection's authorization.
func (tm *timing) closed(conn string) { delete(tm.connRoot, conn) }

// LateError means the suite itself missed a step's deadline: the machine
// was too busy for the timing the case needs, and the step's answer says
// nothing about the target.
type LateError struct {
	Step string
	// Late is by how much the deadline was missed (negative: sent that much
	// too early).
	Late time.Duration
	Why  string
}

func (e *LateError) Error() string {
	if e.Late < 0 {
		return fmt.Sprintf("step %s: sent %s too early (%s); the clock went back?", e.Step, (-e.Late).Round(time.Millisecond), e.Why)
	}
	return fmt.Sprintf("step %s: %s late (%s): the machine is too busy for this timing; run again or raise --lifetime-tolerance", e.Step, e.Late.Round(time.Millisecond), e.Why)
}
