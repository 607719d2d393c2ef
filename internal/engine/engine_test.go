package engine_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/engine"
	"github.com/roomconform/conform/internal/session"
	"github.com/roomconform/conform/internal/wire"
	"github.com/roomconform/conform/refserver"
)

// startProfile starts the reference server in a profile and returns a
// runner probed against it, with the server's secrets as the operator's.
func startProfile(t *testing.T, name string, plan cases.Plan) *engine.Runner {
	t.Helper()
	p, err := refserver.LookupProfile(name)
	if err != nil {
		t.Fatal(err)
	}
	run, err := refserver.Start("127.0.0.1:0", session.EmbeddedOptions(refserver.Options{Profile: p, Secrets: refserver.Secrets{AdminPIN: "7391"}}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	eff := run.Server.Secrets()
	env := map[string]string{
		"CONFORM_ADMIN_PASSWORD": eff.AdminPassword, "CONFORM_ADMIN_PIN": eff.AdminPIN,
		"CONFORM_USER_PASSWORD": eff.UserPassword,
	}
	if p.Plan == refserver.Free {
		env["CONFORM_ADMIN_PIN"] = ""
	}
	red := wire.NewRedactor()
	target := engine.Target{URL: run.URL, HTTP: run.HTTPURL, Web: run.WebURL, QuietWindow: 50 * time.Millisecond}
	res, err := engine.Probe(context.Background(), target, engine.SecretsFromEnv(func(k string) string { return env[k] }), plan, red)
	if err != nil {
		t.Fatalf("probe: %v", err)
	}
	set := session.EmbeddedSettings()
	prof := res.Profile
	prof.HTTPServer, prof.WebManager, prof.Lifetimes = true, true, set
	return &engine.Runner{Target: target, Profile: prof, Secrets: res.Secrets, Redactor: red, WrongBudget: engine.Unlimited, Settings: set}
}

// TestReferenceServerPassesEveryProfile is the suite's own acceptance test:
// against the reference server every case passes or is skipped with a
// reason, in every built-in profile.
func TestReferenceServerPassesEveryProfile(t *testing.T) {
	for _, p := range refserver.Profiles() {
		t.Run(p.Name, func(t *testing.T) {
			plan := cases.Pro
			if p.Plan == refserver.Free {
				plan = cases.Free
			}
			r := startProfile(t, p.Name, plan)
			if got, want := string(r.Profile.Admin), string(p.Admin); got != want {
				t.Errorf("probed admin security %s, want %s", got, want)
			}
			if got, want := string(r.Profile.User), string(p.User); got != want {
				t.Errorf("probed user security %s, want %s", got, want)
			}
			ran := 0
			for _, c := range cases.All() {
				o := r.Run(context.Background(), c)
				switch o.Verdict {
				case cases.Pass:
					ran++
				case cases.Skip:
					if o.Reason == "" {
						t.Errorf("%s: skipped without a reason", c.ID)
					}
				default:
					t.Errorf("%s: %s\n%s\ntranscript:\n%s", c.ID, o.Verdict, o.Reason, o.Transcript)
				}
			}
			t.Logf("profile %s (%s): %d cases passed of %d", p.Name, r.Profile, ran, len(cases.All()))
			if ran < 30 {
				t.Errorf("only %d cases ran in profile %s", ran, p.Name)
			}
		})
	}
}

// TestWrongCredentialBudget proves a live run cannot send more wrong
// credentials than the budget: cases beyond it are skipped with the reason.
func TestWrongCredentialBudget(t *testing.T) {
	r := startProfile(t, refserver.DefaultProfile, cases.Pro)
	r.WrongBudget = engine.DefaultWrongBudget
	skipped := 0
	for _, c := range cases.All() {
		if c.HasLabel("disruptive") {
			continue // selected on purpose, exempt from the budget (RC-6 must send its attempts)
		}
		o := r.Run(context.Background(), c)
		if o.Verdict == cases.Skip && strings.Contains(o.Reason, "budget") {
			skipped++
		}
	}
	if got := r.WrongSent(); got > engine.DefaultWrongBudget {
		t.Fatalf("sent %d wrong credentials, budget %d", got, engine.DefaultWrongBudget)
	}
	if skipped == 0 {
		t.Fatal("no case was held back by the budget; the test no longer exercises it")
	}
}

// TestUnreachableTarget: a closed port is an UnreachableError, not a verdict.
func TestUnreachableTarget(t *testing.T) {
	_, err := engine.Probe(context.Background(), engine.Target{URL: "ws://127.0.0.1:1/"}, engine.Secrets{}, "", nil)
	if !engine.IsUnreachable(err) {
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
	_, err = engine.Probe(context.Background(), engine.Target{URL: run.URL}, s, "", nil)
	if !engine.IsConfig(err) || !strings.Contains(err.Error(), "CONFORM_ADMIN_PASSWORD") {
		t.Fatalf("want a ConfigError naming the variable, got %v", err)
	}
	if strings.Contains(err.Error(), "not-the-password") {
		t.Fatal("the error reveals the secret")
	}
}
