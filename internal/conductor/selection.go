package conductor

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/suggest"
)

// UsageError is a selection or configuration mistake of the operator: exit 2.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Selection is which cases a run includes.
type Selection struct {
	// LabelFilter is a Ginkgo label expression ("" = every case).
	LabelFilter string
	// Cases are case IDs and Requirements requirement IDs; when either is
	// set, only the cases named and the cases citing a requirement run
	// (the union), those the label filter selects (the intersection).
	Cases        []string
	Requirements []string
	// Live is set by ForTarget for a live target: the safety policy applies.
	Live bool
	// AllowReconfigure lets mutating cases change a live target's
	// protection (they put it back).
	AllowReconfigure bool
	// typed is the label filter as the operator gave it, kept by ForTarget
	// (adjusted), which may replace LabelFilter with the live default or
	// narrow it to "(x) && !disruptive": a mistake is quoted as typed.
	typed    string
	adjusted bool
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
// Unknown IDs and labels, an invalid filter, or a selection matching
// nothing are UsageErrors, each naming the nearest known word and quoting
// the label filter as the operator typed it.
func Select(s Selection) ([]caselang.Case, error) {
	if err := checkFilter(s.givenFilter()); err != nil {
		return nil, err
	}
	match := func([]string) bool { return true }
	if s.LabelFilter != "" && s.LabelFilter != AllCases {
		f, err := types.ParseLabelFilter(s.LabelFilter)
		if err != nil {
			// Only a filter ForTarget made can get here (the operator's
			// passed checkFilter): quote theirs.
			return nil, &UsageError{Msg: fmt.Sprintf("invalid --label-filter %q: %s", s.givenFilter(), flatten(err.Error()))}
		}
		match = f
	}
	if err := checkNamed(s.Cases, s.Requirements); err != nil {
		return nil, err
	}
	var out []caselang.Case
	for _, c := range cases.All() {
		if !s.picks(c) {
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
		return nil, s.nothingMatches()
	}
	return out, nil
}

// givenFilter is the label filter as the operator gave it.
func (s Selection) givenFilter() string {
	if s.adjusted {
		return s.typed
	}
	return s.LabelFilter
}

// picks reports whether c is among the cases named with --case or citing
// a --requirement (every case when neither is given). A requirement names
// no case: on a live target it never picks a disruptive case the operator
// did not ask for by name or by label.
func (s Selection) picks(c caselang.Case) bool {
	switch {
	case len(s.Cases) == 0 && len(s.Requirements) == 0:
		return true
	case slices.Contains(s.Cases, c.ID):
		return true
	case !Cites(c, s.Requirements):
		return false
	}
	return !s.Live || !c.HasLabel("disruptive") || s.asksForDisruptive(c)
}

// Cites reports whether case c checks one of the requirements ids, as
// --requirement selects cases: c lists it among its requirements. The
// random walks of the exploration list every requirement they may come
// across, not what they aim at: they are selected by their label, explore.
func Cites(c caselang.Case, ids []string) bool {
	if c.HasLabel("explore") {
		return false
	}
	return slices.ContainsFunc(ids, func(id string) bool { return slices.Contains(c.Requirements, id) })
}

// checkFilter checks a label filter as the operator typed it: Ginkgo's
// grammar, then every bare label against the labels the cases carry.
func checkFilter(filter string) error {
	if filter == "" || filter == AllCases {
		return nil
	}
	if _, err := types.ParseLabelFilter(filter); err != nil {
		return &UsageError{Msg: fmt.Sprintf("invalid --label-filter %q: %s", filter, flatten(err.Error()))}
	}
	known := caseLabels()
	for _, l := range filterLabels(filter) {
		if slices.ContainsFunc(known, func(k string) bool { return strings.EqualFold(k, l) }) {
			continue
		}
		msg := fmt.Sprintf("unknown label %q in --label-filter %q", l, filter)
		if near := suggest.Nearest(l, known); near != "" {
			msg += fmt.Sprintf(": did you mean %s?", near)
		} else {
			msg += fmt.Sprintf(": no case carries it (the labels: %s)", strings.Join(known, ", "))
		}
		return &UsageError{Msg: msg}
	}
	return nil
}

// filterLabels returns the bare labels of a Ginkgo label filter: the words
// between its operators (&&, ||, !, the comma, parentheses). A /regular
// expression/ is no label, and neither is a set expression (key: op
// {values}) or a key:value label: they are left alone.
func filterLabels(filter string) []string {
	var out []string
	var word strings.Builder
	flush := func() {
		if w := strings.TrimSpace(word.String()); w != "" && !strings.Contains(w, ":") {
			out = append(out, w)
		}
		word.Reset()
	}
	rs := []rune(filter)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; r {
		case '/', '{':
			// A regular expression's or a set's content is no label (the
			// word before a set, its key and operation, has a colon).
			flush()
			end := map[rune]rune{'/': '/', '{': '}'}[r]
			if j := slices.Index(rs[i+1:], end); j >= 0 {
				i += j + 1
			} else {
				i = len(rs)
			}
		case '&', '|', '!', ',', '(', ')':
			flush()
		default:
			word.WriteRune(r)
		}
	}
	flush()
	return out
}

// caseLabels are the labels the catalogue's cases carry, sorted.
var caseLabels = sync.OnceValue(func() []string {
	var labels []string
	for _, c := range cases.All() {
		labels = append(labels, c.Labels...)
	}
	slices.Sort(labels)
	return slices.Compact(labels)
})

// checkNamed refuses a case ID or a requirement ID the catalogue does not
// have, naming what the operator may have meant.
func checkNamed(caseIDs, reqIDs []string) error {
	for _, id := range caseIDs {
		if _, ok := cases.Lookup(id); !ok {
			return unknownCase(id)
		}
	}
	for _, id := range reqIDs {
		if _, ok := caselang.LookupRequirement(id); !ok {
			return unknownRequirement(id)
		}
	}
	return nil
}

// unknownCase is the error of --case id: a requirement ID given as a case
// points to --requirement, a misspelt case ID to the nearest one.
func unknownCase(id string) error {
	msg := fmt.Sprintf("unknown case %q", id)
	if r, ok := requirementFold(id); ok {
		msg += fmt.Sprintf(": did you mean --requirement %s? (it selects the cases citing it)", r)
	} else if near := suggest.Nearest(id, cases.IDs()); near != "" {
		msg += fmt.Sprintf(": did you mean %s?", near)
	} else {
		msg += " (conform list shows every case ID)"
	}
	return &UsageError{Msg: msg}
}

// unknownRequirement is the error of --requirement id: a case ID given as
// a requirement points to --case, a misspelt ID to the nearest one.
func unknownRequirement(id string) error {
	msg := fmt.Sprintf("unknown requirement %q", id)
	if _, ok := cases.Lookup(id); ok {
		msg += fmt.Sprintf(": did you mean --case %s?", id)
	} else if near := suggest.Nearest(id, caselang.RequirementIDs()); near != "" {
		msg += fmt.Sprintf(": did you mean %s?", near)
	} else {
		msg += " (docs/requirements.md lists every requirement; conform explain ID shows one)"
	}
	return &UsageError{Msg: msg}
}

// requirementFold is the requirement ID id names in any letter case
// (rc-8b is RC-8b).
func requirementFold(id string) (string, bool) {
	for _, r := range caselang.Requirements() {
		if strings.EqualFold(r.ID, id) {
			return r.ID, true
		}
	}
	return "", false
}

// nothingMatches is the error of a selection that selects no case: what
// the operator gave, and what a live target adds to it.
func (s Selection) nothingMatches() error {
	var parts []string
	given := s.givenFilter()
	if given != "" {
		parts = append(parts, fmt.Sprintf("--label-filter %q", given))
	}
	if len(s.Cases) > 0 {
		parts = append(parts, "--case "+strings.Join(s.Cases, " "))
	}
	if len(s.Requirements) > 0 {
		parts = append(parts, "--requirement "+strings.Join(s.Requirements, " "))
	}
	msg := "no case matches the selection"
	if len(parts) > 0 {
		msg += " (" + strings.Join(parts, ", ") + ")"
	}
	switch {
	case !s.Live:
	case given == "" && s.LabelFilter != "":
		msg += fmt.Sprintf("; on a live target the default label filter %q applies unless --label-filter or --case is given", s.LabelFilter)
	case given != s.LabelFilter:
		msg += "; on a live target a label filter leaves the disruptive cases out unless it names \"disruptive\""
	}
	if s.Live && len(s.Requirements) > 0 {
		msg += "; a requirement selects no disruptive case there: name one with --case"
	}
	return &UsageError{Msg: msg}
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
