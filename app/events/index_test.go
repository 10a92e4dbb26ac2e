package events_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/artists"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/services"
	"github.com/dreamerscave/tdc/app/testenv"
)

// result is what one List answers, error included, so answers compare whole.
type result struct {
	Page events.Page
	Err  error
}

func listed(t *testing.T, list func(context.Context, string, events.Filter) (events.Page, error), lang string, f events.Filter) result {
	t.Helper()
	p, err := list(t.Context(), lang, f)
	return result{p, err}
}

// The index costs memory in proportion to the published programme; this
// measures it on the demo programme (run with -v to read it), once built
// and again after patches, which must not keep the indexes they replaced.
// Not parallel, so no other test's allocations are counted.
func TestIndexMemory(t *testing.T) {
	now := testenv.Seeded(t)
	cfg := testenv.Config(t)
	svc := events.New(testenv.DB(t), cfg.Languages, func() time.Time { return now }, live.Discard{}, testenv.Logger(t))
	var before, built, patched runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	p, err := svc.List(t.Context(), cfg.DefaultLanguage, events.Filter{})
	require.NoError(t, err)
	runtime.GC()
	runtime.ReadMemStats(&built)
	n := svc.IndexLen()
	require.Positive(t, n)
	bytes := int64(built.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("index of %d published events in %d languages: %d bytes, %d per event", n, len(cfg.Languages), bytes, bytes/int64(n))
	// Not a budget, a guard against a structure that grows per filter or
	// per query instead of per event.
	require.Less(t, bytes/int64(n), int64(8<<10))

	for i := range 10 {
		svc.Changed(live.TopicEvents, p.Events[i%len(p.Events)].ID)
		_, err := svc.List(t.Context(), cfg.DefaultLanguage, events.Filter{})
		require.NoError(t, err)
	}
	_, patches := svc.IndexRefreshes()
	require.EqualValues(t, 10, patches)
	runtime.GC()
	runtime.ReadMemStats(&patched)
	after := int64(patched.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("after 10 patches: %d bytes", after)
	require.Less(t, after, bytes*3/2, "a patched index frees the one it replaced")
	runtime.KeepAlive(svc)
}

// edgeCases adds to the package database what the demo programme lacks,
// around now: cancelled and unpublished events, events without a
// default-language text or at a venue without one, several starting at the
// same instant, one lasting the longest allowed week, lineups with and
// without set times and with an act that has no default-language text,
// covers with alt texts in one language, texts missing in German. It
// returns their instants, which filters then start and end at.
func edgeCases(t *testing.T, now time.Time) []time.Time {
	t.Helper()
	q := db.New(testenv.DB(t))
	ctx := t.Context()
	venue := testenv.Location(t, q, testenv.LocationOpts{Names: map[string]string{"de": "Halle"}})
	plain := testenv.Location(t, q, testenv.LocationOpts{})
	german := testenv.Location(t, q, testenv.LocationOpts{Lang: "de"}) // no default-language name
	a1 := testenv.Artist(t, q, testenv.ArtistOpts{})
	a2 := testenv.Artist(t, q, testenv.ArtistOpts{Genre: "House"})
	require.NoError(t, q.ArtistTranslationUpsert(ctx, db.ArtistTranslationUpsertParams{ArtistID: a2.ID, Lang: "de", Genre: "Haus"}))
	a3 := testenv.Artist(t, q, testenv.ArtistOpts{Lang: "de"}) // no default-language text
	cover := testenv.Picture(t, q, map[string]string{"en": "A crowd"})
	coverDE := testenv.Picture(t, q, map[string]string{"de": "Eine Menge"})

	start := now.Truncate(time.Hour).Add(-30 * time.Hour)
	var instants []time.Time
	add := func(o testenv.EventOpts) testenv.EventRow {
		if o.Location.ID == 0 {
			o.Location = venue
		}
		r := testenv.Event(t, q, o)
		instants = append(instants, r.StartsAt, r.EndsAt)
		return r
	}
	add(testenv.EventOpts{Start: start, Duration: 7 * 24 * time.Hour, Published: true, Kind: db.EventsKindParty, Lineup: []testenv.ArtistRow{a1, a2}})
	add(testenv.EventOpts{Start: start.Add(2 * time.Hour), Published: true, Cancelled: true, Titles: map[string]string{"de": "Abgesagt"}})
	add(testenv.EventOpts{Start: start.Add(2 * time.Hour), Published: false, Lineup: []testenv.ArtistRow{a1}})
	add(testenv.EventOpts{Start: start.Add(26 * time.Hour), Location: german, Published: true, Lineup: []testenv.ArtistRow{a2}})
	add(testenv.EventOpts{Start: start.Add(27 * time.Hour), Published: true, Lang: "de", Lineup: []testenv.ArtistRow{a1}}) // no default text
	for i := range 4 {
		// Same start, same venue: the id breaks the tie.
		r := add(testenv.EventOpts{Start: start.Add(30 * time.Hour), Duration: time.Duration(i+1) * time.Hour, Published: true,
			Location: plain, Kind: db.EventsKindLive, Titles: map[string]string{"de": fmt.Sprint("Gleich ", i)}})
		if i%2 == 0 {
			_, err := testenv.DB(t).ExecContext(ctx, "UPDATE events SET cover_media_id = ? WHERE id = ?", []int64{cover, coverDE}[i/2], r.ID)
			require.NoError(t, err)
		}
	}
	sets := add(testenv.EventOpts{Start: start.Add(50 * time.Hour), Duration: 5 * time.Hour, Published: true, Kind: db.EventsKindTalk})
	for i, a := range []testenv.ArtistRow{a3, a2, a1} {
		at := sets.StartsAt.Add(time.Duration(i) * time.Hour)
		require.NoError(t, q.EventArtistInsert(ctx, db.EventArtistInsertParams{
			EventID: sets.ID, ArtistID: a.ID, Position: int32(i + 1),
			SetStartsAt: sql.NullTime{Time: at, Valid: true}, SetEndsAt: sql.NullTime{Time: at.Add(time.Hour), Valid: i != 1},
		}))
	}
	add(testenv.EventOpts{Start: start.Add(80 * time.Hour), Published: true, Kind: db.EventsKindOther, Lineup: []testenv.ArtistRow{a3}})
	return instants
}

// filters makes random programme filters: venues and artists that exist
// and that do not, kinds, ranges that start or end at an event's instant
// (exactly, or a nanosecond, microsecond or second off it), ranges
// anywhere within a year and a bit, reversed and too long ones, page sizes
// and pages past the end.
type filters struct {
	r                  *rand.Rand
	now                time.Time
	locations, artists []string
	instants           []time.Time
}

func (g filters) next() (string, events.Filter) {
	r := g.r
	var f events.Filter
	switch r.IntN(8) {
	case 0, 1, 2, 3:
		f.Location = g.locations[r.IntN(len(g.locations))]
	case 4:
		f.Location = "no-such-venue"
	}
	switch r.IntN(8) {
	case 0, 1:
		f.Artist = g.artists[r.IntN(len(g.artists))]
	case 2:
		f.Artist = "no-such-artist"
	}
	if r.IntN(3) == 0 {
		f.Kind = events.Kinds()[r.IntN(len(events.Kinds()))]
	}
	offsets := []time.Duration{0, 0, 0, -time.Second, time.Second, -time.Microsecond, time.Microsecond, -time.Nanosecond, time.Nanosecond, 500 * time.Nanosecond}
	instant := func() time.Time {
		if r.IntN(2) == 0 {
			return g.instants[r.IntN(len(g.instants))].Add(offsets[r.IntN(len(offsets))])
		}
		return g.now.Add(time.Duration(r.Int64N(int64(800*24*time.Hour))) - 400*24*time.Hour)
	}
	switch r.IntN(8) {
	case 0: // the defaults: from now, for a year
	case 1:
		f.From = instant()
	case 2:
		f.To = instant()
	case 3:
		f.From, f.To = instant(), instant()
		if r.IntN(4) > 0 && f.To.Before(f.From) {
			f.From, f.To = f.To, f.From
		}
	case 4: // around the longest range allowed
		f.From = instant()
		f.To = f.From.AddDate(0, 0, 360+r.IntN(16))
	default:
		f.From = instant()
		f.To = f.From.Add(time.Duration(r.Int64N(int64(40*24*time.Hour))) + time.Nanosecond)
	}
	f.PerPage = []int{0, 1, 2, 3, 5, 20, 50, 51, 1000}[r.IntN(9)]
	f.Page = []int{0, 1, 1, 2, 3, 5, 40, 1 << 30, -1}[r.IntN(9)]
	return []string{"en", "de"}[r.IntN(2)], f
}

// The index answers every filter as the database does: the same events in
// the same order, the same totals and pages, the same errors. On the demo
// programme plus edge cases. Not parallel: the other tests' writes to the
// package database would change the answers between the two.
func TestIndexMatchesSQL(t *testing.T) {
	now := testenv.Seeded(t)
	instants := edgeCases(t, now)
	sqlDB := testenv.DB(t)
	cfg := testenv.Config(t)
	svc := events.New(sqlDB, cfg.Languages, func() time.Time { return now }, live.Discard{}, testenv.Logger(t))

	var g filters
	for _, q := range []struct {
		into *[]string
		sql  string
	}{
		{&g.locations, "SELECT slug FROM locations"},
		{&g.artists, "SELECT slug FROM artists"},
	} {
		rows, err := sqlDB.QueryContext(t.Context(), q.sql)
		require.NoError(t, err)
		for rows.Next() {
			var s string
			require.NoError(t, rows.Scan(&s))
			*q.into = append(*q.into, s)
		}
		require.NoError(t, rows.Err())
		rows.Close()
	}
	starts := publishedInstants(t, sqlDB)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	g.r, g.now = rand.New(rand.NewPCG(seed, 2026)), now
	// Half the instants are the edge cases', half the demo programme's.
	g.instants = slices.Concat(instants, starts[:min(len(starts), len(instants))], starts)

	nonEmpty, invalid := 0, 0
	for range 3000 {
		lang, f := g.next()
		want := listed(t, svc.ListSQL, lang, f)
		got := listed(t, svc.ListIndex, lang, f)
		require.Equal(t, want, got, "%s %+v", lang, f)
		if len(want.Page.Events) > 0 {
			nonEmpty++
		}
		if want.Err != nil {
			invalid++
		}
	}
	t.Logf("%d of 3000 filters listed events, %d were refused", nonEmpty, invalid)
	require.Greater(t, nonEmpty, 600, "the filters should often find something")
	require.Greater(t, invalid, 100, "and be refused now and then")

	// What the index leaves to the database is answered too.
	for _, c := range []struct {
		lang string
		f    events.Filter
	}{
		{"fr", events.Filter{}},
		{"en", events.Filter{Location: "MAIN-CAVE"}},
		{"de", events.Filter{Artist: " " + g.artists[0]}},
	} {
		require.Equal(t, listed(t, svc.ListSQL, c.lang, c.f), listed(t, svc.List, c.lang, c.f), "%s %+v", c.lang, c.f)
	}
}

// publishedInstants are the starts and ends of every published event.
func publishedInstants(t *testing.T, sqlDB *sql.DB) []time.Time {
	t.Helper()
	rows, err := sqlDB.QueryContext(t.Context(), "SELECT starts_at, ends_at FROM events WHERE published")
	require.NoError(t, err)
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var s, e time.Time
		require.NoError(t, rows.Scan(&s, &e))
		out = append(out, s, e)
	}
	require.NoError(t, rows.Err())
	return out
}

// HappeningNow and Next answer from the index as from the database at any
// instant: on an event's start or end, or a second, a microsecond or a
// nanosecond off it, among events that start together or are cancelled,
// in both languages, for any limit (HappeningNow leaves out the cancelled
// after its LIMIT, as it did). On the demo programme plus edge cases; not
// parallel, as TestIndexMatchesSQL.
func TestIndexWindowsMatchSQL(t *testing.T) {
	now := testenv.Seeded(t)
	sqlDB := testenv.DB(t)
	edges, demo := edgeCases(t, now), publishedInstants(t, sqlDB)
	cfg := testenv.Config(t)
	// The service's clock stays at now, so the index never ages; each
	// call names its own instant.
	svc := events.New(sqlDB, cfg.Languages, func() time.Time { return now }, live.Discard{}, testenv.Logger(t))
	ctx := t.Context()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 2027))
	offsets := []time.Duration{0, 0, 0, -time.Second, time.Second, -time.Microsecond, time.Microsecond, -time.Nanosecond, time.Nanosecond, 500 * time.Nanosecond}
	type window func(context.Context, string, int, time.Time) ([]events.Summary, error)
	nonEmpty, cancelled := 0, 0
	for range 1000 {
		at := now.Add(time.Duration(r.Int64N(int64(800*24*time.Hour))) - 400*24*time.Hour)
		switch r.IntN(4) {
		case 0, 1: // half the instants are the edge cases', a quarter the demo programme's
			at = edges[r.IntN(len(edges))].Add(offsets[r.IntN(len(offsets))])
		case 2:
			at = demo[r.IntN(len(demo))].Add(offsets[r.IntN(len(offsets))])
		}
		lang := []string{"en", "de"}[r.IntN(2)]
		limit := []int{1, 2, 3, 5, 8, 12, 50, 200}[r.IntN(8)]
		for _, w := range []struct {
			name       string
			sql, index window
		}{
			{"happening now", svc.HappeningNowSQL, svc.HappeningNowIndex},
			{"next", svc.NextSQL, svc.NextIndex},
		} {
			want, err := w.sql(ctx, lang, limit, at)
			require.NoError(t, err)
			got, err := w.index(ctx, lang, limit, at)
			require.NoError(t, err)
			require.Equal(t, want, got, "%s in %s, at most %d, at %s", w.name, lang, limit, at.Format(time.RFC3339Nano))
			if len(want) > 0 {
				nonEmpty++
			}
		}
		if limit <= events.MaxPerPage {
			on, err := svc.ListSQL(ctx, lang, events.Filter{From: at, To: at.Add(time.Second), PerPage: limit})
			require.NoError(t, err)
			if happening, _ := svc.HappeningNowSQL(ctx, lang, limit, at); len(happening) < len(on.Events) {
				cancelled++
			}
		}
	}
	t.Logf("%d of 2000 answers listed events; %d times a cancelled event was left out", nonEmpty, cancelled)
	require.Greater(t, nonEmpty, 800, "the instants should often find something")
	require.Positive(t, cancelled, "and now and then a cancelled event")
}

