package engine

import (
	"maps"
	"slices"
	"strconv"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/model"
	"github.com/roomconform/conform/internal/wire"
)

// invariantNote marks a finding that no check of the step asked for: an
// invariant of every answer, or the model's judgement of the state.
const invariantNote = "checked on every answer"

// judged adds to the step's findings what the model of the reading and the
// invariants of every auth answer say of observation o. A requirement the
// step's own checks already cite is left to them, so nothing is reported
// twice; only broken findings are added, so that passing cases stay
// readable. A check the model fills in (AsTheReadingSays) is the model's
// verdict on the answer, broken or not.
//
// Attribution: the model judges a deviation under the requirement whose
// stimulus provoked it (a login refused for its unknown field under ENV-8,
// not ROLE-1), so a step whose own check cites that requirement has judged
// it already and the model's finding is not added a second time. A 6 the
// model cannot put down to the case's own wrong credentials is not
// evaluated (model.PossibleLockout).
func (x *execution) judged(s caselang.Step, o caselang.Observation, v model.Verdict, auth bool) {
	own := map[string]bool{}
	var byModel *caselang.Check
	for i, ch := range s.Expect {
		if ch.ByModel() {
			byModel = &s.Expect[i]
		} else {
			own[ch.Req] = true
		}
	}
	if byModel != nil && (o.Response != nil || o.HTTPStatus != 0) {
		f := caselang.Finding{Requirement: byModel.Req, Level: caselang.LevelOf(byModel.Req), Check: byModel.Name, Step: o.Step,
			OK: true, Note: "the reading accepts any answer here"}
		if v.Outcome != nil {
			f = *v.Outcome
			f.Check = byModel.Name
		}
		x.add(f)
		own[f.Requirement] = true
		v.Outcome = nil
	}
	for _, f := range v.Broken() {
		if !own[f.Requirement] {
			f.Note = joinNote(f.Note, invariantNote)
			x.add(f)
		}
	}
	if v.Lockout {
		// What the model would have judged, shown as not evaluated, so that
		// coverage says why the requirement went unjudged.
		fs := v.Others
		if v.Outcome != nil { // nil when the step's own model check took it
			fs = append([]caselang.Finding{*v.Outcome}, fs...)
		}
		for _, f := range fs {
			if f.NotEvaluated != "" && !own[f.Requirement] {
				f.Note = joinNote(f.Note, invariantNote)
				x.add(f)
			}
		}
	}
	if auth && o.Malformed && !own["ENV-1"] {
		// An answer that is not one JSON object breaks ENV-1 whatever the
		// step asked; the step's own checks say they could not judge it.
		if f := caselang.OneJSONObject("ENV-1").Evaluate(o); f.Broken() {
			f.Note = joinNote(f.Note, invariantNote)
			x.add(f)
		}
	}
	if !auth || o.Response == nil {
		return
	}
	for _, ch := range caselang.EveryAuthAnswer(o) {
		if own[ch.Req] {
			continue
		}
		if f := ch.Evaluate(o); f.Broken() {
			f.Note = joinNote(f.Note, invariantNote)
			x.add(f)
		}
	}
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// distinctTokens checks a successful authorization's API token against
// every one the run has seen (AUTH-5: 32 successful authorizations return
// 32 distinct tokens). A token re-authorization may return the very token
// it was given (AUTH-5's accepted set: the same token, or a new one).
func (x *execution) distinctTokens(s caselang.Step, o caselang.Observation) {
	tok, _ := o.Response["token"].(string)
	if ok, _ := o.Response["result"].(bool); !ok || tok == "" {
		return
	}
	if presented, _ := o.Request["credentials"].(string); presented == tok {
		return // the token it was given
	}
	where := x.c.ID + " step " + o.Step
	before := x.r.svc.Tokens.firstIssued(tok, where)
	if before == "" {
		return
	}
	if x.reissued == nil {
		x.reissued = map[string]string{}
	}
	x.reissued[o.Step] = before
	if stepCites(s, "AUTH-5") {
		return
	}
	x.add(caselang.Finding{Requirement: "AUTH-5", Level: caselang.LevelOf("AUTH-5"), Step: o.Step, Check: "distinct tokens",
		Expected: "a token no earlier authorization returned", Actual: "the token " + before + " returned", Note: invariantNote})
}

func stepCites(s caselang.Step, req string) bool {
	for _, ch := range s.Expect {
		if ch.Req == req {
			return true
		}
	}
	return false
}

// blocker is an earlier deviation that took away what later steps on a
// connection need: the target closed the connection after a failed auth
// (ENV-9), or a login was refused by a possible lockout. client is the
// connection it holds for: a step that opens a new one is not blocked.
type blocker struct {
	req, step string
	client    *wire.Client
	why       string
}

// reason is the finding's NotEvaluated text.
func (b blocker) reason() string {
	if b.why != "" {
		return b.why
	}
	return "blocked by " + b.req + " at step " + b.step
}

// block records that later steps on connection name are not evaluated
// because of b.
func (x *execution) block(name string, b blocker) {
	if x.blocked == nil {
		x.blocked = map[string]blocker{}
	}
	if _, ok := x.blocked[name]; ok {
		return // the first deviation is the one that blocked it
	}
	b.client = x.conns[name]
	x.blocked[name] = b
	x.tr.Notef(name, "later steps on connection %s are not evaluated: %s", name, b.reason())
}

// blockerOf returns what blocks connection name, if anything still does.
func (x *execution) blockerOf(name string) (blocker, bool) {
	b, ok := x.blocked[name]
	if !ok || b.client == nil || x.conns[name] != b.client {
		return blocker{}, false
	}
	return b, true
}

// evaluateBlocked applies the step's own checks to an observation on a
// blocked connection: what could not be judged for the blocker is not
// evaluated; a check that passes anyway (a closed connection grants
// nothing, FAIL-4) and the blocker's own requirement stay as they are.
func (x *execution) evaluateBlocked(s caselang.Step, o caselang.Observation, b blocker) {
	for _, ch := range s.Expect {
		if ch.ByModel() {
			x.add(caselang.Finding{Requirement: ch.Req, Level: caselang.LevelOf(ch.Req), Step: o.Step, Check: ch.Name, NotEvaluated: b.reason()})
			continue
		}
		f := ch.Evaluate(o)
		if f.Broken() && ch.Req != b.req {
			f.NotEvaluated = b.reason()
		}
		x.add(f)
	}
	x.all = append(x.all, o)
}

// halt records that the case cannot go on after err and that an earlier
// deviation explains it (a broken finding, a blocked connection): the steps
// from the one that could not run on are not evaluated, blocked by that
// deviation. It returns false when nothing explains the error (then it is
// the suite's: an ERROR).
func (x *execution) halt(from int, err error) bool {
	why := ""
	for _, f := range x.findings {
		if f.Broken() {
			why = "blocked by " + f.Requirement + " at step " + f.Step
			break
		}
	}
	if why == "" {
		for _, name := range slices.Sorted(maps.Keys(x.blocked)) {
			why = x.blocked[name].reason()
			break
		}
	}
	if why == "" {
		return false
	}
	x.tr.Notef("", "case stopped: %v; the steps from here on are not evaluated (%s)", err, why)
	for i, s := range x.c.Steps[from:] {
		name := s.Name
		if name == "" {
			name = "#" + strconv.Itoa(from+i+1)
		}
		for _, ch := range s.Expect {
			x.add(caselang.Finding{Requirement: ch.Req, Level: caselang.LevelOf(ch.Req), Step: name, Check: ch.Name, NotEvaluated: why})
		}
	}
	x.halted = why
	return true
}
