package suite

import (
	"context"
	"flag"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"

	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/console"
	"github.com/roomconform/conform/internal/engine"
	"github.com/roomconform/conform/internal/wire"
	"github.com/roomconform/conform/reports"
)

// UsageError is a selection or configuration mistake of the operator: exit 2.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Selection is which cases a run includes.
type Selection struct {
	// LabelFilter is a Ginkgo label expression ("" = every case).
	LabelFilter string
	// Cases are case IDs; when set, only these run (and the label filter too, if given).
	Cases []string
	// Live is set by ForTarget for a live target: the safety policy applies.
	Live bool
	// AllowReconfigure lets mutating cases change a live target's
	// protection (they put it back).
	AllowReconfigure bool
	// Profile is the target's, once the preflight learnt it: the
	// generated cases made for other profiles are then not part of the
	// run (each profile has its own; the walk does not visit them).
	Profile *cases.Profile
}

// ForProfile reports whether case c belongs in a run against a target of
// profile p: every case but a generated one made for another profile.
func ForProfile(c cases.Case, p cases.Profile) bool {
	if !c.HasLabel("generated") {
		return true
	}
	_, inapplicable := c.Gap(p)
	return !inapplicable
}

// AllCases is the label filter that selects every case, also on a live
// target (where an empty filter means the harmless default).
const AllCases = "all"

// Select returns the catalogue cases the selection includes, in run order.
// Unknown IDs, an invalid filter, or a selection matching nothing are
// UsageErrors.
func Select(s Selection) ([]cases.Case, error) {
	match := func([]string) bool { return true }
	if s.LabelFilter != "" && s.LabelFilter != AllCases {
		f, err := types.ParseLabelFilter(s.LabelFilter)
		if err != nil {
			return nil, &UsageError{Msg: fmt.Sprintf("invalid --label-filter %q: %s", s.LabelFilter, flatten(err.Error()))}
		}
		match = f
	}
	for _, id := range s.Cases {
		if _, ok := cases.Lookup(id); !ok {
			return nil, &UsageError{Msg: fmt.Sprintf("unknown case %q (conform list shows every case ID)", id)}
		}
	}
	var out []cases.Case
	for _, c := range cases.All() {
		if len(s.Cases) > 0 && !slices.Contains(s.Cases, c.ID) {
			continue
		}
		if s.Profile != nil && !ForProfile(c, *s.Profile) {
			continue
		}
		if match(c.Labels) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, &UsageError{Msg: fmt.Sprintf("no case matches the selection (label filter %q, cases %v)", s.LabelFilter, s.Cases)}
	}
	return out, nil
}

// Options configure one run of the suite in this process.
type Options struct {
	// Context ends every case when it ends (a signal before Ginkgo's own
	// handler hears it); nil: only Ginkgo's interrupt and timeout do.
	Context   context.Context
	Runner    *engine.Runner
	Selection Selection
	// Timeout bounds the whole run (0 = one hour).
	Timeout time.Duration
	// Verbosity is the console's (console.Quiet, Lines, Everything).
	Verbosity int
	NoColor   bool
	// Console receives the progress of the cases in place of Ginkgo's
	// reporter, which is silenced (one tally, conform's; no source
	// locations or goroutine stacks on an interrupt). Redact it before it
	// gets here. nil: Ginkgo's reporter prints, to stdout.
	Console io.Writer
	// Gate is what the verdict demands beyond the cases' verdicts.
	Gate reports.Gate
	// Sections are the cases run in other profiles, after the others
	// (PlanSections).
	Sections []Section
}

// selectionFlags are Ginkgo flags that would change which specs run behind
// the back of Select (the reports list what Select chose).
var selectionFlags = []string{"ginkgo.label-filter", "ginkgo.focus", "ginkgo.skip", "ginkgo.focus-file", "ginkgo.skip-file"}

