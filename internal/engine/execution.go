package engine

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/model"
	"github.com/roomconform/conform/internal/wire"
)

// execution is the state of one case run.
type execution struct {
	r *Runner
	// release lets go of the target's reconfiguration, which this case
	// holds from its first change (Run calls it after the restore).
	release   func()
	c         caselang.Case
	tr        *wire.Transcript
	target    Target
	set       caselang.Settings
	conns     map[string]*wire.Client
	responses map[string]map[string]any
	// tm times the steps (lifetimes count from them) and holds their deadlines.
	tm *timing
	// discovered is the WebSocket URL config.json named (DISC-1).
	discovered string
	findings   []caselang.Finding
	all        []caselang.Observation
	// troubled is set when a dial failed or a wait ran out.
	troubled bool
	// m is the model of the reading: it judges every exchange.
	m *model.Model
	// ids counts the requests: each gets a fresh all-digit requestId ("1",
	// the docs' own example shape), unique within the case.
	ids int
	// explicit are the requestIds a case's steps chose themselves: the
	// engine's own never take one an answer to them could carry (a
	// barrier "7" beside a step's 7 would take the step's answer).
	explicit []any
	// seen holds the findings already kept, so a repeated step or an
	// invariant found twice is reported once.
	seen map[caselang.Finding]bool
	// notRun lists exercises the wrong-credential budget did not allow.
	notRun []string
	// dupSeen counts each connection's second answers already reported.
	dupSeen map[string]int
	// sentIDs are the requestIds each connection's steps sent (reusesID).
	sentIDs map[string]map[string]bool
	// unsolSeen counts each connection's unsolicited messages already reported.
	unsolSeen map[string]int
	// notices counts the authorizationNeeded notifications each connection
	// has been found to get for a displacement.
	notices map[string]int
	// pending are the displacements whose notification has not come yet
	// (observe.go): judged when it comes, or by its deadline.
	pending []pendingNotice
	// walking marks the execution of an exploration walk.
	walking bool
	// rc is set by the case's first Reconfigure step: what to put back.
	rc *reconfState
	// blocked maps a connection to the earlier deviation that keeps its
	// later steps from being judged (judge.go); lastFailed maps it to the
	// step whose auth on it failed last (a close then breaks ENV-9).
	blocked    map[string]blocker
	lastFailed map[string]string
	// reissued maps a step whose success returned an API token an earlier
	// authorization of the run had returned (AUTH-5) to that one: the
	// token's life began before the step, so what a step timed by it
	// expects is not known.
	reissued map[string]string
	// halted says why the steps after an error were not evaluated ("" if
	// they were, or the error was the suite's).
	halted string
}

func newExecution(r *Runner, c caselang.Case) *execution {
	set := r.EffectiveSettings()
	p, sec := r.svc.Reconfiguration.Current()
	return &execution{r: r, c: c, tr: wire.NewTranscript(r.cfg.Redactor), target: r.cfg.Target.withDefaults(), set: set,
		conns: map[string]*wire.Client{}, responses: map[string]map[string]any{},
		tm: newTiming(r.clock(), set), seen: map[caselang.Finding]bool{}, dupSeen: map[string]int{}, sentIDs: map[string]map[string]bool{}, unsolSeen: map[string]int{}, notices: map[string]int{},
		m: model.New(model.Config{Profile: p, Secrets: sec.values(), Settings: set})}
}

// nextID is the requestId of the next request: the next count whose text
// no requestId a step chose matches.
func (x *execution) nextID() string {
	for {
		x.ids++
		id := strconv.Itoa(x.ids)
		if !slices.ContainsFunc(x.explicit, func(e any) bool { return wire.IDMatches(e, id) }) {
			return id
		}
	}
}

// add keeps a finding unless the same one was kept already.
func (x *execution) add(f caselang.Finding) {
	if x.seen[f] {
		return
	}
	x.seen[f] = true
	x.findings = append(x.findings, f)
}

// Profile, Secret and Response make execution a caselang.Scope.
func (x *execution) Profile() caselang.Profile { return x.r.Profile() }

func (x *execution) Secret(k caselang.SecretKind) (string, bool) { return x.r.Secrets().Get(k) }

