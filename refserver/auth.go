package refserver

import (
	"encoding/json"
	"slices"
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
