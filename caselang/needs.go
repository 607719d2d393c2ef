package caselang

import (
	"fmt"
	"slices"
	"strings"
)

// Need is a precondition a case puts on the target's profile. When it is not
// met the case is skipped with Reason, never failed.
type Need struct {
	Met    func(Profile) bool
	Reason func(Profile) string
	// Inapplicable says whether an unmet need is the target's own
	// configuration (its protection, its plan, the shape of its secrets):
	// the case's requirements then do not apply to this target. Otherwise
	// (nil, or false) the operator could meet it (a secret, a URL, a
	// shorter lifetime) and the requirements went unchecked.
	Inapplicable func(Profile) bool
	// Uncheckable says an unmet need is one no run can meet against this
	// target (a lifetime longer than a run waits): its requirements are
	// not checkable within a run, which fails no gate. It is still said,
	// with what would meet it.
	Uncheckable bool
}

func need(met func(Profile) bool, reason string) Need {
	return Need{Met: met, Reason: func(Profile) string { return reason }}
}

// configured is an Inapplicable that is always true: the need is about the
// target's configuration alone.
func configured(Profile) bool { return true }

// KnownSecurity reports whether s is a security kind the suite has learnt (not
// "protected, kind unknown", not "not probed").
func KnownSecurity(s Security) bool { return s == Unsecured || s == Password || s == PIN }

// AdminAccessHint is the hint shared by every need the suite could satisfy
// with admin access.
const AdminAccessHint = "set CONFORM_ADMIN_PASSWORD or CONFORM_ADMIN_PIN"

// CanLogin needs the suite to be able to authorize in mode m.
func CanLogin(m Mode) Need {
	return Need{
		Met: func(p Profile) bool { return p.CanLogin(m) },
		Reason: func(p Profile) string {
			if p.Plan == Free {
				return fmt.Sprintf("needs a login in %s mode, which is protected (%s): a Free plan refuses every secured login (resultCode 2)", m, p.Security(m))
			}
			if m == Admin {
				return "needs admin access: " + AdminAccessHint
			}
			switch p.User {
			case PIN:
				return "needs the user PIN: set CONFORM_USER_PIN (or give admin access, the suite then reads it with getAuthInfo)"
			case Password:
				return "needs the user password: set CONFORM_USER_PASSWORD"
			}
			return fmt.Sprintf("needs user access (user security %s): set CONFORM_USER_PIN or CONFORM_USER_PASSWORD", p.User)
		},
		Inapplicable: func(p Profile) bool { return p.Plan == Free },
	}
}

// Secured needs mode m to be protected by kind s (Password or PIN) and the
// matching secret to be available.
func Secured(m Mode, s Security) Need {
	kind := SecretFor(m, s)
	return Need{
		Met: func(p Profile) bool { return p.Security(m) == s && p.Has(kind) },
		Reason: func(p Profile) string {
			switch {
			case p.Security(m) != s:
				return fmt.Sprintf("needs %s security %s (target: %s)", m, s, p.Security(m))
			case p.Plan == Free:
				return fmt.Sprintf("needs a secured login with the %s, which a Free plan refuses (resultCode 2)", kind)
			}
			return fmt.Sprintf("needs the %s: set %s", kind, kind.EnvVar())
		},
		Inapplicable: func(p Profile) bool {
			return KnownSecurity(p.Security(m)) && p.Security(m) != s || p.Plan == Free
		},
	}
}

// CanLoginSome needs some mode the suite can enter (LoginAny).
var CanLoginSome = Need{
	Met: func(p Profile) bool { return p.CanLogin(Admin) || p.CanLogin(User) },
	Reason: func(p Profile) string {
		if p.Plan == Free {
			return "needs a mode the suite can enter: on a Free plan both modes are protected and every secured login gets 2"
		}
		return "needs a mode the suite can enter: " + AdminAccessHint + ", or a user secret"
	},
	Inapplicable: func(p Profile) bool { return p.Plan == Free },
}

// HasSecret needs a secret of the given kind.
func HasSecret(k SecretKind) Need {
	return need(func(p Profile) bool { return p.Has(k) }, fmt.Sprintf("needs the %s: set %s", k, k.EnvVar()))
}

// GivenSecret needs the operator to have given a secret of kind k, usable
// or refused by a Free plan (RC-2 checks that refusal).
func GivenSecret(k SecretKind) Need {
	return need(func(p Profile) bool { return p.Has(k) || slices.Contains(p.RefusedOnFree, k) },
		fmt.Sprintf("needs the %s: set %s", k, k.EnvVar()))
}

// IsProtected needs mode m to be protected (any kind).
func IsProtected(m Mode) Need {
	return Need{
		Met: func(p Profile) bool { return p.Security(m).IsProtected() },
		Reason: func(p Profile) string {
			return fmt.Sprintf("needs %s mode to be protected (target: %s)", m, p.Security(m))
		},
		Inapplicable: func(p Profile) bool { return p.Security(m) != Unknown },
	}
}

// IsUnsecured needs mode m to be unsecured.
func IsUnsecured(m Mode) Need {
	return Need{
		Met: func(p Profile) bool { return p.Security(m) == Unsecured },
		Reason: func(p Profile) string {
			return fmt.Sprintf("needs %s mode to be unsecured (target: %s)", m, p.Security(m))
		},
		Inapplicable: func(p Profile) bool { return p.Security(m) != Unknown },
	}
}

