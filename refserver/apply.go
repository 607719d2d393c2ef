package refserver

import (
	"cmp"
	"strconv"
	"time"
)

// refuse applies a failed decision: wrong credentials count towards the
// lockout, and nothing else changes (FAIL-4: the connection keeps its mode).
// The reply carries result false, the code and its text, and nothing usable:
// no token, no previleges, nothing from the request (FAIL-1, FAIL-2, FAIL-5).
func (s *Server) refuse(c *conn, f fields, d decision, now time.Time) (authReply, []*conn) {
	if d.wrong {
		s.countWrong(c, now)
	}
	r := authReply{Result: false, ResultCode: d.rc, Error: s.errorText(rcText[d.rc])}
	switch {
	case d.rc == rcNotAdmin && s.faults.has(faultResultTrueOnCode3):
		r.Result = true
	case s.faults.has(faultResultNotBooleanOnFailure):
		r.Result = 0
	}
	if d.rc == rcWrongCredentials && s.faults.has(faultCredentialsEchoed) {
		cred, _, isString := f.str("credentials")
		if !isString {
			cred = string(f["credentials"])
		}
		r.Error = rcText[d.rc] + ": " + cred
	}
	switch {
	case s.faults.has(faultPrevilegesOnFailure):
		r.Previleges = new(0)
	case d.rc == rcNotAdmin && c.mode != ModeNone && s.faults.has(faultCode3ReportsCurrentMode):
		r.Previleges = new(int(c.mode))
	}
	switch {
	case s.faults.has(faultTokenOnFailure):
		admin := TokenInfo{Kind: APIToken, Mode: ModeAdmin, Origin: OriginPassword, Issued: now, Expires: now.Add(s.apiTTL)}
		r.Token = s.tokens.issue(admin, c.id)
	case d.credMode != ModeNone && s.faults.has(faultRoleMismatchCarriesToken):
		// Minted before the role was checked.
		minted := TokenInfo{Kind: APIToken, Mode: d.credMode, Origin: d.origin, Issued: now, Expires: d.expires}
		r.Token = s.tokens.issue(minted, c.id)
	}
	var displaced []*conn
	switch {
	case c.mode != ModeNone && s.faults.has(faultFailureDropsMode):
		s.setMode(c, ModeNone)
		c.authExpiry = time.Time{}
	case c.mode == ModeNone && d.rc == rcWrongCredentials && s.faults.has(faultFailureGrantsAdmin):
		displaced = s.setMode(c, ModeAdmin)
		c.authExpiry = now.Add(s.apiTTL)
	case c.mode == ModeNone && d.credMode != ModeNone && s.faults.has(faultRoleMismatchGrantsCredMode):
		// The credentials' mode was applied before the role was checked.
		displaced = s.setMode(c, d.credMode)
		c.authExpiry = d.expires
	}
	c.log.Info("auth refused", "resultCode", d.rc, "mode", c.mode)
	return r, displaced
}

