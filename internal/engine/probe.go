package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/wire"
)

// ConfigError means the operator's configuration does not fit the target
// (a secret was refused): exit 2, not a conformance verdict.
type ConfigError struct{ Msg string }

func (e *ConfigError) Error() string { return e.Msg }

// IsConfig reports whether err is a configuration error.
func IsConfig(err error) bool {
	var c *ConfigError
	return errors.As(err, &c)
}

// ProbeResult is what the preflight learnt.
type ProbeResult struct {
	Profile cases.Profile
	// Secrets are the operator's secrets plus the user PIN read with
	// getAuthInfo, when the suite had admin access.
	Secrets Secrets
	// Transcript of the probe, for the report when it fails.
	Transcript *wire.Transcript
}

// Probe is the preflight: it dials the target once, authorizes once, and
// learns the target's profile. With admin access (admin unsecured, or an
// admin password/PIN from the environment) it reads getAuthInfo, which also
// gives it the user PIN; without it, an unsecured user probe tells
// unsecured from protected. plan is the declared plan ("" = pro).
//
// A target that cannot be reached or does not answer like the control API
// costs one dial and one response timeout and returns an UnreachableError.
// A secret the target refuses returns a ConfigError.
func Probe(ctx context.Context, t Target, secrets Secrets, plan cases.Plan, red *wire.Redactor) (ProbeResult, error) {
	tr := wire.NewTranscript(red)
	res := ProbeResult{Transcript: tr, Secrets: secrets}
	if plan == "" {
		plan = cases.Pro
	}
	p := cases.Profile{Admin: cases.Unknown, User: cases.Unknown, Plan: plan, Source: "probe"}
	for _, k := range secrets.Kinds() {
		if v, ok := secrets.Get(k); ok && red != nil {
			red.Add(string(k), v)
		}
	}

	// Admin access first: with it, getAuthInfo tells everything.
	adminConn, adminAccess, err := probeAdmin(ctx, t, secrets, tr, &p)
	if err != nil {
		return res, err
	}
	if adminAccess {
		defer adminConn.Close()
		if err := readAuthInfo(ctx, adminConn, &p, &res.Secrets, red); err != nil {
			p.Notes = append(p.Notes, "getAuthInfo did not answer usefully ("+err.Error()+"); user security probed instead")
		} else {
			p.Source = "getAuthInfo"
		}
	}
	if p.User == cases.Unknown {
		if err := probeUser(ctx, t, secrets, tr, &p); err != nil {
			return res, err
		}
	}
	if plan == cases.Free {
		p.Source = "declared plan free, " + p.Source
	}
	p.Secrets = res.Secrets.Kinds()
	if pin, ok := res.Secrets.Get(cases.UserPIN); ok {
		p.UserPINHasLetters = cases.HasLetter(pin)
	}
	res.Profile = p
	return res, nil
}

// probeAdmin tries admin access: the admin secret if given, else unsecured.
func probeAdmin(ctx context.Context, t Target, secrets Secrets, tr *wire.Transcript, p *cases.Profile) (*wire.Client, bool, error) {
	var attempts []struct {
		kind cases.SecretKind
		req  map[string]any
	}
	for _, k := range []cases.SecretKind{cases.AdminPassword, cases.AdminPIN} {
		if v, ok := secrets.Get(k); ok {
			attempts = append(attempts, struct {
				kind cases.SecretKind
				req  map[string]any
			}{k, map[string]any{"method": "auth", "requestId": "conform-probe-admin", "type": "secured", "credentials": v, "role": "admin"}})
		}
	}
	unsecured := map[string]any{"method": "auth", "requestId": "conform-probe-admin", "type": "unsecured", "role": "admin"}
	for _, a := range attempts {
		conn, code, err := probeAuth(ctx, t, "probe-admin", a.req, tr)
		if err != nil {
			return nil, false, err
		}
		switch code {
		case 0:
			p.Admin = cases.Protected
			return conn, true, nil
		case 2:
			conn.Close()
			if p.Plan != cases.Free {
				return nil, false, &ConfigError{Msg: fmt.Sprintf("the target refused %s with resultCode 2 (plan is not Pro): run with --plan free", a.kind.EnvVar())}
			}
		case 4:
			// Secured login aimed at an unprotected admin (RC-4b): fall through to unsecured.
			conn.Close()
		case 6:
			conn.Close()
			return nil, false, &UnreachableError{Err: fmt.Errorf("the target refuses logins for now (resultCode 6: locked out after wrong attempts); wait and run again")}
		default:
			conn.Close()
			return nil, false, &ConfigError{Msg: fmt.Sprintf("the target refused %s (resultCode %d): check the variable", a.kind.EnvVar(), code)}
		}
	}
	conn, code, err := probeAuth(ctx, t, "probe-admin", unsecured, tr)
	if err != nil {
		return nil, false, err
	}
	if code == 0 {
		p.Admin = cases.Unsecured
		return conn, true, nil
	}
	conn.Close()
	p.Admin = cases.Protected
	if len(attempts) == 0 {
		p.Notes = append(p.Notes, "admin is protected and no admin secret is set: set CONFORM_ADMIN_PASSWORD or CONFORM_ADMIN_PIN for full coverage")
	}
	return nil, false, nil
}

