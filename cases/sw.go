package cases

import . "github.com/roomconform/conform/caselang"

// SW: the status change from administrator to user.

var swCases = []Case{
	{
		ID: "sw-1-admin-to-user", Title: "{\"role\":\"user\"} on an admin connection gives previleges 1 and fresh tokens",
		Requirements: []string{"SW-1", "ROLE-1"}, Labels: []string{"role", "smoke"},
		Needs: []Need{CanLogin(Admin)},
		Steps: []Step{
			loginAs("admin", Admin),
			{Name: "switch", Do: send(statusChange), Expect: append(granted("SW-1", User), Tokens("SW-1"), FreshTokensVersus("SW-1", "admin"))},
		},
	},
	{
		ID: "sw-2-switched-connection-hides-pin", Title: "after the status change getAuthInfo no longer shows the user PIN",
		Requirements: []string{"SW-2", "SW-1", "ROLE-1"}, Labels: []string{"role", "pin"},
		Needs: []Need{CanLogin(Admin), UserSecurity(PIN)},
		Steps: []Step{
			loginAs("admin", Admin),
			{Name: "switch", Do: send(statusChange), Expect: granted("SW-1", User)},
			{Do: send(getAuthInfo), Expect: []Check{HidesPIN("SW-2")}},
		},
	},
	{
		ID: "sw-2-second-status-change-refused", Title: "after the status change a second {\"role\":\"user\"} gets 3 (the connection is a user now)",
		Requirements: []string{"SW-2", "RC-3", "SW-1", "ROLE-1"}, Labels: []string{"role"},
		Needs: []Need{CanLogin(Admin)},
		Steps: []Step{
			loginAs("admin", Admin),
			{Name: "switch", Do: send(statusChange), Expect: granted("SW-1", User)},
			// Acting as user (SW-2): a second status change is refused, with the
			// code of a connection that is not administrator (RC-3).
			{Do: send(statusChange), Expect: []Check{Fails("SW-2"), Code("RC-3", 3)}},
		},
	},
	{
		ID: "sw-3-role-admin-without-type", Title: "{\"role\":\"admin\"} without type on an admin connection: recorded",
		Requirements: []string{"SW-3", "ROLE-1"}, Labels: []string{"role"},
		Needs: []Need{CanLogin(Admin)},
		Steps: []Step{
			loginAs("admin", Admin),
			{Do: send(Request{Role: roleAdmin}), Expect: []Check{RecordOutcome("SW-3")}},
		},
	},
}
