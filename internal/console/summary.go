// Package console renders a run for a person at a terminal: one line per
// case as it ends (or a dot, at the default verbosity), and the summary
// with the run's one tally. The binary and the Ginkgo routes print the
// same. Everything from the target is escaped (internal/term) before it is
// printed; redaction is the writer's (redact.Writer) job.
package console

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/term"
	"github.com/roomconform/conform/reports"
)

// Summary lists the known failures, groups skips by reason, says the
// coverage, tells what did not pass by cause (one line per cause, largest
// first: a FAIL is shown once, as it ended with -v, and here only as one
// of its cause's cases) and ends with one verdict line: the run's one
// tally. Every text of the target's (and the operator's baseline reasons)
// is shown on the line it belongs to, its newlines and control characters
// escaped.
func Summary(w io.Writer, r reports.Run, verbose bool) { SummaryTo(w, w, r, verbose) }

// SummaryTo is Summary with the verdict line (Counts: the run's structure
// alone, no text of the target's) written to verdict, and the rest to w.
// The binary writes the verdict line past its redacting writer, so that a
// token the target chose equal to a word of it ("conformant") cannot erase
// that word. w is flushed first when it can be (redact.Writer), so the
// lines stay in order.
func SummaryTo(w, verdict io.Writer, r reports.Run, verbose bool) {
	var list strings.Builder
	if listed(&list, r, verbose); list.Len() > 0 {
		fmt.Fprint(w, "\n", list.String())
	}
	s := r.Summary
	if s.Total > 0 && s.Skip == s.Total {
		fmt.Fprintln(w, "\nwarning: every selected case was skipped: nothing was checked")
	}
	for _, n := range r.Reconfiguration {
		fmt.Fprintf(w, "\nRECONFIGURATION: %s\n", term.Line(n))
	}
	if r.RestoreError != "" {
		fmt.Fprintf(w, "\n!!! THE TARGET MAY BE LEFT RECONFIGURED: %s\n", term.Line(r.RestoreError))
	}
	coverage(w, r, verbose)
	interop(w, r)
	causes(w, r, verbose)
	legacyHint(w, r)
	if f, ok := w.(interface{ Flush() error }); ok && verdict != w {
		f.Flush()
	}
	Counts(verdict, r)
	whys := r.Summary.Why
	if len(whys) > maxWhy && !verbose {
		whys = append(whys[:maxWhy:maxWhy], fmt.Sprintf("and %d more (results.json \"summary.why\", or -v)", len(r.Summary.Why)-maxWhy))
	}
	for _, why := range whys {
		fmt.Fprintf(verdict, "  %s\n", term.Line(why))
	}
	if r.Interrupted != "" {
		fmt.Fprintf(w, "interrupted: %s\n", term.Line(r.Interrupted))
	}
}

// listed prints the cases the summary names one by one, or a few at a
// time: the known failures, the skips by reason, the stale baseline
// entries and the cases the budget left out.
func listed(w io.Writer, r reports.Run, verbose bool) {
	// Cases that share a skip's reason (every skip for one missing
	// secret) are listed once, with their IDs; FAIL, WARN and ERROR are
	// told by cause at the end.
	skipped := map[string][]string{}
	// A baseline's cases: one block each with -v; by reason without, so
	// that a device with hundreds of known failures is a few lines.
	var known, renewed []string
	knownBy := map[string][]string{}
	for _, c := range r.Cases {
		switch {
		case c.Verdict == caselang.Fail && c.Baseline != nil:
			// Told by cause too; here, what makes it a new failure.
			var b strings.Builder
			fmt.Fprintf(&b, "%-5s %s: baselined (%s), but it fails in a way the baseline does not list:\n", c.Verdict, c.Key(), term.Line(c.Baseline.String()))
			for _, key := range c.Baseline.New {
				fmt.Fprintf(&b, "        new: %s\n", term.Line(key))
			}
			renewed = append(renewed, b.String())
		case c.Verdict == caselang.XFail && verbose:
			fmt.Fprintf(w, "%-5s %s: %s\n", c.Verdict, c.Key(), c.Title)
			if c.Baseline != nil {
				fmt.Fprintf(w, "      known failure: %s\n", term.Line(c.Baseline.String()))
			}
			for _, line := range messageLines(c) {
				fmt.Fprintf(w, "      %s\n", term.Line(line))
			}
		case c.Verdict == caselang.XFail:
			reason := c.Baseline.String()
			if len(knownBy[reason]) == 0 {
				known = append(known, reason)
			}
			knownBy[reason] = append(knownBy[reason], c.Key())
		case c.Verdict == caselang.Skip:
			skipped[c.Message] = append(skipped[c.Message], c.Key())
		}
	}
	for _, reason := range known {
		fmt.Fprintf(w, "%-5s %d: known failure: %s (%s)\n", caselang.XFail, len(knownBy[reason]), term.Line(reason), idList(knownBy[reason], verbose))
	}
	printBounded(w, renewed, verbose, "baselined cases fail in new ways (results.json: each case's baseline.new)")
	reasons := make([]string, 0, len(skipped))
	for reason := range skipped {
		reasons = append(reasons, reason)
	}
	sort.Strings(reasons)
	for _, reason := range reasons {
		ids := skipped[reason]
		fmt.Fprintf(w, "%-5s %d: %s (%s)\n", caselang.Skip, len(ids), term.Line(reason), idList(ids, verbose))
	}
	var stale []string
	for _, c := range r.Cases {
		if c.Baseline != nil && c.Baseline.Stale != "" {
			stale = append(stale, fmt.Sprintf("STALE %s: %s (baseline: %s)\n", c.Key(), term.Line(c.Baseline.Stale), term.Line(c.Baseline.String())))
		}
	}
	for _, e := range r.StaleBaseline {
		stale = append(stale, fmt.Sprintf("STALE %s\n", term.Line(e)))
	}
	printBounded(w, stale, verbose, "stale baseline entries (results.json: each case's baseline.stale, and staleBaseline)")
	if len(r.NotRun) > 0 {
		list := r.NotRun
		more := ""
		if !verbose && len(list) > 4 {
			list, more = list[:4], fmt.Sprintf(" and %d more", len(r.NotRun)-4)
		}
		fmt.Fprintf(w, "not run: %d cases the wrong-credential budget left out, in the fixed order of docs/catalogue.md (%s%s); --pace runs them all\n",
			len(r.NotRun), term.Line(strings.Join(list, ", ")), more)
	}
}

