package engine

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"slices"

	"github.com/roomconform/conform/cases"
)

// The wrong-credential budget on a live target. A device's lockout counts
// wrong credentials in a way nobody knows (RC-6b), so every failed auth the
// suite provokes counts: the smoke cases first; then every other case that
// sends wrong credentials, hand-written or a near miss, in an order drawn
// from the run's seed, as many as fit; then the token exercises that may
// fail, with what is left. A case the budget leaves out is "not run"
// (neither a pass nor a failure), and another seed runs others, so that
// successive CI runs cover the family. Disruptive cases, which the
// operator selects on purpose, are exempt. Against the embedded server the
// budget is unlimited and everything runs.

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
	slices.SortStableFunc(rotating, func(a, b cases.Case) int {
		return cmp.Compare(seeded(r.Seed, a.ID), seeded(r.Seed, b.ID))
	})
	for _, c := range rotating {
		if !take(c, c.WrongCredentials()) {
			r.leftOut[c.ID] = true
		}
	}
}

// seeded is a case's place in the order of seed.
func seeded(seed uint64, id string) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%s", seed, id)
	return h.Sum64()
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
		return fmt.Sprintf("not run: the wrong-credential budget of %d goes to other cases in this run (seed %d; another --seed runs others)", r.WrongBudget, r.Seed)
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
