package walk_test

import (
	"context"
	"strings"
	"testing"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/engine"
	"github.com/roomconform/conform/internal/preflight"
	"github.com/roomconform/conform/internal/session"
)

// TestWalkThereAndBack: against the embedded server, each stage of the
// walk puts the target in the protection it predicts (the preflight,
// asked afresh, finds it there), the runner judges by it, a reconfiguring
// case refuses to start meanwhile, and End puts the original protection
// and profile back.
func TestWalkThereAndBack(t *testing.T) {
	ctx := context.Background()
	s, err := session.Open(ctx, session.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := s.Runner
	own := r.Profile()
	stages := s.Walk.Stages()
	if len(stages) < 3 {
		t.Fatalf("%d stages from %s, want the three the walk reaches", len(stages), own)
	}
	found := func() caselang.Profile {
		t.Helper()
		res, err := preflight.Probe(ctx, r.Config().Target, r.Secrets(), own.Plan, r.Config().Redactor)
		if err != nil {
			t.Fatalf("preflight: %v", err)
		}
		return res.Profile
	}
	mutating, _ := cases.Lookup("cfg-2-user-pin-generated")
	refused := 0
	for _, st := range stages {
		got, err := st.Enter(ctx)
		if err != nil {
			t.Fatalf("enter %s: %v", st.Name, err)
		}
		if got != r {
			t.Errorf("stage %s runs on another runner", st.Name)
		}
		now := r.Profile()
		if engine.ProtectionOf(now) != engine.ProtectionOf(st.Profile) || now.String() != st.Profile.String() {
			t.Errorf("stage %s: the runner judges by %s, predicted %s", st.Name, now, st.Profile)
		}
		if p := found(); engine.ProtectionOf(p) != engine.ProtectionOf(st.Profile) {
			t.Errorf("stage %s: the target is at %s", st.Name, engine.ProtectionOf(p))
		}
		switch o := r.Run(ctx, mutating); {
		case o.Verdict == caselang.Error && strings.Contains(o.Reason, "the walk has the target in another profile"):
			refused++
		case o.Verdict != caselang.Skip:
			t.Errorf("a reconfiguring case during the walk: %s %s", o.Verdict, o.Reason)
		}
	}
	if refused == 0 {
		t.Error("no stage tried a reconfiguring case: the test no longer shows it is refused")
	}
	if err := s.Walk.End(ctx); err != nil {
		t.Fatal(err)
	}
	if now := r.Profile(); now.String() != own.String() {
		t.Errorf("after the walk the runner judges by %s, want %s", now, own)
	}
	if p := found(); engine.ProtectionOf(p) != engine.ProtectionOf(own) {
		t.Errorf("after the walk the target is at %s, want %s", engine.ProtectionOf(p), engine.ProtectionOf(own))
	}
	if r.Services().Reconfiguration.Away() {
		t.Error("the walk ended, but the target is still away")
	}
}
