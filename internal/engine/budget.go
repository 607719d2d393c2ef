package engine

import (
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
// apply to the target's own.
func (r *Runner) Plan(selected []cases.Case, elsewhere ...cases.Case) {
	if r.WrongBudget == Unlimited {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	left := r.WrongBudget - r.wrongSent
	var rotating []cases.Case
	r.planned, r.leftOut, r.committed = map[string]int{}, map[string]bool{}, 0
	take := func(c cases.Case, n int) bool {
		if r.committed+n > left {
			return false
		}
		r.committed += n
		r.planned[c.ID] = n
		return true
	}
	for _, c := range selected {
		n := c.WrongCredentials()
		switch {
		case n == 0 || c.HasLabel("disruptive") || c.Unmet(r.Profile) != "" && !slices.ContainsFunc(elsewhere, func(e cases.Case) bool { return e.ID == c.ID }):
		case c.HasLabel("smoke"):
			if !take(c, n) {
				r.leftOut[c.ID] = true
			}
		default:
			rotating = append(rotating, c)
		}
	}
	for _, c := range cases.OrderForBudget(rotating) {
		if !take(c, c.WrongCredentials()) {
			r.leftOut[c.ID] = true
		}
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
// reason it is not run. It takes c's wrong credentials from the budget.
func (r *Runner) admit(c cases.Case) string {
	if why := r.Lockout(); why != "" && c.WrongCredentials() > 0 {
		return "not run: it sends wrong credentials, and the run sends none after a " + why
	}
	if c.HasLabel("disruptive") {
		return ""
	}
	r.mu.Lock()
	out := r.leftOut[c.ID]
	r.mu.Unlock()
	if out {
		return fmt.Sprintf("not run: the wrong-credential budget of %d goes to cases before it in the fixed order (docs/catalogue.md); --pace runs every case, window by window", r.WrongBudget)
	}
	n := c.WrongCredentials()
	if reason := r.reserve(n); reason != "" {
		return reason
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
	if r.WrongBudget == Unlimited {
		return true
	}
	return r.wrongSent+r.committed+n <= r.WrongBudget
}
