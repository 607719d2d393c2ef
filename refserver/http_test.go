package refserver

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// probePath is the suite's default probe of the embedded HTTP server, up to
// the token.
const probePath = "/frames/?peerId=%23self%3A0&token="

var httpClient = &http.Client{Timeout: waitLimit}

// httpGet fetches a URL and returns the response with its body read.
func httpGet(t testing.TB, method, u string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: body: %v", method, u, err)
	}
	return resp, body
}

// httpStatus probes the embedded HTTP server with a token at the default
// probe path.
func httpStatus(t testing.TB, r *Running, token string) int {
	t.Helper()
	resp, _ := httpGet(t, http.MethodGet, r.HTTPURL+probePath+url.QueryEscape(token))
	return resp.StatusCode
}

// getHTTPToken asks for a fresh HTTP token and returns it.
func getHTTPToken(t testing.TB, c *client) string {
	t.Helper()
	got := c.call(`{"method":"getTokenForHttpServer","requestId":"h"}`)
	if !got.ok() || got.str("token") == "" {
		t.Fatalf("getTokenForHttpServer: %s", got.raw)
	}
	return got.str("token")
}

// fetchConfig fetches config.json from a web manager and returns the raw
// websocket and http ports.
func fetchConfig(t testing.TB, webURL string) (wsPort, httpPort json.RawMessage) {
	t.Helper()
	resp, body := httpGet(t, "GET", webURL+"/public/default/config.json")
	if resp.StatusCode != 200 {
		t.Fatalf("config.json: HTTP %d: %s", resp.StatusCode, body)
	}
	var cfg struct {
		Config struct {
			WebSocket struct{ Port json.RawMessage } `json:"websocket"`
			HTTP      struct{ Port json.RawMessage } `json:"http"`
		} `json:"config"`
	}
	if err := json.Unmarshal(body, &cfg); err != nil {
		t.Fatalf("config.json %s: %v", body, err)
	}
	return cfg.Config.WebSocket.Port, cfg.Config.HTTP.Port
}

// describePort says how a port from config.json relates to the real one.
func describePort(raw json.RawMessage, real int) string {
	var n int
	if err := json.Unmarshal(raw, &n); err == nil {
		if n == real {
			return "number"
		}
		return fmt.Sprintf("number%+d", n-real)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if s == strconv.Itoa(real) {
			return "string"
		}
		return "string " + s
	}
	return "other " + string(raw)
}

// urlPort is the port of a URL.
func urlPort(t testing.TB, u string) int {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	p, err := strconv.Atoi(pu.Port())
	if err != nil {
		t.Fatalf("port of %s: %v", u, err)
	}
	return p
}

