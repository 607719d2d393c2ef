package reconf

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/wire"
)

// Restorer puts the original protection back.
type Restorer struct {
	Dial Dialer
	// Release, if set, closes a connection and waits until the target has
	// finished with it, so that the next login does not displace it (the
	// engine knows how long that takes; nil: a close handshake and 50 ms).
	Release func(ctx context.Context, c *wire.Client)
	// Secrets are the original secrets: the operator's, and the user PIN
	// the run read with getAuthInfo before it changed anything.
	Secrets map[caselang.SecretKind]string
	// Register, if set, is given every secret the restore derives before it
	// is sent (the run's redactor).
	Register func(label, secret string)
	// Force restores also a device other than the journal's (the operator
	// says the device was replaced or renamed).
	Force bool
	// NewPIN lets the target generate a new user PIN where the journal says
	// the run knew the original but the operator cannot give it.
	NewPIN bool
	// Record, if set, is given the journal as the restore moves on (before
	// and after each change), so that a restore that fails halfway leaves
	// a journal that says where it stopped: the next one tries the secret
	// in force first, sending no wrong credential it could avoid.
	Record func(Journal) error
}

// Outcome says what a restore did, for the console and the reports.
type Outcome struct {
	// Changes are the setAuthParams requests made, in words.
	Changes []string
	// PINRegenerated: the user PIN could not be set back as it was (the
	// operator allowed a new one, NewPIN): whoever uses it must be told; an
	// administrator reads the new one with getAuthInfo.
	PINRegenerated bool
	// UserPIN is the user PIN in force after the restore, as getAuthInfo
	// showed it (a secret: for the run's own use, never shown).
	UserPIN string
	// Verified lists what the device did that shows the protection is back.
	Verified []string
}

// Note is the operator's part of the outcome ("" for nothing to do).
func (o Outcome) Note() string {
	if !o.PINRegenerated {
		return ""
	}
	return "the user PIN was regenerated while the protection was restored: whoever uses it must be told the new one, which an administrator reads with getAuthInfo (the suite never shows it)"
}

// Checked says in words how the restore was verified.
func (o Outcome) Checked() string {
	if len(o.Verified) == 0 {
		return "checked with getAuthInfo"
	}
	return "checked with getAuthInfo and by logging in: " + strings.Join(o.Verified, ", ")
}

// IdentityError is a journal of another device than the one answering:
// the operator's to decide (exit 2; --force restores anyway).
type IdentityError struct{ Msg string }

func (e *IdentityError) Error() string { return e.Msg }

// Restore puts the protection j.Original back: it enters administrator
// mode with whichever secret is in force (the journal says which are
// likely), makes sure the device is the journal's, sets back what the
// journal says was changed, and then verifies by what the device does,
// not only by what it says: getAuthInfo must show the original protection
// (and the original user PIN), the original secrets must log in, and every
// mode that was protected must refuse the unsecured login.
func (r Restorer) Restore(ctx context.Context, j Journal) (Outcome, error) {
	var out Outcome
	if err := r.CheckSecrets(j); err != nil {
		return out, err
	}
	key := r.key(j)
	key.Register(r.Register)
	s, _, err := Login(ctx, r.Dial, r.adminCredentials(j, key))
	if err != nil {
		if j.Device.Known() && !r.Force {
			err = fmt.Errorf("%w; is this still the journal's device (%s)?", err, j.Device)
		}
		return out, err
	}
	defer s.Close()
	if j.Device.Known() && !r.Force {
		dev, err := s.Device(ctx)
		if err != nil {
			return out, fmt.Errorf("could not tell whether this is the journal's device: %w", err)
		}
		if why := j.Device.Differs(dev); why != "" {
			return out, &IdentityError{Msg: fmt.Sprintf("the device at %s is not the one the journal was written for (%s): nothing was changed; if it is the same device, renamed or re-enrolled, restore with --force", j.Target, why)}
		}
	}
	cur, err := s.Info(ctx)
	if err != nil {
		return out, err
	}
	plan := r.plan(j, cur.Protection)
	pinChanged := false
	for _, ch := range plan {
		if ch.Mode == caselang.User && ch.To == caselang.PIN && ch.Secret == "" && r.knewPIN(j) && !r.NewPIN {
			// A user PIN the run knew, not given back: the target would
			// generate another (CheckSecrets asks for it; this is the case
			// where the journal did not expect the user protection changed).
			return out, &SecretsError{Msg: "the user protection must be set back and the run knew its PIN: set CONFORM_USER_PIN to it (or, only if it is lost, --new-user-pin)"}
		}
	}
	j.Current = cur.Protection
	for _, ch := range plan {
		j.Begin(ch, j.Current)
		r.record(j)
		rep, err := s.Set(ctx, ch)
		if err != nil {
			return out, err
		}
		if !rep.OK {
			return out, fmt.Errorf("the target refused setAuthParams %s (%s)", ch, rep.Error)
		}
		out.Changes = append(out.Changes, ch.String())
		switch {
		case ch.Mode == caselang.Admin:
			j.AdminSecret = "original" // the original password, or none at all
			j.Current.Admin = ch.To
			if ch.To == caselang.Unsecured {
				j.Current.User = caselang.Unsecured
			}
		default:
			j.Current.User = ch.To
			pinChanged = pinChanged || ch.To == caselang.PIN
		}
		j.Pending = ""
		r.record(j)
	}
	after, err := s.Info(ctx)
	if err != nil {
		return out, err
	}
	if after.Protection != j.Original {
		return out, fmt.Errorf("after the restore getAuthInfo says %s, not the original %s", after.Protection, j.Original)
	}
	userSecret := r.original(j, caselang.User)
	if j.Original.User == caselang.PIN {
		want := r.Secrets[caselang.UserPIN]
		switch {
		case want == "" && (pinChanged || j.UserChanged):
			out.PINRegenerated = true
			userSecret = Credential{What: "the new user PIN", Secret: after.PIN}
		case want != "" && after.PIN != "" && !strings.EqualFold(after.PIN, want):
			return out, errors.New("after the restore getAuthInfo shows a user PIN other than the original")
		}
		out.UserPIN = after.PIN
	}
	// The session goes before the checks: their administrator login would
	// displace it.
	r.release(ctx, s.c)
	verified, err := r.verify(ctx, j, userSecret)
	out.Verified = verified
	return out, err
}

