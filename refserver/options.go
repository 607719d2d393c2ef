package refserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"time"
)

// Documented lifetimes and defaults (docs/requirements.md, LIFE rows).
const (
	defaultAPITokenTTL      = 30 * 24 * time.Hour
	defaultHTTPTokenTTL     = 5 * time.Minute
	defaultEmbeddedHTTPPort = 8766
	defaultMaxFrameBytes    = 1 << 20
	defaultLockoutThreshold = 10
	defaultLockoutDuration  = 60 * time.Second
)

// Transport bounds. They run on the real clock: they protect the server, they
// are not behaviour under test.
const (
	outboxSize = 256         // messages queued for one connection before new ones are dropped
	closeGrace = time.Second // Close waits this long for close handshakes before cutting connections
)

// writeTimeout bounds each write: a peer that does not read cannot hold a
// goroutine longer. A variable only so that a test can shorten it.
var writeTimeout = 5 * time.Second

// appStateNormal is getAppState's appState in the recorded replies of an idle
// device.
const appStateNormal = 3

// Options configure a Server. The zero value runs the default profile with
// generated secrets and the documented lifetimes.
type Options struct {
	// Profile is the protection setup; the zero Profile means DefaultProfile.
	Profile Profile
	// Secrets are the credentials; missing ones the profile needs are generated.
	Secrets Secrets
	// Now is the clock for token lifetimes and lockout; nil means time.Now.
	// Tests inject a fake clock instead of sleeping.
	Now func() time.Time
	// TimeScale divides the token lifetimes and the lockout duration, whether
	// documented defaults or set below (1000 makes 5 min = 300 ms); 0 means 1.
	TimeScale float64
	// Listen makes Start's three listeners (nil: net.Listen). The project's
	// own whole-run tests listen on an in-process network with it.
	Listen func(network, addr string) (net.Listener, error)
	// EmbeddedHTTPPort is reported by getAppState as embeddedHttpPort; 0 means
	// the port of the HTTP listener under Start, and 8766 otherwise.
	EmbeddedHTTPPort int
	// HTTPAddr is where Start runs the embedded HTTP server (HTTPHandler);
	// empty means the host of Start's addr with port 0 (a free port).
	HTTPAddr string
	// WebAddr is where Start runs the web manager's discovery file
	// (WebHandler); empty means the host of Start's addr with port 0.
	WebAddr string
	// MaxFrameBytes is the largest message accepted; a larger one ends the
	// connection with close 1009. 0 means 1 MiB.
	MaxFrameBytes int64
	// LockoutThreshold is the number of wrong secured credentials in a row
	// (server-wide) that triggers the lockout; 0 means 10.
	LockoutThreshold int
	// TokenTag, when set, is put into every token the server issues, so a
	// test can search any output for a leaked token (redaction proofs). It
	// changes the tokens' shape; leave it empty otherwise.
	TokenTag string
	// LockoutDuration is how long every secured login gets resultCode 6;
	// 0 means 60 s. Divided by TimeScale.
	LockoutDuration time.Duration
	// LockoutWindow, when set, makes the lockout windowed: a wrong
	// credential counts for this long, and LockoutThreshold of them within
	// it start the lockout whatever succeeded between them (a success does
	// not reset the count, as on devices that rate-limit by time). 0 keeps
	// the count of wrong credentials in a row, which a success resets.
	// Divided by TimeScale.
	LockoutWindow time.Duration
	// APITokenTTL is the lifetime of a token from an unsecured, password or PIN
	// authorization; 0 means the documented 30 days. Divided by TimeScale.
	// Tokens from the command-line PIN never expire regardless.
	APITokenTTL time.Duration
	// HTTPTokenTTL is the lifetime of tokenForHttpServer; 0 means the
	// documented 5 minutes. Divided by TimeScale.
	HTTPTokenTTL time.Duration
	// Logger receives connection and authorization events; nil discards them.
	// Secrets and tokens are never logged.
	Logger *slog.Logger
	// Faults are deliberate deviations from docs/requirements.md, by name (see
	// Faults); New rejects an unknown name with the list of valid ones.
	Faults []string
	// Variants are conformant alternatives to the reference's own choices, by
	// name (see Variants); New rejects an unknown name likewise.
	Variants []string
}

