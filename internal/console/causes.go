package console

import (
	"fmt"
	"io"
	"strings"

	"github.com/roomconform/conform/internal/term"
	"github.com/roomconform/conform/reports"
)

// Bounds of the quiet summary: a run that fails hundreds of cases for one
// defect prints tens of lines, not hundreds.
const (
	// quietCauses is how many causes the quiet summary tells, each with
	// its requirement, an example, explain and rerun; -v tells them all.
	quietCauses = 5
	// maxWhat cuts a cause's expected and actual on its line.
	maxWhat = 240
)

// causes tells what made cases FAIL, WARN or ERROR, one line per cause,
// largest first, each followed by the requirement's sentence, an example
// case, the command that explains the requirement and the one that runs
// the example again; the first quietCauses of them unless verbose. Every
// text is escaped onto its line (the causes come from a redacted Run).
func causes(w io.Writer, r reports.Run, verbose bool) {
	all := r.Causes()
	if len(all) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s, largest first:\n", causesNoun(len(all)))
	shown := all
	if !verbose && len(shown) > quietCauses {
		shown = shown[:quietCauses]
	}
	for _, c := range shown {
		cause(w, c)
	}
	if rest := all[len(shown):]; len(rest) > 0 {
		n := 0
		for _, c := range rest {
			n += c.Count()
		}
		fmt.Fprintf(w, "and %d more %s (%d case results): -v lists them all, as do summary.md and report.html\n", len(rest), causesWord(len(rest)), n)
	}
}

// cause prints one cause: its line, then what a reader needs to act on it.
func cause(w io.Writer, c reports.Cause) {
	c.Expected, c.Actual = reports.Clip(c.Expected, maxWhat), reports.Clip(c.Actual, maxWhat)
	fmt.Fprintf(w, "%-5s %s: %s\n", c.Verdict, term.Line(c.What()), c.CountText())
	if c.Text != "" {
		fmt.Fprintf(w, "      %s\n", term.Line(firstSentence(c.Text)))
	}
	fmt.Fprintf(w, "      example %s (its transcript: report.html, or -vv); %s\n", term.Line(c.Example), term.Line(c.Explain))
	fmt.Fprintf(w, "      rerun: %s\n", term.Line(c.Rerun))
}

// legacyHint says once that every success lacked resultCode, and what
// --legacy would make of it.
func legacyHint(w io.Writer, r reports.Run) {
	if h := r.LegacyHint(); h != "" {
		fmt.Fprintf(w, "\nnote: %s\n", term.Line(h))
	}
}

// firstSentence is the requirement's first sentence: the console's line
// for it (summary.md and report.html have the whole text).
func firstSentence(s string) string {
	for from := 0; ; {
		i := strings.Index(s[from:], ". ")
		if i < 0 {
			return s
		}
		end := from + i
		if !strings.HasSuffix(s[:end], "e.g") && !strings.HasSuffix(s[:end], "i.e") {
			return s[:end+1]
		}
		from = end + 2 // an abbreviation, not the sentence's end
	}
}

func causesNoun(n int) string { return fmt.Sprintf("%d %s of what did not pass", n, causesWord(n)) }

func causesWord(n int) string {
	if n == 1 {
		return "cause"
	}
	return "causes"
}
