package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	ical "github.com/emersion/go-ical"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/events"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/services"
	"github.com/dreamerscave/tdc/app/site"
	"github.com/dreamerscave/tdc/app/testenv"
	"github.com/dreamerscave/tdc/app/web"
)

// movingApp is the app over the package's database with a clock the test
// moves, so each write gets a later updated_at, and its cache follows
// changes as on a real instance.
func movingApp(t *testing.T) (*web.Server, func(time.Time)) {
	t.Helper()
	testenv.Seeded(t)
	var clk atomic.Int64
	clk.Store(time.Now().UTC().Truncate(time.Second).UnixNano())
	now := func() time.Time { return time.Unix(0, clk.Load()).UTC() }
	cfg := testenv.Config(t)
	rdb, prefix := testenv.Redis(t)
	cfg.RedisKeyPrefix = prefix
	sqlDB := testenv.DB(t)
	reg, err := site.NewRegistry(sqlDB)
	require.NoError(t, err)
	log := testenv.Logger(t)
	srv, err := site.Build(cfg, services.New(cfg, sqlDB, rdb, live.NewBus(rdb, prefix, log), log, now), reg, log, now)
	require.NoError(t, err)
	followChanges(t, srv)
	return srv, func(at time.Time) { clk.Store(at.UnixNano()) }
}

// feedEvent parses a feed with a second iCalendar parser (not the library
// that wrote it) and returns the event with uid, or nil.
func feedEvent(t *testing.T, body, uid string) *ical.Event {
	t.Helper()
	cal, err := ical.NewDecoder(strings.NewReader(body)).Decode()
	require.NoError(t, err, body)
	for _, ev := range cal.Events() {
		if u, err := ev.Props.Text(ical.PropUID); err == nil && u == uid {
			return &ev
		}
	}
	return nil
}

func seqOf(t *testing.T, ev *ical.Event) int {
	t.Helper()
	p := ev.Props.Get(ical.PropSequence)
	require.NotNil(t, p, "SEQUENCE")
	n, err := p.Int()
	require.NoError(t, err)
	return n
}

func stampOf(t *testing.T, ev *ical.Event) time.Time {
	t.Helper()
	ts, err := ev.Props.DateTime(ical.PropDateTimeStamp, time.UTC)
	require.NoError(t, err)
	return ts
}

func statusOf(t *testing.T, ev *ical.Event) ical.EventStatus {
	t.Helper()
	s, err := ev.Status()
	require.NoError(t, err)
	return s
}

func updatedAt(t *testing.T, id int64) time.Time {
	t.Helper()
	var at time.Time
	require.NoError(t, testenv.DB(t).QueryRowContext(t.Context(), `SELECT updated_at FROM events WHERE id = ?`, id).Scan(&at))
	return at.UTC()
}

