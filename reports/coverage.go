package reports

import (
	"fmt"
	"slices"
	"strings"

	"github.com/roomconform/conform/caselang"
)

// Coverage statuses of a requirement in a run: each is one class of why
// it was or was not checked, and the gates (--require, the verdict
// incomplete) fail on some and never on others.
const (
	// Checked: a case that ran to a verdict made a check under it.
	Checked = "checked"
	// NotApplicable: the cases that cite it were skipped because of how
	// the target is configured (its protection, its plan). Fails no gate.
	NotApplicable = "not applicable"
	// Excluded: cases that would check it were left out by the selection,
	// the operator's or the safe live default's (slow, disruptive,
	// mutating). Fails --require complete.
	Excluded = "excluded"
	// NotCheckable: no run can check it against this target (waiting out a
	// 30-day token lifetime on a device). Fails no gate; the reason says
	// what would make it checkable.
	NotCheckable = "not checkable"
	// Blocked: the checks made under it could not be judged, because an
	// earlier deviation of the target under another requirement took away
	// what they needed (it closed the connection after a failure, ENV-9).
	// The deviation is reported where it happened; this class fails no
	// gate, so that it is never counted twice. A possible lockout is not
	// the target's deviation but the run's doing: unchecked.
	Blocked = "blocked"
	// Unchecked: it applies, a selected case would have checked it, and
	// nothing did, for a reason the operator can fix (a missing or empty
	// secret, an address, the budget, a possible lockout the run's wrong
	// credentials caused, an error). Fails --require must and
	// --require complete, and on a live target (MUST) makes the run
	// incomplete.
	Unchecked = "unchecked"
)

// Coverage says whether the run checked one requirement of the reading,
// and if not, why.
type Coverage struct {
	ID     string `json:"id"`
	Level  string `json:"level"`
	Status string `json:"status"`
	// Cases are the cases whose checks cover it (checked), or else the
	// selected cases that cite it.
	Cases []string `json:"cases,omitempty"`
	// Why lists, for a requirement not checked, each distinct reason with
	// the cases it held for.
	Why []string `json:"why,omitempty"`
	// Hole marks a requirement no case of this version of the suite checks
	// (the catalogue's NotYetCovered): the suite's gap, not the operator's, so
	// --require never fails on it; it is reported all the same.
	Hole bool `json:"hole,omitempty"`
}

// CoverageCounts sums the coverage of one level, a count per status.
type CoverageCounts struct {
	Total         int `json:"total"`
	Checked       int `json:"checked"`
	NotApplicable int `json:"notApplicable"`
	Excluded      int `json:"excluded"`
	NotCheckable  int `json:"notCheckable"`
	Blocked       int `json:"blocked"`
	Unchecked     int `json:"unchecked"`
	// Holes are the unchecked ones no case of the suite checks yet.
	Holes int `json:"holes"`
}

// The values of --require: what the gate demands of the coverage beyond
// the cases' verdicts.
const (
	// RequireMust fails the run on a MUST requirement unchecked for a
	// reason the operator can fix.
	RequireMust = "must"
	// RequireComplete also fails it on a MUST or SHOULD requirement
	// unchecked, or excluded by the selection.
	RequireComplete = "complete"
)

// Requires are the values of --require ("" demands nothing).
var Requires = []string{"", RequireMust, RequireComplete}

