package reports

import (
	"strings"

	"github.com/roomconform/conform/internal/term"
)

// withText returns a copy of r with every free text passed through f, but
// for the cases' messages, the preflight's error and the transcripts (the
// callers treat those apart). r is not changed.
func (r Run) withText(f func(string) string) Run {
	r.Summary.Why = mapStrings(r.Summary.Why, f)
	r.StaleBaseline = mapStrings(r.StaleBaseline, f)
	r.Target.URL, r.Target.Web, r.Target.HTTP = f(r.Target.URL), f(r.Target.Web), f(r.Target.HTTP)
	r.Profile.Notes = mapStrings(r.Profile.Notes, f)
	r.Reconfiguration = mapStrings(r.Reconfiguration, f)
	r.RestoreError = f(r.RestoreError)
	r.InfrastructureError = f(r.InfrastructureError)
	r.Interrupted = f(r.Interrupted)
	// The coverage's reasons quote case messages: free text too.
	if r.Coverage != nil {
		cov := make([]Coverage, len(r.Coverage))
		for i, c := range r.Coverage {
			c.Why = mapStrings(c.Why, f)
			cov[i] = c
		}
		r.Coverage = cov
	}
	if r.Cases == nil {
		return r
	}
	cs := make([]Case, len(r.Cases))
	for i, c := range r.Cases {
		if c.Baseline != nil {
			k := *c.Baseline
			k.Reason, k.Link, k.Stale, k.New = f(k.Reason), f(k.Link), f(k.Stale), mapStrings(k.New, f)
			c.Baseline = &k
		}
		c.NotRun = mapStrings(c.NotRun, f)
		if c.Findings != nil {
			fs := make([]Finding, len(c.Findings))
			for j, x := range c.Findings {
				x.Expected, x.Actual, x.Note, x.NotEvaluated = f(x.Expected), f(x.Actual), f(x.Note), f(x.NotEvaluated)
				x.Key = f(x.Key)
				fs[j] = x
			}
			c.Findings = fs
		}
		cs[i] = c
	}
	r.Cases = cs
	return r
}

// messageLines are the lines of a case's message as the suite made it:
// its broken findings, one line each (whatever newline the target put in
// one), when the message is them; otherwise one line (a skip's reason, an
// error).
func messageLines(c Case) []string {
	var lines []string
	for _, f := range c.Findings {
		if f.Broken() {
			lines = append(lines, f.String())
		}
	}
	if len(lines) > 0 && strings.Join(lines, "\n") == c.Message {
		return lines
	}
	return []string{c.Message}
}

// shown is r as a report shows it: every free text on its line, newlines
// and control characters escaped (term.Line), and a message's own lines
// kept. Redacted does as much already; this holds for text set after it
// (a restore error, an interruption) and for a Run that never went through
// it. It never changes what already went through Redacted.
func (r Run) shown() Run {
	out := r.withText(term.Line)
	out.Preflight.Error = term.Line(r.Preflight.Error)
	p := &out.Profile
	p.Admin, p.User, p.Plan, p.Source = term.Line(p.Admin), term.Line(p.User), term.Line(p.Plan), term.Line(p.Source)
	for i, c := range out.Cases {
		lines := strings.Split(c.Message, "\n")
		for j, l := range lines {
			lines[j] = term.Line(l)
		}
		out.Cases[i].Message = strings.Join(lines, "\n")
		if c.Transcript != nil {
			tr := make([]Frame, len(c.Transcript))
			for j, fr := range c.Transcript {
				fr.Payload = term.Line(fr.Payload)
				tr[j] = fr
			}
			out.Cases[i].Transcript = tr
		}
	}
	if r.Preflight.Transcript != nil {
		tr := make([]Frame, len(r.Preflight.Transcript))
		for j, fr := range r.Preflight.Transcript {
			fr.Payload = term.Line(fr.Payload)
			tr[j] = fr
		}
		out.Preflight.Transcript = tr
	}
	return out
}