// TestHTTPHandler (LIFE-1, LIFE-2): a live HTTP or overlay token opens any
// path; an API token, a wrong, empty, missing or expired token gets 401; a
// displaced connection's session tokens stop working; nothing of a token
// reaches the log.
func TestHTTPHandler(t *testing.T) {
	var sink syncBuffer
	log := slog.New(slog.NewTextHandler(&sink, &slog.HandlerOptions{Level: slog.LevelDebug}))
	clock := newFakeClock()
	r := start(t, Options{Profile: mustProfile(t, DefaultProfile), Secrets: testSecrets, Now: clock.Now, Logger: log})
	a, admin := adminLogin(t, r)
	user := expectRC(t, dial(t, r.URL), "0/1", reqPassword, testSecrets.UserPIN)
	requested := getHTTPToken(t, a)
	tokens := []string{admin.str("token"), admin.str("tokenForHttpServer"), admin.str("overlayHttpToken"),
		user.str("token"), user.str("tokenForHttpServer"), requested}

	for _, path := range []string{probePath, "/?token=", "/any/where?x=1&token="} {
		resp, body := httpGet(t, "GET", r.HTTPURL+path+url.QueryEscape(admin.str("tokenForHttpServer")))
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" || len(body) == 0 {
			t.Errorf("%s with the HTTP token: %d %q, %d bytes", path, resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
		}
	}
	for _, tc := range []struct {
		name  string
		token string
		want  int
	}{
		{"admin HTTP token", admin.str("tokenForHttpServer"), 200},
		{"admin overlay token", admin.str("overlayHttpToken"), 200},
		{"user HTTP token", user.str("tokenForHttpServer"), 200},
		{"user overlay token", user.str("overlayHttpToken"), 200},
		{"requested HTTP token", requested, 200},
		{"admin API token", admin.str("token"), 401},
		{"user API token", user.str("token"), 401},
		{"wrong token", wrongSecret, 401},
		{"altered HTTP token", admin.str("tokenForHttpServer") + "0", 401},
		{"empty token", "", 401},
	} {
		if got := httpStatus(t, r, tc.token); got != tc.want {
			t.Errorf("%s: HTTP %d, want %d", tc.name, got, tc.want)
		}
	}
	resp, body := httpGet(t, "GET", r.HTTPURL+"/frames/?peerId=%23self%3A0")
	if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") || len(body) == 0 {
		t.Errorf("no token: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if resp, _ := httpGet(t, "GET", r.HTTPURL+"/frames/?tokenForHttpServer="+url.QueryEscape(admin.str("tokenForHttpServer"))); resp.StatusCode != 401 {
		t.Errorf("token under another parameter name: HTTP %d, want 401", resp.StatusCode)
	}
	if resp, body := httpGet(t, "HEAD", r.HTTPURL+probePath+url.QueryEscape(requested)); resp.StatusCode != 200 || len(body) != 0 {
		t.Errorf("HEAD: %d, %d bytes", resp.StatusCode, len(body))
	}
	if resp, _ := httpGet(t, "POST", r.HTTPURL+probePath+url.QueryEscape(requested)); resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}

	// Expiry on the server clock: the 5 minutes count from issue.
	clock.Advance(defaultHTTPTokenTTL - time.Nanosecond)
	if got := httpStatus(t, r, admin.str("tokenForHttpServer")); got != 200 {
		t.Errorf("HTTP token 1 ns before expiry: HTTP %d", got)
	}
	clock.Advance(time.Nanosecond)
	for name, tok := range map[string]string{"admin": admin.str("tokenForHttpServer"), "user": user.str("tokenForHttpServer"), "requested": requested} {
		if got := httpStatus(t, r, tok); got != 401 {
			t.Errorf("expired %s HTTP token: HTTP %d, want 401", name, got)
		}
	}
	if got := httpStatus(t, r, admin.str("overlayHttpToken")); got != 200 {
		t.Errorf("overlay token after 5 minutes: HTTP %d, want 200 (no time limit)", got)
	}

	// A displaced connection loses its session tokens.
	fresh := getHTTPToken(t, a)
	adminLogin(t, r)
	for name, tok := range map[string]string{"overlay": admin.str("overlayHttpToken"), "requested": fresh} {
		if got := httpStatus(t, r, tok); got != 401 {
			t.Errorf("displaced connection's %s token: HTTP %d, want 401", name, got)
		}
	}
	if got := httpStatus(t, r, user.str("overlayHttpToken")); got != 200 {
		t.Errorf("bystander's overlay token: HTTP %d, want 200", got)
	}

	r.Close()
	out := sink.String()
	if !strings.Contains(out, "http request") {
		t.Errorf("the HTTP server logged nothing:\n%s", out)
	}
	for _, tok := range append(tokens, fresh) {
		if i := strings.IndexByte(tok, '*'); strings.Contains(out, tok[i+1:i+17]) {
			t.Error("log contains part of a token")
		}
	}
}

