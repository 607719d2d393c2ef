package engine

import "github.com/roomconform/conform/caselang"

// ForgetExercised makes the runner forget which classes of token it has
// exercised, so that the next case exercises all of its tokens (a test of
// the most a case can do).
func (r *Runner) ForgetExercised() { r.svc.Tokens.forgetExercised() }

// StepsBound is what case c may wait on without its token exercises.
func StepsBound(c caselang.Case, set caselang.Settings) Bound {
	b, _, _ := stepsBound(c, set.WithDefaults())
	return b
}

// ExerciseBound is the most the exercises of one token may wait on, the
// close of the connections they open included.
func ExerciseBound(set caselang.Settings, virtual bool) Bound {
	b, conns := exerciseBound(set.WithDefaults(), virtual)
	return b.Add(Bound{Closes: conns})
}
