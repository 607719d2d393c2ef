// Package clock is the time the suite judges token lifetimes and lockouts
// by. Against a live target it is the real clock. Against the embedded
// reference server it is a Virtual clock that the server reads too: a wait
// for a lifetime then moves both sides' time at once, so a lifetime case
// costs no real time and no scheduler delay can make a token older than
// the case says it is.
package clock

import (
	"context"
	"sync"
	"time"
)

// Clock tells the time and waits.
type Clock interface {
	// Now is the current time.
	Now() time.Time
	// Sleep waits d, or until ctx ends (then it returns ctx's error).
	Sleep(ctx context.Context, d time.Duration) error
	// Virtual reports whether time moves only by Sleep: no wait is real,
	// and nothing happens between two readings that Sleep did not cause.
	Virtual() bool
}

// Real is the wall clock.
type Real struct{}

// Now is time.Now.
func (Real) Now() time.Time { return time.Now() }

// Sleep waits d on a timer, or until ctx ends.
func (Real) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Virtual reports false.
func (Real) Virtual() bool { return false }

// Virtual is a clock that stands still until Sleep moves it. It is safe
// for concurrent use; the zero value starts at the zero time, NewVirtual
// at a given one.
type Virtual struct {
	mu  sync.Mutex
	now time.Time
	// Oversleep, when set, is added to every Sleep: a test stand-in for a
	// machine so busy that every wait wakes late.
	Oversleep time.Duration
}

// NewVirtual returns a virtual clock that reads start until it sleeps.
func NewVirtual(start time.Time) *Virtual { return &Virtual{now: start} }

// Now is the virtual time.
func (v *Virtual) Now() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.now
}

// Sleep moves the clock by d (plus Oversleep) at once; it waits for nothing.
func (v *Virtual) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.now = v.now.Add(max(d, 0) + v.Oversleep)
	return nil
}

// Virtual reports true.
func (v *Virtual) Virtual() bool { return true }

// SleepUntil sleeps on c until t (at once when t has passed).
func SleepUntil(ctx context.Context, c Clock, t time.Time) error {
	return c.Sleep(ctx, t.Sub(c.Now()))
}
