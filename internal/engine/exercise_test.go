package engine_test

import (
	"context"
	"strings"
	"testing"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/refserver"
)

// TestExercisesTryBothEndsOfALife: the token exercises of a case that is
// not about lifetimes, on the embedded server's virtual clock, try each
// token at the end of its life (- tolerance) after its earlier uses, and
// count an API token's expiry from the authorization it descends from. A
// server that ends an HTTP token early after its first use, or gives a
// token from a token authorization half a lifetime, fails there; one whose
// tokens live as they should passes.
func TestExercisesTryBothEndsOfALife(t *testing.T) {
	for _, tc := range []struct{ fault, caseID, req string }{
		{"", "tok-1-admin-token-on-new-connection", ""},
		{"http-token-shortened-by-use", "tok-1-admin-token-on-new-connection", "LIFE-2"},
		{"token-auth-half-lifetime", "tok-1-admin-token-on-new-connection", "LIFE-5"},
	} {
		t.Run(tc.fault+"/"+tc.caseID, func(t *testing.T) {
			var faults []string
			if tc.fault != "" {
				faults = append(faults, tc.fault)
			}
			r := startFaulty(t, refserver.DefaultProfile, nil, faults...)
			c, ok := cases.Lookup(tc.caseID)
			if !ok {
				t.Fatalf("no case %s", tc.caseID)
			}
			o := r.Run(context.Background(), c)
			if tc.fault == "" {
				if o.Verdict != caselang.Pass {
					t.Fatalf("verdict %s without a fault, want PASS\n%s", o.Verdict, o.Reason)
				}
				return
			}
			if o.Verdict != caselang.Fail {
				t.Fatalf("verdict %s, want FAIL\n%s", o.Verdict, o.Reason)
			}
			var broken []string
			for _, f := range o.Findings {
				if f.Broken() {
					broken = append(broken, f.String())
				}
			}
			if other := brokenOtherThan(o, tc.req); len(other) > 0 || !strings.Contains(strings.Join(broken, "\n"), "exercise") {
				t.Errorf("want the exercises to break %s alone; broken:\n%s", tc.req, strings.Join(broken, "\n"))
			}
		})
	}
}

// TestReissuedTokenLifeIsNotJudged: a server that hands a login the API
// token an earlier login got (AUTH-5, a SHOULD) gives it a life that began
// before the case: the steps timed by that login are not evaluated, and
// the case WARNs under AUTH-5 rather than FAILing LIFE-4 for it.
func TestReissuedTokenLifeIsNotJudged(t *testing.T) {
	r := startFaulty(t, refserver.DefaultProfile, nil, "repeated-tokens")
	first, ok := cases.Lookup("life-4-admin-token-and-derived-tokens-expire")
	if !ok {
		t.Fatal("no case life-4-admin-token-and-derived-tokens-expire")
	}
	// Its last admin login leaves a live admin token for the next login to get again.
	r.Run(context.Background(), first)
	c, ok := cases.Lookup("life-4-admin-login-token-expiring")
	if !ok {
		t.Fatal("no case life-4-admin-login-token-expiring")
	}
	o := r.Run(context.Background(), c)
	if o.Verdict != caselang.Warn {
		t.Fatalf("verdict %s, want WARN\n%s", o.Verdict, o.Reason)
	}
	if other := brokenOtherThan(o, "AUTH-5"); len(other) > 0 {
		t.Errorf("judged under other requirements than AUTH-5:\n%s", strings.Join(other, "\n"))
	}
	if f, ok := notEvaluated(o, "LIFE-4"); !ok || !strings.Contains(f.NotEvaluated, "AUTH-5") {
		t.Errorf("LIFE-4 not marked not evaluated for the reissued token: %+v", f)
	}
}
