package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/roomconform/conform/internal/clock"
	"github.com/roomconform/conform/internal/jsonnum"
)

// Pacing (--pace): a complete run on a live target without a lockout. The
// operator declares the target's lockout: N wrong credentials within a
// window. Per window the run spends at most N-2 wrong credentials (each
// still followed by a successful login, as everywhere); when the next case
// would go beyond that, it first waits the window plus the tolerance from
// the last wrong credential, between cases, holding no connection. At the
// first 6 it sends no further credential: the declaration was wrong, and
// the run ends in an error that says so.

// Pace is the declared lockout a paced run keeps under.
type Pace struct {
	// Attempts is the declared threshold N: wrong credentials within
	// Window that start the lockout.
	Attempts int
	// Window is how long a wrong credential counts towards it.
	Window time.Duration
	// Tolerance is added to every wait for the window to pass.
	Tolerance time.Duration
}

// PerWindow is how many wrong credentials one window may hold: two short
// of the threshold, a margin for a device that counts one more than it
// says (or the operator's own mistyped login in the same window).
func (p Pace) PerWindow() int { return p.Attempts - 2 }

// Wait is how long after a window's last wrong credential the next may go.
func (p Pace) Wait() time.Duration { return p.Window + p.Tolerance }

// Validate says what is wrong with a declaration ("" when nothing).
func (p Pace) Validate() string {
	switch {
	case p.Attempts < 3:
		return fmt.Sprintf("--pace needs --lockout-attempts of 3 or more (it sends at most N-2 wrong credentials per window), not %d", p.Attempts)
	case p.Window <= 0:
		return "--pace needs a --lockout-window above 0"
	}
	return ""
}

// paceState is the paced run's account of the current window.
type paceState struct {
	// reserved is what the cases admitted in this window may send; sent
	// what they did send (more than reserved only for a step the
	// catalogue counts as conditional); last when the last one went.
	reserved, sent int
	last           time.Time
	// windows counts the waits so far; planned is the wrong credentials
	// the plan holds, for the ETA; lockout is set at the first 6.
	windows, planned int
	lockout          string
}

// used is how many wrong credentials the current window holds.
func (p *paceState) used() int { return max(p.reserved, p.sent) }

// paceFor makes room for n wrong credentials in the current window,
// waiting for the window to pass when it has none. It runs between cases
// (or, for an exercise, on no connection of the case's own), so that the
// wait holds nothing open. It returns an error when the wait was
// interrupted (or n would not fit a window at all), nil when n may go now.
func (r *Runner) paceFor(ctx context.Context, n int, who string) error {
	if r.Pace == nil || n == 0 {
		return nil
	}
	if n > r.Pace.PerWindow() {
		// Plan leaves such a case out; anything else asking is a bug, and
		// no wait would make it safe.
		return fmt.Errorf("%s sends %d wrong credentials, more than one window holds (%d)", who, n, r.Pace.PerWindow())
	}
	r.mu.Lock()
	p := &r.pace
	if p.used()+n <= r.Pace.PerWindow() {
		p.reserved += n
		r.mu.Unlock()
		return nil
	}
	until := p.last.Add(r.Pace.Wait())
	p.windows++
	left := r.paceETA(p.planned - r.wrongSent)
	windows := p.windows
	r.mu.Unlock()
	clk := r.clock()
	if d := until.Sub(clk.Now()); d > 0 && r.Progress != nil {
		fmt.Fprintf(r.Progress, "\npace: window %d full (%d wrong credentials of %d); waiting %s for the declared lockout window to pass before %s (about %s left)\n",
			windows, r.Pace.PerWindow(), r.Pace.Attempts, d.Round(time.Second), who, left.Round(time.Second))
	}
	if err := clock.SleepUntil(ctx, clk, until); err != nil {
		return fmt.Errorf("interrupted while waiting out the lockout window: %w", err)
	}
	r.mu.Lock()
	p.reserved, p.sent = n, 0
	r.mu.Unlock()
	return nil
}

// paceSent records a wrong credential the target has had by now (its
// answer came, or the wait for it ended).
func (r *Runner) paceSent() {
	if r.Pace == nil {
		return
	}
	now := r.clock().Now()
	r.mu.Lock()
	r.pace.sent++
	r.pace.last = now
	r.mu.Unlock()
}

// paceETA is how long the waits for n more wrong credentials take, the
// current window's room counted. The caller holds r.mu.
func (r *Runner) paceETA(n int) time.Duration {
	per := r.Pace.PerWindow()
	n -= per - r.pace.used()
	if n <= 0 {
		return 0
	}
	return time.Duration((n+per-1)/per) * r.Pace.Wait()
}

// PaceETA is how long a paced run's waits take at least, for the wrong
// credentials its plan holds (the token exercises may add windows), and
// how many windows that is. Zero without pacing.
func (r *Runner) PaceETA() (time.Duration, int) {
	if r.Pace == nil {
		return 0, 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	eta := r.paceETA(r.pace.planned - r.wrongSent)
	return eta, int(eta / r.Pace.Wait())
}

// PaceLockout says why a paced run stopped ("" while it did not): a 6
// after fewer wrong credentials than declared.
func (r *Runner) PaceLockout() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pace.lockout
}

// pacedLockout is called for every auth answer of a paced run: a 6 means
// the target locked, although the run kept under the declared threshold.
// From then on no credential goes out: the run is given up on (every
// later case is an ERROR), and the error names the count.
func (r *Runner) pacedLockout(resp map[string]any, where string) error {
	if r.Pace == nil {
		return nil
	}
	if code, ok := jsonnum.Int(resp["resultCode"]); !ok || code != 6 {
		return nil
	}
	r.mu.Lock()
	k := r.pace.used()
	why := fmt.Sprintf("lockout after %d wrong credentials within the declared window of %s (at %s): the declared --lockout-attempts %d is wrong; the run sends no further credential",
		k, r.Pace.Window, where, r.Pace.Attempts)
	if r.pace.lockout == "" {
		r.pace.lockout = why
	}
	r.mu.Unlock()
	r.suspectLockout(why)
	r.markDead(why)
	return fmt.Errorf("%s", why)
}

// PaceWaits is how many times a paced run has waited for the window.
func (r *Runner) PaceWaits() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pace.windows
}

// paceExercise makes room in a paced run's window for an exercise that
// may send one wrong credential. When the window is full, the case first
// closes the connections it still holds (its own are closed already; the
// exercises' are one request each), so that the wait holds none.
func (x *execution) paceExercise(ctx context.Context) error {
	x.r.mu.Lock()
	full := x.r.pace.used()+1 > x.r.Pace.PerWindow()
	x.r.mu.Unlock()
	if full {
		x.closeOpen(ctx)
	}
	return x.r.paceFor(ctx, 1, "an exercise of case "+x.c.ID)
}