// ParseGinkgoArgs applies raw --ginkgo.* flags (given after "--") to
// Ginkgo's global flag set. Call it before anything touches the target: a
// mistake is a UsageError, never an exit from inside the flag package.
func ParseGinkgoArgs(args []string) error {
	if len(args) == 0 {
		return nil
	}
	flag.CommandLine.Init("ginkgo", flag.ContinueOnError)
	flag.CommandLine.SetOutput(io.Discard)
	if err := flag.CommandLine.Parse(args); err != nil {
		return &UsageError{Msg: "ginkgo flags after --: " + err.Error()}
	}
	if rest := flag.CommandLine.Args(); len(rest) > 0 {
		return &UsageError{Msg: fmt.Sprintf("unexpected argument %q after -- (only --ginkgo.* flags go there)", rest[0])}
	}
	var bad []string
	flag.CommandLine.Visit(func(f *flag.Flag) {
		if slices.Contains(selectionFlags, f.Name) {
			bad = append(bad, "--"+f.Name)
		}
	})
	if len(bad) > 0 {
		return &UsageError{Msg: fmt.Sprintf("%s after --: select cases with --label-filter and --case instead", strings.Join(bad, ", "))}
	}
	return nil
}

// Run runs the selected cases once (RunSpecs works once per process) and
// returns the result model, ready for the reports. It returns a UsageError
// for a bad selection, before anything is sent.
func Run(o Options) (reports.Run, error) {
	if o.Selection.Profile == nil && o.Runner != nil {
		o.Selection.Profile = &o.Runner.Profile
	}
	selected, err := Select(o.Selection)
	if err != nil {
		return reports.Run{}, err
	}
	Register(o.Runner, o.Selection, o.Sections...)
	var allowed []cases.Case
	for _, c := range selected {
		if o.Selection.OptedIn(c) {
			allowed = append(allowed, c)
		}
	}
	var elsewhere []cases.Case
	for _, sec := range o.Sections {
		elsewhere = append(elsewhere, sec.Cases...)
	}
	o.Runner.Plan(allowed, elsewhere...)
	if o.Context != nil {
		state.mu.Lock()
		state.ctx = o.Context
		state.mu.Unlock()
	}
	sc, rc := ginkgo.GinkgoConfiguration()
	sc.LabelFilter = o.Selection.LabelFilter
	if sc.LabelFilter == AllCases {
		sc.LabelFilter = ""
	}
	for _, id := range o.Selection.Cases {
		sc.FocusStrings = append(sc.FocusStrings, FocusFor(id))
	}
	sc.FailOnEmpty = true
	// A case that reconfigured the target restores it after a signal or a
	// timeout; Ginkgo must wait for that rather than abandon it.
	sc.GracePeriod = max(sc.GracePeriod, o.Runner.RestoreBound()+5*time.Second)
	sc.Timeout = o.Timeout
	if sc.Timeout <= 0 {
		sc.Timeout = time.Hour
	}
	rc.NoColor = o.NoColor || rc.NoColor
	rc.SilenceSkips = true
	if rc.NoColor {
		formatter.SingletonFormatter.ColorMode = formatter.ColorModeNone
	}
	if o.Console != nil {
		formatter.ColorableStdOut = io.Discard
		known := map[string]bool{}
		for id := range o.Gate.Baseline {
			known[id] = true
		}
		state.mu.Lock()
		state.progress = &console.Progress{W: o.Console, Verbosity: o.Verbosity, Color: !rc.NoColor, Known: known}
		state.mu.Unlock()
	}
	gomega.RegisterFailHandler(ginkgo.Fail)
	start := time.Now()
	ginkgo.RunSpecs(&testingT{}, "conform", sc, rc)
	if p := currentProgress(); p != nil {
		p.Done()
	}
	return conclude(ctxOr(o.Context), o.Runner, selected, start, o.Gate, o.Sections), nil
}

