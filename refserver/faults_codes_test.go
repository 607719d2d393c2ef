package refserver

import (
	"fmt"
	"strings"
	"testing"
)

// codeFaultBehaviours prove the faults of the result codes, the roles and the
// status change (RC, ROLE, SW); faultBehaviours joins them.
var codeFaultBehaviours = []behaviour{
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
}
