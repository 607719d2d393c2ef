package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/roomconform/conform/internal/rundiff"
	"github.com/roomconform/conform/internal/term"
	"github.com/roomconform/conform/reports"
)

const diffUsage = `Usage: conform diff [--json] OLD/results.json NEW/results.json

Lists what changed between two results documents, both a single target's or
both a fleet's (targets matched by name): case verdicts, broken findings by
key (new and vanished), INFO observations, the run's verdict, and apart the
cases one document has and the other has not.

  --json   the diff as JSON (docs/results-schema.md, "conform diff --json")

Exit codes: 0 no regression, 1 a regression (PASS, WARN or SKIP becoming
FAIL or ERROR, a new FAIL finding key, or the run's verdict so), 2 a
document that cannot be read, or a run and a fleet.
`

// diffCmd is `conform diff OLD NEW`: what changed between two results
// documents, and whether anything regressed (exit 1). Everything it prints
// from the documents is escaped: they carry the targets' text.
func diffCmd(args []string, stdout, stderr io.Writer) int {
	asJSON := false
	var files []string
	for i, a := range args {
		switch {
		case a == "--":
			files = append(files, args[i+1:]...)
		case a == "--json" || a == "-json":
			asJSON = true
			continue
		case a == "-h" || a == "--help" || a == "-help":
			fmt.Fprint(stderr, diffUsage)
			return exitOK
		case strings.HasPrefix(a, "-") && a != "-":
			fmt.Fprintf(stderr, "conform diff: unknown flag %s (--json)\n", term.Line(a))
			return exitUsage
		default:
			files = append(files, a)
			continue
		}
		break // only "--" gets here: the rest are files
	}
	if len(files) != 2 {
		fmt.Fprintf(stderr, "Usage: conform diff [--json] OLD/results.json NEW/results.json (got %d files)\n", len(files))
		return exitUsage
	}
	var docs [2]reports.Document
	for i, f := range files {
		d, err := reports.ReadResults(f)
		if err != nil {
			fmt.Fprintf(stderr, "conform diff: %s\n", term.Line(err.Error()))
			return exitUsage
		}
		docs[i] = d
	}
	d, err := rundiff.Compare(docs[0], docs[1])
	if err != nil {
		fmt.Fprintf(stderr, "conform diff: %s\n", term.Line(err.Error()))
		return exitUsage
	}
	if asJSON {
		b, err := d.JSON()
		if err != nil {
			fmt.Fprintf(stderr, "conform diff: %s\n", term.Line(err.Error()))
			return exitUsage
		}
		_, err = stdout.Write(b)
		if err != nil {
			fmt.Fprintf(stderr, "conform diff: write: %s\n", term.Line(err.Error()))
		}
	} else {
		fmt.Fprint(stdout, d.Text())
	}
	if d.Regression {
		return exitFailed
	}
	return exitOK
}
