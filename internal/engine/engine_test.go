package engine_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/budget"
	"github.com/roomconform/conform/internal/clock"
	"github.com/roomconform/conform/internal/engine"
	"github.com/roomconform/conform/internal/explore"
	"github.com/roomconform/conform/internal/memnet"
	"github.com/roomconform/conform/internal/preflight"
	"github.com/roomconform/conform/internal/redact"
	"github.com/roomconform/conform/internal/session"
	"github.com/roomconform/conform/refserver"
)

// startProfile starts the reference server in a profile on clk (nil: a
// new virtual clock shared with the runner, as in the embedded run; the
// real clock gets the scaled lifetimes) and returns a runner probed
// against it, with the server's secrets as the operator's.
func startProfile(t *testing.T, name string, clk clock.Clock) *engine.Runner {
	t.Helper()
	return newRunner(probed(t, name, clk))
}

// startFaulty is startProfile with the reference server's faults on.
func startFaulty(t *testing.T, name string, clk clock.Clock, faults ...string) *engine.Runner {
	t.Helper()
	return newRunner(probed(t, name, clk, faults...))
}

// probed starts the reference server as startFaulty does, and returns the
// configuration of a runner probed against it.
func probed(t *testing.T, name string, clk clock.Clock, faults ...string) engine.Config {
	t.Helper()
	p, err := refserver.LookupProfile(name)
	if err != nil {
		t.Fatal(err)
	}
	if clk == nil {
		clk = clock.NewVirtual(time.Now())
	}
	opts := refserver.Options{Profile: p, Now: clk.Now, Faults: faults}
	set := session.EmbeddedSettings()
	if !clk.Virtual() {
		opts, set = session.ScaledOptions(opts), session.ScaledSettings()
	}
	if p.Admin != refserver.PIN {
		opts.Secrets.AdminPIN = "7391" // a command-line PIN as well
	}
	mem := memnet.New() // hundreds of runs: no sockets (internal/memnet)
	opts.Listen = mem.Listen
	run, err := refserver.Start("127.0.0.1:0", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	eff := run.Server.Secrets()
	env := map[string]string{
		"CONFORM_ADMIN_PASSWORD": eff.AdminPassword, "CONFORM_ADMIN_PIN": eff.AdminPIN,
		"CONFORM_USER_PASSWORD": eff.UserPassword,
	}
	red := redact.New()
	target := engine.Target{URL: run.URL, HTTP: run.HTTPURL, Web: run.WebURL, QuietWindow: 50 * time.Millisecond, Gone: run.Server.WaitGone, OrderedEvents: true,
		Dial: mem.DialContext}
	plan := caselang.Pro
	if p.Plan == refserver.Free {
		plan = caselang.Free
	}
	res, err := preflight.Probe(context.Background(), target, engine.SecretsFromEnv(func(k string) string { return env[k] }), plan, red)
	if err != nil {
		t.Fatalf("probe: %v", err)
	}
	prof := res.Profile
	prof.HTTPServer, prof.WebManager, prof.Lifetimes = true, true, set
	return engine.Config{Target: target, Profile: prof, Secrets: res.Secrets, Redactor: red, Settings: set, Clock: clk}
}

// budgeted is a runner of cfg whose wrong credentials the budget b
// keeps under the default limit.
func budgeted(cfg engine.Config) (*engine.Runner, *budget.Budget) {
	b := budget.New(budget.Config{Limit: budget.DefaultWrongBudget, Settings: cfg.Settings, Clock: cfg.Clock}, 0)
	return engine.New(cfg, engine.Services{Budget: b, Explorer: explore.Explorer{}}), b
}

// TestReferenceServerPassesEveryProfile is the suite's own acceptance test:
// against the reference server every case passes or is skipped with a
// reason, in every built-in profile (every valid protection on both plans).
func TestReferenceServerPassesEveryProfile(t *testing.T) {
	t.Parallel()
	for _, p := range refserver.Profiles() {
		t.Run(p.Name, func(t *testing.T) {
			t.Parallel() // a server each, on a virtual clock
			r := startProfile(t, p.Name, nil)
			// On a Free plan a protected admin cannot be entered, so getAuthInfo
			// cannot tell how a mode is protected: "protected" may be all there
			// is (or the kind the given secret implies).
			check := func(mode string, got caselang.Security, want refserver.Security) {
				vague := p.Plan == refserver.Free && p.Admin != refserver.Unsecured && want != refserver.Unsecured && got == caselang.Protected
				if string(got) != string(want) && !vague {
					t.Errorf("probed %s security %s, want %s", mode, got, want)
				}
			}
			check("admin", r.Profile().Admin, p.Admin)
			check("user", r.Profile().User, p.User)
			ran := 0
			for _, c := range cases.All() {
				o := r.Run(context.Background(), c)
				switch o.Verdict {
				case caselang.Pass:
					ran++
				case caselang.Skip:
					if o.Reason == "" {
						t.Errorf("%s: skipped without a reason", c.ID)
					}
				default:
					t.Errorf("%s: %s\n%s\ntranscript:\n%s", c.ID, o.Verdict, o.Reason, o.Transcript)
				}
			}
			t.Logf("profile %s (%s): %d cases passed of %d", p.Name, r.Profile(), ran, len(cases.All()))
			if ran < 15 {
				t.Errorf("only %d cases ran in profile %s", ran, p.Name)
			}
			// The steps the cases sent cover every transition of the model
			// and every field pair the generated cases reach: measured from
			// what was sent and answered, not from what the cases claim.
			tc, ok := r.TourCoverage(cases.ReachOf)
			switch {
			case !ok:
				t.Errorf("no generated reach for profile %s", r.Profile())
			case tc.Transitions != tc.Reachable || tc.Pairs != tc.PairsReachable:
				t.Errorf("profile %s: %d of %d transitions, %d of %d field pairs covered; missing %v %v",
					tc.Profile, tc.Transitions, tc.Reachable, tc.Pairs, tc.PairsReachable, tc.Missing, tc.MissingPairs)
			}
		})
	}
}

// TestLateWakeUpsGiveErrorNeverFail: a clock that wakes the engine late at
// every wait (a machine too busy for the timing) turns every timed case
// into an ERROR that says by how much, never a FAIL: the server's tokens
// really have expired by then, and judging them would blame the target.
func TestLateWakeUpsGiveErrorNeverFail(t *testing.T) {
	clk := clock.NewVirtual(time.Now())
	r := startProfile(t, refserver.DefaultProfile, clk)
	clk.Oversleep = 40 * 24 * time.Hour // later than every lifetime and tolerance
	late := 0
	for _, c := range cases.All() {
		o := r.Run(context.Background(), c)
		switch {
		case o.Verdict == caselang.Fail || o.Verdict == caselang.Warn:
			t.Errorf("%s: %s on a late clock:\n%s", c.ID, o.Verdict, o.Reason)
		case o.Verdict == caselang.Error && strings.Contains(o.Reason, "late"):
			late++
		case o.Verdict == caselang.Error:
			t.Errorf("%s: ERROR, but not for lateness: %s", c.ID, o.Reason)
		}
	}
	if late < 3 {
		t.Errorf("only %d cases noticed they were late: the timed cases are not checked", late)
	}
}

// TestRealTimeNeverFails is the real-time path: a reference server on the
// wall clock with short lifetimes, and a suite judging by them. A busy
// machine may make a timed case ERROR (it says so); it can never make the
// conformant server FAIL.
func TestRealTimeNeverFails(t *testing.T) {
	t.Parallel() // it mostly waits; lateness is an ERROR it accepts
	r := startProfile(t, refserver.DefaultProfile, clock.Real{})
	for _, c := range cases.All() {
		o := r.Run(context.Background(), c)
		switch {
		case o.Verdict == caselang.Fail || o.Verdict == caselang.Warn:
			t.Errorf("%s: %s in real time:\n%s\n%s", c.ID, o.Verdict, o.Reason, o.Transcript)
		case o.Verdict == caselang.Error && !strings.Contains(o.Reason, "late"):
			t.Errorf("%s: ERROR, but not for lateness: %s", c.ID, o.Reason)
		}
	}
}

// TestWrongCredentialBudget proves a live run cannot send more wrong
// credentials than the budget: cases beyond it are skipped with the reason.
func TestWrongCredentialBudget(t *testing.T) {
	r, b := budgeted(probed(t, refserver.DefaultProfile, nil))
	skipped := 0
	for _, c := range cases.All() {
		if c.HasLabel("disruptive") {
			continue // selected on purpose, exempt from the budget (RC-6 must send its attempts)
		}
		o := r.Run(context.Background(), c)
		if o.Verdict == caselang.Skip && strings.Contains(o.Reason, "budget") {
			skipped++
		}
	}
	if got := b.WrongSent(); got > budget.DefaultWrongBudget {
		t.Fatalf("sent %d wrong credentials, budget %d", got, budget.DefaultWrongBudget)
	}
	if skipped == 0 {
		t.Fatal("no case was held back by the budget; the test no longer exercises it")
	}
}

// TestNoAnswerIsAnErrorNotAFail: a request that gets no answer within the
// response timeout says nothing the suite can judge (the target did not
// answer, or this machine did not hear it in time): ERROR, never FAIL.
func TestNoAnswerIsAnErrorNotAFail(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		for {
			if _, _, err := c.Read(r.Context()); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	r := engine.New(engine.Config{
		Target:  engine.Target{URL: "ws" + strings.TrimPrefix(srv.URL, "http") + "/", ResponseTimeout: 200 * time.Millisecond},
		Profile: caselang.Profile{Admin: caselang.Password, User: caselang.PIN, Plan: caselang.Pro}, Redactor: redact.New(),
	}, engine.Services{})
	c, _ := cases.Lookup("rc-10-type-open")
	if o := r.Run(context.Background(), c); o.Verdict != caselang.Error {
		t.Fatalf("verdict %s (%s), want ERROR", o.Verdict, o.Reason)
	}
}
