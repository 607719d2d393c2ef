package refserver

import (
	"context"
	"time"

	"github.com/coder/websocket"
)

// outbox orders what a connection is sent: whatever goroutine sends, the
// connection's messages go out in the order they were queued, one writer at
// a time. The connection's own reader writes its answers itself when no
// one else is writing (no hand-off to another goroutine per answer); a
// message from another connection's goroutine (a notification) is written
// by a goroutine of its own when it finds the outbox idle, so that nobody
// waits for a peer that does not read. Guarded by conn.outMu.
type outbox struct {
	queue   [][]byte
	writing bool          // a writer is draining the queue
	idle    chan struct{} // closed when the current writer stops
	closed  bool
}

// send queues b on c's outbox and, if no writer is active, becomes the
// writer: inline when own says the caller is c's reader, otherwise in a
// goroutine of its own. A message for a closed or full outbox is dropped
// (and logged).
func (s *Server) send(c *conn, b []byte, own bool) {
	c.outMu.Lock()
	o := &c.out
	if o.closed {
		c.outMu.Unlock()
		return
	}
	if len(o.queue) >= outboxSize {
		c.outMu.Unlock()
		c.log.Info("outbox full: a message is dropped", "size", len(b))
		return
	}
	o.queue = append(o.queue, b)
	if o.writing {
		c.outMu.Unlock()
		return
	}
	o.writing, o.idle = true, make(chan struct{})
	c.outMu.Unlock()
	if own {
		s.drain(c)
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.drain(c)
	}()
}

// drain writes the queue in order until it is empty.
func (s *Server) drain(c *conn) {
	for {
		c.outMu.Lock()
		o := &c.out
		if len(o.queue) == 0 {
			o.writing = false
			close(o.idle)
			c.outMu.Unlock()
			return
		}
		b := o.queue[0]
		o.queue[0] = nil
		o.queue = o.queue[1:]
		c.outMu.Unlock()
		if err := s.write(c, b); err != nil {
			c.log.Debug("write failed", "err", err)
		}
	}
}

// write writes one message, bounded by writeTimeout. The bound is a
// deadline on the connection rather than a context: a context with a
// deadline costs a timer and a callback registration per message in the
// library, which was a fifth of the server's write path. A failed write
// closes the connection, which ends its read loop.
func (s *Server) write(c *conn, b []byte) error {
	ctx := context.Background()
	if c.raw != nil {
		_ = c.raw.SetWriteDeadline(time.Now().Add(writeTimeout))
		// Cleared after the write: the library's own frames (pongs, the close
		// frame) must not find an expired deadline later.
		defer func() { _ = c.raw.SetWriteDeadline(time.Time{}) }()
	} else {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(c.ctx, writeTimeout)
		defer cancel()
	}
	if err := c.ws.Write(ctx, websocket.MessageText, b); err != nil {
		_ = c.ws.CloseNow()
		return err
	}
	return nil
}

// closeOutbox stops the outbox and waits, bounded, until what was queued is
// written: the close frame comes after every answer.
func (s *Server) closeOutbox(c *conn) {
	c.outMu.Lock()
	c.out.closed = true
	idle := c.out.idle
	writing := c.out.writing
	c.outMu.Unlock()
	if !writing {
		return
	}
	t := time.NewTimer(writeTimeout)
	defer t.Stop()
	select {
	case <-idle:
	case <-t.C:
	}
}