// verify checks the restored protection by logging in on fresh
// connections: first the unsecured login of every mode (refused where the
// mode was protected, granted where it was not), then the original
// secrets, whose successes end any streak of refusals a lockout counts.
func (r Restorer) verify(ctx context.Context, j Journal, user Credential) ([]string, error) {
	type attempt struct {
		mode  caselang.Mode
		cr    Credential
		grant bool
	}
	var plan []attempt
	for _, m := range []caselang.Mode{caselang.Admin, caselang.User} {
		sec := j.Original.Admin
		if m == caselang.User {
			sec = j.Original.User
		}
		plan = append(plan, attempt{m, Credential{What: "unsecured"}, sec == caselang.Unsecured})
	}
	if j.Original.Admin != caselang.Unsecured {
		plan = append(plan, attempt{caselang.Admin, r.original(j, caselang.Admin), true})
	}
	if j.Original.User != caselang.Unsecured && user.Secret != "" {
		plan = append(plan, attempt{caselang.User, user, true})
	}
	var done []string
	for i, a := range plan {
		c, err := r.Dial(ctx, fmt.Sprintf("verify-%d", i+1))
		if err != nil {
			return done, fmt.Errorf("could not verify the restore: %w", err)
		}
		granted, why, err := login(ctx, c, a.mode, a.cr)
		r.release(ctx, c)
		switch {
		case err != nil:
			return done, fmt.Errorf("could not verify the restore: %s login with %s: %w", a.mode, a.cr.What, err)
		case granted && !a.grant:
			return done, fmt.Errorf("after the restore %s mode accepts the unsecured login: it is not protected as it was", a.mode)
		case !granted && a.grant && a.cr.Secret == "":
			return done, fmt.Errorf("after the restore %s mode refuses the unsecured login (%s): it was unsecured", a.mode, why)
		case !granted && a.grant:
			return done, fmt.Errorf("after the restore %s does not log in to %s mode (%s)", a.cr.What, a.mode, why)
		case granted:
			done = append(done, fmt.Sprintf("%s mode %s", a.mode, strings.TrimPrefix(a.cr.What, "the ")))
		default:
			done = append(done, fmt.Sprintf("%s mode refuses unsecured", a.mode))
		}
	}
	return done, nil
}

// SecretsError is a secret the restore needs that is missing or is not
// the original one (the journal's check): the operator's to fix (exit 2).
type SecretsError struct{ Msg string }

func (e *SecretsError) Error() string { return e.Msg }

// CheckSecrets refuses a restore that would set a secret other than the
// original on the target: a secret the plan needs that is not given, or
// whose check differs from the journal's (a typo). A user PIN the run
// knew must be given too, unless the operator lets the target generate a
// new one (NewPIN); one the run never knew is generated, and the operator
// told.
func (r Restorer) CheckSecrets(j Journal) error {
	need := map[caselang.SecretKind]bool{}
	switch j.Original.Admin {
	case caselang.Password:
		need[caselang.AdminPassword] = true
	case caselang.PIN:
		need[caselang.AdminPIN] = true
	}
	if j.Original.User == caselang.Password && j.Original.Admin != caselang.Unsecured {
		need[caselang.UserPassword] = true
	}
	if j.Original.User == caselang.PIN && j.UserChanged && r.knewPIN(j) && !r.NewPIN {
		need[caselang.UserPIN] = true
	}
	for _, k := range []caselang.SecretKind{caselang.AdminPassword, caselang.AdminPIN, caselang.UserPassword, caselang.UserPIN} {
		v := r.Secrets[k]
		if v == "" && need[k] {
			msg := fmt.Sprintf("set %s to the %s the target had before the run: the restore sets it back", k.EnvVar(), k)
			if k == caselang.UserPIN {
				msg += " (the run knew it; the device may show it, or your records; only if it is lost, --new-user-pin lets the target generate another, which whoever uses it must then be told)"
			}
			return &SecretsError{Msg: msg}
		}
		if want, ok := j.Checks[k]; ok && v != "" && !CheckMatches(k, want, v) {
			return &SecretsError{Msg: fmt.Sprintf("%s is not the %s the run started with (the journal's check differs): give the original, or the restore would set the wrong one on the target", k.EnvVar(), k)}
		}
	}
	return nil
}

