package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/conductor"
	"github.com/roomconform/conform/internal/fleet"
	"github.com/roomconform/conform/internal/redact"
	"github.com/roomconform/conform/internal/term"
	"github.com/roomconform/conform/reports"
)

// The fleet route: `conform run --targets FILE` runs every target of
// this shard through conductor.Run with the in-process executor (Ginkgo's
// RunSpecs runs once a process, so the fleet does without Ginkgo), each
// target serial inside, --parallel of them at once.

// fleetDeps are what a fleet run takes from the machine; the tests give
// their own (an in-process network, a resolver, a limit, no signals).
type fleetDeps struct {
	exec    conductor.InProcess
	resolve fleet.Resolver
	// limits are the machine's: open files and memory.
	limits func() (fleet.Limits, error)
	// signals: SIGINT and SIGTERM interrupt every running target.
	signals bool
}

// systemFleet are the deps of `conform run --targets`.
func systemFleet(exec conductor.InProcess) fleetDeps {
	return fleetDeps{exec: exec, resolve: fleet.SystemResolver, limits: systemLimits, signals: true}
}

// systemLimits are the process's open-files limit and the memory it may
// use. Inside a container with a memory limit (and no GOMEMLIMIT), the
// garbage collector is told nine tenths of it: it then works harder near
// the limit instead of letting the heap grow into it.
func systemLimits() (fleet.Limits, error) {
	files, err := fleet.OpenFilesLimit()
	if err != nil {
		return fleet.Limits{}, err
	}
	mem, container := fleet.MemoryLimit()
	if container > 0 && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(int64(container / 10 * 9))
	}
	return fleet.Limits{OpenFiles: files, Memory: mem}, nil
}

// singleTargetFlags are the flags of one target or one file, which a
// fleet takes from each entry or makes per target: given with --targets
// they are refused.
var singleTargetFlags = []string{"target", "web", "http", "journal", "junit-report", "json-report", "html-report",
	"summary-report", "json", "write-baseline", "print-config", "profile", "fault", "variant"}

// targetsGiven says whether args (or CONFORM_TARGETS, or the --config
// file) ask for the fleet route. A mistake in args is not a fleet's: the
// single run's parse reports it.
func targetsGiven(args []string, e env) bool {
	var o runOptions
	fs := newFlagSet("run", io.Discard, "")
	o.register(fs)
	if _, err := parse(fs, args, e.get); err != nil {
		return false
	}
	return o.targets != ""
}

// fleetMember is a target of the fleet as its run's configuration sees
// it: the entry's fields override the global flags.
type fleetMember struct {
	t   fleet.Target
	dir string // its report directory, <report-dir>/<name>
	// base is the targets file's directory: a relative baseline path in
	// an entry is the file's neighbour.
	base string
}

// apply overrides the global flags with the entry's.
func (m *fleetMember) apply(o *runOptions) {
	o.target, o.web, o.httpURL = m.t.URL, m.t.Web, m.t.HTTP
	if m.t.Plan != "" {
		o.plan = m.t.Plan
	}
	if m.t.Legacy != nil {
		o.legacy = *m.t.Legacy
	}
	if m.t.AllowReconfigure != nil {
		o.reconfigure = *m.t.AllowReconfigure
	}
	if b := m.t.Baseline; b != "" {
		if !filepath.IsAbs(b) {
			b = filepath.Join(m.base, b)
		}
		o.baseline = b
	}
	o.reportDir = m.dir
	// The journal is the target's, in its report directory, where
	// `conform restore --targets` finds it.
	o.journal = filepath.Join(m.dir, journalName)
}

// secretVars are the CONFORM_* secret variables.
func secretVarNames() []string {
	var out []string
	for _, k := range caselang.SecretKinds {
		out = append(out, k.EnvVar())
	}
	return out
}

