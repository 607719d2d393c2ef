package reports

import (
	"fmt"
	"slices"
	"strings"

	"github.com/roomconform/conform/caselang"
)

// Coverage statuses of a requirement in a run.
const (
	// Checked: a case that ran to a verdict made a check under it.
	Checked = "checked"
	// NotApplicable: every case that cites it was skipped because of how
	// the target is configured (its protection, its plan).
	NotApplicable = "not applicable"
	// Unchecked: it applies, or may apply, and nothing checked it.
	Unchecked = "unchecked"
	// NotEvaluated: the checks made under it could not be judged, because
	// an earlier deviation under another requirement took away what they
	// needed (the target closed the connection after a failure, ENV-9; a
	// possible lockout, RC-6). The deviation is reported where it happened;
	// this class fails no gate, so that it is never counted twice.
	NotEvaluated = "not evaluated"
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

// CoverageCounts sums the coverage of one level.
type CoverageCounts struct {
	Total         int `json:"total"`
	Checked       int `json:"checked"`
	NotApplicable int `json:"notApplicable"`
	Unchecked     int `json:"unchecked"`
	// NotEvaluated counts those whose checks were all blocked by an
	// earlier deviation (NotEvaluated).
	NotEvaluated int `json:"notEvaluated"`
	// Holes are the unchecked ones no case of the suite checks yet.
	Holes int `json:"holes"`
}

// Requires are the values of --require: the levels whose requirements must
// all be checked where they apply.
var Requires = []string{"", "must"}

// cover computes the coverage of every requirement of the registry from
// the run's cases (the selected ones; any other case of the catalogue cat
// that cites a requirement was not selected).
func cover(run []Case, cat caselang.CaseSet) []Coverage {
	citing := map[string][]string{} // requirement -> selected cases citing it
	checked := map[string][]string{}
	// blocked: requirement -> reason -> cases, for checks not evaluated.
	blocked := map[string]map[string][]string{}
	blockOrder := map[string][]string{}
	byID := map[string]Case{}
	for _, c := range run {
		byID[c.ID] = c
		for _, r := range c.Requirements {
			citing[r.ID] = append(citing[r.ID], c.ID)
		}
		if !ranToVerdict(c.Verdict) {
			continue
		}
		seen := map[string]bool{}
		for _, f := range c.Findings {
			if f.NotEvaluated != "" {
				why := "not evaluated: " + f.NotEvaluated
				if blocked[f.Requirement] == nil {
					blocked[f.Requirement] = map[string][]string{}
				}
				ids := blocked[f.Requirement][why]
				if len(ids) == 0 {
					blockOrder[f.Requirement] = append(blockOrder[f.Requirement], why)
				}
				if !slices.Contains(ids, c.ID) {
					blocked[f.Requirement][why] = append(ids, c.ID)
				}
				continue
			}
			if !seen[f.Requirement] {
				seen[f.Requirement] = true
				checked[f.Requirement] = append(checked[f.Requirement], c.ID)
			}
		}
	}
	unselected := map[string][]string{}
	for _, c := range cat.Cases {
		if _, ok := byID[c.ID]; ok || c.HasLabel("explore") {
			// The exploration cites every requirement it may come across;
			// left unselected it is no dedicated check going unmade.
			continue
		}
		for _, r := range c.Requirements {
			unselected[r] = append(unselected[r], c.ID)
		}
	}
	var out []Coverage
	for _, req := range caselang.Requirements() {
		cv := Coverage{ID: req.ID, Level: string(req.Level)}
		switch {
		case len(checked[req.ID]) > 0:
			cv.Status, cv.Cases = Checked, checked[req.ID]
		case len(blocked[req.ID]) > 0:
			cv.Status, cv.Cases = NotEvaluated, citing[req.ID]
			cv.Why = render(blockOrder[req.ID], blocked[req.ID])
		case cat.NotYetCovered[req.ID] != "":
			cv.Status, cv.Hole = Unchecked, true
			cv.Why = []string{"no case of this version of the suite checks it: " + cat.NotYetCovered[req.ID]}
		default:
			cv.Cases = citing[req.ID]
			cv.Status, cv.Why = uncheckedWhy(citing[req.ID], unselected[req.ID], byID)
		}
		out = append(out, cv)
	}
	return out
}

// ranToVerdict reports whether a case was judged (its findings count).
func ranToVerdict(v caselang.Verdict) bool {
	return v == caselang.Pass || v == caselang.Fail || v == caselang.Warn || v == caselang.XFail
}

// uncheckedWhy classifies a requirement no finding covers: not applicable
// when some selected case citing it was skipped for the target's
// configuration and none for a reason the operator could change (a skip,
// an error, a case left unselected); a case judged without reaching a
// check of it is neutral. Unchecked otherwise, with the reasons grouped.
func uncheckedWhy(selected, unselected []string, byID map[string]Case) (string, []string) {
	reasons := map[string][]string{}
	var order, neutral []string
	add := func(why string, ids ...string) {
		if _, ok := reasons[why]; !ok {
			order = append(order, why)
		}
		reasons[why] = append(reasons[why], ids...)
	}
	inapplicable, operator := false, len(unselected) > 0
	for _, id := range selected {
		c := byID[id]
		switch {
		case c.Verdict == caselang.Skip && c.NotApplicable:
			inapplicable = true
			add("not applicable: "+firstLine(c.Message), id)
		case c.Verdict == caselang.Skip:
			operator = true
			add("skipped: "+firstLine(c.Message), id)
		case c.Verdict == caselang.Error:
			operator = true
			add("error: "+firstLine(c.Message), id)
		default:
			neutral = append(neutral, id)
		}
	}
	if inapplicable && !operator {
		return NotApplicable, render(order, reasons)
	}
	if len(neutral) > 0 {
		add("ran without reaching a check of it", neutral...)
	}
	if len(unselected) > 0 {
		add("not selected (--label-filter, --case)", unselected...)
	}
	if len(order) == 0 {
		add("no case cites it")
	}
	return Unchecked, render(order, reasons)
}

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
		case NotEvaluated:
			n.NotEvaluated++
		default:
			n.Unchecked++
			if c.Hole {
				n.Holes++
			}
		}
	}
	return n
}

// MissingMust lists the MUST requirements that apply but went unchecked,
// the suite's own holes left out: what --require must fails on.
func (r Run) MissingMust() []Coverage {
	var out []Coverage
	for _, c := range r.Coverage {
		if c.Level == string(caselang.Must) && c.Status == Unchecked && !c.Hole {
			out = append(out, c)
		}
	}
	return out
}
