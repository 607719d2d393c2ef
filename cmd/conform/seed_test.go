package main

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/conductor"
	"github.com/roomconform/conform/internal/memnet"
	"github.com/roomconform/conform/refserver"
	"github.com/roomconform/conform/reports"
)

// TestLiveVerdictDoesNotDependOnTheSeed: on a live target with the default
// selection and budget, a fault gets the same verdict under two seeds: the
// same exit code, caught under its own requirement in both or in neither,
// the same cases run and left out. The budget's order is fixed
// (caselang.BudgetOrder) and the seed seeds only the exploration, which the
// live default does not select. One firmware, one verdict.
//
// Which cases a fault fails may still differ between two runs (of one
// seed too) where the fault meets a race on the target's side: a success
// that displaces the previous case's connection, still closing on the
// server, say. The verdict does not.
//
// Every fault whose requirement the live default selection checks is a
// run of the whole live default per seed (seconds each): CI runs a fixed
// subset, named in the log (RC-8's faults, where the seed once chose what
// ran, and every thirty-second fault); CONFORM_SEED_MATRIX=1 runs
// them all.
func TestLiveVerdictDoesNotDependOnTheSeed(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: a live run per fault and seed; the plain go test runs the subset")
	}
	selected, err := conductor.Select(conductor.Selection{}.ForTarget(true))
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, c := range selected {
		for _, r := range c.Requirements {
			covered[r] = true
		}
	}
	all := os.Getenv("CONFORM_SEED_MATRIX") == "1"
	var faults []refserver.Fault
	for i, f := range refserver.Faults() {
		switch {
		case !covered[f.Requirement]:
		case all, f.Requirement == "RC-8", i%32 == 0:
			faults = append(faults, f)
		}
	}
	if len(faults) < 10 {
		t.Fatalf("only %d faults: the test no longer exercises the live plan", len(faults))
	}
	var names []string
	for _, f := range faults {
		names = append(names, f.Name)
	}
	t.Logf("%d faults under seeds 1 and 2 (CONFORM_SEED_MATRIX=1: every fault the live default covers): %s", len(faults), strings.Join(names, " "))
	for _, f := range faults {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			type verdict struct {
				code   int
				caught bool
				ran    []string
			}
			var v [2]verdict
			for i, seed := range []string{"1", "2"} {
				r, res := runLive(t, f.Name, "--seed", seed)
				v[i] = verdict{code: r.code, caught: brokenUnder(res, f.Requirement)}
				for _, c := range res.Cases {
					if c.Verdict != caselang.Skip {
						v[i].ran = append(v[i].ran, c.ID)
					}
				}
			}
			if v[0].code != v[1].code || v[0].caught != v[1].caught {
				t.Errorf("seed 1: exit %d, caught under %s %v; seed 2: exit %d, caught %v", v[0].code, f.Requirement, v[0].caught, v[1].code, v[1].caught)
			}
			if !slices.Equal(v[0].ran, v[1].ran) {
				t.Errorf("the seeds ran different cases: %d and %d", len(v[0].ran), len(v[1].ran))
			}
		})
	}
}

// runLive runs conform against a reference server with fault, as an
// operator runs it against a device: the live default selection and
// budget, the documented lifetimes, the secrets in the environment. The
// run is in-process and the server on an in-process network: a live run
// per fault and seed, whose sockets would be most of its processor time.
func runLive(t *testing.T, fault string, extra ...string) (result, reports.Run) {
	t.Helper()
	mem := memnet.New()
	srv, env := referenceServer(t, refserver.Options{Faults: []string{fault}, Listen: mem.Listen})
	dir := t.TempDir()
	args := append([]string{"run", "--target", srv.URL, "--web", srv.WebURL, "--report-dir", dir, "--response-timeout", "5s",
		"--junit-report", "", "--html-report", "", "--summary-report", ""}, extra...)
	r, _ := inProcessOver(t, mem, env, args...)
	return r, readResults(t, r, dir)
}
