package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/roomconform/conform/internal/wire"
)

// An ordering barrier stands in for a wait: a server answers the requests
// of one connection in order, so once a request sent now is answered,
// every reaction to what was sent before it (a second answer, an answer to
// a bad frame) has arrived, however fast or slow either machine is. What
// has not come by then is missing, and nothing was waited out.

// maxBeforeBarrier bounds the messages read while waiting for a barrier's
// answer: a target that floods gets a finding about the first ones, not an
// endless loop.
const maxBeforeBarrier = 64

// errBarrierFlood says the barrier's answer did not come among the first
// maxBeforeBarrier messages.
var errBarrierFlood = errors.New("no answer to the ordering barrier among the first messages that came")

// barrier sends getAuthInfo on conn and reads until its answer: it returns
// the non-event messages that came first (queued ones included), in order.
// The error wraps wire.ErrClosed when the connection ended first (what came
// before is still returned) and wire.ErrTimeout when the answer did not
// come within the response timeout: then nothing can be concluded, and the
// caller says so as an ERROR, never as a verdict.
func (x *execution) barrier(ctx context.Context, conn *wire.Client) ([]wire.Message, error) {
	// An id of its own kind: a case's steps use digits and may reuse one
	// (a walk's fixed requestId), and an answer to a reused id is filed as
	// a duplicate.
	id := "conform-barrier-" + x.nextID()
	sendErr := conn.SendText(ctx, []byte(fmt.Sprintf(`{"method":"getAuthInfo","requestId":%q}`, id)))
	var before []wire.Message
	for len(before) < maxBeforeBarrier {
		m, err := conn.Next(ctx)
		if err != nil {
			if !errors.Is(err, wire.ErrClosed) {
				// A late answer must not pass for the answer to a later request.
				conn.Abandon(id)
			}
			if sendErr != nil && !errors.Is(err, wire.ErrClosed) {
				return before, sendErr
			}
			return before, err
		}
		if answersBarrier(m, id) {
			return before, nil
		}
		before = append(before, m)
	}
	conn.Abandon(id)
	return before, errBarrierFlood
}

// answersBarrier tells the barrier's answer: its requestId, or an answer
// to getAuthInfo that carries no requestId at all (a target that drops ids
// is judged for it elsewhere, but must not make every barrier wait out the
// response timeout). A message with another id is never taken for it: it
// may be a second answer to an earlier request.
func answersBarrier(m wire.Message, id string) bool {
	got, ok := m.RequestID()
	if ok && wire.IDMatches(id, got) {
		return true
	}
	if !ok || got == nil || got == "" {
		return m.Method() == "getAuthInfo"
	}
	return false
}

// listening is the context for what may still come after a barrier was
// answered: already done for a target that orders its output
// (OrderedEvents: the embedded reference server), so that only what came
// counts and nothing is waited out; the quiet window for any other, whose
// notifications might travel another path than its answers.
func (x *execution) listening(ctx context.Context) (context.Context, context.CancelFunc) {
	if x.target.OrderedEvents {
		return ended(ctx), func() {}
	}
	return context.WithTimeout(ctx, x.target.QuietWindow)
}

// ended is a context that has already ended: a wait on it takes only what
// has come.
func ended(ctx context.Context) context.Context {
	done, cancel := context.WithCancel(ctx)
	cancel()
	return done
}

// unansweredBarrier is the error of a step whose barrier went unanswered: nothing
// can be concluded, so it is an ERROR, and the engine then checks the
// target is still there.
func (x *execution) unansweredBarrier(step, what string, err error) error {
	x.troubled = true
	return fmt.Errorf("step %s: %s: no answer to the next request on the connection: %w", step, what, err)
}

// missingWhen says when a notification the target did not send was
// called missing, for a finding's "actual".
func (x *execution) missingWhen() string {
	if x.target.OrderedEvents {
		return "(none before the answer to a later request on the connection)"
	}
	return fmt.Sprintf("(none before the answer to a later request on the connection, nor within the response timeout (%v) after it)", x.target.ResponseTimeout)
}

// errNoEvent says the notification did not come.
var errNoEvent = errors.New("no such notification")

// eventAfterBarrier returns the first notification on conn, after the
// answer to a barrier, that match accepts. What came before the barrier's
// answer counts; what did not come by then is missing, without waiting, on
// a target that orders its output (OrderedEvents: the embedded reference
// server). Any other target may send a notification after later answers
// (SEC-3: its order relative to them is not required, only that it comes
// within the response timeout), so it gets the response timeout after the
// barrier's answer, every time: a notification that one case missed says
// nothing of the order of the next. The first skip matching notifications
// (seen before) do not count. The error wraps wire.ErrClosed or errNoEvent.
func (x *execution) eventAfterBarrier(ctx context.Context, conn *wire.Client, name string, skip int, match func(wire.Message) bool) (wire.Message, error) {
	wait := func(ctx context.Context) (wire.Message, error) {
		return x.nthEvent(ctx, conn, skip, match) // each wait looks afresh
	}
	m, err := wait(ended(ctx))
	if err == nil || errors.Is(err, wire.ErrClosed) || x.target.OrderedEvents {
		return m, x.noEvent(err)
	}
	wctx, wcancel := context.WithTimeout(ctx, x.target.ResponseTimeout)
	defer wcancel()
	m, err = wait(wctx)
	switch {
	case err == nil:
		x.tr.Notef(name, "a notification came after the answer to a later request, within the response timeout (%v): its order is not required", x.target.ResponseTimeout)
	case ctx.Err() == nil && !errors.Is(err, wire.ErrClosed):
		x.tr.Notef(name, "no notification within the response timeout (%v) after the answer to a later request either", x.target.ResponseTimeout)
	}
	return m, x.noEvent(err)
}

// noEvent maps a wait that ran out to errNoEvent.
func (x *execution) noEvent(err error) error {
	if err == nil || errors.Is(err, wire.ErrClosed) {
		return err
	}
	return fmt.Errorf("%w: %w", errNoEvent, err)
}
