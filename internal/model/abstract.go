package model

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/roomconform/conform/caselang"
)

// The abstraction the generated cases tour (internal/generate,
// docs/architecture.md "Generated cases"): a few words for what the
// reading distinguishes in the state of a target and in a request. Two
// concrete states with the same abstract state accept the same answers for
// every input class (a test samples this); an abstract state and an input
// class make a transition, and the generated cases cover every reachable
// one.

// ConnClass is connection name's history as the abstraction keeps it at
// time at: "fresh" (no successful auth yet, or a new connection), "failed"
// (no mode, the last auth failed), "displaced" (SEC-4), or the mode and the
// grant that gave it: "admin/login", "admin/token", "user/login",
// "user/switch", "user/token", "user/escalation" (admin credentials with
// role user, RC-5b). "unknown" when the model does not know it.
func (m *Model) ConnClass(name string, at time.Time) string {
	c, ok := m.conns[name]
	if !ok {
		return "fresh"
	}
	mode, known := m.modeAt(c, at)
	switch {
	case !known:
		return "unknown"
	case mode == "" && c.why == "SEC-4":
		return "displaced"
	case mode == "" && c.why == "FAIL-4":
		return "failed"
	case mode == "":
		return "fresh"
	}
	how := "login"
	switch c.how {
	case "SW-2", "SW-3":
		how = "switch"
	case "TOK-1", "TOK-2", "TOK-3", "TOK-4", "LIFE-3", "LIFE-4", "LIFE-5":
		how = "token"
	case "RC-5b":
		how = "escalation"
	}
	return string(mode) + "/" + how
}

// State is the abstract state of the target as connection self sees it
// before a request: its own class and the modes the other connections
// hold ("admin", "user", "admin+user", "none"; "unknown" when the model
// does not know one). The wrong credentials in a row are not part of it:
// the reading accepts the same answers after none and after one, and from
// two on (RC-6's grey zone, where any answer may be 6) the generator does
// not go.
func (m *Model) State(self string, at time.Time) string {
	var others []string
	for name, c := range m.conns {
		if name == self {
			continue
		}
		switch mode, known := m.modeAt(c, at); {
		case !known:
			others = append(others, "unknown")
		case mode != "":
			others = append(others, string(mode))
		}
	}
	others = slices.Compact(slices.Sorted(slices.Values(others)))
	other := "none"
	if len(others) > 0 {
		other = strings.Join(others, "+")
	}
	return m.ConnClass(self, at) + " | " + other
}

// Streak is the number of failed logins with credentials that may be
// wrong since the last success (what the lockout counts).
func (m *Model) Streak() int { return m.streak }

// InputClass is the class of a request (the decoded JSON object) sent at
// time at: for auth its type, role and credentials as the reading
// distinguishes them ("auth type=secured role=admin cred=secret(admin)"),
// for other methods the method.
func (m *Model) InputClass(req map[string]any, at time.Time) string {
	method, _ := req["method"].(string)
	if method != "auth" {
		if method == "" {
			return "no method"
		}
		return method
	}
	typ := valueClass(fieldOf(req, "type"), []string{"secured", "unsecured"})
	role := valueClass(fieldOf(req, "role"), []string{"admin", "user"})
	return fmt.Sprintf("auth type=%s role=%s cred=%s", typ, role, m.credClass(fieldOf(req, "credentials"), at))
}

// valueClass is a type or role value's class: absent, the value itself,
// "other-case" (RC-9b, RC-10b), "invalid", "non-string" (RC-14).
func valueClass(f field, valid []string) string {
	switch {
	case !f.present:
		return "absent"
	case !f.isString:
		return "non-string"
	case slices.Contains(valid, f.s):
		return f.s
	}
	for _, v := range valid {
		if strings.EqualFold(f.s, v) {
			return "other-case"
		}
	}
	return "invalid"
}

// credClass is a credentials field's class.
func (m *Model) credClass(f field, at time.Time) string {
	switch {
	case !f.present:
		return "absent"
	case !f.isString:
		return "non-string"
	case f.s == "":
		return "empty"
	}
	cr := m.recognise(f.s)
	modes := func() string {
		var s []string
		for _, md := range cr.modes {
			s = append(s, string(md))
		}
		return strings.Join(s, ",")
	}
	switch cr.class {
	case credSecret:
		if cr.folded {
			return "secret(" + modes() + ",other-case)"
		}
		return "secret(" + modes() + ")"
	case credPadded:
		return "padded(" + modes() + ")"
	case credMaybe:
		return "other-case(" + modes() + ")"
	case credToken, credHTTP, credLeaked, credUnjudged:
		return m.TokenClass(cr.tok, at)
	}
	return "wrong"
}

