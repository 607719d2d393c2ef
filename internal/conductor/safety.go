package conductor

import (
	"slices"
	"strings"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
)

// The live-safety policy, in one place for every way of running the specs
// (the conform binary, go test ./suite, go tool ginkgo ./suite): on a live
// target the default selection leaves out what waits for real, locks out,
// kicks sessions or changes settings; a disruptive case runs only when the
// operator opted into it by name (--case) or by label ("disruptive", or
// "all"), never by a --requirement it cites; and the wrong-credential
// budget (session.Config.WrongBudget) holds. Against the embedded
// reference server nothing can be harmed and everything runs.

// ForTarget returns the selection to run against a live (live true) or the
// embedded target: the operator's own where it is safe, the live default
// where they gave no label filter and named no case (a --requirement
// alone is narrowed by it too), and never a disruptive case they did not
// ask for.
func (s Selection) ForTarget(live bool) Selection {
	s.Live = live
	if !s.adjusted {
		s.typed, s.adjusted = s.LabelFilter, true
	}
	switch {
	case !live:
	case s.LabelFilter == "" && len(s.Cases) == 0 && s.AllowReconfigure:
		s.LabelFilter = cases.LiveReconfigureFilter
	case s.LabelFilter == "" && len(s.Cases) == 0:
		s.LabelFilter = cases.LiveDefaultFilter
	case s.LabelFilter != "" && !s.namesDisruptive():
		s.LabelFilter = "(" + s.LabelFilter + ") && !disruptive"
	}
	return s
}

// OptedIn reports whether case c may run: anything on the embedded server,
// and on a live target anything but a disruptive case the operator did not
// ask for by name or by its disruptive label, and a mutating case (it
// changes the device's protection) only with --allow-reconfigure. The
// runner asks it for every case, so that a selection made behind
// ForTarget's back (a Ginkgo focus) cannot lock a device out or change it
// either.
func (s Selection) OptedIn(c caselang.Case) bool { return s.refusal(c) == "" }

// refusal is why case c may not run ("" when it may).
func (s Selection) refusal(c caselang.Case) string {
	switch {
	case !s.Live:
		return ""
	case c.HasLabel("mutating") && !s.AllowReconfigure:
		return notReconfiguring
	case c.HasLabel("disruptive") && !s.asksForDisruptive(c):
		return notOptedIn
	}
	return ""
}

// asksForDisruptive reports whether the operator asked for the disruptive
// case c: by name (--case), or with a label filter that selects it for
// that label, or is all. A --requirement it cites does not ask for it.
func (s Selection) asksForDisruptive(c caselang.Case) bool {
	return slices.Contains(s.Cases, c.ID) || s.LabelFilter == AllCases || selectsForDisruptive(s.LabelFilter, c)
}

// namesDisruptive reports whether the label filter asks for disruptive
// cases on purpose: it selects one of them because of that label.
func (s Selection) namesDisruptive() bool {
	if s.LabelFilter == AllCases {
		return true
	}
	for _, c := range cases.All() {
		if c.HasLabel("disruptive") && selectsForDisruptive(s.LabelFilter, c) {
			return true
		}
	}
	return false
}

// selectsForDisruptive reports whether filter names the label disruptive
// and selects c because of it: "password" selects the lockout case by its
// other label, "disruptive && password" because it is disruptive, and a
// regular expression such as /t/ that happens to match it names nothing.
func selectsForDisruptive(filter string, c caselang.Case) bool {
	if !strings.Contains(filter, "disruptive") {
		return false
	}
	f, err := types.ParseLabelFilter(filter)
	if err != nil {
		return false
	}
	without := slices.DeleteFunc(slices.Clone(c.Labels), func(l string) bool { return l == "disruptive" })
	return f(c.Labels) && !f(without)
}

// notOptedIn is the skip reason of a disruptive case the operator did not
// ask for.
const notOptedIn = "disruptive (it can lock the administrator out or kick sessions): select it by name with --case, or with a label filter naming \"disruptive\""

// notReconfiguring is the skip reason of a mutating case on a live target
// without --allow-reconfigure.
const notReconfiguring = "changes the target's protection with setAuthParams (and puts it back): opt in with --allow-reconfigure"
