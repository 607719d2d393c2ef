package refserver

import (
	"cmp"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
)

// decision is the outcome of the auth algorithm before any state changes:
// either a failure code, or the mode to grant and the lifetime of the API
// token that comes with it.
type decision struct {
	rc       int
	wrong    bool // a failure that counts as wrong credentials towards the lockout
	mode     Mode // the connection's new mode, the tokens' mode and the previleges reported
	reported Mode // when set, the previleges reported instead (fault user-login-reports-admin)
	stay     bool // the connection keeps its mode instead (fault user-login-on-admin-keeps-admin)
	origin   Origin
	expires  time.Time // of the API token; zero = never

	// presented is the token a token authorization presented.
	presented string
	// credMode is, on the resultCode 5 failure of user credentials with role
	// "admin", the mode the credentials belong to (origin and expires are
	// then theirs too).
	credMode Mode
}

func fail(rc int) decision { return decision{rc: rc} }

// wrongCredentials is a failure for credentials that were checked and are
// wrong: it counts towards the lockout (RC-6).
func wrongCredentials(rc int) decision { return decision{rc: rc, wrong: true} }

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

// authFields are the fields of an auth request; the reference ignores any
// other (ENV-8).
var authFields = []string{"method", "requestId", "type", "role", "credentials"}

// hasUnknownField reports whether an auth request has a field outside authFields.
func hasUnknownField(f fields) bool {
	for k := range f {
		if !slices.Contains(authFields, k) {
			return true
		}
	}
	return false
}

// auth runs the auth method on a connection and applies the result. It returns
// the reply and the connections displaced from the granted mode.
func (s *Server) auth(c *conn, id json.RawMessage, f fields) (authReply, []*conn) {
	// The tokens a success needs are minted before the lock: random values
	// are most of the work, and the lock is the whole server's.
	pre := s.tokens.premint()
	s.mu.Lock()
	s.tokens.offered = pre
	defer func() {
		s.tokens.offered = [OverlayToken + 1]string{}
		s.mu.Unlock()
	}()
	now := s.now()
	d := s.decide(c, f, now)
	if d.rc == rcOK && s.authBroken && c.id > s.authBrokenAfter {
		// A bad frame armed one of the faults invalid-json-breaks-next-auth,
		// binary-frame-breaks-next-auth: the next success on a newer
		// connection fails, once.
		s.authBroken = false
		d = fail(rcInternal)
	}
	var (
		r         authReply
		displaced []*conn
	)
	if d.rc == rcOK {
		r, displaced = s.grant(c, d, now)
	} else {
		r, displaced = s.refuse(c, f, d, now)
	}
	_, hasID := f["requestId"]
	r.Method, r.RequestID, r.noRequestID = "auth", id, !hasID
	if s.faults.has(faultMethodMismatch) {
		r.Method = "Auth"
	}
	switch {
	case d.rc == rcOK && d.origin == OriginStatusChange && s.faults.has(faultStatusChangeDropsRequestID):
		r.RequestID = emptyRequestID // the switch builds its reply from scratch
	case d.rc != rcOK && !hasID && s.faults.has(faultMissingRequestIDNullFailure):
		r.RequestID = json.RawMessage("null")
	case hasID && c.prevRequestID != nil && s.faults.has(faultAuthRequestIDPrevious):
		r.RequestID = c.prevRequestID
	}
	if d.rc == rcOK && d.origin == OriginStatusChange && s.faults.has(faultResultCodeStringOnSwitch) {
		r.ResultCode = "0"
	}
	if d.rc == rcOK && s.faults.has(faultSuccessWithoutResultCode) {
		r.ResultCode = nil // the shape TrueConf's own client recorded from a 4.x device
	}
	if d.rc == rcOK && len(displaced) > 0 && s.faults.has(faultDisplacingSuccessFalse) {
		r.Result = false // "someone else was logged out" taken for a problem
	}
	return r, displaced
}

