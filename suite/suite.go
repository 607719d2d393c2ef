// Package suite is the Ginkgo layer: the executor of the conductor's plan
// on the conform binary and on `go test ./suite` / `go tool ginkgo
// ./suite`. It turns the plan's entries into DescribeTable entries
// (labels, spec timeouts, case IDs as names), runs each through the plan,
// and maps its verdict onto Ginkgo for Ginkgo's own output. It is
// deliberately thin: the plan, the judgement and the conclusion live in
// internal/conductor and internal/engine, and verdicts are never read back
// from Ginkgo's report: only its typed states (a spec it stopped) are.
package suite

import (
	"context"
	"errors"
	"io"
	"regexp"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // the Ginkgo DSL reads best dot-imported
	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"

	"github.com/roomconform/conform/internal/conductor"
	"github.com/roomconform/conform/internal/term"
	"github.com/roomconform/conform/reports"

	"github.com/roomconform/conform/caselang"
)

// Ginkgo is the executor that runs a plan as a Ginkgo suite. RunSpecs runs
// once per process, so a process has one Ginkgo run; the project's tests
// that need many whole runs use conductor.InProcess.
type Ginkgo struct {
	// T is what RunSpecs reports to: go test's *testing.T; nil in the
	// binary.
	T GinkgoTestingT
}

// current is the plan the spec tree runs: Ginkgo builds its tree once per
// process, and its closures find the run here.
var current struct {
	mu    sync.Mutex
	plan  *conductor.Plan
	byKey map[string]conductor.Entry
	once  sync.Once
}

// ErrRunsOnce is Execute's error for a second Ginkgo run in one process.
var ErrRunsOnce = errors.New("the Ginkgo executor runs once per process (RunSpecs); use conductor.InProcess for more runs")

// Execute implements conductor.Executor.
func (g Ginkgo) Execute(ctx context.Context, p *conductor.Plan) error {
	first := false
	current.once.Do(func() {
		first = true
		current.mu.Lock()
		current.plan = p
		current.byKey = map[string]conductor.Entry{}
		for _, e := range p.Entries {
			current.byKey[e.Key] = e
		}
		current.mu.Unlock()
		buildTree(p.Entries)
	})
	if !first {
		return ErrRunsOnce
	}
	sc, rc := GinkgoConfiguration()
	// The plan selected the cases already: Ginkgo's filter would only
	// repeat it (a --ginkgo.focus on the go test route still narrows it;
	// what it leaves out is reported as not run).
	sc.LabelFilter = ""
	// A case that reconfigured the target restores it after a signal or a
	// timeout; Ginkgo must wait for that rather than abandon it.
	sc.GracePeriod = max(sc.GracePeriod, p.Runner.RestoreBound()+restoreSlack)
	sc.Timeout = p.Timeout
	rc.NoColor = p.NoColor || rc.NoColor
	rc.SilenceSkips = true
	if rc.NoColor {
		formatter.SingletonFormatter.ColorMode = formatter.ColorModeNone
	}
	if p.HasConsole() {
		// The conductor's console shows each case: one tally, conform's.
		formatter.ColorableStdOut = io.Discard
	}
	gomega.RegisterFailHandler(Fail)
	t := g.T
	if t == nil {
		t = &testingT{}
	}
	RunSpecs(t, "conform", sc, rc)
	return nil
}

// restoreSlack is what Ginkgo's grace period allows beyond a restore's
// own bound.
const restoreSlack = 5 * time.Second

// testingT is all RunSpecs needs from a testing.T in a plain binary.
type testingT struct{ failed bool }

func (t *testingT) Fail() { t.failed = true }

// buildTree makes one Ordered top-level container with one table per run
// of consecutive entries of a group, in the plan's order. Ordered keeps
// that order (every entry is created at the same code location, so Ginkgo
// would otherwise sort them by text); ContinueOnFailure keeps one failure
// from skipping the rest.
func buildTree(entries []conductor.Entry) {
	Describe("conform", Ordered, ContinueOnFailure, func() {
		for i := 0; i < len(entries); {
			j := i
			for j < len(entries) && entries[j].Group() == entries[i].Group() {
				j++
			}
			DescribeTable(entries[i].Group(), runEntry, tableEntries(entries[i:j]))
			i = j
		}
		ReportAfterEach(afterEach)
	})
	ReportAfterSuite("conform results", afterSuite)
}

