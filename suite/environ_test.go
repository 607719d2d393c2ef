package suite_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/roomconform/conform/internal/conductor"
)

// TestTheGoTestRouteRefusesWhatTheBinaryRefuses: go test ./suite reads
// CONFORM_* as the binary does, and refuses as it does a misspelt name
// (with the nearest, never the value) and an empty CONFORM_TARGET, before
// any case runs. Each is a run of this test binary's TestConformance.
func TestTheGoTestRouteRefusesWhatTheBinaryRefuses(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, env, want string
	}{
		// The misspelt name in two pieces: the tree's own names are all
		// known (conductor.TestEveryVariableInTheTreeIsKnown).
		{"misspelt", conductor.EnvPrefix + "TRAGET=ws://canary.invalid:8765/", "did you mean CONFORM_TARGET?"},
		{"empty target", "CONFORM_TARGET=", "CONFORM_TARGET is set but empty"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestConformance$", "-ginkgo.label-filter=smoke")
			cmd.Env = append(withoutConform(os.Environ()), tt.env, "CONFORM_REPORT_DIR="+t.TempDir())
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("TestConformance passed with %s:\n%s", tt.env, out)
			}
			if !strings.Contains(string(out), tt.want) {
				t.Errorf("the failure does not say %q:\n%s", tt.want, out)
			}
			if strings.Contains(string(out), "canary") {
				t.Errorf("the failure shows the variable's value:\n%s", out)
			}
			if strings.Contains(string(out), "Ran ") {
				t.Errorf("specs ran before the refusal:\n%s", out)
			}
		})
	}
}

// withoutConform drops CONFORM_* from environ: the developer's own
// settings cannot change the outcome.
func withoutConform(environ []string) []string {
	var out []string
	for _, kv := range environ {
		if !strings.HasPrefix(kv, "CONFORM_") {
			out = append(out, kv)
		}
	}
	return out
}