// decide is the reference algorithm (docs/requirements.md read as in the package
// brief). A request may have several errors; they are checked in this order:
// type, role, then the branch for the type. Where the spec accepts several
// codes, the first member of the accepted set is chosen.
func (s *Server) decide(c *conn, f fields, now time.Time) decision {
	if s.faults.has(faultUnknownFieldRejected) && hasUnknownField(f) {
		return fail(rcInvalidType)
	}
	typ, hasType, typeIsString := f.str("type")
	if s.faults.has(faultTypeCaseInsensitive) {
		typ = strings.ToLower(typ)
	}
	if typeIsString && typ == "" && s.faults.has(faultEmptyTypeMissing) {
		hasType, typeIsString = false, false // "" taken for "not given"
	}
	badType := hasType && (!typeIsString || (typ != "secured" && typ != "unsecured"))
	if badType && typeIsString && s.faults.has(faultTypeNotValidated) {
		typ, badType = "secured", false
	}
	role, hasRole, roleIsString := f.str("role")
	if s.faults.has(faultRoleCaseInsensitive) {
		role = strings.ToLower(role)
	}
	isRole := func(name string) bool { return role == name }
	if s.faults.has(faultRolePrefixMatched) {
		isRole = func(name string) bool { return strings.HasPrefix(role, name) }
	}
	want := ModeNone
	switch {
	case roleIsString && isRole("admin"):
		want = ModeAdmin
	case roleIsString && isRole("user"):
		want = ModeUser
	}
	badRole := hasRole && want == ModeNone // "" and non-strings included
	switch {
	case badRole && s.faults.has(faultRoleNotValidated):
		hasRole, badRole = false, false
	case badRole && string(f["role"]) == "null" && s.faults.has(faultNullRoleAsAbsent):
		hasRole, badRole = false, false // null taken for "not given"
	}
	_, hasCredentials := f["credentials"]
	if !hasType && !hasRole && hasCredentials && s.faults.has(faultCredentialsImplySecured) {
		typ, hasType = "secured", true // credentials can only mean a secured login
	}
	if rc := s.decideValidation(f, typ, badType, typeIsString, badRole); rc != rcOK {
		return fail(rc)
	}
	switch {
	case !hasType:
		return s.decideStatusChange(c, hasRole, want, now)
	case typ == "unsecured" && hasCredentials && s.faults.has(faultUnsecuredWithCredentials):
		return s.decideSecured(c, f, hasRole, want, now) // credentials given: check them
	case typ == "unsecured":
		return s.decideUnsecured(c, hasRole, want, now)
	default:
		return s.decideSecured(c, f, hasRole, want, now)
	}
}

// decideValidation picks the code for an invalid type or role, or rcOK. With
// both invalid RC-13 accepts either code: the reference reports the type (10).
// RC-14 accepts 10 for a type of the wrong JSON type.
func (s *Server) decideValidation(f fields, typ string, badType, typeIsString, badRole bool) int {
	typeRC := rcInvalidType
	if badType && !typeIsString && s.faults.has(faultNonStringTypeCode11) {
		typeRC = rcMissingType
	}
	switch {
	case badType && badRole && s.faults.has(faultMultiFaultCode4):
		return rcSecurityType
	case s.variants.has(variantRoleBeforeType):
		_, hasCredentials := f["credentials"]
		switch {
		case badRole && typ == "secured" && !hasCredentials:
			return rcMissingCredentials
		case badRole:
			return rcInvalidRole
		case badType:
			return typeRC
		}
	case badType:
		return typeRC
	case badRole:
		return rcInvalidRole
	}
	return rcOK
}

// decideStatusChange handles auth without type. Role "user" is the
// documented switch from administrator to user. Role "admin" (SW-3) is where
// the docs contradict themselves: the parameter text says role "must be equal
// to admin", the example sends "user". The reference accepts both on an
// administrator connection: "admin" re-issues administrator tokens, which
// grants nothing the connection does not already hold. Either way the fresh
// API token keeps the original authorization's expiry (LIFE-5), and a
// connection that is not administrator gets 3.
func (s *Server) decideStatusChange(c *conn, hasRole bool, want Mode, now time.Time) decision {
	switch {
	case !hasRole && s.faults.has(faultMissingTypeCode3):
		return fail(rcNotAdmin)
	case !hasRole:
		return fail(rcMissingType)
	case want == ModeAdmin && s.variants.has(variantSW3Code3):
		return fail(rcNotAdmin) // SW-3 is INFO: refusing it is as good a reading
	case c.mode == ModeAdmin && want == ModeUser && c.origin == OriginToken && s.faults.has(faultStatusChangeAfterTokenLogin):
		return fail(rcNotAdmin) // only a password or PIN administrator may switch
	case c.mode == ModeAdmin && want == ModeUser && c.switched && s.faults.has(faultSecondStatusChangeRefused):
		return fail(rcNotAdmin) // a connection may step down once
	case c.mode != ModeNone && c.loginMode == ModeAdmin && s.faults.has(faultStatusChangeChecksLogin):
		return decision{mode: want, origin: OriginStatusChange, expires: c.authExpiry}
	case c.mode == ModeAdmin:
		expires := c.authExpiry
		switch {
		case !expires.IsZero() && s.faults.has(faultStatusChangeExtends):
			expires = now.Add(s.apiTTL)
		case s.faults.has(faultSwitchTokenDiesWithHTTP):
			expires = s.httpExpiry(now) // one lifetime for both tokens of the answer
		}
		return decision{mode: want, origin: OriginStatusChange, expires: expires}
	case want == ModeUser && s.faults.has(faultStatusChangeUnchecked):
		expires := c.authExpiry
		if c.mode == ModeNone {
			expires = now.Add(s.apiTTL)
		}
		return decision{mode: ModeUser, origin: OriginStatusChange, expires: expires}
	}
	return fail(rcNotAdmin)
}