// tableEntries: the name starts with the entry's key (the case ID), labels
// are the case's labels, the spec timeout the entry's backstop.
func tableEntries(es []conductor.Entry) []TableEntry {
	out := make([]TableEntry, 0, len(es))
	for _, e := range es {
		args := []any{e.Key, SpecTimeout(e.Timeout)}
		if len(e.Case.Labels) > 0 {
			args = append(args, Label(e.Case.Labels...))
		}
		out = append(out, Entry(e.Key+" "+e.Case.Title, args...))
	}
	return out
}

func lookup(key string) (*conductor.Plan, conductor.Entry, bool) {
	current.mu.Lock()
	defer current.mu.Unlock()
	e, ok := current.byKey[key]
	return current.plan, e, ok
}

// runEntry is the body of every entry: run it through the plan, then map
// the verdict onto Ginkgo.
func runEntry(ctx SpecContext, key string) {
	p, e, ok := lookup(key)
	if !ok {
		Fail("no such entry in the plan: " + key)
		return
	}
	o := p.Run(ctx, e)
	// Everything handed to Ginkgo is redacted and made safe for a terminal
	// here: Ginkgo prints it, and on the go test route no redacting
	// console stands behind it.
	red := p.Runner.Config().Redactor
	redact := func(s string) string { return term.Escape(reports.Clip(red.Redact(s), reports.MaxText)) }
	_, rc := GinkgoConfiguration()
	if !p.HasConsole() && o.Verdict != caselang.Skip && o.Transcript != nil && (o.Verdict != caselang.Pass || rc.Verbose || rc.VeryVerbose) {
		if lines := otherFindings(o.Verdict, o.Findings); len(lines) > 0 {
			AddReportEntry("findings", redact(strings.Join(lines, "\n")), ReportEntryVisibilityFailureOrVerbose)
		}
		AddReportEntry("transcript", o.Transcript.String(), ReportEntryVisibilityFailureOrVerbose)
	}
	switch o.Verdict {
	case caselang.Skip:
		Skip(redact(o.Reason))
	case caselang.Fail:
		Fail(redact(o.Reason))
	case caselang.Error:
		Fail("ERROR: " + redact(o.Reason))
	case caselang.Warn:
		AddReportEntry("WARN", redact(o.Reason))
	}
}

// otherFindings are the finding lines Ginkgo's report entry shows beside
// the verdict's reason: for a FAIL or a WARN that reason is the broken
// findings already (Ginkgo prints it as the failure, or as the WARN
// entry), so only the others are listed, and a FAIL's findings are shown
// once.
func otherFindings(v caselang.Verdict, fs []caselang.Finding) []string {
	var lines []string
	for _, f := range fs {
		if f.Broken() && (v == caselang.Fail || v == caselang.Warn) {
			continue
		}
		lines = append(lines, f.Line())
	}
	return lines
}

// stoppedByGinkgo are the states of a spec Ginkgo ended itself.
const stoppedByGinkgo = types.SpecStateInterrupted | types.SpecStateTimedout | types.SpecStatePanicked | types.SpecStateAborted

// afterEach records a spec Ginkgo stopped (its timeout, an interrupt, a
// panic) as the plan's ERROR, with Ginkgo's one-line reason and never a
// source location or a stack, and shows the entry as it ended.
func afterEach(s types.SpecReport) {
	if s.LeafNodeType != types.NodeTypeIt {
		return
	}
	key, _, _ := strings.Cut(s.LeafNodeText, " ")
	p, e, ok := lookup(key)
	if !ok {
		return
	}
	if s.State.Is(stoppedByGinkgo) {
		p.Stop(e, s.State.String()+": "+oneLine(s.Failure.Message))
	}
	p.Show(e)
}

// afterSuite tells the plan the run was cut short when Ginkgo interrupted
// a spec: by its time bound, or by a signal.
func afterSuite(r Report) {
	current.mu.Lock()
	p := current.plan
	current.mu.Unlock()
	for _, s := range r.SpecReports {
		if s.State.Is(types.SpecStateInterrupted) {
			why := "interrupted by a signal"
			if r.SuiteConfig.Timeout > 0 && r.RunTime >= r.SuiteConfig.Timeout {
				why = "the run's --timeout elapsed"
			}
			p.Interrupt(why)
			return
		}
	}
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// oneLine strips colour codes and keeps the first line.
func oneLine(s string) string {
	s = ansi.ReplaceAllString(s, "")
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
