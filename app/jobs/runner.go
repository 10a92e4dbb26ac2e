package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/bsm/redislock"
	"github.com/jonboulle/clockwork"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// Results of a run, as the admin and /metrics show them.
const (
	ResultOK      = "ok"
	ResultFailed  = "failed"
	ResultSkipped = "skipped-locked" // the job was already running somewhere
)

// Triggers of a run.
const (
	TriggerSchedule = "schedule"
	TriggerManual   = "manual"
)

var (
	// ErrUnknownJob is a job name nobody registered.
	ErrUnknownJob = errors.New("jobs: unknown job")
	// ErrRunning is a run asked for while the job runs, on any instance.
	ErrRunning = errors.New("jobs: the job is running")
)

// Status is what the instances know of one job, read from Redis.
type Status struct {
	Name  string
	Every time.Duration
	// RunningSince is the start of the run under way, zero when none is.
	RunningSince time.Time
	LastStart    time.Time
	LastDuration time.Duration
	LastResult   string // ResultOK, ResultFailed, ResultSkipped or ""
	LastTrigger  string
	LastError    string
	LastErrorAt  time.Time
	LastSuccess  time.Time
	// NextRun is when a scheduler next runs it, zero when no instance
	// schedules jobs (TDC_JOBS=off everywhere).
	NextRun time.Time
}

// Runner runs the registered jobs, for the scheduler and for an admin's
// "Run now": each run holds the job's run lock in Redis, so a job never runs
// twice at once on any instance, and leaves its outcome in Redis, so every
// instance shows the same status. Its Prometheus series count the runs of
// this instance; the last-success gauge is read from Redis, the same on all.
type Runner struct {
	rdb    redis.UniversalClient
	locks  *redislock.Client
	prefix string
	log    *slog.Logger
	clock  clockwork.Clock

	mu   sync.Mutex
	jobs map[string]Job

	runs     *prometheus.CounterVec
	duration *prometheus.HistogramVec

	// Manual runs outlive their request: they run under ctx, which Close
	// cancels, and Close waits for them.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewRunner returns a runner keeping locks and status in rdb under prefix
// (TDC_REDIS_PREFIX). clock nil is the real one.
func NewRunner(rdb redis.UniversalClient, prefix string, log *slog.Logger, clock clockwork.Clock) *Runner {
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &Runner{
		rdb: rdb, prefix: prefix, log: log, clock: clock, jobs: map[string]Job{},
		ctx: ctx, cancel: cancel,
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tdc_job_runs_total", Help: "Job runs on this instance by job and result (ok, failed, skipped-locked).",
		}, []string{"job", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "tdc_job_duration_seconds", Help: "How long job runs on this instance took.",
			Buckets: []float64{.01, .05, .1, .5, 1, 5, 10, 30, 60, 300, 900},
		}, []string{"job"}),
	}
	if rdb != nil {
		r.locks = redislock.New(rdb)
	}
	return r
}

// Register adds jobs; a name registered twice keeps the first.
func (r *Runner) Register(js ...Job) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, j := range js {
		if j.Name == "" || j.Every <= 0 || j.Run == nil {
			return errors.New("jobs: a job needs a name, an interval and a function")
		}
		if _, ok := r.jobs[j.Name]; ok {
			continue
		}
		r.jobs[j.Name] = j
	}
	return nil
}

// Jobs lists the registered jobs by name.
func (r *Runner) Jobs() []Job {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Job, 0, len(r.jobs))
	for _, n := range slices.Sorted(maps.Keys(r.jobs)) {
		out = append(out, r.jobs[n])
	}
	return out
}

func (r *Runner) job(name string) (Job, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	j, ok := r.jobs[name]
	if !ok {
		return Job{}, fmt.Errorf("%w %q", ErrUnknownJob, name)
	}
	return j, nil
}

func (r *Runner) statusKey(name string) string { return r.prefix + "jobs:status:" + name }
func (r *Runner) nextKey(name string) string   { return r.prefix + "jobs:next:" + name }
func (r *Runner) runKey(name string) string    { return r.prefix + "job:" + name + ":running" }

// statusTTL is how long a job's status outlives its last write: a month,
// or four intervals of a job that runs less often. A job removed from the
// code so stops leaving its status in Redis.
func statusTTL(j Job) time.Duration { return max(30*24*time.Hour, 4*j.Every) }

