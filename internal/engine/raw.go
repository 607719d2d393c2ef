package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/wire"
)

// raw runs a Raw step: it sends a frame as it is and records the reaction
// within the reaction window: an answer, a close, or nothing.
func (x *execution) raw(ctx context.Context, s cases.Step, a cases.Raw, name string) error {
	conn, err := x.conn(ctx, s.ConnName())
	if err != nil {
		x.troubled = true
		return fmt.Errorf("step %s: %w", name, err)
	}
	if a.Binary {
		err = conn.SendBinary(ctx, a.Payload)
	} else {
		err = conn.SendText(ctx, a.Payload)
	}
	x.m.Lost(s.ConnName()) // bytes that are not a request: the model cannot know what follows
	o := x.observation(name)
	if err != nil {
		o.ResponseErr = "send failed: " + err.Error()
		o.Closed = true
	} else {
		// The first answer or the close ends the wait; silence costs the window.
		wctx, cancel := context.WithTimeout(ctx, reactionWindow(x.target))
		m, err := conn.Next(wctx)
		cancel()
		switch {
		case err == nil && m.Err != nil:
			o.ResponseErr = "answered with a malformed frame: " + m.Err.Error()
		case err == nil:
			o.Response = m.Fields
		case errors.Is(err, wire.ErrClosed):
			o.Closed, o.ResponseErr = true, err.Error()
		}
	}
	if o.Closed {
		x.settle(ctx, s.ConnName(), conn.LocalAddr())
	}
	x.evaluate(s, o)
	return nil
}

// reactionWindow is how long a robustness step waits for an answer or a
// close before it records "nothing".
func reactionWindow(t Target) time.Duration {
	return max(t.QuietWindow, min(t.ResponseTimeout, time.Second))
}