// release closes c and waits until the target is done with it.
func (r Restorer) release(ctx context.Context, c *wire.Client) {
	if r.Release != nil {
		r.Release(ctx, c)
		return
	}
	_ = c.Close()
	t := time.NewTimer(50 * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// knewPIN reports whether the run knew the original user PIN: the journal
// says so, or (a v1 journal) keeps a check of it.
func (r Restorer) knewPIN(j Journal) bool {
	_, checked := j.Checks[caselang.UserPIN]
	return j.UserPINKnown || checked
}

// record hands the journal to Record; a journal that cannot be updated
// keeps its earlier state, which a later restore still completes.
func (r Restorer) record(j Journal) {
	if r.Record != nil {
		_ = r.Record(j)
	}
}

// key is the derivation key of the suite's secrets for this journal.
func (r Restorer) key(j Journal) Key {
	switch j.Key {
	case string(caselang.AdminPassword):
		return Key{Of: j.Key, value: r.Secrets[caselang.AdminPassword]}
	case string(caselang.AdminPIN):
		return Key{Of: j.Key, value: r.Secrets[caselang.AdminPIN]}
	}
	return Key{Of: "nonce", value: j.Nonce}
}

// original is the credential of mode m in the original protection: its
// secret from the operator (or the run), or none where m was unsecured.
func (r Restorer) original(j Journal, m caselang.Mode) Credential {
	sec := j.Original.Admin
	if m == caselang.User {
		sec = j.Original.User
	}
	kinds := map[caselang.Security]caselang.SecretKind{caselang.Password: caselang.AdminPassword, caselang.PIN: caselang.AdminPIN}
	if m == caselang.User {
		kinds = map[caselang.Security]caselang.SecretKind{caselang.Password: caselang.UserPassword, caselang.PIN: caselang.UserPIN}
	}
	kind, ok := kinds[sec]
	if !ok {
		return Credential{What: "unsecured"}
	}
	what := map[caselang.Security]string{caselang.Password: "password", caselang.PIN: "PIN"}[sec]
	return Credential{What: "the " + string(m) + " " + what, Secret: r.Secrets[kind]}
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
	if pin := r.Secrets[caselang.AdminPIN]; pin != "" {
		add(Credential{What: "the admin PIN", Secret: pin})
	}
	pendingAdmin := strings.HasPrefix(j.Pending, string(caselang.Admin)+" ")
	if j.Current.Admin == caselang.Unsecured || pendingAdmin && strings.HasSuffix(j.Pending, string(caselang.Unsecured)) {
		add(Credential{What: "unsecured"})
	}
	suite := Credential{What: "the password the suite set", Secret: key.Derive(caselang.AdminPassword)}
	if j.AdminSecret == "suite" || pendingAdmin && strings.HasSuffix(j.Pending, string(caselang.Password)) {
		add(suite)
	}
	add(r.original(j, caselang.Admin))
	if j.AdminSecret != "original" {
		add(suite)
	}
	add(Credential{What: "unsecured"})
	// Last, when nothing else entered: the long password a case sets on the
	// embedded server only (caselang.LongSecret), the suite's made long.
	add(Credential{What: "the long password the suite set", Secret: caselang.LongOf(suite.Secret)})
	return out
}

// plan lists the changes from cur back to j.Original: the administrator's
// first (user can be protected only while admin is; admin unsecured takes
// user with it).
func (r Restorer) plan(j Journal, cur Protection) []Change {
	var out []Change
	o := j.Original
	switch {
	case o.Admin == caselang.Password && (cur.Admin != caselang.Password || j.AdminSecret != "original"):
		out = append(out, Change{Mode: caselang.Admin, To: caselang.Password, Secret: r.Secrets[caselang.AdminPassword]})
	case o.Admin == caselang.Unsecured && cur.Admin != caselang.Unsecured:
		out = append(out, Change{Mode: caselang.Admin, To: caselang.Unsecured})
		cur.User = caselang.Unsecured
	}
	if o.Admin == caselang.Unsecured {
		return out // user is unsecured with admin, and now again
	}
	if !j.UserChanged && cur.User == o.User {
		return out
	}
	switch o.User {
	case caselang.Unsecured:
		if cur.User != caselang.Unsecured {
			out = append(out, Change{Mode: caselang.User, To: caselang.Unsecured})
		}
	case caselang.Password:
		out = append(out, Change{Mode: caselang.User, To: caselang.Password, Secret: r.Secrets[caselang.UserPassword]})
	case caselang.PIN:
		out = append(out, Change{Mode: caselang.User, To: caselang.PIN, Secret: r.Secrets[caselang.UserPIN]})
	}
	return out
}
