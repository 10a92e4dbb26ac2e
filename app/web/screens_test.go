package web_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/actor"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/locations"
	"github.com/dreamerscave/tdc/app/nowplaying"
	"github.com/dreamerscave/tdc/app/testenv"
)

var screenEditor = actor.Actor{Role: actor.RoleEditor}

// patchScreen changes one screen setting of venue id through the service.
func patchScreen(t *testing.T, c liveClub, id int64, field, value string) {
	t.Helper()
	d, err := c.srv.Locations.AdminGet(t.Context(), id)
	require.NoError(t, err)
	_, err = c.srv.Locations.Patch(t.Context(), screenEditor, id, d.Version, field, value)
	require.NoError(t, err)
}

func TestScreenPage(t *testing.T) {
	t.Parallel()
	c := newLiveClub(t)
	patchScreen(t, c, c.venue.ID, "screen.announcements.en", "Bar opens at 20:00\n<script>alert(1)</script>")
	patchScreen(t, c, c.venue.ID, "screen.announcements.de", "Die Bar öffnet um 20 Uhr")

	res := get(t, c.srv, "/screens/"+c.venue.Slug)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	d := res.Doc
	// A kiosk page: its own layout, no site navigation.
	require.Equal(t, 1, d.Find("body.screen.screen--split").Length())
	require.Zero(t, d.Find(".site-nav").Length())
	require.Contains(t, d.Find(".screen__name").Text(), "Live Cave")
	require.Contains(t, d.Find("body").AttrOr("style", ""), "--bg:")
	// Now playing, escaped.
	require.Contains(t, d.Find("#screen-now-playing .screen-np__title").Text(), "First Track")
	require.Contains(t, d.Find("#screen-now-playing .screen-np__artist").Text(), "Some <b>Artist</b>")
	require.Zero(t, d.Find("#screen-now-playing b").Length())
	// The show on now with its lineup, progress and QR code.
	cur := d.Find("#screen-current .screen-event.is-current")
	require.Equal(t, 1, cur.Length())
	require.Contains(t, cur.Find(".screen-event__title").Text(), "Running Night")
	require.Contains(t, cur.Find(".screen-lineup").Text(), "DJ Live")
	require.Equal(t, "250", cur.Find("progress").AttrOr("value", "")) // 30 of 120 minutes
	require.Equal(t, 1, cur.Find("svg.screen-qr path").Length())
	start, err := time.Parse(time.RFC3339, cur.AttrOr("data-start", ""))
	require.NoError(t, err)
	require.True(t, start.Equal(c.running.StartsAt), "data-start %v", start)
	// Next: the later show, marked; the cancelled and the unpublished ones are not listed.
	require.Contains(t, d.Find("#screen-next .screen-next__item.is-next").Text(), "Later Set")
	require.NotContains(t, d.Text(), "Called Off")
	require.NotContains(t, d.Text(), "Draft Show")
	// The clock in club time, and the announcements, escaped.
	require.Equal(t, "SLT", d.Find(".screen__zone").Text())
	require.Equal(t, "America/Los_Angeles", d.Find(".screen__grid").AttrOr("data-zone", ""))
	require.Equal(t, 2, d.Find("#screen-announcements .screen-ann__line").Length())
	require.Contains(t, res.Body, "&lt;script&gt;alert(1)&lt;/script&gt;")
	require.Zero(t, d.Find("#screen-announcements script").Length())
	// The socket: one topic, kept open when the browser says it is hidden.
	sock := d.Find("#live-socket")
	require.Equal(t, "/ws?topic="+url.QueryEscape(live.LocationTopic(c.venue.Slug, "screen")), sock.AttrOr("hx-ws:connect", ""))
	require.JSONEq(t, `{"ws":{"pauseOnBackground":false}}`, sock.AttrOr("hx-config", ""))
	require.Equal(t, 1, d.Find(`script[src*="js/screen"]`).Length())
	require.Zero(t, d.Find("script:not([src])").Length(), "no inline script")

	// German visitors get German panels, still in club time.
	de := get(t, c.srv, "/screens/"+c.venue.Slug+"?lang=de")
	require.Equal(t, http.StatusOK, de.StatusCode)
	require.Contains(t, de.Doc.Find("#screen-current .is-current .screen-event__title").Text(), "Laufende Nacht")
	require.Contains(t, de.Doc.Find("#screen-announcements").Text(), "Die Bar öffnet")
	require.Equal(t, "America/Los_Angeles", de.Doc.Find(".screen__grid").AttrOr("data-zone", ""))

	for _, path := range []string{"/screens/no-such-venue", "/screens/" + strings.Repeat("x", 300), "/screens/bad%3Cslug%3E"} {
		require.Equal(t, http.StatusNotFound, get(t, c.srv, path).StatusCode, path)
	}
}

