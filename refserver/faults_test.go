package refserver

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/roomconform/conform/cases"
)

// behaviour proves that one fault or variant changes the behaviour it names:
// the same exchange runs against a server without it (observing spec) and
// with it alone (observing changed).
type behaviour struct {
	name     string
	profile  string         // DefaultProfile when empty
	setup    func(*Options) // optional
	exchange func(t *testing.T, r *Running) string
	timed    func(t *testing.T, r *Running, clock *fakeClock) string // instead of exchange, to move the server's clock
	spec     string
	changed  string
}

// Requests the exchanges use.
const (
	reqUnsecuredAdmin = `{"method":"auth","requestId":"1","type":"unsecured","role":"admin"}`
	reqUnsecuredUser  = `{"method":"auth","requestId":"1","type":"unsecured","role":"user"}`
	reqStatusChange   = `{"method":"auth","requestId":"1","role":"user"}`
	reqGetAuthInfo    = `{"method":"getAuthInfo","requestId":"7"}`
	wrongSecret       = "wrong-secret-77"
)

// outcomes runs requests on one fresh connection each and joins their outcomes.
func outcomes(t *testing.T, r *Running, reqs ...string) string {
	t.Helper()
	var out []string
	for _, req := range reqs {
		out = append(out, dial(t, r.URL).call(req).outcome())
	}
	return strings.Join(out, " ")
}

// secured is a secured request with credentials and an optional role.
func secured(role, cred string) string {
	if role == "" {
		return fmt.Sprintf(`{"method":"auth","requestId":"1","type":"secured","credentials":%q}`, cred)
	}
	return fmt.Sprintf(`{"method":"auth","requestId":"1","type":"secured","role":%q,"credentials":%q}`, role, cred)
}

// authorized tells whether a connection's getAuthInfo is answered, and whether
// it shows the user PIN.
func authorized(c *client) string {
	got := c.call(reqGetAuthInfo)
	switch {
	case !got.ok():
		return "refused"
	case strings.Contains(string(got.raw), `"pin":"`):
		return "answered with pin"
	}
	return "answered"
}

// field returns a reply field's raw JSON, or "absent".
func field(r reply, key string) string {
	if !r.has(key) {
		return "absent"
	}
	return string(r.fields[key])
}

// adminLogin authorizes a connection by the admin password and returns its reply.
func adminLogin(t *testing.T, r *Running) (*client, reply) {
	t.Helper()
	c := dial(t, r.URL)
	return c, expectRC(t, c, "0/2", reqPassword, testSecrets.AdminPassword)
}

// setAuth is a setAuthParams request; extra holds further fields.
func setAuth(userType, authType, extra string) string {
	req := fmt.Sprintf(`{"method":"setAuthParams","requestId":"9","userType":%q,"authType":%q`, userType, authType)
	if extra != "" {
		req += "," + extra
	}
	return req + "}"
}

// securityOf returns getAuthInfo's security of adminAuth or userAuth.
func securityOf(info reply, key string) string {
	var a struct {
		Security string `json:"security"`
	}
	_ = json.Unmarshal(info.fields[key], &a)
	return a.Security
}

// userReconfiguredNotice: a user connection is open when the administrator
// changes the user credentials; what does it hear? (the cause, or none)
func userReconfiguredNotice(t *testing.T, r *Running) string {
	u := dial(t, r.URL)
	expectRC(t, u, "0/1", reqPassword, testSecrets.UserPIN)
	c, _ := adminLogin(t, r)
	c.call(setAuth("user", "pin", `"newPin":"zz98yy"`))
	u.send(reqGetAuthInfo) // answered after any notice the change queued
	if got := parse(t, u.next()); got.str("method") == "event" {
		return fmt.Sprint(got.int("cause"))
	}
	return "none"
}

// Exchanges and setups that several faults' rows share: the same stimulus
// tells each of those faults from the conformant server.
var (
	// userSecretsWhenUserIsOpen: user mode unsecured, admin password.
	userSecretsWhenUserIsOpen = func(t *testing.T, r *Running) string {
		return outcomes(t, r, secured("user", wrongSecret), secured("user", testSecrets.AdminPassword), secured("admin", wrongSecret))
	}
	// userCredentialsWithRoleAdmin: the user PIN and a user token, with role admin.
	userCredentialsWithRoleAdmin = func(t *testing.T, r *Running) string {
		userToken := expectRC(t, dial(t, r.URL), "0/1", reqPassword, testSecrets.UserPIN).str("token")
		return outcomes(t, r, secured("admin", testSecrets.UserPIN), secured("admin", userToken))
	}
	// rightPasswordAfterTwoWrong: with lockoutAfterTwo, the right one gets 6.
	rightPasswordAfterTwoWrong = func(t *testing.T, r *Running) string {
		return outcomes(t, r, secured("", wrongSecret), secured("admin", wrongSecret), secured("", testSecrets.AdminPassword))
	}
	lockoutAfterTwo = func(o *Options) { o.LockoutThreshold = 2 }
)

// authAnswersBefore sends a sentinel request on c and counts the auth
// answers that come before its answer: every answer to what c sent
// before it, and any second one.
func authAnswersBefore(t *testing.T, c *client) int {
	t.Helper()
	c.send(`{"method":"setUsedApiVersion","requestId":"sentinel"}`)
	n := 0
	for {
		got := parse(t, c.next())
		if got.str("requestId") == "sentinel" {
			return n
		}
		if got.str("method") == "auth" {
			n++
		}
	}
}

