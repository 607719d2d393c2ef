package caselang

import (
	"fmt"
	"strings"
)

// Security is how a control mode is protected.
//
// refserver has its own Security, Plan and Mode on purpose: it imports
// nothing of the suite, so that a bug in the suite's reading and the same
// bug in the reference server cannot cancel out.
type Security string

// Protection kinds. Protected means "not unsecured, kind unknown" (the suite
// had no admin access to read getAuthInfo); Unknown means not probed.
const (
	Unsecured Security = "unsecured"
	Password  Security = "password"
	PIN       Security = "pin"
	Protected Security = "protected"
	Unknown   Security = "unknown"
)

// IsProtected reports whether the mode needs credentials.
func (s Security) IsProtected() bool { return s == Password || s == PIN || s == Protected }

// Plan is the target's licence plan.
type Plan string

// Plans: secured login is a Pro feature (resultCode 2 otherwise).
const (
	Pro  Plan = "pro"
	Free Plan = "free"
)

// Mode is a control mode.
type Mode string

// The two control modes and the previleges values that stand for them.
const (
	Admin Mode = "admin"
	User  Mode = "user"
)

// Previleges is the numeric mode of the auth response.
func (m Mode) Previleges() int {
	if m == Admin {
		return 2
	}
	return 1
}

// SecretKind names one operator-supplied secret.
type SecretKind string

// The secrets an operator can supply, always through the environment.
const (
	AdminPassword SecretKind = "admin-password"
	AdminPIN      SecretKind = "admin-pin"
	UserPassword  SecretKind = "user-password"
	UserPIN       SecretKind = "user-pin"
)

// SecretKinds lists every kind, in a stable order.
var SecretKinds = []SecretKind{AdminPassword, AdminPIN, UserPassword, UserPIN}

// EnvVar is the environment variable the secret comes from.
func (k SecretKind) EnvVar() string {
	return "CONFORM_" + strings.ToUpper(strings.ReplaceAll(string(k), "-", "_"))
}

// Profile is what the suite knows about the target's protection. It holds no
// secret values, only which secrets are available, so it is safe to print.
type Profile struct {
	Admin Security `json:"admin"`
	User  Security `json:"user"`
	Plan  Plan     `json:"plan"`
	// Secrets lists the kinds available to the suite (from the environment,
	// or the user PIN read with getAuthInfo).
	Secrets []SecretKind `json:"secrets"`
	// Lettered lists the available secrets that contain letters: letter
	// case means something only for them (ROLE-4, RC-8). The values
	// themselves never leave the engine.
	Lettered []SecretKind `json:"lettered,omitempty"`
	// RefusedOnFree lists the secrets the operator gave that the target's
	// Free plan refused (resultCode 2, as for every secured login): not in
	// Secrets, since nothing can log in with them, but their values are
	// kept for the cases that check exactly that refusal (RC-2).
	RefusedOnFree []SecretKind `json:"refusedOnFree,omitempty"`
	// HTTPServer and WebManager say whether the embedded HTTP server's and
	// the web manager's addresses are known (lifetime and discovery cases).
	HTTPServer bool `json:"httpServer"`
	WebManager bool `json:"webManager"`
	// Lifetimes are the settings the run judges lifetimes by; needs read
	// them to tell which waits are practical.
	Lifetimes Settings `json:"-"`
	// Reference says the target is the embedded reference server, which
	// nothing can harm: what a device might not survive (a password of
	// hundreds of characters) is tried there only (OnReference).
	Reference bool `json:"-"`
	// Source says how the profile was learnt: "getAuthInfo", "probe", "declared".
	Source string `json:"source"`
	// Notes are remarks from probing, shown with the profile.
	Notes []string `json:"notes,omitempty"`
}

// Has reports whether the secret kind is available.
func (p Profile) Has(k SecretKind) bool {
	for _, s := range p.Secrets {
		if s == k {
			return true
		}
	}
	return false
}

// HasLetters reports whether secret kind k is available and has letters.
func (p Profile) HasLetters(k SecretKind) bool {
	for _, s := range p.Lettered {
		if s == k {
			return true
		}
	}
	return false
}

// Security returns the protection of mode m.
func (p Profile) Security(m Mode) Security {
	if m == Admin {
		return p.Admin
	}
	return p.User
}

// CanLogin reports whether the suite can authorize in mode m. On a Free
// plan only unsecured modes can be entered: every secured login gets 2.
func (p Profile) CanLogin(m Mode) bool {
	if p.Plan == Free && p.Security(m) != Unsecured {
		return false
	}
	switch p.Security(m) {
	case Unsecured:
		return true
	case Password:
		if m == Admin {
			return p.Has(AdminPassword) || p.Has(AdminPIN)
		}
		return p.Has(UserPassword)
	case PIN:
		if m == Admin {
			return p.Has(AdminPIN) || p.Has(AdminPassword)
		}
		return p.Has(UserPIN)
	case Protected:
		if m == Admin {
			return p.Has(AdminPassword) || p.Has(AdminPIN)
		}
		return p.Has(UserPassword) || p.Has(UserPIN)
	}
	return false
}

// String is the one-line form printed before a run.
func (p Profile) String() string {
	secrets := "none"
	if len(p.Secrets) > 0 {
		names := make([]string, len(p.Secrets))
		for i, s := range p.Secrets {
			names[i] = string(s)
		}
		secrets = strings.Join(names, ", ")
	}
	return fmt.Sprintf("admin %s, user %s, plan %s, secrets: %s (from %s)", p.Admin, p.User, p.Plan, secrets, p.Source)
}

// Restorable reports whether the suite could set mode m's protection back
// as it is, with the secrets it has; if not, why, and whether that is the
// target's configuration (configured: the command-line administrator PIN)
// rather than a secret the operator could give.
func (p Profile) Restorable(m Mode) (ok bool, why string, configured bool) {
	switch s := p.Security(m); {
	case s == Unsecured:
		return true, "", false
	case m == Admin && s == PIN:
		return false, "the administrator PIN is the command line's: setAuthParams cannot set it back", true
	case m == Admin && s == Password && !p.Has(AdminPassword):
		return false, "needs the admin password to set it back: set CONFORM_ADMIN_PASSWORD", false
	case m == Admin && s == Password:
		return true, "", false
	case m == User && s == Password && !p.Has(UserPassword):
		return false, "needs the user password to set it back: set CONFORM_USER_PASSWORD", false
	case m == User && (s == Password || s == PIN):
		return true, "", false // a PIN an administrator reads with getAuthInfo
	}
	return false, fmt.Sprintf("needs to know how %s mode is protected: %s", m, AdminAccessHint), false
}
