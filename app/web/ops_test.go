package web_test

import (
	"context"
	"database/sql"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/live"
	"github.com/dreamerscave/tdc/app/testenv"
	"github.com/dreamerscave/tdc/app/web"
)

func TestHealthReadyMetrics(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	cfg.MetricsToken = "scrape-token-0123456789"
	srv := testenv.AppWith(t, cfg)
	require.Equal(t, "ok", get(t, srv, "/healthz").Body)
	require.Equal(t, "ok", get(t, srv, "/readyz").Body)
	get(t, srv, "/events")
	get(t, srv, "/nope")
	m := get(t, srv, "/metrics", header("Authorization", "Bearer "+cfg.MetricsToken))
	require.Equal(t, http.StatusOK, m.StatusCode)
	require.Contains(t, m.Body, `tdc_http_requests_total{method="GET",route="/events",status="200"}`)
	require.Contains(t, m.Body, `tdc_http_requests_total{method="GET",route="unmatched",status="404"}`)
	require.Contains(t, m.Body, `tdc_http_request_duration_seconds_bucket{method="GET",route="/events"`)
	for _, series := range []string{"go_sql_max_open_connections", "go_sql_in_use_connections", "go_goroutines"} {
		require.True(t, strings.Contains(m.Body, series), "missing %s", series)
	}
}

func TestReadyzFailsWithoutRedis(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	srv := testenv.AppWith(t, cfg)
	require.Equal(t, http.StatusOK, get(t, srv, "/readyz").StatusCode)
	// A server whose Redis is gone is alive but not ready.
	broken := testenv.AppWithRedis(t, cfg, "redis://127.0.0.1:1/0")
	require.Equal(t, http.StatusOK, get(t, broken, "/healthz").StatusCode)
	res := get(t, broken, "/readyz")
	require.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
	require.Equal(t, "redis unavailable", res.Body)
}

func TestRequestIDAndSecurityHeaders(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	res := get(t, srv, "/")
	require.NotEmpty(t, res.Header.Get("X-Request-ID"))
	require.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
	require.Contains(t, res.Header.Get("Content-Security-Policy"), "default-src 'self'")
	again := get(t, srv, "/", header("X-Request-ID", "abc-123"))
	require.NotEqual(t, "abc-123", again.Header.Get("X-Request-ID"), "a client is no trusted proxy")
	require.Empty(t, res.Header.Get("Strict-Transport-Security"), "not over plain http")

	cfg := testenv.Config(t)
	cfg.BaseURL, _ = url.Parse("https://club.example")
	cfg.CookieSecure = true
	secure := get(t, testenv.AppWith(t, cfg), "/?lang=de")
	require.Contains(t, secure.Header.Get("Strict-Transport-Security"), "max-age=")
	require.NotEmpty(t, secure.Cookies())
	for _, c := range secure.Cookies() {
		require.True(t, c.Secure, c.Name)
		require.True(t, c.HttpOnly, c.Name)
	}
}

func TestPageCache(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	first := get(t, srv, "/events", header("Accept-Encoding", "gzip"))
	require.Equal(t, "gzip", first.Header.Get("Content-Encoding"))
	gzTag := first.Header.Get("ETag")
	require.NotEmpty(t, gzTag)
	second := get(t, srv, "/events")
	require.Empty(t, second.Header.Get("Content-Encoding"))
	require.Equal(t, first.Body, second.Body, "the same page, compressed or not")
	etag := second.Header.Get("ETag")
	require.NotEqual(t, gzTag, etag, "two encodings are two byte sequences: two strong tags")
	require.Equal(t, http.StatusNotModified, get(t, srv, "/events", header("If-None-Match", etag)).StatusCode)
	require.Equal(t, http.StatusNotModified, get(t, srv, "/events", header("If-None-Match", gzTag), header("Accept-Encoding", "gzip")).StatusCode)
	require.Equal(t, http.StatusOK, get(t, srv, "/events", header("If-None-Match", gzTag)).StatusCode, "the gzip tag does not validate the identity body")

	// Languages, zones and shapes never share an entry.
	de := get(t, srv, "/events?lang=de")
	require.NotEqual(t, first.Body, de.Body)
	berlin := get(t, srv, "/events", header("Cookie", "tz=Europe/Berlin"))
	require.NotEqual(t, first.Body, berlin.Body)
	require.Regexp(t, `CES?T`, berlin.Doc.Find(".event-card__time").First().Text())
	require.Contains(t, get(t, srv, "/events").Doc.Find(".event-card__time").First().Text(), "SLT", "the club zone's entry is intact")
	part := get(t, srv, "/events", partial)
	require.NotEqual(t, first.Body, part.Body)
	// Junk parameters do not split the cache: the canonical query is the key.
	require.Equal(t, etag, get(t, srv, "/events?utm_source=x").Header.Get("ETag"))
}

