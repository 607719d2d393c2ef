package cases

import (
	"fmt"
	"slices"
	"strings"
)

// CFG: reconfiguration with setAuthParams. Every case here changes the
// target's protection (label mutating: opt-in on a live target with
// --allow-reconfigure) and the engine puts the protection the case found
// back when it ends, whatever happened, and checks it (CFG-6, cited by
// each). A case runs only where the suite can undo what it changes with
// the secrets it has (Reconfigurable).

var cfgCases = slices.Concat(cfgOwnProfile, cfgFromEveryProfile(), cfgLong())

// cfgOwnProfile are the cases that reconfigure the target from whatever
// protection it has: the members of CFG-2's "none given", CFG-4 with admin
// made unsecured first, and CFG-5's notifications.
var cfgOwnProfile = []Case{
	{
		ID: "cfg-1-admin-password", Title: `setAuthParams admin password: unsecured admin then gets 4 and the new password gives previleges 2`,
		Requirements: []string{"CFG-1", "CFG-6", "ROLE-1"}, Labels: []string{"mutating", "password"},
		Needs: []Need{Reconfigurable(Admin)},
		Steps: []Step{
			loginAs("login", Admin),
			{Name: "set", Do: Reconfigure{Mode: Admin, To: Password, Secret: SuiteSecret(AdminPassword)}, Expect: []Check{Accepted("CFG-1")}},
			{Name: "unsecured", Conn: "b", Do: send(Request{Type: Str("unsecured"), Role: Str("admin")}), Expect: []Check{Code("CFG-1", 4)}},
			{Name: "new", Conn: "c", Do: send(Request{Type: Str("secured"), Role: Str("admin"), Credentials: SuiteSecret(AdminPassword)}), Expect: granted("CFG-1", Admin)},
		},
	},
	{
		ID: "cfg-2-user-pin-given", Title: `setAuthParams user pin with newPin: that PIN (or the one the answer returns) gives previleges 1, and getAuthInfo says "pin"`,
		Requirements: []string{"CFG-2", "CFG-6", "ROLE-1"}, Labels: []string{"mutating", "pin"},
		Needs: []Need{Reconfigurable(User), IsProtected(Admin)},
		Steps: []Step{
			loginAs("login", Admin),
			{Name: "set", Do: Reconfigure{Mode: User, To: PIN, Secret: SuiteSecret(UserPIN)}, Expect: []Check{Accepted("CFG-2")}},
			{Name: "user", Conn: "b", Do: send(Request{Type: Str("secured"), Role: Str("user"), Credentials: Secret(UserPIN)}), Expect: granted("CFG-2", User)},
			{Name: "info", Do: send(getAuthInfo), Expect: []Check{Protection("CFG-2", User, PIN)}},
		},
	},
	pinGenerated("cfg-2-user-pin-generated", "without newPin", ""),
	pinGenerated("cfg-2-user-pin-generated-null-newpin", `with "newPin":null (TrueConf's Python client)`, "null"),
	pinGenerated("cfg-2-user-pin-generated-empty-newpin", `with "newPin":"" (TrueConf's Qt client)`, "empty"),
	{
		ID: "cfg-3-admin-unsecured-unsecures-user", Title: `setAuthParams admin unsecured makes user mode unsecured too`,
		Requirements: []string{"CFG-3", "CFG-6", "ROLE-1"}, Labels: []string{"mutating", "unsecured"},
		Needs: []Need{Reconfigurable(Admin), IsProtected(Admin), IsProtected(User)},
		Steps: []Step{
			loginAs("login", Admin),
			{Name: "set", Do: Reconfigure{Mode: Admin, To: Unsecured}, Expect: []Check{Accepted("CFG-3")}},
			{Name: "info", Do: send(getAuthInfo), Expect: []Check{Protection("CFG-3", Admin, Unsecured), Protection("CFG-3", User, Unsecured)}},
			{Name: "user", Conn: "b", Do: send(Request{Type: Str("unsecured"), Role: Str("user")}), Expect: granted("CFG-3", User)},
		},
	},
	{
		ID: "cfg-4-user-protected-only-with-admin", Title: `with admin unsecured, setAuthParams user password is refused and user mode stays unsecured`,
		Requirements: []string{"CFG-4", "CFG-3", "CFG-6", "ROLE-1"}, Labels: []string{"mutating", "unsecured"},
		Needs: []Need{Reconfigurable(Admin)},
		Steps: []Step{
			loginAs("login", Admin),
			// Unsecured already, or made so (and put back afterwards).
			{Name: "open", Do: Reconfigure{Mode: Admin, To: Unsecured}, Expect: []Check{Accepted("CFG-3")}},
			{Name: "set", Do: Reconfigure{Mode: User, To: Password, Secret: SuiteSecret(UserPassword)}, Expect: []Check{Fails("CFG-4")}},
			{Name: "info", Do: send(getAuthInfo), Expect: []Check{Protection("CFG-4", User, Unsecured)}},
			{Name: "user", Conn: "b", Do: send(Request{Type: Str("unsecured"), Role: Str("user")}), Expect: granted("CFG-4", User)},
		},
	},
	{
		ID: "cfg-5-user-told-credentials-changed", Title: `a user connection whose credentials the administrator changes gets authorizationNeeded with cause 4`,
		Requirements: []string{"CFG-5", "CFG-6", "ROLE-1"}, Labels: []string{"mutating", "password"},
		Needs: []Need{Reconfigurable(User), IsProtected(Admin), CanLogin(User)},
		Steps: []Step{
			loginAs("user", User),
			{Name: "login", Conn: "b", Do: send(Login(Admin)), Expect: granted("ROLE-1", Admin)},
			{Name: "set", Conn: "b", Do: Reconfigure{Mode: User, To: Password, Secret: SuiteSecret(UserPassword)}, Expect: []Check{Accepted("CFG-5")}},
			{Name: "notified", Do: Await{"authorizationNeeded"}, Expect: []Check{EventCause("CFG-5", 4)}},
		},
	},
	{
		ID: "cfg-5-user-told-admin-unsecured", Title: `a user connection gets authorizationNeeded with cause 2 when admin mode becomes unsecured`,
		Requirements: []string{"CFG-5", "CFG-3", "CFG-6", "ROLE-1"}, Labels: []string{"mutating", "unsecured"},
		Needs: []Need{Reconfigurable(Admin), IsProtected(Admin), IsProtected(User), CanLogin(User)},
		Steps: []Step{
			loginAs("user", User),
			{Name: "login", Conn: "b", Do: send(Login(Admin)), Expect: granted("ROLE-1", Admin)},
			{Name: "set", Conn: "b", Do: Reconfigure{Mode: Admin, To: Unsecured}, Expect: []Check{Accepted("CFG-3")}},
			{Name: "notified", Do: Await{"authorizationNeeded"}, Expect: []Check{EventCause("CFG-5", 2)}},
		},
	},
}

