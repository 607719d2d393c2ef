package wire

import (
	"context"
	"fmt"
	"slices"
)

// WaitEvent returns the first stored or future notification for which match returns true (match nil
// = any), bounded like Call. Already-stored events are checked first, so a notification that came
// before the call is found; it is not removed (see ClearEvents). match runs in the caller's
// goroutine. Notifications beyond what the connection keeps (MaxEvents, MaxStoredBytes, the run's
// Budget) are not stored but are still seen by a waiting WaitEvent, within the same bounds.
func (c *Client) WaitEvent(ctx context.Context, match func(Message) bool) (Message, error) {
	if match == nil {
		match = func(Message) bool { return true }
	}
	w := &eventWaiter{}
	c.mu.Lock()
	pending := slices.Clone(c.events)
	c.waiters[w] = struct{}{}
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.waiters, w)
		c.mu.Unlock()
	}()
	b := newBound(ctx, c.opts.ResponseTimeout)
	defer b.stop()
	for {
		for _, m := range pending {
			if match(m) {
				return m, nil
			}
		}
		c.mu.Lock()
		pending, w.inbox, w.held = w.inbox, nil, 0
		closed, wake := c.err, c.wake
		c.mu.Unlock()
		if len(pending) > 0 {
			continue
		}
		if closed != nil {
			return Message{}, fmt.Errorf("wire %s: no matching notification: %w", c.opts.Name, closed)
		}
		if err := b.block(wake); err != nil {
			return Message{}, fmt.Errorf("wire %s: no matching notification %w", c.opts.Name, err)
		}
	}
}
