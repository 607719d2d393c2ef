package refserver

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// securityFaultBehaviours prove the faults of what auth protects, robustness
// and discovery (SEC, ROB, DISC); faultBehaviours joins them.
var securityFaultBehaviours = []behaviour{
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
