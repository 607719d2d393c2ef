package conductor

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/budget"
	"github.com/roomconform/conform/internal/wire"
	"github.com/roomconform/conform/reports"
)

// conclude ends the walk, putting the target's protection back whatever
// happened (its own bound: a signal or --timeout must not leave the target
// changed), and collects the run's result, a restore that failed included.
//
// Each case's transcript is rendered when a report shows it (every) or
// else only for the cases that did not pass, what a caller reads after an
// in-process run: rendering redacts every frame again (7% of a mutation
// matrix row's CPU, which writes no report).
func (p *Plan) conclude(ctx context.Context, start time.Time, gate reports.Gate, every bool) reports.Run {
	r := p.Runner
	// A case's restore that failed comes first: after it the walk changed
	// nothing more (engine.Runner.MayReconfigure).
	restoreErr := r.RestoreFailure()
	if restoreErr == nil {
		restoreErr = p.walker.End(ctx)
	}
	run := p.collect(start, gate, every)
	if restoreErr != nil {
		run.RestoreError = r.Config().Redactor.Redact(restoreErr.Error())
		run.Tally(cases.Catalogue())
	}
	return run
}

// collect builds the result model of the planned cases from what the
// executor recorded (an entry it stopped is an ERROR, one it never
// started is not run), judged under gate.
func (p *Plan) collect(start time.Time, gate reports.Gate, every bool) reports.Run {
	r := p.Runner
	cfg := r.Config()
	run := reports.Run{
		Schema:    reports.Schema,
		Tool:      "conform",
		StartedAt: start,
		Duration:  time.Since(start).Seconds(),
	}
	run.Target.URL, run.Target.Embedded = cfg.Target.URL, !p.Selection.Live
	if p.Selection.Live {
		run.Target.Web, run.Target.HTTP = cfg.Target.Web, cfg.Target.HTTP
	}
	run.Unselected = p.unselected()
	run.Selection.Strict = cfg.Strict
	run.Selection.Legacy = cfg.Legacy
	run.Selection.LabelFilter, run.Selection.Cases = p.Selection.LabelFilter, p.Selection.Cases
	run.Selection.Requirements = p.Selection.Requirements
	run.Profile = profileOf(p.profile)
	run.Seed = cfg.Seed
	run.NotRun = p.budget.LeftOut()
	if tc, ok := r.TourCoverage(cases.ReachOf); ok && tc.Transitions+tc.Pairs > 0 {
		run.Transitions = &reports.Transitions{Profile: tc.Profile, Covered: tc.Transitions, Reachable: tc.Reachable,
			Missing: tc.Missing, PairsCovered: tc.Pairs, PairsReachable: tc.PairsReachable, MissingPairs: tc.MissingPairs, Open: tc.Open}
	}
	run.Reconfiguration = r.ReconfigurationNotes()
	run.Observed = reports.ObservedAnswers(r.SuccessfulAuths())
	refusals, eventsFirst := r.InteropSeen()
	run.Interop = reports.InteropNotes(refusals.Count, refusals.Example, eventsFirst.Count, eventsFirst.Example)
	p.mu.Lock()
	run.Interrupted = p.interrupted
	p.mu.Unlock()
	byKey := map[string]Entry{}
	for _, e := range p.Entries {
		byKey[e.Key] = e
	}
	// The reports list the selection in catalogue order, then the
	// sections' cases.
	var keys []Entry
	for _, c := range p.Selected {
		if e, ok := byKey[c.ID]; ok {
			keys = append(keys, e)
		}
	}
	for _, e := range p.Entries {
		if e.Section >= 0 {
			keys = append(keys, e)
		}
	}
	for _, e := range keys {
		// The transcripts are rendered here, at the end, so that a secret
		// the target echoed before the run learnt it (a token it issues
		// later) is redacted in them too.
		rc, ended := p.Result(e, func(v caselang.Verdict) bool { return every || v != caselang.Pass })
		if !ended {
			rc.Verdict, rc.Message = caselang.Skip, "not run"
			if run.Interrupted != "" {
				rc.Message = "not run: " + run.Interrupted
			}
		}
		run.Cases = append(run.Cases, rc)
	}
	if p.budget.Pace() != nil {
		run.Pace = pace(p.budget, run)
		if why := p.budget.PaceLockout(); why != "" {
			run.InfrastructureError = why
		}
	}
	// The one place the report's free text is redacted; transcripts come
	// redacted from Frames. The gate comes after, so that the findings'
	// keys (the baseline's, reports.FindingKey) are made of the text the
	// reports show; the operator's baseline reasons are shown as the
	// target's text is.
	run = run.Redacted(cfg.Redactor.Redact)
	gate.Apply(&run, cases.Catalogue())
	run.RedactBaselines(cfg.Redactor.Redact)
	return run
}