// A subscriber polling a venue's feed over an event's life: each change
// raises SEQUENCE and moves DTSTAMP to the new revision under the same UID;
// the feed answers 304 to If-None-Match and If-Modified-Since until
// something changes, then 200; a cancelled event and one unpublished after
// publishing stay in the feed as STATUS:CANCELLED; drafts never appear.
func TestCalendarFeedRevisions(t *testing.T) {
	t.Parallel()
	srv, setNow := movingApp(t)
	ctx := t.Context()
	q := db.New(testenv.DB(t))
	loc := testenv.Location(t, q, testenv.LocationOpts{})
	start := time.Now().UTC().Truncate(time.Hour).Add(48 * time.Hour)
	on := testenv.Event(t, q, testenv.EventOpts{Location: loc, Published: true, Start: start})
	off := testenv.Event(t, q, testenv.EventOpts{Location: loc, Published: true, Start: start.Add(24 * time.Hour)})
	draft := testenv.Event(t, q, testenv.EventOpts{Location: loc, Start: start.Add(48 * time.Hour)})
	host := testenv.Config(t).BaseURL.Hostname()
	uid := func(id int64) string { return "event-" + strconv.FormatInt(id, 10) + "@" + host }
	path := "/locations/" + loc.Slug + "/calendar.ics"

	res := get(t, srv, path)
	require.Equal(t, http.StatusOK, res.StatusCode)
	etag, lastMod := res.Header.Get("ETag"), res.Header.Get("Last-Modified")
	require.Regexp(t, `^"[0-9a-f]+"$`, etag, "a strong ETag")
	ev := feedEvent(t, res.Body, uid(on.ID))
	require.NotNil(t, ev, res.Body)
	require.Nil(t, feedEvent(t, res.Body, uid(draft.ID)), "no drafts")
	require.Equal(t, ical.EventConfirmed, statusOf(t, ev))
	seq0, stamp0 := seqOf(t, ev), stampOf(t, ev)
	require.Equal(t, updatedAt(t, on.ID), stamp0, "DTSTAMP is the last revision")
	require.Equal(t, latest(updatedAt(t, on.ID), updatedAt(t, off.ID)).Format(http.TimeFormat), lastMod)

	// Until a change: 304, without a body, with the validators.
	for _, h := range [][2]string{{"If-None-Match", etag}, {"If-None-Match", `W/` + etag}, {"If-None-Match", `"x", ` + etag}, {"If-Modified-Since", lastMod}} {
		r := get(t, srv, path, header(h[0], h[1]))
		require.Equal(t, http.StatusNotModified, r.StatusCode, h)
		require.Empty(t, r.Body)
		require.Equal(t, etag, r.Header.Get("ETag"))
	}
	earlier := stamp0.Add(-time.Hour).Format(http.TimeFormat)
	require.Equal(t, http.StatusOK, get(t, srv, path, header("If-Modified-Since", earlier)).StatusCode)
	require.Equal(t, http.StatusOK, get(t, srv, path, header("If-Modified-Since", "yesterday-ish")).StatusCode, "a bad date is ignored")
	r := get(t, srv, path, header("If-None-Match", `"other"`), header("If-Modified-Since", lastMod))
	require.Equal(t, http.StatusOK, r.StatusCode, "If-None-Match wins over If-Modified-Since")

	// write makes one change to event id, based on its current version, a
	// moment after the latest revision in the feed, and returns the feed
	// once the change has reached the cache (its ETag differs).
	write := func(id int64, fn func(version int32) error) response {
		t.Helper()
		setNow(latest(updatedAt(t, on.ID), updatedAt(t, off.ID)).Add(2 * time.Second))
		d, err := srv.Events.AdminGet(ctx, id)
		require.NoError(t, err)
		require.NoError(t, fn(d.Version))
		res := changed(t, srv, path, etag)
		etag = res.Header.Get("ETag")
		return res
	}
	a := actor.System()

	// An edit of the title.
	oldTag := etag
	res = write(on.ID, func(v int32) error {
		_, err := srv.Events.Patch(ctx, a, on.ID, v, "title.en", "Moved to the big room")
		return err
	})
	ev = feedEvent(t, res.Body, uid(on.ID))
	require.NotNil(t, ev, "same UID")
	require.Greater(t, seqOf(t, ev), seq0)
	require.Equal(t, updatedAt(t, on.ID), stampOf(t, ev))
	require.True(t, stampOf(t, ev).After(stamp0))
	summary, err := ev.Props.Text(ical.PropSummary)
	require.NoError(t, err)
	require.Equal(t, "Moved to the big room", summary)
	require.Equal(t, http.StatusOK, get(t, srv, path, header("If-Modified-Since", lastMod)).StatusCode)
	require.Equal(t, http.StatusOK, get(t, srv, path, header("If-None-Match", oldTag)).StatusCode)
	seq1 := seqOf(t, ev)

	// A lineup announced: the description changes, and so does SEQUENCE.
	dj := testenv.Artist(t, q, testenv.ArtistOpts{Name: "DJ Lineup Change"})
	// The artist's own row predates the feed (on a loaded machine its
	// real-clock updated_at could pass the test's clock).
	backdate(t, "artists", dj.ID, stamp0.Add(-time.Hour))
	res = write(on.ID, func(v int32) error {
		_, err := srv.Events.SetLineup(ctx, a, on.ID, v, []events.LineupInput{{ArtistID: dj.ID, Position: 1}})
		return err
	})
	ev = feedEvent(t, res.Body, uid(on.ID))
	require.NotNil(t, ev)
	require.Greater(t, seqOf(t, ev), seq1)
	desc, err := ev.Props.Text(ical.PropDescription)
	require.NoError(t, err)
	require.Contains(t, desc, "DJ Lineup Change")
	seq1 = seqOf(t, ev)

	// Cancelled: kept, as cancelled, with a higher SEQUENCE.
	res = write(on.ID, func(v int32) error {
		_, err := srv.Events.Cancel(ctx, a, on.ID, v)
		return err
	})
	ev = feedEvent(t, res.Body, uid(on.ID))
	require.NotNil(t, ev)
	require.Equal(t, ical.EventCancelled, statusOf(t, ev))
	require.Greater(t, seqOf(t, ev), seq1)

	// Unpublished after being published: kept, as cancelled.
	ev = feedEvent(t, res.Body, uid(off.ID))
	require.NotNil(t, ev)
	seqOff := seqOf(t, ev)
	res = write(off.ID, func(v int32) error {
		_, err := srv.Events.Unpublish(ctx, a, off.ID, v)
		return err
	})
	ev = feedEvent(t, res.Body, uid(off.ID))
	require.NotNil(t, ev, "a withdrawn event stays in the feed")
	require.Equal(t, ical.EventCancelled, statusOf(t, ev))
	require.Greater(t, seqOf(t, ev), seqOff)
	require.Equal(t, updatedAt(t, off.ID).Format(http.TimeFormat), res.Header.Get("Last-Modified"))
	require.Nil(t, feedEvent(t, res.Body, uid(draft.ID)), "still no drafts")
}

