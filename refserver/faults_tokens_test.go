package refserver

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// tokenFaultBehaviours prove the faults of the tokens and their lifetimes
// (TOK, LIFE); faultBehaviours joins them.
var tokenFaultBehaviours = []behaviour{
	{name: "token-dies-with-connection", spec: "0/2", changed: "8", exchange: func(t *testing.T, r *Running) string {
		c, got := adminLogin(t, r)
		c.close()
		waitFor(t, "the issuing connection to close", func() bool { return connCount(r.Server) == 0 })
		return outcomes(t, r, secured("", got.str("token")))
	}},
	{name: "token-role-not-checked", spec: "5 0/1 5", changed: "0/2 0/1 5", exchange: func(t *testing.T, r *Running) string {
		userToken := expectRC(t, dial(t, r.URL), "0/1", reqPassword, testSecrets.UserPIN).str("token")
		return outcomes(t, r, secured("admin", userToken), secured("", userToken), secured("admin", testSecrets.UserPIN))
	}},
	{name: "status-change-token-is-admin", spec: "0/1 0/1", changed: "0/1 0/2", exchange: func(t *testing.T, r *Running) string {
		c, _ := adminLogin(t, r)
		sw := c.call(reqStatusChange)
		return sw.outcome() + " " + outcomes(t, r, secured("", sw.str("token")))
	}},
	{name: "http-accepts-any-token", spec: "200 401 401 401", changed: "200 200 200 401", exchange: func(t *testing.T, r *Running) string {
		_, got := adminLogin(t, r)
		return fmt.Sprint(httpStatus(t, r, got.str("tokenForHttpServer")), httpStatus(t, r, wrongSecret),
			httpStatus(t, r, got.str("token")), httpStatus(t, r, ""))
	}},
	{name: "http-refuses-fresh-token", spec: "200 200 200 200", changed: "401 401 200 200", exchange: func(t *testing.T, r *Running) string {
		c, admin := adminLogin(t, r)
		user := expectRC(t, dial(t, r.URL), "0/1", reqPassword, testSecrets.UserPIN)
		requested := getHTTPToken(t, c)
		return fmt.Sprint(httpStatus(t, r, admin.str("tokenForHttpServer")), httpStatus(t, r, user.str("tokenForHttpServer")),
			httpStatus(t, r, requested), httpStatus(t, r, admin.str("overlayHttpToken")))
	}},
	{name: "http-token-never-expires", spec: httpLifetimeSpec, changed: "200/200 200/200 200/200 200/200", timed: httpLifetime},
	{name: "http-token-half-life", spec: httpLifetimeSpec, changed: "200/200 401/401 401/401 401/401", timed: httpLifetime},
	{name: "api-token-expires-with-http-token", spec: apiLifetimeSpec, changed: "8 8, 8 8", timed: apiLifetime},
	{name: "api-token-never-expires", spec: apiLifetimeSpec, changed: "0/2 0/1, 0/2 0/1", timed: apiLifetime},
	{name: "token-auth-extends-lifetime", spec: "8 8", changed: "0/2 8", timed: inheritedLifetime},
	{name: "status-change-extends-lifetime", spec: "8 8", changed: "8 0/1", timed: inheritedLifetime},
	{name: "get-token-for-http-server-dead", spec: "true known 200", changed: "true unknown 401", exchange: func(t *testing.T, r *Running) string {
		c, _ := adminLogin(t, r)
		got := c.call(`{"method":"getTokenForHttpServer","requestId":"h"}`)
		known := "unknown"
		if _, ok := r.Server.TokenInfo(got.str("token")); ok {
			known = "known"
		}
		return fmt.Sprint(field(got, "result"), " ", known, " ", httpStatus(t, r, got.str("token")))
	}},
	{name: "token-single-use", spec: "0/2 0/2", changed: "0/2 8", exchange: func(t *testing.T, r *Running) string {
		_, got := adminLogin(t, r)
		return outcomes(t, r, secured("", got.str("token")), secured("", got.str("token")))
	}},
	{name: "http-accepts-api-token", spec: "200 401", changed: "200 200", exchange: func(t *testing.T, r *Running) string {
		_, got := adminLogin(t, r)
		return fmt.Sprint(httpStatus(t, r, got.str("tokenForHttpServer")), " ", httpStatus(t, r, got.str("token")))
	}},
	{name: "fresh-http-token-inherits-expiry", spec: "200 200", changed: "401 401", timed: func(t *testing.T, r *Running, clock *fakeClock) string {
		c, _ := adminLogin(t, r)
		clock.Advance(defaultHTTPTokenTTL)
		tok := getHTTPToken(t, c)
		clock.Advance(defaultHTTPTokenTTL / 2)
		return fmt.Sprint(httpStatus(t, r, tok), " ", httpStatus(t, r, getHTTPToken(t, c)))
	}},
	{name: "displacement-revokes-api-tokens", spec: "0/2 0/2 0/2", changed: "0/2 0/2 8", exchange: func(t *testing.T, r *Running) string {
		c, got := adminLogin(t, r)
		c.close()
		waitFor(t, "the issuing connection to close", func() bool { return connCount(r.Server) == 0 })
		tok := got.str("token")
		return outcomes(t, r, secured("", tok), secured("", tok), secured("", tok))
	}},
	{name: "reauth-token-not-reusable", spec: "0/2 0/2 0/2", changed: "0/2 8 0/2", exchange: func(t *testing.T, r *Running) string {
		_, got := adminLogin(t, r)
		again := dial(t, r.URL).call(secured("", got.str("token")))
		return again.outcome() + " " + outcomes(t, r, secured("", again.str("token")), secured("", got.str("token")))
	}},
	{name: "user-token-role-admin-code-8", spec: "5 0/1 5", changed: "8 0/1 5", exchange: func(t *testing.T, r *Running) string {
		userToken := expectRC(t, dial(t, r.URL), "0/1", reqPassword, testSecrets.UserPIN).str("token")
		return outcomes(t, r, secured("admin", userToken), secured("", userToken), secured("admin", testSecrets.UserPIN))
	}},
	{name: "status-change-token-role-admin-grants-user", spec: "0/1 5 0/1 5", changed: "0/1 0/1 0/1 5", exchange: func(t *testing.T, r *Running) string {
		c, _ := adminLogin(t, r)
		sw := c.call(reqStatusChange)
		userToken := expectRC(t, dial(t, r.URL), "0/1", reqPassword, testSecrets.UserPIN).str("token")
		return sw.outcome() + " " + outcomes(t, r, secured("admin", sw.str("token")), secured("", sw.str("token")), secured("admin", userToken))
	}},
	{name: "http-refuses-user-tokens", spec: "200 200 200", changed: "200 401 401", exchange: func(t *testing.T, r *Running) string {
		_, admin := adminLogin(t, r)
		u := dial(t, r.URL)
		user := expectRC(t, u, "0/1", reqPassword, testSecrets.UserPIN)
		return fmt.Sprint(httpStatus(t, r, admin.str("tokenForHttpServer")), " ", httpStatus(t, r, user.str("tokenForHttpServer")), " ",
			httpStatus(t, r, getHTTPToken(t, u)))
	}},
	{name: "http-token-sliding-expiry", spec: "200 401 401", changed: "200 200 401", timed: func(t *testing.T, r *Running, clock *fakeClock) string {
		_, admin := adminLogin(t, r)
		user := expectRC(t, dial(t, r.URL), "0/1", reqPassword, testSecrets.UserPIN)
		clock.Advance(defaultHTTPTokenTTL / 2)
		mid := httpStatus(t, r, admin.str("tokenForHttpServer"))
		clock.Advance(defaultHTTPTokenTTL / 2)
		return fmt.Sprint(mid, " ", httpStatus(t, r, admin.str("tokenForHttpServer")), " ", httpStatus(t, r, user.str("tokenForHttpServer")))
	}},
	{name: "unsecured-http-token-lives-like-api-token", profile: "admin-password", spec: "200 200, 401 401", changed: "200 200, 200 401",
		timed: func(t *testing.T, r *Running, clock *fakeClock) string {
			open := dial(t, r.URL).call(reqUnsecuredUser).str("tokenForHttpServer")
			_, admin := adminLogin(t, r)
			before := fmt.Sprint(httpStatus(t, r, open), " ", httpStatus(t, r, admin.str("tokenForHttpServer")))
			clock.Advance(defaultHTTPTokenTTL)
			return before + ", " + fmt.Sprint(httpStatus(t, r, open), " ", httpStatus(t, r, admin.str("tokenForHttpServer")))
		}},
	{name: "expired-http-probe-revokes-api-token", spec: "401 0/2 0/1", changed: "401 8 0/1", timed: func(t *testing.T, r *Running, clock *fakeClock) string {
		_, admin := adminLogin(t, r)
		user := expectRC(t, dial(t, r.URL), "0/1", reqPassword, testSecrets.UserPIN)
		clock.Advance(defaultHTTPTokenTTL)
		status := httpStatus(t, r, admin.str("tokenForHttpServer"))
		return fmt.Sprint(status, " ", outcomes(t, r, secured("", admin.str("token")), secured("", user.str("token"))))
	}},
	{name: "api-token-sliding-expiry", spec: "0/2, 8 8", changed: "0/2, 0/2 8", timed: func(t *testing.T, r *Running, clock *fakeClock) string {
		_, first := adminLogin(t, r)
		clock.Advance(defaultAPITokenTTL / 2)
		again := dial(t, r.URL).call(secured("", first.str("token")))
		clock.Advance(defaultAPITokenTTL / 2)
		return again.outcome() + ", " + outcomes(t, r, secured("", first.str("token")), secured("", again.str("token")))
	}},
	{name: "command-line-pin-token-expires", spec: "0/2 8", changed: "8 8", timed: func(t *testing.T, r *Running, clock *fakeClock) string {
		pin := expectRC(t, dial(t, r.URL), "0/2", reqPassword, testSecrets.AdminPIN).str("token")
		_, password := adminLogin(t, r)
		clock.Advance(defaultAPITokenTTL)
		return outcomes(t, r, secured("", pin), secured("", password.str("token")))
	}},
	{name: "token-auth-expiry-from-issue-time", spec: "8 8", changed: "8 0/1", timed: func(t *testing.T, r *Running, clock *fakeClock) string {
		a, first := adminLogin(t, r)
		clock.Advance(time.Hour)
		sw := expectRC(t, a, "0/1", "%s", reqStatusChange)
		fromFirst := expectRC(t, dial(t, r.URL), "0/2", reqPassword, first.str("token"))
		fromSwitch := expectRC(t, dial(t, r.URL), "0/1", reqPassword, sw.str("token"))
		clock.Advance(defaultAPITokenTTL - time.Hour)
		return outcomes(t, r, secured("", fromFirst.str("token")), secured("", fromSwitch.str("token")))
	}},
	{name: "get-token-for-http-server-wrong-field", spec: "token 200", changed: "tokenForHttpServer 200", exchange: func(t *testing.T, r *Running) string {
		c, _ := adminLogin(t, r)
		got := c.call(`{"method":"getTokenForHttpServer","requestId":"h"}`)
		for _, k := range []string{"token", "tokenForHttpServer"} {
			if got.str(k) != "" {
				return fmt.Sprint(k, " ", httpStatus(t, r, got.str(k)))
			}
		}
		return "none"
	}},
	{name: "admin-token-refused-after-status-change", spec: "0/1, 0/2 0/2 0/1, 0/2", changed: "0/1, 8 8 0/1, 0/2", exchange: func(t *testing.T, r *Running) string {
		// The token is another connection's: whether a connection's own
		// tokens survive its status change, the reading leaves open.
		a, _ := adminLogin(t, r)
		sw := a.call(reqStatusChange).outcome()
		_, other := adminLogin(t, r)
		tok := other.str("token")
		noRole, asAdmin := a.call(secured("", tok)).outcome(), a.call(secured("admin", tok)).outcome()
		asUser := a.call(secured("user", tok)).outcome() // role "user" (RC-5b) is left alone
		return fmt.Sprintf("%s, %s %s %s, %s", sw, noRole, asAdmin, asUser, outcomes(t, r, secured("", tok)))
	}},

	{name: "lockout-token-code-8", setup: lockoutAfterTwo, spec: "8 8 6", changed: "8 8 8", exchange: func(t *testing.T, r *Running) string {
		a, got := adminLogin(t, r)
		a.close()
		return outcomes(t, r, secured("admin", wrongSecret), secured("admin", wrongSecret), secured("", got.str("token")))
	}},
	{name: "lockout-revokes-presented-tokens", setup: lockoutAfterTwo, spec: "8 8 6, 0/2", changed: "8 8 6, 8", timed: func(t *testing.T, r *Running, clock *fakeClock) string {
		a, got := adminLogin(t, r)
		a.close()
		during := outcomes(t, r, secured("admin", wrongSecret), secured("admin", wrongSecret), secured("", got.str("token")))
		clock.Advance(defaultLockoutDuration)
		return during + ", " + outcomes(t, r, secured("", got.str("token")))
	}},
	{name: "switch-token-dies-with-http-token", spec: "0/1", changed: "8", timed: func(t *testing.T, r *Running, clock *fakeClock) string {
		c, _ := adminLogin(t, r)
		sw := c.call(`{"method":"auth","requestId":"2","role":"user"}`)
		c.close()
		clock.Advance(defaultHTTPTokenTTL + time.Second)
		return outcomes(t, r, secured("", sw.str("token")))
	}},
	{name: "token-store-keeps-500", spec: "0/2 0/2", changed: "8 0/2", exchange: func(t *testing.T, r *Running) string {
		a, got := adminLogin(t, r)
		a.close()
		for range 200 { // three tokens a success: 600 tokens after the first's
			c, _ := adminLogin(t, r)
			c.close()
		}
		_, last := adminLogin(t, r)
		return outcomes(t, r, secured("", got.str("token")), secured("", last.str("token")))
	}},
	// A token's life at both ends, after activity (issue 18).
	{name: "http-token-shortened-by-use", spec: "200 200 401", changed: "200 401 401", timed: func(t *testing.T, r *Running, clock *fakeClock) string {
		_, admin := adminLogin(t, r)
		tok := admin.str("tokenForHttpServer")
		first := httpStatus(t, r, tok)
		clock.Advance(defaultHTTPTokenTTL * 3 / 4)
		late := httpStatus(t, r, tok)
		clock.Advance(defaultHTTPTokenTTL / 4)
		return fmt.Sprint(first, " ", late, " ", httpStatus(t, r, tok))
	}},
	{name: "http-token-revoked-by-request", spec: "200 200", changed: "401 200", exchange: func(t *testing.T, r *Running) string {
		c, admin := adminLogin(t, r)
		fresh := getHTTPToken(t, c)
		return fmt.Sprint(httpStatus(t, r, admin.str("tokenForHttpServer")), " ", httpStatus(t, r, fresh))
	}},
	{name: "http-token-case-insensitive", spec: "401 200", changed: "200 200", exchange: func(t *testing.T, r *Running) string {
		_, admin := adminLogin(t, r)
		tok := admin.str("tokenForHttpServer")
		if strings.ToLower(tok) == tok {
			t.Fatalf("token %q has no upper-case letter", tok)
		}
		return fmt.Sprint(httpStatus(t, r, strings.ToLower(tok)), " ", httpStatus(t, r, tok))
	}},
	{name: "login-token-slides-with-connection", spec: "8", changed: "0/2", timed: func(t *testing.T, r *Running, clock *fakeClock) string {
		c, admin := adminLogin(t, r)
		clock.Advance(defaultAPITokenTTL / 2)
		getHTTPToken(t, c)
		clock.Advance(defaultAPITokenTTL / 2)
		return outcomes(t, r, secured("", admin.str("token")))
	}},
	{name: "api-token-cut-by-http-token-request", spec: "0/2", changed: "8", timed: func(t *testing.T, r *Running, clock *fakeClock) string {
		_, admin := adminLogin(t, r)
		c := dial(t, r.URL)
		expectRC(t, c, "0/2", reqPassword, admin.str("token"))
		getHTTPToken(t, c)
		clock.Advance(defaultHTTPTokenTTL * 2)
		return outcomes(t, r, secured("", admin.str("token")))
	}},
	{name: "token-auth-half-lifetime", spec: "0/2 0/2", changed: "0/2 8", timed: func(t *testing.T, r *Running, clock *fakeClock) string {
		_, admin := adminLogin(t, r)
		derived := expectRC(t, dial(t, r.URL), "0/2", reqPassword, admin.str("token"))
		clock.Advance(defaultAPITokenTTL * 3 / 4)
		return outcomes(t, r, secured("", admin.str("token")), secured("", derived.str("token")))
	}},
}

