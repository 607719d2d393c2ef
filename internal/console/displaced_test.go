package console

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/roomconform/conform/caselang"
)

// TestDisplacedNamesTheModesTheRunEnters: a live run displaces the
// controller connected in each mode it logs in to, and the header's line
// names exactly those, within 100 columns.
func TestDisplacedNamesTheModesTheRunEnters(t *testing.T) {
	pro := func(admin, user caselang.Security, secrets ...caselang.SecretKind) caselang.Profile {
		return caselang.Profile{Admin: admin, User: user, Plan: caselang.Pro, Secrets: secrets}
	}
	for _, tt := range []struct {
		name      string
		p         caselang.Profile
		want, not []string
	}{
		{"both", pro(caselang.Password, caselang.PIN, caselang.AdminPassword, caselang.UserPIN), []string{"admin and user mode"}, nil},
		{"unsecured", pro(caselang.Unsecured, caselang.Unsecured), []string{"admin and user mode"}, nil},
		{"admin only", pro(caselang.Password, caselang.PIN, caselang.AdminPassword), []string{"admin mode"}, []string{"user"}},
		{"user only", pro(caselang.Password, caselang.Unsecured), []string{"user mode"}, []string{"admin"}},
		{"free", caselang.Profile{Admin: caselang.Password, User: caselang.Password, Plan: caselang.Free}, nil, nil},
	} {
		line := Displaced(tt.p)
		if tt.want == nil {
			if line != "" {
				t.Errorf("%s: %q, want no line (the run enters no mode)", tt.name, line)
			}
			continue
		}
		for _, w := range append(tt.want, "displaced", "authoriz") {
			if !strings.Contains(line, w) {
				t.Errorf("%s: %q lacks %q", tt.name, line, w)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(line, n) {
				t.Errorf("%s: %q names %q", tt.name, line, n)
			}
		}
		if n := utf8.RuneCountInString(line); n > 100 || strings.Contains(line, "\n") {
			t.Errorf("%s: %d columns or more than one line: %q", tt.name, n, line)
		}
	}
}
