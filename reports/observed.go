package reports

import "fmt"

// Observed is what the engine saw of the target's answers beyond the
// findings: how many auth answers said "result": true, and how many of
// those carried no resultCode, the shape of older (4.x) firmware that
// --legacy judges by the legacy reading. It is counted over the target's
// own answers (and its walk's), not the other embedded servers a default
// run adds.
type Observed struct {
	SuccessfulAuth    int `json:"successfulAuth"`
	WithoutResultCode int `json:"successWithoutResultCode"`
}

// ObservedAnswers is the Observed of these counts.
func ObservedAnswers(successful, withoutResultCode int) *Observed {
	return &Observed{SuccessfulAuth: successful, WithoutResultCode: withoutResultCode}
}

// Server is the embedded reference server's setup as the operator gave it
// (--profile, --fault, --variant: names, never secrets), so that a rerun
// meets the same server. nil for a live target.
type Server struct {
	Profile  string   `json:"profile,omitempty"`
	Faults   []string `json:"faults,omitempty"`
	Variants []string `json:"variants,omitempty"`
}

// LegacyHint is what the verdict says once when every successful auth
// answer of a run that was not --legacy lacked resultCode ("" otherwise):
// that this is the shape of older firmware, and that --legacy judges it by
// the legacy reading. It is decided from what was observed (Observed), not
// from the findings' text.
func (r Run) LegacyHint() string {
	o := r.Observed
	if r.Selection.Legacy || o == nil || o.SuccessfulAuth == 0 || o.WithoutResultCode < o.SuccessfulAuth {
		return ""
	}
	return fmt.Sprintf("every successful auth answer of this run (%d) lacked resultCode: that is the shape of older (4.x) firmware, "+
		"as TrueConf's own client recorded it; --legacy judges it by the legacy reading (one WARN under ENV-6 instead of a FAIL "+
		"of every check that reads resultCode)", o.SuccessfulAuth)
}
