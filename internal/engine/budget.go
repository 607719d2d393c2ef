package engine

import (
	"context"
	"fmt"
	"slices"

	"github.com/roomconform/conform/cases"
)

// The wrong-credential budget on a live target. A device's lockout counts
// wrong credentials in a way nobody knows (RC-6b), so every failed auth the
// suite provokes counts: the cases that send wrong credentials take the
// budget in the fixed order of cases.BudgetOrder (the smoke cases first,
// then the near misses of the administrator's secret, ...), as many as
// fit; then the token exercises that may fail, with what is left. The
// same catalogue, profile and flags choose the same stimuli in every run:
// the seed has no say. A case the budget leaves out is "not run" (neither
// a pass nor a failure) and named in the reports; --pace (pace.go) runs
// them all, window by window. Disruptive cases, which the operator selects
// on purpose, are exempt. Against the embedded server the budget is
// unlimited and everything runs.

// Plan decides before the run which of the selected cases that send wrong
// credentials fit the budget. Without a plan, cases take the budget first
// come, first served. elsewhere are the cases the walk runs in another
// profile (suite.PlanSections): they compete too, although they do not
// apply to the target's own. A paced run (pace.go) also leaves out a case
// that sends more wrong credentials than one window may hold; for it,
// disruptive cases are no exception.
func (r *Runner) Plan(selected []cases.Case, elsewhere ...cases.Case) {
	if r.WrongBudget == Unlimited && r.Pace == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	left := r.WrongBudget - r.wrongSent
	var others []cases.Case
	r.planned, r.leftOut, r.committed = map[string]int{}, map[string]string{}, 0
	r.pace.planned = r.wrongSent
	budgetOut := fmt.Sprintf("not run: the wrong-credential budget of %d goes to cases before it in the fixed order (docs/catalogue.md); --pace runs every case, window by window", r.WrongBudget)
	take := func(c cases.Case) {
		n := c.WrongCredentialsWith(r.Settings)
		switch {
		case r.Pace != nil && n > r.Pace.PerWindow():
			r.leftOut[c.ID] = fmt.Sprintf("not run: it sends %d wrong credentials, more than --pace spends in one window (%d of the declared %d)", n, r.Pace.PerWindow(), r.Pace.Attempts)
		case r.WrongBudget != Unlimited && r.committed+n > left:
			r.leftOut[c.ID] = budgetOut
		default:
			r.committed += n
			r.planned[c.ID] = n
			r.pace.planned += n
		}
	}
	for _, c := range selected {
		n := c.WrongCredentialsWith(r.Settings)
		switch {
		case n == 0 || c.HasLabel("disruptive") && r.Pace == nil || c.Unmet(r.Profile) != "" && !slices.ContainsFunc(elsewhere, func(e cases.Case) bool { return e.ID == c.ID }):
		case c.HasLabel("smoke"):
			take(c)
		default:
			others = append(others, c)
		}
	}
	for _, c := range cases.OrderForBudget(others) {
		take(c)
	}
}

// LeftOut returns the IDs of the cases the plan left out for the budget.
func (r *Runner) LeftOut() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for id := range r.leftOut {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// suspectLockout records that a possible lockout the run did not cause
// was seen (where): a 6 for credentials the model cannot put down to wrong
// credentials sent within the lockout window it knows. From then on the
// run spends no wrong credentials at all, disruptive cases included: each
// could prolong the lockout or lock the operator out, and its answer could
// not be judged anyway.
func (r *Runner) suspectLockout(where string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.lockout == "" {
		r.lockout = where
	}
}

// Lockout says where a possible lockout stopped the run's wrong
// credentials ("" while none did).
func (r *Runner) Lockout() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lockout
}

// admit says whether case c may run under the budget: "" if so, else the
// reason it is not run. It takes c's wrong credentials from the budget,
// and in a paced run waits for room in the window first.
func (r *Runner) admit(ctx context.Context, c cases.Case) string {
	if why := r.Lockout(); why != "" && c.WrongCredentials() > 0 {
		return "not run: it sends wrong credentials, and the run sends none after a " + why
	}
	r.mu.Lock()
	out := r.leftOut[c.ID]
	r.mu.Unlock()
	if out != "" {
		return out
	}
	if c.HasLabel("disruptive") && r.Pace == nil {
		return ""
	}
	n := c.WrongCredentialsWith(r.Settings)
	if reason := r.reserve(n); reason != "" {
		return reason
	}
	if err := r.paceFor(ctx, n, "case "+c.ID); err != nil {
		return "not run: " + err.Error()
	}
	r.mu.Lock()
	if planned, ok := r.planned[c.ID]; ok {
		r.committed -= planned
		delete(r.planned, c.ID)
	}
	r.mu.Unlock()
	return ""
}

// spare takes n wrong credentials from what the plan has not committed
// (token exercises), or says why not.
func (r *Runner) spare(n int) bool {
	if n == 0 {
		return true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.lockout != "" {
		return false
	}
	if r.Pace != nil {
		// No wait here: the exercise's tokens are the case's. What does
		// not fit the window now is left to a later case's token.
		if r.pace.used()+n > r.Pace.PerWindow() {
			return false
		}
		r.pace.reserved += n
	}
	if r.WrongBudget == Unlimited {
		return true
	}
	return r.wrongSent+r.committed+n <= r.WrongBudget
}