// probeUser tells unsecured user mode from protected with an unsecured attempt.
func probeUser(ctx context.Context, t Target, secrets Secrets, tr *wire.Transcript, p *cases.Profile) error {
	req := map[string]any{"method": "auth", "requestId": "conform-probe-user", "type": "unsecured", "role": "user"}
	conn, code, err := probeAuth(ctx, t, "probe-user", req, tr)
	if err != nil {
		return err
	}
	conn.Close()
	switch {
	case code == 0:
		p.User = cases.Unsecured
	case has(secrets, cases.UserPIN):
		p.User = cases.PIN
		p.Notes = append(p.Notes, "user security taken to be pin because CONFORM_USER_PIN is set")
	case has(secrets, cases.UserPassword):
		p.User = cases.Password
		p.Notes = append(p.Notes, "user security taken to be password because CONFORM_USER_PASSWORD is set")
	default:
		p.User = cases.Protected
	}
	return nil
}

func has(s Secrets, k cases.SecretKind) bool { _, ok := s.Get(k); return ok }

// probeAuth dials, sends one auth and returns the open connection and the
// resultCode. Anything that is not an auth answer is an UnreachableError:
// the target does not speak the API, and no case could run.
func probeAuth(ctx context.Context, t Target, name string, req map[string]any, tr *wire.Transcript) (*wire.Client, int, error) {
	conn, err := Dial(ctx, t, name, tr, nil)
	if err != nil {
		return nil, 0, err
	}
	payload, _ := json.Marshal(req)
	resp, err := conn.Call(ctx, payload)
	if err != nil {
		conn.CloseNow()
		return nil, 0, &UnreachableError{Err: fmt.Errorf("preflight auth on %s: %w", t.URL, err)}
	}
	if resp.Err != nil {
		conn.CloseNow()
		return nil, 0, &UnreachableError{Err: fmt.Errorf("preflight auth on %s: the answer is not a JSON object: %v", t.URL, resp.Err)}
	}
	code, ok := intOf(resp.Fields["resultCode"])
	if !ok {
		if r, isBool := resp.Fields["result"].(bool); isBool && r {
			code, ok = 0, true // resultCode missing on success (old servers); the cases will judge it
		}
	}
	if !ok {
		conn.CloseNow()
		return nil, 0, &UnreachableError{Err: fmt.Errorf("preflight auth on %s: the answer has no integer resultCode (method %v): the target does not answer like the control API", t.URL, resp.Fields["method"])}
	}
	return conn, code, nil
}

// readAuthInfo fills the profile from getAuthInfo on an admin connection.
func readAuthInfo(ctx context.Context, conn *wire.Client, p *cases.Profile, secrets *Secrets, red *wire.Redactor) error {
	resp, err := conn.Call(ctx, []byte(`{"method":"getAuthInfo","requestId":"conform-probe-info"}`))
	if err != nil {
		return err
	}
	if resp.Err != nil {
		return resp.Err
	}
	admin, _ := resp.Fields["adminAuth"].(map[string]any)
	user, _ := resp.Fields["userAuth"].(map[string]any)
	as, _ := admin["security"].(string)
	us, _ := user["security"].(string)
	if !knownSecurity(as) || !knownSecurity(us) {
		return fmt.Errorf("adminAuth.security %q, userAuth.security %q", as, us)
	}
	p.Admin, p.User = cases.Security(as), cases.Security(us)
	if pin, ok := user["pin"].(string); ok && pin != "" && p.User == cases.PIN {
		if red != nil {
			red.Add(string(cases.UserPIN), pin)
		}
		if given, ok := secrets.Get(cases.UserPIN); ok && !strings.EqualFold(given, pin) {
			p.Notes = append(p.Notes, "CONFORM_USER_PIN differs from the PIN getAuthInfo shows; using the target's")
		}
		*secrets = secrets.With(cases.UserPIN, pin)
	}
	return nil
}

func knownSecurity(s string) bool {
	return s == string(cases.Unsecured) || s == string(cases.Password) || s == string(cases.PIN)
}

func intOf(v any) (int, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(n.String())
	return i, err == nil
}
