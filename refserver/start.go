package refserver

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Running is a Server listening on its own ports, as started by Start: the
// WebSocket API, the embedded HTTP server and the web manager's discovery
// file, each on its own listener as on a device.
type Running struct {
	// URL is the WebSocket URL of the API, "ws://host:port/".
	URL string
	// Addr is the API listener's address, "host:port".
	Addr string
	// HTTPURL is the embedded HTTP server (HTTPHandler), "http://host:port".
	HTTPURL string
	// WebURL is the web manager serving /public/default/config.json
	// (WebHandler), "http://host:port".
	WebURL string
	// Server is the running server, for its secrets, profile and tokens.
	Server *Server

	servers   []*http.Server // API, HTTP server, web manager
	serveErr  chan error     // one result per server
	closeOnce sync.Once
	closeErr  error
}

// Start builds a Server from opts, listens on addr (for example
// "127.0.0.1:0" for a free loopback port) for the API, on opts.HTTPAddr for
// the embedded HTTP server and on opts.WebAddr for the web manager, and serves
// until Close. Unless opts.EmbeddedHTTPPort is set, getAppState reports the
// HTTP listener's port, and config.json always reports the real ports of the
// API and HTTP listeners.
func Start(addr string, opts Options) (*Running, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("refserver: listen address %q: %w", addr, err)
	}
	srv, err := New(opts)
	if err != nil {
		return nil, err
	}
	anyPort := net.JoinHostPort(host, "0")
	listen := opts.Listen
	if listen == nil {
		listen = net.Listen
	}
	var lns []net.Listener
	for _, a := range []struct{ name, addr string }{
		{"API", addr},
		{"HTTP server", cmp.Or(opts.HTTPAddr, anyPort)},
		{"web manager", cmp.Or(opts.WebAddr, anyPort)},
	} {
		ln, err := listen("tcp", a.addr)
		if err != nil {
			for _, l := range lns {
				_ = l.Close()
			}
			srv.Close()
			return nil, fmt.Errorf("refserver: listen on %s for the %s: %w", a.addr, a.name, err)
		}
		lns = append(lns, ln)
	}
	wsLn, httpLn, webLn := lns[0], lns[1], lns[2]
	httpPort := listenerPort(httpLn)
	if opts.EmbeddedHTTPPort == 0 {
		srv.httpPort = httpPort // before serving: no handler reads it yet
	}

	errorLog := slog.NewLogLogger(srv.log.Handler(), slog.LevelDebug)
	newServer := func(h http.Handler) *http.Server {
		return &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second, // a client that never finishes its request
			// Handlers see the server's base context, so cancelling it (Server.Close)
			// reaches requests that http.Server.Shutdown cannot: hijacked websockets.
			BaseContext: func(net.Listener) context.Context { return srv.baseCtx },
			ErrorLog:    errorLog,
		}
	}
	r := &Running{
		URL:     "ws://" + wsLn.Addr().String() + "/",
		Addr:    wsLn.Addr().String(),
		HTTPURL: "http://" + httpLn.Addr().String(),
		WebURL:  "http://" + webLn.Addr().String(),
		Server:  srv,
		servers: []*http.Server{
			newServer(srv),
			newServer(srv.HTTPHandler()),
			newServer(srv.WebHandler(listenerPort(wsLn), httpPort)),
		},
		serveErr: make(chan error, len(lns)),
	}
	for i, hs := range r.servers {
		ln := lns[i]
		go func() { r.serveErr <- hs.Serve(ln) }()
	}
	srv.log.Info("reference server listening", "url", r.URL, "http", r.HTTPURL, "web", r.WebURL, "profile", srv.profile.Name)
	return r, nil
}

// listenerPort is the TCP port a listener is bound to.
func listenerPort(ln net.Listener) int {
	if a, ok := ln.Addr().(*net.TCPAddr); ok {
		return a.Port
	}
	return 0 // cannot happen: Start's listeners have TCP addresses
}

// Close stops the three listeners, ends every open connection and waits for
// the serving goroutines, in bounded time. It is safe to call more than once.
func (r *Running) Close() error {
	r.closeOnce.Do(func() {
		var errs []error
		// Close, not Shutdown: the plain HTTP here is handshakes and tiny
		// answers, and Shutdown would wait up to 5 s for a client that
		// connected and never sent a request. Neither reaches hijacked
		// websockets.
		for _, hs := range r.servers {
			if err := hs.Close(); err != nil {
				errs = append(errs, fmt.Errorf("refserver: close listener: %w", err))
			}
		}
		r.Server.Close() // ends the websockets
		for range r.servers {
			if err := <-r.serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
				errs = append(errs, fmt.Errorf("refserver: serve: %w", err))
			}
		}
		r.closeErr = errors.Join(errs...)
	})
	return r.closeErr
}
