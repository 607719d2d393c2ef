package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/roomconform/conform/internal/fleet"
	"github.com/roomconform/conform/internal/redact"
	"github.com/roomconform/conform/internal/term"
)

// restoreFleet is `conform restore --targets FILE [--report-dir DIR]`:
// every target's journal under DIR/<name>/ replayed with that target's
// secrets (its secrets map, as the run had them), one after the other,
// one line per target. Exit 3 when any could not be restored (its journal
// is kept), 2 for a usage mistake, 0 otherwise.
func restoreFleet(o runOptions, from map[string]string, force, newPIN bool, stdout, stderr io.Writer, e env) int {
	// Every operator secret of the fleet, and the global ones, are kept
	// out of every line.
	red := redact.New()
	red.ValueOnly(tokenFields...)
	addSecrets(red, secretsOf(e))
	errOut := redact.NewWriter(red, stderr, term.Escape)
	defer errOut.Flush()
	for _, f := range []string{"target", "journal"} {
		if from[f] != fromDefault {
			fmt.Fprintf(errOut, "conform restore: --%s does not go with --targets: each target's journal is <report-dir>/<name>/%s\n", f, journalName)
			return exitUsage
		}
	}
	file, err := fleet.Load(o.targets)
	if err != nil {
		fmt.Fprintf(errOut, "conform restore: %s\n", term.Line(err.Error()))
		return exitUsage
	}
	secrets := targetsSecrets(e, file.Targets)
	addSecrets(red, secrets)
	if o.reportDir == "" {
		o.reportDir = "conform-report"
	}
	out := redact.NewWriter(red, stdout, term.Escape)
	defer out.Flush()
	fmt.Fprintf(out, "conform restore: %d targets of %s, journals under %s\n", len(file.Targets), o.targets, o.reportDir)
	failed := 0
	for _, t := range file.Targets {
		path := filepath.Join(o.reportDir, t.Name, journalName)
		te, missing := targetEnv(e, t)
		var tOut, tErr capBuffer
		code := exitOK
		switch _, pending, err := readJournal(path); {
		case err != nil:
			fmt.Fprintf(&tErr, "conform restore: %s\n", err)
			code = exitUsage
		case !pending:
			fmt.Fprintln(&tOut, "nothing to restore")
		case len(missing) > 0:
			fmt.Fprintf(&tErr, "conform restore: secrets: %s not set; nothing was changed, the journal is kept at %s\n", strings.Join(missing, ", "), path)
			code = exitUsage
		default:
			tRed, own := secretsFromEnv(te.get)
			addSecrets(tRed, secrets)
			wOut, wErr := redact.NewWriter(tRed, &tOut, term.Escape), redact.NewWriter(tRed, &tErr, term.Escape)
			// The entry's address: a journal that names another device is
			// refused (unless --force), as `conform restore --target` does,
			// so no target's secrets go to another's device.
			to := o
			to.target = t.URL
			code = restoreJournal(to, path, force, newPIN, tRed, own, wOut, wErr)
			wOut.Flush()
			wErr.Flush()
		}
		if code != exitOK {
			failed++
			fmt.Fprintf(out, "  %s: NOT RESTORED: %s\n", t.Name, firstLineOf(tErr.b))
			for _, l := range restLines(tErr.b) {
				fmt.Fprintf(out, "    %s\n", l)
			}
			continue
		}
		fmt.Fprintf(out, "  %s: %s\n", t.Name, lastLineOf(tOut.b))
		for _, l := range lines(tOut.b) {
			if strings.HasPrefix(l, "RECONFIGURATION:") {
				fmt.Fprintf(out, "    %s\n", l)
			}
		}
	}
	if failed > 0 {
		fmt.Fprintf(out, "conform restore: %d of %d targets could not be restored (their journals are kept): run again once the reason is fixed\n", failed, len(file.Targets))
		return exitUnreachable
	}
	return exitOK
}

func lines(b []byte) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if l != "" {
			out = append(out, term.Line(l))
		}
	}
	return out
}

func firstLineOf(b []byte) string {
	if ls := lines(b); len(ls) > 0 {
		return strings.TrimPrefix(ls[0], "conform restore: ")
	}
	return "no reason given"
}

func restLines(b []byte) []string {
	if ls := lines(b); len(ls) > 1 {
		return ls[1:]
	}
	return nil
}

func lastLineOf(b []byte) string {
	ls := lines(b)
	if len(ls) == 0 {
		return ""
	}
	return strings.TrimPrefix(ls[len(ls)-1], "conform restore: ")
}
