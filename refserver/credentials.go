package refserver

import (
	"strings"
	"time"
)

// credential is what a secured login's credentials turned out to be.
type credential struct {
	mode    Mode // ModeNone: not recognised
	token   bool // a live API token (exempt from RC-4b)
	origin  Origin
	expires time.Time
	// tokenOrigin is, for a token, how the token itself was obtained.
	tokenOrigin Origin
	// folded: the user PIN, matched only in other letter case (ROLE-4).
	folded bool
}

// alteredTokenPrefix is how much of a token the fault altered-token-accepted
// compares.
const alteredTokenPrefix = 40

// identify recognises secured credentials: a live API token first (it works on
// every plan, since it was issued by an authorization the plan allowed), then
// on the Pro plan the admin password or PIN (or the command-line PIN), then
// the user password and PIN. A token's mode and expiry carry over (TOK-2,
// LIFE-5).
func (s *Server) identify(c *conn, cred string, now time.Time) credential {
	r, ok := s.tokens.lookup(cred)
	switch {
	case ok:
	case s.faults.has(faultAlteredTokenAccepted):
		r, ok = s.tokens.lookupPrefix(cred, alteredTokenPrefix)
	case s.faults.has(faultTokenCaseInsensitive):
		r, ok = s.tokens.lookupFold(cred, APIToken)
	}
	if ok && r.Kind == APIToken && r.liveAt(now) {
		if s.faults.has(faultTokenSingleUse) {
			if r.used {
				return credential{}
			}
			r.used = true
		}
		expires := r.Expires
		switch {
		case expires.IsZero():
		case s.faults.has(faultTokenAuthExtendsLifetime):
			expires = now.Add(s.apiTTL)
		case s.faults.has(faultTokenAuthExpiryFromIssue):
			expires = r.Issued.Add(s.apiTTL)
		case s.faults.has(faultTokenAuthHalfLifetime) && now.Add(s.apiTTL/2).Before(expires):
			expires = now.Add(s.apiTTL / 2)
		case s.faults.has(faultAPITokenSlidingExpiry):
			r.Expires = now.Add(s.apiTTL) // touched on use; the new token keeps the old expiry
		}
		return credential{mode: r.Mode, token: true, origin: OriginToken, expires: expires, tokenOrigin: r.Origin}
	}
	// Secured login is a Pro feature; under free-plan-user-secret-accepted
	// only the administrator's secrets are refused on Free.
	userOnly := false
	if s.profile.Plan == Free {
		if !s.faults.has(faultFreePlanUserSecretAccepted) {
			return credential{}
		}
		userOnly = true
	}
	matchUserPIN := matchPIN
	switch {
	case s.faults.has(faultPINCaseSensitive):
		matchUserPIN = matchExact
	case s.faults.has(faultPINUpperCaseOnly):
		matchUserPIN = func(got, pin string) bool { return matchExact(got, pin) || matchExact(got, strings.ToUpper(pin)) }
	case s.faults.has(faultPINExtensionAccepted):
		matchUserPIN = func(got, pin string) bool { return len(got) >= len(pin) && matchPIN(got[:len(pin)], pin) }
	}
	matchPassword := matchExact
	switch {
	case s.faults.has(faultPasswordCaseInsensitive):
		matchPassword = matchPIN // case-insensitive, as a PIN is
	case s.faults.has(faultPasswordPrefixAccepted):
		matchPassword = func(got, want string) bool { return got != "" && strings.HasPrefix(want, got) }
	case s.faults.has(faultPasswordNULTerminated):
		matchPassword = func(got, want string) bool {
			if i := strings.IndexByte(got, 0); i >= 0 {
				got = got[:i] // a C string ends at its NUL
			}
			return matchExact(got, want)
		}
	}
	adminPINMode := ModeAdmin
	if s.faults.has(faultAdminPINTakenForUser) {
		adminPINMode = ModeUser // a PIN is taken for the user's
	}
	commandLinePINExpiry := time.Time{} // until restart
	if s.faults.has(faultCommandLinePINTokenExpires) {
		commandLinePINExpiry = s.apiExpiry(now)
	}
	sec := s.secrets
	switch {
	case userOnly:
	case s.profile.Admin == Password && matchPassword(cred, sec.AdminPassword):
		return credential{mode: ModeAdmin, origin: OriginPassword, expires: s.apiExpiry(now)}
	case s.profile.Admin == PIN && matchPIN(cred, sec.AdminPIN):
		return credential{mode: adminPINMode, origin: OriginPIN, expires: s.apiExpiry(now)}
	case matchPIN(cred, sec.AdminPIN):
		return credential{mode: ModeAdmin, origin: OriginCommandLinePIN, expires: commandLinePINExpiry}
	}
	switch {
	case s.profile.User == Password && matchPassword(cred, sec.UserPassword):
		return credential{mode: ModeUser, origin: OriginPassword, expires: s.apiExpiry(now)}
	case s.profile.User == PIN && matchUserPIN(cred, sec.UserPIN):
		return credential{mode: ModeUser, origin: OriginPIN, expires: s.apiExpiry(now), folded: !matchExact(cred, sec.UserPIN)}
	}
	return s.retiredSecret(c, cred, now)
}