// recordStatus writes fields of j's status and renews its lapse.
func (r *Runner) recordStatus(ctx context.Context, j Job, fields ...any) error {
	key := r.statusKey(j.Name)
	pipe := r.rdb.TxPipeline()
	pipe.HSet(ctx, key, fields...)
	pipe.Expire(ctx, key, statusTTL(j))
	_, err := pipe.Exec(ctx)
	return err
}

// runLockTTL outlasts a run, which its context ends after Every; a run
// whose instance died frees the job when it passes.
func runLockTTL(j Job) time.Duration { return j.Every + time.Minute }

// acquire takes the run lock of j, or returns ErrRunning. A shared job
// runs without one (nil).
func (r *Runner) acquire(ctx context.Context, j Job) (*redislock.Lock, error) {
	if r.locks == nil {
		return nil, errors.New("jobs: no redis")
	}
	if j.Shared {
		return nil, nil
	}
	l, err := r.locks.Obtain(ctx, r.runKey(j.Name), runLockTTL(j), nil)
	if errors.Is(err, redislock.ErrNotObtained) {
		return nil, ErrRunning
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: run lock %s: %w", j.Name, err)
	}
	return l, nil
}

// Run runs job name now and waits for it. It returns ErrRunning, having
// recorded a skipped run, when the job runs already; else the job's error.
func (r *Runner) Run(ctx context.Context, name, trigger string) error {
	j, err := r.job(name)
	if err != nil {
		return err
	}
	l, err := r.acquire(ctx, j)
	if errors.Is(err, ErrRunning) {
		r.skipped(ctx, j, trigger)
		return err
	}
	if err != nil {
		return err
	}
	return r.runLocked(ctx, j, l, trigger, r.begin(ctx, j))
}

// RunNow starts job name in the background, on this instance, and returns
// once it holds the run lock: ErrRunning when the job runs already.
func (r *Runner) RunNow(ctx context.Context, name string) error {
	j, err := r.job(name)
	if err != nil {
		return err
	}
	l, err := r.acquire(ctx, j)
	if err != nil {
		return err
	}
	// Marked running before this returns, so a page rendered next shows it.
	start := r.begin(ctx, j)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		// Its own error is recorded and logged by runLocked.
		_ = r.runLocked(r.ctx, j, l, TriggerManual, start)
	}()
	return nil
}

// Close cancels manual runs under way and waits for them to end.
func (r *Runner) Close() {
	r.cancel()
	r.wg.Wait()
}

func (r *Runner) skipped(ctx context.Context, j Job, trigger string) {
	r.runs.WithLabelValues(j.Name, ResultSkipped).Inc()
	r.log.Info("jobs: skipped, the job is still running", slog.String("job", j.Name), slog.String("trigger", trigger))
	now := r.clock.Now().UTC()
	if err := r.recordStatus(ctx, j,
		"last_start", unix(now), "last_duration", 0, "last_result", ResultSkipped, "last_trigger", trigger,
	); err != nil {
		r.log.Warn("jobs: record status", slog.String("job", j.Name), slog.Any("error", err))
	}
}

// begin marks j as running and returns the run's start.
func (r *Runner) begin(ctx context.Context, j Job) time.Time {
	start := r.clock.Now().UTC()
	// A status write that fails costs the admin a view, not the run.
	if err := r.recordStatus(ctx, j, "running_since", unix(start)); err != nil {
		r.log.Warn("jobs: record status", slog.String("job", j.Name), slog.Any("error", err))
	}
	return start
}

