package model

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/roomconform/conform/caselang"
)

var (
	t0      = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	secrets = map[caselang.SecretKind]string{
		caselang.AdminPassword: "Adm1n-Secret", caselang.UserPIN: "ab12cd", caselang.AdminPIN: "Q7W8",
	}
	defaultProfile = caselang.Profile{Admin: caselang.Password, User: caselang.PIN, Plan: caselang.Pro,
		Secrets: []caselang.SecretKind{caselang.AdminPassword, caselang.UserPIN, caselang.AdminPIN}}
)

// world drives a model through exchanges whose answers the test gives.
type world struct {
	t   *testing.T
	m   *Model
	now time.Time
	// last is the last exchange's verdict.
	last Verdict
	// answers holds the fields of named answers, for tokens.
	answers map[string]map[string]any
}

func newWorld(t *testing.T, p caselang.Profile) *world {
	set := caselang.DefaultSettings()
	return &world{t: t, m: New(Config{Profile: p, Secrets: secrets, Settings: set}), now: t0, answers: map[string]map[string]any{}}
}

func obj(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return m
}

// do sends req on conn as step and answers with ans; it returns the broken
// findings' requirements.
func (w *world) do(conn, step, req, ans string) []string {
	w.t.Helper()
	x := w.m.Expect(conn, step, obj(w.t, req), w.now)
	fields := obj(w.t, ans)
	w.last = x.Judge(fields, w.now)
	x.Apply(fields, w.now)
	w.answers[step] = fields
	var reqs []string
	for _, f := range w.last.Broken() {
		reqs = append(reqs, f.Requirement)
	}
	return reqs
}

// rules returns the accepted answers of req on conn, as text.
func (w *world) rules(conn, req string) string {
	w.t.Helper()
	x := w.m.Expect(conn, "probe", obj(w.t, req), w.now)
	rs, open := x.Rules(w.now)
	if open {
		return "open"
	}
	var s []string
	for _, r := range rs {
		s = append(s, r.Req+": "+r.Expected())
	}
	return strings.Join(s, "; ")
}

func (w *world) token(step, field string) string {
	s, _ := w.answers[step][field].(string)
	return s
}

