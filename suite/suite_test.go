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
// CONFORM_TARGET when set (with the live default selection unless a
// -ginkgo.label-filter is given), else against the embedded reference server.
// `go tool ginkgo ./suite` runs it too.
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
	suite.Register(sess.Runner)
	sc, rc := GinkgoConfiguration()
	if target != "" && sc.LabelFilter == "" {
		sc.LabelFilter = cases.LiveDefaultFilter
	}
	RunSpecs(t, "conform", sc, rc)
}
