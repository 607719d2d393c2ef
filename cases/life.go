package cases

// LIFE: token lifetimes, on the embedded HTTP server and on re-authorization.
// Waits count from the side that favours the target (see Moment); the
// lifetimes are run settings: the spec's against a live device, scaled
// against the embedded reference server.

var getTokenForHTTPServer = Request{Method: "getTokenForHttpServer"}

// reauth re-authorizes with a token on a fresh connection.
func reauth(token Value) Request { return secured(token, nil) }

var lifeCases = []Case{
	{
		ID: "life-1-http-token-opens-http-server", Title: "a fresh tokenForHttpServer opens the HTTP server; the same token altered does not",
		Requirements: []string{"LIFE-1", "ROLE-1", "AUTH-2"}, Labels: []string{"lifetime", "token"},
		Needs: []Need{CanLogin(Admin), HasHTTP},
		Steps: []Step{
			loginKeepingTokens("login", Admin),
			{Name: "fresh", Do: HTTPGet{Token: HTTPTokenOf("login")}, Expect: []Check{HTTPAccepted("LIFE-1")}},
			{Name: "wrong", Do: HTTPGet{Token: Altered(HTTPTokenOf("login"))}, Expect: []Check{HTTPRefused("LIFE-1")}},
		},
	},
	{
		ID: "life-1b-http-server-refuses-api-token", Title: "the API token is refused by the HTTP server",
		Requirements: []string{"LIFE-1b", "ROLE-1", "AUTH-2"}, Labels: []string{"lifetime", "token"},
		Needs: []Need{CanLogin(Admin), HasHTTP},
		Steps: []Step{
			loginKeepingTokens("login", Admin),
			{Name: "api-token", Do: HTTPGet{Token: TokenOf("login")}, Expect: []Check{HTTPRefused("LIFE-1b")}},
		},
	},
	{
		ID: "life-2-http-token-expires", Title: "tokenForHttpServer works until its lifetime (- tolerance) and is refused after it (+ tolerance)",
		Requirements: []string{"LIFE-2", "ROLE-1", "AUTH-2"}, Labels: []string{"lifetime", "token", "slow"},
		Needs: []Need{CanLogin(Admin), AdminSecurityIn(Password, Unsecured), AdminTokenExpires, HasHTTP, Waitable(HTTPTokenLife)},
		Steps: []Step{
			loginKeepingTokens("login", Admin),
			{Name: "before", When: Before("login", HTTPTokenLife), Do: HTTPGet{Token: HTTPTokenOf("login")}, Expect: []Check{HTTPAccepted("LIFE-2")}},
			{Name: "after", When: After("login", HTTPTokenLife), Do: HTTPGet{Token: HTTPTokenOf("login")}, Expect: []Check{HTTPRefused("LIFE-2")}},
		},
	},
	{
		ID: "life-2-user-http-token-expires", Title: "a user login's tokenForHttpServer works until its lifetime (- tolerance) and is refused after it (+ tolerance)",
		Requirements: []string{"LIFE-2", "ROLE-1", "AUTH-2"}, Labels: []string{"lifetime", "token", "slow"},
		Needs: []Need{CanLogin(User), UserSecurityIn(Password, Unsecured), HasHTTP, Waitable(HTTPTokenLife)},
		Steps: []Step{
			loginKeepingTokens("login", User),
			{Name: "before", When: Before("login", HTTPTokenLife), Do: HTTPGet{Token: HTTPTokenOf("login")}, Expect: []Check{HTTPAccepted("LIFE-2")}},
			{Name: "after", When: After("login", HTTPTokenLife), Do: HTTPGet{Token: HTTPTokenOf("login")}, Expect: []Check{HTTPRefused("LIFE-2")}},
		},
	},
	{
		// On a Free plan the reading does not say whether token
		// authorization is a secured login (RC-2): Pro only.
		ID: "life-3-api-token-outlives-http-token", Title: "after the tokenForHttpServer's lifetime (+ tolerance) the API token still re-authorizes",
		Requirements: []string{"LIFE-3", "ROLE-1", "AUTH-2"}, Labels: []string{"lifetime", "token", "slow"},
		Needs: []Need{CanLogin(Admin), AdminTokenExpires, OnPlan(Pro), Waitable(HTTPTokenLife)},
		Steps: []Step{
			loginKeepingTokens("login", Admin),
			{Name: "api-token", When: After("login", HTTPTokenLife), Conn: "b", Do: send(reauth(TokenOf("login"))), Expect: granted("LIFE-3", Admin)},
		},
	},
	{
		ID: "life-4-user-pin-token-window", Title: "a user PIN token works at the window's lower bound (24 h - tolerance) and not after its upper bound (30 d + tolerance)",
		Requirements: []string{"LIFE-4", "ROLE-1", "AUTH-2"}, Labels: []string{"lifetime", "token", "pin", "slow"},
		Needs: []Need{Secured(User, PIN), OnPlan(Pro), CanLogin(Admin), Waitable(APITokenLife)},
		Steps: []Step{
			loginKeepingTokens("login", User),
			{Name: "before", When: Before("login", PINTokenFloor), Conn: "b", Do: send(reauth(TokenOf("login"))), Expect: granted("LIFE-4", User)},
			closeConn("b"),
			{Name: "after", When: After("login", APITokenLife), Conn: "c", Do: send(reauth(TokenOf("login"))), Expect: []Check{Fails("LIFE-4")}},
			recoverLogin(),
		},
	},
	{
		// One timeline for LIFE-4 and LIFE-5: the wait for an API token's
		// expiry is the longest there is, so it is waited out once.
		ID: "life-4-admin-token-and-derived-tokens-expire", Title: "the admin API token re-authorizes until its lifetime (- tolerance); after it (+ tolerance) neither it nor the tokens derived from it (by token re-authorization, by status change) do",
		Requirements: []string{"LIFE-4", "LIFE-5", "SW-1", "ROLE-1", "AUTH-2"}, Labels: []string{"lifetime", "token", "slow"},
		Needs: []Need{CanLogin(Admin), AdminTokenExpires, OnPlan(Pro), Waitable(APITokenLife)},
		Steps: []Step{
			loginKeepingTokens("login", Admin),
			// Derive the tokens late in the original's life, so that a server
			// giving them a fresh lifetime is seen to keep them too long.
			{Name: "by-token", When: Before("login", APITokenLife), Conn: "b", Do: send(reauth(TokenOf("login"))), Expect: append(granted("LIFE-4", Admin), Tokens("AUTH-2"))},
			closeConn("b"),
			// A token derived from a derived one expires with the original
			// too; so does the status change's, on that connection.
			{Name: "by-token-2", When: Before("login", APITokenLife), Conn: "c", Do: send(reauth(TokenOf("by-token"))), Expect: append(granted("LIFE-4", Admin), Tokens("AUTH-2"))},
			{Name: "switch", When: Before("login", APITokenLife), Conn: "c", Do: send(statusChange), Expect: append(granted("SW-1", User), Tokens("SW-1"))},
			closeConn("c"),
			// Each refused token is followed by a success, as every wrong
			// credential is: a device may lock out after two in a row.
			{Name: "after", When: After("login", APITokenLife), Conn: "d", Do: send(reauth(TokenOf("login"))), Expect: []Check{Fails("LIFE-4")}},
			recoverNamed("recover-1"),
			{Name: "by-token-after", When: After("login", APITokenLife), Conn: "e", Do: send(reauth(TokenOf("by-token"))), Expect: []Check{Fails("LIFE-5")}},
			recoverNamed("recover-2"),
			{Name: "switch-after", When: After("login", APITokenLife), Conn: "f", Do: send(reauth(TokenOf("switch"))), Expect: []Check{Fails("LIFE-5")}},
			recoverNamed("recover-3"),
			{Name: "by-token-2-after", When: After("login", APITokenLife), Conn: "g", Do: send(reauth(TokenOf("by-token-2"))), Expect: []Check{Fails("LIFE-5")}},
			recoverLogin(),
		},
	},
	{
		ID: "life-6-get-token-for-http-server", Title: "getTokenForHttpServer returns a token that opens the HTTP server",
		Requirements: []string{"LIFE-6", "ROLE-1"}, Labels: []string{"lifetime", "token"},
		Needs: []Need{CanLogin(Admin), HasHTTP},
		Steps: []Step{
			loginAs("login", Admin),
			{Name: "fresh", Do: send(getTokenForHTTPServer), Expect: []Check{Accepted("LIFE-6"), TokenField("LIFE-6")}},
			{Name: "probe", Do: HTTPGet{Token: TokenOf("fresh")}, Expect: []Check{HTTPAccepted("LIFE-6")}},
		},
	},
	{
		ID: "life-6-fresh-http-token-after-expiry", Title: "getTokenForHttpServer after the login's tokenForHttpServer expired returns a token that opens the HTTP server",
		Requirements: []string{"LIFE-6", "ROLE-1"}, Labels: []string{"lifetime", "token", "slow"},
		Needs: []Need{CanLogin(Admin), HasHTTP, Waitable(HTTPTokenLife)},
		Steps: []Step{
			loginAs("login", Admin),
			{Name: "fresh", When: After("login", HTTPTokenLife), Do: send(getTokenForHTTPServer), Expect: []Check{Accepted("LIFE-6"), TokenField("LIFE-6")}},
			{Name: "probe", Do: HTTPGet{Token: TokenOf("fresh")}, Expect: []Check{HTTPAccepted("LIFE-6")}},
		},
	},
}
