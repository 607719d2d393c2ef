package rundiff

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/reports"
)

// lockoutCheck is the check that records how long a lockout lasted
// (caselang.RecordLockout): an observation though its requirement is RC-6,
// a SHOULD.
const lockoutCheck = "lockout duration"

// observed is one observation of a case: where, and what was seen.
type observed struct {
	req, check, step string
	seen             []string
}

// observations are c's INFO findings and its lockout durations, by
// requirement, check and step, in order; what was seen is the finding's
// note (its actual when it has none).
func observations(c reports.Case) ([]string, map[string]*observed) {
	var order []string
	m := map[string]*observed{}
	for _, f := range c.Findings {
		if f.NotEvaluated != "" || (f.Level != caselang.Info && f.Check != lockoutCheck) {
			continue
		}
		id := f.Requirement + "\x00" + f.Check + "\x00" + f.Step
		o := m[id]
		if o == nil {
			o = &observed{req: f.Requirement, check: f.Check, step: f.Step}
			m[id] = o
			order = append(order, id)
		}
		seen := f.Note
		if seen == "" {
			seen = f.Actual
		}
		o.seen = append(o.seen, seen)
	}
	return order, m
}

// caseObservations are the observations both results of a case recorded
// that differ. One recorded by one run only is not listed: the token
// exercises, which record TOK-4, run in the first case that obtained a
// token of each class, which the selection decides.
func caseObservations(caseKey string, old, new reports.Case) []Observation {
	_, om := observations(old)
	order, nm := observations(new)
	var out []Observation
	for _, id := range order {
		o, n := om[id], nm[id]
		if o == nil {
			continue
		}
		ov, nv := strings.Join(o.seen, "; "), strings.Join(n.seen, "; ")
		same := ov == nv
		if n.check == lockoutCheck && len(o.seen) == 1 && len(n.seen) == 1 {
			same = sameLockout(o.seen[0], n.seen[0])
		}
		if !same {
			out = append(out, Observation{Case: caseKey, Step: n.step, Requirement: n.req, What: n.check, Old: ov, New: nv})
		}
	}
	return out
}

// lockoutNote reads caselang.RecordLockout's note.
var lockoutNote = regexp.MustCompile(`^(correct credentials accepted again|still refused) after (\S+) \((\d+) attempts\)`)

// sameLockout reports whether two lockout notes say the same: the same
// outcome, and durations apart by at most one and a half polls. The
// duration is measured by polling (its resolution is the poll interval,
// the duration over the polls between, at least a second): a lockout that
// ends just before or just after a poll is the same lockout. Notes it
// cannot read are the same only when equal.
func sameLockout(old, new string) bool {
	parse := func(s string) (outcome string, d, res time.Duration, ok bool) {
		m := lockoutNote.FindStringSubmatch(s)
		if m == nil {
			return "", 0, 0, false
		}
		d, err1 := time.ParseDuration(m[2])
		n, err2 := strconv.Atoi(m[3])
		if err1 != nil || err2 != nil || n < 1 || d < 0 {
			return "", 0, 0, false
		}
		res = time.Second
		if n > 1 {
			res = max(res, d/time.Duration(n-1))
		}
		return m[1], d, res, true
	}
	oo, od, ores, ok1 := parse(old)
	no, nd, nres, ok2 := parse(new)
	if !ok1 || !ok2 {
		return old == new
	}
	delta := od - nd
	if delta < 0 {
		delta = -delta
	}
	return oo == no && delta <= max(ores, nres)*3/2
}

// runObservations are what the runs recorded of their targets as a whole,
// where both know it: the protection learnt by the preflight (admin, user,
// plan, the secrets it takes), whether successful auth answers carried
// resultCode (none, some or all without: the older firmware's shape), and
// which interop notes were seen. The counts behind the last two depend on
// the selection, so only their kind is compared.
func runObservations(old, new reports.Run) []Observation {
	var out []Observation
	add := func(what, o, n string) {
		if o != n {
			out = append(out, Observation{What: what, Old: o, New: n})
		}
	}
	if old.Preflight.OK && new.Preflight.OK {
		add("profile", profileLine(old.Profile), profileLine(new.Profile))
	}
	if old.Observed != nil && new.Observed != nil {
		add("successful auth without resultCode", resultCodeShape(old.Observed), resultCodeShape(new.Observed))
	}
	if old.Preflight.OK && new.Preflight.OK {
		add("interop notes", interopLine(old.Interop), interopLine(new.Interop))
	}
	return out
}

func profileLine(p reports.Profile) string {
	secrets := "none"
	if len(p.Secrets) > 0 {
		secrets = strings.Join(p.Secrets, ",")
	}
	return fmt.Sprintf("admin %s, user %s, plan %s, secrets %s", p.Admin, p.User, p.Plan, secrets)
}

func resultCodeShape(o *reports.Observed) string {
	switch {
	case o.SuccessfulAuth == 0:
		return "no successful auth"
	case o.WithoutResultCode == 0:
		return "none"
	case o.WithoutResultCode >= o.SuccessfulAuth:
		return "all"
	}
	return "some"
}

func interopLine(notes []reports.InteropNote) string {
	if len(notes) == 0 {
		return "none"
	}
	ids := make([]string, len(notes))
	for i, n := range notes {
		ids[i] = n.ID
	}
	slices.Sort(ids)
	return strings.Join(ids, ", ")
}
