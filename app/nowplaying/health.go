package nowplaying

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// Health is how polling a venue's stream server has gone lately. It lives
// in Redis, so every instance's location editor shows the same, whichever
// instance ran the poll.
type Health struct {
	// LastOK is the last poll that got an answer; zero if none did.
	LastOK time.Time
	// LastError is the latest failure, while failures go on; "" once a
	// poll succeeds again.
	LastError string
	// Since is when the current run of failures began.
	Since time.Time
	// Failures counts the polls that failed in a row.
	Failures int
}

// Unhealthy reports whether the latest poll failed.
func (h Health) Unhealthy() bool { return h.Failures > 0 }

// healthTTL lets the health of a venue that is no longer polled (deleted,
// or switched to push) fade away.
const healthTTL = 7 * 24 * time.Hour

func (s *Service) healthKey(slug string) string { return s.prefix + "nowplaying:health:" + slug }

// SourceHealth returns the health of venue slug's stream server; the zero
// Health when it was never polled (or there is no Redis).
func (s *Service) SourceHealth(ctx context.Context, slug string) (Health, error) {
	if s.rdb == nil {
		return Health{}, nil
	}
	m, err := s.rdb.HGetAll(ctx, s.healthKey(slug)).Result()
	if err != nil {
		return Health{}, fmt.Errorf("nowplaying: health of %q: %w", slug, err)
	}
	unix := func(k string) time.Time {
		n, err := strconv.ParseInt(m[k], 10, 64)
		if err != nil || n == 0 {
			return time.Time{}
		}
		return time.Unix(n, 0).UTC()
	}
	failures, _ := strconv.Atoi(m["failures"])
	return Health{LastOK: unix("ok_at"), LastError: m["error"], Since: unix("since"), Failures: failures}, nil
}

// markOK records a poll of slug that got an answer.
func (s *Service) markOK(ctx context.Context, slug string) error {
	if s.rdb == nil {
		return nil
	}
	key := s.healthKey(slug)
	pipe := s.rdb.TxPipeline()
	pipe.HSet(ctx, key, "ok_at", s.now().Unix(), "failures", 0)
	pipe.HDel(ctx, key, "error", "since")
	pipe.Expire(ctx, key, healthTTL)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("nowplaying: mark %q healthy: %w", slug, err)
	}
	return nil
}

// markFailed records a failed poll of slug and returns how many failed in
// a row.
func (s *Service) markFailed(ctx context.Context, slug string, cause error) (int, error) {
	if s.rdb == nil {
		return 0, nil
	}
	key := s.healthKey(slug)
	pipe := s.rdb.TxPipeline()
	n := pipe.HIncrBy(ctx, key, "failures", 1)
	pipe.HSet(ctx, key, "error", cause.Error())
	pipe.HSetNX(ctx, key, "since", s.now().Unix())
	pipe.Expire(ctx, key, healthTTL)
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, fmt.Errorf("nowplaying: mark %q unhealthy: %w", slug, err)
	}
	return int(n.Val()), nil
}
