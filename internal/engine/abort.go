package engine

import (
	"context"
	"fmt"

	"github.com/roomconform/conform/caselang"
)

// abort runs an Abort step: an abrupt close mid-request. It sends the
// request, then drops the TCP connection without reading the answer or
// closing the WebSocket.
func (x *execution) abort(ctx context.Context, s caselang.Step, a caselang.Abort, name string) error {
	payload, _, err := x.build(a.Request, x.nextID())
	if err != nil {
		return fmt.Errorf("step %s: %w", name, err)
	}
	conn, err := x.conn(ctx, s.ConnName())
	if err != nil {
		x.troubled = true
		return fmt.Errorf("step %s: %w", name, err)
	}
	if s.SendsWrongCredential() {
		x.r.svc.Budget.CountWrong()
	}
	sendErr := conn.SendText(ctx, payload)
	addr := conn.LocalAddr()
	_ = conn.Abort()
	// Whatever the server does with the dropped request, it has done it
	// before the next step: the embedded server can tell; a live target
	// gets closeSettle, as after a Close (a login it handled late would
	// otherwise displace the next case's administrator: seen once, under
	// load, as a refused setAuthParams in the case after rob-1-abrupt-close).
	x.settle(ctx, s.ConnName(), addr)
	if s.SendsWrongCredential() {
		x.r.svc.Budget.Delivered() // what the target did with it, it has done by now
	}
	delete(x.conns, s.ConnName())
	x.tm.closed(s.ConnName())
	x.m.Unsettle(s.ConnName())
	delete(x.dupSeen, s.ConnName())
	delete(x.unsolSeen, s.ConnName())
	x.tr.Notef(s.ConnName(), "step %s: sent, then dropped the connection without a close", name)
	if sendErr != nil {
		return fmt.Errorf("step %s: %w", name, sendErr)
	}
	return nil
}
