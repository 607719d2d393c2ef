// Package preflight learns a target's profile before a run: how its
// administrator and user modes are protected, which of the operator's
// secrets it needs and takes, and where its HTTP server is, with as few
// and as harmless requests as it can. A secret the target refuses is the
// operator's configuration error; a target that does not answer like the
// control API is unreachable.
package preflight

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/engine"
	"github.com/roomconform/conform/internal/jsonnum"
	"github.com/roomconform/conform/internal/redact"
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
	Profile caselang.Profile
	// Secrets are the operator's secrets the target needs (those it does
	// not need are noted and left out), plus the user PIN read with
	// getAuthInfo when the suite had admin access.
	Secrets engine.Secrets
	// Transcript of the probe, for the report when it fails.
	Transcript *wire.Transcript
	// HTTPPort is getAppState's embeddedHttpPort (0 if unknown).
	HTTPPort int
	// WrongSent is how many secrets the target refused although the run
	// went on (another one worked): they count against the run's budget.
	WrongSent int
}

// Probe is the preflight: it dials the target and learns its profile with
// as few and as harmless requests as it can.
//
// It asks for unsecured admin first (no credential is sent, nothing can be
// wrong): a target that grants it needs no admin secret, and one given is
// noted as unused, never tried. Otherwise every admin secret given is tried
// once; with admin access getAuthInfo tells both modes' protection and the
// user PIN, and without it an unsecured user attempt tells unsecured from
// protected. User secrets are tried only for a user mode protected the way
// they fit. So a secret is a configuration error (exit 2) only when the
// target refuses it for a mode that needs it, and never because of which
// member of an accepted set the target answered with (RC-4b's 4 or 8).
//
// On a Free plan every secured login gets 2: a secret refused so is noted
// as unusable there, and cases that need it skip.
//
// A target that cannot be reached or does not answer like the control API
// (no auth answer, a resultCode no reading allows) costs one dial and one
// response timeout and returns an engine.UnreachableError (exit 3). plan is the
// declared plan ("" = pro).
func Probe(ctx context.Context, t engine.Target, secrets engine.Secrets, plan caselang.Plan, red *redact.Redactor) (ProbeResult, error) {
	tr := wire.NewTranscript(red)
	res := ProbeResult{Transcript: tr, Secrets: secrets}
	if plan == "" {
		plan = caselang.Pro
	}
	p := caselang.Profile{Admin: caselang.Unknown, User: caselang.Unknown, Plan: plan, Source: "probe"}
	for _, k := range secrets.Kinds() {
		v, _ := secrets.Get(k)
		red.Add(string(k), v)
	}
	pr := &prober{ctx: ctx, t: t, tr: tr, p: &p, eff: &res.Secrets, wrong: &res.WrongSent}

	adminConn, err := pr.admin()
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
	if p.User == caselang.Unknown {
		if err := pr.user(); err != nil {
			return res, err
		}
	}
	if err := pr.userSecrets(secrets); err != nil {
		return res, err
	}
	if plan == caselang.Free {
		p.Source = "declared plan free, " + p.Source
	}
	for _, k := range res.Secrets.Kinds() {
		if !slices.Contains(p.RefusedOnFree, k) {
			p.Secrets = append(p.Secrets, k)
		}
	}
	for _, k := range p.Secrets {
		if v, _ := res.Secrets.Get(k); caselang.HasLetter(v) {
			p.Lettered = append(p.Lettered, k)
		}
	}
	res.Profile = p
	return res, nil
}

// prober holds what the preflight's steps share.
type prober struct {
	ctx   context.Context
	t     engine.Target
	tr    *wire.Transcript
	p     *caselang.Profile
	eff   *engine.Secrets // the secrets the run will use
	wrong *int            // refused secrets the run went on after
}

// securedRequest is a secured auth request of the preflight.
func securedRequest(id, credentials, role string) map[string]any {
	return map[string]any{"method": "auth", "requestId": id, "type": "secured", "credentials": credentials, "role": role}
}

