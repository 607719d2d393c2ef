package reports

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/term"
)

// Known is a baselined case: a known failure of the target, with the
// reason it is accepted for now and, optionally, where it is tracked.
type Known struct {
	Reason string `json:"reason"`
	Link   string `json:"link,omitempty"`
	// Stale is set when the case was judged and did not fail: it passes now
	// (or could not be judged), so the baseline must be updated. A stale
	// entry fails the gate, so a baseline never goes stale silently.
	Stale string `json:"stale,omitempty"`
	// New lists the failing findings of a baselined case that the baseline
	// does not know (their keys): a new failure, so the case stays FAIL.
	New []string `json:"new,omitempty"`
}

// words are the entry as a baseline line ends: its reason, then its link.
func (k Known) words() string { return strings.TrimSpace(k.Reason + " " + k.Link) }

// String renders the entry: its reason and, in parentheses, its link.
func (k *Known) String() string {
	if k == nil {
		return ""
	}
	if k.Link == "" {
		return k.Reason
	}
	return k.Reason + " (" + k.Link + ")"
}

// Baseline is the operator's list of known failures (--baseline): by
// finding (FindingKey), and in the older form by case ID, which matches
// any failure of the case.
type Baseline struct {
	// Findings maps finding keys to their known failure.
	Findings map[string]Known
	// Cases maps case IDs of the older, case-only lines to theirs.
	Cases map[string]Known
	// Stale are the entries no case of the catalogue answers to any more
	// (renamed or removed), "file:line: ...": stale, as a known failure
	// that passes now is.
	Stale []string
	// Warnings say which lines to rewrite: a case-only line hides a new,
	// different failure of its case.
	Warnings []string
}

// ParseBaseline reads a baseline file, one known failure a line:
//
//	CASE REQUIREMENT check="..." expected="..." reason [link]
//	CASE reason [link]
//
// The first names one finding (its key, FindingKey: what --write-baseline
// writes); the second, the older form, any failure of the case, and draws
// a warning to rewrite it. The optional last word is an http(s) URL (the
// issue tracking it); blank lines and lines starting with # are ignored.
// A missing reason and an entry listed twice are errors; an entry whose
// case the catalogue cat no longer holds is stale (Baseline.Stale), not an
// error, so that a new version of the suite reports it with the run. The
// reasons are the operator's text, shown as the target's is: one line,
// control characters escaped.
func ParseBaseline(r io.Reader, name string, cat caselang.CaseSet) (*Baseline, error) {
	b := &Baseline{Findings: map[string]Known{}, Cases: map[string]Known{}}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := b.parseLine(line, fmt.Sprintf("%s:%d", name, n), cat); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return b, nil
}

func (b *Baseline) parseLine(line, at string, cat caselang.CaseSet) error {
	fields := splitQuoted(line)
	key, rest, byFinding := parseKey(fields)
	caseKey := fields[0]
	id, _, _ := strings.Cut(caseKey, "@")
	if !byFinding {
		rest = fields[1:]
	}
	var k Known
	if len(rest) > 0 && isLink(rest[len(rest)-1]) {
		k.Link, rest = rest[len(rest)-1], rest[:len(rest)-1]
	}
	k.Reason = strings.Join(rest, " ")
	if k.Reason == "" {
		return fmt.Errorf("%s: %s needs a reason (\"CASE REQUIREMENT check=... expected=... reason [link]\", or \"CASE reason [link]\")", at, caseKey)
	}
	if _, ok := cat.Lookup(id); !ok {
		b.Stale = append(b.Stale, term.Line(fmt.Sprintf("%s: case %q is not in this version of the catalogue (renamed or removed): take the line out, or rewrite it with --write-baseline", at, id)))
		return nil
	}
	if byFinding {
		if _, dup := b.Findings[key]; dup {
			return fmt.Errorf("%s: the finding %s is listed twice", at, key)
		}
		b.Findings[key] = k
		return nil
	}
	if _, dup := b.Cases[caseKey]; dup {
		return fmt.Errorf("%s: case %s is listed twice", at, caseKey)
	}
	b.Cases[caseKey] = k
	b.Warnings = append(b.Warnings, term.Line(fmt.Sprintf("%s: %s names a whole case, which hides a new, different failure of it: rewrite it as the findings it knows (conform run --write-baseline FILE writes them)", at, caseKey)))
	return nil
}

