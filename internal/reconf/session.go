package reconf

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/jsonnum"
	"github.com/roomconform/conform/internal/wire"
)

// Session is an administrator connection to the target, for setAuthParams
// and getAuthInfo.
type Session struct {
	c  *wire.Client
	id int
}

// Dialer opens a connection to the target (the caller's bounds, transcript
// and redactor); name labels it in the transcript.
type Dialer func(ctx context.Context, name string) (*wire.Client, error)

// Credential is one way to enter administrator mode: a secret, or none
// (type "unsecured").
type Credential struct {
	What   string // for messages: "the admin password", "unsecured"
	Secret string
}

// Login enters administrator mode with the first credential that works,
// each on a fresh connection (a refused one may have been closed). At most
// len(creds) attempts: the wrong ones count towards the target's lockout,
// so the caller orders them by likelihood.
func Login(ctx context.Context, dial Dialer, creds []Credential) (*Session, Credential, error) {
	var tried []string
	for i, cr := range creds {
		c, err := dial(ctx, fmt.Sprintf("restore-%d", i+1))
		if err != nil {
			return nil, cr, err
		}
		granted, why, err := login(ctx, c, caselang.Admin, cr)
		if granted {
			return &Session{c: c}, cr, nil
		}
		c.CloseNow()
		if err != nil {
			why = err.Error()
		}
		tried = append(tried, fmt.Sprintf("%s: %s", cr.What, why))
		if ctx.Err() != nil {
			return nil, cr, ctx.Err()
		}
	}
	return nil, Credential{}, fmt.Errorf("could not enter administrator mode (%s)", strings.Join(tried, "; "))
}

// login sends one auth request for mode with credential cr on c and says
// whether the mode was granted, and if not what the target answered; err
// is set only when no answer came (a closed connection grants nothing and
// is an answer of sorts: why says so).
func login(ctx context.Context, c *wire.Client, mode caselang.Mode, cr Credential) (granted bool, why string, err error) {
	req := map[string]any{"method": "auth", "requestId": "conform-reconf-login", "role": string(mode)}
	if cr.Secret == "" {
		req["type"] = "unsecured"
	} else {
		req["type"], req["credentials"] = "secured", cr.Secret
	}
	b, _ := json.Marshal(req)
	resp, err := c.Call(ctx, b)
	switch {
	case errors.Is(err, wire.ErrClosed):
		return false, "the connection was closed", nil
	case err != nil:
		return false, "", err
	case resp.Err != nil:
		return false, "", resp.Err
	}
	// Whether the login was granted is what the restore needs, not whether
	// the answer is conformant (the cases judge that): result true, and
	// for administrator mode no previleges saying user.
	ok, _ := resp.Fields["result"].(bool)
	prev, hasPrev := jsonnum.Int(resp.Fields["previleges"])
	switch {
	case ok && mode == caselang.Admin && hasPrev && prev == 1:
		return false, "result true with previleges 1 (user mode)", nil
	case ok:
		return true, "", nil
	}
	code, _ := jsonnum.Int(resp.Fields["resultCode"])
	return false, fmt.Sprintf("resultCode %d", code), nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return errors.New("no answer")
}

// Close ends the session's connection.
func (s *Session) Close() { s.c.CloseNow() }

// Reply is a setAuthParams answer.
type Reply struct {
	OK     bool
	NewPIN string // the PIN the target generated, when it says
	Error  string
	Fields map[string]any
}

// Set sends one change and returns the answer.
func (s *Session) Set(ctx context.Context, ch Change) (Reply, error) {
	s.id++
	resp, err := s.c.Call(ctx, ch.Request(fmt.Sprintf("conform-reconf-%d", s.id)))
	if err != nil {
		return Reply{}, fmt.Errorf("setAuthParams %s: %w", ch, err)
	}
	if resp.Err != nil {
		return Reply{}, fmt.Errorf("setAuthParams %s: %w", ch, resp.Err)
	}
	r := Reply{Fields: resp.Fields}
	r.OK, _ = resp.Fields["result"].(bool)
	r.NewPIN, _ = resp.Fields["newPin"].(string)
	r.Error, _ = resp.Fields["error"].(string)
	return r, nil
}

// Info is what getAuthInfo says of the protection; PIN is the user PIN
// (an administrator sees it).
type Info struct {
	Protection
	PIN string
}

// Info asks getAuthInfo.
func (s *Session) Info(ctx context.Context) (Info, error) {
	s.id++
	resp, err := s.c.Call(ctx, []byte(fmt.Sprintf(`{"method":"getAuthInfo","requestId":"conform-reconf-%d"}`, s.id)))
	if err != nil {
		return Info{}, fmt.Errorf("getAuthInfo: %w", err)
	}
	return ParseInfo(resp.Fields)
}

// ParseInfo reads getAuthInfo's answer.
func ParseInfo(f map[string]any) (Info, error) {
	sec := func(key string) (caselang.Security, string) {
		m, _ := f[key].(map[string]any)
		s, _ := m["security"].(string)
		pin, _ := m["pin"].(string)
		return caselang.Security(s), pin
	}
	var in Info
	in.Admin, _ = sec("adminAuth")
	in.User, in.PIN = sec("userAuth")
	for _, s := range []caselang.Security{in.Admin, in.User} {
		if s != caselang.Unsecured && s != caselang.Password && s != caselang.PIN {
			return in, fmt.Errorf("getAuthInfo did not say how both modes are protected (adminAuth %q, userAuth %q)", in.Admin, in.User)
		}
	}
	return in, nil
}