// unused drops a secret the target does not need, with the reason.
func (pr *prober) unused(k caselang.SecretKind, why string) {
	if pr.p.Plan == caselang.Free {
		pr.refusedOnFree(k)
		return
	}
	pr.p.Notes = append(pr.p.Notes, fmt.Sprintf("%s is set, but %s: not used", k.EnvVar(), why))
	*pr.eff = pr.eff.Without(k)
}

// refusedOnFree keeps a secret a Free plan makes unusable for the one
// thing it is good for there: checking that it gets 2 (RC-2).
func (pr *prober) refusedOnFree(k caselang.SecretKind) {
	if slices.Contains(pr.p.RefusedOnFree, k) {
		return
	}
	what := k.EnvVar() + " is set"
	if pr.t.OwnSecrets {
		what = "the server's " + string(k) // the embedded server's: nobody set it
	}
	pr.p.Notes = append(pr.p.Notes, fmt.Sprintf("%s, but a Free plan refuses every secured login (resultCode 2): used only to check that refusal", what))
	pr.p.RefusedOnFree = append(pr.p.RefusedOnFree, k)
}

// admin learns whether admin mode is unsecured, else tries every admin
// secret given. It returns an open admin connection, or nil without admin
// access.
func (pr *prober) admin() (*wire.Client, error) {
	req := map[string]any{"method": "auth", "requestId": "conform-probe-admin", "type": "unsecured", "role": "admin"}
	conn, code, err := probeAuth(pr.ctx, pr.t, "probe-admin", req, pr.tr)
	if err != nil {
		return nil, err
	}
	if code == 0 {
		pr.p.Admin = caselang.Unsecured
		for _, k := range []caselang.SecretKind{caselang.AdminPassword, caselang.AdminPIN} {
			if has(*pr.eff, k) {
				pr.unused(k, "admin mode is unsecured")
			}
		}
		return conn, nil
	}
	conn.Close()
	pr.p.Admin = caselang.Protected
	if code != 4 {
		pr.p.Notes = append(pr.p.Notes, fmt.Sprintf("unsecured admin got resultCode %d (a protected mode answers 4, RC-4)", code))
	}
	var (
		keep       *wire.Client
		worked     caselang.SecretKind
		refusal    error // the first secret refused
		refusedAll []caselang.SecretKind
		lastFailed bool
	)
	for _, k := range []caselang.SecretKind{caselang.AdminPassword, caselang.AdminPIN} {
		v, ok := pr.eff.Get(k)
		if !ok {
			continue
		}
		conn, code, err := probeAuth(pr.ctx, pr.t, "probe-"+string(k), securedRequest("conform-probe-"+string(k), v, "admin"), pr.tr)
		if err != nil {
			closeIf(keep)
			return nil, err
		}
		if code == 0 {
			if pr.p.Plan == caselang.Free {
				conn.Close()
				closeIf(keep)
				return nil, &ConfigError{Msg: fmt.Sprintf("--plan free, but the target accepted %s in a secured login (a Free plan refuses those with resultCode 2): drop --plan free", k.EnvVar())}
			}
			// Keep the newest: one connection per mode, so this login has
			// displaced the one before.
			closeIf(keep)
			keep, worked, lastFailed = conn, k, false
			continue
		}
		conn.Close()
		if err := pr.refused(k, code); err != nil {
			var cfg *ConfigError
			if !errors.As(err, &cfg) {
				closeIf(keep)
				return nil, err
			}
			if refusal == nil {
				refusal = err
			}
			refusedAll = append(refusedAll, k)
			lastFailed = true
		}
	}
	switch {
	case refusal != nil && keep == nil:
		return nil, refusal
	case refusal != nil:
		// Another admin secret works (a VideoSDK admin PIN beside a password
		// the device does not use): the refused one is not needed.
		for _, k := range refusedAll {
			pr.unused(k, fmt.Sprintf("the target refused it while %s authorized", worked.EnvVar()))
			*pr.wrong++
		}
		if lastFailed {
			// A success must follow every wrong credential (lockout protection).
			v, _ := pr.eff.Get(worked)
			conn, code, err := probeAuth(pr.ctx, pr.t, "probe-"+string(worked), securedRequest("conform-probe-recover", v, "admin"), pr.tr)
			if err != nil {
				closeIf(keep)
				return nil, err
			}
			if code != 0 {
				conn.Close()
				closeIf(keep)
				return nil, &engine.UnreachableError{Err: fmt.Errorf("%s authorized once and then got resultCode %d", worked.EnvVar(), code)}
			}
			closeIf(keep)
			keep = conn
		}
	}
	if keep == nil && !has(*pr.eff, caselang.AdminPassword) && !has(*pr.eff, caselang.AdminPIN) && pr.p.Plan != caselang.Free {
		pr.p.Notes = append(pr.p.Notes, "admin is protected and no admin secret is set: set CONFORM_ADMIN_PASSWORD or CONFORM_ADMIN_PIN for full coverage")
	}
	return keep, nil
}

