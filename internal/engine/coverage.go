package engine

import (
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/roomconform/conform/caselang"
)

// The coverage of the generated cases' reach (ReachOf): which
// transitions (abstract state :: input class, as the model abstracts them)
// and which pairs of request-field classes the run's steps actually sent
// and got an answer to. Every step counts, generated or hand-written: the
// coverage is measured from what was sent, not from what a case claims.

// Coverage is what the run's steps covered of the generated cases' reach,
// by the profile they ran in. Safe for concurrent use.
type Coverage struct {
	mu sync.Mutex
	// transitions and pairs by profile key.
	transitions, pairs map[string]map[string]bool
}

// NewCoverage is the coverage of a run that has sent nothing yet.
func NewCoverage() *Coverage {
	return &Coverage{transitions: map[string]map[string]bool{}, pairs: map[string]map[string]bool{}}
}

// add records key in set under profile.
func (c *Coverage) add(set map[string]map[string]bool, profile, key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if set[profile] == nil {
		set[profile] = map[string]bool{}
	}
	set[profile][key] = true
}

// coverTransition records that a step sent input class in abstract state
// and was answered.
func (x *execution) coverTransition(state, class string) {
	cov := x.r.svc.Coverage
	cov.add(cov.transitions, caselang.ProfileKey(x.Profile()), state+" :: "+class)
}

// coverFields records the field-class pairs of an auth request sent on a
// connection of class conn and answered: only when every field its value
// names was sent (a miss that changes nothing sends no field).
func (x *execution) coverFields(conn string, r caselang.Request, sent map[string]any) {
	names, ok := caselang.FieldClasses(r)
	if !ok {
		return
	}
	for i, f := range caselang.Factors {
		_, present := sent[f.Name]
		absent := strings.HasSuffix(names[i], "=absent")
		if present == absent && f.Name != "requestId" {
			return
		}
	}
	cov, profile := x.r.svc.Coverage, caselang.ProfileKey(x.Profile())
	for i := range names {
		for j := i + 1; j < len(names); j++ {
			cov.add(cov.pairs, profile, conn+" :: "+names[i]+" "+names[j])
		}
	}
}

// TourCoverage is the coverage of the generated cases' reach in the
// target's own profile.
type TourCoverage struct {
	// Profile is the profile key the reach is of.
	Profile string
	// Transitions covered of Reachable; Missing names up to 20 not covered.
	Transitions, Reachable int
	Missing                []string
	// Pairs covered of PairsReachable (field classes two at a time, in each
	// state class of the sending connection); MissingPairs names up to 20.
	Pairs, PairsReachable int
	MissingPairs          []string
	// Open are the (state, input) pairs whose next state the answer
	// decides: the covering array and the hand-written cases send those.
	Open int
}

// ReachOf gives the generated cases' reach in a profile (cases.ReachOf:
// the catalogue's data, which the engine does not import).
type ReachOf func(caselang.Profile) (caselang.Reach, bool)

// TourCoverage returns the run's coverage of the generated cases' reach in
// the profile the run judges the target by now (its own, once the walk
// and every reconfiguring case have put it back); ok is false when no
// generated case is made for it (an unknown protection).
func (r *Runner) TourCoverage(reachOf ReachOf) (TourCoverage, bool) {
	return r.svc.Coverage.Of(r.Profile(), reachOf)
}

// Of is the coverage of the generated cases' reach in profile p; ok is
// false when no generated case is made for it (an unknown protection).
func (c *Coverage) Of(p caselang.Profile, reachOf ReachOf) (TourCoverage, bool) {
	reach, ok := reachOf(p)
	if !ok {
		return TourCoverage{}, false
	}
	key := caselang.ProfileKey(p)
	c.mu.Lock()
	defer c.mu.Unlock()
	tc := TourCoverage{Profile: key, Reachable: len(reach.Transitions), Open: reach.Open}
	for _, t := range reach.Transitions {
		if c.transitions[key][t] {
			tc.Transitions++
		} else if len(tc.Missing) < 20 {
			tc.Missing = append(tc.Missing, t)
		}
	}
	for _, class := range slices.Sorted(maps.Keys(reach.Levels)) {
		lv := reach.Levels[class]
		for i := range lv {
			for j := i + 1; j < len(lv); j++ {
				for _, a := range lv[i] {
					for _, b := range lv[j] {
						pair := class + " :: " + caselang.Factors[i].Name + "=" + a + " " + caselang.Factors[j].Name + "=" + b
						tc.PairsReachable++
						if c.pairs[key][pair] {
							tc.Pairs++
						} else if len(tc.MissingPairs) < 20 {
							tc.MissingPairs = append(tc.MissingPairs, pair)
						}
					}
				}
			}
		}
	}
	return tc, true
}
