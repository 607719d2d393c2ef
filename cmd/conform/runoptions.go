package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/budget"
	"github.com/roomconform/conform/internal/conductor"
	"github.com/roomconform/conform/internal/console"
	"github.com/roomconform/conform/internal/engine"
	"github.com/roomconform/conform/internal/fleet"
	"github.com/roomconform/conform/internal/opfile"
	"github.com/roomconform/conform/internal/session"
	"github.com/roomconform/conform/refserver"
	"github.com/roomconform/conform/reports"
)

// runOptions are the flags of `conform run`.
type runOptions struct {
	target          string
	plan            string
	labelFilter     string
	cases           listFlag
	requirements    listFlag
	strict          bool
	reportDir       string
	junitReport     pathFlag
	jsonReport      pathFlag
	htmlReport      pathFlag
	summaryReport   pathFlag
	jsonStdout      bool
	verbose         bool
	veryVerbose     bool
	timeout         time.Duration
	responseTimeout time.Duration
	insecure        bool
	caFile          string
	wrongBudget     int
	seed            uint64
	web, httpURL    string
	settings        caselang.Settings
	profile         string
	faults          listFlag
	variants        listFlag
	require         string
	baseline        string
	writeBaseline   string
	legacy          bool
	config          string
	printConfig     bool
	reconfigure     bool
	journal         string
	pace            bool
	lockoutWindow   time.Duration
	// The fleet's (fleet.go).
	targets    string
	parallel   int
	shard      string
	shardTotal int
}

// Bounds on flag values that make no sense (and would overflow the waits
// computed from them).
const (
	maxLockoutAttempts = 1000
	maxLockoutWait     = 24 * time.Hour
)

