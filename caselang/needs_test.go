package caselang

import "testing"

// TestGap: a skip is "not applicable" only when the target's own
// configuration is what the case needs otherwise; a secret or an address the
// operator could give leaves the requirement unchecked instead.
func TestGap(t *testing.T) {
	full := Profile{Admin: Password, User: PIN, Plan: Pro, Secrets: []SecretKind{AdminPassword, UserPIN}, Lettered: []SecretKind{AdminPassword}}
	blind := Profile{Admin: Protected, User: Protected, Plan: Pro}
	free := Profile{Admin: Password, User: Unsecured, Plan: Free, Secrets: []SecretKind{AdminPassword}}
	digits := Profile{Admin: Password, User: PIN, Plan: Pro, Secrets: []SecretKind{AdminPassword, UserPIN}}
	tests := []struct {
		name         string
		n            Need
		p            Profile
		inapplicable bool
	}{
		{"the plan is the target's", OnPlan(Free), full, true},
		{"a known protection is the target's", IsUnsecured(User), full, true},
		{"protected, kind unknown, for a need of unsecured", IsUnsecured(User), blind, true},
		{"a kind of protection not known without admin access", UserSecurity(Password), blind, false},
		{"a known other kind of protection", UserSecurity(Password), full, true},
		{"a missing secret is the operator's", CanLogin(Admin), blind, false},
		{"a Free plan refuses every secured login", CanLogin(Admin), free, true},
		{"a secured mode of another kind", Secured(User, Password), full, true},
		{"the secret of the right kind missing", Secured(Admin, PIN), Profile{Admin: PIN, Plan: Pro}, false},
		{"a secret without letters", WithLetters(AdminPassword), digits, true},
		{"a secret not given", WithLetters(UserPassword), digits, false},
		{"an address the operator can give", HasWeb, full, false},
		{"both modes protected", NoneProtected, full, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.n.Met(tt.p) {
				t.Fatalf("need is met by %s", tt.p)
			}
			c := Case{ID: "x", Needs: []Need{HasHTTP, tt.n}}
			tt.p.HTTPServer = false
			reason, kind := c.Gap(tt.p)
			na := kind == Inapplicable
			if na != tt.inapplicable {
				t.Errorf("inapplicable %v, want %v (%s)", na, tt.inapplicable, reason)
			}
			if tt.inapplicable && reason != tt.n.Reason(tt.p) {
				t.Errorf("reason %q: an inapplicable need's own reason comes first, not %q", reason, tt.n.Reason(tt.p))
			}
		})
	}
}
