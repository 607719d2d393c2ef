package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/reconf"
	"github.com/roomconform/conform/internal/wire"
)

// The walk: between groups of cases the run moves the target through
// other protection profiles with setAuthParams, so that the cases that do
// not apply to its own protection run too, and puts the original back at
// the end (EndWalk), as a reconfiguring case does within itself
// (reconfigure.go): journal first, secrets derived, never a change it
// could not undo.

// walkState is what the walk must put back.
type walkState struct {
	profile cases.Profile
	secrets Secrets
	key     reconf.Key
	journal reconf.Journal
}

// CanWalk reports whether the run may walk the target to p and back: the
// original protection must be restorable with the secrets the run has, and
// p reachable (admin PIN protection is the command line's: never set,
// never left).
func (r *Runner) CanWalk(p reconf.Protection) (bool, string) {
	orig := r.Profile
	if r.walk != nil {
		orig = r.walk.profile
	}
	if orig.Plan == cases.Free {
		return false, "a Free plan refuses the secured logins that would undo a change"
	}
	if !orig.CanLogin(cases.Admin) {
		return false, "needs admin access: set CONFORM_ADMIN_PASSWORD or CONFORM_ADMIN_PIN"
	}
	for _, m := range []cases.Mode{cases.Admin, cases.User} {
		if ok, why, _ := orig.Restorable(m); !ok && !(m == cases.Admin && orig.Admin == cases.PIN) {
			return false, why
		}
	}
	if orig.User == cases.PIN && !orig.Has(cases.UserPIN) {
		// It could be put back only as a PIN the target generates.
		return false, "the user PIN is not known (getAuthInfo did not show it): set CONFORM_USER_PIN; the walk never changes a PIN it cannot set back"
	}
	if orig.Admin == cases.PIN && p.Admin != cases.PIN {
		return false, "the administrator PIN is the command line's: the walk keeps it"
	}
	if p.Admin == cases.Unsecured && p.User != cases.Unsecured {
		return false, "user mode is unsecured whenever admin mode is"
	}
	return true, ""
}

// Predict is the profile the run will have once the walk reached p: the
// secrets the walk sets are known (derived), the command-line PIN stays.
func (r *Runner) Predict(p reconf.Protection) cases.Profile {
	orig, sec := r.Profile, r.Secrets
	if r.walk != nil {
		orig, sec = r.walk.profile, r.walk.secrets
	}
	key := r.newKey(orig, sec)
	out := orig
	out.Admin, out.User = p.Admin, p.User
	next := Secrets{}
	if v, ok := sec.Get(cases.AdminPIN); ok {
		next = next.With(cases.AdminPIN, v)
	}
	if p.Admin == cases.Password {
		v, _ := sec.Get(cases.AdminPassword)
		if orig.Admin != cases.Password {
			v = key.Derive(cases.AdminPassword)
		}
		next = next.With(cases.AdminPassword, v)
	}
	switch p.User {
	case cases.Password:
		next = next.With(cases.UserPassword, key.Derive(cases.UserPassword))
	case cases.PIN:
		next = next.With(cases.UserPIN, key.Derive(cases.UserPIN))
	}
	out.Secrets, out.Lettered = secretKinds(next)
	return out
}

// Walk moves the target to protection p with setAuthParams on an
// administrator connection: admin first (unsecured takes user with it),
// then user, with the secrets the walk derives; the journal is written
// before each change. Afterwards the run's profile and secrets are the
// target's new ones, as getAuthInfo and the answers say.
func (r *Runner) Walk(ctx context.Context, p reconf.Protection) error {
	if err := r.mayReconfigure(); err != nil {
		return fmt.Errorf("walk to %s: %w", p, err)
	}
	if ok, why := r.CanWalk(p); !ok {
		return fmt.Errorf("walk to %s: %s", p, why)
	}
	r.reconfMu.Lock()
	defer r.reconfMu.Unlock()
	err := r.walkTo(ctx, p)
	if err != nil && r.walking() {
		// Changed, or perhaps changed: the run no longer knows the target's
		// protection for sure, so no further stage; EndWalk puts it back.
		r.mu.Lock()
		r.walkFailed = err
		r.mu.Unlock()
	}
	return err
}

// walking reports whether the walk has (or may have) changed the target.
func (r *Runner) walking() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.walk != nil
}

