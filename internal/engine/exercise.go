package engine

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/model"
)

// Token exercises: at the end of a case, every token it obtained whose
// behaviour the reading fixes, and whose kind the run has not exercised
// yet, goes through the fast steps of its kind (caselang.HTTPExercises,
// caselang.APIExercises): used again on further connections, for a higher
// mode, at the other kind's door. The model judges every answer. One
// token of a kind stands for the others (model.Token.Class), so the
// default run stays short; on a live target an exercise that may send a
// wrong credential runs only within the run's budget.

// exercise runs the exercises of the case's tokens.
func (x *execution) exercise(ctx context.Context) error {
	now := x.tm.clock.Now()
	var picks []*model.Token
	for _, t := range x.m.Tokens() {
		root, _, _ := t.Life()
		_, reissued := x.reissued[t.Step]
		if _, rootReissued := x.reissued[root]; rootReissued {
			reissued = true
		}
		// A token an earlier authorization had returned (AUTH-5) has a life
		// the model does not know: its class waits for another.
		if _, ok := x.responses[t.Step]; ok && x.m.Sure(t, now) && !reissued {
			picks = append(picks, t)
		}
	}
	slices.SortFunc(picks, func(a, b *model.Token) int {
		return cmp.Or(cmp.Compare(a.Step, b.Step), cmp.Compare(a.Field, b.Field))
	})
	picks = slices.DeleteFunc(picks, func(t *model.Token) bool { return !x.r.svc.Tokens.claim(t.Class(), x.c.ID) })
	if len(picks) == 0 {
		return nil
	}
	x.tr.Notef("", "token exercises: %d token(s) of a kind the run has not exercised yet", len(picks))
	refs := make([]caselang.TokenRef, len(picks))
	for i, t := range picks {
		step, field := t.Ref()
		refs[i] = caselang.TokenRef{Step: step, Field: field, HTTP: t.Kind != model.APIToken, Mode: t.Mode, Leaked: t.Leaked()}
		if root, floor, ok := t.Life(); ok {
			// Timed from the authorization's own step, which the timing
			// must have seen (not a probe's or a poll's attempt).
			if _, sent := x.tm.sent[root]; sent {
				if _, answered := x.tm.answered[root]; answered {
					refs[i].Root, refs[i].Floor = root, floor
				}
			}
		}
	}
	n := 0
	next := func() string {
		n++
		return fmt.Sprintf("x%d", n)
	}
	// On the HTTP server first, while the issuers are as they were: an HTTP
	// token is sure to work only while its connection is.
	tooLate := map[int]bool{}
	if x.target.HTTP != "" {
		for i, ref := range refs {
			steps := caselang.HTTPExercises(ref)
			if len(steps) > 0 && x.pastDeadline(steps[0]) {
				// The case's own steps took the token's time (a live target,
				// a short lifetime): not the machine's fault, and no verdict
				// either way. The class goes back, so that a later case
				// exercises it whole; the API exercises below still run.
				x.r.svc.Tokens.unclaim(classOf(picks, ref), x.c.ID)
				x.tr.Notef("", "the %s of step %s is too near the end of its life to be tried at the HTTP server now: a later case will", ref.Field, ref.Step)
				tooLate[i] = true
				continue
			}
			if err := x.run(ctx, steps); err != nil {
				return err
			}
		}
		// Where waiting costs nothing, each HTTP token once more at its
		// lifetime - tolerance, after its use above and the case's
		// requests on its connection, while its issuer is as it was.
		if x.tm.clock.Virtual() {
			var last []caselang.Step
			for i, ref := range refs {
				if !ref.HTTP || tooLate[i] {
					continue
				}
				for _, s := range caselang.LifeExercises(ref, next) {
					if s.When != nil && !s.When.Expired {
						last = append(last, s)
					}
				}
			}
			if err := x.run(ctx, x.inTimeOrder(last)); err != nil {
				return err
			}
		}
	}
	// A token must outlive the connection that obtained it (TOK-1).
	x.closeOpen(ctx)
	for _, ref := range refs {
		safe, risky := caselang.APIExercises(ref, next)
		if err := x.run(ctx, safe); err != nil {
			return err
		}
		if len(risky) == 0 {
			continue
		}
		if why := x.r.svc.Health.Lockout(); why != "" {
			x.notRun = append(x.notRun, risky[0].Name+": no wrong credentials after a "+why)
			continue
		}
		// A paced run's wait for room holds none of the case's
		// connections (its own are closed already; the exercises' are one
		// request each).
		why, err := x.r.svc.Budget.AdmitExercise(ctx, x.c, func() { x.closeOpen(ctx) })
		if err != nil {
			return err
		}
		if why != "" {
			x.notRun = append(x.notRun, risky[0].Name+": "+why)
			continue
		}
		if err := x.run(ctx, risky); err != nil {
			return err
		}
	}
	// The tokens' lives, where waiting costs nothing, in the order of
	// their moments; at the same moment the expired HTTP tokens are asked
	// before the API tokens are used: using an expired HTTP token must not
	// cost its API token anything.
	if !x.tm.clock.Virtual() {
		return nil
	}
	var httpSteps, apiSteps []caselang.Step
	for i, ref := range refs {
		switch {
		case ref.HTTP && (x.target.HTTP == "" || tooLate[i]):
		case ref.HTTP:
			for _, s := range caselang.LifeExercises(ref, next) {
				if s.When != nil && s.When.Expired {
					httpSteps = append(httpSteps, s)
				}
			}
		default:
			apiSteps = append(apiSteps, caselang.LifeExercises(ref, next)...)
		}
	}
	return x.run(ctx, x.inTimeOrder(slices.Concat(httpSteps, apiSteps)))
}

