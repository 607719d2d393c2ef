package caselang

import (
	"fmt"
	"strings"
	"unicode"
)

// Scope is what a Value may draw on when the engine resolves it: the profile,
// the operator's secrets and the answers of earlier steps.
type Scope interface {
	Profile() Profile
	Secret(SecretKind) (string, bool)
	// SuiteSecret is the secret of kind k the suite sets when it
	// reconfigures the target (derived from the original administrator
	// secret, never stored).
	SuiteSecret(SecretKind) string
	// Response returns the decoded answer of an earlier step, by step name.
	Response(step string) (map[string]any, bool)
}

// Resolved is a Value made concrete for one request.
type Resolved struct {
	V any
	// Present is false when the field must be left out of the request.
	Present bool
	// Secret labels values that must be redacted everywhere ("" if public).
	Secret string
}

// Value is one request field's content, resolved when the step runs.
type Value interface {
	Resolve(Scope) (Resolved, error)
	// Describe says what the value is, without revealing a secret.
	Describe() string
}

type literal struct{ v any }

func (l literal) Resolve(Scope) (Resolved, error) { return Resolved{V: l.v, Present: true}, nil }
func (l literal) Describe() string                { return fmt.Sprintf("%#v", l.v) }

// Str is a literal string field.
func Str(s string) Value { return literal{s} }

// JSON is a literal field of any JSON type (wrong-type cases: JSON(1), JSON(true)).
func JSON(v any) Value { return literal{v} }

type absent struct{}

func (absent) Resolve(Scope) (Resolved, error) { return Resolved{}, nil }
func (absent) Describe() string                { return "absent" }

// NoRequestID leaves requestId out of the request (ENV-4).
var NoRequestID Value = absent{}

type secret struct{ kind SecretKind }

func (s secret) Resolve(sc Scope) (Resolved, error) {
	v, ok := sc.Secret(s.kind)
	if !ok {
		return Resolved{}, fmt.Errorf("the %s is not available (set %s)", s.kind, s.kind.EnvVar())
	}
	return Resolved{V: v, Present: true, Secret: string(s.kind)}, nil
}
func (s secret) Describe() string { return "<" + string(s.kind) + ">" }

// Secret is an operator-supplied secret (or the user PIN read from getAuthInfo).
// After a Reconfigure step it is the secret in force: the one the suite set.
func Secret(k SecretKind) Value { return secret{k} }

type suiteSecret struct{ kind SecretKind }

func (s suiteSecret) Resolve(sc Scope) (Resolved, error) {
	return Resolved{V: sc.SuiteSecret(s.kind), Present: true, Secret: "suite-" + string(s.kind)}, nil
}
func (s suiteSecret) Describe() string { return "<a new " + string(s.kind) + " the suite sets>" }
func (suiteSecret) mayBeWrong() bool   { return false } // the secret in force after the Reconfigure step set it

// SuiteSecret is a new secret of kind k for a Reconfigure step to set.
func SuiteSecret(k SecretKind) Value { return suiteSecret{k} }

// LoginField is a field of the request that logs in to a mode (its type,
// role or credentials), as the target's profile makes it.
type LoginField struct {
	Mode  Mode   // "": whichever mode the suite can enter, admin first (anyMode)
	Field string // "type", "role" or "credentials"
}

// credentialFor picks the secret that authorizes mode m in profile p.
func credentialFor(m Mode, p Profile) (SecretKind, bool) {
	var order []SecretKind
	switch {
	case m == Admin:
		order = []SecretKind{AdminPassword, AdminPIN}
	case p.User == PIN:
		order = []SecretKind{UserPIN}
	case p.User == Password:
		order = []SecretKind{UserPassword}
	default:
		order = []SecretKind{UserPIN, UserPassword}
	}
	for _, k := range order {
		if p.Has(k) {
			return k, true
		}
	}
	return "", false
}

// anyMode is the mode LoginAny enters: admin if the suite can, else user.
func anyMode(p Profile) (Mode, bool) {
	switch {
	case p.CanLogin(Admin):
		return Admin, true
	case p.CanLogin(User):
		return User, true
	}
	return "", false
}

func (l LoginField) Resolve(sc Scope) (Resolved, error) {
	p := sc.Profile()
	if l.Mode == "" {
		m, ok := anyMode(p)
		if !ok {
			return Resolved{}, fmt.Errorf("no mode can be entered (admin %s, user %s)", p.Admin, p.User)
		}
		l.Mode = m
	}
	if l.Field == "role" {
		return Resolved{V: string(l.Mode), Present: true}, nil
	}
	if p.Security(l.Mode) == Unsecured {
		if l.Field == "type" {
			return Resolved{V: "unsecured", Present: true}, nil
		}
		return Resolved{}, nil
	}
	if l.Field == "type" {
		return Resolved{V: "secured", Present: true}, nil
	}
	k, ok := credentialFor(l.Mode, p)
	if !ok {
		return Resolved{}, fmt.Errorf("no credential for %s mode", l.Mode)
	}
	return secret{k}.Resolve(sc)
}
func (l LoginField) Describe() string {
	if l.Mode == "" {
		return fmt.Sprintf("<login %s of a mode the suite can enter>", l.Field)
	}
	return fmt.Sprintf("<%s login %s>", l.Mode, l.Field)
}

