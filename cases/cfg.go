package cases

import (
	"slices"

	. "github.com/roomconform/conform/caselang"
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
			{Name: "notified", Do: Await{Event: "authorizationNeeded"}, Expect: []Check{EventCause("CFG-5", 4)}},
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
			{Name: "notified", Do: Await{Event: "authorizationNeeded"}, Expect: []Check{EventCause("CFG-5", 2)}},
		},
	},
}

// pinGenerated is CFG-2's "none given" member: setAuthParams user pin with
// newPin left out, null or "" (noPIN, caselang.Reconfigure): the answer
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