// decideUnsecured handles type "unsecured" on connection c: a mode is granted
// only when it is unprotected. Without role the higher unprotected mode wins
// (ROLE-3, first member: administrator). The plan does not matter.
func (s *Server) decideUnsecured(c *conn, hasRole bool, want Mode, now time.Time) decision {
	protected := fail(rcSecurityType)
	if s.faults.has(faultUnsecuredCode8) {
		protected = fail(rcWrongCredentials)
	}
	mode := want
	switch {
	case hasRole && s.profile.security(want) != Unsecured:
		if want == ModeAdmin && s.profile.User == Unsecured && s.faults.has(faultUnsecuredAdminCode5) {
			return fail(rcOtherMode) // "unsecured" can only give user, which is not the role asked for
		}
		if want == ModeUser && c.mode == ModeAdmin && s.faults.has(faultUnsecuredUserOnAdminSwitch) {
			// An administrator asking for user mode needs no secret: taken
			// for the status change.
			return s.decideStatusChange(c, true, ModeUser, now)
		}
		return protected
	case hasRole && want == ModeUser && s.profile.Admin == Unsecured && s.faults.has(faultOpenRoleUserGrantsAdmin):
		mode = ModeAdmin // everything is open: the highest mode
	case hasRole:
	case s.profile.Admin == Unsecured && !s.variants.has(variantRole3User):
		mode = ModeAdmin
	case s.profile.User == Unsecured && s.faults.has(faultUnsecuredNoRoleGrantsAdmin):
		mode = ModeAdmin
	case s.profile.User == Unsecured && s.faults.has(faultUnsecuredNoRoleRefused):
		return protected
	case s.profile.User == Unsecured:
		mode = ModeUser
	default:
		return protected
	}
	return decision{mode: mode, origin: OriginUnsecured, expires: s.apiExpiry(now)}
}

// apiExpiry is the expiry of the API token of a fresh unsecured, password or
// PIN authorization: the API lifetime from now (LIFE-4).
func (s *Server) apiExpiry(now time.Time) time.Time {
	switch {
	case s.faults.has(faultAPITokenNeverExpires):
		return time.Time{}
	case s.faults.has(faultAPITokenExpiresWithHTTP):
		return now.Add(s.httpTTL)
	}
	return now.Add(s.apiTTL)
}

