// Package session prepares one run: it resolves the target (or starts the
// embedded reference server when there is none), runs the preflight that
// learns the target's profile, and builds the engine.Runner with the run's
// services: the wrong-credential budget, the explorer, the walk. Every
// route of a run goes through it (internal/conductor).
package session

import (
	"cmp"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/budget"
	"github.com/roomconform/conform/internal/clock"
	"github.com/roomconform/conform/internal/discovery"
	"github.com/roomconform/conform/internal/engine"
	"github.com/roomconform/conform/internal/explore"
	"github.com/roomconform/conform/internal/memnet"
	"github.com/roomconform/conform/internal/preflight"
	"github.com/roomconform/conform/internal/reconf"
	"github.com/roomconform/conform/internal/redact"
	"github.com/roomconform/conform/internal/walk"
	"github.com/roomconform/conform/internal/wire"
	"github.com/roomconform/conform/refserver"
)

// Config says how to reach the target.
type Config struct {
	// Target is the ws:// or wss:// URL; "" with no Web starts the embedded
	// reference server.
	Target string
	// Embedded configures the embedded reference server (no Target, no Web).
	Embedded Embedded
	// InMemory carries the embedded reference servers' connections through
	// memory (internal/memnet), not loopback sockets: for the project's own
	// tests, which run whole runs by the hundred.
	InMemory bool
	// Dial opens the connections to a live target, WebSocket and HTTP
	// (nil: the system's dialer). The project's own tests reach servers on
	// an in-process network with it.
	Dial wire.DialFunc
	// Plan is the declared plan ("" = pro).
	Plan    caselang.Plan
	Secrets engine.Secrets
	Strict  bool
	// Legacy: see engine.Config.Legacy.
	Legacy bool
	// Journal and RestoreTimeout: see engine.Config (a live target only;
	// the embedded server ends with the run and keeps no journal).
	Journal        string
	RestoreTimeout time.Duration
	TLS            *tls.Config
	// DialTimeout and ResponseTimeout bound every wait (0 = 5 s each).
	DialTimeout, ResponseTimeout time.Duration
	// Redactor is shared with the console; nil makes a new one.
	Redactor *redact.Redactor
	// Web is the web manager's URL ("http://host:port"): the WebSocket and
	// HTTP ports are discovered from its config.json. HTTP overrides the
	// embedded HTTP server's URL; without either it comes from getAppState.
	Web, HTTP string
	// Settings are the lifetimes and lockout parameters for a live target;
	// the embedded server runs the documented ones on a virtual clock.
	Settings caselang.Settings
	// QuietWindow is how long a live target is listened to after an
	// ordering barrier where its output might trail its answers (0: the
	// engine's default); the embedded server orders its output and is
	// never listened to.
	QuietWindow time.Duration
	// WrongBudget caps the wrong credentials sent to a live target
	// (budget.Unlimited: no cap; ignored for the embedded server, which
	// cannot be harmed). Zero means none may be sent.
	WrongBudget int
	// Seed seeds the exploration (engine.Config.Seed).
	Seed uint64
	// Pace, when set, paces the wrong credentials to a live target under
	// its declared lockout (budget.Config.Pace).
	Pace *budget.Pace
	// Progress, if set, hears about long waits (a lockout's poll, a paced
	// run's window), so that they do not look like a hang.
	Progress io.Writer
}

// Embedded is the embedded reference server's setup: a profile, and
// faults or variants to show the suite's verdict on a broken or an
// unusual server.
type Embedded struct {
	// Profile names a refserver profile ("" = the default, or "free" for
	// Plan free).
	Profile  string
	Faults   []string
	Variants []string
}

// Session is a prepared run.
type Session struct {
	Runner *engine.Runner
	// Budget is the runner's wrong-credential budget; Walk walks its
	// target through other protections (Stages).
	Budget *budget.Budget
	Walk   *walk.Walker
	// Embedded is set when the target is the embedded reference server.
	Embedded        bool
	EmbeddedProfile string
	Redactor        *redact.Redactor
	// Probe is the preflight's transcript (for a report when it fails).
	Probe *wire.Transcript
	stop  func() error
	// server is the embedded reference server, if any.
	server *refserver.Server
	// cfg is the configuration the session was opened with; others are
	// the sessions of further embedded servers (Stages).
	cfg    Config
	others []*Session
}

