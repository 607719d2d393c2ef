package reports

import (
	"slices"
	"strings"
	"testing"

	"github.com/roomconform/conform/caselang"
)

// TestMeasuredAgainstTheGivenCatalogue: the coverage and the baseline are
// measured against the catalogue the caller gives (the suite's own is
// cases.Catalogue()), not one the reports import: a requirement only an
// unselected case of it cites is "excluded", one it lists as not yet
// covered is a hole, one it has no case for is cited by none; a baseline
// may name its cases and no other.
func TestMeasuredAgainstTheGivenCatalogue(t *testing.T) {
	cat := caselang.CaseSet{
		Cases: []caselang.Case{
			{ID: "env-2-selected", Requirements: []string{"ENV-2"}},
			{ID: "env-3-left-out", Requirements: []string{"ENV-3"}},
		},
		NotYetCovered: map[string]string{"ENV-4": "nothing provokes it here"},
	}
	r := Run{Cases: []Case{{ID: "env-2-selected", Verdict: caselang.Pass, Requirements: []Requirement{{ID: "ENV-2", Level: "MUST"}},
		Findings: FindingsOf([]caselang.Finding{{Requirement: "ENV-2", Level: caselang.Must, OK: true, Check: "method"}})}}}
	r.Tally(cat)
	want := map[string]struct {
		status string
		why    string
		hole   bool
	}{
		"ENV-2": {Checked, "", false},
		"ENV-3": {Excluded, "excluded by the selection (--label-filter, --case, --requirement, or the live default) (env-3-left-out)", false},
		"ENV-4": {Unchecked, "nothing provokes it here", true},
		"RC-8":  {Unchecked, "no case cites it", false},
	}
	for _, c := range r.Coverage {
		w, ok := want[c.ID]
		if !ok {
			continue
		}
		delete(want, c.ID)
		if c.Status != w.status || c.Hole != w.hole || w.why != "" && !slices.ContainsFunc(c.Why, func(s string) bool { return strings.Contains(s, w.why) }) {
			t.Errorf("%s: %s hole=%v %q, want %s hole=%v with %q", c.ID, c.Status, c.Hole, c.Why, w.status, w.hole, w.why)
		}
	}
	if len(want) > 0 {
		t.Errorf("no coverage row for %v", want)
	}

	if _, err := ParseBaseline(strings.NewReader("env-3-left-out known\n"), "known.txt", cat); err != nil {
		t.Errorf("a case of the catalogue given: %v", err)
	}
	if b, err := ParseBaseline(strings.NewReader("rc-10-type-open known\n"), "known.txt", cat); err != nil || len(b.Stale) != 1 {
		t.Errorf("a baseline naming a case the catalogue given does not hold: %v, stale %v; want a stale entry", err, b)
	}
}
