package budget

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/clock"
)

// liveProfile is a live target's profile with every secret given: the
// cases that send wrong credentials all apply to it.
var liveProfile = caselang.Profile{Admin: caselang.Password, User: caselang.PIN, Plan: caselang.Pro,
	Secrets: []caselang.SecretKind{caselang.AdminPassword, caselang.AdminPIN, caselang.UserPIN}}

// budgeted are the cases a default live run selects that send wrong
// credentials: those the plan shares out.
func budgeted() []caselang.Case {
	var out []caselang.Case
	for _, c := range cases.All() {
		if !c.HasLabel("disruptive") && !c.HasLabel("slow") && c.WrongCredentials() > 0 && c.Unmet(liveProfile) == "" {
			out = append(out, c)
		}
	}
	return out
}

// TestPlanFitsTheLimitInTheFixedOrder: the plan commits no more than the
// limit less what was sent before the cases, the smoke case first, and
// leaves the same cases out whatever the order of the selection; a case
// left out is refused with the plan's reason, and a case the plan holds
// is admitted.
func TestPlanFitsTheLimitInTheFixedOrder(t *testing.T) {
	sel := budgeted()
	if len(sel) < DefaultWrongBudget+2 {
		t.Fatalf("only %d cases send wrong credentials: the test no longer exercises the plan", len(sel))
	}
	b := New(Config{Limit: DefaultWrongBudget}, 1)
	b.Plan(liveProfile, sel)
	if b.committed > DefaultWrongBudget-1 {
		t.Errorf("the plan commits %d wrong credentials beyond the %d left", b.committed, DefaultWrongBudget-1)
	}
	left := b.LeftOut()
	if len(left) == 0 {
		t.Fatal("nothing left out: the test no longer exercises the plan")
	}
	if slices.Contains(left, "fail-wrong-admin-password") {
		t.Errorf("the smoke case is left out: %v", left)
	}
	reversed := slices.Clone(sel)
	slices.Reverse(reversed)
	other := New(Config{Limit: DefaultWrongBudget}, 1)
	other.Plan(liveProfile, reversed)
	if got := other.LeftOut(); !slices.Equal(got, left) {
		t.Errorf("the selection's order changed the plan:\n%v\n%v", left, got)
	}
	ctx := context.Background()
	out, _ := cases.Lookup(left[0])
	if why := b.Admit(ctx, out); !strings.HasPrefix(why, "not run: the wrong-credential budget") {
		t.Errorf("a case left out is admitted: %q", why)
	}
	smoke, _ := cases.Lookup("fail-wrong-admin-password")
	if why := b.Admit(ctx, smoke); why != "" {
		t.Errorf("the smoke case is refused: %s", why)
	}
}

// TestAdmitCountsWhatWasSent: without a plan cases take the limit first
// come, first served; what was sent counts, an exercise gets only what
// the plan did not commit, and disruptive cases are exempt.
func TestAdmitCountsWhatWasSent(t *testing.T) {
	ctx := context.Background()
	b := New(Config{Limit: 2}, 0)
	one, _ := cases.Lookup("fail-wrong-admin-password")
	if one.WrongCredentials() != 1 || one.HasLabel("disruptive") {
		t.Fatalf("the test case sends %d wrong credentials, want 1", one.WrongCredentials())
	}
	if why := b.Admit(ctx, one); why != "" {
		t.Fatalf("the first case is refused: %s", why)
	}
	b.CountWrong()
	b.CountWrong()
	if b.WrongSent() != 2 {
		t.Errorf("sent %d, want 2", b.WrongSent())
	}
	if why := b.Admit(ctx, one); !strings.Contains(why, "beyond this run's budget of 2 (2 already sent)") {
		t.Errorf("a case beyond the limit: %q", why)
	}
	if why, err := b.AdmitExercise(ctx, one, func() {}); why == "" || err != nil {
		t.Errorf("an exercise beyond the limit: %q, %v", why, err)
	}
	if b.AdmitWalk() {
		t.Error("a walk may send a wrong credential beyond the limit")
	}
	plain := one
	one.Labels = []string{"disruptive"}
	if why := b.Admit(ctx, one); why != "" {
		t.Errorf("a disruptive case is refused: %s", why)
	}
	if why, err := b.AdmitExercise(ctx, one, func() {}); why != "" || err != nil {
		t.Errorf("a disruptive case's exercise is refused: %q, %v", why, err)
	}
	free := New(Config{Limit: Unlimited}, 0)
	one = plain
	for range 10 {
		if why := free.Admit(ctx, one); why != "" {
			t.Fatalf("an unlimited budget refuses: %s", why)
		}
		free.CountWrong()
	}
	if !free.AdmitWalk() {
		t.Error("an unlimited budget refuses a walk")
	}
}

