package cases

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// KnownLabels is the fixed label set of design.md.
var KnownLabels = []string{
	"smoke", "unsecured", "password", "pin", "token", "role",
	"lifetime", "slow", "disruptive", "mutating", "robustness",
}

// LiveDefaultFilter is the default label filter on a live target: nothing
// that waits for real, locks out, kicks sessions or changes settings.
const LiveDefaultFilter = "!slow && !disruptive && !mutating"

// catalogue is every case, in the order they run: by requirement group as
// requirements.md orders them, then as written.
var catalogue = slices.Concat(envCases, authCases, failCases, rcCases, roleCases, swCases, tokCases, lifeCases, secCases, robCases, discCases)

// All returns the catalogue in run order.
func All() []Case { return slices.Clone(catalogue) }

// Lookup returns the case with the given ID.
func Lookup(id string) (Case, bool) {
	for _, c := range catalogue {
		if c.ID == id {
			return c, true
		}
	}
	return Case{}, false
}

var idRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)+$`)

// Validate checks the catalogue's integrity: unique well-formed IDs, known
// requirements and labels, every requirement of a case checked by one of its
// steps and every check citing one of the case's requirements, wrong
// credentials always followed by a successful authorization, and every MUST
// requirement either covered or listed in NotYetCovered (and not both).
func Validate(all []Case) error {
	var errs []error
	seen := map[string]bool{}
	covered := map[string]bool{}
	for _, c := range all {
		if !idRE.MatchString(c.ID) {
			errs = append(errs, fmt.Errorf("case %q: ID is not a lower-case slug", c.ID))
		}
		if seen[c.ID] {
			errs = append(errs, fmt.Errorf("case %q: duplicate ID", c.ID))
		}
		seen[c.ID] = true
		if strings.TrimSpace(c.Title) == "" {
			errs = append(errs, fmt.Errorf("case %q: no title", c.ID))
		}
		if len(c.Requirements) == 0 {
			errs = append(errs, fmt.Errorf("case %q: cites no requirement", c.ID))
		}
		if len(c.Steps) == 0 {
			errs = append(errs, fmt.Errorf("case %q: has no steps", c.ID))
		}
		for _, l := range c.Labels {
			if !slices.Contains(KnownLabels, l) {
				errs = append(errs, fmt.Errorf("case %q: unknown label %q", c.ID, l))
			}
		}
		cited := map[string]bool{}
		for _, r := range c.Requirements {
			if _, ok := LookupRequirement(r); !ok {
				errs = append(errs, fmt.Errorf("case %q: unknown requirement %q", c.ID, r))
			}
			covered[r] = true
		}
		checks := slices.Clone(c.After)
		names := map[string]bool{}
		for i, s := range c.Steps {
			checks = append(checks, s.Expect...)
			if s.ExactlyOne != "" {
				checks = append(checks, Check{Req: s.ExactlyOne})
			}
			if s.When != nil && !names[s.When.From] {
				errs = append(errs, fmt.Errorf("case %q: step %d is timed from step %q, which does not come before it", c.ID, i+1, s.When.From))
			}
			if s.Name != "" {
				if names[s.Name] {
					errs = append(errs, fmt.Errorf("case %q: duplicate step name %q", c.ID, s.Name))
				}
				names[s.Name] = true
			}
			if !s.Close && !s.Abort && len(s.Expect) == 0 {
				errs = append(errs, fmt.Errorf("case %q: step %d checks nothing", c.ID, i+1))
			}
			if s.SendsWrongCredential() && !recovers(c.Steps[i+1:]) {
				errs = append(errs, fmt.Errorf("case %q: step %d sends a wrong credential and no later step authorizes successfully (lockout protection)", c.ID, i+1))
			}
		}
		for _, ch := range checks {
			if !slices.Contains(c.Requirements, ch.Req) {
				errs = append(errs, fmt.Errorf("case %q: check %q cites %s, which the case does not list", c.ID, ch.Name, ch.Req))
			}
			cited[ch.Req] = true
		}
		for _, r := range c.Requirements {
			if !cited[r] {
				errs = append(errs, fmt.Errorf("case %q: lists %s but no check cites it", c.ID, r))
			}
		}
	}
	for _, r := range requirements {
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

// recovers reports whether some step authorizes successfully (a Login with
// a success check): the server's wrong-attempt counter is reset by it.
func recovers(steps []Step) bool {
	for _, s := range steps {
		if s.Recovery {
			return true
		}
	}
	return false
}

// WrongCredentials counts the wrong credentials the case may send: the
// engine keeps a per-run budget so a live device never locks its
// administrator out.
func (c Case) WrongCredentials() int {
	n := 0
	for _, s := range c.Steps {
		// Conditional steps (OnlyIf) send only to a defective server; the
		// engine counts what is really sent.
		if s.SendsWrongCredential() && s.OnlyIf == nil {
			n += max(1, s.Repeat)
		}
	}
	return n
}

// SendsWrongCredential reports whether the step's credentials may be wrong:
// anything other than a real secret or a live token.
func (s Step) SendsWrongCredential() bool {
	if s.Send.Credentials == nil {
		return false
	}
	w, ok := s.Send.Credentials.(interface{ mayBeWrong() bool })
	return !ok || w.mayBeWrong()
}

// An empty string is refused before any credential check (RC-7).
func (l literal) mayBeWrong() bool  { return l.v != "" }
func (secret) mayBeWrong() bool     { return false }
func (login) mayBeWrong() bool      { return false }
func (f fromStep) mayBeWrong() bool { return f.wrongish }
func (altered) mayBeWrong() bool    { return true }
func (swapCase) mayBeWrong() bool   { return false }
func (wrong) mayBeWrong() bool      { return true }

// LeakedTokenOf is the token a failed step should not have returned: using it
// is an attempt with credentials that must not work (FAIL-1).
func LeakedTokenOf(step string) Value { return fromStep{step, "token", true} }

// LeakedHTTPTokenOf is the tokenForHttpServer a failed step should not have returned.
func LeakedHTTPTokenOf(step string) Value { return fromStep{step, "tokenForHttpServer", true} }
