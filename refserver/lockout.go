package refserver

import "time"

// countWrong records a wrong secured credential; the threshold-th in a row
// starts the lockout and resets the count, so that after the lockout the
// client again gets the full number of attempts.
func (s *Server) countWrong(c *conn, now time.Time) {
	if s.faults.has(faultNoLockout) {
		return
	}
	count, times := &s.wrong, &s.wrongAt
	if s.faults.has(faultLockoutPerConnection) {
		count, times = &c.wrong, &c.wrongAt
	}
	if s.window > 0 {
		// Windowed: the wrong credentials of the last window count, what
		// succeeded between them or not.
		recent := (*times)[:0]
		for _, t := range *times {
			if now.Sub(t) < s.window {
				recent = append(recent, t)
			}
		}
		*times = append(recent, now)
		*count = len(*times)
	} else {
		*count++
	}
	if *count >= s.threshold {
		*count, *times = 0, (*times)[:0]
		s.lockedUntil = now.Add(s.lockoutDur)
		s.lockouts++
		s.log.Warn("too many wrong credentials: secured login locked", "for", s.lockoutDur)
	}
}

// lockoutFaults applies the faults of the lockout as one connection sees it
// to a secured login with credentials cred on c: it may lift the lockout
// for c (*locked), or decide the login itself (decided). Without these
// faults it changes nothing: the lockout is the whole server's.
func (s *Server) lockoutFaults(c *conn, cred string, locked *bool, now time.Time) (d decision, decided bool) {
	switch {
	case *locked && !c.openedLocked && s.faults.has(faultLockoutSparesEarlierConns):
		*locked = false
	case *locked && c.mode != ModeNone && s.faults.has(faultLockoutSparesAuthorized):
		*locked = false
	}
	if !*locked {
		return decision{}, false
	}
	r, ok := s.tokens.lookup(cred)
	if !ok || r.Kind != APIToken || !r.liveAt(now) {
		return decision{}, false
	}
	switch {
	case s.faults.has(faultLockoutTokenCode8):
		return fail(rcWrongCredentials), true
	case s.faults.has(faultLockoutRevokesPresented):
		r.Revoked = true
	}
	return decision{}, false
}
