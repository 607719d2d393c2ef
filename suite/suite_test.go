package suite_test

import (
	"context"
	"os"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/engine"
	"github.com/roomconform/conform/internal/session"
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
	sess, err := session.Open(context.Background(), session.Config{
		Target:      target,
		Plan:        cases.Plan(os.Getenv("CONFORM_PLAN")),
		Secrets:     engine.SecretsFromEnv(os.Getenv),
		WrongBudget: engine.DefaultWrongBudget,
	})
	if err != nil {
		t.Fatalf("prepare the run: %v", err)
	}
	defer sess.Close()
	t.Logf("target %s, profile: %s", sess.Runner.Target.URL, sess.Runner.Profile)
	sc, rc := GinkgoConfiguration()
	// The same live-safety policy as the binary: the default selection, and
	// no disruptive case unless the label filter names it.
	sel := suite.Selection{LabelFilter: sc.LabelFilter}.ForTarget(target != "")
	sc.LabelFilter = sel.LabelFilter
	if sc.LabelFilter == suite.AllCases {
		sc.LabelFilter = ""
	}
	suite.Register(sess.Runner, sel)
	RunSpecs(t, "conform", sc, rc)
}
