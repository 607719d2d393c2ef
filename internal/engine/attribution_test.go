package engine_test

import (
	"context"
	"strings"
	"testing"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/engine"
	"github.com/roomconform/conform/refserver"
)

// Attribution (issue 17, item 4): a deviation is judged under the
// requirement whose stimulus provoked it, never a second time under a
// broader one, and what it kept from being judged is "not evaluated".

func catalogueCase(t *testing.T, id string) caselang.Case {
	t.Helper()
	c, ok := cases.Lookup(id)
	if !ok {
		t.Fatalf("no case %s in the catalogue", id)
	}
	return c
}

// brokenOtherThan returns the broken findings under any requirement but req.
func brokenOtherThan(o engine.Outcome, req string) []string {
	var out []string
	for _, f := range o.Findings {
		if f.Broken() && f.Requirement != req {
			out = append(out, f.String())
		}
	}
	return out
}

func notEvaluated(o engine.Outcome, req string) (caselang.Finding, bool) {
	for _, f := range o.Findings {
		if f.Requirement == req && f.NotEvaluated != "" {
			return f, true
		}
	}
	return caselang.Finding{}, false
}

// A target that closes the connection after a failed auth breaks ENV-9
// (a SHOULD) alone: the later step on that connection is not evaluated,
// blocked by ENV-9 at the failing step, and never judged under ENV-4.
func TestAClosedConnectionBlocksLaterStepsUnderENV9Alone(t *testing.T) {
	for _, id := range []string{"env-4-no-request-id-failure", "env-4-no-request-id-success"} {
		t.Run(id, func(t *testing.T) {
			r := startFaulty(t, refserver.DefaultProfile, nil, "close-after-failure")
			o := r.Run(context.Background(), catalogueCase(t, id))
			if o.Verdict != caselang.Warn {
				t.Errorf("verdict %s, want WARN (ENV-9 is a SHOULD)\n%s", o.Verdict, o.Reason)
			}
			if other := brokenOtherThan(o, "ENV-9"); len(other) > 0 {
				t.Errorf("judged under other requirements than ENV-9:\n%s", strings.Join(other, "\n"))
			}
			f, ok := notEvaluated(o, "ENV-4")
			if !ok || f.NotEvaluated != "blocked by ENV-9 at step #1" || f.Step != "#2" {
				t.Errorf("step #2's ENV-4 check: %+v (found %t), want not evaluated, blocked by ENV-9 at step #1", f, ok)
			}
		})
	}
}

// The same whether the engine sees the close with its probe or with the
// next request (a probe is only sent where the model knows the
// connection): a fake that answers a failure and closes, and never
// answers getAuthInfo, so the close is always met by the next auth.
func TestACloseMetByTheNextRequestIsENV9s(t *testing.T) {
	f := newFake(t, func(req map[string]any) []string {
		if req["method"] == "auth" {
			return []string{authAnswer(req, 10), closeFrame}
		}
		return nil
	})
	r := runner(f.URL)
	o := runBounded(t, r,
		caselang.Step{Do: caselang.Send{Request: openType}, Expect: []caselang.Check{caselang.Code("RC-10", 10)}},
		caselang.Step{Do: caselang.Send{Request: caselang.Request{Type: caselang.Str("open"), RequestID: caselang.NoRequestID}}, Expect: []caselang.Check{caselang.EmptyOrNoRequestID("ENV-4")}},
	)
	if o.Verdict != caselang.Warn {
		t.Errorf("verdict %s, want WARN\n%s\n%s", o.Verdict, o.Reason, o.Transcript)
	}
	if fe, ok := notEvaluated(o, "ENV-4"); !ok || fe.NotEvaluated != "blocked by ENV-9 at step #1" {
		t.Errorf("ENV-4: %+v (found %t), want not evaluated, blocked by ENV-9 at step #1", fe, ok)
	}
	if other := brokenOtherThan(o, "ENV-9"); len(other) > 0 {
		t.Errorf("judged under other requirements than ENV-9:\n%s", strings.Join(other, "\n"))
	}
}