// TestHTTPHandlerAfterClose: a closed Server's HTTP handler refuses everything.
func TestHTTPHandlerAfterClose(t *testing.T) {
	srv, err := New(Options{Profile: mustProfile(t, "unsecured"), Now: newFakeClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.HTTPHandler())
	defer hs.Close()
	srv.Close()
	if resp, _ := httpGet(t, "GET", hs.URL+probePath+"x"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("after Close: HTTP %d, want 503", resp.StatusCode)
	}
}

// TestWebHandler (DISC-1): config.json with the ports as JSON numbers; every
// other path 404.
func TestWebHandler(t *testing.T) {
	srv, err := New(Options{Profile: mustProfile(t, "unsecured"), Now: newFakeClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	hs := httptest.NewServer(srv.WebHandler(8765, 8766))
	defer hs.Close()
	resp, body := httpGet(t, "GET", hs.URL+"/public/default/config.json")
	if want := `{"config":{"websocket":{"port":8765},"http":{"port":8766}}}`; resp.StatusCode != 200 || string(body) != want {
		t.Errorf("config.json: %d %s, want 200 %s", resp.StatusCode, body, want)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if resp, body := httpGet(t, "HEAD", hs.URL+"/public/default/config.json"); resp.StatusCode != 200 || len(body) != 0 {
		t.Errorf("HEAD: %d, %d bytes", resp.StatusCode, len(body))
	}
	for _, path := range []string{"/", "/public/default/", "/public/default/config.json/x", "/public/default/config.JSON", "/frames/?token=x"} {
		if resp, _ := httpGet(t, "GET", hs.URL+path); resp.StatusCode != 404 {
			t.Errorf("GET %s: HTTP %d, want 404", path, resp.StatusCode)
		}
	}
	if resp, _ := httpGet(t, "POST", hs.URL+"/public/default/config.json"); resp.StatusCode != 405 {
		t.Errorf("POST config.json: HTTP %d, want 405", resp.StatusCode)
	}
}

// TestStartListeners: Start runs the API, the HTTP server and the web
// manager on three loopback ports; config.json leads to the other two;
// getAppState reports the HTTP server's real port; Close stops all three.
func TestStartListeners(t *testing.T) {
	r, err := Start("127.0.0.1:0", Options{Profile: mustProfile(t, DefaultProfile), Secrets: testSecrets, Now: newFakeClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	httpURL := regexp.MustCompile(`^http://127\.0\.0\.1:\d+$`)
	if !httpURL.MatchString(r.HTTPURL) || !httpURL.MatchString(r.WebURL) {
		t.Errorf("HTTPURL %q, WebURL %q", r.HTTPURL, r.WebURL)
	}
	ports := map[int]bool{urlPort(t, r.URL): true, urlPort(t, r.HTTPURL): true, urlPort(t, r.WebURL): true}
	if len(ports) != 3 {
		t.Errorf("the three listeners share a port: %s %s %s", r.URL, r.HTTPURL, r.WebURL)
	}

	rawWS, rawHTTP := fetchConfig(t, r.WebURL)
	wsPort, err := strconv.Atoi(string(rawWS))
	if err != nil {
		t.Fatalf("websocket port %s is not an integer", rawWS)
	}
	httpPort, err := strconv.Atoi(string(rawHTTP))
	if err != nil {
		t.Fatalf("http port %s is not an integer", rawHTTP)
	}
	if wsPort != urlPort(t, r.URL) || httpPort != urlPort(t, r.HTTPURL) {
		t.Errorf("config.json ports %d, %d; listeners %s, %s", wsPort, httpPort, r.URL, r.HTTPURL)
	}
	// The suite's discovery path: WebSocket and HTTP server from config.json.
	c := dial(t, fmt.Sprintf("ws://127.0.0.1:%d/", wsPort))
	got := authorize(t, c, r.Server, ModeAdmin)
	if app := c.call(`{"method":"getAppState","requestId":"1"}`); app.int("embeddedHttpPort") != httpPort {
		t.Errorf("getAppState %s, want embeddedHttpPort %d", app.raw, httpPort)
	}
	resp, _ := httpGet(t, "GET", fmt.Sprintf("http://127.0.0.1:%d%s%s", httpPort, probePath, url.QueryEscape(got.str("tokenForHttpServer"))))
	if resp.StatusCode != 200 {
		t.Errorf("HTTP server from config.json: HTTP %d", resp.StatusCode)
	}

	if err := r.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	for _, u := range []string{r.HTTPURL + probePath, r.WebURL + "/public/default/config.json"} {
		if resp, err := httpClient.Get(u); err == nil {
			resp.Body.Close()
			t.Errorf("GET %s after Close: HTTP %d", u, resp.StatusCode)
		}
	}
	waitFor(t, "server goroutines to end", func() bool { return len(serverGoroutines()) == 0 })
}

// TestStartEmbeddedHTTPPortOption: an explicit EmbeddedHTTPPort is what
// getAppState reports; config.json still gives the real port.
func TestStartEmbeddedHTTPPortOption(t *testing.T) {
	r := start(t, Options{Profile: mustProfile(t, "unsecured"), Now: newFakeClock().Now, EmbeddedHTTPPort: 9000})
	c := dial(t, r.URL)
	authorize(t, c, r.Server, ModeAdmin)
	if app := c.call(`{"method":"getAppState","requestId":"1"}`); app.int("embeddedHttpPort") != 9000 {
		t.Errorf("getAppState %s, want embeddedHttpPort 9000", app.raw)
	}
	if _, raw := fetchConfig(t, r.WebURL); describePort(raw, urlPort(t, r.HTTPURL)) != "number" {
		t.Errorf("config.json http port %s, listener %s", raw, r.HTTPURL)
	}
}

// TestStartAddresses: HTTPAddr and WebAddr are where Start listens (an
// address in use makes it fail, naming the listener); a malformed API
// address is an error.
func TestStartAddresses(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	opts := Options{Profile: mustProfile(t, "unsecured"), Now: newFakeClock().Now}
	for _, tc := range []struct {
		name string
		set  func(*Options)
		want string
	}{
		{"HTTP", func(o *Options) { o.HTTPAddr = busy.Addr().String() }, "HTTP server"},
		{"web", func(o *Options) { o.WebAddr = busy.Addr().String() }, "web manager"},
	} {
		o := opts
		tc.set(&o)
		if r, err := Start("127.0.0.1:0", o); err == nil {
			r.Close()
			t.Errorf("%s: Start on a busy address succeeded", tc.name)
		} else if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), busy.Addr().String()) {
			t.Errorf("%s: error %q does not name the %s and the address", tc.name, err, tc.want)
		}
	}
	if r, err := Start("127.0.0.1", opts); err == nil {
		r.Close()
		t.Error("Start accepted an address without a port")
	}
	waitFor(t, "server goroutines to end", func() bool { return len(serverGoroutines()) == 0 })
}

// TestGetTokenForHTTPServer (LIFE-6): refused before auth; a fresh HTTP token
// of the connection's mode with the full HTTP lifetime, different from the
// auth tokens and accepted by the HTTP server.
func TestGetTokenForHTTPServer(t *testing.T) {
	clock := newFakeClock()
	r := startProfile(t, DefaultProfile, clock)
	c := dial(t, r.URL)
	if got := c.call(`{"method":"getTokenForHttpServer","requestId":"7"}`); string(got.raw) != `{"method":"getTokenForHttpServer","requestId":"7","result":false,"error":"Authorization required"}` {
		t.Errorf("before auth: %s", got.raw)
	}
	login := expectRC(t, c, "0/1", reqPassword, testSecrets.UserPIN)
	clock.Advance(time.Minute)
	got := c.call(`{"method":"getTokenForHttpServer","requestId":"7"}`)
	re := regexp.MustCompile(`^\{"method":"getTokenForHttpServer","requestId":"7","token":"4` + tokenRE + `","result":true\}$`)
	if !re.Match(got.raw) {
		t.Fatalf("reply %s does not match %s", got.raw, re)
	}
	tok := got.str("token")
	for _, k := range []string{"token", "tokenForHttpServer", "overlayHttpToken"} {
		if tok == login.str(k) {
			t.Errorf("getTokenForHttpServer returned the auth reply's %s", k)
		}
	}
	info := tokenInfo(t, r.Server, tok)
	want := TokenInfo{Kind: HTTPToken, Mode: ModeUser, Origin: OriginHTTPTokenRequest, Issued: clock.Now(),
		Expires: clock.Now().Add(defaultHTTPTokenTTL), Live: true}
	if info != want {
		t.Errorf("TokenInfo %+v, want %+v", info, want)
	}
	if s := httpStatus(t, r, tok); s != 200 {
		t.Errorf("requested token: HTTP %d", s)
	}
	if again := getHTTPToken(t, c); again == tok {
		t.Error("a second getTokenForHttpServer returned the same token")
	}
	// An HTTP token is no API credential.
	expectRC(t, dial(t, r.URL), "8", reqPassword, tok)

	// The token lives as long as the HTTP lifetime on the server clock...
	clock.Advance(defaultHTTPTokenTTL - time.Nanosecond)
	if s := httpStatus(t, r, tok); s != 200 {
		t.Errorf("1 ns before expiry: HTTP %d", s)
	}
	clock.Advance(time.Nanosecond)
	if s := httpStatus(t, r, tok); s != 401 {
		t.Errorf("at expiry: HTTP %d, want 401", s)
	}
	// ...or until its connection is displaced.
	tok = getHTTPToken(t, c)
	expectRC(t, dial(t, r.URL), "0/1", reqPassword, testSecrets.UserPIN)
	if s := httpStatus(t, r, tok); s != 401 {
		t.Errorf("after displacement: HTTP %d, want 401", s)
	}
	if got := c.call(`{"method":"getTokenForHttpServer","requestId":"8"}`); got.ok() || got.has("token") {
		t.Errorf("displaced connection got a token: %s", got.raw)
	}
}

// TestClearTokens: clearTokens (any authorized connection) revokes every API,
// HTTP and overlay token; connections keep their modes; new tokens work.
func TestClearTokens(t *testing.T) {
	r := startProfile(t, DefaultProfile, newFakeClock())
	fresh := dial(t, r.URL)
	if got := fresh.call(`{"method":"clearTokens","requestId":"9"}`); got.ok() || got.str("error") != "Authorization required" {
		t.Errorf("before auth: %s", got.raw)
	}
	a, admin := adminLogin(t, r)
	u := dial(t, r.URL)
	user := expectRC(t, u, "0/1", reqPassword, testSecrets.UserPIN)
	requested := getHTTPToken(t, a)
	sw := dial(t, r.URL)
	expectRC(t, sw, "0/2", reqPassword, testSecrets.AdminPIN) // displaces a
	switched := expectRC(t, sw, "0/1", "%s", reqStatusChange) // displaces u
	expectRC(t, a, "0/2", reqPassword, testSecrets.AdminPassword)
	expectRC(t, u, "0/1", reqPassword, testSecrets.UserPIN) // displaces sw
	var tokens []string
	for _, rep := range []reply{admin, user, switched} {
		for _, k := range []string{"token", "tokenForHttpServer", "overlayHttpToken"} {
			tokens = append(tokens, rep.str(k))
		}
	}
	tokens = append(tokens, requested)

	if got := u.call(`{"method":"clearTokens","requestId":"9"}`); string(got.raw) != `{"method":"clearTokens","requestId":"9","result":true}` {
		t.Fatalf("clearTokens: %s", got.raw)
	}
	for i, tok := range tokens {
		if info := tokenInfo(t, r.Server, tok); !info.Revoked || info.Live {
			t.Errorf("token %d after clearTokens: %+v", i, info)
		}
		if s := httpStatus(t, r, tok); s != 401 {
			t.Errorf("token %d on the HTTP server after clearTokens: HTTP %d", i, s)
		}
	}
	for _, rep := range []reply{admin, user, switched} {
		expectRC(t, dial(t, r.URL), "8", reqPassword, rep.str("token"))
	}
	if got, want := authorized(a)+", "+authorized(u), "answered with pin, answered"; got != want {
		t.Errorf("modes after clearTokens: %s, want %s", got, want)
	}
	// New tokens work.
	if s := httpStatus(t, r, getHTTPToken(t, a)); s != 200 {
		t.Errorf("HTTP token issued after clearTokens: HTTP %d", s)
	}
	again := expectRC(t, a, "0/2", reqPassword, testSecrets.AdminPassword)
	b := dial(t, r.URL)
	expectRC(t, b, "0/2", reqPassword, again.str("token"))
	if got := b.call(`{"method":"clearTokens"}`); string(got.raw) != `{"method":"clearTokens","requestId":"","result":true}` {
		t.Errorf("clearTokens from an administrator: %s", got.raw)
	}
	expectRC(t, dial(t, r.URL), "8", reqPassword, again.str("token"))
}
