package console

import (
	"bytes"
	"strings"
	"testing"

	"github.com/roomconform/conform/reports"
)

// TestInteropLines: one line per interop note, after the coverage line,
// of bounded width, the example case's control characters escaped (a note
// read back from a file is not conform's own text).
func TestInteropLines(t *testing.T) {
	r := oneDefect(0, "ENV-2", "envelope", "", "")
	r.Interop = reports.InteropNotes(12, "fail-wrong-admin-password", 3, "bad\x1b[31m-case")
	var out bytes.Buffer
	Summary(&out, r, false)
	text := out.String()
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "interop (INFO): ") {
			lines = append(lines, l)
			if len([]rune(l)) > 120 {
				t.Errorf("%d columns: %q", len([]rune(l)), l)
			}
		}
	}
	if len(lines) != 2 || !strings.Contains(lines[0], "12 refusals") || !strings.Contains(lines[0], "fail-wrong-admin-password") ||
		!strings.Contains(lines[1], "3 answers after a notification") {
		t.Errorf("want one line per note:\n%s", text)
	}
	if strings.Contains(text, "\x1b") {
		t.Errorf("a control character reached the console: %q", text)
	}
	if cov := strings.Index(text, "\ncoverage: "); cov < 0 || strings.Index(text, "interop (INFO)") < cov {
		t.Errorf("the interop lines are not after the coverage line:\n%s", text)
	}
	r.Interop = nil
	out.Reset()
	Summary(&out, r, false)
	if strings.Contains(out.String(), "interop") {
		t.Errorf("a run without notes:\n%s", out.String())
	}
}
