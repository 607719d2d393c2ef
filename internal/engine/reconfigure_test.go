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

// asEmbedded makes a runner against the reference server what the
// embedded run's is: its secrets the target's own, nothing of it to harm.
func asEmbedded(c *engine.Config) {
	c.Target.OwnSecrets = true
	c.Profile.Reference = true
}

// fromProfile are the reconfiguring cases that start from profile name
// (caselang.StartsFrom), and those that run in any profile.
func fromProfile(name string) []caselang.Case {
	var out []caselang.Case
	for _, c := range cases.All() {
		if c.HasLabel("mutating") && (strings.HasSuffix(c.ID, "-from-"+name) || strings.Contains(c.ID, "long-password")) {
			out = append(out, c)
		}
	}
	return out
}

// TestReconfigurationFromEveryProfile: every change from every Pro profile
// it applies to passes against the reference server, which refuses the
// old secret and takes the new one on every connection. Before the engine
// dropped the secrets a change retired, its model took the old secret for
// a secret still (FAIL: "expected success"), and the notice of the change
// (CFG-5) passed for a later displacement's (SEC-3).
func TestReconfigurationFromEveryProfile(t *testing.T) {
	ran := 0
	for _, p := range refserver.Profiles() {
		if p.Plan != refserver.Pro {
			continue
		}
		t.Run(p.Name, func(t *testing.T) {
			r := newRunner(probed(t, p.Name, nil), asEmbedded)
			for _, c := range fromProfile(p.Name) {
				o := r.Run(context.Background(), c)
				switch {
				case o.Verdict == caselang.Pass:
					ran++
				case o.Verdict == caselang.Skip && !strings.Contains(c.ID, "-from-"):
					// a long password where the target cannot take one
				default:
					t.Errorf("%s: %s\n%s\ntranscript:\n%s", c.ID, o.Verdict, o.Reason, o.Transcript)
				}
			}
		})
	}
	// 6 changes from 7 profiles, less those that do not apply.
	if ran < 30 {
		t.Errorf("only %d reconfiguring cases ran from the Pro profiles", ran)
	}
}

// TestOldSecretFaultsCaught: a server that keeps an old secret working
// after setAuthParams (everywhere, or on the connections opened before the
// change), or that cuts a long password, fails the new cases under the
// requirement the fault breaks, on the connections it concerns.
func TestOldSecretFaultsCaught(t *testing.T) {
	for _, tt := range []struct {
		fault, id, req string
		broken, intact []string // steps with and without a broken finding
	}{
		{"old-admin-password-kept", "cfg-1-admin-password-from-admin-password-user-pin", "RC-8", []string{"a-old", "i-old", "n-old"}, nil},
		{"old-user-secret-kept", "cfg-2-user-pin-given-from-admin-password-user-pin", "RC-8", []string{"u-old", "i-old", "n-old"}, nil},
		{"old-user-secret-kept", "cfg-user-password-from-admin-password-user-pin", "RC-8", []string{"u-old", "i-old", "n-old"}, nil},
		{"preconnected-keeps-old-secret", "cfg-2-user-pin-generated-from-admin-password-user-pin", "RC-8", []string{"u-old", "i-old"}, []string{"n-old"}},
		{"preconnected-keeps-old-secret", "cfg-1-admin-password-from-admin-password-user-pin", "RC-8", []string{"a-old", "i-old"}, []string{"n-old"}},
		{"long-password-truncated", "cfg-1-admin-long-password-round-trip", "CFG-1", []string{"new"}, nil},
		{"long-password-truncated", "cfg-user-long-password-round-trip", "RC-8", []string{"cut"}, nil},
	} {
		t.Run(tt.fault+"/"+tt.id, func(t *testing.T) {
			c, ok := cases.Lookup(tt.id)
			if !ok {
				t.Fatalf("no case %s", tt.id)
			}
			clean := newRunner(probed(t, "admin-password-user-pin", nil), asEmbedded).Run(context.Background(), c)
			if clean.Verdict != caselang.Pass {
				t.Fatalf("against the conformant server: %s\n%s", clean.Verdict, clean.Reason)
			}
			o := newRunner(probed(t, "admin-password-user-pin", nil, tt.fault), asEmbedded).Run(context.Background(), c)
			if o.Verdict != caselang.Fail {
				t.Fatalf("with %s: %s, want FAIL\n%s", tt.fault, o.Verdict, o.Reason)
			}
			brokenAt := map[string]bool{}
			for _, f := range o.Findings {
				if f.Broken() && f.Requirement == tt.req {
					brokenAt[f.Step] = true
				}
			}
			for _, s := range tt.broken {
				if !brokenAt[s] {
					t.Errorf("no broken %s finding at step %s:\n%s", tt.req, s, o.Reason)
				}
			}
			for _, s := range tt.intact {
				if brokenAt[s] {
					t.Errorf("a broken %s finding at step %s, which the fault does not concern:\n%s", tt.req, s, o.Reason)
				}
			}
		})
	}
}

// TestLiveReconfigurationLimits: on a target that is not the embedded
// server, a case makes one change at most, a user PIN is generated once a
// run, and no long password is set; the embedded server has no such limit.
func TestLiveReconfigurationLimits(t *testing.T) {
	lookup := func(id string) caselang.Case {
		c, ok := cases.Lookup(id)
		if !ok {
			t.Fatalf("no case %s", id)
		}
		return c
	}
	live := startProfile(t, "admin-password-user-pin", nil)
	two := live.Run(context.Background(), lookup("cfg-4-user-protected-only-with-admin"))
	if two.Verdict != caselang.Skip || !strings.Contains(two.Reason, "one change per case") {
		t.Errorf("two changes on a live target: %s %q, want a skip for one change per case", two.Verdict, two.Reason)
	}
	first := live.Run(context.Background(), lookup("cfg-2-user-pin-generated-from-admin-password-user-pin"))
	if first.Verdict != caselang.Pass {
		t.Fatalf("the first user-PIN regeneration: %s\n%s", first.Verdict, first.Reason)
	}
	second := live.Run(context.Background(), lookup("cfg-2-user-pin-generated"))
	if second.Verdict != caselang.Skip || !strings.Contains(second.Reason, "at most one user-PIN regeneration") {
		t.Errorf("a second user-PIN regeneration: %s %q, want a skip", second.Verdict, second.Reason)
	}
	long := live.Run(context.Background(), lookup("cfg-1-admin-long-password-round-trip"))
	if long.Verdict != caselang.Skip || long.Skipped != caselang.SkipNotApplicable {
		t.Errorf("a long password on a live target: %s %q, want a skip", long.Verdict, long.Reason)
	}
	// The engine holds to it whatever a case says: a long secret resolves
	// on the embedded server only.
	c := lookup("cfg-1-admin-long-password-round-trip")
	c.Needs = nil
	o := live.Run(context.Background(), c)
	if o.Verdict != caselang.Error || !strings.Contains(o.Reason, "embedded reference server only") {
		t.Errorf("a long password without its need on a live target: %s %q, want an ERROR before any change", o.Verdict, o.Reason)
	}
	emb := newRunner(probed(t, "admin-password-user-pin", nil), asEmbedded)
	for _, id := range []string{"cfg-4-user-protected-only-with-admin", "cfg-2-user-pin-generated", "cfg-2-user-pin-generated-null-newpin", "cfg-1-admin-long-password-round-trip"} {
		if o := emb.Run(context.Background(), lookup(id)); o.Verdict != caselang.Pass {
			t.Errorf("%s on the embedded server: %s\n%s", id, o.Verdict, o.Reason)
		}
	}
}
