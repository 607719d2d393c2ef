package cases

import (
	"fmt"
	"slices"
	"strings"
)

// Reconfiguration from every starting profile: each setAuthParams change
// (cfgChanges) from each Pro protection it applies to (cfgStarts), one
// case each. After the change the old secret is refused (a wrong
// credential: it counts against the budget, and a recovery login follows)
// and the new one grants the mode, on a connection authorized before the
// change, on one opened before it and not yet authorized, and on one
// opened after it. A case runs only where the target starts in its profile
// (StartsFrom): the embedded run has a reference server in every profile
// (session.Stages); a live target runs the cases of its own profile.

// cfgChange is one change setAuthParams makes.
type cfgChange struct {
	name string // in the case ID
	req  string // the requirement of the change ("": the group's)
	mode Mode
	to   Security
	// secret is the new password or given PIN (nil: none; for a PIN, the
	// target generates one).
	secret Value
	label  string
}

// cfgChanges are the changes a case makes, one each.
var cfgChanges = []cfgChange{
	{name: "admin-password", req: "CFG-1", mode: Admin, to: Password, secret: SuiteSecret(AdminPassword), label: "password"},
	{name: "admin-unsecured", req: "CFG-3", mode: Admin, to: Unsecured, label: "unsecured"},
	{name: "user-password", mode: User, to: Password, secret: SuiteSecret(UserPassword), label: "password"},
	{name: "user-pin-given", req: "CFG-2", mode: User, to: PIN, secret: SuiteSecret(UserPIN), label: "pin"},
	{name: "user-pin-generated", req: "CFG-2", mode: User, to: PIN, label: "pin"},
	{name: "user-unsecured", mode: User, to: Unsecured, label: "unsecured"},
}

// cfgStart is a protection a change starts from.
type cfgStart struct{ admin, user Security }

// cfgStarts are the Pro plan's protections (a Free plan cannot be
// reconfigured: its secured logins, which would undo a change, get 2).
var cfgStarts = []cfgStart{
	{Unsecured, Unsecured},
	{Password, Unsecured}, {Password, Password}, {Password, PIN},
	{PIN, Unsecured}, {PIN, Password}, {PIN, PIN},
}

// name is the protection's name, as the reference server's profiles are
// named ("admin-pin-user-password", "unsecured").
func (s cfgStart) name() string {
	if s.admin == Unsecured {
		return "unsecured"
	}
	n := "admin-" + string(s.admin)
	if s.user != Unsecured {
		n += "-user-" + string(s.user)
	}
	return n
}

// cfgFromEveryProfile is every change from every protection it applies to:
// admin changes where the administrator's protection is not the command
// line's PIN (it could not be set back), user changes where admin is
// protected, and where it is not the refused user changes (CFG-4); a
// change to the protection a mode already has without a secret (unsecured
// to unsecured) changes nothing and is left out.
func cfgFromEveryProfile() []Case {
	var out []Case
	for _, ch := range cfgChanges {
		for _, st := range cfgStarts {
			from := st.user
			if ch.mode == Admin {
				from = st.admin
			}
			switch {
			case ch.mode == Admin && st.admin == PIN:
			case ch.to == Unsecured && from == Unsecured:
			case ch.mode == User && st.admin == Unsecured:
				out = append(out, cfgRefusedFrom(ch, st))
			default:
				out = append(out, cfgFrom(ch, st))
			}
		}
	}
	return out
}

