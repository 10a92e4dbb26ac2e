package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/testenv"
	"github.com/dreamerscave/tdc/app/web"
)

// liveClub is a small club in a database of its own, so what the pages
// show cannot change under the test: a venue with a track playing, a show
// on now, one later today, a cancelled one tomorrow and an unpublished one.
type liveClub struct {
	srv                         *web.Server
	now                         time.Time
	venue                       testenv.LocationRow
	artist                      testenv.ArtistRow
	running, later, off, hidden testenv.EventRow
	q                           *db.Queries
}

func newLiveClub(t *testing.T) liveClub {
	t.Helper()
	dsn, sqlDB := testenv.ScratchDB(t, "live")
	q := db.New(sqlDB)
	// Whole minutes, so boundaries fall where the test puts them.
	now := time.Now().UTC().Truncate(time.Minute)
	c := liveClub{now: now, q: q}
	c.venue = testenv.Location(t, q, testenv.LocationOpts{Slug: "live-cave", Name: "Live Cave", Names: map[string]string{"de": "Live-Höhle"}})
	c.artist = testenv.Artist(t, q, testenv.ArtistOpts{Slug: "dj-live", Name: "DJ Live"})
	c.running = testenv.Event(t, q, testenv.EventOpts{Location: c.venue, Start: now.Add(-30 * time.Minute), Duration: 2 * time.Hour,
		Title: "Running Night", Titles: map[string]string{"de": "Laufende Nacht"}, Published: true, Lineup: []testenv.ArtistRow{c.artist}})
	c.later = testenv.Event(t, q, testenv.EventOpts{Location: c.venue, Start: now.Add(3 * time.Hour), Duration: 2 * time.Hour,
		Title: "Later Set", Published: true, Lineup: []testenv.ArtistRow{c.artist}})
	c.off = testenv.Event(t, q, testenv.EventOpts{Location: c.venue, Start: now.Add(26 * time.Hour), Title: "Called Off", Published: true, Cancelled: true})
	c.hidden = testenv.Event(t, q, testenv.EventOpts{Location: c.venue, Start: now.Add(50 * time.Hour), Title: "Draft Show"})
	require.NoError(t, q.NowPlayingUpsert(t.Context(), db.NowPlayingUpsertParams{
		LocationID: c.venue.ID, Artist: "Some <b>Artist</b>", Title: "First Track", Source: db.NowPlayingSourcePush, StartedAt: now.Add(-5 * time.Minute),
	}))
	cfg := testenv.Config(t)
	cfg.DatabaseDSN = dsn
	rdb, prefix := testenv.Redis(t)
	cfg.RedisKeyPrefix = prefix
	c.srv = testenv.Build(t, cfg, sqlDB, rdb, now)
	return c
}

var (
	slt    = live.Viewer{Lang: "en", Zone: "America/Los_Angeles"}
	berlin = live.Viewer{Lang: "de", Zone: "Europe/Berlin"}
)

// pushed renders topic for v and parses it.
func pushed(t *testing.T, srv *web.Server, topic string, v live.Viewer) *goquery.Document {
	t.Helper()
	out, err := srv.RenderTopic(t.Context(), topic, v)
	require.NoError(t, err, topic)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(out)))
	require.NoError(t, err)
	return doc
}

// roots lists the ids of the pushed message's top-level elements, and
// checks each carries hx-swap-oob, so hx-ws swaps every one by id.
func roots(t *testing.T, doc *goquery.Document) []string {
	t.Helper()
	var ids []string
	doc.Find("body").Children().Each(func(_ int, s *goquery.Selection) {
		id, _ := s.Attr("id")
		require.NotEmpty(t, id, "a pushed element without an id cannot be swapped")
		require.Equal(t, "true", s.AttrOr("hx-swap-oob", ""), id)
		ids = append(ids, id)
	})
	return ids
}

