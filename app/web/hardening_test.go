package web_test

import (
	"bufio"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gofiber/fiber/v3"
	"github.com/stretchr/testify/require"

	"github.com/dreamerscave/tdc/app/config"
	"github.com/dreamerscave/tdc/app/db"
	"github.com/dreamerscave/tdc/app/testenv"
	"github.com/dreamerscave/tdc/app/web"
)

// logTo makes srv log into a buffer, at every level.
func logTo(srv *web.Server) *testenv.LogBuffer {
	b := &testenv.LogBuffer{}
	srv.Log = slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return b
}

// rawExchange sends raw bytes on a fresh connection and returns the status
// line and headers of the answer, and how long it took.
func rawExchange(t *testing.T, base, raw string) (*http.Response, time.Duration) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
	start := time.Now()
	_, err = io.WriteString(conn, raw)
	require.NoError(t, err)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "no answer to %q", raw[:min(len(raw), 40)])
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res, time.Since(start)
}

// Requests the HTTP parser refuses, and methods no route has, are answered
// at once with our headers, logged and counted with what they really were:
// not as "GET / 404", and never at ERROR level.
func TestParserRejectionsAreAnsweredAndLoggedHonestly(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	cfg.MetricsToken = "scrape-token-0123456789"
	srv := testenv.AppWith(t, cfg)
	logs := logTo(srv)
	// A partial request waits at most this long for the rest.
	srv.App.Server().ReadTimeout = 500 * time.Millisecond
	base := serve(t, srv)

	cases := []struct {
		name   string
		raw    string
		status int
		method string // logged method
	}{
		{"headers over the limit", "GET /events HTTP/1.1\r\nHost: x\r\nX-Filler: " + strings.Repeat("z", cfg.ReadHeaderBudget+100) + "\r\n\r\n", 431, "-"},
		{"garbage request line", "GARBAGE\r\n\r\n", 400, "-"},
		{"header without a colon", "GET /events HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n", 400, "-"},
		{"body over the limit", fmt.Sprintf("POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", cfg.BodyLimit+1), 413, "POST"},
		{"unknown method", "BREW /events HTTP/1.1\r\nHost: x\r\n\r\n", 501, "BREW"},
		{"bare LF line endings", "GET /events HTTP/1.1\nHost: x\n\n", 400, "GET"},
		{"bare LF blank line after CRLF lines", "GET /events HTTP/1.1\r\nHost: x\r\n\n", 400, "GET"},
		{"half a request, then silence", "GET /events HTTP/1.1\r\nHost: x\r\n", 408, "-"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, took := rawExchange(t, base, tc.raw)
			require.Equal(t, tc.status, res.StatusCode)
			require.Less(t, took, 5*time.Second, "answered at once, not after a read time-out")
			require.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"), "the same security headers as every answer")
			require.Contains(t, res.Header.Get("Content-Security-Policy"), "default-src 'self'")
			id := res.Header.Get("X-Request-Id")
			require.Regexp(t, `^[a-z2-7]{16}$`, id)
			require.Eventually(t, func() bool {
				return len(logs.Lines("request_id="+id, "msg=request", "status="+fmt.Sprint(tc.status), "route=rejected", "method="+tc.method)) == 1
			}, 2*time.Second, 10*time.Millisecond, "logged once with its real method and status:\n%s", logs.String())
		})
	}
	require.Empty(t, logs.Lines("status=404"), "nothing was logged as a 404")
	require.Empty(t, logs.Lines("level=ERROR"), "clients' mistakes are not errors")

	m := get(t, srv, "/metrics", header("Authorization", "Bearer "+cfg.MetricsToken))
	for _, series := range []string{
		`tdc_http_requests_total{method="OTHER",route="rejected",status="431"}`,
		`tdc_http_requests_total{method="POST",route="rejected",status="413"}`,
		`tdc_http_requests_total{method="OTHER",route="rejected",status="501"}`,
		`tdc_http_requests_total{method="GET",route="rejected",status="400"}`,
	} {
		require.Contains(t, m.Body, series)
	}
}

