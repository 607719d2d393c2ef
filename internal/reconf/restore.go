package reconf

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/roomconform/conform/cases"
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
		req := map[string]any{"method": "auth", "requestId": "conform-reconf-login", "role": "admin"}
		if cr.Secret == "" {
			req["type"] = "unsecured"
		} else {
			req["type"], req["credentials"] = "secured", cr.Secret
		}
		b, _ := json.Marshal(req)
		resp, err := c.Call(ctx, b)
		if err == nil && resp.Err == nil {
			ok, _ := resp.Fields["result"].(bool)
			prev, _ := jsonnum.Int(resp.Fields["previleges"])
			if ok && prev == 2 {
				return &Session{c: c}, cr, nil
			}
			code, _ := jsonnum.Int(resp.Fields["resultCode"])
			tried = append(tried, fmt.Sprintf("%s: resultCode %d", cr.What, code))
		} else {
			tried = append(tried, fmt.Sprintf("%s: %v", cr.What, firstErr(err, resp.Err)))
		}
		c.CloseNow()
		if ctx.Err() != nil {
			return nil, cr, ctx.Err()
		}
	}
	return nil, Credential{}, fmt.Errorf("could not enter administrator mode (%s)", strings.Join(tried, "; "))
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
	sec := func(key string) (cases.Security, string) {
		m, _ := f[key].(map[string]any)
		s, _ := m["security"].(string)
		pin, _ := m["pin"].(string)
		return cases.Security(s), pin
	}
	var in Info
	in.Admin, _ = sec("adminAuth")
	in.User, in.PIN = sec("userAuth")
	for _, s := range []cases.Security{in.Admin, in.User} {
		if s != cases.Unsecured && s != cases.Password && s != cases.PIN {
			return in, fmt.Errorf("getAuthInfo did not say how both modes are protected (adminAuth %q, userAuth %q)", in.Admin, in.User)
		}
	}
	return in, nil
}

// Restorer puts the original protection back.
type Restorer struct {
	Dial Dialer
	// Secrets are the original secrets: the operator's, and the user PIN
	// the run read with getAuthInfo before it changed anything.
	Secrets map[cases.SecretKind]string
	// Register, if set, is given every secret the restore derives before it
	// is sent (the run's redactor).
	Register func(label, secret string)
}

// Outcome says what a restore did, for the console and the reports.
type Outcome struct {
	// Changes are the setAuthParams requests made, in words.
	Changes []string
	// PINRegenerated: the user PIN could not be set back as it was (the
	// run never knew it, or the target generated another): whoever uses it
	// must be told; an administrator reads the new one with getAuthInfo.
	PINRegenerated bool
	// UserPIN is the user PIN in force after the restore, as getAuthInfo
	// showed it (a secret: for the run's own use, never shown).
	UserPIN string
}

// Note is the operator's part of the outcome ("" for nothing to do).
func (o Outcome) Note() string {
	if !o.PINRegenerated {
		return ""
	}
	return "the user PIN was regenerated while the protection was restored: whoever uses it must be told the new one, which an administrator reads with getAuthInfo (the suite never shows it)"
}

// Restore puts the protection j.Original back: it enters administrator
// mode with whichever secret is in force (the journal says which are
// likely), sets back what the journal says was changed, and checks with
// getAuthInfo that the protection is the original one and that the
// original administrator secret logs in.
func (r Restorer) Restore(ctx context.Context, j Journal) (Outcome, error) {
	var out Outcome
	if err := r.CheckSecrets(j); err != nil {
		return out, err
	}
	key := r.key(j)
	key.Register(r.Register)
	s, _, err := Login(ctx, r.Dial, r.adminCredentials(j, key))
	if err != nil {
		return out, err
	}
	defer s.Close()
	cur, err := s.Info(ctx)
	if err != nil {
		return out, err
	}
	for _, ch := range r.plan(j, cur.Protection) {
		rep, err := s.Set(ctx, ch)
		if err != nil {
			return out, err
		}
		if !rep.OK {
			return out, fmt.Errorf("the target refused setAuthParams %s (%s)", ch, rep.Error)
		}
		out.Changes = append(out.Changes, ch.String())
	}
	after, err := s.Info(ctx)
	if err != nil {
		return out, err
	}
	if after.Protection != j.Original {
		return out, fmt.Errorf("after the restore getAuthInfo says %s, not the original %s", after.Protection, j.Original)
	}
	if j.Original.User == cases.PIN && j.UserChanged {
		want := r.Secrets[cases.UserPIN]
		out.PINRegenerated = want == "" || !strings.EqualFold(after.PIN, want)
		out.UserPIN = after.PIN
	}
	// The original administrator secret logs in again.
	check, _, err := Login(ctx, r.Dial, []Credential{r.originalAdmin(j)})
	if err != nil {
		return out, fmt.Errorf("the original administrator secret does not log in after the restore: %w", err)
	}
	check.Close()
	return out, nil
}

