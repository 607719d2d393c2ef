package refserver

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/roomconform/conform/caselang"
)

// behaviour proves that one fault or variant changes the behaviour it names:
// the same exchange runs against a server without it (observing spec) and
// with it alone (observing changed).
type behaviour struct {
	name     string
	profile  string         // DefaultProfile when empty
	setup    func(*Options) // optional
	exchange func(t *testing.T, r *Running) string
	timed    func(t *testing.T, r *Running, clock *fakeClock) string // instead of exchange, to move the server's clock
	spec     string
	changed  string
}

// Requests the exchanges use.
const (
	reqUnsecuredAdmin = `{"method":"auth","requestId":"1","type":"unsecured","role":"admin"}`
	reqUnsecuredUser  = `{"method":"auth","requestId":"1","type":"unsecured","role":"user"}`
	reqStatusChange   = `{"method":"auth","requestId":"1","role":"user"}`
	reqGetAuthInfo    = `{"method":"getAuthInfo","requestId":"7"}`
	wrongSecret       = "wrong-secret-77"
)

// outcomes runs requests on one fresh connection each and joins their outcomes.
func outcomes(t *testing.T, r *Running, reqs ...string) string {
	t.Helper()
	var out []string
	for _, req := range reqs {
		out = append(out, dial(t, r.URL).call(req).outcome())
	}
	return strings.Join(out, " ")
}

// secured is a secured request with credentials and an optional role.
func secured(role, cred string) string {
	if role == "" {
		return fmt.Sprintf(`{"method":"auth","requestId":"1","type":"secured","credentials":%q}`, cred)
	}
	return fmt.Sprintf(`{"method":"auth","requestId":"1","type":"secured","role":%q,"credentials":%q}`, role, cred)
}

// authorized tells whether a connection's getAuthInfo is answered, and whether
// it shows the user PIN.
func authorized(c *client) string {
	got := c.call(reqGetAuthInfo)
	switch {
	case !got.ok():
		return "refused"
	case strings.Contains(string(got.raw), `"pin":"`):
		return "answered with pin"
	}
	return "answered"
}

// field returns a reply field's raw JSON, or "absent".
func field(r reply, key string) string {
	if !r.has(key) {
		return "absent"
	}
	return string(r.fields[key])
}

// adminLogin authorizes a connection by the admin password and returns its reply.
func adminLogin(t *testing.T, r *Running) (*client, reply) {
	t.Helper()
	c := dial(t, r.URL)
	return c, expectRC(t, c, "0/2", reqPassword, testSecrets.AdminPassword)
}

// setAuth is a setAuthParams request; extra holds further fields.
func setAuth(userType, authType, extra string) string {
	req := fmt.Sprintf(`{"method":"setAuthParams","requestId":"9","userType":%q,"authType":%q`, userType, authType)
	if extra != "" {
		req += "," + extra
	}
	return req + "}"
}

// securityOf returns getAuthInfo's security of adminAuth or userAuth.
func securityOf(info reply, key string) string {
	var a struct {
		Security string `json:"security"`
	}
	_ = json.Unmarshal(info.fields[key], &a)
	return a.Security
}

// Exchanges and setups that several faults' rows share: the same stimulus
// tells each of those faults from the conformant server.
var (
	// userSecretsWhenUserIsOpen: user mode unsecured, admin password.
	userSecretsWhenUserIsOpen = func(t *testing.T, r *Running) string {
		return outcomes(t, r, secured("user", wrongSecret), secured("user", testSecrets.AdminPassword), secured("admin", wrongSecret))
	}
	// userCredentialsWithRoleAdmin: the user PIN and a user token, with role admin.
	userCredentialsWithRoleAdmin = func(t *testing.T, r *Running) string {
		userToken := expectRC(t, dial(t, r.URL), "0/1", reqPassword, testSecrets.UserPIN).str("token")
		return outcomes(t, r, secured("admin", testSecrets.UserPIN), secured("admin", userToken))
	}
	// rightPasswordAfterTwoWrong: with lockoutAfterTwo, the right one gets 6.
	rightPasswordAfterTwoWrong = func(t *testing.T, r *Running) string {
		return outcomes(t, r, secured("", wrongSecret), secured("admin", wrongSecret), secured("", testSecrets.AdminPassword))
	}
	lockoutAfterTwo = func(o *Options) { o.LockoutThreshold = 2 }
)

// faultBehaviours has a behaviour for every fault, each in the file of its
// requirement group: faults_answers_test.go (ENV, AUTH, FAIL),
// faults_codes_test.go (RC, ROLE, SW), faults_tokens_test.go (TOK, LIFE),
// faults_security_test.go (SEC, ROB, DISC), faults_reconfigure_test.go (CFG).
var faultBehaviours = slices.Concat(answerFaultBehaviours, codeFaultBehaviours, tokenFaultBehaviours,
	securityFaultBehaviours, reconfigureFaultBehaviours)

