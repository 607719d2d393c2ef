package reports

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/roomconform/conform/caselang"
)

// failing is a case that failed with the given findings (broken unless
// they say OK), its message the broken ones as the engine writes it.
func failing(id string, verdict caselang.Verdict, fs ...Finding) Case {
	c := Case{ID: id, Title: "t", Group: caselang.GroupOf(strings.ToUpper(id)), Verdict: verdict, Findings: fs}
	var lines []string
	for _, f := range fs {
		if f.Broken() {
			lines = append(lines, f.String())
		}
	}
	c.Message = strings.Join(lines, "\n")
	return c
}

func finding(req, check, expected, actual string) Finding {
	return Finding{Finding: caselang.Finding{Requirement: req, Level: caselang.LevelOf(req), Step: "#1", Check: check, Expected: expected, Actual: actual}}
}

// methodMismatch is the method-mismatch fault's run as the issue counted
// it: 263 cases, each failing ENV-2 at one or more steps, and each with a
// requestId of its own in a finding under another requirement.
func methodMismatch() Run {
	r := Run{Target: Target{URL: "ws://127.0.0.1:9/", Embedded: true}, Seed: 7, Server: &Server{Faults: []string{"method-mismatch"}}}
	for i := range 263 {
		method := finding("ENV-2", "method", `method "auth"`, `method "Auth" (string)`)
		second := method
		second.Step = "#2"
		r.Cases = append(r.Cases, failing(fmt.Sprintf("case-%03d", i), caselang.Fail, method, second))
	}
	return r
}

// TestCausesGroupOneDefect: one defect is one cause whatever varies
// between its cases (the case, the step, a request ID, a duration, a
// port), a case counts once however many of its steps met it, and two
// defects under one requirement stay two.
func TestCausesGroupOneDefect(t *testing.T) {
	r := methodMismatch()
	got := r.Causes()
	if len(got) != 1 || got[0].Count() != 263 || got[0].Requirement != "ENV-2" || got[0].Verdict != caselang.Fail {
		t.Fatalf("method-mismatch: %d causes, want one of 263 cases: %+v", len(got), got)
	}
	if c := got[0]; c.Example != "case-000" || c.Text == "" || c.Explain != "conform explain ENV-2" ||
		c.Rerun != "conform run --fault method-mismatch --case case-000 --seed 7" {
		t.Errorf("cause: %+v", c)
	}

	r = Run{}
	for i := range 40 {
		id := fmt.Sprintf("echo-%d", i)
		r.Cases = append(r.Cases,
			failing(id, caselang.Fail,
				finding("ENV-3", "requestId echoed", fmt.Sprintf(`requestId "conform-%d-%d"`, i, i*7), `requestId absent`),
				finding("AUTH-5", "distinct tokens", "a token no earlier authorization returned", fmt.Sprintf("the token echo-%d step #%d returned", (i+1)%40, i%3+1)),
			))
	}
	// Under ENV-6, two defects: no resultCode, and a resultCode as a string.
	r.Cases = append(r.Cases,
		failing("types-1", caselang.Fail, finding("ENV-6", "result and resultCode types", "result: boolean; resultCode: integer 0..12", "resultCode absent")),
		failing("types-2", caselang.Fail, finding("ENV-6", "result and resultCode types", "result: boolean; resultCode: integer 0..12", "resultCode absent")),
		failing("types-3", caselang.Fail, finding("ENV-6", "result and resultCode types", "result: boolean; resultCode: integer 0..12", `resultCode "0" (string)`)),
		// Under RC-8: 4 and 0 where 8 was expected are two defects.
		failing("rc8-1", caselang.Fail, finding("RC-8", "resultCode", "resultCode 8", "resultCode 4 (number)")),
		failing("rc8-2", caselang.Fail, finding("RC-8", "resultCode", "resultCode 8", "resultCode 0 (number)")),
	)
	want := map[string]int{"ENV-3": 40, "AUTH-5": 40, "ENV-6 resultCode absent": 2, `ENV-6 resultCode "0" (string)`: 1, "RC-8 resultCode 4 (number)": 1, "RC-8 resultCode 0 (number)": 1}
	got = r.Causes()
	have := map[string]int{}
	for _, c := range got {
		k := c.Requirement
		if k == "ENV-6" || k == "RC-8" {
			k += " " + c.Actual
		}
		have[k] = c.Count()
	}
	if fmt.Sprint(have) != fmt.Sprint(want) {
		t.Errorf("causes %v, want %v", have, want)
	}
}

