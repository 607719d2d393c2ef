package cases

import (
	"strings"
	"testing"

	. "github.com/roomconform/conform/caselang"
)

func TestCatalogueIsValid(t *testing.T) {
	if err := Validate(All()); err != nil {
		t.Fatalf("catalogue is invalid:\n%v", err)
	}
	if n := len(All()); n < 40 {
		t.Fatalf("catalogue has %d cases, want at least 40", n)
	}
}

// TestValidateCatchesDefects proves the validation can fail: each broken
// catalogue must be rejected with a message naming the defect.
func TestValidateCatchesDefects(t *testing.T) {
	good := Case{ID: "rc-7-good", Title: "t", Requirements: []string{"RC-7"},
		Steps: []Step{{Do: send(SecuredAuth(Str(""), roleAdmin)), Expect: []Check{Code("RC-7", 7)}}}}
	tests := []struct {
		name string
		mod  func(c *Case) []Case
		want string
	}{
		{"duplicate id", func(c *Case) []Case { return []Case{*c, *c} }, "duplicate ID"},
		{"bad id", func(c *Case) []Case { c.ID = "Bad ID"; return []Case{*c} }, "slug"},
		{"unknown requirement", func(c *Case) []Case { c.Requirements = append(c.Requirements, "RC-99"); return []Case{*c} }, "unknown requirement"},
		{"unknown label", func(c *Case) []Case { c.Labels = []string{"fast"}; return []Case{*c} }, "unknown label"},
		{"check cites unlisted", func(c *Case) []Case { c.Requirements = []string{"RC-8"}; return []Case{*c} }, "does not list"},
		{"listed but unchecked", func(c *Case) []Case { c.Requirements = append(c.Requirements, "RC-8"); return []Case{*c} }, "no check cites"},
		{"step checks nothing", func(c *Case) []Case { c.Steps[0].Expect = nil; c.Requirements = nil; return []Case{*c} }, "checks nothing"},
		{"wrong credential without recovery", func(c *Case) []Case {
			c.Steps[0].Do = send(SecuredAuth(Wrong(AdminPassword), roleAdmin))
			return []Case{*c}
		}, "lockout"},
		{"ID names another requirement", func(c *Case) []Case { c.ID = "rc-8-good"; return []Case{*c} }, "does not name its primary"},
		{"ID names another group", func(c *Case) []Case { c.ID = "env-good"; return []Case{*c} }, "does not name its primary"},
		{"step does nothing", func(c *Case) []Case { c.Steps[0].Do = nil; return []Case{*c} }, "does nothing"},
		{"timed by a later step", func(c *Case) []Case {
			c.Steps[0].When = Before("later", HTTPTokenLife)
			return []Case{*c}
		}, "does not come before"},
		{"uncovered MUST", func(c *Case) []Case { return []Case{*c} }, "RC-8 (MUST) has no case"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good
			c.Steps = append([]Step(nil), good.Steps...)
			err := Validate(tt.mod(&c))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate: want an error containing %q, got %v", tt.want, err)
			}
		})
	}
}

func TestEveryRequirementHasTextAndLevel(t *testing.T) {
	for _, r := range Requirements() {
		if r.Text == "" || (r.Level != Must && r.Level != Should && r.Level != Info) {
			t.Errorf("%s: level %q text %q", r.ID, r.Level, r.Text)
		}
	}
}