// ServerStats returns what the embedded reference server has served so far
// (ok false against any other target): the benchmarks compare a run with
// the network floor of as many connections and messages.
func (s *Session) ServerStats() (st refserver.Stats, ok bool) {
	if s == nil || s.server == nil {
		return refserver.Stats{}, false
	}
	return s.server.Stats(), true
}

// Close stops the embedded server, if any.
func (s *Session) Close() error {
	if s == nil {
		return nil
	}
	for _, o := range s.others {
		o.Close()
	}
	s.others = nil
	if s.stop == nil {
		return nil
	}
	return s.stop()
}

// freeStage is the profile of the embedded Free-plan server of a
// default run: both modes protected, so that every secret's refusal
// (RC-2) can be checked.
const freeStage = "free-admin-password-user-pin"

// Stages are the profiles the run can put its target in, so that the
// cases that do not apply to the target's own run too (conductor.PlanSections):
//
//   - the embedded default run (no --profile, fault or variant): the walk
//     through the Pro protections with setAuthParams, and a second
//     embedded server on the Free plan (a plan cannot be reconfigured);
//   - a live target with reconfigure true (--allow-reconfigure): the walk,
//     within what the run can undo;
//   - otherwise none.
func (s *Session) Stages(ctx context.Context, reconfigure bool) ([]walk.Stage, error) {
	e := s.cfg.Embedded
	switch {
	case s.Embedded && (e.Profile != "" || len(e.Faults) > 0 || len(e.Variants) > 0 || s.cfg.Plan == caselang.Free):
		return nil, nil
	case !s.Embedded && !reconfigure:
		return nil, nil
	}
	stages := s.Walk.Stages()
	if !s.Embedded {
		return stages, nil
	}
	cfg := s.cfg
	cfg.Plan, cfg.Embedded = caselang.Free, Embedded{Profile: freeStage}
	cfg.Redactor = s.Redactor
	free, err := Open(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("the Free-plan stage: %w", err)
	}
	s.others = append(s.others, free)
	stages = append(stages, walk.Stage{Name: freeStage, Profile: free.Runner.Profile(),
		Enter: func(context.Context) (*engine.Runner, error) { return free.Runner, nil }})
	// An embedded server in every other Pro profile, for the cases that
	// reconfigure the target from that profile (caselang.StartsFrom): the
	// walk cannot reach the command-line admin PIN's profiles, and a
	// case's change never stands over the walk's.
	for _, p := range refserver.Profiles() {
		if p.Plan != refserver.Pro || p.Name == s.EmbeddedProfile {
			continue
		}
		cfg := s.cfg
		cfg.Embedded = Embedded{Profile: p.Name}
		cfg.Redactor = s.Redactor
		other, err := Open(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("the %s stage: %w", p.Name, err)
		}
		s.others = append(s.others, other)
		stages = append(stages, walk.Stage{Name: p.Name, Profile: other.Runner.Profile(), Reconfiguring: true,
			Enter: func(context.Context) (*engine.Runner, error) { return other.Runner, nil }})
	}
	return stages, nil
}

