package cases

import (
	"fmt"
	"slices"
	"strings"

	. "github.com/roomconform/conform/caselang"
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
				Step{Name: c + "-old", Conn: c, Do: send(SecuredAuth(OldSecret(SecretFor(ch.mode, old)), role)), Expect: []Check{check}},
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

// cfgLong are the long passwords' round trips: set (admin, user), then log
// in with them, on connections opened after the change; and the password
// cut to 255 characters, where a server that stores a bounded field would
// accept it, is refused.
func cfgLong() []Case {
	var out []Case
	for _, m := range []Mode{Admin, User} {
		kind := SecretFor(m, Password)
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
			{Name: "new", Conn: "n", Do: send(SecuredAuth(Secret(kind), Str(string(m)))), Expect: granted(req, m)},
			{Name: "cut", Conn: "c", Do: send(SecuredAuth(Truncated(Secret(kind), 255), Str(string(m)))), Expect: []Check{Code("RC-8", 8)}},
			RecoverLogin(),
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
