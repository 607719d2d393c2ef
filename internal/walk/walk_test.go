package walk

import (
	"slices"
	"testing"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/reconf"
)

// TestChangesGoAdminFirst: the walk's setAuthParams requests from one
// protection to another: an unsecured admin takes user with it (one
// request), a password for admin comes before the user's change, each
// suite secret derived from the key, and nothing when nothing changes.
func TestChangesGoAdminFirst(t *testing.T) {
	key := reconf.NewKey(reconf.Protection{Admin: caselang.Password, User: caselang.PIN}, map[caselang.SecretKind]string{caselang.AdminPassword: "Admin-Secret-1"}, "nonce")
	p := func(a, u caselang.Security) reconf.Protection { return reconf.Protection{Admin: a, User: u} }
	for _, tt := range []struct {
		from, to reconf.Protection
		want     []reconf.Change
	}{
		{p(caselang.Password, caselang.PIN), p(caselang.Password, caselang.Password),
			[]reconf.Change{{Mode: caselang.User, To: caselang.Password, Secret: key.Derive(caselang.UserPassword)}}},
		{p(caselang.Password, caselang.PIN), p(caselang.Unsecured, caselang.Unsecured),
			[]reconf.Change{{Mode: caselang.Admin, To: caselang.Unsecured}}},
		{p(caselang.Unsecured, caselang.Unsecured), p(caselang.Password, caselang.PIN),
			[]reconf.Change{{Mode: caselang.Admin, To: caselang.Password, Secret: key.Derive(caselang.AdminPassword)}, {Mode: caselang.User, To: caselang.PIN, Secret: key.Derive(caselang.UserPIN)}}},
		{p(caselang.Unsecured, caselang.Unsecured), p(caselang.Password, caselang.Unsecured),
			[]reconf.Change{{Mode: caselang.Admin, To: caselang.Password, Secret: key.Derive(caselang.AdminPassword)}}},
		{p(caselang.Password, caselang.Unsecured), p(caselang.Password, caselang.Unsecured), nil},
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
		plan caselang.Plan
		want string
	}{
		{reconf.Protection{Admin: caselang.Password, User: caselang.PIN}, caselang.Pro, "admin-password-user-pin"},
		{reconf.Protection{Admin: caselang.Unsecured, User: caselang.Unsecured}, caselang.Pro, "unsecured"},
		{reconf.Protection{Admin: caselang.Password, User: caselang.Unsecured}, caselang.Free, "free-admin-password"},
		{reconf.Protection{Admin: caselang.Unsecured, User: caselang.Unsecured}, caselang.Free, "free"},
	} {
		if got := ProfileName(tt.p, tt.plan); got != tt.want {
			t.Errorf("%s on %s: %q, want %q", tt.p, tt.plan, got, tt.want)
		}
	}
}
