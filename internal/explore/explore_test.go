package explore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/session"
)

// TestExplorationFindsAndShrinks: against a reference server whose tokens
// re-authorize only once (a defect no case is aimed at through a walk),
// the exploration fails under TOK-1, and reports a walk rapid shrank, as a
// case for the catalogue. The runner is the session's, with the explorer
// it sets.
func TestExplorationFindsAndShrinks(t *testing.T) {
	s, err := session.Open(context.Background(), session.Config{Embedded: session.Embedded{Faults: []string{"token-single-use"}}, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, _ := cases.Lookup("explore-random-walks")
	c.Steps[0].Do = caselang.Explore{Walks: 200, Steps: 20} // enough that the seed does not decide
	o := s.Runner.Run(context.Background(), c)
	if o.Verdict != caselang.Fail || !strings.Contains(o.Reason, "TOK-1") {
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

// TestConformantServerPassesTheWalks: against the conformant reference
// server the walks find nothing, and the step says how many it made from
// which seed.
func TestConformantServerPassesTheWalks(t *testing.T) {
	s, err := session.Open(context.Background(), session.Config{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, _ := cases.Lookup("explore-random-walks")
	c.Steps[0].Do = caselang.Explore{Walks: 20, Steps: 10}
	o := s.Runner.Run(context.Background(), c)
	if o.Verdict != caselang.Pass {
		t.Fatalf("verdict %s (%s), want PASS", o.Verdict, o.Reason)
	}
	if len(o.Findings) == 0 || !strings.Contains(o.Findings[0].Note, "20 walks from seed 3") {
		t.Errorf("findings %v, want one saying 20 walks from seed 3", o.Findings)
	}
}
