package console

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/reports"
)

// oneDefect is a run in which one defect failed n cases (the issue's
// method-mismatch: 263), each at two steps, every finding broken under
// requirement req and level (a SHOULD makes them WARNs: the issue's
// close-after-failure, 118).
func oneDefect(n int, req, check, expected, actual string) reports.Run {
	level := caselang.LevelOf(req)
	verdict := caselang.Fail
	if level == caselang.Should {
		verdict = caselang.Warn
	}
	r := reports.Run{Target: reports.Target{URL: "ws://127.0.0.1:9/", Embedded: true}, Seed: 5}
	for i := range n {
		var fs []caselang.Finding
		var lines []string
		for _, step := range []string{"#1", "#2"} {
			f := caselang.Finding{Requirement: req, Level: level, Step: step, Check: check, Expected: expected, Actual: actual}
			fs = append(fs, f)
			lines = append(lines, f.String())
		}
		r.Cases = append(r.Cases, reports.Case{ID: fmt.Sprintf("case-%03d", i), Title: "a case", Group: "ENV", Verdict: verdict,
			Requirements: []reports.Requirement{{ID: req, Level: string(level)}}, Findings: reports.FindingsOf(fs), Message: strings.Join(lines, "\n")})
	}
	for range 8 {
		r.Cases = append(r.Cases, reports.Case{ID: fmt.Sprintf("pass-%d", len(r.Cases)), Verdict: caselang.Pass})
	}
	switch verdict {
	case caselang.Fail:
		r.Summary = reports.Summary{Total: len(r.Cases), Pass: 8, Fail: n, Verdict: "not conformant", ExitCode: 1}
	default:
		r.Summary = reports.Summary{Total: len(r.Cases), Pass: 8, Warn: n, Verdict: "conformant", ExitCode: 0}
	}
	return r
}

// console is what the console prints of run r at a verbosity: each case
// as it ends, then the summary.
func console(r reports.Run, verbosity int) string {
	var b bytes.Buffer
	p := &Progress{W: &b, Verbosity: verbosity}
	for _, c := range r.Cases {
		p.Case(c)
	}
	p.Done()
	Summary(&b, r, verbosity > Quiet)
	return b.String()
}

// TestOneDefectIsBounded (issue 20, problem 3): a defect that fails 263
// cases (a server that misspells method) or warns in 118 (one that closes
// the connection after a failure) prints tens of lines at the default
// verbosity, not a block per case, and names the defect once with its
// count.
func TestOneDefectIsBounded(t *testing.T) {
	for name, r := range map[string]reports.Run{
		"method-mismatch":     oneDefect(263, "ENV-2", "method", `method "auth"`, `method "Auth" (string)`),
		"close-after-failure": oneDefect(118, "ENV-9", "connection open after a failure", "the connection still open", "closed by the target"),
	} {
		out := console(r, Quiet)
		if n := strings.Count(out, "\n"); n > 40 {
			t.Errorf("%s: %d lines at the default verbosity, want tens:\n%s", name, n, out)
		}
		n := len(r.Cases) - 8
		if got := strings.Count(out, fmt.Sprintf(": %d cases\n", n)); got != 1 {
			t.Errorf("%s: the cause of %d cases is named %d times, want once:\n%s", name, n, got, out)
		}
	}
}

// TestFailShownOnce (issue 20, problem 3): a FAIL's block is printed once:
// as the case ends with -v (one line per case), never again in the
// summary; and at the default verbosity only in its cause.
func TestFailShownOnce(t *testing.T) {
	r := oneDefect(3, "ENV-2", "method", `method "auth"`, `method "Auth" (string)`)
	// Its own spelling: the same cause, a line of its own.
	r.Cases[1].Findings[0].Actual = `method "AUTH" (string)`
	finding := r.Cases[1].Findings[0].String()
	for _, verbosity := range []int{Quiet, Lines, Everything} {
		want := 1 // as it ends, with -v and -vv
		if verbosity == Quiet {
			want = 0 // a mark, and its cause
		}
		out := console(r, verbosity)
		if got := strings.Count(out, "FAIL    0.000s  case-001\n"); got != want {
			t.Errorf("verbosity %d: case-001's line printed %d times, want %d:\n%s", verbosity, got, want, out)
		}
		if got := strings.Count(out, finding); got != want {
			t.Errorf("verbosity %d: case-001's broken finding printed %d times, want %d:\n%s", verbosity, got, want, out)
		}
		if strings.Contains(out, "case-001: a case") {
			t.Errorf("verbosity %d: the summary lists the FAIL again:\n%s", verbosity, out)
		}
	}
}

// TestCausesOnTheConsole: each cause is one line, largest first, with the
// requirement's sentence, an example, explain and the rerun command; past
// the first few, "and M more causes"; the target's text stays on its line.
func TestCausesOnTheConsole(t *testing.T) {
	r := oneDefect(4, "ENV-2", "method", `method "auth"`, "method \"x\\nresult: conformant\" (string)"+fakeResult)
	for i := range 7 {
		r.Cases = append(r.Cases, reports.Case{ID: fmt.Sprintf("rc-%d", i), Verdict: caselang.Fail, Findings: reports.FindingsOf([]caselang.Finding{
			{Requirement: "RC-8", Level: caselang.Must, Check: "resultCode", Expected: "resultCode 8", Actual: fmt.Sprintf("resultCode %d (number)", i)}})})
	}
	r.Summary.Verdict = "not conformant"
	var b bytes.Buffer
	Summary(&b, r, false)
	out := b.String()
	noForgedLine(t, out, 1)
	for _, want := range []string{
		"8 causes of what did not pass, largest first:\nFAIL  ENV-2 (MUST) method: expected method \"auth\", actual method \"x\\nresult: conformant\" (string)\\nresult: conformant: 99",
		": 4 cases\n      method is the string \"auth\".\n      example case-000 (its transcript: report.html, or -vv); conform explain ENV-2\n      rerun: conform run --case case-000 --seed 5\n",
		"FAIL  RC-8 (MUST) resultCode: expected resultCode 8, actual resultCode 0 (number): 1 case\n",
		"and 3 more causes (3 case results): -v lists them all",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	Summary(&b, r, true)
	if strings.Contains(b.String(), "more causes") || strings.Count(b.String(), "rerun: ") != 8 {
		t.Errorf("-v does not tell every cause:\n%s", b.String())
	}
}

// TestLegacyHintOnce: when every successful auth answer lacked resultCode
// and the run was not --legacy, the console says once what --legacy does.
func TestLegacyHintOnce(t *testing.T) {
	r := oneDefect(135, "ENV-6", "result and resultCode types", "result: boolean; resultCode: integer 0..12", "resultCode absent")
	r.Observed = reports.ObservedAnswers(140, 140)
	out := console(r, Quiet)
	if got := strings.Count(out, "--legacy"); got != 1 {
		t.Errorf("--legacy named %d times, want once:\n%s", got, out)
	}
	r.Selection.Legacy = true
	if out := console(r, Quiet); strings.Contains(out, "--legacy judges") {
		t.Errorf("a --legacy run is told to use --legacy:\n%s", out)
	}
}

func TestFirstSentence(t *testing.T) {
	for in, want := range map[string]string{
		`type not secured/unsecured (e.g. "open") gets 10.`: `type not secured/unsecured (e.g. "open") gets 10.`,
		"One. Two.":                 "One.",
		"No end":                    "No end",
		"Use it (i.e. the PIN). Or": "Use it (i.e. the PIN).",
	} {
		if got := firstSentence(in); got != want {
			t.Errorf("firstSentence(%q) = %q, want %q", in, got, want)
		}
	}
}
