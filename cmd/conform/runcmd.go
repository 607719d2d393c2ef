package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/engine"
	"github.com/roomconform/conform/internal/session"
	"github.com/roomconform/conform/internal/wire"
	"github.com/roomconform/conform/reports"
	"github.com/roomconform/conform/suite"
)

// runOptions are the flags of `conform run`.
type runOptions struct {
	target          string
	plan            string
	labelFilter     string
	cases           listFlag
	strict          bool
	reportDir       string
	junitReport     string
	jsonReport      string
	verbose         bool
	timeout         time.Duration
	responseTimeout time.Duration
	insecure        bool
	caFile          string
	wrongBudget     int
	web, httpURL    string
	settings        cases.Settings
}

func (o *runOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.target, "target", "", "ws:// or wss:// URL of the control API (default: start the embedded reference server)")
	fs.StringVar(&o.plan, "plan", "pro", "the target's plan: pro or free")
	fs.StringVar(&o.labelFilter, "label-filter", "", "Ginkgo label expression selecting cases (live default: \""+cases.LiveDefaultFilter+"\")")
	fs.Var(&o.cases, "case", "run only this case ID (repeatable)")
	fs.BoolVar(&o.strict, "strict", false, "treat WARN (a broken SHOULD) as FAIL")
	fs.StringVar(&o.reportDir, "report-dir", "conform-report", "directory for junit.xml and results.json")
	fs.StringVar(&o.junitReport, "junit-report", "", "JUnit XML path (default <report-dir>/junit.xml)")
	fs.StringVar(&o.jsonReport, "json-report", "", "results.json path (default <report-dir>/results.json)")
	fs.BoolVar(&o.verbose, "v", false, "verbose: every case with its findings and transcript")
	fs.DurationVar(&o.timeout, "timeout", time.Hour, "bound on the whole run")
	fs.DurationVar(&o.responseTimeout, "response-timeout", 5*time.Second, "bound on each response (and on the WebSocket handshake)")
	fs.BoolVar(&o.insecure, "insecure-skip-verify", false, "wss://: do not verify the server certificate")
	fs.StringVar(&o.caFile, "ca-file", "", "wss://: PEM file of CA certificates to trust")
	d := cases.DefaultSettings()
	fs.StringVar(&o.web, "web", "", "web manager URL (http://host:port): discover the WebSocket and HTTP ports from its config.json")
	fs.StringVar(&o.httpURL, "http", "", "embedded HTTP server URL (http://host:8766) for the lifetime cases (default: discovered)")
	fs.StringVar(&o.settings.ProbePath, "http-probe-path", d.ProbePath, "HTTP server path asked with a token (the token is appended as ?token= / &token=)")
	fs.DurationVar(&o.settings.HTTPTokenTTL, "http-token-ttl", d.HTTPTokenTTL, "lifetime of tokenForHttpServer")
	fs.DurationVar(&o.settings.TokenTTL, "token-ttl", d.TokenTTL, "lifetime of the API token (and the upper bound of a PIN token's)")
	fs.DurationVar(&o.settings.PINTokenMin, "pin-token-ttl-min", d.PINTokenMin, "lower bound of a PIN token's lifetime (the docs say 24 h in one place, 30 days in another)")
	fs.DurationVar(&o.settings.Tolerance, "lifetime-tolerance", d.Tolerance, "slack on both sides of every expiry")
	fs.IntVar(&o.settings.LockoutAttempts, "lockout-attempts", d.LockoutAttempts, "wrong passwords RC-6 sends in a row (disruptive case)")
	fs.DurationVar(&o.settings.LockoutWait, "lockout-wait", d.LockoutWait, "how long RC-6 waits for the lockout to end")
	fs.IntVar(&o.wrongBudget, "wrong-credential-budget", engine.DefaultWrongBudget,
		"most wrong credentials one run sends to a live target (each is followed by a successful login); -1: no limit")
}

