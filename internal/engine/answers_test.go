package engine_test

import (
	"context"
	"testing"

	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/engine"
)

// TestSuccessfulAuthsCounted: the runner counts the successful auth
// answers it saw and those without resultCode, before --legacy fills that
// in. The verdict's hint at --legacy (reports.Run.LegacyHint) is decided
// from these counts (what counts as a success: TestAnswersCount).
func TestSuccessfulAuthsCounted(t *testing.T) {
	c, ok := cases.Lookup("auth-admin-success-fields")
	if !ok {
		t.Fatal("no case auth-admin-success-fields")
	}
	for _, tc := range []struct {
		name    string
		faults  []string
		legacy  bool
		without bool
	}{
		{"conformant", nil, false, false},
		{"success without resultCode", []string{"success-without-result-code"}, false, true},
		{"the same under --legacy", []string{"success-without-result-code"}, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := probed(t, "admin-password-user-pin", nil, tc.faults...)
			cfg.Legacy = tc.legacy
			r := newRunner(cfg)
			r.Run(context.Background(), c)
			n, without := r.SuccessfulAuths()
			if n == 0 || (without == n) != tc.without || !tc.without && without != 0 {
				t.Errorf("%d successes, %d without resultCode", n, without)
			}
		})
	}
	if n, without := engine.New(engine.Config{}, engine.Services{}).SuccessfulAuths(); n != 0 || without != 0 {
		t.Errorf("a new runner counts %d, %d", n, without)
	}
}
