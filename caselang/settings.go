package caselang

import "time"

// Settings are the suite's parameters for lifetimes and lockouts: the
// spec's values against a live target, scaled ones against the embedded
// reference server (whose lifetimes are scaled the same way).
type Settings struct {
	HTTPTokenTTL time.Duration // tokenForHttpServer: 5 min
	TokenTTL     time.Duration // API token (unsecured, password; PIN upper bound): 30 days
	PINTokenMin  time.Duration // PIN token lower bound of the accepted window: 24 h
	Tolerance    time.Duration // slack on both sides of every expiry
	// LockoutAttempts is how many wrong credentials RC-6 sends in a row.
	LockoutAttempts int
	// LockoutWait bounds how long RC-6 waits for the lockout to end.
	LockoutWait  time.Duration
	PollInterval time.Duration
	// MaxWait is the longest lifetime a case may wait out (Waitable):
	// 15 minutes in real time, any on a virtual clock.
	MaxWait time.Duration
	// ProbePath is the HTTP server path asked with a token (query string
	// allowed; the token is appended as the token parameter).
	ProbePath string
}

// DefaultSettings are the values of the documentation.
func DefaultSettings() Settings {
	return Settings{
		HTTPTokenTTL: 5 * time.Minute, TokenTTL: 720 * time.Hour, PINTokenMin: 24 * time.Hour,
		Tolerance: 10 * time.Second, LockoutAttempts: 10, LockoutWait: 5 * time.Minute,
		PollInterval: 5 * time.Second, ProbePath: "/frames/?peerId=%23self%3A0",
		MaxWait: 15 * time.Minute,
	}
}

// WithDefaults returns s with every unset field taken from DefaultSettings.
func (s Settings) WithDefaults() Settings {
	d := DefaultSettings()
	for _, f := range []struct{ v, def *time.Duration }{
		{&s.HTTPTokenTTL, &d.HTTPTokenTTL}, {&s.TokenTTL, &d.TokenTTL}, {&s.PINTokenMin, &d.PINTokenMin},
		{&s.Tolerance, &d.Tolerance}, {&s.LockoutWait, &d.LockoutWait}, {&s.PollInterval, &d.PollInterval},
		{&s.MaxWait, &d.MaxWait},
	} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	if s.LockoutAttempts <= 0 {
		s.LockoutAttempts = d.LockoutAttempts
	}
	if s.ProbePath == "" {
		s.ProbePath = d.ProbePath
	}
	return s
}

// Lifetime names one of the Settings durations.
type Lifetime string

// The lifetimes a Moment can count.
const (
	HTTPTokenLife Lifetime = "tokenForHttpServer lifetime"
	APITokenLife  Lifetime = "token lifetime"
	PINTokenFloor Lifetime = "shortest PIN token lifetime"
)

// Of returns the lifetime's duration in s.
func (l Lifetime) Of(s Settings) time.Duration {
	switch l {
	case HTTPTokenLife:
		return s.HTTPTokenTTL
	case PINTokenFloor:
		return s.PINTokenMin
	}
	return s.TokenTTL
}