// New validates the options and builds a server. Missing secrets the profile
// needs are generated with crypto/rand; read them back with Secrets.
func New(opts Options) (*Server, error) {
	p := opts.Profile
	if p == (Profile{}) {
		var err error
		if p, err = LookupProfile(DefaultProfile); err != nil {
			return nil, fmt.Errorf("refserver: %w", err)
		}
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("refserver: %w", err)
	}
	sec, err := effectiveSecrets(p, opts.Secrets)
	if err != nil {
		return nil, fmt.Errorf("refserver: %w", err)
	}
	faults, err := parseNames[faultSet]("fault", opts.Faults, faultNames())
	if err != nil {
		return nil, fmt.Errorf("refserver: %w", err)
	}
	variants, err := parseNames[variantSet]("variant", opts.Variants, variantNames())
	if err != nil {
		return nil, fmt.Errorf("refserver: %w", err)
	}
	mintToken := newTokenValue
	if variants.has(variantOpaqueTokens) {
		mintToken = newOpaqueTokenValue
	}

	scale := opts.TimeScale
	if scale == 0 {
		scale = 1
	}
	var errs []error
	if math.IsNaN(scale) || math.IsInf(scale, 0) || scale < 0 {
		errs = append(errs, fmt.Errorf("time scale %v is not a positive number", opts.TimeScale))
		scale = 1
	}
	dur := func(name string, d, def time.Duration) time.Duration {
		if d < 0 {
			errs = append(errs, fmt.Errorf("%s %v is negative", name, d))
		}
		if d <= 0 {
			d = def
		}
		return scaleDuration(d, scale)
	}
	s := &Server{
		profile:     p,
		secrets:     sec,
		now:         opts.Now,
		apiTTL:      dur("API token lifetime", opts.APITokenTTL, defaultAPITokenTTL),
		httpTTL:     dur("HTTP token lifetime", opts.HTTPTokenTTL, defaultHTTPTokenTTL),
		lockoutDur:  dur("lockout duration", opts.LockoutDuration, defaultLockoutDuration),
		threshold:   opts.LockoutThreshold,
		httpPort:    opts.EmbeddedHTTPPort,
		maxFrame:    opts.MaxFrameBytes,
		log:         opts.Logger,
		faults:      faults,
		variants:    variants,
		conns:       make(map[*conn]struct{}),
		byRemote:    make(map[string]int),
		gone:        make(chan struct{}),
		holder:      make(map[Mode]*conn),
		tokens:      newTokenStore(tokenLimit(faults), tagged(mintToken, opts.TokenTag)),
		lastAPI:     make(map[Mode]string),
		bannedUntil: make(map[string]time.Time),
		closeGrace:  closeGrace,
	}
	switch {
	case opts.LockoutWindow < 0:
		errs = append(errs, fmt.Errorf("lockout window %v is negative", opts.LockoutWindow))
	case opts.LockoutWindow > 0:
		s.window = scaleDuration(opts.LockoutWindow, scale)
	}
	switch {
	case s.threshold == 0:
		s.threshold = defaultLockoutThreshold
	case s.threshold < 0:
		errs = append(errs, fmt.Errorf("lockout threshold %d is negative", s.threshold))
	}
	switch {
	case s.httpPort == 0:
		s.httpPort = defaultEmbeddedHTTPPort
	case s.httpPort < 0 || s.httpPort > 65535:
		errs = append(errs, fmt.Errorf("embedded HTTP port %d is out of range", s.httpPort))
	}
	switch {
	case s.maxFrame == 0:
		s.maxFrame = defaultMaxFrameBytes
	case s.maxFrame < 0:
		errs = append(errs, fmt.Errorf("max frame bytes %d is negative", s.maxFrame))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("refserver: options: %w", err)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.baseCtx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// scaleDuration divides d by scale, saturating instead of overflowing.
func scaleDuration(d time.Duration, scale float64) time.Duration {
	f := float64(d) / scale
	if f >= math.MaxInt64 {
		return math.MaxInt64
	}
	// At least 1 ns, so that a token is live at the instant it is issued however
	// large the scale.
	return max(time.Duration(f), 1)
}
