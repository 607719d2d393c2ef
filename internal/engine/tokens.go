package engine

import "sync"

// Tokens is what the run knows of the tokens its cases got: the classes of
// token already exercised (exercise.go), each by the case that did, and
// every API token a fresh authorization (a login, a status change)
// returned, each by the step that got it (AUTH-5: a token returned
// twice). Safe for concurrent use.
type Tokens struct {
	mu        sync.Mutex
	exercised map[string]string
	issued    map[string]string
}

// NewTokens is the account of a run that has seen no token yet.
func NewTokens() *Tokens {
	return &Tokens{exercised: map[string]string{}, issued: map[string]string{}}
}

// claim reports whether caseID may exercise a token of class class: the
// first case to ask does, once per run.
func (t *Tokens) claim(class, caseID string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return firstTo(t.exercised, class, caseID) == ""
}

// unclaim gives a class of token back (its exercise could not run whole),
// so that a later case exercises it.
func (t *Tokens) unclaim(class, caseID string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.exercised[class] == caseID {
		delete(t.exercised, class)
	}
}

// firstIssued records token as issued by where, and returns where it was
// issued before ("" if never).
func (t *Tokens) firstIssued(token, where string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return firstTo(t.issued, token, where)
}

// forgetExercised forgets which classes of token were exercised, so that
// the next case exercises all of its tokens.
func (t *Tokens) forgetExercised() {
	t.mu.Lock()
	defer t.mu.Unlock()
	clear(t.exercised)
}

// firstTo records who under key in set unless someone is there already,
// and returns that someone ("" when who is the first).
func firstTo(set map[string]string, key, who string) string {
	if before, ok := set[key]; ok {
		return before
	}
	set[key] = who
	return ""
}