// A request id is taken from a trusted proxy only, and only in a short
// plain form; anything else gets one of ours.
func TestRequestIDs(t *testing.T) {
	t.Parallel()
	ours := regexp.MustCompile(`^[a-z2-7]{16}$`)
	cfg := testenv.Config(t)
	// app.Test's requests come from 0.0.0.0.
	cfg.TrustedProxies = []string{"0.0.0.0"}
	trusted := testenv.AppWith(t, cfg)
	untrusted := testenv.App(t)
	cases := []struct {
		name  string
		srv   *web.Server
		id    string
		kept  bool
		inLog string
	}{
		{"a client's id is ignored", untrusted, "abc-123", false, ""},
		{"a proxy's plain id is kept", trusted, "abc-123_XYZ", true, "request_id=abc-123_XYZ"},
		{"a uuid is kept", trusted, "0b0e7a26-4d0f-4c1e-9d3e-6f1a2b3c4d5e", true, ""},
		{"markup is refused", trusted, "<script>alert(1)</script>", false, ""},
		{"spaces are refused", trusted, "a b", false, ""},
		{"an overlong id is refused", trusted, strings.Repeat("a", 65), false, ""},
		{"non-ascii is refused", trusted, "ïd", false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			logs := logTo(tc.srv)
			res := get(t, tc.srv, "/healthz", header("X-Request-Id", tc.id))
			got := res.Header.Get("X-Request-Id")
			if tc.kept {
				require.Equal(t, tc.id, got)
			} else {
				require.Regexp(t, ours, got)
				require.NotContains(t, logs.String(), tc.id)
			}
		})
	}
}

// /metrics is off without a token, and answers only to the token when on.
func TestMetricsNeedTheToken(t *testing.T) {
	t.Parallel()
	off := testenv.App(t)
	res := get(t, off, "/metrics")
	require.Equal(t, http.StatusNotFound, res.StatusCode)
	require.NotContains(t, res.Body, "go_goroutines")

	cfg := testenv.Config(t)
	cfg.MetricsToken = "scrape-token-0123456789"
	on := testenv.AppWith(t, cfg)
	cases := []struct {
		name, auth string
		status     int
	}{
		{"no header", "", http.StatusUnauthorized},
		{"wrong token", "Bearer scrape-token-0123456780", http.StatusUnauthorized},
		{"token as basic auth", "Basic c2NyYXBlOnRva2Vu", http.StatusUnauthorized},
		{"prefix of the token", "Bearer scrape-token", http.StatusUnauthorized},
		{"the token", "Bearer " + cfg.MetricsToken, http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := get(t, on, "/metrics", header("Authorization", tc.auth))
			require.Equal(t, tc.status, res.StatusCode)
			if tc.status == http.StatusOK {
				require.Contains(t, res.Body, "go_goroutines")
				require.Contains(t, res.Body, "tdc_page_cache_bytes")
			} else {
				require.NotContains(t, res.Body, "go_goroutines")
				require.Equal(t, `Bearer realm="metrics"`, res.Header.Get("WWW-Authenticate"))
			}
		})
	}
}

// A zone is a tzdata name in its canonical spelling; every other spelling
// LoadLocation would take is ignored: no cookie, no option, club time.
func TestZonesAreCanonical(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	cases := []struct {
		tz     string
		cookie string // the tz cookie set, "" for none
	}{
		{"Europe/Berlin", "Europe/Berlin"},
		{"europe/BERLIN", "Europe/Berlin"},
		{"./Europe/Berlin", ""},
		{"Europe//Berlin", ""},
		{"Europe/Berlin/", ""},
		{"/Europe/Berlin", ""},
		{"Local", ""},
		{"../../etc/passwd", ""},
		{"Mars/Olympus", ""},
		{"Europe/Berlin%00", ""},
	}
	for _, tc := range cases {
		t.Run(tc.tz, func(t *testing.T) {
			t.Parallel()
			res := get(t, srv, "/events?tz="+tc.tz)
			require.Equal(t, http.StatusOK, res.StatusCode)
			var cookie string
			for _, c := range res.Cookies() {
				if c.Name == "tz" {
					cookie = c.Value
				}
			}
			require.Equal(t, tc.cookie, cookie)
			options := res.Doc.Find(`#tz option`).Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("value", "") })
			for _, o := range options {
				_, err := time.LoadLocation(o)
				require.NoError(t, err)
				require.NotContains(t, o, "//")
				require.False(t, strings.HasPrefix(o, "."), o)
			}
			if tc.cookie == "" {
				require.Contains(t, res.Doc.Find(".event-card__time").First().Text(), "SLT", "club time")
			} else {
				require.Regexp(t, `CES?T`, res.Doc.Find(".event-card__time").First().Text())
			}
		})
	}
	// Junk in the cookie is ignored too.
	res := get(t, srv, "/events", header("Cookie", "tz=./Europe/Berlin"))
	require.Contains(t, res.Doc.Find(".event-card__time").First().Text(), "SLT")
}

