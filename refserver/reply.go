package refserver

// Sending: one answer per message, notifications, the displaced connection.

import (
	"context"
	"runtime/debug"
	"time"

	"github.com/coder/websocket"
)

// handleSafely handles one message: exactly one response, and the connection
// stays open (ENV-1, ENV-9). It returns the close code to end the connection
// with, or 0 to go on. A panic becomes a logged error and close 1011: the last
// line of defence, so that one connection's bad input never takes the server
// down.
func (s *Server) handleSafely(c *conn, msg []byte) (code websocket.StatusCode, reason string) {
	defer func() {
		if p := recover(); p != nil {
			c.log.Error("panic while handling a message", "panic", p, "stack", string(debug.Stack()))
			code, reason = websocket.StatusInternalError, "internal error"
		}
	}()
	if s.testHookMessage != nil {
		s.testHookMessage(msg)
	}
	reply, displaced := s.dispatch(c, msg)
	for _, v := range displaced {
		s.notifyDisplaced(v)
	}
	b, err := encode(reply)
	if err != nil {
		panic(err) // our own reply types always encode; recovered above
	}
	ar, isAuth := reply.(authReply)
	if isAuth {
		c.failures++
		if !ar.failed() {
			c.failures = 0
		}
	}
	if isAuth && ar.failed() && ar.noRequestID && s.faults.has(faultSilentFailureWithoutID) {
		return 0, "" // nothing to correlate an answer with, so none is sent
	}
	if s.variants.has(variantEventsBeforeResponses) {
		s.sendEvent(c, appStateEvent{Method: "event", Event: "appStateChanged", AppState: appStateNormal})
	}
	s.send(c, b)
	if isAuth && s.faults.has(faultDuplicateResponse) {
		s.send(c, b)
	}
	switch {
	case isAuth && ar.failed() && s.faults.has(faultCloseAfterFailure):
		return websocket.StatusNormalClosure, "authorization failed"
	case isAuth && c.failures >= maxFailuresPerConnection && s.faults.has(faultCloseAfterThirdFailure):
		return websocket.StatusPolicyViolation, "too many failed authorizations"
	}
	return 0, ""
}

// maxFailuresPerConnection is how many failed auths in a row the fault
// close-after-third-failure lets a connection have.
const maxFailuresPerConnection = 3

// sendEvent queues one notification, so that it arrives before the
// response that follows.
func (s *Server) sendEvent(c *conn, e any) {
	b, err := encode(e)
	if err != nil {
		panic(err) // our own event types always encode; recovered by handleSafely
	}
	s.send(c, b)
}

// send queues one message on the connection's outbox: whatever goroutine
// sends, a connection's messages go out in the order they were queued, and
// nobody waits for a peer that does not read. A message for a connection
// whose outbox is closed or full is dropped (and logged).
func (s *Server) send(c *conn, b []byte) {
	c.outMu.Lock()
	defer c.outMu.Unlock()
	if c.outClosed {
		return
	}
	select {
	case c.out <- b:
	default:
		c.log.Info("outbox full: a message is dropped", "size", len(b))
	}
}

// writeLoop writes the connection's outbox in order, each message bounded
// by writeTimeout. A failed write closes the connection (the library does
// so when the context ends), which ends its read loop.
func (s *Server) writeLoop(c *conn) {
	defer close(c.outDone)
	for b := range c.out {
		ctx, cancel := context.WithTimeout(c.ctx, writeTimeout)
		if err := c.ws.Write(ctx, websocket.MessageText, b); err != nil {
			c.log.Debug("write failed", "err", err)
		}
		cancel()
	}
}

// closeOutbox stops the outbox and waits, bounded, until what was queued is
// written: the close frame comes after every answer.
func (s *Server) closeOutbox(c *conn) {
	c.outMu.Lock()
	if !c.outClosed {
		c.outClosed = true
		close(c.out)
	}
	c.outMu.Unlock()
	select {
	case <-c.outDone:
	case <-time.After(writeTimeout):
	}
}

// notifyDisplaced tells a connection that another client took its mode
// (authorizationNeeded, cause 1). It is queued on the displaced
// connection's outbox before the newcomer's response is sent, so that the
// displaced connection gets it before the answer to anything it asks after
// that (and a peer that does not read delays nobody).
func (s *Server) notifyDisplaced(v *conn) {
	cause := causeOtherClient
	s.mu.Lock()
	if v.displacedFrom == ModeAdmin && s.faults.has(faultAdminDisplacementCause3) {
		cause = causeAdminCredentialsChanged
	}
	s.mu.Unlock()
	b, err := encode(event{Method: "event", Event: "authorizationNeeded", Cause: cause})
	if err != nil {
		v.log.Error("encode notification", "err", err)
		return
	}
	v.log.Info("displaced by another connection in the same mode")
	if s.faults.has(faultNoDisplacementNotice) {
		return
	}
	s.send(v, b)
}

// noteBadFrame arms a fault that breaks the next auth after a bad frame
// (invalid-json-breaks-next-auth, binary-frame-breaks-next-auth), when that
// fault is on: only connections opened after this frame are affected.
func (s *Server) noteBadFrame(f fault) {
	if !s.faults.has(f) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authBroken = true
	s.authBrokenAfter = s.nextID
}
