package walk

import (
	"slices"
	"testing"

	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/reconf"
)

// TestChangesGoAdminFirst: the walk's setAuthParams requests from one
// protection to another: an unsecured admin takes user with it (one
// request), a password for admin comes before the user's change, each
// suite secret derived from the key, and nothing when nothing changes.
func TestChangesGoAdminFirst(t *testing.T) {
	key := reconf.NewKey(reconf.Protection{Admin: cases.Password, User: cases.PIN}, map[cases.SecretKind]string{cases.AdminPassword: "Admin-Secret-1"}, "nonce")
	p := func(a, u cases.Security) reconf.Protection { return reconf.Protection{Admin: a, User: u} }
	for _, tt := range []struct {
		from, to reconf.Protection
		want     []reconf.Change
	}{
		{p(cases.Password, cases.PIN), p(cases.Password, cases.Password),
			[]reconf.Change{{Mode: cases.User, To: cases.Password, Secret: key.Derive(cases.UserPassword)}}},
		{p(cases.Password, cases.PIN), p(cases.Unsecured, cases.Unsecured),
			[]reconf.Change{{Mode: cases.Admin, To: cases.Unsecured}}},
		{p(cases.Unsecured, cases.Unsecured), p(cases.Password, cases.PIN),
			[]reconf.Change{{Mode: cases.Admin, To: cases.Password, Secret: key.Derive(cases.AdminPassword)}, {Mode: cases.User, To: cases.PIN, Secret: key.Derive(cases.UserPIN)}}},
		{p(cases.Unsecured, cases.Unsecured), p(cases.Password, cases.Unsecured),
			[]reconf.Change{{Mode: cases.Admin, To: cases.Password, Secret: key.Derive(cases.AdminPassword)}}},
		{p(cases.Password, cases.Unsecured), p(cases.Password, cases.Unsecured), nil},
	} {
		if got := changes(tt.from, tt.to, key); !slices.Equal(got, tt.want) {
			t.Errorf("%s to %s: %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
}

// TestProfileNameIsTheReferenceServers: a protection is named as the
// reference server's profiles are.
func TestProfileNameIsTheReferenceServers(t *testing.T) {
	for _, tt := range []struct {
		p    reconf.Protection
		plan cases.Plan
		want string
	}{
		{reconf.Protection{Admin: cases.Password, User: cases.PIN}, cases.Pro, "admin-password-user-pin"},
		{reconf.Protection{Admin: cases.Unsecured, User: cases.Unsecured}, cases.Pro, "unsecured"},
		{reconf.Protection{Admin: cases.Password, User: cases.Unsecured}, cases.Free, "free-admin-password"},
		{reconf.Protection{Admin: cases.Unsecured, User: cases.Unsecured}, cases.Free, "free"},
	} {
		if got := ProfileName(tt.p, tt.plan); got != tt.want {
			t.Errorf("%s on %s: %q, want %q", tt.p, tt.plan, got, tt.want)
		}
	}
}