// UserSecurity needs user security to be exactly s (PIN visibility rules).
func UserSecurity(s Security) Need {
	return Need{
		Met: func(p Profile) bool { return p.User == s },
		Reason: func(p Profile) string {
			if p.User == Protected || p.User == Unknown {
				return fmt.Sprintf("needs to know that user security is %s (target: %s): %s", s, p.User, AdminAccessHint)
			}
			return fmt.Sprintf("needs user security %s (target: %s)", s, p.User)
		},
		Inapplicable: func(p Profile) bool { return KnownSecurity(p.User) },
	}
}

// OnPlan needs the target's plan to be pl.
func OnPlan(pl Plan) Need {
	return Need{
		Met: func(p Profile) bool { return p.Plan == pl },
		Reason: func(p Profile) string {
			if pl == Free {
				return "needs a Free-plan target (the embedded server starts one with --plan free; declare a live Free-plan device with --plan free)"
			}
			return fmt.Sprintf("needs a %s-plan target (declared: %s)", pl, p.Plan)
		},
		Inapplicable: configured,
	}
}

// NoneProtected needs both modes unsecured.
var NoneProtected = Need{
	Met:          func(p Profile) bool { return p.Admin == Unsecured && p.User == Unsecured },
	Reason:       func(Profile) string { return "needs both modes unsecured" },
	Inapplicable: func(p Profile) bool { return p.Admin.IsProtected() || p.User.IsProtected() },
}

// PINWithLetters needs a known user PIN that contains letters (case
// insensitivity cannot be observed on an all-digit PIN).
var PINWithLetters = WithLetters(UserPIN)

// PasswordWithLetters needs a known admin password that contains letters
// (RC-8: the password in other letter case is wrong).
var PasswordWithLetters = WithLetters(AdminPassword)

// WithLetters needs a known secret of kind k that contains letters.
func WithLetters(k SecretKind) Need {
	n := need(func(p Profile) bool { return p.HasLetters(k) },
		fmt.Sprintf("needs a known %s with letters (one without letters has no letter case)", k))
	n.Inapplicable = func(p Profile) bool { return p.Has(k) }
	return n
}

// SecretFor is the kind of secret that protects mode m where s protects it.
func SecretFor(m Mode, s Security) SecretKind {
	switch {
	case m == Admin && s == PIN:
		return AdminPIN
	case m == Admin:
		return AdminPassword
	case s == PIN:
		return UserPIN
	}
	return UserPassword
}

// HasLetter reports whether s contains an ASCII letter.
func HasLetter(s string) bool {
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			return true
		}
	}
	return false
}

// HasHTTP needs the embedded HTTP server's address.
var HasHTTP = need(func(p Profile) bool { return p.HTTPServer },
	"needs the embedded HTTP server: give --http URL or --web URL (or admin access, to read getAppState's embeddedHttpPort)")

// HasWeb needs the web manager's address.
var HasWeb = need(func(p Profile) bool { return p.WebManager },
	"needs the web manager: give --web http://host:port")

// Waitable needs lifetime l (plus tolerance) to be short enough to wait
// for (Settings.MaxWait): always against the embedded server, whose clock
// is virtual; on a live device the 5-minute HTTP token is practical (label
// slow), 30 days only when the operator sets a short --token-ttl for a
// target configured so.
func Waitable(l Lifetime) Need {
	return Need{
		Uncheckable: true,
		Met:         func(p Profile) bool { return l.Of(p.settings())+p.settings().Tolerance <= p.settings().MaxWait },
		Reason: func(p Profile) string {
			return fmt.Sprintf("waits out the %s (%s), longer than a live run waits (%s): runs against the embedded reference server, or with --token-ttl set to a shorter lifetime the target is configured with", l, l.Of(p.settings()), p.settings().MaxWait)
		},
	}
}

// settings returns the profile's lifetimes, the spec's where unset.
func (p Profile) settings() Settings { return p.Lifetimes.WithDefaults() }

// AdminSecurityIn needs admin security to be one of ss.
func AdminSecurityIn(ss ...Security) Need {
	return Need{
		Met: func(p Profile) bool {
			for _, s := range ss {
				if p.Admin == s {
					return true
				}
			}
			return false
		},
		Reason: func(p Profile) string {
			return fmt.Sprintf("needs admin security %s (target: %s)", securities(ss), p.Admin)
		},
		Inapplicable: func(p Profile) bool { return KnownSecurity(p.Admin) },
	}
}

// UserSecurityIn needs user security to be one of ss.
func UserSecurityIn(ss ...Security) Need {
	return Need{
		Met: func(p Profile) bool { return slices.Contains(ss, p.User) },
		Reason: func(p Profile) string {
			return fmt.Sprintf("needs user security %s (target: %s)", securities(ss), p.User)
		},
		Inapplicable: func(p Profile) bool { return KnownSecurity(p.User) },
	}
}

// securities renders a set of protections: "password or unsecured".
func securities(ss []Security) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = string(s)
	}
	return strings.Join(parts, " or ")
}

// AdminTokenExpires needs the admin login to use a password or no
// protection: a token from the command-line PIN lives until restart.
var AdminTokenExpires = Need{
	Met: func(p Profile) bool { return p.Admin == Unsecured || p.Has(AdminPassword) },
	Reason: func(Profile) string {
		return "needs admin login by password or unsecured (a token from the command-line PIN never expires): set CONFORM_ADMIN_PASSWORD"
	},
	Inapplicable: func(p Profile) bool { return p.Admin == PIN },
}
