package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/model"
	"github.com/roomconform/conform/internal/reconf"
	"github.com/roomconform/conform/internal/wire"
)

// reconfState is what a case that reconfigured the target must put back:
// the profile and secrets it started with, and the journal of its changes.
type reconfState struct {
	profile caselang.Profile
	secrets Secrets
	key     reconf.Key
	journal reconf.Journal
	// changes counts the case's setAuthParams requests sent.
	changes int
}

// reconfKey is the key the suite's secrets derive from: the one the case's
// first change fixed, or else the one the run's current protection gives.
func (x *execution) reconfKey() reconf.Key {
	if x.rc != nil {
		return x.rc.key
	}
	return x.r.Key(x.r.svc.Reconfiguration.Current())
}

// NewJournal is the journal of a reconfiguration starting from profile p
// with secrets sec, its suite secrets derived with key: it holds no secret
// (the nonce only when admin mode was unsecured; reconf.Key), but the
// fingerprints of the original secrets (reconf.NewCheck), so that conform
// restore refuses a mistyped one, and whether the run knew the original
// user PIN. A journal kept in no file (the embedded server) needs no
// checks, which cost 64 MiB each.
func (r *Runner) NewJournal(p caselang.Profile, key reconf.Key, sec Secrets) reconf.Journal {
	j := reconf.Journal{ID: reconf.NewJournalID(), Target: reconf.TargetOf(r.cfg.Target.URL), Started: time.Now().UTC(), Original: ProtectionOf(p),
		Current: ProtectionOf(p), Key: key.Of, AdminSecret: "original"}
	if key.Of == "nonce" {
		j.Nonce = r.svc.Reconfiguration.key()
	}
	if _, ok := sec.Get(caselang.UserPIN); ok && j.Original.User == caselang.PIN {
		j.UserPINKnown = true
	}
	if r.cfg.Journal == "" {
		return j
	}
	j.Checks = map[caselang.SecretKind]string{}
	for _, k := range sec.Kinds() {
		v, _ := sec.Get(k)
		j.Checks[k] = reconf.NewCheck(k, v)
	}
	return j
}

// MayReconfigure says why the run must not change the target's protection
// now: a restore failed earlier (the journal it kept must stay as it is,
// and the run no longer knows the target's protection), the walk stopped,
// or the target was given up on.
func (r *Runner) MayReconfigure() error {
	if err := r.svc.Reconfiguration.blocked(); err != nil {
		return err
	}
	if why := r.Dead(); why != "" {
		return fmt.Errorf("will not reconfigure: %s", why)
	}
	return nil
}

// RestoreFailure is the first restore of the run that failed (nil when
// none did): the target may be left reconfigured, and the run's verdict is
// that error.
func (r *Runner) RestoreFailure() error { return r.svc.Reconfiguration.RestoreFailure() }

// deviceOf learns the identity of the device on conn for the journal
// (getSystemInfo), when the journal is kept in a file: conform restore
// refuses another device.
func (r *Runner) deviceOf(ctx context.Context, conn *wire.Client, id string) (reconf.Device, error) {
	if r.cfg.Journal == "" {
		return reconf.Device{}, nil
	}
	resp, err := conn.Call(ctx, []byte(fmt.Sprintf(`{"method":"getSystemInfo","requestId":%q}`, id)))
	if err != nil {
		return reconf.Device{}, fmt.Errorf("getSystemInfo (the device's identity, for the journal): %w", err)
	}
	if resp.Err != nil {
		return reconf.Device{}, nil
	}
	return reconf.DeviceOf(resp.Fields), nil
}

// Key makes the key of the suite's secrets for profile p and its secrets
// sec, and registers all it can derive with the redactor first.
func (r *Runner) Key(p caselang.Profile, sec Secrets) reconf.Key {
	k := reconf.NewKey(ProtectionOf(p), sec.values(), r.svc.Reconfiguration.key())
	k.Register(r.cfg.Redactor.Add)
	return k
}

// ProtectionOf is the protection of profile p.
func ProtectionOf(p caselang.Profile) reconf.Protection {
	return reconf.Protection{Admin: p.Admin, User: p.User}
}

