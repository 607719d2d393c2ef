package reports

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/roomconform/conform/caselang"
)

// Cause is one defect as the run saw it: the broken findings of the cases
// that failed or warned, grouped by requirement, check and the shape of
// what was expected and what was seen (shape), or the message of the
// cases that ended in an ERROR, grouped by its shape. One defect of the
// target is one Cause however many cases meet it; two defects under one
// requirement are two, since what they expected or saw differs in more
// than the numbers, IDs, quoted values and durations that vary from case
// to case.
type Cause struct {
	// Requirement and Level are the broken requirement's ("" for an
	// ERROR's message).
	Requirement string
	Level       string
	// Text is the requirement's sentence (caselang.Requirements).
	Text string
	// Check, Expected and Actual are the example's finding (Check "" and
	// Actual the message for an ERROR).
	Check    string
	Expected string
	Actual   string
	// Verdict is the verdict the cause gives a case: FAIL, WARN (a SHOULD;
	// FAIL under --strict) or ERROR.
	Verdict caselang.Verdict
	// Cases are the keys of the cases it made FAIL, WARN or ERROR, in the
	// run's order.
	Cases []string
	// Example is the key of one of them, whose transcript shows the cause
	// (a case of the target's own profile, hand-written, when there is
	// one); Explain and Rerun are the commands that explain its
	// requirement (or the case, for an ERROR) and run it again.
	Example string
	Explain string
	Rerun   string
}

// Count is how many cases the cause made FAIL, WARN or ERROR.
func (c Cause) Count() int { return len(c.Cases) }

// What is the cause in words, without its count: "ENV-2 (MUST) method:
// expected method "auth", actual method "Auth" (string)", or an ERROR's
// message.
func (c Cause) What() string {
	if c.Requirement == "" {
		return c.Actual
	}
	s := fmt.Sprintf("%s (%s) %s", c.Requirement, c.Level, c.Check)
	if c.Expected != "" || c.Actual != "" {
		s += fmt.Sprintf(": expected %s, actual %s", c.Expected, c.Actual)
	}
	return s
}

// CountText is "1 case" or "N cases".
func (c Cause) CountText() string {
	return strconv.Itoa(c.Count()) + " " + plural(c.Count(), "case", "cases")
}

// causeKey is what one cause shares: the finding key (requirement, check,
// expected) without the case, expected and actual by their shape, and the
// verdict the finding gives.
type causeKey struct {
	verdict                              caselang.Verdict
	requirement, check, expected, actual string
}

// evidence is one reason a case did not pass: a broken finding, or the
// message of an ERROR.
type evidence struct {
	verdict                                     caselang.Verdict
	requirement, level, check, expected, actual string
}

// Causes groups what made the run's cases FAIL, WARN or ERROR by cause,
// largest first (ties: in the order of the reading's requirements, then
// as the run met them). A case counts once for each of its causes; a
// baselined (XFAIL) case is not a cause, the baseline lists it. Causes
// shows the Run's text as it is: built from a redacted Run, it shows
// nothing the Run does not.
func (r Run) Causes() []Cause {
	sh := newShaper(r.Cases)
	index := map[causeKey]int{}
	var out []Cause
	var ranks []int // of each cause's example
	byKey := map[string]Case{}
	for _, c := range r.Cases {
		byKey[c.Key()] = c
	}
	for _, c := range r.Cases {
		for _, e := range evidenceOf(c, r.Selection.Strict) {
			k := causeKey{e.verdict, e.requirement, e.check, sh.shape(e.expected), sh.shape(e.actual)}
			i, ok := index[k]
			if !ok {
				i = len(out)
				index[k] = i
				out = append(out, Cause{Requirement: e.requirement, Level: e.level, Check: e.check, Verdict: e.verdict})
				ranks = append(ranks, -1)
			}
			cause := &out[i]
			if n := len(cause.Cases); n > 0 && cause.Cases[n-1] == c.Key() {
				continue // the case met it at another step: it counts once
			}
			cause.Cases = append(cause.Cases, c.Key())
			if rank := exampleRank(c); ranks[i] < 0 || rank < ranks[i] {
				ranks[i] = rank
				cause.Example, cause.Expected, cause.Actual = c.Key(), e.expected, e.actual
			}
		}
	}
	for i := range out {
		r.describe(&out[i], byKey[out[i].Example])
	}
	order := requirementOrder()
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Count() != out[j].Count() {
			return out[i].Count() > out[j].Count()
		}
		return order(out[i].Requirement) < order(out[j].Requirement)
	})
	return out
}

// evidenceOf is what made case c FAIL, WARN or ERROR: its broken findings
// (each with the verdict it gives: a MUST fails, a SHOULD warns, or fails
// under strict), or, for an ERROR or a verdict no finding explains, its
// message.
func evidenceOf(c Case, strict bool) []evidence {
	if c.Verdict != caselang.Fail && c.Verdict != caselang.Warn && c.Verdict != caselang.Error {
		return nil
	}
	var out []evidence
	if c.Verdict != caselang.Error {
		for _, f := range c.Findings {
			if !f.Broken() {
				continue
			}
			if k := c.Baseline; k != nil && c.Verdict == caselang.Fail && len(k.New) > 0 && !slices.Contains(k.New, f.Key) {
				continue // a known failure of a case that now also fails otherwise: only the new is a cause
			}
			v := caselang.Warn
			if fails(f.Finding, strict) {
				v = caselang.Fail
			}
			out = append(out, evidence{verdict: v, requirement: f.Requirement, level: string(f.Level), check: f.Check, expected: f.Expected, actual: f.Actual})
		}
	}
	if len(out) == 0 {
		msg, _, _ := strings.Cut(c.Message, "\n")
		out = append(out, evidence{verdict: c.Verdict, actual: msg})
	}
	return out
}

