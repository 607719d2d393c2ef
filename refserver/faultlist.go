package refserver

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Faults returns every fault the server can inject, sorted by requirement (in
// docs/requirements.md order) then name. The slice is fresh on every call.
func Faults() []Fault {
	fs := slices.Clone(faultTable)
	slices.SortFunc(fs, func(a, b Fault) int {
		return cmp.Or(compareRequirements(a.Requirement, b.Requirement), strings.Compare(a.Name, b.Name))
	})
	return fs
}

// Variants returns every conformant variant, sorted like Faults. The slice is
// fresh on every call.
func Variants() []Variant {
	vs := slices.Clone(variantTable)
	slices.SortFunc(vs, func(a, b Variant) int {
		return cmp.Or(compareRequirements(a.Requirement, b.Requirement), strings.Compare(a.Name, b.Name))
	})
	return vs
}

// requirementGroups are the requirement groups in docs/requirements.md order.
var requirementGroups = []string{"ENV", "AUTH", "FAIL", "RC", "ROLE", "SW", "TOK", "LIFE", "SEC", "ROB", "DISC", "CFG"}

// compareRequirements orders requirement IDs by group (docs/requirements.md
// order), then number, then suffix: RC-4 < RC-4b < RC-5 < RC-10.
func compareRequirements(a, b string) int {
	ga, na, sa := splitRequirement(a)
	gb, nb, sb := splitRequirement(b)
	return cmp.Or(cmp.Compare(groupRank(ga), groupRank(gb)), strings.Compare(ga, gb),
		cmp.Compare(na, nb), strings.Compare(sa, sb))
}

// splitRequirement splits "RC-4b" into "RC", 4 and "b".
func splitRequirement(id string) (group string, num int, suffix string) {
	group, rest, _ := strings.Cut(id, "-")
	i := 0
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	num, _ = strconv.Atoi(rest[:i])
	return group, num, rest[i:]
}

// groupRank is a group's position in docs/requirements.md; unknown groups last.
func groupRank(group string) int {
	if i := slices.Index(requirementGroups, group); i >= 0 {
		return i
	}
	return len(requirementGroups)
}

// faultSet is the set of faults a server runs with; the zero value has none.
type faultSet map[fault]bool

// has reports whether a fault is switched on.
func (fs faultSet) has(f fault) bool { return fs[f] }

// variantSet is the set of variants a server runs with; the zero value has none.
type variantSet map[variant]bool

// has reports whether a variant is switched on.
func (vs variantSet) has(v variant) bool { return vs[v] }

// parseNames turns Options.Faults or Options.Variants into a set. An unknown
// name is an error that lists the valid ones, so that a CLI can print it as is.
// Repeating a name is harmless.
func parseNames[S ~map[K]bool, K ~string](kind string, names, valid []string) (S, error) {
	set := make(S, len(names))
	var unknown []string
	for _, n := range names {
		if !slices.Contains(valid, n) {
			unknown = append(unknown, strconv.Quote(n))
			continue
		}
		set[K(n)] = true
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("unknown %s %s (valid: %s)", kind, strings.Join(unknown, ", "), strings.Join(valid, ", "))
	}
	return set, nil
}

// faultNames and variantNames are the valid names in Faults/Variants order.
func faultNames() []string {
	var names []string
	for _, f := range Faults() {
		names = append(names, f.Name)
	}
	return names
}

func variantNames() []string {
	var names []string
	for _, v := range Variants() {
		names = append(names, v.Name)
	}
	return names
}
