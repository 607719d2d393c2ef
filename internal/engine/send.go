package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/wire"
)

// send runs a Send step: its request once, or Repeat times (RepeatFor: as
// many as the setting says) each on a fresh connection, as a reconnecting
// client would.
func (x *execution) send(ctx context.Context, s cases.Step, a cases.Send, name string, index int) error {
	reps := max(1, a.Repeat)
	if a.RepeatFor != "" {
		n, ok := a.RepeatFor.Of(x.set)
		if !ok {
			return fmt.Errorf("step %s: no setting %q", name, a.RepeatFor)
		}
		reps = n
	}
	for rep := range reps {
		if reps > 1 {
			x.closeConn(s.ConnName())
		}
		if err := x.sendOnce(ctx, s, a, name, requestID(x.c.ID, index, rep)); err != nil {
			return err
		}
	}
	return nil
}

// requestID is the fresh requestId of a step's request: the case, the
// step's number, and the repetition's.
func requestID(caseID string, index, rep int) string {
	id := fmt.Sprintf("%s/%d", caseID, index+1)
	if rep > 0 {
		id += "." + strconv.Itoa(rep+1)
	}
	return id
}

// sendOnce sends the request on the step's connection, takes the answer
// and applies the checks: the step's own, and the envelope every auth
// answer must have.
func (x *execution) sendOnce(ctx context.Context, s cases.Step, a cases.Send, name, id string) error {
	payload, sent, err := x.build(a.Request, id)
	if err != nil {
		return fmt.Errorf("step %s: %w", name, err)
	}
	conn, err := x.dialFor(ctx, s, a.ViaDiscovered)
	var redirect *wire.RedirectError
	// A refusal is the target's answer; a dial that ran out of time is no
	// answer (the machine may be too busy), and a redirect is never followed.
	judgeable := err != nil && !errors.As(err, &redirect) && !errors.Is(err, wire.ErrTimeout)
	if judgeable && (a.ViaDiscovered || a.MustConnect) {
		// The port config.json named does not answer (DISC-1), or the server
		// stopped accepting connections after bad input (ROB-1): that is the
		// finding, not a failure of the suite.
		o := x.observation(name)
		o.ResponseErr = err.Error()
		x.evaluate(s, o)
		return nil
	}
	if err != nil {
		x.troubled = true
		return fmt.Errorf("step %s: %w", name, err)
	}
	dl, err := x.tm.deadline(s, false)
	if err != nil {
		return fmt.Errorf("step %s: %w", name, err)
	}
	if err := x.tm.wait(ctx, dl, name); err != nil {
		return err
	}
	if s.SendsWrongCredential() {
		x.r.countWrong()
	}
	x.tm.sent[name] = x.tm.clock.Now()
	resp, callErr := conn.Call(ctx, payload)
	x.tm.answered[name] = x.tm.clock.Now()
	if errors.Is(callErr, wire.ErrTimeout) {
		// No answer within --response-timeout: the target did not answer, or
		// this machine was too slow to hear it. Not a verdict; the engine then
		// checks whether the target is still there.
		x.troubled = true
		return fmt.Errorf("step %s: %w", name, callErr)
	}
	// A late answer says nothing about the target: its checks are not made.
	if err := x.tm.check(dl, name, x.tm.answered[name]); err != nil {
		return err
	}
	o := x.observation(name)
	o.Matched, o.Sent = resp.Matched, sent
	_ = json.Unmarshal(payload, &o.Request)
	switch {
	case callErr != nil:
		o.ResponseErr = callErr.Error()
		o.Closed = errors.Is(callErr, wire.ErrClosed)
		x.troubled = x.troubled || o.Closed
	case resp.Err != nil:
		o.ResponseErr = "malformed response: " + resp.Err.Error()
	default:
		o.Response = resp.Fields
	}
	x.evaluate(s, o)
	auth := a.Request.MethodName() == "auth"
	if auth && o.Response != nil {
		x.findings = append(x.findings, envelopeProblems(s, o)...)
	}
	if a.ExactlyOne != "" && callErr == nil {
		x.findings = append(x.findings, x.exactlyOne(ctx, conn, a.ExactlyOne, name))
	}
	if o.Response != nil {
		x.responses[name] = o.Response
		if ok, _ := o.Response["result"].(bool); ok && auth {
			x.tm.authorized(name, s.ConnName(), a.Request.Credentials, a.Request.Type == nil)
		}
	}
	return nil
}

// envelopeProblems applies the envelope requirements (ENV-2, ENV-6, ENV-7)
// to every auth answer, not only in the ENV cases: requirements.md states
// them for every auth response. Only broken ones are kept, so passing cases
// stay readable; a step that checks the envelope itself is not checked twice.
func envelopeProblems(s cases.Step, o cases.Observation) []cases.Finding {
	var out []cases.Finding
	for _, ch := range cases.Envelope() {
		if stepChecks(s, ch.Req) {
			continue
		}
		if f := ch.Evaluate(o); !f.OK {
			f.Note = "checked on every auth response"
			out = append(out, f)
		}
	}
	return out
}

func stepChecks(s cases.Step, req string) bool {
	for _, ch := range s.Expect {
		if ch.Req == req {
			return true
		}
	}
	return false
}

// exactlyOne checks that no second answer follows within the quiet window.
func (x *execution) exactlyOne(ctx context.Context, conn *wire.Client, req, step string) cases.Finding {
	extra := conn.Quiet(ctx, x.target.QuietWindow)
	extra = append(extra, conn.Duplicates()...)
	f := cases.Finding{Requirement: req, Level: cases.LevelOf(req), Step: step, Check: "exactly one response"}
	if len(extra) == 0 {
		f.OK = true
		return f
	}
	f.Expected = "one response"
	f.Actual = fmt.Sprintf("%d more non-notification message(s) within %v (see transcript)", len(extra), x.target.QuietWindow)
	return f
}
