package refserver

import (
	"errors"
	"fmt"
	"strings"
)

// Security is how one control mode (administrator or user) is protected.
//
// cases has its own Security, Plan and Mode on purpose: the reference
// server imports nothing of the suite, so that a bug in the suite's reading
// and the same bug in the server cannot cancel out.
type Security string

// The protection types getAuthInfo reports.
const (
	Unsecured Security = "unsecured"
	Password  Security = "password"
	PIN       Security = "pin"
)

// Plan is the licence of the device: secured login is a Pro feature.
type Plan string

// The plans: on Free, secured login with a password or PIN gets resultCode 2.
const (
	Pro  Plan = "pro"
	Free Plan = "free"
)

// DefaultProfile is the profile conform serve and the self-test use when none
// is named: it exercises password, PIN and token paths in one server.
const DefaultProfile = "admin-password-user-pin"

// Profile is a named protection setup of the device.
type Profile struct {
	Name        string
	Admin, User Security
	Plan        Plan
	Description string
}

// Profiles returns the built-in profiles in a stable order (the order lists and
// tables use): every valid protection (admin unsecured, password or PIN; user
// the same, unsecured when admin is) on the Pro plan, then the same on the
// Free plan. The slice is fresh on every call, so callers may modify it.
func Profiles() []Profile {
	var out []Profile
	for _, plan := range []Plan{Pro, Free} {
		for _, admin := range []Security{Unsecured, Password, PIN} {
			for _, user := range []Security{Unsecured, Password, PIN} {
				if admin == Unsecured && user != Unsecured {
					continue
				}
				out = append(out, newProfile(admin, user, plan))
			}
		}
	}
	return out
}

// newProfile names and describes a protection setup: "unsecured",
// "admin-password", "admin-pin-user-password", with "free-" before the Free
// plan's (whose both-unsecured profile is "free").
func newProfile(admin, user Security, plan Plan) Profile {
	name := "unsecured"
	if admin != Unsecured {
		name = "admin-" + string(admin)
		if user != Unsecured {
			name += "-user-" + string(user)
		}
	}
	desc := fmt.Sprintf("administrator %s, user %s", describe(admin), describe(user))
	if plan == Free {
		desc += ", Free plan: every secured login gets resultCode 2"
		name = "free-" + name
		if name == "free-unsecured" {
			name = "free"
		}
	} else {
		desc += " (Pro plan)"
	}
	if name == DefaultProfile {
		desc += " (the default)"
	}
	return Profile{Name: name, Admin: admin, User: user, Plan: plan, Description: desc}
}

func describe(s Security) string {
	switch s {
	case Password:
		return "protected by a password"
	case PIN:
		return "protected by a PIN"
	}
	return "unsecured"
}

// ProfileNames returns the names of the built-in profiles in Profiles order.
func ProfileNames() []string {
	ps := Profiles()
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return names
}

// LookupProfile returns the built-in profile with this name. The error lists the
// valid names, so that a CLI can print it as is.
func LookupProfile(name string) (Profile, error) {
	for _, p := range Profiles() {
		if p.Name == name {
			return p, nil
		}
	}
	return Profile{}, fmt.Errorf("unknown profile %q (valid: %s)", name, strings.Join(ProfileNames(), ", "))
}

// Validate reports whether the server can run this profile. Admin
// unsecured implies user unsecured (docs/reading.md). TrueConf
// Room protects the administrator by password; VideoSDK also by a PIN, which
// is then Secrets.AdminPIN (otherwise that is Room's command-line PIN).
func (p Profile) Validate() error {
	var errs []error
	switch p.Admin {
	case Unsecured, Password, PIN:
	default:
		errs = append(errs, fmt.Errorf("admin security %q is not one of unsecured, password, pin", p.Admin))
	}
	switch p.User {
	case Unsecured, Password, PIN:
	default:
		errs = append(errs, fmt.Errorf("user security %q is not one of unsecured, password, pin", p.User))
	}
	switch p.Plan {
	case Pro, Free:
	default:
		errs = append(errs, fmt.Errorf("plan %q is not one of pro, free", p.Plan))
	}
	if p.Admin == Unsecured && (p.User == Password || p.User == PIN) {
		errs = append(errs, fmt.Errorf("user security %q needs a secured administrator (admin unsecured implies user unsecured)", p.User))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("profile %q: %w", p.Name, err)
	}
	return nil
}

// security returns the protection of a control mode.
func (p Profile) security(m Mode) Security {
	if m == ModeAdmin {
		return p.Admin
	}
	return p.User
}