// cfgFrom is change ch from protection st.
func cfgFrom(ch cfgChange, st cfgStart) Case {
	req := cmpOr(ch.req, "ROLE-1")
	role := Str(string(ch.mode))
	old := st.user
	if ch.mode == Admin {
		old = st.admin
	}
	var steps []Step
	// The connection authorized before the change in the mode it changes:
	// the administrator's own for an admin change (one connection per mode).
	before := "a"
	if ch.mode == User {
		before = "u"
		steps = append(steps, Step{Name: "user-before", Conn: "u", Do: send(Login(User)), Expect: granted("ROLE-1", User)})
	}
	steps = append(steps,
		Step{Name: "idle-before", Conn: "i", Do: send(getAuthInfo), Expect: []Check{Refused("SEC-1")}},
		loginAs("login", Admin))
	set := Step{Name: "set", Do: Reconfigure{Mode: ch.mode, To: ch.to, Secret: ch.secret}, Expect: []Check{Accepted(req)}}
	info := []Check{Protection(req, ch.mode, ch.to)}
	if ch.mode == User && ch.to == PIN && ch.secret == nil {
		set.Expect = append(set.Expect, NewPINReturned(req))
	}
	if ch.mode == Admin && ch.to == Unsecured {
		info = append(info, Protection(req, User, Unsecured))
	}
	steps = append(steps, set, Step{Name: "info", Do: send(getAuthInfo), Expect: info})
	for _, c := range []string{before, "i", "n"} {
		if old.IsProtected() {
			// The old secret is a wrong credential now: 8 where the mode is
			// still protected; where it is not, RC-4b's 4 or 8, as the
			// model of the reading judges.
			check := Code("RC-8", 8)
			if ch.to == Unsecured {
				check = AsTheReadingSays("RC-4b")
			}
			steps = append(steps,
				Step{Name: c + "-old", Conn: c, Do: send(secured(OldSecret(secretFor(ch.mode, old)), role)), Expect: []Check{check}},
				recoverNamed(c+"-recover"))
		} else {
			// The old access was unsecured: it ends (4).
			code4 := "RC-4" // CFG-1 says it of admin mode
			if ch.mode == Admin {
				code4 = "CFG-1"
			}
			steps = append(steps, Step{Name: c + "-old", Conn: c, Do: send(Request{Type: Str("unsecured"), Role: role}), Expect: []Check{Code(code4, 4)}})
		}
		steps = append(steps, Step{Name: c + "-new", Conn: c, Do: send(Login(ch.mode)), Expect: granted(req, ch.mode)})
	}
	c := Case{
		ID:     cfgID(ch, "", st),
		Title:  fmt.Sprintf("from %s, setAuthParams %s %s: the old %s is refused and the new one grants %s mode, on connections opened before (authorized or not) and after the change", st.name(), ch.mode, cfgTo(ch), cfgOld(ch.mode, old), ch.mode),
		Labels: []string{"mutating", ch.label},
		Needs:  cfgNeeds(ch.mode, st),
		Steps:  steps,
	}
	c.Requirements = cfgCited(req, c.Steps)
	return c
}

// cfgRefusedFrom is user change ch where admin mode is unsecured: refused
// (CFG-4), and user mode stays unsecured on every connection.
func cfgRefusedFrom(ch cfgChange, st cfgStart) Case {
	steps := []Step{
		{Name: "user-before", Conn: "u", Do: send(Login(User)), Expect: granted("ROLE-1", User)},
		{Name: "idle-before", Conn: "i", Do: send(getAuthInfo), Expect: []Check{Refused("SEC-1")}},
		loginAs("login", Admin),
		{Name: "set", Do: Reconfigure{Mode: User, To: ch.to, Secret: ch.secret}, Expect: []Check{Fails("CFG-4")}},
		{Name: "info", Do: send(getAuthInfo), Expect: []Check{Protection("CFG-4", User, Unsecured), Protection("CFG-4", Admin, Unsecured)}},
	}
	for _, c := range []string{"u", "i", "n"} {
		steps = append(steps, Step{Name: c + "-unsecured", Conn: c, Do: send(Request{Type: Str("unsecured"), Role: roleUser}), Expect: granted("CFG-4", User)})
	}
	c := Case{
		ID:     cfgID(ch, "refused", st),
		Title:  fmt.Sprintf("from %s, setAuthParams user %s is refused (admin mode is unsecured) and user mode stays unsecured on connections opened before and after", st.name(), cfgTo(ch)),
		Labels: []string{"mutating", ch.label},
		Needs:  cfgNeeds(Admin, st),
		Steps:  steps,
	}
	c.Requirements = cfgCited("CFG-4", c.Steps)
	return c
}

