package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/jsonnum"
	"github.com/roomconform/conform/internal/wire"
)

// State observed, not assumed: after every auth exchange the engine asks
// getAuthInfo on the connection that sent it and on every connection the
// model says the answer changed (a displaced one), and the model judges
// the answer against the mode it holds. An answer that claims one mode and
// grants another, a failure that changed the mode, a displaced connection
// that still holds its mode: each shows here, whichever case it happens in.
//
// The probe is also the ordering barrier of ENV-1: a second answer to the
// auth request arrives before the probe's own answer, or not at all.

// observeModes probes the step's connection and those the exchange changed.
// failed says the step's auth failed: a connection the server then closes
// breaks ENV-9.
func (x *execution) observeModes(ctx context.Context, conn, step string, before map[string]string, failed bool) {
	targets := []string{conn}
	after := x.m.Snapshot()
	var changed []string
	for name, sig := range after {
		if name != conn && before[name] != sig {
			changed = append(changed, name)
		}
	}
	slices.Sort(changed)
	var displaced []string
	for _, name := range changed {
		if x.m.Displaced(name) {
			displaced = append(displaced, name)
		}
	}
	answered := map[string]bool{}
	for _, name := range append(targets, changed...) {
		answered[name] = x.probe(ctx, name, step, failed && name == conn)
	}
	for _, name := range displaced {
		// A walk does not listen for notifications where that costs the
		// quiet window: it would, in every replay while rapid shrinks.
		if !x.walking || x.target.OrderedEvents {
			x.displacedNotice(ctx, name, step, answered[name])
		}
	}
}

// displacedNotice checks that a connection the model says step displaced
// was told so: authorizationNeeded with cause 1 (SEC-3). On a target that
// orders its output (the embedded server) missing is known, not waited
// out: the notification comes before the answer to a later request on that
// connection (the probe, or a barrier when the probe was not answered). Any
// other target may send it after later answers (SEC-3 does not require an
// order, only that it comes within the response timeout): what has not
// come yet is pending, judged when it comes, when its connection closes,
// or when the case ends, by its own deadline; so a target that never sends
// it costs at most one response timeout per case, not one per
// displacement. A connection the server closed was told enough.
func (x *execution) displacedNotice(ctx context.Context, name, step string, probed bool) {
	c, ok := x.conns[name]
	if !ok {
		return
	}
	if !probed {
		if _, err := x.barrier(ctx, c); err != nil {
			if !errors.Is(err, wire.ErrClosed) {
				// Not a verdict: the engine checks the target is still there.
				x.troubled = true
				x.tr.Notef(name, "no answer to getAuthInfo after step %s: whether authorizationNeeded came cannot be told (%v)", step, err)
			}
			return
		}
	}
	x.pending = append(x.pending, pendingNotice{conn: name, step: step, due: time.Now().Add(x.target.ResponseTimeout)})
	x.settleNotices(ctx, "")
}

// pendingNotice is a displacement whose notification (SEC-3) has not been
// judged yet: due is when it must have come.
type pendingNotice struct {
	conn, step string
	due        time.Time
}

// settleNotices judges the pending notifications that came, and those
// whose deadline passed. final ("*" for every connection, or one
// connection's name: it is about to close) waits out the deadlines of
// those still pending; "" waits for nothing. A connection's notifications
// are judged in the order of its displacements.
func (x *execution) settleNotices(ctx context.Context, final string) {
	var keep []pendingNotice
	blocked := map[string]bool{}
	for _, p := range x.pending {
		c, open := x.conns[p.conn]
		switch {
		case blocked[p.conn]:
			keep = append(keep, p)
			continue
		case !open:
			continue // closed by the server, or already settled
		}
		match := func(m wire.Message) bool { return m.Event() == "authorizationNeeded" }
		wait, cancel := ended(ctx), func() {} // look at what came, without waiting
		if !x.target.OrderedEvents && (final == "*" || final == p.conn) {
			wait, cancel = context.WithDeadline(ctx, p.due)
		}
		ev, err := x.nthEvent(wait, c, x.notices[p.conn], match)
		cancel()
		if err != nil && !x.target.OrderedEvents && !errors.Is(err, wire.ErrClosed) && time.Now().Before(p.due) && ctx.Err() == nil {
			blocked[p.conn] = true // not come yet, and not due: later
			keep = append(keep, p)
			continue
		}
		f := caselang.Finding{Requirement: "SEC-3", Level: caselang.LevelOf("SEC-3"), Step: p.step, Check: "the displaced connection is told",
			Expected: "authorizationNeeded with cause 1 on connection " + p.conn, Note: invariantNote}
		switch {
		case errors.Is(err, wire.ErrClosed):
		case err != nil && ctx.Err() != nil:
			// the run ended: no verdict
		case err != nil:
			f.Actual = "no authorizationNeeded " + x.missingWhen()
			x.add(f)
		default:
			x.notices[p.conn]++
			if !x.target.OrderedEvents && time.Now().After(p.due) {
				x.tr.Notef(p.conn, "authorizationNeeded came after later answers: its order is not required")
			}
			if cause, _ := jsonnum.Int(ev.Fields["cause"]); cause != 1 {
				f.Actual = "cause " + describeCause(ev.Fields["cause"])
				x.add(f)
			}
		}
	}
	x.pending = keep
}

