// Package session prepares one run: it resolves the target (or starts the
// embedded reference server when there is none), runs the preflight probe
// that learns the target's profile, and builds the engine.Runner. The CLI
// and `go test ./suite` share it, so both run against the same setup.
package session

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/engine"
	"github.com/roomconform/conform/internal/wire"
	"github.com/roomconform/conform/refserver"
)

// Config says how to reach the target.
type Config struct {
	// Target is the ws:// or wss:// URL; "" with no Web starts the embedded
	// reference server.
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
	// Web is the web manager's URL ("http://host:port"): the WebSocket and
	// HTTP ports are discovered from its config.json. HTTP overrides the
	// embedded HTTP server's URL; without either it comes from getAppState.
	Web, HTTP string
	// Settings are the lifetimes and lockout parameters for a live target;
	// the embedded server gets its own scaled ones (EmbeddedSettings).
	Settings cases.Settings
	// QuietWindow is how long "exactly one response" listens for a second
	// one (0: the engine's default; the embedded server gets a short one).
	QuietWindow time.Duration
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
	if target == "" && cfg.Web == "" {
		name := cfg.EmbeddedProfile
		switch {
		case name != "":
		case cfg.Plan == cases.Free:
			// --plan free on the embedded server means the Free-plan stand-in.
			name = "free"
		default:
			name = refserver.DefaultProfile
		}
		emb, err := startEmbedded(name, secrets)
		if err != nil {
			return nil, err
		}
		target, secrets, s.stop = emb.URL, emb.secrets, emb.Close
		cfg.Web, cfg.HTTP = emb.WebURL, emb.HTTPURL
		cfg.Settings = EmbeddedSettings()
		cfg.QuietWindow = embeddedQuietWindow
		s.Embedded, s.EmbeddedProfile = true, name
		// Nothing on the embedded server can be harmed by a lockout.
		budget = engine.Unlimited
	}
	discoveryNote := ""
	if cfg.Web != "" {
		t := engine.Target{TLS: cfg.TLS, DialTimeout: cfg.DialTimeout, ResponseTimeout: cfg.ResponseTimeout}
		doc, err := engine.FetchConfig(ctx, t, cfg.Web)
		switch {
		case err != nil && target != "":
			// The WebSocket is known: DISC-1 will judge the web manager.
			discoveryNote = "discovery failed (" + err.Error() + "); disc-1 will report it"
		case err != nil:
			s.Close()
			return s, &engine.UnreachableError{Err: fmt.Errorf("discovery: %w", err)}
		}
		if err == nil && target == "" {
			if target, err = engine.DiscoveredURL(cfg.Web, doc); err != nil {
				s.Close()
				return s, &engine.UnreachableError{Err: fmt.Errorf("discovery: %s: %w", engine.ConfigPath, err)}
			}
		}
		if err == nil && cfg.HTTP == "" {
			// Without a usable http port the lifetime cases are skipped; DISC-1 says why.
			cfg.HTTP, _ = engine.DiscoveredHTTP(cfg.Web, doc)
		}
	}
	t := engine.Target{URL: target, TLS: cfg.TLS, DialTimeout: cfg.DialTimeout, ResponseTimeout: cfg.ResponseTimeout,
		HTTP: cfg.HTTP, Web: cfg.Web, QuietWindow: cfg.QuietWindow}
	probe, err := engine.Probe(ctx, t, secrets, cfg.Plan, red)
	s.Probe = probe.Transcript
	if err != nil {
		// The session is returned too, for the preflight's transcript.
		s.Close()
		return s, err
	}
	if t.HTTP == "" && probe.HTTPPort > 0 {
		t.HTTP = httpFromTarget(target, probe.HTTPPort)
	}
	p := probe.Profile
	if discoveryNote != "" {
		p.Notes = append(p.Notes, discoveryNote)
	}
	p.HTTPServer, p.WebManager, p.Lifetimes = t.HTTP != "", t.Web != "", cfg.Settings
	s.Runner = &engine.Runner{
		Target: t, Profile: p, Secrets: probe.Secrets, Settings: cfg.Settings,
		Redactor: red, Strict: cfg.Strict, WrongBudget: budget,
	}
	return s, nil
}

// httpFromTarget is the embedded HTTP server on the WebSocket's host.
func httpFromTarget(target string, port int) string {
	u, err := url.Parse(target)
	if err != nil {
		return ""
	}
	return "http://" + net.JoinHostPort(u.Hostname(), strconv.Itoa(port))
}

// Embedded lifetimes: short enough that every lifetime case runs in the
// default run in well under a second each, long enough that a busy machine
// does not turn scheduling delays into verdicts. One time scale cannot do
// both (30 days and 5 minutes are 8640 apart), so the HTTP and API
// lifetimes are set each on its own. The PIN window's lower bound (24 h of
// 30 days) keeps its meaning, a bound inside the API lifetime, but not its
// ratio: 13 ms would be shorter than the tolerance.
const (
	embeddedHTTPTokenTTL = 300 * time.Millisecond
	embeddedTokenTTL     = 500 * time.Millisecond
	embeddedPINTokenMin  = 350 * time.Millisecond
	embeddedTolerance    = 120 * time.Millisecond
	// EmbeddedLockout is how long the embedded server's lockout lasts.
	EmbeddedLockout = 150 * time.Millisecond
	// A duplicate on loopback arrives within microseconds.
	embeddedQuietWindow = 50 * time.Millisecond
)

// EmbeddedOptions sets the embedded lifetimes and lockout on o: a
// reference server started with them matches EmbeddedSettings.
func EmbeddedOptions(o refserver.Options) refserver.Options {
	o.HTTPTokenTTL, o.APITokenTTL, o.LockoutDuration = embeddedHTTPTokenTTL, embeddedTokenTTL, EmbeddedLockout
	return o
}

// EmbeddedSettings are the settings that match the embedded server.
func EmbeddedSettings() cases.Settings {
	d := cases.DefaultSettings()
	return cases.Settings{
		HTTPTokenTTL:    embeddedHTTPTokenTTL,
		TokenTTL:        embeddedTokenTTL,
		PINTokenMin:     embeddedPINTokenMin,
		Tolerance:       embeddedTolerance,
		LockoutAttempts: d.LockoutAttempts,
		LockoutWait:     2 * time.Second,
		PollInterval:    EmbeddedLockout / 5,
		ProbePath:       d.ProbePath,
	}
}

// embedded is a started reference server and the secrets to use with it.
type embedded struct {
	*refserver.Running
	secrets engine.Secrets
}

// startEmbedded starts the reference server on loopback with the operator's
// secrets (where given) and the embedded lifetimes.
func startEmbedded(profile string, given engine.Secrets) (*embedded, error) {
	p, err := refserver.LookupProfile(profile)
	if err != nil {
		return nil, err
	}
	in := refserver.Secrets{}
	in.AdminPassword, _ = given.Get(cases.AdminPassword)
	in.AdminPIN, _ = given.Get(cases.AdminPIN)
	in.UserPassword, _ = given.Get(cases.UserPassword)
	in.UserPIN, _ = given.Get(cases.UserPIN)
	run, err := refserver.Start("127.0.0.1:0", EmbeddedOptions(refserver.Options{Profile: p, Secrets: in}))
	if err != nil {
		return nil, fmt.Errorf("start the embedded reference server: %w", err)
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
	return &embedded{Running: run, secrets: out}, nil
}