// A venue or artist renamed changes the entries that name them: DTSTAMP,
// LAST-MODIFIED and the feed's Last-Modified move to the rename, so clients
// take the new text; SEQUENCE stays, as a rename reschedules nothing.
func TestCalendarFeedFollowsRenames(t *testing.T) {
	t.Parallel()
	srv, setNow := movingApp(t)
	ctx := t.Context()
	q := db.New(testenv.DB(t))
	a := actor.System()
	loc := testenv.Location(t, q, testenv.LocationOpts{Name: "Old Cellar"})
	dj := testenv.Artist(t, q, testenv.ArtistOpts{Name: "DJ Old Name"})
	start := time.Now().UTC().Truncate(time.Hour).Add(48 * time.Hour)
	ev := testenv.Event(t, q, testenv.EventOpts{Location: loc, Published: true, Start: start, Lineup: []testenv.ArtistRow{dj}})
	base := updatedAt(t, ev.ID)
	backdate(t, "locations", loc.ID, base.Add(-time.Hour))
	backdate(t, "artists", dj.ID, base.Add(-time.Hour))
	uid := "event-" + strconv.FormatInt(ev.ID, 10) + "@" + testenv.Config(t).BaseURL.Hostname()
	paths := []string{"/locations/" + loc.Slug + "/calendar.ics", "/artists/" + dj.Slug + "/calendar.ics", "/calendar.ics"}

	tags := map[string]string{}
	var seq0 int
	for _, p := range paths {
		res := get(t, srv, p)
		require.Equal(t, http.StatusOK, res.StatusCode, p)
		e := feedEvent(t, res.Body, uid)
		require.NotNil(t, e, p)
		require.Equal(t, base, stampOf(t, e), "%s: the event's own revision", p)
		seq0 = seqOf(t, e)
		tags[p] = res.Header.Get("ETag")
	}
	// check waits for every feed to change and returns its entry, with
	// DTSTAMP, LAST-MODIFIED and Last-Modified at want.
	check := func(want time.Time) []*ical.Event {
		t.Helper()
		var out []*ical.Event
		for _, p := range paths {
			res := changed(t, srv, p, tags[p])
			tags[p] = res.Header.Get("ETag")
			e := feedEvent(t, res.Body, uid)
			require.NotNil(t, e, p)
			require.Equal(t, want, stampOf(t, e), "%s: DTSTAMP is the rename", p)
			mod, err := e.Props.DateTime(ical.PropLastModified, time.UTC)
			require.NoError(t, err)
			require.Equal(t, want, mod, p)
			require.Equal(t, seq0, seqOf(t, e), "%s: a rename keeps SEQUENCE", p)
			require.Equal(t, want.Format(http.TimeFormat), res.Header.Get("Last-Modified"), p)
			out = append(out, e)
		}
		return out
	}

	type rename struct {
		do         func() error
		prop, want string
	}
	for _, r := range []rename{
		{func() error {
			d, err := srv.Locations.AdminGet(ctx, loc.ID)
			require.NoError(t, err)
			_, err = srv.Locations.Patch(ctx, a, loc.ID, d.Version, "name.en", "New Cellar")
			return err
		}, ical.PropLocation, "New Cellar"},
		{func() error {
			d, err := srv.Artists.AdminGet(ctx, dj.ID)
			require.NoError(t, err)
			_, err = srv.Artists.Patch(ctx, a, dj.ID, d.Version, "name", "DJ New Name")
			return err
		}, ical.PropDescription, "DJ New Name"},
	} {
		base = base.Add(time.Minute)
		setNow(base)
		require.NoError(t, r.do())
		for _, e := range check(base) {
			v, err := e.Props.Text(r.prop)
			require.NoError(t, err)
			require.Contains(t, v, r.want)
		}
	}
}