// A target that refuses a request for its unknown field is judged under
// ENV-8 (a SHOULD) only: the model's judgement of the same answer (a valid
// admin login refused: ROLE-1) is not added.
func TestAnUnknownFieldRefusalIsJudgedUnderENV8Alone(t *testing.T) {
	r := startFaulty(t, refserver.DefaultProfile, nil, "unknown-field-rejected")
	o := r.Run(context.Background(), catalogueCase(t, "env-8-unknown-field-ignored"))
	if o.Verdict != caselang.Warn {
		t.Errorf("verdict %s, want WARN (ENV-8 is a SHOULD)\n%s", o.Verdict, o.Reason)
	}
	if other := brokenOtherThan(o, "ENV-8"); len(other) > 0 {
		t.Errorf("judged under other requirements than ENV-8:\n%s", strings.Join(other, "\n"))
	}
}

// lockedOut is a target in a lockout the suite did not cause: every
// secured login gets 6, and anything else is refused as before auth.
func lockedOut(req map[string]any) []string {
	if req["method"] == "auth" {
		if req["type"] == "secured" {
			return []string{authAnswer(req, 6)}
		}
		return []string{authAnswer(req, 10)}
	}
	return []string{answerOf(req)}
}

// protectedRunner is runner(url) for a target whose admin is protected by
// a password and whose user by a PIN, with both secrets given.
func protectedRunner(url string) *engine.Runner {
	env := map[string]string{"CONFORM_ADMIN_PASSWORD": "Secret-Admin-7x", "CONFORM_USER_PIN": "pe4k9x"}
	return runner(url, func(c *engine.Config) {
		c.Secrets = engine.SecretsFromEnv(func(k string) string { return env[k] })
		c.Profile = caselang.Profile{Admin: caselang.Password, User: caselang.PIN, Plan: caselang.Pro, Secrets: c.Secrets.Kinds()}
	})
}

// A 6 for correct credentials the case did not provoke (no wrong
// credentials of its own within the lockout window) is a possible lockout:
// not evaluated, neither a FAIL under ROLE-1 nor a PASS; the steps that
// assumed the login are not evaluated either, and from then on the run
// sends no wrong credentials.
func TestASixTheSuiteDidNotProvokeIsAPossibleLockout(t *testing.T) {
	f := newFake(t, lockedOut)
	r := protectedRunner(f.URL)
	login := caselang.Step{Name: "login", Do: caselang.Send{Request: caselang.Login(caselang.Admin)},
		Expect: []caselang.Check{caselang.Succeeds("ROLE-1"), caselang.Previleges("ROLE-1", caselang.Admin)}}
	info := caselang.Step{Name: "info", Do: caselang.Send{Request: caselang.Request{Method: "getAuthInfo"}}, Expect: []caselang.Check{caselang.ShowsPIN("SEC-2")}}
	o := runBounded(t, r, login, info)
	if o.Verdict != caselang.Pass {
		t.Errorf("verdict %s, want PASS with the login not evaluated\n%s", o.Verdict, o.Reason)
	}
	for _, req := range []string{"ROLE-1", "SEC-2"} {
		if fe, ok := notEvaluated(o, req); !ok {
			t.Errorf("%s: no finding not evaluated (%+v)", req, o.Findings)
		} else if !strings.Contains(fe.NotEvaluated, "possible lockout") {
			t.Errorf("%s not evaluated for %q, want a possible lockout", req, fe.NotEvaluated)
		}
	}
	if r.Services().Health.Lockout() == "" {
		t.Fatal("the runner did not record the possible lockout")
	}
	// A case that sends a wrong credential is not run now.
	wrong := caselang.Case{ID: "wrong-after-lockout", Title: "test", Requirements: []string{"RC-8"}, Steps: []caselang.Step{
		{Do: caselang.Send{Request: caselang.Request{Type: caselang.Str("secured"), Role: caselang.Str("admin"), Credentials: caselang.Str("not-the-password")}},
			Expect: []caselang.Check{caselang.Code("RC-8", 8)}},
	}}
	before := len(f.requests())
	if o := r.Run(context.Background(), wrong); o.Verdict != caselang.Skip || !strings.Contains(o.Reason, "possible lockout") {
		t.Errorf("a case with wrong credentials after a possible lockout: %s (%s), want SKIP", o.Verdict, o.Reason)
	}
	if n := len(f.requests()) - before; n != 0 {
		t.Errorf("%d requests sent by a case that was not to run", n)
	}
}

