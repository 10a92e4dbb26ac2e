// Package nowplaying knows which track plays at each venue: what DJ
// software pushes through the ingest API, what the venue's Icecast or
// SHOUTcast server reports when polled, and what played before (kept 30
// days).
package nowplaying

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/content"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/ratelimit"
)

// Sources of a track: the stream servers polled, DJ software pushing, or an
// editor by hand.
const (
	SourceIcecast   = string(db.NowPlayingSourceIcecast)
	SourceShoutcast = string(db.NowPlayingSourceShoutcast)
	SourcePush      = string(db.NowPlayingSourcePush)
	SourceManual    = string(db.NowPlayingSourceManual)
)

// HistoryDays is how long played tracks are kept.
const HistoryDays = 30

// Track is what plays at a venue.
type Track struct {
	LocationSlug string
	Artist       string
	Title        string
	DJ           string
	Source       string
	StartedAt    time.Time
	// EndedAt is when the next track started or the stream went off air;
	// zero for the current track.
	EndedAt time.Time
}

// same reports whether a and b are the same track as listeners hear it:
// the source that reported it does not matter.
func (t Track) same(o Track) bool {
	return t.Artist == o.Artist && t.Title == o.Title && t.DJ == o.DJ
}

// Service reads and records now-playing state. Changes are published
// through pub after commit.
type Service struct {
	sqlDB   *sql.DB
	q       *db.Queries
	rdb     redis.UniversalClient
	prefix  string
	limiter *redis_rate.Limiter
	pub     live.Publisher
	log     *slog.Logger
	now     func() time.Time
	client  *http.Client
}

// New returns the now-playing service. rdb (with its key prefix) holds the
// ingest rate limits and the health of each polled stream server; without
// it (the seed, the CLI) neither is available.
func New(sqlDB *sql.DB, rdb redis.UniversalClient, prefix string, pub live.Publisher, log *slog.Logger, now func() time.Time) *Service {
	s := &Service{
		sqlDB: sqlDB, q: db.New(sqlDB), rdb: rdb, prefix: prefix,
		pub: pub, log: log, now: now, client: pollClient(PollTimeout),
	}
	if rdb != nil {
		s.limiter = ratelimit.New(rdb, prefix)
	}
	return s
}

// ByLocation returns the current track of every venue that has one, keyed by
// the venue's slug.
func (s *Service) ByLocation(ctx context.Context) (map[string]Track, error) {
	rows, err := s.q.NowPlayingList(ctx)
	if err != nil {
		return nil, fmt.Errorf("nowplaying: list: %w", err)
	}
	out := make(map[string]Track, len(rows))
	for _, r := range rows {
		out[r.LocationSlug] = Track{
			LocationSlug: r.LocationSlug, Artist: r.Artist, Title: r.Title, DJ: r.Dj,
			Source: string(r.Source), StartedAt: r.StartedAt.UTC(),
		}
	}
	return out, nil
}

// Recent returns up to n tracks that played at venue slug before the
// current one, the latest first.
func (s *Service) Recent(ctx context.Context, slug string, n int) ([]Track, error) {
	rows, err := s.q.NowPlayingHistoryRecent(ctx, db.NowPlayingHistoryRecentParams{Slug: slug, Limit: int32(max(n, 0))})
	if err != nil {
		return nil, fmt.Errorf("nowplaying: recent at %q: %w", slug, err)
	}
	out := make([]Track, len(rows))
	for i, r := range rows {
		out[i] = Track{
			LocationSlug: slug, Artist: r.Artist, Title: r.Title, DJ: r.Dj, Source: string(r.Source),
			StartedAt: r.StartedAt.UTC(), EndedAt: r.EndedAt.Time.UTC(),
		}
	}
	return out, nil
}