func TestRenderTopicPerTopic(t *testing.T) {
	t.Parallel()
	c := newLiveClub(t)
	running := strconv.FormatInt(c.running.ID, 10)
	cases := []struct {
		topic string
		ids   []string
	}{
		{live.TopicEvents, []string{"live-programme", "live-programme-refresh", "happening-now", "next-events"}},
		{live.EventTopic(c.running.ID), []string{"live-event-" + running + "-status", "live-event-" + running + "-title", "live-event-" + running + "-time", "live-event-" + running + "-lineup"}},
		{live.LocationTopic(c.venue.Slug, ""), []string{"location-schedule", "now-playing-live-cave", "recently-played-live-cave"}},
		{live.LocationTopic(c.venue.Slug, "schedule"), []string{"location-schedule", "now-playing-live-cave", "recently-played-live-cave"}},
		{live.LocationTopic(c.venue.Slug, "now-playing"), []string{"now-playing-live-cave", "recently-played-live-cave"}},
		{live.ArtistTopic(c.artist.Slug), []string{"live-artist-upcoming"}},
	}
	for _, tc := range cases {
		t.Run(tc.topic, func(t *testing.T) {
			t.Parallel()
			en, de := pushed(t, c.srv, tc.topic, slt), pushed(t, c.srv, tc.topic, berlin)
			require.Equal(t, tc.ids, roots(t, en))
			require.Equal(t, tc.ids, roots(t, de))
			enHTML, _ := en.Html()
			deHTML, _ := de.Html()
			require.NotEqual(t, enHTML, deHTML, "each viewer gets their own language and zone")
		})
	}

	// The programme, in each viewer's language and zone.
	en, de := pushed(t, c.srv, live.TopicEvents, slt), pushed(t, c.srv, live.TopicEvents, berlin)
	require.Contains(t, en.Find("#happening-now").Text(), "Running Night")
	require.Contains(t, de.Find("#happening-now").Text(), "Laufende Nacht")
	require.Contains(t, en.Find("#happening-now .badge--live").Text(), "Live now")
	require.Regexp(t, `SLT`, en.Find("#live-programme .event-card__time").First().Text())
	require.Regexp(t, `MES?Z|CES?T`, de.Find("#live-programme .event-card__time").First().Text())
	require.Contains(t, en.Find("#next-events").Text(), "Later Set")
	require.Contains(t, en.Find("#live-programme").Text(), "Called Off")
	require.NotContains(t, en.Text(), "Draft Show")
	refresh := en.Find("#live-programme-refresh")
	require.Equal(t, "", refresh.AttrOr("hx-get", "missing"), "the filtered list re-fetches its own address")
	require.Equal(t, "load", refresh.AttrOr("hx-trigger", ""))
	require.Equal(t, "#event-list", refresh.AttrOr("hx-target", ""))

	// The event's parts; the venue's track, escaped; the artist's shows.
	ev := pushed(t, c.srv, live.EventTopic(c.running.ID), berlin)
	require.Contains(t, ev.Find("#live-event-"+running+"-title h1").Text(), "Laufende Nacht")
	require.Contains(t, ev.Find("#live-event-"+running+"-lineup").Text(), "DJ Live")
	require.Contains(t, ev.Find("#live-event-"+running+"-time").Text(), "SLT", "a visitor in another zone also sees the club's")
	np := pushed(t, c.srv, live.LocationTopic(c.venue.Slug, "now-playing"), slt)
	require.Contains(t, np.Find(".now-playing__artist").Text(), "Some <b>Artist</b>")
	require.Equal(t, 0, np.Find(".now-playing__artist b").Length())
	up := pushed(t, c.srv, live.ArtistTopic(c.artist.Slug), slt)
	require.Equal(t, 2, up.Find("#live-artist-upcoming .event-card").Length())
}

// An unpublished event's open page learns it is gone: its status says so,
// and nothing else of it is sent.
func TestRenderTopicWithdrawnEvent(t *testing.T) {
	t.Parallel()
	c := newLiveClub(t)
	id := strconv.FormatInt(c.hidden.ID, 10)
	doc := pushed(t, c.srv, live.EventTopic(c.hidden.ID), berlin)
	require.Equal(t, []string{"live-event-" + id + "-status"}, roots(t, doc))
	require.Contains(t, doc.Text(), "aus dem Programm genommen")
	require.NotContains(t, doc.Text(), "Draft Show")
}

