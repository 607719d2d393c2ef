// Package rundiff says what changed between two results documents of
// conform (`conform diff OLD NEW`): per target, the cases' verdicts, the
// findings by their key (reports.FindingKey, what baselines use), the INFO
// observations, the run's verdict, and the cases one document has and the
// other has not, apart. It judges whether anything regressed; it never
// reads a target, only the documents.
package rundiff

import (
	"errors"
	"slices"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/reports"
)

// Schema identifies the --json document (docs/results-schema.md, "conform
// diff --json").
const Schema = "conform.diff/v1"

// Diff is what changed between an old and a new results document.
type Diff struct {
	Schema string `json:"schema"`
	// Kind is "run" (two single-target documents) or "fleet".
	Kind string `json:"kind"`
	// Fleet is the fleet's verdict change (two fleets; nil when it is the
	// same). Informative: the targets decide a regression.
	Fleet *VerdictChange `json:"fleetVerdict,omitempty"`
	// Targets are the changes per target: the one unnamed target of two
	// runs, or the fleets' targets, the new document's order first.
	Targets []Target `json:"targets"`
	Counts  Counts   `json:"counts"`
	// Regression: some change is a regression (exit 1).
	Regression bool `json:"regression"`
}

// Target status.
const (
	Compared = "compared"
	Added    = "added"   // only in the new fleet
	Removed  = "removed" // only in the old fleet
)

// Target is what changed for one target.
type Target struct {
	// Name is the target's name in the fleet ("" for a single run).
	Name string `json:"name,omitempty"`
	// Status is Compared, Added or Removed.
	Status string `json:"status"`
	// Verdict is the run's verdict change (nil: the same); for a target
	// added or removed, its verdict on the side it is on.
	Verdict      *VerdictChange `json:"verdict,omitempty"`
	Cases        []CaseChange   `json:"cases,omitempty"`
	Apart        []CaseApart    `json:"casesApart,omitempty"`
	Findings     []FindingDelta `json:"findings,omitempty"`
	Observations []Observation  `json:"observations,omitempty"`
}

// VerdictChange is a run's (or a fleet's) verdict, old and new.
type VerdictChange struct {
	Old        string `json:"old,omitempty"`
	OldExit    int    `json:"oldExitCode"`
	New        string `json:"new,omitempty"`
	NewExit    int    `json:"newExitCode"`
	Regression bool   `json:"regression"`
}

// CaseChange is a case judged in both runs whose verdict changed.
type CaseChange struct {
	// Case is the case's key in the new run (reports.Case.Key); OldCase
	// its key in the old one when the walk ran it in another profile.
	Case       string           `json:"case"`
	OldCase    string           `json:"oldCase,omitempty"`
	Old        caselang.Verdict `json:"old"`
	New        caselang.Verdict `json:"new"`
	Regression bool             `json:"regression"`
}

// Why a case is in one document only.
const (
	// ByCatalogue: the other document has it neither among its cases nor
	// among the cases its selection left out: the catalogue changed.
	ByCatalogue = "catalogue"
	// BySelection: the other document's selection left it out.
	BySelection = "selection"
	// ByProfile: a generated case made for one profile, and the target's
	// profile changed (cases made for another profile are not listed).
	ByProfile = "profile"
	// ByPreflight: one of the runs failed its preflight, which selects
	// before it knows the profile: not comparable.
	ByPreflight = "preflight"
)

// CaseApart is a case one run judged and the other did not.
type CaseApart struct {
	Case string `json:"case"`
	// Side is "old" or "new": where the case is.
	Side    string           `json:"side"`
	Verdict caselang.Verdict `json:"verdict"`
	// Why is ByCatalogue, BySelection, ByProfile or ByPreflight.
	Why string `json:"why"`
	// As is, for BySelection, what the other run's selection recorded it
	// as (excluded, not applicable, not checkable).
	As caselang.Skipped `json:"as,omitempty"`
}