// grant applies a successful decision: mints the three tokens, resets the
// wrong-attempt count, moves the connection into the mode (displacing the
// previous holder) and builds the success reply.
func (s *Server) grant(c *conn, d decision, now time.Time) (authReply, []*conn) {
	statusChange := d.origin == OriginStatusChange
	info := TokenInfo{Mode: d.mode, Origin: d.origin, Issued: now}
	api, http, overlay := info, info, info
	api.Kind, api.Expires = APIToken, d.expires
	http.Kind, http.Expires = HTTPToken, s.httpExpiry(now)
	if d.origin == OriginUnsecured && s.faults.has(faultUnsecuredHTTPTokenLongLived) {
		http.Expires = d.expires // the login's lifetime, copied to both tokens
	}
	overlay.Kind = OverlayToken // no time limit: it lasts until the session ends
	if statusChange && s.faults.has(faultStatusChangeTokenIsAdmin) {
		api.Mode = ModeAdmin
	}
	keep := statusChange && c.apiToken != "" && s.faults.has(faultStatusChangeKeepsTokens)

	r := authReply{Result: true, ResultCode: rcOK}
	previleges := int(cmp.Or(d.reported, d.mode))
	switch {
	case s.faults.has(faultPrivilegesMisspelt):
		r.Privileges = &previleges
	case d.origin == OriginToken && s.faults.has(faultTokenReauthPrevilegesString):
		r.Previleges = strconv.Itoa(previleges)
	default:
		r.Previleges = &previleges
	}
	switch {
	case keep:
		r.Token = c.apiToken
	case d.presented != "" && s.variants.has(variantReauthReturnsSameToken):
		r.Token = d.presented // "your token is still good"
	case d.origin == OriginToken && s.faults.has(faultReauthTokenNotReusable):
		r.Token = s.tokens.newValue(APIToken) // shaped like a token, never stored
	default:
		r.Token = s.issueAPIToken(api, c.id)
	}
	switch {
	case s.faults.has(faultNoHTTPToken):
	case s.faults.has(faultHTTPTokenEqualsToken):
		r.TokenForHTTPServer = r.Token
	case keep:
		r.TokenForHTTPServer = c.httpToken
	default:
		r.TokenForHTTPServer = s.tokens.issue(http, c.id)
	}
	if !s.variants.has(variantNoOverlayToken) {
		r.OverlayHTTPToken = s.tokens.issue(overlay, c.id)
	}
	c.apiToken, c.httpToken = r.Token, r.TokenForHTTPServer

	if s.window == 0 {
		s.wrong, c.wrong = 0, 0
	}
	c.authExpiry = d.expires
	c.origin, c.authToken = d.origin, d.presented
	if !statusChange {
		c.loginMode = d.mode
	}
	if statusChange && d.mode == ModeUser {
		c.switched = true
	}
	mode := d.mode
	if (statusChange && s.faults.has(faultStatusChangeStaysAdmin)) || d.stay {
		mode = c.mode
	}
	var displaced []*conn
	if statusChange && s.faults.has(faultStatusChangeSkipsUserSlot) {
		// The administrator slot is freed, the user slot never taken.
		if c.mode != ModeNone && s.holder[c.mode] == c {
			delete(s.holder, c.mode)
		}
		c.mode = mode
	} else {
		displaced = s.setMode(c, mode)
	}
	c.log.Info("auth granted", "mode", mode, "origin", d.origin)
	return r, displaced
}

// issueAPIToken mints the API token of a success and remembers it as the last
// one of its mode.
func (s *Server) issueAPIToken(info TokenInfo, owner uint64) string {
	if last := s.lastAPI[info.Mode]; s.faults.has(faultRepeatedTokens) {
		if r, ok := s.tokens.lookup(last); ok && r.liveAt(info.Issued) {
			return last
		}
	}
	var v string
	if s.faults.has(faultAPITokensCycle) {
		// A generator with a short period: from the 17th token on, the values
		// of 16 tokens before come round again (re-recorded for the new owner).
		slot := s.apiSeq % apiTokenPeriod
		if s.apiSeq >= apiTokenPeriod {
			v = s.apiRing[slot]
			s.tokens.reissue(v, info, owner)
		} else {
			v = s.tokens.issue(info, owner)
		}
		s.apiRing[slot] = v
		s.apiSeq++
	} else {
		v = s.tokens.issue(info, owner)
	}
	s.lastAPI[info.Mode] = v
	return v
}

// apiTokenPeriod is the period of API token values under the fault
// api-tokens-cycle-after-16.
const apiTokenPeriod = 16

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
			if s.faults.has(faultDisplacedKeepsMode) {
				// Notified (the caller does that), but its mode stays: the holder
				// moves, the displaced connection still acts in the mode.
				displaced = append(displaced, h)
				s.holder[m] = c
				c.mode = m
				return displaced
			}
			h.displacedFrom = m
			h.mode = ModeNone
			h.authExpiry = time.Time{}
			s.tokens.revokeSession(h.id)
			if s.faults.has(faultDisplacementRevokesAPI) {
				// "Log out everywhere": the API tokens go too.
				s.tokens.revokeOwnedAPI(h.id)
				if r, ok := s.tokens.lookup(h.authToken); ok {
					r.Revoked = true
				}
			}
			displaced = append(displaced, h)
		}
		s.holder[m] = c
	}
	c.mode = m
	return displaced
}
