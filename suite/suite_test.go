package suite_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/budget"
	"github.com/roomconform/conform/internal/conductor"
	"github.com/roomconform/conform/internal/engine"
	"github.com/roomconform/conform/internal/redact"
	"github.com/roomconform/conform/internal/session"
	"github.com/roomconform/conform/internal/term"
	"github.com/roomconform/conform/reports"
	"github.com/roomconform/conform/suite"
)

// TestConformance runs the same plan as `conform run`, through the same
// conductor: against CONFORM_TARGET when set (under the binary's
// live-safety policy: the live default selection unless a
// -ginkgo.label-filter is given, and no disruptive case unless that filter
// names it), else against the embedded reference server. `go tool ginkgo
// ./suite` runs it too. CONFORM_SEED seeds the exploration as --seed does;
// the reports go to CONFORM_REPORT_DIR (default conform-report/ in the
// working directory, which go test makes this package's), and the path
// printed is the absolute one written.
func TestConformance(t *testing.T) {
	// The binary's checks of the environment: a misspelt CONFORM_* name,
	// and a target set to "" (an unset $ROOM_URL), which would run the
	// embedded server instead of the device and pass.
	if err := conductor.CheckEnvironment(os.Environ()); err != nil {
		t.Fatalf("conform: %v", err)
	}
	if v, set := os.LookupEnv("CONFORM_TARGET"); set && v == "" {
		t.Fatal("conform: CONFORM_TARGET is set but empty (an unset variable?): an empty URL is refused; unset it to run the embedded reference server")
	}
	target := os.Getenv("CONFORM_TARGET")
	red := redact.New()
	show := func(s string) string { return term.Escape(red.Redact(s)) }
	dir := os.Getenv("CONFORM_REPORT_DIR")
	if dir == "" {
		dir = "conform-report"
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("CONFORM_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil || n == 0 {
			t.Fatalf("CONFORM_SEED=%s: want a positive integer", show(s))
		}
		seed = n
	}
	sc, _ := GinkgoConfiguration()
	reconfigure := os.Getenv("CONFORM_ALLOW_RECONFIGURE") == "true"
	out := redact.NewWriter(red, os.Stdout, term.Escape)
	defer out.Flush()
	run, code := conductor.Run(context.Background(), conductor.Config{
		Session: conductorSession(target, seed, red),
		// The same live-safety policy as the binary: the default
		// selection, and no disruptive case unless the label filter names it.
		Selection: conductor.Selection{LabelFilter: sc.LabelFilter, AllowReconfigure: reconfigure}.ForTarget(target != ""),
		Files:     reports.DefaultFiles(dir),
		Timeout:   sc.Timeout,
		Version:   "go test ./suite",
		Console:   out,
		Errors:    out,
		// Ginkgo's reporter shows each case; the console gets the header
		// and the summary.
		CasesByExecutor: true,
		Name:            "conform",
		Signals:         true,
	}, suite.Ginkgo{T: t})
	if run.Schema != "" {
		t.Logf("target %s, profile %s/%s/%s, seed %d; reports: %s", show(run.Target.URL), run.Profile.Admin, run.Profile.User, run.Profile.Plan, run.Seed, dir)
	}
	if code != reports.ExitConformant {
		// Ginkgo fails the test for a FAIL or an ERROR already; an
		// interrupted run, or one that could not start, is not a pass
		// either.
		t.Errorf("conform: exit %d: %s", code, run.Summary.Verdict)
	}
}

// conductorSession is the session of the go test route, from the same
// CONFORM_* variables the binary reads.
func conductorSession(target string, seed uint64, red *redact.Redactor) (cfg session.Config) {
	cfg.Journal = os.Getenv("CONFORM_JOURNAL")
	cfg.Target = target
	cfg.Plan = caselang.Plan(os.Getenv("CONFORM_PLAN"))
	cfg.Secrets = engine.SecretsFromEnv(os.Getenv)
	cfg.WrongBudget = budget.DefaultWrongBudget
	cfg.Redactor = red
	cfg.Seed = seed
	return cfg
}
