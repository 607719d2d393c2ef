package suite

import (
	"slices"
	"testing"

	"github.com/roomconform/conform/caselang"
)

// TestFindingsShownOnce: on the go test route a FAIL's broken findings are
// Ginkgo's failure message (a WARN's, its WARN entry), so the findings
// entry beside it lists only the others; an ERROR's reason is its error,
// so its entry keeps every finding.
func TestFindingsShownOnce(t *testing.T) {
	broken := caselang.Finding{Requirement: "ENV-2", Level: caselang.Must, Check: "method", Expected: `method "auth"`, Actual: `method "Auth" (string)`}
	held := caselang.Finding{Requirement: "ROLE-1", Level: caselang.Must, OK: true, Check: "success"}
	fs := []caselang.Finding{broken, held}
	for v, want := range map[caselang.Verdict][]string{
		caselang.Fail:  {held.Line()},
		caselang.Warn:  {held.Line()},
		caselang.Error: {broken.Line(), held.Line()},
		caselang.Pass:  {broken.Line(), held.Line()},
	} {
		if got := otherFindings(v, fs); !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", v, got, want)
		}
	}
}