// Open prepares the run. Errors are engine.UnreachableError (exit 3),
// preflight.ConfigError (exit 2) or setup failures of the embedded server.
// When the preflight fails the Session is returned as well (closed), so
// that its transcript can go into the report.
func Open(ctx context.Context, cfg Config) (*Session, error) {
	red := cfg.Redactor
	if red == nil {
		red = redact.New()
	}
	for _, u := range []string{cfg.Target, cfg.Web, cfg.HTTP} {
		RegisterURLSecrets(red, u)
	}
	RegisterProbePathSecrets(red, cfg.Settings.ProbePath)
	s := &Session{Redactor: red, cfg: cfg}
	target := cfg.Target
	secrets := cfg.Secrets
	limit := cfg.WrongBudget
	var clk clock.Clock = clock.Real{}
	var gone func(context.Context, string) error
	dial := cfg.Dial
	if target == "" && cfg.Web == "" {
		var listen func(network, addr string) (net.Listener, error)
		dial = nil // cfg.Dial reaches live targets only
		if cfg.InMemory {
			mem := memnet.New()
			listen, dial = mem.Listen, mem.DialContext
		}
		emb, err := startEmbedded(cfg.Embedded, cfg.Plan, secrets, listen)
		if err != nil {
			return nil, err
		}
		target, secrets, s.stop = emb.URL, emb.secrets, emb.Close
		cfg.Web, cfg.HTTP = emb.WebURL, emb.HTTPURL
		cfg.Settings = EmbeddedSettings()
		clk = emb.clock
		gone = emb.Server.WaitGone
		s.Embedded, s.EmbeddedProfile, s.server = true, emb.profile, emb.Server
		// Nothing on the embedded server can be harmed by a lockout.
		limit = budget.Unlimited
	}
	discoveryNote := ""
	if cfg.Web != "" {
		var err error
		if target, cfg.HTTP, discoveryNote, err = discover(ctx, cfg, target, dial); err != nil {
			s.Close()
			return s, err
		}
	}
	if !s.Embedded {
		var err error
		if cfg.Journal, err = journalFor(target, cfg.Journal); err != nil {
			s.Close()
			return nil, err
		}
	}
	t := engine.Target{URL: target, TLS: cfg.TLS, DialTimeout: cfg.DialTimeout, ResponseTimeout: cfg.ResponseTimeout,
		HTTP: cfg.HTTP, Web: cfg.Web, QuietWindow: cfg.QuietWindow, Gone: gone, OwnSecrets: s.Embedded, OrderedEvents: s.Embedded,
		Stored: wire.NewBudget(0), Dial: dial}
	probe, err := preflight.Probe(ctx, t, secrets, cfg.Plan, red)
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
	p.Reference = s.Embedded
	rc := engine.Config{
		Target: t, Profile: p, Secrets: probe.Secrets, Settings: cfg.Settings,
		Redactor: red, Strict: cfg.Strict, Legacy: cfg.Legacy, Clock: clk, Seed: cfg.Seed,
		RestoreTimeout: cfg.RestoreTimeout, Progress: cfg.Progress,
	}
	if !s.Embedded {
		rc.Journal = cfg.Journal
	}
	// The preflight's refused secrets count against the budget and the pace.
	s.Budget = budget.New(budget.Config{Limit: limit, Pace: cfg.Pace, Settings: cfg.Settings, Clock: clk, Progress: cfg.Progress}, probe.WrongSent)
	s.Runner = engine.New(rc, engine.Services{Budget: s.Budget, Explorer: explore.Explorer{}})
	s.Walk = walk.New(s.Runner)
	return s, nil
}

// journalFor is the recovery journal of a live target (the one named,
// else reconf.DefaultJournalPath of the WebSocket, discovered or given),
// and refuses to start while that journal, or any journal of the same
// address in the state directory, is pending: the target may still be
// reconfigured, and a new run would take that for its original.
func journalFor(target, named string) (string, error) {
	path := named
	if path == "" {
		var err error
		if path, err = reconf.DefaultJournalPath(target); err != nil {
			return "", &preflight.ConfigError{Msg: err.Error()}
		}
	}
	pending, err := reconf.Pending(target)
	if err != nil {
		return "", &preflight.ConfigError{Msg: err.Error()}
	}
	if _, ok, err := reconf.ReadJournal(path); err != nil {
		return "", &preflight.ConfigError{Msg: err.Error()}
	} else if ok && !slices.Contains(pending, path) {
		pending = append(pending, path)
	}
	if len(pending) > 0 {
		return "", &preflight.ConfigError{Msg: fmt.Sprintf("a recovery journal from an earlier run is at %s: the target may still be reconfigured; run `conform restore --journal %s` first", pending[0], pending[0])}
	}
	return path, nil
}

