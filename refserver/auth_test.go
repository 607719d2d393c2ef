package refserver

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// tableProfiles are the profiles the auth table has a column for, in
// column order. (The other built-in profiles, admin PIN and the Free plan
// with protected modes, have TestAdminPINAndFreeProtected.)
var tableProfiles = []string{"unsecured", "admin-password", "admin-password-user-pin", "admin-password-user-password", "free"}

// authRow is one request of the auth algorithm with its expected outcome in
// each profile of tableProfiles. An outcome is "0/P" (success with
// previleges P), a failure code, or "-" where the profile has no such
// credential.
type authRow struct {
	name string
	pre  Mode   // authorize the connection into this mode first
	req  string // the request; %s is replaced by the JSON-encoded credential
	cred string // which credential (see credentials), "" for none
	want string
}

var authRows = []authRow{
	// 1. type is checked first.
	{name: "type open", req: `{"method":"auth","requestId":"1","type":"open","role":"admin"}`, want: "10 10 10 10 10"},
	{name: "type number", req: `{"method":"auth","requestId":"1","type":1}`, want: "10 10 10 10 10"},
	{name: "type null", req: `{"method":"auth","requestId":"1","type":null,"role":"user"}`, want: "10 10 10 10 10"},
	{name: "type wrong case", req: `{"method":"auth","requestId":"1","type":"Secured","credentials":"x"}`, want: "10 10 10 10 10"},
	{name: "bad type and bad role", req: `{"method":"auth","requestId":"1","type":"open","role":"root"}`, want: "10 10 10 10 10"},
	{name: "bad type empty credentials", req: `{"method":"auth","requestId":"1","type":"","credentials":""}`, want: "10 10 10 10 10"},
	// 2. role.
	{name: "role root", req: `{"method":"auth","requestId":"1","type":"unsecured","role":"root"}`, want: "9 9 9 9 9"},
	{name: "role empty", req: `{"method":"auth","requestId":"1","type":"unsecured","role":""}`, want: "9 9 9 9 9"},
	{name: "role boolean", req: `{"method":"auth","requestId":"1","type":"unsecured","role":true}`, want: "9 9 9 9 9"},
	{name: "role null", req: `{"method":"auth","requestId":"1","type":"unsecured","role":null}`, want: "9 9 9 9 9"},
	{name: "bad role before missing credentials", req: `{"method":"auth","requestId":"1","type":"secured","role":"root"}`, want: "9 9 9 9 9"},
	{name: "bad role without type", req: `{"method":"auth","requestId":"1","role":"Admin"}`, want: "9 9 9 9 9"},
	// 3. no type: 11, or a status change.
	{name: "no type no role", req: `{"method":"auth","requestId":"1"}`, want: "11 11 11 11 11"},
	{name: "no type no role with credentials", req: `{"method":"auth","requestId":"1","credentials":"x"}`, want: "11 11 11 11 11"},
	{name: "status change on fresh connection", req: `{"method":"auth","requestId":"1","role":"user"}`, want: "3 3 3 3 3"},
	{name: "role admin without type on fresh connection", req: `{"method":"auth","requestId":"1","role":"admin"}`, want: "3 3 3 3 3"},
	{name: "status change on user connection", pre: ModeUser, req: `{"method":"auth","requestId":"1","role":"user"}`, want: "3 3 3 3 3"},
	{name: "role admin without type on user connection", pre: ModeUser, req: `{"method":"auth","requestId":"1","role":"admin"}`, want: "3 3 3 3 3"},
	{name: "status change admin to user", pre: ModeAdmin, req: `{"method":"auth","requestId":"1","role":"user"}`, want: "0/1 0/1 0/1 0/1 0/1"},
	{name: "role admin without type on admin connection (SW-3)", pre: ModeAdmin, req: `{"method":"auth","requestId":"1","role":"admin"}`, want: "0/2 0/2 0/2 0/2 0/2"},
	// 4. unsecured.
	{name: "unsecured admin", req: `{"method":"auth","requestId":"1","type":"unsecured","role":"admin"}`, want: "0/2 4 4 4 0/2"},
	{name: "unsecured user", req: `{"method":"auth","requestId":"1","type":"unsecured","role":"user"}`, want: "0/1 0/1 4 4 0/1"},
	{name: "unsecured without role", req: `{"method":"auth","requestId":"1","type":"unsecured"}`, want: "0/2 0/1 4 4 0/2"},
	{name: "unsecured user with extra field", req: `{"method":"auth","requestId":"1","type":"unsecured","role":"user","x-extra":1}`, want: "0/1 0/1 4 4 0/1"},
	{name: "unsecured admin from user connection", pre: ModeUser, req: `{"method":"auth","requestId":"1","type":"unsecured","role":"admin"}`, want: "0/2 4 4 4 0/2"},
	{name: "unsecured ignores credentials", req: `{"method":"auth","requestId":"1","type":"unsecured","role":"admin","credentials":%s}`, cred: "adminPassword", want: "- 4 4 4 -"},
	// 5. secured: credentials present, a string, non-empty.
	{name: "secured without credentials", req: `{"method":"auth","requestId":"1","type":"secured","role":"admin"}`, want: "12 12 12 12 12"},
	{name: "secured without credentials or role", req: `{"method":"auth","requestId":"1","type":"secured"}`, want: "12 12 12 12 12"},
	{name: "credentials number", req: `{"method":"auth","requestId":"1","type":"secured","credentials":42}`, want: "7 7 7 7 7"},
	{name: "credentials null", req: `{"method":"auth","requestId":"1","type":"secured","credentials":null}`, want: "7 7 7 7 7"},
	{name: "credentials object", req: `{"method":"auth","requestId":"1","type":"secured","credentials":{"p":"x"}}`, want: "7 7 7 7 7"},
	{name: "credentials empty", req: `{"method":"auth","requestId":"1","type":"secured","role":"user","credentials":""}`, want: "7 7 7 7 7"},
	// Admin password (exact match).
	{name: "admin password", req: `{"method":"auth","requestId":"1","type":"secured","credentials":%s}`, cred: "adminPassword", want: "- 0/2 0/2 0/2 -"},
	{name: "admin password role admin", req: `{"method":"auth","requestId":"1","type":"secured","role":"admin","credentials":%s}`, cred: "adminPassword", want: "- 0/2 0/2 0/2 -"},
	{name: "admin password role user", req: `{"method":"auth","requestId":"1","type":"secured","role":"user","credentials":%s}`, cred: "adminPassword", want: "- 4 0/1 0/1 -"},
	{name: "admin password in other case", req: `{"method":"auth","requestId":"1","type":"secured","credentials":%s}`, cred: "adminPasswordSwapped", want: "- 8 8 8 -"},
	// Command-line PIN: administrator in every profile but free.
	{name: "command-line PIN", req: `{"method":"auth","requestId":"1","type":"secured","credentials":%s}`, cred: "adminPIN", want: "0/2 0/2 0/2 0/2 2"},
	{name: "command-line PIN in other case", req: `{"method":"auth","requestId":"1","type":"secured","credentials":%s}`, cred: "adminPINSwapped", want: "0/2 0/2 0/2 0/2 2"},
	{name: "command-line PIN role admin", req: `{"method":"auth","requestId":"1","type":"secured","role":"admin","credentials":%s}`, cred: "adminPIN", want: "0/2 0/2 0/2 0/2 2"},
	{name: "command-line PIN role user", req: `{"method":"auth","requestId":"1","type":"secured","role":"user","credentials":%s}`, cred: "adminPIN", want: "4 4 0/1 0/1 2"},
	// User PIN (case-insensitive).
	{name: "user PIN", req: `{"method":"auth","requestId":"1","type":"secured","credentials":%s}`, cred: "userPIN", want: "- - 0/1 - -"},
	{name: "user PIN upper case", req: `{"method":"auth","requestId":"1","type":"secured","credentials":%s}`, cred: "userPINSwapped", want: "- - 0/1 - -"},
	{name: "user PIN role user", req: `{"method":"auth","requestId":"1","type":"secured","role":"user","credentials":%s}`, cred: "userPIN", want: "- - 0/1 - -"},
	{name: "user PIN role admin", req: `{"method":"auth","requestId":"1","type":"secured","role":"admin","credentials":%s}`, cred: "userPIN", want: "- - 5 - -"},
	// User password (exact match).
	{name: "user password", req: `{"method":"auth","requestId":"1","type":"secured","credentials":%s}`, cred: "userPassword", want: "- - - 0/1 -"},
	{name: "user password role user", req: `{"method":"auth","requestId":"1","type":"secured","role":"user","credentials":%s}`, cred: "userPassword", want: "- - - 0/1 -"},
	{name: "user password role admin", req: `{"method":"auth","requestId":"1","type":"secured","role":"admin","credentials":%s}`, cred: "userPassword", want: "- - - 5 -"},
	{name: "user password in other case", req: `{"method":"auth","requestId":"1","type":"secured","credentials":%s}`, cred: "userPasswordSwapped", want: "- - - 8 -"},
	// Wrong credentials: 8, or 4 where nothing protects the mode (RC-4b), 2 on free.
	{name: "wrong credentials", req: `{"method":"auth","requestId":"1","type":"secured","credentials":%s}`, cred: "wrong", want: "4 8 8 8 2"},
	{name: "wrong credentials role user", req: `{"method":"auth","requestId":"1","type":"secured","role":"user","credentials":%s}`, cred: "wrong", want: "4 4 8 8 2"},
	{name: "wrong credentials role admin", req: `{"method":"auth","requestId":"1","type":"secured","role":"admin","credentials":%s}`, cred: "wrong", want: "4 8 8 8 2"},
	{name: "wrong credentials from admin connection", pre: ModeAdmin, req: `{"method":"auth","requestId":"1","type":"secured","credentials":%s}`, cred: "wrong", want: "4 8 8 8 2"},
	// Tokens: work on every plan and whatever the protection; never raise privileges.
	{name: "admin token", req: `{"method":"auth","requestId":"1","type":"secured","credentials":%s}`, cred: "adminToken", want: "0/2 0/2 0/2 0/2 0/2"},
	{name: "admin token role admin", req: `{"method":"auth","requestId":"1","type":"secured","role":"admin","credentials":%s}`, cred: "adminToken", want: "0/2 0/2 0/2 0/2 0/2"},
	{name: "admin token role user", req: `{"method":"auth","requestId":"1","type":"secured","role":"user","credentials":%s}`, cred: "adminToken", want: "0/1 0/1 0/1 0/1 0/1"},
	{name: "user token", req: `{"method":"auth","requestId":"1","type":"secured","credentials":%s}`, cred: "userToken", want: "0/1 0/1 0/1 0/1 0/1"},
	{name: "user token role user", req: `{"method":"auth","requestId":"1","type":"secured","role":"user","credentials":%s}`, cred: "userToken", want: "0/1 0/1 0/1 0/1 0/1"},
	{name: "user token role admin", req: `{"method":"auth","requestId":"1","type":"secured","role":"admin","credentials":%s}`, cred: "userToken", want: "5 5 5 5 5"},
	{name: "HTTP token as credentials", req: `{"method":"auth","requestId":"1","type":"secured","credentials":%s}`, cred: "httpToken", want: "4 8 8 8 2"},
	{name: "overlay token as credentials", req: `{"method":"auth","requestId":"1","type":"secured","credentials":%s}`, cred: "overlayToken", want: "4 8 8 8 2"},
	{name: "altered token", req: `{"method":"auth","requestId":"1","type":"secured","credentials":%s}`, cred: "alteredToken", want: "4 8 8 8 2"},
	{name: "malformed token", req: `{"method":"auth","requestId":"1","type":"secured","credentials":"1*abc*1*FF"}`, want: "4 8 8 8 2"},
}

