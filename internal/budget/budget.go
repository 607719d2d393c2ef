// Package budget keeps a live run's wrong credentials under what the
// target's lockout allows: the plan of which cases fit the budget, made
// before the run in a fixed order, the count of what was sent, and the
// pace of a run spread over the declared lockout window. The engine asks
// it before every case and exercise that may send a wrong credential, and
// tells it of each one sent (engine.Budget).
package budget

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/clock"
)

// The wrong-credential budget on a live target. A device's lockout counts
// wrong credentials in a way nobody knows (RC-6b), so every failed auth the
// suite provokes counts: the cases that send wrong credentials take the
// budget in the fixed order of caselang.BudgetOrder (the smoke cases first,
// then the near misses of the administrator's secret, ...), as many as
// fit; then the token exercises that may fail, with what is left. The
// same catalogue, profile and flags choose the same stimuli in every run:
// the seed has no say. A case the budget leaves out is "not run" (neither
// a pass nor a failure) and named in the reports; --pace (pace.go) runs
// them all, window by window. Disruptive cases, which the operator selects
// on purpose, are exempt. Against the embedded server the budget is
// unlimited and everything runs.

// Unlimited is the Limit that sets no limit (the embedded reference
// server cannot be harmed by lockouts).
const Unlimited = -1

// DefaultWrongBudget is how many wrong credentials a run sends to a live
// target by default: few enough that no lockout can follow (docs/reading.md).
const DefaultWrongBudget = 3

// Config is a budget's setting, fixed for the run.
type Config struct {
	// Limit caps the wrong credentials sent in the run (Unlimited: no
	// cap). Disruptive cases, which the operator selects on purpose, are
	// exempt: RC-6 must send its attempts.
	Limit int
	// Pace, when set, spreads the wrong credentials over the target's
	// declared lockout window (pace.go): a complete run without a lockout.
	Pace *Pace
	// Settings are the run's (zero: the spec's): how many wrong
	// credentials a case sends may depend on them.
	Settings caselang.Settings
	// Clock is the time the pace's windows are kept by (nil: the real
	// clock).
	Clock clock.Clock
	// Progress, if set, hears about the pace's waits, so that a long wait
	// does not look like a hang.
	Progress io.Writer
}

// Budget is a run's account of its wrong credentials: what the plan holds
// for each case, what was sent, and the paced run's window. Safe for
// concurrent use.
type Budget struct {
	cfg Config

	mu        sync.Mutex
	wrongSent int
	// planned, leftOut (with the reason) and committed are the plan.
	planned   map[string]int
	leftOut   map[string]string
	committed int
	// pace is the paced run's account of its window (pace.go).
	pace paceState
}

// New makes the budget of a run that has sent sent wrong credentials
// already (the preflight's refused secrets, answered by now): they count
// against the limit and the pace.
func New(cfg Config, sent int) *Budget {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	b := &Budget{cfg: cfg, wrongSent: sent}
	for range sent {
		b.Delivered()
	}
	return b
}

// Plan decides before the run which of the selected cases that send wrong
// credentials fit the budget, in the target's own profile own. Without a
// plan, cases take the budget first come, first served. elsewhere are the
// cases the walk runs in another profile (conductor.PlanSections): they
// compete too, although they do not apply to the target's own. A paced
// run (pace.go) also leaves out a case that sends more wrong credentials
// than one window may hold; for it, disruptive cases are no exception.
func (b *Budget) Plan(own caselang.Profile, selected []caselang.Case, elsewhere ...caselang.Case) {
	limit, pace := b.cfg.Limit, b.cfg.Pace
	if limit == Unlimited && pace == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	left := limit - b.wrongSent
	var others []caselang.Case
	b.planned, b.leftOut, b.committed = map[string]int{}, map[string]string{}, 0
	b.pace.planned = b.wrongSent
	budgetOut := fmt.Sprintf("not run: the wrong-credential budget of %d goes to cases before it in the fixed order (docs/catalogue.md); --pace runs every case, window by window", limit)
	take := func(c caselang.Case) {
		n := c.WrongCredentialsWith(b.cfg.Settings)
		switch {
		case pace != nil && n > pace.PerWindow():
			b.leftOut[c.ID] = fmt.Sprintf("not run: it sends %d wrong credentials, more than --pace spends in one window (%d of the declared %d)", n, pace.PerWindow(), pace.Attempts)
		case limit != Unlimited && b.committed+n > left:
			b.leftOut[c.ID] = budgetOut
		default:
			b.committed += n
			b.planned[c.ID] = n
			b.pace.planned += n
		}
	}
	for _, c := range selected {
		n := c.WrongCredentialsWith(b.cfg.Settings)
		switch {
		case n == 0 || c.HasLabel("disruptive") && pace == nil || c.Unmet(own) != "" && !slices.ContainsFunc(elsewhere, func(e caselang.Case) bool { return e.ID == c.ID }):
		case c.HasLabel("smoke"):
			take(c)
		default:
			others = append(others, c)
		}
	}
	for _, c := range caselang.OrderForBudget(others) {
		take(c)
	}
}

