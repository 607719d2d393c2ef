package engine

import (
	"slices"
	"strings"

	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/reconf"
)

// Secrets holds the operator's secrets by kind. The values are unexported
// and String prints only the kinds, so a Secrets cannot leak through %v.
type Secrets struct {
	m map[cases.SecretKind]string
}

// SecretsFromEnv reads every CONFORM_* secret variable with getenv
// (os.Getenv in production, a map in tests).
func SecretsFromEnv(getenv func(string) string) Secrets {
	s := Secrets{m: map[cases.SecretKind]string{}}
	for _, k := range cases.SecretKinds {
		if v := getenv(k.EnvVar()); v != "" {
			s.m[k] = v
		}
	}
	return s
}

// Get returns the secret of kind k.
func (s Secrets) Get(k cases.SecretKind) (string, bool) {
	v, ok := s.m[k]
	return v, ok && v != ""
}

// values returns a copy of the secrets by kind (for the model, which must
// recognise them in requests).
func (s Secrets) values() map[cases.SecretKind]string {
	m := make(map[cases.SecretKind]string, len(s.m))
	for k, v := range s.m {
		m[k] = v
	}
	return m
}

// With returns a copy of s with k set to v.
func (s Secrets) With(k cases.SecretKind, v string) Secrets {
	m := make(map[cases.SecretKind]string, len(s.m)+1)
	for kk, vv := range s.m {
		m[kk] = vv
	}
	m[k] = v
	return Secrets{m: m}
}

// Without returns a copy of s without k.
func (s Secrets) Without(k cases.SecretKind) Secrets {
	m := make(map[cases.SecretKind]string, len(s.m))
	for kk, vv := range s.m {
		if kk != k {
			m[kk] = vv
		}
	}
	return Secrets{m: m}
}

// Kinds lists the available kinds in a stable order.
func (s Secrets) Kinds() []cases.SecretKind {
	var out []cases.SecretKind
	for _, k := range cases.SecretKinds {
		if _, ok := s.Get(k); ok {
			out = append(out, k)
		}
	}
	return out
}

// For drops the secrets protection p has no use for: the password of an
// unsecured admin mode (the command-line PIN stays), and any user secret
// but the kind that protects user mode.
func (s Secrets) For(p reconf.Protection) Secrets {
	if p.Admin != cases.Password {
		s = s.Without(cases.AdminPassword)
	}
	if p.User != cases.Password {
		s = s.Without(cases.UserPassword)
	}
	if p.User != cases.PIN {
		s = s.Without(cases.UserPIN)
	}
	return s
}

// WithSecrets is profile p with the kinds of secret sec holds, and those
// with letters, as its own.
func WithSecrets(p cases.Profile, sec Secrets) cases.Profile {
	p.Secrets, p.Lettered = nil, nil
	for _, k := range sec.Kinds() {
		p.Secrets = append(p.Secrets, k)
		if v, _ := sec.Get(k); cases.HasLetter(v) {
			p.Lettered = append(p.Lettered, k)
		}
	}
	slices.Sort(p.Secrets)
	slices.Sort(p.Lettered)
	return p
}

// String names the available kinds, never the values.
func (s Secrets) String() string {
	var names []string
	for _, k := range s.Kinds() {
		names = append(names, string(k))
	}
	return "secrets(" + strings.Join(names, ", ") + ")"
}

// GoString keeps %#v from printing values too.
func (s Secrets) GoString() string { return s.String() }