func TestScreenPanelsCanBeHidden(t *testing.T) {
	t.Parallel()
	c := newLiveClub(t)
	patchScreen(t, c, c.venue.ID, "screen.panels", "next, clock")
	d := get(t, c.srv, "/screens/"+c.venue.Slug).Doc
	require.Equal(t, 1, d.Find("#screen-next").Length())
	require.Equal(t, 1, d.Find("#screen-clock").Length())
	for _, gone := range []string{"#screen-now-playing", "#screen-current", "#screen-announcements", "svg.screen-qr"} {
		require.Zero(t, d.Find(gone).Length(), gone)
	}
}

func TestKeyedScreen(t *testing.T) {
	t.Parallel()
	c := newLiveClub(t)
	key, err := c.srv.Locations.SetScreenKey(t.Context(), screenEditor, c.venue.ID)
	require.NoError(t, err)
	path := "/screens/" + c.venue.Slug
	for _, q := range []string{"", "?key=", "?key=wrong", "?key=" + key[:len(key)-1], "?key=" + strings.Repeat("k", 5000)} {
		res := get(t, c.srv, path+q)
		require.Equal(t, http.StatusNotFound, res.StatusCode, q)
		require.NotContains(t, res.Body, "Running Night", q)
	}
	res := get(t, c.srv, path+"?key="+url.QueryEscape(key))
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	sock := res.Doc.Find("#live-socket").AttrOr("hx-ws:connect", "")
	topic, err := url.QueryUnescape(strings.TrimPrefix(sock, "/ws?topic="))
	require.NoError(t, err)
	require.Regexp(t, `^location:`+c.venue.Slug+`:screen-[0-9a-f]{24}$`, topic)
	require.True(t, live.ValidTopic(topic))

	// The live topic: only the keyed one renders; the plain one and a wrong
	// value render nothing, so the socket tells nothing without the key.
	require.Contains(t, pushed(t, c.srv, topic, slt).Text(), "Running Night")
	for _, bad := range []string{
		live.LocationTopic(c.venue.Slug, "screen"),
		live.LocationTopic(c.venue.Slug, "screen-"+strings.Repeat("0", 24)),
		topic[:len(topic)-1] + "x",
	} {
		_, err := c.srv.RenderTopic(t.Context(), bad, slt)
		require.ErrorIs(t, err, live.ErrUnknownTopic, bad)
	}

	// A new key shuts the old one out, page and topic; clearing makes it public.
	key2, err := c.srv.Locations.SetScreenKey(t.Context(), screenEditor, c.venue.ID)
	require.NoError(t, err)
	c.srv.Invalidate()
	require.Equal(t, http.StatusNotFound, get(t, c.srv, path+"?key="+url.QueryEscape(key)).StatusCode)
	require.Equal(t, http.StatusOK, get(t, c.srv, path+"?key="+url.QueryEscape(key2)).StatusCode)
	_, err = c.srv.RenderTopic(t.Context(), topic, slt)
	require.ErrorIs(t, err, live.ErrUnknownTopic)
	require.NoError(t, c.srv.Locations.ClearScreenKey(t.Context(), screenEditor, c.venue.ID))
	c.srv.Invalidate()
	require.Equal(t, http.StatusOK, get(t, c.srv, path).StatusCode)
}

func TestRenderTopicScreen(t *testing.T) {
	t.Parallel()
	c := newLiveClub(t)
	doc := pushed(t, c.srv, live.LocationTopic(c.venue.Slug, "screen"), berlin)
	require.Equal(t, []string{"screen-now-playing", "screen-current", "screen-next", "screen-announcements"}, roots(t, doc))
	require.Contains(t, doc.Find("#screen-current .is-current").Text(), "Laufende Nacht")
	// Club time whatever the viewer's zone: the show's span says SLT's abbreviation.
	require.NotContains(t, doc.Find("#screen-current .is-current .screen-event__time").Text(), "CET")
	require.NotContains(t, doc.Find("#screen-current .is-current .screen-event__time").Text(), "CEST")
	// The page and the hub render the same panels.
	page := get(t, c.srv, "/screens/"+c.venue.Slug+"?lang=de").Doc
	require.Equal(t, outer(t, page, "#screen-next"), outer(t, doc, "#screen-next"))

	for _, bad := range []string{"location:no-such-venue:screen", "location:" + c.venue.Slug + ":screen-", "location:" + c.venue.Slug + ":screens"} {
		_, err := c.srv.RenderTopic(t.Context(), bad, slt)
		require.True(t, errors.Is(err, live.ErrUnknownTopic), "%s: %v", bad, err)
	}
}

