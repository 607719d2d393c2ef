package conductor_test

import (
	"context"
	"strings"
	"testing"

	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/budget"
	"github.com/roomconform/conform/internal/conductor"
	"github.com/roomconform/conform/internal/session"
)

// TestReconfiguringCasesReachEveryProfile: the embedded default run places
// each case that reconfigures from a protection (caselang.StartsFrom) in a
// stage of that protection, an embedded server of its own, and never in
// the walk's stages (a case's journal never stands over the walk's); the
// other cases never go to those servers.
func TestReconfiguringCasesReachEveryProfile(t *testing.T) {
	sess, err := session.Open(context.Background(), session.Config{WrongBudget: budget.DefaultWrongBudget})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	stages, err := sess.Stages(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	sections := conductor.PlanSections(sess.Runner.Profile(), cases.All(), stages)
	placed := map[string]string{}
	// The sections are the stages that got cases, in the stages' order
	// (the walk's and the servers' of their own share the profiles' names).
	i := 0
	for _, sec := range sections {
		for i < len(stages) && stages[i].Name != sec.Profile {
			i++
		}
		if i == len(stages) {
			t.Fatalf("section %s is no stage's", sec.Profile)
		}
		for _, c := range sec.Cases {
			placed[c.ID] = sec.Profile
			if c.HasLabel("mutating") != stages[i].Reconfiguring {
				t.Errorf("%s (mutating %v) placed in %s (reconfiguring %v)", c.ID, c.HasLabel("mutating"), sec.Profile, stages[i].Reconfiguring)
			}
		}
		i++
	}
	own := sess.EmbeddedProfile
	n := 0
	for _, c := range cases.All() {
		_, from, ok := strings.Cut(c.ID, "-from-")
		if !ok || !c.HasLabel("mutating") {
			continue
		}
		n++
		switch {
		case from == own:
			if p, ok := placed[c.ID]; ok {
				t.Errorf("%s starts from the target's own profile, placed in %s", c.ID, p)
			}
		case placed[c.ID] != from:
			t.Errorf("%s placed in %q, want %s", c.ID, placed[c.ID], from)
		}
	}
	if n < 30 {
		t.Errorf("only %d cases reconfigure from a given profile", n)
	}
}
