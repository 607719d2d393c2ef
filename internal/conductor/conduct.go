// Package conductor owns a run, from its configuration to its reports:
// the session (the embedded reference server or a live target) and its
// preflight, the plan (selection, the live-safety policy, the
// wrong-credential budget, the walk's sections), the execution of the
// plan by an executor, the conclusion (restore, verdict, coverage,
// baseline) and the reports. Every way of running the suite goes through
// Run: `conform run` and `go test ./suite` with the Ginkgo executor
// (package suite), the project's own tests with InProcess, which needs no
// Ginkgo and so can run many whole runs in one process.
package conductor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/console"
	"github.com/roomconform/conform/internal/preflight"
	"github.com/roomconform/conform/internal/reconf"
	"github.com/roomconform/conform/internal/session"
	"github.com/roomconform/conform/internal/term"
	"github.com/roomconform/conform/internal/wire"
	"github.com/roomconform/conform/reports"
)

// Config is a run's whole configuration, whatever the route.
type Config struct {
	// Session is the target and how to talk to it (its Redactor is the
	// run's: every output passes it).
	Session session.Config
	// Selection is which cases run, made with Selection.ForTarget.
	Selection Selection
	// Gate is what the verdict demands beyond the cases' verdicts.
	Gate reports.Gate
	// Files are where the reports go (reports.Files{}: none).
	Files reports.Files
	// Timeout bounds the whole run, preflight and reports included (0:
	// one hour).
	Timeout time.Duration
	// Version is the tool's, for the header and the reports.
	Version string
	// Verbosity and NoColor are the console's.
	Verbosity int
	NoColor   bool
	// Console gets the header, each case as it ends and the summary;
	// redact it before it gets here. nil: nothing is printed.
	Console io.Writer
	// Raw is the console's own stream past the redactor: the verdict
	// line (the run's structure alone, which a token the target chose
	// equal to one of its words must not erase) and, when the redactor
	// overflowed, a fixed explanation. nil: Console.
	Raw io.Writer
	// Errors gets the one-line errors (redacted), each after Name.
	Errors io.Writer
	// RawErrors is the errors' own stream past the redactor, for the
	// fixed explanation of a redactor that overflowed. nil: Raw.
	RawErrors io.Writer
	// Name starts every error line ("conform run").
	Name string
	// CasesByExecutor: the executor's own reporter shows each case as it
	// ends (Ginkgo's, on the go test route); the console gets the header
	// and the summary only.
	CasesByExecutor bool
	// Signals: an interrupt or SIGTERM ends the run (with reports for
	// what is known), and a second one ends the writing of the reports.
	Signals bool
}

// Executor runs a plan's entries: for each, in order, Plan.Run, then
// Plan.Stop when the executor stopped the case itself, then Plan.Show. It
// starts no entry once ctx has ended (and says why with Plan.Interrupt
// when it knows better than ctx).
type Executor interface {
	Execute(ctx context.Context, p *Plan) error
}

// InProcess is the executor without Ginkgo: it runs the entries in order
// on the calling goroutine, each bounded by its Entry.Timeout. Whole runs
// can be started side by side in one process (the project's own tests,
// the mutation matrix).
type InProcess struct {
	// InMemory carries the embedded reference servers' connections through
	// memory instead of loopback sockets (session.Config.InMemory): the
	// mutation matrix's hundreds of runs then spend no processor time in
	// the kernel's network stack.
	InMemory bool
	// Dial, when set, opens the connections to a live target
	// (session.Config.Dial): the tests' servers on an in-process network.
	Dial wire.DialFunc
}

// Execute implements Executor.
func (InProcess) Execute(ctx context.Context, p *Plan) error {
	end, cancel := context.WithTimeout(ctx, p.Timeout)
	defer cancel()
	for _, e := range p.Entries {
		if end.Err() != nil {
			if ctx.Err() == nil {
				p.Interrupt("the run's time bound elapsed")
			}
			return nil
		}
		cctx, cancel := context.WithTimeout(end, e.Timeout)
		panicked := recovered(func() { p.Run(cctx, e) }, func(why string) { p.Stop(e, why) })
		if !panicked && errors.Is(cctx.Err(), context.DeadlineExceeded) && end.Err() == nil {
			p.Stop(e, timedOut(e))
		}
		cancel()
		p.Show(e)
	}
	return nil
}

// recovered calls run; a panic in it is stopped there and said to stop
// ("panic: ..."), as Ginkgo does for a spec: that case is an ERROR, the
// run goes on and restores what it changed, and the other runs of the
// process (a fleet's targets) never see it.
func recovered(run func(), stop func(why string)) (panicked bool) {
	defer func() {
		if r := recover(); r != nil {
			panicked = true
			stop(fmt.Sprintf("panic: %v", r))
		}
	}()
	run()
	return false
}

