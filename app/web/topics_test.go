package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/testenv"
	"github.com/dreamerscave/tdc/app/web"
)

// topicFixture is a venue with one public event, and the pages that show
// them, fetched once so the page cache holds them.
type topicFixture struct {
	srv *web.Server
	q   *db.Queries
	loc testenv.LocationRow
	ev  testenv.EventRow
	// pages are the venue's programme, the event's page and the venue's
	// page.
	programme, event, venue string
}

func newTopicFixture(t *testing.T) topicFixture {
	t.Helper()
	srv := testenv.App(t)
	q := db.New(testenv.DB(t))
	loc := testenv.Location(t, q, testenv.LocationOpts{})
	ev := testenv.Event(t, q, testenv.EventOpts{Location: loc, Published: true, Start: testenv.Seeded(t).Add(24 * time.Hour)})
	f := topicFixture{
		srv: srv, q: q, loc: loc, ev: ev,
		programme: "/events?location=" + loc.Slug, event: "/events/" + ev.Slug, venue: "/locations/" + loc.Slug,
	}
	for _, p := range []string{f.programme, f.event, f.venue} {
		res := get(t, srv, p)
		require.Equal(t, http.StatusOK, res.StatusCode, p)
		require.Contains(t, res.Body, ev.Title, p)
	}
	return f
}

// etags fetches each page and returns its ETag.
func (f topicFixture) etags(t *testing.T, paths ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range paths {
		res := get(t, f.srv, p)
		require.Equal(t, http.StatusOK, res.StatusCode, p)
		out[p] = res.Header.Get("ETag")
	}
	return out
}

// renameSilently changes the event's title in the database without
// publishing anything: only a page that re-renders shows it. The events
// service's programme index is told, as the events service's own writes
// tell it (the programme, with the event's id), so what re-renders reads
// the new title; the page cache is not.
func (f topicFixture) renameSilently(t *testing.T, title string) {
	t.Helper()
	_, err := testenv.DB(t).ExecContext(t.Context(), "UPDATE event_translations SET title = ? WHERE event_id = ?", title, f.ev.ID)
	require.NoError(t, err)
	f.srv.Events.Changed(live.TopicEvents, f.ev.ID)
}

// A new track at one venue re-renders that venue's page, and leaves the
// programme and the event's page as they were: the same bytes, served
// from the cache (a silent rename in the database does not show).
func TestNowPlayingChangeLeavesTheProgrammeCached(t *testing.T) {
	t.Parallel()
	f := newTopicFixture(t)
	before := f.etags(t, f.programme, f.event, f.venue)
	f.renameSilently(t, "Renamed "+f.ev.Slug)
	require.NoError(t, f.q.NowPlayingUpsert(t.Context(), db.NowPlayingUpsertParams{
		LocationID: f.loc.ID, Artist: "Silent Artist", Title: "Quiet Track", Source: db.NowPlayingSourcePush, StartedAt: testenv.Seeded(t),
	}))

	f.srv.Changed(live.LocationTopic(f.loc.Slug, "now-playing"), f.loc.ID)

	for _, p := range []string{f.programme, f.event} {
		res := get(t, f.srv, p)
		require.Equal(t, before[p], res.Header.Get("ETag"), "%s stays cached", p)
		require.Contains(t, res.Body, f.ev.Title, p)
		require.NotContains(t, res.Body, "Renamed", p)
	}
	venue := get(t, f.srv, f.venue)
	require.NotEqual(t, before[f.venue], venue.Header.Get("ETag"), "the venue's page re-renders")
	require.Contains(t, venue.Body, "Quiet Track")
	require.Contains(t, venue.Body, "Renamed "+f.ev.Slug, "and reads the event afresh")
}

// An event's own topic drops its page, not the programme; the programme
// listens to "events", which every write of a public event publishes too.
func TestEventChangeDropsItsPageAndTheProgramme(t *testing.T) {
	t.Parallel()
	f := newTopicFixture(t)
	renamed := "Renamed " + f.ev.Slug
	f.renameSilently(t, renamed)

	f.srv.Changed(live.EventTopic(f.ev.ID), f.ev.ID)
	require.Contains(t, get(t, f.srv, f.event).Body, renamed)
	require.NotContains(t, get(t, f.srv, f.programme).Body, renamed, "the programme listens to events, not each event")

	f.srv.Changed(live.TopicEvents, f.ev.ID)
	require.Contains(t, get(t, f.srv, f.programme).Body, renamed)
}

// What an event write through the service publishes drops its page, its
// venue's page and the programme, and leaves pages of other topics alone.
func TestEventWriteDropsWhatShowsIt(t *testing.T) {
	t.Parallel()
	f := newTopicFixture(t)
	other := f.etags(t, "/artists", "/blog")

	changes := listen(t, f.srv)
	var version int32
	require.NoError(t, testenv.DB(t).QueryRowContext(t.Context(), "SELECT version FROM events WHERE id = ?", f.ev.ID).Scan(&version))
	renamed := "Patched " + f.ev.Slug
	_, err := f.srv.Events.Patch(t.Context(), actor.Actor{Role: actor.RoleAdmin}, f.ev.ID, version, "title.en", renamed)
	require.NoError(t, err)
	for _, c := range changes.until(t, live.EventTopic(f.ev.ID), live.TopicEvents, live.LocationTopic(f.loc.Slug, "schedule")) {
		f.srv.Changed(c.Topic, c.ID)
	}

	for _, p := range []string{f.programme, f.event, f.venue} {
		require.Contains(t, get(t, f.srv, p).Body, renamed, p)
	}
	require.Equal(t, other, f.etags(t, "/artists", "/blog"))
}

