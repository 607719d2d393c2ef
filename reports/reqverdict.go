package reports

import (
	"slices"

	"github.com/roomconform/conform/caselang"
)

// The verdicts of a checked requirement (RequirementVerdicts): what the
// cases that checked it found, not merely that they checked it.
const (
	// ReqPass: checked, and no check under it broken.
	ReqPass = "pass"
	// ReqFail: a case broke it in a way that fails the run.
	ReqFail = "fail"
	// ReqKnown: broken only as the baseline lists (the cases are XFAIL).
	ReqKnown = "known failure"
	// ReqWarn: broken only where that warns (a SHOULD, without --strict).
	ReqWarn = "warn"
)

// RequirementVerdicts gives each requirement of the coverage its verdict:
// for a checked one, the worst of what its checks found (fail, known
// failure, warn, else pass); for any other, its coverage status
// (unchecked, excluded, blocked, not checkable, not applicable). A
// requirement checked by many cases of which one fails it is fail: being
// checked is never a pass. Only the findings of cases judged count, as in
// the coverage (an ERROR's are not).
func (r Run) RequirementVerdicts() map[string]string {
	rank := map[string]int{ReqPass: 0, ReqWarn: 1, ReqKnown: 2, ReqFail: 3}
	worst := map[string]string{}
	for _, c := range r.Cases {
		if !ranToVerdict(c.Verdict) {
			continue
		}
		for _, f := range c.Findings {
			if !f.Broken() {
				continue
			}
			v := ReqWarn
			if fails(f.Finding, r.Selection.Strict) {
				v = ReqFail
				// Known: the case failed only as its baseline says, or this
				// finding is not one of its new failures.
				if k := c.Baseline; c.Verdict == caselang.XFail || k != nil && len(k.New) > 0 && !slices.Contains(k.New, f.Key) {
					v = ReqKnown
				}
			}
			if rank[v] > rank[worst[f.Requirement]] {
				worst[f.Requirement] = v
			}
		}
	}
	out := make(map[string]string, len(r.Coverage))
	for _, cv := range r.Coverage {
		switch {
		case cv.Status != Checked:
			out[cv.ID] = cv.Status
		case worst[cv.ID] != "":
			out[cv.ID] = worst[cv.ID]
		default:
			out[cv.ID] = ReqPass
		}
	}
	return out
}
