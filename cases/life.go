package cases

import (
	"fmt"
	"slices"
	"strings"

	. "github.com/roomconform/conform/caselang"
)

// LIFE: token lifetimes, on the embedded HTTP server and on re-authorization.
// Waits count from the side that favours the target (see Moment); the
// lifetimes are run settings: the spec's against a live device, scaled
// against the embedded reference server.

var getTokenForHTTPServer = Request{Method: "getTokenForHttpServer"}

// reauth re-authorizes with a token on a fresh connection.
func reauth(token Value) Request { return SecuredAuth(token, nil) }

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
			RecoverLogin(),
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
			RecoverLogin(),
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

// Every class of token at both ends of its life (issue 18): for each mode
// and origin (login, token re-authorization, status change), the API token,
// the login's tokenForHttpServer and getTokenForHttpServer's token, each
// used early and with other requests on the connections it authorized,
// then accepted at its lifetime - tolerance and refused at + tolerance
// (where the reading fixes the expiry). A server that restarts a token's
// life on use, or ends it early after activity, fails one end or the
// other; a derived token is held to its original's lifetime in both
// directions (LIFE-5: it neither outlives it nor dies before it). Each is
// labelled slow: on a live target it runs only when selected, and waits
// only as long as Waitable allows.

// lifeClass is a class of tokens by the mode they are for and the way the
// authorization that issued them was obtained.
type lifeClass struct {
	mode   Mode
	origin string // "login", "token" (token re-authorization), "switch" (status change)
}

var lifeClasses = []lifeClass{{Admin, "login"}, {User, "login"}, {Admin, "token"}, {User, "token"}, {User, "switch"}}

// rootMode is the mode of the login whose lifetime the class's tokens
// count from.
func (c lifeClass) rootMode() Mode {
	if c.origin == "switch" {
		return Admin
	}
	return c.mode
}

// name is the class in an ID: "admin-login", "user-switch".
func (c lifeClass) name() string { return string(c.mode) + "-" + c.origin }

// words is the class in a title.
func (c lifeClass) words() string {
	switch c.origin {
	case "token":
		return fmt.Sprintf("a %s token re-authorization's", c.mode)
	case "switch":
		return "a status change's (admin to user)"
	}
	return fmt.Sprintf("a %s login's", c.mode)
}

// authorize returns the steps that obtain the class's tokens, in the
// answer of step "auth" on connection conn; the lifetime counts from step
// "login" (the same step for a login).
func (c lifeClass) authorize() (steps []Step, conn, req string) {
	switch c.origin {
	case "token":
		return []Step{
			loginKeepingTokens("login", c.mode),
			// Closed, so that no one is displaced: the reading does not say
			// what becomes of a displaced connection's tokens.
			closeConn("a"),
			{Name: "auth", Conn: "b", Do: send(reauth(TokenOf("login"))), Expect: append(granted("TOK-1", c.mode), Tokens("AUTH-2"))},
		}, "b", "TOK-1"
	case "switch":
		return []Step{
			loginKeepingTokens("login", Admin),
			{Name: "auth", Do: send(statusChange), Expect: append(granted("SW-1", User), Tokens("SW-1"))},
		}, "a", "SW-1"
	}
	st := loginKeepingTokens("login", c.mode)
	st.Name = "auth"
	return []Step{st}, "a", ""
}

// rootStep is the step the class's lifetimes count from.
func (c lifeClass) rootStep() string {
	if c.origin == "login" {
		return "auth"
	}
	return "login"
}

// needs are what every case of the class needs to obtain its tokens.
func (c lifeClass) needs() []Need {
	n := []Need{CanLogin(c.rootMode())}
	if c.origin == "token" {
		n = append(n, OnPlan(Pro)) // a token re-authorization: see apiLifeCases
	}
	return n
}

// expiringNeeds are the needs of a root login whose API token expires
// after TokenTTL exactly: a password or no protection.
func expiringNeeds(m Mode) []Need {
	if m == Admin {
		return []Need{AdminSecurityIn(Password, Unsecured), AdminTokenExpires}
	}
	return []Need{UserSecurityIn(Password, Unsecured)}
}

// modeSecurityIn needs mode m's security to be one of ss.
func modeSecurityIn(m Mode, ss ...Security) Need {
	if m == Admin {
		return AdminSecurityIn(ss...)
	}
	return UserSecurityIn(ss...)
}

