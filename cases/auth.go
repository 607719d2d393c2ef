package cases

import . "github.com/roomconform/conform/caselang"

// AUTH: what a successful authorization carries.

var authCases = []Case{
	{
		ID: "auth-admin-success-fields", Title: "an admin login answers with previleges 2, a token and a tokenForHttpServer",
		Requirements: []string{"AUTH-1", "AUTH-2", "ROLE-1"}, Labels: []string{"smoke"},
		Needs: []Need{CanLogin(Admin)},
		Steps: []Step{{Do: send(Login(Admin)), Expect: append(granted("ROLE-1", Admin), PrevilegesField("AUTH-1"), Tokens("AUTH-2"))}},
	},
	{
		ID: "auth-user-success-fields", Title: "a user login answers with previleges 1, a token and a tokenForHttpServer",
		Requirements: []string{"AUTH-1", "AUTH-2", "ROLE-1"},
		Needs:        []Need{CanLogin(User)},
		Steps:        []Step{{Do: send(Login(User)), Expect: append(granted("ROLE-1", User), PrevilegesField("AUTH-1"), Tokens("AUTH-2"))}},
	},
	{
		ID: "auth-3-overlay-token", Title: "an admin login: recorded whether overlayHttpToken is present",
		Requirements: []string{"AUTH-3"}, Labels: []string{"token"},
		Needs: []Need{CanLogin(Admin)},
		Steps: []Step{{Do: send(Login(Admin)), Expect: []Check{RecordOverlay("AUTH-3")}}},
	},
	{
		ID: "auth-4-token-shape", Title: "an admin login: recorded whether the tokens have the documented shape",
		Requirements: []string{"AUTH-4"}, Labels: []string{"token"},
		Needs: []Need{CanLogin(Admin)},
		Steps: []Step{{Do: send(Login(Admin)), Expect: []Check{RecordTokenShape("AUTH-4")}}},
	},
	{
		ID: "auth-5-token-differs-from-http-token", Title: "an admin login's token differs from its tokenForHttpServer",
		Requirements: []string{"AUTH-5"}, Labels: []string{"token"},
		Needs: []Need{CanLogin(Admin)},
		Steps: []Step{{Do: send(Login(Admin)), Expect: []Check{TokensDiffer("AUTH-5")}}},
	},
	{
		ID: "auth-5-distinct-tokens", Title: "32 admin logins on fresh connections return 32 distinct tokens",
		Requirements: []string{"AUTH-5", "ROLE-1"}, Labels: []string{"token"},
		Needs: []Need{CanLogin(Admin)},
		Steps: []Step{{Name: "login", Do: Send{Request: Login(Admin), Repeat: 32}, Expect: []Check{Succeeds("ROLE-1")}}},
		After: []Check{DistinctTokens("AUTH-5")},
	},
}
