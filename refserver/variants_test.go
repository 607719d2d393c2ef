package refserver

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

var documentedToken = regexp.MustCompile(`^\d+\*[A-Za-z0-9]{16}\*\d+\*[0-9A-F]{64}$`)

var opaqueToken = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

var variantBehaviours = []behaviour{
	{name: "reauth-returns-same-token", spec: "0/2 fresh", changed: "0/2 same", exchange: func(t *testing.T, r *Running) string {
		_, got := adminLogin(t, r)
		again := dial(t, r.URL).call(secured("", got.str("token")))
		if again.str("token") == got.str("token") {
			return again.outcome() + " same"
		}
		return again.outcome() + " fresh"
	}},
	{name: "events-before-responses", spec: "auth", changed: "event appStateChanged 3, auth", exchange: func(t *testing.T, r *Running) string {
		c := dial(t, r.URL)
		c.send(reqUnsecuredAdmin)
		first := parse(t, c.next())
		if first.str("method") == "event" {
			return fmt.Sprintf("event %s %d, %s", first.str("event"), first.int("appState"), parse(t, c.next()).str("method"))
		}
		return first.str("method")
	}},
	{name: "request-id-absent", spec: `"" "" "1"`, changed: `absent absent "1"`, exchange: func(t *testing.T, r *Running) string {
		c := dial(t, r.URL)
		return field(c.call(`{"method":"auth","type":"unsecured"}`), "requestId") + " " +
			field(c.call(`{"method":"getAuthInfo"}`), "requestId") + " " + field(c.call(reqUnsecuredUser), "requestId")
	}},
	{name: "numeric-request-id-as-string", spec: `42 -1.5e3 "7"`, changed: `"42" "-1.5e3" "7"`, exchange: func(t *testing.T, r *Running) string {
		c := dial(t, r.URL)
		return field(c.call(`{"method":"auth","requestId":42,"type":"unsecured"}`), "requestId") + " " +
			field(c.call(`{"method":"getAuthInfo","requestId":-1.5e3}`), "requestId") + " " +
			field(c.call(reqGetAuthInfo), "requestId")
	}},
	{name: "no-overlay-token", spec: "true", changed: "false", exchange: func(t *testing.T, r *Running) string {
		_, got := adminLogin(t, r)
		return fmt.Sprint(got.str("overlayHttpToken") != "")
	}},
	{name: "opaque-tokens", spec: "documented documented documented", changed: "opaque opaque opaque", exchange: func(t *testing.T, r *Running) string {
		_, got := adminLogin(t, r)
		var shapes []string
		for _, k := range []string{"token", "tokenForHttpServer", "overlayHttpToken"} {
			switch v := got.str(k); {
			case documentedToken.MatchString(v):
				shapes = append(shapes, "documented")
			case opaqueToken.MatchString(v):
				shapes = append(shapes, "opaque")
			default:
				shapes = append(shapes, "other")
			}
		}
		return strings.Join(shapes, " ")
	}},
	{name: "no-error-text", spec: "false Missing type, false Authorization required",
		changed: "false absent, false absent", exchange: func(t *testing.T, r *Running) string {
			c := dial(t, r.URL)
			a, b := c.call(`{"method":"auth","requestId":"1"}`), c.call(reqGetAuthInfo)
			text := func(r reply) string {
				if !r.has("error") {
					return "absent"
				}
				return r.str("error")
			}
			return fmt.Sprintf("%s %s, %s %s", field(a, "result"), text(a), field(b, "result"), text(b))
		}},
	{name: "rc4b-code-8", profile: "admin-password", setup: lockoutAfterTwo,
		spec: "4 4 0/2 locked: no", changed: "8 8 6 locked: yes", exchange: func(t *testing.T, r *Running) string {
			out := outcomes(t, r, secured("user", wrongSecret), secured("user", testSecrets.AdminPassword), secured("", testSecrets.AdminPassword))
			if strings.HasSuffix(out, "6") {
				return out + " locked: yes"
			}
			return out + " locked: no"
		}},
	{name: "rc5b-code-5", spec: "0/1 0/1 0/1", changed: "5 5 0/1", exchange: func(t *testing.T, r *Running) string {
		_, admin := adminLogin(t, r)
		return outcomes(t, r, secured("user", testSecrets.AdminPassword), secured("user", testSecrets.AdminPIN), secured("user", admin.str("token")))
	}},
	{name: "role-before-type", spec: "10 9 9 10", changed: "9 12 9 10", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r,
			`{"method":"auth","requestId":"1","type":"open","role":"root"}`,
			`{"method":"auth","requestId":"1","type":"secured","role":"root"}`,
			`{"method":"auth","requestId":"1","type":"secured","role":"root","credentials":"x"}`,
			`{"method":"auth","requestId":"1","type":"open","role":"user"}`)
	}},
	{name: "rc14-credentials-code-8", setup: func(o *Options) { o.LockoutThreshold = 3 },
		spec: "7 7 7 0/2", changed: "8 8 8 6", exchange: func(t *testing.T, r *Running) string {
			return outcomes(t, r,
				`{"method":"auth","requestId":"1","type":"secured","credentials":42}`,
				`{"method":"auth","requestId":"1","type":"secured","credentials":null}`,
				`{"method":"auth","requestId":"1","type":"secured","credentials":{"p":"x"}}`,
				secured("", testSecrets.AdminPassword))
		}},
	{name: "role3-user", profile: "unsecured", spec: "0/2 0/2 0/1", changed: "0/1 0/2 0/1", exchange: func(t *testing.T, r *Running) string {
		return outcomes(t, r, `{"method":"auth","requestId":"1","type":"unsecured"}`, reqUnsecuredAdmin, reqUnsecuredUser)
	}},
	{name: "sw3-code-3", spec: "0/2 0/1", changed: "3 0/1", exchange: func(t *testing.T, r *Running) string {
		c, _ := adminLogin(t, r)
		return c.call(`{"method":"auth","requestId":"1","role":"admin"}`).outcome() + " " + c.call(reqStatusChange).outcome()
	}},
	{name: "refusal-error-only",
		spec:    `{"method":"getAuthInfo","requestId":"7","result":false,"error":"Authorization required"}`,
		changed: `{"method":"getAuthInfo","requestId":"7","error":"Authorization required"}`,
		exchange: func(t *testing.T, r *Running) string {
			return string(dial(t, r.URL).call(reqGetAuthInfo).raw)
		}},
}