func isLink(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Apply marks the run's baselined cases. A FAIL whose every failing
// finding is a known one (or whose case has a case-only line) becomes
// XFAIL: an expected failure, not a pass, and not a new failure. A FAIL
// with a failing finding the baseline does not know stays a FAIL, with
// the new findings named (Known.New). A listed finding that no longer
// fails (the case passes now, only warns, or fails otherwise) makes the
// entry stale, which fails the run; so does a case-only line of a case
// that passes. A case that could not be judged stays an ERROR, which fails
// the gate as an ERROR (exit 3): never a verdict of the machine's pace; a
// case not run stays neutral, and its entries are carried into a
// --write-baseline file. The keys are the findings' (Tally sets them:
// call Apply after Tally, and Tally again after it).
func (b *Baseline) Apply(r *Run) {
	if b == nil {
		return
	}
	r.StaleBaseline = slices.Clone(b.Stale)
	r.carried = nil
	for i := range r.Cases {
		b.mark(&r.Cases[i], r.Selection.Strict)
	}
	r.carried = b.unjudged(r)
}

// judgement is what a baseline makes of one case's failing findings.
type judgement struct {
	whole   *Known   // its case-only line, if any
	listed  []string // the finding keys the baseline lists for it, sorted
	unknown []string // failing findings it does not list
	gone    []string // listed findings that do not fail
}

// judge compares case c's failing findings, keyed by key, with the
// baseline: the one judgement the gate (mark) and the console's guess
// (Expects) share.
func (b *Baseline) judge(c Case, strict bool, key func(Finding) string) judgement {
	var j judgement
	if k, ok := b.Cases[c.Key()]; ok {
		j.whole = &k
	} else if k, ok := b.Cases[c.ID]; ok {
		j.whole = &k
	}
	prefix := c.Key() + " "
	for k := range b.Findings {
		if strings.HasPrefix(k, prefix) {
			j.listed = append(j.listed, k)
		}
	}
	slices.Sort(j.listed)
	failing := map[string]bool{}
	for _, f := range c.Findings {
		if !fails(f.Finding, strict) {
			continue
		}
		k := key(f)
		failing[k] = true
		if _, ok := b.Findings[k]; !ok && j.whole == nil && !slices.Contains(j.unknown, k) {
			j.unknown = append(j.unknown, k)
		}
	}
	for _, k := range j.listed {
		if !failing[k] {
			j.gone = append(j.gone, k)
		}
	}
	return j
}

func (b *Baseline) mark(c *Case, strict bool) {
	j := b.judge(*c, strict, func(f Finding) string { return f.Key })
	if j.whole == nil && len(j.listed) == 0 {
		return
	}
	var k Known
	if j.whole != nil {
		k = *j.whole
	} else {
		k = b.Findings[j.listed[0]]
	}
	goneStale := "baselined, but it no longer fails so: " + strings.Join(j.gone, "; ") + ": rewrite the baseline (--write-baseline)"
	switch c.Verdict {
	case caselang.Fail, caselang.XFail:
		c.Verdict, k.New = caselang.XFail, j.unknown
		if len(j.unknown) > 0 {
			c.Verdict = caselang.Fail
		}
		if len(j.gone) > 0 {
			k.Stale = goneStale
		}
	case caselang.Warn:
		// Still a defect, one that does not fail the gate: a case-only
		// line stays; a listed MUST finding that no longer fails is stale.
		if len(j.gone) > 0 {
			k.Stale = goneStale
		}
	case caselang.Pass:
		k.Stale = "baselined as a known failure, but it passes now: take it out of the baseline"
	}
	c.Baseline = &k
}

// Expects reports whether the baseline lists every way case c fails (or
// the whole case): the console's guess, as a case ends, at what the gate
// will make of it (judge, on the text as the case has it; the gate keys
// the reports' redacted text).
func (b *Baseline) Expects(c Case, strict bool) bool {
	if b == nil {
		return false
	}
	j := b.judge(c, strict, func(f Finding) string { return FindingKey(c.Key(), f.Finding) })
	return (j.whole != nil || len(j.listed) > 0) && len(j.unknown) == 0
}

// unjudged are the baseline's lines for the cases this run did not judge
// (not selected, skipped, in error): a --write-baseline file keeps them,
// so that rewriting a baseline after a partial run loses no known failure.
func (b *Baseline) unjudged(r *Run) []string {
	judged := map[string]bool{}
	for _, c := range r.Cases {
		if ranToVerdict(c.Verdict) {
			judged[c.Key()], judged[c.ID] = true, true
		}
	}
	var out []string
	for key, k := range b.Findings {
		if caseKey, _, _ := strings.Cut(key, " "); !judged[caseKey] {
			out = append(out, key+" "+k.words())
		}
	}
	for id, k := range b.Cases {
		if !judged[id] {
			out = append(out, id+" "+k.words())
		}
	}
	slices.Sort(out)
	return out
}

// fails reports whether finding f makes its case FAIL (under --strict a
// broken SHOULD does too).
func fails(f caselang.Finding, strict bool) bool {
	return f.Broken() && (f.Level == caselang.Must || strict)
}

// Gate is what the verdict demands beyond the cases' own verdicts: the
// coverage (--require) and the known failures (--baseline; nil: none).
type Gate struct {
	Require  string
	Baseline *Baseline
}

// Apply records the coverage demand, tallies against the catalogue cat
// (which keys the findings), marks the run's baselined cases and tallies
// again.
func (g Gate) Apply(r *Run, cat caselang.CaseSet) {
	r.Require = g.Require
	r.Tally(cat)
	if g.Baseline != nil {
		g.Baseline.Apply(r)
		r.Tally(cat)
	}
}

// RedactBaselines passes the operator's baseline text (reasons, links) of
// r's cases through redact, one line each, as Redacted does the target's:
// for a gate applied after Redacted.
func (r *Run) RedactBaselines(redact func(string) string) {
	f := func(s string) string { return term.Line(Clip(redact(s), MaxField)) }
	for i := range r.Cases {
		if k := r.Cases[i].Baseline; k != nil {
			cp := *k
			cp.Reason, cp.Link = f(cp.Reason), f(cp.Link)
			r.Cases[i].Baseline = &cp
		}
	}
}

// BaselineFile renders the run's failing findings as a baseline file
// (--write-baseline): one line per finding that makes a case FAIL (or
// XFAIL), its key and its reason: the baseline's own for a known failure,
// so that rewriting a baseline keeps the reasons, and for a new one a
// reason that asks for one; then the --baseline lines of the cases the
// run did not judge, as they were. Passing it as --baseline to the next
// run makes exactly these failures known. A run that did not reach a
// verdict writes none (BaselineWithheld).
func BaselineFile(r Run) ([]byte, error) {
	if why := r.BaselineWithheld(); why != "" {
		return nil, errWithheld
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# conform baseline: the failing findings of a run against %s (seed %d), %s\n", r.Target.URL, r.Seed, r.StartedAt.UTC().Format(time.RFC3339))
	b.WriteString("# one known failure a line: CASE REQUIREMENT check=\"...\" expected=\"...\" reason [link]\n")
	b.WriteString("# give each a reason (and a link to where it is tracked); pass the file as --baseline\n")
	seen := map[string]bool{}
	for _, c := range r.Cases {
		if c.Verdict != caselang.Fail && c.Verdict != caselang.XFail {
			continue
		}
		for _, f := range c.Findings {
			if !fails(f.Finding, r.Selection.Strict) || seen[f.Key] {
				continue
			}
			seen[f.Key] = true
			reason := "recorded by --write-baseline: why is it accepted?"
			if k := c.Baseline; k != nil && !slices.Contains(k.New, f.Key) && k.Reason != "" {
				reason = k.words()
			}
			fmt.Fprintf(&b, "%s %s\n", f.Key, reason)
		}
	}
	if len(r.carried) > 0 {
		b.WriteString("# the --baseline lines of cases this run did not judge, kept as they were:\n")
		for _, l := range r.carried {
			fmt.Fprintf(&b, "%s\n", l)
		}
	}
	return []byte(b.String()), nil
}

// errWithheld is BaselineFile's answer for a run without a verdict: no
// file is written (WriteAll skips it).
var errWithheld = errors.New("withheld")

// BaselineWithheld says why a --write-baseline file is not written for
// this run ("" when it is): a run that did not reach a verdict (the
// preflight failed, it was interrupted, its text could not be redacted, a
// restore failed) would write a baseline that forgets failures it never
// judged.
func (r Run) BaselineWithheld() string {
	switch {
	case !r.Preflight.OK:
		return "the preflight failed"
	case r.Interrupted != "":
		return "the run was interrupted"
	case r.InfrastructureError != "":
		return "the run is an infrastructure error"
	case r.RestoreError != "":
		return "the original protection could not be restored"
	}
	return ""
}
