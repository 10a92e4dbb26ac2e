package nowplaying_test

import (
	"log/slog"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/nowplaying"
	"github.com/dreamerscave/tdc/app/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

type testBundle struct {
	svc   *nowplaying.Service
	pub   *testenv.Published
	q     *db.Queries
	clock *atomic.Pointer[time.Time]
	logs  *testenv.LogBuffer
}

// set moves the service's clock.
func (b testBundle) set(t time.Time) { b.clock.Store(&t) }

func setup(t *testing.T) testBundle {
	t.Helper()
	sqlDB := testenv.DB(t)
	rdb, prefix := testenv.Redis(t)
	b := testBundle{pub: &testenv.Published{}, q: db.New(sqlDB), clock: &atomic.Pointer[time.Time]{}, logs: &testenv.LogBuffer{}}
	b.set(time.Date(2026, 5, 1, 20, 0, 0, 0, time.UTC))
	log := slog.New(slog.NewTextHandler(b.logs, nil))
	b.svc = nowplaying.New(sqlDB, rdb, prefix, b.pub, log, func() time.Time { return *b.clock.Load() })
	return b
}

func TestRecordStoresOnlyChanges(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	loc := testenv.Location(t, b.q, testenv.LocationOpts{StreamKind: db.LocationsStreamKindPush})
	topics := []string{"location:" + loc.Slug + ":now-playing", "location:" + loc.Slug + ":screen"}
	start := *b.clock.Load()

	changed, err := b.svc.Record(ctx, loc.Slug, nowplaying.Track{Title: "Nyx Calloway - Deep Blue", DJ: "Marlo"})
	require.NoError(t, err)
	require.True(t, changed)
	require.Equal(t, topics, b.pub.Take())

	// The same track again, however it is spelled or whoever reports it:
	// nothing written, nothing published.
	b.set(start.Add(time.Minute))
	for _, again := range []nowplaying.Track{
		{Artist: "Nyx Calloway", Title: "Deep Blue", DJ: "Marlo"},
		{Title: "  Nyx Calloway  -  Deep\tBlue ", DJ: "Marlo\x00", Source: nowplaying.SourceIcecast},
	} {
		changed, err = b.svc.Record(ctx, loc.Slug, again)
		require.NoError(t, err)
		require.False(t, changed)
	}
	require.Empty(t, b.pub.Take())
	cur, err := b.svc.ByLocation(ctx)
	require.NoError(t, err)
	require.Equal(t, nowplaying.Track{LocationSlug: loc.Slug, Artist: "Nyx Calloway", Title: "Deep Blue", DJ: "Marlo", Source: "push", StartedAt: start}, cur[loc.Slug])

	// A new track ends the one before it.
	b.set(start.Add(4 * time.Minute))
	changed, err = b.svc.Record(ctx, loc.Slug, nowplaying.Track{Artist: "Solar Fields", Title: "Sol", Source: nowplaying.SourceShoutcast})
	require.NoError(t, err)
	require.True(t, changed)
	require.Equal(t, topics, b.pub.Take())
	recent, err := b.svc.Recent(ctx, loc.Slug, 10)
	require.NoError(t, err)
	require.Equal(t, []nowplaying.Track{{LocationSlug: loc.Slug, Artist: "Nyx Calloway", Title: "Deep Blue", DJ: "Marlo", Source: "push", StartedAt: start, EndedAt: start.Add(4 * time.Minute)}}, recent)

	// Off air clears it once.
	b.set(start.Add(9 * time.Minute))
	changed, err = b.svc.OffAir(ctx, loc.Slug)
	require.NoError(t, err)
	require.True(t, changed)
	require.Equal(t, topics, b.pub.Take())
	changed, err = b.svc.OffAir(ctx, loc.Slug)
	require.NoError(t, err)
	require.False(t, changed)
	require.Empty(t, b.pub.Take())
	cur, err = b.svc.ByLocation(ctx)
	require.NoError(t, err)
	require.NotContains(t, cur, loc.Slug)
	recent, err = b.svc.Recent(ctx, loc.Slug, 10)
	require.NoError(t, err)
	require.Len(t, recent, 2)
	require.Equal(t, "Sol", recent[0].Title)
	require.Equal(t, start.Add(9*time.Minute), recent[0].EndedAt)
	recent, err = b.svc.Recent(ctx, loc.Slug, 1)
	require.NoError(t, err)
	require.Len(t, recent, 1)

	// An empty track is off air too: nothing to clear now.
	changed, err = b.svc.Record(ctx, loc.Slug, nowplaying.Track{Title: " \x00 "})
	require.NoError(t, err)
	require.False(t, changed)
}

func TestRecordRefuses(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	_, err := b.svc.Record(ctx, "atlantis-"+testenv.Unique("x"), nowplaying.Track{Title: "x"})
	require.ErrorIs(t, err, apperr.ErrNotFound)
	_, err = b.svc.OffAir(ctx, "atlantis-"+testenv.Unique("x"))
	require.ErrorIs(t, err, apperr.ErrNotFound)
	loc := testenv.Location(t, b.q, testenv.LocationOpts{})
	_, err = b.svc.Record(ctx, loc.Slug, nowplaying.Track{Title: "x", Source: "radio-tower"})
	require.ErrorContains(t, err, "unknown source")
	require.Empty(t, b.pub.Take())
	cur, err := b.svc.ByLocation(ctx)
	require.NoError(t, err)
	require.NotContains(t, cur, loc.Slug)
}

// The daily clean-up deletes what started more than 30 days ago, and only that.
func TestPruneHistory(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	loc := testenv.Location(t, b.q, testenv.LocationOpts{})
	start := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	for i, title := range []string{"old one", "old two", "kept"} {
		at := start.Add(time.Duration(i) * time.Hour)
		if title == "kept" {
			at = start.AddDate(0, 0, 20)
		}
		b.set(at)
		_, err := b.svc.Record(ctx, loc.Slug, nowplaying.Track{Title: title})
		require.NoError(t, err)
	}
	_, err := b.svc.OffAir(ctx, loc.Slug)
	require.NoError(t, err)

	b.set(start.AddDate(0, 0, nowplaying.HistoryDays).Add(90 * time.Minute))
	n, err := b.svc.PruneHistory(ctx)
	require.NoError(t, err)
	require.GreaterOrEqual(t, n, int64(2), "other tests' old tracks may go too")
	recent, err := b.svc.Recent(ctx, loc.Slug, 10)
	require.NoError(t, err)
	require.Equal(t, []string{"kept"}, titles(recent))
	n, err = b.svc.PruneHistory(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "pruning again finds nothing")
}

func titles(ts []nowplaying.Track) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Title
	}
	return slices.Clip(out)
}