// cover computes the coverage of every requirement of the registry from
// the run's cases (the selected ones) and the cases the selection left
// out, against the catalogue cat.
func cover(run []Case, unselected []Unselected, cat caselang.CaseSet) []Coverage {
	citing := map[string][]string{} // requirement -> selected cases citing it
	checked := map[string][]string{}
	// blocked: requirement -> reason -> cases, for checks not evaluated.
	blocked := map[string]*reasons{}
	// lockedOut: the same, for checks a possible lockout left unjudged.
	lockedOut := map[string]*reasons{}
	byKey := map[string]Case{}
	ran := map[string]bool{} // the IDs of the run's cases
	for _, c := range run {
		byKey[c.Key()], ran[c.ID] = c, true
		for _, r := range c.Requirements {
			citing[r.ID] = append(citing[r.ID], c.Key())
		}
		if !ranToVerdict(c.Verdict) {
			continue
		}
		seen := map[string]bool{}
		for _, f := range c.Findings {
			if f.NotEvaluated != "" {
				m := blocked
				if strings.Contains(f.NotEvaluated, caselang.PossibleLockout) {
					m = lockedOut
				}
				if m[f.Requirement] == nil {
					m[f.Requirement] = &reasons{}
				}
				m[f.Requirement].add("not evaluated: "+f.NotEvaluated, c.Key())
				continue
			}
			if !seen[f.Requirement] {
				seen[f.Requirement] = true
				checked[f.Requirement] = append(checked[f.Requirement], c.Key())
			}
		}
	}
	left := map[string][]Unselected{} // requirement -> unselected cases citing it
	listed := map[string]bool{}
	for _, u := range unselected {
		listed[u.ID] = true
		c, ok := cat.Lookup(u.ID)
		if !ok || c.HasLabel("explore") {
			// The exploration cites every requirement it may come across;
			// left out, it is no dedicated check going unmade.
			continue
		}
		for _, r := range c.Requirements {
			left[r] = append(left[r], u)
		}
	}
	cited := map[string]bool{} // requirement -> some case of cat cites it
	for _, c := range cat.Cases {
		for _, r := range c.Requirements {
			cited[r] = true
		}
		if listed[c.ID] || ran[c.ID] || c.HasLabel("explore") || c.HasLabel("generated") {
			continue
		}
		// A case neither run nor listed as unselected (a run built
		// without the conductor's list): left out by the selection, as far
		// as anyone can tell. A generated case not listed was made for
		// another profile.
		for _, r := range c.Requirements {
			left[r] = append(left[r], Unselected{ID: c.ID, As: caselang.SkipExcluded})
		}
	}
	var out []Coverage
	for _, req := range caselang.Requirements() {
		cv := Coverage{ID: req.ID, Level: string(req.Level)}
		switch {
		case len(checked[req.ID]) > 0:
			cv.Status, cv.Cases = Checked, checked[req.ID]
		case cat.NotYetCovered[req.ID] != "":
			cv.Status, cv.Hole = Unchecked, true
			cv.Why = []string{"no case of this version of the suite checks it: " + cat.NotYetCovered[req.ID]}
		default:
			cv.Cases = citing[req.ID]
			cv.Status, cv.Why = uncheckedWhy(citing[req.ID], left[req.ID], blocked[req.ID], lockedOut[req.ID], byKey, cited[req.ID])
		}
		out = append(out, cv)
	}
	return out
}

// ranToVerdict reports whether a case was judged (its findings count).
func ranToVerdict(v caselang.Verdict) bool {
	return v == caselang.Pass || v == caselang.Fail || v == caselang.Warn || v == caselang.XFail
}

// reasons groups cases by the reason they give, in the order first given.
type reasons struct {
	order []string
	cases map[string][]string
}

func (r *reasons) add(why string, ids ...string) {
	if r.cases == nil {
		r.cases = map[string][]string{}
	}
	if _, ok := r.cases[why]; !ok {
		r.order = append(r.order, why)
	}
	for _, id := range ids {
		if !slices.Contains(r.cases[why], id) {
			r.cases[why] = append(r.cases[why], id)
		}
	}
}

func (r *reasons) rendered() []string {
	if r == nil {
		return nil
	}
	return render(r.order, r.cases)
}