// targetEnv is the environment a target's run sees: the CONFORM_* secret
// variables only from its secrets map (the global ones never reach a
// target that does not name them), the fleet's own variables hidden, every
// other variable as it is. missing lists the mapped variables that are
// not set.
func targetEnv(e env, t fleet.Target) (te env, missing []string) {
	secretNames := secretVarNames()
	for _, k := range secretNames {
		if v, ok := t.Secrets[k]; ok {
			if val, _ := e(v); val == "" {
				// Not the variable's name: one mistaken for the secret
				// itself (an upper-case PIN passes for a name) would be
				// shown in every report.
				missing = append(missing, fmt.Sprintf("the variable named for %s (the entry at line %d)", k, t.Line))
			}
		}
	}
	sort.Strings(missing)
	hidden := []string{"CONFORM_TARGETS", "CONFORM_PARALLEL", "CONFORM_SHARD", "CONFORM_SHARD_TOTAL"}
	for _, f := range singleTargetFlags {
		hidden = append(hidden, envName(f))
	}
	return func(name string) (string, bool) {
		if slices.Contains(secretNames, name) {
			v, ok := t.Secrets[name]
			if !ok {
				return "", false
			}
			return e(v)
		}
		if slices.Contains(hidden, name) {
			return "", false
		}
		return e(name)
	}, missing
}

// fleetTarget is one target of this shard, ready to run.
type fleetTarget struct {
	t       fleet.Target
	cfg     preparedRun
	red     *redact.Redactor
	missing []string // mapped variables not set: its configuration error
	invalid string   // what its entry's own fields got wrong: its configuration error
	out     *capBuffer
}

// capBuffer keeps the first 64 KiB written to it: a target's own error
// lines, shown after its line on the fleet's console.
type capBuffer struct{ b []byte }

func (c *capBuffer) Write(p []byte) (int, error) {
	if room := 64<<10 - len(c.b); room > 0 {
		c.b = append(c.b, p[:min(len(p), room)]...)
	}
	return len(p), nil
}