// The lockout the case provoked itself is judged as before: after its own
// repeated wrong credentials within the lockout window, 6 is accepted
// for a correct login, and nothing is "not evaluated".
func TestASixAfterTheCasesOwnWrongCredentialsIsAccepted(t *testing.T) {
	f := newFake(t, func(req map[string]any) []string {
		if req["method"] == "auth" && req["credentials"] != "Secret-Admin-7x" {
			return []string{authAnswer(req, 8)}
		}
		return lockedOut(req)
	})
	r := protectedRunner(f.URL)
	bad := caselang.Request{Type: caselang.Str("secured"), Role: caselang.Str("admin"), Credentials: caselang.Str("not-the-password")}
	o := runBounded(t, r,
		caselang.Step{Do: caselang.Send{Request: bad}, Expect: []caselang.Check{caselang.Code("RC-8", 8)}},
		caselang.Step{Do: caselang.Send{Request: bad}, Expect: []caselang.Check{caselang.Code("RC-8", 8)}},
		caselang.Step{Do: caselang.Send{Request: caselang.Login(caselang.Admin)}, Expect: []caselang.Check{caselang.AsTheReadingSays("ROLE-1")}},
	)
	if o.Verdict != caselang.Pass || r.Services().Health.Lockout() != "" {
		t.Errorf("verdict %s (%s), lockout %q: want PASS, no suspicion", o.Verdict, o.Reason, r.Services().Health.Lockout())
	}
	for _, fi := range o.Findings {
		if fi.NotEvaluated != "" {
			t.Errorf("not evaluated: %s", fi)
		}
	}
}

// A SHOULD fault whose effect reaches a MUST check downstream is judged
// under its own requirement alone: the HTTP token that equals the API
// token (AUTH-5) still opens the HTTP server after the HTTP lifetime, as
// the live API token it also is, so LIFE-2's check of it is not evaluated;
// a token with whitespace around it is a padded secret (RC-8b), not any
// wrong credential (RC-8).
func TestShouldFaultsAreJudgedUnderTheirOwnRequirement(t *testing.T) {
	for _, tc := range []struct{ fault, caseID, req string }{
		{"http-token-equals-token", "life-2-http-token-expires", "AUTH-5"},
		{"credentials-trimmed", "rc-8b-near-admin-token-tab", "RC-8b"},
		{"credentials-trimmed", "rc-8b-near-user-token-trailing-space", "RC-8b"},
	} {
		t.Run(tc.fault+"/"+tc.caseID, func(t *testing.T) {
			r := startFaulty(t, refserver.DefaultProfile, nil, tc.fault)
			c, ok := cases.Lookup(tc.caseID)
			if !ok {
				// The near misses are generated: look among them.
				for _, n := range cases.All() {
					if n.ID == tc.caseID {
						c, ok = n, true
					}
				}
			}
			if !ok {
				t.Fatalf("no case %s", tc.caseID)
			}
			o := r.Run(context.Background(), c)
			if o.Verdict != caselang.Warn {
				t.Errorf("verdict %s, want WARN\n%s", o.Verdict, o.Reason)
			}
			if other := brokenOtherThan(o, tc.req); len(other) > 0 {
				t.Errorf("judged under other requirements than %s:\n%s", tc.req, strings.Join(other, "\n"))
			}
		})
	}
}
