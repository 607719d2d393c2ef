package engine

import (
	"strings"

	"github.com/roomconform/conform/cases"
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
