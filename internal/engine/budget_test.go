package engine_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/budget"
	"github.com/roomconform/conform/refserver"
)

// TestBudgetPlanIsFixed: with a plan, the same cases run under every
// seed: the smoke case that sends a wrong credential first, then the rest
// of the budget in caselang.BudgetOrder; no run exceeds the budget, and what
// is left out is listed and skipped as "not run".
func TestBudgetPlanIsFixed(t *testing.T) {
	ran := map[uint64][]string{}
	var selected []caselang.Case
	for _, c := range cases.All() {
		if !c.HasLabel("disruptive") && !c.HasLabel("slow") {
			selected = append(selected, c)
		}
	}
	for _, seed := range []uint64{1, 2, 3} {
		cfg := probed(t, refserver.DefaultProfile, nil)
		cfg.Seed = seed
		r, b := budgeted(cfg)
		b.Plan(r.Profile(), selected)
		left := b.LeftOut()
		for _, c := range selected {
			o := r.Run(context.Background(), c)
			out := slices.Contains(left, c.ID)
			switch {
			case out && (o.Verdict != caselang.Skip || !strings.HasPrefix(o.Reason, "not run")):
				t.Errorf("seed %d: %s was left out but %s (%s)", seed, c.ID, o.Verdict, o.Reason)
			case !out && c.WrongCredentials() > 0 && o.Verdict == caselang.Pass:
				ran[seed] = append(ran[seed], c.ID)
			}
		}
		if got := b.WrongSent(); got > budget.DefaultWrongBudget {
			t.Fatalf("seed %d: sent %d wrong credentials, budget %d", seed, got, budget.DefaultWrongBudget)
		}
		if !slices.Contains(ran[seed], "fail-wrong-admin-password") {
			t.Errorf("seed %d: the smoke case did not run: %v", seed, ran[seed])
		}
		if len(left) == 0 {
			t.Fatalf("seed %d: nothing left out; the test no longer exercises the plan", seed)
		}
	}
	if !slices.Equal(ran[1], ran[2]) || !slices.Equal(ran[2], ran[3]) {
		t.Errorf("the seed changed which cases ran: %v, %v, %v", ran[1], ran[2], ran[3])
	}
}