// Reconfigurable needs the suite to be able to change the protection of
// mode m and to put the target back as it was with the secrets it has: a
// Pro plan (a Free plan refuses the secured logins that would undo it),
// administrator access, and a protection it can set back — never the
// administrator's command-line PIN, never a user password it was not given.
// User protection is always needed restorable: making admin unsecured
// resets it.
func Reconfigurable(m Mode) Need {
	modes := []Mode{User}
	if m == Admin {
		modes = []Mode{Admin, User}
	}
	return Need{
		Met: func(p Profile) bool {
			if p.Plan == Free || !p.CanLogin(Admin) {
				return false
			}
			for _, x := range modes {
				if ok, _, _ := p.Restorable(x); !ok {
					return false
				}
			}
			return true
		},
		Reason: func(p Profile) string {
			if p.Plan == Free {
				return "reconfigures the target, which a Free plan could not undo (its secured logins get 2)"
			}
			if !p.CanLogin(Admin) {
				return "reconfigures the target: needs admin access: " + adminAccessHint
			}
			for _, x := range modes {
				if ok, why, _ := p.Restorable(x); !ok {
					return "reconfigures the target: " + why
				}
			}
			return ""
		},
		Inapplicable: func(p Profile) bool {
			if p.Plan == Free {
				return true
			}
			for _, x := range modes {
				if ok, _, configured := p.Restorable(x); !ok && configured {
					return true
				}
			}
			return false
		},
	}
}

