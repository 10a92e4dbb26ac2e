package live

import (
	"context"
	"log/slog"
	"time"
)

// A show starting or ending changes what pages show ("happening now", the
// live badges) without anyone saving anything, so no service publishes it.
// The Clock does: it waits for the next such boundary and reports its
// topics, then looks for the next one. It runs in every instance and
// reports to that instance alone (each re-renders for its own sockets and
// drops its own cache), so it needs no Redis and no lock.

// Boundary is the next instant at which what pages show changes by itself,
// and the topics that change then. A zero At means none is known.
type Boundary struct {
	At     time.Time
	Topics []string
}

// NextBoundary finds the first boundary strictly after now.
type NextBoundary func(ctx context.Context, now time.Time) (Boundary, error)

// Clock timings.
const (
	// clockMaxWait bounds a wait, so a boundary nobody re-armed the clock
	// for (a write that published nothing, a lost message) is found within
	// the hour.
	clockMaxWait = time.Hour
	// clockRetry is the wait after the boundary could not be read.
	clockRetry = time.Minute
)

// Clock reports the topics of each boundary when it comes.
type Clock struct {
	next  NextBoundary
	fire  func(Change)
	log   *slog.Logger
	now   func() time.Time
	after func(time.Duration) <-chan time.Time
	rearm chan struct{}
}

// NewClock returns a clock that asks next for the coming boundary and calls
// fire with each of its topics when it comes. Run runs it.
func NewClock(next NextBoundary, fire func(Change), log *slog.Logger) *Clock {
	return &Clock{next: next, fire: fire, log: log, now: time.Now, after: time.After, rearm: make(chan struct{}, 1)}
}

// WithTime replaces the clock's time: now reads it and after waits on it.
// Tests use it to move time along without sleeping.
func (c *Clock) WithTime(now func() time.Time, after func(time.Duration) <-chan time.Time) *Clock {
	c.now, c.after = now, after
	return c
}

// Rearm makes the clock look for the next boundary again, now: the
// programme changed, and a show may have been added, moved or removed. It
// never blocks.
func (c *Clock) Rearm() {
	select {
	case c.rearm <- struct{}{}:
	default: // a look is already due
	}
}

// Run waits for boundaries and fires their topics until ctx ends.
func (c *Clock) Run(ctx context.Context) {
	for {
		now := c.now()
		b, err := c.next(ctx, now)
		wait := clockMaxWait
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return
			}
			c.log.Warn("live: clock: next boundary", slog.Any("error", err))
			wait = clockRetry
		case !b.At.IsZero():
			wait = min(max(b.At.Sub(now), 0), clockMaxWait)
		}
		select {
		case <-ctx.Done():
			return
		case <-c.rearm:
		case <-c.after(wait):
			if err == nil && !b.At.IsZero() && !c.now().Before(b.At) {
				for _, t := range b.Topics {
					c.fire(Change{Topic: t})
				}
			}
		}
	}
}