// TestCausesOrder: largest first; ties in the order of the reading (ENV
// before AUTH before RC), ERROR messages after requirements.
func TestCausesOrder(t *testing.T) {
	r := Run{Cases: []Case{
		failing("a", caselang.Fail, finding("RC-8", "resultCode", "resultCode 8", "resultCode 4 (number)")),
		failing("b", caselang.Fail, finding("RC-8", "resultCode", "resultCode 8", "resultCode 4 (number)")),
		{ID: "c", Verdict: caselang.Error, Message: "step #2: no answer within 5s"},
		failing("d", caselang.Fail, finding("AUTH-1", "token", "a token", "absent")),
		failing("e", caselang.Fail, finding("ENV-2", "method", `method "auth"`, `method "x" (string)`)),
		{ID: "f", Verdict: caselang.Error, Message: "step #3: no answer within 5s"},
		{ID: "g", Verdict: caselang.Error, Message: "dial tcp 127.0.0.1:40321: connection refused"},
	}}
	var got []string
	for _, c := range r.Causes() {
		got = append(got, fmt.Sprintf("%s %s %d", c.Verdict, c.Requirement, c.Count()))
	}
	want := []string{"FAIL RC-8 2", "ERROR  2", "FAIL ENV-2 1", "FAIL AUTH-1 1", "ERROR  1"}
	if !slices.Equal(got, want) {
		t.Errorf("order %q, want %q", got, want)
	}
}

// TestCausesVerdicts: a SHOULD warns (fails under --strict), a MUST fails;
// what is not broken (held, INFO, not evaluated) and what is not a FAIL,
// WARN or ERROR (a PASS's INFO, a SKIP, a known failure) is no cause; an
// ERROR's message is its own cause, the explain command its case's.
func TestCausesVerdicts(t *testing.T) {
	closed := finding("ENV-9", "connection open after a failure", "the connection still open", "closed by the target")
	blocked := finding("RC-8", "resultCode", "resultCode 8", "")
	blocked.NotEvaluated = "blocked by ENV-9 at step #1"
	held := finding("ENV-2", "method", "", "")
	held.OK = true
	info := Finding{Finding: caselang.Finding{Requirement: "AUTH-3", Level: caselang.Info, Check: "recorded", Note: "seen"}}
	r := Run{Cases: []Case{
		failing("w1", caselang.Warn, closed, blocked, held),
		failing("w2", caselang.Warn, closed),
		failing("p", caselang.Pass, held, info),
		{ID: "s", Verdict: caselang.Skip, Message: "needs the user PIN"},
		{ID: "x", Verdict: caselang.XFail, Message: "RC-8 (MUST) resultCode", Findings: []Finding{finding("RC-8", "resultCode", "resultCode 8", "resultCode 4 (number)")}},
		{ID: "e", Verdict: caselang.Error, Message: "not run: the target stopped answering"},
	}}
	got := r.Causes()
	if len(got) != 2 || got[0].Verdict != caselang.Warn || got[0].Count() != 2 || got[0].Requirement != "ENV-9" ||
		got[1].Verdict != caselang.Error || got[1].Explain != "conform explain e" || got[1].What() != "not run: the target stopped answering" {
		t.Fatalf("causes: %+v", got)
	}
	r.Selection.Strict = true
	if got := r.Causes(); got[0].Verdict != caselang.Fail {
		t.Errorf("--strict: a broken SHOULD is a %s cause, want FAIL", got[0].Verdict)
	}
}

// TestCauseExample: the example is a case of the target's own profile
// and hand-written when there is one, and the representative expected and
// actual are its own.
func TestCauseExample(t *testing.T) {
	walked := failing("a", caselang.Fail, finding("ENV-2", "method", `method "auth"`, `method "A1" (string)`))
	walked.Profile = "free-admin-password-user-pin"
	generated := failing("b", caselang.Fail, finding("ENV-2", "method", `method "auth"`, `method "B2" (string)`))
	generated.Labels = []string{"generated"}
	own := failing("c", caselang.Fail, finding("ENV-2", "method", `method "auth"`, `method "C3" (string)`))
	r := Run{Cases: []Case{walked, generated, own}}
	got := r.Causes()
	if len(got) != 1 || got[0].Example != "c" || got[0].Actual != `method "C3" (string)` {
		t.Errorf("example: %+v", got)
	}
	if want := []string{"a@free-admin-password-user-pin", "b", "c"}; !slices.Equal(got[0].Cases, want) {
		t.Errorf("cases %q, want %q", got[0].Cases, want)
	}
}

