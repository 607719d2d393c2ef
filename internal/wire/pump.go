package wire

import (
	"context"
	"errors"
	"fmt"

	"github.com/coder/websocket"
)

// ClosedError says why a connection ended; Client.Err returns one. It wraps ErrClosed and the
// library's error, so errors.Is(err, ErrClosed) and websocket.CloseStatus(err) both work.
type ClosedError struct {
	Code     int    // close code the server sent, -1 if none arrived
	Reason   string // close reason the server sent
	ByClient bool   // Close, CloseNow or Abort ended it
	msg      string
	err      error
}

// Error describes how the connection ended, with the close code and reason when there were some.
func (e *ClosedError) Error() string { return e.msg }

// Unwrap exposes ErrClosed and the library's error.
func (e *ClosedError) Unwrap() []error { return []error{ErrClosed, e.err} }

// pump is the only reader of the connection. It ends when the connection does.
func (c *Client) pump() {
	defer close(c.done)
	for {
		typ, b, err := c.conn.Read(context.Background())
		if err != nil {
			c.ended(err)
			return
		}
		c.receive(b, typ == websocket.MessageBinary)
	}
}

// receive files one message. c.mu is held while the frame is recorded, so that a Call starting
// meanwhile cannot see the message half filed. Messages that are dropped for a full list are
// neither recorded nor scanned for secrets: a server flooding unique tokens must not grow the
// transcript or the Redactor.
func (c *Client) receive(raw []byte, binary bool) {
	m := ParseMessage(raw, binary)
	m.At = c.tr.Elapsed()
	m.cost = storedCost(m)
	c.mu.Lock()
	defer c.mu.Unlock()
	if m.IsEvent() {
		c.receiveEvent(m)
		return
	}
	id, hasID := m.RequestID()
	switch {
	case c.call != nil && c.call.hasID && hasID && IDMatches(c.call.id, id):
		// The response the current Call waits for, even if the id was used before.
	case hasID && matchesAny(c.abandoned, id):
		c.record(m)
		c.late++
		c.tr.Notef(c.opts.Name, "late answer to requestId %s, whose Call had timed out: dropped", idText(id))
		return
	case c.call != nil && !c.call.hasID && hasID && matchesAny(c.answered, id):
		// A Call without requestId waits: the next answer is its answer,
		// even when it carries an earlier request's id (the caller judges
		// that id); waiting it out as a duplicate would cost a timeout.
		c.tr.Notef(c.opts.Name, "an answer with requestId %s, which was already answered, while a request without requestId waits: taken as its answer", idText(id))
	case hasID && matchesAny(c.answered, id):
		c.record(m)
		c.noteDuplicate(m, id)
		c.enqueue(queued{msg: m, dup: true})
		return
	}
	if why := c.queueFull(m); why != "" {
		c.dropMessage(why)
		return
	}
	c.record(m)
	c.enqueue(queued{msg: m})
}

// queueFull says why the queue cannot take m ("" when it can): it holds maxKept messages, or m
// does not fit in MaxStoredBytes beside what the connection keeps. An empty queue takes any
// message, so that an answer is never dropped for its size alone. c.mu must be held.
func (c *Client) queueFull(m Message) string {
	switch {
	case len(c.queue) >= maxKept:
		return fmt.Sprintf("%d messages nobody took are queued", maxKept)
	case len(c.queue) > 0 && c.held+m.cost > c.opts.MaxStoredBytes:
		return fmt.Sprintf("the messages nobody took reach the storage limit of %d MiB for this connection", c.opts.MaxStoredBytes>>20)
	}
	return ""
}

// enqueue adds a non-event message to the queue Call, Next and Quiet take from. c.mu must be held.
func (c *Client) enqueue(q queued) {
	if why := c.queueFull(q.msg); why != "" {
		c.dropMessage(why)
		return
	}
	c.held += q.msg.cost
	c.queue = append(c.queue, q)
	c.broadcast()
}

