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
func caseOf(t *testing.T, id string, verdict caselang.Verdict, msg string, skipped caselang.Skipped) Case {
	t.Helper()
	c, ok := cases.Lookup(id)
	if !ok {
		t.Fatalf("no case %s", id)
	}
	rc := Case{ID: id, Verdict: verdict, Message: msg}
	if verdict == caselang.Skip {
		rc.Skipped = skipped
	}
	for _, r := range c.Requirements {
		rc.Requirements = append(rc.Requirements, Requirement{ID: r, Level: string(caselang.LevelOf(r))})
		if ranToVerdict(verdict) {
			rc.Findings = append(rc.Findings, Finding{Finding: caselang.Finding{Requirement: r, Level: caselang.LevelOf(r), OK: verdict != caselang.Fail}})
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
		r.Cases = append(r.Cases, caseOf(t, c.ID, caselang.Pass, "", ""))
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
		partial bool
	}{
		{name: "every case passed", req: "RC-2", status: Checked, exit: ExitConformant},
		{
			name: "skipped for the plan: not applicable, and --require does not fail on it", req: "RC-2", status: NotApplicable, require: "must", exit: ExitConformant,
			why:    "not applicable: needs a Free-plan target",
			change: skipCases("needs a Free-plan target: run with --plan free", caselang.SkipNotApplicable, append(rc2, "explore-random-walks")...),
		},
		{
			name: "a case judged without reaching it does not make it unchecked", req: "RC-2", status: NotApplicable, exit: ExitConformant,
			change: func(t *testing.T, r *Run) {
				for _, id := range rc2 {
					setVerdict(t, r, id, caselang.Skip, "needs a Free-plan target", caselang.SkipNotApplicable)
				}
				dropFindings(r, "explore-random-walks", "RC-2")
			},
		},
		{
			name: "skipped for a missing secret: unchecked, and --require must fails", req: "RC-2", status: Unchecked, require: "must", exit: ExitNotConformant,
			why:    "skipped: needs admin access",
			change: skipCases("needs admin access: set CONFORM_ADMIN_PASSWORD", caselang.SkipFixable, append(rc2, "explore-random-walks")...),
		},
		{
			name: "one inapplicable and one operator skip: unchecked", req: "RC-2", status: Unchecked, require: "must", exit: ExitNotConformant,
			why: "skipped: needs the admin-pin",
			change: func(t *testing.T, r *Run) {
				for i, id := range append(rc2, "explore-random-walks") {
					setVerdict(t, r, id, caselang.Skip, map[bool]string{true: "needs a Free-plan target", false: "needs the admin-pin"}[i > 0], map[bool]caselang.Skipped{true: caselang.SkipNotApplicable}[i > 0])
				}
			},
		},
		{
			name: "not selected: excluded, which --require must does not fail on", req: "RC-2", status: Excluded, require: "must", exit: ExitConformant, partial: true,
			why:    "excluded by the selection",
			change: excludeCases(append(rc2, "explore-random-walks")...),
		},
		{
			name: "not selected: excluded, which --require complete fails on", req: "RC-2", status: Excluded, require: "complete", exit: ExitNotConformant, partial: true,
			change: excludeCases(append(rc2, "explore-random-walks")...),
		},
		{
			name: "left out by the live default: excluded", req: "RC-2", status: Excluded, exit: ExitConformant, partial: true,
			change: skipCases("disruptive: select it by name", caselang.SkipExcluded, append(rc2, "explore-random-walks")...),
		},
		{
			name: "a live run leaving a MUST unchecked for a missing secret is incomplete", req: "RC-2", status: Unchecked, exit: ExitIncomplete,
			change: skipCases("needs admin access: set CONFORM_ADMIN_PASSWORD", caselang.SkipFixable, append(rc2, "explore-random-walks")...),
		},
		{
			name: "the same against the embedded server is not", req: "RC-2", status: Unchecked, exit: ExitConformant,
			change: func(t *testing.T, r *Run) {
				r.Target.Embedded = true
				skipCases("needs admin access: set CONFORM_ADMIN_PASSWORD", caselang.SkipFixable, append(rc2, "explore-random-walks")...)(t, r)
			},
		},
		{
			name: "left out by the budget: unchecked, and the run is partial", req: "RC-2", status: Unchecked, require: "must", exit: ExitNotConformant, partial: true,
			why:    "left out by the wrong-credential budget",
			change: skipCases("the wrong-credential budget is spent", caselang.SkipBudget, append(rc2, "explore-random-walks")...),
		},
		{
			name: "a lifetime no run waits out: not checkable, which fails no gate", req: "RC-2", status: NotCheckable, require: "complete", exit: ExitConformant,
			why:    "not checkable within a run",
			change: skipCases("waits out the token lifetime (720h0m0s)", caselang.SkipNotCheckable, append(rc2, "explore-random-walks")...),
		},
		{
			name: "left out by the selection, and no run could check it: not checkable, not excluded", req: "RC-2", status: NotCheckable, require: "complete", exit: ExitConformant,
			change: unselect(caselang.SkipNotCheckable, "waits out the token lifetime (720h0m0s)", append(rc2, "explore-random-walks")...),
		},
		{
			name: "left out by the selection, and inapplicable: not applicable, not excluded", req: "RC-2", status: NotApplicable, require: "complete", exit: ExitConformant,
			change: unselect(caselang.SkipNotApplicable, "needs a Free-plan target", append(rc2, "explore-random-walks")...),
		},
		{
			name: "not run after a possible lockout the run caused: unchecked, which fails the gate, and partial", req: "RC-2", status: Unchecked, require: "must", exit: ExitNotConformant, partial: true,
			why:    "declare its lockout and use --pace",
			change: skipCases("not run: it sends wrong credentials, and the run sends none after a possible lockout", caselang.SkipLockout, append(rc2, "explore-random-walks")...),
		},
		{
			name: "checks left unjudged by a possible lockout: unchecked, and a live run is incomplete", req: "RC-2", status: Unchecked, exit: ExitIncomplete,
			why: "not evaluated: blocked by a possible lockout at step #2",
			change: func(t *testing.T, r *Run) {
				for _, id := range append(rc2, "explore-random-walks") {
					c := caseOf(t, id, caselang.Pass, "", "")
					for i := range c.Findings {
						c.Findings[i].NotEvaluated = "blocked by a " + caselang.PossibleLockout + " at step #2"
					}
					for i := range r.Cases {
						if r.Cases[i].ID == id {
							r.Cases[i] = c
						}
					}
				}
			},
		},
		{
			name: "nothing judged: incomplete", req: "RC-2", status: NotApplicable, exit: ExitIncomplete,
			change: func(t *testing.T, r *Run) {
				r.Target.Embedded = true
				for _, c := range r.Cases {
					setVerdict(t, r, c.ID, caselang.Skip, "needs a Free-plan target", caselang.SkipNotApplicable)
				}
			},
		},
		{
			name: "an error: unchecked, and the error decides the exit", req: "RC-2", status: Unchecked, require: "must", exit: ExitUnreachable,
			why: "error: no answer",
			change: func(t *testing.T, r *Run) {
				for _, id := range append(rc2, "explore-random-walks") {
					setVerdict(t, r, id, caselang.Error, "no answer within 5s", "")
				}
			},
		},
		{
			name: "a SHOULD unchecked never fails --require must", req: "RC-4b", status: Unchecked, require: "must", exit: ExitConformant,
			change: func(t *testing.T, r *Run) {
				for _, id := range citing("RC-4b") {
					setVerdict(t, r, id, caselang.Skip, "needs the user PIN", "")
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
			if r.Summary.Partial != tt.partial {
				t.Errorf("partial %v, want %v (%q)", r.Summary.Partial, tt.partial, r.Summary.Why)
			}
			m := r.Summary.Must
			if m.Checked+m.NotApplicable+m.Excluded+m.NotCheckable+m.Blocked+m.Unchecked != m.Total || m.Total == 0 {
				t.Errorf("MUST counts do not add up: %+v", m)
			}
		})
	}
}

func setVerdict(t *testing.T, r *Run, id string, verdict caselang.Verdict, msg string, skipped caselang.Skipped) {
	t.Helper()
	for i, c := range r.Cases {
		if c.ID == id {
			r.Cases[i] = caseOf(t, id, verdict, msg, skipped)
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

// skipCases makes the cases ids SKIP with reason msg, of kind skipped.
func skipCases(msg string, skipped caselang.Skipped, ids ...string) func(*testing.T, *Run) {
	return func(t *testing.T, r *Run) {
		for _, id := range ids {
			setVerdict(t, r, id, caselang.Skip, msg, skipped)
		}
	}
}

// excludeCases takes cases out of the run, as a selection that left them
// out does.
func excludeCases(ids ...string) func(*testing.T, *Run) {
	return unselect(caselang.SkipExcluded, "", ids...)
}

// unselect takes cases out of the run, as a selection that left out cases
// that would have been as (with reason) does.
func unselect(as caselang.Skipped, reason string, ids ...string) func(*testing.T, *Run) {
	return func(t *testing.T, r *Run) {
		for _, id := range ids {
			removeCase(r, id)
			r.Unselected = append(r.Unselected, Unselected{ID: id, As: as, Reason: reason})
		}
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
	good := "# known defects of firmware 4.1\n\n" +
		"rc-9-role-root answers 8, TrueConf ticket pending https://example.test/issues/7\n" +
		"env-8-unknown-field-ignored   refuses x-extra\n" +
		`rc-9-role-empty RC-9 check="resultCode" expected="one of [9], \"quoted\"" answers 8 https://example.test/8` + "\n" +
		"gone-case-of-an-older-version known\n"
	b, err := ParseBaseline(strings.NewReader(good), "known.txt", cases.Catalogue())
	if err != nil {
		t.Fatal(err)
	}
	if k := b.Cases["rc-9-role-root"]; k.Reason != "answers 8, TrueConf ticket pending" || k.Link != "https://example.test/issues/7" {
		t.Errorf("rc-9-role-root: %+v", k)
	}
	if k := b.Cases["env-8-unknown-field-ignored"]; k.Reason != "refuses x-extra" || k.Link != "" {
		t.Errorf("env-8: %+v", k)
	}
	key := FindingKey("rc-9-role-empty", caselang.Finding{Requirement: "RC-9", Check: "resultCode", Expected: `one of [9], "quoted"`})
	if k, ok := b.Findings[key]; !ok || k.Reason != "answers 8" || k.Link != "https://example.test/8" {
		t.Errorf("finding line: %+v (%v), want %q with its reason and link among %v", k, ok, key, b.Findings)
	}
	if len(b.Warnings) != 2 || !strings.Contains(b.Warnings[0], "known.txt:3") || !strings.Contains(b.Warnings[0], "--write-baseline") {
		t.Errorf("warnings %q: want one per case-only line, saying how to rewrite it", b.Warnings)
	}
	if len(b.Stale) != 1 || !strings.Contains(b.Stale[0], "known.txt:6") || !strings.Contains(b.Stale[0], "gone-case-of-an-older-version") {
		t.Errorf("stale %q: a case this version does not have is a stale entry, not an error", b.Stale)
	}
	for name, text := range map[string]string{
		"no reason":          "rc-9-role-root\n",
		"only a link":        "rc-9-role-root https://example.test/1\n",
		"twice":              "rc-9-role-root a\nrc-9-role-root b\n",
		"a finding twice":    `rc-9-role-root RC-9 check="c" expected="e" a` + "\n" + `rc-9-role-root RC-9 check="c" expected="e" b` + "\n",
		"a finding, no text": `rc-9-role-root RC-9 check="c" expected="e"` + "\n",
	} {
		if _, err := ParseBaseline(strings.NewReader(text), "known.txt", cases.Catalogue()); err == nil || !strings.Contains(err.Error(), "known.txt:") {
			t.Errorf("%s: error %v, want one naming the file and line", name, err)
		}
	}
}

// failing builds a FAIL case whose broken findings are the given checks
// (under RC-9, a MUST).
func failingOn(t *testing.T, id string, checks ...string) Case {
	c := caseOf(t, id, caselang.Fail, "x", "")
	c.Findings = nil
	for _, ch := range checks {
		c.Findings = append(c.Findings, Finding{Finding: caselang.Finding{Requirement: "RC-9", Level: caselang.Must, Check: ch, Expected: "resultCode 9", Actual: "resultCode 8"}})
	}
	c.Findings = append(c.Findings, Finding{Finding: caselang.Finding{Requirement: "RC-9", Level: caselang.Must, OK: true, Check: "answered"}})
	return c
}

func baselineOf(t *testing.T, lines ...string) *Baseline {
	t.Helper()
	b, err := ParseBaseline(strings.NewReader(strings.Join(lines, "\n")), "known.txt", cases.Catalogue())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBaseline(t *testing.T) {
	known := `rc-9-role-root RC-9 check="resultCode" expected="resultCode 9" known`
	other := `rc-9-role-empty RC-9 check="resultCode" expected="resultCode 9" known`
	tests := []struct {
		name  string
		got   Case // rc-9-role-root as the run judged it
		base  []string
		want  caselang.Verdict // its verdict after the gate
		stale bool
		new   int // failing findings the baseline does not know
		exit  int
	}{
		{"a known failure fails as expected", failingOn(t, "rc-9-role-root", "resultCode"), []string{known, other}, caselang.XFail, false, 0, ExitConformant},
		{"a known failure that passes now is stale", caseOf(t, "rc-9-role-root", caselang.Pass, "", ""), []string{known, other}, caselang.Pass, true, 0, ExitNotConformant},
		{"a known failure that cannot be judged stays an ERROR, not stale", caseOf(t, "rc-9-role-root", caselang.Error, "no answer", ""), []string{known, other}, caselang.Error, false, 0, ExitUnreachable},
		{"a known failure not run is neutral", caseOf(t, "rc-9-role-root", caselang.Skip, "needs", ""), []string{known, other}, caselang.Skip, false, 0, ExitConformant},
		{"a known failure that only warns now is stale", caseOf(t, "rc-9-role-root", caselang.Warn, "", ""), []string{known, other}, caselang.Warn, true, 0, ExitNotConformant},
		{"a whole case known that only warns now is neutral", caseOf(t, "rc-9-role-root", caselang.Warn, "", ""), []string{"rc-9-role-root known", other}, caselang.Warn, false, 0, ExitConformant},
		{"a different failure of a known case is a new failure", failingOn(t, "rc-9-role-root", "previleges"), []string{known, other}, caselang.Fail, true, 1, ExitNotConformant},
		{"a known failure and a new one: FAIL", failingOn(t, "rc-9-role-root", "resultCode", "previleges"), []string{known, other}, caselang.Fail, false, 1, ExitNotConformant},
		{"a case-only line still matches any failure", failingOn(t, "rc-9-role-root", "previleges"), []string{"rc-9-role-root known", other}, caselang.XFail, false, 0, ExitConformant},
		{"a stale entry of a case gone from the catalogue fails the run", failingOn(t, "rc-9-role-root", "resultCode"), []string{known, other, "gone-case known"}, caselang.XFail, false, 0, ExitNotConformant},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := baselineOf(t, tt.base...)
			r := allSelected(t)
			r.Target.Embedded = true
			for i, c := range r.Cases {
				switch c.ID {
				case "rc-9-role-root":
					r.Cases[i] = tt.got
				case "rc-9-role-empty":
					r.Cases[i] = failingOn(t, "rc-9-role-empty", "resultCode")
				}
			}
			Gate{Baseline: base}.Apply(&r, cases.Catalogue())
			Gate{Baseline: base}.Apply(&r, cases.Catalogue()) // idempotent: the CLI tallies again after an interrupt
			var got Case
			for _, c := range r.Cases {
				if c.ID == "rc-9-role-root" {
					got = c
				}
			}
			if got.Baseline == nil {
				t.Fatalf("the case is not marked as baselined")
			}
			if got.Verdict != tt.want || (got.Baseline.Stale != "") != tt.stale || len(got.Baseline.New) != tt.new {
				t.Errorf("verdict %s stale %q new %q, want %s stale=%v %d new", got.Verdict, got.Baseline.Stale, got.Baseline.New, tt.want, tt.stale, tt.new)
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
	setVerdict(t, &r, "rc-10-type-open", caselang.Fail, "x", "")
	Gate{Baseline: baselineOf(t, known)}.Apply(&r, cases.Catalogue())
	if r.Summary.ExitCode != ExitNotConformant {
		t.Errorf("a new failure beside a baseline: exit %d", r.Summary.ExitCode)
	}
}

// TestWriteBaselineRoundTrips: what --write-baseline writes, read back as
// --baseline, makes exactly the run's failures known, with the known
// ones' reasons kept.
func TestWriteBaselineRoundTrips(t *testing.T) {
	r := allSelected(t)
	r.Target.Embedded = true
	for i, c := range r.Cases {
		switch c.ID {
		case "rc-9-role-root":
			r.Cases[i] = failingOn(t, c.ID, "resultCode", `a "quoted" check`)
		case "rc-9-role-empty":
			r.Cases[i] = failingOn(t, c.ID, "resultCode")
		}
	}
	r.Preflight.OK = true
	Gate{Baseline: baselineOf(t, `rc-9-role-empty RC-9 check="resultCode" expected="resultCode 9" firmware 4.1 https://example.test/4`,
		`rc-10-type-open RC-10 check="resultCode" expected="resultCode 10" not run this time`)}.Apply(&r, cases.Catalogue())
	setVerdict(t, &r, "rc-10-type-open", caselang.Skip, "needs", "")
	Gate{Baseline: baselineOf(t, `rc-9-role-empty RC-9 check="resultCode" expected="resultCode 9" firmware 4.1 https://example.test/4`,
		`rc-10-type-open RC-10 check="resultCode" expected="resultCode 10" not run this time`)}.Apply(&r, cases.Catalogue())
	if r.Summary.Fail != 1 || r.Summary.XFail != 1 {
		t.Fatalf("summary %+v", r.Summary)
	}
	b, err := BaselineFile(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "firmware 4.1 https://example.test/4") {
		t.Errorf("the known failure's reason was not kept:\n%s", b)
	}
	if !strings.Contains(string(b), `rc-10-type-open RC-10 check="resultCode" expected="resultCode 10" not run this time`) {
		t.Errorf("the entry of a case the run did not judge was not carried:\n%s", b)
	}
	for _, stop := range []func(*Run){
		func(r *Run) { r.Preflight.OK = false },
		func(r *Run) { r.Interrupted = "interrupted by a signal" },
		func(r *Run) { r.InfrastructureError = "the reports could not all be written" },
		func(r *Run) { r.RestoreError = "setAuthParams refused" },
	} {
		stopped := r
		stop(&stopped)
		if b, err := BaselineFile(stopped); err == nil || b != nil || stopped.BaselineWithheld() == "" {
			t.Errorf("a run without a verdict (%q) wrote a baseline: %q %v", stopped.BaselineWithheld(), b, err)
		}
	}
	again := allSelected(t)
	again.Target.Embedded = true
	for i, c := range again.Cases {
		if c.ID == "rc-9-role-root" || c.ID == "rc-9-role-empty" {
			again.Cases[i] = r.Cases[i]
			again.Cases[i].Verdict, again.Cases[i].Baseline = caselang.Fail, nil
		}
	}
	setVerdict(t, &again, "rc-10-type-open", caselang.Skip, "needs", "") // still not judged: its carried line stays neutral
	base, err := ParseBaseline(strings.NewReader(string(b)), "written.txt", cases.Catalogue())
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	Gate{Baseline: base}.Apply(&again, cases.Catalogue())
	if again.Summary.ExitCode != ExitConformant || again.Summary.XFail != 2 {
		t.Errorf("with the written baseline: %s exit %d, %d xfail; want both known\n%s", again.Summary.Verdict, again.Summary.ExitCode, again.Summary.XFail, b)
	}
}

// TestCoverageReasonsAreRedacted: the reasons quote case messages, which
// may carry a secret (a URL's query in an error, a target's text).
func TestCoverageReasonsAreRedacted(t *testing.T) {
	r := allSelected(t)
	for _, id := range citing("RC-7") {
		setVerdict(t, &r, id, caselang.Error, "dial ws://x/?access=Sekr1t-99: refused", "")
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
// "blocked": a class of its own, with the blocker as the reason,
// never "checked" and never a gate that fails (--require must included);
// one evaluated finding elsewhere makes it checked again.
func TestNotEvaluatedIsItsOwnClassAndFailsNoGate(t *testing.T) {
	var r Run
	r.Require = "must"
	for _, id := range []string{"env-4-no-request-id-success", "env-4-no-request-id-failure"} {
		c := caseOf(t, id, caselang.Warn, "", "")
		c.Findings = FindingsOf([]caselang.Finding{
			{Requirement: "ENV-3", Level: caselang.Must, OK: true, Step: "#1"},
			{Requirement: "ENV-9", Level: caselang.Should, Step: "#1", Check: "connection open after a failure"},
			{Requirement: "ENV-4", Level: caselang.Must, Step: "#2", Check: "requestId empty or absent", NotEvaluated: "blocked by ENV-9 at step #1"},
		})
		r.Cases = append(r.Cases, c)
	}
	r.Tally(cases.Catalogue())
	cv := coverageOf(r, "ENV-4")
	if cv.Status != Blocked || len(cv.Why) != 1 || !strings.Contains(cv.Why[0], "blocked by ENV-9 at step #1") ||
		!strings.Contains(cv.Why[0], "env-4-no-request-id-failure") {
		t.Errorf("ENV-4 coverage %+v, want not evaluated, blocked by ENV-9, with both cases", cv)
	}
	if r.Summary.Must.Blocked != 1 {
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
	c := caseOf(t, "env-4-no-request-id-success", caselang.Pass, "", "")
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

// TestBaselineExpects: the console's guess at a case's fate, as it ends,
// is the gate's: known when every failing finding is listed.
func TestBaselineExpects(t *testing.T) {
	b := baselineOf(t, `rc-9-role-root RC-9 check="resultCode" expected="resultCode 9" known`, "rc-9-role-empty known")
	for _, tt := range []struct {
		name string
		c    Case
		want bool
	}{
		{"every failure listed", failingOn(t, "rc-9-role-root", "resultCode"), true},
		{"a failure not listed", failingOn(t, "rc-9-role-root", "resultCode", "previleges"), false},
		{"a case-only line", failingOn(t, "rc-9-role-empty", "anything"), true},
		{"not in the baseline", failingOn(t, "rc-10-type-open", "resultCode"), false},
	} {
		if got := b.Expects(tt.c, false); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	if (*Baseline)(nil).Expects(failingOn(t, "rc-9-role-root", "resultCode"), false) {
		t.Error("no baseline expects a failure")
	}
}
