package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/model"
	"github.com/roomconform/conform/internal/wire"
)

// send runs a Send step: its request once, or Repeat times (RepeatFor: as
// many as the setting says) each on a fresh connection, as a reconnecting
// client would.
func (x *execution) send(ctx context.Context, s caselang.Step, a caselang.Send, name string) error {
	reps := max(1, a.Repeat)
	if a.RepeatFor != "" {
		n, ok := a.RepeatFor.Of(x.set)
		if !ok {
			return fmt.Errorf("step %s: no setting %q", name, a.RepeatFor)
		}
		reps = n
	}
	for range reps {
		if reps > 1 {
			x.closeQuietly(ctx, s.ConnName())
		}
		if err := x.sendOnce(ctx, s, a, name); err != nil {
			return err
		}
	}
	return nil
}

// sendOnce sends the request on the step's connection, takes the answer
// and judges it: by the step's own checks, by the invariants every auth
// answer must satisfy, and by the model of the reading, which then
// observes the connections whose mode the answer changed or kept.
func (x *execution) sendOnce(ctx context.Context, s caselang.Step, a caselang.Send, name string) error {
	if why := x.r.svc.Health.Lockout(); why != "" && s.SendsWrongCredential() {
		// A lockout the run did not cause may be in force: another wrong
		// credential could prolong it, or lock out the operator.
		o := x.observation(name)
		x.tr.Notef(s.ConnName(), "step %s not sent: %s; the run sends no more wrong credentials", name, why)
		x.evaluateBlocked(s, o, blocker{why: "not sent: " + why})
		return nil
	}
	auto := x.nextID()
	payload, sent, err := x.build(a.Request, auto)
	if err != nil {
		return fmt.Errorf("step %s: %w", name, err)
	}
	if id, ok := wire.ParseMessage(payload, false).RequestID(); ok && id != any(auto) {
		x.explicit = append(x.explicit, id)
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
		x.r.svc.Budget.CountWrong()
		// The window counts from when the target had it: its answer (or
		// the end of the wait for one), never from a send that a busy
		// machine may have made earlier than the target saw it.
		defer x.r.svc.Budget.Delivered()
	}
	o := x.observation(name)
	o.Sent = sent
	_ = json.Unmarshal(payload, &o.Request)
	before := x.m.Snapshot()
	x.tm.sent[name] = x.tm.clock.Now()
	state, class := x.m.State(s.ConnName(), x.tm.sent[name]), x.m.InputClass(o.Request, x.tm.sent[name])
	connClass := x.m.PairClass(s.ConnName(), x.tm.sent[name])
	xm := x.m.Expect(s.ConnName(), name, o.Request, x.tm.sent[name])
	var resp wire.Response
	var callErr error
	// The requestId as the client reads ids (numbers as json.Number).
	sentID, hasID := wire.ParseMessage(payload, false).RequestID()
	if !hasID || x.reusesID(s.ConnName(), sentID) {
		var answered bool
		resp, answered, callErr = x.pipelinedCall(ctx, conn, s.ConnName(), payload, sentID, hasID)
		if callErr == nil && !answered {
			// Skipped: by the barrier's answer the request's would have come.
			x.tm.answered[name] = x.tm.clock.Now()
			x.m.Lost(s.ConnName())
			x.add(caselang.Finding{Requirement: "ENV-1", Level: caselang.LevelOf("ENV-1"), Step: name, Check: "exactly one response",
				Expected: "an answer to the request", Actual: "none, though the next request on the connection was answered", Note: invariantNote})
			o.ResponseErr = "no answer; the next request on the connection was answered"
			x.evaluate(s, o)
			return nil
		}
	} else {
		resp, callErr = conn.CallOrStale(ctx, payload)
		if callErr == nil && resp.Stale {
			resp, callErr = x.settleStale(ctx, conn, s.ConnName(), name, o.Request["requestId"], resp)
		}
	}
	x.tm.answered[name] = x.tm.clock.Now()
	if errors.Is(callErr, wire.ErrTimeout) {
		// No answer within --response-timeout: the target did not answer, or
		// this machine was too slow to hear it. If the target answers the
		// next request on the connection and the first answer never came,
		// it did not answer (ENV-1); otherwise it is not a verdict, and the
		// engine then checks whether the target is still there.
		x.m.Lost(s.ConnName())
		if !x.unanswered(ctx, conn, s, name) {
			x.troubled = true
			return fmt.Errorf("step %s: %w", name, callErr)
		}
		x.tm.answered[name] = x.tm.clock.Now()
		o.ResponseErr = "no answer; the next request on the connection was answered"
		x.evaluate(s, o)
		return nil
	}
	// A late answer says nothing about the target: its checks are not made.
	if err := x.tm.check(dl, name, x.tm.answered[name]); err != nil {
		return err
	}
	o.Matched = resp.Matched
	switch {
	case callErr != nil:
		o.ResponseErr = callErr.Error()
		o.Closed = errors.Is(callErr, wire.ErrClosed)
		x.troubled = x.troubled || o.Closed
	case resp.Err != nil:
		o.ResponseErr, o.Malformed = "malformed response: "+resp.Err.Error(), true
	default:
		o.Response = resp.Fields
	}
	if o.Closed {
		x.closedAfterFailure(s.ConnName())
	}
	auth := a.Request.MethodName() == "auth"
	if auth {
		x.r.svc.Answers.count(o.Response)
		o.Response = x.legacyAnswer(name, o.Response)
	}
	if auth {
		// A paced run kept under the declared lockout: a 6 says the
		// declaration is wrong, and nothing more is sent.
		if err := x.r.svc.Budget.CheckAnswer(o.Response, "case "+x.c.ID+" step "+name); err != nil {
			x.r.svc.Health.suspectLockout(err.Error())
			x.r.svc.Health.giveUp(err.Error())
			x.tr.Notef(s.ConnName(), "step %s: %v", name, err)
			return err
		}
	}
	v := xm.Judge(o.Response, x.tm.answered[name])
	if v.Lockout {
		x.possibleLockout(s, o, name)
	} else {
		x.evaluate(s, o)
	}
	x.judged(s, o, v, auth)
	if o.Response != nil {
		x.coverTransition(state, class)
		if auth {
			x.coverFields(connClass, a.Request, o.Request)
		}
	}
	if auth {
		x.distinctTokens(s, o)
	}
	x.noteAnswer(s.ConnName(), name, auth, o.Response)
	xm.Apply(o.Response, x.tm.answered[name])
	if o.Closed {
		x.m.Lost(s.ConnName())
	}
	if a.ExactlyOne != "" && callErr == nil {
		f, err := x.exactlyOne(ctx, conn, s.ConnName(), a.ExactlyOne, name)
		if err != nil {
			return err
		}
		x.add(f)
	}
	if o.Response != nil {
		x.responses[name] = o.Response
		if ok, _ := o.Response["result"].(bool); ok && auth {
			x.tm.authorized(name, s.ConnName(), a.Request.Credentials, a.Request.Type == nil)
		}
	}
	if auth && !o.Closed && callErr == nil {
		succeeded, _ := o.Response["result"].(bool)
		x.observeModes(ctx, s.ConnName(), name, before, !succeeded)
	}
	return nil
}