// httpLifeCases: the class's HTTP tokens (the authorization's
// tokenForHttpServer and a getTokenForHttpServer token of its connection)
// used at once and after other requests on that connection, accepted at
// their lifetime - tolerance; where the mode they are for is protected by
// password or unsecured, refused at + tolerance (elsewhere expiry is INFO:
// the PIN variant checks the "before" end only).
func httpLifeCases() []Case {
	var out []Case
	for _, c := range lifeClasses {
		for _, expiring := range []bool{true, false} {
			if !expiring && c.mode == Admin {
				continue // admin PIN security: see apiLifeCases
			}
			steps, conn, authReq := c.authorize()
			reqs := []string{"LIFE-2", "LIFE-6", "LIFE-1", "ROLE-1", "AUTH-2"}
			needs := append(c.needs(), HasHTTP, Waitable(HTTPTokenLife))
			variant, ends := "pin", "accepted until its lifetime (- tolerance)"
			if expiring {
				variant, ends = "expiring", "accepted until its lifetime (- tolerance) and refused after it (+ tolerance)"
				needs = append(needs, modeSecurityIn(c.mode, Password, Unsecured))
				needs = append(needs, expiringNeeds(c.rootMode())...)
			} else {
				needs = append(needs, modeSecurityIn(c.mode, PIN))
			}
			if authReq != "" {
				reqs = append(reqs, authReq)
			}
			steps = append(steps,
				Step{Name: "use", Do: HTTPGet{Token: HTTPTokenOf("auth")}, Expect: []Check{HTTPAccepted("LIFE-1")}},
				Step{Name: "info", Conn: conn, Do: send(getAuthInfo), Expect: []Check{Accepted("ROLE-1")}},
				Step{Name: "fresh", Conn: conn, Do: send(getTokenForHTTPServer), Expect: []Check{Accepted("LIFE-6"), TokenField("LIFE-6")}},
				Step{Name: "use-fresh", Do: HTTPGet{Token: TokenOf("fresh")}, Expect: []Check{HTTPAccepted("LIFE-6")}},
				Step{Name: "before", When: Before("auth", HTTPTokenLife), Do: HTTPGet{Token: HTTPTokenOf("auth")}, Expect: []Check{HTTPAccepted("LIFE-2")}},
				Step{Name: "fresh-before", When: Before("fresh", HTTPTokenLife), Do: HTTPGet{Token: TokenOf("fresh")}, Expect: []Check{HTTPAccepted("LIFE-6")}},
			)
			if expiring {
				steps = append(steps,
					Step{Name: "after", When: After("auth", HTTPTokenLife), Do: HTTPGet{Token: HTTPTokenOf("auth")}, Expect: []Check{HTTPRefused("LIFE-2")}},
					Step{Name: "fresh-after", When: After("fresh", HTTPTokenLife), Do: HTTPGet{Token: TokenOf("fresh")}, Expect: []Check{HTTPRefused("LIFE-6")}},
				)
			}
			out = append(out, Case{
				ID:           fmt.Sprintf("life-2-%s-http-tokens-%s", c.name(), variant),
				Title:        fmt.Sprintf("%s tokenForHttpServer and a getTokenForHttpServer token of its connection, used at once and after getAuthInfo and getTokenForHttpServer there: %s", c.words(), ends),
				Requirements: reqs, Labels: []string{"lifetime", "token", "slow"}, Needs: needs, Steps: steps,
			})
		}
	}
	return out
}

