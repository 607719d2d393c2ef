package model

import (
	"strings"
	"time"

	"github.com/roomconform/conform/caselang"
)

// field is one request field as the reading cares about it: present or
// not, a string or another JSON type.
type field struct {
	present, isString bool
	s                 string
}

func fieldOf(req map[string]any, key string) field {
	v, ok := req[key]
	if !ok {
		return field{}
	}
	s, isString := v.(string)
	return field{present: true, isString: isString, s: s}
}

// valueFault is the fault of a type or role value: its code's requirement,
// "" when the value is valid. Another letter case of a valid value is the
// SHOULD row (RC-9b, RC-10b); another JSON type is RC-14.
func valueFault(f field, valid []string, must, should string) string {
	switch {
	case !f.present:
		return ""
	case !f.isString:
		return "RC-14"
	}
	for _, v := range valid {
		if f.s == v {
			return ""
		}
	}
	for _, v := range valid {
		if strings.EqualFold(f.s, v) {
			return should
		}
	}
	return must
}

// credClass is what a credential string is to the model.
type credClass int

const (
	credWrong    credClass = iota // nothing the target issued or the operator knows: wrong (RC-8)
	credSecret                    // a secret: modes says which mode(s) it opens
	credPadded                    // a secret with whitespace around it (RC-8b)
	credMaybe                     // the admin PIN in other letter case: the reading does not say
	credToken                     // an API token: see tok
	credHTTP                      // an HTTP or overlay token as API credentials (TOK-4)
	credLeaked                    // a token from a failure or a refusal (FAIL-1, SEC-1)
	credUnjudged                  // a token from an answer the model could not accept
)

// credential is a credential string, recognised.
type credential struct {
	class credClass
	modes []caselang.Mode // credSecret, credPadded, credMaybe: the modes it opens
	kind  credKind        // credSecret: what it is, for lifetimes
	tok   *Token          // credToken
	// folded: the user PIN in other letter case (ROLE-4).
	folded bool
}

// recognise classifies a non-empty credential string. A value is what it
// is, not how the case made it: an "altered" password that happens to be
// the user PIN is the user PIN.
func (m *Model) recognise(s string) credential {
	if ts := m.tokens[s]; len(ts) > 0 {
		return m.recogniseToken(ts)
	}
	if c, ok := m.secretMatch(s, false); ok {
		return c
	}
	if trimmed := strings.TrimSpace(s); trimmed != s && trimmed != "" {
		if c, ok := m.secretMatch(trimmed, false); ok {
			c.class = credPadded
			return c
		}
		// A token is a secret too: with whitespace around it, it is the
		// padded secret of RC-8b (a SHOULD), not any wrong credential.
		for _, t := range m.tokens[trimmed] {
			if t.Kind == APIToken {
				return credential{class: credPadded, modes: []caselang.Mode{t.Mode}}
			}
		}
	}
	if c, ok := m.secretMatch(s, true); ok {
		return c
	}
	return credential{class: credWrong}
}

// secretMatch finds the secrets s is. The user PIN is case-insensitive
// (ROLE-4); the admin PIN in other letter case is not decided by the
// reading (credMaybe, only with fold); passwords are exact.
func (m *Model) secretMatch(s string, fold bool) (credential, bool) {
	var c credential
	p := m.cfg.Profile
	for _, k := range caselang.SecretKinds {
		v := m.cfg.Secrets[k]
		if v == "" {
			continue
		}
		exact := s == v
		folded := !exact && strings.EqualFold(s, v)
		var mode caselang.Mode
		kind := credPassword
		switch k {
		case caselang.AdminPassword:
			mode = caselang.Admin
		case caselang.AdminPIN:
			mode, kind = caselang.Admin, credAdminPIN
			if p.Admin == caselang.Password {
				kind = credCommandPIN
			}
		case caselang.UserPassword:
			mode = caselang.User
		case caselang.UserPIN:
			mode, kind = caselang.User, credUserPIN
		}
		switch {
		case exact && !fold, folded && fold && k == caselang.UserPIN:
			c.class, c.kind, c.folded = credSecret, kind, fold
			c.modes = append(c.modes, mode)
		case folded && fold && k == caselang.AdminPIN && c.class != credSecret:
			c.class, c.kind = credMaybe, kind
			c.modes = append(c.modes, mode)
		}
	}
	return c, len(c.modes) > 0
}

// recogniseToken classifies a value the target issued (possibly more than
// once, possibly as more than one kind).
func (m *Model) recogniseToken(ts []*Token) credential {
	var api *Token
	for _, t := range ts {
		switch {
		case t.Origin == FromFailure || t.Origin == FromRefusal:
			return credential{class: credLeaked, tok: t}
		case t.Origin == FromUnjudged:
			return credential{class: credUnjudged, tok: t}
		case t.Kind == APIToken:
			api = t
		}
	}
	if api != nil && len(ts) == 1 {
		return credential{class: credToken, tok: api}
	}
	if api != nil {
		// The same value issued as API and HTTP token (AUTH-5 is broken):
		// what it opens is the target's business.
		return credential{class: credUnjudged, tok: api}
	}
	return credential{class: credHTTP, tok: ts[0]}
}

// standing is whether a token must work, must not, or may either.
type standing int

const (
	open standing = iota
	live
	dead
)

// apiStanding says whether an API token must re-authorize at a request
// sent at sent and answered at answered, and the requirement that says so.
func (m *Model) apiStanding(t *Token, sent, answered time.Time) (standing, string) {
	if t.root == nil {
		return open, "TOK-1"
	}
	derived := t.Origin == FromToken || t.Origin == FromStatusChange
	lo, hi := m.apiLife(t.root.cred)
	tol := m.set.Tolerance
	switch {
	case hi > 0 && !sent.Before(t.root.answered.Add(hi+tol)):
		if derived {
			return dead, "LIFE-5"
		}
		return dead, "LIFE-4"
	case lo > 0 && answered.After(t.root.sent.Add(lo-tol)), t.unsure:
		// Past the shortest lifetime it may have, or its issuer was
		// displaced or changed mode since: it may have ended. If it still
		// works, it works as TOK-1 says.
		return open, "TOK-1"
	}
	switch {
	case derived && !sent.Before(t.root.answered.Add(m.set.HTTPTokenTTL+tol)):
		// Late in its original's life: it must not die before it (it
		// "expires with the token of the original authorization").
		return live, "LIFE-5"
	case t.Origin == FromStatusChange && t.Mode == caselang.User:
		return live, "TOK-3"
	case t.root.cred == credCommandPIN && !sent.Before(t.root.answered.Add(m.set.TokenTTL+tol)):
		return live, "LIFE-4" // the command-line PIN's token lives until restart
	case t.Origin == FromLogin && !sent.Before(t.root.answered.Add(m.set.HTTPTokenTTL+tol)):
		return live, "LIFE-3" // the API token outlives the HTTP token
	}
	return live, "TOK-1"
}
