// Package walk moves a target through other protection profiles between
// groups of cases, so that the cases that do not apply to its own
// protection run too, and puts the original back at the end: with
// setAuthParams on an administrator connection, journal first, secrets
// derived, never a change it could not undo, as a reconfiguring case does
// within itself (internal/engine's reconfigure.go, whose journal, keys and
// restore it shares through the runner).
package walk

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/engine"
	"github.com/roomconform/conform/internal/reconf"
	"github.com/roomconform/conform/internal/wire"
)

// Walker walks one runner's target. Safe for concurrent use; the target's
// reconfiguration is held (engine.Reconfiguration.Hold) for each step and
// for the end.
type Walker struct {
	r *engine.Runner

	mu sync.Mutex
	// away is set while the walk has (or may have) moved the target to
	// another protection: what it must put back.
	away *away
}

// away is what the walk must put back.
type away struct {
	profile caselang.Profile
	secrets engine.Secrets
	key     reconf.Key
	journal reconf.Journal
}

// New is the walker of r's target.
func New(r *engine.Runner) *Walker { return &Walker{r: r} }

// original is the profile and secrets the walk started from, or the
// runner's now when it has not moved the target.
func (w *Walker) original() (caselang.Profile, engine.Secrets, *away) {
	w.mu.Lock()
	a := w.away
	w.mu.Unlock()
	if a != nil {
		return a.profile, a.secrets, a
	}
	p, sec := w.r.Services().Reconfiguration.Current()
	return p, sec, nil
}

// CanWalk reports whether the run may walk the target to p and back: the
// original protection must be restorable with the secrets the run has, and
// p reachable (admin PIN protection is the command line's: never set,
// never left).
func (w *Walker) CanWalk(p reconf.Protection) (bool, string) {
	orig, _, _ := w.original()
	if orig.Plan == caselang.Free {
		return false, "a Free plan refuses the secured logins that would undo a change"
	}
	if !orig.CanLogin(caselang.Admin) {
		return false, "needs admin access: set CONFORM_ADMIN_PASSWORD or CONFORM_ADMIN_PIN"
	}
	for _, m := range []caselang.Mode{caselang.Admin, caselang.User} {
		if ok, why, _ := orig.Restorable(m); !ok && !(m == caselang.Admin && orig.Admin == caselang.PIN) {
			return false, why
		}
	}
	if orig.User == caselang.PIN && !orig.Has(caselang.UserPIN) {
		// It could be put back only as a PIN the target generates.
		return false, "the user PIN is not known (getAuthInfo did not show it): set CONFORM_USER_PIN; the walk never changes a PIN it cannot set back"
	}
	if orig.Admin == caselang.PIN && p.Admin != caselang.PIN {
		return false, "the administrator PIN is the command line's: the walk keeps it"
	}
	if p.Admin == caselang.Unsecured && p.User != caselang.Unsecured {
		return false, "user mode is unsecured whenever admin mode is"
	}
	return true, ""
}

// Predict is the profile the run will have once the walk reached p: the
// secrets the walk sets are known (derived), the command-line PIN stays.
func (w *Walker) Predict(p reconf.Protection) caselang.Profile {
	orig, sec, _ := w.original()
	key := w.r.Key(orig, sec)
	next := engine.Secrets{}
	if v, ok := sec.Get(caselang.AdminPIN); ok {
		next = next.With(caselang.AdminPIN, v)
	}
	if p.Admin == caselang.Password {
		v, _ := sec.Get(caselang.AdminPassword)
		if orig.Admin != caselang.Password {
			v = key.Derive(caselang.AdminPassword)
		}
		next = next.With(caselang.AdminPassword, v)
	}
	switch p.User {
	case caselang.Password:
		next = next.With(caselang.UserPassword, key.Derive(caselang.UserPassword))
	case caselang.PIN:
		next = next.With(caselang.UserPIN, key.Derive(caselang.UserPIN))
	}
	out := orig
	out.Admin, out.User = p.Admin, p.User
	return engine.WithSecrets(out, next)
}

// Walk moves the target to protection p with setAuthParams on an
// administrator connection: admin first (unsecured takes user with it),
// then user, with the secrets the walk derives; the journal is written
// before each change. Afterwards the run's profile and secrets are the
// target's new ones, as getAuthInfo and the answers say.
func (w *Walker) Walk(ctx context.Context, p reconf.Protection) error {
	if err := w.r.MayReconfigure(); err != nil {
		return fmt.Errorf("walk to %s: %w", p, err)
	}
	if ok, why := w.CanWalk(p); !ok {
		return fmt.Errorf("walk to %s: %s", p, why)
	}
	rs := w.r.Services().Reconfiguration
	release := rs.Hold()
	defer release()
	err := w.walkTo(ctx, p)
	if _, _, a := w.original(); err != nil && a != nil {
		// Changed, or perhaps changed: the run no longer knows the target's
		// protection for sure, so no further stage; End puts it back.
		rs.Halt(fmt.Sprintf("the walk stopped (%v); the run puts the original protection back at its end", err))
	}
	return err
}