// conclude ends the walk, putting the target's protection back whatever
// happened (its own bound: a signal or --timeout must not leave the target
// changed), and collects the run's result, a restore that failed included.
func conclude(ctx context.Context, r *engine.Runner, selected []cases.Case, start time.Time, gate reports.Gate, sections []Section) reports.Run {
	var restoreErr error
	if r != nil {
		// A case's restore that failed comes first: after it the walk
		// changed nothing more (engine.Runner.mayReconfigure).
		if restoreErr = r.RestoreFailure(); restoreErr == nil {
			restoreErr = r.EndWalk(ctx)
		}
	}
	run := Collect(selected, start, gate, sections...)
	if restoreErr != nil {
		run.RestoreError = r.Redactor.Redact(restoreErr.Error())
		run.Tally()
	}
	return run
}

// Finish is what the Ginkgo routes (`go test ./suite`, `go tool ginkgo
// ./suite`) do after RunSpecs, as the binary does: collect the result of
// the selected cases under gate, write the reports to files and print the
// summary, with the run's one tally, to w (redact it before it gets there).
func Finish(ctx context.Context, sel Selection, start time.Time, gate reports.Gate, files reports.Files, w io.Writer, sections ...Section) (reports.Run, error) {
	if r := currentRunner(); sel.Profile == nil && r != nil {
		sel.Profile = &r.Profile
	}
	selected, err := Select(sel)
	if err != nil {
		return reports.Run{}, err
	}
	run := conclude(ctx, currentRunner(), selected, start, gate, sections)
	run.Selection.LabelFilter, run.Selection.Cases = sel.LabelFilter, sel.Cases
	run.Preflight.OK = true
	werr := reports.WriteAll(ctx, run, files)
	console.Summary(w, run, false)
	if werr == nil {
		fmt.Fprintf(w, "reports: %s\n", files)
	}
	return run, werr
}

func ctxOr(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}

// testingT is all RunSpecs needs from a testing.T in a plain binary.
type testingT struct{ failed bool }

func (t *testingT) Fail() { t.failed = true }

// Collect builds the result model of the selected cases from the recorded
// outcomes and Ginkgo's report (which knows about interrupts, timeouts and
// specs that never ran), judged under gate.
func Collect(selected []cases.Case, start time.Time, gate reports.Gate, sections ...Section) reports.Run {
	r := currentRunner()
	run := reports.Run{
		Schema:    reports.Schema,
		Tool:      "conform",
		StartedAt: start,
		Duration:  time.Since(start).Seconds(),
	}
	if r != nil {
		run.Target.URL = r.Target.URL
		run.Selection.Strict = r.Strict
		run.Selection.Legacy = r.Legacy
		state.mu.Lock()
		run.Profile = profileOf(state.profile)
		state.mu.Unlock()
		run.Seed = r.Seed
		run.NotRun = r.LeftOut()
		if tc, ok := r.TourCoverage(); ok && tc.Transitions+tc.Pairs > 0 {
			run.Transitions = &reports.Transitions{Profile: tc.Profile, Covered: tc.Transitions, Reachable: tc.Reachable,
				Missing: tc.Missing, PairsCovered: tc.Pairs, PairsReachable: tc.PairsReachable, MissingPairs: tc.MissingPairs, Open: tc.Open}
		}
		run.Reconfiguration = r.ReconfigurationNotes()
	}
	outcomes := Outcomes()
	specs := map[string]types.SpecReport{}
	if rep := GinkgoReport(); rep != nil {
		for _, s := range rep.SpecReports {
			if s.LeafNodeType == types.NodeTypeIt {
				specs[caseIDOf(s.LeafNodeText)] = s
			}
		}
		if rep.SpecialSuiteFailureReasons != nil {
			for _, why := range rep.SpecialSuiteFailureReasons {
				if strings.Contains(why, "Interrupted") || strings.Contains(why, "Timeout") {
					run.Interrupted = why
				}
			}
		}
	}
	type planned struct {
		c       cases.Case
		profile string
	}
	var plan []planned
	moved := map[string]bool{}
	for _, sec := range sections {
		for _, c := range sec.Cases {
			moved[c.ID] = true
		}
	}
	for _, c := range selected {
		if !moved[c.ID] { // a moved case runs in its section, not here
			plan = append(plan, planned{c, ""})
		}
	}
	for _, sec := range sections {
		for _, c := range sec.Cases {
			plan = append(plan, planned{c, sec.Profile})
		}
	}
	for _, p := range plan {
		c := p.c
		key := sectionKey(c.ID, p.profile)
		rc := reports.Case{ID: c.ID, Title: c.Title, Group: c.Group(), Labels: nonNil(c.Labels), Profile: p.profile}
		for _, id := range c.Requirements {
			rc.Requirements = append(rc.Requirements, reports.Requirement{ID: id, Level: string(cases.LevelOf(id))})
		}
		o, ran := outcomes[key]
		spec, known := specs[key]
		switch {
		case known && (spec.State.Is(types.SpecStateInterrupted | types.SpecStateTimedout | types.SpecStatePanicked | types.SpecStateAborted)):
			// Ginkgo stopped the case (timeout, interrupt, panic): the outcome, if
			// any, is incomplete.
			rc.Verdict = reports.Error
			rc.Message = fmt.Sprintf("%s: %s", spec.State, oneLine(spec.Failure.Message))
		case ran:
			rc.Verdict = string(o.Verdict)
			rc.Message = o.Reason
			rc.NotApplicable = o.Inapplicable
		default:
			rc.Verdict = reports.Skip
			rc.Message = "not run"
			if run.Interrupted != "" {
				rc.Message = "not run: " + run.Interrupted
			}
		}
		if known {
			rc.Duration = spec.RunTime.Seconds()
		}
		if ran {
			if rc.Duration == 0 {
				rc.Duration = o.Duration.Seconds()
			}
			rc.Findings = o.Findings
			rc.NotRun = o.NotRun
			rc.Transcript = Frames(o.Transcript)
		}
		run.Cases = append(run.Cases, rc)
	}
	if r != nil && r.Pace != nil {
		run.Pace = pace(r, run)
		if why := r.PaceLockout(); why != "" {
			run.InfrastructureError = why
		}
	}
	gate.Apply(&run)
	if r != nil {
		// The one place the report's free text is redacted; transcripts come
		// redacted from Frames.
		run = run.Redacted(r.Redactor.Redact)
	}
	return run
}