// Once built, the index answers without the database: this service's pool
// is closed after the first List.
func TestListNeedsNoQueryOnceIndexed(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	pool, err := db.Open(ctx, testenv.DSN(t), 2)
	require.NoError(t, err)
	svc := events.New(pool, []string{"en", "de"}, func() time.Time { return b.now }, live.Discard{}, testenv.Logger(t))
	fs := []events.Filter{
		{Location: b.venue},
		{Location: b.venue, Page: 2, PerPage: 1},
		{Location: b.venue, Page: 99, PerPage: 2},
		{Artist: b.artist, Kind: events.KindDJSet},
		{Location: b.venue, From: b.now.Add(-72 * time.Hour), To: b.now},
		{Location: "no-such-venue-" + b.venue},
		{Location: b.venue, Artist: "no-such-artist-" + b.artist},
	}
	var want []result
	for _, f := range fs {
		want = append(want, listed(t, svc.ListSQL, "de", f))
	}
	_, err = svc.List(ctx, "en", events.Filter{})
	require.NoError(t, err)
	require.NoError(t, pool.Close())
	for i, f := range fs {
		require.Equal(t, want[i], listed(t, svc.List, "de", f), "%+v", f)
	}
}

// freshBundle is the services as main builds them over a database,
// publishing into pub, and other: the events service of another instance,
// which hears of changes only through Changed. At a venue of its own: ev,
// a published event with artist in its lineup, and draft, an unpublished
// one; at loc2, two published events that start as ev ends and an hour
// later; and known, an artist no lineup shows yet. All exist before either
// instance builds its index.
type freshBundle struct {
	set           services.Set
	pub           *testenv.Published
	other         *events.Service
	sqlDB         *sql.DB
	q             *db.Queries
	now           time.Time
	loc, loc2     testenv.LocationRow
	artist, known testenv.ArtistRow
	ev, draft     testenv.EventRow
	newArtist     string // the slug of an artist the "new artist" case makes
	coverImage    int64
}