// Login is the request that authorizes in mode m with whatever the profile
// allows: type "unsecured" for an unsecured mode, else "secured" with the
// mode's password or PIN. The role is named explicitly.
func Login(m Mode) Request {
	return Request{Type: LoginField{m, "type"}, Role: Str(string(m)), Credentials: LoginField{m, "credentials"}}
}

// LoginAny is Login in whichever mode the suite can enter, admin first.
func LoginAny() Request {
	return Request{Type: LoginField{"", "type"}, Role: LoginField{"", "role"}, Credentials: LoginField{"", "credentials"}}
}

// CanLoginAny is present when LoginAny can resolve: some mode can be
// entered (the OnlyIf of a recovery step).
var CanLoginAny Value = canLoginAny{}

type canLoginAny struct{}

func (canLoginAny) Resolve(sc Scope) (Resolved, error) {
	_, ok := anyMode(sc.Profile())
	return Resolved{Present: ok}, nil
}
func (canLoginAny) Describe() string { return "<a mode the suite can enter>" }

type fromStep struct {
	step, field string
	// wrongish marks values that are not live API tokens when used as
	// credentials (an HTTP token, a token from a failure): they count
	// against the wrong-credential budget.
	wrongish bool
}

func (f fromStep) Resolve(sc Scope) (Resolved, error) {
	resp, ok := sc.Response(f.step)
	if !ok {
		return Resolved{}, fmt.Errorf("step %q has no response", f.step)
	}
	v, _ := resp[f.field].(string)
	if v == "" {
		return Resolved{}, fmt.Errorf("step %q returned no %s", f.step, f.field)
	}
	return Resolved{V: v, Present: true, Secret: f.field}, nil
}
func (f fromStep) Describe() string { return fmt.Sprintf("<%s of step %s>", f.field, f.step) }

// TokenSource says which earlier step's answer v takes a token from, and
// which field: the engine times a step that uses a token by that token's
// life. ok is false for any other value (an altered token is no token).
func TokenSource(v Value) (step, field string, ok bool) {
	f, ok := v.(fromStep)
	return f.step, f.field, ok
}

// IsToken reports whether v is a token from an earlier answer, as it is or
// transformed (altered, in other letter case): not a password or PIN
// (FAIL-5 looks for those).
func IsToken(v Value) bool {
	switch t := v.(type) {
	case fromStep:
		return true
	case transformed:
		return IsToken(t.v)
	case NearValue:
		return IsToken(t.Base)
	}
	return false
}

// TokenOf is the API token an earlier step received.
func TokenOf(step string) Value { return fromStep{step, "token", false} }

// HTTPTokenOf is the tokenForHttpServer an earlier step received.
// As API credentials it is not an API token, so it counts as a possibly
// wrong credential.
func HTTPTokenOf(step string) Value { return fromStep{step, "tokenForHttpServer", true} }

// transformed is a value made from another by a function of its text: an
// altered token, a PIN in other letter case.
type transformed struct {
	v    Value
	f    func(string) string
	what string // "altered", "in other letter case"
	// wrong says the result is a wrong credential (an altered secret), not
	// the same one spelt otherwise (a PIN in other letter case).
	wrong bool
	// mustChange makes the value absent when f leaves the text as it was
	// (other letter case of a text without letters).
	mustChange bool
}

func (t transformed) Resolve(sc Scope) (Resolved, error) {
	r, err := t.v.Resolve(sc)
	if err != nil || !r.Present {
		return r, err
	}
	s, _ := r.V.(string)
	r.V = t.f(s)
	if t.mustChange && r.V == s {
		return Resolved{}, nil
	}
	return r, nil
}
func (t transformed) Describe() string {
	return "<" + strings.Trim(t.v.Describe(), "<>") + " " + t.what + ">"
}

// Altered is v with its last character changed: same shape, wrong value.
func Altered(v Value) Value { return transformed{v: v, f: Alter, what: "altered", wrong: true} }

// Alter changes the last character of s so that the result differs from s
// in a way case-insensitive comparison still sees (digits and letters swap).
func Alter(s string) string {
	if s == "" {
		return "x"
	}
	b := []byte(s)
	last := b[len(b)-1]
	switch {
	case last >= '0' && last <= '8':
		b[len(b)-1] = last + 1
	case last == '9':
		b[len(b)-1] = '0'
	case last == 'z' || last == 'Z':
		b[len(b)-1] = '0'
	default:
		b[len(b)-1] = '7'
	}
	return string(b)
}

