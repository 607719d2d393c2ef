package refserver

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// answerFaultBehaviours prove the faults of the envelope, the success answer
// and the failure answer (ENV, AUTH, FAIL); faultBehaviours joins them.
var answerFaultBehaviours = []behaviour{
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
	{name: "digit-request-id-as-number", spec: `"1" "x1"`, changed: `1 "x1"`, exchange: func(t *testing.T, r *Running) string {
		c := dial(t, r.URL)
		return field(c.call(reqUnsecuredAdmin), "requestId") + " " + field(c.call(`{"method":"auth","requestId":"x1","type":"open"}`), "requestId")
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
	{name: "silent-after-many-auths", spec: "31", changed: "30", exchange: func(t *testing.T, r *Running) string {
		c := dial(t, r.URL)
		for range 31 {
			c.send(reqUnsecuredAdmin)
		}
		return fmt.Sprint(authAnswersBefore(t, c))
	}},
}

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