// Run conducts one run with exec and returns its result and the exit code
// it ends with. The reports are written (Config.Files) and the summary
// printed whatever happens after the preflight; a run that cannot start
// writes reports that say why. A usage error (a bad selection, a report
// or journal directory it cannot write in, a paced run that cannot finish
// in time) returns before anything is sent, with a zero result and
// reports.ExitUsage.
func Run(ctx context.Context, cfg Config, exec Executor) (reports.Run, int) {
	red := cfg.Session.Redactor
	if cfg.Timeout <= 0 {
		cfg.Timeout = time.Hour
	}
	con, errOut := orDiscard(cfg.Console), orDiscard(cfg.Errors)
	raw := cfg.Raw
	if raw == nil {
		raw = con
	}
	fail := func(err error) {
		fmt.Fprintf(errOut, "%s: %s\n", cfg.Name, term.Line(err.Error()))
	}
	sel := cfg.Selection
	selected, err := Select(sel)
	if err == nil {
		err = cfg.checkWritable()
	}
	if err != nil {
		fail(err)
		return reports.Run{}, reports.ExitUsage
	}
	// The run's context, from here on: the caller's (its signals), and
	// the time bound less the share kept for the reports (they are what
	// the run is for) and for a restore.
	start := time.Now()
	if cfg.Signals {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
	}
	casesEnd := start.Add(cfg.Timeout - reportReserve(cfg.Timeout) - cfg.Session.RestoreTimeout)
	casesCtx, casesCancel := context.WithDeadline(ctx, casesEnd)
	defer casesCancel()

	if cfg.Console != nil && !cfg.CasesByExecutor {
		cfg.Session.Progress = con // long waits, heard as the cases run
	}
	ip, ok := exec.(InProcess)
	if p, isPtr := exec.(*InProcess); isPtr && p != nil {
		ip, ok = *p, true
	}
	if ok {
		cfg.Session.InMemory = ip.InMemory
		cfg.Session.Dial = ip.Dial
	}
	sess, err := session.Open(casesCtx, cfg.Session)
	if err == nil && casesCtx.Err() != nil {
		// Interrupted just after the preflight: no case is started.
		sess.Close()
		err = casesCtx.Err()
	}
	if err != nil {
		return cfg.preflightFailed(casesCtx, err, sess, selected, start)
	}
	defer sess.Close()
	stages, err := sess.Stages(casesCtx, sel.AllowReconfigure)
	if err != nil {
		return cfg.preflightFailed(casesCtx, err, sess, selected, start)
	}
	// The generated cases of other profiles than the target's are not
	// part of its run.
	own := sess.Runner.Config().Profile
	sel.Profile = &own
	if selected, err = Select(sel); err != nil {
		return cfg.preflightFailed(casesCtx, err, sess, selected, start)
	}
	allowed := sel.OptedInOf(selected)
	sections := PlanSections(own, allowed, stages)
	printHeader(con, cfg.Version, sess, sel, selected, sections)
	p := newPlan(casesCtx, sess.Runner, sel, selected, sections)
	p.budget, p.walker = sess.Budget, sess.Walk
	var elsewhere []caselang.Case
	for _, sec := range sections {
		elsewhere = append(elsewhere, sec.Cases...)
	}
	sess.Budget.Plan(own, allowed, elsewhere...)
	if err := p.checkPace(con, time.Until(casesEnd)); err != nil {
		fail(err)
		return reports.Run{}, reports.ExitUsage
	}
	p.Timeout = max(time.Until(casesEnd), time.Millisecond)
	p.Verbosity, p.NoColor = cfg.Verbosity, cfg.NoColor
	if cfg.Console != nil && !cfg.CasesByExecutor {
		strict := cfg.Session.Strict
		known := func(c reports.Case) bool { return cfg.Gate.Baseline.Expects(c, strict) }
		p.progress = &console.Progress{W: con, Verbosity: cfg.Verbosity, Color: !cfg.NoColor, Known: known}
	}
	if err := exec.Execute(casesCtx, p); err != nil {
		fail(err)
		return reports.Run{}, reports.ExitUsage
	}
	if p.progress != nil {
		p.progress.Done()
	}
	result := p.conclude(casesCtx, start, cfg.Gate, cfg.Files.ShowTranscripts())
	if journal := sess.Runner.Config().Journal; journal != "" && result.RestoreError == "" {
		// Whatever ended the run, a journal left behind means a change that
		// was not undone (a restore abandoned, or that failed); one that
		// cannot be read counts too.
		if _, left, err := reconf.ReadJournal(journal); left || err != nil {
			result.RestoreError = fmt.Sprintf("the recovery journal is still at %s: run `conform restore --journal %s`", journal, journal)
			result.Tally(cases.Catalogue())
		}
	}
	result.Version = cfg.Version
	result.Target.Embedded = sess.Embedded
	result.Server = embeddedServer(cfg.Session)
	result.Preflight.OK = true
	if why := interruption(casesCtx); why != "" && result.Interrupted == "" {
		// A signal after the cases ended: the reports are still written.
		result.Interrupted = why
		result.Tally(cases.Catalogue())
	}
	overflowed := red.Overflowed()
	if overflowed {
		// Decided before the reports are written: they say the exit code
		// the process ends with.
		result.InfrastructureError = fmt.Sprintf("%s: its text is withheld from the console and the reports", red.Overflow())
		result.Tally(cases.Catalogue())
	}
	flush(con)
	wctx, wcancel := cfg.reportCtx(start)
	defer wcancel()
	werr := writeReports(wctx, &result, cfg.Files)
	if overflowed {
		// Nothing of the target's can be shown: the verdict's structure and
		// a fixed explanation, straight to the console.
		rawErr := cfg.RawErrors
		if rawErr == nil {
			rawErr = raw
		}
		console.Counts(raw, result)
		fmt.Fprintf(rawErr, "%s: infrastructure error: %s; its text is withheld from the console and the reports\n", cfg.Name, red.Overflow())
		if werr != nil {
			fmt.Fprintf(rawErr, "%s: the reports could not be written either\n", cfg.Name)
		}
		return result, result.Summary.ExitCode
	}
	if cfg.Console != nil {
		console.SummaryTo(con, raw, result, cfg.Verbosity > console.Quiet)
	}
	if werr != nil {
		fail(werr)
		return result, result.Summary.ExitCode
	}
	fmt.Fprintf(con, "reports: %s\n", cfg.Files)
	cfg.baselineWithheld(con, result)
	return result, result.Summary.ExitCode
}