func setupFresh(t *testing.T, sqlDB *sql.DB, now time.Time) *freshBundle {
	t.Helper()
	b := &freshBundle{
		pub: &testenv.Published{}, sqlDB: sqlDB, q: db.New(sqlDB), now: now,
		newArtist: testenv.Unique("newcomer"),
	}
	cfg := testenv.Config(t)
	clock := func() time.Time { return b.now }
	b.set = services.New(cfg, sqlDB, nil, b.pub, testenv.Logger(t), clock)
	b.other = events.New(sqlDB, cfg.Languages, clock, live.Discard{}, testenv.Logger(t))
	b.loc = testenv.Location(t, b.q, testenv.LocationOpts{Names: map[string]string{"de": "Die Halle"}})
	b.loc2 = testenv.Location(t, b.q, testenv.LocationOpts{})
	b.artist = testenv.Artist(t, b.q, testenv.ArtistOpts{})
	b.known = testenv.Artist(t, b.q, testenv.ArtistOpts{Genre: "Dub"})
	b.ev = testenv.Event(t, b.q, testenv.EventOpts{
		Location: b.loc, Start: b.now.Add(24 * time.Hour), Published: true, Lineup: []testenv.ArtistRow{b.artist},
		Titles: map[string]string{"de": "Die Nacht"},
	})
	b.draft = testenv.Event(t, b.q, testenv.EventOpts{
		Location: b.loc, Start: b.now.Add(48 * time.Hour), Lineup: []testenv.ArtistRow{b.artist},
	})
	for h := range 2 {
		testenv.Event(t, b.q, testenv.EventOpts{Location: b.loc2, Start: b.ev.StartsAt.Add(time.Duration(h+2) * time.Hour), Published: true})
	}
	b.coverImage = testenv.Picture(t, b.q, map[string]string{"en": "The hall"})
	return b
}

