package rundiff

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/roomconform/conform/internal/term"
)

// Text renders the diff for a terminal: one line per change, grouped per
// target (a fleet's under "target NAME:", indented), the fleet's verdict,
// and a final line with the counts. Every string from the documents is
// escaped (term.Line): a target's text never reaches the terminal raw nor
// starts a line of its own.
func (d Diff) Text() string {
	var b strings.Builder
	for _, t := range d.Targets {
		indent := ""
		if d.Kind == "fleet" {
			switch t.Status {
			case Added:
				fmt.Fprintf(&b, "target %s: only in the new document (%s, exit %d)\n", term.Line(t.Name), term.Line(t.Verdict.New), t.Verdict.NewExit)
				continue
			case Removed:
				fmt.Fprintf(&b, "target %s: only in the old document (%s, exit %d)\n", term.Line(t.Name), term.Line(t.Verdict.Old), t.Verdict.OldExit)
				continue
			}
			if t.empty() {
				continue
			}
			fmt.Fprintf(&b, "target %s:\n", term.Line(t.Name))
			indent = "  "
		}
		t.text(&b, indent)
	}
	if d.Fleet != nil {
		fmt.Fprintf(&b, "fleet verdict: %s -> %s\n", verdictText(d.Fleet.Old, d.Fleet.OldExit), verdictText(d.Fleet.New, d.Fleet.NewExit))
	}
	b.WriteString(d.Counts.line(d.Kind == "fleet"))
	b.WriteByte('\n')
	return b.String()
}

// empty reports whether nothing changed for the target.
func (t Target) empty() bool {
	return t.Verdict == nil && len(t.Cases)+len(t.Apart)+len(t.Findings)+len(t.Observations) == 0
}

// text writes the target's changes, one line each.
func (t Target) text(b *strings.Builder, indent string) {
	mark := func(r bool) string {
		if r {
			return "  REGRESSION"
		}
		return ""
	}
	if v := t.Verdict; v != nil {
		fmt.Fprintf(b, "%sverdict: %s -> %s%s\n", indent, verdictText(v.Old, v.OldExit), verdictText(v.New, v.NewExit), mark(v.Regression))
	}
	for _, c := range t.Cases {
		name := term.Line(c.Case)
		if c.OldCase != "" {
			name = term.Line(c.OldCase) + " -> " + name
		}
		fmt.Fprintf(b, "%scase %s: %s -> %s%s\n", indent, name, term.Line(string(c.Old)), term.Line(string(c.New)), mark(c.Regression))
	}
	for _, f := range t.Findings {
		fmt.Fprintf(b, "%sfinding %s %s: %s%s\n", indent, f.Change, f.Class, term.Line(f.Key), mark(f.Regression))
	}
	for _, o := range t.Observations {
		where := ""
		if o.Case != "" {
			where = term.Line(o.Case) + " "
			if o.Step != "" {
				where += "step " + term.Line(o.Step) + " "
			}
			where += term.Line(o.Requirement) + " "
		}
		fmt.Fprintf(b, "%sobservation %s%s: \"%s\" -> \"%s\"\n", indent, where, term.Line(o.What), term.Line(o.Old), term.Line(o.New))
	}
	for _, a := range t.Apart {
		fmt.Fprintf(b, "%scase only in the %s document (%s): %s %s\n", indent, a.Side, a.why(), term.Line(a.Case), term.Line(string(a.Verdict)))
	}
}

// why says in words why the case is in one document only.
func (a CaseApart) why() string {
	other := "new"
	if a.Side == "new" {
		other = "old"
	}
	switch a.Why {
	case BySelection:
		return fmt.Sprintf("the %s run's selection left it out: %s", other, term.Line(string(a.As)))
	case ByProfile:
		return "a generated case of a profile the other run's target was not in"
	case ByPreflight:
		return "a run failed its preflight: not comparable"
	}
	if a.Side == "new" {
		return "added to the catalogue"
	}
	return "removed from the catalogue"
}

func verdictText(v string, exit int) string {
	return fmt.Sprintf("%s (exit %d)", term.Line(v), exit)
}

// line is the counts as the text's last line.
func (c Counts) line(fleet bool) string {
	n := func(k int, one, many string) string {
		if k == 1 {
			return fmt.Sprintf("%d %s", k, one)
		}
		return fmt.Sprintf("%d %s", k, many)
	}
	head := "no regression"
	if c.Regressions > 0 {
		head = n(c.Regressions, "regression", "regressions")
	}
	parts := []string{
		n(c.VerdictChanges, "case verdict change", "case verdict changes"),
		n(c.RunVerdictChanges, "run verdict change", "run verdict changes"),
		n(c.NewFindings, "new finding", "new findings"),
		n(c.VanishedFindings, "vanished finding", "vanished findings"),
		n(c.Observations, "observation changed", "observations changed"),
		n(c.CasesApart, "case apart", "cases apart"),
	}
	if fleet {
		parts = append(parts, n(c.TargetsAdded, "target added", "targets added"), n(c.TargetsRemoved, "target removed", "targets removed"))
	}
	return head + ": " + strings.Join(parts, ", ")
}

// JSON renders the diff as the --json document (docs/results-schema.md,
// "conform diff --json"): as results.json, nothing in it a terminal acts
// on (term.JSON).
func (d Diff) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode diff: %w", err)
	}
	return term.JSON(append(b, '\n')), nil
}
