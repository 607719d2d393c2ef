package cases

import . "github.com/roomconform/conform/caselang"

// TOK: token re-authorization on a new connection, after the issuing one closed.

// CapacityLogins is how many logins the capacity case makes after the one
// whose token it then uses (issue 18: 200).
const CapacityLogins = 200

var tokCases = []Case{
	{
		ID: "tok-1-admin-token-on-new-connection", Title: "an admin token re-authorizes a new connection as admin after the first closed",
		Requirements: []string{"TOK-1", "ROLE-1", "AUTH-2"}, Labels: []string{"token", "smoke"},
		Needs: []Need{CanLogin(Admin), OnPlan(Pro)},
		Steps: []Step{
			loginKeepingTokens("login", Admin), closeConn("a"),
			{Conn: "b", Do: send(SecuredAuth(TokenOf("login"), nil)), Expect: granted("TOK-1", Admin)},
		},
	},
	{
		ID: "tok-1-user-token-on-new-connection", Title: "a user token re-authorizes a new connection as user after the first closed",
		Requirements: []string{"TOK-1", "ROLE-1", "AUTH-2"}, Labels: []string{"token"},
		Needs: []Need{CanLogin(User), OnPlan(Pro)},
		Steps: []Step{
			loginKeepingTokens("login", User), closeConn("a"),
			{Conn: "b", Do: send(SecuredAuth(TokenOf("login"), nil)), Expect: granted("TOK-1", User)},
		},
	},
	{
		ID: "tok-1-admin-token-again-and-again", Title: "an admin token re-authorizes on a second and a third new connection (it is not single-use)",
		Requirements: []string{"TOK-1", "ROLE-1", "AUTH-2"}, Labels: []string{"token"},
		Needs: []Need{CanLogin(Admin), OnPlan(Pro)},
		Steps: []Step{
			loginKeepingTokens("login", Admin), closeConn("a"),
			{Conn: "b", Do: send(SecuredAuth(TokenOf("login"), nil)), Expect: granted("TOK-1", Admin)},
			closeConn("b"),
			{Conn: "c", Do: send(SecuredAuth(TokenOf("login"), roleAdmin)), Expect: granted("TOK-1", Admin)},
		},
	},
	// Capacity: a server that makes room for new tokens by forgetting live
	// ones breaks TOK-1 for whoever logged in first. Disruptive: on a device
	// the 200 logins may evict other clients' tokens too.
	{
		ID: "tok-1-first-token-after-200-logins", Title: "an admin token still re-authorizes after 200 further admin logins",
		Requirements: []string{"TOK-1", "ROLE-1", "AUTH-2"}, Labels: []string{"token", "disruptive"},
		Needs: []Need{CanLogin(Admin), OnPlan(Pro)},
		Steps: []Step{
			loginKeepingTokens("first", Admin), closeConn("a"),
			{Name: "logins", Conn: "b", Do: Send{Request: Login(Admin), Repeat: CapacityLogins}, Expect: granted("ROLE-1", Admin)},
			closeConn("b"),
			{Conn: "c", Do: send(SecuredAuth(TokenOf("first"), nil)), Expect: granted("TOK-1", Admin)},
		},
	},
	{
		ID: "tok-1-token-from-token-authorization", Title: "the token a token re-authorization returns re-authorizes too",
		Requirements: []string{"TOK-1", "ROLE-1", "AUTH-2"}, Labels: []string{"token"},
		Needs: []Need{CanLogin(Admin), OnPlan(Pro)},
		Steps: []Step{
			loginKeepingTokens("login", Admin), closeConn("a"),
			{Name: "by-token", Conn: "b", Do: send(SecuredAuth(TokenOf("login"), nil)), Expect: append(granted("TOK-1", Admin), Tokens("AUTH-2"))},
			closeConn("b"),
			{Conn: "c", Do: send(SecuredAuth(TokenOf("by-token"), nil)), Expect: granted("TOK-1", Admin)},
		},
	},
	{
		ID: "tok-1-admin-token-with-role-admin", Title: "an admin token with role \"admin\" re-authorizes as admin",
		Requirements: []string{"TOK-1", "ROLE-1", "AUTH-2"}, Labels: []string{"token", "role"},
		Needs: []Need{CanLogin(Admin), OnPlan(Pro)},
		Steps: []Step{
			loginKeepingTokens("login", Admin), closeConn("a"),
			{Conn: "b", Do: send(SecuredAuth(TokenOf("login"), roleAdmin)), Expect: granted("TOK-1", Admin)},
		},
	},
	{
		ID: "tok-2-user-token-with-role-admin", Title: "a user token with role \"admin\" gets 5",
		Requirements: []string{"TOK-2", "ROLE-1", "AUTH-2"}, Labels: []string{"token", "role"},
		Needs: []Need{CanLogin(User), OnPlan(Pro)},
		Steps: []Step{
			loginKeepingTokens("login", User), closeConn("a"),
			// TOK-2 is RC-5 for tokens: cited once, under TOK-2.
			{Conn: "b", Do: send(SecuredAuth(TokenOf("login"), roleAdmin)), Expect: []Check{Code("TOK-2", 5)}},
		},
	},
	{
		ID: "tok-2-user-token-without-role", Title: "a user token without role gives previleges 1",
		Requirements: []string{"TOK-2", "ROLE-1", "AUTH-2"}, Labels: []string{"token", "role"},
		Needs: []Need{CanLogin(User), OnPlan(Pro)},
		Steps: []Step{
			loginKeepingTokens("login", User), closeConn("a"),
			{Conn: "b", Do: send(SecuredAuth(TokenOf("login"), nil)), Expect: granted("TOK-2", User)},
		},
	},
	{
		ID: "tok-3-status-change-token", Title: "the token from a status change re-authorizes as user",
		Requirements: []string{"TOK-3", "SW-1", "ROLE-1", "AUTH-2"}, Labels: []string{"token", "role"},
		Needs: []Need{CanLogin(Admin), OnPlan(Pro)},
		Steps: []Step{
			loginKeepingTokens("login", Admin),
			{Name: "switch", Do: send(statusChange), Expect: append(granted("SW-1", User), Tokens("SW-1"))},
			closeConn("a"),
			{Conn: "b", Do: send(SecuredAuth(TokenOf("switch"), nil)), Expect: granted("TOK-3", User)},
		},
	},
	{
		ID: "tok-3-status-change-token-with-role-admin", Title: "the token from a status change with role \"admin\" gets 5",
		Requirements: []string{"TOK-3", "SW-1", "ROLE-1"}, Labels: []string{"token", "role"},
		Needs: []Need{CanLogin(Admin), OnPlan(Pro)},
		Steps: []Step{
			loginAs("login", Admin),
			{Name: "switch", Do: send(statusChange), Expect: append(granted("SW-1", User), Tokens("SW-1"))},
			closeConn("a"),
			{Conn: "b", Do: send(SecuredAuth(TokenOf("switch"), roleAdmin)), Expect: []Check{Code("TOK-3", 5)}},
			RecoverLogin(),
		},
	},
	{
		ID: "tok-3-status-change-token-hides-pin", Title: "a connection authorized by the token from a status change does not see the user PIN",
		Requirements: []string{"TOK-3", "SW-1", "ROLE-1"}, Labels: []string{"token", "pin"},
		Needs: []Need{CanLogin(Admin), UserSecurity(PIN), OnPlan(Pro)},
		Steps: []Step{
			loginAs("login", Admin),
			{Name: "switch", Do: send(statusChange), Expect: append(granted("SW-1", User), Tokens("SW-1"))},
			closeConn("a"),
			{Conn: "b", Do: send(SecuredAuth(TokenOf("switch"), nil)), Expect: granted("TOK-3", User)},
			{Conn: "b", Do: send(getAuthInfo), Expect: []Check{HidesPIN("TOK-3")}},
		},
	},
	{
		ID: "tok-4-http-token-as-credentials", Title: "a tokenForHttpServer used as API credentials: recorded",
		Requirements: []string{"TOK-4", "ROLE-1", "AUTH-2"}, Labels: []string{"token"},
		Needs: []Need{CanLogin(Admin), OnPlan(Pro)},
		Steps: []Step{
			loginKeepingTokens("login", Admin), closeConn("a"),
			{Conn: "b", Do: send(SecuredAuth(HTTPTokenOf("login"), nil)), Expect: []Check{RecordOutcome("TOK-4")}},
			RecoverLogin(),
		},
	},
}