// Every spelling of a page's address answers a permanent redirect to the
// one address: case, trailing and doubled slashes in paths, accents in
// slugs (the database compares slugs ignoring both).
func TestOtherSpellingsRedirectPermanently(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	s := findSlugs(t)
	accented := func(slug string) string {
		return strings.Replace(slug, "a", "á", 1)
	}
	// The first coming event's slug depends on the hour the test runs; the
	// accent cases take the first published one with an a to accent.
	var withA string
	require.NoError(t, testenv.DB(t).QueryRowContext(t.Context(),
		`SELECT slug FROM events WHERE published AND slug LIKE '%a%' ORDER BY starts_at LIMIT 1`).Scan(&withA))
	require.Contains(t, withA, "a", "the accent test needs an a in the slug")
	cases := []struct{ from, to string }{
		{"/EVENTS", "/events"},
		{"/events/", "/events"},
		{"/events//", "/events"},
		{"//events", "/events"},
		{"/Events?location=main-cave&lang=de", "/events?location=main-cave&lang=de"},
		{"/events/" + strings.ToUpper(s.event), "/events/" + s.event},
		{"/events/" + s.event + "/", "/events/" + s.event},
		{"/events/" + url.PathEscape(accented(withA)), "/events/" + withA},
		{"/events/" + url.PathEscape(accented(withA)) + "?lang=de", "/events/" + withA + "?lang=de"},
		{"/locations/MAIN-CAVE", "/locations/main-cave"},
		{"/locations/" + url.PathEscape("máin-cave"), "/locations/main-cave"},
		{"/locations/" + url.PathEscape("máin-cave") + "/calendar.ics", "/locations/main-cave/calendar.ics"},
		{"/LOCATIONS/MAIN-CAVE/CALENDAR.ICS", "/locations/main-cave/calendar.ics"},
		{"/artists/" + url.PathEscape(strings.ToUpper(s.artist)) + "/", "/artists/" + s.artist},
		{"/blog/" + strings.ToUpper(s.post), "/blog/" + s.post},
		{"/blog/category/" + url.PathEscape(strings.ToUpper(s.category)), "/blog/category/" + s.category},
		{"/events?location=" + url.QueryEscape("Máin-Cave"), "/events?location=main-cave"},
		{"/Sitemap.xml", "/sitemap.xml"},
	}
	for _, tc := range cases {
		t.Run(tc.from, func(t *testing.T) {
			t.Parallel()
			for _, opts := range [][]reqOpt{nil, {partial}} {
				res := get(t, srv, tc.from, opts...)
				require.Equal(t, http.StatusMovedPermanently, res.StatusCode, res.Body)
				require.Equal(t, tc.to, res.Header.Get("Location"))
				final := get(t, srv, tc.to, opts...)
				require.Equal(t, http.StatusOK, final.StatusCode, tc.to)
			}
		})
	}
}

// One page spelled many ways is one cache entry, and a flood of distinct
// addresses leaves the cache within its budget.
func TestPageCacheMemoryIsBounded(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	cfg.PageCacheMB = 1
	srv := testenv.AppWith(t, cfg)
	for _, u := range []string{"/events", "/events?utm_source=a", "/events?per_page=0", "/events?page=1", "/events?location=&type=&artist=", "/events?fbclid=x;y", "/events?x=%zz"} {
		require.Equal(t, http.StatusOK, get(t, srv, u).StatusCode, u)
	}
	entries, _ := srv.CacheSize()
	require.Equal(t, 1, entries, "one page, one entry")

	now := testenv.Seeded(t)
	for i := range 300 {
		day := now.AddDate(0, 0, i%200).Format(time.DateOnly)
		u := fmt.Sprintf("/events?from=%s&type=%s", day, []string{"live", "dj_set", "party"}[i%3])
		require.Equal(t, http.StatusOK, get(t, srv, u).StatusCode, u)
	}
	entries, bytes := srv.CacheSize()
	require.LessOrEqual(t, bytes, uint64(1<<20), "within TDC_PAGE_CACHE_MB")
	require.Less(t, entries, 300, "older pages made room")
	require.Greater(t, entries, 5, "but the cache still holds pages")
}

// scratchApp is the app over a seeded database of the test's own, for
// tests that lock or close it.
func scratchApp(t *testing.T, label string, cfg config.Config) (*web.Server, *sql.DB) {
	t.Helper()
	_, sqlDB := testenv.ScratchDB(t, label)
	now := testenv.Seeded(t)
	require.NoError(t, testenv.Seed(t, sqlDB, now))
	rdb, prefix := testenv.Redis(t)
	cfg.RedisKeyPrefix = prefix
	return testenv.Build(t, cfg, sqlDB, rdb, now), sqlDB
}

