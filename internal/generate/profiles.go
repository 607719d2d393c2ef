package generate

import "github.com/roomconform/conform/cases"

// Profiles are the 14 protections a target can have (the generator and
// the cases' consistency test use them), in the order the
// generator works through them: admin unsecured (then user too), password
// or PIN; user likewise; Pro, then Free.
func Profiles() []cases.Profile {
	var out []cases.Profile
	for _, plan := range []cases.Plan{cases.Pro, cases.Free} {
		for _, admin := range []cases.Security{cases.Password, cases.PIN} {
			for _, user := range []cases.Security{cases.PIN, cases.Password, cases.Unsecured} {
				out = append(out, cases.Profile{Admin: admin, User: user, Plan: plan})
			}
		}
		out = append(out, cases.Profile{Admin: cases.Unsecured, User: cases.Unsecured, Plan: plan})
	}
	return out
}

// Secrets are the secrets the simulated target of profile p has: every one
// the profile uses (each with letters, so that a miss in other letter case
// exists), and the command-line PIN on Pro where admin is protected by a
// password, as the embedded server starts.
func Secrets(p cases.Profile) map[cases.SecretKind]string {
	s := map[cases.SecretKind]string{}
	switch p.Admin {
	case cases.Password:
		s[cases.AdminPassword] = "Adm1n-Secret"
		if p.Plan == cases.Pro {
			s[cases.AdminPIN] = "7391"
		}
	case cases.PIN:
		s[cases.AdminPIN] = "Q7W8"
	}
	switch p.User {
	case cases.Password:
		s[cases.UserPassword] = "User-Secret-9"
	case cases.PIN:
		s[cases.UserPIN] = "ab12cd"
	}
	return s
}
