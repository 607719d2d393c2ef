package console

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/term"
)

// Verbosity levels of the console.
const (
	// Quiet: a dot for each case that passed or was skipped, a block for
	// every other, as it ends.
	Quiet = 0
	// Lines: one line per case (verdict, duration, ID), the broken findings
	// of a case that did not pass, the reason of a skip.
	Lines = 1
	// Everything: Lines, plus every finding and the transcript of every case.
	Everything = 2
)

// Case is one finished case, as the console shows it. Reason, Findings and
// Transcript are the target's text: redacted by the writer, escaped here,
// the reason and each finding on one line.
type Case struct {
	ID         string
	Verdict    caselang.Verdict
	Duration   time.Duration
	Reason     string
	Findings   []caselang.Finding
	Transcript string
}

// Progress prints each case as it ends. It is safe for one writer at a
// time (Ginkgo reports specs one after the other); the mutex guards
// against a report arriving during an interrupt.
type Progress struct {
	W         io.Writer
	Verbosity int
	// Color marks verdicts with ANSI colour (only on a terminal, never
	// with NO_COLOR: the caller decides).
	Color bool
	// Known are the baselined cases: a FAIL of one is shown as XFAIL.
	Known map[string]bool

	mu   sync.Mutex
	dots int
}

// dotsPerLine wraps the dots of the quiet mode.
const dotsPerLine = 80

// Case prints one finished case.
func (p *Progress) Case(c Case) {
	p.mu.Lock()
	defer p.mu.Unlock()
	id, _, _ := strings.Cut(c.ID, "@") // a case the walk ran in another profile
	if c.Verdict == caselang.Fail && p.Known[id] {
		c.Verdict = caselang.XFail
	}
	quietDot := c.Verdict == caselang.Pass || c.Verdict == caselang.Skip
	if p.Verbosity == Quiet && quietDot {
		mark := "."
		if c.Verdict == caselang.Skip {
			mark = "s"
		}
		fmt.Fprint(p.W, p.paint(c.Verdict, mark))
		if p.dots++; p.dots%dotsPerLine == 0 {
			fmt.Fprintln(p.W)
		}
		return
	}
	if p.dots%dotsPerLine != 0 {
		fmt.Fprintln(p.W)
		p.dots = 0
	}
	fmt.Fprintf(p.W, "%s %7.3fs  %s\n", p.paint(c.Verdict, fmt.Sprintf("%-5s", c.Verdict)), c.Duration.Seconds(), c.ID)
	var lines []string
	switch {
	case p.Verbosity >= Everything:
		for _, f := range c.Findings {
			lines = append(lines, f.Line())
		}
		if len(c.Findings) == 0 && c.Reason != "" {
			lines = []string{c.Reason}
		}
	case c.Verdict == caselang.Pass:
	case c.Verdict == caselang.Skip || c.Verdict == caselang.Error || len(c.Findings) == 0:
		// A skip's reason or an error: one line, whatever newline the
		// target's text put in it.
		lines = []string{c.Reason}
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
	if p.Verbosity >= Everything && c.Transcript != "" {
		// One frame a line (the transcript escapes a payload's newlines).
		for _, l := range strings.Split(strings.TrimRight(c.Transcript, "\n"), "\n") {
			fmt.Fprintf(p.W, "        | %s\n", term.Line(l))
		}
	}
}

// Done ends the line of dots, if one is open.
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
