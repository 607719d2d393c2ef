// Package session prepares one run: it resolves the target (or starts the
// embedded reference server when there is none), runs the preflight probe
// that learns the target's profile, and builds the engine.Runner. The CLI
// and `go test ./suite` share it, so both run against the same setup.
package session

import (
	"context"
	"crypto/tls"
	"fmt"
	"time"

	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/engine"
	"github.com/roomconform/conform/internal/wire"
	"github.com/roomconform/conform/refserver"
)

// Config says how to reach the target.
type Config struct {
	// Target is the ws:// or wss:// URL; "" starts the embedded reference server.
	Target string
	// EmbeddedProfile names the embedded server's profile ("" = the default).
	EmbeddedProfile string
	// Plan is the declared plan ("" = pro).
	Plan    cases.Plan
	Secrets engine.Secrets
	Strict  bool
	TLS     *tls.Config
	// DialTimeout and ResponseTimeout bound every wait (0 = 5 s each).
	DialTimeout, ResponseTimeout time.Duration
	// Redactor is shared with the console; nil makes a new one.
	Redactor *wire.Redactor
	// WrongBudget caps the wrong credentials sent to a live target
	// (engine.Unlimited: no cap; ignored for the embedded server, which
	// cannot be harmed). Zero means none may be sent.
	WrongBudget int
}

// Session is a prepared run.
type Session struct {
	Runner *engine.Runner
	// Embedded is set when the target is the embedded reference server.
	Embedded        bool
	EmbeddedProfile string
	Redactor        *wire.Redactor
	// Probe is the preflight's transcript (for a report when it fails).
	Probe *wire.Transcript
	stop  func() error
}

// Close stops the embedded server, if any.
func (s *Session) Close() error {
	if s == nil || s.stop == nil {
		return nil
	}
	return s.stop()
}

// Open prepares the run. Errors are engine.UnreachableError (exit 3),
// engine.ConfigError (exit 2) or setup failures of the embedded server.
// When the preflight fails the Session is returned as well (closed), so
// that its transcript can go into the report.
func Open(ctx context.Context, cfg Config) (*Session, error) {
	red := cfg.Redactor
	if red == nil {
		red = wire.NewRedactor()
	}
	s := &Session{Redactor: red}
	target := cfg.Target
	secrets := cfg.Secrets
	budget := cfg.WrongBudget
	if target == "" {
		name := cfg.EmbeddedProfile
		switch {
		case name != "":
		case cfg.Plan == cases.Free:
			// --plan free on the embedded server means the Free-plan stand-in.
			name = "free"
		default:
			name = refserver.DefaultProfile
		}
		url, srvSecrets, stop, err := startEmbedded(name, secrets)
		if err != nil {
			return nil, err
		}
		target, secrets, s.stop = url, srvSecrets, stop
		s.Embedded, s.EmbeddedProfile = true, name
		// Nothing on the embedded server can be harmed by a lockout.
		budget = engine.Unlimited
	}
	t := engine.Target{URL: target, TLS: cfg.TLS, DialTimeout: cfg.DialTimeout, ResponseTimeout: cfg.ResponseTimeout}
	probe, err := engine.Probe(ctx, t, secrets, cfg.Plan, red)
	s.Probe = probe.Transcript
	if err != nil {
		// The session is returned too, for the preflight's transcript.
		s.Close()
		return s, err
	}
	s.Runner = &engine.Runner{
		Target: t, Profile: probe.Profile, Secrets: probe.Secrets,
		Redactor: red, Strict: cfg.Strict, WrongBudget: budget,
	}
	return s, nil
}

// startEmbedded starts the reference server on loopback with the operator's
// secrets (where given) and returns the secrets the suite should use.
func startEmbedded(profile string, given engine.Secrets) (string, engine.Secrets, func() error, error) {
	p, err := refserver.LookupProfile(profile)
	if err != nil {
		return "", engine.Secrets{}, nil, err
	}
	in := refserver.Secrets{}
	in.AdminPassword, _ = given.Get(cases.AdminPassword)
	in.AdminPIN, _ = given.Get(cases.AdminPIN)
	in.UserPassword, _ = given.Get(cases.UserPassword)
	in.UserPIN, _ = given.Get(cases.UserPIN)
	run, err := refserver.Start("127.0.0.1:0", refserver.Options{Profile: p, Secrets: in})
	if err != nil {
		return "", engine.Secrets{}, nil, fmt.Errorf("start the embedded reference server: %w", err)
	}
	eff := run.Server.Secrets()
	out := given
	for k, v := range map[cases.SecretKind]string{
		cases.AdminPassword: eff.AdminPassword, cases.AdminPIN: eff.AdminPIN,
		cases.UserPassword: eff.UserPassword, cases.UserPIN: eff.UserPIN,
	} {
		if v != "" {
			out = out.With(k, v)
		}
	}
	return run.URL, out, run.Close, nil
}