func ok(rc int, prev int, tok string) string {
	if rc != 0 {
		return `{"method":"auth","result":false,"resultCode":` + itoa(rc) + `}`
	}
	return `{"method":"auth","result":true,"resultCode":0,"previleges":` + itoa(prev) +
		`,"token":"api-` + tok + `","tokenForHttpServer":"http-` + tok + `"}`
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func secured(role, cred string) string {
	if role == "" {
		return `{"method":"auth","type":"secured","credentials":` + quote(cred) + `}`
	}
	return `{"method":"auth","type":"secured","role":"` + role + `","credentials":` + quote(cred) + `}`
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestAuthRules: the accepted answers of every row of the reading, on a
// fresh connection of the default profile.
func TestAuthRules(t *testing.T) {
	for _, tc := range []struct{ name, req, want string }{
		{"admin password", secured("admin", "Adm1n-Secret"), "ROLE-1: success with previleges 2"},
		{"admin password without role", secured("", "Adm1n-Secret"), "ROLE-2: success with previleges 2"},
		{"user PIN without role", secured("", "ab12cd"), "ROLE-2: success with previleges 1"},
		{"user PIN other case", secured("user", "AB12CD"), "ROLE-4: success with previleges 1"},
		{"user PIN with role admin", secured("admin", "ab12cd"), "RC-5: resultCode 5"},
		{"admin password with role user", secured("user", "Adm1n-Secret"), "RC-5b: success with previleges 1, or resultCode 5"},
		{"wrong password", secured("admin", "nope"), "RC-8: resultCode 8"},
		{"password other case", secured("admin", "aDM1N-sECRET"), "RC-8: resultCode 8"},
		{"password prefix", secured("admin", "Adm1n-Secre"), "RC-8: resultCode 8"},
		{"password with a space", secured("admin", "Adm1n-Secret "), "RC-8b: resultCode 8"},
		{"admin PIN other case", secured("admin", "q7w8"), "ROLE-1: success with previleges 2, or resultCode 8"},
		{"admin PIN other case, role user", secured("user", "q7w8"), "RC-5b: success with previleges 1, or resultCode 5 or 8"},
		{"empty credentials", secured("admin", ""), "RC-7: resultCode 7"},
		{"no credentials", `{"method":"auth","type":"secured","role":"admin"}`, "RC-12: resultCode 12"},
		{"numeric credentials", `{"method":"auth","type":"secured","credentials":42}`, "RC-14: resultCode 7 or 8"},
		{"type open", `{"method":"auth","type":"open","role":"admin"}`, "RC-10: resultCode 10"},
		{"type other case", `{"method":"auth","type":"Secured","credentials":"Adm1n-Secret"}`, "RC-10b: resultCode 10"},
		{"type a number", `{"method":"auth","type":1}`, "RC-14: resultCode 10"},
		{"role root", secured("root", "Adm1n-Secret"), "RC-9: resultCode 9"},
		{"role other case", secured("USER", "ab12cd"), "RC-9b: resultCode 9"},
		{"type and role bad", `{"method":"auth","type":"open","role":"root"}`, "RC-10: a failure; RC-13: resultCode 9 or 10"},
		{"role bad, no credentials", `{"method":"auth","type":"secured","role":"root"}`, "RC-9: a failure; RC-13: resultCode 9 or 12"},
		{"role bad, wrong credentials", secured("root", "nope"), "RC-9: a failure; RC-13: resultCode 8 or 9"},
		{"no type, no role", `{"method":"auth"}`, "RC-11: resultCode 11"},
		{"status change on a fresh connection", `{"method":"auth","role":"user"}`, "RC-3: resultCode 3"},
		{"unsecured admin, protected", `{"method":"auth","type":"unsecured","role":"admin"}`, "RC-4: resultCode 4"},
		{"unsecured, both protected", `{"method":"auth","type":"unsecured"}`, "RC-4: resultCode 4"},
		{"unsecured with credentials, admin protected", `{"method":"auth","type":"unsecured","role":"admin","credentials":"Adm1n-Secret"}`, "RC-4: resultCode 4"},
		{"status change with credentials on a fresh connection", `{"method":"auth","role":"user","credentials":"x"}`, "RC-3: resultCode 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := newWorld(t, defaultProfile).rules("a", tc.req); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestProfileRules: rows that depend on the profile.
func TestProfileRules(t *testing.T) {
	userOpen := caselang.Profile{Admin: caselang.Password, User: caselang.Unsecured, Plan: caselang.Pro, Secrets: []caselang.SecretKind{caselang.AdminPassword}}
	allOpen := caselang.Profile{Admin: caselang.Unsecured, User: caselang.Unsecured, Plan: caselang.Pro}
	free := caselang.Profile{Admin: caselang.Password, User: caselang.PIN, Plan: caselang.Free, Secrets: defaultProfile.Secrets}
	for _, tc := range []struct {
		name string
		p    caselang.Profile
		req  string
		want string
	}{
		{"unsecured without role, only user open", userOpen, `{"method":"auth","type":"unsecured"}`, "ROLE-5: success with previleges 1"},
		{"unsecured without role, all open", allOpen, `{"method":"auth","type":"unsecured"}`, "ROLE-3: success with previleges 2, or success with previleges 1"},
		{"wrong password for the open user mode", userOpen, secured("user", "nope"), "RC-4b: resultCode 4 or 8"},
		{"admin password for the open user mode", userOpen, secured("user", "Adm1n-Secret"), "RC-4b: resultCode 4 or 8"},
		{"password when nothing is protected", allOpen, secured("", "nope"), "RC-4b: resultCode 4 or 8"},
		{"password on Free", free, secured("admin", "Adm1n-Secret"), "RC-2: resultCode 2"},
		{"wrong password on Free", free, secured("admin", "nope"), "RC-2: resultCode 2"},
		{"unsecured user on Free, protected", free, `{"method":"auth","type":"unsecured","role":"user"}`, "RC-4: resultCode 4"},
		{"unsecured with credentials for an open mode", userOpen, `{"method":"auth","type":"unsecured","role":"user","credentials":"x"}`, "open"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := newWorld(t, tc.p).rules("a", tc.req); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestStatusChangeAndTokens: a flow through status change and tokens.
func TestStatusChangeAndTokens(t *testing.T) {
	w := newWorld(t, defaultProfile)
	if got := w.do("a", "login", secured("admin", "Adm1n-Secret"), ok(0, 2, "A")); got != nil {
		t.Fatalf("login: %v", got)
	}
	if got := w.rules("a", `{"method":"auth","role":"user"}`); got != "SW-1: success with previleges 1" {
		t.Fatalf("status change: %s", got)
	}
	w.do("a", "switch", `{"method":"auth","role":"user"}`, ok(0, 1, "S"))
	w.m.Closed("a")
	for _, tc := range []struct{ req, want string }{
		{secured("", "api-A"), "open"}, // issued before the status change: the reading does not say
		{secured("", "api-S"), "TOK-3: success with previleges 1"},
		{secured("admin", "api-S"), "TOK-3: resultCode 5; TOK-1: a failure other than resultCode 8"},
		{secured("user", "api-S"), "TOK-3: success with previleges 1"},
		{secured("", "http-S"), "TOK-4: any answer"},
		{secured("", "api-S0"), "RC-8: resultCode 8"},
	} {
		got := w.rules("b", tc.req)
		if tc.want == "open" && got != "TOK-1: success with previleges 2, or a failure" {
			t.Errorf("%s: got %s, want the admin token open", tc.req, got)
		} else if tc.want != "open" && got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.req, got, tc.want)
		}
	}
	// A user token without role says previleges 1 (TOK-2), and a token
	// re-authorizes again and again (TOK-1).
	w.do("u", "user", secured("user", "ab12cd"), ok(0, 1, "U"))
	w.m.Closed("u")
	for i, conn := range []string{"c", "d"} {
		if got := w.do(conn, "reuse", secured("", "api-U"), ok(0, 1, "U"+itoa(i))); got != nil {
			t.Errorf("reuse %d: %v", i, got)
		}
	}
	if got := w.do("e", "reuse-bad", secured("", "api-U"), ok(0, 2, "X")); len(got) != 1 || got[0] != "TOK-2" {
		t.Errorf("a user token granting admin: %v, want TOK-2", got)
	}
}

// TestLifetimes: API and HTTP tokens within and after their lifetimes.
func TestLifetimes(t *testing.T) {
	set := caselang.DefaultSettings()
	w := newWorld(t, defaultProfile)
	w.do("a", "login", secured("admin", "Adm1n-Secret"), ok(0, 2, "A"))
	h := w.m.ExpectHTTP("probe", "http-A", w.now)
	if st, req := h.Expected(w.now); st != live || req != "LIFE-1" {
		t.Errorf("fresh HTTP token: %v %s", st, req)
	}
	if st, req := w.m.ExpectHTTP("probe", "api-A", w.now).Expected(w.now); st != dead || req != "LIFE-1b" {
		t.Errorf("API token on the HTTP server: %v %s", st, req)
	}
	if st, req := w.m.ExpectHTTP("probe", "http-A0", w.now).Expected(w.now); st != dead || req != "LIFE-1" {
		t.Errorf("altered token: %v %s", st, req)
	}
	w.now = t0.Add(set.HTTPTokenTTL + set.Tolerance)
	if st, req := w.m.ExpectHTTP("probe", "http-A", w.now).Expected(w.now); st != dead || req != "LIFE-2" {
		t.Errorf("expired HTTP token: %v %s", st, req)
	}
	w.now = t0.Add(set.TokenTTL + set.Tolerance)
	if got := w.rules("b", secured("", "api-A")); got != "LIFE-4: a failure" {
		t.Errorf("expired API token: %s", got)
	}
}

// TestEndedTokenForAnUnprotectedModeMayGetRC4b: a user token that may have
// ended (its lifetime's window, here) sent with role "admin" where the
// administrator is unprotected may be refused as any ended token is, RC-4b's
// 4 included (a reference server met on the wall clock, under load); it
// still may not raise privileges (TOK-2).
func TestEndedTokenForAnUnprotectedModeMayGetRC4b(t *testing.T) {
	set := caselang.DefaultSettings()
	open := caselang.Profile{Admin: caselang.Unsecured, User: caselang.Unsecured, Plan: caselang.Pro}
	for _, tc := range []struct {
		answer string
		broken string
	}{
		{ok(4, 0, ""), ""},
		{ok(8, 0, ""), ""},
		{ok(5, 0, ""), ""},
		{ok(0, 2, "X"), "TOK-2"},
	} {
		w := newWorld(t, open)
		if got := w.do("a", "user", `{"method":"auth","type":"unsecured","role":"user"}`, ok(0, 1, "U")); got != nil {
			t.Fatalf("login: %v", got)
		}
		w.m.Closed("a")
		w.now = t0.Add(set.TokenTTL) // within the tolerance of its end
		if got := strings.Join(w.do("b", "late", secured("admin", "api-U"), tc.answer), " "); got != tc.broken {
			t.Errorf("answer %s: broken %q, want %q", tc.answer, got, tc.broken)
		}
	}
}

// TestLifetimesAtBothEnds: a derived token lives as long as its original,
// not less (LIFE-5); getTokenForHttpServer's token has an HTTP token's life
// of its own (LIFE-6); a status change's HTTP token is for the user mode,
// whose PIN protection makes its expiry INFO (LIFE-2).
func TestLifetimesAtBothEnds(t *testing.T) {
	set := caselang.DefaultSettings()
	w := newWorld(t, defaultProfile)
	w.do("a", "login", secured("admin", "Adm1n-Secret"), ok(0, 2, "A"))
	w.do("a", "fresh", `{"method":"getTokenForHttpServer"}`, `{"method":"getTokenForHttpServer","result":true,"token":"fresh-A"}`)
	if st, req := w.m.ExpectHTTP("probe", "fresh-A", w.now).Expected(w.now); st != live || req != "LIFE-6" {
		t.Errorf("fresh getTokenForHttpServer token: %v %s", st, req)
	}
	w.do("a", "switch", `{"method":"auth","role":"user"}`, ok(0, 1, "S"))
	w.m.Closed("a")
	w.do("b", "by-token", secured("", "api-A"), ok(0, 2, "B"))
	w.m.Closed("b")
	w.now = t0.Add(set.HTTPTokenTTL + set.Tolerance)
	if st, req := w.m.ExpectHTTP("probe", "fresh-A", w.now).Expected(w.now); st != dead || req != "LIFE-6" {
		t.Errorf("expired getTokenForHttpServer token: %v %s, want dead by LIFE-6", st, req)
	}
	if st, _ := w.m.ExpectHTTP("probe", "http-S", w.now).Expected(w.now); st != open {
		t.Errorf("a status change's HTTP token for a PIN-protected user mode, after 5 min: %v, want open (INFO)", st)
	}
	w.now = t0.Add(set.TokenTTL - set.Tolerance)
	if got := w.rules("c", secured("", "api-B")); got != "LIFE-5: success with previleges 2" {
		t.Errorf("a token derived by token authorization at its original's end (- tolerance): %s", got)
	}
	if got := w.rules("c", secured("", "api-S")); got != "LIFE-5: success with previleges 1" {
		t.Errorf("a token derived by status change at its original's end (- tolerance): %s", got)
	}
	w.now = t0.Add(set.TokenTTL + set.Tolerance)
	if got := w.rules("c", secured("", "api-B")); got != "LIFE-5: a failure" {
		t.Errorf("a token derived by token authorization after its original's end (+ tolerance): %s", got)
	}
}

// TestStateJudgedThroughCommands: getAuthInfo and getTokenForHttpServer
// against the mode the model holds.
func TestStateJudgedThroughCommands(t *testing.T) {
	info := `{"method":"getAuthInfo"}`
	refused := `{"method":"getAuthInfo","result":false,"error":"Authorization required"}`
	withPIN := `{"method":"getAuthInfo","result":true,"adminAuth":{"security":"password"},"userAuth":{"security":"pin","pin":"ab12cd"}}`
	noPIN := `{"method":"getAuthInfo","result":true,"adminAuth":{"security":"password"},"userAuth":{"security":"pin"}}`
	w := newWorld(t, defaultProfile)
	if got := w.do("a", "fresh", info, withPIN); len(got) != 1 || got[0] != "SEC-1" {
		t.Errorf("answered before auth: %v, want SEC-1", got)
	}
	w.m.Closed("a")
	w.do("a", "wrong", secured("admin", "nope"), ok(8, 0, ""))
	if got := w.do("a", "after-failure", info, noPIN); len(got) != 1 || got[0] != "FAIL-4" {
		t.Errorf("answered after a failure: %v, want FAIL-4", got)
	}
	w.do("b", "first", secured("admin", "Adm1n-Secret"), ok(0, 2, "B"))
	if got := w.do("b", "admin", info, noPIN); len(got) != 1 || got[0] != "SEC-2" {
		t.Errorf("admin without the PIN: %v, want SEC-2", got)
	}
	w.do("c", "first", secured("admin", "Adm1n-Secret"), ok(0, 2, "C"))
	w.do("d", "second", secured("admin", "Adm1n-Secret"), ok(0, 2, "D"))
	if got := w.do("c", "displaced", info, withPIN); len(got) != 1 || got[0] != "SEC-4" {
		t.Errorf("displaced connection answered: %v, want SEC-4", got)
	}
	if got := w.do("d", "holder", info, refused); len(got) != 1 || got[0] != "ROLE-1" {
		t.Errorf("holder refused: %v, want ROLE-1", got)
	}
	w.do("e", "user", secured("user", "ab12cd"), ok(0, 1, "E"))
	if got := w.do("e", "user-info", info, withPIN); len(got) != 1 || got[0] != "SEC-2" {
		t.Errorf("user shown the PIN: %v, want SEC-2", got)
	}
	if got := w.do("f", "token-before-auth", `{"method":"getTokenForHttpServer"}`, `{"method":"getTokenForHttpServer","result":false,"token":"leak"}`); got != nil {
		t.Errorf("a refusal with a token: %v (the token is judged on the HTTP server)", got)
	}
	if st, req := w.m.ExpectHTTP("probe", "leak", w.now).Expected(w.now); st != dead || req != "SEC-1" {
		t.Errorf("token from a refusal: %v %s", st, req)
	}
}

// TestFailureTokensAndLockout: tokens in failures must not work; repeated
// wrong credentials make 6 acceptable, and LockoutAttempts of them make it
// due for the correct admin password.
func TestFailureTokensAndLockout(t *testing.T) {
	w := newWorld(t, defaultProfile)
	w.do("a", "bad", secured("admin", "nope"), `{"method":"auth","result":false,"resultCode":8,"token":"leaked"}`)
	if got := w.rules("b", secured("", "leaked")); got != "FAIL-1: a failure" {
		t.Errorf("leaked token: %s", got)
	}
	if got := w.rules("b", secured("admin", "Adm1n-Secret")); got != "ROLE-1: success with previleges 2" {
		t.Errorf("after one wrong: %s", got)
	}
	w.do("a", "bad2", secured("admin", "nope"), ok(8, 0, ""))
	if got := w.rules("b", secured("admin", "Adm1n-Secret")); got != "ROLE-1: success with previleges 2, or resultCode 6" {
		t.Errorf("after two wrong: %s", got)
	}
	for i := 2; i < caselang.DefaultSettings().LockoutAttempts; i++ {
		w.do("a", "bad", secured("admin", "nope"), ok(8, 0, ""))
	}
	if got := w.rules("b", secured("admin", "Adm1n-Secret")); got != "RC-6: resultCode 6" {
		t.Errorf("after the threshold: %s", got)
	}
	w.do("b", "locked", secured("admin", "Adm1n-Secret"), ok(6, 0, ""))
	w.do("b", "unlocked", secured("admin", "Adm1n-Secret"), ok(0, 2, "B"))
	if got := w.rules("c", secured("admin", "Adm1n-Secret")); got != "ROLE-1: success with previleges 2" {
		t.Errorf("after a success: %s", got)
	}
}

// TestCitedCoversEveryFinding: every requirement a finding of the model
// cites in these tests is listed in Cited for where it was judged.
func TestCitedCoversEveryFinding(t *testing.T) {
	listed := map[string]bool{}
	for _, l := range [][]string{Cited.Auth, Cited.Commands, Cited.HTTP} {
		for _, r := range l {
			if _, ok := caselang.LookupRequirement(r); !ok {
				t.Errorf("Cited lists unknown requirement %s", r)
			}
			listed[r] = true
		}
	}
	// Replay the scenarios of this file and collect what they cite.
	w := newWorld(t, defaultProfile)
	for _, step := range []struct{ conn, req, ans string }{
		{"a", secured("admin", "Adm1n-Secret"), ok(0, 2, "A")},
		{"a", `{"method":"getAuthInfo"}`, `{"method":"getAuthInfo","result":false}`},
		{"b", `{"method":"getTokenForHttpServer"}`, `{"method":"getTokenForHttpServer","result":true,"token":"x"}`},
		{"c", secured("user", "nope"), ok(0, 1, "C")},
	} {
		w.do(step.conn, "s", step.req, step.ans)
		for _, f := range append(w.last.Others, derefAll(w.last.Outcome)...) {
			if !listed[f.Requirement] {
				t.Errorf("a finding cites %s, which Cited does not list", f.Requirement)
			}
		}
	}
}

func derefAll(f *caselang.Finding) []caselang.Finding {
	if f == nil {
		return nil
	}
	return []caselang.Finding{*f}
}

// A 6 the model cannot put down to the case's own wrong credentials is a
// possible lockout (RC-6: correct credentials may be refused with 6, and
// with nothing else): not evaluated, never broken; after the case's own
// repeated wrong credentials it is accepted; any other code for correct
// credentials stays broken, and 6 where no lockout applies (no type) too.
func TestPossibleLockout(t *testing.T) {
	w := newWorld(t, defaultProfile)
	const login = `{"method":"auth","type":"secured","role":"admin","credentials":"Adm1n-Secret"}`
	if got := w.do("a", "1", login, `{"method":"auth","result":false,"resultCode":6}`); len(got) > 0 || !w.last.Lockout {
		t.Fatalf("a 6 for the admin password out of the blue: broken %v, lockout %t; want not evaluated", got, w.last.Lockout)
	}
	if f := w.last.Outcome; f == nil || f.Requirement != "ROLE-1" || f.NotEvaluated != PossibleLockout {
		t.Errorf("the outcome %+v, want ROLE-1 not evaluated for a possible lockout", f)
	}
	if got := w.do("a", "2", login, `{"method":"auth","result":false,"resultCode":8}`); len(got) != 1 || got[0] != "ROLE-1" || w.last.Lockout {
		t.Errorf("an 8 for the admin password: broken %v, lockout %t; want ROLE-1 broken", got, w.last.Lockout)
	}
	if got := w.do("a", "3", `{"method":"auth","role":"root"}`, `{"method":"auth","result":false,"resultCode":6}`); len(got) == 0 || w.last.Lockout {
		t.Errorf("a 6 for a request without type: broken %v, lockout %t; want broken", got, w.last.Lockout)
	}
	w = newWorld(t, defaultProfile)
	const wrong = `{"method":"auth","type":"secured","role":"admin","credentials":"nope"}`
	w.do("a", "w1", wrong, `{"method":"auth","result":false,"resultCode":8}`)
	w.do("a", "w2", wrong, `{"method":"auth","result":false,"resultCode":8}`)
	if got := w.do("a", "4", login, `{"method":"auth","result":false,"resultCode":6}`); len(got) > 0 || w.last.Lockout {
		t.Errorf("a 6 after the case's own wrong credentials: broken %v, lockout %t; want accepted", got, w.last.Lockout)
	}
}

// A token with whitespace around it is a padded secret (RC-8b), like a
// password or PIN with whitespace around it.
func TestPaddedTokenIsRC8b(t *testing.T) {
	w := newWorld(t, defaultProfile)
	w.do("a", "login", `{"method":"auth","type":"secured","role":"admin","credentials":"Adm1n-Secret"}`,
		`{"method":"auth","result":true,"resultCode":0,"previleges":2,"token":"T0KEN-abc","tokenForHttpServer":"H77P-abc"}`)
	got := w.do("b", "padded", `{"method":"auth","type":"secured","role":"admin","credentials":"\tT0KEN-abc"}`,
		`{"method":"auth","result":true,"resultCode":0,"previleges":2,"token":"T0KEN-def","tokenForHttpServer":"H77P-def"}`)
	if len(got) != 1 || got[0] != "RC-8b" {
		t.Errorf("a padded token accepted: broken %v, want RC-8b", got)
	}
	if _, shared := w.m.SharedToken("T0KEN-abc"); shared {
		t.Error("distinct API and HTTP tokens reported as one shared token")
	}
	w.do("c", "same", `{"method":"auth","type":"secured","role":"admin","credentials":"Adm1n-Secret"}`,
		`{"method":"auth","result":true,"resultCode":0,"previleges":2,"token":"SAME-1","tokenForHttpServer":"SAME-1"}`)
	if step, shared := w.m.SharedToken("SAME-1"); !shared || step != "same" {
		t.Errorf("SharedToken(the value issued as both) = %q, %t; want step same", step, shared)
	}
}

// Tokens issued before the protection was changed are accepted either way
// by the model of the new protection (TOK-1: the reading is silent), not
// taken for wrong credentials (RC-8).
func TestTokensSurviveAReconfigurationEitherWay(t *testing.T) {
	w := newWorld(t, defaultProfile)
	w.do("a", "login", `{"method":"auth","type":"secured","role":"admin","credentials":"Adm1n-Secret"}`,
		`{"method":"auth","result":true,"resultCode":0,"previleges":2,"token":"OLD-T","tokenForHttpServer":"OLD-H"}`)
	for _, ans := range []string{
		`{"method":"auth","result":true,"resultCode":0,"previleges":2,"token":"NEW-T1","tokenForHttpServer":"NEW-H1"}`,
		`{"method":"auth","result":false,"resultCode":8}`,
	} {
		fresh := New(Config{Profile: caselang.Profile{Admin: caselang.Password, User: caselang.Password, Plan: caselang.Pro}, Secrets: secrets, Settings: caselang.DefaultSettings()})
		fresh.InheritTokens(w.m)
		x := fresh.Expect("b", "reuse", obj(t, `{"method":"auth","type":"secured","credentials":"OLD-T"}`), t0)
		if broken := x.Judge(obj(t, ans), t0).Broken(); len(broken) > 0 {
			t.Errorf("a token from before the change answered %s: broken %v, want either accepted", ans, broken)
		}
	}
}

// A request the reading grants but for an unknown extra field, refused: the
// field's doing, judged under ENV-8 (a SHOULD), never under the MUST of the
// request without it (ROLE-1); a success in the wrong mode stays ROLE-1's.
func TestUnknownFieldRefusalIsENV8s(t *testing.T) {
	w := newWorld(t, defaultProfile)
	const login = `{"method":"auth","type":"secured","role":"admin","credentials":"Adm1n-Secret","x-extra":1}`
	if got := w.do("a", "1", login, `{"method":"auth","result":false,"resultCode":10}`); len(got) != 1 || got[0] != "ENV-8" {
		t.Errorf("a login with an unknown field refused: broken %v, want ENV-8 alone", got)
	}
	if got := w.do("b", "2", login, `{"method":"auth","result":true,"resultCode":0,"previleges":1,"token":"t2","tokenForHttpServer":"h2"}`); len(got) != 1 || got[0] != "ROLE-1" {
		t.Errorf("a login with an unknown field granted the wrong mode: broken %v, want ROLE-1", got)
	}
}

// A connection whose mode the model lost (it accepted a role in other
// letter case, RC-9b) then sends a status change with that role: whether
// RC-3 applies depends on the mode it does not know, so only RC-9b
// judges the answer (a SHOULD defect never becomes a MUST failure).
func TestUnknownModeLeavesRC3Unjudged(t *testing.T) {
	w := newWorld(t, defaultProfile)
	w.do("a", "login", secured("admin", "Adm1n-Secret"), ok(0, 2, "a"))
	w.do("a", "folded", secured("Admin", "Adm1n-Secret"), ok(0, 2, "b")) // RC-9b broken: the mode is lost
	got := w.do("a", "switch", `{"method":"auth","role":"Admin"}`, ok(0, 2, "c"))
	if len(got) != 1 || got[0] != "RC-9b" {
		t.Errorf("a status change with role \"Admin\" on a connection of unknown mode: broken %v, want RC-9b alone", got)
	}
}
