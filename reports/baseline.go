package reports

import (
	"bufio"
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

// Expects reports whether the baseline lists every way case c fails (or
// the whole case): the console's guess, as a case ends, at what the gate
// will make of it. The gate decides on the reports' (redacted) text.
func (b *Baseline) Expects(c Case, strict bool) bool {
	if b == nil {
		return false
	}
	if _, ok := b.Cases[c.Key()]; ok {
		return true
	}
	if _, ok := b.Cases[c.ID]; ok {
		return true
	}
	some := false
	for _, f := range c.Findings {
		if !fails(f.Finding, strict) {
			continue
		}
		if _, ok := b.Findings[FindingKey(c.Key(), f.Finding)]; !ok {
			return false
		}
		some = true
	}
	return some
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
		b.Stale = append(b.Stale, fmt.Sprintf("%s: case %q is not in this version of the catalogue (renamed or removed): take the line out, or rewrite it with --write-baseline", at, id))
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
	b.Warnings = append(b.Warnings, fmt.Sprintf("%s: %s names a whole case, which hides a new, different failure of it: rewrite it as the findings it knows (conform run --write-baseline FILE writes them)", at, caseKey))
	return nil
}

func isLink(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Apply marks the run's baselined cases. A FAIL whose every failing
// finding is a known one (or whose case has a case-only line) becomes
// XFAIL: an expected failure, not a pass, and not a new failure. A FAIL
// with a failing finding the baseline does not know stays a FAIL, its
// message saying which findings are new. A known case that passes now,
// or fails without a finding the baseline lists, is marked stale, which
// fails the run. A case that could not be judged stays an ERROR, which
// fails the gate as an ERROR (exit 3): never a verdict of the machine's
// pace. A WARN (still a defect, one that does not fail the gate) and a
// case not run stay neutral. The keys are the findings' (Tally sets them:
// call Apply after Tally, and Tally again after it).
func (b *Baseline) Apply(r *Run) {
	if b == nil {
		return
	}
	r.StaleBaseline = slices.Clone(b.Stale)
	for i := range r.Cases {
		b.mark(&r.Cases[i], r.Selection.Strict)
	}
}

func (b *Baseline) mark(c *Case, strict bool) {
	whole, wholeOK := b.Cases[c.Key()]
	if !wholeOK {
		whole, wholeOK = b.Cases[c.ID]
	}
	prefix := c.Key() + " "
	var listed []string
	for key := range b.Findings {
		if strings.HasPrefix(key, prefix) {
			listed = append(listed, key)
		}
	}
	if !wholeOK && len(listed) == 0 {
		return
	}
	slices.Sort(listed)
	var k Known
	if wholeOK {
		k = whole
	} else {
		k = b.Findings[listed[0]]
	}
	failing := map[string]bool{}
	var unknown []string
	for _, f := range c.Findings {
		if !fails(f.Finding, strict) {
			continue
		}
		failing[f.Key] = true
		if _, ok := b.Findings[f.Key]; !ok && !wholeOK && !slices.Contains(unknown, f.Key) {
			unknown = append(unknown, f.Key)
		}
	}
	var gone []string
	for _, key := range listed {
		if !failing[key] {
			gone = append(gone, key)
		}
	}
	switch c.Verdict {
	case caselang.Fail, caselang.XFail:
		c.Verdict, k.New = caselang.XFail, unknown
		if len(unknown) > 0 {
			c.Verdict = caselang.Fail
		}
		if len(gone) > 0 {
			k.Stale = "baselined, but it no longer fails so: " + strings.Join(gone, "; ") + ": rewrite the baseline (--write-baseline)"
		}
	case caselang.Pass:
		k.Stale = "baselined as a known failure, but it passes now: take it out of the baseline"
	}
	c.Baseline = &k
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
// reason that asks for one. Passing it as --baseline to the next run makes
// exactly these failures known.
func BaselineFile(r Run) ([]byte, error) {
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
				reason = strings.TrimSpace(k.Reason + " " + k.Link)
			}
			fmt.Fprintf(&b, "%s %s\n", f.Key, reason)
		}
	}
	return []byte(b.String()), nil
}
