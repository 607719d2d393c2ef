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
	ev, err := conn.WaitEvent(ctx, func(m wire.Message) bool { return m.Event() == a.Event })
	if err != nil {
		o.ResponseErr = fmt.Sprintf("no %s notification: %v", a.Event, err)
		o.Closed = errors.Is(err, wire.ErrClosed)
	} else {
		o.Response = ev.Fields
	}
	x.evaluate(s, o)
	return nil
}
