package generate

import "github.com/roomconform/conform/caselang"

// Profiles are the 14 protections a target can have (the generator and
// the cases' consistency test use them), in the order the
// generator works through them: admin unsecured (then user too), password
// or PIN; user likewise; Pro, then Free.
func Profiles() []caselang.Profile {
	var out []caselang.Profile
	for _, plan := range []caselang.Plan{caselang.Pro, caselang.Free} {
		for _, admin := range []caselang.Security{caselang.Password, caselang.PIN} {
			for _, user := range []caselang.Security{caselang.PIN, caselang.Password, caselang.Unsecured} {
				out = append(out, caselang.Profile{Admin: admin, User: user, Plan: plan})
			}
		}
		out = append(out, caselang.Profile{Admin: caselang.Unsecured, User: caselang.Unsecured, Plan: plan})
	}
	return out
}

// Secrets are the secrets the simulated target of profile p has: every one
// the profile uses (each with letters, so that a miss in other letter case
// exists), and the command-line PIN on Pro where admin is protected by a
// password, as the embedded server starts.
func Secrets(p caselang.Profile) map[caselang.SecretKind]string {
	s := map[caselang.SecretKind]string{}
	switch p.Admin {
	case caselang.Password:
		s[caselang.AdminPassword] = "Adm1n-Secret"
		if p.Plan == caselang.Pro {
			s[caselang.AdminPIN] = "7391"
		}
	case caselang.PIN:
		s[caselang.AdminPIN] = "Q7W8"
	}
	switch p.User {
	case caselang.Password:
		s[caselang.UserPassword] = "User-Secret-9"
	case caselang.PIN:
		s[caselang.UserPIN] = "ab12cd"
	}
	return s
}
