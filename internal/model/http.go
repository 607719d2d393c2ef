package model

import (
	"fmt"
	"time"
)

// HTTPExchange is one request to the embedded HTTP server with a token.
type HTTPExchange struct {
	m     *Model
	step  string
	token string
	sent  time.Time
}

// ExpectHTTP shows the model an HTTP server request with token, about to be
// sent by step step at time sent.
func (m *Model) ExpectHTTP(step, token string, sent time.Time) *HTTPExchange {
	return &HTTPExchange{m: m, step: step, token: token, sent: sent}
}

// Expected returns whether the HTTP server must accept the token (live),
// must refuse it (dead) or may do either (open), and the requirement that
// says so.
func (h *HTTPExchange) Expected(answered time.Time) (standing, string) {
	m := h.m
	ts := m.tokens[h.token]
	if len(ts) == 0 {
		return dead, "LIFE-1" // a token the target never issued: a wrong token
	}
	kind := ts[0].Kind
	for _, t := range ts {
		switch {
		case t.Origin == FromFailure:
			return dead, "FAIL-1"
		case t.Origin == FromRefusal:
			return dead, "SEC-1"
		case t.Origin == FromUnjudged, t.Kind != kind:
			return open, ""
		}
	}
	t := ts[0]
	switch t.Kind {
	case APIToken:
		return dead, "LIFE-1b"
	case OverlayToken:
		return open, ""
	}
	ttl, tol := m.set.HTTPTokenTTL, m.set.Tolerance
	expires := m.httpExpires(t)
	if !h.sent.Before(t.answered.Add(ttl + tol)) {
		switch {
		case expires && t.Origin == FromRequest:
			// "A new token with a new lifetime" (LIFE-6): an HTTP token's,
			// counted from its own issue.
			return dead, "LIFE-6"
		case expires:
			return dead, "LIFE-2"
		}
		return open, ""
	}
	issuerSame := t.issuer != nil && !t.issuer.closed && !t.issuer.unknown && t.issuer.epoch == t.epoch && !t.unsure
	if !issuerSame || answered.After(t.sent.Add(ttl-tol)) {
		return open, ""
	}
	switch {
	case t.Origin == FromRequest:
		return live, "LIFE-6"
	case expires && answered.Sub(t.answered) > tol:
		return live, "LIFE-2"
	}
	return live, "LIFE-1"
}

// Judge says what the reading thinks of the HTTP status (0: no answer).
func (h *HTTPExchange) Judge(status int, answered time.Time) Verdict {
	if status == 0 {
		return Verdict{}
	}
	st, req := h.Expected(answered)
	actual := fmt.Sprintf("HTTP %d", status)
	var f = finding(req, h.step, "", false, "", actual, "")
	switch st {
	case live:
		f.Check, f.Expected, f.OK = "the HTTP server accepts the token", "HTTP 2xx", status >= 200 && status < 300
	case dead:
		f.Check, f.Expected, f.OK = "the HTTP server refuses the token", "HTTP 4xx", status >= 400 && status < 500
	default:
		return Verdict{}
	}
	return Verdict{Outcome: &f}
}