// cfgID names a change from a protection: "cfg-1-admin-password-from-unsecured".
func cfgID(ch cfgChange, what string, st cfgStart) string {
	num := ""
	switch {
	case what == "refused":
		num = "4-"
	case ch.req != "":
		num = strings.TrimPrefix(strings.ToLower(ch.req), "cfg-") + "-"
	}
	if what != "" {
		what += "-"
	}
	return "cfg-" + num + ch.name + "-" + what + "from-" + st.name()
}

func cfgTo(ch cfgChange) string {
	switch {
	case ch.to == PIN && ch.secret == nil:
		return "pin (generated)"
	case ch.to == PIN:
		return "pin (given)"
	}
	return string(ch.to)
}

func cfgOld(m Mode, s Security) string {
	if s == Unsecured {
		return "unsecured access"
	}
	return string(m) + " " + string(s)
}

// cfgNeeds: the change must be one the suite can undo (Reconfigurable),
// from this protection, and the connection authorized before a user change
// needs user access.
func cfgNeeds(m Mode, st cfgStart) []Need {
	needs := []Need{StartsFrom(st.admin, st.user), Reconfigurable(m)}
	if m == User {
		needs = append(needs, CanLogin(User))
	}
	return needs
}

// cfgCited lists the requirements the steps' checks cite, primary first,
// and CFG-6 (the engine's check that the protection is back).
func cfgCited(primary string, steps []Step) []string {
	out := []string{primary}
	if GroupOf(primary) != "CFG" {
		// A change no CFG row names (a user password, user unsecured): the
		// group's own requirement of every such case comes first.
		out = []string{"CFG-6", primary}
	}
	for _, s := range steps {
		for _, c := range s.Expect {
			if !slices.Contains(out, c.Req) {
				out = append(out, c.Req)
			}
		}
	}
	if !slices.Contains(out, "CFG-6") {
		out = append(out, "CFG-6")
	}
	return out
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// StartsFrom needs the target to be protected as admin and user say: a
// reconfiguring case about changes from that protection.
func StartsFrom(admin, user Security) Need {
	return Need{
		Met: func(p Profile) bool { return p.Admin == admin && p.User == user },
		Reason: func(p Profile) string {
			return fmt.Sprintf("starts from admin %s, user %s (target: admin %s, user %s)", admin, user, p.Admin, p.User)
		},
		Inapplicable: func(p Profile) bool { return known(p.Admin) && known(p.User) },
	}
}

// OnReference needs the embedded reference server: what a device might
// limit or not survive (a password of hundreds of characters) is tried
// there only.
var OnReference = Need{
	Met: func(p Profile) bool { return p.Reference },
	Reason: func(Profile) string {
		return "runs against the embedded reference server only: a device may limit a password's length, and the suite could then not set its protection back"
	},
	Inapplicable: configured,
}

// oldSecret is the secret of kind k the target had before the case's
// change: a wrong credential once the change is made.
type oldSecret struct{ kind SecretKind }

// OldScope is what a Scope offers when the case has reconfigured the
// target: the secrets it had before (the engine's execution).
type OldScope interface {
	OldSecret(SecretKind) (string, bool)
}

func (s oldSecret) Resolve(sc Scope) (Resolved, error) {
	o, ok := sc.(OldScope)
	if !ok {
		return Resolved{}, fmt.Errorf("the old %s: the case has not reconfigured the target", s.kind)
	}
	v, ok := o.OldSecret(s.kind)
	if !ok {
		return Resolved{}, fmt.Errorf("the old %s is not known (the case has not reconfigured the target, or it had none)", s.kind)
	}
	return Resolved{V: v, Present: true, Secret: string(s.kind)}, nil
}
func (s oldSecret) Describe() string { return "<the old " + string(s.kind) + ">" }
func (oldSecret) mayBeWrong() bool   { return true } // it is wrong once the change is made

// OldSecret is the secret of kind k the target had before the case's
// Reconfigure step: wrong credentials after it (RC-8).
func OldSecret(k SecretKind) Value { return oldSecret{k} }

// longSecret is a new secret of kind k for a Reconfigure step: the suite's
// with non-ASCII letters appended, 300 characters in all.
type longSecret struct{ kind SecretKind }

// LongSecretLength is how many characters LongSecret has.
const LongSecretLength = 300

// ReferenceScope is what a Scope offers to tell the embedded reference
// server (the engine's execution): a long secret is set there only.
type ReferenceScope interface {
	Reference() bool
}

func (s longSecret) Resolve(sc Scope) (Resolved, error) {
	if r, ok := sc.(ReferenceScope); !ok || !r.Reference() {
		return Resolved{}, fmt.Errorf("a %d-character %s is set on the embedded reference server only", LongSecretLength, s.kind)
	}
	return Resolved{V: LongOf(sc.SuiteSecret(s.kind)), Present: true, Secret: "suite-long-" + string(s.kind)}, nil
}
func (s longSecret) Describe() string {
	return fmt.Sprintf("<a new %d-character %s, non-ASCII, the suite sets>", LongSecretLength, s.kind)
}
func (longSecret) mayBeWrong() bool { return false }

// LongOf is base made LongSecretLength characters long with non-ASCII
// letters (Cyrillic, Greek, accented Latin, CJK).
func LongOf(base string) string {
	const fill = "пароль-ΚΩΔΙΚΟΣ-mötley-密码-"
	r := []rune(base)
	for i := 0; len(r) < LongSecretLength; i++ {
		r = append(r, []rune(fill)[i%len([]rune(fill))])
	}
	return string(r[:LongSecretLength])
}

// LongSecret is a new secret of kind k of LongSecretLength characters,
// non-ASCII, for a Reconfigure step on the embedded reference server.
func LongSecret(k SecretKind) Value { return longSecret{k} }

// truncated is v cut to n characters: wrong for a longer secret.
type truncated struct {
	v Value
	n int
}

func (t truncated) Resolve(sc Scope) (Resolved, error) {
	r, err := t.v.Resolve(sc)
	if err != nil {
		return r, err
	}
	s, _ := r.V.(string)
	if rs := []rune(s); len(rs) > t.n {
		s = string(rs[:t.n])
	}
	r.V = s
	return r, nil
}
func (t truncated) Describe() string {
	return fmt.Sprintf("%s cut to %d characters", t.v.Describe(), t.n)
}
func (truncated) mayBeWrong() bool { return true }

// cfgLong are the long passwords' round trips: set (admin, user), then log
// in with them, on connections opened after the change; and the password
// cut to 255 characters, where a server that stores a bounded field would
// accept it, is refused.
func cfgLong() []Case {
	var out []Case
	for _, m := range []Mode{Admin, User} {
		kind := secretFor(m, Password)
		req, id := "CFG-1", "cfg-1-admin-long-password-round-trip"
		needs := []Need{OnReference, Reconfigurable(m)}
		if m == User {
			req, id = "ROLE-1", "cfg-user-long-password-round-trip"
			needs = append(needs, IsProtected(Admin)) // CFG-4
		}
		steps := []Step{
			loginAs("login", Admin),
			{Name: "set", Do: Reconfigure{Mode: m, To: Password, Secret: LongSecret(kind)}, Expect: []Check{Accepted(req)}},
			{Name: "info", Do: send(getAuthInfo), Expect: []Check{Protection(req, m, Password)}},
			{Name: "new", Conn: "n", Do: send(secured(Secret(kind), Str(string(m)))), Expect: granted(req, m)},
			{Name: "cut", Conn: "c", Do: send(secured(truncated{Secret(kind), 255}, Str(string(m)))), Expect: []Check{Code("RC-8", 8)}},
			recoverLogin(),
		}
		c := Case{
			ID:     id,
			Title:  fmt.Sprintf("setAuthParams %s password of %d characters, non-ASCII: it logs in as %s, and the same cut to 255 characters is refused (embedded server only)", m, LongSecretLength, m),
			Labels: []string{"mutating", "password"},
			Needs:  needs,
			Steps:  steps,
		}
		c.Requirements = cfgCited(req, c.Steps)
		out = append(out, c)
	}
	return out
}