func runCmd(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	var o runOptions
	fs := newFlagSet("run", stderr, "[flags] [-- ginkgo flags]")
	o.register(fs)
	if err := parse(fs, args, getenv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stderr)
			fs.Usage()
			return exitOK
		}
		fmt.Fprintf(stderr, "conform run: %v\n", err)
		return exitUsage
	}
	cfg, sel, err := o.validate()
	if err == nil {
		err = ginkgoArgs(args, fs.Args())
	}
	if err != nil {
		fmt.Fprintf(stderr, "conform run: %v\n", err)
		return exitUsage
	}
	selected, err := suite.Select(sel)
	if err != nil {
		fmt.Fprintf(stderr, "conform run: %v\n", err)
		return exitUsage
	}

	red := wire.NewRedactor()
	cfg.Redactor = red
	cfg.Secrets = engine.SecretsFromEnv(getenv)
	for _, k := range cfg.Secrets.Kinds() {
		v, _ := cfg.Secrets.Get(k)
		red.Add(string(k), v)
	}
	console := red.Writer(stdout)
	defer console.Flush()
	files := o.files()
	noColor := getenv("NO_COLOR") != "" || !isTerminal(stdout)

	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	start := time.Now()
	sess, err := session.Open(ctx, cfg)
	if err != nil {
		return preflightFailed(err, o, sess, selected, start, files, red, stderr)
	}
	defer sess.Close()
	printHeader(console, sess, sel, selected)

	sess.Runner.Progress = console
	result, err := suite.Run(suite.Options{
		Runner: sess.Runner, Selection: sel, Timeout: o.timeout,
		Verbose: o.verbose, NoColor: noColor, Console: console,
	})
	if err != nil {
		fmt.Fprintf(stderr, "conform run: %v\n", err)
		return exitUsage
	}
	result.Version = version()
	result.Target.Embedded = sess.Embedded
	result.Selection.LabelFilter = sel.LabelFilter
	result.Selection.Cases = sel.Cases
	result.Preflight.OK = true
	console.Flush()
	printSummary(console, result, o.verbose)
	if err := reports.WriteAll(result, files, red); err != nil {
		fmt.Fprintf(stderr, "conform run: %v\n", err)
		return exitUnreachable
	}
	fmt.Fprintf(console, "reports: %s\n", joinNonEmpty(files.JUnit, files.JSON))
	return result.Summary.ExitCode
}

// ginkgoArgs checks what follows the flags: nothing, or "--" and Ginkgo's
// own flags, which it applies.
func ginkgoArgs(all, rest []string) error {
	if len(rest) == 0 {
		return nil
	}
	if len(all) < len(rest)+1 || all[len(all)-len(rest)-1] != "--" {
		return fmt.Errorf("unexpected argument %q (select cases with --case ID; Ginkgo flags go after --)", rest[0])
	}
	return suite.ParseGinkgoArgs(rest)
}

// validate turns flags into the session config and the selection.
func (o *runOptions) validate() (session.Config, suite.Selection, error) {
	var cfg session.Config
	switch o.plan {
	case "pro", "free":
		cfg.Plan = cases.Plan(o.plan)
	default:
		return cfg, suite.Selection{}, fmt.Errorf("--plan must be pro or free, not %q", o.plan)
	}
	if o.target != "" {
		u, err := url.Parse(o.target)
		if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
			return cfg, suite.Selection{}, fmt.Errorf("--target must be a ws:// or wss:// URL, not %q", o.target)
		}
		if u.User != nil {
			return cfg, suite.Selection{}, errors.New("--target must not carry credentials; secrets come from CONFORM_* variables")
		}
	}
	if o.responseTimeout <= 0 || o.timeout <= 0 {
		return cfg, suite.Selection{}, errors.New("--timeout and --response-timeout must be positive")
	}
	tlsConf, err := o.tlsConfig()
	if err != nil {
		return cfg, suite.Selection{}, err
	}
	for _, u := range []struct{ flag, v string }{{"--web", o.web}, {"--http", o.httpURL}} {
		if u.v == "" {
			continue
		}
		if pu, err := url.Parse(u.v); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			return cfg, suite.Selection{}, fmt.Errorf("%s must be an http:// or https:// URL, not %q", u.flag, u.v)
		}
	}
	st := o.settings
	if st.HTTPTokenTTL <= 0 || st.TokenTTL <= 0 || st.PINTokenMin <= 0 || st.Tolerance <= 0 || st.LockoutWait <= 0 || st.LockoutAttempts < 1 {
		return cfg, suite.Selection{}, errors.New("lifetimes, --lifetime-tolerance, --lockout-wait and --lockout-attempts must be positive")
	}
	if st.PINTokenMin > st.TokenTTL {
		if st.PINTokenMin != cases.DefaultSettings().PINTokenMin {
			return cfg, suite.Selection{}, errors.New("--pin-token-ttl-min must not exceed --token-ttl")
		}
		// A short --token-ttl alone: the PIN window shrinks with it.
		st.PINTokenMin = st.TokenTTL
	}
	if st.Tolerance >= st.HTTPTokenTTL {
		return cfg, suite.Selection{}, errors.New("--lifetime-tolerance must be shorter than --http-token-ttl")
	}
	// Poll the end of a lockout sixty times over the wait: 5 s for 5 min.
	st.PollInterval = st.LockoutWait / 60
	cfg.Settings, cfg.Web, cfg.HTTP = st, o.web, o.httpURL
	if o.wrongBudget < engine.Unlimited {
		return cfg, suite.Selection{}, fmt.Errorf("--wrong-credential-budget must be -1 (no limit) or more, not %d", o.wrongBudget)
	}
	cfg.WrongBudget = o.wrongBudget
	cfg.Target, cfg.Strict, cfg.TLS = o.target, o.strict, tlsConf
	cfg.DialTimeout, cfg.ResponseTimeout = o.responseTimeout, o.responseTimeout
	sel := suite.Selection{LabelFilter: o.labelFilter, Cases: o.cases}
	// A live device gets the harmless default unless the operator chose;
	// a filter that does not name "disruptive" (or "all") never selects a
	// case that locks out or kicks sessions by accident.
	live := o.target != "" || o.web != ""
	switch {
	case live && o.labelFilter == "" && len(o.cases) == 0:
		sel.LabelFilter = cases.LiveDefaultFilter
	case live && o.labelFilter != "" && o.labelFilter != suite.AllCases && !strings.Contains(o.labelFilter, "disruptive"):
		sel.LabelFilter = "(" + o.labelFilter + ") && !disruptive"
	}
	return cfg, sel, nil
}

