package engine

import (
	"context"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/clock"
)

// Explorer runs a case's Explore steps (internal/explore, set by the
// session): random walks of steps, each walk a fresh execution of the
// case (Execution.Fork) whose every answer the engine judges as in a case.
// Its error is the step's: an error of the suite, never a finding.
type Explorer interface {
	Explore(ctx context.Context, x Execution, a caselang.Explore, step string) error
}

// Execution is a case as it runs, what an Explorer drives: the case's own
// execution, or a walk forked from it. Its Profile, Secret, SuiteSecret
// and Response make it a caselang.Scope, so that a step's values resolve in
// it.
type Execution struct{ *execution }

// Case is the case being run.
func (e Execution) Case() caselang.Case { return e.c }

// Seed is the run's seed (Config.Seed), at least 1.
func (e Execution) Seed() uint64 { return max(e.r.cfg.Seed, 1) }

// Fork is a fresh execution of the same case, sharing the run: a model of
// the reading, connections and answers of its own. Close it when done.
func (e Execution) Fork() Execution {
	w := newExecution(e.r, e.c)
	w.walking = true
	return Execution{w}
}

// Do runs step s (named s.Name) as the case's own steps run: sent,
// answered, checked, judged by the model, the connections probed. An
// error is the suite's (the step could not be done or judged in time),
// never the target's, whose deviations are among the findings.
func (e Execution) Do(ctx context.Context, s caselang.Step) error { return e.do(ctx, s, s.Name) }

// Broken are the broken findings so far.
func (e Execution) Broken() []caselang.Finding {
	var out []caselang.Finding
	for _, f := range e.findings {
		if f.Broken() {
			out = append(out, f)
		}
	}
	return out
}

// Add keeps a finding (once).
func (e Execution) Add(f caselang.Finding) { e.add(f) }

// Notef notes a line in the transcript.
func (e Execution) Notef(format string, args ...any) { e.tr.Notef("", format, args...) }

// Include appends what o's transcript recorded to this one's.
func (e Execution) Include(o Execution) { e.tr.Append(o.tr) }

// Sent reports whether the execution has sent a request.
func (e Execution) Sent() bool { return e.ids > 0 }

// Close closes the execution's connections.
func (e Execution) Close() { e.closeAll() }

// Clock is the time the execution's steps are timed by.
func (e Execution) Clock() clock.Clock { return e.tm.clock }

// Settings are the run's lifetimes and lockout parameters.
func (e Execution) Settings() caselang.Settings { return e.set }

// HasHTTP reports whether the target's HTTP server is known.
func (e Execution) HasHTTP() bool { return e.target.HTTP != "" }

// MaySendWrong reports whether a walk may send wrong credentials: no
// lockout stopped them, and the budget spares one (which it then holds).
func (e Execution) MaySendWrong() bool {
	return e.r.svc.Health.Lockout() == "" && e.r.svc.Budget.AdmitWalk()
}
