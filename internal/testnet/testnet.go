// Package testnet holds the raw TCP fixtures the tests of several packages
// share: a port that accepts and then does what a hostile peer does. It is
// for tests only.
package testnet

import (
	"net"
	"sync"
)

// TB is what the fixtures use of testing.TB (which satisfies it): taken as
// an interface, so that no package of the module but its tests imports
// "testing" (internal/archtest).
type TB interface {
	Helper()
	Fatal(args ...any)
	Cleanup(func())
}

// Listen accepts TCP connections on a loopback port and hands each to
// handle in a goroutine of its own (nil: hold it, never answer). Every
// connection stays open until the test ends. It returns "host:port".
func Listen(t TB, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			if handle != nil {
				go handle(c)
			}
		}
	}()
	return ln.Addr().String()
}

// BadHandshake answers a WebSocket handshake with 101 but without the
// headers that make it one, then stalls.
func BadHandshake(c net.Conn) {
	c.Read(make([]byte, 4096))
	c.Write([]byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"))
}