// swapCase turns upper into lower case and back.
func swapCase(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z':
			return r - 'A' + 'a'
		}
		return r
	}, s)
}

// credentials returns the credential values a profile can offer: the secrets
// it uses and tokens minted by connections that have since closed.
func credentials(t *testing.T, r *Running) map[string]string {
	t.Helper()
	sec := r.Server.Secrets()
	creds := map[string]string{"wrong": "definitely-not-a-secret"}
	add := func(name, v string) {
		if v != "" {
			creds[name] = v
			creds[name+"Swapped"] = swapCase(v)
		}
	}
	add("adminPassword", sec.AdminPassword)
	add("adminPIN", sec.AdminPIN)
	add("userPassword", sec.UserPassword)
	add("userPIN", sec.UserPIN)

	a := dial(t, r.URL)
	ar := authorize(t, a, r.Server, ModeAdmin)
	a.close()
	u := dial(t, r.URL)
	ur := authorize(t, u, r.Server, ModeUser)
	u.close()
	creds["adminToken"] = ar.str("token")
	creds["userToken"] = ur.str("token")
	creds["httpToken"] = ar.str("tokenForHttpServer")
	creds["overlayToken"] = ar.str("overlayHttpToken")
	tok := ar.str("token")
	last := "0"
	if strings.HasSuffix(tok, "0") {
		last = "1"
	}
	creds["alteredToken"] = tok[:len(tok)-1] + last
	waitFor(t, "token connections to close", func() bool { return connCount(r.Server) == 0 })
	return creds
}

