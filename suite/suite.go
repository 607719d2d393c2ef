// Package suite is the Ginkgo layer: it turns the catalogue into
// DescribeTable entries (labels, spec timeouts, case IDs as names), runs
// each case through internal/engine, maps verdicts onto Ginkgo, and collects
// the outcomes for the reports. It is deliberately thin: all judgement lives
// in cases and engine.
//
// Register builds the spec tree once per process; the CLI (Run) and
// `go test ./suite` both call it, so they run the same specs.
package suite

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // the Ginkgo DSL reads best dot-imported
	"github.com/onsi/ginkgo/v2/types"

	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/console"
	"github.com/roomconform/conform/internal/engine"
	"github.com/roomconform/conform/internal/term"
	"github.com/roomconform/conform/reports"
)

// state is the process-wide run state: RunSpecs runs once per process, so
// one run per process is all there is.
var state struct {
	mu     sync.Mutex
	runner *engine.Runner
	// profile is the target's own profile as the run began: the walk
	// changes the runner's, the reports show this one.
	profile   cases.Profile
	selection Selection
	ctx       context.Context // ends the cases too; nil: only Ginkgo does
	outcomes  map[string]engine.Outcome
	report    *types.Report
	once      sync.Once
	// progress, when set, prints each case as it ends in place of
	// Ginkgo's reporter (the binary's console); nil on the Ginkgo routes.
	progress *console.Progress
	// sections are the groups of cases run in other profiles; runners are
	// their runners once entered, errs why one could not be.
	sections []Section
	runners  map[int]*engine.Runner
	errs     map[int]error
	// moved are the cases a section runs: their entry in the target's own
	// profile only skips, and is not shown.
	moved map[string]bool
}

// Register configures the runner the specs use, under the safety policy of
// sel (made with Selection.ForTarget), and builds the spec tree. Call it
// once, before RunSpecs; later calls only replace the runner.
func Register(r *engine.Runner, sel Selection, sections ...Section) {
	state.mu.Lock()
	state.runner = r
	state.profile = r.Profile
	state.selection = sel
	state.outcomes = map[string]engine.Outcome{}
	state.sections = sections
	state.runners, state.errs = map[int]*engine.Runner{}, map[int]error{}
	state.moved = map[string]bool{}
	for _, sec := range sections {
		for _, c := range sec.Cases {
			state.moved[c.ID] = true
		}
	}
	state.mu.Unlock()
	state.once.Do(func() {
		buildTree(r.Target, r.Profile, r.EffectiveSettings(), r.Clock != nil && r.Clock.Virtual(), r.RestoreBound(), sections)
	})
}

func currentRunner() *engine.Runner {
	state.mu.Lock()
	defer state.mu.Unlock()
	return state.runner
}

// withRunContext is the spec's context, ended also when the run's ends;
// done releases it.
func withRunContext(spec context.Context) (context.Context, func()) {
	state.mu.Lock()
	run := state.ctx
	state.mu.Unlock()
	if run == nil {
		return spec, func() {}
	}
	// The run's cause (a signal, or its --timeout) travels with it: the
	// engine bounds a restore by it.
	ctx, cancel := context.WithCancelCause(spec)
	stop := context.AfterFunc(run, func() { cancel(context.Cause(run)) })
	return ctx, func() { stop(); cancel(nil) }
}

func currentSelection() Selection {
	state.mu.Lock()
	defer state.mu.Unlock()
	return state.selection
}

func record(id string, o engine.Outcome) {
	state.mu.Lock()
	defer state.mu.Unlock()
	state.outcomes[id] = o
}

// buildTree makes one Ordered top-level container with one table per
// requirement group. Ordered keeps catalogue order (every entry is created
// at the same code location, so Ginkgo would otherwise sort them by text);
// the order matters: the wrong-credential budget goes to the cases written
// first. ContinueOnFailure keeps one failure from skipping the rest.
func buildTree(t engine.Target, p cases.Profile, set cases.Settings, virtual bool, restore time.Duration, sections []Section) {
	Describe("conform", Ordered, ContinueOnFailure, func() {
		var groups []string
		byGroup := map[string][]cases.Case{}
		for _, c := range cases.All() {
			if !ForProfile(c, p) {
				continue
			}
			g := c.Group()
			if _, ok := byGroup[g]; !ok {
				groups = append(groups, g)
			}
			byGroup[g] = append(byGroup[g], c)
		}
		for _, g := range groups {
			DescribeTable(g, runCase, entries(byGroup[g], t, set, virtual, restore, -1, ""))
		}
		// The cases that do not apply to the target's own profile, each in
		// the first profile the walk puts the target in where they do.
		for i, sec := range sections {
			Describe("in profile "+sec.Profile, Ordered, func() {
				BeforeAll(func(ctx SpecContext) { enterSection(ctx, i) })
				DescribeTable(sec.Profile, runSectionCase, entries(sec.Cases, t, set, virtual, restore, i, sec.Profile))
			})
		}
		ReportAfterEach(showCase)
	})
	ReportAfterSuite("conform results", func(r Report) {
		state.mu.Lock()
		defer state.mu.Unlock()
		state.report = &r
	})
}