// fleetRun is `conform run --targets FILE`: exit code of the fleet
// (reports.Fleet.Tally), 2 for a file or flags that cannot make one.
func fleetRun(ctx context.Context, args []string, stdout, stderr io.Writer, e env, deps fleetDeps) int {
	// Until the file is read, the global secrets are the ones to keep out
	// of an error line.
	red0, _ := secretsFromEnv(e.get)
	errOut := redact.NewWriter(red0, stderr, term.Escape)
	defer errOut.Flush()
	usage := func(format string, a ...any) int {
		fmt.Fprintf(errOut, "conform run: %s\n", term.Line(fmt.Sprintf(format, a...)))
		return exitUsage
	}
	var o runOptions
	fs := newFlagSet("run", errOut, "--targets FILE [flags]")
	o.register(fs)
	from, err := parse(fs, args, e.get)
	if err != nil {
		return usage("%v", err)
	}
	for _, f := range singleTargetFlags {
		if from[f] != fromDefault {
			given := "--" + f
			switch from[f] {
			case fromEnv:
				given = envName(f) + " (in the environment)"
			case fromFlag:
			default:
				given = fmt.Sprintf("%s (from %s)", f, from[f])
			}
			return usage("%s does not go with --targets: each entry of the targets file names its own target (url, web, http), and its reports and journal go to <report-dir>/<name>/", given)
		}
	}
	if fs.NArg() > 0 {
		return usage("unexpected argument %q: a fleet runs without Ginkgo (in-process), so it takes no Ginkgo flags", fs.Arg(0))
	}
	file, err := fleet.Load(o.targets)
	if err != nil {
		return usage("%v", err)
	}
	shard, err := fleet.SelectShard(o.shard, o.shardTotal, e.get)
	if err != nil {
		return usage("%v", err)
	}
	assigned, mine := fleet.Assign(file.Targets, shard)
	// Every entry of the file, not only this shard's: one device must not
	// be in two shards either.
	if err := fleet.CheckConflicts(ctx, file.Targets, deps.resolve); err != nil {
		return usage("%s: %v", o.targets, err)
	}
	limits, err := deps.limits()
	if err != nil {
		return usage("%v", err)
	}
	parallel, err := fleet.Parallel(o.parallel, len(mine), limits)
	if err != nil {
		return usage("%v", err)
	}
	if err := writableDir(o.reportDir); err != nil {
		return usage("the report directory %s cannot be written: %v", o.reportDir, err)
	}

	// Each target's configuration, through the single run's code.
	fleetRed := redact.New()
	fleetRed.ValueOnly(tokenFields...)
	addSecrets(fleetRed, operatorSecrets(e))
	base := filepath.Dir(o.targets)
	for _, t := range file.Targets {
		te, _ := targetEnv(e, t)
		addSecrets(fleetRed, operatorSecrets(te))
	}
	// The global flags alone, with the first entry's address and nothing
	// else of it: a mistake there is every target's, the fleet's usage
	// error. A mistake only an entry's own fields make (a baseline that
	// cannot be read) is that target's configuration error.
	if len(mine) > 0 {
		first := mine[0]
		probe := &fleetMember{t: fleet.Target{Name: first.Name, URL: first.URL}, dir: filepath.Join(o.reportDir, first.Name), base: base}
		te, _ := targetEnv(e, first)
		var buf capBuffer
		if p, code, ok := runConfigOf(args, &buf, &buf, te, probe); !ok {
			p.flush()
			return usage("%s", fleetRed.Redact(configLine(buf, code)))
		}
	}
	targets := make([]*fleetTarget, len(mine))
	for i, t := range mine {
		te, missing := targetEnv(e, t)
		ft := &fleetTarget{t: t, missing: missing, out: &capBuffer{}}
		m := &fleetMember{t: t, dir: filepath.Join(o.reportDir, t.Name), base: base}
		p, code, ok := runConfigOf(args, ft.out, ft.out, te, m)
		if !ok {
			p.flush()
			ft.invalid = configLine(*ft.out, code)
			ft.out.b = nil
			// Its configuration error section is made with the global
			// configuration (its selection), under its own name and
			// report directory.
			m.t = fleet.Target{Name: t.Name, URL: t.URL}
			if p, _, ok = runConfigOf(args, io.Discard, io.Discard, te, m); !ok {
				return usage("target %s: %s", t.Name, fleetRed.Redact(ft.invalid))
			}
		}
		ft.cfg, ft.red = p, p.Session.Redactor
		// The target's console is the fleet's line; its errors go to
		// its buffer; the fleet hears the signals.
		ft.cfg.Console, ft.cfg.Raw, ft.cfg.Signals = nil, nil, false
		ft.cfg.Name = "conform run: " + t.Name
		targets[i] = ft
	}
	// Every target's redactor knows every other's operator secrets: then
	// no section can carry another's, whatever its device echoes.
	for _, ft := range targets {
		for _, o := range file.Targets {
			te, _ := targetEnv(e, o)
			addSecrets(ft.red, operatorSecrets(te))
		}
	}

	con := redact.NewWriter(fleetRed, stdout, term.Escape)
	defer con.Flush()
	fErr := redact.NewWriter(fleetRed, stderr, term.Escape)
	defer fErr.Flush()
	start := time.Now()
	shardWord := "all"
	if shard != nil {
		shardWord = shard.String()
	}
	fmt.Fprintf(con, "conform fleet: %d %s in %s, %d in shard %s, %d at once (in-process, without Ginkgo)\n",
		len(file.Targets), plural(len(file.Targets), "target", "targets"), o.targets, len(mine), shardWord, parallel)
	con.Flush()

	if deps.signals {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
	}
	sections := make([]reports.FleetTarget, len(targets))
	var mu sync.Mutex
	show := func(i int) {
		mu.Lock()
		defer mu.Unlock()
		s := sections[i]
		sum := s.Run.Summary
		fmt.Fprintf(con, "  %-20s %s (exit %d): %d pass, %d fail, %d warn, %d skip, %d error; %s\n",
			s.Name+" ", sum.Verdict, sum.ExitCode, sum.Pass, sum.Fail, sum.Warn, sum.Skip, sum.Error, filepath.Join(o.reportDir, s.Dir))
		for _, l := range whyLines(s.Run, filepath.Join(o.reportDir, s.Dir, "summary.md")) {
			fmt.Fprintf(con, "    %s\n", term.Line(l))
		}
		if s.Run.RestoreError != "" {
			// Its journal names `conform restore --journal`, which reads the
			// global secrets: a fleet's restore reads each target's own.
			fmt.Fprintf(con, "    restore it (with its own secrets): conform restore --targets %s --report-dir %s\n", o.targets, o.reportDir)
		}
		for _, l := range strings.Split(strings.TrimSpace(string(targets[i].out.b)), "\n") {
			if l != "" {
				fmt.Fprintf(con, "    %s\n", term.Line(l))
			}
		}
		con.Flush()
	}
	slots := make(chan struct{}, max(parallel, 1))
	var wg sync.WaitGroup
	for i, ft := range targets {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			// Never started: an interrupted section, its reports written.
			sections[i] = ft.notStarted(ctx, "the fleet run was "+fleetInterruption(ctx)+" before this target started")
			show(i)
			continue
		}
		wg.Go(func() {
			defer func() { <-slots }()
			sec := ft.run(ctx, deps.exec)
			// Its transcripts are in its own results.json: the fleet keeps
			// the rest (memory grows with the targets, not their frames).
			sec.Run = sec.Run.Sectioned()
			sections[i] = sec
			show(i)
		})
	}
	wg.Wait()

	f := reports.Fleet{
		Schema: reports.Schema, Kind: reports.KindFleet, Tool: "conform", Version: version(), StartedAt: start,
		Catalogue: reports.CatalogueDigest(cases.Catalogue()), TargetsDigest: file.Digest, Shard: shard,
		Assigned: assigned, Targets: sections,
	}
	if f.Targets == nil {
		f.Targets = []reports.FleetTarget{}
	}
	// The fleet's reports pass the fleet's redactor too: every operator
	// secret of the fleet.
	for i := range f.Targets {
		f.Targets[i].Run = f.Targets[i].Run.Redacted(fleetRed.Redact)
	}
	f.Duration = time.Since(start).Seconds()
	f.Tally()
	wctx, cancel := context.WithTimeout(context.Background(), max(o.timeout/10, 10*time.Second))
	defer cancel()
	werr := reports.WriteFleet(wctx, f, reports.DefaultFiles(o.reportDir))
	s := f.Summary
	var counts []string
	for _, v := range slices.Sorted(mapKeys(s.Verdicts)) {
		counts = append(counts, fmt.Sprintf("%d %s", s.Verdicts[v], v))
	}
	line := fmt.Sprintf("fleet: %s (exit %d): %d %s", s.Verdict, s.ExitCode, s.Targets, plural(s.Targets, "target", "targets"))
	if len(counts) > 0 {
		line += ": " + strings.Join(counts, ", ")
	}
	if len(s.Worst) > 0 && s.ExitCode != exitOK {
		line += "; worst: " + strings.Join(s.Worst, ", ")
	}
	fmt.Fprintln(con, line)
	if werr != nil {
		fmt.Fprintf(fErr, "conform run: %s\n", term.Line(werr.Error()))
		// The reports are what the run is for: a fleet that would pass (or
		// be incomplete) without them is an error; a worse verdict stands.
		if s.ExitCode == exitOK || s.ExitCode == exitIncomplete {
			return exitUnreachable
		}
		return s.ExitCode
	}
	fmt.Fprintf(con, "reports: %s (each target's under %s)\n", reports.DefaultFiles(o.reportDir), filepath.Join(o.reportDir, "<name>"))
	return s.ExitCode
}

