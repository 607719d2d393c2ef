package reports

import (
	"slices"
	"strings"
	"testing"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
)

// caseOf builds a report case for a catalogue case with a verdict; a judged
// case gets one finding under each requirement it cites.
func caseOf(t *testing.T, id string, verdict caselang.Verdict, msg string, inapplicable bool) Case {
	t.Helper()
	c, ok := cases.Lookup(id)
	if !ok {
		t.Fatalf("no case %s", id)
	}
	rc := Case{ID: id, Verdict: verdict, Message: msg, NotApplicable: inapplicable}
	for _, r := range c.Requirements {
		rc.Requirements = append(rc.Requirements, Requirement{ID: r, Level: string(caselang.LevelOf(r))})
		if ranToVerdict(verdict) {
			rc.Findings = append(rc.Findings, Finding{Requirement: r, Level: caselang.LevelOf(r), OK: verdict != caselang.Fail})
		}
	}
	return rc
}

func coverageOf(r Run, id string) Coverage {
	for _, c := range r.Coverage {
		if c.ID == id {
			return c
		}
	}
	return Coverage{}
}

// allSelected is a run where every catalogue case passed: the baseline the
// table below changes one case at a time.
func allSelected(t *testing.T) Run {
	var r Run
	for _, c := range cases.All() {
		r.Cases = append(r.Cases, caseOf(t, c.ID, caselang.Pass, "", false))
	}
	return r
}

func TestCoverage(t *testing.T) {
	rc2 := []string{"rc-2-free-plan-secured-password", "rc-2-free-plan-admin-password", "rc-2-free-plan-admin-pin", "rc-2-free-plan-user-password", "rc-2-free-plan-user-pin"}
	tests := []struct {
		name    string
		change  func(t *testing.T, r *Run)
		req     string
		status  string
		why     string // a substring of the reasons
		require string
		exit    int
	}{
		{name: "every case passed", req: "RC-2", status: Checked, exit: ExitConformant},
		{
			name: "skipped for the plan: not applicable, and --require does not fail on it", req: "RC-2", status: NotApplicable, require: "must", exit: ExitConformant,
			why: "not applicable: needs a Free-plan target",
			change: func(t *testing.T, r *Run) {
				for _, id := range append(rc2, "explore-random-walks") {
					setVerdict(t, r, id, caselang.Skip, "needs a Free-plan target: run with --plan free", true)
				}
			},
		},
		{
			name: "a case judged without reaching it does not make it unchecked", req: "RC-2", status: NotApplicable, exit: ExitConformant,
			change: func(t *testing.T, r *Run) {
				for _, id := range rc2 {
					setVerdict(t, r, id, caselang.Skip, "needs a Free-plan target", true)
				}
				dropFindings(r, "explore-random-walks", "RC-2")
			},
		},
		{
			name: "skipped for a missing secret: unchecked, and --require must fails", req: "RC-2", status: Unchecked, require: "must", exit: ExitNotConformant,
			why: "skipped: needs admin access",
			change: func(t *testing.T, r *Run) {
				for _, id := range append(rc2, "explore-random-walks") {
					setVerdict(t, r, id, caselang.Skip, "needs admin access: set CONFORM_ADMIN_PASSWORD", false)
				}
			},
		},
		{
			name: "one inapplicable and one operator skip: unchecked", req: "RC-2", status: Unchecked, require: "must", exit: ExitNotConformant,
			why: "skipped: needs the admin-pin",
			change: func(t *testing.T, r *Run) {
				for i, id := range append(rc2, "explore-random-walks") {
					setVerdict(t, r, id, caselang.Skip, map[bool]string{true: "needs a Free-plan target", false: "needs the admin-pin"}[i > 0], i > 0)
				}
			},
		},
		{
			name: "not selected: unchecked", req: "RC-2", status: Unchecked, require: "must", exit: ExitNotConformant,
			why: "not selected",
			change: func(t *testing.T, r *Run) {
				for _, id := range append(rc2, "explore-random-walks") {
					removeCase(r, id)
				}
			},
		},
		{
			name: "an error: unchecked, and the error decides the exit", req: "RC-2", status: Unchecked, require: "must", exit: ExitUnreachable,
			why: "error: no answer",
			change: func(t *testing.T, r *Run) {
				for _, id := range append(rc2, "explore-random-walks") {
					setVerdict(t, r, id, caselang.Error, "no answer within 5s", false)
				}
			},
		},
		{
			name: "a SHOULD unchecked never fails --require must", req: "RC-4b", status: Unchecked, require: "must", exit: ExitConformant,
			change: func(t *testing.T, r *Run) {
				for _, id := range citing("RC-4b") {
					setVerdict(t, r, id, caselang.Skip, "needs the user PIN", false)
				}
			},
		},
		{name: "a hole of the suite is unchecked but does not fail the gate", req: "RC-1", status: Unchecked, require: "must", exit: ExitConformant, why: "no case of this version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := allSelected(t)
			if tt.change != nil {
				tt.change(t, &r)
			}
			Gate{Require: tt.require}.Apply(&r, cases.Catalogue())
			cv := coverageOf(r, tt.req)
			if cv.Status != tt.status {
				t.Errorf("%s: status %q, want %q (why %v)", tt.req, cv.Status, tt.status, cv.Why)
			}
			if tt.why != "" && !strings.Contains(strings.Join(cv.Why, "\n"), tt.why) {
				t.Errorf("%s: why %q, want it to say %q", tt.req, cv.Why, tt.why)
			}
			if r.Summary.ExitCode != tt.exit {
				t.Errorf("exit %d (%s), want %d", r.Summary.ExitCode, r.Summary.Verdict, tt.exit)
			}
			m := r.Summary.Must
			if m.Checked+m.NotApplicable+m.Unchecked != m.Total || m.Total == 0 {
				t.Errorf("MUST counts do not add up: %+v", m)
			}
		})
	}
}