// uncheckedWhy classifies a requirement no finding covers by what became
// of the cases that would have checked it: the selected ones citing it,
// those the selection excluded, and the checks an earlier deviation
// blocked. The class the operator can act on comes first: a fixable
// reason (a skip for a secret or an address, the budget, an error, a case
// judged without reaching a check of it) over an exclusion, over a block,
// over a lifetime no run can wait out, over the target's configuration.
func uncheckedWhy(selected []string, unselected []Unselected, blockedBy, lockedOut *reasons, byKey map[string]Case, cited bool) (string, []string) {
	var fix, na, uncheckable reasons
	if lockedOut != nil {
		for _, w := range lockedOut.order {
			fix.add(w+lockoutFix, lockedOut.cases[w]...)
		}
	}
	var neutral, excluded []string
	for _, u := range unselected {
		switch u.As {
		case caselang.SkipNotApplicable:
			na.add("not applicable: "+firstLine(u.Reason), u.ID)
		case caselang.SkipNotCheckable:
			uncheckable.add("not checkable within a run: "+firstLine(u.Reason), u.ID)
		default:
			excluded = append(excluded, u.ID)
		}
	}
	for _, key := range selected {
		c := byKey[key]
		switch {
		case c.Verdict == caselang.Skip && c.Skipped == caselang.SkipNotApplicable:
			na.add("not applicable: "+firstLine(c.Message), key)
		case c.Verdict == caselang.Skip && c.Skipped == caselang.SkipNotCheckable:
			uncheckable.add("not checkable within a run: "+firstLine(c.Message), key)
		case c.Verdict == caselang.Skip && c.Skipped == caselang.SkipExcluded:
			excluded = append(excluded, key)
		case c.Verdict == caselang.Skip && c.Skipped == caselang.SkipLockout:
			fix.add("skipped: "+firstLine(c.Message)+lockoutFix, key)
		case c.Verdict == caselang.Skip && c.Skipped == caselang.SkipBudget:
			fix.add("left out by the wrong-credential budget: "+firstLine(c.Message), key)
		case c.Verdict == caselang.Skip:
			fix.add("skipped: "+firstLine(c.Message), key)
		case c.Verdict == caselang.Error:
			fix.add("error: "+firstLine(c.Message), key)
		default:
			neutral = append(neutral, key)
		}
	}
	var ex reasons
	if len(excluded) > 0 {
		ex.add(excludedWhy+" (--label-filter, --case, --requirement, or the live default)", excluded...)
	}
	switch {
	case len(fix.order) > 0:
		if len(neutral) > 0 {
			fix.add("ran without reaching a check of it", neutral...)
		}
		return Unchecked, slices.Concat(fix.rendered(), blockedBy.rendered(), ex.rendered())
	case len(ex.order) > 0:
		return Excluded, ex.rendered()
	case blockedBy != nil:
		return Blocked, blockedBy.rendered()
	case len(uncheckable.order) > 0:
		return NotCheckable, uncheckable.rendered()
	case len(na.order) > 0:
		return NotApplicable, na.rendered()
	case len(neutral) > 0:
		fix.add("ran without reaching a check of it", neutral...)
		return Unchecked, fix.rendered()
	}
	if !cited {
		return Unchecked, []string{"no case cites it"}
	}
	// Only generated cases cite it, made for other profiles than the
	// target's.
	return NotApplicable, []string{"not applicable: only the cases made for other profiles cite it"}
}

// excludedWhy starts the reason of the cases the selection left out.
const excludedWhy = "excluded by the selection"

// lockoutFix says what lifts a possible lockout the run caused.
const lockoutFix = " (the run's own wrong credentials may have locked the target out: declare its lockout and use --pace, or lower --wrong-credential-budget)"

func render(order []string, reasons map[string][]string) []string {
	why := make([]string, 0, len(order))
	for _, w := range order {
		why = append(why, w+casesOf(reasons[w]))
	}
	return why
}

// casesOf renders " (a, b and 3 more)" for a reason's cases.
func casesOf(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	const shown = 3
	if len(ids) <= shown {
		return " (" + strings.Join(ids, ", ") + ")"
	}
	return fmt.Sprintf(" (%s and %d more)", strings.Join(ids[:shown], ", "), len(ids)-shown)
}

// countCoverage sums the coverage of the requirements of level l.
func countCoverage(cov []Coverage, l caselang.Level) CoverageCounts {
	var n CoverageCounts
	for _, c := range cov {
		if c.Level != string(l) {
			continue
		}
		n.Total++
		switch c.Status {
		case Checked:
			n.Checked++
		case NotApplicable:
			n.NotApplicable++
		case Excluded:
			n.Excluded++
		case NotCheckable:
			n.NotCheckable++
		case Blocked:
			n.Blocked++
		default:
			n.Unchecked++
			if c.Hole {
				n.Holes++
			}
		}
	}
	return n
}

// MissingMust lists the MUST requirements that apply but went unchecked
// for a reason the operator can fix, the suite's own holes left out: what
// --require must fails on, and on a live target what makes a run
// incomplete.
func (r Run) MissingMust() []Coverage {
	var out []Coverage
	for _, c := range r.Coverage {
		if c.Level == string(caselang.Must) && c.Status == Unchecked && !c.Hole {
			out = append(out, c)
		}
	}
	return out
}

// Ungated lists the requirements the run's --require demands and the
// run did not check: for "must", MissingMust; for "complete", every MUST
// or SHOULD requirement unchecked (holes left out) or excluded by the
// selection.
func (r Run) Ungated() []Coverage {
	switch r.Require {
	case RequireMust:
		return r.MissingMust()
	case RequireComplete:
		var out []Coverage
		for _, c := range r.Coverage {
			judged := c.Level == string(caselang.Must) || c.Level == string(caselang.Should)
			if judged && (c.Status == Unchecked && !c.Hole || c.Status == Excluded) {
				out = append(out, c)
			}
		}
		return out
	}
	return nil
}
