package engine_test

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/clock"
	"github.com/roomconform/conform/internal/engine"
)

// TestPollOnTheVirtualClock: polling until accepted advances the run's
// clock, not the wall clock, and reports the attempts.
func TestPollOnTheVirtualClock(t *testing.T) {
	var n atomic.Int32
	f := newFake(t, func(req map[string]any) []string {
		if n.Add(1) < 4 {
			return []string{authAnswer(req, 6)}
		}
		return []string{authAnswer(req, 0)}
	})
	clk := clock.NewVirtual(time.Now())
	r := runner(f.URL, func(c *engine.Config) { c.Clock = clk })
	start, wall := clk.Now(), time.Now()
	o := run(t, r, caselang.Step{Do: caselang.Poll{Request: caselang.Request{Type: caselang.Str("unsecured")}, Limit: caselang.LockoutWait},
		Expect: []caselang.Check{caselang.RecordLockout("RC-6")}})
	if o.Verdict != caselang.Pass || !strings.Contains(o.Findings[0].Note, "4 attempts") {
		t.Fatalf("verdict %s, findings %+v", o.Verdict, o.Findings)
	}
	if got := clk.Now().Sub(start); got != 3*caselang.DefaultSettings().PollInterval {
		t.Errorf("the clock moved %v, want three poll intervals", got)
	}
	if time.Since(wall) > 5*time.Second {
		t.Error("the poll waited in real time")
	}
}