// LeftOut returns the IDs of the cases the plan left out for the budget.
func (b *Budget) LeftOut() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for id := range b.leftOut {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// WrongSent is how many wrong credentials the run has sent so far.
func (b *Budget) WrongSent() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.wrongSent
}

// Admit says whether case c may run under the budget: "" if so, else the
// reason it is not run. It takes c's wrong credentials from the budget,
// and in a paced run waits for room in the window first. (Whether a
// lockout stopped the run's wrong credentials is the engine's to ask
// first.)
func (b *Budget) Admit(ctx context.Context, c caselang.Case) string {
	b.mu.Lock()
	out := b.leftOut[c.ID]
	b.mu.Unlock()
	if out != "" {
		return out
	}
	if c.HasLabel("disruptive") && b.cfg.Pace == nil {
		return ""
	}
	n := c.WrongCredentialsWith(b.cfg.Settings)
	if reason := b.reserve(n); reason != "" {
		return reason
	}
	if err := b.paceFor(ctx, n, "case "+c.ID); err != nil {
		return "not run: " + err.Error()
	}
	b.mu.Lock()
	if planned, ok := b.planned[c.ID]; ok {
		b.committed -= planned
		delete(b.planned, c.ID)
	}
	b.mu.Unlock()
	return ""
}

// reserve says why n wrong credentials would go beyond the limit ("" when
// they fit).
func (b *Budget) reserve(n int) string {
	if n == 0 || b.cfg.Limit == Unlimited {
		return ""
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.wrongSent+n > b.cfg.Limit {
		return fmt.Sprintf("would send wrong credentials beyond this run's budget of %d (%d already sent), so that a live device never locks its administrator out; select it alone with --case, or raise --wrong-credential-budget (-1: no limit)", b.cfg.Limit, b.wrongSent)
	}
	return ""
}

// AdmitExercise says whether a token exercise of case c that may send one
// wrong credential runs: "" if so, else why not (the exercise is not run,
// neither a pass nor a failure). A paced run makes room in its window,
// and when the window is full calls release first, so that the case holds
// no connection while it waits; the error says the wait was interrupted.
func (b *Budget) AdmitExercise(ctx context.Context, c caselang.Case, release func()) (string, error) {
	if p := b.cfg.Pace; p != nil {
		b.mu.Lock()
		full := b.pace.used()+1 > p.PerWindow()
		b.mu.Unlock()
		if full {
			release()
		}
		return "", b.paceFor(ctx, 1, "an exercise of case "+c.ID)
	}
	if !c.HasLabel("disruptive") && !b.spare(1) {
		return "the wrong-credential budget is spent", nil
	}
	return "", nil
}

// AdmitWalk reports whether an exploration's walk may send a wrong
// credential, taking it from what the plan has not committed.
func (b *Budget) AdmitWalk() bool {
	return b.cfg.Limit == Unlimited || b.spare(1)
}

// spare takes n wrong credentials from what the plan has not committed,
// and reports whether it could.
func (b *Budget) spare(n int) bool {
	if n == 0 {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if p := b.cfg.Pace; p != nil {
		// No wait here: the exercise's tokens are the case's. What does
		// not fit the window now is left to a later case's token.
		if b.pace.used()+n > p.PerWindow() {
			return false
		}
		b.pace.reserved += n
	}
	if b.cfg.Limit == Unlimited {
		return true
	}
	return b.wrongSent+b.committed+n <= b.cfg.Limit
}

// CountWrong counts a wrong credential about to be sent. A paced run's
// window counts it when the target has had it (Delivered).
func (b *Budget) CountWrong() {
	b.mu.Lock()
	b.wrongSent++
	b.mu.Unlock()
}