// TestAuthAlgorithm runs every row in every built-in profile: each result code
// the server can produce, the success shape, FAIL-4 (a failure changes no
// mode) and FAIL-5 (no credential echoed).
func TestAuthAlgorithm(t *testing.T) {
	for pi, name := range tableProfiles {
		p := mustProfile(t, name)
		t.Run(p.Name, func(t *testing.T) {
			opts := Options{Profile: p, Secrets: testSecrets, Now: newFakeClock().Now, LockoutThreshold: 1 << 30}
			r := start(t, opts)
			creds := credentials(t, r)
			for _, row := range authRows {
				want := strings.Fields(row.want)[pi]
				if want == "-" {
					continue
				}
				t.Run(row.name, func(t *testing.T) {
					req := row.req
					cred := ""
					if row.cred != "" {
						var ok bool
						if cred, ok = creds[row.cred]; !ok {
							t.Fatalf("profile %s has no %s, but the row expects %s", p.Name, row.cred, want)
						}
						enc, _ := json.Marshal(cred)
						req = fmt.Sprintf(row.req, enc)
					}
					c, before, got, after := exchange(t, r, row.pre, req)
					checkAuthShape(t, got)
					if got.outcome() != want {
						t.Errorf("got %s, want %s: %s", got.outcome(), want, got.raw)
					}
					if string(got.fields["requestId"]) != `"1"` {
						t.Errorf("requestId not echoed: %s", got.raw)
					}
					if cred != "" && strings.Contains(string(got.raw), cred) {
						t.Errorf("reply contains the credential: %s", got.raw)
					}
					if got.ok() && after != Mode(got.int("previleges")) {
						t.Errorf("mode after success is %v, want %d", after, got.int("previleges"))
					}
					if !got.ok() && after != before {
						t.Errorf("a failure changed the mode from %v to %v", before, after)
					}
					// The connection stays open after a failure and still answers (ENV-9).
					info := c.call(`{"method":"getAuthInfo","requestId":"2"}`)
					if info.ok() != (after != ModeNone) {
						t.Errorf("getAuthInfo in mode %v: %s", after, info.raw)
					}
				})
			}
		})
	}
}

