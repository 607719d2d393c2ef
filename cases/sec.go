package cases

// SEC: access control around auth.

var secCases = []Case{
	{
		ID: "sec-1-get-auth-info-before-auth", Title: "getAuthInfo on a fresh connection is refused and reveals nothing",
		Requirements: []string{"SEC-1"}, Labels: []string{"smoke"},
		Steps: []Step{{Do: send(getAuthInfo), Expect: []Check{Refused("SEC-1")}}},
	},
	{
		ID: "sec-1-get-token-for-http-server-before-auth", Title: "getTokenForHttpServer on a fresh connection is refused and gives no token the HTTP server accepts",
		Requirements: []string{"SEC-1"}, Labels: []string{"token"},
		Steps: []Step{
			{Name: "attempt", Do: send(getTokenForHTTPServer), Expect: []Check{Refused("SEC-1")}},
			// Only when the refusal carried a token anyway: it must not work.
			{Name: "probe", OnlyIf: LeakedTokenOf("attempt"), Do: HTTPGet{LeakedTokenOf("attempt")}, Expect: []Check{HTTPRefused("SEC-1")}},
		},
	},
	{
		ID: "sec-2-user-connection-hides-pin", Title: "getAuthInfo on a user connection shows no userAuth.pin",
		Requirements: []string{"SEC-2", "ROLE-1"}, Labels: []string{"pin"},
		Needs: []Need{CanLogin(User)},
		Steps: []Step{loginAs("login", User), {Do: send(getAuthInfo), Expect: []Check{HidesPIN("SEC-2")}}},
	},
	{
		ID: "sec-2-admin-connection-shows-pin", Title: "getAuthInfo on an admin connection shows userAuth.pin when user security is pin",
		Requirements: []string{"SEC-2", "ROLE-1"}, Labels: []string{"pin"},
		Needs: []Need{CanLogin(Admin), UserSecurity(PIN)},
		Steps: []Step{loginAs("login", Admin), {Do: send(getAuthInfo), Expect: []Check{ShowsPIN("SEC-2")}}},
	},
	{
		ID: "sec-3-second-admin-displaces-first", Title: "a second admin login makes the first admin connection receive authorizationNeeded with cause 1",
		Requirements: []string{"SEC-3", "ROLE-1"}, Labels: []string{"disruptive"},
		Needs: []Need{CanLogin(Admin)},
		Steps: []Step{
			loginAs("first", Admin),
			{Name: "second", Conn: "b", Do: send(Login(Admin)), Expect: granted("ROLE-1", Admin)},
			{Name: "notified", Conn: "a", Do: Await{"authorizationNeeded"}, Expect: []Check{EventCause("SEC-3", 1)}},
		},
	},
	{
		ID: "sec-4-displaced-admin-refused", Title: "after a second admin login the first admin connection is refused getAuthInfo",
		Requirements: []string{"SEC-4", "ROLE-1"}, Labels: []string{"disruptive"},
		Needs: []Need{CanLogin(Admin)},
		Steps: []Step{
			loginAs("first", Admin),
			{Name: "second", Conn: "b", Do: send(Login(Admin)), Expect: granted("ROLE-1", Admin)},
			// A server may also close the displaced connection: it then
			// certainly holds nothing.
			{Name: "displaced", Conn: "a", Do: send(getAuthInfo), Expect: []Check{Refused("SEC-4").OrClosed()}},
		},
	},
	{
		ID: "sec-4-displaced-user-refused", Title: "after a second user login the first user connection is refused getAuthInfo",
		Requirements: []string{"SEC-4", "ROLE-1"}, Labels: []string{"disruptive"},
		Needs: []Need{CanLogin(User)},
		Steps: []Step{
			loginAs("first", User),
			{Name: "second", Conn: "b", Do: send(Login(User)), Expect: granted("ROLE-1", User)},
			{Name: "displaced", Conn: "a", Do: send(getAuthInfo), Expect: []Check{Refused("SEC-4").OrClosed()}},
		},
	},
}
