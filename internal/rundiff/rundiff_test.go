package rundiff

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/conductor"
	"github.com/roomconform/conform/internal/session"
	"github.com/roomconform/conform/reports"
)

// The fixtures are two real runs of four cases against the embedded
// reference server (in memory, on its virtual clock: some 50 ms each):
// base as it is, faulty with a fault that fails rc-7 (8 for empty
// credentials), one that makes rc-6 WARN (no lockout: the lockout
// duration changes too) and the variant of opaque tokens (the token shape
// changes). The tests edit copies of them.
var fixtureCases = []string{"auth-4-token-shape", "rc-5b-admin-credentials-with-role-user", "rc-6-lockout-after-wrong-passwords", "rc-7-empty-credentials"}

var (
	fixturesOnce   sync.Once
	base, faulty   []byte
	errFixtures    error
	fixtureVerdict [2]string
)

func fixtureRun(faults, variants []string) ([]byte, error) {
	cfg := conductor.Config{
		Session:   session.Config{InMemory: true, Embedded: session.Embedded{Faults: faults, Variants: variants}},
		Selection: conductor.Selection{Cases: fixtureCases}.ForTarget(false),
	}
	run, _ := conductor.Run(context.Background(), cfg, conductor.InProcess{InMemory: true})
	return reports.JSON(run)
}

// fixtures returns fresh copies of the base and the faulty run (read back
// from their results.json, as conform diff reads them).
func fixtures(t *testing.T) (reports.Run, reports.Run) {
	t.Helper()
	fixturesOnce.Do(func() {
		base, errFixtures = fixtureRun(nil, nil)
		if errFixtures == nil {
			faulty, errFixtures = fixtureRun([]string{"empty-credentials-code-8", "no-lockout"}, []string{"opaque-tokens"})
		}
	})
	if errFixtures != nil {
		t.Fatal(errFixtures)
	}
	return parse(t, base), parse(t, faulty)
}

func parse(t *testing.T, b []byte) reports.Run {
	t.Helper()
	d, err := reports.ParseResults(b, "fixture")
	if err != nil || d.Run == nil {
		t.Fatalf("fixture: %v", err)
	}
	return *d.Run
}

// caseOf returns a pointer to the case id of r.
func caseOf(t *testing.T, r *reports.Run, id string) *reports.Case {
	t.Helper()
	for i := range r.Cases {
		if r.Cases[i].ID == id {
			return &r.Cases[i]
		}
	}
	t.Fatalf("no case %s", id)
	return nil
}

// without removes case id from r's cases.
func without(r *reports.Run, id string) {
	r.Cases = slices.DeleteFunc(r.Cases, func(c reports.Case) bool { return c.ID == id })
}

// items renders a diff's changes one short string each, R marking a
// regression, for the tables.
func items(d Diff) []string {
	var out []string
	r := func(b bool) string {
		if b {
			return " R"
		}
		return ""
	}
	for _, t := range d.Targets {
		p := ""
		if t.Name != "" {
			p = t.Name + ": "
		}
		if t.Status != Compared {
			out = append(out, p+"target "+t.Status)
			continue
		}
		if v := t.Verdict; v != nil {
			out = append(out, fmt.Sprintf("%sverdict %s->%s%s", p, v.Old, v.New, r(v.Regression)))
		}
		for _, c := range t.Cases {
			out = append(out, fmt.Sprintf("%scase %s %s->%s%s", p, c.Case, c.Old, c.New, r(c.Regression)))
		}
		for _, a := range t.Apart {
			out = append(out, fmt.Sprintf("%sapart %s %s %s %s", p, a.Side, a.Case, a.Verdict, a.Why))
		}
		for _, f := range t.Findings {
			out = append(out, fmt.Sprintf("%sfinding %s %s %s%s", p, f.Change, f.Class, f.Key, r(f.Regression)))
		}
		for _, o := range t.Observations {
			out = append(out, fmt.Sprintf("%sobs %s %s", p, o.Case, o.What))
		}
	}
	slices.Sort(out)
	return out
}

const (
	rc7Key = `rc-7-empty-credentials RC-7 check="resultCode" expected="resultCode 7"`
	rc6Key = `rc-6-lockout-after-wrong-passwords RC-6 check="resultCode" expected="resultCode 6"`
)