// TestAuthResultCodesReachable makes sure the table exercises every code the
// server can produce; 6 is covered by TestLockout.
func TestAuthResultCodesReachable(t *testing.T) {
	seen := map[string]bool{}
	for _, row := range authRows {
		for _, w := range strings.Fields(row.want) {
			seen[strings.SplitN(w, "/", 2)[0]] = true
		}
	}
	for _, code := range []string{"0", "2", "3", "4", "5", "7", "8", "9", "10", "11", "12"} {
		if !seen[code] {
			t.Errorf("no row expects resultCode %s", code)
		}
	}
	for _, row := range authRows {
		if n := len(strings.Fields(row.want)); n != len(tableProfiles) {
			t.Errorf("row %q has %d outcomes, want %d", row.name, n, len(tableProfiles))
		}
	}
}

// TestAdminPINAndFreeProtected covers what the profiles outside the auth
// table add: an administrator protected by a PIN (VideoSDK), and the Free
// plan with protected modes, where every secured login gets 2.
func TestAdminPINAndFreeProtected(t *testing.T) {
	for _, tt := range []struct {
		profile, req, cred, want string
	}{
		{"admin-pin", `{"method":"auth","requestId":"1","type":"secured","credentials":%s}`, "adminPIN", "0/2"},
		{"admin-pin", `{"method":"auth","requestId":"1","type":"secured","role":"admin","credentials":%s}`, "adminPINSwapped", "0/2"},
		{"admin-pin", `{"method":"auth","requestId":"1","type":"unsecured","role":"admin"}`, "", "4"},
		{"admin-pin", `{"method":"auth","requestId":"1","type":"unsecured","role":"user"}`, "", "0/1"},
		{"admin-pin", `{"method":"auth","requestId":"1","type":"secured","role":"user","credentials":%s}`, "adminPIN", "4"},
		{"admin-pin-user-pin", `{"method":"auth","requestId":"1","type":"secured","role":"user","credentials":%s}`, "adminPIN", "0/1"},
		{"admin-pin-user-pin", `{"method":"auth","requestId":"1","type":"secured","role":"admin","credentials":%s}`, "userPIN", "5"},
		{"admin-pin-user-password", `{"method":"auth","requestId":"1","type":"secured","credentials":%s}`, "userPassword", "0/1"},
		{"admin-pin-user-password", `{"method":"auth","requestId":"1","type":"secured","credentials":%s}`, "wrong", "8"},
		{"free-admin-password", `{"method":"auth","requestId":"1","type":"secured","role":"admin","credentials":%s}`, "adminPassword", "2"},
		{"free-admin-password", `{"method":"auth","requestId":"1","type":"unsecured","role":"admin"}`, "", "4"},
		{"free-admin-password", `{"method":"auth","requestId":"1","type":"unsecured"}`, "", "0/1"},
		{"free-admin-pin-user-pin", `{"method":"auth","requestId":"1","type":"secured","credentials":%s}`, "userPIN", "2"},
		{"free-admin-pin-user-pin", `{"method":"auth","requestId":"1","type":"unsecured"}`, "", "4"},
		{"free-admin-password-user-password", `{"method":"auth","requestId":"1","type":"secured","credentials":%s}`, "wrong", "2"},
	} {
		t.Run(tt.profile+" "+tt.req, func(t *testing.T) {
			p := mustProfile(t, tt.profile)
			r := start(t, Options{Profile: p, Now: newFakeClock().Now})
			sec := r.Server.Secrets()
			creds := map[string]string{"adminPIN": sec.AdminPIN, "adminPINSwapped": swapCase(sec.AdminPIN),
				"adminPassword": sec.AdminPassword, "userPIN": sec.UserPIN, "userPassword": sec.UserPassword, "wrong": "not-a-secret-at-all"}
			req := tt.req
			if tt.cred != "" {
				enc, _ := json.Marshal(creds[tt.cred])
				req = fmt.Sprintf(tt.req, enc)
			}
			got := dial(t, r.URL).call(req)
			checkAuthShape(t, got)
			if got.outcome() != tt.want {
				t.Errorf("got %s, want %s: %s", got.outcome(), tt.want, got.raw)
			}
		})
	}
}
