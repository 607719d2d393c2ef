package refserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Running is a Server listening on its own port, as started by Start.
type Running struct {
	// URL is the WebSocket URL of the API, "ws://host:port/".
	URL string
	// Addr is the listener's address, "host:port".
	Addr string
	// Server is the running server, for its secrets, profile and tokens.
	Server *Server

	hs        *http.Server
	serveErr  chan error
	closeOnce sync.Once
	closeErr  error
}

// Start builds a Server from opts, listens on addr (for example
// "127.0.0.1:0" for a free loopback port) and serves until Close.
func Start(addr string, opts Options) (*Running, error) {
	srv, err := New(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("refserver: listen on %s: %w", addr, err)
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second, // a client that never finishes its handshake
		// Handlers see the server's base context, so cancelling it (Server.Close)
		// reaches requests that http.Server.Shutdown cannot: hijacked websockets.
		BaseContext: func(net.Listener) context.Context { return srv.baseCtx },
		ErrorLog:    slog.NewLogLogger(srv.log.Handler(), slog.LevelDebug),
	}
	r := &Running{
		URL:      "ws://" + ln.Addr().String() + "/",
		Addr:     ln.Addr().String(),
		Server:   srv,
		hs:       hs,
		serveErr: make(chan error, 1),
	}
	go func() { r.serveErr <- hs.Serve(ln) }()
	srv.log.Info("reference server listening", "url", r.URL, "profile", srv.profile.Name)
	return r, nil
}

// Close stops listening, ends every open connection and waits for the serving
// goroutines, in bounded time. It is safe to call more than once.
func (r *Running) Close() error {
	r.closeOnce.Do(func() {
		var errs []error
		// Close, not Shutdown: the only plain HTTP here is handshakes, and
		// Shutdown would wait up to 5 s for a client that connected and never
		// sent a request. Neither reaches hijacked websockets.
		if err := r.hs.Close(); err != nil {
			errs = append(errs, fmt.Errorf("refserver: close listener: %w", err))
		}
		r.Server.Close() // ends the websockets
		if err := <-r.serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, fmt.Errorf("refserver: serve: %w", err))
		}
		r.closeErr = errors.Join(errs...)
	})
	return r.closeErr
}
