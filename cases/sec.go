package cases

import (
	"fmt"

	. "github.com/roomconform/conform/caselang"
)

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
			{Name: "probe", OnlyIf: LeakedTokenOf("attempt"), Do: HTTPGet{Token: LeakedTokenOf("attempt")}, Expect: []Check{HTTPRefused("SEC-1")}},
		},
	},
	{
		ID: "sec-1-clear-tokens-before-auth", Title: "clearTokens on a fresh connection is refused",
		Requirements: []string{"SEC-1"}, Labels: []string{"token"},
		Steps: []Step{{Do: send(Request{Method: "clearTokens"}), Expect: []Check{Refused("SEC-1")}}},
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
			{Name: "notified", Conn: "a", Do: Await{Event: "authorizationNeeded"}, Expect: []Check{EventCause("SEC-3", 1)}},
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

// displacedAfter: a connection that entered its mode another way than a
// login (a token re-authorization, a status change) is displaced by a
// login in that mode like any other: told (SEC-3), and without the mode
// (SEC-4). Disruptive, like every displacement.
func displacedAfter() []Case {
	enter := []struct {
		name, what string
		mode       Mode
		needs      []Need
		steps      []Step
		reqs       []string
	}{
		{"token-admin", "re-authorized with an admin token", Admin, []Need{CanLogin(Admin), OnPlan(Pro)},
			[]Step{loginKeepingTokens("login", Admin), closeConn("a"), {Name: "first", Do: send(SecuredAuth(TokenOf("login"), nil)), Expect: granted("TOK-1", Admin)}},
			[]string{"TOK-1", "AUTH-2"}},
		{"token-user", "re-authorized with a user token", User, []Need{CanLogin(User), OnPlan(Pro)},
			[]Step{loginKeepingTokens("login", User), closeConn("a"), {Name: "first", Do: send(SecuredAuth(TokenOf("login"), nil)), Expect: granted("TOK-1", User)}},
			[]string{"TOK-1", "AUTH-2"}},
		{"status-change", "switched from administrator to user", User, []Need{CanLogin(Admin), CanLogin(User)},
			[]Step{loginAs("login", Admin), {Name: "first", Do: send(statusChange), Expect: granted("SW-1", User)}},
			[]string{"SW-1"}},
	}
	var out []Case
	for _, e := range enter {
		steps := append(append([]Step(nil), e.steps...),
			Step{Name: "second", Conn: "b", Do: send(Login(e.mode)), Expect: granted("ROLE-1", e.mode)},
			Step{Name: "notified", Conn: "a", Do: Await{Event: "authorizationNeeded"}, Expect: []Check{EventCause("SEC-3", 1)}},
			Step{Name: "displaced", Conn: "a", Do: send(getAuthInfo), Expect: []Check{Refused("SEC-4").OrClosed()}})
		out = append(out, Case{ID: "sec-4-displaced-after-" + e.name,
			Title:        fmt.Sprintf("a connection %s, then displaced by a %s login: told so, and refused getAuthInfo", e.what, e.mode),
			Requirements: append([]string{"SEC-4", "SEC-3", "ROLE-1"}, e.reqs...), Labels: []string{"disruptive"},
			Needs: e.needs, Steps: steps})
	}
	return out
}