// refused handles a secret that did not authorize with code: the plan's
// refusal on Free (noted, the secret is unusable), a lockout, the target's
// refusal of the secret (the operator's mistake), or an answer no reading
// allows (the target's).
func (pr *prober) refused(k caselang.SecretKind, code int) error {
	switch code {
	case 2:
		if pr.p.Plan != caselang.Free {
			return &ConfigError{Msg: fmt.Sprintf("the target refused %s with resultCode 2 (plan is not Pro): run with --plan free", k.EnvVar())}
		}
		pr.refusedOnFree(k)
		return nil
	case 6:
		return &engine.UnreachableError{Err: errors.New("the target refuses logins for now (resultCode 6: locked out after wrong attempts); wait and run again")}
	case 4, 5, 8:
		if pr.t.OwnSecrets {
			// The target's own secret: a refusal is the target's defect, for
			// the cases to judge; the secret stays in use.
			pr.p.Notes = append(pr.p.Notes, fmt.Sprintf("the target refused its own %s (resultCode %d)", k, code))
			return nil
		}
		return &ConfigError{Msg: fmt.Sprintf("the target refused %s (resultCode %d): check the variable", k.EnvVar(), code)}
	}
	return &engine.UnreachableError{Err: fmt.Errorf("the target answered a well-formed secured login with %s with resultCode %d, which no reading of the auth method allows there; it cannot be told whether the secret is right", k.EnvVar(), code)}
}

// user tells unsecured user mode from protected with an unsecured attempt
// (no admin access, so getAuthInfo could not say).
func (pr *prober) user() error {
	req := map[string]any{"method": "auth", "requestId": "conform-probe-user", "type": "unsecured", "role": "user"}
	conn, code, err := probeAuth(pr.ctx, pr.t, "probe-user", req, pr.tr)
	if err != nil {
		return err
	}
	conn.Close()
	switch {
	case code == 0:
		pr.p.User = caselang.Unsecured
	case has(*pr.eff, caselang.UserPIN) && !has(*pr.eff, caselang.UserPassword):
		pr.p.User = caselang.PIN
		pr.p.Notes = append(pr.p.Notes, "user security taken to be pin because CONFORM_USER_PIN is set")
	case has(*pr.eff, caselang.UserPassword) && !has(*pr.eff, caselang.UserPIN):
		pr.p.User = caselang.Password
		pr.p.Notes = append(pr.p.Notes, "user security taken to be password because CONFORM_USER_PASSWORD is set")
	default:
		pr.p.User = caselang.Protected
	}
	if code != 0 && code != 4 {
		pr.p.Notes = append(pr.p.Notes, fmt.Sprintf("unsecured user got resultCode %d (a protected mode answers 4, RC-4)", code))
	}
	return nil
}

