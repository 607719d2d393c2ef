package engine

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/model"
)

// Token exercises: at the end of a case, every token it obtained whose
// behaviour the reading fixes, and whose kind the run has not exercised
// yet, goes through the fast steps of its kind (cases.HTTPExercises,
// cases.APIExercises): used again on further connections, for a higher
// mode, at the other kind's door. The model judges every answer. One
// token of a kind stands for the others (model.Token.Class), so the
// default run stays short; on a live target an exercise that may send a
// wrong credential runs only within the run's budget.

// exercise runs the exercises of the case's tokens.
func (x *execution) exercise(ctx context.Context) error {
	now := x.tm.clock.Now()
	var picks []*model.Token
	for _, t := range x.m.Tokens() {
		if _, ok := x.responses[t.Step]; ok && x.m.Sure(t, now) {
			picks = append(picks, t)
		}
	}
	slices.SortFunc(picks, func(a, b *model.Token) int {
		return cmp.Or(cmp.Compare(a.Step, b.Step), cmp.Compare(a.Field, b.Field))
	})
	picks = slices.DeleteFunc(picks, func(t *model.Token) bool { return !x.r.claim(t.Class(), x.c.ID) })
	if len(picks) == 0 {
		return nil
	}
	x.tr.Notef("", "token exercises: %d token(s) of a kind the run has not exercised yet", len(picks))
	refs := make([]cases.TokenRef, len(picks))
	for i, t := range picks {
		step, field := t.Ref()
		refs[i] = cases.TokenRef{Step: step, Field: field, HTTP: t.Kind != model.APIToken, Mode: t.Mode, Leaked: t.Leaked()}
	}
	// On the HTTP server first, while the issuers are as they were: an HTTP
	// token is sure to work only while its connection is.
	if x.target.HTTP != "" {
		for _, ref := range refs {
			steps := cases.HTTPExercises(ref)
			if len(steps) > 0 && x.pastDeadline(steps[0]) {
				// The case's own steps took the token's time (a live target,
				// a short lifetime): not the machine's fault, and no verdict
				// either way. The class goes back, so that a later case
				// exercises it whole; the API exercises below still run.
				x.r.unclaim(classOf(picks, ref), x.c.ID)
				x.tr.Notef("", "the %s of step %s is too near the end of its life to be tried at the HTTP server now: a later case will", ref.Field, ref.Step)
				continue
			}
			if err := x.run(ctx, steps); err != nil {
				return err
			}
		}
	}
	// A token must outlive the connection that obtained it (TOK-1).
	names := make([]string, 0, len(x.conns))
	for name := range x.conns {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		x.closeStep(ctx, name, false)
	}
	n := 0
	next := func() string {
		n++
		return fmt.Sprintf("x%d", n)
	}
	for _, ref := range refs {
		safe, risky := cases.APIExercises(ref, next)
		if err := x.run(ctx, safe); err != nil {
			return err
		}
		if len(risky) == 0 {
			continue
		}
		if why := x.r.Lockout(); why != "" {
			x.notRun = append(x.notRun, risky[0].Name+": no wrong credentials after a "+why)
			continue
		}
		if x.r.Pace != nil {
			if err := x.paceExercise(ctx); err != nil {
				return err
			}
		} else if !x.c.HasLabel("disruptive") && !x.r.spare(1) {
			x.notRun = append(x.notRun, risky[0].Name+": the wrong-credential budget is spent")
			continue
		}
		if err := x.run(ctx, risky); err != nil {
			return err
		}
	}
	// The tokens' lives, where waiting costs nothing: the HTTP tokens first
	// (a wait for the API lifetime would outlast them).
	if !x.tm.clock.Virtual() {
		return nil
	}
	// Steps of the same moment together, earliest moment first (a wait for
	// the API lifetime would outlast every HTTP token), and the expired HTTP
	// tokens asked before the API tokens are used: using an expired HTTP
	// token must not cost its API token anything.
	var byMoment [4][]cases.Step
	for _, ref := range refs {
		if ref.HTTP && x.target.HTTP == "" {
			continue
		}
		for _, s := range cases.LifeExercises(ref, next) {
			switch {
			case s.When != nil && s.When.Life == cases.HTTPTokenLife && ref.HTTP:
				byMoment[0] = append(byMoment[0], s)
			case s.When != nil && s.When.Life == cases.HTTPTokenLife:
				byMoment[1] = append(byMoment[1], s)
			case s.When != nil:
				byMoment[2] = append(byMoment[2], s)
			default:
				byMoment[3] = append(byMoment[3], s)
			}
		}
	}
	return x.run(ctx, slices.Concat(byMoment[0], byMoment[1], byMoment[2], byMoment[3]))
}

// run runs steps like the case's own.
func (x *execution) run(ctx context.Context, steps []cases.Step) error {
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
func (x *execution) pastDeadline(s cases.Step) bool {
	_, isHTTP := s.Do.(cases.HTTPGet)
	d, err := x.tm.deadline(s, isHTTP)
	if err != nil || d.answerBy.IsZero() {
		return false
	}
	return !d.answerBy.Add(-x.tm.lead()).After(x.tm.clock.Now())
}

// classOf is the class of the pick that ref was made from.
func classOf(picks []*model.Token, ref cases.TokenRef) string {
	for _, t := range picks {
		if step, field := t.Ref(); step == ref.Step && field == ref.Field {
			return t.Class()
		}
	}
	return ""
}
