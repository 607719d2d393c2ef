package conductor

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
)

// UsageError is a selection or configuration mistake of the operator: exit 2.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Selection is which cases a run includes.
type Selection struct {
	// LabelFilter is a Ginkgo label expression ("" = every case).
	LabelFilter string
	// Cases are case IDs; when set, only these run (and the label filter too, if given).
	Cases []string
	// Live is set by ForTarget for a live target: the safety policy applies.
	Live bool
	// AllowReconfigure lets mutating cases change a live target's
	// protection (they put it back).
	AllowReconfigure bool
	// Profile is the target's, once the preflight learnt it: the
	// generated cases made for other profiles are then not part of the
	// run (each profile has its own; the walk does not visit them).
	Profile *caselang.Profile
}

// ForProfile reports whether case c belongs in a run against a target of
// profile p: every case but a generated one made for another profile.
func ForProfile(c caselang.Case, p caselang.Profile) bool {
	if !c.HasLabel("generated") {
		return true
	}
	_, kind := c.Gap(p)
	return kind != caselang.Inapplicable
}

// AllCases is the label filter that selects every case, also on a live
// target (where an empty filter means the harmless default).
const AllCases = "all"

// Select returns the catalogue cases the selection includes, in run order.
// Unknown IDs, an invalid filter, or a selection matching nothing are
// UsageErrors.
func Select(s Selection) ([]caselang.Case, error) {
	match := func([]string) bool { return true }
	if s.LabelFilter != "" && s.LabelFilter != AllCases {
		f, err := types.ParseLabelFilter(s.LabelFilter)
		if err != nil {
			return nil, &UsageError{Msg: fmt.Sprintf("invalid --label-filter %q: %s", s.LabelFilter, flatten(err.Error()))}
		}
		match = f
	}
	for _, id := range s.Cases {
		if _, ok := cases.Lookup(id); !ok {
			return nil, &UsageError{Msg: fmt.Sprintf("unknown case %q (conform list shows every case ID)", id)}
		}
	}
	var out []caselang.Case
	for _, c := range cases.All() {
		if len(s.Cases) > 0 && !slices.Contains(s.Cases, c.ID) {
			continue
		}
		if s.Profile != nil && !ForProfile(c, *s.Profile) {
			continue
		}
		if match(c.Labels) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, &UsageError{Msg: fmt.Sprintf("no case matches the selection (label filter %q, cases %v)", s.LabelFilter, s.Cases)}
	}
	return out, nil
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// flatten strips colour codes and joins the lines of a Ginkgo error (which
// puts the position of a label-filter mistake on a second line).
func flatten(s string) string {
	s = ansi.ReplaceAllString(s, "")
	return strings.Join(strings.Fields(s), " ")
}

// OptedInOf keeps the cases of selected the policy of s lets run.
func (s Selection) OptedInOf(selected []caselang.Case) []caselang.Case {
	var out []caselang.Case
	for _, c := range selected {
		if s.OptedIn(c) {
			out = append(out, c)
		}
	}
	return out
}