// apiLifeCases: the class's API token, after other requests on the
// connection it came to (getAuthInfo, getTokenForHttpServer) and after its
// own use half-way (a re-authorization, then the same requests on the
// connection it authorized), re-authorizes at its lifetime - tolerance
// (the PIN window's lower bound for a user PIN login) and not at the API
// lifetime + tolerance. A derived token's lifetime is its original's
// (LIFE-5): both ends count from the login, and one derived at the
// original's end must not outlive it.
func apiLifeCases() []Case {
	var out []Case
	for _, c := range lifeClasses {
		endReq, useReq := "LIFE-4", "LIFE-3"
		if c.origin != "login" {
			endReq, useReq = "LIFE-5", "LIFE-5"
		}
		for _, variant := range []string{"expiring", "pin"} {
			steps, conn, authReq := c.authorize()
			root := c.rootStep()
			reqs := []string{endReq, "LIFE-6", "ROLE-1", "AUTH-2"}
			if useReq != endReq {
				reqs = append(reqs, useReq)
			}
			if authReq != "" {
				reqs = append(reqs, authReq)
			}
			// Whether a token re-authorizes on a Free plan, the reading does
			// not say (RC-2).
			needs := []Need{CanLogin(c.rootMode()), OnPlan(Pro)}
			floor := APITokenLife
			switch {
			case variant == "expiring":
				needs = append(needs, expiringNeeds(c.rootMode())...)
			case c.rootMode() == Admin:
				// Admin security PIN: no walk of the embedded run reaches it
				// (setAuthParams does not set it), and the default run skips
				// nothing. The token exercises try such tokens at the PIN
				// window's lower bound wherever a run meets them.
				continue
			default:
				needs = append(needs, Secured(User, PIN))
				floor = PINTokenFloor
			}
			// Both ends are waited for: the upper one is the API lifetime
			// (a user PIN's token too, LIFE-4).
			needs = append(needs, Waitable(APITokenLife))
			steps = append(steps,
				// Other requests on the connection the token came to, half-way.
				Step{Name: "info", Conn: conn, When: After(root, HTTPTokenLife), Do: send(getAuthInfo), Expect: []Check{Accepted("ROLE-1")}},
				Step{Name: "http-token", Conn: conn, Do: send(getTokenForHTTPServer), Expect: []Check{Accepted("LIFE-6"), TokenField("LIFE-6")}},
				closeConn(conn),
				// Its own use, and other requests on the connection it authorizes.
				Step{Name: "use", Conn: "c", Do: send(reauth(TokenOf("auth"))), Expect: granted(useReq, c.mode)},
				Step{Name: "use-info", Conn: "c", Do: send(getAuthInfo), Expect: []Check{Accepted("ROLE-1")}},
				Step{Name: "use-http-token", Conn: "c", Do: send(getTokenForHTTPServer), Expect: []Check{Accepted("LIFE-6"), TokenField("LIFE-6")}},
				closeConn("c"),
				Step{Name: "before", Conn: "d", When: Before(root, floor), Do: send(reauth(TokenOf("auth"))), Expect: granted(endReq, c.mode)},
				closeConn("d"),
			)
			ends := "re-authorizes until its lifetime (- tolerance)"
			if floor == PINTokenFloor {
				ends = "re-authorizes until the PIN window's lower bound (- tolerance)"
			}
			if c.origin == "token" {
				// Derived once more at the original's end: a token derived
				// late must not outlive it either (a fresh lifetime would).
				steps = append(steps,
					Step{Name: "late", Conn: "f", When: Before(root, floor), Do: send(reauth(TokenOf("login"))), Expect: append(granted("LIFE-4", c.mode), Tokens("AUTH-2"))},
					closeConn("f"))
				reqs = append(reqs, "LIFE-4")
			}
			steps = append(steps,
				Step{Name: "after", Conn: "e", When: After(root, APITokenLife), Do: send(reauth(TokenOf("auth"))), Expect: []Check{Fails(endReq)}},
				RecoverLogin())
			ends += " and not after its lifetime (+ tolerance)"
			if c.origin == "token" {
				steps = append(steps,
					Step{Name: "late-after", Conn: "g", When: After(root, APITokenLife), Do: send(reauth(TokenOf("late"))), Expect: []Check{Fails(endReq)}},
					recoverNamed("recover-late"))
				ends += ", nor one derived at the original's end"
			}
			out = append(out, Case{
				ID:           fmt.Sprintf("%s-%s-token-%s", strings.ToLower(endReq), c.name(), variant),
				Title:        fmt.Sprintf("%s API token, after getAuthInfo and getTokenForHttpServer on its connection and its own use half-way: %s", c.words(), ends),
				Requirements: reqs, Labels: []string{"lifetime", "token", "slow"}, Needs: needs, Steps: steps,
			})
		}
	}
	return out
}

