package reports

import (
	"fmt"
	"strings"
)

// Qualified is the verdict as every report heads it: the word, with
// "partial" when the selection or the budget left cases out (it qualifies
// the verdict, never the exit code).
func (s Summary) Qualified() string {
	if s.Partial {
		return s.Verdict + ", partial"
	}
	return s.Verdict
}

// Line renders the coverage of a level for the console and the reports:
// "41 of 44 MUST requirements checked, 2 excluded by the selection, ...",
// naming only the classes that hold some.
func (c CoverageCounts) Line(level string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d %s requirements checked", c.Checked, c.Total, level)
	for _, p := range []struct {
		n    int
		what string
	}{
		{c.Unchecked - c.Holes, "unchecked (a secret, an address, the budget or an error: yours to fix)"},
		{c.Excluded, "excluded by the selection"},
		{c.Blocked, "blocked by the target (an earlier deviation)"},
		{c.NotCheckable, "not checkable within a run"},
		{c.NotApplicable, "not applicable to this target"},
		{c.Holes, "checked by no case of this version yet"},
	} {
		if p.n > 0 {
			fmt.Fprintf(&b, ", %d %s", p.n, p.what)
		}
	}
	return b.String()
}
