package cases

import (
	"fmt"

	. "github.com/roomconform/conform/caselang"
)

// RC: every resultCode with the request that provokes it. Codes are checked
// against the accepted set of docs/requirements.md, never against one server's pick.

// freePlanSecrets: on a Free plan every real secret the suite has gets 2
// in a secured login too, not only a made-up one (RC-2). A conformant Free
// target refuses them in the preflight already, so these run where it did
// not.
func freePlanSecrets() []Case {
	var out []Case
	for _, k := range SecretKinds {
		mode := Admin
		if k == UserPassword || k == UserPIN {
			mode = User
		}
		out = append(out, Case{ID: "rc-2-free-plan-" + string(k), Title: fmt.Sprintf("on a Free plan, the %s in a secured login gets 2", k),
			Requirements: []string{"RC-2"}, Needs: []Need{OnPlan(Free), GivenSecret(k)},
			Steps: []Step{{Do: send(SecuredAuth(Secret(k), Str(string(mode)))), Expect: []Check{AsTheReadingSays("RC-2")}}}})
	}
	return out
}

var rcCases = []Case{
	// RC-2: secured login is a Pro feature.
	{
		ID: "rc-2-free-plan-secured-password", Title: "on a Free plan, type \"secured\" with a password gets 2",
		Requirements: []string{"RC-2", "ROLE-1"}, Labels: []string{"password"},
		Needs: []Need{OnPlan(Free)},
		Steps: []Step{
			{Do: send(SecuredAuth(Str("conform-free-plan-password"), roleAdmin)), Expect: []Check{Code("RC-2", 2)}},
			RecoverLogin(),
		},
	},

	// RC-3: a status change needs an administrator connection.
	{
		ID: "rc-3-status-change-on-fresh-connection", Title: "{\"role\":\"user\"} without type on a fresh connection gets 3",
		Requirements: []string{"RC-3"}, Labels: []string{"role", "smoke"},
		Steps: []Step{{Do: send(statusChange), Expect: []Check{Code("RC-3", 3)}}},
	},
	{
		ID: "rc-3-status-change-on-user-connection", Title: "{\"role\":\"user\"} without type on a user connection gets 3",
		Requirements: []string{"RC-3", "ROLE-1"}, Labels: []string{"role"},
		Needs: []Need{CanLogin(User)},
		Steps: []Step{loginAs("login", User), {Do: send(statusChange), Expect: []Check{Code("RC-3", 3)}}},
	},

	// RC-4: unsecured authorization for a protected mode.
	{
		ID: "rc-4-unsecured-for-protected-admin", Title: "type \"unsecured\" with role \"admin\" when admin is protected gets 4",
		Requirements: []string{"RC-4"}, Labels: []string{"unsecured", "smoke"},
		Needs: []Need{IsProtected(Admin)},
		Steps: []Step{{Do: send(Request{Type: Str("unsecured"), Role: roleAdmin}), Expect: []Check{Code("RC-4", 4)}}},
	},
	{
		ID: "rc-4-unsecured-for-protected-user", Title: "type \"unsecured\" with role \"user\" when user is protected gets 4",
		Requirements: []string{"RC-4"}, Labels: []string{"unsecured"},
		Needs: []Need{IsProtected(User)},
		Steps: []Step{{Do: send(Request{Type: Str("unsecured"), Role: roleUser}), Expect: []Check{Code("RC-4", 4)}}},
	},
	{
		ID: "rc-4-unsecured-no-role-all-protected", Title: "type \"unsecured\" without role when both modes are protected gets 4",
		Requirements: []string{"RC-4"}, Labels: []string{"unsecured"},
		Needs: []Need{IsProtected(Admin), IsProtected(User)},
		Steps: []Step{{Do: send(Request{Type: Str("unsecured")}), Expect: []Check{Code("RC-4", 4)}}},
	},

	// RC-4b: secured authorization aimed at an unprotected mode.
	{
		ID: "rc-4b-secured-for-unsecured-user", Title: "type \"secured\" with a wrong password and role \"user\" when user is unsecured gets 4 or 8",
		Requirements: []string{"RC-4b", "ROLE-1"}, Labels: []string{"password", "unsecured"},
		Needs: []Need{IsUnsecured(User), OnPlan(Pro), CanLogin(Admin)},
		Steps: []Step{
			{Do: send(SecuredAuth(Str(WrongCredential), roleUser)), Expect: []Check{Code("RC-4b", 4, 8)}},
			RecoverLogin(),
		},
	},
	{
		ID: "rc-4b-secured-when-nothing-protected", Title: "type \"secured\" with a password when no mode is protected gets 4 or 8",
		Requirements: []string{"RC-4b", "ROLE-1"}, Labels: []string{"password", "unsecured"},
		Needs: []Need{NoneProtected, OnPlan(Pro)},
		Steps: []Step{
			{Do: send(SecuredAuth(Str(WrongCredential), nil)), Expect: []Check{Code("RC-4b", 4, 8)}},
			RecoverLogin(),
		},
	},

	// RC-5: credentials of one mode with role naming the higher one.
	{
		ID: "rc-5-user-pin-with-role-admin", Title: "the user PIN with role \"admin\" gets 5",
		Requirements: []string{"RC-5"}, Labels: []string{"pin", "role"},
		Needs: []Need{Secured(User, PIN), OnPlan(Pro)},
		Steps: []Step{{Do: send(SecuredAuth(Secret(UserPIN), roleAdmin)), Expect: []Check{Code("RC-5", 5)}}},
	},
	{
		ID: "rc-5-user-password-with-role-admin", Title: "the user password with role \"admin\" gets 5",
		Requirements: []string{"RC-5"}, Labels: []string{"password", "role"},
		Needs: []Need{Secured(User, Password), OnPlan(Pro)},
		Steps: []Step{{Do: send(SecuredAuth(Secret(UserPassword), roleAdmin)), Expect: []Check{Code("RC-5", 5)}}},
	},
	{
		ID: "rc-5b-admin-credentials-with-role-user", Title: "admin credentials with role \"user\" when user is protected: recorded (0 with previleges 1, or 5)",
		Requirements: []string{"RC-5b"}, Labels: []string{"role"},
		Needs: []Need{IsProtected(Admin), CanLogin(Admin), IsProtected(User), OnPlan(Pro)},
		Steps: []Step{{Do: send(Login(Admin).With(roleUser)), Expect: []Check{RecordOutcome("RC-5b", "0/previleges 1", "5")}}},
	},

	// RC-6: the lockout. Disruptive: it locks the administrator out for a
	// while, so it runs only when selected; it then waits the lockout out.
	{
		ID: "rc-6-lockout-after-wrong-passwords", Title: "after repeated wrong admin passwords even the right one gets 6, for a while (the report says how long)",
		Requirements: []string{"RC-6", "ROLE-1"}, Labels: []string{"disruptive", "password"},
		Needs: []Need{Secured(Admin, Password), OnPlan(Pro)},
		Steps: []Step{
			{Name: "wrong", Do: Send{Request: SecuredAuth(Wrong(AdminPassword), roleAdmin), RepeatFor: LockoutAttempts}, Expect: []Check{Fails("RC-6")}},
			{Name: "right", Conn: "c", Do: send(SecuredAuth(Secret(AdminPassword), roleAdmin)), Expect: []Check{Code("RC-6", 6)}},
			{Name: "unlocked", Conn: "u", Do: Poll{Request: Login(Admin), Limit: LockoutWait}, Expect: []Check{RecordLockout("RC-6")}},
			RecoverLogin(),
		},
	},

	// RC-6 from every connection: the lockout is the server's (counted
	// across connections), so it is seen alike from a connection authorized
	// before it, one opened before it and not authorized, one opened during
	// it and, once it has ended, from each of them and from a new one. What
	// the reading requires, the model says (AsTheReadingSays): correct admin
	// credentials get 6 on every connection within the tolerance of the
	// lockout's start, and at any time during it 6 or success and nothing
	// else (an 8 breaks ROLE-1/RC-8, a MUST); a live token 6 or success
	// (TOK-1); a connection keeps its mode through the lockout (FAIL-4: a
	// failure changes nothing, judged by the engine's getAuthInfo after each
	// login); and after it, correct credentials work on the connections that
	// got 6 and the token issued before it re-authorizes (TOK-1). The token's
	// connection is closed before the lockout: the token of a displaced
	// connection is the reading's open question, not this case's.
	{
		ID: "rc-6-lockout-seen-from-every-connection", Title: "the lockout from connections opened before it (authorized and not), during it and after it: 6 for correct credentials on each, then success on each; a token from before it works after it",
		Requirements: []string{"RC-6", "ROLE-1", "TOK-1", "AUTH-2", "SEC-1"}, Labels: []string{"disruptive", "password"},
		Needs: []Need{Secured(Admin, Password), OnPlan(Pro)},
		Steps: []Step{
			{Name: "issued", Conn: "t", Do: send(Login(Admin)), Expect: append(granted("ROLE-1", Admin), Tokens("AUTH-2"))},
			closeConn("t"),
			{Name: "authorized", Conn: "old", Do: send(Login(Admin)), Expect: granted("ROLE-1", Admin)},
			{Name: "opened", Conn: "idle", Do: send(getAuthInfo), Expect: []Check{Refused("SEC-1")}},
			{Name: "wrong", Conn: "w", Do: Send{Request: SecuredAuth(Wrong(AdminPassword), roleAdmin), RepeatFor: LockoutAttempts}, Expect: []Check{Fails("RC-6")}},
			{Name: "authorized-during", Conn: "old", Do: send(SecuredAuth(Secret(AdminPassword), roleAdmin)), Expect: []Check{AsTheReadingSays("RC-6")}},
			{Name: "opened-during", Conn: "idle", Do: send(SecuredAuth(Secret(AdminPassword), roleAdmin)), Expect: []Check{AsTheReadingSays("RC-6")}},
			{Name: "new-during", Conn: "c", Do: send(SecuredAuth(Secret(AdminPassword), roleAdmin)), Expect: []Check{AsTheReadingSays("RC-6")}},
			// Last of the lockout's steps: a success (the reading allows one
			// for a token) may end a lockout.
			{Name: "token-during", Conn: "d", Do: send(SecuredAuth(TokenOf("issued"), nil)), Expect: []Check{AsTheReadingSays("TOK-1")}},
			{Name: "unlocked", Conn: "u", Do: Poll{Request: Login(Admin), Limit: LockoutWait}, Expect: []Check{RecordLockout("RC-6")}},
			{Name: "opened-after", Conn: "idle", Do: send(SecuredAuth(Secret(AdminPassword), roleAdmin)), Expect: granted("ROLE-1", Admin)},
			{Name: "token-after", Conn: "e", Do: send(SecuredAuth(TokenOf("issued"), nil)), Expect: granted("TOK-1", Admin)},
			RecoverLogin(),
		},
	},

	// RC-6b: do wrong user credentials count towards the lockout? Recorded;
	// disruptive like RC-6, and it waits a lockout out if there is one.
	{
		ID: "rc-6b-wrong-user-credentials-and-lockout", Title: "after repeated wrong user PINs/passwords: recorded whether the right admin password gets 6",
		Requirements: []string{"RC-6b", "ROLE-1"}, Labels: []string{"disruptive", "password"},
		Needs: []Need{Secured(Admin, Password), IsProtected(User), CanLogin(User), OnPlan(Pro)},
		Steps: []Step{
			{Name: "wrong", Do: Send{Request: SecuredAuth(WrongFor(User), roleUser), RepeatFor: LockoutAttempts}, Expect: []Check{Fails("RC-6b")}},
			{Name: "right", Conn: "c", Do: send(SecuredAuth(Secret(AdminPassword), roleAdmin)), Expect: []Check{RecordOutcome("RC-6b", "6", "0/previleges 2")}},
			{Name: "unlocked", Conn: "u", Do: Poll{Request: Login(Admin), Limit: LockoutWait}, Expect: []Check{RecordLockout("RC-6b")}},
			RecoverLogin(),
		},
	},

	// RC-7, RC-12: the credentials field.
	{
		ID: "rc-7-empty-credentials", Title: "type \"secured\" with credentials \"\" gets 7",
		Requirements: []string{"RC-7"}, Labels: []string{"smoke"},
		Steps: []Step{{Do: send(SecuredAuth(Str(""), roleAdmin)), Expect: []Check{Code("RC-7", 7)}}},
	},
	{
		ID: "rc-12-secured-without-credentials", Title: "type \"secured\" without a credentials field gets 12",
		Requirements: []string{"RC-12"},
		Steps:        []Step{{Do: send(Request{Type: Str("secured"), Role: roleAdmin}), Expect: []Check{Code("RC-12", 12)}}},
	},

	// RC-8: wrong credentials. Each is followed by a successful login.
	{
		ID: "rc-8-wrong-user-pin", Title: "a wrong user PIN with role \"user\" gets 8",
		Requirements: []string{"RC-8", "ROLE-1"}, Labels: []string{"pin"},
		Needs: []Need{Secured(User, PIN), OnPlan(Pro), CanLogin(Admin)},
		Steps: []Step{
			{Do: send(SecuredAuth(Wrong(UserPIN), roleUser)), Expect: []Check{Code("RC-8", 8)}},
			RecoverLogin(),
		},
	},
	{
		ID: "rc-8-wrong-user-password", Title: "a wrong user password with role \"user\" gets 8",
		Requirements: []string{"RC-8", "ROLE-1"}, Labels: []string{"password"},
		Needs: []Need{Secured(User, Password), OnPlan(Pro), CanLogin(Admin)},
		Steps: []Step{
			{Do: send(SecuredAuth(Wrong(UserPassword), roleUser)), Expect: []Check{Code("RC-8", 8)}},
			RecoverLogin(),
		},
	},
	{
		ID: "rc-8-altered-admin-token", Title: "an admin token with its last character changed gets 8",
		Requirements: []string{"RC-8", "ROLE-1", "AUTH-2"}, Labels: []string{"token"},
		Needs: []Need{IsProtected(Admin), CanLogin(Admin), OnPlan(Pro)},
		Steps: []Step{
			loginKeepingTokens("login", Admin),
			{Conn: "b", Do: send(SecuredAuth(Altered(TokenOf("login")), roleAdmin)), Expect: []Check{Code("RC-8", 8)}},
			RecoverLogin(),
		},
	},
	{
		ID: "rc-8-malformed-token", Title: "a malformed token (\"1*conform*0*XYZ\") with role \"admin\" gets 8",
		Requirements: []string{"RC-8", "ROLE-1"}, Labels: []string{"token"},
		Needs: []Need{IsProtected(Admin), CanLogin(Admin), OnPlan(Pro)},
		Steps: []Step{
			{Do: send(SecuredAuth(Str("1*conform*0*XYZ"), roleAdmin)), Expect: []Check{Code("RC-8", 8)}},
			RecoverLogin(),
		},
	},

	// RC-8: near misses are wrong credentials too (only the PIN is
	// case-insensitive). The generated near-miss cases try the whole family;
	// these are the reading's own examples.
	{
		ID: "rc-8-admin-password-other-case", Title: "the admin password in other letter case gets 8",
		Requirements: []string{"RC-8", "ROLE-1"}, Labels: []string{"password"},
		Needs: []Need{Secured(Admin, Password), PasswordWithLetters, OnPlan(Pro)},
		Steps: []Step{
			{Do: send(SecuredAuth(OtherCaseWrong(Secret(AdminPassword)), roleAdmin)), Expect: []Check{Code("RC-8", 8)}},
			RecoverLogin(),
		},
	},
	{
		ID: "rc-8-admin-password-prefix", Title: "the admin password without its last character gets 8",
		Requirements: []string{"RC-8", "ROLE-1"}, Labels: []string{"password"},
		Needs: []Need{Secured(Admin, Password), OnPlan(Pro)},
		Steps: []Step{
			{Do: send(SecuredAuth(Prefix(Secret(AdminPassword)), roleAdmin)), Expect: []Check{Code("RC-8", 8, 7)}},
			RecoverLogin(),
		},
	},
	{
		ID: "rc-8-admin-password-extension", Title: "the admin password with a character added gets 8",
		Requirements: []string{"RC-8", "ROLE-1"}, Labels: []string{"password"},
		Needs: []Need{Secured(Admin, Password), OnPlan(Pro)},
		Steps: []Step{
			{Do: send(SecuredAuth(Extended(Secret(AdminPassword)), roleAdmin)), Expect: []Check{Code("RC-8", 8)}},
			RecoverLogin(),
		},
	},
	{
		ID: "rc-8-admin-token-other-case", Title: "an admin token in other letter case gets 8",
		Requirements: []string{"RC-8", "ROLE-1", "AUTH-2"}, Labels: []string{"token"},
		Needs: []Need{IsProtected(Admin), CanLogin(Admin), OnPlan(Pro)},
		Steps: []Step{
			loginKeepingTokens("login", Admin),
			{Conn: "b", OnlyIf: OtherCaseWrong(TokenOf("login")), Do: send(SecuredAuth(OtherCaseWrong(TokenOf("login")), roleAdmin)), Expect: []Check{Code("RC-8", 8)}},
			RecoverLogin(),
		},
	},
	{
		ID: "rc-8b-admin-password-with-whitespace", Title: "the admin password with a trailing space gets 8",
		Requirements: []string{"RC-8b", "ROLE-1"}, Labels: []string{"password"},
		Needs: []Need{Secured(Admin, Password), OnPlan(Pro)},
		Steps: []Step{
			{Do: send(SecuredAuth(Padded(Secret(AdminPassword)), roleAdmin)), Expect: []Check{Code("RC-8b", 8)}},
			RecoverLogin(),
		},
	},

	// RC-9 .. RC-11: field validation.
	{
		ID: "rc-9-role-root", Title: "valid credentials with role \"root\" get 9",
		Requirements: []string{"RC-9"}, Labels: []string{"role", "smoke"},
		Needs: []Need{CanLogin(Admin)},
		Steps: []Step{{Do: send(Login(Admin).With(Str("root"))), Expect: []Check{Code("RC-9", 9)}}},
	},
	{
		ID: "rc-9-role-empty", Title: "valid credentials with role \"\" get 9",
		Requirements: []string{"RC-9"}, Labels: []string{"role"},
		Needs: []Need{CanLogin(Admin)},
		Steps: []Step{{Do: send(Login(Admin).With(Str(""))), Expect: []Check{Code("RC-9", 9)}}},
	},
	{
		ID: "rc-9b-role-other-case", Title: "valid admin credentials with role \"Admin\" get 9",
		Requirements: []string{"RC-9b"}, Labels: []string{"role"},
		Needs: []Need{CanLogin(Admin)},
		Steps: []Step{{Do: send(Login(Admin).With(Str("Admin"))), Expect: []Check{Code("RC-9b", 9)}}},
	},
	{
		ID: "rc-9b-role-upper-case", Title: "valid user credentials with role \"USER\" get 9",
		Requirements: []string{"RC-9b"}, Labels: []string{"role"},
		Needs: []Need{CanLogin(User)},
		Steps: []Step{{Do: send(Login(User).With(Str("USER"))), Expect: []Check{Code("RC-9b", 9)}}},
	},
	{
		ID: "rc-10-type-open", Title: "type \"open\" with role \"admin\" gets 10",
		Requirements: []string{"RC-10"}, Labels: []string{"smoke"},
		Steps: []Step{{Do: send(Request{Type: Str("open"), Role: roleAdmin}), Expect: []Check{Code("RC-10", 10)}}},
	},
	{
		ID: "rc-10-type-empty", Title: "type \"\" with role \"admin\" gets 10",
		Requirements: []string{"RC-10"},
		Steps:        []Step{{Do: send(Request{Type: Str(""), Role: roleAdmin}), Expect: []Check{Code("RC-10", 10)}}},
	},
	{
		ID: "rc-10b-type-other-case", Title: "type \"Secured\" or \"UNSECURED\" with valid admin credentials gets 10",
		Requirements: []string{"RC-10b"},
		Needs:        []Need{CanLogin(Admin)},
		Steps:        []Step{{Do: send(Login(Admin).WithType(TypeInOtherCase(Admin))), Expect: []Check{Code("RC-10b", 10)}}},
	},
	{
		ID: "rc-11-no-type-no-role", Title: "{\"method\":\"auth\"} with neither type nor role gets 11",
		Requirements: []string{"RC-11"},
		Steps:        []Step{{Do: send(Request{}), Expect: []Check{Code("RC-11", 11)}}},
	},

	// RC-13: several faults at once: any applicable code.
	{
		ID: "rc-13-bad-type-and-bad-role", Title: "type \"open\" and role \"root\" together get 10 or 9",
		Requirements: []string{"RC-13"},
		Steps:        []Step{{Do: send(Request{Type: Str("open"), Role: Str("root")}), Expect: []Check{Code("RC-13", 9, 10)}}},
	},
	{
		ID: "rc-13-bad-role-no-credentials", Title: "type \"secured\" with role \"root\" and no credentials gets 9 or 12",
		Requirements: []string{"RC-13"},
		Steps:        []Step{{Do: send(Request{Type: Str("secured"), Role: Str("root")}), Expect: []Check{Code("RC-13", 9, 12)}}},
	},

	// RC-14: wrong JSON types fail with the code of the field's row.
	{
		ID: "rc-14-type-is-a-number", Title: "\"type\":1 gets 10",
		Requirements: []string{"RC-14"},
		Steps:        []Step{{Do: send(Request{Type: JSON(1), Role: roleAdmin}), Expect: []Check{Code("RC-14", 10)}}},
	},
	{
		ID: "rc-14-role-is-a-boolean", Title: "valid credentials with \"role\":true get 9",
		Requirements: []string{"RC-14"}, Labels: []string{"role"},
		Needs: []Need{CanLogin(Admin)},
		Steps: []Step{{Do: send(Login(Admin).With(JSON(true))), Expect: []Check{Code("RC-14", 9)}}},
	},
	{
		ID: "rc-14-credentials-is-a-number", Title: "type \"secured\" with \"credentials\":42 gets 7 or 8",
		Requirements: []string{"RC-14", "ROLE-1"},
		Needs:        []Need{IsProtected(Admin), CanLogin(Admin), OnPlan(Pro)},
		Steps: []Step{
			{Do: send(SecuredAuth(JSON(42), roleAdmin)), Expect: []Check{Code("RC-14", 7, 8)}},
			RecoverLogin(),
		},
	},
}