func (o *runOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.target, "target", "", "ws:// or wss:// URL of the control API (default: start the embedded reference server; given empty, it is refused)")
	fs.StringVar(&o.plan, "plan", "pro", "the target's plan: pro or free")
	fs.StringVar(&o.labelFilter, "label-filter", "", "Ginkgo label expression selecting cases; a label no case carries is refused (live default: \""+cases.LiveDefaultFilter+"\")")
	fs.Var(&o.cases, "case", "run only this case ID (repeatable; with --requirement, its cases run too; --label-filter narrows both)")
	fs.Var(&o.requirements, "requirement", "run only the cases citing this requirement ID, e.g. RC-8 (repeatable; with --case, those cases run too; --label-filter narrows both, and on a live target so does the live default when neither --label-filter nor --case is given; it never selects a disruptive or mutating case there, and the wrong-credential budget holds)")
	fs.BoolVar(&o.strict, "strict", false, "treat WARN (a broken SHOULD) as FAIL")
	fs.BoolVar(&o.reconfigure, "allow-reconfigure", false, "live target: run the mutating cases, which change the protection with setAuthParams and put it back (a recovery journal is written first; conform restore replays it after a crash)")
	fs.StringVar(&o.journal, "journal", "", "recovery journal of the reconfiguration (default: one file per target under $XDG_STATE_HOME/conform/journals, else ~/.local/state/conform/journals)")
	fs.BoolVar(&o.legacy, "legacy", false, "older firmware: a successful auth answer without resultCode is a WARN, not a FAIL")
	fs.StringVar(&o.config, "config", "", "YAML file of flag values, keys the flag names (never secrets); flags and CONFORM_* override it")
	fs.BoolVar(&o.printConfig, "print-config", false, "print the effective configuration (each value and where it came from; secrets redacted) and exit: a --config file of what was set (defaults and derived report paths are comments)")
	fs.StringVar(&o.reportDir, "report-dir", "conform-report", "directory for junit.xml, results.json, report.html and summary.md (created, and checked for writing before anything is sent)")
	fs.Var(&o.junitReport, "junit-report", "JUnit XML path (default <report-dir>/junit.xml; \"-\": stdout; \"\": none)")
	fs.Var(&o.jsonReport, "json-report", "results.json path (default <report-dir>/results.json; \"-\": stdout, and the console goes to stderr; \"\": none)")
	fs.Var(&o.htmlReport, "html-report", "report.html path (default <report-dir>/report.html; \"\": none)")
	fs.Var(&o.summaryReport, "summary-report", "summary.md path, Markdown for a CI step summary or a merge-request comment (default <report-dir>/summary.md; \"\": none)")
	fs.BoolVar(&o.jsonStdout, "json", false, "write results.json to stdout (same as --json-report -); the console goes to stderr")
	fs.BoolVar(&o.verbose, "v", false, "one line per case (verdict, duration, ID), with the broken findings of a case that did not pass")
	fs.BoolVar(&o.veryVerbose, "vv", false, "every case with all its findings and its transcript")
	fs.DurationVar(&o.timeout, "timeout", time.Hour, "bound on the whole run, preflight and reports included")
	fs.DurationVar(&o.responseTimeout, "response-timeout", 5*time.Second, "bound on each response (and on the WebSocket handshake)")
	fs.BoolVar(&o.insecure, "insecure-skip-verify", false, "wss://: do not verify the server certificate")
	fs.StringVar(&o.caFile, "ca-file", "", "wss://: PEM file of CA certificates to trust")
	d := caselang.DefaultSettings()
	fs.StringVar(&o.web, "web", "", "web manager URL (http://host:port): discover the WebSocket and HTTP ports from its config.json")
	fs.StringVar(&o.httpURL, "http", "", "embedded HTTP server URL (http://host:8766) for the lifetime cases (default: discovered)")
	fs.StringVar(&o.settings.ProbePath, "http-probe-path", d.ProbePath, "HTTP server path asked with a token (the token is appended as ?token= / &token=)")
	fs.DurationVar(&o.settings.HTTPTokenTTL, "http-token-ttl", d.HTTPTokenTTL, "lifetime of tokenForHttpServer")
	fs.DurationVar(&o.settings.TokenTTL, "token-ttl", d.TokenTTL, "lifetime of the API token (and the upper bound of a PIN token's)")
	fs.DurationVar(&o.settings.PINTokenMin, "pin-token-ttl-min", d.PINTokenMin, "lower bound of a PIN token's lifetime (the docs say 24 h in one place, 30 days in another)")
	fs.DurationVar(&o.settings.Tolerance, "lifetime-tolerance", d.Tolerance, "slack on both sides of every expiry")
	fs.IntVar(&o.settings.LockoutAttempts, "lockout-attempts", d.LockoutAttempts, "the target's lockout threshold: wrong passwords RC-6 sends in a row (disruptive case), and with --pace the N of N wrong credentials within --lockout-window (at most "+strconv.Itoa(maxLockoutAttempts)+")")
	fs.DurationVar(&o.lockoutWindow, "lockout-window", 0, "with --pace: how long a wrong credential counts towards the target's lockout (declared, never guessed)")
	fs.BoolVar(&o.pace, "pace", false, "live target: run every wrong-credential case without a lockout, at most --lockout-attempts - 2 a --lockout-window, waiting the window out between batches (both must be set explicitly; no budget unless --wrong-credential-budget is set)")
	fs.DurationVar(&o.settings.LockoutWait, "lockout-wait", d.LockoutWait, "how long RC-6 waits for the lockout to end (at most 24h)")
	fs.IntVar(&o.wrongBudget, "wrong-credential-budget", budget.DefaultWrongBudget,
		"most wrong credentials one run sends to a live target (each is followed by a successful login); -1: no limit")
	fs.Uint64Var(&o.seed, "seed", 0, "seed of the exploration's random walks (label explore; 0: a fresh one, printed and recorded). The wrong-credential budget's order is fixed, never seeded")
	fs.StringVar(&o.profile, "profile", "", "embedded reference server only: its protection profile ("+strings.Join(refserver.ProfileNames(), ", ")+")")
	fs.Var(&o.faults, "fault", "embedded reference server only: break one behaviour on purpose, to see the suite catch it (repeatable; conform serve --list-faults)")
	fs.StringVar(&o.require, "require", "", "coverage the gate demands (exit 1 when unmet): \"must\": no MUST requirement went unchecked for a reason you can fix (a secret, an address, the budget, an error); what the selection excluded, what does not apply, what the target blocked and what no run can check (a 30-day lifetime) pass; \"complete\": also nothing was excluded by the selection, SHOULD requirements included")
	fs.StringVar(&o.baseline, "baseline", "", "file of known failures, one a line (\"CASE REQUIREMENT check=... expected=... reason [link]\", as --write-baseline writes them): they are XFAIL and do not fail the run; a different failure of the case does, and so does a known one that no longer fails")
	fs.StringVar(&o.writeBaseline, "write-baseline", "", "write the run's failing findings to this file as a baseline (overwriting it; the reasons of known ones are kept); the exit code is the run's")
	fs.StringVar(&o.targets, "targets", "", "run a fleet: a YAML or JSON file of targets (name, url, optional web, http, plan, legacy, baseline, allow-reconfigure, secrets by variable name), each with its reports and journal in <report-dir>/<name>/ (README, Fleets)")
	fs.IntVar(&o.parallel, "parallel", 0, fmt.Sprintf("with --targets: how many targets run at once (0: %d, fewer when the open-files limit or the memory is lower)", fleet.DefaultParallel))
	fs.StringVar(&o.shard, "shard", "", "with --targets: run shard K of N (1-based, e.g. 2/3): the targets whose SHA-256(name) mod N is K-1 (default: GitLab's CI_NODE_INDEX/CI_NODE_TOTAL)")
	fs.IntVar(&o.shardTotal, "shard-total", 0, "with --targets in a Kubernetes Indexed Job: the number of shards N, the shard being JOB_COMPLETION_INDEX (0-based) + 1")
	fs.Var(&o.variants, "variant", "embedded reference server only: another conformant behaviour (repeatable; conform serve --list-faults)")
}