var faultBehaviours = []behaviour{
	{name: "duplicate-response", spec: "1", changed: "2", exchange: func(t *testing.T, r *Running) string {
		c := dial(t, r.URL)
		c.send(reqUnsecuredAdmin)
		return fmt.Sprint(authAnswersBefore(t, c))
	}},
	{name: "method-mismatch", spec: "auth auth", changed: "Auth Auth", exchange: func(t *testing.T, r *Running) string {
		c := dial(t, r.URL)
		return c.call(reqUnsecuredAdmin).str("method") + " " + c.callf(reqPassword, testSecrets.AdminPassword).str("method")
	}},
	{name: "request-id-non-ascii-mangled", spec: `"идент-💡-x"`, changed: `"?????-?-x"`, exchange: func(t *testing.T, r *Running) string {
		return field(dial(t, r.URL).call(`{"method":"auth","requestId":"идент-💡-x","type":"unsecured","role":"admin"}`), "requestId")
	}},
	{name: "request-id-truncated", spec: "256 255", changed: "255 255", exchange: func(t *testing.T, r *Running) string {
		c := dial(t, r.URL)
		long := c.callf(`{"method":"auth","requestId":%q,"type":"unsecured"}`, strings.Repeat("x", 256))
		limit := c.callf(`{"method":"auth","requestId":%q,"type":"unsecured"}`, strings.Repeat("y", 255))
		return fmt.Sprint(len(long.str("requestId")), len(limit.str("requestId")))
	}},
	{name: "request-id-invented", spec: `""`, changed: `"0"`, exchange: func(t *testing.T, r *Running) string {
		return field(dial(t, r.URL).call(`{"method":"auth","type":"unsecured","role":"admin"}`), "requestId")
	}},
	{name: "result-not-boolean-on-failure", spec: "false true", changed: "0 true", exchange: func(t *testing.T, r *Running) string {
		c := dial(t, r.URL)
		return field(c.call(reqUnsecuredAdmin), "result") + " " + field(c.callf(reqPassword, testSecrets.AdminPassword), "result")
	}},
	{name: "result-true-on-code-3", spec: "3 false, 11 false", changed: "3 true, 11 false", exchange: func(t *testing.T, r *Running) string {
		c := dial(t, r.URL)
		a, b := c.call(reqStatusChange), c.call(`{"method":"auth","requestId":"1"}`)
		return fmt.Sprintf("%s %s, %s %s", a.outcome(), field(a, "result"), b.outcome(), field(b, "result"))
	}},
	{name: "new-admin-password-ignored", spec: "true, 4 0/2", changed: "true, 4 8", exchange: func(t *testing.T, r *Running) string {
		c, _ := adminLogin(t, r)
		set := c.call(setAuth("admin", "password", `"password":"new-Admin-9"`))
		return fmt.Sprintf("%v, %s", set.ok(), outcomes(t, r, reqUnsecuredAdmin, secured("admin", "new-Admin-9")))
	}},
	{name: "given-pin-ignored", spec: "true absent, 0/1", changed: "true absent, 8", exchange: func(t *testing.T, r *Running) string {
		c, _ := adminLogin(t, r)
		set := c.call(setAuth("user", "pin", `"newPin":"ab12cd"`))
		return fmt.Sprintf("%v %s, %s", set.ok(), field(set, "newPin"), outcomes(t, r, secured("user", "ab12cd")))
	}},
	{name: "blank-new-pin-refused", spec: "true true", changed: "false false", exchange: func(t *testing.T, r *Running) string {
		c, _ := adminLogin(t, r)
		null, empty := c.call(setAuth("user", "pin", `"newPin":null`)), c.call(setAuth("user", "pin", `"newPin":""`))
		return fmt.Sprintf("%v %v", null.ok(), empty.ok())
	}},
	{name: "admin-unsecured-keeps-user", spec: "unsecured unsecured", changed: "unsecured pin", exchange: func(t *testing.T, r *Running) string {
		c, _ := adminLogin(t, r)
		c.call(setAuth("admin", "unsecured", ""))
		info := c.call(reqGetAuthInfo)
		return securityOf(info, "adminAuth") + " " + securityOf(info, "userAuth")
	}},
	{name: "user-secured-while-admin-open", profile: "unsecured", spec: "false unsecured", changed: "true password", exchange: func(t *testing.T, r *Running) string {
		c := dial(t, r.URL)
		expectRC(t, c, "0/2", reqUnsecuredAdmin)
		set := c.call(setAuth("user", "password", `"password":"user-Pw-5"`))
		return fmt.Sprintf("%v %s", set.ok(), securityOf(c.call(reqGetAuthInfo), "userAuth"))
	}},
	{name: "old-admin-password-kept", spec: "true, 8 0/2", changed: "true, 0/2 0/2", exchange: func(t *testing.T, r *Running) string {
		c, _ := adminLogin(t, r)
		set := c.call(setAuth("admin", "password", `"password":"new-Admin-9"`))
		return fmt.Sprintf("%v, %s", set.ok(), outcomes(t, r, secured("admin", testSecrets.AdminPassword), secured("admin", "new-Admin-9")))
	}},
	{name: "old-user-secret-kept", spec: "true, 8 0/1", changed: "true, 0/1 0/1", exchange: func(t *testing.T, r *Running) string {
		c, _ := adminLogin(t, r)
		set := c.call(setAuth("user", "pin", `"newPin":"xy34zw"`))
		return fmt.Sprintf("%v, %s", set.ok(), outcomes(t, r, secured("user", testSecrets.UserPIN), secured("user", "xy34zw")))
	}},
	{name: "preconnected-keeps-old-secret", spec: "8, 8", changed: "0/1, 8", exchange: func(t *testing.T, r *Running) string {
		before := dial(t, r.URL) // opened before the change, not authorized
		c, _ := adminLogin(t, r)
		c.call(setAuth("user", "pin", `"newPin":"xy34zw"`))
		return fmt.Sprintf("%s, %s", before.call(secured("user", testSecrets.UserPIN)).outcome(), outcomes(t, r, secured("user", testSecrets.UserPIN)))
	}},
	{name: "long-password-truncated", spec: "0/2 8", changed: "8 0/2", exchange: func(t *testing.T, r *Running) string {
		long := strings.Repeat("пароль-ü-", 40) // 360 characters
		c, _ := adminLogin(t, r)
		c.call(setAuth("admin", "password", fmt.Sprintf(`"password":%q`, long)))
		return outcomes(t, r, secured("admin", long), secured("admin", string([]rune(long)[:255])))
	}},
	{name: "user-credentials-change-cause-1", spec: "4", changed: "1", exchange: userReconfiguredNotice},
	{name: "no-reconfiguration-notice", spec: "4", changed: "none", exchange: userReconfiguredNotice},
	{name: "success-without-result-code", spec: "true 0, 8", changed: "true absent, 8", exchange: func(t *testing.T, r *Running) string {
		c := dial(t, r.URL)
		ok, bad := c.callf(reqPassword, testSecrets.AdminPassword), c.callf(reqPassword, "wrong")
		return fmt.Sprintf("%s %s, %s", field(ok, "result"), field(ok, "resultCode"), field(bad, "resultCode"))
	}},
	{name: "unknown-field-rejected", spec: "0/2", changed: "10", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r, fmt.Sprintf(`{"method":"auth","requestId":"1","type":"secured","credentials":%q,"x-extra":1}`, testSecrets.AdminPassword))
	}},
	{name: "close-after-failure", spec: "4 open", changed: "4 closed 1000", exchange: func(t *testing.T, r *Running) string {
		c := dial(t, r.URL)
		rc := c.call(reqUnsecuredAdmin).outcome()
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		_ = c.ws.Write(ctx, websocket.MessageText, []byte(reqGetAuthInfo)) // may fail once the server has closed
		select {
		case <-c.msgs:
			return rc + " open"
		case <-c.done:
			return fmt.Sprintf("%s closed %d", rc, websocket.CloseStatus(c.err))
		case <-time.After(waitLimit):
			t.Fatal("neither a reply nor a close")
		}
		return ""
	}},
	{name: "privileges-misspelt", spec: "2 absent", changed: "absent 2", exchange: func(t *testing.T, r *Running) string {
		got := dial(t, r.URL).callf(reqPassword, testSecrets.AdminPassword)
		return field(got, "previleges") + " " + field(got, "privileges")
	}},
	{name: "no-http-token", spec: "true", changed: "false", exchange: func(t *testing.T, r *Running) string {
		_, got := adminLogin(t, r)
		return fmt.Sprint(got.str("tokenForHttpServer") != "")
	}},
	{name: "http-token-equals-token", spec: "differ, HTTP 200", changed: "equal, known as API token, HTTP 200", exchange: func(t *testing.T, r *Running) string {
		_, got := adminLogin(t, r)
		// The shared token still opens the HTTP server: the fault breaks AUTH-5 alone.
		status := fmt.Sprintf(", HTTP %d", httpStatus(t, r, got.str("tokenForHttpServer")))
		if got.str("token") != got.str("tokenForHttpServer") {
			return "differ" + status
		}
		if info, ok := r.Server.TokenInfo(got.str("tokenForHttpServer")); !ok || info.Kind != APIToken || !info.Live {
			return "equal, unknown" + status
		}
		return "equal, known as API token" + status
	}},
	{name: "repeated-tokens", spec: "distinct distinct", changed: "repeated distinct", exchange: func(t *testing.T, r *Running) string {
		c, first := adminLogin(t, r)
		second := expectRC(t, c, "0/2", reqPassword, testSecrets.AdminPassword)
		user := expectRC(t, dial(t, r.URL), "0/1", reqPassword, testSecrets.UserPIN)
		verdict := func(same bool) string {
			if same {
				return "repeated"
			}
			return "distinct"
		}
		return verdict(first.str("token") == second.str("token")) + " " + verdict(user.str("token") == second.str("token"))
	}},
	{name: "token-on-failure", spec: "8 absent", changed: "8 token re-authorizes 0/2", exchange: func(t *testing.T, r *Running) string {
		got := dial(t, r.URL).callf(reqPassword, wrongSecret)
		if !got.has("token") {
			return got.outcome() + " absent"
		}
		return got.outcome() + " token re-authorizes " + outcomes(t, r, secured("admin", got.str("token")))
	}},
	{name: "previleges-on-failure", spec: "8 absent, 0/2 2", changed: "8 0, 0/2 2", exchange: func(t *testing.T, r *Running) string {
		c := dial(t, r.URL)
		bad, good := c.callf(reqPassword, wrongSecret), c.callf(reqPassword, testSecrets.AdminPassword)
		return fmt.Sprintf("%s %s, %s %s", bad.outcome(), field(bad, "previleges"), good.outcome(), field(good, "previleges"))
	}},
	{name: "failure-drops-mode", spec: "8 answered with pin", changed: "8 refused", exchange: func(t *testing.T, r *Running) string {
		c, _ := adminLogin(t, r)
		return c.callf(reqPassword, wrongSecret).outcome() + " " + authorized(c)
	}},
	{name: "failure-grants-admin", spec: "8 refused, 4 refused", changed: "8 answered with pin, 4 refused", exchange: func(t *testing.T, r *Running) string {
		c, d := dial(t, r.URL), dial(t, r.URL)
		return c.callf(reqPassword, wrongSecret).outcome() + " " + authorized(c) + ", " +
			d.call(reqUnsecuredAdmin).outcome() + " " + authorized(d)
	}},
	{name: "credentials-echoed", spec: "8 Incorrect credentials", changed: "8 Incorrect credentials: " + wrongSecret, exchange: func(t *testing.T, r *Running) string {
		got := dial(t, r.URL).callf(reqPassword, wrongSecret)
		return got.outcome() + " " + got.str("error")
	}},
	{name: "free-plan-code-8", profile: "free", spec: "2 2 0/2", changed: "8 8 0/2", exchange: func(t *testing.T, r *Running) string {
		_, tok := dial(t, r.URL), dial(t, r.URL).call(`{"method":"auth","requestId":"1","type":"unsecured"}`).str("token")
		return outcomes(t, r, secured("", wrongSecret), secured("", testSecrets.AdminPIN), secured("", tok))
	}},
	{name: "status-change-unchecked", spec: "3 3", changed: "0/1 3", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r, reqStatusChange, `{"method":"auth","requestId":"1","role":"admin"}`)
	}},
	{name: "unsecured-code-8", spec: "4 4 4", changed: "8 8 8", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r, reqUnsecuredAdmin, reqUnsecuredUser, `{"method":"auth","requestId":"1","type":"unsecured"}`)
	}},
	{name: "rc4b-code-5", profile: "admin-password", spec: "4 4 8", changed: "5 5 8", exchange: userSecretsWhenUserIsOpen},
	{name: "user-credentials-raise", spec: "5 5", changed: "0/2 5", exchange: userCredentialsWithRoleAdmin},
	{name: "no-lockout", setup: lockoutAfterTwo, spec: "8 8 6", changed: "8 8 0/2", exchange: rightPasswordAfterTwoWrong},
	{name: "empty-credentials-code-8", spec: "7 7", changed: "8 7", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r, secured("user", ""), `{"method":"auth","requestId":"1","type":"secured","credentials":42}`)
	}},
	{name: "wrong-credentials-code-4", spec: "8 8 7", changed: "4 4 7", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r, secured("", wrongSecret), secured("admin", "1*abc*1*FF"), secured("", ""))
	}},
	{name: "altered-token-accepted", spec: "0/2 8", changed: "0/2 0/2", exchange: func(t *testing.T, r *Running) string {
		_, got := adminLogin(t, r)
		tok := got.str("token")
		last := "0"
		if strings.HasSuffix(tok, "0") {
			last = "1"
		}
		return outcomes(t, r, secured("", tok), secured("", tok[:len(tok)-1]+last))
	}},
	{name: "role-not-validated", spec: "9 9 9", changed: "0/2 0/2 0/2", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r,
			fmt.Sprintf(`{"method":"auth","requestId":"1","type":"secured","role":"root","credentials":%q}`, testSecrets.AdminPassword),
			fmt.Sprintf(`{"method":"auth","requestId":"1","type":"secured","role":"","credentials":%q}`, testSecrets.AdminPassword),
			fmt.Sprintf(`{"method":"auth","requestId":"1","type":"secured","role":true,"credentials":%q}`, testSecrets.AdminPassword))
	}},
	{name: "type-not-validated", spec: "10 10 10", changed: "0/2 12 10", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r,
			fmt.Sprintf(`{"method":"auth","requestId":"1","type":"open","credentials":%q}`, testSecrets.AdminPassword),
			`{"method":"auth","requestId":"1","type":"Secured","role":"admin"}`,
			fmt.Sprintf(`{"method":"auth","requestId":"1","type":1,"credentials":%q}`, testSecrets.AdminPassword))
	}},
	{name: "missing-type-code-3", spec: "11 3", changed: "3 3", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r, `{"method":"auth","requestId":"1"}`, reqStatusChange)
	}},
	{name: "missing-credentials-code-7", spec: "12 7", changed: "7 7", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r, `{"method":"auth","requestId":"1","type":"secured","role":"admin"}`, secured("admin", ""))
	}},
	{name: "multi-fault-code-4", spec: "10 10 9", changed: "4 4 9", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r,
			`{"method":"auth","requestId":"1","type":"open","role":"root"}`,
			`{"method":"auth","requestId":"1","type":1,"role":true}`,
			`{"method":"auth","requestId":"1","type":"secured","role":"root"}`)
	}},
	{name: "non-string-type-code-11", spec: "10 10 10", changed: "11 11 10", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r,
			`{"method":"auth","requestId":"1","type":1}`,
			`{"method":"auth","requestId":"1","type":null,"role":"user"}`,
			`{"method":"auth","requestId":"1","type":"open"}`)
	}},
	{name: "user-login-reports-admin", spec: "0/1 answered, 0/1 answered", changed: "0/2 answered, 0/1 answered", exchange: func(t *testing.T, r *Running) string {
		c, d := dial(t, r.URL), dial(t, r.URL)
		withRole := c.call(secured("user", testSecrets.UserPIN)).outcome() + " " + authorized(c)
		return withRole + ", " + d.call(secured("", testSecrets.UserPIN)).outcome() + " " + authorized(d)
	}},
	{name: "no-role-defaults-to-user", spec: "0/2 0/2 0/2", changed: "0/1 0/1 0/2", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r, secured("", testSecrets.AdminPassword), secured("", testSecrets.AdminPIN), secured("admin", testSecrets.AdminPassword))
	}},
	{name: "pin-case-sensitive", spec: "0/1 0/1 0/2", changed: "0/1 8 0/2", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r, secured("", testSecrets.UserPIN), secured("", strings.ToUpper(testSecrets.UserPIN)),
			secured("", strings.ToLower(testSecrets.AdminPIN)))
	}},
	{name: "status-change-keeps-tokens", spec: "0/1 fresh", changed: "0/1 kept", exchange: func(t *testing.T, r *Running) string {
		c, first := adminLogin(t, r)
		sw := c.call(reqStatusChange)
		if sw.str("token") == first.str("token") && sw.str("tokenForHttpServer") == first.str("tokenForHttpServer") {
			return sw.outcome() + " kept"
		}
		return sw.outcome() + " fresh"
	}},
	{name: "status-change-stays-admin", spec: "0/1 answered", changed: "0/1 answered with pin", exchange: func(t *testing.T, r *Running) string {
		c, _ := adminLogin(t, r)
		return c.call(reqStatusChange).outcome() + " " + authorized(c)
	}},
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
	{name: "no-auth-required", spec: "refused refused", changed: "answered refused", exchange: func(t *testing.T, r *Running) string {
		c := dial(t, r.URL)
		app := c.call(`{"method":"getAppState","requestId":"1"}`)
		state := "refused"
		if app.ok() {
			state = "answered"
		}
		return authorized(c) + " " + state
	}},
	{name: "pin-shown-to-user", spec: "answered, answered with pin", changed: "answered with pin, answered with pin", exchange: func(t *testing.T, r *Running) string {
		u, a := dial(t, r.URL), dial(t, r.URL)
		authorize(t, u, r.Server, ModeUser)
		authorize(t, a, r.Server, ModeAdmin)
		return authorized(u) + ", " + authorized(a)
	}},
	{name: "pin-hidden-from-admin", spec: "answered with pin", changed: "answered", exchange: func(t *testing.T, r *Running) string {
		c, _ := adminLogin(t, r)
		return authorized(c)
	}},
	{name: "no-displacement-notice", spec: eventDisplaced + " refused 401", changed: "no notification refused 401", exchange: func(t *testing.T, r *Running) string {
		a, first := adminLogin(t, r)
		adminLogin(t, r)
		state := authorized(a) // collects a notification that came before the reply
		notice := "no notification"
		if len(a.events) == 0 {
			// The notification is written by its own goroutine: it may come
			// after the reply. Without it, this bounded wait is the only cost.
			select {
			case m := <-a.msgs:
				a.events = append(a.events, parse(t, m.data))
			case <-time.After(100 * time.Millisecond):
			}
		}
		if len(a.events) > 0 {
			notice = string(a.events[0].raw)
		}
		return fmt.Sprint(notice, " ", state, " ", httpStatus(t, r, first.str("tokenForHttpServer")))
	}},
	{name: "invalid-json-breaks-next-auth", spec: badFramesSpec, changed: "0/2, 1 0/2 | 0/2 0/2", exchange: badFrames},
	{name: "binary-frame-breaks-next-auth", spec: badFramesSpec, changed: "0/2, 0/2 0/2 | 1 0/2", exchange: badFrames},
	{name: "config-json-ports-as-strings", spec: "websocket number, http number", changed: "websocket string, http string", exchange: discovery},
	{name: "config-json-wrong-websocket-port", spec: "websocket number, http number", changed: "websocket number+1, http number", exchange: discovery},
	{name: "digit-request-id-as-number", spec: `"1" "x1"`, changed: `1 "x1"`, exchange: func(t *testing.T, r *Running) string {
		c := dial(t, r.URL)
		return field(c.call(reqUnsecuredAdmin), "requestId") + " " + field(c.call(`{"method":"auth","requestId":"x1","type":"open"}`), "requestId")
	}},
	{name: "password-case-insensitive", spec: "8 0/2", changed: "0/2 0/2", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r, secured("admin", strings.ToUpper(testSecrets.AdminPassword)), secured("admin", testSecrets.AdminPassword))
	}},
	{name: "password-prefix-accepted", spec: "8 8 0/2", changed: "0/2 8 0/2", exchange: func(t *testing.T, r *Running) string {
		pw := testSecrets.AdminPassword
		return outcomes(t, r, secured("admin", pw[:len(pw)-1]), secured("admin", pw+"0"), secured("admin", pw))
	}},
	{name: "credentials-trimmed", spec: "8 8 0/2", changed: "0/2 0/2 0/2", exchange: func(t *testing.T, r *Running) string {
		pw := testSecrets.AdminPassword
		return outcomes(t, r, secured("admin", pw+" "), secured("admin", "\t"+pw), secured("admin", pw))
	}},
	{name: "role-case-insensitive", spec: "9 9 0/2", changed: "0/2 0/1 0/2", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r, secured("Admin", testSecrets.AdminPassword), secured("USER", testSecrets.UserPIN), secured("admin", testSecrets.AdminPassword))
	}},
	{name: "type-case-insensitive", spec: "10 10 0/2", changed: "0/2 4 0/2", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r,
			fmt.Sprintf(`{"method":"auth","requestId":"1","type":"Secured","credentials":%q}`, testSecrets.AdminPassword),
			`{"method":"auth","requestId":"1","type":"UNSECURED","role":"admin"}`, secured("", testSecrets.AdminPassword))
	}},
	{name: "unsecured-no-role-grants-admin", profile: "admin-password", spec: "0/1 4", changed: "0/2 4", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r, `{"method":"auth","requestId":"1","type":"unsecured"}`, reqUnsecuredAdmin)
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
	{name: "http-token-before-auth", spec: "false absent", changed: "false 200", exchange: func(t *testing.T, r *Running) string {
		got := dial(t, r.URL).call(`{"method":"getTokenForHttpServer","requestId":"h"}`)
		if !got.has("token") {
			return field(got, "result") + " absent"
		}
		return fmt.Sprint(field(got, "result"), " ", httpStatus(t, r, got.str("token")))
	}},
	{name: "displaced-keeps-mode", spec: "refused", changed: "answered with pin", exchange: func(t *testing.T, r *Running) string {
		a, _ := adminLogin(t, r)
		adminLogin(t, r)
		return authorized(a)
	}},
	{name: "invalid-utf8-breaks-next-auth", spec: "Invalid JSON, 0/2", changed: "Invalid JSON, 1", exchange: func(t *testing.T, r *Running) string {
		got := dial(t, r.URL).call("{\"method\":\"auth\",\"requestId\":\"\xff\",\"type\":\"open\"}")
		return got.str("error") + ", " + outcomes(t, r, secured("", testSecrets.AdminPassword))
	}},
	{name: "no-response-to-failure-without-request-id", spec: "4 0/1 sentinel", changed: "0/1 sentinel", exchange: func(t *testing.T, r *Running) string {
		c := dial(t, r.URL)
		c.send(`{"method":"auth","type":"unsecured","role":"admin"}`)
		c.send(fmt.Sprintf(`{"method":"auth","type":"secured","credentials":%q}`, testSecrets.UserPIN))
		c.send(`{"method":"setUsedApiVersion","requestId":"sentinel"}`)
		var out []string
		for {
			got := parse(t, c.next())
			if got.str("requestId") == "sentinel" {
				return strings.Join(append(out, "sentinel"), " ")
			}
			if got.str("method") == "auth" {
				out = append(out, got.outcome())
			}
		}
	}},
	{name: "request-id-trimmed", spec: `" id 7 " "x" "\tq\n"`, changed: `"id 7" "x" "q"`, exchange: func(t *testing.T, r *Running) string {
		c := dial(t, r.URL)
		return field(c.call(`{"method":"auth","requestId":" id 7 ","type":"unsecured","role":"admin"}`), "requestId") + " " +
			field(c.call(`{"method":"auth","requestId":"x","type":"unsecured","role":"admin"}`), "requestId") + " " +
			field(c.callf(`{"method":"auth","requestId":"\tq\n","type":"secured","credentials":%q}`, testSecrets.UserPIN), "requestId")
	}},
	{name: "status-change-drops-request-id", spec: `"sw-9" 0/1, "sw-10" 3`, changed: `"" 0/1, "sw-10" 3`, exchange: func(t *testing.T, r *Running) string {
		c, _ := adminLogin(t, r)
		sw := c.call(`{"method":"auth","requestId":"sw-9","role":"user"}`)
		again := c.call(`{"method":"auth","requestId":"sw-10","role":"user"}`)
		return fmt.Sprintf("%s %s, %s %s", field(sw, "requestId"), sw.outcome(), field(again, "requestId"), again.outcome())
	}},
	{name: "missing-request-id-null-on-failure", spec: `4 "", 0/1 ""`, changed: `4 null, 0/1 ""`, exchange: func(t *testing.T, r *Running) string {
		c := dial(t, r.URL)
		bad := c.call(`{"method":"auth","type":"unsecured","role":"admin"}`)
		good := c.callf(`{"method":"auth","type":"secured","credentials":%q}`, testSecrets.UserPIN)
		return fmt.Sprintf("%s %s, %s %s", bad.outcome(), field(bad, "requestId"), good.outcome(), field(good, "requestId"))
	}},
	{name: "request-id-carried-over", spec: `"1" "" ""`, changed: `"1" "1" "1"`, exchange: func(t *testing.T, r *Running) string {
		c := dial(t, r.URL)
		return field(c.call(reqUnsecuredAdmin), "requestId") + " " +
			field(c.call(`{"method":"auth","type":"unsecured","role":"user"}`), "requestId") + " " +
			field(c.call(`{"method":"getAuthInfo"}`), "requestId")
	}},
	{name: "auth-request-id-of-previous-request", spec: `"a" "b" "c"`, changed: `"a" "a" "b"`, exchange: func(t *testing.T, r *Running) string {
		c := dial(t, r.URL)
		return field(c.call(`{"method":"auth","requestId":"a","type":"open"}`), "requestId") + " " +
			field(c.call(`{"method":"auth","requestId":"b","type":"open"}`), "requestId") + " " +
			field(c.call(`{"method":"auth","requestId":"c","type":"open"}`), "requestId")
	}},
	{name: "result-code-string-on-status-change", spec: "0 0 3", changed: `0 "0" 3`, exchange: func(t *testing.T, r *Running) string {
		c, first := adminLogin(t, r)
		sw, again := c.call(reqStatusChange), c.call(reqStatusChange)
		return field(first, "resultCode") + " " + field(sw, "resultCode") + " " + field(again, "resultCode")
	}},
	{name: "displacing-success-result-false", spec: "true true true", changed: "true false true", exchange: func(t *testing.T, r *Running) string {
		a := dial(t, r.URL).callf(reqPassword, testSecrets.AdminPassword)
		b := dial(t, r.URL).callf(reqPassword, testSecrets.AdminPassword)
		u := dial(t, r.URL).callf(reqPassword, testSecrets.UserPIN)
		return field(a, "result") + " " + field(b, "result") + " " + field(u, "result")
	}},
	{name: "close-after-third-failure", spec: "4 4 0/1 4 4 4 open", changed: "4 4 0/1 4 4 4 closed 1008", exchange: func(t *testing.T, r *Running) string {
		c := dial(t, r.URL)
		var out []string
		for _, req := range []string{reqUnsecuredAdmin, reqUnsecuredAdmin, secured("", testSecrets.UserPIN), reqUnsecuredAdmin, reqUnsecuredAdmin, reqUnsecuredAdmin} {
			out = append(out, c.call(req).outcome())
		}
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		_ = c.ws.Write(ctx, websocket.MessageText, []byte(reqGetAuthInfo)) // may fail once the server has closed
		select {
		case <-c.msgs:
			return strings.Join(out, " ") + " open"
		case <-c.done:
			return fmt.Sprintf("%s closed %d", strings.Join(out, " "), websocket.CloseStatus(c.err))
		case <-time.After(waitLimit):
			t.Fatal("neither a reply nor a close")
		}
		return ""
	}},
	{name: "token-reauth-previleges-string", spec: "2 2 1", changed: `2 "2" 1`, exchange: func(t *testing.T, r *Running) string {
		_, got := adminLogin(t, r)
		again := dial(t, r.URL).call(secured("", got.str("token")))
		user := dial(t, r.URL).call(secured("", testSecrets.UserPIN))
		return field(got, "previleges") + " " + field(again, "previleges") + " " + field(user, "previleges")
	}},
	{name: "api-tokens-cycle-after-16", spec: "17 distinct of 17", changed: "16 distinct of 17", exchange: func(t *testing.T, r *Running) string {
		c := dial(t, r.URL)
		seen := map[string]bool{}
		for range 17 {
			seen[expectRC(t, c, "0/2", reqPassword, testSecrets.AdminPassword).str("token")] = true
		}
		return fmt.Sprintf("%d distinct of 17", len(seen))
	}},
	{name: "role-mismatch-carries-token", spec: "5 absent", changed: "5 token re-authorizes 0/1", exchange: func(t *testing.T, r *Running) string {
		got := dial(t, r.URL).call(secured("admin", testSecrets.UserPIN))
		if !got.has("token") {
			return got.outcome() + " absent"
		}
		return got.outcome() + " token re-authorizes " + outcomes(t, r, secured("", got.str("token")))
	}},
	{name: "code-3-reports-current-mode", spec: "3 absent, 3 absent", changed: "3 1, 3 absent", exchange: func(t *testing.T, r *Running) string {
		u := dial(t, r.URL)
		expectRC(t, u, "0/1", reqPassword, testSecrets.UserPIN)
		onUser, onFresh := u.call(reqStatusChange), dial(t, r.URL).call(reqStatusChange)
		return fmt.Sprintf("%s %s, %s %s", onUser.outcome(), field(onUser, "previleges"), onFresh.outcome(), field(onFresh, "previleges"))
	}},
	{name: "role-mismatch-grants-credentials-mode", spec: "5 refused, 4 refused", changed: "5 answered, 4 refused", exchange: func(t *testing.T, r *Running) string {
		c, d := dial(t, r.URL), dial(t, r.URL)
		return c.call(secured("admin", testSecrets.UserPIN)).outcome() + " " + authorized(c) + ", " +
			d.call(reqUnsecuredAdmin).outcome() + " " + authorized(d)
	}},
	{name: "free-plan-user-secret-accepted", profile: "free-admin-password-user-pin", spec: "2 2 2 2", changed: "0/1 0/1 2 2", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r, secured("", testSecrets.UserPIN), secured("user", testSecrets.UserPIN),
			secured("", testSecrets.AdminPassword), secured("", testSecrets.AdminPIN))
	}},
	{name: "status-change-checks-login-mode", spec: "0/1 3 3, 3", changed: "0/1 0/1 0/2, 3", exchange: func(t *testing.T, r *Running) string {
		c, _ := adminLogin(t, r)
		u := dial(t, r.URL)
		expectRC(t, u, "0/1", reqPassword, testSecrets.UserPIN)
		return c.call(reqStatusChange).outcome() + " " + c.call(reqStatusChange).outcome() + " " +
			c.call(`{"method":"auth","requestId":"1","role":"admin"}`).outcome() + ", " + u.call(reqStatusChange).outcome()
	}},
	{name: "unsecured-admin-code-5-when-user-open", profile: "admin-password", spec: "4 0/1 0/2", changed: "5 0/1 0/2", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r, reqUnsecuredAdmin, reqUnsecuredUser, secured("admin", testSecrets.AdminPassword))
	}},
	{name: "unsecured-with-credentials-checked", spec: "4 4", changed: "0/2 4", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r,
			fmt.Sprintf(`{"method":"auth","requestId":"1","type":"unsecured","role":"admin","credentials":%q}`, testSecrets.AdminPassword),
			reqUnsecuredAdmin)
	}},
	{name: "open-user-mode-accepts-any-secret", profile: "admin-password", spec: "4 4 8", changed: "0/1 4 8", exchange: userSecretsWhenUserIsOpen},
	{name: "user-secret-role-admin-code-4", spec: "5 5", changed: "4 5", exchange: userCredentialsWithRoleAdmin},
	{name: "lockout-counted-per-connection", setup: lockoutAfterTwo, spec: "8 8 6", changed: "8 8 0/2", exchange: rightPasswordAfterTwoWrong},
	{name: "lockout-spares-correct-credentials", setup: lockoutAfterTwo, spec: "8 8 6 6", changed: "8 8 0/2 6", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r, secured("", wrongSecret), secured("", wrongSecret), secured("", testSecrets.AdminPassword), secured("", wrongSecret))
	}},
	{name: "password-nul-terminated", spec: "8 8 0/2", changed: "0/2 8 0/2", exchange: func(t *testing.T, r *Running) string {
		withNUL := `{"method":"auth","requestId":"1","type":"secured","role":"admin","credentials":"%s\u0000junk"}`
		return outcomes(t, r, fmt.Sprintf(withNUL, testSecrets.AdminPassword), fmt.Sprintf(withNUL, testSecrets.AdminPassword[:4]),
			secured("admin", testSecrets.AdminPassword))
	}},
	{name: "pin-extension-accepted", spec: "8 8 0/1", changed: "0/1 8 0/1", exchange: func(t *testing.T, r *Running) string {
		pin := testSecrets.UserPIN
		return outcomes(t, r, secured("", pin+"x9"), secured("", pin[:len(pin)-1]), secured("", pin))
	}},
	{name: "token-case-insensitive", spec: "8 0/2", changed: "0/2 0/2", exchange: func(t *testing.T, r *Running) string {
		_, got := adminLogin(t, r)
		tok := got.str("token")
		if strings.ToLower(tok) == tok {
			t.Fatalf("token %q has no upper-case letter", tok)
		}
		return outcomes(t, r, secured("", strings.ToLower(tok)), secured("", tok))
	}},
	{name: "role-prefix-matched", spec: "9 9 0/2", changed: "0/2 0/1 0/2", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r, secured("administrator", testSecrets.AdminPassword), secured("users", testSecrets.UserPIN),
			secured("admin", testSecrets.AdminPassword))
	}},
	{name: "empty-type-treated-as-missing", spec: "10 10 10", changed: "11 3 10", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r, `{"method":"auth","requestId":"1","type":"","credentials":""}`,
			`{"method":"auth","requestId":"1","type":"","role":"user"}`, `{"method":"auth","requestId":"1","type":"open"}`)
	}},
	{name: "credentials-imply-secured", spec: "11 11 11", changed: "0/2 8 11", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r, fmt.Sprintf(`{"method":"auth","requestId":"1","credentials":%q}`, testSecrets.AdminPassword),
			`{"method":"auth","requestId":"1","credentials":"x"}`, `{"method":"auth","requestId":"1"}`)
	}},
	{name: "secured-refresh-without-credentials", spec: "12, 12", changed: "0/2, 12", exchange: func(t *testing.T, r *Running) string {
		c, _ := adminLogin(t, r)
		const req = `{"method":"auth","requestId":"1","type":"secured"}`
		return c.call(req).outcome() + ", " + outcomes(t, r, req)
	}},
	{name: "non-string-credentials-code-12", spec: "7 7 7 12", changed: "12 12 7 12", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r, `{"method":"auth","requestId":"1","type":"secured","credentials":42}`,
			`{"method":"auth","requestId":"1","type":"secured","credentials":null}`, secured("", ""),
			`{"method":"auth","requestId":"1","type":"secured"}`)
	}},
	{name: "admin-pin-taken-for-user", profile: "admin-pin", spec: "0/2 0/2 0/1", changed: "5 0/1 0/1", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r, secured("admin", testSecrets.AdminPIN), secured("", testSecrets.AdminPIN), reqUnsecuredUser)
	}},
	{name: "open-role-user-grants-admin", profile: "unsecured", spec: "0/1 0/2", changed: "0/2 0/2", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r, reqUnsecuredUser, reqUnsecuredAdmin)
	}},
	{name: "user-password-no-role-grants-admin", profile: "admin-password-user-password", spec: "0/1 0/1 0/2", changed: "0/2 0/1 0/2", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r, secured("", testSecrets.UserPassword), secured("user", testSecrets.UserPassword), secured("", testSecrets.AdminPassword))
	}},
	{name: "pin-case-folding-upper-only", spec: "0/1 0/1 0/1", changed: "0/1 8 0/1", exchange: func(t *testing.T, r *Running) string {
		pin := testSecrets.UserPIN
		return outcomes(t, r, secured("", strings.ToUpper(pin)), secured("", strings.ToUpper(pin[:1])+pin[1:]), secured("", pin))
	}},
	{name: "unsecured-no-role-refused-when-admin-protected", profile: "admin-password", spec: "0/1 0/1", changed: "4 0/1", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r, `{"method":"auth","requestId":"1","type":"unsecured"}`, reqUnsecuredUser)
	}},
	{name: "status-change-refused-after-token-login", spec: "0/2 0/1, 0/1", changed: "0/2 3, 0/1", exchange: func(t *testing.T, r *Running) string {
		_, got := adminLogin(t, r)
		b := dial(t, r.URL)
		byToken := b.call(secured("", got.str("token"))).outcome() + " " + b.call(reqStatusChange).outcome()
		c, _ := adminLogin(t, r)
		return byToken + ", " + c.call(reqStatusChange).outcome()
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
	{name: "clear-tokens-before-auth", spec: "false 0/2", changed: "true 8", exchange: func(t *testing.T, r *Running) string {
		_, got := adminLogin(t, r)
		cleared := dial(t, r.URL).call(`{"method":"clearTokens","requestId":"c"}`)
		return field(cleared, "result") + " " + outcomes(t, r, secured("", got.str("token")))
	}},
	{name: "pre-auth-refusal-reveals-security", spec: "false absent absent", changed: `false {"security":"password"} {"security":"pin"}`, exchange: func(t *testing.T, r *Running) string {
		got := dial(t, r.URL).call(reqGetAuthInfo)
		return field(got, "result") + " " + field(got, "adminAuth") + " " + field(got, "userAuth")
	}},
	{name: "pin-hidden-from-token-admin", spec: "answered with pin, answered with pin", changed: "answered with pin, answered", exchange: func(t *testing.T, r *Running) string {
		a, got := adminLogin(t, r)
		byPassword := authorized(a)
		b := dial(t, r.URL)
		expectRC(t, b, "0/2", reqPassword, got.str("token"))
		return byPassword + ", " + authorized(b)
	}},
	{name: "admin-displacement-cause-3", spec: eventDisplaced + " " + eventDisplaced,
		changed: `{"method":"event","event":"authorizationNeeded","cause":3} ` + eventDisplaced, exchange: func(t *testing.T, r *Running) string {
			a, _ := adminLogin(t, r)
			adminLogin(t, r)
			u := dial(t, r.URL)
			expectRC(t, u, "0/1", reqPassword, testSecrets.UserPIN)
			expectRC(t, dial(t, r.URL), "0/1", reqPassword, testSecrets.UserPIN)
			return string(a.event().raw) + " " + string(u.event().raw)
		}},
	{name: "status-change-skips-user-slot", spec: "0/1 refused", changed: "0/1 answered", exchange: func(t *testing.T, r *Running) string {
		a, _ := adminLogin(t, r)
		sw := a.call(reqStatusChange).outcome()
		expectRC(t, dial(t, r.URL), "0/1", reqPassword, testSecrets.UserPIN)
		return sw + " " + authorized(a)
	}},
	{name: "displaced-can-get-http-token", spec: "false absent, false absent", changed: "true 200, false absent", exchange: func(t *testing.T, r *Running) string {
		a, _ := adminLogin(t, r)
		adminLogin(t, r)
		ask := func(c *client) string {
			got := c.call(`{"method":"getTokenForHttpServer","requestId":"h"}`)
			if got.str("token") == "" {
				return field(got, "result") + " absent"
			}
			return fmt.Sprint(field(got, "result"), " ", httpStatus(t, r, got.str("token")))
		}
		return ask(a) + ", " + ask(dial(t, r.URL))
	}},
	{name: "oversize-frame-bans-host", setup: func(o *Options) { o.MaxFrameBytes = 1024 }, spec: "1009 0/2", changed: "1009 refused", exchange: func(t *testing.T, r *Running) string {
		big := dial(t, r.URL)
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		if err := big.ws.Write(ctx, websocket.MessageText, []byte(padded(2048))); err != nil {
			t.Fatal(err)
		}
		code := big.closeStatus()
		waitFor(t, "the oversize connection to end", func() bool { return connCount(r.Server) == 0 })
		ws, _, err := websocket.Dial(ctx, r.URL, nil)
		if err != nil {
			return fmt.Sprint(int(code), " refused")
		}
		_ = ws.CloseNow()
		return fmt.Sprint(int(code), " ", outcomes(t, r, secured("", testSecrets.AdminPassword)))
	}},
	{name: "config-json-bom", spec: "JSON", changed: "not JSON", exchange: func(t *testing.T, r *Running) string {
		_, body := httpGet(t, "GET", r.WebURL+configJSONPath)
		if json.Valid(body) {
			return "JSON"
		}
		return "not JSON"
	}},
	{name: "reused-request-id-unanswered", spec: "4 0/1 4 sentinel answered", changed: "4 4 sentinel refused", exchange: func(t *testing.T, r *Running) string {
		c := dial(t, r.URL)
		c.send(`{"method":"auth","requestId":"r1","type":"unsecured","role":"admin"}`)
		c.send(fmt.Sprintf(`{"method":"auth","requestId":"r1","type":"secured","credentials":%q}`, testSecrets.UserPIN))
		c.send(`{"method":"auth","requestId":"r2","type":"unsecured","role":"admin"}`)
		c.send(`{"method":"setUsedApiVersion","requestId":"sentinel"}`)
		var out []string
		for {
			got := parse(t, c.next())
			if got.str("requestId") == "sentinel" {
				return strings.Join(append(out, "sentinel", authorized(c)), " ")
			}
			if got.str("method") == "auth" {
				out = append(out, got.outcome())
			}
		}
	}},
	{name: "unsecured-user-on-admin-is-status-change", spec: "4 answered with pin, 4", changed: "0/1 answered, 4", exchange: func(t *testing.T, r *Running) string {
		c, _ := adminLogin(t, r)
		onAdmin := c.call(reqUnsecuredUser).outcome() + " " + authorized(c)
		return onAdmin + ", " + outcomes(t, r, reqUnsecuredUser)
	}},
	{name: "credentials-line-end-stripped", spec: "8 8 8 8 8 8", changed: "0/2 0/2 0/1 0/2 8 8", exchange: func(t *testing.T, r *Running) string {
		_, admin := adminLogin(t, r)
		pw := testSecrets.AdminPassword
		return outcomes(t, r, secured("admin", pw+"\n"), secured("admin", pw+"\r\n"), secured("", testSecrets.UserPIN+"\t"),
			secured("", admin.str("token")+"\n"), secured("admin", " "+pw), secured("admin", "\r\n"))
	}},
	{name: "null-role-as-absent", spec: "9 9 9", changed: "0/2 9 11", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r,
			fmt.Sprintf(`{"method":"auth","requestId":"1","type":"secured","role":null,"credentials":%q}`, testSecrets.AdminPassword),
			fmt.Sprintf(`{"method":"auth","requestId":"1","type":"secured","role":true,"credentials":%q}`, testSecrets.AdminPassword),
			`{"method":"auth","requestId":"1","role":null}`)
	}},
	{name: "user-login-on-admin-keeps-admin", spec: "0/1 answered, 0/1 answered, 0/1 answered", changed: "0/1 answered with pin, 0/1 answered, 0/1 answered",
		exchange: func(t *testing.T, r *Running) string {
			a, _ := adminLogin(t, r)
			withRole := a.call(secured("user", testSecrets.UserPIN)).outcome() + " " + authorized(a)
			b, _ := adminLogin(t, r)
			noRole := b.call(secured("", testSecrets.UserPIN)).outcome() + " " + authorized(b)
			c := dial(t, r.URL)
			fresh := c.call(secured("user", testSecrets.UserPIN)).outcome() + " " + authorized(c)
			return withRole + ", " + noRole + ", " + fresh
		}},
	{name: "pin-other-case-needs-role", spec: "0/1 0/1 0/1", changed: "8 0/1 0/1", exchange: func(t *testing.T, r *Running) string {
		pin := strings.ToUpper(testSecrets.UserPIN)
		return outcomes(t, r, secured("", pin), secured("user", pin), secured("", testSecrets.UserPIN))
	}},
	{name: "second-status-change-refused", spec: "0/1 0/2 0/1, 0/1", changed: "0/1 0/2 3, 0/1", exchange: func(t *testing.T, r *Running) string {
		a, _ := adminLogin(t, r)
		first := a.call(reqStatusChange).outcome()
		again := expectRC(t, a, "0/2", reqPassword, testSecrets.AdminPassword).outcome()
		second := a.call(reqStatusChange).outcome()
		b, _ := adminLogin(t, r)
		return fmt.Sprintf("%s %s %s, %s", first, again, second, b.call(reqStatusChange).outcome())
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

	// The lockout as each connection sees it (issue 18): lockoutAfterTwo,
	// the two wrong credentials on fresh connections, then the connection
	// under test.
	{name: "lockout-spares-earlier-connections", setup: lockoutAfterTwo, spec: "8 8 6 6", changed: "8 8 0/2 6", exchange: func(t *testing.T, r *Running) string {
		early := dial(t, r.URL) // opened, not authorized, before the lockout
		wrong := outcomes(t, r, secured("admin", wrongSecret), secured("admin", wrongSecret))
		return fmt.Sprintf("%s %s %s", wrong, early.call(secured("admin", testSecrets.AdminPassword)).outcome(),
			outcomes(t, r, secured("admin", testSecrets.AdminPassword)))
	}},
	{name: "lockout-spares-authorized-connections", setup: lockoutAfterTwo, spec: "8 8 6 6", changed: "8 8 0/2 6", exchange: func(t *testing.T, r *Running) string {
		a, _ := adminLogin(t, r) // authorized before the lockout
		early := dial(t, r.URL)  // opened before it, not authorized: locked either way
		wrong := outcomes(t, r, secured("admin", wrongSecret), secured("admin", wrongSecret))
		return fmt.Sprintf("%s %s %s", wrong, a.call(secured("admin", testSecrets.AdminPassword)).outcome(),
			early.call(secured("admin", testSecrets.AdminPassword)).outcome())
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
	{name: "silent-after-many-auths", spec: "31", changed: "30", exchange: func(t *testing.T, r *Running) string {
		c := dial(t, r.URL)
		for range 31 {
			c.send(reqUnsecuredAdmin)
		}
		return fmt.Sprint(authAnswersBefore(t, c))
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

// badFrames: invalid JSON, then an auth on the same connection and on two new
// ones; a binary frame, then an auth on two new ones.
func badFrames(t *testing.T, r *Running) string {
	a := dial(t, r.URL)
	if got := a.call(`{"method":`); got.str("error") != "Invalid JSON" {
		t.Fatalf("invalid JSON: %s", got.raw)
	}
	same := a.callf(reqPassword, testSecrets.AdminPassword).outcome()
	afterJSON := outcomes(t, r, secured("", testSecrets.AdminPassword), secured("", testSecrets.AdminPassword))
	bin := dial(t, r.URL)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := bin.ws.Write(ctx, websocket.MessageBinary, []byte(reqUnsecuredAdmin)); err != nil {
		t.Fatal(err)
	}
	bin.closeStatus()
	afterBinary := outcomes(t, r, secured("", testSecrets.AdminPassword), secured("", testSecrets.AdminPassword))
	return same + ", " + afterJSON + " | " + afterBinary
}

const badFramesSpec = "0/2, 0/2 0/2 | 0/2 0/2"

// discovery describes the ports config.json gives, against the real ones:
// "number" (right, a JSON number), "number+1" (off by one), "string" (right,
// a JSON string).
func discovery(t *testing.T, r *Running) string {
	wsPort, httpPort := fetchConfig(t, r.WebURL)
	return "websocket " + describePort(wsPort, urlPort(t, r.URL)) + ", http " + describePort(httpPort, urlPort(t, r.HTTPURL))
}

var documentedToken = regexp.MustCompile(`^\d+\*[A-Za-z0-9]{16}\*\d+\*[0-9A-F]{64}$`)
var opaqueToken = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

var variantBehaviours = []behaviour{
	{name: "reauth-returns-same-token", spec: "0/2 fresh", changed: "0/2 same", exchange: func(t *testing.T, r *Running) string {
		_, got := adminLogin(t, r)
		again := dial(t, r.URL).call(secured("", got.str("token")))
		if again.str("token") == got.str("token") {
			return again.outcome() + " same"
		}
		return again.outcome() + " fresh"
	}},
	{name: "events-before-responses", spec: "auth", changed: "event appStateChanged 3, auth", exchange: func(t *testing.T, r *Running) string {
		c := dial(t, r.URL)
		c.send(reqUnsecuredAdmin)
		first := parse(t, c.next())
		if first.str("method") == "event" {
			return fmt.Sprintf("event %s %d, %s", first.str("event"), first.int("appState"), parse(t, c.next()).str("method"))
		}
		return first.str("method")
	}},
	{name: "request-id-absent", spec: `"" "" "1"`, changed: `absent absent "1"`, exchange: func(t *testing.T, r *Running) string {
		c := dial(t, r.URL)
		return field(c.call(`{"method":"auth","type":"unsecured"}`), "requestId") + " " +
			field(c.call(`{"method":"getAuthInfo"}`), "requestId") + " " + field(c.call(reqUnsecuredUser), "requestId")
	}},
	{name: "numeric-request-id-as-string", spec: `42 -1.5e3 "7"`, changed: `"42" "-1.5e3" "7"`, exchange: func(t *testing.T, r *Running) string {
		c := dial(t, r.URL)
		return field(c.call(`{"method":"auth","requestId":42,"type":"unsecured"}`), "requestId") + " " +
			field(c.call(`{"method":"getAuthInfo","requestId":-1.5e3}`), "requestId") + " " +
			field(c.call(reqGetAuthInfo), "requestId")
	}},
	{name: "no-overlay-token", spec: "true", changed: "false", exchange: func(t *testing.T, r *Running) string {
		_, got := adminLogin(t, r)
		return fmt.Sprint(got.str("overlayHttpToken") != "")
	}},
	{name: "opaque-tokens", spec: "documented documented documented", changed: "opaque opaque opaque", exchange: func(t *testing.T, r *Running) string {
		_, got := adminLogin(t, r)
		var shapes []string
		for _, k := range []string{"token", "tokenForHttpServer", "overlayHttpToken"} {
			switch v := got.str(k); {
			case documentedToken.MatchString(v):
				shapes = append(shapes, "documented")
			case opaqueToken.MatchString(v):
				shapes = append(shapes, "opaque")
			default:
				shapes = append(shapes, "other")
			}
		}
		return strings.Join(shapes, " ")
	}},
	{name: "no-error-text", spec: "false Missing type, false Authorization required",
		changed: "false absent, false absent", exchange: func(t *testing.T, r *Running) string {
			c := dial(t, r.URL)
			a, b := c.call(`{"method":"auth","requestId":"1"}`), c.call(reqGetAuthInfo)
			text := func(r reply) string {
				if !r.has("error") {
					return "absent"
				}
				return r.str("error")
			}
			return fmt.Sprintf("%s %s, %s %s", field(a, "result"), text(a), field(b, "result"), text(b))
		}},
	{name: "rc4b-code-8", profile: "admin-password", setup: lockoutAfterTwo,
		spec: "4 4 0/2 locked: no", changed: "8 8 6 locked: yes", exchange: func(t *testing.T, r *Running) string {
			out := outcomes(t, r, secured("user", wrongSecret), secured("user", testSecrets.AdminPassword), secured("", testSecrets.AdminPassword))
			if strings.HasSuffix(out, "6") {
				return out + " locked: yes"
			}
			return out + " locked: no"
		}},
	{name: "rc5b-code-5", spec: "0/1 0/1 0/1", changed: "5 5 0/1", exchange: func(t *testing.T, r *Running) string {
		_, admin := adminLogin(t, r)
		return outcomes(t, r, secured("user", testSecrets.AdminPassword), secured("user", testSecrets.AdminPIN), secured("user", admin.str("token")))
	}},
	{name: "role-before-type", spec: "10 9 9 10", changed: "9 12 9 10", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r,
			`{"method":"auth","requestId":"1","type":"open","role":"root"}`,
			`{"method":"auth","requestId":"1","type":"secured","role":"root"}`,
			`{"method":"auth","requestId":"1","type":"secured","role":"root","credentials":"x"}`,
			`{"method":"auth","requestId":"1","type":"open","role":"user"}`)
	}},
	{name: "rc14-credentials-code-8", setup: func(o *Options) { o.LockoutThreshold = 3 },
		spec: "7 7 7 0/2", changed: "8 8 8 6", exchange: func(t *testing.T, r *Running) string {
			return outcomes(t, r,
				`{"method":"auth","requestId":"1","type":"secured","credentials":42}`,
				`{"method":"auth","requestId":"1","type":"secured","credentials":null}`,
				`{"method":"auth","requestId":"1","type":"secured","credentials":{"p":"x"}}`,
				secured("", testSecrets.AdminPassword))
		}},
	{name: "role3-user", profile: "unsecured", spec: "0/2 0/2 0/1", changed: "0/1 0/2 0/1", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r, `{"method":"auth","requestId":"1","type":"unsecured"}`, reqUnsecuredAdmin, reqUnsecuredUser)
	}},
	{name: "sw3-code-3", spec: "0/2 0/1", changed: "3 0/1", exchange: func(t *testing.T, r *Running) string {
		c, _ := adminLogin(t, r)
		return c.call(`{"method":"auth","requestId":"1","role":"admin"}`).outcome() + " " + c.call(reqStatusChange).outcome()
	}},
	{name: "refusal-error-only",
		spec:    `{"method":"getAuthInfo","requestId":"7","result":false,"error":"Authorization required"}`,
		changed: `{"method":"getAuthInfo","requestId":"7","error":"Authorization required"}`,
		exchange: func(t *testing.T, r *Running) string {
			return string(dial(t, r.URL).call(reqGetAuthInfo).raw)
		}},
}

// runBehaviours runs each behaviour against a plain server and a server with
// only that fault or variant.
func runBehaviours(t *testing.T, bs []behaviour, with func(*Options, string)) {
	for _, b := range bs {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			observe := func(name string) string {
				t.Helper()
				profile := cmpOr(b.profile, DefaultProfile)
				clock := newFakeClock()
				opts := Options{Profile: mustProfile(t, profile), Secrets: testSecrets, Now: clock.Now}
				if b.setup != nil {
					b.setup(&opts)
				}
				if name != "" {
					with(&opts, name)
				}
				if b.timed != nil {
					return b.timed(t, start(t, opts), clock)
				}
				return b.exchange(t, start(t, opts))
			}
			if got := observe(""); got != b.spec {
				t.Errorf("without %s: observed %q, want %q (the spec's behaviour)", b.name, got, b.spec)
			}
			if got := observe(b.name); got != b.changed {
				t.Errorf("with %s: observed %q, want %q", b.name, got, b.changed)
			}
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func TestFaultBehaviours(t *testing.T) {
	runBehaviours(t, faultBehaviours, func(o *Options, name string) { o.Faults = []string{name} })
}

func TestVariantBehaviours(t *testing.T) {
	runBehaviours(t, variantBehaviours, func(o *Options, name string) { o.Variants = []string{name} })
}

// TestFaultAndVariantTables: unique names, non-empty fields, known
// requirements, sorted, and a behaviour test for every entry.
func TestFaultAndVariantTables(t *testing.T) {
	type entry struct{ name, req, text string }
	check := func(t *testing.T, entries []entry, tested []behaviour) {
		seen := map[string]bool{}
		for i, e := range entries {
			if e.name == "" || e.req == "" || e.text == "" {
				t.Errorf("entry %d has an empty field: %+v", i, e)
			}
			if seen[e.name] {
				t.Errorf("%s: duplicate name", e.name)
			}
			seen[e.name] = true
			if _, ok := cases.LookupRequirement(e.req); !ok {
				t.Errorf("%s: requirement %q is not in cases/requirements.go", e.name, e.req)
			}
			if !strings.HasSuffix(e.text, ".") || strings.Count(e.text, ". ") > 0 {
				t.Errorf("%s: %q is not one sentence", e.name, e.text)
			}
			if i > 0 {
				prev := entries[i-1]
				if c := compareRequirements(prev.req, e.req); c > 0 || (c == 0 && prev.name > e.name) {
					t.Errorf("%s (%s) is listed after %s (%s)", e.name, e.req, prev.name, prev.req)
				}
			}
		}
		for _, b := range tested {
			if !seen[b.name] {
				t.Errorf("behaviour test for unknown name %s", b.name)
			}
			delete(seen, b.name)
		}
		for name := range seen {
			t.Errorf("%s has no behaviour test (add one to faultBehaviours or variantBehaviours)", name)
		}
	}
	t.Run("faults", func(t *testing.T) {
		var es []entry
		for _, f := range Faults() {
			es = append(es, entry{f.Name, f.Requirement, f.Breaks})
		}
		check(t, es, faultBehaviours)
	})
	t.Run("variants", func(t *testing.T) {
		var es []entry
		for _, v := range Variants() {
			es = append(es, entry{v.Name, v.Requirement, v.Does})
		}
		check(t, es, variantBehaviours)
	})
	fs := Faults()
	fs[0].Name = "changed"
	if Faults()[0].Name == "changed" {
		t.Error("Faults shares its slice with callers")
	}
	vs := Variants()
	vs[0].Name = "changed"
	if Variants()[0].Name == "changed" {
		t.Error("Variants shares its slice with callers")
	}
}

func TestCompareRequirements(t *testing.T) {
	ordered := []string{"ENV-1", "ENV-9", "AUTH-1", "FAIL-5", "RC-1", "RC-2", "RC-4", "RC-4b", "RC-5", "RC-5b", "RC-10", "RC-14",
		"ROLE-1", "SW-3", "TOK-1", "LIFE-1", "SEC-1", "ROB-1", "DISC-1", "CFG-6", "ZZZ-1"}
	for i := 1; i < len(ordered); i++ {
		if c := compareRequirements(ordered[i-1], ordered[i]); c >= 0 {
			t.Errorf("compareRequirements(%s, %s) = %d, want < 0", ordered[i-1], ordered[i], c)
		}
		if c := compareRequirements(ordered[i], ordered[i-1]); c <= 0 {
			t.Errorf("compareRequirements(%s, %s) = %d, want > 0", ordered[i], ordered[i-1], c)
		}
	}
	if c := compareRequirements("RC-4b", "RC-4b"); c != 0 {
		t.Errorf("compareRequirements(RC-4b, RC-4b) = %d", c)
	}
}

// TestNewRejectsUnknownNames: an unknown fault or variant names itself and
// lists the valid names; known names, repeated, are accepted.
func TestNewRejectsUnknownNames(t *testing.T) {
	var faults, variants []string
	for _, f := range Faults() {
		faults = append(faults, f.Name)
	}
	for _, v := range Variants() {
		variants = append(variants, v.Name)
	}
	for _, tc := range []struct {
		name  string
		opts  Options
		want  []string
		valid []string
	}{
		{"fault", Options{Faults: []string{"duplicate-response", "nope"}}, []string{`unknown fault "nope"`}, faults},
		{"empty fault", Options{Faults: []string{""}}, []string{`unknown fault ""`}, faults},
		{"variant as fault", Options{Faults: []string{"opaque-tokens"}}, []string{`unknown fault "opaque-tokens"`}, faults},
		{"variant", Options{Variants: []string{"nope", "also-nope"}}, []string{`unknown variant "nope", "also-nope"`}, variants},
		{"fault as variant", Options{Variants: []string{"duplicate-response"}}, []string{`unknown variant "duplicate-response"`}, variants},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.opts)
			if err == nil {
				s.Close()
				t.Fatal("New accepted an unknown name")
			}
			for _, w := range append(tc.want, "valid: "+strings.Join(tc.valid, ", ")) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	s, err := New(Options{Faults: append(faults, faults[0]), Variants: append(variants, variants[0])})
	if err != nil {
		t.Fatalf("New rejected valid names: %v", err)
	}
	s.Close()
}

// TestAllVariantsTogether runs every auth row in every profile with every
// variant on: the envelope and the invariants that no accepted set relaxes
// still hold (ENV-2..4, ENV-6, ENV-7, AUTH-1, AUTH-2, AUTH-5, FAIL-1, FAIL-2,
// FAIL-4, FAIL-5, ENV-9).
func TestAllVariantsTogether(t *testing.T) {
	for pi, name := range tableProfiles {
		p := mustProfile(t, name)
		t.Run(p.Name, func(t *testing.T) {
			t.Parallel()
			r := start(t, Options{Profile: p, Secrets: testSecrets, Now: newFakeClock().Now, LockoutThreshold: 1 << 30,
				Variants: variantNames()})
			creds := credentials(t, r)
			for _, row := range authRows {
				if strings.Fields(row.want)[pi] == "-" {
					continue
				}
				req, cred := row.req, ""
				if row.cred != "" {
					cred = creds[row.cred]
					req = fmt.Sprintf(row.req, fmt.Sprintf("%q", cred))
				}
				c, before, got, after := exchange(t, r, row.pre, req)
				rc := got.int("resultCode")
				result := field(got, "result")
				switch {
				case got.str("method") != "auth", field(got, "requestId") != `"1"`:
					t.Errorf("%s: envelope: %s", row.name, got.raw)
				case result != "true" && result != "false", (result == "true") != (rc == 0), field(got, "resultCode") != fmt.Sprint(rc), rc < 0 || rc > 12:
					t.Errorf("%s: result and resultCode: %s", row.name, got.raw)
				case got.has("privileges"):
					t.Errorf("%s: privileges: %s", row.name, got.raw)
				case rc == 0 && (got.str("token") == "" || got.str("tokenForHttpServer") == "" || got.str("token") == got.str("tokenForHttpServer")):
					t.Errorf("%s: success tokens: %s", row.name, got.raw)
				case rc == 0 && after != Mode(got.int("previleges")):
					t.Errorf("%s: mode %v after success: %s", row.name, after, got.raw)
				case rc != 0 && (got.has("token") || got.has("tokenForHttpServer") || got.has("previleges")):
					t.Errorf("%s: failure carries success fields: %s", row.name, got.raw)
				case rc != 0 && after != before:
					t.Errorf("%s: failure moved the mode from %v to %v: %s", row.name, before, after, got.raw)
				case cred != "" && strings.Contains(string(got.raw), cred) && got.str("token") != cred:
					// (A token re-authorization may return the token it was
					// given: AUTH-5's accepted set, variant reauth-returns-same-token.)
					t.Errorf("%s: reply contains the credential: %s", row.name, got.raw)
				}
				if info := c.call(reqGetAuthInfo); info.ok() != (after != ModeNone) {
					t.Errorf("%s: getAuthInfo in mode %v: %s", row.name, after, info.raw)
				}
				c.close()
			}
		})
	}
}

// TestEverythingAtOnce switches every fault and every variant on: whatever
// they do to the replies, every message is answered or the connection closed
// normally, and nothing panics. Three profiles cover every branch: PIN and
// passwords, an unprotected user mode, nothing protected on the free plan.
func TestEverythingAtOnce(t *testing.T) {
	for _, name := range []string{DefaultProfile, "admin-password", "free"} {
		p := mustProfile(t, name)
		t.Run(p.Name, func(t *testing.T) {
			t.Parallel()
			var sink syncBuffer
			log := slog.New(slog.NewTextHandler(&sink, &slog.HandlerOptions{Level: slog.LevelDebug}))
			r := start(t, Options{Profile: p, Secrets: testSecrets, Now: newFakeClock().Now, Logger: log,
				Faults: faultNames(), Variants: variantNames()})
			var tokens []string
			reqs := []string{
				`{"method":`, `[1]`, `{"requestId":5}`, `{"method":"getAuthInfo"}`, `{"method":"getAppState","requestId":"x"}`,
				`{"method":"auth","requestId":"идент-💡","type":"unsecured"}`,
				`{"method":"auth","requestId":"` + strings.Repeat("é", 200) + `","type":"unsecured","role":"user"}`,
			}
			for _, row := range authRows {
				if row.cred == "" {
					reqs = append(reqs, row.req)
				}
			}
			for _, cred := range []string{testSecrets.AdminPassword, testSecrets.AdminPIN, testSecrets.UserPassword, testSecrets.UserPIN, wrongSecret, ""} {
				for _, role := range []string{"", "admin", "user"} {
					reqs = append(reqs, secured(role, cred))
				}
			}
			exchange := func(pre, req string) {
				t.Helper()
				c := dial(t, r.URL)
				ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
				defer cancel()
				// The last message's reply marks the end; a close after a failure
				// ends the exchange earlier.
				for _, m := range []string{pre, req, reqGetAuthInfo, reqStatusChange, `{"method":"setUsedApiVersion","requestId":"end"}`} {
					if m == "" {
						continue
					}
					if err := c.ws.Write(ctx, websocket.MessageText, []byte(m)); err != nil {
						break // closed after a failure
					}
				}
			read:
				for {
					select {
					case m := <-c.msgs:
						got := parse(t, m.data)
						if tok := got.str("token"); tok != "" && len(tokens) < 8 {
							tokens = append(tokens, tok)
						}
						if got.str("requestId") == "end" {
							break read
						}
					case <-c.done:
						break read
					case <-time.After(waitLimit):
						t.Fatalf("%s: no end of the exchange", req)
					}
				}
				c.close()
				if code := websocket.CloseStatus(c.err); code == websocket.StatusInternalError {
					t.Errorf("%s: closed with 1011", req)
				}
			}
			for _, req := range reqs {
				exchange("", req)
				exchange(`{"method":"auth","requestId":"pre","type":"unsecured","role":"admin"}`, req)
			}
			for _, tok := range slices.Clone(tokens) {
				for _, role := range []string{"", "admin", "user"} {
					exchange("", secured(role, tok))
				}
			}
			if strings.Contains(sink.String(), "panic") {
				t.Errorf("the server panicked:\n%s", sink.String())
			}
		})
	}
}
