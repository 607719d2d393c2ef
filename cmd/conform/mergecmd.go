package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/term"
	"github.com/roomconform/conform/reports"
)

// mergeCmd is `conform merge DIR... --report-dir OUT`: it reads the
// results.json of each shard of a fleet run (`conform run --targets FILE
// --shard K/N`) and writes the fleet's reports into OUT, as the fleet run
// in one piece would have: junit.xml, results.json, report.html and
// summary.md, and each target's own four reports under OUT/<name>/.
//
// Each target's reports are written anew from its section of the shard's
// results.json (a section is the target's whole results document), not
// copied or linked from the shard's directory: OUT is then complete by
// itself (a CI artifact the matrix's links work in), a merge needs only
// each shard's results.json (the artifacts a matrix job passes on), reads
// no other file a shard's directory holds, and the targets of a missing
// shard get their ERROR reports the same way. A target's reconfiguration
// journal stays where its shard's run left it (`conform restore` runs
// there): a copy could later put back a protection that is no longer the
// device's.
//
// Exit codes: the merged fleet's (reports.Fleet.Tally, the documented
// order); 2 for a usage mistake or shards it refuses (one line naming the
// two files); a shard that is missing makes its targets ERROR sections,
// said on the console, and the exit code at least an error's (3) in that
// order.
func mergeCmd(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	var reportDir string
	var timeout time.Duration
	fs := newFlagSet("merge", stderr, "DIR... --report-dir OUT")
	fs.StringVar(&reportDir, "report-dir", "", "where the merged fleet's reports go (required; not one of the DIRs)")
	fs.DurationVar(&timeout, "timeout", 10*time.Minute, "bound on reading the shards and writing the reports")
	flags, dirs := splitMergeArgs(fs, args)
	if _, code, ok := parseOrExit(fs, flags, getenv, stderr); !ok {
		return code
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "conform merge: %s\n", term.Line(fmt.Sprintf(format, a...)))
		return exitUsage
	}
	switch {
	case len(dirs) == 0:
		return fail("no shard: give the report directory of each shard (conform merge DIR... --report-dir OUT)")
	case reportDir == "":
		return fail("--report-dir OUT is required")
	case timeout <= 0:
		return fail("--timeout must be positive")
	}
	for _, d := range dirs {
		if reports.SamePath(d, reportDir) {
			return fail("--report-dir %s is the shard directory %s: the merge would write over the shard's results", reportDir, d)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	var files []reports.ShardFile
	var absent []string
	for _, d := range dirs {
		p := filepath.Join(d, "results.json")
		if _, err := os.Lstat(p); errors.Is(err, os.ErrNotExist) {
			// A shard that wrote nothing (killed, evicted, refused before its
			// run): its shard is missing, and its targets ERROR sections.
			absent = append(absent, d)
			continue
		}
		doc, err := reports.ReadResults(p)
		if err != nil {
			return fail("%v", err)
		}
		files = append(files, reports.ShardFile{Path: p, Doc: doc})
	}
	for _, d := range absent {
		fmt.Fprintf(stdout, "conform merge: %s has no results.json: its shard counts as missing\n", term.Line(d))
	}
	if len(files) == 0 {
		fmt.Fprintf(stderr, "conform merge: no shard has results (%s): nothing to merge, the fleet has no verdict\n", term.Line(strings.Join(dirs, ", ")))
		return exitUnreachable
	}
	cat := cases.Catalogue()
	merged, err := reports.MergeShards(files, func(reason string) reports.Run { return reports.ErrorRun(reason, version(), cat) })
	if err != nil {
		return fail("%v", err)
	}
	if len(merged.Missing) > 0 || len(merged.Targets) > countSections(files) {
		// The targets without results get an ERROR for each case of this
		// conform's catalogue: only right if it is the one they were to be
		// judged by.
		if mine := reports.CatalogueDigest(cat); mine != merged.Catalogue {
			return fail("the shards were judged by catalogue %s, this conform has %s: merge with the conform that ran them (the targets without results are reported case by case)", merged.Catalogue, mine)
		}
	}
	for _, sf := range files {
		f := sf.Doc.Fleet
		fmt.Fprintf(stdout, "conform merge: shard %s from %s: %d %s\n", f.Shard, term.Line(sf.Path), len(f.Targets), plural(len(f.Targets), "target", "targets"))
	}
	for _, m := range merged.Missing {
		var names []string
		for _, a := range merged.Assigned {
			if a.Shard == m.K {
				names = append(names, a.Name)
			}
		}
		fmt.Fprintf(stdout, "conform merge: shard %s missing: no results: %d %s ERROR (%s)\n", m, len(names), plural(len(names), "target is", "targets are"), term.Line(strings.Join(names, ", ")))
	}
	code := merged.Summary.ExitCode
	var werrs []string
	from := map[string]string{} // a target's own report directory in its shard
	for _, sf := range files {
		for _, t := range sf.Doc.Fleet.Targets {
			// By name, which MergeShards checked (SafeName), not the
			// document's dir, which it did not.
			from[t.Name] = filepath.Join(filepath.Dir(sf.Path), t.Name)
		}
	}
	for _, t := range merged.Targets {
		run := t.Run
		if dir, ok := from[t.Name]; ok {
			// The section has no transcripts: the target's own results.json
			// has them, and its reports are made from it.
			if full, err := ownResults(dir, t.Run); err == nil {
				run = full
			} else {
				fmt.Fprintf(stderr, "conform merge: %s: %s; its reports are made from its section, without transcripts\n", term.Line(t.Name), term.Line(err.Error()))
			}
		}
		if err := reports.WriteAll(ctx, run, reports.DefaultFiles(filepath.Join(reportDir, t.Name))); err != nil {
			werrs = append(werrs, err.Error())
		}
	}
	if err := reports.WriteFleet(ctx, merged, reports.DefaultFiles(reportDir)); err != nil {
		werrs = append(werrs, err.Error())
	}
	for _, e := range werrs {
		fmt.Fprintf(stderr, "conform merge: %s\n", term.Line(e))
	}
	if len(werrs) > 0 && (code == exitOK || code == exitIncomplete) {
		// The reports are what a merge is for: a pipeline must not pass
		// without them.
		code = exitUnreachable
	}
	s := merged.Summary
	fmt.Fprintf(stdout, "conform merge: %s: %d %s · exit %d · reports in %s\n", term.Line(s.Verdict), s.Targets, plural(s.Targets, "target", "targets"), code, term.Line(reportDir))
	return code
}

// splitMergeArgs separates the flags from the shard directories, which
// may come first (`conform merge a b --report-dir OUT`): the flag package
// stops at the first argument that is not a flag. After "--" every
// argument is a directory.
func splitMergeArgs(fs *flag.FlagSet, args []string) (flags, dirs []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return flags, append(dirs, args[i+1:]...)
		case strings.HasPrefix(a, "-") && a != "-":
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if strings.Contains(name, "=") {
				continue
			}
			if f := fs.Lookup(name); f != nil && !isBoolFlag(f) && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
		default:
			dirs = append(dirs, a)
		}
	}
	return flags, dirs
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// countSections counts the targets the shards have results for.
func countSections(files []reports.ShardFile) int {
	n := 0
	for _, sf := range files {
		n += len(sf.Doc.Fleet.Targets)
	}
	return n
}

// plural is one or many by n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// ownResults reads a target's own results.json in its shard's report
// directory dir: the section's run with its transcripts. One that is not
// the section's run (another run's, left over) is refused.
func ownResults(dir string, section reports.Run) (reports.Run, error) {
	doc, err := reports.ReadResults(filepath.Join(dir, "results.json"))
	if err != nil {
		return reports.Run{}, err
	}
	r := doc.Run
	if r == nil || !r.StartedAt.Equal(section.StartedAt) || len(r.Cases) != len(section.Cases) || r.Summary.Verdict != section.Summary.Verdict {
		return reports.Run{}, fmt.Errorf("%s/results.json is not the run of its section", dir)
	}
	return *r, nil
}
