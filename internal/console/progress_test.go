package console

import (
	"bytes"
	"strings"
	"testing"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/reports"
)

func TestProgress(t *testing.T) {
	broken := caselang.Finding{Requirement: "RC-8", Level: caselang.Must, Step: "#1", Check: "resultCode", Expected: "resultCode 8", Actual: "resultCode 4\x1b[2J"}
	held := caselang.Finding{Requirement: "ENV-2", Level: caselang.Must, OK: true, Check: "method"}
	run := func(verbosity int, color bool) string {
		var b bytes.Buffer
		p := &Progress{W: &b, Verbosity: verbosity, Color: color, Known: func(c reports.Case) bool { return c.ID == "known-case" }}
		p.Case(reports.Case{ID: "pass-case", Verdict: caselang.Pass, Duration: 0.001, Findings: reports.FindingsOf([]caselang.Finding{held})})
		p.Case(reports.Case{ID: "skip-case", Verdict: caselang.Skip, Message: "needs admin access"})
		p.Case(reports.Case{ID: "fail-case", Verdict: caselang.Fail, Duration: 0.012, Findings: reports.FindingsOf([]caselang.Finding{held, broken}), Transcript: []reports.Frame{{Conn: "a", Dir: "send", At: 0.001, Kind: "text", Payload: "{}"}}})
		p.Case(reports.Case{ID: "known-case", Verdict: caselang.Fail, Findings: reports.FindingsOf([]caselang.Finding{broken})})
		p.Case(reports.Case{ID: "error-case", Verdict: caselang.Error, Message: "no answer within 5s"})
		p.Done()
		return b.String()
	}
	// Quiet: a mark a case; what did not pass is told by cause in the
	// summary (TestOneDefectIsBounded).
	if quiet := run(Quiet, false); quiet != ".sFxE\n" {
		t.Errorf("quiet: %q", quiet)
	}
	lines := run(Lines, false)
	if strings.Contains(lines, "\x1b") || !strings.Contains(lines, `resultCode 4\x1b[2J`) || !strings.Contains(lines, "XFAIL   0.000s  known-case") {
		t.Errorf("the target's control characters are not escaped, or the known failure not shown:\n%q", lines)
	}
	for _, want := range []string{"PASS    0.001s  pass-case\n", "SKIP    0.000s  skip-case\n        needs admin access\n", "FAIL    0.012s  fail-case\n        RC-8 (MUST)", "ERROR   0.000s  error-case\n        no answer within 5s\n"} {
		if !strings.Contains(lines, want) {
			t.Errorf("lines lacks %q:\n%s", want, lines)
		}
	}
	if strings.Contains(lines, "ENV-2") || strings.Contains(lines, "+0.001s") {
		t.Errorf("lines shows held findings or transcripts:\n%s", lines)
	}
	all := run(Everything, false)
	if !strings.Contains(all, "ENV-2") || !strings.Contains(all, "| +0.001s a > {}") {
		t.Errorf("everything lacks findings or transcript:\n%s", all)
	}
	if c := run(Lines, true); !strings.Contains(c, "\x1b[31mFAIL \x1b[0m") {
		t.Errorf("no colour:\n%q", c)
	}
}
