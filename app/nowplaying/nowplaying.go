// Package nowplaying knows which track plays at each venue.
package nowplaying

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/dreamerscave/tdc/app/db"
)

// Track is what plays at a venue.
type Track struct {
	LocationSlug string
	Artist       string
	Title        string
	Source       string
	StartedAt    time.Time
}

// Service reads now-playing state.
type Service struct {
	q *db.Queries
}

// New returns the now-playing service.
func New(sqlDB *sql.DB) *Service { return &Service{q: db.New(sqlDB)} }

// ByLocation returns the current track of every venue that has one, keyed by
// the venue's slug.
func (s *Service) ByLocation(ctx context.Context) (map[string]Track, error) {
	rows, err := s.q.NowPlayingList(ctx)
	if err != nil {
		return nil, fmt.Errorf("nowplaying: list: %w", err)
	}
	out := make(map[string]Track, len(rows))
	for _, r := range rows {
		out[r.LocationSlug] = Track{LocationSlug: r.LocationSlug, Artist: r.Artist, Title: r.Title, Source: string(r.Source), StartedAt: r.StartedAt}
	}
	return out, nil
}