// Topics no fragment shows, malformed or hostile, are ErrUnknownTopic, and
// nothing is rendered for them.
func TestRenderTopicUnknown(t *testing.T) {
	t.Parallel()
	c := newLiveClub(t)
	junk := []string{
		"", "*", "EVENTS", "events ", " events", "event", "event:", "event:abc", "event:0", "event:-1", "event:01",
		"event:+5", "event:1.5", "event:99999999999999999999", "event:1 OR 1=1", "event:99999999",
		"event:" + strconv.FormatInt(c.running.ID, 10) + ":x", "location:", "location:no-such-venue",
		"location:live-cave:screen-00", "location:live-cave:x", "location:live-cave:schedule:x", "location:LIVE-CAVE",
		"location:<script>alert(1)</script>", "location:../../etc", "artist:", "artist:nobody-here",
		"artist:dj-live%00", "artist:dj\x00live", "post:x", "locations", "artists", "location:live-cave\xff",
		"\xff\xfe", strings.Repeat("event:1", 2000), "location:" + strings.Repeat("a", 300),
	}
	for _, topic := range junk {
		out, err := c.srv.RenderTopic(t.Context(), topic, slt)
		require.ErrorIs(t, err, live.ErrUnknownTopic, "%q", topic)
		require.Empty(t, out)
	}
	// A viewer with a language or zone nobody offers gets the defaults,
	// not an error: the hub passes on what the cookies said.
	doc := pushed(t, c.srv, live.TopicEvents, live.Viewer{Lang: "<x>", Zone: "Mars/Olympus"})
	require.Contains(t, doc.Find("#happening-now").Text(), "Running Night")
	require.Contains(t, doc.Find("#live-programme .event-card__time").First().Text(), "SLT")
}

// outer is the element's HTML without hx-swap-oob: what the page shows and
// what the hub pushes must be the same markup.
func outer(t *testing.T, doc *goquery.Document, sel string) string {
	t.Helper()
	s := doc.Find(sel)
	require.Equal(t, 1, s.Length(), sel)
	s.RemoveAttr("hx-swap-oob")
	h, err := goquery.OuterHtml(s)
	require.NoError(t, err)
	return h
}

// The page and the hub render each live fragment from one builder: for the
// same data, viewer and instant they give the same HTML.
func TestPagesAndHubRenderTheSameFragments(t *testing.T) {
	t.Parallel()
	c := newLiveClub(t)
	running := "#live-event-" + strconv.FormatInt(c.running.ID, 10)
	cases := []struct {
		page, topic string
		sels        []string
	}{
		{"/", live.TopicEvents, []string{"#happening-now", "#next-events"}},
		{"/events", live.TopicEvents, []string{"#live-programme"}},
		{"/events/" + c.running.Slug, live.EventTopic(c.running.ID), []string{running + "-status", running + "-title", running + "-time", running + "-lineup"}},
		{"/locations/" + c.venue.Slug, live.LocationTopic(c.venue.Slug, "schedule"), []string{"#location-schedule", "#now-playing-live-cave"}},
		{"/artists/" + c.artist.Slug, live.ArtistTopic(c.artist.Slug), []string{"#live-artist-upcoming"}},
	}
	for _, v := range []struct {
		viewer live.Viewer
		query  string
	}{{slt, "?lang=en"}, {berlin, "?lang=de&tz=Europe/Berlin"}} {
		for _, tc := range cases {
			res := get(t, c.srv, tc.page+v.query)
			require.Equal(t, http.StatusOK, res.StatusCode, tc.page)
			hub := pushed(t, c.srv, tc.topic, v.viewer)
			for _, sel := range tc.sels {
				require.Equal(t, outer(t, res.Doc, sel), outer(t, hub, sel), "%s %s %s", v.viewer.Lang, tc.page, sel)
			}
		}
	}
	// The partial the filter form asks for holds the same list too.
	part := get(t, c.srv, "/events", partial)
	require.Equal(t, outer(t, part.Doc, "#live-programme"), outer(t, pushed(t, c.srv, live.TopicEvents, slt), "#live-programme"))
}