// A change published by any instance reaches every instance's cache.
func TestChangeInvalidatesCache(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	bus := followChanges(t, srv)

	before := get(t, srv, "/events").Header.Get("ETag")
	// Change the data behind the page, then publish as a service would.
	_, err := testenv.DB(t).ExecContext(t.Context(), `UPDATE event_translations SET title = CONCAT(title, ' (moved)')
		WHERE lang = 'en' AND event_id = (SELECT id FROM events WHERE published ORDER BY ABS(TIMESTAMPDIFF(SECOND, starts_at, ?)) LIMIT 1)`, testenv.Seeded(t))
	require.NoError(t, err)
	require.Equal(t, before, get(t, srv, "/events").Header.Get("ETag"), "still cached")
	require.NoError(t, bus.Changed(t.Context(), live.TopicEvents, 0))
	require.Eventually(t, func() bool {
		return get(t, srv, "/events").Header.Get("ETag") != before
	}, 5*time.Second, 10*time.Millisecond)
	require.Contains(t, get(t, srv, "/events").Body, "(moved)")
}

func TestCalendarFeeds(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	s := findSlugs(t)
	for _, path := range []string{"/calendar.ics", "/locations/main-cave/calendar.ics", "/artists/" + s.artist + "/calendar.ics", "/events/" + s.event + "/calendar.ics"} {
		res := get(t, srv, path)
		require.Equal(t, http.StatusOK, res.StatusCode, path)
		require.Equal(t, "text/calendar; charset=utf-8", res.Header.Get("Content-Type"))
		body := res.Body
		require.True(t, strings.HasPrefix(body, "BEGIN:VCALENDAR\r\n"), path)
		require.Contains(t, body, "VERSION:2.0\r\n")
		require.Contains(t, body, "PRODID:")
		require.Contains(t, body, "BEGIN:VEVENT\r\n")
		require.Equal(t, strings.Count(body, "BEGIN:VEVENT"), strings.Count(body, "DTSTAMP:"), "every event has a DTSTAMP")
		require.Equal(t, strings.Count(body, "BEGIN:VEVENT"), strings.Count(body, "\r\nUID:"), "and a UID")
		for _, line := range strings.Split(body, "\r\n") {
			require.LessOrEqual(t, len(line), 75, "lines fold at 75 octets: %q", line)
			require.NotContains(t, line, "\n", "only CRLF line ends")
		}
		require.Regexp(t, `DTSTART:\d{8}T\d{6}Z`, body, "times in UTC")
	}
	// Drafts never reach a feed (events unpublished after being published
	// do, as cancelled: TestCalendarFeedRevisions). A draft's slug may begin a published
	// event's slug ("acoustic-embers", "acoustic-embers-2026-11-06"), so
	// look for its UID.
	res := get(t, srv, "/calendar.ics")
	var draftUID string
	require.NoError(t, testenv.DB(t).QueryRowContext(t.Context(),
		`SELECT CONCAT('UID:event-', id, '@') FROM events WHERE NOT published AND first_published_at IS NULL LIMIT 1`).Scan(&draftUID))
	require.Contains(t, res.Body, "UID:event-")
	require.NotContains(t, res.Body, draftUID)
}

