package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/engine"
	"github.com/roomconform/conform/internal/reconf"
	"github.com/roomconform/conform/internal/redact"
	"github.com/roomconform/conform/internal/session"
	"github.com/roomconform/conform/internal/term"
	"github.com/roomconform/conform/internal/wire"
)

// restoreCmd is `conform restore`: after a run that reconfigured a target
// was killed, it reads the recovery journal and puts the original
// protection back, with the secrets from the environment (the same
// CONFORM_* variables the run had). Exit 0 when the protection is back (or
// there was nothing to restore), 3 when it could not be restored (the
// journal is kept), 2 for a usage mistake.
func restoreCmd(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	red, secrets := secretsFromEnv(getenv)
	out := redact.NewWriter(red, stdout, term.Escape)
	errOut := redact.NewWriter(red, stderr, term.Escape)
	defer out.Flush()
	defer errOut.Flush()
	var o runOptions
	fs := newFlagSet("restore", errOut, "[--target URL] [--journal FILE | --report-dir DIR]")
	fs.StringVar(&o.target, "target", "", "ws:// or wss:// URL of the control API (default: the journal's)")
	fs.StringVar(&o.reportDir, "report-dir", "conform-report", "where the run kept its reports and journal")
	fs.StringVar(&o.journal, "journal", "", "the recovery journal (default <report-dir>/"+journalName+")")
	fs.DurationVar(&o.responseTimeout, "response-timeout", 5*time.Second, "bound on each response (and on the WebSocket handshake)")
	fs.DurationVar(&o.timeout, "timeout", time.Minute, "bound on the whole restore")
	fs.BoolVar(&o.insecure, "insecure-skip-verify", false, "wss://: do not verify the server certificate")
	fs.StringVar(&o.caFile, "ca-file", "", "wss://: PEM file of CA certificates to trust")
	if _, code, ok := parseOrExit(fs, args, getenv, errOut); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(errOut, "conform restore: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	path := o.journalPath()
	j, ok, err := readJournal(path)
	if err != nil {
		fmt.Fprintf(errOut, "conform restore: %v\n", err)
		return exitUsage
	}
	if !ok {
		fmt.Fprintf(out, "conform restore: no recovery journal at %s: nothing to restore\n", path)
		return exitOK
	}
	target := o.target
	if target == "" {
		target = j.Target
	}
	session.RegisterURLSecrets(red, target)
	if err := checkURL("--target", target, "ws", "wss"); err != nil {
		fmt.Fprintf(errOut, "conform restore: %v\n", err)
		return exitUsage
	}
	if o.target != "" && j.Target != "" && strings.TrimRight(journalURL(o.target), "/") != strings.TrimRight(j.Target, "/") {
		fmt.Fprintf(errOut, "conform restore: the journal is for %s, not %s\n", j.Target, journalURL(o.target))
		return exitUsage
	}
	tlsConf, err := o.tlsConfig()
	if err != nil || o.responseTimeout <= 0 || o.timeout <= 0 {
		if err == nil {
			err = fmt.Errorf("--timeout and --response-timeout must be positive")
		}
		fmt.Fprintf(errOut, "conform restore: %v\n", err)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	tr := wire.NewTranscript(red)
	t := engine.Target{URL: target, TLS: tlsConf, DialTimeout: o.responseTimeout, ResponseTimeout: o.responseTimeout}
	vals := map[cases.SecretKind]string{}
	for _, k := range secrets.Kinds() {
		vals[k], _ = secrets.Get(k)
	}
	rs := reconf.Restorer{
		Dial: func(ctx context.Context, name string) (*wire.Client, error) {
			return engine.Dial(ctx, t, name, tr, red)
		},
		Secrets:  vals,
		Register: red.Add,
	}
	fmt.Fprintf(out, "conform restore: putting %s back to %s (journal %s, started %s)\n", target, j.Original, path, j.Started.Format(time.RFC3339))
	if err := rs.CheckSecrets(j); err != nil {
		fmt.Fprintf(errOut, "conform restore: %v; nothing was changed, the journal is kept at %s\n", err, path)
		return exitUsage
	}
	res, err := rs.Restore(ctx, j)
	if err != nil {
		fmt.Fprintf(errOut, "conform restore: could not restore: %v; the journal is kept at %s\n", err, path)
		for _, line := range strings.Split(strings.TrimRight(tr.String(), "\n"), "\n") {
			fmt.Fprintf(errOut, "  %s\n", line)
		}
		return exitUnreachable
	}
	for _, ch := range res.Changes {
		fmt.Fprintf(out, "  set %s\n", ch)
	}
	if len(res.Changes) == 0 {
		fmt.Fprintln(out, "  the protection was already the original one")
	}
	if n := res.Note(); n != "" {
		fmt.Fprintf(out, "RECONFIGURATION: %s\n", n)
	}
	if err := reconf.RemoveJournal(path); err != nil {
		fmt.Fprintf(errOut, "conform restore: %v\n", err)
	}
	fmt.Fprintf(out, "conform restore: %s again, checked with getAuthInfo and a login with the original administrator secret\n", j.Original)
	return exitOK
}

// journalURL is a target URL as the journal records it (no query).
func journalURL(raw string) string { return reconf.TargetOf(raw) }
