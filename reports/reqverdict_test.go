package reports

import (
	"testing"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
)

// TestRequirementVerdicts: a requirement is as bad as the worst check
// under it in a judged case: one failing case among passing ones makes it
// fail; a broken SHOULD warns (fails under --strict); a known failure is
// known; an ERROR's findings do not count; one not checked keeps its
// coverage status.
func TestRequirementVerdicts(t *testing.T) {
	f := func(req string, ok bool) Finding {
		return Finding{Finding: caselang.Finding{Requirement: req, Level: caselang.LevelOf(req), OK: ok, Check: "c", Expected: "x", Actual: "y"}}
	}
	should := "" // a SHOULD requirement of the reading
	for _, req := range caselang.Requirements() {
		if req.Level == caselang.Should {
			should = req.ID
			break
		}
	}
	run := func(strict bool) Run {
		r := Run{Selection: Selection{Strict: strict}, Cases: []Case{
			{ID: "p1", Verdict: caselang.Pass, Findings: []Finding{f("RC-8", true), f("ENV-2", true), f(should, true)}},
			{ID: "f1", Verdict: caselang.Fail, Findings: []Finding{f("RC-8", false)}},
			{ID: "p2", Verdict: caselang.Pass, Findings: []Finding{f("RC-8", true)}},
			{ID: "w1", Verdict: caselang.Warn, Findings: []Finding{f(should, false)}},
			{ID: "x1", Verdict: caselang.XFail, Baseline: &Known{Reason: "known"}, Findings: []Finding{f("RC-3", false)}},
			{ID: "e1", Verdict: caselang.Error, Findings: []Finding{f("ENV-2", false)}},
		}}
		r.Tally(cases.Catalogue())
		return r
	}
	v := run(false).RequirementVerdicts()
	for id, want := range map[string]string{"RC-8": ReqFail, "ENV-2": ReqPass, should: ReqWarn, "RC-3": ReqKnown} {
		if v[id] != want {
			t.Errorf("%s: %q, want %q", id, v[id], want)
		}
	}
	if got := run(true).RequirementVerdicts()[should]; got != ReqFail {
		t.Errorf("a broken SHOULD under --strict: %q", got)
	}
	r := run(false)
	for _, cv := range r.Coverage {
		if cv.Status != Checked && v[cv.ID] != cv.Status {
			t.Errorf("%s (%s): %q", cv.ID, cv.Status, v[cv.ID])
		}
	}
}
