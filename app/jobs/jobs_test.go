package jobs_test

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/jobs"
	"github.com/dreamerscave/tdc/app/testenv"
)

// Two schedulers (two instances) on one Redis, one clock: when the job's
// time comes both fire, one runs it and the other skips it.
func TestTwoSchedulersOneRun(t *testing.T) {
	t.Parallel()
	rdb, prefix := testenv.Redis(t)
	clock := clockwork.NewFakeClockAt(time.Date(2026, 3, 1, 12, 0, 30, 0, time.UTC))
	var logs testenv.LogBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	var runs atomic.Int32
	job := jobs.Job{Name: "count", Every: time.Minute, Run: func(context.Context) error {
		runs.Add(1)
		return nil
	}}
	for range 2 {
		s, err := jobs.New(t.Context(), rdb, prefix, log, jobs.Options{Clock: clock})
		require.NoError(t, err)
		require.NoError(t, s.Add(job))
		s.Start()
		t.Cleanup(func() { require.NoError(t, s.Stop()) })
	}
	// Both have set their timer for 12:01:00.
	require.NoError(t, clock.BlockUntilContext(t.Context(), 2))
	require.Zero(t, runs.Load(), "nothing runs before its time")
	clock.Advance(30 * time.Second)

	require.Eventually(t, func() bool {
		return runs.Load() >= 1 && len(logs.Lines("jobs: skipped, another instance runs it", "job=count")) >= 1
	}, 10*time.Second, 5*time.Millisecond, logs.String())
	require.EqualValues(t, 1, runs.Load())
	require.Len(t, logs.Lines("jobs: ran", "job=count"), 1)
}

// A shared job runs on every instance at each tick.
func TestSharedJobRunsEverywhere(t *testing.T) {
	t.Parallel()
	rdb, prefix := testenv.Redis(t)
	clock := clockwork.NewFakeClockAt(time.Date(2026, 3, 1, 12, 0, 30, 0, time.UTC))
	log := testenv.Logger(t)
	var runs atomic.Int32
	job := jobs.Job{Name: "share", Every: time.Minute, Shared: true, Run: func(context.Context) error {
		runs.Add(1)
		return nil
	}}
	for range 2 {
		s, err := jobs.New(t.Context(), rdb, prefix, log, jobs.Options{Clock: clock})
		require.NoError(t, err)
		require.NoError(t, s.Add(job))
		s.Start()
		t.Cleanup(func() { require.NoError(t, s.Stop()) })
	}
	require.NoError(t, clock.BlockUntilContext(t.Context(), 2))
	clock.Advance(30 * time.Second)
	// TestTwoSchedulersOneRun is the same with a job that is not shared:
	// one run for the tick.
	require.Eventually(t, func() bool { return runs.Load() == 2 }, 10*time.Second, 5*time.Millisecond,
		"both instances ran the 12:01 tick")
}

// A failing run is logged, and the scheduler goes on to the next.
func TestFailingJobIsLogged(t *testing.T) {
	t.Parallel()
	rdb, prefix := testenv.Redis(t)
	clock := clockwork.NewFakeClockAt(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	var logs testenv.LogBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	s, err := jobs.New(t.Context(), rdb, prefix, log, jobs.Options{Clock: clock})
	require.NoError(t, err)
	require.Error(t, s.Add(jobs.Job{Name: "nameless"}), "a job needs an interval and a function")
	require.NoError(t, s.Add(jobs.Job{Name: "broken", Every: time.Second, Run: func(context.Context) error {
		return context.DeadlineExceeded
	}}))
	s.Start()
	t.Cleanup(func() { require.NoError(t, s.Stop()) })
	require.Eventually(t, func() bool {
		return len(logs.Lines("jobs: run failed", "job=broken", "deadline exceeded")) >= 1
	}, 10*time.Second, 5*time.Millisecond, logs.String())
}