// TokenClass is a token's class at time at, as the abstraction keeps it:
// its kind and mode, "switch" for a status change's (TOK-3 covers it
// apart), and whether the reading says for certain how it behaves then
// ("sure") or not ("unsure": its issuer was displaced or changed mode, a
// lifetime's window...); tokens from a failure or a refusal are "leaked".
// Origins beyond the status change behave alike (TOK-1) and are one class.
func (m *Model) TokenClass(t *Token, at time.Time) string {
	standing := "unsure"
	switch {
	case t.Leaked():
		standing = "leaked"
	case t.Origin == FromUnjudged:
		standing = "unjudged"
	case m.Sure(t, at):
		standing = "sure"
	}
	mode := string(t.Mode)
	if mode == "" {
		mode = "none"
	}
	if t.Origin == FromStatusChange {
		mode += " switch"
	}
	return fmt.Sprintf("%s(%s %s)", t.Kind, mode, standing)
}

// HTTPClass is the class of an HTTP request carrying token (the input
// class of an HTTP probe).
func (m *Model) HTTPClass(token string, at time.Time) string {
	ts := m.tokens[token]
	if len(ts) == 0 {
		return "http wrong-token"
	}
	return "http " + m.TokenClass(ts[0], at)
}

// Clone returns an independent copy of the model (the generator tries an
// input's every accepted answer from the same state).
func (m *Model) Clone() *Model {
	n := *m
	cs := map[*conn]*conn{}
	cp := func(c *conn) *conn {
		if c == nil {
			return nil
		}
		if d, ok := cs[c]; ok {
			return d
		}
		d := *c
		cs[c] = &d
		return &d
	}
	n.conns = map[string]*conn{}
	for name, c := range m.conns {
		n.conns[name] = cp(c)
	}
	n.holder = map[caselang.Mode]*conn{}
	for md, c := range m.holder {
		n.holder[md] = cp(c)
	}
	n.tokens = make(map[string][]*Token, len(m.tokens))
	for v, ts := range m.tokens {
		out := make([]*Token, len(ts))
		for i, t := range ts {
			u := *t
			u.issuer = cp(t.issuer)
			out[i] = &u
		}
		n.tokens[v] = out
	}
	n.cfg.Secrets = maps.Clone(m.cfg.Secrets)
	return &n
}

// Token returns the token the model tracks with value v (the first, when
// the target issued the value more than once), nil if none.
func (m *Model) Token(v string) *Token {
	if ts := m.tokens[v]; len(ts) > 0 {
		return ts[0]
	}
	return nil
}

// Accepted describes the answers the reading accepts for request req on
// connection conn at time at: the auth outcomes (a success in a mode, a
// failure with a code), or whether another method is answered or refused.
// Two concrete states the abstraction maps to one abstract state must give
// the same description for every input class (the abstraction's test).
func (m *Model) Accepted(conn string, req map[string]any, at time.Time) string {
	x := m.Clone().Expect(conn, "", req, at)
	if x.Method != "auth" {
		_, accepted := refusal(x.Answer(at, func(int) int { return 0 }))
		return fmt.Sprintf("accepted=%t", accepted)
	}
	if _, open := x.Rules(at); open {
		return "any"
	}
	cands, err := x.Candidates(at)
	if err != nil {
		return "contradiction: " + err.Error()
	}
	var out []string
	for _, o := range cands {
		if o.Success {
			out = append(out, "success "+string(o.Mode))
		} else {
			out = append(out, fmt.Sprintf("failure %d", o.Codes[0]))
		}
	}
	return strings.Join(out, ", ")
}

// AcceptedHTTP describes what the reading accepts of the HTTP server for
// token at time at (must accept, must refuse, either).
func (m *Model) AcceptedHTTP(token string, at time.Time) string {
	st, _ := m.ExpectHTTP("", token, at).Expected(at)
	return [...]string{open: "either", live: "accept", dead: "refuse"}[st]
}

// PairClass is the state class the covering array of field classes is
// sent in: "none" for a connection without a mode (fresh, failed or
// displaced: what a request does there does not depend on which), else
// its ConnClass.
func (m *Model) PairClass(name string, at time.Time) string {
	switch cl := m.ConnClass(name, at); cl {
	case "fresh", "failed", "displaced":
		return "none"
	default:
		return cl
	}
}
