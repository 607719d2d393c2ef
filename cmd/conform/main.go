// Command conform checks a TrueConf Room / VideoSDK control API server's
// auth method against the project's conformance reading, and serves the
// reference server.
//
//	conform run   [--target URL] [--plan pro|free] [--label-filter EXPR] [--case ID]... [--requirement ID]... [--strict] ...
//	conform list  [--format text|json|markdown] [--label-filter EXPR]
//	conform serve [--listen ADDR] [--profile NAME] [--time-scale F]
//	conform explain ID
//	conform restore [--journal FILE | --target URL] [--force] [--new-user-pin]
//	conform diff [--json] OLD/results.json NEW/results.json
//	conform merge DIR... --report-dir OUT
//	conform version
//
// Exit codes: 0 conformant, 1 not conformant, 2 usage or configuration
// error, 3 target unreachable or infrastructure error, 4 incomplete
// (nothing failed, but nothing was judged, or a MUST requirement of a live
// target went unchecked for a reason the operator can fix).
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/roomconform/conform/internal/conductor"
	"github.com/roomconform/conform/internal/explain"
	"github.com/roomconform/conform/internal/suggest"
	"github.com/roomconform/conform/internal/term"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Environ()))
}

// Exit codes of the CLI contract.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitUnreachable = 3
	exitIncomplete  = 4
)

const usage = `conform checks the auth method of a TrueConf Room control API server.

Usage:
  conform run     [flags]   run the conformance suite (no --target: the embedded reference server)
  conform list    [flags]   list the cases
  conform serve   [flags]   run the reference server
  conform explain ID        show a requirement (RC-8) or a case: text, requests, accepted answers, faults
  conform restore [flags]   put back the protection a killed --allow-reconfigure run left changed
  conform diff OLD NEW      what changed between two results.json (exit 1: a regression)
  conform merge DIR... --report-dir OUT   combine the shards of a fleet run into the fleet's reports
  conform version           print the version

Secrets come only from the environment: CONFORM_ADMIN_PASSWORD, CONFORM_ADMIN_PIN,
CONFORM_USER_PASSWORD, CONFORM_USER_PIN. Every flag can also be set as CONFORM_<FLAG>
(for example CONFORM_TARGET, CONFORM_LABEL_FILTER); a CONFORM_* name within two edits
of one of these, but not one, is refused.

Run "conform <command> -h" for the flags of a command.
Exit codes: 0 conformant ("partial" on the verdict line: the selection or the
budget left cases out), 1 not conformant, 2 usage error, 3 target unreachable,
4 incomplete (nothing failed, but nothing was judged, or on a live target a MUST
requirement went unchecked for a reason you can fix: a missing secret).
`

// run is main without os.Exit, so that defers run; environ is the
// process's environment (os.Environ). A command that reads CONFORM_*
// variables first refuses a misspelt one (conductor.CheckEnvironment).
func run(args []string, stdout, stderr io.Writer, environ []string) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	e := environment(environ)
	if slices.Contains(envCommands, cmd) {
		if err := conductor.CheckEnvironment(environ); err != nil {
			// Names only, never a value: one may be a secret.
			fmt.Fprintf(stderr, "conform %s: %s\n", cmd, term.Line(err.Error()))
			return exitUsage
		}
	}
	switch cmd {
	case "run":
		return runCmd(rest, stdout, stderr, e)
	case "list":
		return listCmd(rest, stdout, stderr, e.get)
	case "serve":
		return serveCmd(rest, stdout, stderr, e.get)
	case "explain":
		return explainCmd(rest, stdout, stderr)
	case "restore":
		return restoreCmd(rest, stdout, stderr, e.get)
	case "diff":
		return diffCmd(rest, stdout, stderr)
	case "merge":
		return mergeCmd(rest, stdout, stderr, e.get)
	case "version", "--version":
		fmt.Fprintf(stdout, "conform %s\n", version())
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	msg := fmt.Sprintf("conform: unknown command %q (run, list, serve, explain, restore, merge, diff, version)", cmd)
	if s := suggest.Nearest(cmd, commands); s != "" {
		msg += fmt.Sprintf("; did you mean %s?", s)
	}
	fmt.Fprintln(stderr, msg)
	return exitUsage
}

// commands are the subcommands, for "did you mean".
var commands = []string{"run", "list", "serve", "explain", "restore", "merge", "diff", "version", "help"}

// envCommands are the subcommands that read CONFORM_* variables.
var envCommands = []string{"run", "list", "serve", "restore", "merge"}

// explainCmd is `conform explain ID`: a requirement or a case, with
// everything that belongs to it (docs/requirements.md in the terminal).
func explainCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, "Usage: conform explain ID (a requirement such as RC-8, or a case ID from conform list)")
		if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
			return exitOK
		}
		return exitUsage
	}
	r, err := explain.Load()
	if err != nil {
		fmt.Fprintf(stderr, "conform explain: %v\n", err)
		return exitUnreachable
	}
	text, err := r.Lookup(args[0])
	if err != nil {
		fmt.Fprintf(stderr, "conform explain: %s\n", term.Escape(err.Error()))
		return exitUsage
	}
	fmt.Fprint(stdout, text)
	return exitOK
}

// version is the module version stamped by the go command ("dev" for a
// source build), with the VCS revision when the build has it, once, and
// the Go version.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	return versionOf(bi)
}

// versionOf renders build info: "v1.2.0 go1.26.8" for a released module,
// "dev+0123456789ab go1.26.8" for a source build of a commit (with
// "-dirty" when the tree had changes). A pseudo-version already names the
// revision, so it is not named again.
func versionOf(bi *debug.BuildInfo) string {
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "dev"
	}
	var rev string
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value[:min(12, len(s.Value))]
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev != "" && !strings.Contains(v, rev) {
		v += "+" + rev
	}
	if dirty && !strings.HasSuffix(v, "+dirty") {
		v += "-dirty"
	}
	return strings.TrimSpace(v + " " + bi.GoVersion)
}