// FindingDelta is a broken finding's key in one run only.
type FindingDelta struct {
	Key string `json:"key"`
	// Change is "new" or "vanished".
	Change string `json:"change"`
	// Class is "FAIL" (a broken MUST, or any broken check of a --strict
	// run) or "WARN" (a broken SHOULD).
	Class      string `json:"class"`
	Regression bool   `json:"regression"`
}

// Observation is an INFO observation that changed.
type Observation struct {
	// Case, Step and Requirement say where it was recorded ("" for what
	// the run records as a whole: the profile, the resultCode shape, the
	// interop notes).
	Case        string `json:"case,omitempty"`
	Step        string `json:"step,omitempty"`
	Requirement string `json:"requirement,omitempty"`
	// What names the observation: the check ("token shape", "recorded
	// outcome", "lockout duration"...) or the run's field.
	What string `json:"what"`
	Old  string `json:"old"`
	New  string `json:"new"`
}

// Counts sum the changes.
type Counts struct {
	Regressions       int `json:"regressions"`
	VerdictChanges    int `json:"verdictChanges"`
	RunVerdictChanges int `json:"runVerdictChanges"`
	CasesApart        int `json:"casesApart"`
	NewFindings       int `json:"newFindings"`
	VanishedFindings  int `json:"vanishedFindings"`
	Observations      int `json:"observations"`
	TargetsAdded      int `json:"targetsAdded"`
	TargetsRemoved    int `json:"targetsRemoved"`
}

// Compare compares two results documents: two runs, or two fleets (by
// target name). A run and a fleet are not comparable: an error.
func Compare(old, new reports.Document) (Diff, error) {
	d := Diff{Schema: Schema}
	switch {
	case old.Run != nil && new.Run != nil:
		d.Kind = "run"
		d.Targets = []Target{compareRuns(*old.Run, *new.Run)}
	case old.Fleet != nil && new.Fleet != nil:
		d.Kind = "fleet"
		d.Fleet = verdictChange(old.Fleet.Summary.Verdict, old.Fleet.Summary.ExitCode, new.Fleet.Summary.Verdict, new.Fleet.Summary.ExitCode)
		if d.Fleet != nil {
			// The fleet's verdict is its worst target's: each target's
			// own change says whether it regressed.
			d.Fleet.Regression = false
		}
		d.Targets = compareFleets(*old.Fleet, *new.Fleet)
	case (old.Run == nil && old.Fleet == nil) || (new.Run == nil && new.Fleet == nil):
		return Diff{}, errors.New("an empty results document")
	default:
		return Diff{}, errors.New("one document is a single target's run and the other a fleet's: compare a run with a run, a fleet with a fleet")
	}
	d.count()
	return d, nil
}

// compareFleets compares the fleets' sections by name: the new fleet's
// order, then the targets only the old one has.
func compareFleets(old, new reports.Fleet) []Target {
	var out []Target
	for _, n := range new.Targets {
		o, ok := old.Section(n.Name)
		if !ok {
			out = append(out, Target{Name: n.Name, Status: Added,
				Verdict: &VerdictChange{New: n.Run.Summary.Verdict, NewExit: n.Run.Summary.ExitCode}})
			continue
		}
		t := compareRuns(o.Run, n.Run)
		t.Name = n.Name
		out = append(out, t)
	}
	for _, o := range old.Targets {
		if _, ok := new.Section(o.Name); !ok {
			out = append(out, Target{Name: o.Name, Status: Removed,
				Verdict: &VerdictChange{Old: o.Run.Summary.Verdict, OldExit: o.Run.Summary.ExitCode}})
		}
	}
	return out
}

