package refserver

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// containsPIN reports whether getAuthInfo shows pin as the user PIN.
func containsPIN(info reply, pin string) bool {
	var u struct {
		PIN string `json:"pin"`
	}
	_ = json.Unmarshal(info.fields["userAuth"], &u)
	return strings.EqualFold(u.PIN, pin)
}

// containsField reports whether object field obj has key.
func containsField(r reply, obj, key string) bool {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(r.fields[obj], &m)
	_, ok := m[key]
	return ok
}

// TestSetAuthParams: the reference's reading of setAuthParams, request by
// request, from the default profile (admin password, user PIN): the reply,
// the protection getAuthInfo shows afterwards, and the logins that work.
func TestSetAuthParams(t *testing.T) {
	tests := []struct {
		name    string
		profile string
		req     string
		want    string // "true" or "false <error>"
		after   string // admin and user security afterwards
		logins  map[string]string
		// generated: the answer returns a new PIN in newPin, and it logs
		// in as user.
		generated bool
	}{
		{name: "admin password", req: setAuth("admin", "password", `"password":"New-Pw-1"`), want: "true", after: "password pin",
			logins: map[string]string{secured("admin", "New-Pw-1"): "0/2", secured("admin", testSecrets.AdminPassword): "8", reqUnsecuredAdmin: "4"}},
		{name: "user pin given", req: setAuth("user", "pin", `"newPin":"qq42rr"`), want: "true", after: "password pin",
			logins: map[string]string{secured("user", "QQ42rr"): "0/1", secured("user", testSecrets.UserPIN): "8"}},
		{name: "user password", req: setAuth("user", "password", `"password":"User-Pw-2"`), want: "true", after: "password password",
			logins: map[string]string{secured("user", "User-Pw-2"): "0/1", secured("user", "user-pw-2"): "8"}},
		{name: "user unsecured", req: setAuth("user", "unsecured", ""), want: "true", after: "password unsecured",
			logins: map[string]string{reqUnsecuredUser: "0/1"}},
		{name: "admin unsecured makes user unsecured", req: setAuth("admin", "unsecured", ""), want: "true", after: "unsecured unsecured",
			logins: map[string]string{reqUnsecuredAdmin: "0/2", reqUnsecuredUser: "0/1"}},
		{name: "user protected while admin is not", profile: "unsecured", req: setAuth("user", "pin", ""), want: "false " + errAdminNotProtected, after: "unsecured unsecured"},
		{name: "admin pin is the command line's", req: setAuth("admin", "pin", `"newPin":"1234"`), want: "false " + errAdminPINFixed, after: "password pin"},
		{name: "empty password", req: setAuth("admin", "password", `"password":""`), want: "false " + errNoPassword, after: "password pin"},
		{name: "no password", req: setAuth("user", "password", ""), want: "false " + errNoPassword, after: "password pin"},
		{name: "bad userType", req: setAuth("root", "unsecured", ""), want: "false " + errBadUserType, after: "password pin"},
		{name: "bad authType", req: setAuth("user", "open", ""), want: "false " + errBadAuthType, after: "password pin"},
		{name: "numeric newPin", req: setAuth("user", "pin", `"newPin":1234`), want: "false " + errBadNewPIN, after: "password pin"},
		// CFG-2's "none given": null (TrueConf's Python client) and "" (its
		// Qt client) have the server generate the PIN, as no newPin does.
		{name: "null newPin", req: setAuth("user", "pin", `"newPin":null`), want: "true", after: "password pin", generated: true},
		{name: "empty newPin", req: setAuth("user", "pin", `"newPin":""`), want: "true", after: "password pin", generated: true},
		{name: "no newPin", req: setAuth("user", "pin", ""), want: "true", after: "password pin", generated: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := startProfile(t, cmp.Or(tt.profile, DefaultProfile), newFakeClock())
			c := dial(t, r.URL)
			if tt.profile == "unsecured" {
				expectRC(t, c, "0/2", reqUnsecuredAdmin)
			} else {
				expectRC(t, c, "0/2", reqPassword, testSecrets.AdminPassword)
			}
			got := c.call(tt.req)
			desc := fmt.Sprint(got.ok())
			if !got.ok() {
				desc += " " + got.str("error")
			}
			if desc != tt.want {
				t.Errorf("reply %s, want %s (%s)", desc, tt.want, got.raw)
			}
			info := c.call(reqGetAuthInfo)
			if after := securityOf(info, "adminAuth") + " " + securityOf(info, "userAuth"); after != tt.after {
				t.Errorf("afterwards %s, want %s", after, tt.after)
			}
			for req, want := range tt.logins {
				if got := dial(t, r.URL).call(req).outcome(); got != want {
					t.Errorf("%s: %s, want %s", req, got, want)
				}
			}
			if pin := got.str("newPin"); tt.generated && (pin == "" || strings.EqualFold(pin, testSecrets.UserPIN) ||
				dial(t, r.URL).call(secured("user", pin)).outcome() != "0/1") {
				t.Errorf("no working generated PIN: %s", got.raw)
			}
		})
	}
}

