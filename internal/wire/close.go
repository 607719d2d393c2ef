package wire

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/coder/websocket"
)

// releaseTimeout bounds the waits after the connection has been dropped (read pump exit, library
// close); they take microseconds, the bound only guards against a hang.
const releaseTimeout = 2 * time.Second

// Close performs a close handshake (code 1000) bounded by CloseTimeout, then drops the TCP
// connection if the server did not answer. It returns nil when the connection is gone in the end,
// however the server answered (that is recorded in the transcript), and when it was already closed,
// so it is safe in cleanup. An error means the read pump did not stop (which would be a bug).
func (c *Client) Close() error {
	if c.closing.Swap(true) {
		return c.waitDone()
	}
	select {
	case <-c.done: // the server ended it already; only release the library's resources
		_ = c.conn.CloseNow()
		return nil
	default:
	}
	c.tr.Add(c.opts.Name, Sent, "close", `code 1000 reason ""`)
	res := make(chan error, 1)
	go func() { res <- c.conn.Close(websocket.StatusNormalClosure, "") }()
	t := time.NewTimer(c.opts.CloseTimeout)
	defer t.Stop()
	select {
	case err := <-res:
		if werr := c.waitDone(); werr != nil {
			return werr
		}
		// When the pump was between reads, the library's Close read the server's answer itself.
		if !c.peerClose.Load() {
			if code := websocket.CloseStatus(err); code != -1 {
				var ce websocket.CloseError
				errors.As(err, &ce)
				c.tr.Add(c.opts.Name, Received, "close", fmt.Sprintf("code %d reason %q", code, ce.Reason))
			} else if err == nil {
				c.tr.Add(c.opts.Name, Received, "close", "code 1000 (close handshake completed)")
			}
		}
		return nil
	case <-t.C:
		// conn.CloseNow cannot interrupt a running Close; dropping the TCP connection can.
		c.tr.Notef(c.opts.Name, "close handshake not completed within %v: dropping the connection", c.opts.CloseTimeout)
		_ = c.closeRaw()
		rt := time.NewTimer(releaseTimeout)
		defer rt.Stop()
		select {
		case <-res:
		case <-rt.C:
		}
	}
	return c.waitDone()
}

// CloseNow closes the connection without a close handshake (the TCP connection is closed without
// sending a close frame). Returns nil when already closed.
func (c *Client) CloseNow() error {
	if c.closing.Swap(true) {
		return c.waitDone()
	}
	c.tr.Notef(c.opts.Name, "closing without close handshake")
	err := c.conn.CloseNow()
	if werr := c.waitDone(); werr != nil {
		return werr
	}
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("wire %s: close: %w", c.opts.Name, err)
	}
	return nil
}

// Abort drops the TCP connection without a close frame, to simulate an abrupt client close (a crash,
// a pulled cable). Returns nil when already closed.
func (c *Client) Abort() error {
	if c.closing.Swap(true) {
		return c.waitDone()
	}
	c.aborted.Store(true)
	c.tr.Notef(c.opts.Name, "aborting: dropping the TCP connection without a close frame")
	err := c.closeRaw()
	_ = c.conn.CloseNow() // release the library's side; nothing is written on a closed socket
	if werr := c.waitDone(); werr != nil {
		return werr
	}
	if err != nil {
		return fmt.Errorf("wire %s: abort: %w", c.opts.Name, err)
	}
	return nil
}

// waitDone waits, bounded, for the read pump to stop.
func (c *Client) waitDone() error {
	t := time.NewTimer(releaseTimeout)
	defer t.Stop()
	select {
	case <-c.done:
		return nil
	case <-t.C:
		return fmt.Errorf("wire %s: read pump did not stop within %v after close", c.opts.Name, releaseTimeout)
	}
}