// unanswered sends a barrier (getAuthInfo) after a request that got no
// answer in time: when the barrier is answered and no late answer came
// before it, the target skipped the request (ENV-1), whatever the machine's
// speed, since a server answers in order. It reports whether it found so.
func (x *execution) unanswered(ctx context.Context, conn *wire.Client, s caselang.Step, name string) bool {
	late := conn.Late()
	resp, err := conn.Call(ctx, []byte(fmt.Sprintf(`{"method":"getAuthInfo","requestId":%q}`, x.nextID())))
	if err != nil || !resp.Matched || conn.Late() > late {
		return false
	}
	x.add(caselang.Finding{Requirement: "ENV-1", Level: caselang.LevelOf("ENV-1"), Step: name, Check: "exactly one response",
		Expected: "an answer to the request", Actual: "none, though the next request on the connection was answered", Note: invariantNote})
	return true
}

// exactlyOne checks that the request just answered gets no second answer:
// by the time a later request on the connection is answered (an ordering
// barrier) a second answer has come, whenever the target sent it; a target
// not known to order its output also gets the quiet window after that. A
// barrier that goes unanswered proves nothing either way: an error, never
// a verdict.
func (x *execution) exactlyOne(ctx context.Context, conn *wire.Client, name, req, step string) (caselang.Finding, error) {
	f := caselang.Finding{Requirement: req, Level: caselang.LevelOf(req), Step: step, Check: "exactly one response"}
	before, err := x.barrier(ctx, conn)
	// Second answers are among what came before the barrier's answer, and
	// among the duplicates the client filed (one taken for nothing else).
	extra := max(len(before), x.newDuplicates(name, conn)) + x.newUnsolicited(name, conn)
	if err != nil && !errors.Is(err, wire.ErrClosed) && extra == 0 {
		return f, x.unansweredBarrier(step, "exactly one response", err)
	}
	// A flood proves a second answer as well as a barrier would.
	if err == nil {
		lctx, cancel := x.listening(ctx)
		extra += len(conn.Quiet(lctx, x.target.QuietWindow))
		cancel()
	}
	if extra == 0 {
		f.OK = true
		return f, nil
	}
	f.Expected = "one response"
	f.Actual = fmt.Sprintf("%d more non-notification message(s) before the answer to the next request on the connection (see transcript)", extra)
	if !x.target.OrderedEvents {
		f.Actual = fmt.Sprintf("%d more non-notification message(s) before the answer to the next request on the connection or within %v after it (see transcript)", extra, x.target.QuietWindow)
	}
	return f, nil
}

