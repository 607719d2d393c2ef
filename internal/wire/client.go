package wire

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/roomconform/conform/internal/redact"
)

// Response is the answer Call returns.
type Response struct {
	Message
	// Matched: the requestId matched (or no requestId was sent). False means the first non-event
	// message after the send carried another requestId (or none); it is returned rather than waited
	// out, so that the caller can report it.
	Matched bool
	// Stale (CallOrStale only): the message carries the requestId of a request this connection
	// already had answered. It is a second answer to that request (ENV-1) or this request's answer
	// with a wrong requestId (ENV-3); only an ordering barrier tells which, so it is returned rather
	// than waited out. It stays recorded in Duplicates, and the Call's own answer, if it comes
	// later, is queued for Next.
	Stale bool
}

// Client is one WebSocket connection to the control API.
//
// Reading: one read pump goroutine owns Conn.Read (a deadline on Read would close the connection).
// It sorts what arrives: notifications (method "event") are stored for Events/WaitEvent, everything
// else goes to one queue that Call, Next and Quiet take from.
//
// Call, Next and Quiet are not for concurrent use with each other: the protocol is lock-step, one
// outstanding request at a time. A second concurrent Call or Next returns an error instead of
// stealing the other's response. WaitEvent, the Send methods and the accessors may be used from any
// goroutine at any time.
type Client struct {
	url        string
	opts       Options
	conn       *websocket.Conn
	tr         *Transcript
	red        *redact.Redactor
	autoFields map[string]bool
	autoRE     *regexp.Regexp // fallback for payloads that are not a JSON object

	rawMu sync.Mutex
	raws  []net.Conn // the TCP connections the dialer made, so Close and Abort can always drop them

	closing   atomic.Bool // Close, CloseNow or Abort began: the pump must not close the connection itself
	aborted   atomic.Bool
	peerClose atomic.Bool // the pump recorded the server's close frame
	done      chan struct{}

	mu            sync.Mutex
	wake          chan struct{} // closed and replaced on every change waiters care about
	err           error         // why the connection ended; nil while open
	busy          bool          // a Call or Next is waiting
	call          *pendingCall
	queue         []queued // non-event messages not yet taken
	events        []Message
	held          int // storedCost of the messages in queue, events, unsolicited and duplicates
	droppedEvents int
	droppedMsgs   int
	unsolicited   []Message
	duplicates    []Message
	answered      []any // requestIds a Call returned a response for
	abandoned     []any // requestIds of Calls that timed out
	late          int   // answers that came after their Call timed out
	waiters       map[*eventWaiter]struct{}
}

type pendingCall struct {
	id    any
	hasID bool
}

type queued struct {
	msg Message
	dup bool // also recorded in duplicates; Call skips it
}

type eventWaiter struct {
	inbox []Message // notifications that arrived since the waiter registered
	held  int       // their storedCost
}

func matchesAny(ids []any, id any) bool {
	for _, known := range ids {
		if IDMatches(known, id) {
			return true
		}
	}
	return false
}

// trackable: "" and null are what servers echo for requests without an id, so remembering them as
// answered or abandoned would misfile the answers of later id-less requests.
func trackable(id any) bool {
	return id != nil && id != ""
}

// retain appends m to a list the connection keeps for good (unsolicited, duplicates), within
// maxKept, the connection's MaxStoredBytes and the run's Budget; a message that does not fit is
// counted and dropped. c.mu must be held.
func (c *Client) retain(list []Message, m Message) []Message {
	why := ""
	switch {
	case len(list) >= maxKept:
		why = fmt.Sprintf("a list of %d messages is full", maxKept)
	case c.held+m.cost > c.opts.MaxStoredBytes:
		why = fmt.Sprintf("the storage limit of %d MiB for this connection is reached", c.opts.MaxStoredBytes>>20)
	case !c.opts.Stored.take(m.cost):
		why = fmt.Sprintf("the storage limit of %d MiB for this run is reached", c.opts.Stored.max>>20)
	}
	if why != "" {
		c.dropMessage(why)
		return list
	}
	c.held += m.cost
	return append(list, m)
}

// dropMessage counts a message other than a notification that is not kept, and notes it (the
// first of every hundred). c.mu must be held.
func (c *Client) dropMessage(why string) {
	c.droppedMsgs++
	c.tr.dropped(c.opts.Name, false, c.limits())
	if c.droppedMsgs%100 == 1 {
		c.tr.Notef(c.opts.Name, "a message not kept: %s; %d dropped so far (not recorded)", why, c.droppedMsgs)
	}
}

// limits says what a connection keeps, for the note on what it dropped.
func (c *Client) limits() string {
	s := fmt.Sprintf("a connection keeps %d notifications, %d messages a list, %d MiB in all", c.opts.MaxEvents, maxKept, c.opts.MaxStoredBytes>>20)
	if c.opts.Stored != nil {
		s += fmt.Sprintf("; a run keeps %d MiB", c.opts.Stored.max>>20)
	}
	return s
}

func rememberID(ids []any, id any) []any {
	if len(ids) >= maxKept {
		ids = ids[1:]
	}
	return append(ids, id)
}

func forgetID(ids []any, id any) []any {
	return slices.DeleteFunc(ids, func(known any) bool { return IDMatches(known, id) || IDMatches(id, known) })
}

// bound is one wait limited by min(ctx, a timeout).
type bound struct {
	ctx   context.Context
	d     time.Duration
	timer *time.Timer
}

func newBound(ctx context.Context, d time.Duration) *bound {
	return &bound{ctx: ctx, d: d, timer: time.NewTimer(d)}
}

func (b *bound) stop() { b.timer.Stop() }

// block waits for wake; it returns a non-nil error (wrapping ErrTimeout when time ran out) when the
// wait is over.
func (b *bound) block(wake <-chan struct{}) error {
	select {
	case <-wake:
		return nil
	case <-b.timer.C:
		return fmt.Errorf("within %v: %w", b.d, ErrTimeout)
	case <-b.ctx.Done():
		if errors.Is(b.ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("before the context deadline: %w (%w)", ErrTimeout, b.ctx.Err())
		}
		return fmt.Errorf("wait canceled: %w", b.ctx.Err())
	}
}

// Err says why the connection ended (a *ClosedError with the close code and reason when the peer
// closed); nil while open.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// LocalAddr is the local "host:port" of the connection (the server sees it
// as the peer's address), "" before the dial succeeded.
func (c *Client) LocalAddr() string {
	c.rawMu.Lock()
	defer c.rawMu.Unlock()
	if len(c.raws) == 0 {
		return ""
	}
	return c.raws[len(c.raws)-1].LocalAddr().String()
}

// Late returns how many answers came after their Call had timed out (and
// were dropped).
func (c *Client) Late() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.late
}
