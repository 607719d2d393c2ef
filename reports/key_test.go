package reports

import (
	"slices"
	"testing"

	"github.com/roomconform/conform/caselang"
)

func TestFindingKeyReadsBack(t *testing.T) {
	tests := []struct {
		name string
		f    caselang.Finding
	}{
		{"plain", caselang.Finding{Requirement: "RC-8", Check: "resultCode", Expected: "resultCode 8"}},
		{"spaces and quotes", caselang.Finding{Requirement: "ENV-2", Check: `the "method"  field`, Expected: `method "auth", not "Auth"`}},
		{"escapes and backslashes", caselang.Finding{Requirement: "ENV-2", Check: `a\b`, Expected: "tab\there \\\" end"}},
		{"empty", caselang.Finding{Requirement: "ROLE-1"}},
		{"not ASCII", caselang.Finding{Requirement: "RC-8", Check: "Пароль", Expected: "é ✓"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := FindingKey("rc-8-x@admin-pin", tt.f)
			fields := append(splitQuoted(key), "reason", "words")
			got, rest, ok := parseKey(fields)
			if !ok || got != key || !slices.Equal(rest, []string{"reason", "words"}) {
				t.Errorf("key %s: read back %q %q %v", key, got, rest, ok)
			}
		})
	}
	for _, line := range []string{"rc-8-x a reason", `rc-8-x RC-8 check="unterminated expected="x" r`, "rc-8-x RC-8 no check"} {
		if _, _, ok := parseKey(splitQuoted(line)); ok {
			t.Errorf("%q read as a finding key", line)
		}
	}
}

func TestKeyIgnoresTheActualAnswer(t *testing.T) {
	a := caselang.Finding{Requirement: "RC-9", Check: "resultCode", Expected: "resultCode 9", Actual: "resultCode 8"}
	b := a
	b.Actual, b.Step, b.Note = "resultCode 4", "#3", "other"
	if FindingKey("c", a) != FindingKey("c", b) {
		t.Error("the same check, expecting the same, answered otherwise: two keys")
	}
	b.Expected = "resultCode 10"
	if FindingKey("c", a) == FindingKey("c", b) {
		t.Error("a check expecting something else has the same key")
	}
}

func TestVerdictLines(t *testing.T) {
	if got := (Summary{Verdict: VerdictConformant, Partial: true}).Qualified(); got != "conformant, partial" {
		t.Errorf("Qualified: %q", got)
	}
	c := CoverageCounts{Total: 44, Checked: 40, Excluded: 2, NotCheckable: 1, Unchecked: 1, Holes: 1}
	if got, want := c.Line("MUST"), "40 of 44 MUST requirements checked, 2 excluded by the selection, 1 not checkable within a run, 1 checked by no case of this version yet"; got != want {
		t.Errorf("Line:\n got %s\nwant %s", got, want)
	}
}