func (r *Runner) walkTo(ctx context.Context, p reconf.Protection) error {
	tr := wire.NewTranscript(r.Redactor)
	dial := func(ctx context.Context, name string) (*wire.Client, error) {
		return Dial(ctx, r.Target, "walk-"+name, tr, r.Redactor)
	}
	s, _, err := reconf.Login(ctx, dial, adminCredentials(r.Profile, r.Secrets))
	if err != nil {
		return fmt.Errorf("walk to %s: %w", p, err)
	}
	defer s.Close()
	if !r.walking() {
		// Only now, with administrator access: before it nothing was changed.
		if _, ok := r.Secrets.Get(cases.UserPIN); r.Profile.User == cases.PIN && !ok {
			return fmt.Errorf("walk to %s: the user PIN is not known, and the walk never changes a PIN it cannot set back", p)
		}
		var dev reconf.Device
		if r.Journal != "" {
			if dev, err = s.Device(ctx); err != nil {
				return fmt.Errorf("walk to %s: %w (the device's identity, for the journal)", p, err)
			}
		}
		key := r.newKey(r.Profile, r.Secrets)
		j := r.withChecks(r.newJournal(r.Profile, key), r.Secrets)
		j.Device = dev
		if err := reconf.CreateJournal(r.Journal, j); err != nil {
			return fmt.Errorf("walk to %s: %w", p, err)
		}
		r.mu.Lock()
		r.walk = &walkState{profile: r.Profile, secrets: r.Secrets, key: key, journal: j}
		r.mu.Unlock()
	}
	w := r.walk
	cur := protectionOf(r.Profile)
	sec := r.Secrets
	for _, ch := range walkChanges(cur, p, w.key) {
		w.journal.Begin(ch, cur)
		if err := reconf.WriteJournal(r.Journal, w.journal); err != nil {
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
		case ch.Mode == cases.Admin && ch.To == cases.Password:
			sec = sec.With(cases.AdminPassword, ch.Secret)
			w.journal.AdminSecret = "suite"
			cur.Admin = cases.Password
		case ch.Mode == cases.Admin:
			w.journal.AdminSecret = "original" // no password in force; the original comes back
			cur.Admin, cur.User = cases.Unsecured, cases.Unsecured
		case ch.To == cases.Password:
			sec = sec.With(cases.UserPassword, ch.Secret)
			cur.User = ch.To
		case ch.To == cases.PIN:
			cur.User = ch.To
		}
		w.journal.Pending = ""
	}
	info, err := s.Info(ctx)
	if err != nil {
		return fmt.Errorf("walk to %s: %w", p, err)
	}
	w.journal.Current = info.Protection
	if err := reconf.WriteJournal(r.Journal, w.journal); err != nil {
		return err
	}
	if info.Protection != p {
		return fmt.Errorf("walk to %s: getAuthInfo says %s afterwards", p, info.Protection)
	}
	// The walk is no test of setAuthParams (the CFG cases are): the run
	// goes on with the PIN the target shows an administrator, and without
	// the secrets of a mode that is unsecured now.
	if info.User == cases.PIN {
		if info.PIN == "" {
			return fmt.Errorf("walk to %s: getAuthInfo does not show the new user PIN", p)
		}
		r.Redactor.Add(string(cases.UserPIN), info.PIN)
		sec = sec.With(cases.UserPIN, info.PIN)
	}
	sec = pruneSecrets(sec, info.Protection)
	prof := r.Profile
	prof.Admin, prof.User = info.Admin, info.User
	prof.Secrets, prof.Lettered = secretKinds(sec)
	r.setProfile(prof, sec)
	return nil
}

// pruneSecrets drops the secrets protection p has no use for: the
// password of an unsecured admin mode (the command-line PIN stays), and
// any user secret but the kind that protects user mode.
func pruneSecrets(sec Secrets, p reconf.Protection) Secrets {
	if p.Admin != cases.Password {
		sec = sec.Without(cases.AdminPassword)
	}
	if p.User != cases.Password {
		sec = sec.Without(cases.UserPassword)
	}
	if p.User != cases.PIN {
		sec = sec.Without(cases.UserPIN)
	}
	return sec
}