// backdate sets a row's updated_at, for rows the factories write with the
// database's clock.
func backdate(t *testing.T, table string, id int64, at time.Time) {
	t.Helper()
	_, err := testenv.DB(t).ExecContext(t.Context(), "UPDATE "+table+" SET updated_at = ? WHERE id = ?", at, id)
	require.NoError(t, err)
}

// changed polls path until its ETag differs from old (the change reaches
// the cache through Redis) and returns the new answer.
func changed(t *testing.T, srv *web.Server, path, old string) response {
	t.Helper()
	var res response
	require.Eventually(t, func() bool {
		res = get(t, srv, path)
		return res.StatusCode == http.StatusOK && res.Header.Get("ETag") != old
	}, 10*time.Second, 10*time.Millisecond)
	return res
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// The programme, venue and artist pages offer webcal:// subscriptions (in
// the page's language) beside a plain download; the event page keeps its
// download link.
func TestCalendarWebcalLinks(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	s := findSlugs(t)
	u := *testenv.Config(t).BaseURL
	u.Scheme = "webcal"
	base := strings.TrimSuffix(u.String(), "/")
	for _, tc := range []struct{ page, feed string }{
		{"/events", "/calendar.ics"},
		{"/locations/main-cave", "/locations/main-cave/calendar.ics"},
		{"/artists/" + s.artist, "/artists/" + s.artist + "/calendar.ics"},
	} {
		res := get(t, srv, tc.page)
		require.Equal(t, http.StatusOK, res.StatusCode, tc.page)
		require.Equal(t, base+tc.feed, res.Doc.Find("main a.calendar-subscribe").AttrOr("href", ""), tc.page)
		require.Equal(t, tc.feed, res.Doc.Find("main a.calendar-file").AttrOr("href", ""), tc.page)
		de := get(t, srv, tc.page+"?lang=de")
		require.Equal(t, base+tc.feed+"?lang=de", de.Doc.Find("main a.calendar-subscribe").AttrOr("href", ""), tc.page)
	}
	ev := get(t, srv, "/events/"+s.event)
	require.Equal(t, "/events/"+s.event+"/calendar.ics", ev.Doc.Find(`a[download]`).AttrOr("href", ""))
}