func (w *Walker) walkTo(ctx context.Context, p reconf.Protection) error {
	cfg := w.r.Config()
	rs := w.r.Services().Reconfiguration
	tr := wire.NewTranscript(cfg.Redactor)
	dial := func(ctx context.Context, name string) (*wire.Client, error) {
		return engine.Dial(ctx, cfg.Target, "walk-"+name, tr, cfg.Redactor)
	}
	prof, sec := rs.Current()
	s, _, err := reconf.Login(ctx, dial, adminCredentials(prof, sec))
	if err != nil {
		return fmt.Errorf("walk to %s: %w", p, err)
	}
	defer s.Close()
	_, _, a := w.original()
	if a == nil {
		// Only now, with administrator access: before it nothing was changed.
		if _, ok := sec.Get(caselang.UserPIN); prof.User == caselang.PIN && !ok {
			return fmt.Errorf("walk to %s: the user PIN is not known, and the walk never changes a PIN it cannot set back", p)
		}
		var dev reconf.Device
		if cfg.Journal != "" {
			if dev, err = s.Device(ctx); err != nil {
				return fmt.Errorf("walk to %s: %w (the device's identity, for the journal)", p, err)
			}
		}
		key := w.r.Key(prof, sec)
		j := w.r.NewJournal(prof, key, sec)
		j.Device = dev
		if err := reconf.CreateJournal(cfg.Journal, j); err != nil {
			return fmt.Errorf("walk to %s: %w", p, err)
		}
		a = &away{profile: prof, secrets: sec, key: key, journal: j}
		w.mu.Lock()
		w.away = a
		w.mu.Unlock()
		rs.SetAway(true)
	}
	cur := engine.ProtectionOf(prof)
	for _, ch := range changes(cur, p, a.key) {
		a.journal.Begin(ch, cur)
		if err := reconf.WriteJournal(cfg.Journal, a.journal); err != nil {
			return err
		}
		rep, err := s.Set(ctx, ch)
		if err != nil {
			return fmt.Errorf("walk to %s: %w", p, err)
		}
		if !rep.OK {
			return fmt.Errorf("walk to %s: the target refused setAuthParams %s (%s)", p, ch, rep.Error)
		}
		switch {
		case ch.Mode == caselang.Admin && ch.To == caselang.Password:
			sec = sec.With(caselang.AdminPassword, ch.Secret)
			a.journal.AdminSecret = "suite"
			cur.Admin = caselang.Password
		case ch.Mode == caselang.Admin:
			a.journal.AdminSecret = "original" // no password in force; the original comes back
			cur.Admin, cur.User = caselang.Unsecured, caselang.Unsecured
		case ch.To == caselang.Password:
			sec = sec.With(caselang.UserPassword, ch.Secret)
			cur.User = ch.To
		case ch.To == caselang.PIN:
			cur.User = ch.To
		}
		a.journal.Pending = ""
	}
	info, err := s.Info(ctx)
	if err != nil {
		return fmt.Errorf("walk to %s: %w", p, err)
	}
	a.journal.Current = info.Protection
	if err := reconf.WriteJournal(cfg.Journal, a.journal); err != nil {
		return err
	}
	if info.Protection != p {
		return fmt.Errorf("walk to %s: getAuthInfo says %s afterwards", p, info.Protection)
	}
	// The walk is no test of setAuthParams (the CFG cases are): the run
	// goes on with the PIN the target shows an administrator, and without
	// the secrets of a mode that is unsecured now.
	if info.User == caselang.PIN {
		if info.PIN == "" {
			return fmt.Errorf("walk to %s: getAuthInfo does not show the new user PIN", p)
		}
		cfg.Redactor.Add(string(caselang.UserPIN), info.PIN)
		sec = sec.With(caselang.UserPIN, info.PIN)
	}
	sec = sec.For(info.Protection)
	prof.Admin, prof.User = info.Admin, info.User
	rs.Set(engine.WithSecrets(prof, sec), sec)
	return nil
}

