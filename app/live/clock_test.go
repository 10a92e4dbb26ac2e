package live_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/testenv"
)

// fakeTime is the clock's time as the test moves it: after records each
// wait the clock asks for, and the test fires the one timer.
type fakeTime struct {
	now   chan time.Time // one slot: the current instant
	waits chan time.Duration
	timer chan time.Time
}

func newFakeTime(start time.Time) *fakeTime {
	f := &fakeTime{now: make(chan time.Time, 1), waits: make(chan time.Duration, 8), timer: make(chan time.Time)}
	f.now <- start
	return f
}

func (f *fakeTime) Now() time.Time { v := <-f.now; f.now <- v; return v }

func (f *fakeTime) After(d time.Duration) <-chan time.Time { f.waits <- d; return f.timer }

// Set moves time to t and lets the pending wait end.
func (f *fakeTime) Set(t time.Time) {
	<-f.now
	f.now <- t
	f.timer <- t
}

func TestClockWaitsFiresAndRetries(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC)
	type answer struct {
		b   live.Boundary
		err error
	}
	answers := make(chan answer, 8)
	asked := make(chan time.Time, 8)
	next := func(_ context.Context, now time.Time) (live.Boundary, error) {
		asked <- now
		a := <-answers
		return a.b, a.err
	}
	fired := make(chan live.Change, 8)
	ft := newFakeTime(start)
	clock := live.NewClock(next, func(c live.Change) { fired <- c }, testenv.Logger(t)).WithTime(ft.Now, ft.After)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { clock.Run(ctx); close(done) }()

	// Far away: it waits an hour at most, fires nothing, and asks again.
	far := start.Add(5 * time.Hour)
	answers <- answer{b: live.Boundary{At: far, Topics: []string{"events"}}}
	require.Equal(t, start, <-asked)
	require.Equal(t, time.Hour, <-ft.waits)
	ft.Set(start.Add(time.Hour))
	require.Equal(t, start.Add(time.Hour), <-asked)
	require.Empty(t, fired)

	// The service fails: it retries in a minute.
	answers <- answer{err: errors.New("database away")}
	require.Equal(t, time.Minute, <-ft.waits)
	ft.Set(start.Add(time.Hour + time.Minute))
	<-asked

	// Nothing coming: it looks again within the hour, or when re-armed.
	answers <- answer{}
	require.Equal(t, time.Hour, <-ft.waits)
	clock.Rearm()
	<-asked

	// A boundary: the wait is exact, and its topics fire at it.
	at := start.Add(time.Hour + 20*time.Minute)
	answers <- answer{b: live.Boundary{At: at, Topics: []string{"events", "event:7"}}}
	require.Equal(t, 19*time.Minute, <-ft.waits)
	ft.Set(at)
	require.Equal(t, live.Change{Topic: "events"}, <-fired)
	require.Equal(t, live.Change{Topic: "event:7"}, <-fired)
	require.Equal(t, at, <-asked)
	answers <- answer{}
	<-ft.waits
	cancel()
	<-done
	require.Empty(t, fired)
}
