package conductor

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/budget"
	"github.com/roomconform/conform/internal/console"
	"github.com/roomconform/conform/internal/engine"
	"github.com/roomconform/conform/internal/walk"
	"github.com/roomconform/conform/reports"
)

// Entry is one case of a run's plan, in the target's own profile or in a
// section's (a profile the walk puts the target in).
type Entry struct {
	// Key names the entry's outcome: the case ID, with "@profile" in a
	// section.
	Key  string
	Case caselang.Case
	// Section is the index of the entry's section; -1 for the target's
	// own profile.
	Section int
	// Profile is the section's profile ("" for the target's own).
	Profile string
	// Timeout is a backstop past which an executor stops the case
	// (specTimeout): every wait in the engine is bounded already.
	Timeout time.Duration
}

// Group is the requirement group the entry is listed under: a section's
// profile for the cases of a section.
func (e Entry) Group() string {
	if e.Section >= 0 {
		return e.Profile
	}
	return e.Case.Group()
}

// Plan is a run made ready for an executor: the runner, the entries in the
// order they run, and what the run records as they do. Every executor
// calls Run, then Stop if it stopped the case itself, then Show, for each
// entry it starts, in order; the conductor concludes from what they
// recorded, never from an executor's own report.
type Plan struct {
	Runner    *engine.Runner
	Selection Selection
	// Selected are the cases the selection chose in the target's own
	// profile (the reports list them, with the sections' after them).
	Selected []caselang.Case
	Sections []Section
	Entries  []Entry
	// Timeout bounds the executor's whole run (the cases' share of the
	// run's time).
	Timeout time.Duration
	// Verbosity and NoColor are the console's.
	Verbosity int
	NoColor   bool

	ctx      context.Context  // the run's: it ends the cases too
	profile  caselang.Profile // the target's own as the run began (the walk changes the runner's)
	progress *console.Progress
	// budget is the runner's wrong-credential budget, walker its walk
	// (put back when the run ends).
	budget *budget.Budget
	walker *walk.Walker

	mu       sync.Mutex
	outcomes map[string]engine.Outcome
	took     map[string]time.Duration
	stopped  map[string]string
	// runners are the sections' runners once entered, errs why one could
	// not be.
	runners     map[int]*engine.Runner
	errs        map[int]error
	interrupted string
}

// newPlan lays out the entries: the target's own selected cases by
// requirement group in catalogue order (the order the Ginkgo tree runs
// them in, one table per group), then each section's.
func newPlan(ctx context.Context, r *engine.Runner, sel Selection, selected []caselang.Case, sections []Section) *Plan {
	p := &Plan{Runner: r, Selection: sel, Selected: selected, Sections: sections, ctx: ctx, profile: r.Config().Profile,
		outcomes: map[string]engine.Outcome{}, took: map[string]time.Duration{}, stopped: map[string]string{},
		runners: map[int]*engine.Runner{}, errs: map[int]error{}}
	moved := map[string]bool{}
	for _, sec := range sections {
		for _, c := range sec.Cases {
			moved[c.ID] = true
		}
	}
	cfg := r.Config()
	set, virtual, restore := r.EffectiveSettings(), cfg.Clock != nil && cfg.Clock.Virtual(), r.RestoreBound()
	entry := func(c caselang.Case, section int, profile string) Entry {
		timeout := specTimeout(c, cfg.Target, set, virtual)
		if reconfigures(c) {
			timeout = satDur(timeout, restore) // the restore at its end
		}
		return Entry{Key: sectionKey(c.ID, profile), Case: c, Section: section, Profile: profile, Timeout: timeout}
	}
	var groups []string
	byGroup := map[string][]caselang.Case{}
	for _, c := range selected {
		if moved[c.ID] {
			continue // it runs in its section
		}
		g := c.Group()
		if _, ok := byGroup[g]; !ok {
			groups = append(groups, g)
		}
		byGroup[g] = append(byGroup[g], c)
	}
	for _, g := range groups {
		for _, c := range byGroup[g] {
			p.Entries = append(p.Entries, entry(c, -1, ""))
		}
	}
	for i, sec := range sections {
		for _, c := range sec.Cases {
			p.Entries = append(p.Entries, entry(c, i, sec.Profile))
		}
	}
	return p
}

// Context is the run's context: an executor ends its cases when it ends.
func (p *Plan) Context() context.Context { return p.ctx }

// Run runs entry e (in its section's profile, entering it first) and
// records its outcome. A case the live-safety policy refuses is a SKIP.
func (p *Plan) Run(ctx context.Context, e Entry) engine.Outcome {
	start := time.Now()
	ctx, done := p.withRunContext(ctx)
	defer done()
	var o engine.Outcome
	r := p.Runner
	if e.Section >= 0 {
		var err error
		if r, err = p.enter(ctx, e.Section); err != nil || r == nil {
			why := "the target could not be put in profile " + e.Profile
			if err != nil {
				why += ": " + err.Error()
			}
			o = engine.Outcome{Verdict: caselang.Error, Reason: why}
		}
	}
	if o.Verdict == "" {
		if why := p.Selection.refusal(e.Case); why != "" {
			o = engine.Outcome{Verdict: caselang.Skip, Reason: why, Skipped: caselang.SkipExcluded}
		} else {
			o = r.Run(ctx, e.Case)
		}
	}
	p.mu.Lock()
	p.outcomes[e.Key], p.took[e.Key] = o, time.Since(start)
	p.mu.Unlock()
	return o
}

