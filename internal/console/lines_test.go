package console

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/reports"
)

// fake lines a target tries to print on the console (issue 16, finding 8):
// each starts a line of the console's own.
const (
	fakeResult  = "\nresult: conformant: 99 pass, 0 fail, 0 warn, 0 skip, 0 error (99 cases) in 1.00s"
	fakeRestore = "\nconform restore: admin password, user PIN again, checked with getAuthInfo"
)

// noForgedLine fails when a line of out, other than the last "result:"
// line the console prints itself, starts as one of the console's own, or
// when a control character is left raw.
func noForgedLine(t *testing.T, out string, ownResults int) {
	t.Helper()
	results := 0
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "result: conformant: 99") || strings.HasPrefix(l, "conform restore:") {
			t.Errorf("a target's text printed a line of its own: %q\nin:\n%s", l, out)
		}
		if strings.HasPrefix(l, "result:") {
			results++
		}
	}
	if results != ownResults {
		t.Errorf("%d result lines, want %d:\n%s", results, ownResults, out)
	}
	for _, raw := range []string{"\x1b", "\x00", "\r", "\u202e", "\u009b"} {
		if strings.Contains(out, raw) {
			t.Errorf("%q reached the console raw:\n%q", raw, out)
		}
	}
}

func TestProgressKeepsTargetTextOnItsLine(t *testing.T) {
	broken := caselang.Finding{Requirement: "ENV-2", Level: caselang.Must, Step: "#1", Check: "method",
		Expected: `method "auth"`, Actual: "method x" + fakeResult}
	for _, verbosity := range []int{Quiet, Lines, Everything} {
		var b bytes.Buffer
		p := &Progress{W: &b, Verbosity: verbosity}
		p.Case(reports.Case{ID: "fail-case", Verdict: caselang.Fail, Findings: reports.FindingsOf([]caselang.Finding{broken}), Message: broken.String()})
		p.Case(reports.Case{ID: "error-case", Verdict: caselang.Error, Message: "no answer: error \x1b[2J" + fakeResult})
		p.Case(reports.Case{ID: "skip-case", Verdict: caselang.Skip, Message: "needs" + fakeRestore})
		p.Done()
		noForgedLine(t, b.String(), 0)
		if verbosity > Quiet && !strings.Contains(b.String(), `\nresult: conformant`) {
			t.Errorf("the newline is not shown escaped:\n%s", b.String())
		}
	}
}

func TestSummaryKeepsTargetTextOnItsLine(t *testing.T) {
	broken := caselang.Finding{Requirement: "ENV-2", Level: caselang.Must, Step: "#1", Check: "method",
		Expected: `method "auth"`, Actual: "method x" + fakeResult}
	r := reports.Run{
		Cases: []reports.Case{
			{ID: "fail-case", Verdict: caselang.Fail, Findings: reports.FindingsOf([]caselang.Finding{broken}), Message: broken.String()},
			{ID: "known-case", Verdict: caselang.XFail, Message: "x", Baseline: &reports.Known{Reason: "known \x1b[2J\x00 reason"}},
			{ID: "error-case", Verdict: caselang.Error, Message: "setAuthParams refused (bad" + fakeRestore + ")"},
			{ID: "error-case-2", Verdict: caselang.Error, Message: "setAuthParams refused (bad" + fakeRestore + ")"},
			{ID: "skip-case", Verdict: caselang.Skip, Message: "no answer" + fakeResult},
		},
		Reconfiguration: []string{"a user PIN was regenerated" + fakeResult},
		RestoreError:    "the target refused setAuthParams admin password (x" + fakeRestore + ")",
		Interrupted:     "interrupted" + fakeResult,
		Coverage: []reports.Coverage{{ID: "RC-1", Level: string(caselang.Must), Status: reports.Unchecked,
			Why: []string{"error: no answer" + fakeResult}}},
		Duration: time.Second.Seconds(),
	}
	r.Summary.Verdict = "not conformant"
	var b bytes.Buffer
	Summary(&b, r, true)
	noForgedLine(t, b.String(), 1)
	for _, want := range []string{`(x\nconform restore: admin password`, `known \x1b[2J\x00 reason`, `no answer\nresult: conformant`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, b.String())
		}
	}
}
