package budget

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

// Pace is the declared lockout the run keeps under (nil: not paced).
func (b *Budget) Pace() *Pace { return b.cfg.Pace }

// paceFor makes room for n wrong credentials in the current window,
// waiting for the window to pass when it has none. It runs between cases
// (or, for an exercise, on no connection of the case's own), so that the
// wait holds nothing open. It returns an error when the wait was
// interrupted (or n would not fit a window at all), nil when n may go now.
func (b *Budget) paceFor(ctx context.Context, n int, who string) error {
	pace := b.cfg.Pace
	if pace == nil || n == 0 {
		return nil
	}
	if n > pace.PerWindow() {
		// Plan leaves such a case out; anything else asking is a bug, and
		// no wait would make it safe.
		return fmt.Errorf("%s sends %d wrong credentials, more than one window holds (%d)", who, n, pace.PerWindow())
	}
	b.mu.Lock()
	p := &b.pace
	if p.used()+n <= pace.PerWindow() {
		p.reserved += n
		b.mu.Unlock()
		return nil
	}
	until := p.last.Add(pace.Wait())
	p.windows++
	left := b.paceETA(p.planned - b.wrongSent)
	windows := p.windows
	b.mu.Unlock()
	clk := b.cfg.Clock
	if d := until.Sub(clk.Now()); d > 0 && b.cfg.Progress != nil {
		fmt.Fprintf(b.cfg.Progress, "\npace: window %d full (%d wrong credentials of %d); waiting %s for the declared lockout window to pass before %s (about %s left)\n",
			windows, pace.PerWindow(), pace.Attempts, d.Round(time.Second), who, left.Round(time.Second))
	}
	if err := clock.SleepUntil(ctx, clk, until); err != nil {
		return fmt.Errorf("interrupted while waiting out the lockout window: %w", err)
	}
	b.mu.Lock()
	p.reserved, p.sent = n, 0
	b.mu.Unlock()
	return nil
}

// Delivered records a wrong credential the target has had by now (its
// answer came, or the wait for it ended): a paced run's window counts
// from then, never from a send that a busy machine may have made earlier
// than the target saw it.
func (b *Budget) Delivered() {
	if b.cfg.Pace == nil {
		return
	}
	now := b.cfg.Clock.Now()
	b.mu.Lock()
	b.pace.sent++
	b.pace.last = now
	b.mu.Unlock()
}

// paceETA is how long the waits for n more wrong credentials take, the
// current window's room counted. The caller holds b.mu.
func (b *Budget) paceETA(n int) time.Duration {
	per := b.cfg.Pace.PerWindow()
	n -= per - b.pace.used()
	if n <= 0 {
		return 0
	}
	return time.Duration((n+per-1)/per) * b.cfg.Pace.Wait()
}

// PaceETA is how long a paced run's waits take at least, for the wrong
// credentials its plan holds (the token exercises may add windows), and
// how many windows that is. Zero without pacing.
func (b *Budget) PaceETA() (time.Duration, int) {
	if b.cfg.Pace == nil {
		return 0, 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	eta := b.paceETA(b.pace.planned - b.wrongSent)
	return eta, int(eta / b.cfg.Pace.Wait())
}

// PaceLockout says why a paced run stopped ("" while it did not): a 6
// after fewer wrong credentials than declared.
func (b *Budget) PaceLockout() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.pace.lockout
}

// CheckAnswer is told every auth answer of the run. In a paced run, a 6
// means the target locked, although the run kept under the declared
// threshold: the error names the count, and the run gives up on the
// target (every later case is an ERROR) and sends no further credential.
func (b *Budget) CheckAnswer(resp map[string]any, where string) error {
	pace := b.cfg.Pace
	if pace == nil {
		return nil
	}
	if code, ok := jsonnum.Int(resp["resultCode"]); !ok || code != 6 {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	why := fmt.Sprintf("lockout after %d wrong credentials within the declared window of %s (at %s): the declared --lockout-attempts %d is wrong; the run sends no further credential",
		b.pace.used(), pace.Window, where, pace.Attempts)
	if b.pace.lockout == "" {
		b.pace.lockout = why
	}
	return fmt.Errorf("%s", why)
}

// PaceWaits is how many times a paced run has waited for the window.
func (b *Budget) PaceWaits() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.pace.windows
}
