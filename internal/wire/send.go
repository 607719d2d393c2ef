package wire

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/coder/websocket"
)

// SendText sends payload as one text frame, bounded by ResponseTimeout and ctx's deadline. A write
// that times out closes the connection (a library property: a half-written frame cannot be
// recovered); canceling ctx does not interrupt a write in progress, for the same reason.
func (c *Client) SendText(ctx context.Context, payload []byte) error {
	return c.send(ctx, websocket.MessageText, payload)
}

// SendBinary sends payload as one binary frame, bounded like SendText.
func (c *Client) SendBinary(ctx context.Context, payload []byte) error {
	return c.send(ctx, websocket.MessageBinary, payload)
}

func (c *Client) send(ctx context.Context, typ websocket.MessageType, payload []byte) error {
	// Recorded before the write so that the transcript never shows an answer before its request.
	if typ == websocket.MessageBinary {
		c.tr.Add(c.opts.Name, Sent, "binary", string(payload))
	} else {
		c.tr.Add(c.opts.Name, Sent, "text", string(payload))
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("wire %s: send: %w", c.opts.Name, err)
	}
	// The library closes the connection when a write's context ends, so cancellation must not reach
	// a write in progress (it takes microseconds); only the deadline bounds a write that blocks.
	deadline := time.Now().Add(c.opts.ResponseTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	wctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	defer cancel()
	err := c.conn.Write(wctx, typ, payload)
	if err == nil {
		return nil
	}
	c.tr.Add(c.opts.Name, Note, "error", "send failed: "+err.Error())
	switch {
	case c.Err() != nil:
		return fmt.Errorf("wire %s: send: %w", c.opts.Name, c.Err())
	case wctx.Err() != nil:
		return fmt.Errorf("wire %s: send not completed in time (the connection is closed now): %w: %w", c.opts.Name, ErrTimeout, err)
	case errors.Is(err, net.ErrClosed):
		return fmt.Errorf("wire %s: send: %w: %w", c.opts.Name, ErrClosed, err)
	}
	return fmt.Errorf("wire %s: send: %w", c.opts.Name, err)
}
