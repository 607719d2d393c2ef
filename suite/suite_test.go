package suite_test

import (
	"context"
	"os"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/engine"
	"github.com/roomconform/conform/internal/redact"
	"github.com/roomconform/conform/internal/session"
	"github.com/roomconform/conform/internal/term"
	"github.com/roomconform/conform/reports"
	"github.com/roomconform/conform/suite"
)

// TestConformance runs the same specs as `conform run`: against
// CONFORM_TARGET when set (under the binary's live-safety policy: the live
// default selection unless a -ginkgo.label-filter is given, and no
// disruptive case unless that filter names it), else against the embedded
// reference server. `go tool ginkgo ./suite` runs it too.
func TestConformance(t *testing.T) {
	RegisterFailHandler(Fail)
	target := os.Getenv("CONFORM_TARGET")
	// Everything printed here is redacted and escaped, like the binary's
	// console: the error of a failed preflight may quote the target.
	red := redact.New()
	show := func(s string) string { return term.Escape(red.Redact(s)) }
	// Reports go to CONFORM_REPORT_DIR (default conform-report/ beside this
	// file); the reconfiguration journal to CONFORM_JOURNAL, else where the
	// binary keeps it (the state directory, never the reports).
	dir := os.Getenv("CONFORM_REPORT_DIR")
	if dir == "" {
		dir = "conform-report"
	}
	sess, err := session.Open(context.Background(), session.Config{
		Journal:     os.Getenv("CONFORM_JOURNAL"),
		Target:      target,
		Plan:        cases.Plan(os.Getenv("CONFORM_PLAN")),
		Secrets:     engine.SecretsFromEnv(os.Getenv),
		WrongBudget: engine.DefaultWrongBudget,
		Redactor:    red,
	})
	if err != nil {
		t.Fatalf("prepare the run: %s", show(err.Error()))
	}
	defer sess.Close()
	t.Logf("target %s, profile: %s", show(sess.Runner.Target.URL), show(sess.Runner.Profile.String()))
	sc, rc := GinkgoConfiguration()
	// The same live-safety policy as the binary: the default selection, and
	// no disruptive case unless the label filter names it.
	sel := suite.Selection{LabelFilter: sc.LabelFilter, AllowReconfigure: os.Getenv("CONFORM_ALLOW_RECONFIGURE") == "true"}.ForTarget(target != "")
	sc.LabelFilter = sel.LabelFilter
	if sc.LabelFilter == suite.AllCases {
		sc.LabelFilter = ""
	}
	// The same walk as the binary's: every case in a profile it applies to.
	stages, err := sess.Stages(context.Background(), os.Getenv("CONFORM_ALLOW_RECONFIGURE") == "true")
	if err != nil {
		t.Fatalf("prepare the walk: %s", show(err.Error()))
	}
	var allowed []cases.Case
	if selected, err := suite.Select(sel); err == nil {
		for _, c := range selected {
			if sel.OptedIn(c) {
				allowed = append(allowed, c)
			}
		}
	}
	sections := suite.PlanSections(sess.Runner.Profile, allowed, stages)
	suite.Register(sess.Runner, sel, sections...)
	start := time.Now()
	RunSpecs(t, "conform", sc, rc)
	// The same reports and summary as the binary.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out := redact.NewWriter(red, os.Stdout, term.Escape)
	defer out.Flush()
	run, err := suite.Finish(ctx, sel, start, reports.Gate{}, reports.DefaultFiles(dir), out, sections...)
	if err != nil {
		t.Errorf("reports: %s", show(err.Error()))
	}
	if run.Summary.ExitCode != reports.ExitConformant {
		// Ginkgo fails the test for a FAIL or an ERROR already; an
		// interrupted run or one with errors only is not a pass either.
		t.Errorf("conform: %s", run.Summary.Verdict)
	}
}
