package engine

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/roomconform/conform/internal/clock"
)

// TestPaceKeepsEachWindowUnderTheDeclaredThreshold: with a lockout of 4
// declared, at most 2 wrong credentials go in one window; the third waits
// the window plus the tolerance from the last one's answer (on a virtual
// clock: no real wait), and the count starts again. More than a window
// holds is refused outright.
func TestPaceKeepsEachWindowUnderTheDeclaredThreshold(t *testing.T) {
	clk := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	r := &Runner{Clock: clk, Pace: &Pace{Attempts: 4, Window: time.Hour, Tolerance: time.Minute}}
	ctx := context.Background()
	send := func() {
		if err := r.paceFor(ctx, 1, "a case"); err != nil {
			t.Fatal(err)
		}
		clk.Sleep(ctx, time.Second) // the answer comes
		r.paceSent()
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
	if r.PaceWaits() != 1 {
		t.Errorf("%d waits, want 1", r.PaceWaits())
	}
	if err := r.paceFor(ctx, 3, "a big case"); err == nil || !strings.Contains(err.Error(), "more than one window holds") {
		t.Errorf("3 wrong credentials in a window of 2: %v", err)
	}
	// A 6 ends the run: nothing more is sent, and the error names the count.
	err := r.pacedLockout(map[string]any{"result": false, "resultCode": 6}, "case x step y")
	if err == nil || !strings.Contains(err.Error(), "the declared --lockout-attempts 4 is wrong") || r.Dead() == "" || r.Lockout() == "" {
		t.Errorf("after a 6: %v, dead %q, lockout %q", err, r.Dead(), r.Lockout())
	}
	if err := r.pacedLockout(map[string]any{"result": false, "resultCode": 8}, "z"); err != nil {
		t.Errorf("an 8 is no lockout: %v", err)
	}
}
