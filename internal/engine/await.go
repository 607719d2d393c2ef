package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/wire"
)

// await runs an Await step: it waits on the step's connection for a
// notification (one that came before the step counts too).
func (x *execution) await(ctx context.Context, s cases.Step, a cases.Await, name string) error {
	conn, ok := x.conns[s.ConnName()]
	if !ok {
		return fmt.Errorf("step %s: connection %s is not open", name, s.ConnName())
	}
	o := x.observation(name)
	wctx := ctx
	if x.target.OrderedEvents {
		// The target queues a notification before it answers anything else
		// on the connection: once a request sent now is answered, the
		// notification has come or never will, and nothing is waited out.
		_, _ = conn.Call(ctx, []byte(fmt.Sprintf(`{"method":"getAuthInfo","requestId":%q}`, x.nextID())))
		done, cancel := context.WithCancel(ctx)
		cancel()
		wctx = done
	}
	ev, err := conn.WaitEvent(wctx, func(m wire.Message) bool { return m.Event() == a.Event })
	switch {
	case err != nil && errors.Is(err, wire.ErrClosed):
		o.ResponseErr, o.Closed = fmt.Sprintf("no %s notification: %v", a.Event, err), true
	case err != nil && wctx != ctx && ctx.Err() == nil:
		o.ResponseErr = fmt.Sprintf("no %s notification (none before the answer to a later request on the connection)", a.Event)
	case err != nil:
		o.ResponseErr = fmt.Sprintf("no %s notification: %v", a.Event, err)
	default:
		o.Response = ev.Fields
	}
	x.evaluate(s, o)
	return nil
}
