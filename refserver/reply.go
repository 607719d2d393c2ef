package refserver

// Sending: one answer per message, notifications, the displaced connection.

import (
	"runtime/debug"

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
	reply, displaced, notices := s.dispatch(c, msg)
	if reply == nil {
		return 0, "" // dropped unanswered (fault reused-request-id-unanswered)
	}
	for _, v := range displaced {
		s.notifyDisplaced(v)
	}
	for _, n := range notices {
		n.to.log.Info("authorization reset by setAuthParams")
		s.send(n.to, n.bytes, n.to == c)
	}
	b, err := encode(reply)
	if err != nil {
		panic(err) // our own reply types always encode; recovered above
	}
	ar, isAuth := reply.(authReply)
	if isAuth {
		c.auths++
		c.failures++
		if !ar.failed() {
			c.failures = 0
		}
	}
	if isAuth && ar.failed() && ar.noRequestID && s.faults.has(faultSilentFailureWithoutID) {
		return 0, "" // nothing to correlate an answer with, so none is sent
	}
	if isAuth && c.auths == maxAuthsPerConnection+1 && s.faults.has(faultSilentAfterManyAuths) {
		return 0, "" // a per-connection counter wraps: that request is dropped
	}
	if s.variants.has(variantEventsBeforeResponses) {
		s.sendEvent(c, appStateEvent{Method: "event", Event: "appStateChanged", AppState: appStateNormal}, true)
	}
	s.send(c, b, true)
	if isAuth && s.faults.has(faultDuplicateResponse) {
		s.send(c, b, true)
	}
	switch {
	case isAuth && ar.failed() && s.faults.has(faultCloseAfterFailure):
		return websocket.StatusNormalClosure, "authorization failed"
	case isAuth && c.failures >= maxFailuresPerConnection && s.faults.has(faultCloseAfterThirdFailure):
		return websocket.StatusPolicyViolation, "too many failed authorizations"
	}
	return 0, ""
}

// maxAuthsPerConnection is how many auths the fault
// silent-after-many-auths answers on one connection before it drops one.
const maxAuthsPerConnection = 30

// maxFailuresPerConnection is how many failed auths in a row the fault
// close-after-third-failure lets a connection have.
const maxFailuresPerConnection = 3

// sendEvent queues one notification, so that it arrives before the
// response that follows.
func (s *Server) sendEvent(c *conn, e any, own bool) {
	b, err := encode(e)
	if err != nil {
		panic(err) // our own event types always encode; recovered by handleSafely
	}
	s.send(c, b, own)
}

// notifyDisplaced tells a connection that another client took its mode
// (authorizationNeeded, cause 1). It is queued on the displaced
// connection's outbox before the newcomer's response is sent, so that the
// displaced connection gets it before the answer to anything it asks after
// that (and a peer that does not read delays nobody).
func (s *Server) notifyDisplaced(v *conn) {
	b := noticeOtherClient
	s.mu.Lock()
	if v.displacedFrom == ModeAdmin && s.faults.has(faultAdminDisplacementCause3) {
		b = noticeAdminCredentialsChanged
	}
	s.mu.Unlock()
	v.log.Info("displaced by another connection in the same mode")
	if s.faults.has(faultNoDisplacementNotice) {
		return
	}
	s.send(v, b, false)
}

// The displacement notices, encoded once: one is sent per displacement.
var (
	noticeOtherClient             = mustEncode(event{Method: "event", Event: "authorizationNeeded", Cause: causeOtherClient})
	noticeAdminCredentialsChanged = mustEncode(event{Method: "event", Event: "authorizationNeeded", Cause: causeAdminCredentialsChanged})
)

func mustEncode(v any) []byte {
	b, err := encode(v)
	if err != nil {
		panic(err) // a constant message of our own type: caught by any test
	}
	return b
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
