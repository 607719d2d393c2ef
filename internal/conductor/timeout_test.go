package conductor

import (
	"testing"
	"time"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/engine"
)

// TestSpecTimeoutCoversWaits: a case that waits out a lifetime must not be
// cut off by its own spec timeout (the 5-minute HTTP token case once was,
// after 85 s).
func TestSpecTimeoutCoversWaits(t *testing.T) {
	set := caselang.DefaultSettings()
	target := engine.Target{DialTimeout: 5 * time.Second, ResponseTimeout: 5 * time.Second}
	for _, c := range cases.All() {
		var need time.Duration
		for _, s := range c.Steps {
			if s.When != nil {
				need = max(need, s.When.Life.Of(set)+set.Tolerance)
			}
			if _, ok := s.Do.(caselang.Poll); ok {
				need += set.LockoutWait
			}
		}
		if got := specTimeout(c, target, set, false); got <= need {
			t.Errorf("%s: spec timeout %v, but its waits alone take %v", c.ID, got, need)
		}
	}
}