// OldSecret is the secret of kind k the target had before the case's
// first change (caselang.OldSecret): a wrong credential after it.
func (x *execution) OldSecret(k caselang.SecretKind) (string, bool) {
	if x.rc == nil {
		return "", false
	}
	return x.rc.secrets.Get(k)
}

// Reference says the target is the embedded reference server
// (caselang.ReferenceScope): only there does a case set a long secret.
func (x *execution) Reference() bool { return x.r.cfg.Target.OwnSecrets && x.r.cfg.Journal == "" }

// admitReconfiguration says why a reconfiguring case must not run on a
// live target: a live target gets one change per case (each change is a
// risk, and what a case checks after one change is what the next would
// have to assume), and has a user PIN generated at most once a run (its
// owner must be told a new one). The embedded server has no limit.
func (r *Runner) admitReconfiguration(c caselang.Case) string {
	if r.cfg.Target.OwnSecrets {
		return ""
	}
	changes, generates := 0, false
	for _, s := range c.Steps {
		if a, ok := s.Do.(caselang.Reconfigure); ok {
			changes++
			generates = generates || a.Mode == caselang.User && a.To == caselang.PIN && a.Secret == nil
		}
	}
	if changes > 1 {
		return fmt.Sprintf("not run: it makes %d changes with setAuthParams, and a live target gets one change per case", changes)
	}
	if by := r.svc.Reconfiguration.pinGeneratedBy(); generates && by != "" && by != c.ID {
		return fmt.Sprintf("not run: %s had the target generate a user PIN already, and a live target gets at most one user-PIN regeneration per run", by)
	}
	return ""
}

// reconfigure runs a Reconfigure step: it checks that the change can be
// undone, writes the journal, sends setAuthParams on the step's
// connection, learns what changed (the protection from getAuthInfo, the
// secrets from the request and the answer's newPin), and from then on
// judges the case by the new profile.
func (x *execution) reconfigure(ctx context.Context, s caselang.Step, a caselang.Reconfigure, name string) error {
	conn, err := x.conn(ctx, s.ConnName())
	if err != nil {
		x.troubled = true
		return fmt.Errorf("step %s: %w", name, err)
	}
	ch := reconf.Change{Mode: a.Mode, To: a.To, NoPIN: a.NoPIN}
	if a.Secret != nil {
		v, err := a.Secret.Resolve(x)
		if err != nil {
			return fmt.Errorf("step %s: %w", name, err)
		}
		ch.Secret, _ = v.V.(string)
		if v.Secret != "" && ch.Secret != "" {
			x.r.cfg.Redactor.Add(v.Secret, ch.Secret)
		}
	}
	if x.rc == nil {
		if err := x.beginReconfiguration(ctx, conn); err != nil {
			return fmt.Errorf("step %s: %w", name, err)
		}
	}
	if x.rc.changes > 0 && !x.r.cfg.Target.OwnSecrets {
		// admitReconfiguration keeps such a case off a live target; the
		// engine holds to it whatever a case says.
		return fmt.Errorf("step %s: will not reconfigure: a live target gets one change per case", name)
	}
	if ch.Mode == caselang.User && ch.To == caselang.PIN && ch.Secret == "" && !x.r.cfg.Target.OwnSecrets {
		// Counted before it is sent: a change that may have happened counts.
		if by := x.r.svc.Reconfiguration.claimPINGeneration(x.c.ID); by != "" {
			return fmt.Errorf("step %s: will not reconfigure: %s had the target generate a user PIN already (at most one a run on a live target)", name, by)
		}
	}
	x.rc.journal.Begin(ch, ProtectionOf(x.Profile()))
	if err := reconf.WriteJournal(x.r.cfg.Journal, x.rc.journal); err != nil {
		return fmt.Errorf("step %s: %w (nothing was changed)", name, err)
	}
	o := x.observation(name)
	x.rc.changes++
	payload := ch.Request(x.nextID())
	_ = json.Unmarshal(payload, &o.Request)
	if ch.Secret != "" {
		o.Sent = []string{ch.Secret}
	}
	resp, err := conn.Call(ctx, payload)
	if err != nil {
		x.troubled = true
		return fmt.Errorf("step %s: setAuthParams %s: %w", name, ch, err)
	}
	o.Matched = resp.Matched
	if resp.Err != nil {
		o.ResponseErr, o.Malformed = "malformed response: "+resp.Err.Error(), true
	} else {
		o.Response = resp.Fields
		x.responses[name] = resp.Fields
	}
	x.evaluate(s, o)
	accepted, _ := o.Response["result"].(bool)
	if err := x.learn(ctx, conn, ch, accepted, o.Response); err != nil {
		return fmt.Errorf("step %s: %w", name, err)
	}
	return nil
}

