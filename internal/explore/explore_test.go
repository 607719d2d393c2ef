package engine_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/clock"
	"github.com/roomconform/conform/refserver"
)

// TestExplorationFindsAndShrinks: against a reference server whose tokens
// re-authorize only once (a defect no case is aimed at through a walk),
// the exploration fails under TOK-1, and reports a walk rapid shrank, as a
// case for the catalogue.
func TestExplorationFindsAndShrinks(t *testing.T) {
	clk := clock.NewVirtual(time.Now())
	r := startFaulty(t, refserver.DefaultProfile, clk, "token-single-use")
	r.Seed = 7
	c, _ := cases.Lookup("explore-random-walks")
	c.Steps[0].Do = cases.Explore{Walks: 200, Steps: 20} // enough that the seed does not decide
	o := r.Run(context.Background(), c)
	if o.Verdict != cases.Fail || !strings.Contains(o.Reason, "TOK-1") {
		t.Fatalf("verdict %s (%s), want FAIL under TOK-1", o.Verdict, o.Reason)
	}
	var walk string
	for _, f := range o.Transcript.Frames() {
		if strings.Contains(f.Payload, "As a case for the catalogue:") {
			walk = f.Payload
		}
	}
	if walk == "" {
		t.Fatalf("no shrunk walk in the transcript:\n%s", o.Transcript)
	}
	if n := strings.Count(walk, "{Name: \"w"); n == 0 || n > 8 {
		t.Errorf("the shrunk walk has %d steps, want 1..8:\n%s", n, walk)
	}
}
