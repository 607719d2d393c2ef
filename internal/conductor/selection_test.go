package conductor

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
)

func ids(cs []caselang.Case) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

// citing lists, in run order, the cases whose requirements include one of
// reqs, but the exploration's, and those named.
func citing(reqs []string, named ...string) []string {
	var out []string
	for _, c := range cases.All() {
		cites := slices.ContainsFunc(reqs, func(r string) bool { return slices.Contains(c.Requirements, r) }) && !c.HasLabel("explore")
		if cites || slices.Contains(named, c.ID) {
			out = append(out, c.ID)
		}
	}
	return out
}

// TestRequirementSelection: --requirement selects the cases citing it; it
// is a union with --case and an intersection with the label filter.
func TestRequirementSelection(t *testing.T) {
	const named = "rc-10-type-open"
	var pin []string
	for _, id := range citing([]string{"RC-8"}) {
		if c, _ := cases.Lookup(id); c.HasLabel("pin") {
			pin = append(pin, id)
		}
	}
	for _, tt := range []struct {
		name string
		sel  Selection
		want []string
	}{
		{"requirement", Selection{Requirements: []string{"RC-8"}}, citing([]string{"RC-8"})},
		{"two requirements", Selection{Requirements: []string{"RC-8", "RC-7"}}, citing([]string{"RC-8", "RC-7"})},
		{"with a case", Selection{Requirements: []string{"RC-8"}, Cases: []string{named}}, citing([]string{"RC-8"}, named)},
		{"with a label filter", Selection{Requirements: []string{"RC-8"}, LabelFilter: "pin"}, pin},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Select(tt.sel)
			if err != nil {
				t.Fatal(err)
			}
			if len(tt.want) < 2 || !slices.Equal(ids(got), tt.want) {
				t.Errorf("selected %d cases %v,\nwant %d %v", len(got), ids(got), len(tt.want), tt.want)
			}
		})
	}
	if c, _ := cases.Lookup(named); slices.Contains(c.Requirements, "RC-8") {
		t.Fatalf("%s cites RC-8: the union is not tested", named)
	}
}

// TestRequirementOptsIntoNothingOnALiveTarget: whatever requirement is
// asked for, on a live target no disruptive case is selected unless named
// with --case or by label, no mutating case may run without
// --allow-reconfigure, and the exploration is never selected by it.
func TestRequirementOptsIntoNothingOnALiveTarget(t *testing.T) {
	named, _ := cases.Lookup("rc-6-lockout-after-wrong-passwords")
	for _, r := range caselang.Requirements() {
		for _, sel := range []Selection{
			{Requirements: []string{r.ID}},
			{Requirements: []string{r.ID}, Cases: []string{named.ID}},
			{Requirements: []string{r.ID}, LabelFilter: "!smoke"},
		} {
			sel = sel.ForTarget(true)
			got, err := Select(sel)
			if err != nil {
				var usage *UsageError
				if !errors.As(err, &usage) || !strings.Contains(err.Error(), "no case matches") {
					t.Errorf("%s: %v", r.ID, err)
				}
				continue
			}
			for _, c := range got {
				switch {
				case c.HasLabel("disruptive") && c.ID != named.ID:
					t.Errorf("--requirement %s %+v selects the disruptive %s", r.ID, sel, c.ID)
				case c.HasLabel("mutating") && sel.OptedIn(c):
					t.Errorf("--requirement %s %+v lets the mutating %s run", r.ID, sel, c.ID)
				case c.HasLabel("explore"):
					t.Errorf("--requirement %s selects the exploration", r.ID)
				}
			}
		}
	}
	// The label filter that names disruptive still opts in.
	got, err := Select(Selection{Requirements: []string{"RC-6"}, LabelFilter: "disruptive"}.ForTarget(true))
	if err != nil || !slices.Contains(ids(got), named.ID) {
		t.Errorf("--requirement RC-6 --label-filter disruptive: %v %v", ids(got), err)
	}
}

// TestSelectionMistakesNameTheNearest: a requirement ID as a case, a
// misspelt case, requirement or label, each names what was meant; a
// filter is quoted as typed, never as ForTarget rewrote it.
func TestSelectionMistakesNameTheNearest(t *testing.T) {
	for _, tt := range []struct {
		sel   Selection
		want  string
		never string
	}{
		{Selection{Cases: []string{"RC-8"}}, `unknown case "RC-8": did you mean --requirement RC-8?`, ""},
		{Selection{Cases: []string{"rc-8-wrong-usr-pin"}}, "did you mean rc-8-wrong-user-pin?", ""},
		{Selection{Requirements: []string{"RC-99"}}, `unknown requirement "RC-99": did you mean RC-9?`, ""},
		{Selection{Requirements: []string{"rc-10-type-open"}}, "did you mean --case rc-10-type-open?", ""},
		{Selection{LabelFilter: "pasword && !slow"}, `unknown label "pasword" in --label-filter "pasword && !slow": did you mean password?`, ""},
		{Selection{LabelFilter: "Smoke || frobnicate"}, `unknown label "frobnicate"`, ""},
		{Selection{LabelFilter: "smoke &&"}.ForTarget(true), `invalid --label-filter "smoke &&"`, "disruptive"},
		{Selection{LabelFilter: "pasword"}.ForTarget(true), `in --label-filter "pasword": did you mean password?`, "disruptive"},
	} {
		_, err := Select(tt.sel)
		if err == nil || !strings.Contains(err.Error(), tt.want) || tt.never != "" && strings.Contains(err.Error(), tt.never) {
			t.Errorf("%+v: %v, want %q", tt.sel, err, tt.want)
		}
	}
	// Known labels in any letter case, regular expressions and set
	// expressions are no mistakes.
	for _, f := range []string{"SMOKE", "/pass/ && !slow", "smoke || /^t/", "key: isEmpty || smoke"} {
		if _, err := Select(Selection{LabelFilter: f}); err != nil {
			t.Errorf("%q: %v", f, err)
		}
	}
}

func TestFilterLabels(t *testing.T) {
	for filter, want := range map[string][]string{
		"pasword && !slow":                     {"pasword", "slow"},
		"(a || b), c":                          {"a", "b", "c"},
		"/pass|word/ && smoke":                 {"smoke"},
		"key: containsAny {x, y} && near miss": {"near miss"},
		"team:core || token":                   {"token"},
		"":                                     nil,
	} {
		if got := filterLabels(filter); !slices.Equal(got, want) {
			t.Errorf("filterLabels(%q) = %q, want %q", filter, got, want)
		}
	}
}