// exampleRank orders the candidate examples of a cause: a case of the
// target's own profile before one the walk moved (its rerun needs the
// walk too), a hand-written case before a generated or explored one (a
// shorter transcript, a title that says what it does).
func exampleRank(c Case) int {
	rank := 0
	if c.Profile != "" {
		rank += 2
	}
	if c.HasLabel("generated") || c.HasLabel("explore") {
		rank++
	}
	return rank
}

// describe fills in what a reader of cause c needs besides the grouping:
// the requirement's sentence, and the commands that explain it and run
// its example ex again.
func (r Run) describe(c *Cause, ex Case) {
	if req, ok := caselang.LookupRequirement(c.Requirement); ok {
		c.Text = req.Text
	}
	what := c.Requirement
	if what == "" {
		what = ex.ID
	}
	c.Explain = "conform explain " + what
	c.Rerun = r.Rerun(ex)
}

// requirementOrder returns the position of a requirement in the reading
// (an unknown one, and an ERROR's "", after every known one).
func requirementOrder() func(id string) int {
	pos := map[string]int{}
	for i, req := range caselang.Requirements() {
		pos[req.ID] = i
	}
	return func(id string) int {
		if i, ok := pos[id]; ok {
			return i
		}
		return len(pos)
	}
}

// Rerun is the command that runs case c again as this run ran it: against
// the same target (its URL as the Run has it, redacted: the operator's
// secrets come from the environment, as they did), or the embedded server
// set up the same way (Run.Server), with the live target's --web or
// --http; the same seed, --strict, --legacy and --plan free;
// --allow-reconfigure for a case that changes the target's protection,
// which a live run only runs with it. What the Run does not record
// (lifetimes, timeouts) must be added by hand.
func (r Run) Rerun(c Case) string {
	args := []string{"conform", "run"}
	if !r.Target.Embedded {
		args = append(args, "--target", shellQuote(r.Target.URL))
		switch {
		case r.Target.Web != "":
			args = append(args, "--web", shellQuote(r.Target.Web))
		case r.Target.HTTP != "":
			args = append(args, "--http", shellQuote(r.Target.HTTP))
		}
	} else if s := r.Server; s != nil {
		if s.Profile != "" {
			args = append(args, "--profile", shellQuote(s.Profile))
		}
		for _, f := range s.Faults {
			args = append(args, "--fault", shellQuote(f))
		}
		for _, v := range s.Variants {
			args = append(args, "--variant", shellQuote(v))
		}
	}
	if r.Profile.Plan == string(caselang.Free) && (!r.Target.Embedded || r.Server == nil || r.Server.Profile == "") {
		args = append(args, "--plan", "free")
	}
	args = append(args, "--case", shellQuote(c.ID))
	if r.Seed != 0 {
		args = append(args, "--seed", strconv.FormatUint(r.Seed, 10))
	}
	if r.Selection.Strict {
		args = append(args, "--strict")
	}
	if r.Selection.Legacy {
		args = append(args, "--legacy")
	}
	if !r.Target.Embedded && c.HasLabel("mutating") {
		args = append(args, "--allow-reconfigure")
	}
	return strings.Join(args, " ")
}

// shellSafe are the words a POSIX shell takes as they are.
var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// shellQuote makes s one word of a POSIX shell command.
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// The shape of a text abstracts what varies between the cases that meet
// one defect and keeps what tells two defects apart:
//   - a quoted value becomes "…": request IDs, tokens, secrets the suite
//     set, a method name misspelt in whatever way (a value's type, which
//     describeField writes after it, "(string)", stays);
//   - a case's ID becomes <case> ("the token case X step #2 returned");
//   - a duration ("5s", "1.25ms", "1m30s") becomes <duration>;
//   - a number of three digits or more, or with a fraction, becomes N
//     (ports, sizes, counts, times), as does a step's number (#N);
//   - a number of one or two digits stays: resultCode 4 and resultCode 0
//     where 8 was expected are two defects, previleges 1 and 2 too;
//   - a connection's name ("on connection x1") becomes <conn>: a
//     notification missing on a case's fourth connection is the defect it
//     is on its first.
var (
	connRe     = regexp.MustCompile(`\bon connection [A-Za-z][A-Za-z0-9_-]*`)
	quotedRe   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"?`)
	durationRe = regexp.MustCompile(`\b\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h)(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))*\b`)
	numberRe   = regexp.MustCompile(`\b\d+\.\d+\b|\b\d{3,}\b`)
	stepRe     = regexp.MustCompile(`#\d+\b`)
)

// shaper computes shapes for the texts of one run's cases.
type shaper struct{ ids *strings.Replacer }

// newShaper knows the IDs and keys of cs, longest first (so that a case
// whose ID begins another's is not matched inside it).
func newShaper(cs []Case) shaper {
	seen := map[string]bool{}
	var ids []string
	for _, c := range cs {
		for _, id := range []string{c.ID, c.Key()} {
			if id != "" && !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	sort.Slice(ids, func(i, j int) bool { return len(ids[i]) > len(ids[j]) })
	pairs := make([]string, 0, 2*len(ids))
	for _, id := range ids {
		pairs = append(pairs, id, "<case>")
	}
	return shaper{ids: strings.NewReplacer(pairs...)}
}

// shape is s with what varies between the cases of one defect abstracted.
func (sh shaper) shape(s string) string {
	s = quotedRe.ReplaceAllString(s, `"…"`)
	s = sh.ids.Replace(s)
	s = connRe.ReplaceAllString(s, "on connection <conn>")
	s = durationRe.ReplaceAllString(s, "<duration>")
	s = numberRe.ReplaceAllString(s, "N")
	return stepRe.ReplaceAllString(s, "#N")
}