// changes lists the setAuthParams requests from cur to p.
func changes(cur, p reconf.Protection, key reconf.Key) []reconf.Change {
	var out []reconf.Change
	switch {
	case p.Admin == caselang.Unsecured && cur.Admin != caselang.Unsecured:
		return []reconf.Change{{Mode: caselang.Admin, To: caselang.Unsecured}}
	case p.Admin == caselang.Password && cur.Admin == caselang.Unsecured:
		out = append(out, reconf.Change{Mode: caselang.Admin, To: caselang.Password, Secret: key.Derive(caselang.AdminPassword)})
		cur.User = caselang.Unsecured
	}
	ch := reconf.Change{Mode: caselang.User, To: p.User}
	switch p.User {
	case caselang.Unsecured:
		if cur.User == caselang.Unsecured {
			return out
		}
	case caselang.Password:
		ch.Secret = key.Derive(caselang.UserPassword)
	case caselang.PIN:
		ch.Secret = key.Derive(caselang.UserPIN)
	}
	return append(out, ch)
}

// adminCredentials is how the run enters administrator mode now.
func adminCredentials(p caselang.Profile, sec engine.Secrets) []reconf.Credential {
	var out []reconf.Credential
	if v, ok := sec.Get(caselang.AdminPIN); ok {
		out = append(out, reconf.Credential{What: "the admin PIN", Secret: v})
	}
	if v, ok := sec.Get(caselang.AdminPassword); ok && p.Admin == caselang.Password {
		out = append(out, reconf.Credential{What: "the admin password", Secret: v})
	}
	if p.Admin == caselang.Unsecured {
		out = append(out, reconf.Credential{What: "unsecured"})
	}
	return out
}

// End puts back the protection the run found, if the walk changed it,
// within the restore bound whatever ctx says (engine.Runner.Restore notes
// a regenerated PIN for the operator); an error says the protection could
// not be restored, and the journal is then kept. A nil Walker walked
// nowhere.
func (w *Walker) End(ctx context.Context) error {
	if w == nil {
		return nil
	}
	rs := w.r.Services().Reconfiguration
	release := rs.Hold()
	defer release()
	_, _, a := w.original()
	if a == nil {
		return nil
	}
	if _, err := w.r.Restore(ctx, wire.NewTranscript(w.r.Config().Redactor), "walk-", a.profile, a.secrets, a.journal); err != nil {
		return fmt.Errorf("the walk %w", err)
	}
	w.mu.Lock()
	w.away = nil
	w.mu.Unlock()
	rs.SetAway(false)
	return nil
}

// Stage is a protection profile a run can put its target in, to run the
// cases that do not apply to the target's own: the profile the run will
// have there (Predict), and how to get there (a walk with setAuthParams,
// or another embedded server for another plan).
type Stage struct {
	// Name is the profile's name, as the reports show it beside a case.
	Name    string
	Profile caselang.Profile
	// Enter puts the target in the profile and returns the runner to use.
	Enter func(ctx context.Context) (*engine.Runner, error)
	// Reconfiguring says the stage is a target in this profile of its own
	// (another embedded server), not the walk's: the cases that reconfigure
	// the target run there, from its profile, and only they (a case's
	// journal never stands over the walk's).
	Reconfiguring bool
}

// Stages are the stages the run can walk the target through with
// setAuthParams and back: admin protected as it is with user by password
// and unsecured, and both unsecured; only those CanWalk allows.
func (w *Walker) Stages() []Stage {
	var out []Stage
	own := w.r.Profile()
	admin := own.Admin // protected as it is, or by a password the walk sets
	if admin == caselang.Unsecured {
		admin = caselang.Password
	}
	for _, p := range []reconf.Protection{
		{Admin: admin, User: caselang.Password},
		{Admin: admin, User: caselang.PIN},
		{Admin: admin, User: caselang.Unsecured},
		{Admin: caselang.Unsecured, User: caselang.Unsecured},
	} {
		if p == engine.ProtectionOf(own) {
			continue
		}
		if ok, _ := w.CanWalk(p); !ok {
			continue
		}
		out = append(out, Stage{Name: ProfileName(p, own.Plan), Profile: w.Predict(p),
			Enter: func(ctx context.Context) (*engine.Runner, error) { return w.r, w.Walk(ctx, p) }})
	}
	return out
}

// ProfileName names a protection as the reference server's profiles do
// ("admin-password-user-pin", "unsecured", "free-admin-password").
func ProfileName(p reconf.Protection, plan caselang.Plan) string {
	var parts []string
	if plan == caselang.Free {
		parts = append(parts, "free")
	}
	if p.Admin != caselang.Unsecured {
		parts = append(parts, "admin-"+string(p.Admin))
	}
	if p.User != caselang.Unsecured {
		parts = append(parts, "user-"+string(p.User))
	}
	if len(parts) == 0 || len(parts) == 1 && plan == caselang.Free {
		parts = append(parts, "unsecured")
		if plan == caselang.Free {
			return "free"
		}
	}
	return strings.Join(parts, "-")
}