// TestSetAuthParamsGeneratesPIN: without newPin the server makes a PIN,
// returns it, and it works (CFG-2's second member); getAuthInfo shows it.
func TestSetAuthParamsGeneratesPIN(t *testing.T) {
	r := startProfile(t, "admin-password-user-password", newFakeClock())
	c, _ := adminLogin(t, r)
	got := c.call(setAuth("user", "pin", ""))
	pin := got.str("newPin")
	if !got.ok() || pin == "" {
		t.Fatalf("no newPin: %s", got.raw)
	}
	if o := dial(t, r.URL).call(secured("user", pin)).outcome(); o != "0/1" {
		t.Errorf("the returned PIN: %s", o)
	}
	if shown := c.call(reqGetAuthInfo); !containsPIN(shown, pin) {
		t.Errorf("getAuthInfo does not show the new PIN: %s", shown.raw)
	}
}

// TestSetAuthParamsRefusedOffAdmin: a user connection and a fresh one are
// refused, and nothing changes.
func TestSetAuthParamsRefusedOffAdmin(t *testing.T) {
	r := startProfile(t, DefaultProfile, newFakeClock())
	u := dial(t, r.URL)
	expectRC(t, u, "0/1", reqPassword, testSecrets.UserPIN)
	if got := u.call(setAuth("admin", "unsecured", "")); got.ok() || got.str("error") != errNotAdmin {
		t.Errorf("user connection: %s", got.raw)
	}
	if got := dial(t, r.URL).call(setAuth("admin", "unsecured", "")); got.ok() {
		t.Errorf("fresh connection: %s", got.raw)
	}
	if p := r.Server.Profile(); p.Admin != Password || p.User != PIN {
		t.Errorf("profile changed: %+v", p)
	}
}

// TestGetters: the stand-in getters real clients send are answered after
// auth, getSystemInfo with authInfo.peerId, and refused before it.
func TestGetters(t *testing.T) {
	r := startProfile(t, DefaultProfile, newFakeClock())
	c, _ := adminLogin(t, r)
	for _, m := range []string{"getSettings", "getSystemInfo", "getMonitorsInfo", "getHttpServerSettings"} {
		got := c.callf(`{"method":%q,"requestId":"g"}`, m)
		if !got.ok() || got.str("method") != m || got.str("requestId") != "g" {
			t.Errorf("%s: %s", m, got.raw)
		}
	}
	if info := c.call(`{"method":"getSystemInfo"}`); !containsField(info, "authInfo", "peerId") {
		t.Errorf("getSystemInfo without authInfo.peerId: %s", info.raw)
	}
	for _, m := range []string{"getSettings", "getHttpServerSettings"} {
		if got := dial(t, r.URL).callf(`{"method":%q,"requestId":"g"}`, m); got.ok() || got.str("error") != errAuthRequired {
			t.Errorf("%s before auth: %s", m, got.raw)
		}
	}
}
