package cases

import . "github.com/roomconform/conform/caselang"

// ROLE: which mode a successful authorization grants.

var roleCases = []Case{
	{
		ID: "role-1-admin-credentials-role-admin", Title: "admin credentials with role \"admin\" give previleges 2",
		Requirements: []string{"ROLE-1"}, Labels: []string{"role", "smoke"},
		Needs: []Need{IsProtected(Admin), CanLogin(Admin)},
		Steps: []Step{{Do: send(Login(Admin)), Expect: granted("ROLE-1", Admin)}},
	},
	{
		ID: "role-1-user-credentials-role-user", Title: "user credentials with role \"user\" give previleges 1",
		Requirements: []string{"ROLE-1"}, Labels: []string{"role"},
		Needs: []Need{IsProtected(User), CanLogin(User)},
		Steps: []Step{{Do: send(Login(User)), Expect: granted("ROLE-1", User)}},
	},
	{
		ID: "role-1-unsecured-role-admin", Title: "type \"unsecured\" with role \"admin\" when admin is unsecured gives previleges 2",
		Requirements: []string{"ROLE-1"}, Labels: []string{"role", "unsecured"},
		Needs: []Need{IsUnsecured(Admin)},
		Steps: []Step{{Do: send(Request{Type: Str("unsecured"), Role: roleAdmin}), Expect: granted("ROLE-1", Admin)}},
	},
	{
		ID: "role-1-unsecured-role-user", Title: "type \"unsecured\" with role \"user\" when user is unsecured gives previleges 1",
		Requirements: []string{"ROLE-1"}, Labels: []string{"role", "unsecured"},
		Needs: []Need{IsUnsecured(User)},
		Steps: []Step{{Do: send(Request{Type: Str("unsecured"), Role: roleUser}), Expect: granted("ROLE-1", User)}},
	},
	{
		ID: "role-2-admin-password-without-role", Title: "the admin password without role gives previleges 2",
		Requirements: []string{"ROLE-2"}, Labels: []string{"role", "password"},
		Needs: []Need{Secured(Admin, Password), OnPlan(Pro)},
		Steps: []Step{{Do: send(SecuredAuth(Secret(AdminPassword), nil)), Expect: granted("ROLE-2", Admin)}},
	},
	{
		ID: "role-2-admin-pin-without-role", Title: "the admin (command-line) PIN without role gives previleges 2",
		Requirements: []string{"ROLE-2"}, Labels: []string{"role", "pin"},
		Needs: []Need{HasSecret(AdminPIN), IsProtected(Admin), OnPlan(Pro)},
		Steps: []Step{{Do: send(SecuredAuth(Secret(AdminPIN), nil)), Expect: granted("ROLE-2", Admin)}},
	},
	{
		ID: "role-2-user-pin-without-role", Title: "the user PIN without role gives previleges 1",
		Requirements: []string{"ROLE-2"}, Labels: []string{"role", "pin"},
		Needs: []Need{Secured(User, PIN), OnPlan(Pro)},
		Steps: []Step{{Do: send(SecuredAuth(Secret(UserPIN), nil)), Expect: granted("ROLE-2", User)}},
	},
	{
		ID: "role-2-user-password-without-role", Title: "the user password without role gives previleges 1",
		Requirements: []string{"ROLE-2"}, Labels: []string{"role", "password"},
		Needs: []Need{Secured(User, Password), OnPlan(Pro)},
		Steps: []Step{{Do: send(SecuredAuth(Secret(UserPassword), nil)), Expect: granted("ROLE-2", User)}},
	},
	{
		ID: "role-3-unsecured-without-role", Title: "type \"unsecured\" without role when both modes are unsecured: recorded (previleges 2 or 1)",
		Requirements: []string{"ROLE-3"}, Labels: []string{"role", "unsecured"},
		Needs: []Need{NoneProtected},
		Steps: []Step{{Do: send(Request{Type: Str("unsecured")}), Expect: []Check{RecordOutcome("ROLE-3", "0/previleges 2", "0/previleges 1")}}},
	},
	{
		ID: "role-5-unsecured-without-role-user-only", Title: "type \"unsecured\" without role when only user is unsecured gives previleges 1",
		Requirements: []string{"ROLE-5"}, Labels: []string{"role", "unsecured"},
		Needs: []Need{IsProtected(Admin), IsUnsecured(User)},
		Steps: []Step{{Do: send(Request{Type: Str("unsecured")}), Expect: granted("ROLE-5", User)}},
	},
	{
		ID: "role-4-user-pin-other-case", Title: "the user PIN in other letter case with role \"user\" gives previleges 1",
		Requirements: []string{"ROLE-4"}, Labels: []string{"role", "pin"},
		Needs: []Need{Secured(User, PIN), PINWithLetters, OnPlan(Pro)},
		Steps: []Step{{Do: send(SecuredAuth(OtherCase(Secret(UserPIN)), roleUser)), Expect: granted("ROLE-4", User)}},
	},
}