func mapKeys(m map[string]int) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// run runs the target: its configuration error, or conductor.Run.
func (ft *fleetTarget) run(ctx context.Context, exec conductor.InProcess) reports.FleetTarget {
	sec := reports.FleetTarget{Name: ft.t.Name, Dir: ft.t.Name}
	if len(ft.missing) > 0 {
		sec.Run = ft.configError(fmt.Sprintf("secrets: %s not set in the environment", strings.Join(ft.missing, ", ")))
		return sec
	}
	if ft.invalid != "" {
		sec.Run = ft.configError(ft.invalid)
		return sec
	}
	defer ft.cfg.flush()
	run, code := conductor.Run(ctx, ft.cfg.Config, exec)
	if code == reports.ExitUsage && run.Schema == "" {
		// Refused before anything was sent (its report directory, its
		// journal's): that target's configuration error.
		ft.cfg.flush()
		why := strings.TrimSpace(string(ft.out.b))
		if i := strings.LastIndex(why, "\n"); i >= 0 {
			why = why[i+1:]
		}
		sec.Run = ft.configError(strings.TrimPrefix(why, ft.cfg.Name+": "))
		return sec
	}
	sec.Run = run
	return sec
}

// configError is the section of a target that could not start for its
// configuration (exit 2 in its own reports; the fleet counts it as an
// error): every selected case an ERROR that says why, as a run whose
// preflight failed.
func (ft *fleetTarget) configError(why string) reports.Run {
	c := ft.cfg.Config
	run := ft.emptyRun()
	run.Preflight = reports.Preflight{Error: why}
	selected, _ := conductor.Select(c.Selection)
	for _, cs := range selected {
		rc := reports.Case{ID: cs.ID, Title: cs.Title, Group: cs.Group(), Labels: cs.Labels, Verdict: caselang.Error,
			Message: "not run: configuration error: " + why}
		for _, id := range cs.Requirements {
			rc.Requirements = append(rc.Requirements, reports.Requirement{ID: id, Level: string(caselang.LevelOf(id))})
		}
		run.Cases = append(run.Cases, rc)
	}
	c.Gate.Apply(&run, cases.Catalogue())
	run.Summary.ExitCode, run.Summary.Verdict = reports.ExitUsage, "configuration error"
	// The reason heads the verdict's, as for a run that could not start:
	// the console's line and every report say it.
	run.Summary.Why = append([]string{"configuration error: " + why}, run.Summary.Why...)
	return ft.written(run)
}

