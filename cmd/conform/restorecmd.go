package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/roomconform/conform/caselang"
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
// CONFORM_* variables the run had). Exit 0 when the protection is back,
// verified by logging in (or there was nothing to restore), 3 when it could
// not be restored (the journal is kept), 2 for a usage mistake, a secret
// that is not the original, or a device that is not the journal's (nothing
// changed).
func restoreCmd(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	red, secrets := secretsFromEnv(getenv)
	out := redact.NewWriter(red, stdout, term.Escape)
	errOut := redact.NewWriter(red, stderr, term.Escape)
	defer out.Flush()
	defer errOut.Flush()
	var o runOptions
	var force, newPIN bool
	fs := newFlagSet("restore", errOut, "[--journal FILE | --target URL] [--force] [--new-user-pin]")
	fs.StringVar(&o.target, "target", "", "ws:// or wss:// URL of the control API (default: the journal's); without --journal, picks that target's journal")
	fs.StringVar(&o.reportDir, "report-dir", "", "look for the journal where conform before v2 kept it: DIR/"+journalName)
	fs.StringVar(&o.journal, "journal", "", "the recovery journal (default: the one journal in the state directory, or --target's)")
	fs.BoolVar(&force, "force", false, "restore even though the device does not identify as the journal's (renamed, re-enrolled)")
	fs.BoolVar(&newPIN, "new-user-pin", false, "let the target generate a new user PIN when the original, which the run knew, is lost")
	fs.DurationVar(&o.responseTimeout, "response-timeout", 5*time.Second, "bound on each response (and on the WebSocket handshake)")
	fs.DurationVar(&o.timeout, "timeout", time.Minute, "bound on the whole restore")
	fs.BoolVar(&o.insecure, "insecure-skip-verify", false, "wss://: do not verify the server certificate")
	fs.StringVar(&o.caFile, "ca-file", "", "wss://: PEM file of CA certificates to trust")
	fs.StringVar(&o.targets, "targets", "", "a fleet's targets file (conform run --targets): replay every target's journal under <report-dir>/<name>/ with that target's secrets (its secrets map); --report-dir defaults to conform-report")
	from, code, ok := parseOrExit(fs, args, getenv, errOut)
	if !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(errOut, "conform restore: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if o.targets != "" {
		return restoreFleet(o, from, force, newPIN, stdout, stderr, getenvOnly(getenv))
	}
	path, err := o.restoreJournalPath()
	if err != nil {
		fmt.Fprintf(errOut, "conform restore: %s\n", term.Line(err.Error()))
		return exitUsage
	}
	if path == "" {
		fmt.Fprintln(out, "conform restore: no recovery journal: nothing to restore")
		return exitOK
	}
	return restoreJournal(o, path, force, newPIN, red, secrets, out, errOut)
}

// restoreJournal is conform restore of the journal at path with the
// secrets given (a missing journal: nothing to restore, exit 0).
func restoreJournal(o runOptions, path string, force, newPIN bool, red *redact.Redactor, secrets engine.Secrets, out, errOut io.Writer) int {
	j, ok, err := readJournal(path)
	if err != nil {
		fmt.Fprintf(errOut, "conform restore: %s\n", term.Line(err.Error()))
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
		fmt.Fprintf(errOut, "conform restore: %s\n", term.Line(err.Error()))
		return exitUsage
	}
	if o.target != "" && j.Target != "" && strings.TrimRight(journalURL(o.target), "/") != strings.TrimRight(j.Target, "/") && !force {
		fmt.Fprintf(errOut, "conform restore: the journal is for %s, not %s (--force restores there anyway)\n", j.Target, journalURL(o.target))
		return exitUsage
	}
	tlsConf, err := o.tlsConfig()
	if err != nil || o.responseTimeout <= 0 || o.timeout <= 0 {
		if err == nil {
			err = fmt.Errorf("--timeout and --response-timeout must be positive")
		}
		fmt.Fprintf(errOut, "conform restore: %s\n", term.Line(err.Error()))
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	tr := wire.NewTranscript(red)
	t := engine.Target{URL: target, TLS: tlsConf, DialTimeout: o.responseTimeout, ResponseTimeout: o.responseTimeout}
	vals := map[caselang.SecretKind]string{}
	for _, k := range secrets.Kinds() {
		vals[k], _ = secrets.Get(k)
	}
	rs := reconf.Restorer{
		Dial: func(ctx context.Context, name string) (*wire.Client, error) {
			return engine.Dial(ctx, t, name, tr, red)
		},
		Secrets:  vals,
		Register: red.Add,
		Force:    force,
		NewPIN:   newPIN,
		Record:   func(j reconf.Journal) error { return reconf.WriteJournal(path, j) },
	}
	fmt.Fprintf(out, "conform restore: putting %s back to %s (journal %s, started %s)\n", target, j.Original, path, j.Started.Format(time.RFC3339))
	if !j.Device.Known() {
		fmt.Fprintln(out, "  the journal records no identity of the device (it did not say who it is): only its address tells it")
	}
	if err := rs.CheckSecrets(j); err != nil {
		fmt.Fprintf(errOut, "conform restore: %s; nothing was changed, the journal is kept at %s\n", term.Line(err.Error()), path)
		return exitUsage
	}
	res, err := rs.Restore(ctx, j)
	var idErr *reconf.IdentityError
	var secErr *reconf.SecretsError
	if errors.As(err, &idErr) || errors.As(err, &secErr) {
		fmt.Fprintf(errOut, "conform restore: %s; the journal is kept at %s\n", term.Line(err.Error()), path)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(errOut, "conform restore: could not restore: %s; the journal is kept at %s\n", term.Line(err.Error()), path)
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
	if err := reconf.RemoveJournal(path, j.ID); err != nil {
		fmt.Fprintf(errOut, "conform restore: %s\n", term.Line(err.Error()))
	}
	fmt.Fprintf(out, "conform restore: %s again, %s\n", j.Original, res.Checked())
	return exitOK
}

// restoreJournalPath is the journal conform restore reads: --journal;
// the legacy one under --report-dir; else the one pending journal in the
// state directory (of --target's address, when given): "" when there is
// none; several are a usage error that lists them.
func (o *runOptions) restoreJournalPath() (string, error) {
	switch {
	case o.journal != "":
		return o.journal, nil
	case o.reportDir != "":
		return filepath.Join(o.reportDir, journalName), nil
	}
	var found []string
	if o.target != "" {
		var err error
		if found, err = reconf.Pending(o.target); err != nil {
			return "", err
		}
	} else {
		dir, err := reconf.JournalDir()
		if err != nil {
			return "", err
		}
		found, _ = filepath.Glob(filepath.Join(dir, "*.json"))
		if legacy := filepath.Join("conform-report", journalName); fileExists(legacy) {
			found = append(found, legacy)
		}
	}
	switch len(found) {
	case 0:
		return "", nil
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("%d recovery journals (%s): name one with --journal, or its target with --target", len(found), strings.Join(found, ", "))
}

func fileExists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// journalURL is a target URL as the journal records it (no query).
func journalURL(raw string) string { return reconf.TargetOf(raw) }
