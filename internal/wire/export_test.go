package wire

import "slices"

// Accessors the tests use to look inside a Client; the suite itself needs
// none of them.

// Events returns a copy of the stored notifications, in order of arrival.
func (c *Client) Events() []Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.events)
}

// ClearEvents forgets the stored notifications (not the dropped count), so that a later WaitEvent
// only sees what arrives from now on.
func (c *Client) ClearEvents() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range c.events {
		c.held -= m.cost
	}
	c.events = nil
}

// DroppedEvents is the number of notifications dropped because MaxEvents were already stored.
func (c *Client) DroppedEvents() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.droppedEvents
}

// DroppedMessages is the number of non-event messages dropped because a list (queue, Unsolicited,
// Duplicates) already held 1000.
func (c *Client) DroppedMessages() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.droppedMsgs
}

// Transcript returns the transcript this connection records into.
func (c *Client) Transcript() *Transcript { return c.tr }

// Name returns the connection's label (Options.Name).
func (c *Client) Name() string { return c.opts.Name }

// URL returns the URL the client dialed.
func (c *Client) URL() string { return c.url }

// Done is closed when the connection has ended (and the read pump has stopped).
func (c *Client) Done() <-chan struct{} { return c.done }