func TestAssetsAreFingerprintedAndImmutable(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	page := get(t, srv, "/")
	css := page.Doc.Find(`link[rel="stylesheet"]`).AttrOr("href", "")
	js := page.Doc.Find(`script[src]`).AttrOr("src", "")
	require.Regexp(t, `^/assets/css/site\.[0-9a-f]{10}\.css$`, css)
	require.Regexp(t, `^/assets/vendor/htmx/htmx\.min\.[0-9a-f]{10}\.js$`, js)
	res := get(t, srv, css, header("Accept-Encoding", "br, gzip"))
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, res.Header.Get("Cache-Control"), "immutable")
	require.Equal(t, "br", res.Header.Get("Content-Encoding"))
	require.Equal(t, http.StatusNotFound, get(t, srv, "/assets/css/site.css").StatusCode)
}

// When the database fails, visitors get the translated 500 page (and htmx a
// flash message), never a stack trace or a blank page.
func TestServerErrorPage(t *testing.T) {
	t.Parallel()
	sqlDB, err := sql.Open("mysql", testenv.DSN(t))
	require.NoError(t, err)
	sqlDB.Close() // every query now fails
	rdb, _ := testenv.Redis(t)
	srv := testenv.Build(t, testenv.Config(t), sqlDB, rdb, time.Now())

	res := get(t, srv, "/events")
	require.Equal(t, http.StatusInternalServerError, res.StatusCode)
	require.Equal(t, "Something broke", strings.TrimSpace(res.Doc.Find("h1").Text()))
	require.NotContains(t, res.Body, "sql: database is closed")
	de := get(t, srv, "/events?lang=de")
	require.Equal(t, "Etwas ist kaputtgegangen", strings.TrimSpace(de.Doc.Find("h1").Text()))
	part := get(t, srv, "/events", partial)
	require.Equal(t, http.StatusInternalServerError, part.StatusCode)
	require.Equal(t, 1, part.Doc.Find("#flash .alert").Length())
	require.Equal(t, http.StatusServiceUnavailable, get(t, srv, "/readyz").StatusCode)
}

func TestSitemapAndRobots(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	s := findSlugs(t)
	res := get(t, srv, "/sitemap.xml")
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, res.Header.Get("Content-Type"), "xml")
	var set struct {
		URLs []struct {
			Loc   string `xml:"loc"`
			Links []struct {
				Hreflang string `xml:"hreflang,attr"`
				Href     string `xml:"href,attr"`
			} `xml:"link"`
		} `xml:"url"`
	}
	require.NoError(t, xml.Unmarshal([]byte(res.Body), &set))
	locs := map[string]bool{}
	for _, u := range set.URLs {
		locs[u.Loc] = true
		require.Len(t, u.Links, 2, "an alternate per language")
	}
	for _, p := range []string{"/", "/events", "/locations/main-cave", "/artists/" + s.artist, "/events/" + s.event, "/blog/" + s.post} {
		require.True(t, locs["http://localhost:8080"+p], p)
	}
	for _, hidden := range draftAndScheduledPosts(t) {
		require.False(t, locs["http://localhost:8080/blog/"+hidden], hidden)
	}
	require.Contains(t, get(t, srv, "/robots.txt").Body, "Sitemap: http://localhost:8080/sitemap.xml")
}

// followChanges runs srv's change listener on a bus of its own, as main
// does, and returns once it is subscribed, so no change published after it
// is missed.
func followChanges(t *testing.T, srv *web.Server) *live.Bus {
	t.Helper()
	rdb, _ := testenv.Redis(t)
	bus := live.NewBus(rdb, srv.RedisPrefix(), testenv.Logger(t))
	go srv.Follow(t.Context(), bus)
	channel := srv.RedisPrefix() + "changes"
	require.Eventually(t, func() bool {
		n, err := rdb.PubSubNumSub(t.Context(), channel).Result()
		return err == nil && n[channel] == 1
	}, 5*time.Second, 10*time.Millisecond, "listener subscribed")
	return bus
}

// runLive runs srv's websocket hub and its change listener as `tdc serve`
// does: the hub first, so the listener feeds it every change (and the
// server closes its sockets when the test ends).
func runLive(t *testing.T, srv *web.Server) *live.Hub {
	t.Helper()
	hub, err := srv.NewHub()
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	go hub.Run(ctx)
	t.Cleanup(func() {
		if err := hub.Close(context.Background()); err != nil {
			t.Errorf("close hub: %v", err)
		}
		cancel()
	})
	followChanges(t, srv)
	return hub
}
