package cases

import . "github.com/roomconform/conform/caselang"

// FAIL: what a failed authorization must not carry or grant.

var failCases = []Case{
	{
		ID: "fail-invalid-role-carries-nothing", Title: "valid admin credentials with role \"root\": a failure without previleges, usable tokens or the credentials",
		Requirements: []string{"FAIL-1", "FAIL-2", "FAIL-3", "FAIL-5", "RC-9", "ROLE-1"},
		Needs:        []Need{CanLogin(Admin)},
		Steps: append(append([]Step{
			{Name: "attempt", Do: send(Login(Admin).With(Str("root"))), Expect: append([]Check{Code("RC-9", 9)}, failureChecks()...)},
		}, tokensUnusable("attempt")...), RecoverLogin()),
	},
	{
		ID: "fail-4-fresh-connection-stays-unauthorized", Title: "after a failed auth (type \"open\") a fresh connection is still refused getAuthInfo",
		Requirements: []string{"FAIL-4"},
		Steps: []Step{
			{Do: send(Request{Type: Str("open"), Role: roleAdmin}), Expect: []Check{Fails("FAIL-4")}},
			{Do: send(getAuthInfo), Expect: []Check{Refused("FAIL-4").OrClosed()}},
		},
	},
	{
		ID: "fail-4-admin-keeps-mode", Title: "after a failed auth (role \"root\") an admin connection is still admin",
		Requirements: []string{"FAIL-4", "ROLE-1"},
		Needs:        []Need{CanLogin(Admin)},
		Steps: []Step{
			loginAs("login", Admin),
			{Do: send(Request{Type: Str("unsecured"), Role: Str("root")}), Expect: []Check{Fails("FAIL-4")}},
			{Do: send(getAuthInfo), Expect: []Check{Accepted("FAIL-4").OrClosed()}},
			// Only an administrator may change to user: proof the mode is still admin.
			{Do: send(statusChange), Expect: []Check{Succeeds("FAIL-4").OrClosed()}},
		},
	},
	{
		ID: "fail-wrong-admin-password", Title: "a wrong admin password on a fresh connection: code 8, nothing granted, nothing usable, no echo",
		Requirements: []string{"FAIL-1", "FAIL-2", "FAIL-3", "FAIL-4", "FAIL-5", "RC-8", "ROLE-1"}, Labels: []string{"password", "smoke"},
		Needs: []Need{Secured(Admin, Password), OnPlan(Pro)},
		Steps: append(append([]Step{
			{Name: "attempt", Do: send(SecuredAuth(Wrong(AdminPassword), roleAdmin)), Expect: append([]Check{Code("RC-8", 8)}, failureChecks()...)},
			{Do: send(getAuthInfo), Expect: []Check{Refused("FAIL-4").OrClosed()}},
		}, tokensUnusable("attempt")...), RecoverLogin()),
	},
}