// beginReconfiguration records what the case must put back, before the
// first change: the profile and secrets, the user PIN (read with
// getAuthInfo when the run does not know it yet), and the journal.
func (x *execution) beginReconfiguration(ctx context.Context, conn *wire.Client) error {
	// One reconfiguration at a time, to its restore (released by Run):
	// a case abandoned by its spec timeout may still be restoring.
	rs := x.r.svc.Reconfiguration
	if x.release == nil {
		x.release = rs.Hold()
	}
	if err := x.r.MayReconfigure(); err != nil {
		return err
	}
	if rs.Away() {
		// A mutating case stays in the target's own profile (PlanSections):
		// never one journal over another.
		return errors.New("will not reconfigure: the walk has the target in another profile")
	}
	p, sec := rs.Current()
	for _, m := range []caselang.Mode{caselang.Admin, caselang.User} {
		// The case's needs (caselang.Reconfigurable) hold this already; the
		// engine does not change what it could not undo, whatever a case says.
		if ok, why, _ := p.Restorable(m); !ok && !(m == caselang.Admin && p.Admin == caselang.PIN) {
			return fmt.Errorf("will not reconfigure: %s", why)
		}
	}
	// What the case will put back is what the device has now, which must
	// be what the run found: else someone else changed it (another run, an
	// operator), and its "original" would be theirs.
	info, err := x.authInfo(ctx, conn)
	if err != nil {
		return err
	}
	if info.Protection != ProtectionOf(p) {
		return fmt.Errorf("will not reconfigure: getAuthInfo says %s, not the %s the run found: someone else changed it", info.Protection, ProtectionOf(p))
	}
	if p.User == caselang.PIN {
		if _, ok := sec.Get(caselang.UserPIN); !ok {
			if info.PIN == "" {
				// A PIN it does not know could not be set back: the change
				// would leave the user's PIN regenerated.
				return errors.New("will not reconfigure: getAuthInfo does not show the user PIN, which could then not be set back (set CONFORM_USER_PIN)")
			}
			x.r.cfg.Redactor.Add(string(caselang.UserPIN), info.PIN)
			sec = sec.With(caselang.UserPIN, info.PIN)
		}
	}
	dev, err := x.r.deviceOf(ctx, conn, x.nextID())
	if err != nil {
		x.troubled = true
		return err
	}
	key := x.r.Key(p, sec)
	j := x.r.NewJournal(p, key, sec)
	j.Device = dev
	if err := reconf.CreateJournal(x.r.cfg.Journal, j); err != nil {
		return fmt.Errorf("will not reconfigure: %w", err)
	}
	x.rc = &reconfState{profile: p, secrets: sec, key: key, journal: j}
	return nil
}

// authInfo asks getAuthInfo on an administrator connection.
func (x *execution) authInfo(ctx context.Context, conn *wire.Client) (reconf.Info, error) {
	resp, err := conn.Call(ctx, []byte(fmt.Sprintf(`{"method":"getAuthInfo","requestId":%q}`, x.nextID())))
	if err != nil {
		x.troubled = true
		return reconf.Info{}, fmt.Errorf("getAuthInfo: %w", err)
	}
	return reconf.ParseInfo(resp.Fields)
}