// Restorable reports whether the suite could set mode m's protection back
// as it is, with the secrets it has; if not, why, and whether that is the
// target's configuration (configured: the command-line administrator PIN)
// rather than a secret the operator could give.
func (p Profile) Restorable(m Mode) (ok bool, why string, configured bool) {
	switch s := p.Security(m); {
	case s == Unsecured:
		return true, "", false
	case m == Admin && s == PIN:
		return false, "the administrator PIN is the command line's: setAuthParams cannot set it back", true
	case m == Admin && s == Password && !p.Has(AdminPassword):
		return false, "needs the admin password to set it back: set CONFORM_ADMIN_PASSWORD", false
	case m == Admin && s == Password:
		return true, "", false
	case m == User && s == Password && !p.Has(UserPassword):
		return false, "needs the user password to set it back: set CONFORM_USER_PASSWORD", false
	case m == User && (s == Password || s == PIN):
		return true, "", false // a PIN an administrator reads with getAuthInfo
	}
	return false, fmt.Sprintf("needs to know how %s mode is protected: %s", m, adminAccessHint), false
}

// Protection expects getAuthInfo to say that mode m is protected by s.
func Protection(req string, m Mode, s Security) Check {
	key := string(m) + "Auth"
	return Check{Req: req, Name: key + ".security", Want: fmt.Sprintf("%s.security %q", key, s), eval: func(o Observation) result {
		obj, _ := o.Response[key].(map[string]any)
		if got, _ := obj["security"].(string); got == string(s) {
			return result{ok: true}
		}
		return result{expected: fmt.Sprintf("%s.security %q", key, s), actual: key + ".security " + describeField(obj, "security")}
	}}
}

// NewPINReturned expects setAuthParams user pin without newPin to answer
// with the PIN it generated, as a non-empty string (CFG-2: how else would
// anyone learn it).
func NewPINReturned(req string) Check {
	return Check{Req: req, Name: "newPin returned", Want: "newPin: the generated PIN, a non-empty string", eval: func(o Observation) result {
		if s, ok := o.Response["newPin"].(string); ok && strings.TrimSpace(s) != "" {
			return result{ok: true}
		}
		return result{expected: "newPin: a non-empty string", actual: "newPin " + describeField(o.Response, "newPin")}
	}}
}

// pinGenerated is CFG-2's "none given" member: setAuthParams user pin with
// newPin left out, null or "" (noPIN, cases.Reconfigure): the answer
// returns the PIN the server generated, and it logs in as user.
func pinGenerated(id, how, noPIN string) Case {
	return Case{
		ID: id, Title: "setAuthParams user pin " + how + ": the answer returns the new PIN in newPin, and it gives previleges 1",
		Requirements: []string{"CFG-2", "CFG-6", "ROLE-1"}, Labels: []string{"mutating", "pin"},
		Needs: []Need{Reconfigurable(User), IsProtected(Admin)},
		Steps: []Step{
			loginAs("login", Admin),
			{Name: "set", Do: Reconfigure{Mode: User, To: PIN, NoPIN: noPIN}, Expect: []Check{Accepted("CFG-2"), NewPINReturned("CFG-2")}},
			{Name: "user", Conn: "b", Do: send(Request{Type: Str("secured"), Role: Str("user"), Credentials: Secret(UserPIN)}), Expect: granted("CFG-2", User)},
			{Name: "info", Do: send(getAuthInfo), Expect: []Check{Protection("CFG-2", User, PIN)}},
		},
	}
}