// runLocked runs j, which begin marked as started at start, holding l;
// it records the outcome and frees l.
func (r *Runner) runLocked(ctx context.Context, j Job, l *redislock.Lock, trigger string, start time.Time) error {
	log := r.log.With(slog.String("job", j.Name), slog.String("trigger", trigger))
	key := r.statusKey(j.Name)
	rctx, cancel := context.WithTimeout(ctx, j.Every)
	err := j.Run(rctx)
	cancel()
	took := r.clock.Since(start)

	result := ResultOK
	fields := []any{"last_start", unix(start), "last_duration", int64(took), "last_trigger", trigger}
	if err != nil {
		result = ResultFailed
		log.Error("jobs: run failed", slog.Any("error", err))
		fields = append(fields, "last_error", err.Error(), "last_error_at", unix(r.clock.Now().UTC()))
	} else {
		log.Debug("jobs: ran", slog.Duration("took", took))
		fields = append(fields, "last_success", unix(start))
	}
	fields = append(fields, "last_result", result)
	r.runs.WithLabelValues(j.Name, result).Inc()
	r.duration.WithLabelValues(j.Name).Observe(took.Seconds())

	// The outcome is written even when ctx ended (shutdown), so the run
	// does not look stuck.
	wctx, wcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer wcancel()
	pipe := r.rdb.TxPipeline()
	pipe.HSet(wctx, key, fields...)
	pipe.HDel(wctx, key, "running_since")
	pipe.Expire(wctx, key, statusTTL(j))
	if _, perr := pipe.Exec(wctx); perr != nil {
		log.Warn("jobs: record status", slog.Any("error", perr))
	}
	if l == nil {
		return err
	}
	if rerr := l.Release(wctx); rerr != nil && !errors.Is(rerr, redislock.ErrLockNotHeld) {
		log.Warn("jobs: release run lock", slog.Any("error", rerr))
	}
	return err
}

// setNext records when a scheduler next runs job name; it lapses after two
// intervals, so a schedule no instance keeps any more stops showing.
func (r *Runner) setNext(ctx context.Context, j Job, next time.Time) {
	if r.rdb == nil {
		return
	}
	if err := r.rdb.Set(ctx, r.nextKey(j.Name), unix(next), 2*j.Every+time.Minute).Err(); err != nil {
		r.log.Warn("jobs: record next run", slog.String("job", j.Name), slog.Any("error", err))
	}
}

// Statuses reads every registered job's status from Redis.
func (r *Runner) Statuses(ctx context.Context) ([]Status, error) {
	js := r.Jobs()
	if r.rdb == nil {
		return nil, errors.New("jobs: no redis")
	}
	pipe := r.rdb.Pipeline()
	hs := make([]*redis.MapStringStringCmd, len(js))
	ns := make([]*redis.StringCmd, len(js))
	for i, j := range js {
		hs[i] = pipe.HGetAll(ctx, r.statusKey(j.Name))
		ns[i] = pipe.Get(ctx, r.nextKey(j.Name))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("jobs: read status: %w", err)
	}
	out := make([]Status, len(js))
	for i, j := range js {
		h := hs[i].Val()
		d, _ := strconv.ParseInt(h["last_duration"], 10, 64)
		out[i] = Status{
			Name: j.Name, Every: j.Every,
			RunningSince: fromUnix(h["running_since"]),
			LastStart:    fromUnix(h["last_start"]), LastDuration: time.Duration(d),
			LastResult: h["last_result"], LastTrigger: h["last_trigger"],
			LastError: h["last_error"], LastErrorAt: fromUnix(h["last_error_at"]),
			LastSuccess: fromUnix(h["last_success"]),
			NextRun:     fromUnix(ns[i].Val()),
		}
	}
	return out, nil
}

// unix is a time as Redis keeps it: nanoseconds since 1970.
func unix(t time.Time) int64 { return t.UnixNano() }

func fromUnix(s string) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// Collectors are the runner's Prometheus series: runs and durations of
// this instance, and each job's last success as Redis has it.
func (r *Runner) Collectors() []prometheus.Collector {
	return []prometheus.Collector{r.runs, r.duration, lastSuccess{r}}
}

var lastSuccessDesc = prometheus.NewDesc("tdc_job_last_success_timestamp_seconds",
	"When each job last succeeded (start of the run), on any instance.", []string{"job"}, nil)

// lastSuccess reads the gauge from Redis at scrape time, so every
// instance reports the same value however the runs were spread.
type lastSuccess struct{ r *Runner }

func (c lastSuccess) Describe(ch chan<- *prometheus.Desc) { ch <- lastSuccessDesc }

func (c lastSuccess) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	st, err := c.r.Statuses(ctx)
	if err != nil {
		c.r.log.Warn("jobs: metrics", slog.Any("error", err))
		return
	}
	for _, s := range st {
		if s.LastSuccess.IsZero() {
			continue
		}
		ch <- prometheus.MustNewConstMetric(lastSuccessDesc, prometheus.GaugeValue,
			float64(s.LastSuccess.UnixNano())/1e9, s.Name)
	}
}