// results lists through list what the freshness cases look at: the venue,
// the artist, and the slug the "new artist" case makes, in both languages.
func (b *freshBundle) results(t *testing.T, list func(context.Context, string, events.Filter) (events.Page, error)) []result {
	t.Helper()
	var out []result
	for _, lang := range []string{"en", "de"} {
		for _, f := range []events.Filter{{Location: b.loc.Slug}, {Artist: b.artist.Slug}, {Artist: b.newArtist}} {
			out = append(out, listed(t, list, lang, f))
		}
	}
	return out
}

func (b *freshBundle) eventVersion(t *testing.T, id int64) int32 {
	t.Helper()
	d, err := b.set.Events.AdminGet(t.Context(), id)
	require.NoError(t, err)
	return d.Version
}

// patchEvent, patchVenue and patchArtist save one field of ev, the venue
// and the artist through their services, as the inline editor does.
func (b *freshBundle) patchEvent(t *testing.T, field, value string) error {
	_, err := b.set.Events.Patch(t.Context(), admin, b.ev.ID, b.eventVersion(t, b.ev.ID), field, value)
	return err
}

func (b *freshBundle) patchVenue(t *testing.T, field, value string) error {
	d, err := b.set.Locations.AdminGet(t.Context(), b.loc.ID)
	require.NoError(t, err)
	_, err = b.set.Locations.Patch(t.Context(), admin, b.loc.ID, d.Version, field, value)
	return err
}

