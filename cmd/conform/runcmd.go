package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/roomconform/conform/internal/conductor"
	"github.com/roomconform/conform/internal/redact"
	"github.com/roomconform/conform/internal/session"
	"github.com/roomconform/conform/internal/term"
	"github.com/roomconform/conform/reports"
	"github.com/roomconform/conform/suite"
)

// runCmd is `conform run`: the flags, the environment and the config
// file made into the conductor's one Config, run by the Ginkgo executor.
// Everything it prints, on stdout and stderr, passes through the run's
// Redactor first: no secret (the operator's, or a token the target issued)
// reaches the console, whatever path an error takes. A signal or --timeout
// at any point, the preflight included, ends the run with reports for what
// is known and exit 1.
func runCmd(args []string, stdout, stderr io.Writer, e env) int {
	_, code := runEnv(args, stdout, stderr, e, suite.Ginkgo{})
	return code
}

// runWith is runCmd with the executor given and the environment read by
// getenv: the project's tests run the same configuration in-process with
// conductor.InProcess.
func runWith(args []string, stdout, stderr io.Writer, getenv func(string) string, exec conductor.Executor) (reports.Run, int) {
	return runEnv(args, stdout, stderr, getenvOnly(getenv), exec)
}

// runEnv is runWith with the environment as env.
// With --targets it is the fleet route (fleetRun), in-process whatever
// exec is (Ginkgo runs once a process); an InProcess exec is used as it is.
func runEnv(args []string, stdout, stderr io.Writer, e env, exec conductor.Executor) (reports.Run, int) {
	if targetsGiven(args, e) {
		ip, _ := exec.(conductor.InProcess)
		return reports.Run{}, fleetRun(context.Background(), args, stdout, stderr, e, systemFleet(ip))
	}
	cfg, code, ok := runConfig(args, stdout, stderr, e)
	defer cfg.flush()
	if !ok {
		return reports.Run{}, code
	}
	return conductor.Run(context.Background(), cfg.Config, exec)
}

// preparedRun is a run's configuration and the writers it prints to.
type preparedRun struct {
	conductor.Config
	writers []*redact.Writer
}

// flush flushes what the run's redacting writers hold back.
func (p preparedRun) flush() {
	for i := len(p.writers) - 1; i >= 0; i-- {
		p.writers[i].Flush()
	}
}

// runConfig reads `conform run`'s flags, environment and config file into
// the conductor's Config. ok false: the command ends here with code (a
// usage error, or --print-config).
func runConfig(args []string, stdout, stderr io.Writer, e env) (p preparedRun, code int, ok bool) {
	return runConfigOf(args, stdout, stderr, e, nil)
}

// runConfigOf is runConfig for a target of a fleet (member), whose
// entry's fields override the flags, or for a single run (nil).
func runConfigOf(args []string, stdout, stderr io.Writer, e env, member *fleetMember) (p preparedRun, code int, ok bool) {
	red, secrets := secretsFromEnv(e.get)
	errOut := redact.NewWriter(red, stderr, term.Escape)
	p.writers = append(p.writers, errOut)

	var o runOptions
	fs := newFlagSet("run", errOut, "[flags] [-- ginkgo flags]")
	o.register(fs)
	fs.Usage = func() { runUsage(fs.Output(), fs) }
	from, code, ok := parseOrExit(fs, args, e.get, errOut)
	if !ok {
		return p, code, false
	}
	if member != nil {
		member.apply(&o)
	} else if o.parallel != 0 || o.shard != "" || o.shardTotal != 0 {
		fmt.Fprintln(errOut, "conform run: --parallel, --shard and --shard-total go with --targets FILE (a fleet)")
		return p, exitUsage, false
	}
	files := o.files()
	consoleOut := stdout
	if files.ToStdout() {
		// stdout carries a report: the console goes to stderr.
		consoleOut = stderr
	}
	noColor := e.get("NO_COLOR") != "" || !isTerminal(consoleOut)
	var consoleFilter func(string) string
	if noColor {
		// No colour means no escape sequence of ours: any control character
		// in the stream came from the target.
		consoleFilter = term.Escape
	}
	con := redact.NewWriter(red, consoleOut, consoleFilter)
	p.writers = append(p.writers, con)

	for _, u := range []string{o.target, o.web, o.httpURL} {
		session.RegisterURLSecrets(red, u)
	}
	session.RegisterProbePathSecrets(red, o.settings.ProbePath)
	cfg, sel, err := o.validate(from, e)
	if err == nil && member == nil {
		err = ginkgoArgs(args, fs.Args())
	}
	if err == nil {
		_, err = conductor.Select(sel)
	}
	if err == nil {
		err = files.Check()
	}
	var gate reports.Gate
	if err == nil {
		gate, err = o.gate()
	}
	if o.printConfig {
		// Printed also when the configuration is wrong: that is when it
		// is wanted most. The error follows, with exit 2.
		printConfig(con, fs, from, secrets, files, e)
		con.Flush()
	}
	if err != nil {
		fmt.Fprintf(errOut, "conform run: %s\n", term.Line(err.Error()))
		return p, exitUsage, false
	}
	if o.printConfig {
		return p, exitOK, false
	}
	if gate.Baseline != nil {
		for _, w := range gate.Baseline.Warnings {
			fmt.Fprintf(errOut, "conform run: warning: --baseline %s\n", term.Line(w))
		}
	}
	cfg.Redactor, cfg.Secrets = red, secrets
	p.Config = conductor.Config{
		Session: cfg, Selection: sel, Gate: gate, Files: files, Timeout: o.timeout, Version: version(),
		Verbosity: o.verbosity(), NoColor: noColor, Console: con, Raw: consoleOut, Errors: errOut, RawErrors: stderr,
		Name: "conform run", Signals: true,
	}
	return p, 0, true
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

// isTerminal reports whether w is a character device (colour only there).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