// noteAnswer remembers whether the last auth on connection conn failed with
// nothing answered on it since: if the target then closes the connection,
// that is ENV-9's. Any later answer on it shows it stayed open.
func (x *execution) noteAnswer(conn, step string, auth bool, resp map[string]any) {
	if resp == nil {
		return
	}
	if x.lastFailed == nil {
		x.lastFailed = map[string]string{}
	}
	if ok, _ := resp["result"].(bool); ok || !auth {
		delete(x.lastFailed, conn)
		return
	}
	x.lastFailed[conn] = step
}

// closedAfterFailure is called when the target closed connection conn
// instead of answering: after a failed auth on it that breaks ENV-9 (a
// SHOULD), which alone it is judged under. The steps that needed the
// connection from then on are not evaluated (the reading's ENV-9 cascade
// rule). Whether the close was seen by a probe or by the next request
// depends on the scheduler; the verdict does not.
func (x *execution) closedAfterFailure(conn string) {
	failed := x.lastFailed[conn]
	if failed == "" {
		return
	}
	if _, ok := x.blockerOf(conn); ok {
		return
	}
	x.add(caselang.Finding{Requirement: "ENV-9", Level: caselang.LevelOf("ENV-9"), Step: failed, Check: "connection open after a failure",
		Expected: "the connection still open", Actual: "closed by the target", Note: invariantNote})
	x.block(conn, blocker{req: "ENV-9", step: failed})
	x.m.Lost(conn)
}

// possibleLockout handles an answer of 6 the model cannot put down to the
// case's own wrong credentials (model.Verdict.Lockout): the step's checks
// that it breaks are not evaluated, later steps on the connection (which
// assumed what the step was to do) neither, and the run sends no more
// wrong credentials.
func (x *execution) possibleLockout(s caselang.Step, o caselang.Observation, name string) {
	where := fmt.Sprintf("%s at case %s step %s", model.PossibleLockout, x.c.ID, name)
	x.r.svc.Health.suspectLockout(where)
	broke := false
	for _, ch := range s.Expect {
		if !ch.ByModel() && ch.Evaluate(o).Broken() {
			broke = true
		}
	}
	x.evaluateBlocked(s, o, blocker{why: model.PossibleLockout})
	if broke {
		x.block(s.ConnName(), blocker{req: "RC-6", step: name, why: "blocked by a " + model.PossibleLockout + " at step " + name})
	}
}

// settleStale tells what a message carrying an already answered requestId
// was (wire.Response.Stale): a second answer to that earlier request (ENV-1)
// or this request's answer with a wrong requestId (ENV-3). One ordering
// barrier tells, since a server answers in order: if this request's own
// answer comes before the barrier's, the message was a second answer (the
// client keeps it among the duplicates, which the probe and exactlyOne
// report); if not, the message was the answer, returned unmatched so that
// the requestId checks judge it, and it is no second answer. Either way the
// wait ends at the barrier's answer, never at the response timeout. A
// barrier that goes unanswered leaves the question open: an error.
func (x *execution) settleStale(ctx context.Context, conn *wire.Client, connName, step string, id any, stale wire.Response) (wire.Response, error) {
	before, err := x.barrier(ctx, conn)
	var own *wire.Message
	others := 0
	for i, m := range before {
		if got, ok := m.RequestID(); ok && id != nil && wire.IDMatches(id, got) && own == nil {
			own = &before[i]
			continue
		}
		others++
	}
	if others > 0 {
		x.add(caselang.Finding{Requirement: "ENV-1", Level: caselang.LevelOf("ENV-1"), Step: step, Check: "exactly one response",
			Expected: "one response", Actual: fmt.Sprintf("%d more message(s) before the answer to the next request on connection %s (see transcript)", others, connName),
			Note: invariantNote})
	}
	switch {
	case own != nil:
		x.tr.Notef(connName, "step %s: its own answer came after the message with an earlier requestId, which was a second answer", step)
		return wire.Response{Message: *own, Matched: true}, nil
	case err != nil && !errors.Is(err, wire.ErrClosed):
		return wire.Response{}, x.unansweredBarrier(step, "an answer with an earlier request's requestId", err)
	}
	// The answer itself, with a wrong requestId: not a second answer.
	x.dupSeen[connName]++
	x.tr.Notef(connName, "step %s: no other answer came before the answer to the next request: the message with an earlier requestId was this request's answer", step)
	if err != nil {
		x.m.Lost(connName)
	}
	return wire.Response{Message: stale.Message}, nil
}