// SuiteSecret is the secret the suite sets on a reconfiguration (reconf).
func (x *execution) SuiteSecret(k caselang.SecretKind) string { return x.reconfKey().Derive(k) }

func (x *execution) Response(step string) (map[string]any, bool) {
	m, ok := x.responses[step]
	return m, ok
}

// steps runs the case's steps in order: the core loop. It stops at the
// first error (the suite could not do a step); what the target did wrong
// is in the findings, not in errors.
func (x *execution) steps(ctx context.Context) error {
	for i, s := range x.c.Steps {
		name := s.Name
		if name == "" {
			name = "#" + strconv.Itoa(i+1)
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("step %s: %w", name, err)
		}
		if s.OnlyIf != nil {
			if v, err := s.OnlyIf.Resolve(x); err != nil || !v.Present {
				x.tr.Notef(s.ConnName(), "step %s skipped: %s is absent, nothing to try", name, s.OnlyIf.Describe())
				continue
			}
		}
		x.settleNotices(ctx, "")
		if err := x.do(ctx, s, name); err != nil {
			x.halt(i, err)
			return err
		}
	}
	return nil
}

// do runs one step by its kind; each kind lives in a file of its own.
func (x *execution) do(ctx context.Context, s caselang.Step, name string) error {
	// The step's request is labelled in the transcript (the report marks
	// the frames of a failing step); the label is taken back after the
	// step, so that one that sent nothing labels no later frame.
	switch s.Do.(type) {
	case caselang.Send, caselang.Abort, caselang.Raw, caselang.Poll:
		x.tr.Step(s.ConnName(), name)
		defer x.tr.Step(s.ConnName(), "")
	case caselang.HTTPGet:
		x.tr.Step("http", name)
		defer x.tr.Step("http", "")
	}
	switch a := s.Do.(type) {
	case caselang.Send:
		return x.send(ctx, s, a, name)
	case caselang.Abort:
		return x.abort(ctx, s, a, name)
	case caselang.Close:
		x.closeStep(ctx, s.ConnName(), a.Abrupt)
		return nil
	case caselang.HTTPGet:
		return x.httpGet(ctx, s, a, name)
	case caselang.Await:
		return x.await(ctx, s, a, name)
	case caselang.Raw:
		return x.raw(ctx, s, a, name)
	case caselang.Discover:
		return x.discover(ctx, s, name)
	case caselang.Poll:
		return x.poll(ctx, s, a, name)
	case caselang.Explore:
		if x.r.svc.Explorer == nil {
			return fmt.Errorf("step %s: no explorer is set for this run", name)
		}
		return x.r.svc.Explorer.Explore(ctx, Execution{x}, a, name)
	case caselang.Reconfigure:
		return x.reconfigure(ctx, s, a, name)
	}
	return fmt.Errorf("step %s: the engine does not know how to %T", name, s.Do)
}

// evaluate applies a step's checks to an observation and keeps it. A check
// the model fills in (AsTheReadingSays) is left to judged.
func (x *execution) evaluate(s caselang.Step, o caselang.Observation) {
	if b, ok := x.blockerOf(s.ConnName()); ok {
		x.evaluateBlocked(s, o, b)
		return
	}
	if before, ok := x.reissuedLife(s); ok {
		why := fmt.Sprintf("the token of step %s is the one %s returned (AUTH-5): its life did not begin there", s.When.From, before)
		for _, ch := range s.Expect {
			x.add(caselang.Finding{Requirement: ch.Req, Level: caselang.LevelOf(ch.Req), Step: o.Step, Check: ch.Name, NotEvaluated: why})
		}
		x.all = append(x.all, o)
		return
	}
	for _, ch := range s.Expect {
		if !ch.ByModel() {
			x.add(ch.Evaluate(o))
		}
	}
	x.all = append(x.all, o)
}

// reissuedLife reports whether step s is timed by the life of a token an
// earlier authorization had returned, and which.
func (x *execution) reissuedLife(s caselang.Step) (string, bool) {
	if s.When == nil {
		return "", false
	}
	before, ok := x.reissued[s.When.From]
	return before, ok
}

// observation starts the observation of a step.
func (x *execution) observation(name string) caselang.Observation {
	return caselang.Observation{Step: name, Profile: x.Profile(), Earlier: x.responses}
}
