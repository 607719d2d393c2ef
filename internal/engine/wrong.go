package engine

import (
	"context"

	"github.com/roomconform/conform/caselang"
)

// Budget keeps the run's wrong credentials under what the target's lockout
// allows (internal/budget, set by the session): the engine asks it before
// a case, a token exercise or an exploration's walk that may send one, and
// tells it of each one sent. Whether a lockout the run did not cause
// stopped the wrong credentials altogether is the engine's own (Health),
// asked first.
type Budget interface {
	// Admit says whether case c may run: "" if so, else the reason it is
	// not run (a SKIP). It takes c's wrong credentials, and in a paced run
	// first waits for room in the window.
	Admit(ctx context.Context, c caselang.Case) string
	// AdmitExercise says whether a token exercise of case c that may send
	// one wrong credential runs: "" if so, else why not (not run, neither a
	// pass nor a failure). Before a wait for room it calls release, so
	// that the case holds no connection while it waits; an error says the
	// wait was interrupted.
	AdmitExercise(ctx context.Context, c caselang.Case, release func()) (string, error)
	// AdmitWalk reports whether an exploration's walk may send a wrong
	// credential.
	AdmitWalk() bool
	// CountWrong counts a wrong credential about to be sent.
	CountWrong()
	// Delivered records that the target has had a wrong credential (its
	// answer came, or the wait for it ended).
	Delivered()
	// CheckAnswer is told every auth answer (its fields): an error means
	// the answer shows the budget was wrong about the target (a paced
	// run's lockout), and the run gives up on the target.
	CheckAnswer(resp map[string]any, where string) error
}

// noBudget is the budget of a runner given none: no limit, nothing
// counted (a test's runner against a server of its own).
type noBudget struct{}

func (noBudget) Admit(context.Context, caselang.Case) string { return "" }
func (noBudget) AdmitExercise(context.Context, caselang.Case, func()) (string, error) {
	return "", nil
}
func (noBudget) AdmitWalk() bool                          { return true }
func (noBudget) CountWrong()                              {}
func (noBudget) Delivered()                               {}
func (noBudget) CheckAnswer(map[string]any, string) error { return nil }