func (o *runOptions) tlsConfig() (*tls.Config, error) {
	if !o.insecure && o.caFile == "" {
		return nil, nil
	}
	c := &tls.Config{InsecureSkipVerify: o.insecure} //nolint:gosec // explicit operator choice
	if o.caFile != "" {
		pem, err := os.ReadFile(o.caFile)
		if err != nil {
			return nil, fmt.Errorf("--ca-file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--ca-file %s: no PEM certificate found", o.caFile)
		}
		c.RootCAs = pool
	}
	return c, nil
}

func (o *runOptions) files() reports.Files {
	f := reports.DefaultFiles(o.reportDir)
	if o.junitReport != "" {
		f.JUnit = o.junitReport
	}
	if o.jsonReport != "" {
		f.JSON = o.jsonReport
	}
	return f
}

// preflightFailed reports a run that could not start: one line on stderr,
// and reports where every selected case is an ERROR, so a pipeline sees why.
func preflightFailed(err error, o runOptions, sess *session.Session, selected []cases.Case, start time.Time, files reports.Files, red *wire.Redactor, stderr io.Writer) int {
	code, what := exitUnreachable, "target unreachable"
	if engine.IsConfig(err) {
		code, what = exitUsage, "configuration error"
	}
	msg := red.Redact(err.Error())
	fmt.Fprintf(stderr, "conform run: %s: %s\n", what, msg)
	run := reports.Run{
		Schema: reports.Schema, Tool: "conform", Version: version(), StartedAt: start,
		Duration: time.Since(start).Seconds(), Target: reports.Target{URL: o.target, Embedded: o.target == "" && o.web == ""},
		Preflight: reports.Preflight{Error: msg},
	}
	if sess != nil && sess.Probe != nil {
		run.Preflight.Transcript = suite.Frames(sess.Probe)
	}
	for _, c := range selected {
		rc := reports.Case{ID: c.ID, Title: c.Title, Group: c.Group(), Labels: c.Labels, Verdict: reports.Error,
			Message: "not run: " + what + ": " + msg}
		for _, id := range c.Requirements {
			rc.Requirements = append(rc.Requirements, reports.Requirement{ID: id, Level: string(cases.LevelOf(id))})
		}
		run.Cases = append(run.Cases, rc)
	}
	run.Tally()
	run.Summary.ExitCode = code
	run.Summary.Verdict = what
	if werr := reports.WriteAll(run, files, red); werr != nil {
		fmt.Fprintf(stderr, "conform run: %v\n", werr)
	}
	return code
}

func joinNonEmpty(paths ...string) string {
	var out []string
	for _, p := range paths {
		if p != "" {
			out = append(out, filepath.ToSlash(p))
		}
	}
	if len(out) == 0 {
		return "none"
	}
	s := out[0]
	for _, p := range out[1:] {
		s += ", " + p
	}
	return s
}

// isTerminal reports whether w is a character device (colour only there).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
