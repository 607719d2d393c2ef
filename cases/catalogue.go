package cases

import (
	"maps"
	"slices"

	. "github.com/roomconform/conform/caselang"
)

// KnownLabels is the fixed label set (docs/architecture.md, README "Selecting cases").
var KnownLabels = []string{
	"smoke", "unsecured", "password", "pin", "token", "role",
	"lifetime", "slow", "disruptive", "mutating", "robustness", "near-miss", "explore", "generated",
}

// LiveDefaultFilter is the default label filter on a live target: nothing
// that waits for real, locks out, kicks sessions, changes settings or
// explores at random.
const LiveDefaultFilter = "!slow && !disruptive && !mutating && !explore"

// LiveReconfigureFilter is the live default with --allow-reconfigure: the
// mutating cases join it.
const LiveReconfigureFilter = "!slow && !disruptive && !explore"

// catalogue is every case, in the order they run: by requirement group as
// docs/requirements.md orders them, then as written.
var catalogue = slices.Concat(envCases, []Case{longConnection()}, authCases, failCases, rcCases, freePlanSecrets(), roleCases, swCases, tokCases, lifeCases, outlivesHTTPCases(), httpLifeCases(), apiLifeCases(), httpNearMisses(), secCases, displacedAfter(), robCases, discCases, cfgCases,
	NearMisses(), exploreCases, generatedCases)

// All returns the catalogue in run order.
func All() []Case { return slices.Clone(catalogue) }

// IDs returns the ID of every case, in run order.
func IDs() []string {
	ids := make([]string, len(catalogue))
	for i, c := range catalogue {
		ids[i] = c.ID
	}
	return ids
}

// Catalogue returns the catalogue as the reports measure a run against it:
// every case, and the requirements no case checks yet.
func Catalogue() CaseSet {
	return CaseSet{Cases: All(), NotYetCovered: maps.Clone(NotYetCovered)}
}

// Lookup returns the case with the given ID.
func Lookup(id string) (Case, bool) {
	for _, c := range catalogue {
		if c.ID == id {
			return c, true
		}
	}
	return Case{}, false
}