// A filtered list is not the pushed one: it has the marker the push's
// refresh element replaces, and its reload keeps the address as it is.
func TestFilteredProgrammeRefreshesItself(t *testing.T) {
	t.Parallel()
	c := newLiveClub(t)
	res := get(t, c.srv, "/events?type=dj_set")
	require.Equal(t, 0, res.Doc.Find("#live-programme").Length(), "the push must not overwrite a filtered list")
	marker := res.Doc.Find("#event-list #live-programme-refresh")
	require.Equal(t, 1, marker.Length())
	_, has := marker.Attr("hx-get")
	require.False(t, has, "the marker itself fetches nothing")
	plain := get(t, c.srv, "/events")
	require.Equal(t, 0, plain.Doc.Find("#live-programme-refresh").Length())

	reload := get(t, c.srv, "/events?type=dj_set", partial, header("HX-Source", "div#live-programme-refresh"))
	require.Equal(t, http.StatusOK, reload.StatusCode)
	require.Empty(t, reload.Header.Get("HX-Push-Url"), "a live reload adds no history entry")
	require.Empty(t, reload.Header.Get("HX-Replace-Url"))
	require.Equal(t, 1, reload.Doc.Find("#event-list #live-programme-refresh").Length(), "the next change finds the marker again")
	submitted := get(t, c.srv, "/events?type=dj_set", partial)
	require.Equal(t, "/events?type=dj_set", submitted.Header.Get("HX-Push-Url"))
}

// Each page opens one socket, naming the topics of what it shows; pages
// that show nothing live open none.
func TestPagesSubscribeToWhatTheyShow(t *testing.T) {
	t.Parallel()
	c := newLiveClub(t)
	cases := []struct {
		page   string
		topics []string
	}{
		{"/", []string{"events", "location:live-cave:now-playing"}},
		{"/events", []string{"events"}},
		{"/events?type=dj_set&page=1", []string{"events"}},
		{"/events/" + c.running.Slug, []string{live.EventTopic(c.running.ID)}},
		{"/locations/live-cave", []string{"location:live-cave:schedule", "location:live-cave:now-playing"}},
		{"/artists/" + c.artist.Slug, []string{"artist:" + c.artist.Slug}},
		{"/blog", nil},
		{"/locations", nil},
	}
	script := regexp.MustCompile(`<script src="/assets/vendor/htmx/hx-ws\.[^"]*js"></script>`)
	for _, tc := range cases {
		res := get(t, c.srv, tc.page)
		require.Equal(t, http.StatusOK, res.StatusCode, tc.page)
		socket := res.Doc.Find(`[hx-ws\:connect]`)
		if tc.topics == nil {
			require.Equal(t, 0, socket.Length(), tc.page)
			require.NotRegexp(t, script, res.Body)
			continue
		}
		require.Equal(t, 1, socket.Length(), tc.page)
		require.Equal(t, "live-socket", socket.AttrOr("id", ""))
		u := socket.AttrOr("hx-ws:connect", "")
		require.True(t, strings.HasPrefix(u, "/ws?"), u)
		var got []string
		for _, kv := range strings.Split(strings.TrimPrefix(u, "/ws?"), "&") {
			k, v, _ := strings.Cut(kv, "=")
			require.Equal(t, "topic", k)
			got = append(got, unescape(t, v))
		}
		require.Equal(t, tc.topics, got, tc.page)
		require.Regexp(t, script, res.Body, "the hx-ws extension is loaded from our assets")
	}
}

func unescape(t *testing.T, v string) string {
	t.Helper()
	u, err := url.QueryUnescape(v)
	require.NoError(t, err)
	return u
}