// eventFull says why the connection cannot keep notification m ("" when it can), charging the
// run's Budget when it can. c.mu must be held.
func (c *Client) eventFull(m Message) string {
	switch {
	case len(c.events) >= c.opts.MaxEvents:
		return fmt.Sprintf("notification limit of %d reached", c.opts.MaxEvents)
	case c.held+m.cost > c.opts.MaxStoredBytes:
		return fmt.Sprintf("storage limit of %d MiB for this connection reached", c.opts.MaxStoredBytes>>20)
	case !c.opts.Stored.take(m.cost):
		return fmt.Sprintf("storage limit of %d MiB for this run reached", c.opts.Stored.max>>20)
	}
	return ""
}

// receiveEvent stores a notification and hands it to waiting WaitEvent calls. c.mu must be held.
func (c *Client) receiveEvent(m Message) {
	why := c.eventFull(m)
	stored := why == ""
	if stored {
		c.events = append(c.events, m)
		c.held += m.cost
	} else {
		c.droppedEvents++
		c.tr.dropped(c.opts.Name, true, c.limits())
		if c.droppedEvents%100 == 1 {
			c.tr.Notef(c.opts.Name, "%s: %d dropped so far (not recorded)", why, c.droppedEvents)
		}
	}
	delivered := false
	for w := range c.waiters {
		if len(w.inbox) < maxKept && (len(w.inbox) == 0 || w.held+m.cost <= c.opts.MaxStoredBytes) {
			w.inbox = append(w.inbox, m)
			w.held += m.cost
			delivered = true
		}
	}
	if stored {
		c.record(m)
	} else if delivered {
		c.autoRedact(m) // a caller now holds it, and may send its token back
	}
	c.broadcast()
}

// record scans m for secrets and adds it to the transcript.
func (c *Client) record(m Message) {
	c.autoRedact(m)
	if m.Binary {
		c.tr.Add(c.opts.Name, Received, "binary", string(m.Raw))
		return
	}
	c.tr.Add(c.opts.Name, Received, "text", string(m.Raw))
}

// ended records why the connection ended and wakes every waiter.
func (c *Client) ended(err error) {
	ce := &ClosedError{Code: int(websocket.CloseStatus(err)), ByClient: c.closing.Load(), err: err}
	var wce websocket.CloseError
	if errors.As(err, &wce) {
		ce.Reason = wce.Reason
	}
	name := c.opts.Name
	switch {
	case ce.Code != -1:
		c.peerClose.Store(true)
		c.tr.Add(name, Received, "close", fmt.Sprintf("code %d reason %q", ce.Code, ce.Reason))
		if ce.ByClient {
			ce.msg = fmt.Sprintf("connection closed by client (server answered with code %d)", ce.Code)
		} else {
			ce.msg = fmt.Sprintf("connection closed by server: code %d (%v), reason %q", ce.Code, websocket.StatusCode(ce.Code), ce.Reason)
		}
	case errors.Is(err, websocket.ErrMessageTooBig):
		c.tr.Add(name, Received, "error", fmt.Sprintf("frame larger than the read limit of %d bytes: %v; connection closed with 1009", c.opts.ReadLimit, err))
		ce.msg = fmt.Sprintf("connection closed: server sent a frame larger than the read limit of %d bytes", c.opts.ReadLimit)
	case c.aborted.Load():
		ce.msg = "connection aborted by client"
	case ce.ByClient:
		ce.msg = "connection closed by client"
	default:
		c.tr.Add(name, Received, "error", "connection ended without a close frame: "+err.Error())
		ce.msg = "connection ended without a close frame: " + err.Error()
	}

	c.mu.Lock()
	c.err = ce
	c.broadcast()
	c.mu.Unlock()
	if !c.closing.Load() {
		_ = c.conn.CloseNow() // release the library's resources; the connection is gone anyway
	}
}

// broadcast wakes every waiter; c.mu must be held.
func (c *Client) broadcast() {
	close(c.wake)
	c.wake = make(chan struct{})
}
