// Package explore runs a case's exploration (caselang.Explore): random walks
// of steps over three connections, drawn by pgregory.net/rapid from the
// run's seed, each a fresh execution of the case whose every answer the
// engine judges exactly as in a case; the first walk that breaks the
// reading is shrunk and reported as a case to paste into the catalogue.
// It is the engine's Explorer, set on the runner by the session.
package explore

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"pgregory.net/rapid"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/internal/engine"
	"github.com/roomconform/conform/internal/wire"
)

// Exploration: random walks of steps over three connections, drawn by
// pgregory.net/rapid from the run's seed, each walk on a fresh model of
// the reading and every answer judged by it (and by the invariants of every
// answer, and the state probes) exactly as in a case. The first walk with a
// broken finding is shrunk by rapid to the shortest walk that still breaks
// one, and reported with its steps as a case to paste into the catalogue.
//
// rapid is built for `go test`: its settings are process-wide flags and it
// asks testing.Short (rapidflags.go), so each exploration sets rapid's
// flags first, holding mu, and runs rapid on a goroutine of its own, whose
// end a failing check's FailNow is.

// maxShrinkRuns bounds the walks replayed while shrinking a failing one.
const maxShrinkRuns = 150

// mu serializes explorations: rapid's settings are process-wide.
var mu sync.Mutex

// Explorer is the engine's Explorer: it runs Explore steps.
type Explorer struct{}

// Explore runs an Explore step of x's case.
func (Explorer) Explore(ctx context.Context, x engine.Execution, a caselang.Explore, name string) error {
	mu.Lock()
	defer mu.Unlock()
	seed := x.Seed()
	// rapid makes fewer and shorter walks when the process runs with
	// -test.short (a fifth of the checks, half the steps): the exploration
	// is the case's whatever the process's flags.
	checks, steps := max(1, a.Walks), max(1, a.Steps)
	if testShort() {
		checks, steps = 5*checks, 2*steps
	}
	if err := setRapid(map[string]string{
		"rapid.checks": strconv.Itoa(checks), "rapid.steps": strconv.Itoa(steps),
		"rapid.seed": strconv.FormatUint(seed, 10), "rapid.nofailfile": "true", "rapid.shrinktime": "10m",
	}); err != nil {
		return fmt.Errorf("step %s: %w", name, err)
	}
	c := x.Case()
	tb := &walkTB{name: c.ID}
	var (
		last   *walk // the last walk run: after a failure, rapid's replay of the shortest
		failed *walk
		stop   error // an error of the suite (not a finding): ends the exploration
	)
	// Shrinking replays walks, and every walk's tokens are secrets the run
	// must redact: past a number of replays the attempts are skipped, so
	// that neither what a run registers nor the walk it ends with depends
	// on the machine's speed. rapid.shrinktime is set far beyond what the
	// replays take, so that the count, never the time, ends the shrinking.
	shrinkRuns := 0
	prop := func(t *rapid.T) {
		if stop != nil {
			t.SkipNow()
		}
		if failed != nil {
			if shrinkRuns >= maxShrinkRuns {
				t.SkipNow()
			}
			shrinkRuns++
		}
		w := newWalk(ctx, x)
		last = w
		defer w.end(ctx)
		t.Repeat(w.actions(func(err error) {
			stop = err
			t.SkipNow()
		}, func(fs []caselang.Finding) {
			failed = w
			t.Fatalf("%s", fs[0].String())
		}))
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		rapid.Check(tb, prop)
	}()
	<-done
	if stop != nil && !tb.Failed() {
		// The seed repeats the walk that met the error (--seed).
		return fmt.Errorf("step %s (seed %d): %w", name, seed, stop)
	}
	walks := a.Walks
	if !tb.Failed() || failed == nil {
		x.Notef("exploration: %d walks of about %d steps from seed %d, every answer as the reading allows", walks, a.Steps, seed)
		x.Add(caselang.Finding{Requirement: c.Requirements[0], Level: caselang.LevelOf(c.Requirements[0]), Step: name,
			Check: "random walks", OK: true, Note: fmt.Sprintf("%d walks from seed %d", walks, seed)})
		return nil
	}
	w := last
	if len(w.x.Broken()) == 0 {
		w = failed
	}
	b := w.x.Broken()
	x.Notef("exploration: a walk broke the reading; rapid shrank it to %d steps (seed %d). As a case for the catalogue:\n%s",
		len(w.steps), seed, caselang.GoSyntax(b[0].Requirement, fmt.Sprintf("found by exploration (seed %d): %s", seed, b[0].Check), w.steps))
	x.Include(w.x)
	for _, f := range b {
		f.Note = joinNote(f.Note, fmt.Sprintf("found by exploration, seed %d; the shortest walk is in the transcript", seed))
		x.Add(f)
	}
	return nil
}

