package reports

import (
	"bufio"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/roomconform/conform/caselang"
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

// Baseline maps case IDs to their known failure.
type Baseline map[string]Known

// ParseBaseline reads a baseline file: one case per line, "ID reason...",
// with an optional last word that is an http(s) URL (the issue tracking
// it); blank lines and lines starting with # are ignored. A case ID the
// catalogue cat does not hold, a missing reason and a case listed twice
// are errors.
func ParseBaseline(r io.Reader, name string, cat caselang.CaseSet) (Baseline, error) {
	b := Baseline{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		id := f[0]
		if _, ok := cat.Lookup(id); !ok {
			return nil, fmt.Errorf("%s:%d: unknown case %q (conform list shows every case ID)", name, n, id)
		}
		if _, dup := b[id]; dup {
			return nil, fmt.Errorf("%s:%d: case %s is listed twice", name, n, id)
		}
		var k Known
		rest := f[1:]
		if len(rest) > 0 && isLink(rest[len(rest)-1]) {
			k.Link, rest = rest[len(rest)-1], rest[:len(rest)-1]
		}
		k.Reason = strings.Join(rest, " ")
		if k.Reason == "" {
			return nil, fmt.Errorf("%s:%d: case %s needs a reason (\"ID reason [link]\")", name, n, id)
		}
		b[id] = k
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return b, nil
}

func isLink(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Apply marks the run's baselined cases: a FAIL becomes XFAIL (an expected
// failure: not a pass, and not a new failure); a case that passes now is
// marked stale, which fails the run. A case that could not be judged stays
// an ERROR, which fails the gate as an ERROR (exit 3): never a verdict of
// the machine's pace. A WARN (still a defect, one that does not fail the
// gate) and a case not run stay neutral. Call Tally afterwards.
func (b Baseline) Apply(r *Run) {
	for i := range r.Cases {
		c := &r.Cases[i]
		k, ok := b[c.ID]
		if !ok {
			continue
		}
		switch c.Verdict {
		case caselang.Fail, caselang.XFail:
			c.Verdict = caselang.XFail
		case caselang.Pass:
			k.Stale = "baselined as a known failure, but it passes now: take it out of the baseline"
		}
		c.Baseline = &k
	}
}

// Gate is what the verdict demands beyond the cases' own verdicts: the
// coverage (--require) and the known failures (--baseline).
type Gate struct {
	Require  string
	Baseline Baseline
}

// Apply marks r's baselined cases, records the coverage demand and tallies
// against the catalogue cat.
func (g Gate) Apply(r *Run, cat caselang.CaseSet) {
	r.Require = g.Require
	g.Baseline.Apply(r)
	r.Tally(cat)
}