func TestCompareRuns(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		edit       func(t *testing.T, old, new *reports.Run)
		faultyNew  bool // new is the faulty run (else the base)
		faultyOld  bool
		want       []string
		regression bool
	}{
		{name: "the same run: nothing changed", want: nil},
		{
			name: "a fault: verdicts, findings, token shape and lockout duration", faultyNew: true, regression: true,
			want: []string{
				"case rc-6-lockout-after-wrong-passwords PASS->WARN",
				"case rc-7-empty-credentials PASS->FAIL R",
				"finding new FAIL " + rc7Key + " R",
				"finding new WARN " + rc6Key,
				"obs auth-4-token-shape token shape",
				"obs rc-6-lockout-after-wrong-passwords lockout duration",
				"verdict conformant->not conformant R",
			},
		},
		{
			name: "the fault repaired: no regression", faultyOld: true,
			want: []string{
				"case rc-6-lockout-after-wrong-passwords WARN->PASS",
				"case rc-7-empty-credentials FAIL->PASS",
				"finding vanished FAIL " + rc7Key,
				"finding vanished WARN " + rc6Key,
				"obs auth-4-token-shape token shape",
				"obs rc-6-lockout-after-wrong-passwords lockout duration",
				"verdict not conformant->conformant",
			},
		},
		{
			name: "cases apart: removed by the catalogue, left out by the selection, added",
			edit: func(t *testing.T, old, new *reports.Run) {
				without(new, "rc-5b-admin-credentials-with-role-user") // in neither cases nor unselected: the catalogue's
				without(new, "auth-4-token-shape")
				new.Unselected = append(new.Unselected, reports.Unselected{ID: "auth-4-token-shape", As: caselang.SkipExcluded})
				added := *caseOf(t, new, "rc-7-empty-credentials")
				added.ID = "rc-7-new-case"
				new.Cases = append(new.Cases, added)
			},
			want: []string{
				"apart new rc-7-new-case PASS catalogue",
				"apart old auth-4-token-shape PASS selection",
				"apart old rc-5b-admin-credentials-with-role-user PASS catalogue",
			},
		},
		{
			name: "a case added by the catalogue with a FAIL finding: a new FAIL key", faultyOld: true, faultyNew: true, regression: true,
			edit: func(t *testing.T, old, new *reports.Run) {
				without(old, "rc-7-empty-credentials")
				old.Summary.Verdict, old.Summary.ExitCode = reports.VerdictNotConformant, reports.ExitNotConformant
			},
			want: []string{
				"apart new rc-7-empty-credentials FAIL catalogue",
				"finding new FAIL " + rc7Key + " R",
			},
		},
		{
			name: "SKIP to ERROR and WARN to FAIL regress; FAIL to ERROR and ERROR to FAIL with the same key do not", regression: true,
			edit: func(t *testing.T, old, new *reports.Run) {
				caseOf(t, old, "auth-4-token-shape").Verdict = caselang.Skip
				caseOf(t, new, "auth-4-token-shape").Verdict = caselang.Error
				caseOf(t, old, "rc-5b-admin-credentials-with-role-user").Verdict = caselang.Warn
				caseOf(t, new, "rc-5b-admin-credentials-with-role-user").Verdict = caselang.Fail
				caseOf(t, old, "rc-6-lockout-after-wrong-passwords").Verdict = caselang.Fail
				caseOf(t, new, "rc-6-lockout-after-wrong-passwords").Verdict = caselang.Error
				caseOf(t, old, "rc-7-empty-credentials").Verdict = caselang.Error
				caseOf(t, new, "rc-7-empty-credentials").Verdict = caselang.Fail
			},
			want: []string{
				"case auth-4-token-shape SKIP->ERROR R",
				"case rc-5b-admin-credentials-with-role-user WARN->FAIL R",
				"case rc-6-lockout-after-wrong-passwords FAIL->ERROR",
				"case rc-7-empty-credentials ERROR->FAIL",
			},
		},
		{
			name: "a walked case (id@profile) is the same case in another profile",
			edit: func(t *testing.T, old, new *reports.Run) {
				caseOf(t, old, "rc-7-empty-credentials").Profile = "admin-pin"
				caseOf(t, new, "rc-7-empty-credentials").Verdict = caselang.Warn
			},
			want: []string{"case rc-7-empty-credentials PASS->WARN"},
		},
		{
			name: "a --strict run's broken SHOULD is a FAIL key", faultyNew: true, regression: true,
			edit: func(t *testing.T, old, new *reports.Run) {
				new.Selection.Strict = true
				without(new, "rc-7-empty-credentials")
				without(old, "rc-7-empty-credentials")
				new.Summary.Verdict, new.Summary.ExitCode = old.Summary.Verdict, old.Summary.ExitCode
				caseOf(t, new, "rc-6-lockout-after-wrong-passwords").Verdict = caselang.Pass
			},
			want: []string{
				"finding new FAIL " + rc6Key + " R",
				"obs auth-4-token-shape token shape",
				"obs rc-6-lockout-after-wrong-passwords lockout duration",
			},
		},
		{
			name: "the run's own observations: profile, resultCode shape, interop notes",
			edit: func(t *testing.T, old, new *reports.Run) {
				new.Profile.User = "password"
				new.Observed = reports.ObservedAnswers(new.Observed.SuccessfulAuth, new.Observed.SuccessfulAuth)
				new.Interop = reports.InteropNotes(3, "rc-7-empty-credentials", 0, "")
			},
			want: []string{"obs  interop notes", "obs  profile", "obs  successful auth without resultCode"},
		},
		{
			name: "an unreachable target: every case ERROR, the run an error", regression: true,
			edit: func(t *testing.T, old, new *reports.Run) {
				new.Preflight = reports.Preflight{Error: "dial: connection refused"}
				new.Profile, new.Observed, new.Unselected = reports.Profile{}, nil, nil
				for i := range new.Cases {
					new.Cases[i].Verdict, new.Cases[i].Findings = caselang.Error, nil
				}
				new.Cases = append(new.Cases, reports.Case{ID: "gen-for-another-profile", Verdict: caselang.Error, Labels: []string{"generated"}})
				new.Summary.Verdict, new.Summary.ExitCode = "target unreachable", reports.ExitUnreachable
			},
			want: []string{
				"apart new gen-for-another-profile ERROR preflight",
				"case auth-4-token-shape PASS->ERROR R",
				"case rc-5b-admin-credentials-with-role-user PASS->ERROR R",
				"case rc-6-lockout-after-wrong-passwords PASS->ERROR R",
				"case rc-7-empty-credentials PASS->ERROR R",
				"verdict conformant->target unreachable R",
			},
		},
		{
			name: "a stale baseline is no regression of the target",
			edit: func(t *testing.T, old, new *reports.Run) {
				new.Summary.Verdict, new.Summary.ExitCode = reports.VerdictStale, reports.ExitNotConformant
			},
			want: []string{"verdict conformant->baseline stale"},
		},
		{
			name: "an interrupted run regresses (it cannot say nothing regressed)", regression: true,
			edit: func(t *testing.T, old, new *reports.Run) {
				new.Summary.Verdict, new.Summary.ExitCode = reports.VerdictInterrupted, reports.ExitNotConformant
			},
			want: []string{"verdict conformant->interrupted R"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, f := fixtures(t)
			old, new := b, parse(t, base)
			if tt.faultyOld {
				old = f
			}
			if tt.faultyNew {
				_, new = fixtures(t)
			}
			if tt.edit != nil {
				tt.edit(t, &old, &new)
			}
			d, err := Compare(reports.Document{Run: &old}, reports.Document{Run: &new})
			if err != nil {
				t.Fatal(err)
			}
			if got := items(d); !slices.Equal(got, tt.want) {
				t.Errorf("changes:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
			if d.Regression != tt.regression {
				t.Errorf("regression %v, want %v", d.Regression, tt.regression)
			}
			if d.Kind != "run" || d.Schema != Schema {
				t.Errorf("kind %q schema %q", d.Kind, d.Schema)
			}
		})
	}
}

// TestObservationValues: the token shape's and the lockout's old and new
// values are the runs' notes, and the lockout's duration is compared to
// the poll's resolution, not to the millisecond.
func TestObservationValues(t *testing.T) {
	t.Parallel()
	b, f := fixtures(t)
	d, err := Compare(reports.Document{Run: &b}, reports.Document{Run: &f})
	if err != nil {
		t.Fatal(err)
	}
	var shape *Observation
	for i, o := range d.Targets[0].Observations {
		if o.What == "token shape" {
			shape = &d.Targets[0].Observations[i]
		}
	}
	if shape == nil || !strings.Contains(shape.Old, "token matches the documented shape") || !strings.Contains(shape.New, "another shape (43 characters)") ||
		shape.Requirement != "AUTH-4" || shape.Step != "#1" {
		t.Errorf("token shape: %+v", shape)
	}

	lockout := func(old, new string) []Observation {
		o, n := parse(t, base), parse(t, base)
		setNote := func(r *reports.Run, note string) {
			for i, fd := range caseOf(t, r, "rc-6-lockout-after-wrong-passwords").Findings {
				if fd.Check == "lockout duration" {
					caseOf(t, r, "rc-6-lockout-after-wrong-passwords").Findings[i].Note = note
					return
				}
			}
			t.Fatal("no lockout duration finding")
		}
		setNote(&o, old)
		setNote(&n, new)
		d, err := Compare(reports.Document{Run: &o}, reports.Document{Run: &n})
		if err != nil {
			t.Fatal(err)
		}
		return d.Targets[0].Observations
	}
	for _, tt := range []struct {
		old, new string
		changed  bool
	}{
		{"correct credentials accepted again after 1m0s (13 attempts)", "correct credentials accepted again after 1m0.004s (13 attempts)", false},
		{"correct credentials accepted again after 1m0s (13 attempts)", "correct credentials accepted again after 1m5.01s (14 attempts)", false},
		{"correct credentials accepted again after 1m0s (13 attempts)", "correct credentials accepted again after 2m0s (25 attempts)", true},
		{"correct credentials accepted again after 0s (1 attempts)", "correct credentials accepted again after 250ms (1 attempts)", false},
		{"correct credentials accepted again after 0s (1 attempts)", "correct credentials accepted again after 30s (7 attempts)", true},
		{"correct credentials accepted again after 1m0s (13 attempts)", "still refused after 1m0s (13 attempts): later cases may be refused too", true},
		{"something else", "something other", true},
	} {
		got := lockout(tt.old, tt.new)
		if (len(got) > 0) != tt.changed {
			t.Errorf("%q -> %q: changes %+v, want changed %v", tt.old, tt.new, got, tt.changed)
		}
	}
}

// TestCompareFleets: targets matched by name, added and removed listed
// apart (never a regression), a run and a fleet refused.
func TestCompareFleets(t *testing.T) {
	t.Parallel()
	b, f := fixtures(t)
	sec := func(name string, r reports.Run) reports.FleetTarget {
		return reports.FleetTarget{Name: name, Dir: name, Run: r}
	}
	old := fleet(sec("a", b), sec("b", b), sec("gone", b))
	new := fleet(sec("b", b), sec("a", f), sec("fresh", f))
	d, err := Compare(old, new)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"a: case rc-6-lockout-after-wrong-passwords PASS->WARN",
		"a: case rc-7-empty-credentials PASS->FAIL R",
		"a: finding new FAIL " + rc7Key + " R",
		"a: finding new WARN " + rc6Key,
		"a: obs auth-4-token-shape token shape",
		"a: obs rc-6-lockout-after-wrong-passwords lockout duration",
		"a: verdict conformant->not conformant R",
		"fresh: target added",
		"gone: target removed",
	}
	if got := items(d); !slices.Equal(got, want) {
		t.Errorf("changes:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	if !d.Regression || d.Kind != "fleet" || d.Fleet == nil || d.Fleet.New != reports.VerdictNotConformant {
		t.Errorf("regression %v kind %q fleet %+v", d.Regression, d.Kind, d.Fleet)
	}
	if c := d.Counts; c.TargetsAdded != 1 || c.TargetsRemoved != 1 || c.Regressions != 3 || c.VerdictChanges != 2 || c.NewFindings != 2 {
		t.Errorf("counts %+v", c)
	}

	// A failing target added to the fleet is listed, not a regression:
	// there is nothing it regressed from.
	d, err = Compare(fleet(sec("a", b)), fleet(sec("a", b), sec("fresh", f)))
	if err != nil || d.Regression || !slices.Equal(items(d), []string{"fresh: target added"}) {
		t.Errorf("added target: %v %v %v", err, d.Regression, items(d))
	}
	if fresh := d.Targets[len(d.Targets)-1]; fresh.Name != "fresh" || fresh.Verdict == nil || fresh.Verdict.New != reports.VerdictNotConformant {
		t.Errorf("an added target shows its verdict: %+v", fresh)
	}

	if _, err := Compare(reports.Document{Run: &b}, new); err == nil {
		t.Error("a run against a fleet: no error")
	}
	if _, err := Compare(new, reports.Document{Run: &b}); err == nil {
		t.Error("a fleet against a run: no error")
	}
}

// fleet is a fleet's results document of the sections, tallied.
func fleet(sections ...reports.FleetTarget) reports.Document {
	fl := reports.Fleet{Schema: reports.Schema, Kind: reports.KindFleet, Targets: sections}
	fl.Tally()
	return reports.Document{Fleet: &fl}
}
