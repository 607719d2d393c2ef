package caselang

import (
	"fmt"
	"strings"
)

// Reconfigurable needs the suite to be able to change the protection of
// mode m and to put the target back as it was with the secrets it has: a
// Pro plan (a Free plan refuses the secured logins that would undo it),
// administrator access, and a protection it can set back — never the
// administrator's command-line PIN, never a user password it was not given.
// User protection is always needed restorable: making admin unsecured
// resets it.
func Reconfigurable(m Mode) Need {
	modes := []Mode{User}
	if m == Admin {
		modes = []Mode{Admin, User}
	}
	return Need{
		Met: func(p Profile) bool {
			if p.Plan == Free || !p.CanLogin(Admin) {
				return false
			}
			for _, x := range modes {
				if ok, _, _ := p.Restorable(x); !ok {
					return false
				}
			}
			return true
		},
		Reason: func(p Profile) string {
			if p.Plan == Free {
				return "reconfigures the target, which a Free plan could not undo (its secured logins get 2)"
			}
			if !p.CanLogin(Admin) {
				return "reconfigures the target: needs admin access: " + AdminAccessHint
			}
			for _, x := range modes {
				if ok, why, _ := p.Restorable(x); !ok {
					return "reconfigures the target: " + why
				}
			}
			return ""
		},
		Inapplicable: func(p Profile) bool {
			if p.Plan == Free {
				return true
			}
			for _, x := range modes {
				if ok, _, configured := p.Restorable(x); !ok && configured {
					return true
				}
			}
			return false
		},
	}
}

// Protection expects getAuthInfo to say that mode m is protected by s.
func Protection(req string, m Mode, s Security) Check {
	key := string(m) + "Auth"
	return Check{Req: req, Name: key + ".security", Want: fmt.Sprintf("%s.security %q", key, s), eval: func(o Observation) result {
		obj, _ := o.Response[key].(map[string]any)
		if got, _ := obj["security"].(string); got == string(s) {
			return result{ok: true}
		}
		return result{expected: fmt.Sprintf("%s.security %q", key, s), actual: key + ".security " + describeField(obj, "security")}
	}}
}

// NewPINReturned expects setAuthParams user pin without newPin to answer
// with the PIN it generated, as a non-empty string (CFG-2: how else would
// anyone learn it).
func NewPINReturned(req string) Check {
	return Check{Req: req, Name: "newPin returned", Want: "newPin: the generated PIN, a non-empty string", eval: func(o Observation) result {
		if s, ok := o.Response["newPin"].(string); ok && strings.TrimSpace(s) != "" {
			return result{ok: true}
		}
		return result{expected: "newPin: a non-empty string", actual: "newPin " + describeField(o.Response, "newPin")}
	}}
}

// StartsFrom needs the target to be protected as admin and user say: a
// reconfiguring case about changes from that protection.
func StartsFrom(admin, user Security) Need {
	return Need{
		Met: func(p Profile) bool { return p.Admin == admin && p.User == user },
		Reason: func(p Profile) string {
			return fmt.Sprintf("starts from admin %s, user %s (target: admin %s, user %s)", admin, user, p.Admin, p.User)
		},
		Inapplicable: func(p Profile) bool { return KnownSecurity(p.Admin) && KnownSecurity(p.User) },
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

func (oldSecret) mayBeWrong() bool { return true } // it is wrong once the change is made

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

// Truncated is v cut to n characters: a secret a server that stores a
// bounded field would take for the whole.
func Truncated(v Value, n int) Value { return truncated{v, n} }