func setVerdict(t *testing.T, r *Run, id string, verdict caselang.Verdict, msg string, inapplicable bool) {
	t.Helper()
	for i, c := range r.Cases {
		if c.ID == id {
			r.Cases[i] = caseOf(t, id, verdict, msg, inapplicable)
			return
		}
	}
	t.Fatalf("no case %s in the run", id)
}

func dropFindings(r *Run, id, req string) {
	for i, c := range r.Cases {
		if c.ID != id {
			continue
		}
		var keep []Finding
		for _, f := range c.Findings {
			if f.Requirement != req {
				keep = append(keep, f)
			}
		}
		r.Cases[i].Findings = keep
	}
}

func removeCase(r *Run, id string) {
	for i, c := range r.Cases {
		if c.ID == id {
			r.Cases = append(r.Cases[:i], r.Cases[i+1:]...)
			return
		}
	}
}

func TestParseBaseline(t *testing.T) {
	good := "# known defects of firmware 4.1\n\nrc-9-role-root answers 8, TrueConf ticket pending https://example.test/issues/7\nenv-8-unknown-field-ignored   refuses x-extra\n"
	b, err := ParseBaseline(strings.NewReader(good), "known.txt", cases.Catalogue())
	if err != nil {
		t.Fatal(err)
	}
	if k := b["rc-9-role-root"]; k.Reason != "answers 8, TrueConf ticket pending" || k.Link != "https://example.test/issues/7" {
		t.Errorf("rc-9-role-root: %+v", k)
	}
	if k := b["env-8-unknown-field-ignored"]; k.Reason != "refuses x-extra" || k.Link != "" {
		t.Errorf("env-8: %+v", k)
	}
	for name, text := range map[string]string{
		"unknown case": "no-such-case because\n",
		"no reason":    "rc-9-role-root\n",
		"only a link":  "rc-9-role-root https://example.test/1\n",
		"twice":        "rc-9-role-root a\nrc-9-role-root b\n",
	} {
		if _, err := ParseBaseline(strings.NewReader(text), "known.txt", cases.Catalogue()); err == nil || !strings.Contains(err.Error(), "known.txt:") {
			t.Errorf("%s: error %v, want one naming the file and line", name, err)
		}
	}
}

func TestBaseline(t *testing.T) {
	base := Baseline{"rc-9-role-root": {Reason: "known"}, "rc-9-role-empty": {Reason: "known"}}
	tests := []struct {
		name    string
		verdict caselang.Verdict
		want    caselang.Verdict // the case's verdict after the gate
		stale   bool
		exit    int
	}{
		{"a known failure fails as expected", caselang.Fail, caselang.XFail, false, ExitConformant},
		{"a known failure that passes now is stale", caselang.Pass, caselang.Pass, true, ExitNotConformant},
		{"a known failure that cannot be judged stays an ERROR, not stale", caselang.Error, caselang.Error, false, ExitUnreachable},
		{"a known failure not run is neutral", caselang.Skip, caselang.Skip, false, ExitConformant},
		{"a known failure that only warns is neutral", caselang.Warn, caselang.Warn, false, ExitConformant},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := allSelected(t)
			setVerdict(t, &r, "rc-9-role-root", tt.verdict, "resultCode: expected 9, actual 8", false)
			setVerdict(t, &r, "rc-9-role-empty", caselang.Fail, "resultCode: expected 9, actual 8", false)
			Gate{Baseline: base}.Apply(&r, cases.Catalogue())
			Gate{Baseline: base}.Apply(&r, cases.Catalogue()) // idempotent: the CLI tallies again after an interrupt
			var got Case
			for _, c := range r.Cases {
				if c.ID == "rc-9-role-root" {
					got = c
				}
			}
			if got.Verdict != tt.want || (got.Baseline.Stale != "") != tt.stale {
				t.Errorf("verdict %s stale %q, want %s stale=%v", got.Verdict, got.Baseline.Stale, tt.want, tt.stale)
			}
			if r.Summary.ExitCode != tt.exit {
				t.Errorf("exit %d (%s), want %d", r.Summary.ExitCode, r.Summary.Verdict, tt.exit)
			}
			if r.Summary.XFail < 1 {
				t.Errorf("xfail count %d: the other baselined failure is not counted", r.Summary.XFail)
			}
		})
	}
	// A failure not in the baseline still fails the run.
	r := allSelected(t)
	setVerdict(t, &r, "rc-10-type-open", caselang.Fail, "x", false)
	Gate{Baseline: base}.Apply(&r, cases.Catalogue())
	if r.Summary.ExitCode != ExitNotConformant {
		t.Errorf("a new failure beside a baseline: exit %d", r.Summary.ExitCode)
	}
}