// walkChanges lists the setAuthParams requests from cur to p.
func walkChanges(cur, p reconf.Protection, key reconf.Key) []reconf.Change {
	var out []reconf.Change
	switch {
	case p.Admin == cases.Unsecured && cur.Admin != cases.Unsecured:
		return []reconf.Change{{Mode: cases.Admin, To: cases.Unsecured}}
	case p.Admin == cases.Password && cur.Admin == cases.Unsecured:
		out = append(out, reconf.Change{Mode: cases.Admin, To: cases.Password, Secret: key.Derive(cases.AdminPassword)})
		cur.User = cases.Unsecured
	}
	ch := reconf.Change{Mode: cases.User, To: p.User}
	switch p.User {
	case cases.Unsecured:
		if cur.User == cases.Unsecured {
			return out
		}
	case cases.Password:
		ch.Secret = key.Derive(cases.UserPassword)
	case cases.PIN:
		ch.Secret = key.Derive(cases.UserPIN)
	}
	return append(out, ch)
}

// adminCredentials is how the run enters administrator mode now.
func adminCredentials(p cases.Profile, sec Secrets) []reconf.Credential {
	var out []reconf.Credential
	if v, ok := sec.Get(cases.AdminPIN); ok {
		out = append(out, reconf.Credential{What: "the admin PIN", Secret: v})
	}
	if v, ok := sec.Get(cases.AdminPassword); ok && p.Admin == cases.Password {
		out = append(out, reconf.Credential{What: "the admin password", Secret: v})
	}
	if p.Admin == cases.Unsecured {
		out = append(out, reconf.Credential{What: "unsecured"})
	}
	return out
}

// EndWalk puts back the protection the run found, if the walk changed it,
// within the restore bound whatever ctx says (Runner.restore notes a
// regenerated PIN for the operator); an error says the protection could
// not be restored, and the journal is then kept.
func (r *Runner) EndWalk(ctx context.Context) error {
	r.reconfMu.Lock()
	defer r.reconfMu.Unlock()
	if !r.walking() {
		return nil
	}
	w := r.walk
	if _, err := r.restore(ctx, wire.NewTranscript(r.Redactor), "walk-", w.profile, w.secrets, w.journal); err != nil {
		return fmt.Errorf("the walk %w", err)
	}
	r.mu.Lock()
	r.walk = nil
	r.mu.Unlock()
	return nil
}

// Stage is a protection profile a run can put its target in, to run the
// cases that do not apply to the target's own: the profile the run will
// have there (Predict), and how to get there (a walk with setAuthParams,
// or another embedded server for another plan).
type Stage struct {
	// Name is the profile's name, as the reports show it beside a case.
	Name    string
	Profile cases.Profile
	// Enter puts the target in the profile and returns the runner to use.
	Enter func(ctx context.Context) (*Runner, error)
	// Reconfiguring says the stage is a target in this profile of its own
	// (another embedded server), not the walk's: the cases that reconfigure
	// the target run there, from its profile, and only they (a case's
	// journal never stands over the walk's).
	Reconfiguring bool
}

// WalkStages are the stages the run can walk the target through with
// setAuthParams and back: admin protected as it is with user by password
// and unsecured, and both unsecured; only those CanWalk allows.
func (r *Runner) WalkStages() []Stage {
	var out []Stage
	admin := r.Profile.Admin // protected as it is, or by a password the walk sets
	if admin == cases.Unsecured {
		admin = cases.Password
	}
	for _, p := range []reconf.Protection{
		{Admin: admin, User: cases.Password},
		{Admin: admin, User: cases.PIN},
		{Admin: admin, User: cases.Unsecured},
		{Admin: cases.Unsecured, User: cases.Unsecured},
	} {
		if p == protectionOf(r.Profile) {
			continue
		}
		if ok, _ := r.CanWalk(p); !ok {
			continue
		}
		out = append(out, Stage{Name: ProfileName(p, r.Profile.Plan), Profile: r.Predict(p),
			Enter: func(ctx context.Context) (*Runner, error) { return r, r.Walk(ctx, p) }})
	}
	return out
}

// ProfileName names a protection as the reference server's profiles do
// ("admin-password-user-pin", "unsecured", "free-admin-password").
func ProfileName(p reconf.Protection, plan cases.Plan) string {
	var parts []string
	if plan == cases.Free {
		parts = append(parts, "free")
	}
	if p.Admin != cases.Unsecured {
		parts = append(parts, "admin-"+string(p.Admin))
	}
	if p.User != cases.Unsecured {
		parts = append(parts, "user-"+string(p.User))
	}
	if len(parts) == 0 || len(parts) == 1 && plan == cases.Free {
		parts = append(parts, "unsecured")
		if plan == cases.Free {
			return "free"
		}
	}
	return strings.Join(parts, "-")
}