// learn updates the run's profile and secrets after a change: the
// protection as getAuthInfo reports it, the secrets as the request and the
// answer say (a PIN in newPin, else the one given), and a fresh model of
// the reading for the new profile, in which the open connections' modes
// are unknown.
func (x *execution) learn(ctx context.Context, conn *wire.Client, ch reconf.Change, accepted bool, reply map[string]any) error {
	info, err := x.authInfo(ctx, conn)
	if err != nil {
		return fmt.Errorf("after setAuthParams %s: %w", ch, err)
	}
	j := &x.rc.journal
	j.Current, j.Pending = info.Protection, ""
	p, sec := x.r.svc.Reconfiguration.Current()
	p.Admin, p.User = info.Admin, info.User
	if accepted {
		switch {
		case ch.Mode == caselang.Admin && ch.To == caselang.Password:
			sec = sec.With(caselang.AdminPassword, ch.Secret)
			j.AdminSecret = "suite"
		case ch.Mode == caselang.Admin:
			j.AdminSecret = "original" // no password is in force; the original is what comes back
		case ch.To == caselang.Password:
			sec = sec.With(caselang.UserPassword, ch.Secret)
		case ch.To == caselang.PIN:
			pin, _ := reply["newPin"].(string)
			if pin == "" {
				pin = ch.Secret
			}
			if pin != "" {
				x.r.cfg.Redactor.Add(string(caselang.UserPIN), pin)
				sec = sec.With(caselang.UserPIN, pin)
			}
		}
	}
	// A refused change leaves AdminSecret "either": a target that says no
	// but applies it anyway is restored with whichever secret works.
	if err := reconf.WriteJournal(x.r.cfg.Journal, *j); err != nil {
		return err
	}
	// The secrets of a protection no longer in force are wrong credentials
	// now: the model of the new profile must not take them for secrets (a
	// server that still accepts the old PIN would pass).
	sec = sec.For(info.Protection)
	if accepted {
		x.toldOfChange(ctx, conn, ch)
	}
	p = WithSecrets(p, sec)
	x.r.svc.Reconfiguration.Set(p, sec)
	old := x.m
	x.m = model.New(model.Config{Profile: p, Secrets: sec.values(), Settings: x.set})
	x.m.InheritTokens(old)
	for name := range x.conns {
		x.m.Lost(name)
	}
	return nil
}

// toldOfChange counts the authorizationNeeded a connection holding a mode
// whose protection changed may have been sent (CFG-5, a SHOULD: judged by
// the cases that await it), so that a later displacement's notification
// (SEC-3, judged by its order on the connection) is not taken for it. It
// looks after a barrier on each such connection: the embedded server
// queues the notice before that answer; a target that sends it later than
// that is not told apart.
func (x *execution) toldOfChange(ctx context.Context, changer *wire.Client, ch reconf.Change) {
	affected := []caselang.Mode{ch.Mode}
	if ch.Mode == caselang.Admin && ch.To == caselang.Unsecured {
		affected = append(affected, caselang.User) // CFG-3
	}
	now := x.tm.clock.Now()
	names := slices.Sorted(maps.Keys(x.conns))
	for _, name := range names {
		c := x.conns[name]
		if c == changer {
			continue
		}
		if mode, known := x.m.ModeOf(name, now); known && !slices.Contains(affected, mode) {
			continue
		}
		if _, err := x.barrier(ctx, c); err != nil {
			continue // closed, or silent: nothing to count
		}
		match := func(m wire.Message) bool { return m.Event() == "authorizationNeeded" }
		if _, err := x.nthEvent(ended(ctx), c, x.notices[name], match); err == nil {
			x.notices[name]++
			x.tr.Notef(name, "authorizationNeeded after setAuthParams %s (CFG-5)", ch)
		}
	}
}

// restoreReconfiguration puts back the protection a reconfiguring case
// started with, within the runner's own bound whatever ctx says (a signal
// or --timeout must not leave the target changed), and says how it went:
// a finding under CFG-6 when the protection is back (noting a PIN the
// target had to regenerate), an error otherwise, after which no further
// case runs (the target is no longer in the profile the run knows).
func (x *execution) restoreReconfiguration(ctx context.Context) (caselang.Finding, error) {
	x.tr.Notef("", "restoring the original protection (%s)", x.rc.journal.Original)
	out, err := x.r.Restore(ctx, x.tr, "", x.rc.profile, x.rc.secrets, x.rc.journal)
	if err != nil {
		return caselang.Finding{}, err
	}
	f := caselang.Finding{Requirement: "CFG-6", Level: caselang.LevelOf("CFG-6"), OK: true, Step: "restore", Check: "original protection restored",
		Note: fmt.Sprintf("%s again, %s", x.rc.journal.Original, out.Checked())}
	if n := out.Note(); n != "" {
		f.Note += "; " + n
	}
	return f, nil
}

