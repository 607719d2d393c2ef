package wire

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/coder/websocket"
)

// acquire marks a Call or Next as waiting; the protocol is lock-step.
func (c *Client) acquire(what string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.busy {
		return fmt.Errorf("wire %s: %s while another Call or Next is waiting (one outstanding request at a time)", c.opts.Name, what)
	}
	c.busy = true
	return nil
}

func (c *Client) release() {
	c.mu.Lock()
	c.busy = false
	c.call = nil
	c.mu.Unlock()
}

// markDuplicates files queued answers to id, which has just been answered, as duplicates: they
// arrived together with the first answer, before the pump could know. c.mu must be held.
func (c *Client) markDuplicates(id any) {
	for i := range c.queue {
		q := &c.queue[i]
		if got, ok := q.msg.RequestID(); ok && !q.dup && IDMatches(id, got) {
			q.dup = true
			c.noteDuplicate(q.msg, got)
		}
	}
}

func (c *Client) noteDuplicate(m Message, id any) {
	c.duplicates = c.retain(c.duplicates, m)
	c.tr.Notef(c.opts.Name, "another response for requestId %s, which was already answered (duplicate)", idText(id))
}

// take removes and returns the first queued message; with skipDup, duplicates (already recorded in
// Duplicates) are discarded on the way. c.mu must be held.
func (c *Client) take(skipDup bool) (Message, bool) {
	for len(c.queue) > 0 {
		q := c.queue[0]
		c.queue[0] = queued{}
		c.queue = c.queue[1:]
		c.held -= q.msg.cost
		if skipDup && q.dup {
			continue
		}
		return q.msg, true
	}
	c.queue = nil
	return Message{}, false
}

// Call sends payload as one text frame and returns the response. payload is JSON built by the
// caller, so it can also be deliberately odd.
//
// Matching: if payload is a JSON object with a "requestId", the response is the first non-event
// message received after the send; Matched says whether its requestId equals the one sent (see
// IDMatches: a numeric id echoed as a string still matches). A non-matching message is returned at
// once with Matched=false (a server that echoes a wrong requestId must be reported, not waited out),
// except late answers to an earlier Call that timed out, which are dropped and noted in the
// transcript, and second answers to an already answered requestId, which go to Duplicates. Without
// a requestId (or with a payload that is not JSON) the response is the next non-event message.
// Messages that cannot be parsed are returned as responses with Err set. Notifications are never a
// response; they are stored for Events/WaitEvent. Non-event messages that arrived before the send go
// to Unsolicited. Use a fresh requestId per Call: a reused one cannot tell old answers from new.
//
// The wait is bounded by min(ctx, ResponseTimeout). On expiry the error wraps ErrTimeout and the
// connection stays open and usable. If the connection ends while waiting, the error wraps ErrClosed
// and says the close code and reason. Not for concurrent use with another Call or Next.
func (c *Client) Call(ctx context.Context, payload []byte) (Response, error) {
	return c.callWith(ctx, payload, false)
}

// CallOrStale is Call, except that a message carrying the requestId of an already answered request
// that arrives while it waits is returned at once with Stale set, instead of being skipped as a
// duplicate while the wait runs on to the response timeout: a target that echoes an earlier
// request's requestId would otherwise cost a timeout per request. The caller tells a second answer
// from a wrong requestId with an ordering barrier (Next reads what came after).
func (c *Client) CallOrStale(ctx context.Context, payload []byte) (Response, error) {
	return c.callWith(ctx, payload, true)
}

