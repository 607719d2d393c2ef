package engine

import "sync"

// Answers counts the successful auth answers the run saw ("result":
// true), and those of them that carried no resultCode: the shape of older
// (4.x) firmware. When every success lacks it, the verdict points at
// --legacy (reports.Run.LegacyHint); that is decided from these counts,
// what the target did, never from the text of the findings. Safe for
// concurrent use (the exploration's walks share the runner).
type Answers struct {
	mu                 sync.Mutex
	success, withoutRC int
}

// count records one auth answer's fields, before --legacy fills in the
// resultCode it lacks.
func (a *Answers) count(fields map[string]any) {
	if ok, _ := fields["result"].(bool); !ok {
		return
	}
	_, hasCode := fields["resultCode"]
	a.mu.Lock()
	defer a.mu.Unlock()
	a.success++
	if !hasCode {
		a.withoutRC++
	}
}

// Counts returns how many successful auth answers were seen, and how many
// of them lacked resultCode.
func (a *Answers) Counts() (successful, withoutResultCode int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.success, a.withoutRC
}

// SuccessfulAuths returns how many successful auth answers the runner's
// cases saw, and how many of them lacked resultCode.
func (r *Runner) SuccessfulAuths() (successful, withoutResultCode int) {
	return r.svc.Answers.Counts()
}
