package wire

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"time"
)

// HTTPClient is the client of every plain HTTP request the suite makes (the
// embedded HTTP server's probe path, the web manager's config.json):
// bounded by timeout, no proxy, no kept connections, and never following a
// redirect, which could carry a token elsewhere: a redirect comes back as
// the response, for Redirected to turn into an error. dial opens its
// connections (nil: the system's dialer); dialTimeout bounds each.
func HTTPClient(tlsConf *tls.Config, dial DialFunc, dialTimeout, timeout time.Duration) *http.Client {
	tr := &http.Transport{Proxy: nil, TLSClientConfig: tlsConf.Clone(), DisableKeepAlives: true,
		DialContext: dial.bounded(dialTimeout)}
	return &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Redirected is the error of a redirect answer (a *RedirectError naming
// the Location), nil for any other: the suite asked what it meant to ask
// and got no answer to judge.
func Redirected(resp *http.Response) error {
	if resp.StatusCode < 300 || resp.StatusCode >= 400 {
		return nil
	}
	return &RedirectError{Status: resp.StatusCode, Location: resp.Header.Get("Location")}
}

// DialFunc opens a connection as net.Dialer's DialContext does. The
// project's own tests carry the embedded server's connections in memory
// with one (internal/memnet); nil is the system's dialer.
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// bounded is d with each dial bounded by timeout (0: by ctx alone).
func (d DialFunc) bounded(timeout time.Duration) DialFunc {
	if d == nil {
		return (&net.Dialer{Timeout: timeout}).DialContext
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
		return d(ctx, network, addr)
	}
}
