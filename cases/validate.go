package cases

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	. "github.com/roomconform/conform/caselang"
)

var idRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)+$`)

// Validate checks the catalogue's integrity: unique well-formed IDs whose
// prefix names the primary requirement, known requirements and labels,
// every requirement of a case checked by one of its steps and every check
// citing one of the case's requirements, timed steps timed by an earlier
// step, wrong credentials always followed by a successful authorization,
// and every MUST requirement either covered or listed in NotYetCovered
// (and not both).
func Validate(all []Case) error {
	var errs []error
	seen := map[string]bool{}
	covered := map[string]bool{}
	for _, c := range all {
		if seen[c.ID] {
			errs = append(errs, fmt.Errorf("case %q: duplicate ID", c.ID))
		}
		seen[c.ID] = true
		if !c.HasLabel("explore") {
			// The exploration cites all it may come across
			// (JudgedEverywhere): it is no case written for any of them.
			for _, r := range c.Requirements {
				covered[r] = true
			}
		}
		for _, err := range validateCase(c) {
			errs = append(errs, fmt.Errorf("case %q: %w", c.ID, err))
		}
	}
	for _, r := range Requirements() {
		_, listed := NotYetCovered[r.ID]
		switch {
		case covered[r.ID] && listed:
			errs = append(errs, fmt.Errorf("requirement %s is covered but still listed in NotYetCovered", r.ID))
		case !covered[r.ID] && !listed && r.Level != Info:
			errs = append(errs, fmt.Errorf("requirement %s (%s) has no case and is not listed in NotYetCovered", r.ID, r.Level))
		}
	}
	for _, id := range sortedKeys(NotYetCovered) {
		if _, ok := LookupRequirement(id); !ok {
			errs = append(errs, fmt.Errorf("NotYetCovered names unknown requirement %s", id))
		}
	}
	return errors.Join(errs...)
}

// validateCase returns what is wrong with one case.
func validateCase(c Case) []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !idRE.MatchString(c.ID) {
		fail("ID is not a lower-case slug")
	}
	if strings.TrimSpace(c.Title) == "" {
		fail("no title")
	}
	explore := c.HasLabel("explore")
	if explore {
		// An exploration judges by the model alone, under whatever
		// requirement an answer breaks.
		if len(c.Steps) != 1 || !isExplore(c.Steps[0].Do) {
			fail("an explore case is one Explore step")
		}
	}
	if len(c.Requirements) == 0 {
		fail("cites no requirement")
	} else if !explore && !idNames(c.ID, c.Requirements[0]) {
		fail("the ID's prefix does not name its primary (first) requirement %s: put the requirement the ID names first", c.Requirements[0])
	}
	if len(c.Steps) == 0 {
		fail("has no steps")
	}
	for _, l := range c.Labels {
		if !slices.Contains(KnownLabels, l) {
			fail("unknown label %q", l)
		}
	}
	for _, r := range c.Requirements {
		if _, ok := LookupRequirement(r); !ok {
			fail("unknown requirement %q", r)
		}
	}
	checks := slices.Clone(c.After)
	names := map[string]bool{}
	for i, s := range c.Steps {
		checks = append(checks, s.Expect...)
		if send, ok := s.Do.(Send); ok && send.ExactlyOne != "" {
			checks = append(checks, Check{Req: send.ExactlyOne})
		}
		if s.Do == nil {
			fail("step %d does nothing (no Do)", i+1)
		}
		if s.When != nil && !names[s.When.From] {
			fail("step %d is timed from step %q, which does not come before it", i+1, s.When.From)
		}
		if s.Name != "" {
			if names[s.Name] {
				fail("duplicate step name %q", s.Name)
			}
			names[s.Name] = true
		}
		switch a := s.Do.(type) {
		case Send:
			if _, ok := a.RepeatFor.Of(DefaultSettings()); a.RepeatFor != "" && !ok {
				fail("step %d repeats for an unknown setting %q", i+1, a.RepeatFor)
			}
		case Poll:
			if _, ok := a.Limit.Of(DefaultSettings()); !ok {
				fail("step %d polls for an unknown limit %q", i+1, a.Limit)
			}
		case Reconfigure:
			if !c.HasLabel("mutating") {
				fail("step %d reconfigures the target; the case must be labelled mutating (opt-in on a live target)", i+1)
			}
			if (a.To == Password) != (a.Secret != nil) && !(a.To == PIN) {
				fail("step %d: a password needs a Secret, unsecured none", i+1)
			}
			if a.NoPIN != "" && (a.NoPIN != "null" && a.NoPIN != "empty" || a.To != PIN || a.Secret != nil) {
				fail("step %d: NoPIN %q is for a user PIN the server generates: \"null\" or \"empty\", with no Secret", i+1, a.NoPIN)
			}
			if a.To != Password && a.To != PIN && a.To != Unsecured {
				fail("step %d sets protection %q", i+1, a.To)
			}
		}
		switch s.Do.(type) {
		case Close, Abort, Explore:
		default:
			if len(s.Expect) == 0 {
				fail("step %d checks nothing", i+1)
			}
		}
		if s.SendsWrongCredential() && !recovers(c.Steps[i+1:]) {
			fail("step %d sends a wrong credential and no later step authorizes successfully (lockout protection)", i+1)
		}
		if s.SendsWrongCredential() && !c.HasLabel("disruptive") {
			// Outside the lockout cases a success follows every wrong
			// credential before the next: a device may lock out after two.
			if send, ok := s.Do.(Send); ok && (send.Repeat > 1 || send.RepeatFor != "") {
				fail("step %d sends wrong credentials repeatedly; only a disruptive case may", i+1)
			}
			if j := nextWrongBeforeRecovery(c.Steps[i+1:]); j >= 0 {
				fail("step %d sends a wrong credential after step %d without a successful authorization between (lockout protection)", i+j+2, i+1)
			}
		}
	}
	cited := map[string]bool{}
	for _, st := range c.Steps {
		if _, ok := st.Do.(Reconfigure); ok {
			cited["CFG-6"] = true // the engine's check that the protection is back
		}
	}
	for _, ch := range checks {
		if !slices.Contains(c.Requirements, ch.Req) {
			fail("check %q cites %s, which the case does not list", ch.Name, ch.Req)
		}
		cited[ch.Req] = true
	}
	for _, r := range c.Requirements {
		if !cited[r] && !explore {
			fail("lists %s but no check cites it", r)
		}
	}
	return errs
}

func isExplore(a Action) bool {
	_, ok := a.(Explore)
	return ok
}

// idNames reports whether case ID id names requirement req: "rc-4b-..."
// names RC-4b, "auth-admin-..." the AUTH group (any AUTH requirement).
func idNames(id, req string) bool {
	group, rest, _ := strings.Cut(id, "-")
	if !strings.EqualFold(group, GroupOf(req)) {
		return false
	}
	num, _, _ := strings.Cut(rest, "-")
	if num == "" || num[0] < '0' || num[0] > '9' {
		return true // the ID names the group only
	}
	return strings.EqualFold(group+"-"+num, req)
}

// recovers reports whether some step authorizes successfully and so resets
// a server's wrong-attempt counter: a Send marked Recovery, or a Poll
// (which ends when it is accepted).
func recovers(steps []Step) bool {
	for _, s := range steps {
		switch a := s.Do.(type) {
		case Send:
			if a.Recovery {
				return true
			}
		case Poll:
			return true
		}
	}
	return false
}

// nextWrongBeforeRecovery returns the index of the first unconditional step
// that sends a wrong credential before any recovery, or -1. Steps
// conditional on a token an earlier failure carried send only to a
// defective server.
func nextWrongBeforeRecovery(steps []Step) int {
	for i, s := range steps {
		if recovers(steps[i : i+1]) {
			return -1
		}
		if _, _, onLeak := TokenSource(s.OnlyIf); s.SendsWrongCredential() && !onLeak {
			return i
		}
	}
	return -1
}