// runBehaviours runs each behaviour against a plain server and a server with
// only that fault or variant.
func runBehaviours(t *testing.T, bs []behaviour, with func(*Options, string)) {
	for _, b := range bs {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			observe := func(name string) string {
				t.Helper()
				profile := cmpOr(b.profile, DefaultProfile)
				clock := newFakeClock()
				opts := Options{Profile: mustProfile(t, profile), Secrets: testSecrets, Now: clock.Now}
				if b.setup != nil {
					b.setup(&opts)
				}
				if name != "" {
					with(&opts, name)
				}
				if b.timed != nil {
					return b.timed(t, start(t, opts), clock)
				}
				return b.exchange(t, start(t, opts))
			}
			if got := observe(""); got != b.spec {
				t.Errorf("without %s: observed %q, want %q (the spec's behaviour)", b.name, got, b.spec)
			}
			if got := observe(b.name); got != b.changed {
				t.Errorf("with %s: observed %q, want %q", b.name, got, b.changed)
			}
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func TestFaultBehaviours(t *testing.T) {
	runBehaviours(t, faultBehaviours, func(o *Options, name string) { o.Faults = []string{name} })
}

// TestFaultAndVariantTables: unique names, non-empty fields, known
// requirements, sorted, and a behaviour test for every entry.
func TestFaultAndVariantTables(t *testing.T) {
	type entry struct{ name, req, text string }
	check := func(t *testing.T, entries []entry, tested []behaviour) {
		seen := map[string]bool{}
		for i, e := range entries {
			if e.name == "" || e.req == "" || e.text == "" {
				t.Errorf("entry %d has an empty field: %+v", i, e)
			}
			if seen[e.name] {
				t.Errorf("%s: duplicate name", e.name)
			}
			seen[e.name] = true
			if _, ok := caselang.LookupRequirement(e.req); !ok {
				t.Errorf("%s: requirement %q is not in caselang/requirements.go", e.name, e.req)
			}
			if !strings.HasSuffix(e.text, ".") || strings.Count(e.text, ". ") > 0 {
				t.Errorf("%s: %q is not one sentence", e.name, e.text)
			}
			if i > 0 {
				prev := entries[i-1]
				if c := compareRequirements(prev.req, e.req); c > 0 || (c == 0 && prev.name > e.name) {
					t.Errorf("%s (%s) is listed after %s (%s)", e.name, e.req, prev.name, prev.req)
				}
			}
		}
		for _, b := range tested {
			if !seen[b.name] {
				t.Errorf("behaviour test for unknown name %s", b.name)
			}
			delete(seen, b.name)
		}
		for name := range seen {
			t.Errorf("%s has no behaviour test (add one to the faults_*_test.go of its requirement group, which faultBehaviours joins, or to variantBehaviours)", name)
		}
	}
	t.Run("faults", func(t *testing.T) {
		var es []entry
		for _, f := range Faults() {
			es = append(es, entry{f.Name, f.Requirement, f.Breaks})
		}
		check(t, es, faultBehaviours)
	})
	t.Run("variants", func(t *testing.T) {
		var es []entry
		for _, v := range Variants() {
			es = append(es, entry{v.Name, v.Requirement, v.Does})
		}
		check(t, es, variantBehaviours)
	})
	fs := Faults()
	fs[0].Name = "changed"
	if Faults()[0].Name == "changed" {
		t.Error("Faults shares its slice with callers")
	}
	vs := Variants()
	vs[0].Name = "changed"
	if Variants()[0].Name == "changed" {
		t.Error("Variants shares its slice with callers")
	}
}

func TestCompareRequirements(t *testing.T) {
	ordered := []string{"ENV-1", "ENV-9", "AUTH-1", "FAIL-5", "RC-1", "RC-2", "RC-4", "RC-4b", "RC-5", "RC-5b", "RC-10", "RC-14",
		"ROLE-1", "SW-3", "TOK-1", "LIFE-1", "SEC-1", "ROB-1", "DISC-1", "CFG-6", "ZZZ-1"}
	for i := 1; i < len(ordered); i++ {
		if c := compareRequirements(ordered[i-1], ordered[i]); c >= 0 {
			t.Errorf("compareRequirements(%s, %s) = %d, want < 0", ordered[i-1], ordered[i], c)
		}
		if c := compareRequirements(ordered[i], ordered[i-1]); c <= 0 {
			t.Errorf("compareRequirements(%s, %s) = %d, want > 0", ordered[i], ordered[i-1], c)
		}
	}
	if c := compareRequirements("RC-4b", "RC-4b"); c != 0 {
		t.Errorf("compareRequirements(RC-4b, RC-4b) = %d", c)
	}
}

// TestNewRejectsUnknownNames: an unknown fault or variant names itself and
// lists the valid names; known names, repeated, are accepted.
func TestNewRejectsUnknownNames(t *testing.T) {
	var faults, variants []string
	for _, f := range Faults() {
		faults = append(faults, f.Name)
	}
	for _, v := range Variants() {
		variants = append(variants, v.Name)
	}
	for _, tc := range []struct {
		name  string
		opts  Options
		want  []string
		valid []string
	}{
		{"fault", Options{Faults: []string{"duplicate-response", "nope"}}, []string{`unknown fault "nope"`}, faults},
		{"empty fault", Options{Faults: []string{""}}, []string{`unknown fault ""`}, faults},
		{"variant as fault", Options{Faults: []string{"opaque-tokens"}}, []string{`unknown fault "opaque-tokens"`}, faults},
		{"variant", Options{Variants: []string{"nope", "also-nope"}}, []string{`unknown variant "nope", "also-nope"`}, variants},
		{"fault as variant", Options{Variants: []string{"duplicate-response"}}, []string{`unknown variant "duplicate-response"`}, variants},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.opts)
			if err == nil {
				s.Close()
				t.Fatal("New accepted an unknown name")
			}
			for _, w := range append(tc.want, "valid: "+strings.Join(tc.valid, ", ")) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	s, err := New(Options{Faults: append(faults, faults[0]), Variants: append(variants, variants[0])})
	if err != nil {
		t.Fatalf("New rejected valid names: %v", err)
	}
	s.Close()
}

// TestEverythingAtOnce switches every fault and every variant on: whatever
// they do to the replies, every message is answered or the connection closed
// normally, and nothing panics. Three profiles cover every branch: PIN and
// passwords, an unprotected user mode, nothing protected on the free plan.
func TestEverythingAtOnce(t *testing.T) {
	for _, name := range []string{DefaultProfile, "admin-password", "free"} {
		p := mustProfile(t, name)
		t.Run(p.Name, func(t *testing.T) {
			t.Parallel()
			var sink syncBuffer
			log := slog.New(slog.NewTextHandler(&sink, &slog.HandlerOptions{Level: slog.LevelDebug}))
			r := start(t, Options{Profile: p, Secrets: testSecrets, Now: newFakeClock().Now, Logger: log,
				Faults: faultNames(), Variants: variantNames()})
			var tokens []string
			reqs := []string{
				`{"method":`, `[1]`, `{"requestId":5}`, `{"method":"getAuthInfo"}`, `{"method":"getAppState","requestId":"x"}`,
				`{"method":"auth","requestId":"идент-💡","type":"unsecured"}`,
				`{"method":"auth","requestId":"` + strings.Repeat("é", 200) + `","type":"unsecured","role":"user"}`,
			}
			for _, row := range authRows {
				if row.cred == "" {
					reqs = append(reqs, row.req)
				}
			}
			for _, cred := range []string{testSecrets.AdminPassword, testSecrets.AdminPIN, testSecrets.UserPassword, testSecrets.UserPIN, wrongSecret, ""} {
				for _, role := range []string{"", "admin", "user"} {
					reqs = append(reqs, secured(role, cred))
				}
			}
			exchange := func(pre, req string) {
				t.Helper()
				c := dial(t, r.URL)
				ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
				defer cancel()
				// The last message's reply marks the end; a close after a failure
				// ends the exchange earlier.
				for _, m := range []string{pre, req, reqGetAuthInfo, reqStatusChange, `{"method":"setUsedApiVersion","requestId":"end"}`} {
					if m == "" {
						continue
					}
					if err := c.ws.Write(ctx, websocket.MessageText, []byte(m)); err != nil {
						break // closed after a failure
					}
				}
			read:
				for {
					select {
					case m := <-c.msgs:
						got := parse(t, m.data)
						if tok := got.str("token"); tok != "" && len(tokens) < 8 {
							tokens = append(tokens, tok)
						}
						if got.str("requestId") == "end" {
							break read
						}
					case <-c.done:
						break read
					case <-time.After(waitLimit):
						t.Fatalf("%s: no end of the exchange", req)
					}
				}
				c.close()
				if code := websocket.CloseStatus(c.err); code == websocket.StatusInternalError {
					t.Errorf("%s: closed with 1011", req)
				}
			}
			for _, req := range reqs {
				exchange("", req)
				exchange(`{"method":"auth","requestId":"pre","type":"unsecured","role":"admin"}`, req)
			}
			for _, tok := range slices.Clone(tokens) {
				for _, role := range []string{"", "admin", "user"} {
					exchange("", secured(role, tok))
				}
			}
			if strings.Contains(sink.String(), "panic") {
				t.Errorf("the server panicked:\n%s", sink.String())
			}
		})
	}
}