// reusesID reports whether a step's request carries a requestId already
// sent on connection conn (and remembers it for the next).
func (x *execution) reusesID(conn string, id any) bool {
	if id == nil {
		return false
	}
	key := fmt.Sprintf("%T:%v", id, id)
	if x.sentIDs[conn] == nil {
		x.sentIDs[conn] = map[string]bool{}
	}
	used := x.sentIDs[conn][key]
	x.sentIDs[conn][key] = true
	return used
}

// pipelinedCall sends a request that a target may leave unanswered
// without the wait telling it (one without a requestId, which nothing can
// match; one whose requestId the connection already used, which a target
// may take for a retransmission) and at once an ordering barrier: a server
// answers in order, so by the barrier's answer the request's has come, or
// never will, and a dropped request costs one round trip, not the response
// timeout. The client may file the request's answer as a second answer to
// the earlier request of that requestId, as unsolicited (it came before
// the barrier was sent), or hand it over as the barrier's (it carries
// another requestId, or none); wherever it is, it is this request's answer,
// counted as nothing else. answered is false when none came.
func (x *execution) pipelinedCall(ctx context.Context, conn *wire.Client, name string, payload []byte, id any, hasID bool) (resp wire.Response, answered bool, err error) {
	mine := func(m wire.Message) bool {
		got, ok := m.RequestID()
		if !hasID {
			return !ok || got == "" || got == nil
		}
		return ok && wire.IDMatches(id, got)
	}
	count := func(ms []wire.Message) (n int, last wire.Message) {
		for _, m := range ms {
			if mine(m) {
				n, last = n+1, m
			}
		}
		return n, last
	}
	dups, _ := count(conn.Duplicates())
	unsol, _ := count(conn.Unsolicited())
	// filed finds the request's answer among the second answers or the
	// unsolicited ones, and marks what is there as seen: it is no second
	// answer.
	filed := func() (wire.Message, bool) {
		if n, m := count(conn.Duplicates()); n > dups {
			x.dupSeen[name] = len(conn.Duplicates())
			return m, true
		}
		if n, m := count(conn.Unsolicited()); n > unsol {
			x.unsolSeen[name] = len(conn.Unsolicited())
			return m, true
		}
		return wire.Message{}, false
	}
	if err := conn.SendText(ctx, payload); err != nil {
		return wire.Response{}, false, err
	}
	b, err := conn.Call(ctx, []byte(fmt.Sprintf(`{"method":"getAuthInfo","requestId":%q}`, x.nextID())))
	if err != nil {
		// The barrier went unanswered (the target closed the connection
		// after answering, say): the request's answer may have come all
		// the same, and may still be on its way to the queue; without it,
		// the error is the step's (the connection's end, when it ended).
		if m, nerr := conn.Next(ctx); nerr == nil && mine(m) {
			return wire.Response{Message: m, Matched: true}, true, nil
		}
		if cerr := conn.Err(); cerr != nil {
			err = cerr
		}
		if m, ok := filed(); ok {
			return wire.Response{Message: m, Matched: true}, true, nil
		}
		return wire.Response{}, false, err
	}
	if !b.Matched && mine(b.Message) {
		// The request's answer, handed over as the barrier's: the
		// barrier's own comes next, filed as a second answer to the
		// barrier (which the client takes as answered); it is none. A
		// connection that ends before it is the next step's to notice
		// (the state probe meets the close): the answer stands.
		_, _ = conn.Next(ctx)
		x.dupSeen[name] = len(conn.Duplicates())
		return wire.Response{Message: b.Message, Matched: true}, true, nil
	}
	if m, ok := filed(); ok {
		return wire.Response{Message: m, Matched: true}, true, nil
	}
	return wire.Response{}, false, nil
}
