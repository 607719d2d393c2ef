// Package memnet is a network inside one process: listeners and a dialer
// joined by net.Pipe, addressed like loopback TCP ("127.0.0.1:N"). The
// project's own whole-run tests carry the embedded reference server's
// connections over it: the mutation matrix makes hundreds of thousands of
// connections, and on loopback sockets a quarter of its processor time was
// the kernel's. Runs against a device, and `conform run` itself, always use
// real sockets.
package memnet

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"syscall"
)

// Network holds the listeners of one run. The zero value is not usable;
// call New.
type Network struct {
	mu        sync.Mutex
	port      int // the last port handed out to a dialling end
	listeners map[string]*listener
}

// New returns an empty network.
func New() *Network { return &Network{listeners: map[string]*listener{}} }

// listenerPorts are the ports of the listeners of every network of the
// process that asked for port 0, from 1 to 1023, ports no real listener
// on "127.0.0.1:0" gets: a live run keys its recovery journal by the
// target's host and port, so two networks' targets, or a real one, must
// never share an address while both are open.
var listenerPorts struct {
	sync.Mutex
	next  int
	inUse map[int]bool
}

// takeListenerPort takes a free port of listenerPorts, round robin (a
// port just closed is the last to be reused); ok is false when all 1023
// are open.
func takeListenerPort() (port int, ok bool) {
	lp := &listenerPorts
	lp.Lock()
	defer lp.Unlock()
	if lp.inUse == nil {
		lp.inUse = map[int]bool{}
	}
	for range maxListenerPort {
		lp.next = lp.next%maxListenerPort + 1
		if !lp.inUse[lp.next] {
			lp.inUse[lp.next] = true
			return lp.next, true
		}
	}
	return 0, false
}

// releaseListenerPort gives back a port takeListenerPort took.
func releaseListenerPort(port int) {
	listenerPorts.Lock()
	delete(listenerPorts.inUse, port)
	listenerPorts.Unlock()
}

// maxListenerPort is the highest port listenerPorts hands out.
const maxListenerPort = 1023

// nextPort hands out the dialling ends' ports, unique among the
// network's open connections (the reference server tells its connections
// apart by the client's address), from 1024 up.
func (n *Network) nextPort() int {
	n.port = n.port%(65535-1024) + 1
	return 1023 + n.port
}

// Listen listens on addr ("host:port"; port 0 picks one). The network
// argument is accepted for symmetry with net.Listen and must be "tcp".
func (n *Network) Listen(network, addr string) (net.Listener, error) {
	if network != "tcp" {
		return nil, fmt.Errorf("memnet: listen %s %s: only tcp", network, addr)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("memnet: listen %s: %w", addr, err)
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return nil, fmt.Errorf("memnet: listen %s: host is not an IP address", addr)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return nil, fmt.Errorf("memnet: listen %s: %w", addr, err)
	}
	taken := false
	if p == 0 {
		if p, taken = takeListenerPort(); !taken {
			return nil, &net.OpError{Op: "listen", Net: network, Addr: &net.TCPAddr{IP: ip}, Err: os.NewSyscallError("bind", syscall.EADDRINUSE)}
		}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	a := &net.TCPAddr{IP: ip, Port: p}
	if n.listeners[a.String()] != nil {
		if taken {
			releaseListenerPort(p)
		}
		return nil, &net.OpError{Op: "listen", Net: network, Addr: a, Err: os.NewSyscallError("bind", syscall.EADDRINUSE)}
	}
	l := &listener{n: n, addr: a, conns: make(chan net.Conn), done: make(chan struct{}), taken: taken}
	n.listeners[a.String()] = l
	return l, nil
}

// DialContext connects to a listener of the network, as net.Dialer's
// DialContext does: a refused connection when nothing listens at addr, and
// ctx bounds the wait for the listener to accept.
func (n *Network) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	n.mu.Lock()
	l := n.listeners[addr]
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: n.nextPort()}
	n.mu.Unlock()
	dialError := func(err error) error {
		var ra net.Addr
		if ap, perr := netip.ParseAddrPort(addr); perr == nil { // never a name to look up
			ra = net.TCPAddrFromAddrPort(ap)
		}
		return &net.OpError{Op: "dial", Net: network, Source: local, Addr: ra, Err: err}
	}
	refused := os.NewSyscallError("connect", syscall.ECONNREFUSED)
	if l == nil {
		return nil, dialError(refused)
	}
	client, server := net.Pipe()
	select {
	case l.conns <- &conn{Conn: server, local: l.addr, remote: local}:
		return &conn{Conn: client, local: local, remote: l.addr}, nil
	case <-l.done:
		client.Close()
		server.Close()
		return nil, dialError(refused)
	case <-ctx.Done():
		// As net.Dialer: the context's error, which errors.Is finds.
		client.Close()
		server.Close()
		return nil, dialError(ctx.Err())
	}
}

// listener is a net.Listener of the network: each dial hands it the
// server's end of a new pipe.
type listener struct {
	n     *Network
	addr  *net.TCPAddr
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
	// taken says the port is listenerPorts', given back on Close.
	taken bool
}

// Accept waits for a dial, or for Close.
func (l *listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, &net.OpError{Op: "accept", Net: "tcp", Addr: l.addr, Err: net.ErrClosed}
	}
}

// Close stops accepting; dials to the address are refused from then on.
// Connections already made are the caller's to close.
func (l *listener) Close() error {
	l.once.Do(func() {
		close(l.done)
		l.n.mu.Lock()
		delete(l.n.listeners, l.addr.String())
		l.n.mu.Unlock()
		if l.taken {
			releaseListenerPort(l.addr.Port)
		}
	})
	return nil
}

// Addr is the listener's TCP-like address.
func (l *listener) Addr() net.Addr { return l.addr }

// conn is one end of a pipe with the TCP-like addresses of its two ends.
type conn struct {
	net.Conn
	local, remote *net.TCPAddr
}

func (c *conn) LocalAddr() net.Addr  { return c.local }
func (c *conn) RemoteAddr() net.Addr { return c.remote }