// TestCoverageReasonsAreRedacted: the reasons quote case messages, which
// may carry a secret (a URL's query in an error, a target's text).
func TestCoverageReasonsAreRedacted(t *testing.T) {
	r := allSelected(t)
	for _, id := range citing("RC-7") {
		setVerdict(t, &r, id, caselang.Error, "dial ws://x/?access=Sekr1t-99: refused", false)
	}
	Gate{}.Apply(&r, cases.Catalogue())
	red := r.Redacted(replacer{"Sekr1t-99", "[REDACTED:q]"}.Redact)
	for _, c := range red.Coverage {
		for _, w := range c.Why {
			if strings.Contains(w, "Sekr1t-99") {
				t.Fatalf("%s: %q", c.ID, w)
			}
		}
	}
	found := false
	for _, c := range red.Coverage {
		found = found || strings.Contains(strings.Join(c.Why, " "), "[REDACTED:q]")
	}
	if !found {
		t.Error("no reason quoted the message: the test no longer looks at it")
	}
}

// A requirement whose checks were all blocked by an earlier deviation is
// "not evaluated": a class of its own, with the blocker as the reason,
// never "checked" and never a gate that fails (--require must included);
// one evaluated finding elsewhere makes it checked again.
func TestNotEvaluatedIsItsOwnClassAndFailsNoGate(t *testing.T) {
	var r Run
	r.Require = "must"
	for _, id := range []string{"env-4-no-request-id-success", "env-4-no-request-id-failure"} {
		c := caseOf(t, id, caselang.Warn, "", false)
		c.Findings = []Finding{
			{Requirement: "ENV-3", Level: caselang.Must, OK: true, Step: "#1"},
			{Requirement: "ENV-9", Level: caselang.Should, Step: "#1", Check: "connection open after a failure"},
			{Requirement: "ENV-4", Level: caselang.Must, Step: "#2", Check: "requestId empty or absent", NotEvaluated: "blocked by ENV-9 at step #1"},
		}
		r.Cases = append(r.Cases, c)
	}
	r.Tally(cases.Catalogue())
	cv := coverageOf(r, "ENV-4")
	if cv.Status != NotEvaluated || len(cv.Why) != 1 || !strings.Contains(cv.Why[0], "blocked by ENV-9 at step #1") ||
		!strings.Contains(cv.Why[0], "env-4-no-request-id-failure") {
		t.Errorf("ENV-4 coverage %+v, want not evaluated, blocked by ENV-9, with both cases", cv)
	}
	if r.Summary.Must.NotEvaluated != 1 {
		t.Errorf("summary %+v: want one MUST requirement not evaluated", r.Summary.Must)
	}
	for _, m := range r.MissingMust() {
		if m.ID == "ENV-4" {
			t.Errorf("--require must counts ENV-4, which was not evaluated, as missing")
		}
	}
	if r.Summary.Fail != 0 {
		t.Errorf("summary %+v: no case failed", r.Summary)
	}
	// Checked anywhere is checked.
	c := caseOf(t, "env-4-no-request-id-success", caselang.Pass, "", false)
	c.ID = "another"
	r.Cases = append(r.Cases, c)
	r.Tally(cases.Catalogue())
	if cv := coverageOf(r, "ENV-4"); cv.Status != Checked {
		t.Errorf("ENV-4 with an evaluated finding elsewhere: %s, want checked", cv.Status)
	}
}

// citing lists the catalogue's cases that cite requirement req (the
// generated cases among them: which ones, the generator decides).
func citing(req string) []string {
	var out []string
	for _, c := range cases.All() {
		if slices.Contains(c.Requirements, req) {
			out = append(out, c.ID)
		}
	}
	return out
}