// journalName is the file name under --report-dir where conform before
// v2 journals kept the recovery journal (still looked for, never written
// by a single run), and under <report-dir>/<name>/ where a fleet's
// target keeps its own (fleet.go).
const journalName = "reconfigure-journal.json"

// restoreReserve is the share of --timeout kept for putting a
// reconfigured target back: enough for the restore's dials and exchanges
// (a few logins, getAuthInfo, two changes), at most a quarter of the run.
// A signal or --timeout in the middle of a reconfiguring case leaves the
// restore this long.
func restoreReserve(timeout, response time.Duration) time.Duration {
	full := engine.DefaultRestoreBound(engine.Target{DialTimeout: response, ResponseTimeout: response})
	return min(full, max(timeout/4, time.Second))
}

// checkURL checks a URL flag: one of the schemes, a host (ws://:8765/
// has a port but no host), a port in range, and no credentials (secrets
// come from the environment).
func checkURL(flagName, v string, schemes ...string) error {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || !contains(schemes, u.Scheme) {
		return fmt.Errorf("%s must be a %s URL, not %q", flagName, strings.Join(schemes, ":// or ")+"://", v)
	}
	if u.Hostname() == "" {
		return fmt.Errorf("%s %q names no host", flagName, v)
	}
	if u.User != nil {
		return fmt.Errorf("%s must not carry credentials; secrets come from CONFORM_* variables", flagName)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("%s: port %s is not in 1..65535", flagName, p)
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// urlFlags are the URL flags whose explicitly empty value is refused:
// empty means "not given" only when it was not given.
var urlFlags = []string{"target", "web", "http"}

// checkEmptyURLs refuses a URL flag given as "": on the command line, in
// the --config file, or as a CONFORM_* variable set to "" when nothing
// else set the flag. An unset $ROOM_URL expands to that, and running the
// embedded reference server instead (and passing) would be the answer to
// a question nobody asked.
func checkEmptyURLs(from map[string]string, values map[string]string, e env) error {
	for _, f := range urlFlags {
		if values[f] != "" {
			continue
		}
		where := ""
		switch from[f] {
		case fromFlag:
			where = "--" + f + " is given as \"\""
		case fromFile:
			where = "--config sets " + f + " to \"\""
		case fromDefault:
			if _, set := e(envName(f)); set {
				where = envName(f) + " is set but empty"
			}
		}
		if where == "" {
			continue
		}
		leave := "leave it out"
		if from[f] == fromDefault {
			leave = "unset it"
		}
		msg := where + " (an unset variable?): an empty URL is refused; " + leave
		if f == "target" {
			msg += " to run the embedded reference server"
		}
		return errors.New(msg)
	}
	return nil
}

// validate turns flags into the session config and the selection; from
// says where each flag's value came from (--pace demands its lockout be
// declared, never defaulted), e the environment they were read from.
func (o *runOptions) validate(from map[string]string, e env) (session.Config, conductor.Selection, error) {
	var cfg session.Config
	fail := func(format string, args ...any) (session.Config, conductor.Selection, error) {
		return cfg, conductor.Selection{}, fmt.Errorf(format, args...)
	}
	if err := checkEmptyURLs(from, map[string]string{"target": o.target, "web": o.web, "http": o.httpURL}, e); err != nil {
		return fail("%w", err)
	}
	switch o.plan {
	case "pro", "free":
		cfg.Plan = caselang.Plan(o.plan)
	default:
		return fail("--plan must be pro or free, not %q", o.plan)
	}
	if o.target != "" {
		if err := checkURL("--target", o.target, "ws", "wss"); err != nil {
			return fail("%w", err)
		}
	}
	for _, u := range []struct{ flag, v string }{{"--web", o.web}, {"--http", o.httpURL}} {
		if u.v == "" {
			continue
		}
		if err := checkURL(u.flag, u.v, "http", "https"); err != nil {
			return fail("%w", err)
		}
	}
	live := o.target != "" || o.web != ""
	if live && (o.profile != "" || len(o.faults) > 0 || len(o.variants) > 0) {
		return fail("--profile, --fault and --variant configure the embedded reference server; they do not go with --target or --web")
	}
	if o.profile != "" {
		if _, err := refserver.LookupProfile(o.profile); err != nil {
			return fail("--profile: %w", err)
		}
	}
	if err := knownNames(o.faults, o.variants); err != nil {
		return fail("%w", err)
	}
	cfg.Embedded = session.Embedded{Profile: o.profile, Faults: o.faults, Variants: o.variants}
	if o.responseTimeout <= 0 || o.timeout <= 0 {
		return fail("--timeout and --response-timeout must be positive")
	}
	tlsConf, err := o.tlsConfig()
	if err != nil {
		return fail("%w", err)
	}
	st := o.settings
	if st.HTTPTokenTTL <= 0 || st.TokenTTL <= 0 || st.PINTokenMin <= 0 || st.Tolerance <= 0 || st.LockoutWait <= 0 || st.LockoutAttempts < 1 {
		return fail("lifetimes, --lifetime-tolerance, --lockout-wait and --lockout-attempts must be positive")
	}
	if st.LockoutAttempts > maxLockoutAttempts {
		return fail("--lockout-attempts %d: at most %d", st.LockoutAttempts, maxLockoutAttempts)
	}
	if st.LockoutWait > maxLockoutWait {
		return fail("--lockout-wait %s: at most %s", st.LockoutWait, maxLockoutWait)
	}
	if st.PINTokenMin > st.TokenTTL {
		if st.PINTokenMin != caselang.DefaultSettings().PINTokenMin {
			return fail("--pin-token-ttl-min must not exceed --token-ttl")
		}
		// A short --token-ttl alone: the PIN window shrinks with it.
		st.PINTokenMin = st.TokenTTL
	}
	if st.Tolerance >= st.HTTPTokenTTL {
		return fail("--lifetime-tolerance must be shorter than --http-token-ttl")
	}
	// Poll the end of a lockout sixty times over the wait: 5 s for 5 min.
	st.PollInterval = st.LockoutWait / 60
	cfg.Settings, cfg.Web, cfg.HTTP = st, o.web, o.httpURL
	if o.wrongBudget < budget.Unlimited {
		return fail("--wrong-credential-budget must be -1 (no limit) or more, not %d", o.wrongBudget)
	}
	cfg.WrongBudget = o.wrongBudget
	if o.pace {
		p, err := o.paceOf(live, from)
		if err != nil {
			return fail("%w", err)
		}
		cfg.Pace = p
		if from["wrong-credential-budget"] == fromDefault {
			// The pace is the safety: the default budget would leave
			// out what a paced run is for.
			cfg.WrongBudget = budget.Unlimited
		}
	} else if from["lockout-window"] != fromDefault {
		return fail("--lockout-window is the declared lockout --pace keeps under; it does nothing without --pace")
	}
	cfg.Seed = o.seed
	if cfg.Seed == 0 {
		cfg.Seed = uint64(time.Now().UnixNano())
	}
	if !contains(reports.Requires, o.require) {
		return fail("--require must be \"must\" or \"complete\" (or empty), not %q", o.require)
	}
	cfg.Target, cfg.Strict, cfg.Legacy, cfg.TLS = o.target, o.strict, o.legacy, tlsConf
	cfg.DialTimeout, cfg.ResponseTimeout = o.responseTimeout, o.responseTimeout
	sel := conductor.Selection{LabelFilter: o.labelFilter, Cases: o.cases, Requirements: o.requirements, AllowReconfigure: o.reconfigure}.ForTarget(live)
	if live {
		// session.Open refuses to start over a pending journal, with or
		// without --allow-reconfigure: the target may be left changed.
		// "" is the default, chosen by session.Open once the WebSocket is
		// known (reconf.DefaultJournalPath), never the report directory.
		cfg.Journal = o.journal
		if err := checkJournal(cfg.Journal); cfg.Journal != "" && err != nil {
			return fail("%w", err)
		}
		if old := filepath.Join(o.reportDir, journalName); o.journal == "" {
			if _, pending, _ := readJournal(old); pending {
				return fail("a recovery journal from an earlier run is at %s: the target may still be reconfigured; run `conform restore --journal %s` first", old, old)
			}
		}
	}
	if live && o.reconfigure {
		cfg.RestoreTimeout = restoreReserve(o.timeout, o.responseTimeout)
	}
	return cfg, sel, nil
}

// paceOf is the declared lockout of a paced run: both of its flags set
// explicitly (flag, CONFORM_*, --config), never by default, since a wrong
// guess locks the device's administrator out.
func (o *runOptions) paceOf(live bool, from map[string]string) (*budget.Pace, error) {
	if !live {
		return nil, fmt.Errorf("--pace paces a live target (--target or --web); the embedded reference server cannot be locked out by the suite")
	}
	var unset []string
	for _, f := range []string{"lockout-attempts", "lockout-window"} {
		if from[f] == fromDefault {
			unset = append(unset, "--"+f)
		}
	}
	if len(unset) > 0 {
		return nil, fmt.Errorf("--pace needs the target's lockout declared: set %s explicitly (flag, %s or --config), as the device's documentation or its administrator gives them; a default could lock the device",
			strings.Join(unset, " and "), envName(strings.TrimPrefix(unset[0], "--")))
	}
	if o.lockoutWindow > maxLockoutWait {
		return nil, fmt.Errorf("--lockout-window %s: at most %s", o.lockoutWindow, maxLockoutWait)
	}
	p := &budget.Pace{Attempts: o.settings.LockoutAttempts, Window: o.lockoutWindow, Tolerance: o.settings.Tolerance}
	if why := p.Validate(); why != "" {
		return nil, errors.New(why)
	}
	return p, nil
}

func (o *runOptions) tlsConfig() (*tls.Config, error) {
	if !o.insecure && o.caFile == "" {
		return nil, nil
	}
	c := &tls.Config{InsecureSkipVerify: o.insecure} //nolint:gosec // explicit operator choice
	if o.caFile != "" {
		pem, err := opfile.ReadFile(o.caFile, opfile.CALimit)
		if err != nil {
			return nil, fmt.Errorf("--ca-file %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--ca-file %s: no PEM certificate found", o.caFile)
		}
		c.RootCAs = pool
	}
	return c, nil
}

// printConfig shows the effective configuration: every flag's value and
// where it came from (flag, environment, config file, default), then each
// secret variable as set or not, never its value. The writer redacts, so a
// secret in a URL's query is not shown either.
func printConfig(w io.Writer, fs *flag.FlagSet, from map[string]string, secrets engine.Secrets, files reports.Files, e env) {
	fmt.Fprintln(w, "# conform run: effective configuration (flag > CONFORM_* > --config file > default);")
	fmt.Fprintln(w, "# it is itself a --config file, which sets what was set (defaults and derived paths are comments)")
	reportPaths := map[string]string{"junit-report": files.JUnit, "json-report": files.JSON, "html-report": files.HTML, "summary-report": files.Summary}
	fs.VisitAll(func(f *flag.Flag) {
		v := f.Value.String()
		switch f.Name {
		case "print-config":
			return
		case "config":
			fmt.Fprintf(w, "# config: %q\n", v) // a file names no other file
			return
		}
		where := from[f.Name]
		p, derived := reportPaths[f.Name]
		if derived {
			v = p // the path the report goes to ("" for none), not the flag's raw value
		}
		// A value nobody set is shown as a comment: read back as a
		// --config file, the output then pins only what was set, and a
		// report path stays derived from whatever --report-dir says then
		// (an empty --target would even be refused).
		prefix := ""
		if where == fromDefault {
			prefix = "# "
			switch {
			case derived && p == reports.Stdout:
				where = "stdout: --json"
			case derived:
				where = "derived from report-dir"
			}
		}
		fmt.Fprintf(w, "%s%-26s %-40q # %s\n", prefix, f.Name+":", v, where)
	})
	fmt.Fprintln(w, "# secrets (only from the environment):")
	for _, k := range caselang.SecretKinds {
		state := "not set"
		if _, ok := secrets.Get(k); ok {
			state = "set (value not shown)"
		} else if _, set := e(k.EnvVar()); set {
			// An unset CI secret often arrives so: say which it is.
			state = "set but empty: not used"
		}
		fmt.Fprintf(w, "# %-26s %s\n", k.EnvVar()+":", state)
	}
}

// verbosity is the console's level from -v and -vv.
func (o *runOptions) verbosity() int {
	switch {
	case o.veryVerbose:
		return console.Everything
	case o.verbose:
		return console.Lines
	}
	return console.Quiet
}

// gate reads --require and --baseline (validated already: --require).
func (o *runOptions) gate() (reports.Gate, error) {
	g := reports.Gate{Require: o.require}
	if o.baseline == "" {
		return g, nil
	}
	b, err := opfile.ReadFile(o.baseline, opfile.BaselineLimit)
	if err != nil {
		return g, fmt.Errorf("--baseline %w", err)
	}
	g.Baseline, err = reports.ParseBaseline(bytes.NewReader(b), o.baseline, cases.Catalogue())
	if err != nil {
		return g, fmt.Errorf("--baseline: %w", err)
	}
	return g, nil
}

func (o *runOptions) files() reports.Files {
	f := reports.DefaultFiles(o.reportDir)
	for _, p := range []struct {
		flag pathFlag
		path *string
	}{{o.junitReport, &f.JUnit}, {o.jsonReport, &f.JSON}, {o.htmlReport, &f.HTML}, {o.summaryReport, &f.Summary}} {
		if p.flag.set {
			*p.path = p.flag.path
		}
	}
	if o.jsonStdout {
		f.JSON = reports.Stdout
	}
	f.Baseline = o.writeBaseline
	return f
}

// runFlagGroup is a heading of `conform run -h` and the flags under it.
type runFlagGroup struct {
	title, note string
	flags       []string
}

// runFlagGroups orders `conform run -h`: every flag of register in exactly
// one group (TestRunHelpIsGrouped fails on a flag added without one).
var runFlagGroups = []runFlagGroup{
	{"Target", "the server under test; without --target or --web, the embedded reference server",
		[]string{"target", "web", "http", "http-probe-path", "plan", "legacy", "insecure-skip-verify", "ca-file", "profile", "fault", "variant"}},
	{"Secrets and configuration", "secrets only from the environment: CONFORM_ADMIN_PASSWORD, CONFORM_ADMIN_PIN,\n  CONFORM_USER_PASSWORD, CONFORM_USER_PIN; never a flag, never the --config file.\n  Every flag of every group is also read from CONFORM_<FLAG>, then from a key of --config",
		[]string{"config", "print-config"}},
	{"Selection", "which cases run",
		[]string{"label-filter", "case", "requirement", "seed"}},
	{"Live safety", "what a run may do to a live device",
		[]string{"wrong-credential-budget", "pace", "lockout-attempts", "lockout-window", "allow-reconfigure", "journal"}},
	{"Reports", "the verdict, the gate, the console and the files",
		[]string{"strict", "require", "baseline", "write-baseline", "report-dir", "junit-report", "json-report", "html-report", "summary-report", "json", "v", "vv"}},
	{"Fleet", "many targets in one process: each target's run is serial, --parallel of them at once, through the\n  in-process executor, not Ginkgo (Ginkgo's RunSpecs runs once a process); the flags above apply to every\n  target, an entry's fields override them; --target, --web, --http and the report paths come from the entries",
		[]string{"targets", "parallel", "shard", "shard-total"}},
	{"Timing", "bounds of the run and the lifetimes it judges",
		[]string{"timeout", "response-timeout", "http-token-ttl", "token-ttl", "pin-token-ttl-min", "lifetime-tolerance", "lockout-wait"}},
}

// runExamples close `conform run -h`.
const runExamples = `Examples:
  # the whole suite against the embedded reference server
  conform run
  # a live device; secrets come from the environment, never from a flag
  export CONFORM_ADMIN_PASSWORD=...   # or read -rs CONFORM_ADMIN_PASSWORD; export it
  conform run --target ws://192.0.2.10:8765/ --web http://192.0.2.10
  # a CI gate: every MUST requirement checked, known failures in a baseline (docs/ci.md)
  conform run --target ws://192.0.2.10:8765/ --web http://192.0.2.10 \
    --require must --baseline known-failures.txt --report-dir conform-report
`

// runUsage prints `conform run -h`: the flags by group, each as
// flag.PrintDefaults would, then the examples. A flag no group names is
// still shown, under "Other".
func runUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, "Usage: conform run [flags] [-- ginkgo flags]\n")
	shown := map[string]bool{}
	groups := runFlagGroups
	var other []string
	fs.VisitAll(func(f *flag.Flag) {
		found := false
		for _, g := range groups {
			found = found || slices.Contains(g.flags, f.Name)
		}
		if !found {
			other = append(other, f.Name)
		}
	})
	if len(other) > 0 {
		groups = append(groups, runFlagGroup{"Other", "", other})
	}
	for _, g := range groups {
		fmt.Fprintf(w, "\n%s:\n", g.title)
		if g.note != "" {
			fmt.Fprintf(w, "  %s\n", g.note)
		}
		for _, name := range g.flags {
			if f := fs.Lookup(name); f != nil && !shown[name] {
				shown[name] = true
				printFlag(w, f)
			}
		}
	}
	fmt.Fprint(w, "\n"+runExamples)
}

// printFlag prints one flag in flag.PrintDefaults's form.
func printFlag(w io.Writer, f *flag.Flag) {
	typ, usage := flag.UnquoteUsage(f)
	line := "  -" + f.Name
	if typ != "" {
		line += " " + typ
	}
	usage = strings.ReplaceAll(usage, "\n", "\n    \t")
	switch f.DefValue {
	case "", "0", "false", "0s":
	default:
		if typ == "string" {
			usage += fmt.Sprintf(" (default %q)", f.DefValue)
		} else {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
	}
	fmt.Fprintf(w, "%s\n    \t%s\n", line, usage)
}
