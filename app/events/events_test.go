package events_test

import (
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/apperr"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/i18n"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// testBundle is a venue of its own with events around a fixed now, so
// parallel tests never see each other's rows.
type testBundle struct {
	svc    *events.Service
	now    time.Time
	venue  string
	artist string
	slugs  map[string]string // name → slug
}

func setup(t *testing.T) testBundle {
	t.Helper()
	sqlDB := testenv.DB(t)
	ctx := t.Context()
	now := time.Date(2031, 3, 14, 20, 0, 0, 0, time.UTC)
	b := testBundle{now: now, slugs: map[string]string{}}
	b.svc = events.New(sqlDB, []string{"en", "de"}, func() time.Time { return now }, live.Discard{}, testenv.Logger(t))
	err := db.InTx(ctx, sqlDB, func(q *db.Queries) error {
		suffix := fmt.Sprint(time.Now().UnixNano())
		b.venue = "venue-" + suffix
		locID, err := q.LocationInsert(ctx, db.LocationInsertParams{
			Slug: b.venue, ThemeBackground: "#000000", ThemeSurface: "#111111", ThemeText: "#ffffff", ThemeAccent: "#ff00ff",
			StreamKind: db.LocationsStreamKindNone, ScreenLayout: db.LocationsScreenLayoutSplit, ScreenDaysAhead: 7, ScreenRotateSeconds: 20,
		})
		if err != nil {
			return err
		}
		if err := q.LocationTranslationUpsert(ctx, db.LocationTranslationUpsertParams{LocationID: locID, Lang: "en", Name: "Venue " + suffix}); err != nil {
			return err
		}
		b.artist = "artist-" + suffix
		artistID, err := q.ArtistInsert(ctx, db.ArtistInsertParams{Slug: b.artist, Name: "Artist " + suffix})
		if err != nil {
			return err
		}
		if err := q.ArtistTranslationUpsert(ctx, db.ArtistTranslationUpsertParams{ArtistID: artistID, Lang: "en", Genre: "Techno"}); err != nil {
			return err
		}
		add := func(name string, start time.Duration, hours int, kind db.EventsKind, published, german bool, withArtist bool) error {
			slug := name + "-" + suffix
			b.slugs[name] = slug
			id, err := q.EventInsert(ctx, db.EventInsertParams{
				Slug: slug, Kind: kind, LocationID: locID, StartsAt: now.Add(start), EndsAt: now.Add(start + time.Duration(hours)*time.Hour), Published: published,
			})
			if err != nil {
				return err
			}
			if err := q.EventTranslationUpsert(ctx, db.EventTranslationUpsertParams{EventID: id, Lang: "en", Title: "EN " + name, Summary: "sum", Description: "desc"}); err != nil {
				return err
			}
			if german {
				if err := q.EventTranslationUpsert(ctx, db.EventTranslationUpsertParams{EventID: id, Lang: "de", Title: "DE " + name, Description: "beschr"}); err != nil {
					return err
				}
			}
			if withArtist {
				return q.EventArtistInsert(ctx, db.EventArtistInsertParams{EventID: id, ArtistID: artistID, Position: 1,
					SetStartsAt: sql.NullTime{Time: now.Add(start), Valid: true}})
			}
			return nil
		}
		for _, e := range []struct {
			name            string
			start           time.Duration
			hours           int
			kind            db.EventsKind
			pub, de, artist bool
		}{
			{"past", -48 * time.Hour, 2, db.EventsKindLive, true, true, true},
			{"running", -time.Hour, 3, db.EventsKindDjSet, true, true, true},
			{"soon", 2 * time.Hour, 2, db.EventsKindParty, true, false, false},
			{"later", 72 * time.Hour, 2, db.EventsKindDjSet, true, true, true},
			{"draft", 24 * time.Hour, 2, db.EventsKindTalk, false, true, false},
		} {
			if err := add(e.name, e.start, e.hours, e.kind, e.pub, e.de, e.artist); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(t, err)
	return b
}

func titles(evs []events.Summary) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Title.Value
	}
	return out
}

func TestListFilters(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	cases := []struct {
		name string
		f    events.Filter
		want []string
	}{
		{"upcoming at venue includes running", events.Filter{Location: b.venue}, []string{"EN running", "EN soon", "EN later"}},
		{"by kind", events.Filter{Location: b.venue, Kind: events.KindDJSet}, []string{"EN running", "EN later"}},
		{"by artist", events.Filter{Artist: b.artist}, []string{"EN running", "EN later"}},
		{"date range overlaps", events.Filter{Location: b.venue, From: b.now.Add(time.Hour), To: b.now.Add(24 * time.Hour)}, []string{"EN running", "EN soon"}},
		{"date range", events.Filter{Location: b.venue, From: b.now.Add(3 * time.Hour), To: b.now.Add(24 * time.Hour)}, []string{"EN soon"}},
		{"past range", events.Filter{Location: b.venue, From: b.now.Add(-72 * time.Hour), To: b.now.Add(-24 * time.Hour)}, []string{"EN past"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := b.svc.List(ctx, "en", tc.f)
			require.NoError(t, err)
			require.Equal(t, tc.want, titles(p.Events))
			require.Equal(t, len(tc.want), p.Total)
		})
	}
}

func TestListPagingClamps(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p, err := b.svc.List(t.Context(), "en", events.Filter{Location: b.venue, PerPage: 2, Page: 99999999})
	require.NoError(t, err)
	require.Equal(t, 2, p.Pages)
	require.Equal(t, 2, p.Page, "a page past the end shows the last page")
	require.Equal(t, []string{"EN later"}, titles(p.Events))

	p, err = b.svc.List(t.Context(), "en", events.Filter{Location: b.venue, PerPage: 2, Page: 2})
	require.NoError(t, err)
	require.Equal(t, []int{2, 2, 3}, []int{p.Page, p.Pages, p.Total}, "the total comes with the page")
	require.Equal(t, []string{"EN later"}, titles(p.Events))

	p, err = b.svc.List(t.Context(), "en", events.Filter{Location: b.venue, PerPage: 50, Page: 1 << 30})
	require.NoError(t, err)
	require.Equal(t, []int{1, 1, 3}, []int{p.Page, p.Pages, p.Total}, "an offset past int32 is a page past the end")

	p, err = b.svc.List(t.Context(), "en", events.Filter{Location: b.venue, Kind: events.KindTalk, Page: 3})
	require.NoError(t, err)
	require.Equal(t, []int{1, 1, 0}, []int{p.Page, p.Pages, p.Total}, "no events: one empty page")
	require.Empty(t, p.Events)

	p, err = b.svc.List(t.Context(), "en", events.Filter{Location: b.venue, PerPage: 100000, Page: -4})
	require.NoError(t, err)
	require.Equal(t, 1, p.Page)
	require.Equal(t, 50, p.PerPage, "page size is bounded")
}

func TestListRejectsBadFilters(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cases := []struct {
		name  string
		f     events.Filter
		field string
	}{
		{"unknown venue", events.Filter{Location: "no-such-venue"}, "location"},
		{"unknown artist", events.Filter{Artist: "' OR 1=1 --"}, "artist"},
		{"unknown kind", events.Filter{Kind: "rave"}, "type"},
		{"reversed", events.Filter{From: b.now, To: b.now.Add(-time.Hour)}, "to"},
		{"too long", events.Filter{From: b.now, To: b.now.AddDate(3, 0, 0)}, "to"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.svc.List(t.Context(), "en", tc.f)
			inv, ok := errors.AsType[*apperr.Invalid](err)
			require.True(t, ok, "want *apperr.Invalid, got %v", err)
			require.True(t, inv.Has(tc.field), inv.Error())
		})
	}
}

func TestTranslationFallback(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p, err := b.svc.List(t.Context(), "de", events.Filter{Location: b.venue})
	require.NoError(t, err)
	require.Equal(t, []string{"DE running", "EN soon", "DE later"}, titles(p.Events))
	require.True(t, p.Events[1].Title.Fallback)
	require.False(t, p.Events[0].Title.Fallback)
	require.Equal(t, i18n.Text{Value: "sum", Fallback: true}, p.Events[0].Summary, "a missing field falls back on its own")
}

func TestGet(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ev, err := b.svc.Get(t.Context(), "de", b.slugs["later"])
	require.NoError(t, err)
	require.Equal(t, i18n.Text{Value: "DE later"}, ev.Title)
	require.Equal(t, i18n.Text{Value: "beschr"}, ev.Description)
	require.Len(t, ev.Lineup, 1)
	require.Equal(t, b.artist, ev.Lineup[0].ArtistSlug)

	_, err = b.svc.Get(t.Context(), "en", b.slugs["draft"])
	require.ErrorIs(t, err, apperr.ErrNotFound, "unpublished events are not public")
	_, err = b.svc.Get(t.Context(), "en", "no-such-event")
	require.ErrorIs(t, err, apperr.ErrNotFound)
}

func TestNowNextPast(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	now, err := b.svc.HappeningNow(ctx, "en", 50)
	require.NoError(t, err)
	require.Contains(t, titles(now), "EN running")
	require.NotContains(t, titles(now), "EN soon")
	require.True(t, now[0].Live(b.now))

	next, err := b.svc.Next(ctx, "en", 50)
	require.NoError(t, err)
	require.Contains(t, titles(next), "EN soon")
	require.NotContains(t, titles(next), "EN running")
	require.NotContains(t, titles(next), "EN draft")

	past, err := b.svc.Past(ctx, "en", b.venue, "", 10)
	require.NoError(t, err)
	require.Equal(t, []string{"EN past"}, titles(past))

	feed, err := b.svc.Calendar(ctx, "en", b.venue, "")
	require.NoError(t, err)
	require.Equal(t, []string{"EN past", "EN running", "EN soon", "EN later"}, titles(feed))
}

// The schema refuses what the queries rely on never happening.
func TestSchemaRefusesImpossibleEvents(t *testing.T) {
	t.Parallel()
	b := setup(t)
	sqlDB := testenv.DB(t)
	var locID int64
	require.NoError(t, sqlDB.QueryRowContext(t.Context(), `SELECT id FROM locations WHERE slug = ?`, b.venue).Scan(&locID))
	q := db.New(sqlDB)
	for name, hours := range map[string]int{"ends before it starts": -1, "longer than a week": 8 * 24} {
		_, err := q.EventInsert(t.Context(), db.EventInsertParams{
			Slug: fmt.Sprint("bad-", hours, "-", b.venue), Kind: db.EventsKindOther, LocationID: locID,
			StartsAt: b.now, EndsAt: b.now.Add(time.Duration(hours) * time.Hour), Published: true,
		})
		require.Error(t, err, name)
	}
}