// joinNote joins two notes of a finding.
func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// walk is one random walk: a fresh execution (model, connections,
// answers) sharing the run.
type walk struct {
	x     engine.Execution
	ctx   context.Context
	steps []caselang.Step
	n     int
	conns []string
	// wrong says the walk may send wrong credentials (within the budget).
	wrong bool
}

func newWalk(ctx context.Context, parent engine.Execution) *walk {
	w := &walk{x: parent.Fork(), ctx: ctx, conns: []string{"a", "b", "c"}}
	w.wrong = parent.MaySendWrong()
	return w
}

// end closes the walk's connections and, if it may have left a lockout
// counter behind, logs in once, so the next walk starts as the model does.
func (w *walk) end(ctx context.Context) {
	x := w.x
	if w.wrong && x.Sent() {
		rec := caselang.Step{Name: "end", Conn: "end", Do: caselang.Send{Request: caselang.LoginAny(), Recovery: true}, OnlyIf: caselang.CanLoginAny}
		if v, err := rec.OnlyIf.Resolve(x); err == nil && v.Present {
			_ = x.Do(ctx, rec)
			resp, _ := x.Response(rec.Name)
			if ok, _ := resp["result"].(bool); !ok && x.Clock().Virtual() {
				// Locked out by the walk's wrong credentials: wait the
				// lockout out (free on a virtual clock) and log in again.
				set := x.Settings()
				_ = x.Clock().Sleep(ctx, set.LockoutWait+set.Tolerance)
				rec.Name, rec.Conn = "end-after-lockout", "end2"
				_ = x.Do(ctx, rec)
			}
		}
	}
	x.Close()
}

// actions are the walk's moves, for rapid's state machine: an auth request
// drawn from the alphabet, a command, a close, an HTTP probe, a wait (on a
// virtual clock only). fail stops with a broken finding, abort with an
// error of the suite.
func (w *walk) actions(abort func(error), fail func([]caselang.Finding)) map[string]func(*rapid.T) {
	x := w.x
	run := func(t *rapid.T, s caselang.Step) {
		w.n++
		s.Name = "w" + strconv.Itoa(w.n)
		before := len(x.Broken())
		w.steps = append(w.steps, s)
		if err := x.Do(w.ctx, s); err != nil {
			var late *engine.LateError
			if errors.As(err, &late) || errors.Is(err, wire.ErrTimeout) {
				t.SkipNow() // the machine was too busy to judge this walk
			}
			abort(err)
		}
		if b := x.Broken(); len(b) > before {
			fail(b[before:])
		}
	}
	conn := func(t *rapid.T) string { return rapid.SampledFrom(w.conns).Draw(t, "conn") }
	// The moves are the generated cases' alphabet (caselang.Tour, and a row of
	// caselang.Factors): a walk goes where the tour does not, in an order
	// the seed draws, with what earlier steps of the walk got.
	acts := map[string]func(*rapid.T){}
	// One move per kind of input (a login or other auth request, a token
	// re-authorization, a command, a close), so that each kind comes as
	// often as the others whatever their numbers in the alphabet.
	for _, kind := range []string{"auth", "token", "command", "close"} {
		var ins []caselang.Input
		for _, in := range caselang.Tour {
			if inputKind(in) == kind {
				ins = append(ins, in)
			}
		}
		acts[kind] = func(t *rapid.T) {
			in := rapid.SampledFrom(ins).Draw(t, "input")
			st := caselang.Step{Conn: conn(t)}
			switch {
			case in.Close:
				st.Do = caselang.Close{Abrupt: in.Abrupt}
				run(t, st)
				return
			case in.Tokens != "":
				tokens := w.tokens(false)
				if len(tokens) == 0 {
					t.Skip("no token yet")
				}
				in.Request.Credentials = rapid.SampledFrom(tokens).Draw(t, "token")
			}
			st.Do = caselang.Send{Request: in.Request}
			if st.SendsWrongCredential() && !w.wrong {
				t.Skip("no wrong credential to spare")
			}
			st.Expect = []caselang.Check{caselang.AsTheReadingSays("ROLE-1")}
			run(t, st)
		}
	}
	for name, act := range map[string]func(*rapid.T){
		"row": func(t *rapid.T) {
			row := make([]int, len(caselang.Factors))
			for i, f := range caselang.Factors {
				row[i] = rapid.IntRange(0, len(f.Classes)-1).Draw(t, f.Name)
			}
			r, _ := caselang.Row(row)
			if http, ok := caselang.IsPlaceholder(r.Credentials); ok {
				tokens := w.tokens(http)
				if len(tokens) == 0 {
					t.Skip("no token yet")
				}
				r.Credentials = rapid.SampledFrom(tokens).Draw(t, "token")
			}
			st := caselang.Step{Conn: conn(t), Do: caselang.Send{Request: r}, Expect: []caselang.Check{caselang.AsTheReadingSays("ROLE-1")}}
			if st.SendsWrongCredential() && !w.wrong {
				t.Skip("no wrong credential to spare")
			}
			run(t, st)
		},
	} {
		acts[name] = act
	}
	if x.HasHTTP() {
		acts["http"] = func(t *rapid.T) {
			tokens := append(w.tokens(true), w.tokens(false)...) // every kind, to the HTTP server
			if len(tokens) == 0 {
				t.Skip("no token yet")
			}
			v := rapid.SampledFrom(tokens).Draw(t, "token")
			run(t, caselang.Step{Do: caselang.HTTPGet{Token: v}, Expect: []caselang.Check{caselang.AsTheReadingSays("LIFE-1")}})
		}
	}
	if x.Clock().Virtual() {
		acts["wait"] = func(t *rapid.T) {
			set := x.Settings()
			d := rapid.SampledFrom([]time.Duration{set.HTTPTokenTTL + set.Tolerance, set.PINTokenMin + set.Tolerance, set.TokenTTL + set.Tolerance}).Draw(t, "wait")
			w.steps = append(w.steps, caselang.Step{Name: "wait " + d.String()})
			_ = x.Clock().Sleep(w.ctx, d)
		}
	}
	return acts
}