func TestAdminLocationScreenSettings(t *testing.T) {
	t.Parallel()
	p := setupPlaces(t)
	loc := testenv.Location(t, p.q, testenv.LocationOpts{})
	field := func(name string) string { return fmt.Sprintf("/admin/locations/%d/fields/%s", loc.ID, name) }
	version := func() string { return strconv.Itoa(int(p.location(t, loc.ID).Version)) }

	// The panels are checkboxes, one value per ticked box.
	panels := fmt.Sprintf("#field-locations-%d-screen-panels", loc.ID)
	res := p.as(t, http.MethodGet, field("screen.panels")+"/edit", nil, true)
	d := requireAdminHTML(t, res, http.StatusOK, true, panels[1:])
	boxes := d.Find(panels + `-input input[type=checkbox][name=value]`)
	require.Equal(t, len(locations.Panels()), boxes.Length())
	require.Equal(t, boxes.Length(), d.Find(panels+`-input input[checked]`).Length(), "a new venue shows every panel")
	require.Equal(t, "Panels shown", d.Find(panels+"-input legend").Text())
	require.Contains(t, d.Find(panels+"-input").Text(), "Club clock")

	res = p.as(t, http.MethodPatch, field("screen.panels"), form("version", version(), "value", "clock", "value", "next"), true)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	require.Equal(t, []string{"next", "clock"}, p.location(t, loc.ID).Screen.Panels)
	require.Equal(t, "Coming up, Club clock", doc(t, res.Body).Find(panels+" .field__value").Contents().First().Text())
	res = p.as(t, http.MethodGet, field("screen.panels")+"/edit", nil, true)
	d = requireAdminHTML(t, res, http.StatusOK, true, panels[1:])
	var ticked []string
	d.Find(panels + `-input input[checked]`).Each(func(_ int, s *goquery.Selection) { ticked = append(ticked, s.AttrOr("value", "")) })
	require.Equal(t, []string{"next", "clock"}, ticked)

	for _, bad := range []string{"<b>x</b>", "clock,ticker"} {
		res = p.as(t, http.MethodPatch, field("screen.panels"), form("version", version(), "value", "clock", "value", bad), true)
		d = requireAdminHTML(t, res, http.StatusUnprocessableEntity, true, panels[1:])
		require.Contains(t, d.Find(".field__error").Text(), "Choose only among the panels listed", bad)
		require.Equal(t, "true", d.Find(panels+"-input").AttrOr("aria-invalid", ""), bad)
		require.Equal(t, []string{"next", "clock"}, p.location(t, loc.ID).Screen.Panels, bad)
	}
	// Nothing ticked is a screen of the schedule alone.
	res = p.as(t, http.MethodPatch, field("screen.panels"), form("version", version()), true)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	require.Empty(t, p.location(t, loc.ID).Screen.Panels)
	require.Equal(t, "None", doc(t, res.Body).Find(panels+" .field__value").Contents().First().Text())

	res = p.as(t, http.MethodPatch, field("screen.announcements.en"), form("version", version(), "value", "One\r\n\r\nTwo <i>"), true)
	require.Equal(t, http.StatusOK, res.StatusCode, res.Body)
	require.Equal(t, "One\nTwo <i>", p.location(t, loc.ID).Screen.Announcements["en"])
	before := version()
	for _, tc := range []struct{ name, value, msg string }{
		{"too many", strings.Repeat("line\n", 9), "At most 8"},
		{"too long a line", strings.Repeat("x", 161), "at most 160"},
		{"oversize", strings.Repeat("x\n", 100000), "At most 8"},
		{"control characters", "bell \a", "control"},
	} {
		res = p.as(t, http.MethodPatch, field("screen.announcements.en"), form("version", before, "value", tc.value), true)
		d = requireAdminHTML(t, res, http.StatusUnprocessableEntity, true, fmt.Sprintf("field-locations-%d-screen-announcements-en", loc.ID))
		require.Contains(t, d.Find(".field__error").Text(), tc.msg, tc.name)
	}
	require.Equal(t, before, version())
	// A language the site does not offer is no field of the venue.
	res = p.as(t, http.MethodPatch, field("screen.announcements.xx"), form("version", before, "value", "Hi"), true)
	require.Equal(t, http.StatusNotFound, res.StatusCode)

	// The key: set shows it once inside the screen's address; clear.
	res = p.as(t, http.MethodPost, fmt.Sprintf("/admin/locations/%d/screen-key", loc.ID), form("action", "set"), true)
	d = requireAdminHTML(t, res, http.StatusOK, true, "admin-location-screen-key")
	keyURL := d.Find(".token-once__value").AttrOr("value", "")
	require.Contains(t, keyURL, "/screens/"+loc.Slug+"?key=")
	require.True(t, p.location(t, loc.ID).Screen.HasKey)
	u, err := url.Parse(keyURL)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, get(t, p.srv, u.RequestURI()).StatusCode)
	require.Equal(t, http.StatusNotFound, get(t, p.srv, u.Path).StatusCode)
	res = p.as(t, http.MethodPost, fmt.Sprintf("/admin/locations/%d/screen-key", loc.ID), form("action", "clear"), true)
	d = requireAdminHTML(t, res, http.StatusOK, true, "admin-location-screen-key")
	require.Zero(t, d.Find(".token-once__value").Length())
	require.False(t, p.location(t, loc.ID).Screen.HasKey)
	res = p.as(t, http.MethodPost, fmt.Sprintf("/admin/locations/%d/screen-key", loc.ID), form("action", "explode"), true)
	require.Equal(t, http.StatusBadRequest, res.StatusCode)

	// Artists, members and visitors may not change any of it.
	cur := p.location(t, loc.ID)
	artist := testenv.Artist(t, p.q, testenv.ArtistOpts{})
	base := fmt.Sprintf("/admin/locations/%d", loc.ID)
	reqs := []request{
		{http.MethodPatch, base + "/fields/screen.panels", "version=" + version() + "&value=clock"},
		{http.MethodPatch, base + "/fields/screen.announcements.en", "version=" + version() + "&value=Mine"},
		{http.MethodPost, base + "/screen-key", "action=set"},
	}
	for _, o := range []testenv.UserOpts{{Role: actor.RoleArtist, ArtistID: artist.ID}, {Role: actor.RoleMember}} {
		p.requireForbidden(t, signInAs(t, p.srv, p.sqlDB, o), reqs)
	}
	for _, r := range reqs {
		anon := testenv.Session{}
		res := anon.Do(t, p.srv, anon.Request(r.method, r.path, strings.NewReader(r.body)))
		require.NotEqual(t, http.StatusOK, res.StatusCode, r.path)
	}
	after := p.location(t, loc.ID)
	require.Equal(t, cur.Version, after.Version)
	require.Equal(t, cur.Screen, after.Screen)
}

