package refserver

import (
	"encoding/json"
	"time"
)

// decision is the outcome of the auth algorithm before any state changes:
// either a failure code, or the mode to grant and the lifetime of the API
// token that comes with it.
type decision struct {
	rc      int
	mode    Mode
	origin  Origin
	expires time.Time // of the API token; zero = never
}

func fail(rc int) decision { return decision{rc: rc} }

// credential is what a secured login's credentials turned out to be.
type credential struct {
	mode    Mode // ModeNone: not recognised
	token   bool // a live API token (exempt from RC-4b)
	origin  Origin
	expires time.Time
}

// auth runs the auth method on a connection and applies the result. It returns
// the reply and the connections displaced from the granted mode.
func (s *Server) auth(c *conn, id json.RawMessage, f fields) (authReply, []*conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	d := s.decide(c, f, now)
	if d.rc != rcOK {
		if d.rc == rcWrongCredentials {
			s.countWrong(now)
		}
		c.log.Info("auth refused", "resultCode", d.rc, "mode", c.mode)
		return authReply{Method: "auth", RequestID: id, ResultCode: d.rc, Error: rcText[d.rc]}, nil
	}
	return s.grant(c, id, d, now)
}

// decide is the reference algorithm (requirements.md read as in the package
// brief). A request may have several faults; they are checked in this order:
// type, role, then the branch for the type. Where the spec accepts several
// codes, the first member of the accepted set is chosen.
func (s *Server) decide(c *conn, f fields, now time.Time) decision {
	typ, hasType, typeIsString := f.str("type")
	if hasType && (!typeIsString || (typ != "secured" && typ != "unsecured")) {
		return fail(rcInvalidType)
	}
	role, hasRole, roleIsString := f.str("role")
	want := ModeNone
	if hasRole {
		switch {
		case roleIsString && role == "admin":
			want = ModeAdmin
		case roleIsString && role == "user":
			want = ModeUser
		default:
			return fail(rcInvalidRole) // "" and non-strings included
		}
	}
	switch {
	case !hasType:
		return s.decideStatusChange(c, hasRole, want)
	case typ == "unsecured":
		return s.decideUnsecured(hasRole, want, now)
	default:
		return s.decideSecured(f, hasRole, want, now)
	}
}

// decideStatusChange handles auth without type. Role "user" is the
// documented switch from administrator to user. Role "admin" (SW-3) is where
// the docs contradict themselves: the parameter text says role "must be equal
// to admin", the example sends "user". The reference accepts both on an
// administrator connection: "admin" re-issues administrator tokens, which
// grants nothing the connection does not already hold. Either way the fresh
// API token keeps the original authorization's expiry (LIFE-5), and a
// connection that is not administrator gets 3.
func (s *Server) decideStatusChange(c *conn, hasRole bool, want Mode) decision {
	if !hasRole {
		return fail(rcMissingType)
	}
	if c.mode != ModeAdmin {
		return fail(rcNotAdmin)
	}
	return decision{mode: want, origin: OriginStatusChange, expires: c.authExpiry}
}

// decideUnsecured handles type "unsecured": a mode is granted only when it is
// unprotected. Without role the higher unprotected mode wins (ROLE-3, first
// member: administrator). The plan does not matter.
func (s *Server) decideUnsecured(hasRole bool, want Mode, now time.Time) decision {
	mode := want
	switch {
	case hasRole:
		if s.profile.security(want) != Unsecured {
			return fail(rcSecurityType)
		}
	case s.profile.Admin == Unsecured:
		mode = ModeAdmin
	case s.profile.User == Unsecured:
		mode = ModeUser
	default:
		return fail(rcSecurityType)
	}
	return decision{mode: mode, origin: OriginUnsecured, expires: now.Add(s.apiTTL)}
}

// decideSecured handles type "secured": password, PIN or token.
func (s *Server) decideSecured(f fields, hasRole bool, want Mode, now time.Time) decision {
	if _, ok := f["credentials"]; !ok {
		return fail(rcMissingCredentials)
	}
	cred, _, isString := f.str("credentials")
	if !isString || cred == "" {
		return fail(rcEmptyCredentials) // RC-14 accepts 7 or 8 for a non-string; 7 is first
	}
	if now.Before(s.lockedUntil) {
		return fail(rcLockedOut)
	}
	cr := s.identify(cred, now)
	if cr.mode == ModeNone {
		if s.profile.Plan == Free {
			return fail(rcNotPro) // secured login is a Pro feature (RC-2)
		}
		bothOpen := s.profile.Admin == Unsecured && s.profile.User == Unsecured
		if (hasRole && s.profile.security(want) == Unsecured) || (!hasRole && bothOpen) {
			return fail(rcSecurityType) // RC-4b, first member: nothing to check credentials against
		}
		return fail(rcWrongCredentials)
	}
	mode := cr.mode
	if hasRole && want != cr.mode {
		if want == ModeAdmin {
			return fail(rcOtherMode) // user credentials never raise privileges (RC-5, TOK-2)
		}
		// Admin credentials asking for user mode (RC-5b, first member: grant
		// user). Where user mode is unprotected a password or PIN has nothing to
		// verify (RC-4b); a token is exempt (TOK-1).
		if !cr.token && s.profile.User == Unsecured {
			return fail(rcSecurityType)
		}
		mode = ModeUser
	}
	return decision{mode: mode, origin: cr.origin, expires: cr.expires}
}