// preflightFailed reports a run that could not start: one line on the
// errors, and reports where every selected case is an ERROR, so a
// pipeline sees why. A signal or the time bound during the preflight is
// an interrupted run (exit 1), like one during the cases.
func (cfg Config) preflightFailed(ctx context.Context, err error, sess *session.Session, selected []caselang.Case, start time.Time) (reports.Run, int) {
	code, what := reports.ExitUnreachable, "target unreachable"
	interrupted := interruption(ctx)
	var usage *UsageError
	switch {
	case interrupted != "":
		code, what = reports.ExitNotConformant, interrupted+" during the preflight"
	case preflight.IsConfig(err) || errors.As(err, &usage):
		code, what = reports.ExitUsage, "configuration error"
	}
	msg := err.Error()
	// One line: the error may quote the target (a method name), whose
	// newline must not print a line of its own.
	fmt.Fprintf(orDiscard(cfg.Errors), "%s: %s: %s\n", cfg.Name, what, term.Line(msg))
	run := reports.Run{
		Schema: reports.Schema, Tool: "conform", Version: cfg.Version, StartedAt: start,
		Duration: time.Since(start).Seconds(), Target: reports.Target{URL: cfg.Session.Target, Embedded: cfg.Session.Target == "" && cfg.Session.Web == ""},
		Preflight: reports.Preflight{Error: msg}, Server: embeddedServer(cfg.Session),
	}
	if sess != nil && sess.Probe != nil {
		run.Preflight.Transcript = Frames(sess.Probe)
	}
	for _, c := range selected {
		rc := reports.Case{ID: c.ID, Title: c.Title, Group: c.Group(), Labels: c.Labels, Verdict: caselang.Error,
			Message: "not run: " + what + ": " + msg}
		for _, id := range c.Requirements {
			rc.Requirements = append(rc.Requirements, reports.Requirement{ID: id, Level: string(caselang.LevelOf(id))})
		}
		run.Cases = append(run.Cases, rc)
	}
	run.Interrupted = interrupted
	cfg.Gate.Apply(&run, cases.Catalogue())
	run.Summary.ExitCode = code
	run.Summary.Verdict = what
	wctx, wcancel := cfg.reportCtx(start)
	defer wcancel()
	run = run.Redacted(cfg.Session.Redactor.Redact)
	if werr := reports.WriteAll(wctx, run, cfg.Files); werr != nil {
		fmt.Fprintf(orDiscard(cfg.Errors), "%s: %s\n", cfg.Name, term.Line(werr.Error()))
	}
	cfg.baselineWithheld(orDiscard(cfg.Errors), run)
	return run, code
}

// embeddedServer is the setup of the embedded reference server as the
// operator gave it, for the causes' rerun commands (nil for a live
// target): names only, no secret.
func embeddedServer(s session.Config) *reports.Server {
	if s.Target != "" || s.Web != "" {
		return nil
	}
	e := s.Embedded
	return &reports.Server{Profile: e.Profile, Faults: e.Faults, Variants: e.Variants}
}

// orDiscard is w, or a writer that drops everything for nil.
func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// flush flushes w when it buffers (a redacting writer holds back what
// may be the start of a secret).
func flush(w io.Writer) {
	if f, ok := w.(interface{ Flush() error }); ok {
		_ = f.Flush()
	}
}

// baselineWithheld says, when --write-baseline was asked for, that the
// run wrote none and why (reports.Run.BaselineWithheld): the file the
// operator named is left as it was.
func (cfg Config) baselineWithheld(w io.Writer, r reports.Run) {
	if cfg.Files.Baseline == "" {
		return
	}
	if why := r.BaselineWithheld(); why != "" {
		fmt.Fprintf(w, "%s: --write-baseline: %s left as it was: %s\n", cfg.Name, term.Line(cfg.Files.Baseline), why)
	}
}
