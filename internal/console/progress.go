package console

import (
	"fmt"
	"io"
	"sync"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/term"
	"github.com/roomconform/conform/reports"
)

// Verbosity levels of the console.
const (
	// Quiet: a mark for each case as it ends ("." passed, "s" skipped,
	// "F" failed, "W" warned, "E" error, "x" known failure); what did not
	// pass is told once, by cause, in the summary.
	Quiet = 0
	// Lines: one line per case (verdict, duration, ID), the broken findings
	// of a case that did not pass, the reason of a skip.
	Lines = 1
	// Everything: Lines, plus every finding and the transcript of every case.
	Everything = 2
)

// Progress prints each case as it ends. It is safe for one writer at a
// time (Ginkgo reports specs one after the other); the mutex guards
// against a report arriving during an interrupt.
type Progress struct {
	W         io.Writer
	Verbosity int
	// Color marks verdicts with ANSI colour (only on a terminal, never
	// with NO_COLOR: the caller decides).
	Color bool
	// Known reports whether a FAIL is a known failure (the baseline lists
	// every way it fails): it is shown as XFAIL. Nil: none is.
	Known func(reports.Case) bool

	mu   sync.Mutex
	dots int
}

// dotsPerLine wraps the marks of the quiet mode.
const dotsPerLine = 80

// marks are the quiet mode's marks of the verdicts.
var marks = map[caselang.Verdict]string{
	caselang.Pass: ".", caselang.Skip: "s", caselang.Fail: "F", caselang.Warn: "W", caselang.Error: "E", caselang.XFail: "x",
}

// Case prints one finished case, in the shape the reports have it (one
// shape for a case's result, from the conductor to every report). Its
// message, findings and transcript are the target's text: redacted by the
// writer, escaped here, the message and each finding on one line; the
// transcript is shown with -vv.
func (p *Progress) Case(c reports.Case) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c.Verdict == caselang.Fail && p.Known != nil && p.Known(c) {
		c.Verdict = caselang.XFail
	}
	if p.Verbosity == Quiet {
		// One mark a case: a defect that fails hundreds of cases is told
		// once, by the summary's causes, not in a block for each.
		fmt.Fprint(p.W, p.paint(c.Verdict, marks[c.Verdict]))
		if p.dots++; p.dots%dotsPerLine == 0 {
			fmt.Fprintln(p.W)
		}
		return
	}
	fmt.Fprintf(p.W, "%s %7.3fs  %s\n", p.paint(c.Verdict, fmt.Sprintf("%-5s", c.Verdict)), c.Duration, c.Key())
	var lines []string
	switch {
	case p.Verbosity >= Everything:
		for _, f := range c.Findings {
			lines = append(lines, f.Line())
		}
		if len(c.Findings) == 0 && c.Message != "" {
			lines = []string{c.Message}
		}
	case c.Verdict == caselang.Pass:
	case c.Verdict == caselang.Skip || c.Verdict == caselang.Error || len(c.Findings) == 0:
		// A skip's reason or an error: one line, whatever newline the
		// target's text put in it.
		lines = []string{c.Message}
	default:
		for _, f := range c.Findings {
			if f.Broken() {
				lines = append(lines, f.String())
			}
		}
	}
	if p.Verbosity < Everything && c.Verdict != caselang.Skip && c.Verdict != caselang.Error {
		// What an earlier deviation kept from being judged: never a
		// verdict, but not silently a pass either.
		for _, f := range c.Findings {
			if f.NotEvaluated != "" {
				lines = append(lines, f.String())
			}
		}
	}
	// Each is one line: a newline of the target's is shown escaped, never
	// starts a line of its own.
	for _, l := range lines {
		if l != "" {
			fmt.Fprintf(p.W, "        %s\n", term.Line(l))
		}
	}
	if p.Verbosity >= Everything {
		// One frame a line (a payload's newlines shown escaped).
		for _, f := range c.Transcript {
			fmt.Fprintf(p.W, "        | %s\n", term.Line(reports.FrameLine(f)))
		}
	}
}

// Done ends the line of marks, if one is open.
func (p *Progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dots%dotsPerLine != 0 {
		fmt.Fprintln(p.W)
	}
	p.dots = 0
}

// colours of the verdicts (SGR codes).
var colours = map[caselang.Verdict]string{
	caselang.Pass: "32", caselang.Fail: "31", caselang.Warn: "33", caselang.Skip: "36", caselang.Error: "35", caselang.XFail: "33",
}

func (p *Progress) paint(verdict caselang.Verdict, s string) string {
	if !p.Color || colours[verdict] == "" {
		return s
	}
	return "\x1b[" + colours[verdict] + "m" + s + "\x1b[0m"
}
