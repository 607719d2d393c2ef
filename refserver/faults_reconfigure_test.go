package refserver

import (
	"fmt"
	"strings"
	"testing"
)

// reconfigureFaultBehaviours prove the faults of setAuthParams (CFG);
// faultBehaviours joins them.
var reconfigureFaultBehaviours = []behaviour{
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
	{name: "long-password-truncated", spec: "0/2 8", changed: "8 0/2", exchange: func(t *testing.T, r *Running) string {
		long := strings.Repeat("пароль-ü-", 40) // 360 characters
		c, _ := adminLogin(t, r)
		c.call(setAuth("admin", "password", fmt.Sprintf(`"password":%q`, long)))
		return outcomes(t, r, secured("admin", long), secured("admin", string([]rune(long)[:255])))
	}},
	{name: "user-credentials-change-cause-1", spec: "4", changed: "1", exchange: userReconfiguredNotice},
	{name: "no-reconfiguration-notice", spec: "4", changed: "none", exchange: userReconfiguredNotice},
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