// entries turns cases into table entries: the name starts with the case ID
// (what --case focuses on), labels are the case's labels, and the spec
// timeout is a backstop derived from the per-wait bounds (every wait in the
// engine is bounded already).
func entries(cs []cases.Case, t engine.Target, set cases.Settings, virtual bool, restore time.Duration, section int, profile string) []TableEntry {
	out := make([]TableEntry, 0, len(cs))
	for _, c := range cs {
		args := []any{c}
		if section >= 0 {
			args = append(args, section)
		}
		timeout := specTimeout(c, t, set, virtual)
		if reconfigures(c) {
			timeout = satDur(timeout, restore) // the restore at its end
		}
		args = append(args, SpecTimeout(timeout))
		if len(c.Labels) > 0 {
			args = append(args, Label(c.Labels...))
		}
		out = append(out, Entry(sectionKey(c.ID, profile)+" "+c.Title, args...))
	}
	return out
}

// enterSection puts the target in section i's profile (once; the runner
// it returns runs the section's cases).
func enterSection(ctx context.Context, i int) {
	state.mu.Lock()
	sec := state.sections[i]
	_, done := state.runners[i]
	state.mu.Unlock()
	if done {
		return
	}
	runCtx, release := withRunContext(ctx)
	r, err := sec.Enter(runCtx)
	release()
	state.mu.Lock()
	state.runners[i], state.errs[i] = r, err
	state.mu.Unlock()
}

// runSectionCase is the body of a case run in another profile.
func runSectionCase(ctx SpecContext, c cases.Case, i int) {
	state.mu.Lock()
	r, err, profile := state.runners[i], state.errs[i], state.sections[i].Profile
	state.mu.Unlock()
	if err != nil || r == nil {
		why := "the target could not be put in profile " + profile
		if err != nil {
			why += ": " + err.Error()
		}
		o := engine.Outcome{Verdict: cases.Error, Reason: why}
		record(sectionKey(c.ID, profile), o)
		Fail("ERROR: " + term.Escape(currentRunner().Redactor.Redact(why)))
		return
	}
	runWith(ctx, r, c, sectionKey(c.ID, profile))
}

// specTimeout is a backstop, never the bound that ends a case: every wait
// in the engine is bounded already. It allows every dial, exchange, close
// and quiet window the case may make (engine.CaseBound: its own steps and
// all the engine adds to them, the probes, barriers and token exercises),
// each at its bound, every real wait its lifetime, every poll its limit,
// plus slack for a busy machine. On a virtual clock waits cost no real
// time. The sum saturates: absurd settings make a long timeout, never a
// negative one.
func specTimeout(c cases.Case, t engine.Target, set cases.Settings, virtual bool) time.Duration {
	var waits time.Duration
	for _, s := range c.Steps {
		if a, ok := s.Do.(cases.Poll); ok && !virtual {
			limit, _ := a.Limit.Of(set)
			waits = satDur(waits, limit)
		}
		if s.When != nil && !virtual {
			waits = max(waits, satDur(s.When.Life.Of(set), set.Tolerance))
		}
	}
	total := satDur(engine.CaseBound(c, set, virtual).Time(t), waits)
	return satDur(total, specSlack)
}

// specSlack is the spec timeout's allowance for a busy machine, beyond the
// bounds of the case's waits.
const specSlack = 5 * time.Second

// reconfigures reports whether case c changes the target's protection
// (and so restores it when it ends).
func reconfigures(c cases.Case) bool {
	for _, s := range c.Steps {
		if _, ok := s.Do.(cases.Reconfigure); ok {
			return true
		}
	}
	return false
}