func (b *freshBundle) patchArtist(t *testing.T, field, value string) error {
	d, err := b.set.Artists.AdminGet(t.Context(), b.artist.ID)
	require.NoError(t, err)
	_, err = b.set.Artists.Patch(t.Context(), admin, b.artist.ID, d.Version, field, value)
	return err
}

// requireFresh checks both instances after a write (prev is what they
// listed before it): the writing one at once, the other once told of the
// changes published, and not before. Each lists what the database does,
// and holds an index equal, field by field, to one built afresh, which it
// got by a patch when patched says so and by a build otherwise. It
// returns what they list now.
func (b *freshBundle) requireFresh(t *testing.T, prev []result, patched bool) []result {
	t.Helper()
	want := b.results(t, b.set.Events.ListSQL)
	require.NotEqual(t, prev, want, "the write changes what the programme shows")
	changes := b.pub.TakeChanges()
	require.NotEmpty(t, changes)
	check := func(name string, svc *events.Service) {
		t.Helper()
		builds, patches := svc.IndexRefreshes()
		require.Equal(t, want, b.results(t, svc.List), "%s lists what the database does", name)
		got, err := svc.Index(t.Context())
		require.NoError(t, err)
		fresh, err := svc.FreshIndex(t.Context())
		require.NoError(t, err)
		require.Equal(t, fresh, got, "%s holds the index a build would make", name)
		if patched {
			patches++
		} else {
			builds++
		}
		b2, p2 := svc.IndexRefreshes()
		require.Equal(t, [2]int64{builds, patches}, [2]int64{b2, p2}, "%s: builds and patches (patched %v)", name, patched)
	}
	check("the writing process", b.set.Events)
	require.Equal(t, prev, b.results(t, b.other.List), "another instance keeps its index until told")
	for _, c := range changes {
		b.other.Changed(c.Topic, c.ID)
	}
	check("another instance, once told", b.other)
	return want
}