// SecretsError is a secret the restore needs that is missing or is not
// the original one (the journal's check): the operator's to fix (exit 2).
type SecretsError struct{ Msg string }

func (e *SecretsError) Error() string { return e.Msg }

// CheckSecrets refuses a restore that would set a secret other than the
// original on the target: a secret the plan needs that is not given, or
// whose check differs from the journal's (a typo). The user PIN is
// exempt: without it a new one is generated, and the operator told.
func (r Restorer) CheckSecrets(j Journal) error {
	need := map[cases.SecretKind]bool{}
	switch j.Original.Admin {
	case cases.Password:
		need[cases.AdminPassword] = true
	case cases.PIN:
		need[cases.AdminPIN] = true
	}
	if j.Original.User == cases.Password && j.Original.Admin != cases.Unsecured {
		need[cases.UserPassword] = true
	}
	for _, k := range []cases.SecretKind{cases.AdminPassword, cases.AdminPIN, cases.UserPassword, cases.UserPIN} {
		v := r.Secrets[k]
		if v == "" && need[k] {
			return &SecretsError{Msg: fmt.Sprintf("set %s to the %s the target had before the run: the restore sets it back", k.EnvVar(), k)}
		}
		if want, ok := j.Checks[k]; ok && v != "" && CheckOf(k, v) != want {
			return &SecretsError{Msg: fmt.Sprintf("%s is not the %s the run started with (the journal's check differs): give the original, or the restore would set the wrong one on the target", k.EnvVar(), k)}
		}
	}
	return nil
}

// key is the derivation key of the suite's secrets for this journal.
func (r Restorer) key(j Journal) Key {
	switch j.Key {
	case string(cases.AdminPassword):
		return Key{Of: j.Key, value: r.Secrets[cases.AdminPassword]}
	case string(cases.AdminPIN):
		return Key{Of: j.Key, value: r.Secrets[cases.AdminPIN]}
	}
	return Key{Of: "nonce", value: j.Nonce}
}

func (r Restorer) originalAdmin(j Journal) Credential {
	switch j.Original.Admin {
	case cases.Password:
		return Credential{What: "the admin password", Secret: r.Secrets[cases.AdminPassword]}
	case cases.PIN:
		return Credential{What: "the admin PIN", Secret: r.Secrets[cases.AdminPIN]}
	}
	return Credential{What: "unsecured"}
}

// adminCredentials orders the ways into administrator mode by what the
// journal says is in force; the command-line PIN, when given, works
// whatever the protection and comes first.
func (r Restorer) adminCredentials(j Journal, key Key) []Credential {
	var out []Credential
	seen := map[string]bool{}
	add := func(c Credential) {
		if k := c.What + "\x00" + c.Secret; !seen[k] && (c.Secret != "" || c.What == "unsecured") {
			seen[k] = true
			out = append(out, c)
		}
	}
	if pin := r.Secrets[cases.AdminPIN]; pin != "" {
		add(Credential{What: "the admin PIN", Secret: pin})
	}
	pendingAdmin := strings.HasPrefix(j.Pending, string(cases.Admin)+" ")
	if j.Current.Admin == cases.Unsecured || pendingAdmin && strings.HasSuffix(j.Pending, string(cases.Unsecured)) {
		add(Credential{What: "unsecured"})
	}
	suite := Credential{What: "the password the suite set", Secret: key.Derive(cases.AdminPassword)}
	if j.AdminSecret == "suite" || pendingAdmin && strings.HasSuffix(j.Pending, string(cases.Password)) {
		add(suite)
	}
	add(r.originalAdmin(j))
	if j.AdminSecret != "original" {
		add(suite)
	}
	add(Credential{What: "unsecured"})
	return out
}

// plan lists the changes from cur back to j.Original: the administrator's
// first (user can be protected only while admin is; admin unsecured takes
// user with it).
func (r Restorer) plan(j Journal, cur Protection) []Change {
	var out []Change
	o := j.Original
	switch {
	case o.Admin == cases.Password && (cur.Admin != cases.Password || j.AdminSecret != "original"):
		out = append(out, Change{Mode: cases.Admin, To: cases.Password, Secret: r.Secrets[cases.AdminPassword]})
	case o.Admin == cases.Unsecured && cur.Admin != cases.Unsecured:
		out = append(out, Change{Mode: cases.Admin, To: cases.Unsecured})
		cur.User = cases.Unsecured
	}
	if o.Admin == cases.Unsecured {
		return out // user is unsecured with admin, and now again
	}
	if !j.UserChanged && cur.User == o.User {
		return out
	}
	switch o.User {
	case cases.Unsecured:
		if cur.User != cases.Unsecured {
			out = append(out, Change{Mode: cases.User, To: cases.Unsecured})
		}
	case cases.Password:
		out = append(out, Change{Mode: cases.User, To: cases.Password, Secret: r.Secrets[cases.UserPassword]})
	case cases.PIN:
		out = append(out, Change{Mode: cases.User, To: cases.PIN, Secret: r.Secrets[cases.UserPIN]})
	}
	return out
}
