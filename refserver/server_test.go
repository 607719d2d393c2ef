package refserver

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

const eventDisplaced = `{"method":"event","event":"authorizationNeeded","cause":1}`

// holder returns the connection holding a mode, or nil.
func holder(s *Server, m Mode) *conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.holder[m]
}

// TestOneConnectionPerMode (SEC-3): a newcomer in a mode displaces the holder,
// which gets authorizationNeeded cause 1, drops to no mode and loses its HTTP
// token; its API token still re-authorizes.
func TestOneConnectionPerMode(t *testing.T) {
	t.Run("admin", func(t *testing.T) {
		r := startProfile(t, DefaultProfile, newFakeClock())
		a, b := dial(t, r.URL), dial(t, r.URL)
		first := authorize(t, a, r.Server, ModeAdmin)
		authorize(t, b, r.Server, ModeAdmin)
		if e := a.event(); string(e.raw) != eventDisplaced {
			t.Errorf("displaced connection got %s, want %s", e.raw, eventDisplaced)
		}
		if got := a.call(`{"method":"getAuthInfo","requestId":"1"}`); got.ok() {
			t.Errorf("displaced connection still authorized: %s", got.raw)
		}
		if got := b.call(`{"method":"getAuthInfo","requestId":"1"}`); !got.ok() || got.str("method") != "getAuthInfo" {
			t.Errorf("newcomer not authorized: %s", got.raw)
		}
		if info := tokenInfo(t, r.Server, first.str("tokenForHttpServer")); !info.Revoked || info.Live {
			t.Errorf("displaced connection's HTTP token still live: %+v", info)
		}
		if !tokenInfo(t, r.Server, first.str("token")).Live {
			t.Error("displaced connection's API token was revoked")
		}
		// The API token takes the mode back.
		expectRC(t, a, "0/2", reqPassword, first.str("token"))
		if e := b.event(); string(e.raw) != eventDisplaced {
			t.Errorf("got %s, want %s", e.raw, eventDisplaced)
		}
	})
	t.Run("user", func(t *testing.T) {
		r := startProfile(t, DefaultProfile, newFakeClock())
		a, b := dial(t, r.URL), dial(t, r.URL)
		authorize(t, a, r.Server, ModeUser)
		authorize(t, b, r.Server, ModeUser)
		if e := a.event(); string(e.raw) != eventDisplaced {
			t.Errorf("got %s, want %s", e.raw, eventDisplaced)
		}
	})
	t.Run("status change into a held user mode", func(t *testing.T) {
		r := startProfile(t, DefaultProfile, newFakeClock())
		a, u := dial(t, r.URL), dial(t, r.URL)
		authorize(t, a, r.Server, ModeAdmin)
		authorize(t, u, r.Server, ModeUser)
		expectRC(t, a, "0/1", `{"method":"auth","requestId":"1","role":"user"}`)
		if e := u.event(); string(e.raw) != eventDisplaced {
			t.Errorf("got %s, want %s", e.raw, eventDisplaced)
		}
		if holder(r.Server, ModeAdmin) != nil {
			t.Error("the status change did not free administrator mode")
		}
	})
	t.Run("failed auth displaces nobody", func(t *testing.T) {
		r := startProfile(t, DefaultProfile, newFakeClock())
		a, b := dial(t, r.URL), dial(t, r.URL)
		authorize(t, a, r.Server, ModeAdmin)
		held := holder(r.Server, ModeAdmin)
		expectRC(t, b, "8", reqPasswordRole, "admin", "wrong")
		expectRC(t, b, "5", reqPasswordRole, "admin", testSecrets.UserPIN)
		if holder(r.Server, ModeAdmin) != held {
			t.Error("a failed auth moved administrator mode")
		}
		if got := a.call(`{"method":"getAuthInfo","requestId":"1"}`); !got.ok() {
			t.Errorf("holder lost its mode: %s", got.raw)
		}
	})
	t.Run("closing frees the mode", func(t *testing.T) {
		r := startProfile(t, DefaultProfile, newFakeClock())
		a := dial(t, r.URL)
		authorize(t, a, r.Server, ModeAdmin)
		a.close()
		waitFor(t, "administrator mode to be freed", func() bool { return holder(r.Server, ModeAdmin) == nil })
		authorize(t, dial(t, r.URL), r.Server, ModeAdmin)
	})
}

// TestGetAuthInfo (SEC-2): the user PIN only for an administrator asking about a
// PIN-protected user mode.
func TestGetAuthInfo(t *testing.T) {
	cases := []struct {
		profile   string
		mode      Mode
		adminAuth string
		userAuth  string
	}{
		{DefaultProfile, ModeAdmin, `{"security":"password"}`, `{"security":"pin","pin":"ab12cd"}`},
		{DefaultProfile, ModeUser, `{"security":"password"}`, `{"security":"pin"}`},
		{"admin-password-user-password", ModeAdmin, `{"security":"password"}`, `{"security":"password"}`},
		{"admin-password", ModeAdmin, `{"security":"password"}`, `{"security":"unsecured"}`},
		{"unsecured", ModeAdmin, `{"security":"unsecured"}`, `{"security":"unsecured"}`},
		{"free", ModeUser, `{"security":"unsecured"}`, `{"security":"unsecured"}`},
	}
	for _, tc := range cases {
		t.Run(tc.profile+"/"+tc.mode.String(), func(t *testing.T) {
			r := startProfile(t, tc.profile, newFakeClock())
			c := dial(t, r.URL)
			authorize(t, c, r.Server, tc.mode)
			got := c.call(`{"method":"getAuthInfo","requestId":"7"}`)
			want := `{"method":"getAuthInfo","requestId":"7","adminAuth":` + tc.adminAuth + `,"userAuth":` + tc.userAuth + `,"result":true}`
			if string(got.raw) != want {
				t.Errorf("got  %s\nwant %s", got.raw, want)
			}
		})
	}
}

