package preflight_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/engine"
	"github.com/roomconform/conform/internal/preflight"
	"github.com/roomconform/conform/internal/redact"
	"github.com/roomconform/conform/refserver"
)

// TestUnreachableTarget: a closed port is an UnreachableError, not a verdict.
func TestUnreachableTarget(t *testing.T) {
	_, err := preflight.Probe(context.Background(), engine.Target{URL: "ws://127.0.0.1:1/"}, engine.Secrets{}, "", nil)
	var unreachable *engine.UnreachableError
	if !errors.As(err, &unreachable) {
		t.Fatalf("want UnreachableError, got %v", err)
	}
}

// TestRefusedSecretIsConfigError: a wrong CONFORM_ADMIN_PASSWORD stops the
// run as a configuration error (exit 2), before any case.
func TestRefusedSecretIsConfigError(t *testing.T) {
	run, err := refserver.Start("127.0.0.1:0", refserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	s := engine.SecretsFromEnv(func(k string) string {
		if k == "CONFORM_ADMIN_PASSWORD" {
			return "not-the-password"
		}
		return ""
	})
	_, err = preflight.Probe(context.Background(), engine.Target{URL: run.URL}, s, "", nil)
	if !preflight.IsConfig(err) || !strings.Contains(err.Error(), "CONFORM_ADMIN_PASSWORD") {
		t.Fatalf("want a ConfigError naming the variable, got %v", err)
	}
	if strings.Contains(err.Error(), "not-the-password") {
		t.Fatal("the error reveals the secret")
	}
}

// TestPreflightHonoursAcceptedSets: a secret the target does not need is
// unused, not refused, whichever member of RC-4b's accepted set {4, 8} the
// target answers a secured login with; a Free plan's refusal (2) of a
// protected mode's secret makes it unusable, not a configuration error.
func TestPreflightHonoursAcceptedSets(t *testing.T) {
	for _, tt := range []struct {
		profile  string
		variants []string
		plan     caselang.Plan
	}{
		{"unsecured", nil, caselang.Pro},
		{"unsecured", []string{"rc4b-code-8"}, caselang.Pro},
		{"free", []string{"rc4b-code-8"}, caselang.Free},
		{"free-admin-password", nil, caselang.Free},
		{"free-admin-pin-user-password", nil, caselang.Free},
	} {
		t.Run(tt.profile+" "+strings.Join(tt.variants, ","), func(t *testing.T) {
			p, err := refserver.LookupProfile(tt.profile)
			if err != nil {
				t.Fatal(err)
			}
			run, err := refserver.Start("127.0.0.1:0", refserver.Options{Profile: p, Variants: tt.variants,
				Secrets: refserver.Secrets{AdminPassword: "supplied-but-unused", UserPassword: "also-unused"}})
			if err != nil {
				t.Fatal(err)
			}
			defer run.Close()
			given := map[string]string{"CONFORM_ADMIN_PASSWORD": "supplied-but-unused", "CONFORM_USER_PASSWORD": "also-unused"}
			res, err := preflight.Probe(context.Background(), engine.Target{URL: run.URL}, engine.SecretsFromEnv(func(k string) string { return given[k] }), tt.plan, redact.New())
			if err != nil {
				t.Fatalf("the preflight refused a conformant target: %v", err)
			}
			if res.Profile.Has(caselang.AdminPassword) && !res.Profile.CanLogin(caselang.Admin) {
				t.Errorf("profile %s keeps a secret it cannot use", res.Profile)
			}
			// On a Free plan a secret is kept only to check its refusal (RC-2).
			if notes := strings.Join(res.Profile.Notes, " "); !strings.Contains(notes, "not used") && !strings.Contains(notes, "used only to check that refusal") {
				t.Errorf("the unused secret is not noted: %v", res.Profile.Notes)
			}
		})
	}
}

// TestRefusedSecretBesideAWorkingOne: on an admin-PIN target an admin
// password is not needed; the target refusing it is noted, counted against
// the budget, and followed by a successful login, not a configuration error.
func TestRefusedSecretBesideAWorkingOne(t *testing.T) {
	p, _ := refserver.LookupProfile("admin-pin")
	run, err := refserver.Start("127.0.0.1:0", refserver.Options{Profile: p, Secrets: refserver.Secrets{AdminPIN: "9x4k2m"}})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	given := map[string]string{"CONFORM_ADMIN_PASSWORD": "not-this-devices", "CONFORM_ADMIN_PIN": "9x4k2m"}
	res, err := preflight.Probe(context.Background(), engine.Target{URL: run.URL}, engine.SecretsFromEnv(func(k string) string { return given[k] }), caselang.Pro, redact.New())
	if err != nil {
		t.Fatalf("preflight: %v", err)
	}
	if res.WrongSent != 1 || res.Profile.Has(caselang.AdminPassword) || !res.Profile.Has(caselang.AdminPIN) || res.Profile.Admin != caselang.PIN {
		t.Errorf("wrong sent %d, profile %s", res.WrongSent, res.Profile)
	}
	// The last exchange of the preflight's admin logins is a success.
	frames := res.Transcript.Frames()
	var last string
	for _, f := range frames {
		if f.Dir == "recv" && strings.Contains(f.Payload, `"method":"auth"`) {
			last = f.Payload
		}
	}
	if !strings.Contains(last, `"result":true`) {
		t.Errorf("the refused secret is not followed by a success: %s", last)
	}
}
