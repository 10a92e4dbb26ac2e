// Package health says whether this instance can serve: its database and
// Redis answer. Liveness needs nothing, so it lives in the web layer alone.
package health

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Readiness failures, for callers that say which dependency is down.
var (
	ErrDatabase = errors.New("database unavailable")
	ErrRedis    = errors.New("redis unavailable")
)

// Service checks the instance's dependencies.
type Service struct {
	db  *sql.DB
	rdb redis.UniversalClient
}

// New returns a health service over the database and Redis the app uses.
func New(sqlDB *sql.DB, rdb redis.UniversalClient) *Service {
	return &Service{db: sqlDB, rdb: rdb}
}

// Ready returns nil when MySQL and Redis both answer before ctx ends, or an
// error wrapping ErrDatabase or ErrRedis.
func (s *Service) Ready(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("health: %w: %w", ErrDatabase, err)
	}
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("health: %w: %w", ErrRedis, err)
	}
	return nil
}
