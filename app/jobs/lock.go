package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/bsm/redislock"
	"github.com/go-co-op/gocron/v2"
	"github.com/redis/go-redis/v9"
)

// ErrLocked is a run that another instance has taken.
var ErrLocked = errors.New("jobs: another instance holds the lock")

// locker is gocron's distributed locker over Redis (bsm/redislock). The lock is not released after the run but held for half the job's
// interval: the instances fire at the same instants, give or take clock
// skew and start-up, and one that comes late must still find this run
// taken. The next run, an interval later, finds it free.
//
// (github.com/go-co-op/gocron-redis-lock, which gocron suggests, releases
// at the end of the run, which would let a late instance run the same tick
// again; the module proxy here does not serve it either.)
type locker struct {
	locks  *redislock.Client
	prefix string

	mu    sync.Mutex
	holds map[string]time.Duration
}

func newLocker(rdb redis.UniversalClient, prefix string) *locker {
	return &locker{locks: redislock.New(rdb), prefix: prefix, holds: map[string]time.Duration{}}
}

// hold sets how long a run of job name keeps its lock.
func (l *locker) hold(name string, every time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.holds[name] = max(every/2, 100*time.Millisecond)
}

// Lock takes the lock of job key for its hold time, or returns ErrLocked.
func (l *locker) Lock(ctx context.Context, key string) (gocron.Lock, error) {
	l.mu.Lock()
	d, ok := l.holds[key]
	l.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("jobs: lock for unknown job %q", key)
	}
	// Taken once, no retries: the run belongs to whoever came first.
	_, err := l.locks.Obtain(ctx, l.prefix+"job:"+key, d, nil)
	if errors.Is(err, redislock.ErrNotObtained) {
		return nil, ErrLocked
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: lock %s: %w", key, err)
	}
	return held{}, nil
}

// held is a taken lock; it expires by itself (see locker).
type held struct{}

func (held) Unlock(context.Context) error { return nil }