// After each kind of write through the services, the next List shows it:
// on the writing process at once, and on another instance once Changed has
// told it the changes the write published. A write of events patches the
// index, re-reading those events only, and the patched index is the one a
// build would make; a write of a venue, an artist or a picture (or of an
// event that shows an artist the index does not know) builds it anew.
func TestIndexFreshAfterWrites(t *testing.T) {
	t.Parallel()
	// A database of its own, with the demo programme around the bundle's
	// events: the index is compared whole with a fresh build, which other
	// tests' events would change under it.
	_, sqlDB := testenv.ScratchDB(t, "fresh")
	now := time.Date(2032, 6, 1, 18, 0, 0, 0, time.UTC)
	require.NoError(t, testenv.Seed(t, sqlDB, now))

	type step func(t *testing.T, b *freshBundle) error
	publish := func(t *testing.T, b *freshBundle) error {
		_, err := b.set.Events.Publish(t.Context(), admin, b.draft.ID, b.eventVersion(t, b.draft.ID))
		return err
	}
	unpublish := func(t *testing.T, b *freshBundle) error {
		_, err := b.set.Events.Unpublish(t.Context(), admin, b.ev.ID, b.eventVersion(t, b.ev.ID))
		return err
	}
	republish := func(t *testing.T, b *freshBundle) error {
		_, err := b.set.Events.Publish(t.Context(), admin, b.ev.ID, b.eventVersion(t, b.ev.ID))
		return err
	}
	setCover := func(t *testing.T, b *freshBundle) {
		require.NoError(t, b.patchEvent(t, "cover", fmt.Sprint(b.coverImage)))
		b.pub.Take()
	}
	cases := []struct {
		name string
		// prepare runs before either instance builds its index.
		prepare func(t *testing.T, b *freshBundle)
		// steps are writes, each checked by requireFresh.
		steps   []step
		patched bool
	}{
		{"publish", nil, []step{publish}, true},
		{"unpublish", nil, []step{unpublish}, true},
		{"unpublish, publish again", nil, []step{unpublish, republish}, true},
		{"cancel", nil, []step{func(t *testing.T, b *freshBundle) error {
			_, err := b.set.Events.Cancel(t.Context(), admin, b.ev.ID, b.eventVersion(t, b.ev.ID))
			return err
		}}, true},
		{"title", nil, []step{func(t *testing.T, b *freshBundle) error {
			return b.patchEvent(t, "title.de", "Die andere Nacht")
		}}, true},
		{"translation removed, added", nil, []step{func(t *testing.T, b *freshBundle) error {
			return b.patchEvent(t, "title.de", "")
		}, func(t *testing.T, b *freshBundle) error {
			return b.patchEvent(t, "title.de", "Die neue Nacht")
		}}, true},
		{"time, past the next two", nil, []step{func(t *testing.T, b *freshBundle) error {
			_, err := b.set.Events.Move(t.Context(), admin, b.ev.ID, b.eventVersion(t, b.ev.ID), b.ev.StartsAt.Add(200*time.Minute))
			return err
		}}, true},
		{"venue", nil, []step{func(t *testing.T, b *freshBundle) error {
			return b.patchEvent(t, "location", b.loc2.Slug)
		}}, true},
		{"lineup", nil, []step{func(t *testing.T, b *freshBundle) error {
			_, err := b.set.Events.SetLineup(t.Context(), admin, b.ev.ID, b.eventVersion(t, b.ev.ID), []events.LineupInput{
				{ArtistID: b.known.ID, Position: 1}, {ArtistID: b.artist.ID, Position: 2, SetStartsAt: b.ev.StartsAt.Add(time.Hour)},
			})
			return err
		}}, true},
		{"lineup with an artist new to the index", nil, []step{func(t *testing.T, b *freshBundle) error {
			other := testenv.Artist(t, b.q, testenv.ArtistOpts{})
			_, err := b.set.Events.SetLineup(t.Context(), admin, b.ev.ID, b.eventVersion(t, b.ev.ID), []events.LineupInput{
				{ArtistID: other.ID, Position: 1}, {ArtistID: b.artist.ID, Position: 2},
			})
			return err
		}}, false},
		{"cover set", nil, []step{func(t *testing.T, b *freshBundle) error {
			return b.patchEvent(t, "cover", fmt.Sprint(b.coverImage))
		}}, true},
		{"cover cleared", setCover, []step{func(t *testing.T, b *freshBundle) error {
			return b.patchEvent(t, "cover", "")
		}}, true},
		{"two events before one List", nil, []step{func(t *testing.T, b *freshBundle) error {
			if err := publish(t, b); err != nil {
				return err
			}
			return b.patchEvent(t, "title.en", "Retitled "+b.ev.Slug)
		}}, true},
		{"deleted by hand", nil, []step{func(t *testing.T, b *freshBundle) error {
			// The service deletes only what was never published; a
			// fix in the database may delete anything, and say so.
			if _, err := b.sqlDB.ExecContext(t.Context(), "DELETE FROM events WHERE id = ?", b.ev.ID); err != nil {
				return err
			}
			return live.WithLocal(b.pub, b.set.Events.Changed).Changed(t.Context(), live.TopicEvents, b.ev.ID)
		}}, true},
		{"venue rename", nil, []step{func(t *testing.T, b *freshBundle) error {
			return b.patchVenue(t, "name.en", "Renamed "+b.loc.Slug)
		}}, false},
		{"venue accent", nil, []step{func(t *testing.T, b *freshBundle) error {
			return b.patchVenue(t, "theme.accent", "#ff8800")
		}}, false},
		{"artist rename", nil, []step{func(t *testing.T, b *freshBundle) error {
			return b.patchArtist(t, "name", "Renamed "+b.artist.Slug)
		}}, false},
		{"artist genre", nil, []step{func(t *testing.T, b *freshBundle) error {
			return b.patchArtist(t, "genre.de", "Hardtekk")
		}}, false},
		{"new artist", nil, []step{func(t *testing.T, b *freshBundle) error {
			_, err := b.set.Artists.Create(t.Context(), admin, artists.ArtistInput{
				Name: b.newArtist, Texts: map[string]artists.Text{"en": {Genre: "Ambient"}},
			})
			return err
		}}, false},
		{"cover alt text", setCover, []step{func(t *testing.T, b *freshBundle) error {
			return b.set.Media.SetAlt(t.Context(), admin, b.coverImage, "de", "Die Halle, voll")
		}}, false},
	}
	for _, tc := range cases {
		// One after another: each compares the whole database.
		t.Run(tc.name, func(t *testing.T) {
			b := setupFresh(t, sqlDB, now)
			if tc.prepare != nil {
				tc.prepare(t, b)
			}
			prev := b.results(t, b.set.Events.List)
			require.Equal(t, prev, b.results(t, b.other.List), "both instances start alike")
			for _, step := range tc.steps {
				require.NoError(t, step(t, b))
				prev = b.requireFresh(t, prev, tc.patched)
			}
		})
	}
}

// titleNumber reads n from a title "Title n"; any other title is -1.
func titleNumber(p events.Page) int {
	n := -1
	if len(p.Events) > 0 {
		fmt.Sscanf(p.Events[0].Title.Value, "Title %d", &n)
	}
	return n
}

// Lists run while an event is written again and again: a List that starts
// after a write (on the writing process) or after Changed told of it (on
// the other instance) never shows an older state, and after the last
// write both show it. Each write patches the index; with drops, the other
// instance also hears of changes for other reasons, which overtake the
// patches.
func TestIndexConcurrentListsAndWrites(t *testing.T) {
	t.Parallel()
	for _, drops := range []bool{false, true} {
		t.Run(fmt.Sprint("drops=", drops), func(t *testing.T) {
			t.Parallel()
			concurrentListsAndWrites(t, drops)
		})
	}
}

