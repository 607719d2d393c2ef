package engine

import "sync"

// Health is what the run learned about its target beyond any one case:
// that it stopped answering (dead: later cases cost no more timeouts, they
// are ERROR at once), and that a lockout the run did not cause may be in
// force (from then on no wrong credential is sent). Each is the first
// reason given, kept for the run. Safe for concurrent use.
type Health struct {
	mu      sync.Mutex
	dead    string
	lockout string
}

// Dead returns why the target was given up on ("" while it answers).
func (h *Health) Dead() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.dead
}

// giveUp records that the target is given up on, and why.
func (h *Health) giveUp(why string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.dead == "" {
		h.dead = why
	}
}

// Lockout says where a possible lockout stopped the run's wrong
// credentials ("" while none did).
func (h *Health) Lockout() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lockout
}

// suspectLockout records that a possible lockout the run did not cause
// was seen (where): a 6 for credentials the model cannot put down to wrong
// credentials sent within the lockout window it knows. From then on the
// run spends no wrong credentials at all, disruptive cases included: each
// could prolong the lockout or lock the operator out, and its answer could
// not be judged anyway.
func (h *Health) suspectLockout(where string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.lockout == "" {
		h.lockout = where
	}
}