// The clock fires the topics of a show's start at that start, and looks
// again when the programme changes.
func TestClockPublishesAtAShowsStart(t *testing.T) {
	t.Parallel()
	c := newLiveClub(t)
	b, err := c.srv.NextBoundary(t.Context(), c.now)
	require.NoError(t, err)
	// The running show ends 90 minutes from now; the later one starts in 3 hours.
	require.Equal(t, c.now.Add(90*time.Minute), b.At)
	require.Equal(t, []string{live.TopicEvents, live.EventTopic(c.running.ID), live.LocationTopic(c.venue.Slug, "schedule"), live.LocationTopic(c.venue.Slug, "screen"), live.ArtistTopic(c.artist.Slug)}, b.Topics)
	b, err = c.srv.NextBoundary(t.Context(), c.now.Add(90*time.Minute))
	require.NoError(t, err)
	require.Equal(t, c.later.StartsAt, b.At, "the next is the later show's start")
	require.Contains(t, b.Topics, live.EventTopic(c.later.ID))

	// The test's time, half an hour before the later show: a one-slot
	// channel holds the current instant.
	now := c.later.StartsAt.Add(-30 * time.Minute)
	mu := make(chan time.Time, 1)
	mu <- now
	current := func() time.Time { v := <-mu; mu <- v; return v }
	waits := make(chan time.Duration, 4)
	timer := make(chan time.Time)
	fired := make(chan live.Change, 16)
	clock := live.NewClock(c.srv.NextBoundary, func(ch live.Change) { fired <- ch }, testenv.Logger(t)).
		WithTime(current, func(d time.Duration) <-chan time.Time { waits <- d; return timer })
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { clock.Run(ctx); close(done) }()

	require.Equal(t, c.later.StartsAt.Sub(now), <-waits, "it waits exactly until the show starts")
	require.Empty(t, fired)
	// A change to the programme makes it look again, firing nothing.
	clock.Rearm()
	require.Equal(t, c.later.StartsAt.Sub(now), <-waits)
	require.Empty(t, fired)
	// Time reaches the start.
	<-mu
	mu <- c.later.StartsAt
	timer <- c.later.StartsAt
	var got []string
	for range 5 {
		got = append(got, (<-fired).Topic)
	}
	require.Equal(t, []string{live.TopicEvents, live.EventTopic(c.later.ID), live.LocationTopic(c.venue.Slug, "schedule"), live.LocationTopic(c.venue.Slug, "screen"), live.ArtistTopic(c.artist.Slug)}, got)
	<-waits // armed for the next boundary
	cancel()
	<-done
}

// After a change to one event, the programme's fragments (the list,
// happening now, next) render in both languages, and the clock finds its
// next boundary, with the database asked about that event alone: its row,
// lineup, texts and cover, by id, in one transaction. With no change, they
// need no query at all.
func TestProgrammeTopicAfterChangeReadsThatEventAlone(t *testing.T) {
	t.Parallel()
	now := testenv.Seeded(t)
	q := db.New(testenv.DB(t))
	// An event of the next hours with a lineup and a cover, so that every
	// part of it is read; its venue and artist are known to the index.
	ev := testenv.Event(t, q, testenv.EventOpts{Start: now.Add(3 * time.Hour), Published: true,
		Lineup: []testenv.ArtistRow{testenv.Artist(t, q, testenv.ArtistOpts{})}, Titles: map[string]string{"de": "Vorher"}})
	cover := testenv.Picture(t, q, map[string]string{"en": "A crowd"})
	_, err := testenv.DB(t).ExecContext(t.Context(), "UPDATE events SET cover_media_id = ? WHERE id = ?", cover, ev.ID)
	require.NoError(t, err)

	pool, statements := testenv.RecordingDB(t, testenv.DSN(t))
	rdb, prefix := testenv.Redis(t)
	cfg := testenv.Config(t)
	cfg.RedisKeyPrefix = prefix
	srv := testenv.Build(t, cfg, pool, rdb, now)
	ctx := t.Context()
	render := func() string {
		t.Helper()
		var out []byte
		for _, v := range []live.Viewer{slt, berlin} {
			b, err := srv.RenderTopic(ctx, live.TopicEvents, v)
			require.NoError(t, err)
			out = append(out, b...)
		}
		_, err := srv.NextBoundary(ctx, now)
		require.NoError(t, err)
		return string(out)
	}
	require.Contains(t, render(), "Vorher")
	statements.Take()
	render()
	require.Empty(t, statements.Take(), "warm, nothing is read")

	_, err = testenv.DB(t).ExecContext(ctx, "UPDATE event_translations SET title = 'Nachher' WHERE event_id = ? AND lang = 'de'", ev.ID)
	require.NoError(t, err)
	srv.Changed(live.TopicEvents, ev.ID)
	require.Contains(t, render(), "Nachher")
	var names []string
	for _, st := range statements.Take() {
		names = append(names, st.Name())
		for _, a := range st.Args {
			if n, ok := a.(int64); ok && n != 0 { // 0: every_event, off
				require.Contains(t, []int64{ev.ID, cover}, n, "%s reads only the event and its cover", st.Name())
			}
		}
	}
	require.Equal(t, []string{"BEGIN", "EventIndexList", "EventIndexLineups", "MediaImageList", "EventIndexTranslations", "MediaImageList"}, names,
		"its row and lineup, then in each language its cover and (but in the default one, which its row holds) its texts")
	render()
	require.Empty(t, statements.Take(), "and once patched, nothing")
}
