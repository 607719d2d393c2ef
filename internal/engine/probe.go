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
	// HTTPPort is getAppState's embeddedHttpPort (0 if unknown).
	HTTPPort int
}

// Probe is the preflight: it dials the target, authorizes, and learns the
// target's profile. With admin access (admin unsecured, or an admin
// password/PIN from the environment) it reads getAuthInfo, which also gives
// it the user PIN; without it, an unsecured user probe tells unsecured from
// protected. Every secret the operator supplied is tried once, so that a
// mistyped secret is a configuration error here and not a pile of FAILs
// (and wrong attempts) later. plan is the declared plan ("" = pro).
//
// A target that cannot be reached or does not answer like the control API
// costs one dial and one response timeout and returns an UnreachableError.
// A secret the target refuses, or a plan that does not fit, returns a
// ConfigError.
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
	pr := &prober{ctx: ctx, t: t, tr: tr, p: &p}

	// Admin access first: with it, getAuthInfo tells everything.
	adminConn, err := pr.admin(&res.Secrets)
	if err != nil {
		return res, err
	}
	if adminConn != nil {
		defer adminConn.Close()
		if err := readAuthInfo(ctx, adminConn, &p, &res.Secrets, red); err != nil {
			p.Notes = append(p.Notes, "getAuthInfo did not answer usefully ("+err.Error()+"); user security probed instead")
		} else {
			p.Source = "getAuthInfo"
		}
		res.HTTPPort = readHTTPPort(ctx, adminConn)
	}
	if p.User == cases.Unknown {
		if err := pr.user(secrets); err != nil {
			return res, err
		}
	}
	if res.Secrets, err = pr.verifyUserSecrets(res.Secrets, secrets); err != nil {
		return res, err
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

// prober holds what the preflight's steps share.
type prober struct {
	ctx context.Context
	t   Target
	tr  *wire.Transcript
	p   *cases.Profile
}

// secured is a secured auth request for the probe.
func securedProbe(id, credentials, role string) map[string]any {
	return map[string]any{"method": "auth", "requestId": id, "type": "secured", "credentials": credentials, "role": role}
}

// admin tries every admin secret given (each must work), else unsecured
// admin. It returns an open admin connection, or nil without admin access.
func (pr *prober) admin(eff *Secrets) (*wire.Client, error) {
	secrets := *eff
	var keep *wire.Client
	for _, k := range []cases.SecretKind{cases.AdminPassword, cases.AdminPIN} {
		v, ok := secrets.Get(k)
		if !ok {
			continue
		}
		conn, code, err := probeAuth(pr.ctx, pr.t, "probe-"+string(k), securedProbe("conform-probe-"+string(k), v, "admin"), pr.tr)
		if err != nil {
			closeIf(keep)
			return nil, err
		}
		switch {
		case code == 0 && pr.p.Plan == cases.Free:
			conn.Close()
			closeIf(keep)
			return nil, &ConfigError{Msg: fmt.Sprintf("--plan free, but the target accepted %s in a secured login (a Free plan refuses those with resultCode 2): drop --plan free", k.EnvVar())}
		case code == 0:
			// Keep the newest: one connection per mode, so this login has
			// displaced the one before.
			pr.p.Admin = cases.Protected
			closeIf(keep)
			keep = conn
			continue
		}
		conn.Close()
		switch code {
		case 2:
			if pr.p.Plan != cases.Free {
				closeIf(keep)
				return nil, &ConfigError{Msg: fmt.Sprintf("the target refused %s with resultCode 2 (plan is not Pro): run with --plan free", k.EnvVar())}
			}
		case 4:
			// Secured login aimed at an unprotected admin (RC-4b): unsecured below tells.
			pr.p.Notes = append(pr.p.Notes, k.EnvVar()+" is set but the target answered 4 (admin is unprotected?); not used")
			*eff = eff.Without(k)
		case 6:
			closeIf(keep)
			return nil, &UnreachableError{Err: fmt.Errorf("the target refuses logins for now (resultCode 6: locked out after wrong attempts); wait and run again")}
		default:
			closeIf(keep)
			return nil, &ConfigError{Msg: fmt.Sprintf("the target refused %s (resultCode %d): check the variable", k.EnvVar(), code)}
		}
	}
	if keep != nil {
		return keep, nil
	}
	conn, code, err := probeAuth(pr.ctx, pr.t, "probe-admin", map[string]any{"method": "auth", "requestId": "conform-probe-admin", "type": "unsecured", "role": "admin"}, pr.tr)
	if err != nil {
		return nil, err
	}
	if code == 0 {
		pr.p.Admin = cases.Unsecured
		return conn, nil
	}
	conn.Close()
	pr.p.Admin = cases.Protected
	if _, pw := secrets.Get(cases.AdminPassword); !pw {
		if _, pin := secrets.Get(cases.AdminPIN); !pin {
			pr.p.Notes = append(pr.p.Notes, "admin is protected and no admin secret is set: set CONFORM_ADMIN_PASSWORD or CONFORM_ADMIN_PIN for full coverage")
		}
	}
	return nil, nil
}

// user tells unsecured user mode from protected with an unsecured attempt
// (no admin access, so getAuthInfo could not say).
func (pr *prober) user(secrets Secrets) error {
	req := map[string]any{"method": "auth", "requestId": "conform-probe-user", "type": "unsecured", "role": "user"}
	conn, code, err := probeAuth(pr.ctx, pr.t, "probe-user", req, pr.tr)
	if err != nil {
		return err
	}
	conn.Close()
	switch {
	case code == 0:
		pr.p.User = cases.Unsecured
	case has(secrets, cases.UserPIN):
		pr.p.User = cases.PIN
		pr.p.Notes = append(pr.p.Notes, "user security taken to be pin because CONFORM_USER_PIN is set")
	case has(secrets, cases.UserPassword):
		pr.p.User = cases.Password
		pr.p.Notes = append(pr.p.Notes, "user security taken to be password because CONFORM_USER_PASSWORD is set")
	default:
		pr.p.User = cases.Protected
	}
	return nil
}

// verifyUserSecrets tries each user secret the operator gave (not the PIN
// read from getAuthInfo: if that fails, it is the target's defect, for the
// cases to find). A secret for a kind of protection the user mode does not
// have is dropped with a note; a refused one is a ConfigError.
func (pr *prober) verifyUserSecrets(eff, given Secrets) (Secrets, error) {
	for _, k := range []cases.SecretKind{cases.UserPassword, cases.UserPIN} {
		v, ok := given.Get(k)
		if !ok {
			continue
		}
		want := cases.Password
		if k == cases.UserPIN {
			want = cases.PIN
		}
		if pr.p.User != want && pr.p.User != cases.Protected {
			pr.p.Notes = append(pr.p.Notes, fmt.Sprintf("%s is set but user security is %s; not used", k.EnvVar(), pr.p.User))
			if cur, _ := eff.Get(k); cur == v {
				eff = eff.Without(k)
			}
			continue
		}
		if cur, _ := eff.Get(k); cur != v {
			continue // replaced by the PIN getAuthInfo showed; noted there
		}
		conn, code, err := probeAuth(pr.ctx, pr.t, "probe-"+string(k), securedProbe("conform-probe-"+string(k), v, "user"), pr.tr)
		if err != nil {
			return eff, err
		}
		conn.Close()
		switch code {
		case 0:
		case 2:
			if pr.p.Plan != cases.Free {
				return eff, &ConfigError{Msg: fmt.Sprintf("the target refused %s with resultCode 2 (plan is not Pro): run with --plan free", k.EnvVar())}
			}
		default:
			return eff, &ConfigError{Msg: fmt.Sprintf("the target refused %s (resultCode %d): check the variable", k.EnvVar(), code)}
		}
	}
	return eff, nil
}

func closeIf(c *wire.Client) {
	if c != nil {
		c.Close()
	}
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

// readHTTPPort asks getAppState for embeddedHttpPort (0 if it says none).
func readHTTPPort(ctx context.Context, conn *wire.Client) int {
	resp, err := conn.Call(ctx, []byte(`{"method":"getAppState","requestId":"conform-probe-appstate"}`))
	if err != nil || resp.Err != nil {
		return 0
	}
	p, ok := intOf(resp.Fields["embeddedHttpPort"])
	if !ok || p < 1 || p > 65535 {
		return 0
	}
	return p
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
