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
