package refserver

import (
	"testing"
	"time"
)

// tokenInfo fetches a token's record or fails.
func tokenInfo(t *testing.T, s *Server, token string) TokenInfo {
	t.Helper()
	info, ok := s.TokenInfo(token)
	if !ok {
		t.Fatalf("server does not know the token")
	}
	return info
}

// TestStatusChange: SW-1 (fresh tokens, previleges 1), SW-2 (no PIN for the
// user), TOK-3 (the new token re-authorizes as user) and LIFE-5 (its expiry is
// the original authorization's, through a further token authorization too).
func TestStatusChange(t *testing.T) {
	clock := newFakeClock()
	t0 := clock.Now()
	r := startProfile(t, DefaultProfile, clock)
	a := dial(t, r.URL)
	first := expectRC(t, a, "0/2", reqPassword, testSecrets.AdminPassword)
	expiry := t0.Add(defaultAPITokenTTL)
	if got := tokenInfo(t, r.Server, first.str("token")).Expires; !got.Equal(expiry) {
		t.Fatalf("password token expires %v, want %v", got, expiry)
	}

	clock.Advance(time.Hour)
	sw := expectRC(t, a, "0/1", `{"method":"auth","requestId":"1","role":"user"}`)
	for _, k := range []string{"token", "tokenForHttpServer", "overlayHttpToken"} {
		if sw.str(k) == first.str(k) {
			t.Errorf("status change did not issue a fresh %s", k)
		}
	}
	info := tokenInfo(t, r.Server, sw.str("token"))
	if info.Mode != ModeUser || info.Origin != OriginStatusChange || !info.Expires.Equal(expiry) {
		t.Errorf("status-change token: %+v, want user, %s, expiring %v", info, OriginStatusChange, expiry)
	}
	if got, want := tokenInfo(t, r.Server, sw.str("tokenForHttpServer")).Expires, clock.Now().Add(defaultHTTPTokenTTL); !got.Equal(want) {
		t.Errorf("HTTP token after status change expires %v, want a fresh 5 minutes (%v)", got, want)
	}
	if got := a.call(`{"method":"getAuthInfo","requestId":"2"}`); !got.ok() || got.has("pin") || string(got.raw) != `{"method":"getAuthInfo","requestId":"2","adminAuth":{"security":"password"},"userAuth":{"security":"pin"},"result":true}` {
		t.Errorf("getAuthInfo after status change: %s", got.raw)
	}
	expectRC(t, a, "3", `{"method":"auth","requestId":"1","role":"user"}`) // no longer admin
	a.close()

	b := dial(t, r.URL)
	again := expectRC(t, b, "0/1", reqPassword, sw.str("token"))
	if info := tokenInfo(t, r.Server, again.str("token")); info.Origin != OriginToken || !info.Expires.Equal(expiry) {
		t.Errorf("token from token authorization: %+v, want origin token expiring %v", info, expiry)
	}

	clock.Advance(expiry.Sub(clock.Now()) - time.Nanosecond)
	expectRC(t, dial(t, r.URL), "0/1", reqPassword, again.str("token"))
	clock.Advance(time.Nanosecond)
	for _, tok := range []string{first.str("token"), sw.str("token"), again.str("token")} {
		expectRC(t, dial(t, r.URL), "8", reqPassword, tok)
		if tokenInfo(t, r.Server, tok).Live {
			t.Error("expired token reported live")
		}
	}
}

// TestAdminRoleWithoutType (SW-3): on an administrator connection it re-issues
// administrator tokens that keep the original expiry; after a command-line PIN
// that is "never".
func TestAdminRoleWithoutType(t *testing.T) {
	clock := newFakeClock()
	r := startProfile(t, DefaultProfile, clock)
	a := dial(t, r.URL)
	expectRC(t, a, "0/2", reqPassword, testSecrets.AdminPIN)
	got := expectRC(t, a, "0/2", `{"method":"auth","requestId":"1","role":"admin"}`)
	info := tokenInfo(t, r.Server, got.str("token"))
	if info.Mode != ModeAdmin || info.Origin != OriginStatusChange || !info.Expires.IsZero() {
		t.Errorf("SW-3 token after command-line PIN: %+v, want admin, never expiring", info)
	}
	clock.Advance(10 * 365 * 24 * time.Hour)
	expectRC(t, dial(t, r.URL), "0/2", reqPassword, got.str("token"))
}

// TestTokenReauthAfterClose (TOK-1, LIFE-5): a token from a closed connection
// authorizes a new one with the same mode; the new token keeps the old expiry.
func TestTokenReauthAfterClose(t *testing.T) {
	clock := newFakeClock()
	r := startProfile(t, "admin-password-user-password", clock)
	a := dial(t, r.URL)
	first := expectRC(t, a, "0/2", reqPassword, testSecrets.AdminPassword)
	a.close()
	waitFor(t, "the issuing connection to close", func() bool { return connCount(r.Server) == 0 })

	clock.Advance(24 * time.Hour)
	b := dial(t, r.URL)
	second := expectRC(t, b, "0/2", reqPassword, first.str("token"))
	i1, i2 := tokenInfo(t, r.Server, first.str("token")), tokenInfo(t, r.Server, second.str("token"))
	if !i2.Expires.Equal(i1.Expires) || i2.Origin != OriginToken {
		t.Errorf("re-issued token %+v does not inherit expiry %v", i2, i1.Expires)
	}
}

