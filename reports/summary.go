package reports

import (
	"fmt"
	"strings"

	"github.com/roomconform/conform/caselang"
)

// SummaryMarkdown renders summary.md: the verdict, the counts, the MUST
// coverage, what did not pass by cause (largest first, each with its
// requirement's sentence, an example case, explain and rerun), and the
// baselined cases, in GitHub-flavoured Markdown short enough for a step
// summary or a merge-request comment. Text from the target is shown as code, so it
// cannot format, link or mention anything, on its line with its control
// characters escaped (as is the operator's: baseline reasons).
func SummaryMarkdown(r Run) ([]byte, error) {
	r = r.shown()
	var b strings.Builder
	s := r.Summary
	icon := map[int]string{ExitConformant: "✅", ExitNotConformant: "❌"}[s.ExitCode]
	if icon == "" {
		icon = "⚠️"
	}
	fmt.Fprintf(&b, "## %s conform: %s\n\n", icon, mdText(s.Qualified()))
	for _, w := range s.Why {
		fmt.Fprintf(&b, "- %s\n", mdText(w))
	}
	if len(s.Why) > 0 {
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "Target %s (%s) · profile %s · conform %s · %.1f s\n\n",
		code(r.Target.URL), map[bool]string{true: "embedded reference server", false: "live"}[r.Target.Embedded],
		mdText(profileLine(r.Profile)), mdText(r.Version), r.Duration)
	b.WriteString("| pass | fail | warn | skip | error | xfail | cases |\n|---:|---:|---:|---:|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| %d | %d | %d | %d | %d | %d | %d |\n\n", s.Pass, s.Fail, s.Warn, s.Skip, s.Error, s.XFail, s.Total)
	m := s.Must
	fmt.Fprintf(&b, "**Coverage:** %s.\n", mdText(m.Line("MUST")))
	if p := r.Pace; p != nil {
		state := "partial (not every stimulus of the plan ran)"
		if p.Complete {
			state = "complete"
		}
		fmt.Fprintf(&b, "\n**Paced:** %s: at most %d wrong credentials within each %g s window (declared lockout: %d), %d waits\n", state, p.PerWindow, p.WindowSeconds, p.Attempts, p.Windows)
	}
	if r.Interrupted != "" {
		fmt.Fprintf(&b, "\n**Interrupted:** %s\n", mdText(r.Interrupted))
	}
	for _, n := range r.Reconfiguration {
		fmt.Fprintf(&b, "\n**Reconfiguration:** %s\n", mdText(n))
	}
	if r.RestoreError != "" {
		fmt.Fprintf(&b, "\n**The target may be left reconfigured:** %s\n", code(r.RestoreError))
	}
	if r.InfrastructureError != "" {
		fmt.Fprintf(&b, "\n**Infrastructure error:** %s\n", code(r.InfrastructureError))
	}
	if h := r.LegacyHint(); h != "" {
		fmt.Fprintf(&b, "\n**Note:** %s\n", mdText(h))
	}
	interopMarkdown(&b, r.Interop)
	causesMarkdown(&b, r.Causes())
	baselineMarkdown(&b, r.Cases)
	missing, what := r.MissingMust(), "MUST requirements that apply went unchecked"
	if r.Require != "" {
		missing, what = r.Ungated(), fmt.Sprintf("requirements unchecked (--require %s: this fails the run)", r.Require)
	}
	if len(missing) > 0 {
		fmt.Fprintf(&b, "\n<details><summary>%d %s</summary>\n\n", len(missing), what)
		for _, c := range missing {
			fmt.Fprintf(&b, "- **%s**: %s\n", c.ID, code(Clip(strings.Join(c.Why, "; "), 400)))
		}
		b.WriteString("\n</details>\n")
	}
	skips := map[string]int{}
	var reasons []string
	for _, c := range r.Cases {
		if c.Verdict == caselang.Skip {
			if skips[c.Message] == 0 {
				reasons = append(reasons, c.Message)
			}
			skips[c.Message]++
		}
	}
	if len(reasons) > 0 {
		fmt.Fprintf(&b, "\n<details><summary>%d skipped</summary>\n\n", s.Skip)
		for _, why := range reasons {
			fmt.Fprintf(&b, "- %d: %s\n", skips[why], code(Clip(firstLine(why), 300)))
		}
		b.WriteString("\n</details>\n")
	}
	if len(r.NotRun) > 0 {
		// Named, not counted: these stimuli were not sent, and a pipeline
		// that wants them runs --pace.
		fmt.Fprintf(&b, "\n<details><summary>%d left out by the wrong-credential budget</summary>\n\n"+
			"Taken in the fixed order of docs/catalogue.md; `--pace` runs them all, window by window.\n\n", len(r.NotRun))
		for _, id := range r.NotRun {
			fmt.Fprintf(&b, "- %s\n", code(id))
		}
		b.WriteString("\n</details>\n")
	}
	return []byte(strings.ToValidUTF8(b.String(), "\uFFFD")), nil
}

