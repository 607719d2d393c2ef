package refserver

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

const tokenRE = `\*[A-Za-z0-9]{16}\*[0-9]{8}\*[0-9A-F]{64}`

// TestSuccessShape checks a whole success reply byte for byte, up to the
// random tokens: field order, spelling (previleges), types, token kinds.
func TestSuccessShape(t *testing.T) {
	r := startProfile(t, "admin-password-user-pin", newFakeClock())
	c := dial(t, r.URL)
	got := c.callf(`{"method":"auth","requestId":"1","type":"secured","credentials":%q}`, testSecrets.AdminPassword)
	re := regexp.MustCompile(`^\{"method":"auth","requestId":"1","previleges":2,` +
		`"token":"1` + tokenRE + `","tokenForHttpServer":"4` + tokenRE + `","overlayHttpToken":"5` + tokenRE + `",` +
		`"result":true,"resultCode":0\}$`)
	if !re.Match(got.raw) {
		t.Errorf("success reply\n%s\ndoes not match\n%s", got.raw, re)
	}
}

// TestFailureShape checks a failure reply byte for byte: no tokens, no
// previleges, an error text.
func TestFailureShape(t *testing.T) {
	r := startProfile(t, DefaultProfile, newFakeClock())
	c := dial(t, r.URL)
	got := c.call(`{"method":"auth","requestId":"1"}`)
	want := `{"method":"auth","requestId":"1","result":false,"resultCode":11,"error":"Missing type"}`
	if string(got.raw) != want {
		t.Errorf("got  %s\nwant %s", got.raw, want)
	}
}

// TestTokensDistinct: 32 successes give 96 distinct tokens (AUTH-5), and the
// issued tokens are known to the server with the right kind.
func TestTokensDistinct(t *testing.T) {
	r := startProfile(t, "unsecured", newFakeClock())
	c := dial(t, r.URL)
	seen := map[string]bool{}
	for i := range 32 {
		got := c.callf(`{"method":"auth","requestId":"%d","type":"unsecured","role":"user"}`, i)
		for kind, k := range map[TokenKind]string{APIToken: "token", HTTPToken: "tokenForHttpServer", OverlayToken: "overlayHttpToken"} {
			v := got.str(k)
			if seen[v] {
				t.Fatalf("token %s issued twice", k)
			}
			seen[v] = true
			info, ok := r.Server.TokenInfo(v)
			if !ok || info.Kind != kind || info.Mode != ModeUser || !info.Live {
				t.Errorf("%s: TokenInfo = %+v, %v", k, info, ok)
			}
		}
	}
	if _, ok := r.Server.TokenInfo("1*nope"); ok {
		t.Error("TokenInfo knows a token the server never issued")
	}
}

// TestRequestIDEcho: requestId comes back as the same raw JSON value, in
// success, failure, other methods and refusals; absent gives "".
func TestRequestIDEcho(t *testing.T) {
	ids := []string{
		`"abc"`,
		`"идентификатор-💡"`,
		`"` + strings.Repeat("x", 256) + `"`,
		`"<a&b>"`,
		`"\u00e9\n"`,
		`42`,
		`-1.5e3`,
		`null`,
		`{"a":[1,2]}`,
	}
	requests := []string{
		`{"method":"auth","requestId":%s,"type":"unsecured","role":"user"}`, // success
		`{"method":"auth","requestId":%s,"type":"open"}`,                    // failure
		`{"method":"getAuthInfo","requestId":%s}`,                           // other method
		`{"method":"nosuchMethod","requestId":%s}`,                          // unknown
		`{"requestId":%s}`, // no method
		`{"method":"setUsedApiVersion","requestId":%s,"version":"1"}`,              // before or after auth
		`{"method":"auth","requestId":%s,"type":"secured","credentials":"wrong!"}`, // failure
	}
	r := startProfile(t, "admin-password", newFakeClock())
	c := dial(t, r.URL)
	for _, id := range ids {
		for _, req := range requests {
			got := c.callf(req, id)
			if raw := string(got.fields["requestId"]); raw != id {
				t.Errorf("request %s: requestId %s, want %s", fmt.Sprintf(req, id), raw, id)
			}
			prefix := fmt.Sprintf(`{"method":%s,"requestId":%s,`, got.fields["method"], id)
			if !strings.HasPrefix(string(got.raw), prefix) {
				t.Errorf("reply %s does not start with %s", got.raw, prefix)
			}
		}
	}
	for _, req := range []string{
		`{"method":"auth","type":"unsecured","role":"user"}`,
		`{"method":"auth"}`,
		`{"method":"getAppState"}`,
		`{"method":42}`,
	} {
		got := c.call(req)
		if raw := string(got.fields["requestId"]); raw != `""` {
			t.Errorf("request %s without requestId: got requestId %s, want \"\"", req, raw)
		}
	}
}
