package wire

import (
	"crypto/tls"
	"net"
	"net/http"
	"time"
)

// HTTPClient is the client of every plain HTTP request the suite makes (the
// embedded HTTP server's probe path, the web manager's config.json):
// bounded by timeout, no proxy, no kept connections, and never following a
// redirect, which could carry a token elsewhere: a redirect comes back as
// the response, for Redirected to turn into an error.
func HTTPClient(tlsConf *tls.Config, dialTimeout, timeout time.Duration) *http.Client {
	tr := &http.Transport{Proxy: nil, TLSClientConfig: tlsConf.Clone(), DisableKeepAlives: true,
		DialContext: (&net.Dialer{Timeout: dialTimeout}).DialContext}
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
