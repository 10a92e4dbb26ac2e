package jobs_test

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/jobs"
	"github.com/dreamerscave/tdc/app/testenv"
)

// instance is one process's jobs: its runner, and its scheduler unless
// TDC_JOBS=off there.
type instance struct {
	runner *jobs.Runner
	reg    *prometheus.Registry
}

func newInstance(t *testing.T, prefix string, clock clockwork.Clock, log *slog.Logger, schedule bool, js ...jobs.Job) instance {
	t.Helper()
	rdb, _ := testenv.Redis(t)
	if log == nil {
		log = testenv.Logger(t)
	}
	r := jobs.NewRunner(rdb, prefix, log, clock)
	t.Cleanup(r.Close)
	reg := prometheus.NewRegistry()
	for _, c := range r.Collectors() {
		require.NoError(t, reg.Register(c))
	}
	if !schedule {
		require.NoError(t, r.Register(js...))
		return instance{runner: r, reg: reg}
	}
	s, err := jobs.New(t.Context(), rdb, prefix, log, jobs.Options{Clock: clock, Runner: r})
	require.NoError(t, err)
	for _, j := range js {
		require.NoError(t, s.Add(j))
	}
	s.Start()
	t.Cleanup(func() { require.NoError(t, s.Stop()) })
	return instance{runner: r, reg: reg}
}

