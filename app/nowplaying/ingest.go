package nowplaying

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/locations"
)

// ErrBadToken is a push without the venue's bearer token: missing, wrong,
// or the venue has none yet.
var ErrBadToken = errors.New("nowplaying: wrong or missing token")

// RateLimited is a push refused for coming too often; RetryAfter says when
// the next one is accepted.
type RateLimited struct{ RetryAfter time.Duration }

func (e *RateLimited) Error() string {
	return fmt.Sprintf("nowplaying: too many pushes, retry after %s", e.RetryAfter.Round(time.Second))
}

// maxSlug is the longest venue slug (locations makes at most 100 bytes).
const maxSlug = 100

// limitPush is how often one address may push for one venue. DJ software
// sends a track when it starts, seldom more than a few a minute; the
// limit also counts wrong tokens, so guessing one gets nowhere.
var limitPush = redis_rate.Limit{Rate: 30, Burst: 30, Period: time.Minute}

// Admit decides whether a push from ip for venue slug, carrying token, may
// be recorded: *RateLimited when that address pushes too often,
// apperr.ErrNotFound for an unknown venue, ErrBadToken for a wrong token.
// The rate is checked first, so a flood costs no database query.
func (s *Service) Admit(ctx context.Context, slug, ip, token string) error {
	if s.limiter == nil {
		return errors.New("nowplaying: no Redis for rate limits")
	}
	// No venue has a longer slug; a long one would only bloat the
	// rate-limit key.
	if len(slug) > maxSlug {
		return fmt.Errorf("nowplaying: venue slug of %d bytes: %w", len(slug), apperr.ErrNotFound)
	}
	res, err := s.limiter.Allow(ctx, "limit:nowplaying:"+slug+":"+ip, limitPush)
	if err != nil {
		return fmt.Errorf("nowplaying: rate limit: %w", err)
	}
	if res.Allowed == 0 {
		return &RateLimited{RetryAfter: res.RetryAfter}
	}
	row, err := s.q.NowPlayingAuth(ctx, slug)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("nowplaying: venue %q: %w", slug, apperr.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("nowplaying: token of %q: %w", slug, err)
	}
	// Both sides are hex digests of equal length, compared in constant
	// time: how long the answer takes says nothing about the token.
	got := locations.NowPlayingTokenHash(token)
	if token == "" || !row.NowPlayingTokenSha256.Valid ||
		subtle.ConstantTimeCompare([]byte(got), []byte(row.NowPlayingTokenSha256.String)) != 1 {
		return ErrBadToken
	}
	return nil
}
