package refserver

import (
	"errors"
	"fmt"
	"strings"
)

// Security is how one control mode (administrator or user) is protected.
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
// tables use). The slice is fresh on every call, so callers may modify it.
func Profiles() []Profile {
	return []Profile{
		{Name: "unsecured", Admin: Unsecured, User: Unsecured, Plan: Pro,
			Description: "administrator and user unsecured (Pro plan)"},
		{Name: "admin-password", Admin: Password, User: Unsecured, Plan: Pro,
			Description: "administrator protected by password, user unsecured"},
		{Name: "admin-password-user-pin", Admin: Password, User: PIN, Plan: Pro,
			Description: "administrator protected by password, user by a server-generated PIN (the default)"},
		{Name: "admin-password-user-password", Admin: Password, User: Password, Plan: Pro,
			Description: "administrator and user each protected by a password"},
		{Name: "free", Admin: Unsecured, User: Unsecured, Plan: Free,
			Description: "both modes unsecured on the Free plan: secured login with a password or PIN gets resultCode 2"},
	}
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

// Validate reports whether the server can run this profile. Admin protection
// is a password or nothing: TrueConf Room protects the administrator by
// password only (a PIN for admin comes from the command line, Secrets.AdminPIN).
// Admin unsecured implies user unsecured (requirements.md section 2).
func (p Profile) Validate() error {
	var errs []error
	switch p.Admin {
	case Unsecured, Password:
	case PIN:
		errs = append(errs, errors.New(`admin security "pin" is not supported: Room protects the administrator by password; use Secrets.AdminPIN for the command-line PIN`))
	default:
		errs = append(errs, fmt.Errorf("admin security %q is not one of unsecured, password", p.Admin))
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