func concurrentListsAndWrites(t *testing.T, drops bool) {
	b := setupFresh(t, testenv.DB(t), time.Date(2032, 6, 1, 18, 0, 0, 0, time.UTC))
	ctx := t.Context()
	f := events.Filter{Location: b.loc.Slug, PerPage: 1}
	var written, told atomic.Int64 // the last title number written, and told to other
	written.Store(-1)
	told.Store(-1)
	done := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 4 {
		svc, seen := b.set.Events, &written
		if i%2 == 1 {
			svc, seen = b.other, &told
		}
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				least := seen.Load()
				p, err := svc.List(ctx, "en", f)
				if err != nil {
					t.Error(err)
					return
				}
				if n := titleNumber(p); int64(n) < least {
					t.Errorf("listed title %d after title %d was written", n, least)
					return
				}
			}
		})
	}
	if drops {
		wg.Go(func() {
			// The other instance also hears of changes this test does
			// not make (another venue's, say). The writing process
			// hears only its own writes, so nothing but they refresh
			// its index.
			for {
				select {
				case <-done:
					return
				case <-time.After(time.Millisecond):
					b.other.Changed(live.TopicArtists, 0)
				}
			}
		})
	}
	version := b.eventVersion(t, b.ev.ID)
	const writes = 20
	for i := range writes {
		d, err := b.set.Events.Patch(ctx, admin, b.ev.ID, version, "title.en", fmt.Sprint("Title ", i))
		require.NoError(t, err)
		version = d.Version
		written.Store(int64(i))
		for _, c := range b.pub.TakeChanges() {
			b.other.Changed(c.Topic, c.ID)
		}
		told.Store(int64(i))
	}
	close(done)
	wg.Wait()
	want := listed(t, b.set.Events.ListSQL, "en", f)
	require.Equal(t, writes-1, titleNumber(want.Page))
	require.Equal(t, want, listed(t, b.set.Events.List, "en", f))
	require.Equal(t, want, listed(t, b.other.List, "en", f))
	_, patches := b.set.Events.IndexRefreshes()
	require.Positive(t, patches, "the writes were patched in")
}