// count sums the changes and decides the regression.
func (d *Diff) count() {
	c := &d.Counts
	for _, t := range d.Targets {
		switch t.Status {
		case Added:
			c.TargetsAdded++
			continue
		case Removed:
			c.TargetsRemoved++
			continue
		}
		if t.Verdict != nil {
			c.RunVerdictChanges++
			c.Regressions += b2i(t.Verdict.Regression)
		}
		for _, x := range t.Cases {
			c.VerdictChanges++
			c.Regressions += b2i(x.Regression)
		}
		c.CasesApart += len(t.Apart)
		for _, f := range t.Findings {
			if f.Change == "new" {
				c.NewFindings++
			} else {
				c.VanishedFindings++
			}
			c.Regressions += b2i(f.Regression)
		}
		c.Observations += len(t.Observations)
	}
	d.Regression = c.Regressions > 0
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// regresses is the regression rule: PASS, WARN or SKIP becoming FAIL or
// ERROR.
func regresses(old, new caselang.Verdict) bool {
	return (old == caselang.Pass || old == caselang.Warn || old == caselang.Skip) &&
		(new == caselang.Fail || new == caselang.Error)
}

// runClass is a run's verdict as a case's, for the regression rule:
// conformant (also but for known failures) PASS, incomplete SKIP, not
// conformant, interrupted or a failed --require FAIL, an error (also
// unreachable, a failed restore, a target's configuration error) ERROR.
// A stale baseline fails a run because something stopped failing: PASS.
func runClass(verdict string, exit int) caselang.Verdict {
	switch {
	case verdict == reports.VerdictStale:
		return caselang.Pass
	case exit == reports.ExitConformant:
		return caselang.Pass
	case exit == reports.ExitIncomplete:
		return caselang.Skip
	case exit == reports.ExitNotConformant:
		return caselang.Fail
	}
	return caselang.Error
}

func verdictChange(old string, oldExit int, new string, newExit int) *VerdictChange {
	if old == new && oldExit == newExit {
		return nil
	}
	return &VerdictChange{Old: old, OldExit: oldExit, New: new, NewExit: newExit,
		Regression: regresses(runClass(old, oldExit), runClass(new, newExit))}
}

// compareRuns compares one target's two runs.
func compareRuns(old, new reports.Run) Target {
	t := Target{Status: Compared}
	t.Verdict = verdictChange(old.Summary.Verdict, old.Summary.ExitCode, new.Summary.Verdict, new.Summary.ExitCode)

	pairs, oldOnly, newOnly := pairCases(old.Cases, new.Cases)
	for _, p := range pairs {
		o, n := old.Cases[p[0]], new.Cases[p[1]]
		if o.Verdict != n.Verdict {
			c := CaseChange{Case: n.Key(), Old: o.Verdict, New: n.Verdict, Regression: regresses(o.Verdict, n.Verdict)}
			if o.Key() != n.Key() {
				c.OldCase = o.Key()
			}
			t.Cases = append(t.Cases, c)
		}
		// The keys of both under the new case's key: a case the walk ran
		// in another profile has the same findings.
		t.Findings = append(t.Findings, findingDeltas(n.Key(), o, old.Selection.Strict, n, new.Selection.Strict)...)
		t.Observations = append(t.Observations, caseObservations(n.Key(), o, n)...)
	}
	for _, i := range newOnly {
		c := new.Cases[i]
		t.Apart = append(t.Apart, apart(c, "new", old, new))
		t.Findings = append(t.Findings, findingDeltas(c.Key(), reports.Case{}, false, c, new.Selection.Strict)...)
	}
	for _, i := range oldOnly {
		c := old.Cases[i]
		t.Apart = append(t.Apart, apart(c, "old", new, old))
		t.Findings = append(t.Findings, findingDeltas(c.Key(), c, old.Selection.Strict, reports.Case{}, false)...)
	}
	t.Observations = append(t.Observations, runObservations(old, new)...)
	return t
}

// pairCases matches the cases of two runs by key, then what is left by ID
// when each run has one case of it (the walk ran it in another profile).
// It returns the pairs (old index, new index) in the new run's order and
// the indices of the cases of one run only.
func pairCases(old, new []reports.Case) (pairs [][2]int, oldOnly, newOnly []int) {
	byKey := map[string]int{}
	for i, c := range old {
		byKey[c.Key()] = i
	}
	usedOld := make([]bool, len(old))
	matched := make([]int, len(new))
	for i, c := range new {
		matched[i] = -1
		if j, ok := byKey[c.Key()]; ok && !usedOld[j] {
			matched[i], usedOld[j] = j, true
		}
	}
	countID := func(cs []reports.Case, used func(int) bool) map[string][]int {
		m := map[string][]int{}
		for i, c := range cs {
			if !used(i) {
				m[c.ID] = append(m[c.ID], i)
			}
		}
		return m
	}
	oldLeft := countID(old, func(i int) bool { return usedOld[i] })
	newLeft := countID(new, func(i int) bool { return matched[i] >= 0 })
	for id, ns := range newLeft {
		if os := oldLeft[id]; len(ns) == 1 && len(os) == 1 {
			matched[ns[0]], usedOld[os[0]] = os[0], true
		}
	}
	for i, j := range matched {
		if j >= 0 {
			pairs = append(pairs, [2]int{j, i})
		} else {
			newOnly = append(newOnly, i)
		}
	}
	for j, u := range usedOld {
		if !u {
			oldOnly = append(oldOnly, j)
		}
	}
	return pairs, oldOnly, newOnly
}

// apart says why case c of run has no counterpart in other (side is where
// c is).
func apart(c reports.Case, side string, other, run reports.Run) CaseApart {
	a := CaseApart{Case: c.Key(), Side: side, Verdict: c.Verdict, Why: ByCatalogue}
	i := slices.IndexFunc(other.Unselected, func(u reports.Unselected) bool { return u.ID == c.ID })
	switch {
	case !other.Preflight.OK || !run.Preflight.OK:
		// A failed preflight selects before the profile is known (the
		// generated cases of every profile): nothing to compare with.
		a.Why = ByPreflight
	case i >= 0:
		a.Why, a.As = BySelection, other.Unselected[i].As
	case c.HasLabel("generated") && !sameProtection(other.Profile, run.Profile):
		a.Why = ByProfile
	}
	return a
}

func sameProtection(a, b reports.Profile) bool {
	return a.Admin == b.Admin && a.User == b.User && a.Plan == b.Plan
}

// FAIL and WARN are the classes of a broken finding.
const (
	classFail = "FAIL"
	classWarn = "WARN"
)

// brokenKeys are the keys of c's broken findings under caseKey, each with
// its class: FAIL for a broken MUST, or any broken check of a --strict
// run, else WARN; FAIL wins when one key is both.
func brokenKeys(caseKey string, c reports.Case, strict bool) map[string]string {
	out := map[string]string{}
	for _, f := range c.Findings {
		if !f.Broken() {
			continue
		}
		k := reports.FindingKey(caseKey, f.Finding)
		if f.Level == caselang.Must || strict {
			out[k] = classFail
		} else if out[k] == "" {
			out[k] = classWarn
		}
	}
	return out
}

// findingDeltas are the broken findings' keys one of two results of a
// case has and the other has not (a zero Case for a case one run did not
// judge). A new FAIL key is a regression.
func findingDeltas(caseKey string, old reports.Case, oldStrict bool, new reports.Case, newStrict bool) []FindingDelta {
	ok, nk := brokenKeys(caseKey, old, oldStrict), brokenKeys(caseKey, new, newStrict)
	var out []FindingDelta
	for _, k := range sortedKeys(nk) {
		if _, was := ok[k]; !was {
			out = append(out, FindingDelta{Key: k, Change: "new", Class: nk[k], Regression: nk[k] == classFail})
		}
	}
	for _, k := range sortedKeys(ok) {
		if _, is := nk[k]; !is {
			out = append(out, FindingDelta{Key: k, Change: "vanished", Class: ok[k]})
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