// tokens are the tokens earlier steps of the walk got: API tokens, or with
// http the HTTP tokens.
func (w *walk) tokens(http bool) []caselang.Value {
	var out []caselang.Value
	for _, s := range w.steps {
		resp, ok := w.x.Response(s.Name)
		if !ok {
			continue
		}
		if tok, _ := resp["token"].(string); tok != "" && !http {
			out = append(out, caselang.TokenOf(s.Name))
		}
		if tok, _ := resp["tokenForHttpServer"].(string); tok != "" && http {
			out = append(out, caselang.HTTPTokenOf(s.Name))
		}
	}
	return slices.Clip(out)
}

// walkTB is rapid's TB outside a test: it keeps what rapid says, and its
// FailNow ends the goroutine rapid runs on.
type walkTB struct {
	name   string
	mu     sync.Mutex
	failed bool
	logs   []string
}

func (t *walkTB) Helper()      {}
func (t *walkTB) Name() string { return t.name }
func (t *walkTB) Logf(format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.logs = append(t.logs, fmt.Sprintf(format, args...))
}
func (t *walkTB) Log(args ...any)                   { t.Logf("%s", strings.TrimSuffix(fmt.Sprintln(args...), "\n")) }
func (t *walkTB) Skipf(format string, args ...any)  { t.Logf(format, args...); t.SkipNow() }
func (t *walkTB) Skip(args ...any)                  { t.Log(args...); t.SkipNow() }
func (t *walkTB) SkipNow()                          { runtime.Goexit() }
func (t *walkTB) Errorf(format string, args ...any) { t.Logf(format, args...); t.Fail() }
func (t *walkTB) Error(args ...any)                 { t.Log(args...); t.Fail() }
func (t *walkTB) Fatalf(format string, args ...any) { t.Errorf(format, args...); t.FailNow() }
func (t *walkTB) Fatal(args ...any)                 { t.Error(args...); t.FailNow() }
func (t *walkTB) FailNow()                          { t.Fail(); runtime.Goexit() }
func (t *walkTB) Fail() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failed = true
}
func (t *walkTB) Failed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.failed
}

// inputKind is the kind of a tour input, for the walks' moves: the HTTP
// inputs are the http move's.
func inputKind(in caselang.Input) string {
	switch {
	case in.HTTP:
		return "http"
	case in.Close:
		return "close"
	case in.Tokens != "":
		return "token"
	case in.Request.Method != "":
		return "command"
	}
	return "auth"
}