func satDur(a, b time.Duration) time.Duration {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// runCase is the body of every entry: run, record, map the verdict.
func runCase(ctx SpecContext, c cases.Case) {
	r := currentRunner()
	if r == nil {
		Fail("suite not configured: call suite.Register before RunSpecs")
		return
	}
	runWith(ctx, r, c, c.ID)
}

// runWith runs case c with runner r and records its outcome under key.
func runWith(ctx SpecContext, r *engine.Runner, c cases.Case, key string) {
	var o engine.Outcome
	if why := currentSelection().refusal(c); why == "" {
		runCtx, done := withRunContext(ctx)
		o = r.Run(runCtx, c)
		done()
	} else {
		o = engine.Outcome{Verdict: cases.Skip, Reason: why}
	}
	record(key, o)
	// Everything handed to Ginkgo is redacted and made safe for a terminal
	// here: Ginkgo prints it and writes it into its own reports, and on the
	// go test path no redacting console stands behind it.
	redact := func(s string) string { return term.Escape(reports.Clip(r.Redactor.Redact(s), reports.MaxText)) }
	// Ginkgo shows these entries only for a case that did not pass or in
	// verbose mode: only then are they worth rendering (and redacting).
	// The binary's console (progress) shows the outcome itself.
	_, rc := GinkgoConfiguration()
	if currentProgress() == nil && o.Verdict != cases.Skip && o.Transcript != nil && (o.Verdict != cases.Pass || rc.Verbose || rc.VeryVerbose) {
		AddReportEntry("findings", redact(findingLines(o)), ReportEntryVisibilityFailureOrVerbose)
		AddReportEntry("transcript", o.Transcript.String(), ReportEntryVisibilityFailureOrVerbose)
	}
	switch o.Verdict {
	case cases.Skip:
		Skip(redact(o.Reason))
	case cases.Fail:
		Fail(redact(o.Reason))
	case cases.Error:
		Fail("ERROR: " + redact(o.Reason))
	case cases.Warn:
		AddReportEntry("WARN", redact(o.Reason))
	}
}

func currentProgress() *console.Progress {
	state.mu.Lock()
	defer state.mu.Unlock()
	return state.progress
}

// showCase prints a finished case on the binary's console: its outcome,
// or, when Ginkgo stopped it (a timeout, an interrupt, a panic), an ERROR
// with Ginkgo's one-line reason and never a source location or a stack.
// Specs that did not run (filtered out, or left after an interrupt) are
// not shown: the summary accounts for them.
func showCase(s types.SpecReport) {
	state.mu.Lock()
	p := state.progress
	id := caseIDOf(s.LeafNodeText)
	o, ran := state.outcomes[id]
	moved := state.moved[id]
	state.mu.Unlock()
	if p == nil || s.LeafNodeType != types.NodeTypeIt || moved {
		return
	}
	c := console.Case{ID: id, Duration: s.RunTime}
	switch {
	case s.State.Is(types.SpecStateInterrupted | types.SpecStateTimedout | types.SpecStatePanicked | types.SpecStateAborted):
		c.Verdict, c.Reason = reports.Error, fmt.Sprintf("%s: %s", s.State, oneLine(s.Failure.Message))
	case ran:
		c.Verdict, c.Reason, c.Findings = string(o.Verdict), o.Reason, o.Findings
		if p.Verbosity >= console.Everything && o.Transcript != nil {
			c.Transcript = o.Transcript.String()
		}
	default:
		return
	}
	p.Case(c)
}

// findingLines lists every check made, for -v and failure output.
func findingLines(o engine.Outcome) string {
	lines := make([]string, len(o.Findings))
	for i, f := range o.Findings {
		lines[i] = f.Line()
	}
	return strings.Join(lines, "\n")
}

// Outcomes returns the outcomes recorded so far, by case ID.
func Outcomes() map[string]engine.Outcome {
	state.mu.Lock()
	defer state.mu.Unlock()
	out := make(map[string]engine.Outcome, len(state.outcomes))
	for k, v := range state.outcomes {
		out[k] = v
	}
	return out
}

// GinkgoReport returns Ginkgo's report of the finished suite (nil before).
func GinkgoReport() *types.Report {
	state.mu.Lock()
	defer state.mu.Unlock()
	return state.report
}

// caseIDOf extracts the case ID from a spec's leaf text ("<id> <title>").
func caseIDOf(leaf string) string {
	id, _, _ := strings.Cut(leaf, " ")
	return id
}

// FocusFor is the Ginkgo focus regexp selecting exactly case id (in any
// profile the walk runs it in).
func FocusFor(id string) string {
	return fmt.Sprintf(`(^|\s)%s(@\S+)?(\s|$)`, regexpQuote(id))
}
