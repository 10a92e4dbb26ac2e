// Package jobs runs the club's recurring work: each job is one call into a
// service, on a gocron v2 schedule, and runs on one instance at a time
// through a lock in Redis that every instance shares.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/google/uuid"
	"github.com/jonboulle/clockwork"
	"github.com/redis/go-redis/v9"
)

// Job is one recurring task.
type Job struct {
	// Name identifies the job in logs and in its Redis lock; every
	// instance must use the same one.
	Name string
	// Every is how often it runs. Runs fall on multiples of Every since
	// midnight UTC (every 15 s at :00, :15, ...; daily at midnight), on
	// every instance alike, so the instances compete for the same run.
	Every time.Duration
	// Run does the work, within Every at most; it must be idempotent.
	Run func(ctx context.Context) error
	// Shared jobs run on every instance at each tick, side by side: no
	// tick or run lock, for work that divides itself between the runs
	// (the mail queue, whose rows each run claims), so that more instances
	// do more of it. Each instance still runs it once at a time.
	Shared bool
}

// Scheduler runs jobs until Stop.
type Scheduler struct {
	gs     gocron.Scheduler
	ctx    context.Context
	log    *slog.Logger
	lock   *locker
	clock  clockwork.Clock
	runner *Runner

	mu      sync.Mutex
	handles map[string]gocron.Job
}

// Options tune a Scheduler; the zero value is production's.
type Options struct {
	// Clock drives the schedule; nil is the real one (tests pass a fake).
	Clock clockwork.Clock
	// Runner runs the jobs and records their status; nil makes one.
	// Production passes the one the admin uses, so "Run now" and the
	// schedule share run locks and status.
	Runner *Runner
}

// New returns a scheduler whose jobs lock through rdb under prefix
// (TDC_REDIS_PREFIX). Jobs run with contexts derived from ctx.
func New(ctx context.Context, rdb redis.UniversalClient, prefix string, log *slog.Logger, o Options) (*Scheduler, error) {
	if o.Clock == nil {
		o.Clock = clockwork.NewRealClock()
	}
	if o.Runner == nil {
		o.Runner = NewRunner(rdb, prefix, log, o.Clock)
	}
	l := newLocker(rdb, prefix)
	gs, err := gocron.NewScheduler(
		gocron.WithClock(o.Clock),
		gocron.WithLocation(time.UTC),
		gocron.WithDistributedLocker(l),
		gocron.WithLogger(log),
		gocron.WithStopTimeout(10*time.Second),
	)
	if err != nil {
		return nil, fmt.Errorf("jobs: scheduler: %w", err)
	}
	return &Scheduler{gs: gs, ctx: ctx, log: log, lock: l, clock: o.Clock, runner: o.Runner, handles: map[string]gocron.Job{}}, nil
}

// Add schedules j (registering it with the runner). Call it before Start.
func (s *Scheduler) Add(j Job) error {
	if err := s.runner.Register(j); err != nil {
		return err
	}
	s.lock.hold(j.Name, j.Every)
	log := s.log.With(slog.String("job", j.Name))
	// The tick lock (locker) says which instance takes this tick; the
	// runner's run lock keeps it from overlapping a run still under way,
	// such as one an admin started. The runner logs and records the result.
	run := func(ctx context.Context) {
		_ = s.runner.Run(ctx, j.Name, TriggerSchedule)
		s.recordNext(ctx, j)
	}
	h, err := s.gs.NewJob(
		gocron.DurationJob(j.Every),
		gocron.NewTask(run),
		gocron.WithName(j.Name),
		gocron.WithContext(s.ctx),
		// The instances fire together at the same instants, and the
		// first to take the lock runs (gocron's distributed.go advice).
		gocron.WithStartAt(gocron.WithStartDateTimePast(s.clock.Now().UTC().Truncate(j.Every))),
		gocron.WithSingletonMode(gocron.LimitModeReschedule),
		gocron.WithDisabledDistributedJobLocker(j.Shared),
		gocron.WithEventListeners(gocron.AfterLockError(func(_ uuid.UUID, _ string, err error) {
			if errors.Is(err, ErrLocked) {
				log.Debug("jobs: skipped, another instance runs it")
				return
			}
			log.Warn("jobs: lock failed", slog.Any("error", err))
		})),
	)
	if err != nil {
		return fmt.Errorf("jobs: add %s: %w", j.Name, err)
	}
	s.mu.Lock()
	s.handles[j.Name] = h
	s.mu.Unlock()
	return nil
}

// recordNext stores j's next run as gocron has it, or as the schedule's
// grid gives it while gocron has none yet.
func (s *Scheduler) recordNext(ctx context.Context, j Job) {
	s.mu.Lock()
	h := s.handles[j.Name]
	s.mu.Unlock()
	now := s.clock.Now().UTC()
	next := now.Truncate(j.Every).Add(j.Every)
	if h != nil {
		if t, err := h.NextRun(); err == nil && t.After(now) {
			next = t
		}
	}
	s.runner.setNext(ctx, j, next)
}

// Start begins running the jobs.
func (s *Scheduler) Start() {
	s.gs.Start()
	for _, j := range s.runner.Jobs() {
		s.mu.Lock()
		_, ours := s.handles[j.Name]
		s.mu.Unlock()
		if ours {
			s.recordNext(s.ctx, j)
		}
	}
}

// Runner is the runner the scheduler's jobs run through.
func (s *Scheduler) Runner() *Runner { return s.runner }

// Stop ends the schedule and waits for running jobs to finish (at most 10 s).
func (s *Scheduler) Stop() error {
	if err := s.gs.Shutdown(); err != nil {
		return fmt.Errorf("jobs: stop: %w", err)
	}
	return nil
}