// lockedRead holds svc's next index read between its first query, which
// fixes its snapshot, and its lineups: while it waits, during runs. It
// returns what the List that made the read answered. sqlDB must be svc's
// own (see scratchProgramme): the lock holds up every other reader.
func lockedRead(t *testing.T, sqlDB *sql.DB, svc *events.Service, f events.Filter, during func()) result {
	t.Helper()
	ctx := t.Context()
	lock, err := sqlDB.Conn(ctx)
	require.NoError(t, err)
	defer lock.Close()
	_, err = lock.ExecContext(ctx, "LOCK TABLES event_artists WRITE")
	require.NoError(t, err)
	first := make(chan result, 1)
	go func() {
		p, err := svc.List(ctx, "en", f)
		first <- result{p, err}
	}()
	require.Eventually(t, func() bool {
		var n int
		err := sqlDB.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.processlist
			WHERE db = DATABASE() AND state LIKE 'Waiting for table%'`).Scan(&n)
		return err == nil && n > 0
	}, 10*time.Second, 5*time.Millisecond, "the read waits for the lineups")
	during()
	_, err = lock.ExecContext(ctx, "UNLOCK TABLES")
	require.NoError(t, err)
	return <-first
}

// scratchProgramme is an events service over a database of its own (so
// lockedRead's lock holds up no other test) that holds one published event
// titled title, and the filter that lists it.
func scratchProgramme(t *testing.T, title string) (*sql.DB, testenv.EventRow, *events.Service, events.Filter) {
	t.Helper()
	_, sqlDB := testenv.ScratchDB(t, "index")
	now := time.Date(2032, 6, 1, 18, 0, 0, 0, time.UTC)
	ev := testenv.Event(t, db.New(sqlDB), testenv.EventOpts{Start: now.Add(time.Hour), Published: true, Title: title})
	svc := events.New(sqlDB, []string{"en", "de"}, func() time.Time { return now }, live.Discard{}, testenv.Logger(t))
	return sqlDB, ev, svc, events.Filter{Location: ev.LocationSlug}
}

// A build that began before a change is not kept: the Lists that shared it
// get its answer, which is as old as they are, and the next List builds
// afresh.
func TestIndexBuildOvertakenByChangeIsNotKept(t *testing.T) {
	t.Parallel()
	sqlDB, ev, svc, f := scratchProgramme(t, "Old")
	ctx := t.Context()

	r := lockedRead(t, sqlDB, svc, f, func() {
		_, err := sqlDB.ExecContext(ctx, "UPDATE event_translations SET title = 'New' WHERE event_id = ?", ev.ID)
		require.NoError(t, err)
		svc.Changed(live.TopicEvents, 0)
	})
	require.NoError(t, r.Err)
	require.Equal(t, "Old", r.Page.Events[0].Title.Value, "the build read the state before the change")
	p, err := svc.List(ctx, "en", f)
	require.NoError(t, err)
	require.Equal(t, "New", p.Events[0].Title.Value, "and was not kept")
}

// A patch re-reads the events marked stale when it began. An event marked
// again while it reads stays stale, and the next List re-reads it; a drop
// while it reads overtakes it, and the next List builds afresh. Either way
// the List that waited for the patch gets what it read.
func TestIndexPatchOvertaken(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name            string
		during          func(svc *events.Service, id int64)
		builds, patches int64
	}{
		{"by a mark", func(svc *events.Service, id int64) { svc.Changed(live.TopicEvents, id) }, 1, 2},
		{"by a drop", func(svc *events.Service, _ int64) { svc.Changed(live.TopicArtists, 0) }, 2, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sqlDB, ev, svc, f := scratchProgramme(t, "First")
			ctx := t.Context()
			retitle := func(title string) {
				_, err := sqlDB.ExecContext(ctx, "UPDATE event_translations SET title = ? WHERE event_id = ?", title, ev.ID)
				require.NoError(t, err)
			}
			title := func() string {
				p, err := svc.List(ctx, "en", f)
				require.NoError(t, err)
				return p.Events[0].Title.Value
			}
			require.Equal(t, "First", title())

			retitle("Second")
			svc.Changed(live.TopicEvents, ev.ID)
			r := lockedRead(t, sqlDB, svc, f, func() {
				retitle("Third")
				tc.during(svc, ev.ID)
			})
			require.NoError(t, r.Err)
			require.Equal(t, "Second", r.Page.Events[0].Title.Value, "the patch read the state after the first mark")
			require.Equal(t, "Third", title(), "and the next List the state after the second")
			builds, patches := svc.IndexRefreshes()
			require.Equal(t, [2]int64{tc.builds, tc.patches}, [2]int64{builds, patches}, "builds and patches")
		})
	}
}

// Up to MaxStale events changed at once are patched in; one more, and the
// index is built anew. Marks need not name an event that exists: one that
// is not listed is only left out.
func TestIndexTooManyStaleEventsBuild(t *testing.T) {
	t.Parallel()
	b := setup(t)
	svc := events.New(testenv.DB(t), []string{"en", "de"}, func() time.Time { return b.now }, live.Discard{}, testenv.Logger(t))
	f := events.Filter{Location: b.venue}
	want := listed(t, svc.ListSQL, "en", f)
	require.Equal(t, want, listed(t, svc.List, "en", f))
	for _, n := range []int{events.MaxStale, events.MaxStale + 1} {
		builds, patches := svc.IndexRefreshes()
		for i := range n {
			svc.Changed(live.TopicEvents, 1<<40+int64(i))
		}
		require.Equal(t, want, listed(t, svc.List, "en", f))
		b2, p2 := svc.IndexRefreshes()
		if n <= events.MaxStale {
			require.Equal(t, [2]int64{builds, patches + 1}, [2]int64{b2, p2}, "%d stale events are patched", n)
		} else {
			require.Equal(t, [2]int64{builds + 1, patches}, [2]int64{b2, p2}, "%d stale events drop the index", n)
		}
	}
}

// A change that no one published (a fix made in the database by hand, or a
// message Redis lost) shows once the index has aged out; a patch in
// between does not make it younger.
func TestIndexAgesOut(t *testing.T) {
	t.Parallel()
	q := db.New(testenv.DB(t))
	clock := testenv.NewClock(time.Date(2032, 6, 1, 18, 0, 0, 0, time.UTC))
	ev := testenv.Event(t, q, testenv.EventOpts{Start: clock.Now().Add(time.Hour), Published: true, Title: "Old"})
	told := testenv.Event(t, q, testenv.EventOpts{Location: testenv.LocationRow{ID: ev.LocationID, Slug: ev.LocationSlug},
		Start: clock.Now().Add(2 * time.Hour), Published: true, Title: "Told"})
	svc := events.New(testenv.DB(t), []string{"en", "de"}, clock.Now, live.Discard{}, testenv.Logger(t))
	titles := func() []string {
		p, err := svc.List(t.Context(), "en", events.Filter{Location: ev.LocationSlug})
		require.NoError(t, err)
		var out []string
		for _, e := range p.Events {
			out = append(out, e.Title.Value)
		}
		return out
	}
	require.Equal(t, []string{"Old", "Told"}, titles())
	for id, title := range map[int64]string{ev.ID: "New", told.ID: "Told again"} {
		_, err := testenv.DB(t).ExecContext(t.Context(), "UPDATE event_translations SET title = ? WHERE event_id = ?", title, id)
		require.NoError(t, err)
	}
	clock.Add(events.IndexMaxAge - 2*time.Second)
	svc.Changed(live.TopicEvents, told.ID)
	require.Equal(t, []string{"Old", "Told again"}, titles(), "a patch re-reads only the event it was told of")
	clock.Add(time.Second)
	require.Equal(t, []string{"Old", "Told again"}, titles(), "unpublished changes wait for the index to age out")
	clock.Add(time.Second)
	require.Equal(t, []string{"New", "Told again"}, titles())
}