// Frames converts a wire transcript into report frames (nil for none).
func Frames(t *wire.Transcript) []reports.Frame {
	if t == nil {
		return nil
	}
	var out []reports.Frame
	for _, fr := range t.Frames() {
		out = append(out, reports.Frame{Conn: fr.Conn, Dir: string(fr.Dir), At: fr.At.Seconds(), Kind: fr.Kind, Payload: fr.Payload, Size: fr.Size, Step: fr.Step})
	}
	return out
}

func profileOf(p caselang.Profile) reports.Profile {
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

// pace is what a paced run kept to and did: complete only when every
// stimulus of the plan ran (no case left out or ended in an error, no
// token exercise not run, no lockout, no interruption).
func pace(b *budget.Budget, run reports.Run) *reports.Pace {
	pc := b.Pace()
	p := &reports.Pace{Attempts: pc.Attempts, WindowSeconds: pc.Window.Seconds(), PerWindow: pc.PerWindow(), Windows: b.PaceWaits(),
		Complete: len(run.NotRun) == 0 && b.PaceLockout() == "" && run.Interrupted == ""}
	for _, c := range run.Cases {
		if len(c.NotRun) > 0 || c.Verdict == caselang.Error {
			p.Complete = false
		}
	}
	return p
}

// checkPace says what a paced run's waits cost, and refuses to start one
// whose waits alone would outlast the time left. The plan is the budget's
// (budget.Budget.Plan), made before any case.
func (p *Plan) checkPace(w interface{ Write([]byte) (int, error) }, left time.Duration) error {
	b := p.budget
	pc := b.Pace()
	if pc == nil {
		return nil
	}
	eta, waits := b.PaceETA()
	fmt.Fprintf(w, "pace: at most %d wrong credentials within each %s (the declared lockout is %d); %d waits of %s planned, %s of waiting at least; %d cases left out\n",
		pc.PerWindow(), pc.Window, pc.Attempts, waits, pc.Wait(), eta, len(b.LeftOut()))
	if eta > left {
		return &UsageError{Msg: fmt.Sprintf("--pace: the waits alone take %s (%d windows of %s), more than the %s --timeout leaves for the cases; raise --timeout or narrow the selection",
			eta, waits, pc.Wait(), left.Round(time.Second))}
	}
	return nil
}

// unselected lists the catalogue cases the selection left out, made for
// the target's profile (or for none), with what each would have been: not
// applicable or not checkable against the target, or else excluded. A
// case the walk placed in another profile's section ran there, and is not
// listed.
func (p *Plan) unselected() []reports.Unselected {
	in := map[string]bool{}
	for _, c := range p.Selected {
		in[c.ID] = true
	}
	for _, e := range p.Entries {
		in[e.Case.ID] = true
	}
	var out []reports.Unselected
	for _, c := range cases.All() {
		if in[c.ID] || !ForProfile(c, p.profile) {
			continue
		}
		u := reports.Unselected{ID: c.ID, As: caselang.SkipExcluded}
		switch reason, kind := c.Gap(p.profile); kind {
		case caselang.Inapplicable, caselang.Uncheckable:
			u.As, u.Reason = caselang.SkipOf(kind), reason
		}
		out = append(out, u)
	}
	return out
}
