package engine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/roomconform/conform/caselang"
	"github.com/roomconform/conform/cases"
	"github.com/roomconform/conform/internal/engine"
	"github.com/roomconform/conform/internal/wire"
	"github.com/roomconform/conform/refserver"
)

// counted is what a case's transcript shows it waited on, by kind: the
// frames the engine sent and the connections it opened, before its token
// exercises and from them on (its end included), up to the restore of a
// reconfiguring case (bounded apart, RestoreBound); and how many tokens it
// exercised.
func counted(tr *wire.Transcript) (steps, exercises engine.Bound, tokens int) {
	b := &steps
	for _, f := range tr.Frames() {
		switch {
		case f.Dir == wire.Note && strings.HasPrefix(f.Payload, "restoring the original protection"):
			return steps, exercises, tokens
		case f.Dir == wire.Note && strings.HasPrefix(f.Payload, "token exercises: "):
			fmt.Sscanf(f.Payload, "token exercises: %d", &tokens)
			b = &exercises
		case f.Dir == wire.Note && strings.HasPrefix(f.Payload, "connected to "):
			b.Dials++
		case f.Dir != wire.Sent:
		case f.Conn == "http" || f.Conn == "web":
			b.HTTP++
		case f.Kind == "close":
			b.Closes++
		default:
			b.Exchanges++
		}
	}
	return steps, exercises, tokens
}

// TestBoundCoversWhatCasesDo: against the reference server, in every
// profile, no case dials, sends, closes or asks the HTTP server more
// often than engine.CaseBound says it can: once with every token it
// obtained exercised (as by the first case of a run), and once more with
// none (every class of token exercised already), against the bound of its
// steps alone, which its probes and barriers must fit in. The spec
// timeout is made of this bound: a case that did more than it counts
// could be cut off while the target answers in time.
func TestBoundCoversWhatCasesDo(t *testing.T) {
	t.Parallel()
	profiles := refserver.Profiles()
	if testing.Short() {
		profiles = profiles[:1]
		t.Logf("-short (CI's race stage): profile %s only; the plain go test runs every profile", profiles[0].Name)
	}
	for _, p := range profiles {
		t.Run(p.Name, func(t *testing.T) {
			t.Parallel() // a server each, on a virtual clock
			r := startProfile(t, p.Name, nil)
			set := r.EffectiveSettings()
			ran := 0
			for _, c := range cases.All() {
				b := engine.CaseBound(c, set, true)
				if b.Estimate {
					continue // an exploration: rapid's walks have no fixed length
				}
				r.ForgetExercised()
				o := r.Run(context.Background(), c)
				steps, exercises, tokens := counted(o.Transcript)
				within(t, c.ID, o, steps.Add(exercises), b)
				sb := engine.StepsBound(c, set)
				within(t, c.ID+" before its token exercises", o, steps, sb)
				// What the exercises did against what the tokens they had
				// allow: the case's connections closed first, its end after.
				allow := engine.ExerciseBound(set, true).Times(tokens).Add(engine.Bound{Closes: sb.Closes, Dials: 1, Exchanges: 1})
				within(t, c.ID+" from its token exercises on", o, exercises, allow)
				if o.Verdict != caselang.Skip {
					ran++
				}
			}
			if ran < 15 {
				t.Errorf("only %d cases ran", ran)
			}
		})
	}
}

// within fails unless got, what case what did, fits in bound b.
func within(t *testing.T, what string, o engine.Outcome, got, b engine.Bound) {
	t.Helper()
	if got.Dials > b.Dials || got.Exchanges > b.Exchanges || got.Closes > b.Closes || got.HTTP > b.HTTP {
		t.Errorf("%s (%s) did more than its bound:\n  did   %+v\n  bound %+v", what, o.Verdict, got, b)
	}
}