// Stop records that the executor stopped entry e itself (its timeout, an
// interrupt, a panic): an ERROR whatever the case recorded, why says how.
func (p *Plan) Stop(e Entry, why string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopped[e.Key] = why
}

// Interrupt records that the executor's run was cut short (a signal, its
// time bound) before every entry ran.
func (p *Plan) Interrupt(why string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.interrupted == "" {
		p.interrupted = why
	}
}

// Show prints entry e as it ended on the console, if there is one: the
// same reports.Case the reports get (Result), its transcript with -vv.
func (p *Plan) Show(e Entry) {
	if p.progress == nil {
		return
	}
	if c, ok := p.Result(e, func(caselang.Verdict) bool { return p.progress.Verbosity >= console.Everything }); ok {
		p.progress.Case(c)
	}
}

// Result is entry e's result in the one shape every report and the
// console have (ok false before it ended): the engine's outcome, or an
// ERROR when the executor stopped the case (its bound, an interrupt, a
// panic: the outcome, if any, is incomplete). The transcript, when
// transcript asks for it given the verdict, is rendered now, redacted by
// every secret the run knows so far.
func (p *Plan) Result(e Entry, transcript func(caselang.Verdict) bool) (reports.Case, bool) {
	p.mu.Lock()
	o, ran := p.outcomes[e.Key]
	why, stopped := p.stopped[e.Key]
	took := p.took[e.Key]
	p.mu.Unlock()
	c := e.Case
	rc := reports.Case{ID: c.ID, Title: c.Title, Group: c.Group(), Labels: nonNil(c.Labels), Profile: e.Profile, Duration: took.Seconds()}
	for _, id := range c.Requirements {
		rc.Requirements = append(rc.Requirements, reports.Requirement{ID: id, Level: string(caselang.LevelOf(id))})
	}
	switch {
	case stopped:
		rc.Verdict, rc.Message = caselang.Error, why
	case ran:
		rc.Verdict, rc.Message, rc.Skipped = o.Verdict, o.Reason, o.Skipped
	default:
		return rc, false
	}
	if ran {
		rc.Findings, rc.NotRun = reports.FindingsOf(o.Findings), o.NotRun
		if transcript(rc.Verdict) {
			rc.Transcript = Frames(o.Transcript)
		}
	}
	return rc, true
}

// HasConsole reports whether the run prints each case itself (the
// executor's own reporter should then stay silent).
func (p *Plan) HasConsole() bool { return p.progress != nil }

// enter puts the target in section i's profile, once; the runner it
// returns runs the section's cases.
func (p *Plan) enter(ctx context.Context, i int) (*engine.Runner, error) {
	p.mu.Lock()
	r, done := p.runners[i]
	err := p.errs[i]
	p.mu.Unlock()
	if done {
		return r, err
	}
	r, err = p.Sections[i].Enter(ctx)
	p.mu.Lock()
	p.runners[i], p.errs[i] = r, err
	p.mu.Unlock()
	return r, err
}

// withRunContext is ctx, ended also when the run's ends; done releases it.
func (p *Plan) withRunContext(ctx context.Context) (context.Context, func()) {
	run := p.ctx
	if run == nil || run == ctx {
		return ctx, func() {}
	}
	// The run's cause (a signal, or its --timeout) travels with it: the
	// engine bounds a restore by it.
	out, cancel := context.WithCancelCause(ctx)
	stop := context.AfterFunc(run, func() { cancel(context.Cause(run)) })
	return out, func() { stop(); cancel(nil) }
}

// sectionKey is the key of a case's outcome in a section's profile (""
// for the target's own).
func sectionKey(id, profile string) string {
	if profile == "" {
		return id
	}
	return id + "@" + profile
}

// specTimeout is a backstop, never the bound that ends a case: every wait
// in the engine is bounded already. It allows every dial, exchange, close
// and quiet window the case may make (engine.CaseBound: its own steps and
// all the engine adds to them, the probes, barriers and token exercises),
// each at its bound, every real wait its lifetime, every poll its limit,
// plus slack for a busy machine. On a virtual clock waits cost no real
// time. The sum saturates: absurd settings make a long timeout, never a
// negative one.
func specTimeout(c caselang.Case, t engine.Target, set caselang.Settings, virtual bool) time.Duration {
	var waits time.Duration
	for _, s := range c.Steps {
		if a, ok := s.Do.(caselang.Poll); ok && !virtual {
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
func reconfigures(c caselang.Case) bool {
	for _, s := range c.Steps {
		if _, ok := s.Do.(caselang.Reconfigure); ok {
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

// Timeouts are the stop reasons of a case an executor ended at its bound.
func timedOut(e Entry) string {
	return fmt.Sprintf("timedout: the case's bound of %s elapsed", e.Timeout)
}