// identify recognises secured credentials: a live API token first (it works on
// every plan, since it was issued by an authorization the plan allowed), then
// on the Pro plan the admin password and command-line PIN, then the user
// password and PIN. A token's mode and expiry carry over (TOK-2, LIFE-5).
func (s *Server) identify(cred string, now time.Time) credential {
	if r, ok := s.tokens.lookup(cred); ok && r.Kind == APIToken && r.liveAt(now) {
		return credential{mode: r.Mode, token: true, origin: OriginToken, expires: r.Expires}
	}
	if s.profile.Plan == Free {
		return credential{}
	}
	sec := s.secrets
	switch {
	case s.profile.Admin == Password && matchExact(cred, sec.AdminPassword):
		return credential{mode: ModeAdmin, origin: OriginPassword, expires: now.Add(s.apiTTL)}
	case matchPIN(cred, sec.AdminPIN):
		return credential{mode: ModeAdmin, origin: OriginCommandLinePIN} // until restart
	case s.profile.User == Password && matchExact(cred, sec.UserPassword):
		return credential{mode: ModeUser, origin: OriginPassword, expires: now.Add(s.apiTTL)}
	case s.profile.User == PIN && matchPIN(cred, sec.UserPIN):
		return credential{mode: ModeUser, origin: OriginPIN, expires: now.Add(s.apiTTL)}
	}
	return credential{}
}

// countWrong records a wrong secured credential; the threshold-th in a row
// starts the lockout and resets the count, so that after the lockout the
// client again gets the full number of attempts.
func (s *Server) countWrong(now time.Time) {
	s.wrong++
	if s.wrong >= s.threshold {
		s.wrong = 0
		s.lockedUntil = now.Add(s.lockoutDur)
		s.log.Warn("too many wrong credentials: secured login locked", "for", s.lockoutDur)
	}
}

// grant applies a successful decision: mints the three tokens, resets the
// wrong-attempt count, moves the connection into the mode (displacing the
// previous holder) and builds the success reply.
func (s *Server) grant(c *conn, id json.RawMessage, d decision, now time.Time) (authReply, []*conn) {
	info := TokenInfo{Mode: d.mode, Origin: d.origin, Issued: now}
	api, http, overlay := info, info, info
	api.Kind, api.Expires = APIToken, d.expires
	http.Kind, http.Expires = HTTPToken, now.Add(s.httpTTL)
	overlay.Kind = OverlayToken // no time limit: it lasts until the session ends
	r := authReply{
		Method:             "auth",
		RequestID:          id,
		Previleges:         int(d.mode),
		Token:              s.tokens.issue(api, c.id),
		TokenForHTTPServer: s.tokens.issue(http, c.id),
		OverlayHTTPToken:   s.tokens.issue(overlay, c.id),
		Result:             true,
		ResultCode:         rcOK,
	}
	s.wrong = 0
	c.authExpiry = d.expires
	displaced := s.setMode(c, d.mode)
	c.log.Info("auth granted", "mode", d.mode, "origin", d.origin)
	return r, displaced
}

// setMode moves a connection into a mode. One connection per mode: the
// previous holder drops to no mode, loses its session tokens, and is returned
// to be notified. The connection's own previous mode is freed. Called with
// s.mu held.
func (s *Server) setMode(c *conn, m Mode) (displaced []*conn) {
	if c.mode != ModeNone && c.mode != m && s.holder[c.mode] == c {
		delete(s.holder, c.mode)
	}
	if m != ModeNone {
		if h := s.holder[m]; h != nil && h != c {
			h.mode = ModeNone
			h.authExpiry = time.Time{}
			s.tokens.revokeSession(h.id)
			displaced = append(displaced, h)
		}
		s.holder[m] = c
	}
	c.mode = m
	return displaced
}