func TestVariantBehaviours(t *testing.T) {
	runBehaviours(t, variantBehaviours, func(o *Options, name string) { o.Variants = []string{name} })
}

// TestAllVariantsTogether runs every auth row in every profile with every
// variant on: the envelope and the invariants that no accepted set relaxes
// still hold (ENV-2..4, ENV-6, ENV-7, AUTH-1, AUTH-2, AUTH-5, FAIL-1, FAIL-2,
// FAIL-4, FAIL-5, ENV-9).
func TestAllVariantsTogether(t *testing.T) {
	for pi, name := range tableProfiles {
		p := mustProfile(t, name)
		t.Run(p.Name, func(t *testing.T) {
			t.Parallel()
			r := start(t, Options{Profile: p, Secrets: testSecrets, Now: newFakeClock().Now, LockoutThreshold: 1 << 30,
				Variants: variantNames()})
			creds := credentials(t, r)
			for _, row := range authRows {
				if strings.Fields(row.want)[pi] == "-" {
					continue
				}
				req, cred := row.req, ""
				if row.cred != "" {
					cred = creds[row.cred]
					req = fmt.Sprintf(row.req, fmt.Sprintf("%q", cred))
				}
				c, before, got, after := exchange(t, r, row.pre, req)
				rc := got.int("resultCode")
				result := field(got, "result")
				switch {
				case got.str("method") != "auth", field(got, "requestId") != `"1"`:
					t.Errorf("%s: envelope: %s", row.name, got.raw)
				case result != "true" && result != "false", (result == "true") != (rc == 0), field(got, "resultCode") != fmt.Sprint(rc), rc < 0 || rc > 12:
					t.Errorf("%s: result and resultCode: %s", row.name, got.raw)
				case got.has("privileges"):
					t.Errorf("%s: privileges: %s", row.name, got.raw)
				case rc == 0 && (got.str("token") == "" || got.str("tokenForHttpServer") == "" || got.str("token") == got.str("tokenForHttpServer")):
					t.Errorf("%s: success tokens: %s", row.name, got.raw)
				case rc == 0 && after != Mode(got.int("previleges")):
					t.Errorf("%s: mode %v after success: %s", row.name, after, got.raw)
				case rc != 0 && (got.has("token") || got.has("tokenForHttpServer") || got.has("previleges")):
					t.Errorf("%s: failure carries success fields: %s", row.name, got.raw)
				case rc != 0 && after != before:
					t.Errorf("%s: failure moved the mode from %v to %v: %s", row.name, before, after, got.raw)
				case cred != "" && strings.Contains(string(got.raw), cred) && got.str("token") != cred:
					// (A token re-authorization may return the token it was
					// given: AUTH-5's accepted set, variant reauth-returns-same-token.)
					t.Errorf("%s: reply contains the credential: %s", row.name, got.raw)
				}
				if info := c.call(reqGetAuthInfo); info.ok() != (after != ModeNone) {
					t.Errorf("%s: getAuthInfo in mode %v: %s", row.name, after, info.raw)
				}
				c.close()
			}
		})
	}
}
