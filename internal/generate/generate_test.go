package generate

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"pgregory.net/rapid"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
)

// generatedPath is the generated catalogue, relative to this package.
var generatedPath = filepath.Join("..", "..", "cases", "generated.txt")

// generated runs the generator once for every test of the package (it
// explores every profile: seconds).
var generated = sync.OnceValues(func() (out struct {
	text    []byte
	results []profileResult
}, err error) {
	out.text, out.results, err = generate()
	return out, err
})

// generation runs the generator (once for the package), or skips under
// -short: the generator is deterministic code on one goroutine, so CI's
// race stage (-short) has nothing to find in it and leaves it to the plain
// stage, where every test here runs whole (it takes a minute or more under
// the race detector).
func generation(t *testing.T) (struct {
	text    []byte
	results []profileResult
}, error) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: the generator runs on one goroutine; the plain go test runs it")
	}
	return generated()
}

// TestGeneratedIsFresh regenerates cases/generated.txt from the model and
// the alphabet and fails when the checked-in file differs: a change to
// either must come with the cases it makes. CONFORM_GENERATE_WRITE=1
// writes the file instead.
func TestGeneratedIsFresh(t *testing.T) {
	g, err := generation(t)
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("CONFORM_GENERATE_WRITE") == "1" {
		if err := os.WriteFile(generatedPath, g.text, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(generatedPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(g.text, want) {
		t.Fatalf("cases/generated.txt is stale: regenerate it with CONFORM_GENERATE_WRITE=1 go test ./internal/generate -run TestGeneratedIsFresh")
	}
}

// floor is how much of the model the generated cases reach in each
// profile, as checked in: a change to the model or the alphabet that
// reaches less fails here, however the file was regenerated. Raise it when
// the generator reaches more.
var floor = map[string]struct{ transitions, pairs int }{
	"pro/password/pin":         {461, 1412},
	"pro/password/password":    {461, 1412},
	"pro/pin/pin":              {461, 1412},
	"pro/pin/password":         {461, 1412},
	"pro/password/unsecured":   {442, 1298},
	"pro/pin/unsecured":        {442, 1298},
	"pro/unsecured/unsecured":  {347, 671},
	"free/protected/protected": {16, 0},
	"free/protected/unsecured": {84, 441},
	"free/unsecured/unsecured": {206, 671},
}

func TestReachDoesNotDrop(t *testing.T) {
	g, err := generation(t)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.results) != len(floor) {
		t.Errorf("%d profiles generated, %d in the floor", len(g.results), len(floor))
	}
	for _, r := range g.results {
		f, ok := floor[r.key]
		switch {
		case !ok:
			t.Errorf("profile %s has no floor", r.key)
		case r.transitions < f.transitions || r.pairs < f.pairs:
			t.Errorf("profile %s: %d transitions and %d field pairs reachable, the floor is %d and %d", r.key, r.transitions, r.pairs, f.transitions, f.pairs)
		}
	}
}

// TestAbstractionIsFineEnough: every concrete state the exploration meets
// (thousands per profile) that maps to an abstract state met before must
// accept the same answers for every input class as the first did; else
// the abstraction hides a difference the reading makes, and a tour
// through one state says nothing of the other.
func TestAbstractionIsFineEnough(t *testing.T) {
	g, err := generation(t)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range g.results {
		for i, c := range r.coarse {
			if i == 5 {
				t.Errorf("profile %s: %d more", r.key, len(r.coarse)-5)
				break
			}
			t.Errorf("profile %s: the abstraction is too coarse: %s", r.key, c)
		}
	}
}

// TestGeneratedCasesCoverTheReach replays the checked-in generated cases
// of each profile on the simulated target, with the model's every step
// abstracted as the engine abstracts it, and checks that they cover every
// transition and field pair the reach lists: the cases and the numbers
// the reports compare against agree.
func TestGeneratedCasesCoverTheReach(t *testing.T) {
	cs, _, err := cases.ParseGenerated(string(must(os.ReadFile(generatedPath))))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range Profiles() {
		reach, ok := cases.ReachOf(p)
		if !ok {
			t.Errorf("no reach for %s", caselang.ProfileKey(p))
			continue
		}
		covered := map[string]bool{}
		pairs := map[string]bool{}
		for _, c := range cs {
			if c.Unmet(simProfile(p)) != "" {
				continue
			}
			s := newSim(p, Secrets(p))
			for _, st := range c.Steps {
				mo, ok := s.peek(st, false)
				if !ok {
					t.Fatalf("%s: step %s cannot be sent in %s", c.ID, st.Name, caselang.ProfileKey(p))
				}
				covered[mo.state+" :: "+mo.class] = true
				if r, isReq := st.Request(); isReq && r.MethodName() == "auth" {
					if names, ok := caselang.FieldClasses(r); ok {
						for _, fp := range fieldPairs(names) {
							pairs[s.m.PairClass(st.ConnName(), s.now)+" :: "+fp] = true
						}
					}
				}
				s.take(st, 0)
			}
		}
		for _, tr := range reach.Transitions {
			if !covered[tr] {
				t.Errorf("%s: transition %s is in the reach but no generated case covers it", caselang.ProfileKey(p), tr)
			}
		}
		if n := countLevelPairs(reach.Levels, pairs); n != reach.Pairs {
			t.Errorf("%s: the generated cases cover %d field pairs, the reach says %d", caselang.ProfileKey(p), n, reach.Pairs)
		}
	}
}

// countLevelPairs counts the pairs of the levels that were covered.
func countLevelPairs(levels map[string][][]string, covered map[string]bool) int {
	n := 0
	for class, lv := range levels {
		for i := range lv {
			for j := i + 1; j < len(lv); j++ {
				for _, a := range lv[i] {
					for _, b := range lv[j] {
						if covered[class+" :: "+caselang.Factors[i].Name+"="+a+" "+caselang.Factors[j].Name+"="+b] {
							n++
						}
					}
				}
			}
		}
	}
	return n
}

// simProfile is the profile the simulated target of p presents to a case.
func simProfile(p caselang.Profile) caselang.Profile { return newSim(p, Secrets(p)).p }

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestCoveringArrayCoversEveryPair: for any numbers of levels, every pair
// of levels of two factors is in some row.
func TestCoveringArrayCoversEveryPair(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(2, 5).Draw(t, "factors")
		levels := make([][]int, n)
		for i := range levels {
			k := rapid.IntRange(1, 8).Draw(t, "levels")
			for l := range k {
				levels[i] = append(levels[i], l*3) // not 0..k-1: levels are class indexes
			}
		}
		rows := coveringArray(levels)
		seen := map[[4]int]bool{}
		for _, row := range rows {
			for i := range row {
				for j := i + 1; j < len(row); j++ {
					seen[[4]int{i, row[i], j, row[j]}] = true
				}
			}
		}
		for i := range levels {
			for j := i + 1; j < len(levels); j++ {
				for _, a := range levels[i] {
					for _, b := range levels[j] {
						if !seen[[4]int{i, a, j, b}] {
							t.Fatalf("levels %v: pair (%d=%d, %d=%d) in no row of %v", levels, i, a, j, b, rows)
						}
					}
				}
			}
		}
	})
}