// nthEvent returns the notification on conn after the first skip that
// match accepts, waiting as long as ctx lets it.
func (x *execution) nthEvent(ctx context.Context, conn *wire.Client, skip int, match func(wire.Message) bool) (wire.Message, error) {
	seen := 0
	return conn.WaitEvent(ctx, func(m wire.Message) bool {
		if !match(m) {
			return false
		}
		seen++
		return seen > skip
	})
}

func describeCause(v any) string {
	if n, ok := jsonnum.Int(v); ok {
		return strconv.Itoa(n)
	}
	return fmt.Sprintf("%v", v)
}

// newDuplicates returns how many second answers connection name received
// since the engine last looked: by the time the answer to a later request
// has come, every second answer to an earlier one has (the server answers
// in order), whenever it arrived.
func (x *execution) newDuplicates(name string, c *wire.Client) int {
	n := len(c.Duplicates())
	seen := x.dupSeen[name]
	x.dupSeen[name] = n
	return n - seen
}

// newUnsolicited is newDuplicates for messages that answer nothing asked:
// a second answer to a request without a requestId is one.
func (x *execution) newUnsolicited(name string, c *wire.Client) int {
	n := len(c.Unsolicited())
	seen := x.unsolSeen[name]
	x.unsolSeen[name] = n
	return n - seen
}

// probe asks getAuthInfo on one connection and has the model judge it. It
// reports whether the probe was answered (an ordering barrier for what the
// target sent the connection before).
func (x *execution) probe(ctx context.Context, name, step string, failed bool) bool {
	c, ok := x.conns[name]
	now := x.tm.clock.Now()
	if !ok || !x.m.Known(name, now) {
		return false
	}
	id := x.nextID()
	payload := fmt.Sprintf(`{"method":"getAuthInfo","requestId":%q}`, id)
	var req map[string]any
	_ = json.Unmarshal([]byte(payload), &req)
	probeStep := step + " (getAuthInfo on " + name + ")"
	xm := x.m.Expect(name, probeStep, req, now)
	resp, err := c.Call(ctx, []byte(payload))
	answered := x.tm.clock.Now()
	if n := x.newDuplicates(name, c) + x.newUnsolicited(name, c); n > 0 {
		x.add(caselang.Finding{Requirement: "ENV-1", Level: caselang.LevelOf("ENV-1"), Step: step, Check: "exactly one response",
			Expected: "one response", Actual: fmt.Sprintf("%d more before the answer to the next request on connection %s (see transcript)", n, name),
			Note: invariantNote})
	}
	switch {
	case errors.Is(err, wire.ErrClosed):
		x.m.Lost(name)
		if failed {
			x.closedAfterFailure(name)
		}
		return false
	case err != nil:
		// No answer in time: not a verdict (the machine may be too busy);
		// the connection's state is no longer known.
		x.tr.Notef(name, "getAuthInfo after step %s: %v; the model stops judging this connection", step, err)
		x.m.Lost(name)
		return false
	case resp.Err != nil || !resp.Matched:
		x.m.Lost(name)
		if resp.Err == nil && resp.Method() != "getAuthInfo" {
			x.add(caselang.Finding{Requirement: "ENV-1", Level: caselang.LevelOf("ENV-1"), Step: step, Check: "exactly one response",
				Expected: "one response", Actual: fmt.Sprintf("another %q message before the answer to the next request on connection %s", resp.Method(), name),
				Note: invariantNote})
		}
		return false
	}
	delete(x.lastFailed, name) // the connection stayed open after the step
	o := x.observation(probeStep)
	o.Request, o.Response, o.Matched = req, resp.Fields, true
	x.judged(caselang.Step{}, o, xm.Judge(resp.Fields, answered), false)
	xm.Apply(resp.Fields, answered)
	// A connection without a mode must be refused the other command too
	// (SEC-1, SEC-4, FAIL-4: a displaced connection given HTTP tokens holds
	// part of its mode still).
	if mode, known := x.m.ModeOf(name, answered); known && mode == "" {
		x.command(ctx, c, name, step, "getTokenForHttpServer")
	}
	return true
}

// command sends a command on connection name for step and has the model
// judge the answer (broken findings only).
func (x *execution) command(ctx context.Context, c *wire.Client, name, step, method string) {
	payload := fmt.Sprintf(`{"method":%q,"requestId":%q}`, method, x.nextID())
	var req map[string]any
	_ = json.Unmarshal([]byte(payload), &req)
	xm := x.m.Expect(name, step+" ("+method+" on "+name+")", req, x.tm.clock.Now())
	resp, err := c.Call(ctx, []byte(payload))
	if err != nil || resp.Err != nil || !resp.Matched {
		x.m.Lost(name)
		return
	}
	answered := x.tm.clock.Now()
	o := x.observation(step + " (" + method + " on " + name + ")")
	o.Request, o.Response, o.Matched = req, resp.Fields, true
	x.judged(caselang.Step{}, o, xm.Judge(resp.Fields, answered), false)
	xm.Apply(resp.Fields, answered)
}