// discover reads the web manager's config.json: the WebSocket (when no
// target was given) and the embedded HTTP server (when --http was not).
// With a target given, a failure is only noted: DISC-1 will judge the web
// manager.
func discover(ctx context.Context, cfg Config, target string, dial wire.DialFunc) (ws, httpURL, note string, err error) {
	t := engine.Target{TLS: cfg.TLS, DialTimeout: cfg.DialTimeout, ResponseTimeout: cfg.ResponseTimeout}
	timeout := cmp.Or(cfg.ResponseTimeout, wire.DefaultResponseTimeout)
	fctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	doc, err := discovery.Fetch(fctx, wire.HTTPClient(t.TLS, dial, cmp.Or(t.DialTimeout, wire.DefaultDialTimeout), timeout), cfg.Web)
	switch {
	case err != nil && target != "":
		return target, cfg.HTTP, "discovery failed (" + err.Error() + "); disc-1 will report it", nil
	case err != nil:
		return "", "", "", &engine.UnreachableError{Err: fmt.Errorf("discovery: %w", err)}
	}
	if target == "" {
		if target, err = discovery.WebSocketURL(cfg.Web, doc); err != nil {
			return "", "", "", &engine.UnreachableError{Err: fmt.Errorf("discovery: %s: %w", discovery.Path, err)}
		}
	}
	httpURL = cfg.HTTP
	if httpURL == "" {
		// Without a usable http port the lifetime cases are skipped; DISC-1 says why.
		httpURL, _ = discovery.HTTPURL(cfg.Web, doc)
	}
	return target, httpURL, "", nil
}

// RegisterURLSecrets registers the values of u's query as secrets: an
// operator may put a password or token in a URL, and a target may echo
// the URL back.
func RegisterURLSecrets(red *redact.Redactor, u string) {
	pu, err := url.Parse(u)
	if err != nil {
		return
	}
	for _, vs := range pu.Query() {
		for _, v := range vs {
			red.Add("url-query", v)
		}
	}
}

// RegisterProbePathSecrets registers the query values of an --http-probe-path as secrets, as
// RegisterURLSecrets does for a URL, but for those of the default path (its peerId names the
// device's own conference, no secret).
func RegisterProbePathSecrets(red *redact.Redactor, path string) {
	pu, err := url.Parse(path)
	if err != nil {
		return
	}
	def, _ := url.Parse(caselang.DefaultSettings().ProbePath)
	known := def.Query()
	for k, vs := range pu.Query() {
		for _, v := range vs {
			if !slices.Contains(known[k], v) {
				red.Add("url-query", v)
			}
		}
	}
}

// httpFromTarget is the embedded HTTP server on the WebSocket's host.
func httpFromTarget(target string, port int) string {
	u, err := url.Parse(target)
	if err != nil {
		return ""
	}
	return "http://" + net.JoinHostPort(u.Hostname(), strconv.Itoa(port))
}

// EmbeddedSettings are the settings of a run against the embedded server:
// the documented lifetimes and lockout, on a virtual clock that the server
// shares, so that waiting for 30 days costs nothing and no wait has to be
// practical.
func EmbeddedSettings() caselang.Settings {
	s := caselang.DefaultSettings()
	s.MaxWait = 1 << 62 // any lifetime can be waited out on a virtual clock
	return s
}

// Scaled lifetimes, for a reference server that runs on the real clock
// (conform serve --time-scale, the tests of the real-time path): short
// enough to wait for, with the orders the cases need (an API token outlives
// the HTTP token by more than twice the tolerance). A run against such a
// server judges by ScaledSettings; a machine too busy for them makes a
// lifetime case ERROR, never FAIL.
const (
	scaledHTTPTokenTTL = 300 * time.Millisecond
	scaledTokenTTL     = 1200 * time.Millisecond
	scaledPINTokenMin  = 800 * time.Millisecond
	scaledTolerance    = 120 * time.Millisecond
	// ScaledLockout is how long a scaled server's lockout lasts.
	ScaledLockout = 150 * time.Millisecond
)