// inTimeOrder orders timed steps by the moment the engine sends them
// (stable: steps of the same moment keep their order), each step without
// a moment of its own (a recovery) staying after the timed step before it.
// Sent out of order, a step would find its "still valid" moment passed: an
// ERROR.
func (x *execution) inTimeOrder(steps []caselang.Step) []caselang.Step {
	type unit struct {
		at    time.Time
		steps []caselang.Step
	}
	var units []unit
	for _, s := range steps {
		if s.When == nil && len(units) > 0 {
			units[len(units)-1].steps = append(units[len(units)-1].steps, s)
			continue
		}
		var at time.Time
		_, isHTTP := s.Do.(caselang.HTTPGet)
		if d, err := x.tm.deadline(s, isHTTP); err == nil {
			at = d.aim
			if d.sendAfter.After(at) {
				at = d.sendAfter
			}
		}
		units = append(units, unit{at: at, steps: []caselang.Step{s}})
	}
	slices.SortStableFunc(units, func(a, b unit) int { return a.at.Compare(b.at) })
	var out []caselang.Step
	for _, u := range units {
		out = append(out, u.steps...)
	}
	return out
}

// run runs steps like the case's own.
func (x *execution) run(ctx context.Context, steps []caselang.Step) error {
	for _, s := range steps {
		if s.OnlyIf != nil {
			if v, err := s.OnlyIf.Resolve(x); err != nil || !v.Present {
				continue
			}
		}
		if err := x.do(ctx, s, s.Name); err != nil {
			return err
		}
	}
	return nil
}

// pastDeadline reports whether step s could no longer be sent in time:
// its "still valid" deadline, less the lead an exchange needs, has passed.
func (x *execution) pastDeadline(s caselang.Step) bool {
	_, isHTTP := s.Do.(caselang.HTTPGet)
	d, err := x.tm.deadline(s, isHTTP)
	if err != nil || d.answerBy.IsZero() {
		return false
	}
	return !d.answerBy.Add(-x.tm.lead()).After(x.tm.clock.Now())
}

// classOf is the class of the pick that ref was made from.
func classOf(picks []*model.Token, ref caselang.TokenRef) string {
	for _, t := range picks {
		if step, field := t.Ref(); step == ref.Step && field == ref.Field {
			return t.Class()
		}
	}
	return ""
}
