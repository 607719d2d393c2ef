package cases

// SEC: access control around auth.

var secCases = []Case{
	{
		ID: "sec-1-get-auth-info-before-auth", Title: "getAuthInfo on a fresh connection is refused and reveals nothing",
		Requirements: []string{"SEC-1"}, Labels: []string{"smoke"},
		Steps: []Step{{Do: send(getAuthInfo), Expect: []Check{Refused("SEC-1")}}},
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
}
