package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/wire"
)

// await runs an Await step: it looks on the step's connection for a
// notification (one that came before the step counts too).
func (x *execution) await(ctx context.Context, s caselang.Step, a caselang.Await, name string) error {
	conn, ok := x.conns[s.ConnName()]
	if !ok {
		return fmt.Errorf("step %s: connection %s is not open", name, s.ConnName())
	}
	o := x.observation(name)
	// Missing is known, not waited out: a notification comes before the
	// answer to a request sent now (an ordering barrier; eventAfterBarrier).
	_, berr := x.barrier(ctx, conn)
	if berr != nil && !errors.Is(berr, wire.ErrClosed) {
		return x.unansweredBarrier(name, "waiting for "+a.Event, berr)
	}
	ev, err := x.eventAfterBarrier(ctx, conn, s.ConnName(), 0, func(m wire.Message) bool { return m.Event() == a.Event })
	switch {
	case err != nil && errors.Is(err, wire.ErrClosed):
		o.ResponseErr, o.Closed = fmt.Sprintf("no %s notification: %v", a.Event, err), true
	case err != nil && ctx.Err() == nil:
		o.ResponseErr = fmt.Sprintf("no %s notification %s", a.Event, x.missingWhen())
	case err != nil:
		o.ResponseErr = fmt.Sprintf("no %s notification: %v", a.Event, err)
	default:
		o.Response = ev.Fields
	}
	x.evaluate(s, o)
	return nil
}