func (c *Client) callWith(ctx context.Context, payload []byte, stale bool) (Response, error) {
	pc := &pendingCall{}
	if fields, err := decodeObject(payload); err == nil {
		pc.id, pc.hasID = fields["requestId"]
	}
	if err := c.acquire("Call"); err != nil {
		return Response{}, err
	}
	defer c.release()
	what := "no response"
	if pc.hasID {
		what = "no response to requestId " + idText(pc.id)
	}

	c.mu.Lock()
	for {
		m, ok := c.take(true)
		if !ok {
			break
		}
		c.unsolicited = c.retain(c.unsolicited, m)
	}
	if pc.hasID && trackable(pc.id) {
		c.abandoned = forgetID(c.abandoned, pc.id)
		c.answered = forgetID(c.answered, pc.id)
	}
	c.call = pc
	c.mu.Unlock()

	if err := c.send(ctx, websocket.MessageText, payload); err != nil {
		return Response{}, err
	}
	b := newBound(ctx, c.opts.ResponseTimeout)
	defer b.stop()
	var waitErr error
	for {
		c.mu.Lock()
		if stale && len(c.queue) > 0 && c.queue[0].dup {
			// A duplicate that came after the send: handed over, not the answer (the
			// request is not remembered as answered, so its own answer still queues).
			m, _ := c.take(false)
			c.call = nil
			c.mu.Unlock()
			c.tr.Notef(c.opts.Name, "an answer with the requestId of an already answered request while waiting for requestId %s (returned as stale)", idText(pc.id))
			return Response{Message: m, Stale: true}, nil
		}
		if m, ok := c.take(true); ok {
			got, gotID := m.RequestID()
			matched := !pc.hasID || (gotID && IDMatches(pc.id, got))
			c.call = nil
			if pc.hasID && trackable(pc.id) {
				c.answered = rememberID(c.answered, pc.id)
				c.markDuplicates(pc.id)
			}
			c.mu.Unlock()
			if !matched {
				c.tr.Notef(c.opts.Name, "response does not carry requestId %s (returned unmatched)", idText(pc.id))
			}
			return Response{Message: m, Matched: matched}, nil
		}
		closed := c.err
		wake := c.wake
		if waitErr != nil {
			c.call = nil // from now on an answer is late, not the response
			if pc.hasID && trackable(pc.id) {
				c.abandoned = rememberID(c.abandoned, pc.id)
			}
		}
		c.mu.Unlock()
		if closed != nil {
			return Response{}, fmt.Errorf("wire %s: %s: %w", c.opts.Name, what, closed)
		}
		if waitErr != nil {
			c.tr.Notef(c.opts.Name, "%s %v; a late answer will be dropped", what, waitErr)
			return Response{}, fmt.Errorf("wire %s: %s %w", c.opts.Name, what, waitErr)
		}
		// When the wait ends, loop once more: an answer that came at the deadline is still taken.
		waitErr = b.block(wake)
	}
}

// Abandon says that the answer to requestId id, sent with SendText, is no
// longer awaited: when it comes, it is dropped and noted as late, like the
// answer to a Call that timed out, and never taken for the answer to a
// later request.
func (c *Client) Abandon(id any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if trackable(id) {
		c.abandoned = rememberID(c.abandoned, id)
	}
}

// Next returns the next non-event message (the queue Call takes from, including messages that
// arrived before this call and duplicates), bounded like Call. Use it after SendText/SendBinary.
// Not for concurrent use with Call or another Next.
func (c *Client) Next(ctx context.Context) (Message, error) {
	if err := c.acquire("Next"); err != nil {
		return Message{}, err
	}
	defer c.release()
	b := newBound(ctx, c.opts.ResponseTimeout)
	defer b.stop()
	for {
		c.mu.Lock()
		m, ok := c.take(false)
		closed, wake := c.err, c.wake
		c.mu.Unlock()
		if ok {
			return m, nil
		}
		if closed != nil {
			return Message{}, fmt.Errorf("wire %s: no message: %w", c.opts.Name, closed)
		}
		if err := b.block(wake); err != nil {
			return Message{}, fmt.Errorf("wire %s: no message %w", c.opts.Name, err)
		}
	}
}

// Quiet waits d (less if ctx ends or the connection ends) and then returns the non-event messages
// not yet taken: those that arrived during the window and any still queued from before it, such as
// a second response that came right after the first. nil if none. Used to check that no second
// response arrives. Not for concurrent use with Call or Next.
func (c *Client) Quiet(ctx context.Context, d time.Duration) []Message {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	case <-c.done:
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Message
	for {
		m, ok := c.take(false)
		if !ok {
			return out
		}
		out = append(out, m)
	}
}

// Duplicates returns the non-event messages whose requestId equals one already answered by a Call.
func (c *Client) Duplicates() []Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.duplicates)
}

// Unsolicited returns the non-event messages that arrived while no Call or
// Next waited for one and that answer nothing the client asked (a second
// answer to a request without a requestId).
func (c *Client) Unsolicited() []Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.unsolicited)
}