// httpNearMisses: the HTTP server refuses every near miss of a live HTTP
// token (LIFE-1: a wrong token is refused), the families the API tokens
// get (StringMisses): a login's tokenForHttpServer, admin and user, and a
// getTokenForHttpServer token. Only HTTP requests: no wrong credential is
// sent on the API, nothing counts towards a lockout. Added whitespace is a
// SHOULD there as on the API (RC-8b): a server whose query parsing trims
// it warns, it does not fail.
func httpNearMisses() []Case {
	var out []Case
	for _, m := range StringMisses {
		if m.Name == "number" || m.Name == "boolean" || m.Name == "array" {
			continue // a query parameter is a string
		}
		req := "LIFE-1"
		if credentialReq(m) == "RC-8b" {
			req = "RC-8b"
		}
		near := func(v Value) Value { return NearValue{Base: v, Miss: m, Wrong: true} }
		out = append(out,
			Case{
				ID:           strings.ToLower(req) + "-near-admin-http-tokens-" + m.Name,
				Title:        fmt.Sprintf("an admin login's tokenForHttpServer and a getTokenForHttpServer token %s: refused by the HTTP server", m.What),
				Requirements: unique(req, "LIFE-1", "LIFE-6", "ROLE-1", "AUTH-2"), Labels: []string{"near-miss", "token"},
				Needs: []Need{CanLogin(Admin), HasHTTP},
				Steps: []Step{
					loginKeepingTokens("login", Admin),
					{Name: "fresh", Do: send(getTokenForHTTPServer), Expect: []Check{Accepted("LIFE-6"), TokenField("LIFE-6")}},
					{Name: "near", OnlyIf: near(HTTPTokenOf("login")), Do: HTTPGet{Token: near(HTTPTokenOf("login"))}, Expect: []Check{AsTheReadingSays(req)}},
					{Name: "near-fresh", OnlyIf: near(TokenOf("fresh")), Do: HTTPGet{Token: near(TokenOf("fresh"))}, Expect: []Check{AsTheReadingSays(req)}},
					// Without this step a server that refuses every token would pass.
					{Name: "exact", Do: HTTPGet{Token: HTTPTokenOf("login")}, Expect: []Check{HTTPAccepted("LIFE-1")}},
				},
			},
			Case{
				ID:           strings.ToLower(req) + "-near-user-http-token-" + m.Name,
				Title:        fmt.Sprintf("a user login's tokenForHttpServer %s: refused by the HTTP server", m.What),
				Requirements: unique(req, "LIFE-1", "ROLE-1", "AUTH-2"), Labels: []string{"near-miss", "token"},
				Needs: []Need{CanLogin(User), HasHTTP},
				Steps: []Step{
					loginKeepingTokens("login", User),
					{Name: "near", OnlyIf: near(HTTPTokenOf("login")), Do: HTTPGet{Token: near(HTTPTokenOf("login"))}, Expect: []Check{AsTheReadingSays(req)}},
					{Name: "exact", Do: HTTPGet{Token: HTTPTokenOf("login")}, Expect: []Check{HTTPAccepted("LIFE-1")}},
				},
			})
	}
	return out
}

// unique is reqs without repeats, in order.
func unique(reqs ...string) []string {
	var out []string
	for _, r := range reqs {
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// outlivesHTTPCases: every class's API token still re-authorizes after its
// HTTP token's lifetime (+ tolerance), on a new connection (LIFE-3). The
// admin login's is life-3-api-token-outlives-http-token; these are the
// others: a user login's, and the tokens of a token re-authorization and a
// status change, whose HTTP token's short life a server might give their
// API token too. A live target runs them with slow selected: the wait is
// the HTTP token's lifetime.
func outlivesHTTPCases() []Case {
	var out []Case
	for _, c := range lifeClasses {
		if c == (lifeClass{Admin, "login"}) {
			continue
		}
		steps, _, req := c.authorize()
		steps = append(steps, Step{Name: "api-token", Conn: "x", When: After("auth", HTTPTokenLife),
			Do: send(reauth(TokenOf("auth"))), Expect: []Check{AsTheReadingSays("LIFE-3")}})
		reqs := []string{"LIFE-3", "ROLE-1", "AUTH-2"}
		if req != "" {
			reqs = append(reqs, req)
		}
		out = append(out, Case{
			ID:           fmt.Sprintf("life-3-%s-api-token-outlives-http-token", c.name()),
			Title:        fmt.Sprintf("%s API token re-authorizes after its tokenForHttpServer's lifetime (+ tolerance)", c.words()),
			Requirements: reqs, Labels: []string{"lifetime", "token", "slow"},
			Needs: append(c.needs(), OnPlan(Pro), Waitable(HTTPTokenLife)), Steps: steps,
		})
	}
	return out
}
