package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/wire"
)

// raw runs a Raw step: it sends a frame as it is and records the reaction:
// an answer, a close, or nothing.
func (x *execution) raw(ctx context.Context, s caselang.Step, a caselang.Raw, name string) error {
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
		x.react(ctx, conn, &o)
	}
	if o.Closed {
		x.settle(ctx, s.ConnName(), conn.LocalAddr())
	}
	x.evaluate(s, o)
	return nil
}

// react records what the target did with the frame just sent: its first
// answer, a close, or nothing. Nothing is known, not waited out: the
// target's answer to a request sent after the frame (an ordering barrier)
// comes after any reaction to the frame, and a target not known to order
// its output gets the quiet window after that as well.
func (x *execution) react(ctx context.Context, conn *wire.Client, o *caselang.Observation) {
	before, err := x.barrier(ctx, conn)
	if len(before) == 0 && err == nil {
		lctx, cancel := x.listening(ctx)
		if m, err := conn.Next(lctx); err == nil {
			before = append(before, m)
		}
		cancel()
	}
	switch {
	case len(before) > 0 && before[0].Err != nil:
		o.ResponseErr = "answered with a malformed frame: " + before[0].Err.Error()
	case len(before) > 0:
		o.Response = before[0].Fields
	case errors.Is(err, wire.ErrClosed):
		o.Closed, o.ResponseErr = true, err.Error()
	case err != nil:
		x.troubled = true
		o.ResponseErr = "no answer to the frame nor to the request sent after it: " + err.Error()
	}
}
