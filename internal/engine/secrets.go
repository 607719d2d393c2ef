package engine

import (
	"slices"
	"strings"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/reconf"
)

// Secrets holds the operator's secrets by kind. The values are unexported
// and String prints only the kinds, so a Secrets cannot leak through %v.
type Secrets struct {
	m map[caselang.SecretKind]string
}

// SecretsFromEnv reads every CONFORM_* secret variable with getenv
// (os.Getenv in production, a map in tests).
func SecretsFromEnv(getenv func(string) string) Secrets {
	s := Secrets{m: map[caselang.SecretKind]string{}}
	for _, k := range caselang.SecretKinds {
		if v := getenv(k.EnvVar()); v != "" {
			s.m[k] = v
		}
	}
	return s
}

// Get returns the secret of kind k.
func (s Secrets) Get(k caselang.SecretKind) (string, bool) {
	v, ok := s.m[k]
	return v, ok && v != ""
}

// values returns a copy of the secrets by kind (for the model, which must
// recognise them in requests).
func (s Secrets) values() map[caselang.SecretKind]string {
	m := make(map[caselang.SecretKind]string, len(s.m))
	for k, v := range s.m {
		m[k] = v
	}
	return m
}

// With returns a copy of s with k set to v.
func (s Secrets) With(k caselang.SecretKind, v string) Secrets {
	m := make(map[caselang.SecretKind]string, len(s.m)+1)
	for kk, vv := range s.m {
		m[kk] = vv
	}
	m[k] = v
	return Secrets{m: m}
}

// Without returns a copy of s without k.
func (s Secrets) Without(k caselang.SecretKind) Secrets {
	m := make(map[caselang.SecretKind]string, len(s.m))
	for kk, vv := range s.m {
		if kk != k {
			m[kk] = vv
		}
	}
	return Secrets{m: m}
}

// Kinds lists the available kinds in a stable order.
func (s Secrets) Kinds() []caselang.SecretKind {
	var out []caselang.SecretKind
	for _, k := range caselang.SecretKinds {
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
	if p.Admin != caselang.Password {
		s = s.Without(caselang.AdminPassword)
	}
	if p.User != caselang.Password {
		s = s.Without(caselang.UserPassword)
	}
	if p.User != caselang.PIN {
		s = s.Without(caselang.UserPIN)
	}
	return s
}

// WithSecrets is profile p with the kinds of secret sec holds, and those
// with letters, as its own.
func WithSecrets(p caselang.Profile, sec Secrets) caselang.Profile {
	p.Secrets, p.Lettered = nil, nil
	for _, k := range sec.Kinds() {
		p.Secrets = append(p.Secrets, k)
		if v, _ := sec.Get(k); caselang.HasLetter(v) {
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