// Restore puts back the protection journal j records (connections named
// with prefix, recorded into tr), within the restore bound
// (restoreContext) whatever ctx says, and then the run's profile and
// secrets: p and sec, the original ones, with the user PIN the target
// shows if it had to regenerate it (noted for the operator). A failure
// names conform restore and the journal, which is kept, and stops every
// further change and case; on success the journal goes.
func (r *Runner) Restore(ctx context.Context, tr *wire.Transcript, prefix string, p caselang.Profile, sec Secrets, j reconf.Journal) (reconf.Outcome, error) {
	rctx, cancel := r.restoreContext(ctx)
	defer cancel()
	t, red := r.cfg.Target, r.cfg.Redactor
	rs := reconf.Restorer{
		Dial: func(ctx context.Context, name string) (*wire.Client, error) {
			return Dial(ctx, t, prefix+name, tr, red)
		},
		Release: func(ctx context.Context, c *wire.Client) {
			_ = c.Close()
			t.settle(ctx, c.LocalAddr())
		},
		Secrets:  sec.values(),
		Register: red.Add,
		// The device is the one the run has talked to all along, at the
		// same address: an identity that changed within the run (a login
		// to another TrueConf server) must not keep it changed.
		Force:  true,
		Record: func(j reconf.Journal) error { return reconf.WriteJournal(r.cfg.Journal, j) },
	}
	rc := r.svc.Reconfiguration
	out, err := rs.Restore(rctx, j)
	if err != nil {
		where := "the recovery journal"
		if r.cfg.Journal != "" {
			where = r.cfg.Journal
		}
		err = fmt.Errorf("could not restore the original protection (%s): %v; the target may be left changed: run `conform restore --journal %s`", j.Original, err, where)
		rc.failRestore(err)
		r.svc.Health.giveUp(err.Error())
		return out, err
	}
	if err := reconf.RemoveJournal(r.cfg.Journal, j.ID); err != nil {
		// The protection is back; only the file stays: say so, no more.
		rc.note(fmt.Sprintf("the original protection is back, but %v: remove it by hand", err))
	}
	if out.PINRegenerated {
		if out.UserPIN != "" {
			red.Add(string(caselang.UserPIN), out.UserPIN)
			sec = sec.With(caselang.UserPIN, out.UserPIN)
		} else {
			sec = sec.Without(caselang.UserPIN)
		}
		rc.note(out.Note())
	}
	rc.Set(WithSecrets(p, sec), sec)
	return out, nil
}

// restoreContext is the context a restore runs in: not ended by ctx (a
// signal or --timeout must not leave the target changed), but bounded: by
// restoreBound, or after a signal by at most 30 s, so that Ctrl-C is
// never a long wait.
func (r *Runner) restoreContext(ctx context.Context) (context.Context, context.CancelFunc) {
	bound := r.restoreBound()
	if ctx.Err() != nil && !errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
		bound = min(bound, 30*time.Second)
	}
	return context.WithTimeout(context.WithoutCancel(ctx), bound)
}

// RestoreBound is how long a restore may take (a case that reconfigured
// the target, the end of the walk): spec timeouts and Ginkgo's grace
// period allow for it.
func (r *Runner) RestoreBound() time.Duration { return r.restoreBound() }

// restoreBound is how long a restore may take: RestoreTimeout, or enough
// for its dials and exchanges at the run's bounds.
func (r *Runner) restoreBound() time.Duration {
	if r.cfg.RestoreTimeout > 0 {
		return r.cfg.RestoreTimeout
	}
	return DefaultRestoreBound(r.cfg.Target)
}

// DefaultRestoreBound is enough for a restore's dials and exchanges at the
// target's bounds: up to 5 logins into administrator mode, getSystemInfo,
// getAuthInfo twice, two changes, and the 4 logins that verify it, each
// login on its own connection.
func DefaultRestoreBound(t Target) time.Duration {
	t = t.withDefaults()
	const dials, exchanges = 5 + 4, 5 + 1 + 2 + 2 + 4
	return dials*t.DialTimeout + exchanges*t.ResponseTimeout
}

// ReconfigurationNotes are what the operator must be told after the run's
// reconfigurations (a regenerated user PIN: where to read the new one).
func (r *Runner) ReconfigurationNotes() []string { return r.svc.Reconfiguration.Notes() }