// Publishers name a venue's screen topic without its key; a keyed screen's
// socket still hears the change: the server passes it on under the keyed
// topic, as `tdc serve`'s listener calls Server.Changed for every change.
func TestKeyedScreenHearsChanges(t *testing.T) {
	t.Parallel()
	rdb, prefix := testenv.Redis(t)
	site := startLive(t, testenv.Config(t), rdb, prefix)
	loc := testenv.Location(t, db.New(testenv.DB(t)), testenv.LocationOpts{StreamKind: db.LocationsStreamKindPush})
	key, err := site.srv.Locations.SetScreenKey(t.Context(), screenEditor, loc.ID)
	require.NoError(t, err)
	keyed := live.LocationTopic(loc.Slug, locations.ScreenTopicPart(locations.ScreenKeyHash(key)))

	ws, _, err := site.dial(t, nil, topics(keyed)+"&lang=en")
	require.NoError(t, err)
	require.Contains(t, frame(t, ws), `id="screen-now-playing"`, "fresh panels on connect")
	// The plain topic renders nothing for a keyed screen.
	plain, _, err := site.dial(t, nil, topics(live.LocationTopic(loc.Slug, "screen")))
	require.NoError(t, err)

	// The server's own listener, as in `tdc serve`, maps the venue's
	// change to the keyed topic (the test's bus listener feeds only the hub).
	go site.srv.Follow(t.Context(), site.bus)
	channel := prefix + "changes"
	require.Eventually(t, func() bool {
		n, err := rdb.PubSubNumSub(t.Context(), channel).Result()
		return err == nil && n[channel] == 2
	}, 5*time.Second, 10*time.Millisecond, "listener subscribed")
	_, err = site.srv.NowPlaying.Record(t.Context(), loc.Slug, nowplaying.Track{Artist: "Keyed", Title: "Only For The Screen"})
	require.NoError(t, err)
	// Follow's subscribing refreshes every topic once (TopicAll); the
	// track comes in the frame after, if not in that one.
	if f := frame(t, ws); !strings.Contains(f, "Only For The Screen") {
		require.Contains(t, frame(t, ws), "Only For The Screen")
	}
	require.NoError(t, plain.SetReadDeadline(time.Now().Add(time.Second)))
	_, msg, err := plain.ReadMessage()
	require.Error(t, err, "the plain topic sent %s", msg)
}