func TestShape(t *testing.T) {
	sh := newShaper([]Case{{ID: "rc-8-wrong-user-pin"}, {ID: "rc-8"}, {ID: "sec-3", Profile: "admin-pin"}})
	for in, want := range map[string]string{
		`method "Auth" (string)`:                                   `method "…" (string)`,
		`requestId "conform-17-3"`:                                 `requestId "…"`,
		`requestId "a\"b" and "c`:                                  `requestId "…" and "…"`,
		"resultCode 4 (number)":                                    "resultCode 4 (number)",
		"resultCode 12 (number)":                                   "resultCode 12 (number)",
		"the token rc-8-wrong-user-pin step #12 returned":          "the token <case> step #N returned",
		"the token sec-3@admin-pin step login returned":            "the token <case> step login returned",
		"answered after 1.25s, 300ms late (deadline 1m30s)":        "answered after <duration>, <duration> late (deadline <duration>)",
		"dial tcp 127.0.0.1:40321: connection refused":             "dial tcp N.N:N: connection refused",
		"a frame of 1048576 bytes...(4100 bytes)":                  "a frame of N bytes...(N bytes)",
		`{"previleges":2,"token":"[REDACTED:api token]"} (object)`: `{"…":2,"…":"…"} (object)`,
		"authorizationNeeded with cause 1 on connection x1":        "authorizationNeeded with cause 1 on connection <conn>",
		"no answer on the connection":                              "no answer on the connection",
	} {
		if got := sh.shape(in); got != want {
			t.Errorf("shape(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRerun: the command runs the example again as the run ran it, and
// says nothing the Run does not (its URL is the redacted one).
func TestRerun(t *testing.T) {
	c := Case{ID: "rc-8-wrong-user-pin"}
	mutating := Case{ID: "cfg-1-set-admin-password", Labels: []string{"mutating"}}
	for _, tc := range []struct {
		name string
		r    Run
		c    Case
		want string
	}{
		{"live", Run{Target: Target{URL: "ws://192.0.2.10:8765/"}, Seed: 42}, c,
			"conform run --target ws://192.0.2.10:8765/ --case rc-8-wrong-user-pin --seed 42"},
		{"live, redacted query, strict, legacy, free", Run{Target: Target{URL: "wss://room/?token=[REDACTED:query]&x='y'"}, Seed: 1,
			Selection: Selection{Strict: true, Legacy: true}, Profile: Profile{Plan: "free"}}, c,
			`conform run --target 'wss://room/?token=[REDACTED:query]&x='\''y'\''' --plan free --case rc-8-wrong-user-pin --seed 1 --strict --legacy`},
		{"live, with its web manager", Run{Target: Target{URL: "ws://h:1/", Web: "http://h:80", HTTP: "http://h:8766"}, Seed: 2}, c,
			"conform run --target ws://h:1/ --web http://h:80 --case rc-8-wrong-user-pin --seed 2"},
		{"live, with its HTTP server", Run{Target: Target{URL: "ws://h:1/", HTTP: "http://h:8766"}, Seed: 2}, c,
			"conform run --target ws://h:1/ --http http://h:8766 --case rc-8-wrong-user-pin --seed 2"},
		{"live, mutating", Run{Target: Target{URL: "ws://h:1/"}, Seed: 3}, mutating,
			"conform run --target ws://h:1/ --case cfg-1-set-admin-password --seed 3 --allow-reconfigure"},
		{"embedded default", Run{Target: Target{URL: "ws://127.0.0.1:5/", Embedded: true}, Seed: 9, Server: &Server{}}, c,
			"conform run --case rc-8-wrong-user-pin --seed 9"},
		{"embedded, configured", Run{Target: Target{Embedded: true}, Seed: 9, Profile: Profile{Plan: "free"},
			Server: &Server{Profile: "free-admin-password", Faults: []string{"method-mismatch", "close-after-failure"}, Variants: []string{"opaque-tokens"}}}, mutating,
			"conform run --profile free-admin-password --fault method-mismatch --fault close-after-failure --variant opaque-tokens --case cfg-1-set-admin-password --seed 9"},
		{"embedded --plan free, no seed", Run{Target: Target{Embedded: true}, Profile: Profile{Plan: "free"}, Server: &Server{}}, c,
			"conform run --plan free --case rc-8-wrong-user-pin"},
	} {
		if got := tc.r.Rerun(tc.c); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

// TestLegacyHint: the hint is decided from what was observed: every
// successful auth answer without resultCode, in a run that was not
// --legacy.
func TestLegacyHint(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    Run
		want bool
	}{
		{"every success without resultCode", Run{Observed: ObservedAnswers(135, 135)}, true},
		{"some with", Run{Observed: ObservedAnswers(135, 134)}, false},
		{"no success", Run{Observed: ObservedAnswers(0, 0)}, false},
		{"not observed", Run{}, false},
		{"--legacy", Run{Observed: ObservedAnswers(10, 10), Selection: Selection{Legacy: true}}, false},
	} {
		h := tc.r.LegacyHint()
		if (h != "") != tc.want || tc.want && !strings.Contains(h, "--legacy") {
			t.Errorf("%s: hint %q", tc.name, h)
		}
	}
}

// TestKnownFindingsAreNoCause: a baselined case that now also fails in a
// new way is a cause for the new finding only.
func TestKnownFindingsAreNoCause(t *testing.T) {
	known := finding("RC-8", "resultCode", "resultCode 8", "resultCode 4")
	known.Key = "c RC-8 known"
	fresh := finding("ENV-2", "method", `method "auth"`, `method "Auth"`)
	fresh.Key = "c ENV-2 new"
	c := failing("c", caselang.Fail, known, fresh)
	c.Baseline = &Known{Reason: "r", New: []string{fresh.Key}}
	causes := Run{Cases: []Case{c}}.Causes()
	if len(causes) != 1 || causes[0].Requirement != "ENV-2" {
		t.Errorf("causes %+v, want ENV-2's alone", causes)
	}
}
