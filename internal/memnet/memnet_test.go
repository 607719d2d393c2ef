package memnet

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

// TestDialReachesTheListener: bytes cross both ways, and each end sees
// the other's address, as on loopback TCP.
func TestDialReachesTheListener(t *testing.T) {
	n := New()
	ln, err := n.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- c
	}()
	c, err := n.DialContext(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s := <-accepted
	if s == nil {
		t.Fatal("nothing accepted")
	}
	defer s.Close()
	if c.RemoteAddr().String() != ln.Addr().String() || s.RemoteAddr().String() != c.LocalAddr().String() {
		t.Errorf("addresses: client %s -> %s, server %s <- %s", c.LocalAddr(), c.RemoteAddr(), s.LocalAddr(), s.RemoteAddr())
	}
	go func() { _, _ = c.Write([]byte("ping")) }()
	buf := make([]byte, 4)
	if _, err := io.ReadFull(s, buf); err != nil || string(buf) != "ping" {
		t.Errorf("read %q, %v", buf, err)
	}
}

// TestNothingListeningIsRefused: a dial to no listener, or to a closed
// one, is refused as a socket's is (what the suite reports as
// "connection refused").
func TestNothingListeningIsRefused(t *testing.T) {
	n := New()
	if _, err := n.DialContext(context.Background(), "tcp", "127.0.0.1:9"); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("dial to nothing: %v, want connection refused", err)
	}
	ln, err := n.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("accept after close: %v, want net.ErrClosed", err)
	}
	if _, err := n.DialContext(context.Background(), "tcp", ln.Addr().String()); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("dial to a closed listener: %v, want connection refused", err)
	}
}

// TestDialIsBoundedByItsContext: a listener that never accepts holds a
// dial only until the context ends.
func TestDialIsBoundedByItsContext(t *testing.T) {
	n := New()
	ln, err := n.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := n.DialContext(ctx, "tcp", ln.Addr().String()); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("dial to a listener that never accepts: %v, want the context's deadline", err)
	}
}

// TestListenersOfAllNetworksHaveTheirOwnPorts: two networks' listeners
// never share an address (a live run's journal is named by it), nor one
// an address taken in its own network.
func TestListenersOfAllNetworksHaveTheirOwnPorts(t *testing.T) {
	a, b := New(), New()
	la, err := a.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer la.Close()
	lb, err := b.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer lb.Close()
	if la.Addr().String() == lb.Addr().String() {
		t.Errorf("both networks listen on %s", la.Addr())
	}
	if _, err := a.Listen("tcp", la.Addr().String()); !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("a second listener on %s: %v, want address in use", la.Addr(), err)
	}
	if _, err := a.Listen("unix", "/tmp/x"); err == nil {
		t.Error("a unix listener was made")
	}
}

// TestListenerPortsAreNeverShared: past the 1023 ports' wrap, a port still
// open is never handed out again, and with all of them open a listener is
// refused rather than given a taken one.
func TestListenerPortsAreNeverShared(t *testing.T) {
	var open []net.Listener
	defer func() {
		for _, l := range open {
			l.Close()
		}
	}()
	first, err := New().Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	open = append(open, first)
	seen := map[string]bool{first.Addr().String(): true}
	for {
		l, err := New().Listen("tcp", "127.0.0.1:0")
		if err != nil {
			if !errors.Is(err, syscall.EADDRINUSE) {
				t.Fatalf("with every port open: %v, want address in use", err)
			}
			break
		}
		if seen[l.Addr().String()] {
			t.Fatalf("%s handed out twice while open", l.Addr())
		}
		seen[l.Addr().String()] = true
		open = append(open, l)
	}
	if len(seen) != maxListenerPort {
		t.Errorf("%d ports before refusing, want %d", len(seen), maxListenerPort)
	}
	// One closed: that port, and only it, is free again.
	first.Close()
	open = open[1:]
	l, err := New().Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	open = append(open, l)
	if l.Addr().String() != first.Addr().String() {
		t.Errorf("got %s, want the one port closed, %s", l.Addr(), first.Addr())
	}
}
