package testenv_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestFactoryDefaults(t *testing.T) {
	t.Parallel()
	sqlDB := testenv.DB(t)
	q := db.New(sqlDB)
	svc := events.New(sqlDB, []string{"en", "de"}, time.Now, live.Discard{}, testenv.Logger(t))

	e1 := testenv.Event(t, q, testenv.EventOpts{})
	e2 := testenv.Event(t, q, testenv.EventOpts{})
	require.NotEqual(t, e1.Slug, e2.Slug)
	require.NotEqual(t, e1.LocationID, e2.LocationID, "each gets a venue of its own")
	require.Equal(t, 2*time.Hour, e1.EndsAt.Sub(e1.StartsAt))
	require.True(t, e1.StartsAt.After(time.Now()))

	d, err := svc.AdminGet(t.Context(), e1.ID)
	require.NoError(t, err)
	require.Equal(t, e1.Slug, d.Slug)
	require.Equal(t, e1.LocationSlug, d.LocationSlug)
	require.Equal(t, events.KindDJSet, d.Kind)
	require.Equal(t, e1.Title, d.Texts["en"].Title)
	require.False(t, d.Published)
	require.True(t, d.FirstPublishedAt.IsZero())
	require.Empty(t, d.Lineup)
}

func TestFactoryOptions(t *testing.T) {
	t.Parallel()
	sqlDB := testenv.DB(t)
	q := db.New(sqlDB)
	svc := events.New(sqlDB, []string{"en", "de"}, time.Now, live.Discard{}, testenv.Logger(t))
	loc := testenv.Location(t, q, testenv.LocationOpts{Names: map[string]string{"de": "Höhle"}})
	a1 := testenv.Artist(t, q, testenv.ArtistOpts{Name: "Zed"})
	a2 := testenv.Artist(t, q, testenv.ArtistOpts{})
	start := time.Date(2032, 1, 2, 21, 0, 0, 0, time.UTC)
	e := testenv.Event(t, q, testenv.EventOpts{
		Location: loc, Kind: db.EventsKindLive, Start: start, Duration: 90 * time.Minute,
		Title: "Opening", Titles: map[string]string{"de": "Eröffnung"},
		Published: true, Cancelled: true, AllowOverlap: true, Lineup: []testenv.ArtistRow{a1, a2},
	})
	d, err := svc.AdminGet(t.Context(), e.ID)
	require.NoError(t, err)
	require.Equal(t, loc.ID, d.LocationID)
	require.Equal(t, events.KindLive, d.Kind)
	require.True(t, d.StartsAt.Equal(start))
	require.True(t, d.EndsAt.Equal(start.Add(90*time.Minute)))
	require.Equal(t, "Eröffnung", d.Texts["de"].Title)
	require.True(t, d.Published)
	require.False(t, d.FirstPublishedAt.IsZero(), "published rows have a first publish, so their slug is stable")
	require.True(t, d.Cancelled)
	require.True(t, d.AllowOverlap)
	require.Equal(t, []int64{a1.ID, a2.ID}, []int64{d.Lineup[0].ArtistID, d.Lineup[1].ArtistID})
	require.Equal(t, "Zed", d.Lineup[0].ArtistName)

	// The public side sees the published, cancelled event, marked.
	ev, err := svc.Get(t.Context(), "de", e.Slug)
	require.NoError(t, err)
	require.True(t, ev.Cancelled)
	require.Equal(t, "Höhle", ev.Location.Name.Value)
}

var errRollback = errors.New("rollback")

// Rows made inside a transaction go with it.
func TestFactoryInTransaction(t *testing.T) {
	t.Parallel()
	sqlDB := testenv.DB(t)
	var e testenv.EventRow
	err := db.InTx(t.Context(), sqlDB, func(q *db.Queries) error {
		e = testenv.Event(t, q, testenv.EventOpts{Lineup: []testenv.ArtistRow{testenv.Artist(t, q, testenv.ArtistOpts{})}})
		return errRollback
	})
	require.ErrorIs(t, err, errRollback)
	var n int
	require.NoError(t, sqlDB.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM events WHERE id = ? OR slug = ?", e.ID, e.Slug).Scan(&n))
	require.Zero(t, n)
	require.NoError(t, sqlDB.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM locations WHERE slug = ?", e.LocationSlug).Scan(&n))
	require.Zero(t, n)
}