// Frames converts a wire transcript into report frames (nil for none).
func Frames(t *wire.Transcript) []reports.Frame {
	if t == nil {
		return nil
	}
	var out []reports.Frame
	for _, fr := range t.Frames() {
		out = append(out, reports.Frame{Conn: fr.Conn, Dir: string(fr.Dir), At: fr.At.Seconds(), Kind: fr.Kind, Payload: fr.Payload, Size: fr.Size})
	}
	return out
}

func profileOf(p cases.Profile) reports.Profile {
	out := reports.Profile{Admin: string(p.Admin), User: string(p.User), Plan: string(p.Plan), Source: p.Source, Notes: p.Notes, Secrets: []string{}}
	for _, s := range p.Secrets {
		out.Secrets = append(out.Secrets, string(s))
	}
	sort.Strings(out.Secrets)
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// flatten strips colour codes and joins the lines of a Ginkgo error (which
// puts the position of a label-filter mistake on a second line).
func flatten(s string) string {
	s = ansi.ReplaceAllString(s, "")
	return strings.Join(strings.Fields(s), " ")
}

// oneLine strips colour codes and keeps the first line.
func oneLine(s string) string {
	s = ansi.ReplaceAllString(s, "")
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

func regexpQuote(s string) string { return regexp.QuoteMeta(s) }

// pace is what a paced run kept to and did: complete only when every
// stimulus of the plan ran (no case left out or ended in an error, no
// token exercise not run, no lockout, no interruption).
func pace(r *engine.Runner, run reports.Run) *reports.Pace {
	p := &reports.Pace{Attempts: r.Pace.Attempts, WindowSeconds: r.Pace.Window.Seconds(), PerWindow: r.Pace.PerWindow(), Windows: r.PaceWaits(),
		Complete: len(run.NotRun) == 0 && r.PaceLockout() == "" && run.Interrupted == ""}
	for _, c := range run.Cases {
		if len(c.NotRun) > 0 || c.Verdict == reports.Error {
			p.Complete = false
		}
	}
	return p
}