// TestPaceKeepsEachWindowUnderTheDeclaredThreshold: with a lockout of 4
// declared, at most 2 wrong credentials go in one window; the third waits
// the window plus the tolerance from the last one's answer (on a virtual
// clock: no real wait), and the count starts again. More than a window
// holds is refused outright, and a 6 is an error that names the count.
func TestPaceKeepsEachWindowUnderTheDeclaredThreshold(t *testing.T) {
	clk := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	b := New(Config{Clock: clk, Limit: Unlimited, Pace: &Pace{Attempts: 4, Window: time.Hour, Tolerance: time.Minute}}, 0)
	ctx := context.Background()
	send := func() {
		if err := b.paceFor(ctx, 1, "a case"); err != nil {
			t.Fatal(err)
		}
		clk.Sleep(ctx, time.Second) // the answer comes
		b.Delivered()
	}
	start := clk.Now()
	send()
	send()
	if got := clk.Now().Sub(start); got != 2*time.Second {
		t.Fatalf("the first window's two waited %s, want none", got)
	}
	last := clk.Now()
	send()
	if waited := clk.Now().Sub(last); waited < time.Hour+time.Minute {
		t.Errorf("the third wrong credential went %s after the second's answer, want at least the window plus the tolerance", waited)
	}
	if b.PaceWaits() != 1 {
		t.Errorf("%d waits, want 1", b.PaceWaits())
	}
	if err := b.paceFor(ctx, 3, "a big case"); err == nil || !strings.Contains(err.Error(), "more than one window holds") {
		t.Errorf("3 wrong credentials in a window of 2: %v", err)
	}
	err := b.CheckAnswer(map[string]any{"result": false, "resultCode": 6}, "case x step y")
	if err == nil || !strings.Contains(err.Error(), "the declared --lockout-attempts 4 is wrong") || b.PaceLockout() == "" {
		t.Errorf("after a 6: %v, pace lockout %q", err, b.PaceLockout())
	}
	if err := b.CheckAnswer(map[string]any{"result": false, "resultCode": 8}, "z"); err != nil {
		t.Errorf("an 8 is no lockout: %v", err)
	}
}

// TestPacedExerciseReleasesBeforeItWaits: an exercise that finds the
// window full has the case release its connections before the wait, and
// one that fits does not.
func TestPacedExerciseReleasesBeforeItWaits(t *testing.T) {
	clk := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	b := New(Config{Clock: clk, Limit: Unlimited, Pace: &Pace{Attempts: 3, Window: time.Hour}}, 0)
	ctx := context.Background()
	c := caselang.Case{ID: "c"}
	released := 0
	release := func() { released++ }
	if why, err := b.AdmitExercise(ctx, c, release); why != "" || err != nil || released != 0 {
		t.Fatalf("the window's first: %q, %v, released %d times", why, err, released)
	}
	b.Delivered()
	start := clk.Now()
	if why, err := b.AdmitExercise(ctx, c, release); why != "" || err != nil || released != 1 {
		t.Fatalf("past a full window: %q, %v, released %d times", why, err, released)
	}
	if clk.Now().Sub(start) < time.Hour {
		t.Errorf("the exercise past a full window waited %s", clk.Now().Sub(start))
	}
}
