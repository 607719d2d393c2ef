package engine

import (
	"context"
	"slices"
	"time"
)

// closeSettle is how long a Close step waits after the close handshake: a
// server notices a closed connection asynchronously, and a token that dies
// with its connection (TOK-1) must be caught every time, not by chance.
const closeSettle = 50 * time.Millisecond

// closeStep runs a Close step: close gracefully (abrupt: drop the TCP
// connection), then let the server catch up: until it says it has
// (Target.Gone), or closeSettle.
func (x *execution) closeStep(ctx context.Context, name string, abrupt bool) {
	x.settleNotices(ctx, name) // what it is owed must come before it closes
	c, open := x.conns[name]
	if open {
		class := "close"
		if abrupt {
			class = "drop"
			_ = c.Abort()
			x.tr.Notef(name, "dropped the connection without a close")
		}
		x.coverTransition(x.m.State(name, x.tm.clock.Now()), class)
	}
	x.closeConn(name)
	if !open {
		return // nothing was open: nothing for the server to catch up with
	}
	x.settle(ctx, name, c.LocalAddr())
}

// settle waits until the server has finished with the connection from
// local address addr, which has ended: until it says so (Target.Gone), or
// closeSettle. What the end did (a token that dies with it, a host banned
// after bad input) then shows in the next step every time, not by chance.
func (x *execution) settle(ctx context.Context, name, addr string) {
	if !x.target.settle(ctx, addr) {
		x.tr.Notef(name, "the server did not finish with the closed connection within %v", x.target.ResponseTimeout)
	}
}

// settle waits until the target has finished with the closed connection
// from addr (Gone), or closeSettle where it cannot say; false when Gone
// did not come within the response timeout.
func (t Target) settle(ctx context.Context, addr string) bool {
	if t.Gone != nil && addr != "" {
		gctx, cancel := context.WithTimeout(ctx, t.withDefaults().ResponseTimeout)
		defer cancel()
		return t.Gone(gctx, addr) == nil
	}
	tm := time.NewTimer(closeSettle)
	defer tm.Stop()
	select {
	case <-tm.C:
	case <-ctx.Done():
	}
	return true
}

// closeConn closes a connection (the close handshake, bounded) and forgets
// its authorization.
func (x *execution) closeConn(name string) {
	if c, ok := x.conns[name]; ok {
		_ = c.Close()
		delete(x.conns, name)
	}
	x.tm.closed(name)
	x.m.Closed(name)
	delete(x.dupSeen, name)
	delete(x.unsolSeen, name)
	delete(x.notices, name)
	delete(x.sentIDs, name)
}

// closeQuietly closes a connection and, where the target can say when it
// has finished with it (Target.Gone), waits for that; elsewhere it does
// not wait (a repeated step's fresh connection).
func (x *execution) closeQuietly(ctx context.Context, name string) {
	c, open := x.conns[name]
	x.closeConn(name)
	if open && x.target.Gone != nil {
		x.settle(ctx, name, c.LocalAddr())
	}
}

// closeAll closes every connection of the case. Where the target can say
// when it has finished with them (Target.Gone), the next case starts only
// then: whether its first login displaces someone must not depend on how
// fast the server noticed this case's closes.
func (x *execution) closeAll() {
	addrs := map[string]string{}
	for name, c := range x.conns {
		addrs[name] = c.LocalAddr()
		x.closeConn(name)
	}
	if x.target.Gone == nil {
		return
	}
	for name, addr := range addrs {
		x.settle(context.Background(), name, addr)
	}
}

// closeOpen closes every connection the case still holds, in name order,
// as close steps do (what each is owed comes first).
func (x *execution) closeOpen(ctx context.Context) {
	names := make([]string, 0, len(x.conns))
	for name := range x.conns {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		x.closeStep(ctx, name, false)
	}
}