// ScaledOptions sets the scaled lifetimes and lockout on o.
func ScaledOptions(o refserver.Options) refserver.Options {
	o.HTTPTokenTTL, o.APITokenTTL, o.LockoutDuration = scaledHTTPTokenTTL, scaledTokenTTL, ScaledLockout
	return o
}

// ScaledSettings are the settings that match ScaledOptions.
func ScaledSettings() caselang.Settings {
	d := caselang.DefaultSettings()
	d.HTTPTokenTTL, d.TokenTTL, d.PINTokenMin, d.Tolerance = scaledHTTPTokenTTL, scaledTokenTTL, scaledPINTokenMin, scaledTolerance
	d.LockoutWait, d.PollInterval = 2*time.Second, ScaledLockout/5
	return d
}

// embedded is a started reference server and the secrets to use with it.
type embedded struct {
	*refserver.Running
	secrets engine.Secrets
	clock   *clock.Virtual
	profile string
}

// startEmbedded starts the reference server on loopback with the operator's
// secrets (where given), on a virtual clock; listen makes its listeners
// (nil: net.Listen).
func startEmbedded(e Embedded, plan caselang.Plan, given engine.Secrets, listen func(network, addr string) (net.Listener, error)) (*embedded, error) {
	name := e.Profile
	switch {
	case name != "":
	case plan == caselang.Free:
		// --plan free on the embedded server means the Free-plan stand-in.
		name = "free"
	default:
		name = refserver.DefaultProfile
	}
	p, err := refserver.LookupProfile(name)
	if err != nil {
		return nil, err
	}
	in := refserver.Secrets{}
	in.AdminPassword, _ = given.Get(caselang.AdminPassword)
	in.AdminPIN, _ = given.Get(caselang.AdminPIN)
	in.UserPassword, _ = given.Get(caselang.UserPassword)
	in.UserPIN, _ = given.Get(caselang.UserPIN)
	if in.AdminPIN == "" && p.Admin != refserver.PIN && p.Plan == refserver.Pro {
		// Started as with Room's --pin, so that the command-line PIN's cases run too.
		in.AdminPIN = refserver.NewPIN()
	}
	clk := clock.NewVirtual(time.Now())
	run, err := refserver.Start("127.0.0.1:0", refserver.Options{Profile: p, Secrets: in, Now: clk.Now,
		Faults: e.Faults, Variants: e.Variants, Listen: listen})
	if err != nil {
		return nil, fmt.Errorf("start the embedded reference server: %w", err)
	}
	// The server's own secrets, not the environment's: a secret the profile
	// does not use would be a wrong credential for this server. On a Free
	// plan every secured login gets 2, right or wrong: there every kind of
	// secret is handed to the run, for RC-2 to check its refusal.
	eff := run.Server.Secrets()
	if p.Plan == refserver.Free {
		gen := func(v string, pin bool) string {
			switch {
			case v != "":
				return v
			case pin:
				return refserver.NewPIN()
			}
			return "Free-" + refserver.NewPIN() + "-Pw"
		}
		eff.AdminPassword, eff.AdminPIN = gen(eff.AdminPassword, false), gen(eff.AdminPIN, true)
		eff.UserPassword, eff.UserPIN = gen(eff.UserPassword, false), gen(eff.UserPIN, true)
	}
	out := engine.Secrets{}
	for k, v := range map[caselang.SecretKind]string{
		caselang.AdminPassword: eff.AdminPassword, caselang.AdminPIN: eff.AdminPIN,
		caselang.UserPassword: eff.UserPassword, caselang.UserPIN: eff.UserPIN,
	} {
		if v != "" {
			out = out.With(k, v)
		}
	}
	return &embedded{Running: run, secrets: out, clock: clk, profile: name}, nil
}