// "*" drops every page, and so does a settings change (the layout shows
// the settings).
func TestAllAndSettingsDropEveryPage(t *testing.T) {
	t.Parallel()
	for _, topic := range []string{live.TopicAll, live.TopicSettings} {
		t.Run(topic, func(t *testing.T) {
			t.Parallel()
			f := newTopicFixture(t)
			renamed := "Renamed " + f.ev.Slug
			f.renameSilently(t, renamed)
			f.srv.Changed(topic, 0)
			for _, p := range []string{f.programme, f.event, f.venue} {
				require.Contains(t, get(t, f.srv, p).Body, renamed, p)
			}
		})
	}
}

// changeLog is what a bus subscriber received.
type changeLog struct{ ch chan live.Change }

// listen subscribes to srv's change channel, as Follow does, and
// returns once the subscription stands.
func listen(t *testing.T, srv *web.Server) changeLog {
	t.Helper()
	rdb, _ := testenv.Redis(t)
	bus := live.NewBus(rdb, srv.RedisPrefix(), testenv.Logger(t))
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	l := changeLog{ch: make(chan live.Change, 64)}
	go bus.Listen(ctx, func(c live.Change) { l.ch <- c })
	select {
	case c := <-l.ch:
		require.Equal(t, live.TopicAll, c.Topic, "the first call says the subscription stands")
	case <-time.After(10 * time.Second):
		t.Fatal("no subscription")
	}
	return l
}

// until returns the changes received until each of want's topics has been.
func (l changeLog) until(t *testing.T, want ...string) []live.Change {
	t.Helper()
	missing := map[string]bool{}
	for _, w := range want {
		missing[w] = true
	}
	var got []live.Change
	for len(missing) > 0 {
		select {
		case c := <-l.ch:
			got = append(got, c)
			delete(missing, c.Topic)
		case <-time.After(10 * time.Second):
			t.Fatalf("got %v, still waiting for %v", got, missing)
		}
	}
	return got
}

// Query values that do not change the page map to the page's one cache
// entry: after a silent rename in the database, each spelling still gets
// the cached page (the old title, the same ETag). Values that do change
// it get a render of their own, which shows the rename.
func TestEquivalentQueriesShareOneCacheEntry(t *testing.T) {
	t.Parallel()
	f := newTopicFixture(t)
	club := testenv.Config(t).ClubZone.String()
	require.Equal(t, "America/Los_Angeles", club, "the cases below name the club's zone by its other names")
	base := f.programme
	want := get(t, f.srv, base)
	wantDE := get(t, f.srv, base, header("Cookie", "lang=de"))
	renamed := "Renamed " + f.ev.Slug
	f.renameSilently(t, renamed)
	cases := []struct {
		name, url string
		cookie    string
		same      bool
	}{
		{name: "empty fields", url: base + "&type=&artist=&from=&to=", same: true},
		{name: "default page and page size", url: base + "&page=1&per_page=20", same: true},
		{name: "parameters the page does not read", url: base + "&q=&kind=&utm_source=x", same: true},
		{name: "another order", url: "/events?page=1&location=" + f.loc.Slug, same: true},
		{name: "slug in upper case", url: "/events?location=" + strings.ToUpper(f.loc.Slug), same: true},
		{name: "the club's zone", url: base + "&tz=" + club, same: true},
		{name: "the club's zone in lower case", url: base + "&tz=" + strings.ToLower(club), same: true},
		{name: "the club's zone by another name", url: base + "&tz=US/Pacific", same: true},
		{name: "the club's zone by its old rule name", url: base + "&tz=PST8PDT", same: true},
		{name: "an unknown zone", url: base + "&tz=Mars/Olympus", same: true},
		{name: "the default language", url: base + "&lang=en", same: true},
		{name: "the language of the cookie", url: base + "&lang=de", cookie: "lang=de", same: true},
		{name: "another zone", url: base + "&tz=Europe/Berlin", same: false},
		{name: "another page size", url: base + "&per_page=21", same: false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var opts []reqOpt
			if tc.cookie != "" {
				opts = append(opts, header("Cookie", tc.cookie))
			}
			res := get(t, f.srv, tc.url, opts...)
			require.Equal(t, http.StatusOK, res.StatusCode)
			if tc.same {
				tag := want.Header.Get("ETag")
				if tc.cookie != "" {
					tag = wantDE.Header.Get("ETag")
				}
				require.Equal(t, tag, res.Header.Get("ETag"))
				require.NotContains(t, res.Body, renamed)
			} else {
				require.Contains(t, res.Body, renamed, "rendered afresh")
			}
		})
	}
}

// Two names of one zone share an entry, whatever the order they come in.
func TestZoneAliasesShareOneCacheEntry(t *testing.T) {
	t.Parallel()
	f := newTopicFixture(t)
	first := get(t, f.srv, f.programme+"&tz=Asia/Calcutta")
	require.Equal(t, http.StatusOK, first.StatusCode)
	f.renameSilently(t, "Renamed "+f.ev.Slug)
	for _, name := range []string{"Asia/Kolkata", "asia/calcutta", "ASIA/KOLKATA"} {
		res := get(t, f.srv, f.programme+"&tz="+name)
		require.Equal(t, first.Header.Get("ETag"), res.Header.Get("ETag"), name)
	}
	require.Contains(t, first.Body, `value="Asia/Kolkata" selected`, "the zone is shown by its own name")
}