// Feeds and the sitemap come from the page cache: once built, they are
// served without the database, until a change or their TTL.
func TestFeedsAreServedFromTheCache(t *testing.T) {
	t.Parallel()
	srv, sqlDB := scratchApp(t, "feeds", testenv.Config(t))
	paths := []string{"/calendar.ics", "/locations/main-cave/calendar.ics", "/sitemap.xml", "/calendar.ics?lang=de"}
	tags := map[string]string{}
	for _, p := range paths {
		res := get(t, srv, p)
		require.Equal(t, http.StatusOK, res.StatusCode, p)
		tags[p] = res.Header.Get("ETag")
		require.NotEmpty(t, tags[p])
	}
	require.NoError(t, sqlDB.Close())
	for _, p := range paths {
		res := get(t, srv, p)
		require.Equal(t, http.StatusOK, res.StatusCode, "%s is served with the database gone", p)
		require.Equal(t, tags[p], res.Header.Get("ETag"))
		require.Equal(t, http.StatusNotModified, get(t, srv, p, header("If-None-Match", tags[p])).StatusCode)
	}
	srv.Invalidate()
	require.Equal(t, http.StatusInternalServerError, get(t, srv, "/calendar.ics").StatusCode, "a change drops feeds too")
}

// A miss of the programme, whatever its filters, is served without the
// database once the events index and the filter form's lists are loaded:
// a flood of distinct filter URLs costs MariaDB nothing. The app's own
// pool is closed after the first pages.
func TestProgrammeMissesNeedNoDatabase(t *testing.T) {
	t.Parallel()
	now := testenv.Seeded(t)
	pool, err := db.Open(t.Context(), testenv.DSN(t), 4)
	require.NoError(t, err)
	rdb, prefix := testenv.Redis(t)
	cfg := testenv.Config(t)
	cfg.RedisKeyPrefix = prefix
	srv := testenv.Build(t, cfg, pool, rdb, now)
	for _, lang := range []string{"en", "de"} {
		require.Equal(t, http.StatusOK, get(t, srv, "/events?lang="+lang).StatusCode)
	}
	require.NoError(t, pool.Close())
	day := func(days int) string { return now.AddDate(0, 0, days).Format(time.DateOnly) }
	for p, status := range map[string]int{
		"/events?location=main-cave":                       http.StatusOK,
		"/events?type=live&lang=de":                        http.StatusOK,
		"/events?artist=glasswing&per_page=3":              http.StatusOK,
		"/events?from=" + day(-30) + "&to=" + day(3):       http.StatusOK,
		"/events?per_page=2&page=3":                        http.StatusOK,
		"/events?location=no-such-venue&lang=de":           http.StatusBadRequest,
		"/events?location=main-cave&page=99999&per_page=1": http.StatusFound,
	} {
		require.Equal(t, status, get(t, srv, p).StatusCode, "%s is served with the database gone", p)
	}
}

// With the events table locked by another session, an uncached programme
// page answers a translated 503 within the request deadline and gives its
// database connection back, instead of waiting as long as the lock lasts.
func TestRequestDeadlineWithALockedTable(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	cfg.RequestTimeout = time.Second
	srv, sqlDB := scratchApp(t, "deadline", cfg)
	logs := logTo(srv)

	locker, err := sqlDB.Conn(t.Context())
	require.NoError(t, err)
	defer locker.Close()
	_, err = locker.ExecContext(t.Context(), "LOCK TABLES events WRITE")
	require.NoError(t, err)

	for _, lang := range []string{"en", "de"} {
		start := time.Now()
		res := get(t, srv, "/events?lang="+lang)
		took := time.Since(start)
		require.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
		require.Less(t, took, 4*time.Second)
		require.Equal(t, "5", res.Header.Get("Retry-After"))
		want := map[string]string{"en": "The cave is busy", "de": "Die Höhle ist gerade voll"}[lang]
		require.Equal(t, want, strings.TrimSpace(res.Doc.Find("h1").Text()))
	}
	part := get(t, srv, "/events?type=live", partial)
	require.Equal(t, http.StatusServiceUnavailable, part.StatusCode)
	require.Equal(t, 1, part.Doc.Find("#flash .alert").Length())
	// The waiting queries were abandoned: only the locker holds a connection.
	require.Eventually(t, func() bool { return sqlDB.Stats().InUse == 1 }, 5*time.Second, 20*time.Millisecond)
	require.NotEmpty(t, logs.Lines("level=WARN", "request timed out"))
	require.Empty(t, logs.Lines("level=ERROR"))

	_, err = locker.ExecContext(t.Context(), "UNLOCK TABLES")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, get(t, srv, "/events").StatusCode)
}

// Unknown methods on a route get 501 with Allow and our headers, through
// app.Test too (which serves through the same fasthttp server).
func TestUnknownMethod(t *testing.T) {
	t.Parallel()
	srv := testenv.App(t)
	req := httptest.NewRequest("PROPFIND", "/events", nil)
	res, err := srv.App.Test(req, fiber.TestConfig{Timeout: 0})
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusNotImplemented, res.StatusCode)
	require.Contains(t, res.Header.Get("Allow"), "GET")
	require.Equal(t, "SAMEORIGIN", res.Header.Get("X-Frame-Options"))
}