// Padded is v with a space added at its end (RC-8b): the same secret to a
// server that trims, a wrong one to the reading.
func Padded(v Value) Value {
	return transformed{v: v, f: func(s string) string { return s + " " }, what: "with a trailing space", wrong: true}
}

// OtherCase is v with the case of every letter swapped (ROLE-4).
func OtherCase(v Value) Value { return transformed{v: v, f: SwapCase, what: "in other letter case"} }

// OtherCaseWrong is v in other letter case where that makes it a wrong
// credential (a password, a token; RC-8). It is absent when v has no
// letters, so a step can be made conditional on it (OnlyIf).
func OtherCaseWrong(v Value) Value {
	return transformed{v: v, f: SwapCase, what: "in other letter case", wrong: true, mustChange: true}
}

// Prefix is v without its last character (RC-8: a proper prefix).
func Prefix(v Value) Value {
	return transformed{v: v, f: func(s string) string {
		r := []rune(s)
		return string(r[:max(0, len(r)-1)])
	}, what: "without its last character", wrong: true}
}

// Extended is v with a character added (RC-8: an extension).
func Extended(v Value) Value {
	return transformed{v: v, f: func(s string) string { return s + "0" }, what: "with a character added", wrong: true}
}

// SwapCase swaps the case of every letter of s.
func SwapCase(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsUpper(r):
			return unicode.ToLower(r)
		case unicode.IsLower(r):
			return unicode.ToUpper(r)
		}
		return r
	}, s)
}

type wrong struct{ kind SecretKind }

func (w wrong) Resolve(sc Scope) (Resolved, error) {
	if real, ok := sc.Secret(w.kind); ok {
		return Resolved{V: Alter(real), Present: true, Secret: "altered-" + string(w.kind)}, nil
	}
	return Resolved{V: WrongCredential, Present: true}, nil
}
func (w wrong) Describe() string { return "<wrong " + string(w.kind) + ">" }

// WrongCredential is the public wrong credential used when the real one is
// unknown. It is long so that an echo of it cannot be a coincidence (FAIL-5).
const WrongCredential = "conform-wrong-credential-Zq81"

// WrongFor is a wrong credential for mode m: the secret the suite would
// log in with, altered (RC-6b: wrong user credentials of whatever kind the
// profile uses).
func WrongFor(m Mode) Value { return wrongFor{m} }

type wrongFor struct{ mode Mode }

func (w wrongFor) Resolve(sc Scope) (Resolved, error) {
	k, ok := credentialFor(w.mode, sc.Profile())
	if !ok {
		return Resolved{}, fmt.Errorf("no credential for %s mode", w.mode)
	}
	return wrong{k}.Resolve(sc)
}
func (w wrongFor) Describe() string { return "<wrong " + string(w.mode) + " credential>" }
func (wrongFor) mayBeWrong() bool   { return true }

// Wrong is a wrong credential of kind k: the real secret altered when it is
// known (so it has the right shape), else WrongCredential. An altered secret
// is still redacted, as it reveals most of the real one.
func Wrong(k SecretKind) Value { return wrong{k} }

// mayBeWrong says whether a credential value may be wrong (it counts
// against the wrong-credential budget): anything but a real secret or a
// live token. An empty string is refused before any credential check (RC-7).
func (l literal) mayBeWrong() bool     { return l.v != "" }
func (secret) mayBeWrong() bool        { return false }
func (LoginField) mayBeWrong() bool    { return false }
func (f fromStep) mayBeWrong() bool    { return f.wrongish }
func (t transformed) mayBeWrong() bool { return t.wrong }
func (wrong) mayBeWrong() bool         { return true }

// LeakedTokenOf is the token a failed step should not have returned: using it
// is an attempt with credentials that must not work (FAIL-1).
func LeakedTokenOf(step string) Value { return fromStep{step, "token", true} }

// LeakedHTTPTokenOf is the tokenForHttpServer a failed step should not have
// returned. It is the same value as HTTPTokenOf (as API credentials an HTTP
// token is always possibly wrong); the name says why a case uses it.
func LeakedHTTPTokenOf(step string) Value { return HTTPTokenOf(step) }

// TypeInOtherCase is the type mode m's login uses, in other letter case
// (RC-10b, the reading's examples): "Secured", "UNSECURED".
func TypeInOtherCase(m Mode) Value {
	return transformed{v: LoginField{m, "type"}, what: "in other letter case", f: func(s string) string {
		if s == "secured" {
			return "Secured"
		}
		return strings.ToUpper(s)
	}}
}