// userSecrets tries each user secret the operator gave for a user mode
// protected the way it fits (not the PIN read from getAuthInfo: if that
// fails, it is the target's defect, for the cases to find). Others are
// noted as unused.
func (pr *prober) userSecrets(given engine.Secrets) error {
	for _, k := range []caselang.SecretKind{caselang.UserPassword, caselang.UserPIN} {
		v, ok := given.Get(k)
		if !ok {
			continue
		}
		want := caselang.Password
		if k == caselang.UserPIN {
			want = caselang.PIN
		}
		if cur, _ := pr.eff.Get(k); cur != v {
			continue // replaced by the PIN getAuthInfo showed; noted there
		}
		if pr.p.User != want && pr.p.User != caselang.Protected {
			pr.unused(k, "user security is "+string(pr.p.User))
			continue
		}
		conn, code, err := probeAuth(pr.ctx, pr.t, "probe-"+string(k), securedRequest("conform-probe-"+string(k), v, "user"), pr.tr)
		if err != nil {
			return err
		}
		conn.Close()
		if code == 0 {
			continue
		}
		if err := pr.refused(k, code); err != nil {
			return err
		}
	}
	return nil
}

func closeIf(c *wire.Client) {
	if c != nil {
		c.Close()
	}
}

func has(s engine.Secrets, k caselang.SecretKind) bool { _, ok := s.Get(k); return ok }

// probeAuth dials, sends one auth and returns the open connection and the
// resultCode. Anything that is not an auth answer with a resultCode in
// 0..12 is an engine.UnreachableError: the target does not speak the API, and no
// case could run.
func probeAuth(ctx context.Context, t engine.Target, name string, req map[string]any, tr *wire.Transcript) (*wire.Client, int, error) {
	conn, err := engine.Dial(ctx, t, name, tr, tr.Redactor())
	if err != nil {
		return nil, 0, err
	}
	payload, _ := json.Marshal(req)
	resp, err := conn.Call(ctx, payload)
	if err != nil {
		conn.CloseNow()
		return nil, 0, &engine.UnreachableError{Err: fmt.Errorf("preflight auth on %s: %w", t.URL, err)}
	}
	if resp.Err != nil {
		conn.CloseNow()
		return nil, 0, &engine.UnreachableError{Err: fmt.Errorf("preflight auth on %s: the answer is not a JSON object: %v", t.URL, resp.Err)}
	}
	code, ok := jsonnum.Int(resp.Fields["resultCode"])
	if !ok {
		if r, isBool := resp.Fields["result"].(bool); isBool && r {
			code, ok = 0, true // resultCode missing on success (old servers); the cases will judge it
		}
	}
	switch {
	case !ok:
		conn.CloseNow()
		return nil, 0, &engine.UnreachableError{Err: fmt.Errorf("preflight auth on %s: the answer has no integer resultCode (method %v): the target does not answer like the control API", t.URL, resp.Fields["method"])}
	case code < 0 || code > 12:
		conn.CloseNow()
		return nil, 0, &engine.UnreachableError{Err: fmt.Errorf("preflight auth on %s: resultCode %d is not one of the documented 0..12: the target does not answer like the control API", t.URL, code)}
	}
	return conn, code, nil
}

// readAuthInfo fills the profile from getAuthInfo on an admin connection.
func readAuthInfo(ctx context.Context, conn *wire.Client, p *caselang.Profile, secrets *engine.Secrets, red *redact.Redactor) error {
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
	p.Admin, p.User = caselang.Security(as), caselang.Security(us)
	if pin, ok := user["pin"].(string); ok && pin != "" && p.User == caselang.PIN {
		red.Add(string(caselang.UserPIN), pin)
		if given, ok := secrets.Get(caselang.UserPIN); ok && !strings.EqualFold(given, pin) {
			p.Notes = append(p.Notes, "CONFORM_USER_PIN differs from the PIN getAuthInfo shows; using the target's")
		}
		*secrets = secrets.With(caselang.UserPIN, pin)
	}
	return nil
}

// readHTTPPort asks getAppState for embeddedHttpPort (0 if it says none).
func readHTTPPort(ctx context.Context, conn *wire.Client) int {
	resp, err := conn.Call(ctx, []byte(`{"method":"getAppState","requestId":"conform-probe-appstate"}`))
	if err != nil || resp.Err != nil {
		return 0
	}
	p, ok := jsonnum.Int(resp.Fields["embeddedHttpPort"])
	if !ok || p < 1 || p > 65535 {
		return 0
	}
	return p
}

func knownSecurity(s string) bool {
	return s == string(caselang.Unsecured) || s == string(caselang.Password) || s == string(caselang.PIN)
}