// httpLifetime probes an HTTP token from auth and one from
// getTokenForHttpServer (A/R) at half the HTTP lifetime less 1 ns, at half,
// at the full lifetime less 1 ns and at the full lifetime.
func httpLifetime(t *testing.T, r *Running, clock *fakeClock) string {
	c, got := adminLogin(t, r)
	tokens := []string{got.str("tokenForHttpServer"), getHTTPToken(t, c)}
	var out []string
	at := time.Duration(0)
	for _, d := range []time.Duration{defaultHTTPTokenTTL/2 - 1, defaultHTTPTokenTTL / 2, defaultHTTPTokenTTL - 1, defaultHTTPTokenTTL} {
		clock.Advance(d - at)
		at = d
		out = append(out, fmt.Sprintf("%d/%d", httpStatus(t, r, tokens[0]), httpStatus(t, r, tokens[1])))
	}
	return strings.Join(out, " ")
}

const httpLifetimeSpec = "200/200 200/200 200/200 401/401"

// apiLifetime re-authorizes with a password token and a PIN token after the
// HTTP lifetime, then after the API lifetime.
func apiLifetime(t *testing.T, r *Running, clock *fakeClock) string {
	_, admin := adminLogin(t, r)
	user := expectRC(t, dial(t, r.URL), "0/1", reqPassword, testSecrets.UserPIN)
	reauth := func() string {
		return outcomes(t, r, secured("", admin.str("token")), secured("", user.str("token")))
	}
	clock.Advance(defaultHTTPTokenTTL)
	afterHTTP := reauth()
	clock.Advance(defaultAPITokenTTL - defaultHTTPTokenTTL)
	return afterHTTP + ", " + reauth()
}

const apiLifetimeSpec = "0/2 0/1, 8 8"

// inheritedLifetime: an admin password login at t0; an hour later a status
// change on it, and a token authorization with its token on another
// connection; at t0 plus the API lifetime, both tokens so obtained are tried.
func inheritedLifetime(t *testing.T, r *Running, clock *fakeClock) string {
	a, first := adminLogin(t, r)
	clock.Advance(time.Hour)
	sw := expectRC(t, a, "0/1", "%s", reqStatusChange)
	again := expectRC(t, dial(t, r.URL), "0/2", reqPassword, first.str("token"))
	clock.Advance(defaultAPITokenTTL - time.Hour)
	return outcomes(t, r, secured("", again.str("token")), secured("", sw.str("token")))
}