// Record makes t (cleaned, see Clean) the current track at venue slug and
// adds it to the history, ending the track before it. The same track again
// writes and publishes nothing, so pollers and DJ software may report as
// often as they like; changed says whether anything was stored. A track
// with neither artist nor title is the stream playing nothing known, as
// OffAir. Unknown venues are apperr.ErrNotFound.
func (s *Service) Record(ctx context.Context, slug string, t Track) (changed bool, err error) {
	t = Clean(t)
	if t.Artist == "" && t.Title == "" {
		return s.OffAir(ctx, slug)
	}
	switch t.Source {
	case "":
		t.Source = SourcePush
	case SourceIcecast, SourceShoutcast, SourcePush, SourceManual:
	default:
		return false, fmt.Errorf("nowplaying: unknown source %q", t.Source)
	}
	return s.change(ctx, slug, func(q *db.Queries, id int64, now time.Time) (bool, error) {
		cur, err := q.NowPlayingGet(ctx, id)
		switch {
		case err == nil:
			if t.same(Track{Artist: cur.Artist, Title: cur.Title, DJ: cur.Dj}) {
				return false, nil
			}
		case !errors.Is(err, sql.ErrNoRows):
			return false, fmt.Errorf("nowplaying: current at %q: %w", slug, err)
		}
		if err := endTrack(ctx, q, id, now); err != nil {
			return false, err
		}
		src := db.NowPlayingSource(t.Source)
		if err := q.NowPlayingUpsert(ctx, db.NowPlayingUpsertParams{
			LocationID: id, Artist: t.Artist, Title: t.Title, Dj: t.DJ, Source: src, StartedAt: now,
		}); err != nil {
			return false, fmt.Errorf("nowplaying: store track at %q: %w", slug, err)
		}
		if err := q.NowPlayingHistoryInsert(ctx, db.NowPlayingHistoryInsertParams{
			LocationID: id, Artist: t.Artist, Title: t.Title, Dj: t.DJ, Source: db.NowPlayingHistorySource(src), StartedAt: now,
		}); err != nil {
			return false, fmt.Errorf("nowplaying: history at %q: %w", slug, err)
		}
		return true, nil
	})
}

// OffAir clears the current track at venue slug: its stream went quiet.
// Nothing playing already writes and publishes nothing.
func (s *Service) OffAir(ctx context.Context, slug string) (changed bool, err error) {
	return s.change(ctx, slug, func(q *db.Queries, id int64, now time.Time) (bool, error) {
		n, err := q.NowPlayingDelete(ctx, id)
		if err != nil {
			return false, fmt.Errorf("nowplaying: clear %q: %w", slug, err)
		}
		if n == 0 {
			return false, nil
		}
		return true, endTrack(ctx, q, id, now)
	})
}

// writeAttempts bounds the runs of one write: a deadlock with the history
// clean-up or another venue's write makes the transaction run again.
const writeAttempts = 5

// change runs fn for venue slug in a transaction, the venue locked so a
// poll and a push for it are recorded in turn, and again after a deadlock.
// When fn reports a change, it is published after the commit.
func (s *Service) change(ctx context.Context, slug string, fn func(q *db.Queries, id int64, now time.Time) (bool, error)) (bool, error) {
	var loc db.NowPlayingLocationLockRow
	var changed bool
	err := content.Retry(writeAttempts, "", func() error {
		return db.InTx(ctx, s.sqlDB, func(q *db.Queries) error {
			var err error
			loc, err = q.NowPlayingLocationLock(ctx, slug)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("nowplaying: venue %q: %w", slug, apperr.ErrNotFound)
			}
			if err != nil {
				return fmt.Errorf("nowplaying: lock venue %q: %w", slug, err)
			}
			changed, err = fn(q, loc.ID, s.now().UTC().Truncate(time.Second))
			return err
		})
	})
	if err != nil {
		return false, err
	}
	if changed {
		s.publish(ctx, loc)
	}
	return changed, nil
}

// endTrack ends the venue's track in the history at now.
func endTrack(ctx context.Context, q *db.Queries, id int64, now time.Time) error {
	err := q.NowPlayingHistoryEnd(ctx, db.NowPlayingHistoryEndParams{EndedAt: sql.NullTime{Time: now, Valid: true}, LocationID: id})
	if err != nil {
		return fmt.Errorf("nowplaying: end track at venue %d: %w", id, err)
	}
	return nil
}

// publish tells every instance that the venue's now-playing changed: the
// fragment (current and recent tracks, wherever they show) and the venue's
// screen. The venue's own topic is for the venue's data and stays quiet,
// so a track change renders no schedule.
func (s *Service) publish(ctx context.Context, loc db.NowPlayingLocationLockRow) {
	live.Publish(ctx, s.pub, s.log, loc.ID, live.LocationTopic(loc.Slug, "now-playing"), live.LocationTopic(loc.Slug, "screen"))
}

// pruneBatch bounds one delete, so pruning a large history holds no long
// lock.
const pruneBatch = 10000

// PruneHistory deletes the tracks that started more than HistoryDays ago
// and returns how many it deleted. It is idempotent: the daily job calls it.
func (s *Service) PruneHistory(ctx context.Context) (int64, error) {
	cutoff := s.now().UTC().AddDate(0, 0, -HistoryDays)
	var total int64
	for {
		var n int64
		err := content.Retry(writeAttempts, "", func() error {
			var err error
			n, err = s.q.NowPlayingHistoryPrune(ctx, cutoff)
			return err
		})
		total += n
		if err != nil {
			return total, fmt.Errorf("nowplaying: prune history: %w", err)
		}
		if n < pruneBatch {
			return total, nil
		}
	}
}
