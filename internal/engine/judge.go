package engine

import (
	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/model"
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
func (x *execution) judged(s cases.Step, o cases.Observation, v model.Verdict, auth bool) {
	own := map[string]bool{}
	var byModel *cases.Check
	for i, ch := range s.Expect {
		if ch.ByModel() {
			byModel = &s.Expect[i]
		} else {
			own[ch.Req] = true
		}
	}
	if byModel != nil && (o.Response != nil || o.HTTPStatus != 0) {
		f := cases.Finding{Requirement: byModel.Req, Level: cases.LevelOf(byModel.Req), Check: byModel.Name, Step: o.Step,
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
	if !auth || o.Response == nil {
		return
	}
	for _, ch := range cases.EveryAuthAnswer(o) {
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
func (x *execution) distinctTokens(s cases.Step, o cases.Observation) {
	tok, _ := o.Response["token"].(string)
	if ok, _ := o.Response["result"].(bool); !ok || tok == "" {
		return
	}
	if presented, _ := o.Request["credentials"].(string); presented == tok {
		return // the token it was given
	}
	where := x.c.ID + " step " + o.Step
	before := x.r.firstIssued(tok, where)
	if before == "" || stepCites(s, "AUTH-5") {
		return
	}
	x.add(cases.Finding{Requirement: "AUTH-5", Level: cases.LevelOf("AUTH-5"), Step: o.Step, Check: "distinct tokens",
		Expected: "a token no earlier authorization returned", Actual: "the token " + before + " returned", Note: invariantNote})
}

func stepCites(s cases.Step, req string) bool {
	for _, ch := range s.Expect {
		if ch.Req == req {
			return true
		}
	}
	return false
}
