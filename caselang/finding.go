package caselang

import "strings"

// Verdict is the outcome of one case (README, "Verdicts, exit codes and reports").
type Verdict string

// The verdicts. PASS may carry INFO findings. Decide gives PASS, FAIL or
// WARN; the engine SKIP or ERROR; the reports XFAIL.
const (
	Pass  Verdict = "PASS"
	Fail  Verdict = "FAIL"
	Warn  Verdict = "WARN"
	Skip  Verdict = "SKIP"
	Error Verdict = "ERROR"
	// XFail is a FAIL the operator's baseline lists as a known failure
	// (--baseline): it does not fail the run.
	XFail Verdict = "XFAIL"
)

// Skipped says why a case was skipped, which is what its requirements'
// coverage makes of it (reports, "Coverage"). The zero value is a skip
// for a reason the operator can fix (a missing secret or address).
type Skipped string

// The kinds of skip.
const (
	// SkipFixable: a precondition the operator could meet (a secret, a URL).
	SkipFixable Skipped = ""
	// SkipNotApplicable: the target's configuration (its protection, its
	// plan): the case's requirements do not apply to it.
	SkipNotApplicable Skipped = "not applicable"
	// SkipNotCheckable: no run can meet it on this target (a lifetime
	// longer than a run waits; more changes of a live target's protection
	// than the live-safety policy allows one case).
	SkipNotCheckable Skipped = "not checkable"
	// SkipExcluded: the selection left it out, the operator's or the safe
	// live default's (disruptive or mutating, not opted into).
	SkipExcluded Skipped = "excluded"
	// SkipBudget: the wrong-credential budget left it out.
	SkipBudget Skipped = "budget"
	// SkipLockout: the run's own wrong credentials may have locked the
	// target out, so the case sent none: the operator can fix that (declare
	// the lockout and pace the run, or lower the budget).
	SkipLockout Skipped = "lockout"
)

// PossibleLockout is why a check on an answer that may be a lockout's is
// not evaluated (Finding.NotEvaluated says it, alone or in "blocked by a
// possible lockout at step ..."): the run's own wrong credentials, not a
// deviation of the target, took away what it needed.
const PossibleLockout = "possible lockout"

// SkipOf is the kind of skip an unmet precondition of kind k gives.
func SkipOf(k GapKind) Skipped {
	switch k {
	case Inapplicable:
		return SkipNotApplicable
	case Uncheckable:
		return SkipNotCheckable
	}
	return SkipFixable
}

// Finding is the result of one check: what the requirement expected, what the
// target did.
type Finding struct {
	Requirement string `json:"requirement"`
	Level       Level  `json:"level"`
	OK          bool   `json:"ok"`
	// Step names the step ("login", "#2") the finding belongs to.
	Step     string `json:"step,omitempty"`
	Check    string `json:"check"`
	Expected string `json:"expected,omitempty"`
	Actual   string `json:"actual,omitempty"`
	// Note explains or, for INFO, records what was seen.
	Note string `json:"note,omitempty"`
	// NotEvaluated says why the check could not be judged ("blocked by
	// ENV-9 at step #1", "possible lockout"): an earlier deviation took
	// away what it needed, and judging it anyway would count that
	// deviation a second time, under a broader requirement. Such a finding
	// is neither ok nor broken: it changes no verdict and fails no gate.
	NotEvaluated string `json:"notEvaluated,omitempty"`
}

// String reads like h2spec: "RC-8 (MUST) resultCode: expected one of [8], actual 0".
func (f Finding) String() string {
	var b strings.Builder
	b.WriteString(f.Requirement)
	b.WriteString(" (")
	b.WriteString(string(f.Level))
	b.WriteString(") ")
	if f.Step != "" {
		b.WriteString("step ")
		b.WriteString(f.Step)
		b.WriteString(": ")
	}
	b.WriteString(f.Check)
	if f.NotEvaluated != "" {
		b.WriteString(": not evaluated (")
		b.WriteString(f.NotEvaluated)
		b.WriteString(")")
		return b.String()
	}
	if f.Expected != "" || f.Actual != "" {
		b.WriteString(": expected ")
		b.WriteString(f.Expected)
		b.WriteString(", actual ")
		b.WriteString(f.Actual)
	}
	if f.Note != "" {
		if f.Expected != "" || f.Actual != "" {
			b.WriteString(" (")
			b.WriteString(f.Note)
			b.WriteString(")")
		} else {
			b.WriteString(": ")
			b.WriteString(f.Note)
		}
	}
	return b.String()
}

// Line is the finding as one line of a listing, marked "ok", "BROKEN" or
// "info" (an INFO finding records what was seen; it is never broken).
func (f Finding) Line() string {
	mark := "ok    "
	switch {
	case f.NotEvaluated != "":
		mark = "n/e   "
	case f.Broken():
		mark = "BROKEN"
	case f.Level == Info:
		mark = "info  "
	}
	return mark + " " + f.String()
}

// Broken reports whether the finding is a failed MUST or SHOULD check
// (one that was not evaluated is not).
func (f Finding) Broken() bool { return !f.OK && f.Level != Info && f.NotEvaluated == "" }

// Decide turns findings into a verdict: a broken MUST fails, a broken SHOULD
// warns (fails with strict). INFO findings, and those not evaluated, never
// change the verdict.
func Decide(findings []Finding, strict bool) Verdict {
	v := Pass
	for _, f := range findings {
		if !f.Broken() {
			continue
		}
		if f.Level == Must || strict {
			return Fail
		}
		v = Warn
	}
	return v
}