// code renders text as inline Markdown code, whatever it contains: the
// fence is one backtick longer than the longest run inside, and newlines
// and pipes (which would end a table cell) are replaced.
func code(s string) string {
	s = strings.NewReplacer("\n", " ", "\r", " ", "|", "¦").Replace(s)
	if s == "" {
		return ""
	}
	longest, run := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// mdText escapes the characters that would format, link or break a line
// of our own text.
func mdText(s string) string {
	return strings.NewReplacer("\n", " ", "\\", `\\`, "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "<", "&lt;", ">", "&gt;", "|", `\|`, "`", "\\`", "@", "&#64;").Replace(s)
}

// interopMarkdown writes the interop notes (INFO), one line each: conform's
// own text, the example case as code.
func interopMarkdown(b *strings.Builder, notes []InteropNote) {
	if len(notes) == 0 {
		return
	}
	b.WriteString("\n### Interop notes (INFO)\n\nConformant choices of the target that real clients are known to break on: never a verdict or an exit code.\n\n")
	for _, n := range notes {
		fmt.Fprintf(b, "- **%d** %s (e.g. %s): breaks %s (%s): %s\n", n.Count, mdText(n.Seen), code(n.Example), mdText(n.Client), mdText(n.cite()), mdText(n.Breaks))
	}
}

// mostCauses bounds the causes summary.md tells (report.html has them all).
const mostCauses = 20

// causesMarkdown writes the causes, largest first: one line each, then its
// requirement's sentence, an example case, explain and the rerun command.
// The target's text (expected, actual, an error) is code.
func causesMarkdown(b *strings.Builder, causes []Cause) {
	if len(causes) == 0 {
		return
	}
	fmt.Fprintf(b, "\n### What did not pass: %d %s, largest first\n\n", len(causes), map[bool]string{true: "cause", false: "causes"}[len(causes) == 1])
	for i, c := range causes {
		if i == mostCauses {
			fmt.Fprintf(b, "- … %d more causes in report.html\n", len(causes)-mostCauses)
			break
		}
		if c.Requirement == "" {
			fmt.Fprintf(b, "- **%s** %s: **%s**\n", c.Verdict, code(Clip(c.Actual, 300)), c.CountText())
		} else {
			fmt.Fprintf(b, "- **%s %s** (%s) %s: expected %s, actual %s: **%s**\n", c.Verdict, mdText(c.Requirement), mdText(c.Level),
				code(c.Check), code(Clip(c.Expected, 300)), code(Clip(c.Actual, 300)), c.CountText())
			fmt.Fprintf(b, "  - %s\n", mdText(c.Text))
		}
		fmt.Fprintf(b, "  - example %s · %s · %s\n", code(c.Example), code(c.Explain), code(c.Rerun))
	}
}

// baselineMarkdown writes the baselined cases that failed as known
// (XFAIL) or no longer fail (stale), one row each.
func baselineMarkdown(b *strings.Builder, cs []Case) {
	var rows []string
	for _, c := range cs {
		stale := c.Baseline != nil && c.Baseline.Stale != ""
		if c.Verdict != caselang.XFail && !stale {
			continue
		}
		what, verdict := "known failure: "+c.Baseline.String(), string(c.Verdict)
		if stale {
			what, verdict = c.Baseline.Stale, verdict+" (stale baseline)"
		}
		rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s |", verdict, code(c.Key()), requirementIDs(c.Requirements), code(Clip(what, 300))))
	}
	if len(rows) == 0 {
		return
	}
	b.WriteString("\n| baseline | case | requirements | why |\n|---|---|---|---|\n")
	const most = 50
	for i, row := range rows {
		if i == most {
			fmt.Fprintf(b, "| … | %d more in results.json | | |\n", len(rows)-most)
			break
		}
		b.WriteString(row + "\n")
	}
}