// shownEach is how many blocks of one kind (a stale entry, a new failure
// of a baselined case) the summary prints without -v.
const shownEach = 5

// printBounded prints blocks, the first shownEach of them unless verbose,
// and then how many more of what there are.
func printBounded(w io.Writer, blocks []string, verbose bool, more string) {
	for i, b := range blocks {
		if i == shownEach && !verbose {
			fmt.Fprintf(w, "      and %d more %s\n", len(blocks)-i, more)
			return
		}
		fmt.Fprint(w, b)
	}
}

// idList renders case IDs, the first four and a count unless verbose.
func idList(ids []string, verbose bool) string {
	if !verbose && len(ids) > 4 {
		return strings.Join(ids[:4], ", ") + fmt.Sprintf(" and %d more", len(ids)-4)
	}
	return strings.Join(ids, ", ")
}

// interop prints one line per interop note (INFO, never a verdict): conform's
// own words, a count and an example case, no text of the target's.
func interop(w io.Writer, r reports.Run) {
	for _, n := range r.Interop {
		fmt.Fprintf(w, "interop (INFO): %s\n", term.Line(n.Short()))
	}
}

// maxWhy is how many of the verdict's reasons the console shows without -v.
const maxWhy = 8

// coverage says how many MUST requirements the run checked and, for
// those it did not where they apply, why: all of them under --require must
// (they decide the verdict), otherwise the count and how to see them.
func coverage(w io.Writer, r reports.Run, verbose bool) {
	m := r.Summary.Must
	fmt.Fprintf(w, "\ncoverage: %s\n", m.Line("MUST"))
	if m.Blocked > 0 {
		fmt.Fprintf(w, "  blocked: %s\n", strings.Join(notEvaluated(r), ", "))
	}
	if m.Holes > 0 {
		fmt.Fprintf(w, "  checked by no case yet: %s\n", strings.Join(holes(r), ", "))
	}
	if t := r.Transitions; t != nil {
		fmt.Fprintf(w, "transitions: %d of %d of the model's transitions and %d of %d field pairs covered (profile %s)\n",
			t.Covered, t.Reachable, t.PairsCovered, t.PairsReachable, t.Profile)
	}
	missing := r.MissingMust()
	if len(missing) == 0 || r.Summary.ExitCode == reports.ExitIncomplete || len(r.Ungated()) > 0 {
		return // none, or the verdict's own lines name them
	}
	if r.Require == "" && !verbose {
		fmt.Fprintf(w, "  %d MUST requirements that apply went unchecked (results.json \"coverage\"; --require must makes that fail the run)\n", len(missing))
		return
	}
	for _, c := range missing {
		why := c.Why
		if len(why) > 2 && !verbose {
			why = append(why[:2:2], fmt.Sprintf("%d more reasons in results.json", len(c.Why)-2))
		}
		fmt.Fprintf(w, "  unchecked %s: %s\n", c.ID, term.Line(strings.Join(why, "; ")))
	}
}

// messageLines are the lines of a case's message: its broken findings,
// each one line whatever the target put in it, or else the message (a
// reason, an error) as one line.
func messageLines(c reports.Case) []string {
	var lines []string
	for _, f := range c.Findings {
		if f.Broken() {
			lines = append(lines, f.String())
		}
	}
	if len(lines) == 0 {
		lines = []string{c.Message}
	}
	return lines
}

// notEvaluated lists the MUST requirements whose checks an earlier
// deviation blocked.
func notEvaluated(r reports.Run) []string {
	var ids []string
	for _, c := range r.Coverage {
		if c.Status == reports.Blocked && c.Level == string(caselang.Must) {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// holes lists the requirements no case of the suite checks yet.
func holes(r reports.Run) []string {
	var ids []string
	for _, c := range r.Coverage {
		if c.Hole && c.Level == string(caselang.Must) {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// Counts is the verdict line: only the run's structure, no text of
// the target's.
func Counts(w io.Writer, r reports.Run) {
	s := r.Summary
	xfail := ""
	if s.XFail > 0 {
		xfail = fmt.Sprintf(", %d xfail (known)", s.XFail)
	}
	noun := "cases"
	if s.Total == 1 {
		noun = "case"
	}
	verdict := s.Qualified()
	if p := r.Pace; p != nil && p.Complete {
		verdict += fmt.Sprintf(" (paced, every stimulus of the plan ran: %d wrong credentials a window at most, %d waits)", p.PerWindow, p.Windows)
	} else if p != nil {
		verdict += " (paced, but not every stimulus of the plan ran)"
	}
	fmt.Fprintf(w, "\nresult: %s: %d pass, %d fail, %d warn, %d skip, %d error%s (%d %s) in %.2fs\n",
		verdict, s.Pass, s.Fail, s.Warn, s.Skip, s.Error, xfail, s.Total, noun, r.Duration)
}