// decideSecured handles type "secured": password, PIN or token.
func (s *Server) decideSecured(c *conn, f fields, hasRole bool, want Mode, now time.Time) decision {
	if _, ok := f["credentials"]; !ok {
		if c.mode != ModeNone && (!hasRole || want == c.mode) && s.faults.has(faultSecuredRefresh) {
			// Taken for a refresh of the connection's own authorization.
			return decision{mode: c.mode, origin: OriginToken, expires: c.authExpiry}
		}
		if s.faults.has(faultMissingCredentialsCode7) {
			return fail(rcEmptyCredentials)
		}
		return fail(rcMissingCredentials)
	}
	cred, _, isString := f.str("credentials")
	if s.faults.has(faultCredentialsTrimmed) {
		cred = strings.TrimSpace(cred)
	}
	switch {
	case !isString && s.faults.has(faultNonStringCredentialsCode12):
		return fail(rcMissingCredentials) // only a string counts as given
	case !isString && s.variants.has(variantRC14CredentialsCode8):
		return wrongCredentials(rcWrongCredentials)
	case !isString:
		return fail(rcEmptyCredentials) // RC-14 accepts 7 or 8 for a non-string; 7 is first
	case cred == "" && s.faults.has(faultEmptyCredentialsCode8):
		return fail(rcWrongCredentials)
	case cred == "":
		return fail(rcEmptyCredentials)
	}
	if s.faults.has(faultCredentialsLineEndStripped) {
		// A line read from a terminal loses its line end; whitespace-only
		// credentials stay what they were (wrong, not empty).
		if stripped := strings.TrimRight(cred, "\r\n\t"); stripped != "" {
			cred = stripped
		}
	}
	locked := now.Before(s.lockedUntil)
	if d, decided := s.lockoutFaults(c, cred, &locked, now); decided {
		return d
	}
	spare := locked && s.faults.has(faultLockoutSparesCorrect)
	if locked && !spare {
		return fail(rcLockedOut)
	}
	cr := s.identify(c, cred, now)
	if cr.mode == ModeNone && spare {
		return fail(rcLockedOut)
	}
	if cr.mode == ModeNone {
		if s.profile.Plan == Free {
			// Secured login is a Pro feature (RC-2).
			if s.faults.has(faultFreePlanCode8) {
				return fail(rcWrongCredentials)
			}
			return fail(rcNotPro)
		}
		bothOpen := s.profile.Admin == Unsecured && s.profile.User == Unsecured
		if hasRole && want == ModeUser && s.profile.User == Unsecured && s.faults.has(faultOpenUserModeAcceptsAny) {
			return decision{mode: ModeUser, origin: OriginUnsecured, expires: s.apiExpiry(now)} // nothing to check
		}
		if (hasRole && s.profile.security(want) == Unsecured) || (!hasRole && bothOpen) {
			return s.rc4b() // nothing to check the credentials against
		}
		if s.faults.has(faultWrongCredentialsCode4) {
			return wrongCredentials(rcSecurityType)
		}
		return wrongCredentials(rcWrongCredentials)
	}
	mode := cr.mode
	switch {
	case !hasRole && cr.folded && s.faults.has(faultPINOtherCaseNeedsRole):
		return wrongCredentials(rcWrongCredentials) // folded only where the role says "user"
	case cr.token && cr.mode == ModeAdmin && (!hasRole || want == ModeAdmin) && c.mode == ModeUser && c.origin == OriginStatusChange &&
		s.faults.has(faultAdminTokenRefusedAfterSwitch):
		return wrongCredentials(rcWrongCredentials) // looked up among the user tokens of a connection that stepped down
	case !hasRole && !cr.token && cr.mode == ModeAdmin && s.faults.has(faultNoRoleDefaultsToUser):
		mode = ModeUser
	case !hasRole && !cr.token && cr.mode == ModeUser && cr.origin == OriginPassword && s.faults.has(faultUserPasswordNoRoleAdmin):
		mode = ModeAdmin // a password is taken for the administrator's
	case !hasRole || want == cr.mode:
	case want == ModeAdmin && !cr.token && s.faults.has(faultUserSecretRoleAdminCode4):
		return fail(rcSecurityType)
	case want == ModeAdmin && cr.token && s.faults.has(faultUserTokenRoleAdminCode8):
		return wrongCredentials(rcWrongCredentials) // looked up among administrator tokens only
	case want == ModeAdmin && cr.token && cr.tokenOrigin == OriginStatusChange && s.faults.has(faultSwitchTokenRoleAdminUser):
		mode = ModeUser // issued to an administrator: the role is taken as satisfied
	case want == ModeAdmin:
		// User credentials never raise privileges (RC-5, TOK-2).
		raise := (cr.token && s.faults.has(faultTokenRoleNotChecked)) ||
			(!cr.token && s.faults.has(faultUserCredentialsRaise))
		if !raise {
			d := fail(rcOtherMode)
			d.credMode, d.origin, d.expires = cr.mode, cr.origin, cr.expires
			return d
		}
		mode = ModeAdmin
	case cr.token:
		mode = ModeUser // an admin token for user mode: tokens are exempt from RC-4b (TOK-1)
	case s.profile.User == Unsecured:
		return s.rc4b() // an admin password or PIN has nothing to verify for an unprotected user mode
	case s.variants.has(variantRC5bCode5):
		return fail(rcOtherMode)
	default:
		mode = ModeUser // admin credentials asking for user mode (RC-5b, first member: grant user)
	}
	d := decision{mode: mode, origin: cr.origin, expires: cr.expires}
	if cr.token {
		d.presented = cred
	}
	if hasRole && want == ModeUser && cr.mode == ModeUser && !cr.token {
		switch {
		case s.faults.has(faultUserLoginReportsAdmin):
			d.reported = ModeAdmin
		case c.mode == ModeAdmin && s.faults.has(faultUserLoginOnAdminKeepsAdmin):
			d.stay = true // a user login cannot lower an administrator
		}
	}
	return d
}

// rc4b is the failure for a secured password or PIN aimed at a mode that is
// unprotected, or when nothing is protected: RC-4b accepts 4 (the reference)
// and 8.
func (s *Server) rc4b() decision {
	switch {
	case s.faults.has(faultRC4bCode5):
		return fail(rcOtherMode)
	case s.variants.has(variantRC4bCode8):
		return wrongCredentials(rcWrongCredentials)
	}
	return fail(rcSecurityType)
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
