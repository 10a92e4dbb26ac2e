// Package jobs runs the club's recurring work: each job is one call into a
// service, on a gocron v2 schedule, and runs on one instance at a time
// through a lock in Redis that every instance shares.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
}

// Scheduler runs jobs until Stop.
type Scheduler struct {
	gs    gocron.Scheduler
	ctx   context.Context
	log   *slog.Logger
	lock  *locker
	clock clockwork.Clock
}

// Options tune a Scheduler; the zero value is production's.
type Options struct {
	// Clock drives the schedule; nil is the real one (tests pass a fake).
	Clock clockwork.Clock
}

// New returns a scheduler whose jobs lock through rdb under prefix
// (TDC_REDIS_PREFIX). Jobs run with contexts derived from ctx.
func New(ctx context.Context, rdb redis.UniversalClient, prefix string, log *slog.Logger, o Options) (*Scheduler, error) {
	if o.Clock == nil {
		o.Clock = clockwork.NewRealClock()
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
	return &Scheduler{gs: gs, ctx: ctx, log: log, lock: l, clock: o.Clock}, nil
}

// Add schedules j. Call it before Start.
func (s *Scheduler) Add(j Job) error {
	if j.Name == "" || j.Every <= 0 || j.Run == nil {
		return errors.New("jobs: a job needs a name, an interval and a function")
	}
	s.lock.hold(j.Name, j.Every)
	log := s.log.With(slog.String("job", j.Name))
	run := func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, j.Every)
		defer cancel()
		start := s.clock.Now()
		if err := j.Run(ctx); err != nil {
			log.Error("jobs: run failed", slog.Any("error", err))
			return
		}
		log.Debug("jobs: ran", slog.Duration("took", s.clock.Since(start)))
	}
	_, err := s.gs.NewJob(
		gocron.DurationJob(j.Every),
		gocron.NewTask(run),
		gocron.WithName(j.Name),
		gocron.WithContext(s.ctx),
		// The instances fire together at the same instants, and the
		// first to take the lock runs (gocron's distributed.go advice).
		gocron.WithStartAt(gocron.WithStartDateTimePast(s.clock.Now().UTC().Truncate(j.Every))),
		gocron.WithSingletonMode(gocron.LimitModeReschedule),
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
	return nil
}

// Start begins running the jobs.
func (s *Scheduler) Start() { s.gs.Start() }

// Stop ends the schedule and waits for running jobs to finish (at most 10 s).
func (s *Scheduler) Stop() error {
	if err := s.gs.Shutdown(); err != nil {
		return fmt.Errorf("jobs: stop: %w", err)
	}
	return nil
}