// TestOtherMethods: refusal before auth (SEC-1), setUsedApiVersion before auth,
// getAppState, unknown methods, a message without a method.
func TestOtherMethods(t *testing.T) {
	r := start(t, Options{Profile: mustProfile(t, DefaultProfile), Secrets: testSecrets, Now: newFakeClock().Now, EmbeddedHTTPPort: 9000})
	c := dial(t, r.URL)
	exchange := func(req, want string) {
		t.Helper()
		if got := c.call(req); string(got.raw) != want {
			t.Errorf("%s\n got  %s\n want %s", req, got.raw, want)
		}
	}
	exchange(`{"method":"setUsedApiVersion","version":"1"}`, `{"method":"setUsedApiVersion","requestId":"","result":true}`)
	for _, m := range []string{"getAuthInfo", "getAppState", "nosuchMethod", "setAuthParams"} {
		exchange(fmt.Sprintf(`{"method":%q,"requestId":"7"}`, m), fmt.Sprintf(`{"method":%q,"requestId":"7","result":false,"error":"Authorization required"}`, m))
	}
	exchange(`{"requestId":"5"}`, `{"method":"","requestId":"5","result":false,"error":"Missing or invalid method"}`)
	exchange(`{"method":5,"requestId":"5"}`, `{"method":"","requestId":"5","result":false,"error":"Missing or invalid method"}`)

	authorize(t, c, r.Server, ModeUser)
	exchange(`{"method":"getAppState","requestId":"8"}`, `{"method":"getAppState","requestId":"8","appState":3,"embeddedHttpPort":9000,"result":true}`)
	exchange(`{"method":"nosuchMethod","requestId":"9"}`, `{"method":"nosuchMethod","requestId":"9","result":false,"error":"Unknown method"}`)
	exchange(`{"method":"setUsedApiVersion","requestId":"1","version":"1"}`, `{"method":"setUsedApiVersion","requestId":"1","result":true}`)

	d := dial(t, r.URL)
	authorize(t, d, r.Server, ModeAdmin)
	if got := d.call(`{"method":"getAppState"}`); got.int("embeddedHttpPort") != 9000 {
		t.Errorf("getAppState: %s", got.raw)
	}
	// Without Start there is no HTTP listener: the device's default port.
	srv, err := New(Options{Profile: mustProfile(t, "unsecured"), Now: newFakeClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); hs.Close() })
	e := dial(t, "ws"+strings.TrimPrefix(hs.URL, "http")+"/")
	authorize(t, e, srv, ModeAdmin)
	if got := e.call(`{"method":"getAppState"}`); got.int("embeddedHttpPort") != 8766 {
		t.Errorf("default embeddedHttpPort: %s", got.raw)
	}
	// Under Start, the HTTP listener's port: TestStartListeners.
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestLogsHoldNoSecrets: a session through every path, logged at debug level,
// leaves no secret and no token in the log.
func TestLogsHoldNoSecrets(t *testing.T) {
	var sink syncBuffer
	log := slog.New(slog.NewTextHandler(&sink, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r := start(t, Options{Profile: mustProfile(t, DefaultProfile), Secrets: testSecrets, Now: newFakeClock().Now,
		Logger: log, LockoutThreshold: 2})
	var tokens []string
	keep := func(rep reply) {
		for _, k := range []string{"token", "tokenForHttpServer", "overlayHttpToken"} {
			if v := rep.str(k); v != "" {
				tokens = append(tokens, v)
			}
		}
	}
	a := dial(t, r.URL)
	keep(expectRC(t, a, "0/2", reqPassword, testSecrets.AdminPassword))
	keep(expectRC(t, a, "0/1", `{"method":"auth","requestId":"1","role":"user"}`))
	b := dial(t, r.URL)
	keep(expectRC(t, b, "0/2", reqPassword, testSecrets.AdminPIN))
	keep(expectRC(t, b, "0/1", reqPassword, testSecrets.UserPIN))
	keep(expectRC(t, b, "0/2", reqPassword, tokens[0]))
	b.call(`{"method":"getAuthInfo"}`)
	b.call(`{"method":`)
	expectRC(t, b, "8", reqPassword, "wrong-"+testSecrets.AdminPassword)
	expectRC(t, b, "8", reqPassword, "wrong-"+testSecrets.AdminPassword)
	expectRC(t, b, "6", reqPassword, testSecrets.UserPassword)
	r.Close()

	out := sink.String()
	if !strings.Contains(out, "auth granted") || !strings.Contains(out, "locked") {
		t.Errorf("log lacks the expected events:\n%s", out)
	}
	for _, s := range append(tokens, testSecrets.AdminPassword, testSecrets.AdminPIN, testSecrets.UserPIN, testSecrets.UserPassword) {
		if strings.Contains(out, s) {
			t.Errorf("log contains a secret or token (%.6s…)", s)
		}
	}
	for _, tok := range tokens {
		// Only the random parts matter: the kind prefix is public.
		if i := strings.IndexByte(tok, '*'); strings.Contains(out, tok[i+1:i+17]) {
			t.Error("log contains part of a token")
		}
	}
}
