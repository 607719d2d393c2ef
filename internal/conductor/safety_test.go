package conductor

import (
	"testing"
	"time"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/engine"
)

func TestLiveSafetyPolicy(t *testing.T) {
	lockout, _ := cases.Lookup("rc-6-lockout-after-wrong-passwords")
	harmless, _ := cases.Lookup("rc-10-type-open")
	for _, tt := range []struct {
		name       string
		sel        Selection
		live       bool
		wantFilter string
		lockoutOK  bool
	}{
		{"embedded: everything", Selection{}, false, "", true},
		{"live default", Selection{}, true, cases.LiveDefaultFilter, false},
		{"live own filter", Selection{LabelFilter: "password"}, true, "(password) && !disruptive", false},
		{"live filter naming disruptive", Selection{LabelFilter: "disruptive"}, true, "disruptive", true},
		{"live all", Selection{LabelFilter: AllCases}, true, AllCases, true},
		{"live case by name", Selection{Cases: []string{lockout.ID}}, true, "", true},
		{"live other case by name", Selection{Cases: []string{harmless.ID}}, true, "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.sel.ForTarget(tt.live)
			if got.LabelFilter != tt.wantFilter {
				t.Errorf("filter %q, want %q", got.LabelFilter, tt.wantFilter)
			}
			if got.OptedIn(lockout) != tt.lockoutOK {
				t.Errorf("lockout case opted in: %v, want %v", got.OptedIn(lockout), tt.lockoutOK)
			}
			if !got.OptedIn(harmless) {
				t.Error("a harmless case is held back")
			}
		})
	}
}

// TestSpecTimeoutSaturates: absurd settings make a long spec timeout, never
// a negative one (--lockout-attempts near MaxInt64 once overflowed it).
func TestSpecTimeoutSaturates(t *testing.T) {
	set := caselang.DefaultSettings()
	set.LockoutAttempts = int(^uint(0) >> 1)
	set.LockoutWait = 1<<63 - 1
	lockout, _ := cases.Lookup("rc-6-lockout-after-wrong-passwords")
	if got := specTimeout(lockout, engine.Target{DialTimeout: time.Second, ResponseTimeout: time.Second}, set, false); got <= 0 {
		t.Fatalf("spec timeout %v", got)
	}
}

func TestFiltersThatNameDisruptive(t *testing.T) {
	for filter, want := range map[string]bool{
		"disruptive": true, "disruptive && password": true, "password || disruptive": true, "all": true,
		"password": false, "!slow": false, "!disruptive": false, "!(disruptive || slow)": false,
		cases.LiveDefaultFilter: false, "smoke &&": false, "/t/": false, "/ti/ || smoke": false,
	} {
		if got := (Selection{LabelFilter: filter}).namesDisruptive(); got != want {
			t.Errorf("%q names disruptive: %v, want %v", filter, got, want)
		}
	}
}