// TestLifetimes: the documented lifetimes on the injected clock, divided by
// TimeScale; the command-line PIN's token never expires; the overrides.
func TestLifetimes(t *testing.T) {
	const scale = 1000
	apiTTL := defaultAPITokenTTL / scale   // 43m12s
	httpTTL := defaultHTTPTokenTTL / scale // 300ms
	cases := []struct {
		name    string
		profile string
		req     string
		cred    string
		origin  Origin
		never   bool
	}{
		{"unsecured", "unsecured", `{"method":"auth","requestId":"1","type":"unsecured","role":"user"}`, "", OriginUnsecured, false},
		{"password", DefaultProfile, reqPassword, testSecrets.AdminPassword, OriginPassword, false},
		{"PIN", DefaultProfile, reqPassword, testSecrets.UserPIN, OriginPIN, false},
		{"command-line PIN", DefaultProfile, reqPassword, testSecrets.AdminPIN, OriginCommandLinePIN, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clock := newFakeClock()
			t0 := clock.Now()
			r := start(t, Options{Profile: mustProfile(t, tc.profile), Secrets: testSecrets, Now: clock.Now, TimeScale: scale})
			c := dial(t, r.URL)
			var got reply
			if tc.cred != "" {
				got = c.callf(tc.req, tc.cred)
			} else {
				got = c.call(tc.req)
			}
			if !got.ok() {
				t.Fatalf("auth: %s", got.raw)
			}
			api := tokenInfo(t, r.Server, got.str("token"))
			wantAPI := t0.Add(apiTTL)
			if tc.never {
				wantAPI = time.Time{}
			}
			if api.Origin != tc.origin || !api.Expires.Equal(wantAPI) || !api.Issued.Equal(t0) {
				t.Errorf("API token %+v, want origin %s, expiry %v", api, tc.origin, wantAPI)
			}
			httpTok := got.str("tokenForHttpServer")
			if got := tokenInfo(t, r.Server, httpTok).Expires; !got.Equal(t0.Add(httpTTL)) {
				t.Errorf("HTTP token expires %v, want %v", got, t0.Add(httpTTL))
			}
			if got := tokenInfo(t, r.Server, got.str("overlayHttpToken")).Expires; !got.IsZero() {
				t.Errorf("overlay token expires %v, want never", got)
			}

			clock.Advance(httpTTL - time.Nanosecond)
			if !tokenInfo(t, r.Server, httpTok).Live {
				t.Error("HTTP token dead before 5 min (scaled)")
			}
			clock.Advance(time.Nanosecond)
			if tokenInfo(t, r.Server, httpTok).Live {
				t.Error("HTTP token live at 5 min (scaled)")
			}
			// LIFE-3: the API token outlives the HTTP token.
			clock.Advance(apiTTL - httpTTL - time.Nanosecond)
			expectRC(t, dial(t, r.URL), got.outcome(), reqPassword, got.str("token"))
			clock.Advance(time.Nanosecond)
			want := "8"
			if tc.never {
				want = got.outcome()
			} else if tc.profile == "unsecured" {
				want = "4" // unidentified credentials where nothing is protected (RC-4b)
			}
			expectRC(t, dial(t, r.URL), want, reqPassword, got.str("token"))
		})
	}
}

// TestLifetimeOverrides: APITokenTTL and HTTPTokenTTL replace the documented
// lifetimes and are divided by TimeScale like them.
func TestLifetimeOverrides(t *testing.T) {
	clock := newFakeClock()
	t0 := clock.Now()
	r := start(t, Options{Profile: mustProfile(t, "unsecured"), Now: clock.Now, TimeScale: 10,
		APITokenTTL: 10 * time.Second, HTTPTokenTTL: time.Second})
	got := expectRC(t, dial(t, r.URL), "0/2", `{"method":"auth","requestId":"1","type":"unsecured"}`)
	if e := tokenInfo(t, r.Server, got.str("token")).Expires; !e.Equal(t0.Add(time.Second)) {
		t.Errorf("API token expires %v, want %v", e, t0.Add(time.Second))
	}
	if e := tokenInfo(t, r.Server, got.str("tokenForHttpServer")).Expires; !e.Equal(t0.Add(100 * time.Millisecond)) {
		t.Errorf("HTTP token expires %v, want %v", e, t0.Add(100*time.Millisecond))
	}
}

// TestUserPINCaseInsensitive (ROLE-4) with a generated PIN.
func TestUserPINCaseInsensitive(t *testing.T) {
	r := start(t, Options{Profile: mustProfile(t, DefaultProfile), Now: newFakeClock().Now})
	pin := r.Server.Secrets().UserPIN
	if !pinShape.MatchString(pin) {
		t.Fatalf("generated PIN %q has the wrong shape", pin)
	}
	for _, cred := range []string{pin, swapCase(pin)} {
		expectRC(t, dial(t, r.URL), "0/1", reqPasswordRole, "user", cred)
	}
}