func status(t *testing.T, r *jobs.Runner, name string) jobs.Status {
	t.Helper()
	st, err := r.Statuses(t.Context())
	require.NoError(t, err)
	for _, s := range st {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no status for %s", name)
	return jobs.Status{}
}

// Two instances schedule the same job over three ticks: it runs once per
// tick, and a third instance that schedules nothing (TDC_JOBS=off) sees
// its result, its next run and its metrics.
func TestJobsOncePerTickStatusShared(t *testing.T) {
	t.Parallel()
	_, prefix := testenv.Redis(t)
	clock := clockwork.NewFakeClockAt(time.Date(2026, 3, 1, 12, 0, 30, 0, time.UTC))
	var runs atomic.Int32
	job := jobs.Job{Name: "tick", Every: time.Minute, Run: func(context.Context) error {
		runs.Add(1)
		return nil
	}}
	var logs testenv.LogBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a := newInstance(t, prefix, clock, log, true, job)
	b := newInstance(t, prefix, clock, log, true, job)
	off := newInstance(t, prefix, clock, nil, false, job)

	for tick := int32(1); tick <= 3; tick++ {
		require.NoError(t, clock.BlockUntilContext(t.Context(), 2))
		clock.Advance(time.Minute)
		// Both instances have fired: one ran the tick, the other skipped it.
		require.Eventually(t, func() bool {
			s := status(t, off.runner, "tick")
			return runs.Load() >= tick && s.LastResult == jobs.ResultOK && s.RunningSince.IsZero() &&
				len(logs.Lines("jobs: skipped, another instance runs it", "job=tick")) >= int(tick)
		}, 10*time.Second, 5*time.Millisecond, logs.String())
		require.EqualValues(t, tick, runs.Load(), "tick %d ran once", tick)
		// The tick lock lasts half an interval of real time in Redis;
		// drop it as its expiry would, so the fake clock can move on.
		rdb, _ := testenv.Redis(t)
		require.NoError(t, rdb.Del(t.Context(), prefix+"job:tick").Err())
	}
	s := status(t, off.runner, "tick")
	require.Equal(t, jobs.TriggerSchedule, s.LastTrigger)
	require.False(t, s.LastSuccess.IsZero())
	require.Empty(t, s.LastError)
	require.True(t, s.NextRun.After(s.LastStart), "next run %v after last start %v", s.NextRun, s.LastStart)

	require.EqualValues(t, 3, runsOf(t, jobs.ResultOK, a.reg, b.reg), "runs counted across both instances")
	mfs, err := off.reg.Gather()
	require.NoError(t, err)
	found := false
	for _, mf := range mfs {
		if mf.GetName() == "tdc_job_last_success_timestamp_seconds" {
			found = len(mf.GetMetric()) == 1 && mf.GetMetric()[0].GetGauge().GetValue() > 0
		}
	}
	require.True(t, found, "the idle instance reports the last success from Redis")
}

// runsOf sums tdc_job_runs_total{result=result} over registries.
func runsOf(t *testing.T, result string, regs ...*prometheus.Registry) float64 {
	t.Helper()
	var sum float64
	for _, reg := range regs {
		mfs, err := reg.Gather()
		require.NoError(t, err)
		for _, mf := range mfs {
			if mf.GetName() != "tdc_job_runs_total" {
				continue
			}
			for _, m := range mf.GetMetric() {
				for _, l := range m.GetLabel() {
					if l.GetName() == "result" && l.GetValue() == result {
						sum += m.GetCounter().GetValue()
					}
				}
			}
		}
	}
	return sum
}

// "Run now" while a scheduled run is under way on another instance is
// refused, a tick that comes while a manual run is under way is skipped
// and shown as such, and no two runs ever overlap.
func TestRunNowNeverOverlaps(t *testing.T) {
	t.Parallel()
	_, prefix := testenv.Redis(t)
	clock := clockwork.NewFakeClockAt(time.Date(2026, 3, 1, 12, 0, 30, 0, time.UTC))
	var running, most, runs atomic.Int32
	release := make(chan struct{}, 10)
	started := make(chan struct{}, 10)
	job := jobs.Job{Name: "slow", Every: time.Minute, Run: func(ctx context.Context) error {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		runs.Add(1)
		started <- struct{}{}
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}}
	sched := newInstance(t, prefix, clock, nil, true, job)
	admin := newInstance(t, prefix, clock, nil, false, job)

	// The tick starts a run on the scheduling instance.
	require.NoError(t, clock.BlockUntilContext(t.Context(), 1))
	clock.Advance(30 * time.Second)
	<-started
	require.False(t, status(t, admin.runner, "slow").RunningSince.IsZero(), "the other instance sees it running")
	require.ErrorIs(t, admin.runner.RunNow(t.Context(), "slow"), jobs.ErrRunning)
	release <- struct{}{}
	require.Eventually(t, func() bool { return status(t, admin.runner, "slow").LastResult == jobs.ResultOK }, 10*time.Second, 5*time.Millisecond)

	// Now an admin runs it, and the next tick comes during that run.
	// (The lock is freed just after the status is written.)
	require.Eventually(t, func() bool {
		err := admin.runner.RunNow(t.Context(), "slow")
		require.True(t, err == nil || errors.Is(err, jobs.ErrRunning), err)
		return err == nil
	}, 10*time.Second, 5*time.Millisecond)
	<-started
	rdb, _ := testenv.Redis(t)
	require.NoError(t, rdb.Del(t.Context(), prefix+"job:slow").Err()) // the tick lock's expiry
	require.NoError(t, clock.BlockUntilContext(t.Context(), 1))
	clock.Advance(time.Minute)
	require.Eventually(t, func() bool { return status(t, admin.runner, "slow").LastResult == jobs.ResultSkipped }, 10*time.Second, 5*time.Millisecond)
	release <- struct{}{}
	require.Eventually(t, func() bool {
		s := status(t, sched.runner, "slow")
		return s.LastResult == jobs.ResultOK && s.LastTrigger == jobs.TriggerManual
	}, 10*time.Second, 5*time.Millisecond)
	require.EqualValues(t, 1, most.Load(), "never two runs at once")
	require.EqualValues(t, 2, runs.Load())
	require.EqualValues(t, 1, runsOf(t, jobs.ResultSkipped, sched.reg))

	require.ErrorIs(t, admin.runner.RunNow(t.Context(), "nope"), jobs.ErrUnknownJob)
}

// A failed run keeps its error for the admin, and a later success shows
// ok while the last error stays visible.
func TestRunRecordsFailure(t *testing.T) {
	t.Parallel()
	_, prefix := testenv.Redis(t)
	var fail atomic.Bool
	fail.Store(true)
	in := newInstance(t, prefix, nil, nil, false, jobs.Job{Name: "flaky", Every: time.Hour, Run: func(context.Context) error {
		if fail.Load() {
			return errors.New("smtp: 451 try later")
		}
		return nil
	}})
	require.ErrorContains(t, in.runner.Run(t.Context(), "flaky", jobs.TriggerManual), "451")
	s := status(t, in.runner, "flaky")
	require.Equal(t, jobs.ResultFailed, s.LastResult)
	require.Equal(t, "smtp: 451 try later", s.LastError)
	require.True(t, s.LastSuccess.IsZero())
	require.True(t, s.NextRun.IsZero(), "no scheduler anywhere")

	fail.Store(false)
	require.NoError(t, in.runner.Run(t.Context(), "flaky", jobs.TriggerManual))
	s = status(t, in.runner, "flaky")
	require.Equal(t, jobs.ResultOK, s.LastResult)
	require.False(t, s.LastSuccess.IsZero())
	require.False(t, s.LastErrorAt.IsZero(), "the last error stays visible")
	// The status lapses a month after its last write, so a job removed
	// from the code does not leave it behind for ever.
	rdb, _ := testenv.Redis(t)
	ttl, err := rdb.TTL(t.Context(), prefix+"jobs:status:flaky").Result()
	require.NoError(t, err)
	require.InDelta(t, (30 * 24 * time.Hour).Seconds(), ttl.Seconds(), 60)
	require.ErrorIs(t, in.runner.Run(t.Context(), "nope", jobs.TriggerManual), jobs.ErrUnknownJob)
	require.Error(t, in.runner.Register(jobs.Job{Name: "x"}), "a job needs an interval and a function")
}
