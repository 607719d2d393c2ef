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
	secrets := targetsSecrets(e, file.Targets)
	addSecrets(fleetRed, secretsOf(e))
	addSecrets(fleetRed, secrets)
	base := filepath.Dir(o.targets)
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
			return usage("%s", fleetRed.Redact(configLine(buf, code, "conform run: ")))
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
			ft.invalid = configLine(*ft.out, code, "conform run: ")
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
		addSecrets(ft.red, secrets)
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