// notStarted is the section of a target the fleet's interruption kept
// from starting: interrupted (exit 1), no case run.
func (ft *fleetTarget) notStarted(_ context.Context, why string) reports.FleetTarget {
	run := ft.emptyRun()
	run.Interrupted = why
	ft.cfg.Gate.Apply(&run, cases.Catalogue())
	return reports.FleetTarget{Name: ft.t.Name, Dir: ft.t.Name, Run: ft.written(run)}
}

func (ft *fleetTarget) emptyRun() reports.Run {
	return reports.Run{Schema: reports.Schema, Tool: "conform", Version: version(), StartedAt: time.Now(),
		Target: reports.Target{URL: ft.t.URL}, Cases: []reports.Case{}}
}

// written redacts run with the target's redactor and writes its reports
// to its directory (an error there goes to its lines on the console).
func (ft *fleetTarget) written(run reports.Run) reports.Run {
	run = run.Redacted(ft.red.Redact)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := reports.WriteAll(ctx, run, ft.cfg.Files); err != nil {
		fmt.Fprintf(ft.out, "%s\n", term.Line(ft.red.Redact(err.Error())))
	}
	return run
}

// fleetInterruption says why ctx ended.
func fleetInterruption(ctx context.Context) string {
	if errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
		return "out of time"
	}
	return "interrupted"
}

// writableDir creates dir if need be and checks a file can be made in it.
func writableDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".conform-check-*")
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}

// operatorSecrets are the CONFORM_* secrets of an environment: a
// target's, or the global ones (never sent to a target that does not name
// them, but redacted all the same).
func operatorSecrets(te env) map[string]string {
	out := map[string]string{}
	for _, k := range caselang.SecretKinds {
		if v := te.get(k.EnvVar()); v != "" {
			out[string(k)] = v
		}
	}
	return out
}

func addSecrets(red *redact.Redactor, secrets map[string]string) {
	for k, v := range secrets {
		red.Add(k, v)
	}
}

// whyLines say what made a target's verdict when it is not plain, in at
// most three lines: the failing cases, or the verdict's first reasons
// (summary.why, those about a partial run left to its summary).
func whyLines(r reports.Run, summary string) []string {
	if r.Summary.ExitCode == exitOK {
		return nil
	}
	var failing []string
	for _, c := range r.Cases {
		if c.Verdict == caselang.Fail {
			failing = append(failing, c.ID)
		}
	}
	if len(failing) > 0 {
		more := ""
		if len(failing) > 3 {
			more = fmt.Sprintf(" and %d more", len(failing)-3)
			failing = failing[:3]
		}
		return []string{"FAIL: " + strings.Join(failing, ", ") + more + " (" + summary + ")"}
	}
	var out []string
	for _, w := range r.Summary.Why {
		if strings.HasPrefix(w, "partial:") {
			continue
		}
		if len(out) == 2 {
			return append(out, "… more in "+summary)
		}
		out = append(out, w)
	}
	return out
}

// configLine is the one line a refused configuration printed (code 0: it
// ended without an error, which a fleet cannot use either).
func configLine(out capBuffer, code int) string {
	line := strings.TrimSpace(string(out.b))
	if i := strings.LastIndex(line, "\n"); i >= 0 {
		line = line[i+1:]
	}
	line = strings.TrimPrefix(line, "conform run: ")
	if code == exitOK || line == "" {
		return "the configuration ended early"
	}
	return line
}
